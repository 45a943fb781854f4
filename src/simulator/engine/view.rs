//! Read-only views of the engine for a UI (serialisable) and for the REST API's answers.

use serde::Serialize;

use super::calls::Engine;
use super::model::{
    Call, CallStatus, Conference, ConferenceStatus, Direction, Listening, Notification, Participant, ParticipantStatus, SimError,
};
use super::pacing::PacingView;
use super::record::RecordingView;
use crate::ids::{CallSid, ConferenceSid};
use crate::simulator::time::{rfc2822, secs_between};

/// Everything going on, for the simulator's view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimState {
    /// Oldest first.
    pub calls: Vec<CallView>,
    /// Oldest first, completed ones included.
    pub conferences: Vec<ConferenceView>,
    /// Finished recordings not deleted, newest first.
    pub recordings: Vec<RecordingView>,
    /// What Twilio's debugger would show (warnings and errors), newest last.
    pub notifications: Vec<Notification>,
    /// API-created calls waiting for their turn under the account's calls per second.
    pub pacing: PacingView,
}

/// What a `<Gather>` or `<Record>` waiting for the caller is up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ListeningView {
    Gather {
        /// Takes keys, speech, or both.
        dtmf: bool,
        speech: bool,
        /// Keyed so far.
        digits: String,
        /// The key that submits, if any.
        finish_on_key: Option<char>,
    },
    Record {
        recording_sid: String,
        /// Said so far.
        said: String,
        /// The keys that end it.
        finish_on_key: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallView {
    pub call_sid: CallSid,
    pub from: String,
    pub to: String,
    pub direction: Direction,
    pub status: CallStatus,
    /// What the caller hears now (`Say: …`, `Play: … (looping)`, `hold music playing`,
    /// `conference with agent1`…).
    pub now_hearing: String,
    /// Everything heard so far, in order.
    pub hearing: Vec<String>,
    /// DTMF sent on this leg (`w` pauses included) and heard from others in its conference,
    /// the latest 1000 of each.
    pub digits_sent: String,
    pub digits_heard: String,
    /// The room's beeps this call heard ("agent1 joined", "supervisor1 left").
    pub beeps: Vec<String>,
    pub conference_sid: Option<ConferenceSid>,
    /// RFC 2822, as Twilio writes dates.
    pub date_created: String,
    pub date_updated: String,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    /// Seconds talked, once the call is over.
    pub duration: Option<u64>,
    /// How long an API-created call waited in the account's queue before Twilio placed it, in ms
    /// (Twilio's `queue_time`); 0 while it waits, and for inbound calls.
    pub queue_time_ms: u64,
    /// A `<Gather>` or `<Record>` waiting for the caller.
    pub listening: Option<ListeningView>,
    /// Rings on an open `/phone` page rather than by the phone book.
    pub rings_on_page: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConferenceView {
    pub sid: ConferenceSid,
    pub friendly_name: String,
    pub status: ConferenceStatus,
    pub participants: Vec<ParticipantView>,
    pub reason_ended: Option<String>,
    pub call_sid_ending: Option<CallSid>,
    pub date_created: String,
    pub date_updated: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParticipantView {
    pub call_sid: CallSid,
    pub conference_sid: ConferenceSid,
    pub label: Option<String>,
    pub status: ParticipantStatus,
    /// Added through the REST API and its call not placed yet: it waits for its turn under the
    /// account's calls per second (Twilio's participant status `queued`).
    pub queued: bool,
    pub on_hold: bool,
    pub muted: bool,
    pub start_conference_on_enter: bool,
    pub end_conference_on_exit: bool,
    /// The call this participant coaches: only that participant hears them.
    pub coaching: Option<CallSid>,
    /// What this participant hears now.
    pub hearing: String,
    pub date_created: String,
}

/// A call ringing for a browser identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RingingCall {
    pub call_sid: CallSid,
    pub from: String,
    pub to: String,
}

impl Engine {
    pub fn snapshot(&self) -> SimState {
        SimState {
            calls: self.calls.values().map(call_view).collect(),
            conferences: self.conferences.values().map(|c| self.conference_view(c)).collect(),
            recordings: self.recordings(None),
            notifications: self.notifications.iter().cloned().collect(),
            pacing: self.pacer.view(),
        }
    }

    pub fn call(&self, sid: &str) -> Option<CallView> {
        self.calls.get(sid).map(call_view)
    }

    /// A conference by `CF…` SID, completed ones included.
    pub fn conference(&self, sid: &str) -> Option<ConferenceView> {
        self.conferences.get(sid).map(|c| self.conference_view(c))
    }

    /// `GET Conferences.json`: filtered by friendly name and by status (`init`, `in-progress`,
    /// `completed`), newest first as Twilio lists them.
    pub fn find_conferences(&self, friendly_name: Option<&str>, status: Option<&str>) -> Vec<ConferenceView> {
        self.conferences
            .values()
            .rev()
            .filter(|c| friendly_name.is_none_or(|n| c.friendly_name == n))
            .filter(|c| status.is_none_or(|s| c.status.as_twilio_str() == s))
            .map(|c| self.conference_view(c))
            .collect()
    }

    /// A live conference by `CF…` SID or friendly name.
    pub fn live_conference(&self, sid_or_name: &str) -> Result<ConferenceView, SimError> {
        let sid = self.resolve(sid_or_name)?;
        Ok(self.conference_view(&self.conferences[&sid]))
    }

    /// One participant of a live conference, by call SID or label.
    pub fn participant(&self, conference: &str, who: &str) -> Result<ParticipantView, SimError> {
        let sid = self.resolve(conference)?;
        let view = self.conference_view(&self.conferences[&sid]);
        view.participants
            .into_iter()
            .find(|p| p.call_sid.as_str() == who || p.label.as_deref() == Some(who))
            .ok_or_else(|| SimError::UnknownParticipant(who.to_string()))
    }

    fn conference_view(&self, c: &Conference) -> ConferenceView {
        ConferenceView {
            sid: c.sid.clone(),
            friendly_name: c.friendly_name.clone(),
            status: c.status,
            participants: c.participants.iter().map(|p| self.participant_view(c, p)).collect(),
            reason_ended: c.reason_ended.map(str::to_string),
            call_sid_ending: c.call_sid_ending.clone(),
            date_created: rfc2822(c.created_at),
            date_updated: rfc2822(c.updated_at),
        }
    }

    fn participant_view(&self, c: &Conference, p: &Participant) -> ParticipantView {
        let call = self.calls.get(p.call_sid.as_str());
        let queued = p.status == ParticipantStatus::Ringing && call.is_some_and(|c| c.status == CallStatus::Queued);
        ParticipantView {
            call_sid: p.call_sid.clone(),
            conference_sid: c.sid.clone(),
            label: p.label.clone(),
            status: p.status,
            queued,
            on_hold: p.hold,
            muted: p.muted,
            start_conference_on_enter: p.start_conference_on_enter,
            end_conference_on_exit: p.end_conference_on_exit,
            coaching: p.coaching.clone(),
            hearing: match p.status {
                ParticipantStatus::Ringing if queued => "queued".into(),
                ParticipantStatus::Ringing => "ringing".into(),
                ParticipantStatus::Connected => call.map(|c| c.now_hearing.clone()).unwrap_or_default(),
            },
            date_created: rfc2822(p.joined_at),
        }
    }
}

impl ConferenceView {
    /// A participant by label (tests and the UI name agents by label).
    pub fn labelled(&self, label: &str) -> Option<&ParticipantView> {
        self.participants.iter().find(|p| p.label.as_deref() == Some(label))
    }
}

impl ConferenceStatus {
    pub fn is_live(self) -> bool {
        self != ConferenceStatus::Completed
    }
}

fn call_view(c: &Call) -> CallView {
    CallView {
        call_sid: c.sid.clone(),
        from: c.from.clone(),
        to: c.to.clone(),
        direction: c.direction,
        status: c.status,
        now_hearing: c.now_hearing.clone(),
        hearing: c.hearing.clone(),
        digits_sent: c.digits_sent.clone(),
        digits_heard: c.digits_heard.clone(),
        beeps: c.beeps.clone(),
        conference_sid: c.conference.clone(),
        date_created: rfc2822(c.created_at),
        date_updated: rfc2822(c.updated_at),
        start_time: c.answered_at.map(rfc2822),
        end_time: c.ended_at.map(rfc2822),
        duration: c.ended_at.map(|end| c.answered_at.map_or(0, |start| secs_between(start, end))),
        queue_time_ms: c.placed_at.map_or(0, |placed| {
            let waited = placed.duration_since(c.created_at).unwrap_or_default();
            u64::try_from(waited.as_millis()).unwrap_or(u64::MAX)
        }),
        listening: c.listening.as_ref().map(|l| match l {
            Listening::Gather(g) => ListeningView::Gather {
                dtmf: g.verb.dtmf,
                speech: g.verb.speech,
                digits: g.digits.clone(),
                finish_on_key: g.verb.finish_on_key,
            },
            Listening::Record(r) => {
                ListeningView::Record { recording_sid: r.sid.clone(), said: r.said.clone(), finish_on_key: r.verb.finish_on_key.clone() }
            }
        }),
        rings_on_page: c.rings_on_page,
    }
}

impl Engine {
    /// Calls ringing for `client:{identity}`, oldest first.
    pub fn ringing_for(&self, identity: &str) -> Vec<RingingCall> {
        self.calls
            .values()
            .filter(|c| c.status == CallStatus::Ringing && c.client_identity() == Some(identity))
            .map(|c| RingingCall { call_sid: c.sid.clone(), from: c.from.clone(), to: c.to.clone() })
            .collect()
    }
}
