//! The floor's words: plain functions of the floor's view and the time, tested natively.

use crate::center::{
    AgentRole, Figures, FloorAgent, FloorCall, FloorMonitor, FloorOutage, FloorPacing, FloorQueue, Millis, MonitorMode, Phase, Presence,
    Stage,
};
use crate::words::{caller, clock, presence};

/// A per-mille figure as a percentage with one decimal (`—` while nothing counts).
pub fn per_mille(v: Option<u32>) -> String {
    match v {
        Some(v) => format!("{}.{} %", v / 10, v % 10),
        None => "—".into(),
    }
}

/// A duration figure (`—` while nothing counts).
pub fn duration(v: Option<Millis>) -> String {
    v.map(clock).unwrap_or_else(|| "—".into())
}

/// The handle time and its parts: `4:10 (talk 3:20 · hold 0:30 · wrap-up 0:20)`.
pub fn handle_time(f: &Figures) -> String {
    match f.handle_time() {
        Some(total) => {
            format!("{} (talk {} · hold {} · wrap-up {})", clock(total), duration(f.talk), duration(f.hold), duration(f.wrap_up))
        }
        None => "—".into(),
    }
}

/// Calls the account must create waiting their turn at Twilio's pace, and how late the
/// longest will ring: `3 calls wait their turn at Twilio's pace: agents rung up to 0:04 late`.
pub fn pacing(p: Option<&FloorPacing>, now: Millis) -> String {
    match p {
        None => String::new(),
        Some(p) => {
            let calls = if p.waiting == 1 { "1 call waits its".to_string() } else { format!("{} calls wait their", p.waiting) };
            format!("{calls} turn at Twilio's pace: agents rung up to {} late", clock((now - p.since).max(0)))
        }
    }
}

/// The database away, in words: since when, and the callers kept aside meanwhile (queued in the
/// order they rang once it is back): `The database has not answered for 0:12: 3 callers wait
/// aside, to be queued in the order they rang once it is back. Figures are as of 0:12 ago.`
pub fn outage(o: Option<&FloorOutage>, now: Millis) -> String {
    match o {
        None => String::new(),
        Some(o) => {
            let ago = clock((now - o.since).max(0));
            let callers = match o.aside {
                0 => "no caller waits aside".to_string(),
                1 => "1 caller waits aside, to be queued once it is back".to_string(),
                n => format!("{n} callers wait aside, to be queued in the order they rang once it is back"),
            };
            format!("The database has not answered for {ago}: {callers}. Today's figures are as of {ago} ago.")
        }
    }
}

/// `12 offered · 9 answered · 2 abandoned (1 short)`.
/// The waiting tile: callers on the line, then callbacks and voicemails when some wait
/// (`3 · 1 callback · 2 voicemails`).
pub fn waiting(q: &FloorQueue) -> String {
    let plural = |n: usize, one: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {one}s") };
    let mut out = q.waiting.saturating_sub(q.voicemails + q.callbacks).to_string();
    if q.callbacks > 0 {
        out.push_str(&format!(" · {}", plural(q.callbacks, "callback")));
    }
    if q.voicemails > 0 {
        out.push_str(&format!(" · {}", plural(q.voicemails, "voicemail")));
    }
    if !q.by_queue.is_empty() {
        let each: Vec<String> = q.by_queue.iter().map(|c| format!("{} {}", c.queue, c.waiting)).collect();
        out.push_str(&format!(" ({})", each.join(" · ")));
    }
    out
}

pub fn counts(f: &Figures) -> String {
    let short = if f.short_abandoned > 0 { format!(" (+{} within the short-abandon time)", f.short_abandoned) } else { String::new() };
    let closed = if f.closed > 0 { format!(" · {} while closed", f.closed) } else { String::new() };
    format!("{} offered · {} answered · {} abandoned{short}{closed}", f.offered, f.answered, f.abandoned)
}

/// A supervisor on a call, as the floor names them: `Sue: coaching Agent 1`.
pub fn monitor(m: &FloorMonitor) -> String {
    let what = match (m.mode, &m.coaching) {
        (_, _) if !m.joined => format!("phone ringing to {}", m.mode.as_str()),
        (MonitorMode::Listen, _) => "listening".to_string(),
        (MonitorMode::Whisper, Some(a)) => format!("coaching {}", a.name),
        (MonitorMode::Whisper, None) => "coaching".to_string(),
        (MonitorMode::Barge, _) => "barged in".to_string(),
    };
    match &m.note {
        Some(note) => format!("{}: {what} ({note})", m.supervisor.name),
        None => format!("{}: {what}", m.supervisor.name),
    }
}

/// One live call: `+15551230000 · Agent 1 · connected 2:05 · on hold · consult ringing · monitored`.
pub fn call_line(c: &FloorCall, now: Millis) -> String {
    let mut parts = vec![caller(c.from.as_ref().map(|f| f.as_str()))];
    if let Some(a) = &c.agent {
        parts.push(a.name.clone());
    }
    parts.push(format!("{} {}", c.phase.as_str(), clock(now - c.since)));
    if c.on_hold {
        parts.push("on hold".into());
    }
    if let Some(stage) = c.transfer {
        parts.push(match stage {
            Stage::Ringing => "consult ringing".into(),
            Stage::ThreeWay => "three-way".into(),
            Stage::Talking { .. } => "consulting".into(),
        });
    }
    if !c.monitors.is_empty() {
        parts.push("monitored".into());
    }
    if c.phase == Phase::Outside {
        parts.push("with a number outside".into());
    }
    parts.join(" · ")
}

/// An agent's presence and time in it, with their role when a supervisor.
pub fn agent_presence(a: &FloorAgent, now: Millis) -> String {
    let p = presence(&a.presence, a.since, now);
    let p = if !a.online && a.presence != Presence::Offline { format!("{p} · console gone") } else { p };
    match a.role {
        AgentRole::Supervisor => format!("{p} · supervisor"),
        AgentRole::Agent => p,
    }
}

/// The call an agent is on, as their row shows it.
pub fn agent_call(a: &FloorAgent, calls: &[FloorCall], now: Millis) -> String {
    if let Some(sid) = &a.monitoring {
        let with = calls.iter().find(|c| &c.call == sid).map(|c| call_line(c, now)).unwrap_or_default();
        return format!("monitoring: {with}");
    }
    match a.call.as_ref().and_then(|sid| calls.iter().find(|c| &c.call == sid)) {
        Some(c) => call_line(c, now),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::center::{AgentName, LegCard, LegState, Role};
    use crate::ids::{AgentId, CallSid, PhoneNumber};

    const NOW: Millis = 1_000_000;

    #[test]
    fn the_floor_says_when_twilios_pace_delays_offers_and_by_how_much() {
        assert_eq!(pacing(None, NOW), "");
        let p = FloorPacing { waiting: 3, since: NOW - 4_200 };
        assert_eq!(pacing(Some(&p), NOW), "3 calls wait their turn at Twilio's pace: agents rung up to 0:04 late");
        let one = FloorPacing { waiting: 1, since: NOW };
        assert_eq!(pacing(Some(&one), NOW), "1 call waits its turn at Twilio's pace: agents rung up to 0:00 late");
    }

    #[test]
    fn the_floor_says_how_long_the_database_has_been_away_and_who_waits_aside() {
        assert_eq!(outage(None, NOW), "");
        let o = FloorOutage { since: NOW - 12_400, aside: 3 };
        assert_eq!(
            outage(Some(&o), NOW),
            "The database has not answered for 0:12: 3 callers wait aside, to be queued in the order they rang once it is back. \
             Today's figures are as of 0:12 ago."
        );
        let none = FloorOutage { since: NOW, aside: 0 };
        assert!(outage(Some(&none), NOW).contains("no caller waits aside"));
    }

    fn name(id: &str, n: &str) -> AgentName {
        AgentName { id: AgentId::parse(id).unwrap(), name: n.into() }
    }

    fn call() -> FloorCall {
        FloorCall {
            call: CallSid::parse(&format!("CA{:032x}", 1)).unwrap(),
            from: Some(PhoneNumber::parse("+15551230000").unwrap()),
            queued_at: NOW - 90_000,
            phase: Phase::Connected,
            since: NOW - 65_000,
            agent: Some(name("agent1", "Agent 1")),
            on_hold: true,
            transfer: Some(Stage::Ringing),
            legs: vec![LegCard {
                role: Role::Customer,
                party: None,
                name: "+15551230000".into(),
                state: LegState::OnHold,
                muted: false,
                monitor: None,
            }],
            monitors: vec![FloorMonitor {
                supervisor: name("supervisor1", "Sue"),
                mode: MonitorMode::Whisper,
                joined: true,
                coaching: Some(name("agent1", "Agent 1")),
                note: None,
            }],
            help: None,
            monitorable: true,
        }
    }

    #[test]
    fn a_call_line_says_who_how_long_and_what_is_going_on() {
        assert_eq!(call_line(&call(), NOW), "Caller +15551230000 · Agent 1 · connected 1:05 · on hold · consult ringing · monitored");
    }

    #[test]
    fn a_monitor_says_its_mode_and_why_it_changed() {
        let mut m = call().monitors[0].clone();
        assert_eq!(monitor(&m), "Sue: coaching Agent 1");
        m.mode = MonitorMode::Listen;
        m.note = Some("the agent is on hold".into());
        assert_eq!(monitor(&m), "Sue: listening (the agent is on hold)");
        m.joined = false;
        assert_eq!(monitor(&m), "Sue: phone ringing to listen (the agent is on hold)");
    }

    #[test]
    fn callbacks_and_voicemails_waiting_are_counted_apart_from_callers_on_the_line() {
        let q = |waiting, voicemails, callbacks| FloorQueue {
            waiting,
            voicemails,
            callbacks,
            by_queue: vec![],
            longest_since: None,
            callers: vec![],
            today: Figures::default(),
        };
        assert_eq!(waiting(&q(3, 0, 0)), "3");
        assert_eq!(waiting(&q(3, 1, 0)), "2 · 1 voicemail");
        assert_eq!(waiting(&q(6, 2, 1)), "3 · 1 callback · 2 voicemails");
        let count = |name: &str, waiting| crate::center::QueueCount { queue: crate::ids::QueueName::parse(name).unwrap(), waiting };
        let several = FloorQueue { by_queue: vec![count("sales", 2), count("support", 1)], ..q(3, 0, 0) };
        assert_eq!(waiting(&several), "3 (sales 2 · support 1)");
    }

    #[test]
    fn figures_read_as_percentages_and_clocks() {
        assert_eq!(per_mille(Some(667)), "66.7 %");
        assert_eq!(per_mille(None), "—");
        let f = Figures { handled: 2, talk: Some(200_000), hold: Some(30_000), wrap_up: Some(20_000), ..Figures::default() };
        assert_eq!(handle_time(&f), "4:10 (talk 3:20 · hold 0:30 · wrap-up 0:20)");
        let f = Figures { offered: 12, answered: 9, abandoned: 2, short_abandoned: 1, ..Figures::default() };
        assert_eq!(counts(&f), "12 offered · 9 answered · 2 abandoned (+1 within the short-abandon time)");
        let f = Figures { closed: 4, ..f };
        assert_eq!(counts(&f), "12 offered · 9 answered · 2 abandoned (+1 within the short-abandon time) · 4 while closed");
    }
}
