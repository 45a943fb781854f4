//! Pure decisions of the warm-transfer flow. No I/O: everything here is a function of its inputs.

use crate::config::Settings;
use crate::twilio::rest::CreateCall;
use crate::twilio::twiml::{Conference, Response};
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

pub const WAIT_PATH: &str = "/conference/wait";
pub const STATUS_PATH: &str = "/twilio/status";

/// Said to an agent who answers a call that is no longer theirs to take.
pub const CALLER_GONE_MESSAGE: &str = "Sorry, this caller is no longer waiting.";

/// Where Twilio fetches the join document when the agent answers leg `leg`.
pub fn agent_join_path(call: &str, agent: &str, leg: u32) -> String {
    format!("/conference/{call}/connect/{agent}?leg={leg}")
}

/// Where Twilio reports the progress of an agent's leg: the path names the call, the agent and
/// the leg, so a callback is understood without a lookup (and before the dial's answer is in).
pub fn agent_leg_status_path(call: &str, agent: &str, leg: u32) -> String {
    format!("/twilio/legs/{call}/{agent}/{leg}")
}

/// The customer hears the welcome once, then waits in a conference named after their CallSid;
/// nobody hears anyone until an agent joins, and the conference ends when the customer leaves.
pub fn customer_twiml(settings: &Settings, conference_id: &str) -> Response {
    Response::new().say(WAIT_MESSAGE).dial_conference(customer_conference(settings, conference_id))
}

fn customer_conference(settings: &Settings, conference_id: &str) -> Conference {
    Conference {
        name: conference_id.to_string(),
        start_conference_on_enter: Some(false),
        end_conference_on_exit: Some(true),
        wait_url: Some(settings.public_url(WAIT_PATH)),
        status_callback: Some(settings.public_url(STATUS_PATH)),
        status_callback_event: CONFERENCE_EVENTS.iter().map(|e| e.to_string()).collect(),
        ..Conference::default()
    }
}

/// The customer's conference, preceded by an apology: used when recording the call failed,
/// so the caller is never cut off by our fault.
pub fn customer_trouble_twiml(settings: &Settings, conference_id: &str) -> Response {
    Response::new().say(TROUBLE_MESSAGE).dial_conference(customer_conference(settings, conference_id))
}

/// What a waiting customer hears, again and again: their place in the queue (when they have
/// one), a stretch of music, then Twilio fetches this document anew, so the place is fresh.
pub fn wait_twiml(settings: &Settings, position: Option<usize>) -> Response {
    let doc = match position {
        Some(n) => Response::new().say(format!("You are caller number {n}.")),
        None => Response::new(),
    };
    doc.play(settings.wait_music_url.clone(), None).redirect(settings.public_url(WAIT_PATH))
}

/// An agent's leg joins the conference and starts it. The agent who owns the call may leave
/// without ending it (that is the tutorial's transfer: a colleague they dialled in stays); a
/// dialled-in colleague leaving ends the call for everyone left.
pub fn agent_join_twiml(settings: &Settings, conference_id: &str, agent: &str, owner: bool) -> Response {
    Response::new().dial_conference(Conference {
        name: conference_id.to_string(),
        start_conference_on_enter: Some(true),
        end_conference_on_exit: Some(!owner),
        wait_url: Some(settings.hold_music_url.clone()),
        participant_label: Some(agent.to_string()),
        ..Conference::default()
    })
}

/// An agent answered a call that is over or no longer offered to them: say so and hang up.
pub fn caller_gone_twiml() -> Response {
    Response::new().say(CALLER_GONE_MESSAGE).hangup()
}

/// The REST request that rings an agent's browser and, on answer, fetches the join route.
pub fn agent_dial(settings: &Settings, call: &str, agent: &str, leg: u32) -> CreateCall {
    CreateCall {
        to: format!("client:{agent}"),
        from: settings.twilio.number.clone(),
        url: settings.public_url(&agent_join_path(call, agent, leg)),
        method: Some("POST".into()),
        timeout_secs: Some(settings.ring_timeout_secs),
        status_callback: Some(settings.public_url(&agent_leg_status_path(call, agent, leg))),
        status_callback_event: CALL_EVENTS.iter().map(|e| e.to_string()).collect(),
        status_callback_method: Some("POST".into()),
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

    fn parse(r: &Response) -> String {
        r.to_xml()
    }

    #[test]
    fn the_customer_waits_in_a_conference_named_after_their_call() {
        let xml = parse(&customer_twiml(&settings(), "CA01"));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let conf = doc.descendants().find(|n| n.has_tag_name("Conference")).unwrap();
        assert_eq!(conf.text(), Some("CA01"));
        assert_eq!(conf.attribute("startConferenceOnEnter"), Some("false"));
        assert_eq!(conf.attribute("endConferenceOnExit"), Some("true"));
        assert_eq!(conf.attribute("waitUrl"), Some("https://support.example.com/conference/wait"));
        assert_eq!(conf.attribute("statusCallback"), Some("https://support.example.com/twilio/status"));
    }

    #[test]
    fn only_dialled_in_colleagues_end_the_conference_when_leaving() {
        for (owner, ends) in [(true, "false"), (false, "true")] {
            let xml = parse(&agent_join_twiml(&settings(), "CA01", "agent1", owner));
            let doc = roxmltree::Document::parse(&xml).unwrap();
            let conf = doc.descendants().find(|n| n.has_tag_name("Conference")).unwrap();
            assert_eq!(conf.attribute("endConferenceOnExit"), Some(ends), "owner {owner}");
            assert_eq!(conf.attribute("startConferenceOnEnter"), Some("true"));
        }
    }

    #[test]
    fn an_agent_dial_rings_the_client_and_points_at_the_public_join_route() {
        let dial = agent_dial(&settings(), "CA01", "agent2", 3);
        assert_eq!(dial.to, "client:agent2");
        assert_eq!(dial.from, "+15005550006");
        assert_eq!(dial.url, "https://support.example.com/conference/CA01/connect/agent2?leg=3");
        assert_eq!(dial.status_callback.as_deref(), Some("https://support.example.com/twilio/legs/CA01/agent2/3"));
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
        let xml = parse(&customer_trouble_twiml(&settings(), "CA01"));
        let doc = roxmltree::Document::parse(&xml).unwrap();
        assert!(doc.descendants().any(|n| n.has_tag_name("Say")));
        assert!(doc.descendants().any(|n| n.has_tag_name("Conference")));
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
