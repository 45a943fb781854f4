//! Reads the console's stream in the browser: the JSON serde writes on the server
//! (`ConsoleView`, the directory's `AgentCard`s and what they hold), each field taken by name
//! with the readers shared with the floor (`crate::wire`).

use crate::center::{
    AgentCard, CallAction, CallCard, CallHistory, CallNotice, Callback, ConsoleView, MonitorCard, MonitorMode, Phase, PresenceAction,
    QueueCard, Stage, TransferCard, Voicemail,
};
use crate::ids::{QueueName, RecordingSid, E164};
use crate::wire::json::{Json, Read};
use crate::wire::read::{agent, call_sid, caller, int, leg, name, parse, party, presence, row, text, word, Obj};

#[cfg(test)]
mod tests;

/// A `ConsoleView` as the server writes it.
pub fn console_view<J: Json>(json: &str) -> Read<ConsoleView> {
    view(parse::<J>(json)?)
}

/// The directory: every agent's card.
pub fn directory<J: Json>(json: &str) -> Read<Vec<AgentCard>> {
    parse::<J>(json)?.items(agent_card)
}

fn view<J: Json>(v: J) -> Read<ConsoleView> {
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

fn agent_card<J: Json>(v: J) -> Read<AgentCard> {
    let o = Obj::new(v)?;
    Ok(AgentCard { id: agent(o.req("id")?)?, name: o.text("name")?, presence: presence(o.req("presence")?)?, since: o.int("since")? })
}

fn call_card<J: Json>(v: J) -> Read<CallCard> {
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

fn callback<J: Json>(v: J) -> Read<Callback> {
    let o = Obj::new(v)?;
    Ok(Callback {
        number: E164::parse(&o.text("number")?).map_err(|_| "a number")?,
        requested_at: o.int("requested_at")?,
        attempts: u32::try_from(o.get("attempts").map(int).transpose()?.unwrap_or(0)).map_err(|_| "attempts")?,
        not_before: o.opt("not_before", int)?,
        last: None,
    })
}

fn voicemail<J: Json>(v: J) -> Read<Voicemail> {
    let o = Obj::new(v)?;
    Ok(Voicemail {
        recording: RecordingSid::parse(&o.text("recording")?).map_err(|_| "a RecordingSid")?,
        seconds: u32::try_from(o.int("seconds")?).map_err(|_| "seconds")?,
        transcript: o.opt("transcript", text)?,
    })
}

fn monitor_card<J: Json>(v: J) -> Read<MonitorCard> {
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

fn transfer<J: Json>(v: J) -> Read<TransferCard> {
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

fn notice<J: Json>(v: J) -> Read<CallNotice> {
    let o = Obj::new(v)?;
    Ok(CallNotice { text: o.text("text")?, at: o.int("at")?, retry: o.flag("retry")? })
}

fn queue<J: Json>(v: J) -> Read<QueueCard> {
    let o = Obj::new(v)?;
    let waiting = usize::try_from(o.int("waiting")?).map_err(|_| "waiting")?;
    Ok(QueueCard { waiting, longest_since: o.opt("longest_since", int)? })
}

fn history<J: Json>(v: J) -> Read<CallHistory> {
    let o = Obj::new(v)?;
    Ok(CallHistory { call: call_sid(o.req("call")?)?, from: o.opt("from", caller)?, rows: o.list("rows", true, row)? })
}
