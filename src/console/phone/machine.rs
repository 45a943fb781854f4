//! The agent console's phone as a plain state machine: no web types, no feature gates.
//!
//! Why a state machine apart from the component: the awkward cases (the caller hanging up before
//! the agent answers, a token expiring mid-call, a second call while busy, results arriving after
//! the call they were for has ended) are decided here once and tested natively, and the Leptos
//! component only feeds [`Input`]s in and carries out the [`Task`]s that come back.
//!
//! What the machine owns is this browser's side of things: the Voice SDK device and the call
//! ringing or talking in it, and the requests this console makes (a dial-in, a presence change).
//! Presence itself, the queue and everyone else belong to the server, whose `ConsoleView` the
//! page draws as it arrives; the machine never guesses them.
//!
//! Tasks must be run after the new state is stored (never from inside a signal update): the
//! SDK may call back synchronously while a task runs.
//!
//! This file holds the vocabulary and hands each input to its concern: the device and its token
//! (`device`), the call (`call`), presence and the microphone (`presence`), the agent's tabs
//! (`tabs`) and audio devices (here, on to `audio`'s rules); what the status line says is in
//! `words`.

use super::audio::{Audio, AudioDevice, AudioTask, Kind};
use super::tab::{Claim, TabId, TabSignal};
use crate::center::{CallAction, Target, Wanted};
use crate::ids::{AgentId, CallSid};

/// A step on my call as the console asks the server for it (`/api/transfer`): the core's own
/// action, and for a consult or a transfer where to (and a note for the target).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRequest {
    pub action: CallAction,
    pub to: Option<Target>,
    pub note: Option<String>,
}

impl TransferRequest {
    /// A step that needs no target.
    pub fn step(action: CallAction) -> Self {
        TransferRequest { action, to: None, note: None }
    }

    /// A consult or a transfer to `to` (a note only for a consult).
    pub fn to(action: CallAction, to: Target, note: Option<&str>) -> Self {
        let note = note.filter(|n| action == CallAction::Consult && !n.trim().is_empty()).map(str::to_string);
        TransferRequest { action, to: Some(to), note }
    }

    /// What is being done, as the status line says it ("consult agent3").
    pub fn label(&self) -> String {
        match &self.to {
            Some(to) => format!("{} {}", self.action, to.as_str()),
            None => self.action.to_string(),
        }
    }
}

/// Where the phone is. Agent and call live inside the phases that have them, so a state such
/// as "in a call but not connected as anyone" cannot be written down.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Phase {
    /// No device: not started yet, or the device went offline.
    #[default]
    Offline,
    /// Fetching a token, then creating and registering the device.
    Connecting { agent: AgentId },
    /// Registered and waiting for calls; `note` says how the last call ended, if worth saying.
    Ready { agent: AgentId, note: Option<String> },
    /// The device lost its signalling connection to Twilio with no call on it, and the Voice
    /// SDK is getting it back by itself (it reconnects and registers again, usually within a
    /// second): the device is kept, no call can ring here meanwhile, and the server knows the
    /// agent offline until the phone registers again. `registering` once the SDK is
    /// registering again.
    Reconnecting { agent: AgentId, registering: bool },
    /// A call is ringing in the browser; `answering` once accept() was asked for.
    Ringing { agent: AgentId, call_sid: CallSid, from: String, answering: bool, note: Option<String> },
    /// Talking; `asking` while the server is asked for a transfer step (or hold); `muted` while
    /// the microphone is.
    InCall {
        agent: AgentId,
        call_sid: CallSid,
        from: String,
        asking: Option<TransferRequest>,
        muted: bool,
        /// The SDK's call-quality warnings in force (`high-rtt`, `low-mos`, …), and whether the
        /// media is reconnecting: shown in plain words while they last.
        quality: Vec<String>,
        reconnecting: bool,
        note: Option<String>,
    },
    /// Not connected because something failed. No device.
    Error { message: String },
    /// Another tab of this agent holds the phone (whether this tab is asking for it is the
    /// console's `tab`); `note` says why it is here (moved away, or the other tab is on a call).
    Elsewhere { agent: AgentId, note: Option<String> },
}

/// What the browser says about the microphone, checked when the console starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mic {
    /// Not checked yet.
    #[default]
    Unknown,
    /// Allowed, and there is one.
    Ready,
    /// The agent (or a policy) blocked it for this site.
    Denied,
    /// No microphone is plugged in.
    Missing,
    /// Another reason the browser gave (in use by another program, page not secure, …).
    Unusable(String),
}

/// Everything that can happen to the console: clicks, SDK events, server-function results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The console opened for the signed-in agent: connect the phone.
    Start(AgentId),
    /// "Reconnect phone", after an error or after the device went offline.
    ReconnectClicked,
    /// The token fetched for connecting (answer to [`Task::FetchToken`]).
    TokenReceived(String),
    TokenFailed(String),
    Registered,
    /// Device `registering` (the SDK registers again by itself after its signalling connection
    /// came back).
    Registering,
    /// Device `unregistered`: the signalling connection dropped (the SDK reconnects and
    /// registers again by itself), or the device was unregistered.
    Unregistered,
    /// Device `destroyed`: the SDK gave up this device for good (it never comes back).
    Destroyed,
    /// The timer of [`Task::StartReconnectTimer`] with this number ran out: the SDK did not get
    /// its connection back in time.
    ReconnectTimerFired(u32),
    /// Device `error`. `code` is Twilio's error code, kept for logs; the status shows `message`.
    DeviceError {
        code: Option<u32>,
        message: String,
    },
    Incoming {
        call_sid: CallSid,
        from: String,
    },
    AnswerClicked,
    /// Call `accept`.
    Accepted,
    /// Call `cancel`: the caller hung up (or the server withdrew the offer) before the answer.
    Cancelled,
    /// Call `reject`.
    Rejected,
    /// Call `disconnect`.
    Disconnected,
    /// The SDK closed the call without a `disconnect`: its signalling connection dropped and
    /// Twilio ended the call (the call's `transportClose` with its status `closed` after it).
    CallClosed,
    /// What the server's live view says of this agent: `busy` while it has them ringing or on
    /// a call. The server's word on the call being over ends the call here too.
    ServerPresence {
        busy: bool,
    },
    /// Call `error`. `code` is Twilio's error code, kept for logs; the status shows a sentence.
    CallError {
        code: Option<u32>,
        message: String,
    },
    HangupClicked,
    /// A transfer button: "Consult", "Transfer", "Complete transfer", "Cancel transfer", …,
    /// and "Hold" / "Resume" (`hold`, `resume`: the server holds the customer).
    TransferRequested(TransferRequest),
    /// "Mute" / "Unmute".
    MuteClicked,
    /// Call `warning` / `warning-cleared`: a call-quality problem (the SDK's name for it).
    QualityWarning(String),
    QualityCleared(String),
    /// Call `reconnecting` / `reconnected`: the media path is being restored.
    Reconnecting,
    Reconnected,
    /// Keypad keys pressed (digits, `*`, `#`; `w` for a half-second pause).
    DigitsPressed(String),
    TransferDone,
    TransferFailed(String),
    /// The microphone check's result (answer to [`Task::CheckMicrophone`]), also sent when
    /// the browser's permission for it changes.
    MicChecked(Mic),
    /// "Check microphone again", after fixing what the message said.
    CheckMicClicked,
    /// A message from another tab of this agent (the driver drops those addressed to another
    /// tab); `earlier` when the sender's id sorts before this tab's (who wins a tie).
    TabHeard {
        from: TabId,
        earlier: bool,
        signal: TabSignal,
    },
    /// The timer of [`Task::StartTabTimer`] with this number ran out.
    TabTimerFired(u32),
    /// "Use the phone here", in a tab where another tab holds it.
    TakeOverClicked,
    /// The page is going away (`pagehide`).
    PageClosing,
    /// The choices kept in the browser's storage, read when the console starts.
    AudioRestored {
        microphone: Option<AudioDevice>,
        speaker: Option<AudioDevice>,
    },
    /// The devices the browser lists (first, or after a device was plugged in or out).
    AudioListed {
        microphones: Vec<AudioDevice>,
        speakers: Vec<AudioDevice>,
    },
    /// The agent picked a device in a selector (`default` to follow the system).
    AudioChosen {
        kind: Kind,
        id: String,
    },
    /// The SDK would not use the device asked for.
    AudioRefused {
        kind: Kind,
        message: String,
    },
    /// "Test speaker".
    TestSpeakerClicked,
    /// Device `tokenWillExpire`.
    TokenWillExpire,
    /// The token fetched for a refresh (answer to [`Task::RefreshToken`]).
    TokenRefreshed(String),
    TokenRefreshFailed(String),
    /// "Available", "Away" or "End wrap-up".
    PresenceRequested(Wanted),
    /// The server took the presence change (answer to [`Task::SetPresence`]).
    PresenceSet,
    /// The server refused it, with its reason.
    PresenceRefused(String),
}

/// What the UI layer must do after a transition, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    /// Call the token server function; feed back `TokenReceived` or `TokenFailed`.
    FetchToken(AgentId),
    /// Create the device with this token and register it. A constructor or register() failure
    /// is fed back as `DeviceError`; success arrives as the `registered` event.
    CreateDevice { token: String },
    /// Call the token server function; feed back `TokenRefreshed` or `TokenRefreshFailed`.
    RefreshToken(AgentId),
    /// `device.updateToken(token)`.
    UpdateToken(String),
    /// Drop the device (detaches listeners, destroys it). Harmless if there is none.
    DestroyDevice,
    /// Feed back `ReconnectTimerFired(seq)` after `ms`.
    StartReconnectTimer { ms: u32, seq: u32 },
    /// The incoming call just reported is now this agent's call: keep it, listen to its events.
    WatchCall { call_sid: CallSid },
    /// Reject the incoming call just reported and forget it; the current call, if any, stays.
    RejectIncoming { call_sid: CallSid },
    /// Accept the watched call.
    AcceptCall,
    /// End the watched call if it is still live (reject if pending, disconnect otherwise) and
    /// drop it. Also sent when the call already ended by itself, so the handle is released.
    DisconnectCall,
    /// Call the server function for steps on my call (`/api/transfer`); feed back
    /// `TransferDone` or `TransferFailed`.
    CallTransferServer(TransferRequest),
    /// Mute (or unmute) the watched call's microphone, then tell the server.
    MuteCall(bool),
    /// Play these DTMF digits on the watched call.
    SendDigits(String),
    /// Call the presence server function; feed back `PresenceSet` or `PresenceRefused`.
    SetPresence(Wanted),
    /// Ask the browser about the microphone (asking the agent for it if never asked); feed
    /// back `MicChecked`.
    CheckMicrophone,
    /// Post to this agent's other tabs.
    PostTab(TabSignal),
    /// Feed back `TabTimerFired(seq)` after `ms`.
    StartTabTimer { ms: u32, seq: u32 },
    /// Choose (or keep) an audio device; a refusal comes back as `AudioRefused`.
    Audio(AudioTask),
    /// Play the keypad's tones locally, on this output (`None`: the default).
    PlayTones { digits: String, sink: Option<String> },
    /// Play a short test tone on this output.
    PlayTestTone { sink: Option<String> },
}

/// The console: the phone's phase plus the facts that outlive phases.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Console {
    pub(super) phase: Phase,
    /// The signed-in agent, once started: whom "Reconnect phone" connects as.
    pub(super) me: Option<AgentId>,
    /// The device may unregister in the middle of a call; the call goes on, and this says
    /// where to land when it ends (Ready or Offline).
    pub(super) registered: bool,
    /// The device's signalling connection dropped and the SDK is getting it back by itself:
    /// the device is kept (a call ending meanwhile lands on Reconnecting, not Offline).
    pub(super) signal_lost: bool,
    /// The number of the reconnect timer in force (older ones are stale).
    pub(super) reconnect_timer: u32,
    /// The server's live view last had this agent ringing or on a call.
    pub(super) server_busy: bool,
    /// A token refresh is under way: a second `tokenWillExpire` must not start another.
    pub(super) refreshing_token: bool,
    /// The agent was announced available once the phone first registered. After that the
    /// server owns presence: a re-registration does not override "away" or a missed call.
    pub(super) announced: bool,
    /// A presence change is on its way to the server.
    pub(super) presence_pending: bool,
    /// Why the server refused the last presence change.
    pub(super) presence_error: Option<String>,
    /// This tab and the phone, and the number of the tab timer in force (older ones are stale).
    pub(super) tab: Claim,
    pub(super) tab_timer: u32,
    pub(super) mic: Mic,
    pub(super) audio: Audio,
}

impl Console {
    pub fn new() -> Self {
        Self::default()
    }

    /// A console for `agent` that has just been started: connecting, with the tasks to run
    /// once the page is live. The server renders the same state, so hydration changes nothing.
    pub fn started(agent: AgentId) -> (Self, Vec<Task>) {
        Self::new().transition(Input::Start(agent))
    }

    /// A console that cannot start (no usable identity): it says why and offers nothing.
    pub fn unusable(message: impl Into<String>) -> Self {
        Console { phase: Phase::Error { message: message.into() }, ..Self::default() }
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The signed-in agent this console acts for (set by [`Input::Start`]).
    pub fn me(&self) -> Option<&AgentId> {
        self.me.as_ref()
    }

    /// The agent the phone is (or is becoming) connected as.
    pub fn agent(&self) -> Option<&AgentId> {
        agent_of(&self.phase)
    }

    /// The pure form: the console after `event`, and what to do about it.
    pub fn transition(&self, event: Input) -> (Console, Vec<Task>) {
        let mut next = self.clone();
        let tasks = next.apply(event);
        (next, tasks)
    }

    /// The in-place form of [`Console::transition`].
    pub fn apply(&mut self, input: Input) -> Vec<Task> {
        use Input as E;
        match input {
            E::Start(_)
            | E::ReconnectClicked
            | E::TokenReceived(_)
            | E::TokenFailed(_)
            | E::Registered
            | E::Registering
            | E::Unregistered
            | E::Destroyed
            | E::ReconnectTimerFired(_)
            | E::DeviceError { .. }
            | E::TokenWillExpire
            | E::TokenRefreshed(_)
            | E::TokenRefreshFailed(_) => self.on_device(input),
            E::Incoming { .. }
            | E::AnswerClicked
            | E::Accepted
            | E::Cancelled
            | E::Rejected
            | E::Disconnected
            | E::CallClosed
            | E::ServerPresence { .. }
            | E::CallError { .. }
            | E::HangupClicked
            | E::TransferRequested(_)
            | E::MuteClicked
            | E::QualityWarning(_)
            | E::QualityCleared(_)
            | E::Reconnecting
            | E::Reconnected
            | E::DigitsPressed(_)
            | E::TransferDone
            | E::TransferFailed(_) => self.on_call(input),
            E::MicChecked(_) | E::CheckMicClicked | E::PresenceRequested(_) | E::PresenceSet | E::PresenceRefused(_) => {
                self.on_presence(input)
            }
            E::TabHeard { .. } | E::TabTimerFired(_) | E::TakeOverClicked | E::PageClosing => self.on_tab(input),
            E::AudioRestored { .. } | E::AudioListed { .. } | E::AudioChosen { .. } | E::AudioRefused { .. } | E::TestSpeakerClicked => {
                self.on_audio(input)
            }
        }
    }

    /// The agent's microphone and speaker (the rules are `audio`'s).
    fn on_audio(&mut self, input: Input) -> Vec<Task> {
        use Input as E;
        use Task as F;
        match input {
            // --- audio devices -----------------------------------------------------------------------
            E::AudioRestored { microphone, speaker } => {
                self.audio.restore(microphone, speaker);
                vec![]
            }
            E::AudioListed { microphones, speakers } => self.audio.listed(microphones, speakers).into_iter().map(F::Audio).collect(),
            E::AudioChosen { kind, id } => self.audio.choose(kind, &id).into_iter().map(F::Audio).collect(),
            E::AudioRefused { kind, message } => {
                self.audio.failed(kind, &message);
                vec![]
            }
            E::TestSpeakerClicked => vec![F::PlayTestTone { sink: self.audio.sink() }],
            _ => vec![],
        }
    }

    pub fn audio(&self) -> &Audio {
        &self.audio
    }
}

pub(super) fn agent_of(phase: &Phase) -> Option<&AgentId> {
    match phase {
        Phase::Connecting { agent }
        | Phase::Ready { agent, .. }
        | Phase::Reconnecting { agent, .. }
        | Phase::Ringing { agent, .. }
        | Phase::InCall { agent, .. } => Some(agent),
        Phase::Offline | Phase::Error { .. } | Phase::Elsewhere { .. } => None,
    }
}
