//! `<Record>` in a call's own document (a voicemail), and the recordings it leaves.
//!
//! The caller "speaks" typed text ([`Engine::speak`]); its length stands for how long they spoke
//! ([`speech_secs`]). The recording ends when the caller presses one of `finishOnKey`, hangs up,
//! stays silent `timeout` seconds (0: never) after speaking, or `maxLength` passes (simulated
//! time, [`Engine::tick`]). Then, as Twilio does:
//! 1. `action` (default: the current document's URL) is requested with the call's parameters and
//!    `RecordingUrl` (`{api}/2010-04-01/Accounts/{AC}/Recordings/{RE}`, no extension),
//!    `RecordingSid`, `RecordingDuration` and `Digits` (the key, or `hangup`; left out when silence
//!    or `maxLength` ended it). After a hang-up the answer is not run (the call is over, and its
//!    `CallStatus` says `completed`); otherwise it replaces the rest of the document;
//! 2. `recordingStatusCallback` gets the recording's `completed` event (and `in-progress` at the
//!    start, `absent` for an empty one, when asked for);
//! 3. with `transcribe` (or a `transcribeCallback`), `transcribeCallback` gets the typed text as
//!    the transcription: `completed` up to [`MAX_TRANSCRIBED_SECS`], `failed` beyond (Twilio
//!    transcribes at most two minutes).
//!
//! An empty recording (nothing said when it ends) requests no action: Twilio carries on with the
//! verb after `<Record>` (a hang-up simply ends the call).
//! The duration is the speech's, as Twilio trims the silence before and after it (`trim-silence`).

use std::time::{Duration, SystemTime};

use super::calls::{absolute_url, Engine};
use super::model::{CallStatus, FetchPurpose, Listening, RecordEnd, Recording, SimEffect, SimError, StoredRecording};
use crate::ids::CallSid;
use crate::simulator::time::rfc2822;
use crate::simulator::twiml::Record;

/// Characters of typed text per second of speech (about 2.5 words a second).
const CHARS_PER_SEC: u64 = 15;
/// The longest recording Twilio transcribes.
pub const MAX_TRANSCRIBED_SECS: u64 = 120;

/// How long saying `text` takes: a second per [`CHARS_PER_SEC`] characters, at least one.
pub fn speech_secs(text: &str) -> u64 {
    (text.trim().chars().count() as u64).div_ceil(CHARS_PER_SEC).max(1)
}

/// A finished recording, for the REST API and the monitor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecordingView {
    pub sid: String,
    pub call_sid: CallSid,
    pub duration_secs: u64,
    /// What the caller said (the transcription's text).
    pub text: String,
    /// `{api}/2010-04-01/Accounts/{AC}/Recordings/{RE}` (no extension), as in callbacks.
    pub url: String,
    /// RFC 2822.
    pub start_time: String,
    pub date_created: String,
}

impl Engine {
    /// `{api}/2010-04-01/Accounts/{AC}/Recordings/{sid}`, Twilio's `RecordingUrl`.
    pub fn recording_url(&self, sid: &str) -> String {
        format!("{}/2010-04-01/Accounts/{}/Recordings/{sid}", self.api_base_url, self.cfg.account_sid)
    }

    /// Runs a `<Record>`: the beep, then it listens.
    pub(super) fn start_record(&mut self, sid: &CallSid, verb: Record, now: SystemTime) {
        let re = format!("RE{}", self.next_hex());
        let Some(call) = self.calls.get_mut(sid.as_str()) else { return };
        call.hear(if verb.play_beep { "beep (recording)" } else { "recording" });
        let recording = Recording { sid: re, verb, started: now, said: String::new(), speech_secs: 0, silent_since: now };
        call.listening = Some(Listening::Record(recording.clone()));
        self.recording_event(sid, &recording, "in-progress", None);
    }

    /// Keys while recording: one of `finishOnKey` ends it (others are only recorded noise).
    /// `false` when the call is not recording.
    pub(super) fn record_digits(&mut self, sid: &CallSid, tones: &str, now: SystemTime) -> bool {
        let Some(Listening::Record(r)) = self.calls.get(sid.as_str()).and_then(|c| c.listening.as_ref()) else { return false };
        if let Some(key) = tones.chars().find(|k| r.verb.finish_on_key.contains(*k)) {
            self.end_recording(sid, RecordEnd::Key(key), now);
        }
        true
    }

    /// The caller's words while recording: added to the message; the silence timeout counts from
    /// when they are said. An empty text is the caller still speaking (typing, on `/phone`).
    /// `false` when the call is not recording.
    pub(super) fn record_speech(&mut self, sid: &CallSid, text: &str, now: SystemTime) -> bool {
        let Some(call) = self.calls.get_mut(sid.as_str()) else { return false };
        let Some(Listening::Record(r)) = &mut call.listening else { return false };
        let text = text.trim();
        if text.is_empty() {
            r.silent_since = r.silent_since.max(now);
            return true;
        }
        let secs = speech_secs(text);
        if !r.said.is_empty() {
            r.said.push(' ');
        }
        r.said.push_str(text);
        r.speech_secs += secs;
        r.silent_since = r.silent_since.max(now) + Duration::from_secs(secs);
        true
    }

    /// Ends recordings whose `maxLength` has passed or whose caller has been silent `timeout`.
    pub(super) fn end_due_recordings(&mut self, now: SystemTime) {
        let due: Vec<(CallSid, RecordEnd)> = self
            .calls
            .values()
            .filter(|c| c.status == CallStatus::InProgress)
            .filter_map(|c| match &c.listening {
                Some(Listening::Record(r)) => {
                    let after = |t: SystemTime, secs: u32| t + Duration::from_secs(secs.into()) <= now;
                    if after(r.started, r.verb.max_length_secs) {
                        Some((c.sid.clone(), RecordEnd::MaxLength))
                    } else if r.verb.timeout_secs > 0 && after(r.silent_since, r.verb.timeout_secs) {
                        Some((c.sid.clone(), RecordEnd::Silence))
                    } else {
                        None
                    }
                }
                _ => None,
            })
            .collect();
        for (sid, end) in due {
            self.end_recording(&sid, end, now);
        }
    }

    /// The recording is over: stored, its action requested and its callbacks posted (see the
    /// module docs). Called for a hang-up before the call is marked over.
    pub(super) fn end_recording(&mut self, sid: &CallSid, end: RecordEnd, now: SystemTime) {
        let Some(call) = self.calls.get_mut(sid.as_str()) else { return };
        let Some(Listening::Record(r)) = call.listening.take() else { return };
        if r.said.is_empty() {
            self.recording_event(sid, &r, "absent", None);
            if end != RecordEnd::Hangup {
                self.run_script(sid, now);
            }
            return;
        }
        let duration = r.speech_secs.clamp(1, u64::from(r.verb.max_length_secs).max(1));
        let url = self.recording_url(&r.sid);
        let stored = StoredRecording {
            sid: r.sid.clone(),
            call_sid: sid.clone(),
            duration_secs: duration,
            text: r.said.clone(),
            started: r.started,
            created: now,
        };
        self.recordings.insert(r.sid.clone(), stored);

        let mut extra = vec![
            ("RecordingUrl".to_string(), url.clone()),
            ("RecordingSid".to_string(), r.sid.clone()),
            ("RecordingDuration".to_string(), duration.to_string()),
        ];
        match end {
            RecordEnd::Key(key) => extra.push(("Digits".into(), key.to_string())),
            RecordEnd::Hangup => extra.push(("Digits".into(), "hangup".into())),
            RecordEnd::Silence | RecordEnd::MaxLength => {}
        }
        let call = self.calls.get(sid.as_str()).expect("looked up above");
        let action = r.verb.action.as_deref().map(|u| (absolute_url(call.document_url.as_ref(), u), r.verb.method.clone()));
        let action = action.or_else(|| call.document_url.clone());
        match action {
            // The caller is gone: the action is still requested (saying the call is completed),
            // but nothing waits for its answer.
            Some((action, method)) if end == RecordEnd::Hangup => {
                let mut params = self.call_params(call, CallStatus::Completed.as_str());
                params.extend(extra);
                self.fetch_counter += 1;
                let fetch_id = self.fetch_counter;
                self.effects.push(SimEffect::FetchTwiml { call_sid: sid.clone(), fetch_id, url: action, method, params });
            }
            Some((action, method)) => {
                if let Some(call) = self.calls.get_mut(sid.as_str()) {
                    call.script.clear();
                }
                self.fetch_with(sid, FetchPurpose::Document, &action, &method, extra);
            }
            None => {
                self.warn(Some(sid), None, "<Record> without an action in inline TwiML: nothing to request", now);
                if end != RecordEnd::Hangup {
                    self.run_script(sid, now);
                }
            }
        }
        self.recording_event(sid, &r, "completed", Some(duration));
        self.transcription(sid, &r, duration);
    }

    /// The `recordingStatusCallback`, if the verb asked for `event`.
    fn recording_event(&mut self, sid: &CallSid, r: &Recording, event: &str, duration: Option<u64>) {
        let Some(url) = r.verb.recording_status_callback.clone() else { return };
        if !r.verb.recording_status_callback_event.iter().any(|e| e == event) {
            return;
        }
        let mut params = vec![
            ("AccountSid", self.cfg.account_sid.clone()),
            ("CallSid", sid.to_string()),
            ("RecordingSid", r.sid.clone()),
            ("RecordingUrl", self.recording_url(&r.sid)),
            ("RecordingStatus", event.to_string()),
            ("RecordingChannels", "1".to_string()),
            ("RecordingSource", "RecordVerb".to_string()),
            ("RecordingStartTime", rfc2822(r.started)),
            ("ErrorCode", "0".to_string()),
        ];
        if let Some(d) = duration {
            params.push(("RecordingDuration", d.to_string()));
        }
        self.effects.push(SimEffect::Callback {
            url,
            method: r.verb.recording_status_callback_method.clone(),
            params: params.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        });
    }

    /// The `transcribeCallback` of a finished recording, when transcription was asked for.
    fn transcription(&mut self, sid: &CallSid, r: &Recording, duration: u64) {
        let Some(url) = r.verb.transcribe_callback.clone().filter(|_| r.verb.transcribe) else { return };
        let tr = format!("TR{}", self.next_hex());
        let ok = duration <= MAX_TRANSCRIBED_SECS;
        let mut params = vec![
            ("TranscriptionSid", tr.clone()),
            ("TranscriptionStatus", if ok { "completed" } else { "failed" }.to_string()),
            ("TranscriptionUrl", format!("{}/2010-04-01/Accounts/{}/Transcriptions/{tr}", self.api_base_url, self.cfg.account_sid)),
            ("TranscriptionType", "fast".to_string()),
            ("RecordingSid", r.sid.clone()),
            ("RecordingUrl", self.recording_url(&r.sid)),
            ("CallSid", sid.to_string()),
            ("AccountSid", self.cfg.account_sid.clone()),
            ("CallStatus", self.calls.get(sid.as_str()).map(|c| c.status.as_str()).unwrap_or("completed").to_string()),
        ];
        if ok {
            params.insert(1, ("TranscriptionText", r.said.clone()));
        }
        self.effects.push(SimEffect::Callback {
            url,
            method: "POST".into(),
            params: params.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        });
    }

    // ---- the Recordings resource ---------------------------------------------------------------

    /// `GET Recordings/{RE}`.
    pub fn recording(&self, sid: &str) -> Option<RecordingView> {
        self.recordings.get(sid).map(|r| self.recording_view(r))
    }

    /// `GET Recordings.json[?CallSid=…]`, newest first as Twilio lists them.
    pub fn recordings(&self, call_sid: Option<&str>) -> Vec<RecordingView> {
        let mut list: Vec<&StoredRecording> =
            self.recordings.values().filter(|r| call_sid.is_none_or(|c| r.call_sid.as_str() == c)).collect();
        list.sort_by_key(|r| std::cmp::Reverse(r.created));
        list.into_iter().map(|r| self.recording_view(r)).collect()
    }

    /// `DELETE Recordings/{RE}.json`: gone for good (a second delete is 404, as on Twilio).
    pub fn delete_recording(&mut self, sid: &str) -> Result<(), SimError> {
        self.recordings.remove(sid).map(|_| ()).ok_or_else(|| SimError::UnknownRecording(sid.to_string()))
    }

    fn recording_view(&self, r: &StoredRecording) -> RecordingView {
        RecordingView {
            sid: r.sid.clone(),
            call_sid: r.call_sid.clone(),
            duration_secs: r.duration_secs,
            text: r.text.clone(),
            url: self.recording_url(&r.sid),
            start_time: rfc2822(r.started),
            date_created: rfc2822(r.created),
        }
    }
}
