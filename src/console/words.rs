//! The panels' words: plain functions of the server's view and the time, tested natively.

use crate::center::{
    CallCard, CallHistory, LegState, Millis, MonitorCard, MonitorMode, Party, Phase, Presence, QueueCard, Role, Side, Stage,
};
use crate::ids::{AgentId, PhoneNumber};
use crate::words::{caller, clock};

/// A CSS class per presence (the colour of its dot).
pub fn presence_class(p: &Presence) -> &'static str {
    p.word()
}

/// `#my-call-summary`: who, where the call is, for how long, and how long the caller waited.
pub fn call_summary(c: &CallCard, now: Millis) -> String {
    match &c.queue {
        Some(q) => format!("{} · {q}", summary(c, now)),
        None => summary(c, now),
    }
}

fn summary(c: &CallCard, now: Millis) -> String {
    let who = caller(c.from.as_ref().map(PhoneNumber::as_str));
    if let Some(v) = &c.voicemail {
        let what = format!("Voicemail from {} ({})", who.trim_start_matches("Caller "), clock(i64::from(v.seconds) * 1000));
        return match c.phase {
            Phase::Offered => format!("{what} · offered to you {} · left {} ago", clock(now - c.since), clock(now - c.queued_at)),
            _ => format!("{what} · yours {} · left {} ago", clock(now - c.since), clock(now - c.queued_at)),
        };
    }
    if let Some(cb) = &c.callback {
        let what = format!("Callback to {} · asked {} ago", cb.number, clock(now - cb.requested_at));
        return match c.phase {
            Phase::Offered => format!("{what} · ringing {}", clock(now - c.since)),
            _ if c.legs.iter().any(|l| l.role == Role::Customer && l.state == LegState::Ringing) => {
                format!("{what} · calling them (attempt {})", cb.attempts)
            }
            _ => format!("{what} · connected {}", clock(now - c.since)),
        };
    }
    match c.phase {
        Phase::Connected => format!("{who} · connected {} · waited {}", clock(now - c.since), clock(c.since - c.queued_at)),
        Phase::Offered => format!("{who} · ringing {} · waiting {}", clock(now - c.since), clock(now - c.queued_at)),
        other => format!("{who} · {} · waiting {}", other.as_str(), clock(now - c.queued_at)),
    }
}

/// `#my-call-summary` for a supervisor monitoring a call (and on none of their own).
pub fn monitoring(m: &MonitorCard) -> String {
    let caller = caller(m.from.as_ref().map(|f| f.as_str()));
    let with = m.owner.as_ref().map(|o| format!(" with {}", o.name)).unwrap_or_default();
    let how = match (m.joined, m.mode, &m.coaching) {
        (false, mode, _) => format!("your phone is joining to {}", mode.as_str()),
        (true, MonitorMode::Listen, _) => "listening".to_string(),
        (true, MonitorMode::Whisper, Some(a)) => format!("coaching {}", a.name),
        (true, MonitorMode::Whisper, None) => "coaching".to_string(),
        (true, MonitorMode::Barge, _) => "barged in".to_string(),
    };
    let note = m.note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
    format!("Monitoring {caller}{with} · {how}{note}")
}

/// `#my-supervisor`: a supervisor the agent hears ("coached by …", "… joined the call").
pub fn supervisor(c: &CallCard) -> Option<String> {
    let lines: Vec<String> = c
        .legs
        .iter()
        .filter(|l| l.role == Role::Monitor)
        .filter_map(|l| match l.monitor {
            Some(MonitorMode::Whisper) => Some(format!("Coached by {}: only you hear them", l.name)),
            Some(MonitorMode::Barge) => Some(format!("{} joined the call: everyone hears them", l.name)),
            _ => None,
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// `#my-transfer`: the consult in progress (with its note), or who transferred the call here.
/// The target (`me` is who the call is being transferred to) reads it from their side.
pub fn transfer(c: &CallCard, me: &AgentId) -> Option<String> {
    let with_note = |text: String, note: &str| if note.is_empty() { text } else { format!("{text} · note: {note}") };
    match &c.transfer {
        Some(t) if t.to == Party::Agent(me.clone()) => {
            let by = &t.by.name;
            let stage = match t.stage {
                Stage::Ringing => "ringing; the caller is on hold".to_string(),
                Stage::Talking { with: Side::Target } => format!("talking with {by}; the caller is on hold"),
                Stage::Talking { with: Side::Customer } => format!("you are on hold; {by} is talking with the caller"),
                Stage::ThreeWay => format!("three-way with {by} and the caller"),
            };
            Some(with_note(format!("Transfer from {by} to you: {stage}"), &t.note))
        }
        Some(t) => {
            let to = &t.to_name;
            let stage = match t.stage {
                Stage::Ringing => format!("{to} is ringing; the caller is on hold"),
                Stage::Talking { with: Side::Target } => format!("consulting {to}; the caller is on hold"),
                Stage::Talking { with: Side::Customer } => format!("talking with the caller; {to} is on hold"),
                Stage::ThreeWay => format!("three-way with {to}"),
            };
            Some(with_note(format!("Transfer from {}: {stage}", t.by.name), &t.note))
        }
        None => c.transferred_by.as_ref().map(|by| format!("Transferred by {}", by.name)),
    }
}

pub fn queue(q: &QueueCard, now: Millis) -> String {
    match (q.waiting, q.longest_since) {
        (0, _) => "No one waiting".into(),
        (n, Some(since)) => format!("{n} waiting · longest {}", clock(now - since)),
        (n, None) => format!("{n} waiting"),
    }
}

/// A recent call's timeline, each row at its offset from the first.
pub fn timeline(call: &CallHistory) -> Vec<String> {
    let start = call.rows.iter().map(|r| r.at).min().unwrap_or(0);
    call.rows.iter().map(|r| format!("{} {}", clock(r.at - start), r.text)).collect()
}

/// "a", "a and b", "a, b and c".
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::center::{AgentName, CallAction, LegCard, TimelineRow, TransferCard};
    use crate::ids::CallSid;
    use crate::words::leg;

    fn sid() -> CallSid {
        CallSid::parse(&format!("CA{:032x}", 7)).unwrap()
    }

    fn agent(name: &str) -> AgentId {
        AgentId::parse(name).unwrap()
    }

    fn named(id: &str, name: &str) -> AgentName {
        AgentName { id: agent(id), name: name.into() }
    }

    fn number(n: &str) -> PhoneNumber {
        PhoneNumber::parse(n).unwrap()
    }

    const NOW: Millis = 1_700_000_000_000;

    #[test]
    fn the_queue_says_how_many_wait_and_for_how_long() {
        assert_eq!(queue(&QueueCard { waiting: 0, longest_since: None }, NOW), "No one waiting");
        assert_eq!(queue(&QueueCard { waiting: 2, longest_since: Some(NOW - 45_000) }, NOW), "2 waiting · longest 0:45");
        assert_eq!(queue(&QueueCard { waiting: 1, longest_since: None }, NOW), "1 waiting");
    }

    #[test]
    fn my_call_names_the_caller_its_state_and_each_participant_by_their_name() {
        let part = |party: Option<&str>, name: &str, role: Role, state: LegState| LegCard {
            role,
            party: party.map(|p| Party::parse(p).unwrap()),
            name: name.into(),
            state,
            muted: false,
            monitor: None,
        };
        let card = CallCard {
            call: sid(),
            from: Some(number("+15551230000")),
            queued_at: NOW - 90_000,
            phase: Phase::Connected,
            since: NOW - 75_000,
            legs: vec![
                part(None, "+15551230000", Role::Customer, LegState::OnHold),
                part(Some("agent1"), "Agent 1", Role::Owner, LegState::Connected),
                part(Some("agent2"), "Agent 2", Role::Target, LegState::Ringing),
            ],
            transfer: Some(TransferCard {
                by: named("agent1", "Agent 1"),
                to: Party::parse("agent2").unwrap(),
                to_name: "Agent 2".into(),
                note: "billing".into(),
                stage: Stage::Ringing,
                since: NOW,
            }),
            notice: None,
            actions: vec![CallAction::Cancel],
            transferred_by: None,
            help: None,
            voicemail: None,
            callback: None,
            queue: None,
        };
        assert_eq!(call_summary(&card, NOW), "Caller +15551230000 · connected 1:15 · waited 0:15");
        assert_eq!(leg(&card.legs[0]), "Caller +15551230000 · on hold");
        assert_eq!(leg(&card.legs[1]), "Agent 1 · has the call · connected");
        assert_eq!(leg(&card.legs[2]), "Agent 2 · transfer target · ringing");
        assert_eq!(
            transfer(&card, &agent("agent1")).unwrap(),
            "Transfer from Agent 1: Agent 2 is ringing; the caller is on hold · note: billing"
        );
        // The target reads the same transfer from their side.
        assert_eq!(
            transfer(&card, &agent("agent2")).unwrap(),
            "Transfer from Agent 1 to you: ringing; the caller is on hold · note: billing"
        );
        let stage = |stage: Stage| {
            let mut c = card.clone();
            c.transfer.as_mut().unwrap().stage = stage;
            (transfer(&c, &agent("agent1")).unwrap(), transfer(&c, &agent("agent2")).unwrap())
        };
        assert_eq!(
            stage(Stage::Talking { with: Side::Target }),
            (
                "Transfer from Agent 1: consulting Agent 2; the caller is on hold · note: billing".into(),
                "Transfer from Agent 1 to you: talking with Agent 1; the caller is on hold · note: billing".into()
            )
        );
        assert_eq!(
            stage(Stage::Talking { with: Side::Customer }),
            (
                "Transfer from Agent 1: talking with the caller; Agent 2 is on hold · note: billing".into(),
                "Transfer from Agent 1 to you: you are on hold; Agent 1 is talking with the caller · note: billing".into()
            )
        );
        assert_eq!(
            stage(Stage::ThreeWay),
            (
                "Transfer from Agent 1: three-way with Agent 2 · note: billing".into(),
                "Transfer from Agent 1 to you: three-way with Agent 1 and the caller · note: billing".into()
            )
        );
        let offered = CallCard {
            phase: Phase::Offered,
            since: NOW - 3_000,
            from: None,
            transfer: None,
            transferred_by: Some(named("agent1", "Agent 1")),
            ..card
        };
        assert_eq!(call_summary(&offered, NOW), "Unknown caller · ringing 0:03 · waiting 1:30");
        assert_eq!(transfer(&offered, &agent("agent2")).unwrap(), "Transferred by Agent 1");
    }

    #[test]
    fn a_timeline_counts_from_its_first_row() {
        let call = CallHistory {
            call: sid(),
            from: Some(number("+1555")),
            rows: vec![
                TimelineRow { at: NOW, text: "queued (caller +1555)".into() },
                TimelineRow { at: NOW + 2_000, text: "offered to agent1".into() },
                TimelineRow { at: NOW + 65_000, text: "customer hung up".into() },
            ],
        };
        assert_eq!(timeline(&call), vec!["0:00 queued (caller +1555)", "0:02 offered to agent1", "1:05 customer hung up"]);
    }

    #[test]
    fn lists_read_as_english() {
        let s = |v: &[&str]| and_list(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&[]), "");
        assert_eq!(s(&["agent1"]), "agent1");
        assert_eq!(s(&["agent1", "agent2"]), "agent1 and agent2");
        assert_eq!(s(&["agent1", "agent2", "agent3"]), "agent1, agent2 and agent3");
    }

    #[test]
    fn a_supervisor_reads_the_call_they_monitor_and_an_agent_who_hears_them() {
        let card = MonitorCard {
            call: sid(),
            from: Some(number("+15551230000")),
            owner: Some(named("agent1", "Agent 1")),
            mode: MonitorMode::Whisper,
            joined: true,
            coaching: Some(named("agent1", "Agent 1")),
            note: None,
        };
        assert_eq!(monitoring(&card), "Monitoring Caller +15551230000 with Agent 1 · coaching Agent 1");
        let ringing = MonitorCard { joined: false, mode: MonitorMode::Listen, note: Some("the agent is on hold".into()), ..card };
        assert_eq!(
            monitoring(&ringing),
            "Monitoring Caller +15551230000 with Agent 1 · your phone is joining to listen (the agent is on hold)"
        );
        let monitor_leg = |mode| LegCard {
            role: Role::Monitor,
            party: Some(Party::parse("supervisor1").unwrap()),
            name: "Supervisor 1".into(),
            state: LegState::Connected,
            muted: false,
            monitor: Some(mode),
        };
        let call = |mode| CallCard {
            call: sid(),
            from: None,
            queued_at: NOW,
            phase: Phase::Connected,
            since: NOW,
            legs: vec![monitor_leg(mode)],
            transfer: None,
            notice: None,
            actions: vec![],
            transferred_by: None,
            help: None,
            voicemail: None,
            callback: None,
            queue: None,
        };
        assert_eq!(supervisor(&call(MonitorMode::Whisper)).as_deref(), Some("Coached by Supervisor 1: only you hear them"));
        assert_eq!(supervisor(&call(MonitorMode::Barge)).as_deref(), Some("Supervisor 1 joined the call: everyone hears them"));
        assert_eq!(supervisor(&call(MonitorMode::Listen)), None);
        assert_eq!(leg(&monitor_leg(MonitorMode::Barge)), "Supervisor 1 · supervisor, joined the call · connected");
    }
}
