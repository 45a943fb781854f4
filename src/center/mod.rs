//! The contact center's core: agents and their presence, the queue, routing, and every party of
//! every call, as plain Rust. Commands and the time go in; events (the timeline), effects (what
//! Twilio must be asked to do) and the new state come out. No I/O and no framework: nothing
//! here knows axum, Leptos, sqlx or Twilio's wire formats, so every rule is tested as a
//! given/when/then sentence without a database (`tests`).
//!
//! The runtime decides each command in one transaction (state, timeline and outbox together);
//! the edges (webhooks, server functions, the console stream) only translate to and from
//! commands and views.
//!
//! - `rules`, `party`, `agent`, `call`: the vocabulary and the state's parts;
//! - `state`: the whole center and questions about it;
//! - `command`, `event`, `effect`, `refusal`: what goes in and what comes out;
//! - `decide` (the rules), `supervise` (the supervisor's), `voicemail` (a message's), `callback`
//!   (a callback's), `apply` (what an event changes),
//!   `arrange` (conference changes);
//! - `view`: what each console shows, with the steps that make sense now;
//! - `figures`: today's figures for the floor, folded from the stored events; `floor`: what
//!   the supervisor's floor shows;
//! - `order`: in which order the outbox performs effects (lanes, legs created and withdrawn);
//! - `keys`: what the caller's keypad means in each menu;
//! - `pacing`: which call Twilio must create goes first when the account's pace binds;
//! - `opening`: open or closed, as the core asks it (`Calendar`; the schedule behind it is
//!   `crate::schedule`, server only);
//! - `samples` (tests): a center at several moments, for tests of what reads its views.

mod agent;
mod apply;
mod arrange;
mod call;
mod callback;
mod command;
mod decide;
mod effect;
mod event;
mod figures;
mod floor;
mod keys;
mod opening;
pub mod order;
mod pacing;
mod party;
mod refusal;
mod rules;
mod state;
mod supervise;
mod view;
mod voicemail;

#[cfg(test)]
pub mod samples;
#[cfg(test)]
mod tests;

pub use agent::{Account, Agent, AgentRole, AwayReason, Presence};
pub use call::{
    Call, CallKind, CallNotice, CallPhase, Callback, EndReason, LegNo, LegOutcome, Music, Participant, Side, Stage, Transfer, Voicemail,
};
pub use command::{
    Arrival, CallAction, CoachRefusal, Command, MissingTarget, PresenceAction, SupervisorAction, SupervisorStep, Target, TransferAction,
    TransferTo, VoicemailStep, Wanted,
};
pub use decide::{Decision, Reply, NOTE_MAX_CHARS};
pub use effect::{Effect, EffectKind, Move};
pub use event::{AgentEvent, CallEvent, CallbackEvent, Event, MonitorEvent, TransferEvent, VoicemailEvent};
pub use figures::{AgentDay, Day, Figures, Thresholds};
pub use floor::{
    FloorAgent, FloorCall, FloorMonitor, FloorOutage, FloorPacing, FloorQueue, FloorView, QueueCount, WaitingCaller, CALLERS_SHOWN,
};
pub use keys::{MenuKey, NumberKeys, OfferKey};
pub use opening::{AlwaysOpen, Calendar, ClosedWhy, Openness};
pub use pacing::Urgency;
pub use party::{MonitorMode, Party, Role, Who};
pub use refusal::{Reason, Refusal};
pub use rules::{Millis, Rules};
pub use state::State;
pub use supervise::CONFERENCE_LIMIT;
pub use view::{
    presence_actions, AgentCard, AgentName, CallCard, CallHistory, ConsoleView, LegCard, LegState, MonitorCard, Phase, QueueCard,
    TimelineRow, TransferCard,
};
