//! The agent console as a plain state machine: no web types, no feature gates.
//!
//! Why a state machine apart from the component: the awkward cases (the caller hanging up before
//! the agent answers, a token expiring mid-call, a second call while busy, results arriving after
//! the call they were for has ended) are decided here once and tested natively, and the Leptos
//! component only feeds [`Event`]s in and carries out the [`Effect`]s that come back.
//!
//! Effects must be run after the new state is stored (never from inside a signal update): the
//! SDK may call back synchronously while an effect runs.

use crate::ids::{AgentId, CallSid};

/// The agent who takes customer calls first and may bring a colleague in.
pub const FIRST_AGENT: &str = "agent1";
/// The agent the first agent dials into a call.
pub const SECOND_AGENT: &str = "agent2";

pub fn first_agent() -> AgentId {
    AgentId::parse(FIRST_AGENT).expect("FIRST_AGENT is a valid identity")
}

pub fn second_agent() -> AgentId {
    AgentId::parse(SECOND_AGENT).expect("SECOND_AGENT is a valid identity")
}

/// Whom `agent` may dial into their call, if anyone. A function rather than a flag so the rule
/// can grow (teams, supervisors) without touching the machine; today agent1 dials agent2 only.
pub fn dial_target(agent: &AgentId) -> Option<AgentId> {
    (agent.as_str() == FIRST_AGENT).then(second_agent)
}

/// Where the console is. Agent and call live inside the phases that have them, so a state
/// such as "in a call but not connected as anyone" cannot be written down.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Phase {
    /// No device. Connect buttons on.
    #[default]
    Offline,
    /// Fetching a token, then creating and registering the device.
    Connecting { agent: AgentId },
    /// Registered and waiting for calls; `note` says how the last call ended, if worth saying.
    Ready {
        agent: AgentId,
        note: Option<String>,
    },
    /// A customer call is ringing; `answering` once accept() was asked for.
    Ringing {
        agent: AgentId,
        call_sid: CallSid,
        from: String,
        answering: bool,
        note: Option<String>,
    },
    /// Talking to the customer; `dialling` while the server is ringing the second agent.
    InCall {
        agent: AgentId,
        call_sid: CallSid,
        from: String,
        dialling: Option<AgentId>,
        note: Option<String>,
    },
    /// Not connected because something failed. No device. Connect buttons on.
    Error { message: String },
}

/// Everything that can happen to the console: clicks, SDK events, server-function results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    ConnectRequested(AgentId),
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
    /// Call `cancel`: the caller hung up before the agent answered.
    Cancelled,
    /// Call `reject`.
    Rejected,
    /// Call `disconnect`.
    Disconnected,
    /// Call `error`.
    CallError {
        message: String,
    },
    HangupClicked,
    DialRequested,
    DialSucceeded,
    DialFailed(String),
    /// Device `tokenWillExpire`.
    TokenWillExpire,
    /// The token fetched for a refresh (answer to [`Effect::RefreshToken`]).
    TokenRefreshed(String),
    TokenRefreshFailed(String),
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
    /// Call the dial-agent server function; feed back `DialSucceeded` or `DialFailed`.
    CallDialServer { from: AgentId, to: AgentId },
}

/// The console: its phase plus two facts that outlive phases.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Console {
    phase: Phase,
    /// The device may unregister in the middle of a call; the call goes on, and this says
    /// where to land when it ends (Ready or Offline).
    registered: bool,
    /// A token refresh is under way: a second `tokenWillExpire` must not start another.
    refreshing_token: bool,
}

impl Console {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The agent this console is (or is becoming) connected as.
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
            (P::Offline | P::Error { .. }, E::ConnectRequested(agent)) => {
                self.registered = false;
                self.refreshing_token = false;
                self.phase = P::Connecting {
                    agent: agent.clone(),
                };
                vec![F::FetchToken(agent)]
            }
            (P::Connecting { .. }, E::TokenReceived(token)) => vec![F::CreateDevice { token }],
            (P::Connecting { .. }, E::TokenFailed(message)) => {
                self.phase = P::Error { message };
                vec![]
            }
            (P::Connecting { agent }, E::Registered) => {
                self.registered = true;
                self.phase = P::Ready {
                    agent: agent.clone(),
                    note: None,
                };
                vec![]
            }
            (P::Ready { .. } | P::Ringing { .. } | P::InCall { .. }, E::Registered) => {
                self.registered = true;
                vec![]
            }

            // --- losing the device ------------------------------------------------------------
            // With no call to protect, a device that errored or went offline is thrown away and
            // the connect buttons come back: reconnecting starts from a fresh token.
            (P::Connecting { .. } | P::Ready { .. }, E::DeviceError { message, .. }) => {
                self.go_without_device(P::Error { message })
            }
            (P::Connecting { .. } | P::Ready { .. }, E::Unregistered) => {
                self.go_without_device(P::Offline)
            }
            // During a call the media may well survive a signalling problem: keep the call.
            (P::Ringing { note, .. } | P::InCall { note, .. }, E::DeviceError { message, .. }) => {
                *note = Some(format!("ERROR: {message}"));
                vec![]
            }
            (P::Ringing { note, .. } | P::InCall { note, .. }, E::Unregistered) => {
                self.registered = false;
                *note = Some("Offline: reconnect after this call".into());
                vec![]
            }

            // --- an incoming call ---------------------------------------------------------------
            (P::Ready { agent, .. }, E::Incoming { call_sid, from }) => {
                self.phase = P::Ringing {
                    agent: agent.clone(),
                    call_sid: call_sid.clone(),
                    from,
                    answering: false,
                    note: None,
                };
                vec![F::WatchCall { call_sid }]
            }
            // The same call reported twice must not be mistaken for a second call and rejected.
            (
                P::Ringing {
                    call_sid: current, ..
                }
                | P::InCall {
                    call_sid: current, ..
                },
                E::Incoming { call_sid, .. },
            ) if *current == call_sid => {
                vec![]
            }
            // Busy (or not ready): turn the new call away so Twilio can route it elsewhere now
            // rather than let it ring into nothing; the current call is untouched.
            (_, E::Incoming { call_sid, .. }) => vec![F::RejectIncoming { call_sid }],

            (P::Ringing { answering, .. }, E::AnswerClicked) if !*answering => {
                *answering = true;
                vec![F::AcceptCall]
            }
            (
                P::Ringing {
                    agent,
                    call_sid,
                    from,
                    note,
                    ..
                },
                E::Accepted,
            ) => {
                self.phase = P::InCall {
                    agent: agent.clone(),
                    call_sid: call_sid.clone(),
                    from: std::mem::take(from),
                    dialling: None,
                    note: note.take(),
                };
                vec![]
            }
            (P::Ringing { agent, .. }, E::Cancelled) => {
                let agent = agent.clone();
                self.end_call(agent, Some("Caller hung up".into()))
            }
            (P::Ringing { agent, .. }, E::Rejected | E::Disconnected) => {
                let agent = agent.clone();
                self.end_call(agent, None)
            }
            (P::Ringing { agent, .. }, E::CallError { message }) => {
                let agent = agent.clone();
                self.end_call(agent, Some(format!("Call failed: {message}")))
            }

            // --- in a call ------------------------------------------------------------------------
            (P::InCall { agent, .. }, E::HangupClicked | E::Disconnected) => {
                let agent = agent.clone();
                self.end_call(agent, None)
            }
            // Not every call error ends the call; keep it, show the error, Hang up stays on.
            (P::InCall { note, .. }, E::CallError { message }) => {
                *note = Some(format!("ERROR: {message}"));
                vec![]
            }
            (
                P::InCall {
                    agent,
                    dialling: dialling @ None,
                    note,
                    ..
                },
                E::DialRequested,
            ) => match dial_target(agent) {
                Some(to) => {
                    *dialling = Some(to.clone());
                    *note = None;
                    vec![F::CallDialServer {
                        from: agent.clone(),
                        to,
                    }]
                }
                None => vec![],
            },
            (
                P::InCall {
                    dialling: dialling @ Some(_),
                    ..
                },
                E::DialSucceeded,
            ) => {
                *dialling = None;
                vec![]
            }
            (
                P::InCall {
                    dialling: dialling @ Some(_),
                    note,
                    ..
                },
                E::DialFailed(message),
            ) => {
                let to = dialling.take().expect("matched Some");
                *note = Some(format!("could not dial {to}: {message}"));
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
                if let P::Ready { note, .. } | P::Ringing { note, .. } | P::InCall { note, .. } =
                    phase
                {
                    *note = Some(format!("could not refresh the access token: {message}"));
                }
                vec![]
            }

            // Anything else is a stale or impossible event (a dial result after the call ended,
            // a click on a disabled button): ignored, so late answers cannot corrupt the state.
            _ => vec![],
        }
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
            effects.extend(self.go_without_device(Phase::Offline));
            effects
        }
    }

    // --- what the view shows ---------------------------------------------------------------------

    /// The text of `#call-status`.
    pub fn status_text(&self) -> String {
        let (head, extra): (String, Vec<String>) = match &self.phase {
            Phase::Offline => ("Offline".into(), vec![]),
            Phase::Connecting { agent } => (format!("Connecting as {agent}…"), vec![]),
            Phase::Ready { agent, note } => (
                format!("Connected as: {agent}"),
                note.iter().cloned().collect(),
            ),
            Phase::Ringing {
                answering, note, ..
            } => {
                let mut extra: Vec<String> =
                    answering.then(|| "answering…".into()).into_iter().collect();
                extra.extend(note.iter().cloned());
                ("Incoming support call".into(), extra)
            }
            Phase::InCall { dialling, note, .. } => {
                let mut extra: Vec<String> = dialling
                    .iter()
                    .map(|to| format!("dialling {to}…"))
                    .collect();
                extra.extend(note.iter().cloned());
                ("In call with customer".into(), extra)
            }
            Phase::Error { message } => (format!("ERROR: {message}"), vec![]),
        };
        std::iter::once(head)
            .chain(extra)
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// Both connect buttons.
    pub fn can_connect(&self) -> bool {
        matches!(self.phase, Phase::Offline | Phase::Error { .. })
    }

    pub fn can_answer(&self) -> bool {
        matches!(
            self.phase,
            Phase::Ringing {
                answering: false,
                ..
            }
        )
    }

    pub fn can_hang_up(&self) -> bool {
        matches!(self.phase, Phase::InCall { .. })
    }

    /// "Dial agent 2 in" is enabled.
    pub fn can_dial_second_agent(&self) -> bool {
        match &self.phase {
            Phase::InCall {
                agent,
                dialling: None,
                ..
            } => dial_target(agent).is_some(),
            _ => false,
        }
    }

    /// "Dial agent 2 in" is on the page at all: only for an agent who has someone to dial.
    pub fn shows_dial_button(&self) -> bool {
        self.agent().is_some_and(|a| dial_target(a).is_some())
    }
}

fn agent_of(phase: &Phase) -> Option<&AgentId> {
    match phase {
        Phase::Connecting { agent }
        | Phase::Ready { agent, .. }
        | Phase::Ringing { agent, .. }
        | Phase::InCall { agent, .. } => Some(agent),
        Phase::Offline | Phase::Error { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Effect as F;
    use Event as E;

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

    fn ready(agent: AgentId) -> Console {
        run([
            E::ConnectRequested(agent),
            E::TokenReceived("tok".into()),
            E::Registered,
        ])
        .0
    }

    fn ringing(agent: AgentId) -> Console {
        let mut c = ready(agent);
        c.apply(E::Incoming {
            call_sid: sid(1),
            from: "+15550001".into(),
        });
        c
    }

    fn in_call(agent: AgentId) -> Console {
        let mut c = ringing(agent);
        c.apply(E::AnswerClicked);
        c.apply(E::Accepted);
        c
    }

    fn dialling() -> Console {
        let mut c = in_call(first_agent());
        c.apply(E::DialRequested);
        c
    }

    fn no_call_buttons(c: &Console) -> bool {
        !c.can_answer() && !c.can_hang_up() && !c.can_dial_second_agent()
    }

    #[test]
    fn a_new_console_is_offline_and_offers_the_connect_buttons() {
        let c = Console::new();
        assert_eq!(c.status_text(), "Offline");
        assert!(c.can_connect());
        assert!(no_call_buttons(&c));
        assert!(!c.shows_dial_button());
    }

    #[test]
    fn connecting_fetches_a_token_for_that_agent() {
        let (c, fx) = run([E::ConnectRequested(first_agent())]);
        assert_eq!(fx, vec![F::FetchToken(first_agent())]);
        assert_eq!(c.status_text(), "Connecting as agent1…");
        assert!(!c.can_connect());
    }

    #[test]
    fn a_fetched_token_creates_and_registers_the_device() {
        let (c, fx) = run([
            E::ConnectRequested(first_agent()),
            E::TokenReceived("tok".into()),
        ]);
        assert_eq!(
            fx,
            vec![F::CreateDevice {
                token: "tok".into()
            }]
        );
        assert!(matches!(c.phase(), Phase::Connecting { .. }));
    }

    #[test]
    fn a_token_that_cannot_be_fetched_shows_the_error_and_brings_back_the_connect_buttons() {
        let (c, fx) = run([
            E::ConnectRequested(first_agent()),
            E::TokenFailed("no such agent".into()),
        ]);
        assert_eq!(fx, vec![]);
        assert_eq!(c.status_text(), "ERROR: no such agent");
        assert!(c.can_connect());
    }

    #[test]
    fn registering_shows_who_the_agent_is_connected_as() {
        let c = ready(first_agent());
        assert_eq!(c.status_text(), "Connected as: agent1");
        assert!(!c.can_connect());
        assert!(no_call_buttons(&c));
    }

    #[test]
    fn a_device_error_while_connecting_destroys_the_device_and_brings_back_the_connect_buttons() {
        let (c, fx) = run([
            E::ConnectRequested(second_agent()),
            E::TokenReceived("tok".into()),
            E::DeviceError {
                code: Some(31204),
                message: "JWT is invalid".into(),
            },
        ]);
        assert_eq!(fx, vec![F::DestroyDevice]);
        assert_eq!(c.status_text(), "ERROR: JWT is invalid");
        assert!(c.can_connect());
    }

    #[test]
    fn a_second_report_of_the_same_failure_keeps_the_first_message() {
        let mut c = run([
            E::ConnectRequested(first_agent()),
            E::DeviceError {
                code: Some(31204),
                message: "JWT is invalid".into(),
            },
        ])
        .0;
        // register() rejecting after the `error` event.
        assert_eq!(
            c.apply(E::DeviceError {
                code: None,
                message: "other".into()
            }),
            vec![]
        );
        assert_eq!(c.status_text(), "ERROR: JWT is invalid");
    }

    #[test]
    fn a_device_error_while_ready_shows_the_error_and_destroys_the_device() {
        let mut c = ready(first_agent());
        let fx = c.apply(E::DeviceError {
            code: Some(20104),
            message: "Access Token expired".into(),
        });
        assert_eq!(fx, vec![F::DestroyDevice]);
        assert_eq!(c.status_text(), "ERROR: Access Token expired");
        assert!(c.can_connect());
    }

    #[test]
    fn unregistering_while_ready_goes_offline_and_brings_back_the_connect_buttons() {
        let mut c = ready(first_agent());
        assert_eq!(c.apply(E::Unregistered), vec![F::DestroyDevice]);
        assert_eq!(c.status_text(), "Offline");
        assert!(c.can_connect());
        assert!(!c.shows_dial_button());
    }

    #[test]
    fn connect_clicks_are_ignored_while_already_connected() {
        let mut c = ready(first_agent());
        assert_eq!(c.apply(E::ConnectRequested(second_agent())), vec![]);
        assert_eq!(c.status_text(), "Connected as: agent1");
    }

    #[test]
    fn reconnecting_after_an_error_starts_from_a_fresh_token() {
        let mut c = ready(first_agent());
        c.apply(E::DeviceError {
            code: None,
            message: "boom".into(),
        });
        assert_eq!(
            c.apply(E::ConnectRequested(first_agent())),
            vec![F::FetchToken(first_agent())]
        );
        assert_eq!(c.status_text(), "Connecting as agent1…");
    }

    #[test]
    fn an_incoming_call_rings_and_enables_answer() {
        let mut c = ready(first_agent());
        let fx = c.apply(E::Incoming {
            call_sid: sid(1),
            from: "+15550001".into(),
        });
        assert_eq!(fx, vec![F::WatchCall { call_sid: sid(1) }]);
        assert_eq!(c.status_text(), "Incoming support call");
        assert!(c.can_answer());
        assert!(!c.can_hang_up());
    }

    #[test]
    fn clicking_answer_accepts_the_call_once() {
        let mut c = ringing(first_agent());
        assert_eq!(c.apply(E::AnswerClicked), vec![F::AcceptCall]);
        assert!(!c.can_answer());
        assert_eq!(c.apply(E::AnswerClicked), vec![]);
    }

    #[test]
    fn answering_an_incoming_call_puts_the_agent_in_call() {
        let c = in_call(first_agent());
        assert_eq!(c.status_text(), "In call with customer");
        assert!(c.can_hang_up());
        assert!(!c.can_answer());
        assert!(c.can_dial_second_agent());
    }

    #[test]
    fn the_caller_hanging_up_before_the_agent_answers_returns_to_ready_with_a_note() {
        let mut c = ringing(first_agent());
        assert_eq!(c.apply(E::Cancelled), vec![F::DisconnectCall]);
        assert_eq!(c.status_text(), "Connected as: agent1 · Caller hung up");
        assert!(no_call_buttons(&c));
    }

    #[test]
    fn a_new_call_clears_the_note_about_the_last_one() {
        let mut c = ringing(first_agent());
        c.apply(E::Cancelled);
        c.apply(E::Incoming {
            call_sid: sid(2),
            from: "+15550002".into(),
        });
        assert_eq!(c.status_text(), "Incoming support call");
    }

    #[test]
    fn a_rejected_incoming_call_returns_to_ready() {
        let mut c = ringing(first_agent());
        assert_eq!(c.apply(E::Rejected), vec![F::DisconnectCall]);
        assert_eq!(c.status_text(), "Connected as: agent1");
    }

    #[test]
    fn a_call_error_while_answering_ends_that_call_with_a_note() {
        let mut c = ringing(first_agent());
        c.apply(E::AnswerClicked);
        let fx = c.apply(E::CallError {
            message: "Permission denied".into(),
        });
        assert_eq!(fx, vec![F::DisconnectCall]);
        assert_eq!(
            c.status_text(),
            "Connected as: agent1 · Call failed: Permission denied"
        );
        assert!(no_call_buttons(&c));
    }

    #[test]
    fn a_second_incoming_call_while_ringing_is_rejected_and_the_first_kept() {
        let mut c = ringing(first_agent());
        let before = c.clone();
        let fx = c.apply(E::Incoming {
            call_sid: sid(2),
            from: "+15550002".into(),
        });
        assert_eq!(fx, vec![F::RejectIncoming { call_sid: sid(2) }]);
        assert_eq!(c, before);
    }

    #[test]
    fn a_second_incoming_call_while_in_call_is_rejected_and_the_current_call_kept() {
        let mut c = in_call(first_agent());
        let before = c.clone();
        let fx = c.apply(E::Incoming {
            call_sid: sid(2),
            from: "+15550002".into(),
        });
        assert_eq!(fx, vec![F::RejectIncoming { call_sid: sid(2) }]);
        assert_eq!(c, before);
        assert!(c.can_hang_up());
    }

    #[test]
    fn the_current_call_reported_again_is_not_rejected() {
        let mut c = in_call(first_agent());
        assert_eq!(
            c.apply(E::Incoming {
                call_sid: sid(1),
                from: "+15550001".into()
            }),
            vec![]
        );
        assert!(c.can_hang_up());
    }

    #[test]
    fn an_incoming_call_before_registration_is_rejected() {
        let (c, fx) = run([
            E::ConnectRequested(first_agent()),
            E::Incoming {
                call_sid: sid(1),
                from: "+15550001".into(),
            },
        ]);
        assert_eq!(fx, vec![F::RejectIncoming { call_sid: sid(1) }]);
        assert!(matches!(c.phase(), Phase::Connecting { .. }));
    }

    #[test]
    fn only_the_first_agent_is_shown_the_dial_button() {
        assert!(ready(first_agent()).shows_dial_button());
        assert!(!ready(second_agent()).shows_dial_button());
        assert_eq!(dial_target(&first_agent()), Some(second_agent()));
        assert_eq!(dial_target(&second_agent()), None);
    }

    #[test]
    fn the_dial_button_is_enabled_only_in_a_call() {
        assert!(!ready(first_agent()).can_dial_second_agent());
        assert!(!ringing(first_agent()).can_dial_second_agent());
        assert!(in_call(first_agent()).can_dial_second_agent());
    }

    #[test]
    fn the_second_agent_cannot_dial_anyone() {
        let mut c = in_call(second_agent());
        assert!(!c.can_dial_second_agent());
        assert_eq!(c.apply(E::DialRequested), vec![]);
        assert_eq!(c.status_text(), "In call with customer");
    }

    #[test]
    fn dialling_agent2_in_calls_the_server_and_shows_progress() {
        let mut c = in_call(first_agent());
        let fx = c.apply(E::DialRequested);
        assert_eq!(
            fx,
            vec![F::CallDialServer {
                from: first_agent(),
                to: second_agent()
            }]
        );
        assert_eq!(c.status_text(), "In call with customer · dialling agent2…");
        assert!(!c.can_dial_second_agent());
        assert!(c.can_hang_up());
    }

    #[test]
    fn a_second_dial_click_while_dialling_does_nothing() {
        let mut c = dialling();
        assert_eq!(c.apply(E::DialRequested), vec![]);
    }

    #[test]
    fn a_successful_dial_returns_to_plain_in_call() {
        let mut c = dialling();
        assert_eq!(c.apply(E::DialSucceeded), vec![]);
        assert_eq!(c.status_text(), "In call with customer");
        assert!(c.can_dial_second_agent());
    }

    #[test]
    fn a_failed_dial_keeps_the_call_and_says_why() {
        let mut c = dialling();
        assert_eq!(c.apply(E::DialFailed("no live conference".into())), vec![]);
        assert_eq!(
            c.status_text(),
            "In call with customer · could not dial agent2: no live conference"
        );
        assert!(c.can_hang_up());
        assert!(c.can_dial_second_agent());
    }

    #[test]
    fn hanging_up_ends_this_agents_leg_and_returns_to_ready() {
        let mut c = in_call(first_agent());
        assert_eq!(c.apply(E::HangupClicked), vec![F::DisconnectCall]);
        assert_eq!(c.status_text(), "Connected as: agent1");
        assert!(no_call_buttons(&c));
        // The SDK's own `disconnect` after our hang-up changes nothing.
        assert_eq!(c.apply(E::Disconnected), vec![]);
    }

    #[test]
    fn the_call_ending_returns_to_ready_with_the_call_buttons_disabled() {
        let mut c = in_call(first_agent());
        assert_eq!(c.apply(E::Disconnected), vec![F::DisconnectCall]);
        assert_eq!(c.status_text(), "Connected as: agent1");
        assert!(no_call_buttons(&c));
        assert!(c.shows_dial_button());
    }

    #[test]
    fn a_disconnect_while_dialling_agent2_returns_to_ready_and_ignores_the_late_dial_result() {
        let mut c = dialling();
        assert_eq!(c.apply(E::Disconnected), vec![F::DisconnectCall]);
        let after = c.clone();
        assert_eq!(c.apply(E::DialSucceeded), vec![]);
        assert_eq!(c.apply(E::DialFailed("late".into())), vec![]);
        assert_eq!(c, after);
        assert_eq!(c.status_text(), "Connected as: agent1");
    }

    #[test]
    fn an_error_during_a_call_keeps_the_call_and_shows_the_error() {
        let mut c = in_call(first_agent());
        assert_eq!(
            c.apply(E::CallError {
                message: "ICE failed".into()
            }),
            vec![]
        );
        assert_eq!(c.status_text(), "In call with customer · ERROR: ICE failed");
        assert!(c.can_hang_up());
        assert!(!c.can_connect());
    }

    #[test]
    fn a_device_error_during_a_call_keeps_the_call() {
        let mut c = in_call(first_agent());
        let fx = c.apply(E::DeviceError {
            code: Some(31005),
            message: "connection lost".into(),
        });
        assert_eq!(fx, vec![]);
        assert_eq!(
            c.status_text(),
            "In call with customer · ERROR: connection lost"
        );
        assert!(c.can_hang_up());
    }

    #[test]
    fn unregistering_during_a_call_keeps_the_call_and_goes_offline_after_it() {
        let mut c = in_call(first_agent());
        assert_eq!(c.apply(E::Unregistered), vec![]);
        assert!(c.can_hang_up());
        assert_eq!(
            c.apply(E::HangupClicked),
            vec![F::DisconnectCall, F::DestroyDevice]
        );
        assert_eq!(c.status_text(), "Offline");
        assert!(c.can_connect());
    }

    #[test]
    fn registering_again_during_a_call_lands_on_ready_after_it() {
        let mut c = in_call(first_agent());
        c.apply(E::Unregistered);
        c.apply(E::Registered);
        assert_eq!(c.apply(E::Disconnected), vec![F::DisconnectCall]);
        assert_eq!(c.status_text(), "Connected as: agent1");
    }

    #[test]
    fn a_token_about_to_expire_is_refreshed_and_handed_to_the_device() {
        let mut c = ready(first_agent());
        assert_eq!(
            c.apply(E::TokenWillExpire),
            vec![F::RefreshToken(first_agent())]
        );
        assert_eq!(
            c.apply(E::TokenRefreshed("new".into())),
            vec![F::UpdateToken("new".into())]
        );
        assert_eq!(c.status_text(), "Connected as: agent1");
    }

    #[test]
    fn the_token_expiring_mid_call_is_refreshed_without_dropping_the_call() {
        let mut c = dialling();
        let before = c.phase().clone();
        assert_eq!(
            c.apply(E::TokenWillExpire),
            vec![F::RefreshToken(first_agent())]
        );
        assert_eq!(
            c.apply(E::TokenRefreshed("new".into())),
            vec![F::UpdateToken("new".into())]
        );
        assert_eq!(c.phase(), &before);
        assert!(c.can_hang_up());
    }

    #[test]
    fn a_refresh_already_under_way_is_not_started_twice() {
        let mut c = ready(first_agent());
        c.apply(E::TokenWillExpire);
        assert_eq!(c.apply(E::TokenWillExpire), vec![]);
        c.apply(E::TokenRefreshed("new".into()));
        assert_eq!(
            c.apply(E::TokenWillExpire),
            vec![F::RefreshToken(first_agent())]
        );
    }

    #[test]
    fn a_failed_token_refresh_keeps_the_call_and_says_so() {
        let mut c = in_call(first_agent());
        c.apply(E::TokenWillExpire);
        assert_eq!(c.apply(E::TokenRefreshFailed("server down".into())), vec![]);
        assert!(c.can_hang_up());
        assert_eq!(
            c.status_text(),
            "In call with customer · could not refresh the access token: server down"
        );
        // It may be tried again on the next warning.
        assert_eq!(
            c.apply(E::TokenWillExpire),
            vec![F::RefreshToken(first_agent())]
        );
    }

    #[test]
    fn a_refreshed_token_arriving_after_going_offline_is_dropped() {
        let mut c = ready(first_agent());
        c.apply(E::TokenWillExpire);
        c.apply(E::Unregistered);
        assert_eq!(c.apply(E::TokenRefreshed("late".into())), vec![]);
        assert_eq!(c.status_text(), "Offline");
    }

    #[test]
    fn transition_leaves_the_original_console_untouched() {
        let c = ready(first_agent());
        let (next, fx) = c.transition(E::Incoming {
            call_sid: sid(3),
            from: "+1".into(),
        });
        assert_eq!(c.status_text(), "Connected as: agent1");
        assert_eq!(next.status_text(), "Incoming support call");
        assert_eq!(fx, vec![F::WatchCall { call_sid: sid(3) }]);
    }
}
