//! The call in this browser: ringing (answered once), talking (steps asked of the server one at a
//! time, mute, quality warnings, the keypad), and ending, whoever ends it.
use super::machine::{Console, Input, Phase, Task, TransferRequest};
use super::words::error_words;
use crate::ids::AgentId;

impl Console {
    /// A call ringing, answered, talked on and ended.
    pub(super) fn on_call(&mut self, input: Input) -> Vec<Task> {
        use Input as E;
        use Phase as P;
        use Task as F;

        match (&mut self.phase, input) {
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
            // The SDK ends a call over a dropped signalling connection without a `disconnect`
            // (Twilio ended it, or gave no way to reconnect it): it is over all the same.
            (P::Ringing { agent, .. } | P::InCall { agent, .. }, E::CallClosed) => {
                let agent = agent.clone();
                self.end_call(agent, Some("Call ended: the connection to Twilio was lost".into()))
            }
            // The server says the call is over (it had the agent on it, and no longer): the
            // browser may not have heard (its signalling connection is down, Twilio's hang-up
            // lost on the way), but the console never believes itself busy longer than the
            // server does, or it would turn the next caller away as busy.
            (P::InCall { agent, .. }, E::ServerPresence { busy: false }) if self.server_busy => {
                let agent = agent.clone();
                self.server_busy = false;
                // As plain as the SDK's `disconnect`: the call ended, as calls do.
                self.end_call(agent, None)
            }
            (_, E::ServerPresence { busy }) => {
                self.server_busy = busy;
                vec![]
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

            // Anything else is a stale or impossible event (a dial result after the call ended,
            // a click on a disabled button): ignored, so late answers cannot corrupt the state.
            _ => vec![],
        }
    }
    /// The watched call is over (or being ended by us): release it, then land on Ready; on
    /// Reconnecting if the device lost its signalling connection during the call and the SDK is
    /// still getting it back; on Offline if the device is gone.
    pub(super) fn end_call(&mut self, agent: AgentId, note: Option<String>) -> Vec<Task> {
        if self.registered {
            self.phase = Phase::Ready { agent, note };
            vec![Task::DisconnectCall]
        } else if self.signal_lost {
            self.phase = Phase::Reconnecting { agent, registering: false };
            let mut tasks = vec![Task::DisconnectCall];
            tasks.extend(self.tell_server_offline());
            tasks
        } else {
            let mut tasks = vec![Task::DisconnectCall];
            tasks.extend(self.phone_gone(Phase::Offline));
            tasks
        }
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
}
