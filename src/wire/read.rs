//! Readers of the pieces both views hold, and [`Obj`], which takes an object's fields by name.
//! Each reads the JSON serde writes on the server with the same rules: a field marked
//! `#[serde(default)]` may be missing; any other must be there with its type.

use super::json::{Json, Read};
use crate::center::{AgentName, AwayReason, LegCard, LegState, Millis, MonitorMode, Party, Presence, Role, TimelineRow};
use crate::ids::{AgentId, CallSid, PhoneNumber};

/// A JSON object.
pub struct Obj<J>(J);

impl<J: Json> Obj<J> {
    pub fn new(v: J) -> Read<Obj<J>> {
        if v.is_object() {
            Ok(Obj(v))
        } else {
            Err("an object")
        }
    }

    /// The field, `None` when missing or `null`.
    pub fn get(&self, key: &str) -> Option<J> {
        self.0.field(key)
    }

    pub fn req(&self, key: &'static str) -> Read<J> {
        self.get(key).ok_or(key)
    }

    pub fn text(&self, key: &'static str) -> Read<String> {
        self.req(key)?.string().ok_or(key)
    }

    pub fn int(&self, key: &'static str) -> Read<Millis> {
        int(self.req(key)?).map_err(|_| key)
    }

    /// A `bool` marked `#[serde(default)]`.
    pub fn flag(&self, key: &'static str) -> Read<bool> {
        self.get(key).map_or(Ok(false), |v| v.boolean().ok_or(key))
    }

    /// An `Option` field (may be missing or `null`).
    pub fn opt<T>(&self, key: &'static str, read: fn(J) -> Read<T>) -> Read<Option<T>> {
        self.get(key).map(read).transpose()
    }

    /// A list; `required` unless the field is `#[serde(default)]`.
    pub fn list<T>(&self, key: &'static str, required: bool, read: fn(J) -> Read<T>) -> Read<Vec<T>> {
        match self.get(key) {
            None if !required => Ok(Vec::new()),
            v => v.ok_or(key)?.items(read),
        }
    }
}

/// The text as JSON.
pub fn parse<J: Json>(json: &str) -> Read<J> {
    J::parse(json)
}

pub fn text<J: Json>(v: J) -> Read<String> {
    v.string().ok_or("a string")
}

pub fn int<J: Json>(v: J) -> Read<Millis> {
    v.number().filter(|n| n.fract() == 0.0).map(|n| n as Millis).ok_or("an integer")
}

pub fn agent<J: Json>(v: J) -> Read<AgentId> {
    AgentId::parse(&text(v)?).map_err(|_| "an agent's identity")
}

pub fn call_sid<J: Json>(v: J) -> Read<CallSid> {
    CallSid::parse(&text(v)?).map_err(|_| "a CallSid")
}

/// A word of the view's vocabulary, read with that type's own parser.
pub fn word<J: Json, T>(v: J, parse: fn(&str) -> Option<T>, what: &'static str) -> Read<T> {
    parse(&text(v)?).ok_or(what)
}

pub fn party<J: Json>(v: J) -> Read<Party> {
    Party::parse(&text(v)?).map_err(|_| "an agent or a number")
}

/// The caller's number (`null` when Twilio gave none).
pub fn caller<J: Json>(v: J) -> Read<PhoneNumber> {
    PhoneNumber::parse(&text(v)?).map_err(|_| "a phone number")
}

pub fn name<J: Json>(v: J) -> Read<AgentName> {
    let o = Obj::new(v)?;
    Ok(AgentName { id: agent(o.req("id")?)?, name: o.text("name")? })
}

/// `{"state": "away", "reason": "missed-call"}` and the like (see `Presence`).
pub fn presence<J: Json>(v: J) -> Read<Presence> {
    let o = Obj::new(v)?;
    let state = o.text("state")?;
    Ok(match state.as_str() {
        "offline" => Presence::Offline,
        "available" => Presence::Available,
        "away" => Presence::Away {
            reason: match o.text("reason")?.as_str() {
                "chosen" => AwayReason::Chosen,
                "missed-call" => AwayReason::MissedCall,
                "supervisor" => AwayReason::Supervisor,
                _ => return Err("reason"),
            },
        },
        "ringing" => Presence::Ringing { call: call_sid(o.req("call")?)? },
        "on-call" => Presence::OnCall { call: call_sid(o.req("call")?)? },
        "wrap-up" => Presence::WrapUp { until: o.int("until")? },
        _ => return Err("state"),
    })
}

pub fn leg<J: Json>(v: J) -> Read<LegCard> {
    let o = Obj::new(v)?;
    Ok(LegCard {
        role: word(o.req("role")?, Role::parse, "role")?,
        party: o.opt("party", party)?,
        name: o.text("name")?,
        state: word(o.req("state")?, LegState::parse, "state")?,
        muted: o.flag("muted")?,
        monitor: o.opt("monitor", |v| word(v, MonitorMode::parse, "monitor"))?,
    })
}

pub fn row<J: Json>(v: J) -> Read<TimelineRow> {
    let o = Obj::new(v)?;
    Ok(TimelineRow { at: o.int("at")?, text: o.text("text")? })
}
