//! Conference rooms: joining, starting, leaving, ending, and what the REST API does to
//! participants (add, hold, mute, remove) — with who hears what at each step.

use std::time::{Duration, SystemTime};

use super::calls::{check_to, normalise_method, subscription, Engine, DEFAULT_HOLD_MUSIC};
use super::model::{CallStatus, Conference, ConferenceStatus, FetchPurpose, Participant, ParticipantStatus, Refetch, SimError};
use super::view::ParticipantView;
use crate::ids::{CallSid, ConferenceSid};
use crate::simulator::twiml::{ConferenceJoin, Instruction};

/// `POST Conferences/{CF or name}/Participants.json`.
#[derive(Debug, Clone, Default)]
pub struct NewParticipant {
    pub from: String,
    pub to: String,
    pub label: Option<String>,
    pub start_conference_on_enter: Option<bool>,
    pub end_conference_on_exit: Option<bool>,
    pub muted: Option<bool>,
    pub coaching: Option<bool>,
    pub call_sid_to_coach: Option<String>,
    pub beep: Option<String>,
    pub wait_url: Option<String>,
    pub wait_method: Option<String>,
    pub timeout_secs: Option<u32>,
    /// The participant's *call* progress callback (`initiated ringing answered completed`).
    pub status_callback: Option<String>,
    pub status_callback_event: Vec<String>,
    pub status_callback_method: Option<String>,
    /// Conference events, as `statusCallback` on `<Conference>` (first participant's only).
    pub conference_status_callback: Option<String>,
    pub conference_status_callback_event: Vec<String>,
    pub conference_status_callback_method: Option<String>,
}

/// `POST Conferences/{CF}/Participants/{CallSid or label}.json`; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct ParticipantUpdate {
    pub hold: Option<bool>,
    pub hold_url: Option<String>,
    pub hold_method: Option<String>,
    pub muted: Option<bool>,
    pub end_conference_on_exit: Option<bool>,
    pub coaching: Option<bool>,
    pub call_sid_to_coach: Option<String>,
}

/// How a participant left, which decides the reason a conference gives for ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Leave {
    HungUp,
    Kicked,
}

impl Engine {
    /// The live (not completed) conference called `name`.
    fn live_by_name(&self, name: &str) -> Option<&Conference> {
        self.conferences.values().find(|c| c.friendly_name == name && c.status != ConferenceStatus::Completed)
    }

    /// A live conference by `CF…` SID or by friendly name, as the REST API addresses them.
    pub(super) fn resolve(&self, sid_or_name: &str) -> Result<String, SimError> {
        match self.conferences.get(sid_or_name) {
            Some(c) if c.status != ConferenceStatus::Completed => Ok(c.sid.to_string()),
            Some(_) => Err(SimError::UnknownConference(sid_or_name.to_string())),
            None => self
                .live_by_name(sid_or_name)
                .map(|c| c.sid.to_string())
                .ok_or_else(|| SimError::UnknownConference(sid_or_name.to_string())),
        }
    }

    fn conference_mut(&mut self, sid: &str) -> Result<&mut Conference, SimError> {
        self.conferences.get_mut(sid).ok_or_else(|| SimError::UnknownConference(sid.to_string()))
    }

    fn open_conference(&mut self, name: &str, now: SystemTime) -> String {
        if let Some(c) = self.live_by_name(name) {
            return c.sid.to_string();
        }
        let sid = self.new_conference_sid();
        let conference = Conference {
            sid: sid.clone(),
            friendly_name: name.to_string(),
            status: ConferenceStatus::Waiting,
            participants: Vec::new(),
            callback: None,
            next_sequence: 1,
            created_at: now,
            updated_at: now,
            reason_ended: None,
            call_sid_ending: None,
        };
        self.conferences.insert(sid.to_string(), conference);
        sid.to_string()
    }

    fn check_label(&self, conf: &Conference, label: Option<&str>, call_sid: &CallSid) -> Result<(), SimError> {
        match label {
            Some(l) if conf.participants.iter().any(|p| p.label.as_deref() == Some(l) && &p.call_sid != call_sid) => {
                Err(SimError::DuplicateLabel { label: l.to_string(), conference: conf.friendly_name.clone() })
            }
            _ => Ok(()),
        }
    }

    /// Whom a participant coaches after a request's `Coaching` and `CallSidToCoach` (`None`:
    /// the request does not touch it). Twilio's rules: the two go together; the participant to
    /// coach must be in the conference (16028) and not on hold (16027).
    fn coach_of(conf: &Conference, coaching: Option<bool>, to_coach: Option<&str>) -> Result<Option<Option<CallSid>>, SimError> {
        match (coaching, to_coach.map(str::trim).filter(|s| !s.is_empty())) {
            (None, None) => Ok(None),
            (Some(false), _) => Ok(Some(None)),
            (None, Some(_)) => Err(SimError::Invalid("CallSidToCoach is only valid with Coaching=true".into())),
            (Some(true), None) => Err(SimError::Invalid("Coaching=true needs CallSidToCoach".into())),
            (Some(true), Some(sid)) => {
                let target = conf
                    .participants
                    .iter()
                    .find(|p| p.call_sid.as_str() == sid && p.status == ParticipantStatus::Connected)
                    .ok_or_else(|| SimError::CoachNotInConference(sid.to_string()))?;
                if target.hold {
                    return Err(SimError::CoachOnHold(sid.to_string()));
                }
                Ok(Some(Some(target.call_sid.clone())))
            }
        }
    }

    /// The room beeps for `who` entering or leaving (as its `beep` says): everyone else
    /// connected and not on hold hears it.
    fn beep(&mut self, conf_sid: &str, who: &Participant, entering: bool) {
        let wanted = match who.beep.as_str() {
            "true" => true,
            "onEnter" => entering,
            "onExit" => !entering,
            _ => false,
        };
        let Some(conf) = self.conferences.get(conf_sid).filter(|_| wanted) else { return };
        let name = who.label.clone().or_else(|| self.calls.get(who.call_sid.as_str()).map(|c| c.party().to_string())).unwrap_or_default();
        let listeners: Vec<CallSid> =
            conf.connected().filter(|p| p.call_sid != who.call_sid && !p.hold).map(|p| p.call_sid.clone()).collect();
        let heard = format!("{name} {}", if entering { "joined" } else { "left" });
        for sid in listeners {
            if let Some(call) = self.calls.get_mut(sid.as_str()) {
                call.beeps.push(heard.clone());
            }
        }
    }

    /// Twilio's 16020: the room holds [`Engine::set_max_participants`] already. Everyone listed
    /// counts, those still being dialled to join included (the Participants list shows them: their
    /// place is kept); `joining`, listed already when it was added through the REST API, does not
    /// count against itself.
    fn check_room(&self, conf: &Conference, joining: Option<&CallSid>) -> Result<(), SimError> {
        let others = conf.participants.iter().filter(|p| Some(&p.call_sid) != joining).count();
        if others >= self.max_participants {
            return Err(SimError::ConferenceFull(conf.friendly_name.clone(), self.max_participants));
        }
        Ok(())
    }

    /// `<Dial><Conference>` (or answering a REST-added participant's call): into the live room of
    /// that name, created if there is none. A full room refuses the call (16020): it never joins,
    /// and the caller of [`Engine::run_script`] goes on with the next verb, as after a failed `<Dial>`.
    pub(super) fn join_conference(&mut self, call_sid: &CallSid, join: &ConferenceJoin, now: SystemTime) -> Result<(), SimError> {
        let conf_sid = self.open_conference(&join.name, now);
        let conf = &self.conferences[&conf_sid];
        self.check_room(conf, Some(call_sid))?;
        self.check_label(conf, join.participant_label.as_deref(), call_sid)?;
        let mut participant = Participant::new(call_sid, join, ParticipantStatus::Connected, now);
        // A REST-added participant keeps whom it was added to coach.
        participant.coaching = conf.participants.iter().find(|p| &p.call_sid == call_sid).and_then(|p| p.coaching.clone());
        let conference_callback =
            subscription(join.status_callback.clone(), join.status_callback_event.clone(), Some(join.status_callback_method.clone()), &[])?;
        let conf = self.conferences.get_mut(&conf_sid).expect("opened above");
        if conf.callback.is_none() {
            conf.callback = conference_callback;
        }
        // A REST-added participant was listed as ringing; it now connects in place.
        match conf.participants.iter_mut().find(|p| &p.call_sid == call_sid) {
            Some(p) => *p = participant.clone(),
            None => conf.participants.push(participant.clone()),
        }
        conf.updated_at = now;
        let sid = ConferenceSid::parse(&conf_sid).expect("valid CF sid");
        if let Some(call) = self.calls.get_mut(call_sid.as_str()) {
            call.conference = Some(sid);
        }
        self.participant_event(&conf_sid, "participant-join", &participant, &[], now);
        self.beep(&conf_sid, &participant, true);

        let conf = &self.conferences[&conf_sid];
        let ready = conf.connected().count() >= 2 && conf.connected().any(|p| p.start_conference_on_enter);
        if conf.status == ConferenceStatus::Waiting && ready {
            let conf = self.conferences.get_mut(&conf_sid).expect("exists");
            conf.status = ConferenceStatus::InProgress;
            // Superseded wait music: results still on their way are dropped, and wait documents
            // are not fetched again.
            for p in &mut conf.participants {
                if p.refetch.as_ref().is_some_and(|r| r.purpose == FetchPurpose::Wait) {
                    p.refetch = None;
                }
                if let Some(call) = self.calls.get_mut(p.call_sid.as_str()) {
                    if matches!(call.fetch, Some((_, FetchPurpose::Wait))) {
                        call.fetch = None;
                    }
                }
            }
            self.conference_event(&conf_sid, "conference-start", &[], now);
        } else if conf.status == ConferenceStatus::Waiting {
            self.start_wait_music(&conf_sid, call_sid);
        }
        self.refresh_audio(&conf_sid);
        Ok(())
    }

    /// While the room waits, a participant hears its `waitUrl`: Twilio's music when there is
    /// none, silence when it is empty, else whatever that document says.
    fn start_wait_music(&mut self, conf_sid: &str, call_sid: &CallSid) {
        let Some(p) = self.participant_mut(conf_sid, call_sid) else { return };
        match p.wait_url.clone() {
            None => p.wait_audio = DEFAULT_HOLD_MUSIC.into(),
            Some(url) if url.trim().is_empty() => p.wait_audio = "silence".into(),
            Some(url) => {
                p.wait_audio = "silence".into();
                let method = p.wait_method.clone();
                self.fetch(call_sid, FetchPurpose::Wait, &url, &method);
            }
        }
    }

    fn participant_mut(&mut self, conf_sid: &str, call_sid: &CallSid) -> Option<&mut Participant> {
        self.conferences.get_mut(conf_sid)?.participants.iter_mut().find(|p| &p.call_sid == call_sid)
    }

    /// A wait or hold document arrived: only `<Say>`, `<Play>`, `<Pause>` and `<Redirect>` may be
    /// in it (anything else rejects it: 13238). The caller hears its lines at once, but the finite verbs before a `<Redirect>` take
    /// simulated time (a `<Play>` `background_play_secs` per loop, a `<Pause>` its length, a
    /// `<Say>` none): only then does [`Engine::tick`] fetch the redirect's document.
    pub(super) fn play_background(
        &mut self,
        call_sid: &CallSid,
        purpose: FetchPurpose,
        doc: Result<Vec<Instruction>, String>,
        now: SystemTime,
    ) {
        let Some(conf_sid) = self.calls.get(call_sid.as_str()).and_then(|c| c.conference.clone()) else { return };
        let mut doc = match doc {
            Ok(doc) => doc,
            Err(e) => {
                self.warn(Some(call_sid), None, format!("could not get the {} document: {e}", background_name(purpose)), now);
                Vec::new()
            }
        };
        // Twilio's 13238: a wait or hold document may only play (`<Say>`, `<Play>`, `<Pause>`) and
        // redirect. One with any other verb is rejected whole, and the participant waits on in
        // silence (it is neither dropped nor hung up).
        if let Some(bad) = doc.iter().find_map(|v| forbidden_in_background(v)) {
            let message = format!(
                "13238 Invalid verb for {} document: <{bad}> is not allowed (only <Say>, <Play>, <Pause> and <Redirect> are); \
                 the document is ignored",
                background_name(purpose)
            );
            self.warn(Some(call_sid), Some(INVALID_BACKGROUND_VERB), message, now);
            doc.clear();
        }
        let play_secs = u64::from(self.cfg.background_play_secs);
        let mut heard = Vec::new();
        let mut looping = false;
        let mut redirect = None;
        let mut elapsed: u64 = 0;
        for verb in doc {
            match verb {
                Instruction::Say { text } => heard.push(format!("Say: {text}")),
                Instruction::Play { url, loop_count: 0 } => {
                    heard.push(format!("Play: {url} (looping)"));
                    looping = true;
                    break;
                }
                Instruction::Play { url, loop_count } => {
                    heard.push(format!("Play: {url}"));
                    elapsed = elapsed.saturating_add(play_secs.saturating_mul(loop_count.into()));
                }
                Instruction::Pause { length_secs } => {
                    heard.push(format!("silence ({length_secs} s)"));
                    elapsed = elapsed.saturating_add(length_secs.into());
                }
                // Twilio never reaches the verbs after a <Redirect>.
                Instruction::Redirect { url, method } => {
                    redirect = Some((url, method));
                    break;
                }
                // Rejected above (13238).
                Instruction::Hangup | Instruction::Dial(_) | Instruction::Gather(_) | Instruction::Record(_) => {}
            }
        }
        // A document that ends without endless music or a redirect leaves silence: Twilio does not
        // fetch it again.
        if !looping && (redirect.is_none() || heard.is_empty()) {
            heard.push("silence".into());
        }
        // An overflowing time is never due.
        let refetch = redirect.and_then(|(url, method)| {
            let due = now.checked_add(Duration::from_secs(elapsed))?;
            Some(Refetch { due, url, method, purpose })
        });
        if let Some(call) = self.calls.get_mut(call_sid.as_str()) {
            for h in &heard {
                call.hear(h.clone());
            }
        }
        let last = heard.pop().unwrap_or_default();
        if let Some(p) = self.participant_mut(conf_sid.as_str(), call_sid) {
            match purpose {
                FetchPurpose::Hold => p.hold_audio = last,
                _ => p.wait_audio = last,
            }
            // This document replaces the previous one of its kind, and its redirect with it.
            if refetch.is_some() || p.refetch.as_ref().is_some_and(|r| r.purpose == purpose) {
                p.refetch = refetch;
            }
        }
        self.refresh_audio(conf_sid.as_str());
    }

    /// Fetches every wait or hold document whose `<Redirect>` is due, while it still applies: a
    /// wait document while the room waits (deferred while the participant is on hold), a hold
    /// document while the participant is held. A redirect that no longer applies is dropped.
    pub(super) fn follow_due_redirects(&mut self, now: SystemTime) {
        let mut due = Vec::new();
        for conf in self.conferences.values_mut() {
            let waiting = conf.status == ConferenceStatus::Waiting;
            for p in &mut conf.participants {
                let Some(r) = &p.refetch else { continue };
                let applies = p.status == ParticipantStatus::Connected
                    && match r.purpose {
                        FetchPurpose::Wait => waiting,
                        FetchPurpose::Hold => p.hold,
                        FetchPurpose::Document => false,
                    };
                if !applies {
                    p.refetch = None;
                } else if r.due <= now && !(r.purpose == FetchPurpose::Wait && p.hold) {
                    due.extend(p.refetch.take().map(|r| (p.call_sid.clone(), r)));
                }
            }
        }
        for (call_sid, r) in due {
            let live = self.calls.get(call_sid.as_str()).is_some_and(|c| !c.status.is_final() && c.conference.is_some());
            if live {
                self.fetch(&call_sid, r.purpose, &r.url, &r.method);
            }
        }
    }

    /// Recomputes what every connected participant hears: hold music when held, wait music while
    /// the room waits, else everyone else who is neither held nor muted.
    fn refresh_audio(&mut self, conf_sid: &str) {
        let Some(conf) = self.conferences.get(conf_sid) else { return };
        // Who can be heard, and by whom: a coach only by the participant they coach.
        let audible: Vec<(CallSid, String, Option<CallSid>)> = conf
            .connected()
            .filter(|p| !p.hold && !p.muted)
            .map(|p| {
                let name = p.label.clone().or_else(|| self.calls.get(p.call_sid.as_str()).map(|c| c.party().to_string()));
                (p.call_sid.clone(), name.unwrap_or_default(), p.coaching.clone())
            })
            .collect();
        let hearing: Vec<(CallSid, String)> = conf
            .connected()
            .map(|p| {
                let what = if p.hold {
                    p.hold_audio.clone()
                } else if conf.status == ConferenceStatus::Waiting {
                    p.wait_audio.clone()
                } else {
                    let others: Vec<String> = audible
                        .iter()
                        .filter(|(sid, _, coaching)| sid != &p.call_sid && coaching.as_ref().is_none_or(|c| c == &p.call_sid))
                        .map(|(_, n, coaching)| if coaching.is_some() { format!("{n} (coaching)") } else { n.clone() })
                        .collect();
                    if others.is_empty() {
                        "conference: nobody else".to_string()
                    } else {
                        format!("conference with {}", others.join(", "))
                    }
                };
                (p.call_sid.clone(), what)
            })
            .collect();
        for (sid, what) in hearing {
            if let Some(call) = self.calls.get_mut(sid.as_str()) {
                call.hear(what);
            }
        }
    }

    /// A live call moved to other TwiML (`POST Calls/{CA}.json Url=…`) walks out of its room: a
    /// leave like hanging up for the room (`participant-leave`, and the room ends if it had
    /// `endConferenceOnExit` or was the last), but the call goes on.
    pub(super) fn leave_for_redirect(&mut self, call_sid: &CallSid, now: SystemTime) {
        let in_room = self.calls.get_mut(call_sid.as_str()).and_then(|c| c.conference.take());
        if let Some(conf_sid) = in_room {
            self.leave(conf_sid.as_str(), call_sid, Leave::HungUp, now);
        }
    }

    /// A call ended: if it was in (or ringing to join) a conference, it leaves it.
    pub(super) fn participant_call_ended(&mut self, call_sid: &CallSid, now: SystemTime) {
        let in_room = self.calls.get_mut(call_sid.as_str()).and_then(|c| c.conference.take());
        if let Some(conf_sid) = in_room {
            self.leave(conf_sid.as_str(), call_sid, Leave::HungUp, now);
            return;
        }
        // A REST-added participant whose call never connected (no answer, busy, canceled).
        let pending = self
            .conferences
            .values()
            .find(|c| c.status != ConferenceStatus::Completed && c.participants.iter().any(|p| &p.call_sid == call_sid))
            .map(|c| c.sid.to_string());
        if let Some(conf_sid) = pending {
            self.leave(&conf_sid, call_sid, Leave::HungUp, now);
        }
    }

    /// Takes one participant out; the room ends when they had `endConferenceOnExit` or nobody is
    /// left in it.
    fn leave(&mut self, conf_sid: &str, call_sid: &CallSid, how: Leave, now: SystemTime) {
        let Some(conf) = self.conferences.get_mut(conf_sid) else { return };
        let Some(i) = conf.participants.iter().position(|p| &p.call_sid == call_sid) else { return };
        conf.updated_at = now;
        let gone = conf.participants.remove(i);
        // Calls still ringing to join do not keep a room open (as with a <Dial> on its way in).
        let remaining = conf.connected().count();
        self.detach(&gone, conf_sid, now);
        if gone.status == ParticipantStatus::Connected {
            self.beep(conf_sid, &gone, false);
        }
        let reason = if gone.end_conference_on_exit && gone.status == ParticipantStatus::Connected {
            Some(match how {
                Leave::HungUp => "participant-with-end-conference-on-exit-left",
                Leave::Kicked => "participant-with-end-conference-on-exit-kicked",
            })
        } else if remaining == 0 {
            Some(match how {
                Leave::HungUp => "last-participant-left",
                Leave::Kicked => "last-participant-kicked",
            })
        } else {
            None
        };
        match reason {
            Some(reason) => self.end_conference_with(conf_sid, reason, Some(call_sid.clone()), now),
            None => self.refresh_audio(conf_sid),
        }
    }

    /// The bookkeeping of one participant out of a room: the `participant-leave` event (with the
    /// call's status at that moment), and the call no longer waits for wait or hold music.
    fn detach(&mut self, gone: &Participant, conf_sid: &str, now: SystemTime) {
        let status = self.calls.get(gone.call_sid.as_str()).map(|c| c.status.as_str()).unwrap_or("completed");
        self.participant_event(conf_sid, "participant-leave", gone, &[("ParticipantCallStatus", status.to_string())], now);
        if let Some(call) = self.calls.get_mut(gone.call_sid.as_str()) {
            call.conference = None;
            if matches!(call.fetch, Some((_, FetchPurpose::Wait | FetchPurpose::Hold))) {
                call.fetch = None;
            }
        }
    }

    /// Ends the room for everyone in it: each leaves (and carries on with its document, which for
    /// this app's documents means the call completes). Calls still ringing to join are not touched.
    fn end_conference_with(&mut self, conf_sid: &str, reason: &'static str, ending: Option<CallSid>, now: SystemTime) {
        let Some(conf) = self.conferences.get_mut(conf_sid) else { return };
        if conf.status == ConferenceStatus::Completed {
            return;
        }
        conf.status = ConferenceStatus::Completed;
        conf.updated_at = now;
        conf.reason_ended = Some(reason);
        conf.call_sid_ending = ending.clone();
        let remaining: Vec<Participant> = std::mem::take(&mut conf.participants);
        let mut resume = Vec::new();
        for p in remaining.iter().filter(|p| p.status == ParticipantStatus::Connected) {
            self.detach(p, conf_sid, now);
            resume.push(p.call_sid.clone());
        }
        let mut extra = vec![("ReasonConferenceEnded", reason.to_string())];
        if let Some(sid) = &ending {
            extra.push(("CallSidEndingConference", sid.to_string()));
        }
        self.conference_event(conf_sid, "conference-end", &extra, now);
        for sid in resume {
            self.run_script(&sid, now);
        }
    }

    // ---- the REST API's conference operations -------------------------------------------------

    /// `POST Conferences/{CF}.json Status=completed`.
    pub fn end_conference(&mut self, sid_or_name: &str, now: SystemTime) -> Result<(), SimError> {
        let conf_sid = self.resolve(sid_or_name)?;
        self.end_conference_with(&conf_sid, "conference-ended-via-api", None, now);
        Ok(())
    }

    /// `POST Conferences/{CF or name}/Participants.json`: dials `to`; answering joins the room
    /// (created now, waiting, when only a name is given and no such room is live).
    pub fn add_participant(&mut self, conference: &str, req: NewParticipant, now: SystemTime) -> Result<ParticipantView, SimError> {
        for (name, value) in [("To", &req.to), ("From", &req.from)] {
            if value.trim().is_empty() {
                return Err(SimError::Invalid(format!("Required parameter {name} is missing")));
            }
        }
        check_to(&req.to)?;
        let conf_sid = match self.resolve(conference) {
            Ok(sid) => sid,
            Err(e) if conference.starts_with("CF") && conference.len() == 34 => return Err(e),
            Err(_) => self.open_conference(conference, now),
        };
        let conf = &self.conferences[&conf_sid];
        self.check_room(conf, None)?;
        if let Some(label) = req.label.as_deref() {
            if conf.participants.iter().any(|p| p.label.as_deref() == Some(label)) {
                return Err(SimError::DuplicateLabel { label: label.to_string(), conference: conf.friendly_name.clone() });
            }
        }
        let coaching = Self::coach_of(conf, req.coaching, req.call_sid_to_coach.as_deref())?.flatten();
        let mut join = ConferenceJoin::named(conf.friendly_name.clone());
        join.start_conference_on_enter = req.start_conference_on_enter.unwrap_or(true);
        join.end_conference_on_exit = req.end_conference_on_exit.unwrap_or(false);
        join.muted = req.muted.unwrap_or(false);
        join.participant_label = req.label.clone();
        join.wait_url = req.wait_url.clone();
        join.wait_method = normalise_method(req.wait_method.as_deref(), "POST")?;
        if let Some(beep) = req.beep.clone() {
            join.beep = beep;
        }
        join.status_callback = req.conference_status_callback.clone();
        join.status_callback_event = req.conference_status_callback_event.clone();
        join.status_callback_method = normalise_method(req.conference_status_callback_method.as_deref(), "POST")?;
        let call_callback = subscription(req.status_callback, req.status_callback_event, req.status_callback_method, &["completed"])?;
        let timeout = req.timeout_secs.unwrap_or(super::calls::DEFAULT_TIMEOUT_SECS);
        let call_sid = self.create_participant_call(&req.from, &req.to, join.clone(), timeout, call_callback, now);
        let conf = self.conferences.get_mut(&conf_sid).expect("resolved above");
        let mut ringing = Participant::new(&call_sid, &join, ParticipantStatus::Ringing, now);
        ringing.coaching = coaching;
        conf.participants.push(ringing);
        // The answer shows the participant as it was created: an unreachable number's call fails
        // (and leaves) at once, after Twilio has accepted the request.
        let created = self.participant(&conf_sid, call_sid.as_str());
        // Its call is placed as every API-created call is: when its turn comes (see `pacing`).
        self.place_call(&call_sid, now);
        created
    }

    /// `POST Conferences/{CF}/Participants/{CallSid or label}.json`: hold, mute, change the exit rule.
    ///
    /// A change of `EndConferenceOnExit` on a participant that is on hold when the request
    /// arrives is ignored, as Twilio ignores it (see the module docs of [`Engine`]).
    pub fn update_participant(
        &mut self,
        conference: &str,
        who: &str,
        update: ParticipantUpdate,
        now: SystemTime,
    ) -> Result<ParticipantView, SimError> {
        let conf_sid = self.resolve(conference)?;
        let conf = self.conference_mut(&conf_sid)?;
        let i = conf.position(who).ok_or_else(|| SimError::UnknownParticipant(who.to_string()))?;
        let hold_method = normalise_method(update.hold_method.as_deref(), "GET")?;
        // Checked before anything changes: a refused request changes nothing.
        let coaching = Self::coach_of(conf, update.coaching, update.call_sid_to_coach.as_deref())?;
        let p = &mut conf.participants[i];
        let call_sid = p.call_sid.clone();
        // Twilio's hold quirk: judged by the hold state the request finds, before its own `Hold`.
        let was_held = p.hold;
        let mut events: Vec<&'static str> = Vec::new();
        let mut hold_fetch = None;
        let mut ignored = None;
        if let Some(hold) = update.hold.filter(|h| *h != p.hold) {
            p.hold = hold;
            // The old hold document is over, its redirect with it.
            if p.refetch.as_ref().is_some_and(|r| r.purpose == FetchPurpose::Hold) {
                p.refetch = None;
            }
            events.push(if hold { "participant-hold" } else { "participant-unhold" });
            if hold {
                match update.hold_url.clone().filter(|u| !u.trim().is_empty()) {
                    Some(url) => {
                        p.hold_audio = "silence".into();
                        hold_fetch = Some(url);
                    }
                    None => p.hold_audio = DEFAULT_HOLD_MUSIC.into(),
                }
            }
        }
        if let Some(muted) = update.muted.filter(|m| *m != p.muted) {
            p.muted = muted;
            events.push(if muted { "participant-mute" } else { "participant-unmute" });
        }
        if let Some(coaching) = coaching.filter(|c| *c != p.coaching) {
            p.coaching = coaching;
            events.push("participant-modify");
        }
        if let Some(end) = update.end_conference_on_exit.filter(|e| *e != p.end_conference_on_exit) {
            if was_held {
                // Twilio answers 200 with the old value and sends no `participant-modify`.
                ignored = Some(end);
            } else {
                p.end_conference_on_exit = end;
                events.push("participant-modify");
            }
        }
        let after = p.clone();
        conf.updated_at = now;
        if update.hold == Some(false) {
            if let Some(call) = self.calls.get_mut(call_sid.as_str()) {
                if matches!(call.fetch, Some((_, FetchPurpose::Hold))) {
                    call.fetch = None;
                }
            }
        }
        if let Some(end) = ignored {
            // Not something Twilio reports anywhere; said here so a puzzled developer finds it.
            self.warn(
                Some(&call_sid),
                None,
                format!("EndConferenceOnExit={end} ignored: the participant is on hold (Twilio ignores it silently, as here)"),
                now,
            );
        }
        for event in events {
            self.participant_event(&conf_sid, event, &after, &[], now);
        }
        if let Some(url) = hold_fetch {
            self.fetch(&call_sid, FetchPurpose::Hold, &url, &hold_method);
        }
        self.refresh_audio(&conf_sid);
        self.participant(&conf_sid, call_sid.as_str())
    }

    /// `DELETE Conferences/{CF}/Participants/{CallSid or label}.json`: a connected participant is
    /// kicked (its call carries on after `<Dial>`), a ringing one has its call canceled.
    pub fn remove_participant(&mut self, conference: &str, who: &str, now: SystemTime) -> Result<(), SimError> {
        let conf_sid = self.resolve(conference)?;
        let conf = self.conference_mut(&conf_sid)?;
        let i = conf.position(who).ok_or_else(|| SimError::UnknownParticipant(who.to_string()))?;
        let p = &conf.participants[i];
        let call_sid = p.call_sid.clone();
        if p.status == ParticipantStatus::Ringing {
            self.finish_call(&call_sid, CallStatus::Canceled, now);
            return Ok(());
        }
        self.leave(&conf_sid, &call_sid, Leave::Kicked, now);
        self.run_script(&call_sid, now);
        Ok(())
    }
}

/// Twilio's error for a verb a conference's wait (or a participant's hold) document may not use.
pub const INVALID_BACKGROUND_VERB: u32 = 13238;

/// The name of a verb a wait or hold document may not have.
fn forbidden_in_background(verb: &Instruction) -> Option<&'static str> {
    match verb {
        Instruction::Say { .. } | Instruction::Play { .. } | Instruction::Pause { .. } | Instruction::Redirect { .. } => None,
        Instruction::Hangup => Some("Hangup"),
        Instruction::Dial(_) => Some("Dial"),
        Instruction::Gather(_) => Some("Gather"),
        Instruction::Record(_) => Some("Record"),
    }
}

fn background_name(purpose: FetchPurpose) -> &'static str {
    match purpose {
        FetchPurpose::Hold => "hold",
        _ => "wait",
    }
}
