//! Reads the floor's JSON in the browser, field by field, with the readers it shares with the
//! console (`crate::wire`): the same JSON serde writes on the server (`FloorView`).

use crate::center::{
    AgentRole, Figures, FloorAgent, FloorCall, FloorMonitor, FloorOutage, FloorPacing, FloorQueue, FloorView, MonitorMode, Phase,
    QueueCount, Stage, WaitingCaller,
};
use crate::ids::QueueName;
use crate::wire::json::{Json, Read};
use crate::wire::read::{agent, call_sid, caller, int, leg, name, parse, presence, row, text, word, Obj};

#[cfg(test)]
mod tests;

pub fn floor_view<J: Json>(json: &str) -> Read<FloorView> {
    let o = Obj::new(parse::<J>(json)?)?;
    Ok(FloorView {
        queue: queue(o.req("queue")?)?,
        agents: o.list("agents", true, floor_agent)?,
        calls: o.list("calls", true, floor_call)?,
        log: o.list("log", false, row)?,
        pacing: o.opt("pacing", pacing)?,
        outage: o.opt("outage", outage)?,
        now: o.int("now")?,
    })
}

fn pacing<J: Json>(v: J) -> Read<FloorPacing> {
    let o = Obj::new(v)?;
    Ok(FloorPacing { waiting: count(&o, "waiting")?, since: o.int("since")? })
}

fn outage<J: Json>(v: J) -> Read<FloorOutage> {
    let o = Obj::new(v)?;
    Ok(FloorOutage { since: o.int("since")?, aside: count(&o, "aside")? })
}

fn count<J: Json>(o: &Obj<J>, key: &'static str) -> Read<u32> {
    u32::try_from(o.int(key)?).map_err(|_| key)
}

fn queue<J: Json>(v: J) -> Read<FloorQueue> {
    let o = Obj::new(v)?;
    Ok(FloorQueue {
        waiting: usize::try_from(o.int("waiting")?).map_err(|_| "waiting")?,
        voicemails: usize::try_from(o.int("voicemails")?).map_err(|_| "voicemails")?,
        callbacks: usize::try_from(o.int("callbacks")?).map_err(|_| "callbacks")?,
        by_queue: o.list("by_queue", false, queue_count)?,
        longest_since: o.opt("longest_since", int)?,
        callers: o.list("callers", false, waiting_caller)?,
        today: figures(o.req("today")?)?,
    })
}

fn waiting_caller<J: Json>(v: J) -> Read<WaitingCaller> {
    let o = Obj::new(v)?;
    Ok(WaitingCaller {
        call: call_sid(o.req("call")?)?,
        from: o.opt("from", caller)?,
        since: o.int("since")?,
        voicemail: o.flag("voicemail")?,
        callback: o.flag("callback")?,
    })
}

fn figures<J: Json>(v: J) -> Read<Figures> {
    let o = Obj::new(v)?;
    Ok(Figures {
        offered: count(&o, "offered")?,
        answered: count(&o, "answered")?,
        abandoned: count(&o, "abandoned")?,
        short_abandoned: count(&o, "short_abandoned")?,
        answered_in_time: count(&o, "answered_in_time")?,
        service_level: o.opt("service_level", |v| int(v).and_then(|n| u32::try_from(n).map_err(|_| "service_level")))?,
        asa: o.opt("asa", int)?,
        handled: count(&o, "handled")?,
        talk: o.opt("talk", int)?,
        hold: o.opt("hold", int)?,
        wrap_up: o.opt("wrap_up", int)?,
        longest_wait: o.int("longest_wait")?,
        closed: count(&o, "closed")?,
        formula: o.text("formula")?,
    })
}

fn role(s: &str) -> Option<AgentRole> {
    AgentRole::parse(s)
}

fn floor_agent<J: Json>(v: J) -> Read<FloorAgent> {
    let o = Obj::new(v)?;
    Ok(FloorAgent {
        id: agent(o.req("id")?)?,
        name: o.text("name")?,
        role: word(o.req("role")?, role, "role")?,
        presence: presence(o.req("presence")?)?,
        since: o.int("since")?,
        online: o.flag("online")?,
        call: o.opt("call", call_sid)?,
        monitoring: o.opt("monitoring", call_sid)?,
        handled: count(&o, "handled")?,
        missed: count(&o, "missed")?,
        queues: o.list("queues", false, queue_name)?,
    })
}

fn queue_name<J: Json>(v: J) -> Read<QueueName> {
    QueueName::parse(&text(v)?).map_err(|_| "a queue")
}

fn queue_count<J: Json>(v: J) -> Read<QueueCount> {
    let o = Obj::new(v)?;
    Ok(QueueCount { queue: queue_name(o.req("queue")?)?, waiting: usize::try_from(o.int("waiting")?).map_err(|_| "waiting")? })
}

fn monitor<J: Json>(v: J) -> Read<FloorMonitor> {
    let o = Obj::new(v)?;
    Ok(FloorMonitor {
        supervisor: name(o.req("supervisor")?)?,
        mode: word(o.req("mode")?, MonitorMode::parse, "mode")?,
        joined: o.flag("joined")?,
        coaching: o.opt("coaching", name)?,
        note: o.opt("note", text)?,
    })
}

fn floor_call<J: Json>(v: J) -> Read<FloorCall> {
    let o = Obj::new(v)?;
    Ok(FloorCall {
        call: call_sid(o.req("call")?)?,
        from: o.opt("from", caller)?,
        queued_at: o.int("queued_at")?,
        phase: word(o.req("phase")?, Phase::parse, "phase")?,
        since: o.int("since")?,
        agent: o.opt("agent", name)?,
        on_hold: o.flag("on_hold")?,
        transfer: o.opt("transfer", |v| word(v, Stage::parse, "transfer"))?,
        legs: o.list("legs", true, leg)?,
        monitors: o.list("monitors", false, monitor)?,
        help: o.opt("help", int)?,
        monitorable: o.flag("monitorable")?,
    })
}
