//! A built-in simulator of the part of Twilio this app uses, so the warm transfer can be tried
//! without a Twilio account and tests can run the real flow through the real server code.
//!
//! - [`twiml`] reads the TwiML documents the app answers with;
//! - [`engine`] is a pure state machine of calls and conferences (no I/O, time passed in);
//! - [`rest`] emulates `api.twilio.com` for the requests the app makes (or, for tests that play
//!   Twilio's webhooks by hand, only answers and records them: [`Answering::Echo`]);
//! - [`faults`] makes chosen REST requests fail (an error status or a timeout) and logs them all;
//! - [`driver`] connects the engine to the world: it posts signed webhooks and callbacks to the
//!   app, ticks ring timeouts, and broadcasts what happens;
//! - [`browser`] is the agents' side: a `Twilio.Device` look-alike and the endpoints it talks to.
//!
//! The simulated account has Twilio's limits ([`SimulatorConfig`]): API-created calls are placed
//! no faster than its calls per second (1 by default; see [`engine::pacing`]), a conference holds
//! 250 participants (16020 past it), and too many REST requests in flight get 429 (20429). The app
//! mounts the simulator in its own process in simulator mode; `warm-transfer simulator` runs it
//! as a process of its own, which several app instances share.

pub mod browser;
pub mod driver;
pub mod engine;
pub mod faults;
pub mod rest;
pub mod time;
pub mod twiml;

pub use driver::{Answering, ApiKeyKind, SimEvent, Simulator, SimulatorConfig};
pub use faults::{ApiRequest, Fault, FaultRule};
