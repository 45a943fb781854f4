//! Pure decisions of the warm-transfer flow. No I/O: everything here is a function of its inputs.

use super::paths::{AgentJoin, AgentLegStatus, CallbackMenu, CallbackStep, Menu, MonitorLegStatus, Status, Wait};
use super::paths::{VoicemailRecorded, VoicemailRecording, VoicemailTranscription};
use crate::center::{LegNo, MenuKey, MonitorMode, Music, Party};
use crate::config::Settings;
use crate::ids::{AgentId, CallSid};
use crate::twilio::rest::{AddParticipant, CreateCall, UpdateParticipant};
use crate::twilio::twiml::{Conference, Gather, Record, Response};
use std::time::Duration;

pub const WAIT_MESSAGE: &str = "Thank you for calling. Please wait in line for a few seconds. An agent will be with you shortly.";

/// Said when something behind the voice webhook failed: the caller still waits in the
/// conference and hears why the wait may be longer.
pub const TROUBLE_MESSAGE: &str = "We are having trouble reaching an agent right now. Please stay on the line.";

/// Conference events we ask Twilio to report (only the first participant's callback counts,
/// so the customer's leg carries it).
pub const CONFERENCE_EVENTS: [&str; 6] = ["start", "end", "join", "leave", "mute", "hold"];
/// Call events we ask for on every agent leg.
pub const CALL_EVENTS: [&str; 4] = ["initiated", "ringing", "answered", "completed"];

/// The public URL of one of our paths (`calls::paths`: the same type routes it).
fn url(settings: &Settings, path: impl std::fmt::Display) -> String {
    settings.public_url(&path.to_string())
}

/// The public URL of a step of the callback menu.
pub fn callback_url(settings: &Settings, call: &CallSid, step: CallbackStep) -> String {
    url(settings, CallbackMenu { call: call.clone(), step })
}

/// Said once to a customer whose call is transferred blind, before the music.
pub const TRANSFER_MESSAGE: &str = "Please hold while we transfer your call.";

/// Said to an agent who answers a call that is no longer theirs to take.
pub const CALLER_GONE_MESSAGE: &str = "Sorry, this caller is no longer waiting.";

/// The document a held customer hears (Twilio fetches it with `GET`): the wait document, which
/// says their place when they wait in the queue again; a blind transfer first says why.
pub fn customer_hold_url(settings: &Settings, music: Music) -> String {
    match music {
        Music::Transfer => url(settings, Wait { after_transfer: true }),
        Music::Hold | Music::Queue => url(settings, Wait { after_transfer: false }),
    }
}

/// The customer hears the welcome once, then waits in a conference named after their CallSid;
/// nobody hears anyone until an agent joins, and the conference ends when the customer leaves.
pub fn customer_twiml(settings: &Settings, call: &CallSid) -> Response {
    Response::new().say(WAIT_MESSAGE).dial_conference(customer_conference(settings, call))
}

fn customer_conference(settings: &Settings, call: &CallSid) -> Conference {
    Conference {
        name: call.to_string(),
        start_conference_on_enter: Some(false),
        end_conference_on_exit: Some(true),
        wait_url: Some(url(settings, Wait { after_transfer: false })),
        status_callback: Some(url(settings, Status)),
        status_callback_event: CONFERENCE_EVENTS.iter().map(|e| e.to_string()).collect(),
        ..Conference::default()
    }
}

/// The customer's conference, preceded by an apology: used when recording the call failed,
/// so the caller is never cut off by our fault.
pub fn customer_trouble_twiml(settings: &Settings, call: &CallSid) -> Response {
    Response::new().say(TROUBLE_MESSAGE).dial_conference(customer_conference(settings, call))
}

/// What a waiting customer hears, again and again: their place in the queue (when they have
/// one), a stretch of music, then Twilio fetches this document anew, so the place is fresh.
pub fn wait_twiml(settings: &Settings, position: Option<usize>) -> Response {
    wait_twiml_after(settings, None, position)
}

/// The wait document preceded by a sentence said once (the redirect goes to the plain document).
pub fn wait_twiml_after(settings: &Settings, intro: Option<&str>, position: Option<usize>) -> Response {
    let doc = match intro {
        Some(text) => Response::new().say(text),
        None => Response::new(),
    };
    let doc = match position {
        Some(n) => doc.say(format!("You are caller number {n}.")),
        None => doc,
    };
    doc.play(settings.wait_music_url.clone(), None).redirect(url(settings, Wait { after_transfer: false }))
}

/// The welcome when nobody is signed in to take calls (the callback menu follows).
pub const NOBODY_MESSAGE: &str = "Thank you for calling. Nobody can take your call right now.";

/// Said, in place of the welcome, to callers still waiting when we close: nobody is cut off.
pub const CLOSING_MESSAGE: &str = "We are now closed, but you keep your place in line: an agent will still answer your call.";

/// Said before the tone of a voicemail.
pub const VOICEMAIL_PROMPT: &str = "Please leave your name, number and message after the tone, then hang up or press the pound key.";
/// Said once the message is recorded (when the caller is still there to hear it).
pub const VOICEMAIL_THANKS: &str = "Thank you. Your message has been recorded, and we will call you back. Goodbye.";
/// Said when the caller said nothing before the recording's silence timeout.
pub const NO_MESSAGE: &str = "We did not get a message. Goodbye.";
/// The longest message: Twilio transcribes recordings of up to two minutes.
pub const VOICEMAIL_MAX_SECS: u32 = 120;

/// A caller who rang while we are closed hears why and when we open (`message`, from the
/// opening hours), and may leave a message: nobody waits for an agent who is not there.
pub fn closed_twiml(settings: &Settings, call: &CallSid, message: &str) -> Response {
    voicemail_twiml(settings, call, Response::new().say(message))
}

/// `before`, then the voicemail: the prompt, the recording (the message, its status and its
/// transcription reported on the call's voicemail paths), and goodbye when nothing was said.
pub fn voicemail_twiml(settings: &Settings, call: &CallSid, before: Response) -> Response {
    let call = call.clone();
    before
        .say(VOICEMAIL_PROMPT)
        .record(Record {
            action: Some(url(settings, VoicemailRecorded { call: call.clone() })),
            max_length_secs: Some(VOICEMAIL_MAX_SECS),
            timeout_secs: Some(5),
            finish_on_key: Some("#".into()),
            play_beep: Some(true),
            recording_status_callback: Some(url(settings, VoicemailRecording { call: call.clone() })),
            transcribe: Some(true),
            transcribe_callback: Some(url(settings, VoicemailTranscription { call })),
        })
        .say(NO_MESSAGE)
        .hangup()
}

/// The answer to a recorded message: thanks and goodbye (Twilio ignores it when the caller
/// hung up to end the recording).
pub fn voicemail_thanks_twiml() -> Response {
    Response::new().say(VOICEMAIL_THANKS).hangup()
}

/// Said to a waiting caller moved to the callback menu (or offered it at the start).
pub const CALLBACK_OFFER: &str = "You can keep your place without waiting on the line: press 1 and we will call you back when it is your turn, or press 2 to leave a message. To keep waiting, stay on the line.";
/// Said once the caller is back in their conference.
pub const KEPT_PLACE: &str = "Thank you. You keep your place in line.";
/// Said when the caller's number cannot be used.
pub const NUMBER_UNUSABLE: &str = "Sorry, we cannot call that number. You keep your place in line.";

/// Said before the menu.
pub const MENU_WELCOME: &str = "Thank you for calling.";
/// Said when the menu is said again.
pub const MENU_AGAIN: &str = "Sorry, I did not get that.";

/// The menu at the start of a call: a key per queue, or its name said.
pub fn menu_twiml(settings: &Settings, call: &CallSid, attempt: u32, before: Response) -> Response {
    let names: Vec<&str> = settings.queues.iter().map(|q| q.name.as_str()).collect();
    let say = names.iter().enumerate().map(|(i, q)| format!("For {q}, press {}.", i + 1)).collect::<Vec<_>>().join(" ");
    let gather = Gather {
        action: url(settings, Menu { call: call.clone(), attempt }),
        num_digits: Some(1),
        timeout_secs: Some(5),
        finish_on_key: None,
        speech_hints: Some(names.join(", ")),
    };
    // Nothing said or pressed: the same request, with no choice in it.
    before.gather(gather, say).redirect(url(settings, Menu { call: call.clone(), attempt }))
}

/// The queue a menu's answer chooses: its key, or its name in what was said.
pub fn menu_choice<'a>(settings: &'a Settings, key: MenuKey, speech: &str) -> Option<&'a crate::config::QueueSetting> {
    let by_key = key.index().and_then(|i| settings.queues.get(i));
    let speech = speech.to_lowercase();
    by_key.or_else(|| settings.queues.iter().find(|q| !speech.is_empty() && speech.contains(q.name.as_str())))
}

/// The callback offer: press 1 within a few seconds, or back to the queue by itself.
pub fn callback_offer_twiml(settings: &Settings, call: &CallSid, before: Response) -> Response {
    let gather = Gather {
        action: callback_url(settings, call, CallbackStep::Choice),
        num_digits: Some(1),
        timeout_secs: Some(6),
        finish_on_key: None,
        speech_hints: None,
    };
    before.gather(gather, CALLBACK_OFFER).redirect(callback_url(settings, call, CallbackStep::Back))
}

/// Asks which number to call: the caller's own (press 1) or one typed, then `#`.
pub fn callback_number_twiml(settings: &Settings, call: &CallSid, caller_id: Option<&str>) -> Response {
    let say = match caller_id {
        Some(n) => format!("We will call you back at {}. Press 1 to confirm, or type another number followed by the pound key.", spoken(n)),
        None => "Please type the number we should call you back at, with its country code, followed by the pound key.".to_string(),
    };
    let gather = Gather {
        action: callback_url(settings, call, CallbackStep::Number),
        num_digits: None,
        timeout_secs: Some(10),
        finish_on_key: Some("#".into()),
        speech_hints: None,
    };
    Response::new().gather(gather, say).redirect(callback_url(settings, call, CallbackStep::Back))
}

/// The request is taken: goodbye.
pub fn callback_taken_twiml(number: &str) -> Response {
    Response::new().say(format!("Thank you. We will call you back at {} when it is your turn. Goodbye.", spoken(number))).hangup()
}

/// Back in the conference (the same one, by name), in their place; `say` first.
pub fn back_in_queue_twiml(settings: &Settings, call: &CallSid, say: &str) -> Response {
    Response::new().say(say).dial_conference(customer_conference(settings, call))
}

/// A number read out digit by digit ("+1 5 5 5 …").
fn spoken(number: &str) -> String {
    number.chars().filter(|c| c.is_ascii_digit()).map(|c| c.to_string()).collect::<Vec<_>>().join(" ")
}

/// The caller being called back joins the conference the agent is waiting in; when they hang up
/// it ends (the agent's leg with it), as a caller's own call does.
pub fn callback_customer_join_twiml(settings: &Settings, call: &CallSid, party: &Party) -> Response {
    Response::new().dial_conference(Conference {
        name: call.to_string(),
        start_conference_on_enter: Some(true),
        end_conference_on_exit: Some(true),
        wait_url: Some(settings.hold_music_url.clone()),
        participant_label: Some(party.to_string()),
        ..Conference::default()
    })
}

/// An agent's (or a transfer's number's) leg joins the conference and starts it, labelled with
/// who it is so the center can hold or remove it by name. No one but the customer ends the
/// conference by leaving: when an agent leaves, the center decides what happens to the customer
/// (a consult's target takes over, or the customer is hung up). And since Twilio silently
/// ignores a change of `endConferenceOnExit` on a held participant, the flag is set here, once,
/// and never changed.
pub fn agent_join_twiml(settings: &Settings, call: &CallSid, party: &Party) -> Response {
    Response::new().dial_conference(Conference {
        name: call.to_string(),
        start_conference_on_enter: Some(true),
        end_conference_on_exit: Some(false),
        wait_url: Some(settings.hold_music_url.clone()),
        participant_label: Some(party.to_string()),
        ..Conference::default()
    })
}

/// An agent answered a call that is over or no longer offered to them: say so and hang up.
pub fn caller_gone_twiml() -> Response {
    Response::new().say(CALLER_GONE_MESSAGE).hangup()
}

/// The REST request that rings an agent's browser (or a transfer's number) and, on answer,
/// fetches the join route. Caller ID is the support number.
pub fn agent_dial(settings: &Settings, call: &CallSid, party: &Party, leg: LegNo) -> CreateCall {
    let to = match party {
        Party::Agent(agent) => format!("client:{agent}"),
        Party::Phone(number) => number.to_string(),
    };
    CreateCall {
        to,
        from: settings.twilio.number.clone(),
        url: url(settings, AgentJoin { call: call.clone(), party: party.clone(), leg }),
        method: Some("POST".into()),
        timeout_secs: Some(settings.ring_timeout_secs),
        status_callback: Some(url(settings, AgentLegStatus { call: call.clone(), party: party.clone(), leg })),
        status_callback_event: CALL_EVENTS.iter().map(|e| e.to_string()).collect(),
        status_callback_method: Some("POST".into()),
    }
}

/// The REST request that rings a supervisor's browser into the call's conference as a listener:
/// muted, **without a beep** (Twilio's default beeps on entering, announcing the listener),
/// never ending the conference by leaving, never starting one, labelled with their identity so
/// every later change (and the removal) addresses this one participant.
pub fn monitor_participant(settings: &Settings, call: &CallSid, supervisor: &AgentId, leg: LegNo) -> AddParticipant {
    AddParticipant {
        from: settings.twilio.number.clone(),
        to: format!("client:{supervisor}"),
        label: Some(supervisor.to_string()),
        start_conference_on_enter: Some(false),
        end_conference_on_exit: Some(false),
        status_callback: Some(url(settings, MonitorLegStatus { call: call.clone(), supervisor: supervisor.clone(), leg })),
        status_callback_event: CALL_EVENTS.iter().map(|e| e.to_string()).collect(),
        timeout_secs: Some(settings.ring_timeout_secs),
        beep: Some("false".into()),
        wait_url: None,
        muted: Some(true),
        coaching: None,
        call_sid_to_coach: None,
    }
}

/// The one update that puts a monitoring supervisor in `mode`: listening (muted, not
/// coaching), whispering (heard only by the agent on `coach`) or barging (heard by all).
pub fn monitor_update(mode: MonitorMode, coach: Option<&CallSid>) -> UpdateParticipant {
    UpdateParticipant {
        muted: Some(mode.muted()),
        coaching: Some(mode.coaching()),
        call_sid_to_coach: coach.filter(|_| mode.coaching()).map(|c| c.to_string()),
        ..UpdateParticipant::default()
    }
}

/// Exponential backoff with full jitter: `jitter` in [0, 1) picks the point in the window so
/// many instances retrying one Twilio outage do not hammer it in step.
pub fn retry_delay(attempt: u32, base: Duration, max: Duration, jitter: f64) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(16));
    let window = exp.min(max);
    let jitter = jitter.clamp(0.0, 1.0);
    // Never less than half the window: a retry storm is worse than a slightly slower retry.
    window.mul_f64(0.5 + jitter / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;

    fn settings() -> Settings {
        crate::config::test_settings()
    }

    #[test]
    fn the_menu_names_each_queue_by_its_key_and_takes_a_key_or_a_name() {
        let mut s = settings();
        s.queues = crate::config::QueueSetting::parse_list("sales,support:2").unwrap();
        let xml = menu_twiml(&s, &ca01(), 1, Response::new().say(MENU_WELCOME)).to_xml();
        assert!(xml.contains("For sales, press 1. For support, press 2."), "{xml}");
        assert!(xml.contains(r#"input="dtmf speech""#) && xml.contains(r#"hints="sales, support""#), "{xml}");
        let chosen = |digits: &str, speech: &str| menu_choice(&s, MenuKey::parse(digits), speech).map(|q| (q.name.to_string(), q.priority));
        assert_eq!(chosen("2", ""), Some(("support".into(), 2)));
        assert_eq!(chosen("", "Sales, please"), Some(("sales".into(), 0)));
        assert_eq!(chosen("7", ""), None, "no queue has key 7");
        assert_eq!(chosen("", "billing"), None);
        assert_eq!(crate::config::QueueSetting::parse_list("sales,sales"), Err("queue 'sales' is named twice".into()));
        assert!(crate::config::QueueSetting::parse_list("Sales").is_err());
    }

    fn ca01() -> CallSid {
        CallSid::parse(&format!("CA{:032x}", 1)).unwrap()
    }

    fn parse(r: &Response) -> String {
        r.to_xml()
    }

    #[test]
    fn the_customer_waits_in_a_conference_named_after_their_call() {
        let xml = parse(&customer_twiml(&settings(), &ca01()));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let conf = doc.descendants().find(|n| n.has_tag_name("Conference")).unwrap();
        assert_eq!(conf.text(), Some(ca01().as_str()));
        assert_eq!(conf.attribute("startConferenceOnEnter"), Some("false"));
        assert_eq!(conf.attribute("endConferenceOnExit"), Some("true"));
        assert_eq!(conf.attribute("waitUrl"), Some("https://support.example.com/conference/wait"));
        assert_eq!(conf.attribute("statusCallback"), Some("https://support.example.com/twilio/status"));
    }

    #[test]
    fn no_agent_ends_the_conference_by_leaving_and_each_is_labelled() {
        for party in ["agent1", "+14155550100"] {
            let xml = parse(&agent_join_twiml(&settings(), &ca01(), &Party::parse(party).unwrap()));
            let doc = roxmltree::Document::parse(&xml).unwrap();
            let conf = doc.descendants().find(|n| n.has_tag_name("Conference")).unwrap();
            assert_eq!(conf.attribute("endConferenceOnExit"), Some("false"), "{party}");
            assert_eq!(conf.attribute("startConferenceOnEnter"), Some("true"));
            assert_eq!(conf.attribute("participantLabel"), Some(party));
        }
    }

    #[test]
    fn a_transfer_to_a_number_dials_it_from_the_support_number() {
        let dial = agent_dial(&settings(), &ca01(), &Party::parse("+14155550100").unwrap(), 4);
        assert_eq!(dial.to, "+14155550100");
        assert_eq!(dial.from, "+15005550006");
        assert_eq!(dial.url, format!("https://support.example.com/conference/{}/connect/+14155550100?leg=4", ca01()));
        assert_eq!(
            dial.status_callback.as_deref(),
            Some(format!("https://support.example.com/twilio/legs/{}/+14155550100/4", ca01()).as_str())
        );
    }

    #[test]
    fn a_blind_transfer_says_why_once_then_waits_like_the_queue() {
        assert_eq!(customer_hold_url(&settings(), Music::Transfer), "https://support.example.com/conference/wait?intro=transfer");
        assert_eq!(customer_hold_url(&settings(), Music::Queue), "https://support.example.com/conference/wait");
        let xml = parse(&wait_twiml_after(&settings(), Some(TRANSFER_MESSAGE), None));
        assert!(xml.contains(TRANSFER_MESSAGE), "{xml}");
        assert!(xml.contains(">https://support.example.com/conference/wait</Redirect>"), "{xml}");
    }

    #[test]
    fn an_agent_dial_rings_the_client_and_points_at_the_public_join_route() {
        let dial = agent_dial(&settings(), &ca01(), &Party::parse("agent2").unwrap(), 3);
        assert_eq!(dial.to, "client:agent2");
        assert_eq!(dial.from, "+15005550006");
        assert_eq!(dial.url, format!("https://support.example.com/conference/{}/connect/agent2?leg=3", ca01()));
        assert_eq!(dial.status_callback.as_deref(), Some(format!("https://support.example.com/twilio/legs/{}/agent2/3", ca01()).as_str()));
    }

    #[test]
    fn a_waiting_caller_hears_their_place_then_music_then_the_document_again() {
        let xml = parse(&wait_twiml(&settings(), Some(2)));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let verbs: Vec<_> = doc.root_element().children().filter(|n| n.is_element()).map(|n| n.tag_name().name().to_string()).collect();
        assert_eq!(verbs, ["Say", "Play", "Redirect"]);
        assert!(xml.contains("You are caller number 2."), "{xml}");
        assert!(xml.contains(">https://support.example.com/conference/wait</Redirect>"), "{xml}");
        assert!(!parse(&wait_twiml(&settings(), None)).contains("<Say>"));
    }

    #[test]
    fn the_trouble_message_still_puts_the_caller_in_the_conference() {
        let xml = parse(&customer_trouble_twiml(&settings(), &ca01()));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        assert!(doc.descendants().any(|n| n.has_tag_name("Say")));
        assert!(doc.descendants().any(|n| n.has_tag_name("Conference")));
    }

    #[test]
    fn a_listening_supervisor_joins_muted_without_a_beep_and_never_ends_the_call() {
        let sup = AgentId::parse("supervisor1").unwrap();
        let add = monitor_participant(&settings(), &ca01(), &sup, 5);
        assert_eq!(add.to, "client:supervisor1");
        assert_eq!(add.from, "+15005550006");
        assert_eq!(add.label.as_deref(), Some("supervisor1"));
        assert_eq!(add.muted, Some(true));
        assert_eq!(add.beep.as_deref(), Some("false"));
        assert_eq!(add.end_conference_on_exit, Some(false));
        assert_eq!(add.start_conference_on_enter, Some(false));
        assert_eq!(add.coaching, None);
        assert_eq!(
            add.status_callback.as_deref(),
            Some(format!("https://support.example.com/twilio/monitor/{}/supervisor1/5", ca01()).as_str())
        );
    }

    #[test]
    fn each_mode_is_one_update_of_mute_and_coaching() {
        let agent_leg = CallSid::parse(&format!("CA{:032x}", 9)).unwrap();
        let listen = monitor_update(MonitorMode::Listen, Some(&agent_leg));
        assert_eq!((listen.muted, listen.coaching, listen.call_sid_to_coach.as_deref()), (Some(true), Some(false), None));
        let whisper = monitor_update(MonitorMode::Whisper, Some(&agent_leg));
        assert_eq!((whisper.muted, whisper.coaching), (Some(false), Some(true)));
        assert_eq!(whisper.call_sid_to_coach.as_deref(), Some(agent_leg.as_str()));
        let barge = monitor_update(MonitorMode::Barge, None);
        assert_eq!((barge.muted, barge.coaching, barge.call_sid_to_coach.as_deref()), (Some(false), Some(false), None));
        // Neither touches hold nor the exit rule.
        assert_eq!((barge.hold, barge.end_conference_on_exit), (None, None));
    }

    #[test]
    fn retry_delays_grow_and_stay_under_the_cap() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(2);
        assert_eq!(retry_delay(0, base, max, 1.0), Duration::from_millis(100));
        assert_eq!(retry_delay(1, base, max, 1.0), Duration::from_millis(200));
        assert_eq!(retry_delay(30, base, max, 1.0), max);
        assert_eq!(retry_delay(1, base, max, 0.0), Duration::from_millis(100));
    }
}
