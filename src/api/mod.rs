//! The edges browsers talk to: Leptos server functions (compiled on both sides: the server
//! runs them, the browser calls them) and, on the server, the console's live stream.
//!
//! - [`console`]: the agent's phone token, steps on their call, presence;
//! - [`caller`] (server): who a request comes from, found once: the signed-in account and its
//!   role, and the supervisor guard every supervisor route, stream and server function takes;
//! - [`session`]: sign-in, sign-out, who is signed in, the deployment's mode;
//! - [`simulator`]: the simulator pages' view of the built-in Twilio;
//! - [`accounts`]: supervisors manage accounts (add, reset a password, disable, remove; the audit log);
//! - [`floor`]: the supervisor's steps (listen, whisper, barge, leave; an agent's presence);
//! - [`hours`]: the opening hours: read, save a schedule, close now, reopen;
//! - [`stream`] (server): `GET /api/stream`, the agent's live view as server-sent events;
//! - [`floor_stream`] (server): `GET /api/floor/stream`, the floor as server-sent events;
//! - [`voicemail`] (server): `GET /api/voicemail/{call}/audio`, a message's recording through the app;
//! - [`metrics`] (server): `GET /metrics`, Prometheus' text format, behind a token;
//! - [`dto`]: what those answer, shared by server and browser.
//!
//! What they answer when they refuse is `crate::error`, shared with the webhooks.

pub mod accounts;
#[cfg(feature = "ssr")]
pub mod caller;
pub mod console;
#[cfg(feature = "ssr")]
mod context;
pub mod dto;
pub mod floor;
#[cfg(feature = "ssr")]
pub mod floor_stream;
pub mod hours;
#[cfg(feature = "ssr")]
pub mod metrics;
pub mod session;
pub mod simulator;
#[cfg(feature = "ssr")]
pub mod stream;
#[cfg(feature = "ssr")]
pub mod voicemail;
