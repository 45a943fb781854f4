//! Status callbacks, with the parameters Twilio sends: call progress events per call, and
//! conference events through the conference's (first participant's) subscription.

use std::time::SystemTime;

use super::calls::Engine;
use super::model::{Participant, SimEffect};
use crate::ids::CallSid;
use crate::simulator::time::{rfc2822, secs_between};

/// The `statusCallbackEvent` word that subscribes to a conference event.
fn conference_word(event: &str) -> &str {
    match event {
        "conference-start" => "start",
        "conference-end" => "end",
        "participant-join" => "join",
        "participant-leave" => "leave",
        "participant-mute" | "participant-unmute" => "mute",
        "participant-hold" | "participant-unhold" => "hold",
        "participant-modify" => "modify",
        other => other,
    }
}

fn bool_str(b: bool) -> String {
    if b { "true" } else { "false" }.to_string()
}

impl Engine {
    /// A call progress event (`initiated`, `ringing`, `answered`, `completed`) if the call's
    /// `StatusCallbackEvent` list asks for it. `completed` covers every final status.
    pub(super) fn call_event(&mut self, sid: &CallSid, event: &str, now: SystemTime) {
        let account = self.cfg.account_sid.clone();
        let Some(call) = self.calls.get_mut(sid.as_str()) else { return };
        let Some(sub) = call.status_callback.clone() else { return };
        if !sub.events.iter().any(|e| e == event) {
            return;
        }
        let status = match event {
            "initiated" => "initiated",
            "ringing" => "ringing",
            "answered" => "in-progress",
            _ => call.status.as_str(),
        };
        let sequence = call.next_sequence;
        call.next_sequence += 1;
        let mut params = vec![
            ("AccountSid", account),
            ("CallSid", call.sid.to_string()),
            ("From", call.from.clone()),
            ("To", call.to.clone()),
            ("CallStatus", status.to_string()),
            ("Direction", call.direction.as_str().to_string()),
            ("ApiVersion", "2010-04-01".to_string()),
            ("CallbackSource", "call-progress-events".to_string()),
            ("SequenceNumber", sequence.to_string()),
            ("Timestamp", rfc2822(now)),
        ];
        if event == "completed" {
            let talked = call.answered_at.map_or(0, |t| secs_between(t, now));
            params.push(("CallDuration", talked.to_string()));
        }
        self.effects.push(SimEffect::Callback {
            url: sub.url,
            method: sub.method,
            params: params.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        });
    }

    /// A participant event, carrying that participant's flags.
    pub(super) fn participant_event(&mut self, conf_sid: &str, event: &str, p: &Participant, extra: &[(&str, String)], now: SystemTime) {
        let mut params = vec![
            ("CallSid", p.call_sid.to_string()),
            ("Hold", bool_str(p.hold)),
            ("Muted", bool_str(p.muted)),
            ("Coaching", bool_str(false)),
            ("EndConferenceOnExit", bool_str(p.end_conference_on_exit)),
            ("StartConferenceOnEnter", bool_str(p.start_conference_on_enter)),
        ];
        if let Some(label) = &p.label {
            params.push(("ParticipantLabel", label.clone()));
        }
        params.extend(extra.iter().map(|(k, v)| (*k, v.clone())));
        self.conference_event(conf_sid, event, &params, now);
    }

    /// A conference event, if the conference has a subscription that asks for it.
    pub(super) fn conference_event(&mut self, conf_sid: &str, event: &str, extra: &[(&str, String)], now: SystemTime) {
        let account = self.cfg.account_sid.clone();
        let Some(conf) = self.conferences.get_mut(conf_sid) else { return };
        let Some(sub) = conf.callback.clone() else { return };
        if !sub.events.iter().any(|e| e == conference_word(event)) {
            return;
        }
        let sequence = conf.next_sequence;
        conf.next_sequence += 1;
        let mut params = vec![
            ("AccountSid", account),
            ("ConferenceSid", conf.sid.to_string()),
            ("FriendlyName", conf.friendly_name.clone()),
            ("StatusCallbackEvent", event.to_string()),
            ("SequenceNumber", sequence.to_string()),
            ("Timestamp", rfc2822(now)),
        ];
        params.extend(extra.iter().map(|(k, v)| (*k, v.clone())));
        self.effects.push(SimEffect::Callback {
            url: sub.url,
            method: sub.method,
            params: params.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        });
    }
}
