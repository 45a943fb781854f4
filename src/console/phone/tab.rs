//! One phone per agent across the browser's tabs: what tabs of the same agent say to each other
//! (over a `BroadcastChannel`), as plain values. The rules that use them are the console's
//! ([`super::state`]); the channel itself is the driver's.
//!
//! Why: every registered `Twilio.Device` of an identity rings for a call to it, so two tabs
//! would both ring, and answering in one leaves the other ringing on. Only the tab holding the
//! phone registers a device; the others say so and offer to take it over.

/// A tab's identity for the channel: random per page load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TabId(pub u64);

/// What a tab posts to the agent's other tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TabSignal {
    /// "Does a tab hold the phone?" (a tab starting, or looking again).
    Ask,
    /// "I hold it" (the answer to `Ask`); `busy` while a call rings or is live in it.
    Held { busy: bool },
    /// "Give it to me."
    Take,
    /// "I gave it up": to the tab that asked for it, or to every tab when the page closes.
    Released { to: Option<TabId> },
    /// "Not now: a call is live here."
    Refused { to: TabId },
}

impl TabSignal {
    /// The tab the signal is for, if it is for one tab only.
    pub fn to(self) -> Option<TabId> {
        match self {
            TabSignal::Released { to } => to,
            TabSignal::Refused { to } => Some(to),
            _ => None,
        }
    }

    /// As posted: `"<from> <signal> [arg]"`, one short string.
    pub fn encode(self, from: TabId) -> String {
        let from = from.0;
        match self {
            TabSignal::Ask => format!("{from} ask"),
            TabSignal::Held { busy } => format!("{from} held {}", u8::from(busy)),
            TabSignal::Take => format!("{from} take"),
            TabSignal::Released { to: Some(to) } => format!("{from} released {}", to.0),
            TabSignal::Released { to: None } => format!("{from} released"),
            TabSignal::Refused { to } => format!("{from} refused {}", to.0),
        }
    }

    /// Reads a posted message; anything else (another version of the app) is `None`.
    pub fn decode(message: &str) -> Option<(TabId, TabSignal)> {
        let mut words = message.split(' ');
        let from = TabId(words.next()?.parse().ok()?);
        let arg = words.next().zip(Some(words.next()));
        let tab = |s: Option<&str>| s.and_then(|s| s.parse().ok()).map(TabId);
        let signal = match arg? {
            ("ask", None) => TabSignal::Ask,
            ("held", Some(b)) => TabSignal::Held { busy: b == "1" },
            ("take", None) => TabSignal::Take,
            ("released", to) => TabSignal::Released { to: tab(to) },
            ("refused", to) => TabSignal::Refused { to: tab(to)? },
            _ => return None,
        };
        Some((from, signal))
    }
}

/// Where this tab stands with the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Claim {
    /// Not started.
    #[default]
    None,
    /// Asked the other tabs; holds the phone if none answers before the timer.
    Asking,
    /// This tab holds the phone (registers the device).
    Holding,
    /// Another tab holds it.
    Elsewhere,
    /// Asked the holder to give it up; takes it when released (or if no answer comes).
    Taking,
}

/// How long a starting tab waits for a holder to answer, and a taking tab for the holder to
/// let go: messages between tabs take well under a millisecond, timers in a busy tab more.
pub const ASK_MS: u32 = 300;
pub const TAKE_MS: u32 = 1500;
/// How often a tab without the phone asks whether its holder is still there: a page that
/// crashed, or closed without its goodbye reaching the others, says nothing.
pub const WATCH_MS: u32 = 3000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_survive_the_channel() {
        let me = TabId(42);
        for s in [
            TabSignal::Ask,
            TabSignal::Held { busy: true },
            TabSignal::Held { busy: false },
            TabSignal::Take,
            TabSignal::Released { to: Some(TabId(7)) },
            TabSignal::Released { to: None },
            TabSignal::Refused { to: TabId(7) },
        ] {
            assert_eq!(TabSignal::decode(&s.encode(me)), Some((me, s)), "{s:?}");
        }
    }

    #[test]
    fn anything_else_on_the_channel_is_ignored() {
        for m in ["", "ask", "x ask", "1 hello", "1 refused", "1 refused x", "1 ask extra"] {
            assert_eq!(TabSignal::decode(m), None, "{m:?}");
        }
    }
}
