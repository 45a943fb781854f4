//! Twilio's words for what happened to a call or a conference, as typed values: a status
//! callback's `CallStatus` and a conference's `StatusCallbackEvent`. The webhooks read them here
//! once; what they mean for the calls is the core's (the edge translates, e.g. a final status
//! into a `LegOutcome`). Unknown words are `None`: Twilio adds events, and one we do not know
//! changes nothing.

/// A call's status (Twilio's `CallStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallStatus {
    Queued,
    Initiated,
    Ringing,
    InProgress,
    Completed,
    Busy,
    Failed,
    NoAnswer,
    Canceled,
}

impl CallStatus {
    pub const ALL: [CallStatus; 9] = [
        CallStatus::Queued,
        CallStatus::Initiated,
        CallStatus::Ringing,
        CallStatus::InProgress,
        CallStatus::Completed,
        CallStatus::Busy,
        CallStatus::Failed,
        CallStatus::NoAnswer,
        CallStatus::Canceled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CallStatus::Queued => "queued",
            CallStatus::Initiated => "initiated",
            CallStatus::Ringing => "ringing",
            CallStatus::InProgress => "in-progress",
            CallStatus::Completed => "completed",
            CallStatus::Busy => "busy",
            CallStatus::Failed => "failed",
            CallStatus::NoAnswer => "no-answer",
            CallStatus::Canceled => "canceled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The call is over (answered or not): Twilio says nothing more of it.
    pub fn is_final(self) -> bool {
        matches!(self, CallStatus::Completed | CallStatus::Busy | CallStatus::Failed | CallStatus::NoAnswer | CallStatus::Canceled)
    }
}

/// A conference's status callback event (Twilio's `StatusCallbackEvent`), those we act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConferenceEvent {
    Start,
    End,
    Join,
    Leave,
}

impl ConferenceEvent {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "conference-start" => ConferenceEvent::Start,
            "conference-end" => ConferenceEvent::End,
            "participant-join" => ConferenceEvent::Join,
            "participant-leave" => ConferenceEvent::Leave,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_status_reads_back_and_only_the_ends_are_final() {
        for s in CallStatus::ALL {
            assert_eq!(CallStatus::parse(s.as_str()), Some(s));
        }
        let finals: Vec<&str> = CallStatus::ALL.into_iter().filter(|s| s.is_final()).map(CallStatus::as_str).collect();
        assert_eq!(finals, ["completed", "busy", "failed", "no-answer", "canceled"]);
        assert_eq!(CallStatus::parse("answered"), None, "a StatusCallbackEvent name, not a status");
    }

    #[test]
    fn conference_events_we_act_on_are_read_and_others_are_not() {
        assert_eq!(ConferenceEvent::parse("conference-end"), Some(ConferenceEvent::End));
        assert_eq!(ConferenceEvent::parse("participant-leave"), Some(ConferenceEvent::Leave));
        assert_eq!(ConferenceEvent::parse("participant-speech-start"), None);
    }
}
