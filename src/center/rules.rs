//! The core's clock and the timings its rules depend on.

/// Unix milliseconds: the one clock of the core (passed in, never read here).
pub type Millis = i64;

/// Timings the rules depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// How long an agent stays in wrap-up after a call.
    pub wrap_up: Millis,
    /// How long an offer rings before Twilio gives up (`Timeout` of the dial).
    pub ring_timeout: Millis,
    /// An offer Twilio has said nothing about this long after its ring timeout is taken as
    /// missed (a lost callback must not keep a caller waiting forever).
    pub offer_grace: Millis,
    /// How long a console's connection may be gone before its agent is offline.
    pub lease: Millis,
    /// Callbacks: offered to a caller who has waited this long (and at the start of a call when
    /// recent callers waited this long); `None`: never offered.
    pub callback_after: Option<Millis>,
    /// Attempts to reach a caller who asked to be called back before it is given up.
    pub callback_attempts: u32,
    /// How long after a failed attempt the next one may be made.
    pub callback_retry: Millis,
    /// How long a caller may be in the callback menu (out of their conference) before they are
    /// taken to have hung up there.
    pub menu_time: Millis,
}

impl Rules {
    /// The timings without callbacks (what the rules' tests start from).
    pub const BASIC: Rules = Rules {
        wrap_up: 15_000,
        ring_timeout: 30_000,
        offer_grace: 15_000,
        lease: 30_000,
        callback_after: None,
        callback_attempts: 3,
        callback_retry: 120_000,
        menu_time: 90_000,
    };
}

impl Default for Rules {
    fn default() -> Self {
        Rules { callback_after: Some(90_000), ..Rules::BASIC }
    }
}
