//! The agent console's phone as a plain state machine: no web types, no feature gates.
//!
//! Why a state machine apart from the component: the awkward cases (the caller hanging up before
//! the agent answers, a token expiring mid-call, a second call while busy, results arriving after
//! the call they were for has ended) are decided here once and tested natively, and the Leptos
//! component only feeds [`Event`]s in and carries out the [`Effect`]s that come back.
//!
//! What the machine owns is this browser's side of things: the Voice SDK device and the call
//! ringing or talking in it, and the requests this console makes (a dial-in, a presence change).
//! Presence itself, the queue and everyone else belong to the server, whose `ConsoleView` the
//! page draws as it arrives; the machine never guesses them.
//!
//! Effects must be run after the new state is stored (never from inside a signal update): the
//! SDK may call back synchronously while an effect runs.

use super::audio::{Audio, AudioDevice, AudioEffect, Kind};
use super::tab::{Claim, TabId, TabSignal, ASK_MS, TAKE_MS, WATCH_MS};
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
pub enum Event {
    /// The console opened for the signed-in agent: connect the phone.
    Start(AgentId),
    /// "Reconnect phone", after an error or after the device went offline.
    ReconnectClicked,
    /// The token fetched for connecting (answer to [`Effect::FetchToken`]).
    TokenReceived(String),
    TokenFailed(String),
    Registered,
    /// Device `unregistered`; also feed the device's `destroyed` as this.
    Unregistered,
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
    /// The microphone check's result (answer to [`Effect::CheckMicrophone`]), also sent when
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
    /// The timer of [`Effect::StartTabTimer`] with this number ran out.
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
    /// The token fetched for a refresh (answer to [`Effect::RefreshToken`]).
    TokenRefreshed(String),
    TokenRefreshFailed(String),
    /// "Available", "Away" or "End wrap-up".
    PresenceRequested(Wanted),
    /// The server took the presence change (answer to [`Effect::SetPresence`]).
    PresenceSet,
    /// The server refused it, with its reason.
    PresenceRefused(String),
}

/// What the UI layer must do after a transition, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
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
    Audio(AudioEffect),
    /// Play the keypad's tones locally, on this output (`None`: the default).
    PlayTones { digits: String, sink: Option<String> },
    /// Play a short test tone on this output.
    PlayTestTone { sink: Option<String> },
}

/// The console: the phone's phase plus the facts that outlive phases.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Console {
    phase: Phase,
    /// The signed-in agent, once started: whom "Reconnect phone" connects as.
    me: Option<AgentId>,
    /// The device may unregister in the middle of a call; the call goes on, and this says
    /// where to land when it ends (Ready or Offline).
    registered: bool,
    /// A token refresh is under way: a second `tokenWillExpire` must not start another.
    refreshing_token: bool,
    /// The agent was announced available once the phone first registered. After that the
    /// server owns presence: a re-registration does not override "away" or a missed call.
    announced: bool,
    /// A presence change is on its way to the server.
    presence_pending: bool,
    /// Why the server refused the last presence change.
    presence_error: Option<String>,
    /// This tab and the phone, and the number of the tab timer in force (older ones are stale).
    tab: Claim,
    tab_timer: u32,
    mic: Mic,
    audio: Audio,
}

impl Console {
    pub fn new() -> Self {
        Self::default()
    }

    /// A console for `agent` that has just been started: connecting, with the effects to run
    /// once the page is live. The server renders the same state, so hydration changes nothing.
    pub fn started(agent: AgentId) -> (Self, Vec<Effect>) {
        Self::new().transition(Event::Start(agent))
    }

    /// A console that cannot start (no usable identity): it says why and offers nothing.
    pub fn unusable(message: impl Into<String>) -> Self {
        Console { phase: Phase::Error { message: message.into() }, ..Self::default() }
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The signed-in agent this console acts for (set by [`Event::Start`]).
    pub fn me(&self) -> Option<&AgentId> {
        self.me.as_ref()
    }

    /// The agent the phone is (or is becoming) connected as.
    pub fn agent(&self) -> Option<&AgentId> {
        agent_of(&self.phase)
    }

    /// The pure form: the console after `event`, and what to do about it.
    pub fn transition(&self, event: Event) -> (Console, Vec<Effect>) {
        let mut next = self.clone();
        let effects = next.apply(event);
        (next, effects)
    }

    /// The in-place form of [`Console::transition`].
    pub fn apply(&mut self, event: Event) -> Vec<Effect> {
        use Effect as F;
        use Event as E;
        use Phase as P;

        match (&mut self.phase, event) {
            // --- connecting -------------------------------------------------------------------
            // A tab first asks the agent's other tabs whether one holds the phone; meanwhile the
            // microphone is checked, so a problem is told before the first call.
            (P::Offline | P::Error { .. }, E::Start(agent)) if self.me.is_none() => {
                self.me = Some(agent.clone());
                self.phase = P::Connecting { agent };
                let mut effects = vec![F::CheckMicrophone];
                effects.extend(self.claim(Claim::Asking));
                effects
            }
            (P::Offline | P::Error { .. }, E::ReconnectClicked) => match self.me.clone() {
                Some(agent) => self.connect(agent),
                None => vec![],
            },
            (P::Connecting { .. }, E::TokenReceived(token)) => {
                self.audio.new_device();
                vec![F::CreateDevice { token }]
            }
            (P::Connecting { .. }, E::TokenFailed(message)) => {
                self.phase = P::Error { message };
                vec![]
            }
            (P::Connecting { agent }, E::Registered) => {
                self.registered = true;
                self.phase = P::Ready { agent: agent.clone(), note: None };
                self.announce()
            }
            (P::Ready { .. } | P::Ringing { .. } | P::InCall { .. }, E::Registered) => {
                self.registered = true;
                vec![]
            }

            // --- losing the device ------------------------------------------------------------
            // With no call to protect, a device that errored or went offline is thrown away and
            // "Reconnect phone" comes back: reconnecting starts from a fresh token.
            (P::Connecting { .. } | P::Ready { .. }, E::DeviceError { code, message }) => {
                self.phone_gone(P::Error { message: error_words(code, &message) })
            }
            (P::Connecting { .. } | P::Ready { .. }, E::Unregistered) => self.phone_gone(P::Offline),
            // During a call the media may well survive a signalling problem: keep the call.
            (P::Ringing { note, .. } | P::InCall { note, .. }, E::DeviceError { code, message }) => {
                *note = Some(format!("ERROR: {}", error_words(code, &message)));
                vec![]
            }
            (P::Ringing { note, .. } | P::InCall { note, .. }, E::Unregistered) => {
                self.registered = false;
                *note = Some("Offline: reconnect after this call".into());
                vec![]
            }

            // --- an incoming call ---------------------------------------------------------------
            (P::Ready { agent, .. }, E::Incoming { call_sid, from }) => {
                self.phase = P::Ringing { agent: agent.clone(), call_sid: call_sid.clone(), from, answering: false, note: None };
                vec![F::WatchCall { call_sid }]
            }
            // The same call reported twice must not be mistaken for a second call and rejected.
            (P::Ringing { call_sid: current, .. } | P::InCall { call_sid: current, .. }, E::Incoming { call_sid, .. })
                if *current == call_sid =>
            {
                vec![]
            }
            // Busy (or not ready): turn the new call away so Twilio can route it elsewhere now
            // rather than let it ring into nothing; the current call is untouched.
            (_, E::Incoming { call_sid, .. }) => vec![F::RejectIncoming { call_sid }],

            (P::Ringing { answering, .. }, E::AnswerClicked) if !*answering => {
                *answering = true;
                vec![F::AcceptCall]
            }
            (P::Ringing { agent, call_sid, from, note, .. }, E::Accepted) => {
                self.phase = P::InCall {
                    agent: agent.clone(),
                    call_sid: call_sid.clone(),
                    from: std::mem::take(from),
                    asking: None,
                    muted: false,
                    quality: Vec::new(),
                    reconnecting: false,
                    note: note.take(),
                };
                vec![]
            }
            // Cancelled before the answer: the caller left, a consult was cancelled, or the offer
            // moved on. The browser cannot tell which; the call's timeline on the console does.
            (P::Ringing { agent, .. }, E::Cancelled) => {
                let agent = agent.clone();
                self.end_call(agent, Some("Call stopped ringing".into()))
            }
            (P::Ringing { agent, .. }, E::Rejected | E::Disconnected) => {
                let agent = agent.clone();
                self.end_call(agent, None)
            }
            (P::Ringing { agent, .. }, E::CallError { code, message }) => {
                let agent = agent.clone();
                self.end_call(agent, Some(format!("Call failed: {}", error_words(code, &message))))
            }

            // --- in a call ------------------------------------------------------------------------
            (P::InCall { agent, .. }, E::HangupClicked | E::Disconnected) => {
                let agent = agent.clone();
                self.end_call(agent, None)
            }
            // Not every call error ends the call; keep it, show the error, Hang up stays on.
            (P::InCall { note, .. }, E::CallError { code, message }) => {
                *note = Some(format!("ERROR: {}", error_words(code, &message)));
                vec![]
            }
            (P::InCall { asking: asking @ None, note, .. }, E::TransferRequested(request)) => {
                *asking = Some(request.clone());
                *note = None;
                vec![F::CallTransferServer(request)]
            }
            (P::InCall { muted, .. }, E::MuteClicked) => {
                *muted = !*muted;
                vec![F::MuteCall(*muted)]
            }
            (P::InCall { quality, .. }, E::QualityWarning(name)) => {
                if !quality.contains(&name) {
                    quality.push(name);
                }
                vec![]
            }
            (P::InCall { quality, .. }, E::QualityCleared(name)) => {
                quality.retain(|w| *w != name);
                vec![]
            }
            (P::InCall { reconnecting, .. }, E::Reconnecting) => {
                *reconnecting = true;
                vec![]
            }
            (P::InCall { reconnecting, .. }, E::Reconnected) => {
                *reconnecting = false;
                vec![]
            }
            (P::InCall { .. }, E::DigitsPressed(digits)) => {
                let digits: String = digits.chars().filter(|c| c.is_ascii_digit() || matches!(c, '*' | '#' | 'w')).collect();
                if digits.is_empty() {
                    vec![]
                } else {
                    // The SDK's own tones play on the default output whatever the speaker (its
                    // sounds are silenced): the agent hears them where the call is.
                    vec![F::SendDigits(digits.clone()), F::PlayTones { digits, sink: self.audio.sink() }]
                }
            }
            (P::InCall { asking: asking @ Some(_), .. }, E::TransferDone) => {
                *asking = None;
                vec![]
            }
            (P::InCall { asking: asking @ Some(_), note, .. }, E::TransferFailed(message)) => {
                let request = asking.take().expect("matched Some");
                *note = Some(format!("could not {}: {message}", request.label()));
                vec![]
            }

            // --- token refresh: never touches the phase, so a call survives it ---------------------
            (phase, E::TokenWillExpire) if !self.refreshing_token => match agent_of(phase) {
                Some(agent) => {
                    self.refreshing_token = true;
                    vec![F::RefreshToken(agent.clone())]
                }
                None => vec![],
            },
            (phase, E::TokenRefreshed(token)) => {
                self.refreshing_token = false;
                match agent_of(phase) {
                    Some(_) => vec![F::UpdateToken(token)],
                    None => vec![], // the device is gone; the token has no one to go to
                }
            }
            (phase, E::TokenRefreshFailed(message)) => {
                self.refreshing_token = false;
                if let P::Ready { note, .. } | P::Ringing { note, .. } | P::InCall { note, .. } = phase {
                    *note = Some(format!("could not refresh the access token: {message}"));
                }
                vec![]
            }

            // --- the microphone ------------------------------------------------------------------------
            (_, E::MicChecked(mic)) => {
                self.mic = mic;
                if self.mic_problem().is_none() {
                    self.presence_error = None;
                }
                self.announce()
            }
            (_, E::CheckMicClicked) if self.me.is_some() => vec![F::CheckMicrophone],

            // --- one phone among the agent's tabs ----------------------------------------------------
            (phase, E::TabHeard { from, earlier, signal }) => {
                let busy = matches!(phase, P::Ringing { .. } | P::InCall { .. });
                match (self.tab, signal) {
                    (Claim::Holding, TabSignal::Ask) => vec![F::PostTab(TabSignal::Held { busy })],
                    // Two tabs starting together: the earlier id claims it, the later waits.
                    (Claim::Asking, TabSignal::Ask) if !earlier => vec![F::PostTab(TabSignal::Held { busy: false })],
                    // Answering a periodic look, the holder says whether a refusal still stands.
                    (Claim::Asking, TabSignal::Held { busy }) => {
                        let note = match phase {
                            P::Elsewhere { note, .. } if busy => note.clone(),
                            _ => None,
                        };
                        self.elsewhere(note)
                    }
                    (Claim::Holding, TabSignal::Take) if busy => vec![F::PostTab(TabSignal::Refused { to: from })],
                    (Claim::Holding, TabSignal::Take) => {
                        let mut effects = self.elsewhere(Some("Phone moved to another tab".into()));
                        effects.extend([F::DestroyDevice, F::PostTab(TabSignal::Released { to: Some(from) })]);
                        effects
                    }
                    (Claim::Taking, TabSignal::Released { .. }) => self.take_phone(),
                    // The holder's page closed: the remaining tabs settle who takes the phone.
                    (Claim::Elsewhere, TabSignal::Released { to: None }) => self.claim(Claim::Asking),
                    (Claim::Taking, TabSignal::Refused { .. }) => {
                        self.elsewhere(Some("The other tab is on a call: take the phone over once it ends".into()))
                    }
                    _ => vec![],
                }
            }
            // No tab answered: this one holds the phone (the holder, if any, has gone quiet).
            (_, E::TabTimerFired(seq)) if seq == self.tab_timer && matches!(self.tab, Claim::Asking | Claim::Taking) => self.take_phone(),
            // Time to look again whether the holder is still there.
            (_, E::TabTimerFired(seq)) if seq == self.tab_timer && self.tab == Claim::Elsewhere => self.claim(Claim::Asking),
            (P::Elsewhere { note, .. }, E::TakeOverClicked) if self.tab != Claim::Taking => {
                *note = None;
                self.claim(Claim::Taking)
            }
            (_, E::PageClosing) if self.tab == Claim::Holding => vec![F::PostTab(TabSignal::Released { to: None })],

            // --- audio devices -----------------------------------------------------------------------
            (_, E::AudioRestored { microphone, speaker }) => {
                self.audio.restore(microphone, speaker);
                vec![]
            }
            (_, E::AudioListed { microphones, speakers }) => self.audio.listed(microphones, speakers).into_iter().map(F::Audio).collect(),
            (_, E::AudioChosen { kind, id }) => self.audio.choose(kind, &id).into_iter().map(F::Audio).collect(),
            (_, E::AudioRefused { kind, message }) => {
                self.audio.failed(kind, &message);
                vec![]
            }
            (_, E::TestSpeakerClicked) => vec![F::PlayTestTone { sink: self.audio.sink() }],

            // --- presence: asked of the server, whatever the phone is doing -------------------------
            // Available with no usable microphone would put callers through to silence.
            (_, E::PresenceRequested(Wanted::Available)) if self.me.is_some() && !matches!(self.mic, Mic::Unknown | Mic::Ready) => {
                self.presence_error = self.mic_problem().map(|p| format!("not available: {p}"));
                vec![]
            }
            (_, E::PresenceRequested(wanted)) if self.me.is_some() && !self.presence_pending => self.request_presence(wanted),
            (_, E::PresenceSet) if self.presence_pending => {
                self.presence_pending = false;
                vec![]
            }
            (_, E::PresenceRefused(message)) if self.presence_pending => {
                self.presence_pending = false;
                self.presence_error = Some(message);
                vec![]
            }

            // Anything else is a stale or impossible event (a dial result after the call ended,
            // a click on a disabled button): ignored, so late answers cannot corrupt the state.
            _ => vec![],
        }
    }

    fn connect(&mut self, agent: AgentId) -> Vec<Effect> {
        self.registered = false;
        self.refreshing_token = false;
        self.phase = Phase::Connecting { agent: agent.clone() };
        vec![Effect::FetchToken(agent)]
    }

    /// Asks the other tabs (`Asking`) or the holder (`Taking`), with a timer for their answer.
    fn claim(&mut self, claim: Claim) -> Vec<Effect> {
        self.tab = claim;
        self.tab_timer += 1;
        let (signal, ms) = if claim == Claim::Taking { (TabSignal::Take, TAKE_MS) } else { (TabSignal::Ask, ASK_MS) };
        vec![Effect::PostTab(signal), Effect::StartTabTimer { ms, seq: self.tab_timer }]
    }

    /// This tab holds the phone now: connect it.
    fn take_phone(&mut self) -> Vec<Effect> {
        self.tab = Claim::Holding;
        self.tab_timer += 1;
        match (&self.phase, self.me.clone()) {
            (Phase::Connecting { agent }, _) => vec![Effect::FetchToken(agent.clone())],
            (Phase::Elsewhere { .. }, Some(agent)) => self.connect(agent),
            _ => vec![],
        }
    }

    /// Another tab holds the phone. Its presence is the agent's: this tab announces nothing
    /// when it takes the phone later.
    fn elsewhere(&mut self, note: Option<String>) -> Vec<Effect> {
        self.tab = Claim::Elsewhere;
        self.tab_timer += 1;
        self.registered = false;
        self.refreshing_token = false;
        self.announced = true;
        if let Some(agent) = self.me.clone() {
            self.phase = Phase::Elsewhere { agent, note };
        }
        vec![Effect::StartTabTimer { ms: WATCH_MS, seq: self.tab_timer }]
    }

    /// The agent is announced available once: when the phone first registered and the
    /// microphone is usable, whichever comes last.
    fn announce(&mut self) -> Vec<Effect> {
        if self.announced || !self.registered || self.mic != Mic::Ready || !matches!(self.phase, Phase::Ready { .. }) {
            return vec![];
        }
        self.announced = true;
        self.request_presence(Wanted::Available)
    }

    fn request_presence(&mut self, wanted: Wanted) -> Vec<Effect> {
        self.presence_pending = true;
        self.presence_error = None;
        vec![Effect::SetPresence(wanted)]
    }

    /// The phone is gone with no call on it: the device is dropped, and the server is told, so
    /// no caller is offered to a browser that cannot ring. When it registers again the agent is
    /// announced available again (the server knew them offline).
    fn phone_gone(&mut self, phase: Phase) -> Vec<Effect> {
        let mut effects = self.go_without_device(phase);
        if self.announced {
            self.announced = false;
            self.presence_pending = true;
            effects.push(Effect::SetPresence(Wanted::Offline));
        }
        effects
    }

    /// Leave the device behind (error or offline) when no call needs it.
    fn go_without_device(&mut self, phase: Phase) -> Vec<Effect> {
        self.registered = false;
        self.refreshing_token = false;
        self.phase = phase;
        vec![Effect::DestroyDevice]
    }

    /// The watched call is over (or being ended by us): release it, then land on Ready, or on
    /// Offline if the device unregistered during the call.
    fn end_call(&mut self, agent: AgentId, note: Option<String>) -> Vec<Effect> {
        if self.registered {
            self.phase = Phase::Ready { agent, note };
            vec![Effect::DisconnectCall]
        } else {
            let mut effects = vec![Effect::DisconnectCall];
            effects.extend(self.phone_gone(Phase::Offline));
            effects
        }
    }

    // --- what the view shows ---------------------------------------------------------------------

    /// The text of `#call-status`.
    pub fn status_text(&self) -> String {
        let (head, extra): (String, Vec<String>) = match &self.phase {
            Phase::Offline => ("Offline".into(), vec![]),
            Phase::Connecting { agent } => (format!("Connecting as {agent}…"), vec![]),
            Phase::Ready { agent, note } => (format!("Connected as: {agent}"), note.iter().cloned().collect()),
            Phase::Ringing { answering, note, .. } => {
                let mut extra: Vec<String> = answering.then(|| "answering…".into()).into_iter().collect();
                extra.extend(note.iter().cloned());
                ("Incoming support call".into(), extra)
            }
            Phase::InCall { asking, muted, quality, reconnecting, note, .. } => {
                let mut extra: Vec<String> = muted.then(|| "muted".to_string()).into_iter().collect();
                if *reconnecting {
                    extra.push("reconnecting…".into());
                } else if !quality.is_empty() {
                    extra.push(format!("poor connection: {}", quality.iter().map(|w| quality_words(w)).collect::<Vec<_>>().join(", ")));
                }
                extra.extend(asking.iter().map(|r| format!("{}…", r.label())));
                extra.extend(note.iter().cloned());
                ("In call with customer".into(), extra)
            }
            Phase::Error { message } => (format!("ERROR: {message}"), vec![]),
            Phase::Elsewhere { note, .. } => {
                let head =
                    if self.tab == Claim::Taking { "Taking the phone over from the other tab…" } else { "Phone open in another tab" };
                (head.into(), note.iter().cloned().collect())
            }
        };
        std::iter::once(head).chain(extra).collect::<Vec<_>>().join(" · ")
    }

    /// The status line shows a failure.
    pub fn is_error(&self) -> bool {
        matches!(self.phase, Phase::Error { .. })
    }

    /// "Reconnect phone": the device is gone and the console knows whom to connect as.
    pub fn can_reconnect(&self) -> bool {
        self.me.is_some() && matches!(self.phase, Phase::Offline | Phase::Error { .. })
    }

    /// The device is registered: calls offered to this agent can ring here.
    pub fn phone_ready(&self) -> bool {
        self.registered && matches!(self.phase, Phase::Ready { .. } | Phase::Ringing { .. } | Phase::InCall { .. })
    }

    pub fn can_answer(&self) -> bool {
        matches!(self.phase, Phase::Ringing { answering: false, .. })
    }

    pub fn can_hang_up(&self) -> bool {
        matches!(self.phase, Phase::InCall { .. })
    }

    /// A transfer step may be asked for (as far as this browser knows: the server's view says
    /// which steps make sense, and the server decides).
    pub fn can_transfer(&self) -> bool {
        matches!(self.phase, Phase::InCall { asking: None, .. })
    }

    /// Another tab holds the phone and it may be asked for ("Use the phone here").
    pub fn can_take_over(&self) -> bool {
        matches!(self.phase, Phase::Elsewhere { .. }) && self.tab != Claim::Taking
    }

    /// What is wrong with the microphone and what to do about it, while something is.
    pub fn mic_problem(&self) -> Option<String> {
        Some(match &self.mic {
            Mic::Unknown | Mic::Ready => return None,
            Mic::Denied => "the microphone is blocked for this site: allow it (the icon at the left of the address bar, \
                            then Microphone: Allow), then check again"
                .into(),
            Mic::Missing => "no microphone found: plug in a headset, then check again".into(),
            Mic::Unusable(why) => format!("the microphone cannot be used: {why}; fix that, then check again"),
        })
    }

    pub fn audio(&self) -> &Audio {
        &self.audio
    }

    /// The microphone is muted (during a call).
    pub fn muted(&self) -> bool {
        matches!(self.phase, Phase::InCall { muted: true, .. })
    }

    /// The transfer step the server is being asked for.
    pub fn asking(&self) -> Option<&TransferRequest> {
        match &self.phase {
            Phase::InCall { asking, .. } => asking.as_ref(),
            _ => None,
        }
    }

    /// A presence change is on its way: the presence buttons wait for it.
    pub fn presence_pending(&self) -> bool {
        self.presence_pending
    }

    /// Why the server refused the last presence change (`#presence-error`).
    pub fn presence_error(&self) -> Option<&str> {
        self.presence_error.as_deref()
    }
}

fn agent_of(phase: &Phase) -> Option<&AgentId> {
    match phase {
        Phase::Connecting { agent } | Phase::Ready { agent, .. } | Phase::Ringing { agent, .. } | Phase::InCall { agent, .. } => {
            Some(agent)
        }
        Phase::Offline | Phase::Error { .. } | Phase::Elsewhere { .. } => None,
    }
}

/// What went wrong, as an agent can act on it: the Voice SDK's error codes that mean something
/// to them become a sentence; any other error keeps the SDK's own message (the code itself is
/// in the browser's log).
pub fn error_words(code: Option<u32>, message: &str) -> String {
    let words = match code {
        Some(31005 | 31009) => "the connection to Twilio was lost",
        Some(31003) => "Twilio did not answer in time",
        Some(53400..=53407) => "the audio connection failed (the network or a firewall blocks it)",
        Some(31208 | 31401) => "the browser may not use the microphone: allow it in the site settings, then reconnect",
        Some(31201 | 31402) => "no microphone could be opened: check one is plugged in and not used by another program",
        Some(20104 | 31205) => "the access token expired",
        Some(20101 | 31204) => "the access token is not valid",
        _ => return message.to_string(),
    };
    words.to_string()
}

/// The SDK's call-quality warning names as an agent reads them.
pub fn quality_words(name: &str) -> &str {
    match name {
        "high-rtt" => "high delay",
        "low-mos" => "poor audio quality",
        "high-jitter" => "choppy audio",
        "high-packet-loss" | "high-packets-lost-fraction" => "audio dropping out",
        "low-bytes-received" => "no audio arriving",
        "low-bytes-sent" => "no audio leaving (check the microphone)",
        "constant-audio-input-level" => "the microphone seems silent",
        "constant-audio-output-level" => "no sound from the caller",
        "ice-connectivity-lost" => "connection lost",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Effect as F;
    use Event as E;

    fn agent(name: &str) -> AgentId {
        AgentId::parse(name).unwrap()
    }

    fn a1() -> AgentId {
        agent("agent1")
    }

    fn a2() -> AgentId {
        agent("agent2")
    }

    fn sid(n: u8) -> CallSid {
        CallSid::parse(&format!("CA{:032x}", n)).unwrap()
    }

    /// Feeds events in order, returning the console and the effects of the last one.
    fn run(events: impl IntoIterator<Item = Event>) -> (Console, Vec<Effect>) {
        let mut c = Console::new();
        let mut last = vec![];
        for e in events {
            last = c.apply(e);
        }
        (c, last)
    }

    /// Registered, announced, and the server took the announcement.
    fn ready(who: AgentId) -> Console {
        run([E::Start(who), E::MicChecked(Mic::Ready), E::TabTimerFired(1), E::TokenReceived("tok".into()), E::Registered, E::PresenceSet])
            .0
    }

    fn ringing(who: AgentId) -> Console {
        let mut c = ready(who);
        c.apply(E::Incoming { call_sid: sid(1), from: "+15550001".into() });
        c
    }

    fn in_call(who: AgentId) -> Console {
        let mut c = ringing(who);
        c.apply(E::AnswerClicked);
        c.apply(E::Accepted);
        c
    }

    fn dialling() -> Console {
        let mut c = in_call(a1());
        c.apply(E::TransferRequested(consult("agent2")));
        c
    }

    fn no_call_buttons(c: &Console) -> bool {
        !c.can_answer() && !c.can_hang_up() && !c.can_transfer()
    }

    // --- starting and connecting -----------------------------------------------------------------

    #[test]
    fn a_new_console_is_offline_with_nothing_to_offer() {
        let c = Console::new();
        assert_eq!(c.status_text(), "Offline");
        assert!(!c.can_reconnect(), "nobody to reconnect as before the start");
        assert!(!c.phone_ready());
        assert!(no_call_buttons(&c));
        assert_eq!(c.me(), None);
    }

    #[test]
    fn starting_connects_the_phone_for_the_signed_in_agent_by_itself() {
        let (c, fx) = Console::started(a1());
        // First the microphone and the other tabs; the token once no tab holds the phone.
        assert_eq!(fx, vec![F::CheckMicrophone, F::PostTab(TabSignal::Ask), F::StartTabTimer { ms: ASK_MS, seq: 1 }]);
        assert_eq!(c.status_text(), "Connecting as agent1…");
        assert_eq!(c.me(), Some(&a1()));
        assert!(!c.can_reconnect());
        assert_eq!((c.clone(), fx), run([E::Start(a1())]));
        assert_eq!(c.transition(E::TabTimerFired(1)).1, vec![F::FetchToken(a1())]);
    }

    #[test]
    fn a_console_that_cannot_start_says_why_and_offers_nothing() {
        let mut c = Console::unusable("unusable identity 'x y'");
        assert_eq!(c.status_text(), "ERROR: unusable identity 'x y'");
        assert!(!c.can_reconnect());
        assert_eq!(c.apply(E::ReconnectClicked), vec![]);
        assert_eq!(c.apply(E::PresenceRequested(Wanted::Available)), vec![]);
    }

    #[test]
    fn a_second_start_changes_nothing() {
        let mut c = Console::started(a1()).0;
        let before = c.clone();
        assert_eq!(c.apply(E::Start(a2())), vec![]);
        assert_eq!(c, before);
        let mut c = ready(a1());
        assert_eq!(c.apply(E::Start(a2())), vec![]);
        assert_eq!(c.status_text(), "Connected as: agent1");
    }

    #[test]
    fn a_fetched_token_creates_and_registers_the_device() {
        let (c, fx) = run([E::Start(a1()), E::MicChecked(Mic::Ready), E::TabTimerFired(1), E::TokenReceived("tok".into())]);
        assert_eq!(fx, vec![F::CreateDevice { token: "tok".into() }]);
        assert!(matches!(c.phase(), Phase::Connecting { .. }));
    }

    #[test]
    fn a_token_that_cannot_be_fetched_shows_the_error_and_offers_to_reconnect() {
        let (c, fx) = run([E::Start(a1()), E::MicChecked(Mic::Ready), E::TabTimerFired(1), E::TokenFailed("no such agent".into())]);
        assert_eq!(fx, vec![]);
        assert_eq!(c.status_text(), "ERROR: no such agent");
        assert!(c.is_error());
        assert!(c.can_reconnect());
    }

    #[test]
    fn the_first_registration_shows_who_is_connected_and_announces_the_agent_available() {
        let (c, fx) = run([E::Start(a1()), E::MicChecked(Mic::Ready), E::TabTimerFired(1), E::TokenReceived("tok".into()), E::Registered]);
        assert_eq!(fx, vec![F::SetPresence(Wanted::Available)]);
        assert_eq!(c.status_text(), "Connected as: agent1");
        assert!(c.phone_ready());
        assert!(c.presence_pending());
        assert!(!c.can_reconnect());
        assert!(no_call_buttons(&c));
    }

    #[test]
    fn a_device_error_while_connecting_destroys_the_device_and_offers_to_reconnect() {
        let (c, fx) = run([
            E::Start(a2()),
            E::MicChecked(Mic::Ready),
            E::TabTimerFired(1),
            E::TokenReceived("tok".into()),
            E::DeviceError { code: Some(31204), message: "JWT is invalid".into() },
        ]);
        assert_eq!(fx, vec![F::DestroyDevice]);
        assert_eq!(c.status_text(), "ERROR: the access token is not valid");
        assert!(c.can_reconnect());
        assert!(!c.phone_ready());
    }

    #[test]
    fn a_second_report_of_the_same_failure_keeps_the_first_message() {
        let mut c = run([
            E::Start(a1()),
            E::MicChecked(Mic::Ready),
            E::TabTimerFired(1),
            E::DeviceError { code: Some(31204), message: "JWT is invalid".into() },
        ])
        .0;
        // register() rejecting after the `error` event.
        assert_eq!(c.apply(E::DeviceError { code: None, message: "other".into() }), vec![]);
        assert_eq!(c.status_text(), "ERROR: the access token is not valid");
    }

    #[test]
    fn a_device_error_while_ready_shows_the_error_and_destroys_the_device() {
        let mut c = ready(a1());
        let fx = c.apply(E::DeviceError { code: Some(20104), message: "Access Token expired".into() });
        assert_eq!(fx, vec![F::DestroyDevice, F::SetPresence(Wanted::Offline)]);
        assert_eq!(c.status_text(), "ERROR: the access token expired");
        assert!(c.can_reconnect());
    }

    #[test]
    fn unregistering_while_ready_goes_offline_tells_the_server_and_offers_to_reconnect() {
        let mut c = ready(a1());
        assert_eq!(c.apply(E::Unregistered), vec![F::DestroyDevice, F::SetPresence(Wanted::Offline)]);
        assert_eq!(c.status_text(), "Offline");
        assert!(c.can_reconnect());
        assert!(!c.phone_ready());
    }

    #[test]
    fn reconnect_clicks_are_ignored_while_connected_or_connecting() {
        let mut c = ready(a1());
        assert_eq!(c.apply(E::ReconnectClicked), vec![]);
        assert_eq!(c.status_text(), "Connected as: agent1");
        let mut c = Console::started(a1()).0;
        assert_eq!(c.apply(E::ReconnectClicked), vec![]);
        assert_eq!(Console::new().apply(E::ReconnectClicked), vec![]);
    }

    #[test]
    fn reconnecting_after_an_error_starts_from_a_fresh_token_for_the_same_agent() {
        let mut c = ready(a1());
        c.apply(E::DeviceError { code: None, message: "boom".into() });
        assert_eq!(c.apply(E::ReconnectClicked), vec![F::FetchToken(a1())]);
        assert_eq!(c.status_text(), "Connecting as agent1…");
    }

    #[test]
    fn registering_again_after_the_phone_was_gone_announces_the_agent_available_again() {
        let mut c = ready(a1());
        c.apply(E::Unregistered);
        c.apply(E::PresenceSet);
        c.apply(E::ReconnectClicked);
        c.apply(E::TokenReceived("tok2".into()));
        assert_eq!(c.apply(E::Registered), vec![F::SetPresence(Wanted::Available)], "the server knew them offline");
        assert_eq!(c.status_text(), "Connected as: agent1");
    }

    #[test]
    fn a_device_error_while_ready_tells_the_server_the_phone_is_gone() {
        let mut c = ready(a1());
        let fx = c.apply(E::DeviceError { code: Some(31005), message: "connection lost".into() });
        assert_eq!(fx, vec![F::DestroyDevice, F::SetPresence(Wanted::Offline)]);
        // A phone that never registered had announced nothing: nothing to take back.
        let mut c = Console::started(a1()).0;
        c.apply(E::TokenReceived("tok".into()));
        assert_eq!(c.apply(E::DeviceError { code: None, message: "boom".into() }), vec![F::DestroyDevice]);
    }

    #[test]
    fn a_phone_that_never_registered_announces_on_its_first_registration_after_a_reconnect() {
        let mut c = run([
            E::Start(a1()),
            E::MicChecked(Mic::Ready),
            E::TabTimerFired(1),
            E::TokenReceived("tok".into()),
            E::DeviceError { code: Some(31205), message: "expired".into() },
        ])
        .0;
        assert_eq!(c.apply(E::ReconnectClicked), vec![F::FetchToken(a1())]);
        c.apply(E::TokenReceived("tok2".into()));
        assert_eq!(c.apply(E::Registered), vec![F::SetPresence(Wanted::Available)]);
    }

    // --- presence ----------------------------------------------------------------------------------

    #[test]
    fn presence_changes_go_to_the_server_one_at_a_time() {
        let mut c = ready(a1());
        assert!(!c.presence_pending());
        assert_eq!(c.apply(E::PresenceRequested(Wanted::Away)), vec![F::SetPresence(Wanted::Away)]);
        assert!(c.presence_pending());
        assert_eq!(c.apply(E::PresenceRequested(Wanted::Available)), vec![], "a second click waits for the first");
        assert_eq!(c.apply(E::PresenceSet), vec![]);
        assert!(!c.presence_pending());
        assert_eq!(c.apply(E::PresenceRequested(Wanted::Available)), vec![F::SetPresence(Wanted::Available)]);
    }

    #[test]
    fn a_refused_presence_change_says_why_until_the_next_request() {
        let mut c = ready(a1());
        c.apply(E::PresenceRequested(Wanted::Away));
        assert_eq!(c.apply(E::PresenceRefused("you are on a call".into())), vec![]);
        assert_eq!(c.presence_error(), Some("you are on a call"));
        assert!(!c.presence_pending());
        // The phone is not affected.
        assert_eq!(c.status_text(), "Connected as: agent1");
        c.apply(E::PresenceRequested(Wanted::Away));
        assert_eq!(c.presence_error(), None);
    }

    #[test]
    fn a_refused_announcement_is_shown_like_any_refusal() {
        let (mut c, _) =
            run([E::Start(a1()), E::MicChecked(Mic::Ready), E::TabTimerFired(1), E::TokenReceived("tok".into()), E::Registered]);
        c.apply(E::PresenceRefused("you are on a call".into()));
        assert_eq!(c.presence_error(), Some("you are on a call"));
        assert_eq!(c.status_text(), "Connected as: agent1");
    }

    #[test]
    fn presence_answers_nobody_asked_for_are_ignored() {
        let mut c = ready(a1());
        let before = c.clone();
        assert_eq!(c.apply(E::PresenceSet), vec![]);
        assert_eq!(c.apply(E::PresenceRefused("late".into())), vec![]);
        assert_eq!(c, before);
    }

    #[test]
    fn presence_can_be_asked_for_while_the_phone_is_down_or_busy_but_not_before_the_start() {
        assert_eq!(Console::new().apply(E::PresenceRequested(Wanted::Away)), vec![]);
        let mut c = ready(a1());
        c.apply(E::DeviceError { code: None, message: "boom".into() });
        c.apply(E::PresenceSet);
        assert_eq!(c.apply(E::PresenceRequested(Wanted::Away)), vec![F::SetPresence(Wanted::Away)]);
        let mut c = in_call(a1());
        assert_eq!(c.apply(E::PresenceRequested(Wanted::Away)), vec![F::SetPresence(Wanted::Away)]);
        assert!(c.can_hang_up());
    }

    // --- an incoming call ----------------------------------------------------------------------------

    #[test]
    fn an_incoming_call_rings_and_enables_answer() {
        let mut c = ready(a1());
        let fx = c.apply(E::Incoming { call_sid: sid(1), from: "+15550001".into() });
        assert_eq!(fx, vec![F::WatchCall { call_sid: sid(1) }]);
        assert_eq!(c.status_text(), "Incoming support call");
        assert!(c.can_answer());
        assert!(!c.can_hang_up());
        assert!(!c.can_transfer());
    }

    #[test]
    fn clicking_answer_accepts_the_call_once() {
        let mut c = ringing(a1());
        assert_eq!(c.apply(E::AnswerClicked), vec![F::AcceptCall]);
        assert!(!c.can_answer());
        assert_eq!(c.status_text(), "Incoming support call · answering…");
        assert_eq!(c.apply(E::AnswerClicked), vec![]);
    }

    #[test]
    fn answering_an_incoming_call_puts_the_agent_in_call() {
        let c = in_call(a1());
        assert_eq!(c.status_text(), "In call with customer");
        assert!(c.can_hang_up());
        assert!(!c.can_answer());
        assert!(c.can_transfer());
    }

    #[test]
    fn the_caller_hanging_up_before_the_agent_answers_returns_to_ready_with_a_note() {
        let mut c = ringing(a1());
        assert_eq!(c.apply(E::Cancelled), vec![F::DisconnectCall]);
        assert_eq!(c.status_text(), "Connected as: agent1 · Call stopped ringing");
        assert!(no_call_buttons(&c));
    }

    #[test]
    fn a_new_call_clears_the_note_about_the_last_one() {
        let mut c = ringing(a1());
        c.apply(E::Cancelled);
        c.apply(E::Incoming { call_sid: sid(2), from: "+15550002".into() });
        assert_eq!(c.status_text(), "Incoming support call");
    }

    #[test]
    fn a_rejected_incoming_call_returns_to_ready() {
        let mut c = ringing(a1());
        assert_eq!(c.apply(E::Rejected), vec![F::DisconnectCall]);
        assert_eq!(c.status_text(), "Connected as: agent1");
    }

    #[test]
    fn a_call_error_while_answering_ends_that_call_with_a_note() {
        let mut c = ringing(a1());
        c.apply(E::AnswerClicked);
        let fx = c.apply(E::CallError { code: None, message: "Permission denied".into() });
        assert_eq!(fx, vec![F::DisconnectCall]);
        assert_eq!(c.status_text(), "Connected as: agent1 · Call failed: Permission denied");
        assert!(no_call_buttons(&c));
    }

    #[test]
    fn a_second_incoming_call_while_ringing_is_rejected_and_the_first_kept() {
        let mut c = ringing(a1());
        let before = c.clone();
        let fx = c.apply(E::Incoming { call_sid: sid(2), from: "+15550002".into() });
        assert_eq!(fx, vec![F::RejectIncoming { call_sid: sid(2) }]);
        assert_eq!(c, before);
    }

    #[test]
    fn a_second_incoming_call_while_in_call_is_rejected_and_the_current_call_kept() {
        let mut c = in_call(a1());
        let before = c.clone();
        let fx = c.apply(E::Incoming { call_sid: sid(2), from: "+15550002".into() });
        assert_eq!(fx, vec![F::RejectIncoming { call_sid: sid(2) }]);
        assert_eq!(c, before);
        assert!(c.can_hang_up());
    }

    #[test]
    fn the_current_call_reported_again_is_not_rejected() {
        let mut c = in_call(a1());
        assert_eq!(c.apply(E::Incoming { call_sid: sid(1), from: "+15550001".into() }), vec![]);
        assert!(c.can_hang_up());
    }

    #[test]
    fn an_incoming_call_before_registration_is_rejected() {
        let (c, fx) = run([
            E::Start(a1()),
            E::MicChecked(Mic::Ready),
            E::TabTimerFired(1),
            E::Incoming { call_sid: sid(1), from: "+15550001".into() },
        ]);
        assert_eq!(fx, vec![F::RejectIncoming { call_sid: sid(1) }]);
        assert!(matches!(c.phase(), Phase::Connecting { .. }));
    }

    // --- transfer steps -------------------------------------------------------------------------------

    fn consult(to: &str) -> TransferRequest {
        TransferRequest::to(CallAction::Consult, Target::Agent(agent(to)), Some("billing question"))
    }

    #[test]
    fn transfer_steps_are_asked_for_only_during_a_call() {
        assert!(!ready(a1()).can_transfer());
        assert!(!ringing(a1()).can_transfer());
        assert!(in_call(a2()).can_transfer(), "every agent may transfer, not only agent1");
        for mut c in [ready(a1()), ringing(a1())] {
            assert_eq!(c.apply(E::TransferRequested(consult("agent2"))), vec![]);
        }
    }

    #[test]
    fn a_consult_calls_the_server_and_shows_progress() {
        let mut c = in_call(a2());
        let fx = c.apply(E::TransferRequested(consult("agent3")));
        assert_eq!(fx, vec![F::CallTransferServer(consult("agent3"))]);
        assert_eq!(c.status_text(), "In call with customer · consult agent3…");
        assert_eq!(c.asking(), Some(&consult("agent3")));
        assert!(!c.can_transfer());
        assert!(c.can_hang_up());
    }

    #[test]
    fn whether_a_step_makes_sense_is_the_servers_to_say_and_its_refusal_is_shown() {
        // The console asks; the center refuses a transfer to oneself (and anything else that
        // makes no sense now), and the reason is shown.
        let mut c = in_call(a1());
        assert_eq!(c.apply(E::TransferRequested(consult("agent1"))), vec![F::CallTransferServer(consult("agent1"))]);
        c.apply(E::TransferFailed("you cannot transfer a call to yourself".into()));
        assert_eq!(c.status_text(), "In call with customer · could not consult agent1: you cannot transfer a call to yourself");
        assert!(c.can_transfer());
    }

    #[test]
    fn a_second_click_while_asking_does_nothing() {
        let mut c = dialling();
        assert_eq!(c.apply(E::TransferRequested(TransferRequest::step(CallAction::Cancel))), vec![]);
        assert_eq!(c.asking(), Some(&consult("agent2")));
    }

    #[test]
    fn a_step_the_server_took_returns_to_plain_in_call() {
        let mut c = dialling();
        assert_eq!(c.apply(E::TransferDone), vec![]);
        assert_eq!(c.status_text(), "In call with customer");
        assert!(c.can_transfer());
        assert_eq!(c.asking(), None);
    }

    #[test]
    fn a_refused_step_keeps_the_call_and_says_why() {
        let mut c = dialling();
        assert_eq!(c.apply(E::TransferFailed("agent2 is away; only an available agent can take a transfer".into())), vec![]);
        assert_eq!(
            c.status_text(),
            "In call with customer · could not consult agent2: agent2 is away; only an available agent can take a transfer"
        );
        assert!(c.can_hang_up());
        assert!(c.can_transfer());
    }

    #[test]
    fn mute_toggles_the_microphone_and_says_so() {
        let mut c = in_call(a1());
        assert_eq!(c.apply(E::MuteClicked), vec![F::MuteCall(true)]);
        assert!(c.muted());
        assert_eq!(c.status_text(), "In call with customer · muted");
        assert_eq!(c.apply(E::MuteClicked), vec![F::MuteCall(false)]);
        assert!(!c.muted());
        // No call, nothing to mute.
        assert_eq!(ready(a1()).apply(E::MuteClicked), vec![]);
    }

    #[test]
    fn the_keypad_sends_only_dtmf_keys_during_a_call() {
        let mut c = in_call(a1());
        let sent = |d: &str| vec![F::SendDigits(d.into()), F::PlayTones { digits: d.into(), sink: None }];
        assert_eq!(c.apply(E::DigitsPressed("1".into())), sent("1"));
        assert_eq!(c.apply(E::DigitsPressed("12#*w9<script>".into())), sent("12#*w9"));
        assert_eq!(c.apply(E::DigitsPressed("abc".into())), vec![]);
        assert_eq!(ready(a1()).apply(E::DigitsPressed("1".into())), vec![]);
    }

    #[test]
    fn errors_an_agent_can_act_on_read_as_sentences_others_keep_the_sdks_message() {
        assert_eq!(
            error_words(Some(31401), "Permission denied"),
            "the browser may not use the microphone: allow it in the site settings, then reconnect"
        );
        assert_eq!(
            error_words(Some(53405), "Media connection failed"),
            "the audio connection failed (the network or a firewall blocks it)"
        );
        assert_eq!(error_words(Some(31000), "General error"), "General error");
        assert_eq!(error_words(None, "boom"), "boom");
        let mut c = in_call(a1());
        c.apply(E::CallError { code: Some(31005), message: "Connection error".into() });
        assert_eq!(c.status_text(), "In call with customer · ERROR: the connection to Twilio was lost");
    }

    #[test]
    fn call_quality_warnings_show_in_plain_words_while_they_last() {
        let mut c = in_call(a1());
        c.apply(E::QualityWarning("high-rtt".into()));
        c.apply(E::QualityWarning("high-packet-loss".into()));
        c.apply(E::QualityWarning("high-rtt".into()));
        assert_eq!(c.status_text(), "In call with customer · poor connection: high delay, audio dropping out");
        c.apply(E::QualityCleared("high-rtt".into()));
        assert_eq!(c.status_text(), "In call with customer · poor connection: audio dropping out");
        c.apply(E::Reconnecting);
        assert_eq!(c.status_text(), "In call with customer · reconnecting…");
        c.apply(E::Reconnected);
        c.apply(E::QualityCleared("high-packet-loss".into()));
        assert_eq!(c.status_text(), "In call with customer");
        assert!(c.can_hang_up(), "a reconnect is not the end of the call");
        assert_eq!(quality_words("something-new"), "something-new");
    }

    // --- the call ending -------------------------------------------------------------------------------

    #[test]
    fn hanging_up_ends_this_agents_leg_and_returns_to_ready() {
        let mut c = in_call(a1());
        assert_eq!(c.apply(E::HangupClicked), vec![F::DisconnectCall]);
        assert_eq!(c.status_text(), "Connected as: agent1");
        assert!(no_call_buttons(&c));
        // The SDK's own `disconnect` after our hang-up changes nothing.
        assert_eq!(c.apply(E::Disconnected), vec![]);
    }

    #[test]
    fn the_call_ending_returns_to_ready_with_the_call_buttons_disabled() {
        let mut c = in_call(a1());
        assert_eq!(c.apply(E::Disconnected), vec![F::DisconnectCall]);
        assert_eq!(c.status_text(), "Connected as: agent1");
        assert!(no_call_buttons(&c));
        assert!(c.phone_ready());
    }

    #[test]
    fn a_disconnect_while_dialling_returns_to_ready_and_ignores_the_late_dial_result() {
        let mut c = dialling();
        assert_eq!(c.apply(E::Disconnected), vec![F::DisconnectCall]);
        let after = c.clone();
        assert_eq!(c.apply(E::TransferDone), vec![]);
        assert_eq!(c.apply(E::TransferFailed("late".into())), vec![]);
        assert_eq!(c, after);
        assert_eq!(c.status_text(), "Connected as: agent1");
    }

    #[test]
    fn an_error_during_a_call_keeps_the_call_and_shows_the_error() {
        let mut c = in_call(a1());
        assert_eq!(c.apply(E::CallError { code: None, message: "ICE failed".into() }), vec![]);
        assert_eq!(c.status_text(), "In call with customer · ERROR: ICE failed");
        assert!(c.can_hang_up());
        assert!(!c.can_reconnect());
        assert!(!c.is_error(), "the line is not an error state: the call goes on");
    }

    #[test]
    fn a_device_error_during_a_call_keeps_the_call() {
        let mut c = in_call(a1());
        let fx = c.apply(E::DeviceError { code: Some(31005), message: "connection lost".into() });
        assert_eq!(fx, vec![]);
        assert_eq!(c.status_text(), "In call with customer · ERROR: the connection to Twilio was lost");
        assert!(c.can_hang_up());
    }

    #[test]
    fn unregistering_during_a_call_keeps_the_call_and_goes_offline_after_it() {
        let mut c = in_call(a1());
        assert_eq!(c.apply(E::Unregistered), vec![]);
        assert!(c.can_hang_up());
        assert!(!c.phone_ready());
        assert_eq!(c.apply(E::HangupClicked), vec![F::DisconnectCall, F::DestroyDevice, F::SetPresence(Wanted::Offline)]);
        assert_eq!(c.status_text(), "Offline");
        assert!(c.can_reconnect());
    }

    #[test]
    fn registering_again_during_a_call_lands_on_ready_after_it() {
        let mut c = in_call(a1());
        c.apply(E::Unregistered);
        assert_eq!(c.apply(E::Registered), vec![]);
        assert_eq!(c.apply(E::Disconnected), vec![F::DisconnectCall]);
        assert_eq!(c.status_text(), "Connected as: agent1");
    }

    // --- the access token ------------------------------------------------------------------------------

    #[test]
    fn a_token_about_to_expire_is_refreshed_and_handed_to_the_device() {
        let mut c = ready(a1());
        assert_eq!(c.apply(E::TokenWillExpire), vec![F::RefreshToken(a1())]);
        assert_eq!(c.apply(E::TokenRefreshed("new".into())), vec![F::UpdateToken("new".into())]);
        assert_eq!(c.status_text(), "Connected as: agent1");
    }

    #[test]
    fn the_token_expiring_mid_call_is_refreshed_without_dropping_the_call() {
        let mut c = dialling();
        let before = c.phase().clone();
        assert_eq!(c.apply(E::TokenWillExpire), vec![F::RefreshToken(a1())]);
        assert_eq!(c.apply(E::TokenRefreshed("new".into())), vec![F::UpdateToken("new".into())]);
        assert_eq!(c.phase(), &before);
        assert!(c.can_hang_up());
    }

    #[test]
    fn a_refresh_already_under_way_is_not_started_twice() {
        let mut c = ready(a1());
        c.apply(E::TokenWillExpire);
        assert_eq!(c.apply(E::TokenWillExpire), vec![]);
        c.apply(E::TokenRefreshed("new".into()));
        assert_eq!(c.apply(E::TokenWillExpire), vec![F::RefreshToken(a1())]);
    }

    #[test]
    fn a_failed_token_refresh_keeps_the_call_and_says_so() {
        let mut c = in_call(a1());
        c.apply(E::TokenWillExpire);
        assert_eq!(c.apply(E::TokenRefreshFailed("server down".into())), vec![]);
        assert!(c.can_hang_up());
        assert_eq!(c.status_text(), "In call with customer · could not refresh the access token: server down");
        // It may be tried again on the next warning.
        assert_eq!(c.apply(E::TokenWillExpire), vec![F::RefreshToken(a1())]);
    }

    #[test]
    fn a_refreshed_token_arriving_after_going_offline_is_dropped() {
        let mut c = ready(a1());
        c.apply(E::TokenWillExpire);
        c.apply(E::Unregistered);
        assert_eq!(c.apply(E::TokenRefreshed("late".into())), vec![]);
        assert_eq!(c.status_text(), "Offline");
    }

    #[test]
    fn transition_leaves_the_original_console_untouched() {
        let c = ready(a1());
        let (next, fx) = c.transition(E::Incoming { call_sid: sid(3), from: "+1".into() });
        assert_eq!(c.status_text(), "Connected as: agent1");
        assert_eq!(next.status_text(), "Incoming support call");
        assert_eq!(fx, vec![F::WatchCall { call_sid: sid(3) }]);
    }

    // --- the microphone, before the first call ----------------------------------------------------

    fn registered_with(mic: Option<Mic>) -> (Console, Vec<Effect>) {
        let mut c = Console::started(a1()).0;
        if let Some(mic) = mic {
            c.apply(E::MicChecked(mic));
        }
        c.apply(E::TabTimerFired(1));
        c.apply(E::TokenReceived("tok".into()));
        let fx = c.apply(E::Registered);
        (c, fx)
    }

    #[test]
    fn a_blocked_microphone_is_told_before_any_call_and_the_agent_is_not_announced() {
        for (mic, words) in [
            (Mic::Denied, "the microphone is blocked for this site"),
            (Mic::Missing, "no microphone found: plug in a headset"),
            (Mic::Unusable("in use by another program".into()), "in use by another program"),
        ] {
            let (mut c, fx) = registered_with(Some(mic.clone()));
            assert_eq!(fx, vec![], "{mic:?}: no caller is put through to a silent agent");
            assert!(c.mic_problem().unwrap().contains(words), "{mic:?}: {:?}", c.mic_problem());
            assert!(c.phone_ready(), "the phone itself is fine");
            // Asking to be available says why not.
            assert_eq!(c.apply(E::PresenceRequested(Wanted::Available)), vec![]);
            assert!(c.presence_error().unwrap().starts_with("not available: "), "{:?}", c.presence_error());
            // Away is fine.
            assert_eq!(c.apply(E::PresenceRequested(Wanted::Away)), vec![F::SetPresence(Wanted::Away)]);
        }
    }

    #[test]
    fn once_the_microphone_is_allowed_the_agent_is_announced() {
        let (mut c, _) = registered_with(Some(Mic::Denied));
        assert_eq!(c.apply(E::CheckMicClicked), vec![F::CheckMicrophone]);
        assert_eq!(c.apply(E::MicChecked(Mic::Ready)), vec![F::SetPresence(Wanted::Available)]);
        assert_eq!(c.mic_problem(), None);
        assert_eq!(c.presence_error(), None);
        c.apply(E::PresenceSet);
        assert_eq!(c.apply(E::MicChecked(Mic::Ready)), vec![], "announced once");
    }

    #[test]
    fn the_announcement_waits_for_the_microphone_check_whichever_comes_last() {
        let (mut c, fx) = registered_with(None);
        assert_eq!(fx, vec![], "the check has not answered yet");
        assert_eq!(c.apply(E::MicChecked(Mic::Ready)), vec![F::SetPresence(Wanted::Available)]);
        let (_, fx) = registered_with(Some(Mic::Ready));
        assert_eq!(fx, vec![F::SetPresence(Wanted::Available)]);
    }

    // --- one phone among the agent's tabs ----------------------------------------------------------

    fn heard(from: u64, earlier: bool, signal: TabSignal) -> Event {
        E::TabHeard { from: TabId(from), earlier, signal }
    }

    /// A second tab, started while another tab holds the phone.
    fn second_tab() -> Console {
        let mut c = Console::started(a1()).0;
        c.apply(E::MicChecked(Mic::Ready));
        let fx = c.apply(heard(1, true, TabSignal::Held { busy: false }));
        assert_eq!(fx, vec![F::StartTabTimer { ms: WATCH_MS, seq: 2 }], "it looks again later");
        c
    }

    #[test]
    fn a_tab_opened_while_another_holds_the_phone_says_so_and_registers_nothing() {
        let mut c = second_tab();
        assert_eq!(c.status_text(), "Phone open in another tab");
        assert!(c.can_take_over());
        assert!(!c.phone_ready());
        assert!(!c.can_reconnect());
        assert_eq!(c.apply(E::TabTimerFired(1)), vec![], "the ask timer is stale once answered");
        assert_eq!(c.apply(E::Incoming { call_sid: sid(1), from: "+1555".into() }), vec![F::RejectIncoming { call_sid: sid(1) }]);
    }

    #[test]
    fn the_holding_tab_answers_others_and_says_whether_it_is_on_a_call() {
        let mut c = ready(a1());
        assert_eq!(c.apply(heard(9, false, TabSignal::Ask)), vec![F::PostTab(TabSignal::Held { busy: false })]);
        let mut c = in_call(a1());
        assert_eq!(c.apply(heard(9, false, TabSignal::Ask)), vec![F::PostTab(TabSignal::Held { busy: true })]);
    }

    #[test]
    fn taking_the_phone_over_moves_it_cleanly_from_the_other_tab() {
        // The tab that takes it over asks, and connects once released...
        let mut taker = second_tab();
        assert_eq!(taker.apply(E::TakeOverClicked), vec![F::PostTab(TabSignal::Take), F::StartTabTimer { ms: TAKE_MS, seq: 3 }]);
        assert_eq!(taker.status_text(), "Taking the phone over from the other tab…");
        assert!(!taker.can_take_over());
        assert_eq!(taker.apply(heard(1, true, TabSignal::Released { to: None })), vec![F::FetchToken(a1())]);
        taker.apply(E::TokenReceived("tok".into()));
        assert_eq!(taker.apply(E::Registered), vec![], "the agent's presence is the other tab's: nothing announced");
        assert_eq!(taker.status_text(), "Connected as: agent1");
        // ...and the holder gives it up without telling the server the agent is offline.
        let mut holder = ready(a1());
        let fx = holder.apply(heard(5, false, TabSignal::Take));
        assert_eq!(
            fx,
            vec![F::StartTabTimer { ms: WATCH_MS, seq: 3 }, F::DestroyDevice, F::PostTab(TabSignal::Released { to: Some(TabId(5)) })]
        );
        assert_eq!(holder.status_text(), "Phone open in another tab · Phone moved to another tab");
        assert!(holder.can_take_over());
        assert!(!holder.phone_ready());
        assert_eq!(holder.apply(heard(5, false, TabSignal::Ask)), vec![], "it holds nothing now");
    }

    #[test]
    fn a_tab_on_a_call_keeps_the_phone_and_the_other_tab_says_why() {
        let mut holder = in_call(a1());
        assert_eq!(holder.apply(heard(5, false, TabSignal::Take)), vec![F::PostTab(TabSignal::Refused { to: TabId(5) })]);
        assert!(holder.can_hang_up(), "the call goes on");
        let mut taker = second_tab();
        taker.apply(E::TakeOverClicked);
        assert_eq!(taker.apply(heard(1, true, TabSignal::Refused { to: TabId(9) })), vec![F::StartTabTimer { ms: WATCH_MS, seq: 4 }]);
        assert_eq!(taker.status_text(), "Phone open in another tab · The other tab is on a call: take the phone over once it ends");
        assert!(taker.can_take_over(), "it may ask again");
    }

    #[test]
    fn a_holder_that_never_answers_is_taken_over_after_the_timer() {
        let mut taker = second_tab();
        taker.apply(E::TakeOverClicked);
        assert_eq!(taker.apply(E::TabTimerFired(2)), vec![], "a stale timer");
        assert_eq!(taker.apply(E::TabTimerFired(3)), vec![F::FetchToken(a1())]);
    }

    #[test]
    fn when_the_holding_tab_closes_the_others_settle_who_takes_the_phone() {
        let mut holder = ready(a1());
        assert_eq!(holder.apply(E::PageClosing), vec![F::PostTab(TabSignal::Released { to: None })]);
        let mut other = second_tab();
        let fx = other.apply(heard(1, true, TabSignal::Released { to: None }));
        assert_eq!(fx, vec![F::PostTab(TabSignal::Ask), F::StartTabTimer { ms: ASK_MS, seq: 3 }]);
        assert_eq!(other.apply(E::TabTimerFired(3)), vec![F::FetchToken(a1())]);
        assert_eq!(second_tab().apply(E::PageClosing), vec![], "a tab without the phone has nothing to release");
    }

    #[test]
    fn a_holder_gone_without_a_word_is_found_by_the_periodic_look_and_the_phone_taken() {
        let mut other = second_tab();
        other.apply(E::TakeOverClicked);
        other.apply(heard(1, true, TabSignal::Refused { to: TabId(9) }));
        // The holder is still there: it answers, and the note stays.
        assert_eq!(other.apply(E::TabTimerFired(4)), vec![F::PostTab(TabSignal::Ask), F::StartTabTimer { ms: ASK_MS, seq: 5 }]);
        assert_eq!(other.apply(heard(1, true, TabSignal::Held { busy: true })), vec![F::StartTabTimer { ms: WATCH_MS, seq: 6 }]);
        assert_eq!(other.status_text(), "Phone open in another tab · The other tab is on a call: take the phone over once it ends");
        other.apply(E::TabTimerFired(6));
        other.apply(heard(1, true, TabSignal::Held { busy: false }));
        assert_eq!(other.status_text(), "Phone open in another tab", "the call there is over");
        // Then it crashes: the next look goes unanswered, and this tab takes the phone.
        assert_eq!(other.apply(E::TabTimerFired(8)), vec![F::PostTab(TabSignal::Ask), F::StartTabTimer { ms: ASK_MS, seq: 9 }]);
        assert_eq!(other.apply(E::TabTimerFired(9)), vec![F::FetchToken(a1())]);
    }

    #[test]
    fn of_two_tabs_starting_together_the_earlier_one_claims_the_phone() {
        let mut early = Console::started(a1()).0;
        assert_eq!(early.apply(heard(9, false, TabSignal::Ask)), vec![F::PostTab(TabSignal::Held { busy: false })]);
        assert_eq!(early.apply(E::TabTimerFired(1)), vec![F::FetchToken(a1())]);
        let mut late = Console::started(a1()).0;
        assert_eq!(late.apply(heard(1, true, TabSignal::Ask)), vec![], "waits for the earlier tab's claim");
        late.apply(heard(1, true, TabSignal::Held { busy: false }));
        assert!(late.can_take_over());
    }

    // --- audio devices and local sounds ------------------------------------------------------------

    #[test]
    fn the_keypad_plays_its_tones_on_the_speaker_in_use() {
        let mut c = in_call(a1());
        c.apply(E::AudioListed {
            microphones: vec![],
            speakers: vec![AudioDevice::new("default", "Default"), AudioDevice::new("hs", "Headset")],
        });
        let fx = c.apply(E::AudioChosen { kind: Kind::Speaker, id: "hs".into() });
        assert_eq!(
            fx,
            vec![
                F::Audio(AudioEffect::Save { kind: Kind::Speaker, chosen: Some(AudioDevice::new("hs", "Headset")) }),
                F::Audio(AudioEffect::Use { kind: Kind::Speaker, id: Some("hs".into()) })
            ]
        );
        assert_eq!(
            c.apply(E::DigitsPressed("1#".into())),
            vec![F::SendDigits("1#".into()), F::PlayTones { digits: "1#".into(), sink: Some("hs".into()) }]
        );
        assert_eq!(c.apply(E::TestSpeakerClicked), vec![F::PlayTestTone { sink: Some("hs".into()) }]);
    }

    #[test]
    fn a_kept_choice_is_used_by_every_new_phone_device() {
        let headset = AudioDevice::new("hs", "Headset");
        let mut c = Console::started(a1()).0;
        c.apply(E::AudioRestored { microphone: Some(headset.clone()), speaker: None });
        c.apply(E::MicChecked(Mic::Ready));
        c.apply(E::TabTimerFired(1));
        c.apply(E::TokenReceived("tok".into()));
        let listed = E::AudioListed { microphones: vec![AudioDevice::new("default", "Default"), headset.clone()], speakers: vec![] };
        assert_eq!(c.apply(listed.clone()), vec![F::Audio(AudioEffect::Use { kind: Kind::Microphone, id: Some("hs".into()) })]);
        // The phone is lost and reconnected: the new device is told again.
        c.apply(E::Registered);
        c.apply(E::Unregistered);
        c.apply(E::ReconnectClicked);
        c.apply(E::TokenReceived("tok2".into()));
        assert_eq!(c.apply(listed), vec![F::Audio(AudioEffect::Use { kind: Kind::Microphone, id: Some("hs".into()) })]);
        c.apply(E::AudioRefused { kind: Kind::Microphone, message: "Device not found: hs".into() });
        assert_eq!(c.audio().microphone.selected(), "default");
    }
}
