//! A pure, deterministic model of the part of Twilio this app uses: calls, the TwiML they run,
//! conferences and their participants, and the callbacks Twilio sends about them.
//!
//! No I/O and no clock: every operation takes the current time, and whatever should happen in
//! the world (fetch a document, post a callback, ring a browser) is queued as a [`SimEffect`] for
//! the driver to collect with [`Engine::take_effects`]. Same inputs, same outputs: SIDs come from
//! a counter (mixed with a seed so two runs of the simulator do not reuse each other's SIDs).
//!
//! Where Twilio's behaviour is surprising it is modelled anyway, because the app must cope with
//! the real service:
//! - a conference ending does not cancel calls still ringing to join it: an agent's browser keeps
//!   ringing after the customer hung up, and answering joins a fresh, empty conference of the same
//!   name. Cancelling such a call is the app's job (`hangup` on a ringing call, or `POST
//!   Calls/{CA}.json Status=canceled`, cancels it);
//! - a conference starts only when at least two participants are in and one of them has
//!   `startConferenceOnEnter`; until then everyone hears their `waitUrl`;
//! - only the first participant's `statusCallback` is used for conference events;
//! - when a caller leaves a conference, Twilio carries on with the verbs after `<Dial>`, hanging up
//!   when the document ends;
//! - a change of `EndConferenceOnExit` on a participant that is **on hold** is silently ignored:
//!   the update answers 200, the participant keeps (and shows) its old value, and no
//!   `participant-modify` event is sent. What counts is the hold state the request finds, before
//!   its own `Hold` is applied: `Hold=true&EndConferenceOnExit=true` on a participant not yet held
//!   sets the flag, `Hold=false&EndConferenceOnExit=true` on a held one does not. Set the flags
//!   you need before holding;
//! - a `HoldUrl` is fetched with the held call's parameters (`CallSid`, `From`, `To`,
//!   `CallStatus`, …) and the `ConferenceSid`, by `GET` unless `HoldMethod` says otherwise;
//! - DTMF sent on a participant's leg is heard by every other participant not on hold, the way
//!   its voice would be (see [`digits`]);
//! - `To` must be a browser (`client:{identity}`) or an E.164 number, else the request is refused
//!   (400, [`SimError::InvalidNumber`]). Numbers behave by the [`phone_book`]: busy, no answer,
//!   unreachable, or (any other number) answering by itself after a short ring; except a number an
//!   open `/phone` page holds ([`held_numbers`]), which rings on that page;
//! - `<Gather>` (see `gather`) collects keys or speech and requests its `action` (default: the
//!   current document's URL) with `Digits` or `SpeechResult`; with no input it carries on with
//!   the next verb unless `actionOnEmptyResult`;
//! - `<Record>` (see [`record`]) records what the caller says (typed text) until a finish key, a
//!   hang-up, silence or `maxLength`; then its `action` gets `RecordingUrl`, `RecordingSid`,
//!   `RecordingDuration`, `Digits` (the answer is not run after a hang-up), the
//!   `recordingStatusCallback` and `transcribeCallback` are posted, and the recording is kept for
//!   `GET/DELETE Recordings/{RE}`. An empty recording requests nothing;
//! - `POST Calls/{CA}.json Url=…|Twiml=…` (see `redirect`) moves an in-progress call: it leaves
//!   its conference (which may end it), abandons a Gather or Record, and runs the new TwiML; a
//!   call not in progress is refused (21220);
//! - a wait or hold document may only use `<Say>`, `<Play>`, `<Pause>` and `<Redirect>`: any
//!   other verb rejects the whole document (Twilio's 13238, kept as a [`Notification`]) and the
//!   participant waits on in silence;
//! - what Twilio's debugger would show is kept as [`Notification`]s (the newest
//!   [`NOTIFICATIONS_KEPT`]) besides being sent as [`SimEffect::Warning`];
//! - the account's limits: calls the REST API creates are accepted at once (`queued`) but placed
//!   no faster than the account's calls per second, oldest first (see [`pacing`];
//!   [`Engine::set_calls_per_second`], no limit unless set); a conference holds at most
//!   [`Engine::set_max_participants`] (Twilio's 250): one more added through the REST API is
//!   refused (16020, [`SimError::ConferenceFull`]), and a `<Dial><Conference>` into a full room
//!   fails (16020 in the debugger) and the call goes on with the next verb.
//!
//! Twilio's timing is modelled only where the app can tell the difference:
//! - what a caller hears is recorded at once, line by line (`call.hear`): every `<Say>`, `<Play>`
//!   and `<Pause>` of a document is "heard" the moment the document arrives;
//! - in a call's own document nothing takes time: verbs run one after the other at once, and a
//!   `<Redirect>` fetches its document straight away, which replaces the rest; only a `<Gather>`'s
//!   `timeout` and a `<Record>`'s silence `timeout` and `maxLength` run on simulated time
//!   ([`Engine::tick`]); speech takes a second per 15 typed characters ([`speech_secs`]);
//! - in wait and hold documents the finite verbs before a `<Redirect>` take simulated time: a
//!   `<Play>` lasts [`EngineConfig::background_play_secs`] per loop (the simulator does not know
//!   the audio's real length), a `<Pause>` its length, a `<Say>` nothing. [`Engine::tick`] fetches
//!   the redirect's document once that time has passed, but only while it still applies: a wait
//!   document while the conference has not started (and the participant is not on hold) and the
//!   participant is still in it, a hold document while the participant is still held;
//! - a `<Play loop="0">` plays until the call moves on (a `<Redirect>` after it is never reached),
//!   and a wait or hold document that ends without one leaves silence (it is not fetched again).

mod calls;
mod conference;
mod digits;
mod gather;
pub mod held_numbers;
mod model;
mod notify;
pub mod pacing;
pub mod phone_book;
pub mod record;
mod redirect;
#[cfg(test)]
mod tests;
mod view;

pub use conference::{NewParticipant, ParticipantUpdate, INVALID_BACKGROUND_VERB};
pub use digits::{MAX_DIGITS, MAX_SPEECH};
pub use gather::SPEECH_CONFIDENCE;
pub use model::{
    CallStatus, ConferenceStatus, Direction, Notification, ParticipantStatus, SimEffect, SimError, StopReason, CONFERENCE_FULL,
};
pub use pacing::{PacingView, DEFAULT_CALLS_PER_SECOND};
pub use record::{speech_secs, RecordingView};
pub use redirect::CallRedirect;
pub use view::{CallView, ConferenceView, ListeningView, ParticipantView, RingingCall, SimState};

pub use calls::{
    Engine, EngineConfig, NumberRouting, OutboundCall, APPLICATION_ERROR, DEFAULT_API_BASE_URL, DEFAULT_HOLD_MUSIC, DEFAULT_TIMEOUT_SECS,
    DOCUMENT_ERROR, NOTIFICATIONS_KEPT,
};
