//! The phone's device: connecting (a token, then the Voice SDK's device, registered), its
//! signalling connection dropping (the SDK gets it back by itself: the device is kept and the
//! status says so), losing it for good (a failure the SDK does not recover from: with no call to
//! protect the device is dropped and the server told) and its token refreshed without ever
//! touching a call.
use super::machine::{agent_of, Console, Input, Phase, Task};
use super::tab::Claim;
use super::words::error_words;
use crate::center::Wanted;
use crate::ids::AgentId;

/// How long the SDK is given to get its signalling connection back before the console gives the
/// device up (and offers "Reconnect phone"). It retries by itself for ever, ever more slowly (up
/// to 20 s apart); a minute covers a network blip or a Wi-Fi hand-over, and past it the agent
/// is better told.
pub const GIVE_UP_MS: u32 = 60_000;

/// A device error the SDK does not recover from by itself: anything but losing the signalling
/// connection (`31000` socket error, `31003` connect timeout, `31005` connection lost, `31009` no
/// transport), from which it reconnects and registers again on its own.
pub fn gives_up(code: Option<u32>) -> bool {
    !matches!(code, Some(31000 | 31003 | 31005 | 31009))
}

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
            // --- the signalling connection dropping ---------------------------------------------
            // The Voice SDK reconnects its signalling socket and registers again by itself
            // (usually within a second), emitting `error` 31005 and `unregistered` on the way,
            // then `registering` and `registered`. With no call on the phone the device is kept
            // and the status says it is reconnecting; the server is told the agent offline at
            // once (no caller is offered to a browser that cannot ring) and available again
            // when the phone registers. Only a failure the SDK does not recover from (see
            // `gives_up`), or no registration within `GIVE_UP_MS`, throws the device away.
            (P::Ready { agent, .. }, E::Unregistered) => {
                let agent = agent.clone();
                self.lose_signal(agent)
            }
            (P::Ready { agent, .. }, E::DeviceError { code, .. }) if !gives_up(code) => {
                let agent = agent.clone();
                self.lose_signal(agent)
            }
            (P::Reconnecting { .. }, E::Unregistered) => vec![],
            (P::Reconnecting { .. }, E::DeviceError { code, .. }) if !gives_up(code) => vec![],
            (P::Reconnecting { registering, .. }, E::Registering) => {
                *registering = true;
                vec![]
            }
            (P::Reconnecting { agent, .. }, E::Registered) => {
                self.phase = P::Ready { agent: agent.clone(), note: None };
                self.signal_back();
                self.announce()
            }
            (P::Reconnecting { .. }, E::ReconnectTimerFired(seq)) if seq == self.reconnect_timer => {
                self.phone_gone(P::Error { message: error_words(Some(31005), "") })
            }

            // --- losing the device ------------------------------------------------------------
            // With no call to protect, a device that failed for good is thrown away and
            // "Reconnect phone" comes back: reconnecting starts from a fresh token.
            (P::Connecting { .. } | P::Ready { .. } | P::Reconnecting { .. }, E::DeviceError { code, message }) => {
                self.phone_gone(P::Error { message: error_words(code, &message) })
            }
            (P::Connecting { .. }, E::Unregistered) => self.phone_gone(P::Offline),
            (P::Connecting { .. } | P::Ready { .. } | P::Reconnecting { .. }, E::Destroyed) => self.phone_gone(P::Offline),
            // During a call the call goes on: a dropped signalling connection is the call's to
            // report (its `reconnecting`, or its end), and the device registers again by itself.
            (P::Ringing { .. } | P::InCall { .. }, E::DeviceError { code, .. }) if !gives_up(code) => self.lose_signal_in_call(),
            (P::Ringing { note, .. } | P::InCall { note, .. }, E::DeviceError { code, message }) => {
                self.signal_lost = false;
                *note = Some(format!("ERROR: {}", error_words(code, &message)));
                vec![]
            }
            (P::Ringing { .. } | P::InCall { .. }, E::Unregistered) => self.lose_signal_in_call(),
            (P::Ringing { note, .. } | P::InCall { note, .. }, E::Destroyed) => {
                self.registered = false;
                self.signal_lost = false;
                *note = Some("Offline: reconnect after this call".into());
                vec![]
            }
            // Not back in time: after this call the phone is offline.
            (P::Ringing { note, .. } | P::InCall { note, .. }, E::ReconnectTimerFired(seq)) if seq == self.reconnect_timer => {
                self.signal_lost = false;
                *note = Some("Offline: reconnect after this call".into());
                vec![]
            }
            (P::Ready { .. } | P::Ringing { .. } | P::InCall { .. }, E::Registered) => {
                self.registered = true;
                self.signal_back();
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
    /// The signalling connection dropped with no call on the phone: keep the device, say so,
    /// tell the server, and give the SDK `GIVE_UP_MS` to get it back.
    pub(super) fn lose_signal(&mut self, agent: AgentId) -> Vec<Task> {
        self.phase = Phase::Reconnecting { agent, registering: false };
        let mut tasks = vec![];
        if !self.signal_lost {
            self.reconnect_timer += 1;
            tasks.push(Task::StartReconnectTimer { ms: GIVE_UP_MS, seq: self.reconnect_timer });
        }
        self.registered = false;
        self.signal_lost = true;
        tasks.extend(self.tell_server_offline());
        tasks
    }

    /// The signalling connection dropped during a call: the call goes on, and the SDK has
    /// `GIVE_UP_MS` to get it back (or the phone is offline after the call).
    fn lose_signal_in_call(&mut self) -> Vec<Task> {
        // Registered no more: the socket it was registered on is gone.
        self.registered = false;
        if self.signal_lost {
            return vec![];
        }
        self.signal_lost = true;
        self.reconnect_timer += 1;
        vec![Task::StartReconnectTimer { ms: GIVE_UP_MS, seq: self.reconnect_timer }]
    }

    /// The device registered again: the reconnect timer in force is stale.
    fn signal_back(&mut self) {
        self.registered = true;
        self.signal_lost = false;
        self.reconnect_timer += 1;
    }

    /// The server is told the agent is offline while the phone cannot ring (once announced);
    /// the next registration announces them available again.
    pub(super) fn tell_server_offline(&mut self) -> Vec<Task> {
        if self.announced {
            self.announced = false;
            self.presence_pending = true;
            vec![Task::SetPresence(Wanted::Offline)]
        } else {
            vec![]
        }
    }

    pub(super) fn connect(&mut self, agent: AgentId) -> Vec<Task> {
        self.registered = false;
        self.signal_lost = false;
        self.reconnect_timer += 1;
        self.refreshing_token = false;
        self.phase = Phase::Connecting { agent: agent.clone() };
        vec![Task::FetchToken(agent)]
    }

    /// The phone is gone with no call on it: the device is dropped, and the server is told, so
    /// no caller is offered to a browser that cannot ring. When it registers again the agent is
    /// announced available again (the server knew them offline).
    pub(super) fn phone_gone(&mut self, phase: Phase) -> Vec<Task> {
        let mut tasks = self.go_without_device(phase);
        tasks.extend(self.tell_server_offline());
        tasks
    }

    /// Leave the device behind (error or offline) when no call needs it.
    pub(super) fn go_without_device(&mut self, phase: Phase) -> Vec<Task> {
        self.registered = false;
        self.signal_lost = false;
        self.reconnect_timer += 1;
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
