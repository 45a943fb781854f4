//! The agent's phone in this browser, as a plain state machine (no web types, no feature
//! gates, tested natively): [`Input`]s in, [`Task`]s out, each concern in its own room.
//!
//! - `machine`: the vocabulary (phases, inputs, tasks) and the dispatch to each concern;
//! - `device`: connecting, registering, losing the device, its token;
//! - `call`: a call ringing, answered, talked on and ended;
//! - `presence`: the microphone checked first, presence asked of the server;
//! - `tabs` (with `tab`'s signals): one phone among the agent's tabs;
//! - `audio`: the agent's choice of microphone and speaker, and keypad tones;
//! - `words`: the status line and the SDK's errors in words.

mod audio;
mod call;
mod device;
mod machine;
mod presence;
mod tab;
mod tabs;
#[cfg(test)]
mod tests;
mod words;

pub use audio::{dtmf, AudioDevice, AudioTask, Kind, DEFAULT, TEST_TONE};
pub use machine::{Console, Input, Mic, Phase, Task, TransferRequest};
pub use tab::{TabId, TabSignal};
pub use words::{error_words, quality_words};
