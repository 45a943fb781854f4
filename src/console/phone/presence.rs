//! Presence as this console asks for it: the agent announced available once the phone is
//! registered and the microphone usable (never with a blocked or missing one), one change at a
//! time, and the server's refusal shown. Presence itself is the server's.
use super::machine::{Console, Input, Mic, Phase, Task};
use crate::center::Wanted;

impl Console {
    /// The microphone and presence requests.
    pub(super) fn on_presence(&mut self, input: Input) -> Vec<Task> {
        use Input as E;
        use Task as F;

        match (&mut self.phase, input) {
            // --- the microphone ------------------------------------------------------------------------
            (_, E::MicChecked(mic)) => {
                self.mic = mic;
                if self.mic_problem().is_none() {
                    self.presence_error = None;
                }
                self.announce()
            }
            (_, E::CheckMicClicked) if self.me.is_some() => vec![F::CheckMicrophone],

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
    /// The agent is announced available once: when the phone first registered and the
    /// microphone is usable, whichever comes last.
    pub(super) fn announce(&mut self) -> Vec<Task> {
        if self.announced || !self.registered || self.mic != Mic::Ready || !matches!(self.phase, Phase::Ready { .. }) {
            return vec![];
        }
        self.announced = true;
        self.request_presence(Wanted::Available)
    }

    pub(super) fn request_presence(&mut self, wanted: Wanted) -> Vec<Task> {
        self.presence_pending = true;
        self.presence_error = None;
        vec![Task::SetPresence(wanted)]
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

    /// A presence change is on its way: the presence buttons wait for it.
    pub fn presence_pending(&self) -> bool {
        self.presence_pending
    }

    /// Why the server refused the last presence change (`#presence-error`).
    pub fn presence_error(&self) -> Option<&str> {
        self.presence_error.as_deref()
    }
}
