//! What the console and the floor say alike: a clock, an agent's presence, a caller, a participant
//! of a call. Plain functions of the view and the time, tested natively. A module of its own so
//! that neither screen reaches into the other for its words (`console` hosts the floor, so the
//! floor importing the console would make a loop).

pub mod refusals;

use crate::center::{AwayReason, LegCard, Millis, MonitorMode, Presence, Role};

/// `m:ss`, or `h:mm:ss` from an hour on; nothing negative (clocks disagree a little).
pub fn clock(ms: Millis) -> String {
    let s = ms.max(0) / 1000;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// Seconds left until `until`, rounded up, as a clock: a wrap-up never shows 0:00 early.
fn left(until: Millis, now: Millis) -> String {
    clock((until - now + 999).max(0) / 1000 * 1000)
}

/// An agent's presence as the console shows it (`#presence`, a directory row).
pub fn presence(p: &Presence, since: Millis, now: Millis) -> String {
    match p {
        Presence::Offline => "Offline".into(),
        Presence::Available => format!("Available · {}", clock(now - since)),
        Presence::Away { reason: AwayReason::Chosen } => format!("Away · {}", clock(now - since)),
        Presence::Away { reason: AwayReason::MissedCall } => format!("Away — missed a call · {}", clock(now - since)),
        Presence::Away { reason: AwayReason::Supervisor } => format!("Away — set by a supervisor · {}", clock(now - since)),
        Presence::Ringing { .. } => "Ringing".into(),
        Presence::OnCall { .. } => "On a call".into(),
        Presence::WrapUp { until } => format!("Wrap-up · {} left", left(*until, now)),
    }
}

/// The caller, by their number (`None` or empty: Twilio gave none).
pub fn caller(from: Option<&str>) -> String {
    match from.filter(|f| !f.is_empty()) {
        Some(number) => format!("Caller {number}"),
        None => "Unknown caller".into(),
    }
}

/// One participant of my call: who, their part in it, and their state.
pub fn leg(l: &LegCard) -> String {
    let who = match l.role {
        Role::Customer => caller(Some(&l.name)),
        _ => l.name.clone(),
    };
    let role = match (l.role, l.monitor) {
        (Role::Owner, _) => " · has the call",
        (Role::Target, _) => " · transfer target",
        (Role::Monitor, Some(MonitorMode::Whisper)) => " · supervisor, coaching (only the agent hears)",
        (Role::Monitor, Some(MonitorMode::Barge)) => " · supervisor, joined the call",
        (Role::Monitor, _) => " · supervisor, listening",
        (Role::Customer, _) => "",
    };
    let muted = if l.muted { " · muted" } else { "" };
    format!("{who}{role} · {}{muted}", l.state.as_str().replace('-', " "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::center::{LegState, Party};
    use crate::ids::CallSid;

    fn sid() -> CallSid {
        CallSid::parse(&format!("CA{:032x}", 7)).unwrap()
    }

    const NOW: Millis = 1_700_000_000_000;

    #[test]
    fn clocks_count_minutes_and_seconds_then_hours() {
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(999), "0:00");
        assert_eq!(clock(42_000), "0:42");
        assert_eq!(clock(61_500), "1:01");
        assert_eq!(clock(3_600_000 + 5_000), "1:00:05");
        assert_eq!(clock(-3_000), "0:00", "a server clock a little ahead never shows negative time");
    }

    #[test]
    fn presence_reads_as_a_person_says_it() {
        let call = Presence::OnCall { call: sid() };
        assert_eq!(presence(&Presence::Available, NOW - 42_000, NOW), "Available · 0:42");
        assert_eq!(presence(&Presence::Away { reason: AwayReason::MissedCall }, NOW - 5_000, NOW), "Away — missed a call · 0:05");
        assert_eq!(presence(&Presence::Away { reason: AwayReason::Chosen }, NOW - 65_000, NOW), "Away · 1:05");
        assert_eq!(presence(&Presence::WrapUp { until: NOW + 11_200 }, NOW - 3_800, NOW), "Wrap-up · 0:12 left");
        assert_eq!(presence(&Presence::WrapUp { until: NOW - 500 }, NOW - 15_500, NOW), "Wrap-up · 0:00 left");
        assert_eq!(presence(&Presence::Ringing { call: sid() }, NOW, NOW), "Ringing");
        assert_eq!(presence(&call, NOW - 9_000, NOW), "On a call");
        assert_eq!(presence(&Presence::Offline, 0, NOW), "Offline");
    }

    #[test]
    fn a_participant_reads_as_who_their_part_and_their_state() {
        let part = |role, name: &str, state, muted, monitor| LegCard { role, party: None, name: name.into(), state, muted, monitor };
        assert_eq!(leg(&part(Role::Customer, "+15551230000", LegState::OnHold, false, None)), "Caller +15551230000 · on hold");
        assert_eq!(leg(&part(Role::Owner, "Agent 1", LegState::Connected, true, None)), "Agent 1 · has the call · connected · muted");
        let sup =
            LegCard { party: Some(Party::parse("supervisor1").unwrap()), ..part(Role::Monitor, "Sue", LegState::Connected, false, None) };
        assert_eq!(leg(&sup), "Sue · supervisor, listening · connected");
        assert_eq!(caller(None), "Unknown caller");
        assert_eq!(caller(Some("")), "Unknown caller");
    }
}
