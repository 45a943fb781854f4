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
}

impl Default for Rules {
    fn default() -> Self {
        Rules { wrap_up: 15_000, ring_timeout: 30_000, offer_grace: 15_000, lease: 30_000 }
    }
}
