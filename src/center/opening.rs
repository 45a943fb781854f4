//! Open or closed: what the core asks of the opening hours, on its own `now`. The schedule
//! itself (a week, holidays, a time zone, the supervisor's switch) is `hours` (server only: it
//! needs the time zone database); the core sees it through [`Calendar`], so the rules that
//! depend on it (a caller who rings while we are closed is turned away; at closing time every
//! caller still waiting is offered a callback) are decided here and tested without a clock.

use super::rules::Millis;

/// Why a caller finds us closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClosedWhy {
    /// Outside the weekly schedule.
    Schedule,
    Holiday(String),
    /// The "closed now" switch, with the supervisor's reason.
    Manual(String),
}

/// Open or closed at an instant, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Openness {
    /// `closes`: when the current span ends (`None`: open around the clock).
    Open { closes: Option<Millis> },
    /// `opens`: when the schedule opens next (`None`: unknown: the switch is on, or no opening
    /// in the next two weeks).
    Closed { why: ClosedWhy, opens: Option<Millis> },
}

impl Openness {
    pub fn is_open(&self) -> bool {
        matches!(self, Openness::Open { .. })
    }
}

impl ClosedWhy {
    /// The timeline's words for it.
    pub fn words(&self) -> String {
        match self {
            ClosedWhy::Schedule => "outside the opening hours".into(),
            ClosedWhy::Holiday(name) => format!("holiday: {name}"),
            ClosedWhy::Manual(reason) if reason.is_empty() => "closed by a supervisor".into(),
            ClosedWhy::Manual(reason) => format!("closed by a supervisor: {reason}"),
        }
    }
}

/// The opening hours as the core asks them: open or closed at an instant, and until when
/// (instants on the clock the core is given).
pub trait Calendar {
    fn at(&self, now: Millis) -> Openness;

    /// Whether we are open at `now`, and nothing more (what every call asks: a schedule may
    /// answer it without finding when it closes).
    fn is_open(&self, now: Millis) -> bool {
        self.at(now).is_open()
    }
}

/// No opening hours: open around the clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct AlwaysOpen;

impl Calendar for AlwaysOpen {
    fn at(&self, _: Millis) -> Openness {
        Openness::Open { closes: None }
    }

    fn is_open(&self, _: Millis) -> bool {
        true
    }
}

/// When the core must look at the hours again, having last seen us open or closed (`seen`;
/// `None`: not yet looked): at once when that changed (the switch, a new schedule, or the
/// moment passed), at the end of the current span when open; never otherwise (a change shows
/// at once, so the next opening needs no timer of its own).
pub(super) fn next_look(seen: Option<bool>, hours: &dyn Calendar, now: Millis) -> Option<Millis> {
    // The ticker asks this four times a second: "open?" first, and until when only while open
    // (closed, finding the next opening would walk the coming days each time, for nothing).
    match (seen, hours.is_open(now)) {
        (Some(true), true) => match hours.at(now) {
            Openness::Open { closes } => closes,
            Openness::Closed { .. } => Some(now),
        },
        (Some(false), false) => None,
        _ => Some(now),
    }
}
