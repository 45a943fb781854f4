//! The edges browsers talk to: Leptos server functions (compiled on both sides: the server
//! runs them, the browser calls them) and, on the server, the console's live stream.
//!
//! - [`console`]: the agent's phone token, steps on their call, presence;
//! - [`session`]: sign-in, sign-out, who is signed in, the deployment's mode;
//! - [`simulator`]: the simulator pages' view of the built-in Twilio;
//! - [`stream`] (server): `GET /api/stream`, the agent's live view as server-sent events;
//! - [`dto`]: what those answer, shared by server and browser.
//!
//! What they answer when they refuse is `crate::error`, shared with the webhooks.

pub mod console;
#[cfg(feature = "ssr")]
mod context;
pub mod dto;
pub mod session;
pub mod simulator;
#[cfg(feature = "ssr")]
pub mod stream;
