//! `<Gather>` in a call's own document: the caller's keys (or voice) answer a menu.
//!
//! Twilio's rules, as modelled:
//! - the nested `<Say>`/`<Play>`/`<Pause>` are heard at once (nothing takes time in a call's own
//!   document), then the Gather waits `timeout` seconds for input; every digit restarts the wait;
//! - `numDigits` reached, or `finishOnKey` pressed (default `#`, not part of `Digits`), requests
//!   `action` (default: the current document's URL) with the call's parameters and `Digits`; the
//!   answer replaces the rest of the document;
//! - speech (`input` with `speech`) is a typed text standing for the caller's words: it completes
//!   the Gather with `SpeechResult` and `Confidence`;
//! - no input before the timeout (or the finish key alone): with `actionOnEmptyResult` the
//!   `action` is requested with an empty `Digits`, else Twilio carries on with the verb after the
//!   `<Gather>`. Digits keyed before a timeout are submitted like a finished entry.
//!
//! Digits sent while a Gather listens go to it (and are logged as sent, as any DTMF); keys after
//! the one that completed it are dropped, as the caller's type-ahead is on a real line.

use std::time::{Duration, SystemTime};

use super::calls::{absolute_url, Engine};
use super::model::{FetchPurpose, Gathering, Listening};
use crate::ids::CallSid;
use crate::simulator::twiml::{Gather, Instruction};

/// The `Confidence` Twilio reports for the simulator's (typed, so perfectly heard) speech.
pub const SPEECH_CONFIDENCE: &str = "0.9";

/// What a Gather ended with.
enum Outcome {
    Digits(String),
    Speech(String),
    /// Nothing came before the timeout (or only the finish key).
    Nothing,
}

impl Engine {
    /// Runs a `<Gather>`: its prompts are heard and it waits for the caller.
    pub(super) fn start_gather(&mut self, sid: &CallSid, verb: Gather, now: SystemTime) {
        let Some(call) = self.calls.get_mut(sid.as_str()) else { return };
        for prompt in &verb.prompts {
            match prompt {
                Instruction::Say { text } => call.hear(format!("Say: {text}")),
                Instruction::Play { url, loop_count: 0 } => call.hear(format!("Play: {url} (looping)")),
                Instruction::Play { url, .. } => call.hear(format!("Play: {url}")),
                Instruction::Pause { length_secs } => call.hear(format!("silence ({length_secs} s)")),
                _ => {}
            }
        }
        let due = due_after(now, verb.timeout_secs);
        call.listening = Some(Listening::Gather(Gathering { verb, digits: String::new(), due }));
    }

    /// Tones on a call whose Gather listens: collected, and the Gather completes on `numDigits`
    /// or the finish key. `false` when no Gather takes DTMF (the digits go the usual way).
    pub(super) fn gather_digits(&mut self, sid: &CallSid, tones: &str, now: SystemTime) -> bool {
        let Some(call) = self.calls.get_mut(sid.as_str()) else { return false };
        let Some(Listening::Gather(g)) = &mut call.listening else { return false };
        if !g.verb.dtmf {
            return false;
        }
        let mut outcome = None;
        for key in tones.chars() {
            if Some(key) == g.verb.finish_on_key {
                let digits = std::mem::take(&mut g.digits);
                outcome = Some(if digits.is_empty() { Outcome::Nothing } else { Outcome::Digits(digits) });
                break;
            }
            g.digits.push(key);
            g.due = due_after(now, g.verb.timeout_secs);
            if g.verb.num_digits.is_some_and(|n| g.digits.len() >= n as usize) {
                outcome = Some(Outcome::Digits(std::mem::take(&mut g.digits)));
                break;
            }
        }
        if let Some(outcome) = outcome {
            self.end_gather(sid, outcome, now);
        }
        true
    }

    /// The caller's words while a Gather listens for speech: it completes with them. An empty
    /// text is the caller starting to speak: the Gather waits on. `false` when no Gather takes
    /// speech.
    pub(super) fn gather_speech(&mut self, sid: &CallSid, text: &str, now: SystemTime) -> bool {
        let Some(call) = self.calls.get_mut(sid.as_str()) else { return false };
        let Some(Listening::Gather(g)) = &mut call.listening else { return false };
        if !g.verb.speech {
            return false;
        }
        if text.trim().is_empty() {
            g.due = due_after(now, g.verb.timeout_secs);
            return true;
        }
        self.end_gather(sid, Outcome::Speech(text.trim().to_string()), now);
        true
    }

    /// Ends Gathers whose timeout has passed: what was keyed is submitted, else it is empty.
    pub(super) fn end_due_gathers(&mut self, now: SystemTime) {
        let due: Vec<(CallSid, String)> = self
            .calls
            .values()
            .filter_map(|c| match &c.listening {
                Some(Listening::Gather(g)) if g.due <= now && !c.status.is_final() => Some((c.sid.clone(), g.digits.clone())),
                _ => None,
            })
            .collect();
        for (sid, digits) in due {
            let outcome = if digits.is_empty() { Outcome::Nothing } else { Outcome::Digits(digits) };
            self.end_gather(&sid, outcome, now);
        }
    }

    fn end_gather(&mut self, sid: &CallSid, outcome: Outcome, now: SystemTime) {
        let Some(call) = self.calls.get_mut(sid.as_str()) else { return };
        let Some(Listening::Gather(g)) = call.listening.take() else { return };
        let params: Vec<(String, String)> = match outcome {
            Outcome::Digits(d) => vec![("Digits".into(), d)],
            Outcome::Speech(text) => vec![("SpeechResult".into(), text), ("Confidence".into(), SPEECH_CONFIDENCE.into())],
            Outcome::Nothing if g.verb.action_on_empty_result => vec![("Digits".into(), String::new())],
            // Twilio falls through to the next verb.
            Outcome::Nothing => return self.run_script(sid, now),
        };
        let action = g.verb.action.as_deref().map(|u| (absolute_url(call.document_url.as_ref(), u), g.verb.method.clone()));
        let Some((url, method)) = action.or_else(|| call.document_url.clone()) else {
            let message = "<Gather> without an action in inline TwiML: nothing to request; carrying on with the next verb";
            self.warn(Some(sid), None, message, now);
            return self.run_script(sid, now);
        };
        // The action's document replaces whatever is left of this one.
        call.script.clear();
        self.fetch_with(sid, FetchPurpose::Document, &url, &method, params);
    }
}

/// `now` plus whole seconds.
pub(super) fn due_after(now: SystemTime, secs: u32) -> SystemTime {
    now + Duration::from_secs(secs.into())
}
