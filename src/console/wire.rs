//! Reads the stream's JSON in the browser (browser only): the browser's own `JSON.parse`, then
//! each field taken by name. The same JSON serde writes on the server (`ConsoleView`,
//! `AgentCard` and what they hold), read with the same rules (a field marked `#[serde(default)]`
//! may be missing; any other must be there with its type). Not serde's derived decoders: theirs
//! for every type of the view were about 6% of the console's WASM. What is wrong is told by the
//! name of the field (no formatted messages: they too cost code for every field).

use js_sys::{Array, Reflect, JSON};
use wasm_bindgen::JsValue;

use crate::center::{
    AgentCard, AgentName, AwayReason, CallAction, CallCard, CallHistory, CallNotice, Callback, ConsoleView, LegCard, LegState, Millis,
    MonitorCard, MonitorMode, Party, Phase, Presence, PresenceAction, QueueCard, Role, Stage, TimelineRow, TransferCard, Voicemail,
};
use crate::ids::{AgentId, CallSid, PhoneNumber, QueueName, RecordingSid, E164};

/// The value, or the name of the field (or the JSON) that is not as it should be.
pub(crate) type Read<T> = Result<T, &'static str>;

/// A `ConsoleView` as the server writes it.
pub fn console_view(json: &str) -> Read<ConsoleView> {
    view(parse(json)?)
}

/// The directory: every agent's card.
pub fn directory(json: &str) -> Read<Vec<AgentCard>> {
    list(parse(json)?, agent_card)
}

pub(crate) fn parse(json: &str) -> Read<JsValue> {
    JSON::parse(json).map_err(|_| "not JSON")
}

/// A JSON object.
pub(crate) struct Obj(JsValue);

impl Obj {
    pub(crate) fn new(v: JsValue) -> Read<Obj> {
        if v.is_object() && !Array::is_array(&v) {
            Ok(Obj(v))
        } else {
            Err("an object")
        }
    }

    /// The field, `None` when missing or `null`.
    pub(crate) fn get(&self, key: &str) -> Option<JsValue> {
        Reflect::get(&self.0, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
    }

    pub(crate) fn req(&self, key: &'static str) -> Read<JsValue> {
        self.get(key).ok_or(key)
    }

    pub(crate) fn text(&self, key: &'static str) -> Read<String> {
        self.req(key)?.as_string().ok_or(key)
    }

    pub(crate) fn int(&self, key: &'static str) -> Read<Millis> {
        int(self.req(key)?).map_err(|_| key)
    }

    /// A `bool` marked `#[serde(default)]`.
    pub(crate) fn flag(&self, key: &'static str) -> Read<bool> {
        self.get(key).map_or(Ok(false), |v| v.as_bool().ok_or(key))
    }

    /// An `Option` field (may be missing or `null`).
    pub(crate) fn opt<T>(&self, key: &'static str, read: fn(JsValue) -> Read<T>) -> Read<Option<T>> {
        self.get(key).map(read).transpose()
    }

    /// A list; `required` unless the field is `#[serde(default)]`.
    pub(crate) fn list<T>(&self, key: &'static str, required: bool, read: fn(JsValue) -> Read<T>) -> Read<Vec<T>> {
        match self.get(key) {
            None if !required => Ok(Vec::new()),
            v => list(v.ok_or(key)?, read),
        }
    }
}

pub(crate) fn text(v: JsValue) -> Read<String> {
    v.as_string().ok_or("a string")
}

pub(crate) fn int(v: JsValue) -> Read<Millis> {
    v.as_f64().filter(|n| n.fract() == 0.0).map(|n| n as Millis).ok_or("an integer")
}

pub(crate) fn list<T>(v: JsValue, read: fn(JsValue) -> Read<T>) -> Read<Vec<T>> {
    if !Array::is_array(&v) {
        return Err("a list");
    }
    Array::from(&v).iter().map(read).collect()
}

pub(crate) fn agent(v: JsValue) -> Read<AgentId> {
    AgentId::parse(&text(v)?).map_err(|_| "an agent's identity")
}

pub(crate) fn call_sid(v: JsValue) -> Read<CallSid> {
    CallSid::parse(&text(v)?).map_err(|_| "a CallSid")
}

/// A word of the view's vocabulary, read with that type's own parser.
pub(crate) fn word<T>(v: JsValue, parse: fn(&str) -> Option<T>, what: &'static str) -> Read<T> {
    parse(&text(v)?).ok_or(what)
}

pub(crate) fn party(v: JsValue) -> Read<Party> {
    Party::parse(&text(v)?).map_err(|_| "an agent or a number")
}

/// The caller's number (`null` when Twilio gave none).
pub(crate) fn caller(v: JsValue) -> Read<PhoneNumber> {
    PhoneNumber::parse(&text(v)?).map_err(|_| "a phone number")
}

pub(crate) fn name(v: JsValue) -> Read<AgentName> {
    let o = Obj::new(v)?;
    Ok(AgentName { id: agent(o.req("id")?)?, name: o.text("name")? })
}

fn view(v: JsValue) -> Read<ConsoleView> {
    let o = Obj::new(v)?;
    Ok(ConsoleView {
        me: agent_card(o.req("me")?)?,
        presence_actions: o.list("presence_actions", false, |v| word(v, PresenceAction::parse, "presence_actions"))?,
        call: o.opt("call", call_card)?,
        queue: queue(o.req("queue")?)?,
        agents: o.list("agents", false, agent_card)?,
        recent: o.list("recent", true, history)?,
        monitoring: o.opt("monitoring", monitor_card)?,
        now: o.int("now")?,
    })
}

fn agent_card(v: JsValue) -> Read<AgentCard> {
    let o = Obj::new(v)?;
    Ok(AgentCard { id: agent(o.req("id")?)?, name: o.text("name")?, presence: presence(o.req("presence")?)?, since: o.int("since")? })
}

/// `{"state": "away", "reason": "missed-call"}` and the like (see `Presence`).
pub(crate) fn presence(v: JsValue) -> Read<Presence> {
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

fn call_card(v: JsValue) -> Read<CallCard> {
    let o = Obj::new(v)?;
    Ok(CallCard {
        call: call_sid(o.req("call")?)?,
        from: o.opt("from", caller)?,
        queued_at: o.int("queued_at")?,
        phase: word(o.req("phase")?, Phase::parse, "phase")?,
        since: o.int("since")?,
        legs: o.list("legs", true, leg)?,
        transfer: o.opt("transfer", transfer)?,
        notice: o.opt("notice", notice)?,
        actions: o.list("actions", false, |v| word(v, CallAction::parse, "actions"))?,
        transferred_by: o.opt("transferred_by", name)?,
        help: o.opt("help", int)?,
        voicemail: o.opt("voicemail", voicemail)?,
        callback: o.opt("callback", callback)?,
        queue: o.opt("queue", |v| QueueName::parse(&text(v)?).map_err(|_| "a queue"))?,
    })
}

fn callback(v: JsValue) -> Read<Callback> {
    let o = Obj::new(v)?;
    Ok(Callback {
        number: E164::parse(&o.text("number")?).map_err(|_| "a number")?,
        requested_at: o.int("requested_at")?,
        attempts: u32::try_from(o.get("attempts").map(int).transpose()?.unwrap_or(0)).map_err(|_| "attempts")?,
        not_before: o.opt("not_before", int)?,
        last: None,
    })
}

fn voicemail(v: JsValue) -> Read<Voicemail> {
    let o = Obj::new(v)?;
    Ok(Voicemail {
        recording: RecordingSid::parse(&o.text("recording")?).map_err(|_| "a RecordingSid")?,
        seconds: u32::try_from(o.int("seconds")?).map_err(|_| "seconds")?,
        transcript: o.opt("transcript", text)?,
    })
}

fn monitor_card(v: JsValue) -> Read<MonitorCard> {
    let o = Obj::new(v)?;
    Ok(MonitorCard {
        call: call_sid(o.req("call")?)?,
        from: o.opt("from", caller)?,
        owner: o.opt("owner", name)?,
        mode: word(o.req("mode")?, MonitorMode::parse, "mode")?,
        joined: o.flag("joined")?,
        coaching: o.opt("coaching", name)?,
        note: o.opt("note", text)?,
    })
}

pub(crate) fn leg(v: JsValue) -> Read<LegCard> {
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

fn transfer(v: JsValue) -> Read<TransferCard> {
    let o = Obj::new(v)?;
    Ok(TransferCard {
        by: name(o.req("by")?)?,
        to: party(o.req("to")?)?,
        to_name: o.text("to_name")?,
        note: o.text("note")?,
        stage: word(o.req("stage")?, Stage::parse, "stage")?,
        since: o.int("since")?,
    })
}

fn notice(v: JsValue) -> Read<CallNotice> {
    let o = Obj::new(v)?;
    Ok(CallNotice { text: o.text("text")?, at: o.int("at")?, retry: o.flag("retry")? })
}

fn queue(v: JsValue) -> Read<QueueCard> {
    let o = Obj::new(v)?;
    let waiting = usize::try_from(o.int("waiting")?).map_err(|_| "waiting")?;
    Ok(QueueCard { waiting, longest_since: o.opt("longest_since", int)? })
}

fn history(v: JsValue) -> Read<CallHistory> {
    let o = Obj::new(v)?;
    Ok(CallHistory { call: call_sid(o.req("call")?)?, from: o.opt("from", caller)?, rows: o.list("rows", true, row)? })
}

pub(crate) fn row(v: JsValue) -> Read<TimelineRow> {
    let o = Obj::new(v)?;
    Ok(TimelineRow { at: o.int("at")?, text: o.text("text")? })
}
