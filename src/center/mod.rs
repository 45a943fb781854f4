//! The contact center's core: agents and their presence, the queue, routing, and the calls'
//! legs, as plain Rust. Commands and the time go in; events (the timeline), effects (what
//! Twilio must be asked to do) and the new state come out. No I/O and no framework: nothing
//! here knows axum, Leptos, sqlx or Twilio's wire formats, so every rule is tested as a
//! given/when/then sentence without a database (`tests`).
//!
//! The store runs each decision in one transaction (state, timeline and outbox together); the
//! edges (webhooks, server functions, the console stream) only translate to and from commands.

mod command;
mod decide;
mod model;
mod view;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod transfer_tests;

pub use command::{Command, Decision, Effect, Event, Move, Refusal, Target, TransferAction, Wanted};
pub use model::{
    Agent, AwayReason, Call, CallPhase, EndReason, Holds, LegNo, LegOutcome, Millis, Music, Notice, Party, Presence, Rules, Side, Stage,
    State, Transfer, Who,
};
pub use view::{AgentCard, CallCard, CallHistory, ConsoleView, LegCard, QueueCard, TimelineRow, TransferCard};
