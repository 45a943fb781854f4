//! Pure decisions of the warm-transfer flow. No I/O: everything here is a function of its inputs.

use crate::config::Settings;
use crate::twilio::rest::CreateCall;
use crate::twilio::twiml::{Conference, Response};
use std::time::Duration;

pub const WAIT_MESSAGE: &str =
    "Thank you for calling. Please wait in line for a few seconds. An agent will be with you shortly.";

/// Said when something behind the voice webhook failed: the caller still waits in the
/// conference and hears why the wait may be longer.
pub const TROUBLE_MESSAGE: &str =
    "We are having trouble reaching an agent right now. Please stay on the line.";

/// Conference events we ask Twilio to report (only the first participant's callback counts,
/// so the customer's leg carries it).
pub const CONFERENCE_EVENTS: [&str; 6] = ["start", "end", "join", "leave", "mute", "hold"];
/// Call events we ask for on every agent leg.
pub const CALL_EVENTS: [&str; 4] = ["initiated", "ringing", "answered", "completed"];

pub const WAIT_PATH: &str = "/conference/wait";
pub const STATUS_PATH: &str = "/twilio/status";

pub fn agent_join_path(conference_id: &str, agent: &str) -> String {
    format!("/conference/{conference_id}/connect/{agent}")
}

/// The customer waits in a conference named after their CallSid; nobody hears anyone until an
/// agent joins, and the conference ends when the customer leaves.
pub fn customer_twiml(settings: &Settings, conference_id: &str) -> Response {
    Response::new().dial_conference(customer_conference(settings, conference_id))
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

/// What the customer hears while waiting: the message, then music until an agent arrives.
pub fn wait_twiml(settings: &Settings) -> Response {
    Response::new().say(WAIT_MESSAGE).play(settings.wait_music_url.clone(), Some(0))
}

/// An agent's leg joins the conference and starts it. The first agent may leave (that is the
/// transfer); from the second agent on, leaving ends the call for everyone left.
pub fn agent_join_twiml(settings: &Settings, conference_id: &str, agent: &str, position: i64) -> Response {
    Response::new().dial_conference(Conference {
        name: conference_id.to_string(),
        start_conference_on_enter: Some(true),
        end_conference_on_exit: Some(position > 1),
        wait_url: Some(settings.hold_music_url.clone()),
        participant_label: Some(agent.to_string()),
        ..Conference::default()
    })
}

/// The REST request that rings an agent's browser and, on answer, fetches the join route.
pub fn agent_dial(settings: &Settings, conference_id: &str, agent: &str) -> CreateCall {
    CreateCall {
        to: format!("client:{agent}"),
        from: settings.twilio.number.clone(),
        url: settings.public_url(&agent_join_path(conference_id, agent)),
        method: Some("POST".into()),
        timeout_secs: Some(settings.ring_timeout_secs),
        status_callback: Some(settings.public_url(STATUS_PATH)),
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
    fn only_agents_after_the_first_end_the_conference_when_leaving() {
        for (position, ends) in [(1, "false"), (2, "true"), (3, "true")] {
            let xml = parse(&agent_join_twiml(&settings(), "CA01", "agent1", position));
            let doc = roxmltree::Document::parse(&xml).unwrap();
            let conf = doc.descendants().find(|n| n.has_tag_name("Conference")).unwrap();
            assert_eq!(conf.attribute("endConferenceOnExit"), Some(ends), "position {position}");
            assert_eq!(conf.attribute("startConferenceOnEnter"), Some("true"));
        }
    }

    #[test]
    fn an_agent_dial_rings_the_client_and_points_at_the_public_join_route() {
        let dial = agent_dial(&settings(), "CA01", "agent2");
        assert_eq!(dial.to, "client:agent2");
        assert_eq!(dial.from, "+15005550006");
        assert_eq!(dial.url, "https://support.example.com/conference/CA01/connect/agent2");
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
