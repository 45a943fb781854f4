//! DTMF: the digits a browser's `Call.sendDigits` (or the `/phone` keypad) sends on its leg, and
//! who hears them; and the caller's voice, as typed text.
//!
//! While a `<Gather>` or `<Record>` listens, keys and words go to it (see `gather`, `record`).
//!
//! In a conference Twilio mixes the tones into the room like the caller's voice: every other
//! participant hears them, except one on hold (it hears its hold music). So an agent can key an
//! extension into an outside number's menu with the customer listening in.

use std::time::SystemTime;

use super::calls::{wrong_state, Engine};
use super::model::{CallStatus, ConferenceStatus, ParticipantStatus, SimError};
use crate::ids::CallSid;

/// The most digits one `send_digits` takes (the SDK has no limit; the endpoint is open).
pub const MAX_DIGITS: usize = 100;
/// How many of the latest digits a call keeps of what it sent and of what it heard.
const DIGITS_KEPT: usize = 1000;

/// What the SDK's `sendDigits` accepts: the keypad's `0-9 * #`, and `w` for a half-second pause.
pub fn check_digits(digits: &str) -> Result<(), SimError> {
    if digits.is_empty() {
        return Err(SimError::Invalid("digits: nothing to send".into()));
    }
    if digits.len() > MAX_DIGITS {
        return Err(SimError::Invalid(format!("digits: at most {MAX_DIGITS} at a time")));
    }
    match digits.chars().find(|c| !matches!(c, '0'..='9' | '*' | '#' | 'w')) {
        Some(c) => Err(SimError::Invalid(format!("digits: {c:?} is not a DTMF digit (0-9, *, #, or w for a pause)"))),
        None => Ok(()),
    }
}

impl Engine {
    /// Tones sent on an answered call's leg: recorded as sent (pauses included) and, in a
    /// conference that has started, as heard (pauses left out) by every other connected
    /// participant not on hold. Nobody hears a sender that is itself held or muted, as nobody
    /// hears its voice; nor anybody in a room still waiting (there everyone hears wait music).
    /// Nothing Twilio shows changes, so no time is recorded.
    pub fn send_digits(&mut self, sid: &CallSid, digits: &str, now: SystemTime) -> Result<(), SimError> {
        check_digits(digits)?;
        let call = self.call_mut(sid)?;
        if call.status != CallStatus::InProgress {
            return Err(wrong_state(call, "sent digits"));
        }
        append(&mut call.digits_sent, digits);
        let in_room = call.conference.clone();
        let tones: String = digits.chars().filter(|&c| c != 'w').collect();
        if self.gather_digits(sid, &tones, now) || self.record_digits(sid, &tones, now) {
            return Ok(());
        }
        let Some(conf) = in_room.and_then(|cf| self.conferences.get(cf.as_str())) else { return Ok(()) };
        let heard = conf.status == ConferenceStatus::InProgress
            && conf.participants.iter().any(|p| &p.call_sid == sid && p.status == ParticipantStatus::Connected && !p.hold && !p.muted);
        if !heard {
            return Ok(());
        }
        let listeners: Vec<CallSid> = conf.connected().filter(|p| &p.call_sid != sid && !p.hold).map(|p| p.call_sid.clone()).collect();
        for listener in listeners {
            if let Some(call) = self.calls.get_mut(listener.as_str()) {
                append(&mut call.digits_heard, &tones);
            }
        }
        Ok(())
    }
}

/// The longest text one [`Engine::speak`] takes (a voicemail of a few minutes).
pub const MAX_SPEECH: usize = 4000;

impl Engine {
    /// The caller says `text` (typed text standing for their voice): a `<Gather>` listening for
    /// speech completes with it, a `<Record>` records it. Anywhere else nobody listens and the
    /// words are lost, as on a real line. An empty text is the caller starting (or going on)
    /// to speak: it holds off a speech Gather's or a Record's silence timeout.
    pub fn speak(&mut self, sid: &CallSid, text: &str, now: SystemTime) -> Result<(), SimError> {
        if text.chars().count() > MAX_SPEECH {
            return Err(SimError::Invalid(format!("text: at most {MAX_SPEECH} characters at a time")));
        }
        let call = self.call_mut(sid)?;
        if call.status != CallStatus::InProgress {
            return Err(wrong_state(call, "heard"));
        }
        let _heard = self.gather_speech(sid, text, now) || self.record_speech(sid, text, now);
        Ok(())
    }

    /// Ends the Gathers and Records whose time is up (see [`Engine::tick`]).
    pub(super) fn end_due_listening(&mut self, now: SystemTime) {
        self.end_due_gathers(now);
        self.end_due_recordings(now);
    }
}

/// Appends, keeping the latest [`DIGITS_KEPT`] (digits are ASCII: any cut is a character boundary).
fn append(log: &mut String, digits: &str) {
    log.push_str(digits);
    if log.len() > DIGITS_KEPT {
        log.drain(..log.len() - DIGITS_KEPT);
    }
}
