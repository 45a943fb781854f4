//! The phone's device: connecting (a token, then the Voice SDK's device, registered), losing it
//! (an error, unregistering: with no call to protect the device is dropped and the server told)
//! and its token refreshed without ever touching a call.
use super::machine::{agent_of, Console, Input, Phase, Task};
use super::tab::Claim;
use super::words::error_words;
use crate::center::Wanted;
use crate::ids::AgentId;

impl Console {
    /// Connecting, registering, losing the device, and the token.
    pub(super) fn on_device(&mut self, input: Input) -> Vec<Task> {
        use Input as E;
        use Phase as P;
        use Task as F;

        match (&mut self.phase, input) {
            // --- connecting -------------------------------------------------------------------
            // A tab first asks the agent's other tabs whether one holds the phone; meanwhile the
            // microphone is checked, so a problem is told before the first call.
            (P::Offline | P::Error { .. }, E::Start(agent)) if self.me.is_none() => {
                self.me = Some(agent.clone());
                self.phase = P::Connecting { agent };
                let mut tasks = vec![F::CheckMicrophone];
                tasks.extend(self.claim(Claim::Asking));
                tasks
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

            // Anything else is a stale or impossible event (a dial result after the call ended,
            // a click on a disabled button): ignored, so late answers cannot corrupt the state.
            _ => vec![],
        }
    }
    pub(super) fn connect(&mut self, agent: AgentId) -> Vec<Task> {
        self.registered = false;
        self.refreshing_token = false;
        self.phase = Phase::Connecting { agent: agent.clone() };
        vec![Task::FetchToken(agent)]
    }

    /// The phone is gone with no call on it: the device is dropped, and the server is told, so
    /// no caller is offered to a browser that cannot ring. When it registers again the agent is
    /// announced available again (the server knew them offline).
    pub(super) fn phone_gone(&mut self, phase: Phase) -> Vec<Task> {
        let mut tasks = self.go_without_device(phase);
        if self.announced {
            self.announced = false;
            self.presence_pending = true;
            tasks.push(Task::SetPresence(Wanted::Offline));
        }
        tasks
    }

    /// Leave the device behind (error or offline) when no call needs it.
    pub(super) fn go_without_device(&mut self, phase: Phase) -> Vec<Task> {
        self.registered = false;
        self.refreshing_token = false;
        self.phase = phase;
        vec![Task::DestroyDevice]
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
}
