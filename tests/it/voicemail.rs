//! Voicemail through the real server, Twilio played by hand: a caller who rings while we are
//! closed is offered voicemail (`<Record>` with its callbacks on the app), the recording's
//! request queues the message, the longest-idle agent is offered it on the console (no phone
//! rings), takes it, hears it through the app (the recording fetched with the account's
//! credentials; nobody else may), reads its transcription, and marks it done; every step is on
//! the call's timeline, and Twilio repeating a request changes nothing. Malformed requests get
//! 400 with a reason. On SQLite and PostgreSQL.

use crate::common::*;
use warm_transfer::center::AgentRole;
use warm_transfer::ids::AgentId;

const RECORDING: &str = "RE0123456789abcdef0123456789abcdef";

async fn close_now(app: &TestApp) {
    let sup = "supervisor1";
    app.add_agent(sup).await;
    app.store().await.set_agent_role(&AgentId::parse(sup).unwrap(), AgentRole::Supervisor).await.unwrap();
    let res = app.server_fn_as(sup, "close_now", &[("reason", "stocktaking"), ("version", "0")]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
}

async fn leaves_message(app: &TestApp, call: &str) -> reqwest::Response {
    app.webhook(
        &format!("/twilio/voicemail/{call}"),
        &[
            ("CallSid", call),
            ("From", "+15551230001"),
            ("RecordingSid", RECORDING),
            ("RecordingDuration", "42"),
            ("Digits", "hangup"),
            ("RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE0123456789abcdef0123456789abcdef"),
        ],
    )
    .await
}

async fn card(app: &TestApp, agent: &str, action: &str) -> (u16, serde_json::Value) {
    let res = app.transfer(agent, &[("action", action)]).await;
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

async fn a_closed_caller_leaves_a_voicemail_an_agent_takes_hears_and_handles(app: TestApp) {
    close_now(&app).await;
    let call = call_sid(1);
    let twiml = app.customer_calls(&call, "+15551230001").await;
    assert!(twiml.contains("We are closed right now: stocktaking."), "{twiml}");
    let doc = roxmltree::Document::parse(&twiml).unwrap();
    let record = doc.descendants().find(|n| n.has_tag_name("Record")).unwrap_or_else(|| panic!("no Record in {twiml}"));
    assert_eq!(record.attribute("action"), Some(format!("{PUBLIC_BASE}/twilio/voicemail/{call}").as_str()));
    assert_eq!(record.attribute("recordingStatusCallback"), Some(format!("{PUBLIC_BASE}/twilio/voicemail/{call}/recording").as_str()));
    assert_eq!(record.attribute("transcribeCallback"), Some(format!("{PUBLIC_BASE}/twilio/voicemail/{call}/transcription").as_str()));
    assert_eq!((record.attribute("maxLength"), record.attribute("transcribe")), (Some("120"), Some("true")));

    // The message is left while nobody is available: it waits.
    let res = leaves_message(&app, &call).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Your message has been recorded"));
    let res = app
        .webhook(
            &format!("/twilio/voicemail/{call}/recording"),
            &[("CallSid", &call), ("RecordingSid", RECORDING), ("RecordingStatus", "completed"), ("RecordingDuration", "42")],
        )
        .await;
    assert_eq!(res.status(), 204);
    let res = app
        .webhook(
            &format!("/twilio/voicemail/{call}/transcription"),
            &[
                ("CallSid", &call),
                ("RecordingSid", RECORDING),
                ("TranscriptionStatus", "completed"),
                ("TranscriptionText", "Please call me back about my order."),
            ],
        )
        .await;
    assert_eq!(res.status(), 204);

    // An agent comes available: offered on the console, no phone rung.
    app.available("agent1").await;
    app.wait_presence("agent1", "ringing").await;
    assert!(app.stand_in.dials().is_empty(), "no dial for a voicemail: {:?}", app.stand_in.dials());
    let (status, c) = card(&app, "agent1", "voicemail-done").await;
    assert_eq!((status, c.as_str()), (409, Some("NotNow|take the voicemail first")));
    let (status, c) = card(&app, "agent1", "take-voicemail").await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["voicemail"]["seconds"], 42);
    assert_eq!(c["voicemail"]["transcript"], "Please call me back about my order.");
    assert_eq!(c["actions"], serde_json::json!(["call-back", "voicemail-done"]));
    assert_eq!(app.presence("agent1").await, "on-call");

    // The message through the app: fetched from Twilio with the account's credentials; another
    // agent may not hear it, nor someone signed out.
    let audio = format!("{}/api/voicemail/{call}/audio", app.base_url);
    let cookie = app.sign_in("agent1").await;
    let res = app.client.get(&audio).header("cookie", &cookie).send().await.unwrap();
    assert!([200, 404].contains(&res.status().as_u16()), "{:?}", res.status());
    let fetched =
        app.stand_in.requests().into_iter().find(|r| r.method == "GET" && r.path.ends_with(&format!("/Recordings/{RECORDING}.wav")));
    assert_eq!(fetched.and_then(|r| r.user).as_deref(), Some(API_KEY), "fetched with the app's credentials");
    let other = app.sign_in("agent2").await;
    assert_eq!(app.client.get(&audio).header("cookie", &other).send().await.unwrap().status(), 403);
    assert_eq!(app.client.get(&audio).send().await.unwrap().status(), 401);
    // A supervisor may hear any (their account's role, as stored).
    let sup = app.sign_in("supervisor1").await;
    let res = app.client.get(&audio).header("cookie", &sup).send().await.unwrap();
    assert!([200, 404].contains(&res.status().as_u16()), "{:?}", res.status());

    let (status, c) = card(&app, "agent1", "voicemail-done").await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(app.presence("agent1").await, "wrap-up");
    assert_eq!(
        app.timeline(&call).await,
        vec![
            "closed (closed by a supervisor: stocktaking): caller +15551230001 told when we open",
            "voicemail left by +15551230001 (0:42)",
            "offered to agent1",
            "agent1 took the voicemail",
            "voicemail handled by agent1",
        ]
    );
    // Twilio repeating the recording's request once it was handled: not queued again.
    assert_eq!(leaves_message(&app, &call).await.status(), 200);
    app.wait_presence("agent1", "wrap-up").await;
    assert_eq!(app.timeline(&call).await.len(), 5);
    let res = app.client.get(&audio).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(res.status(), 404, "a handled voicemail is no longer served");
}

#[tokio::test]
async fn a_closed_caller_leaves_a_voicemail_an_agent_takes_hears_and_handles_on_sqlite() {
    a_closed_caller_leaves_a_voicemail_an_agent_takes_hears_and_handles(TestApp::spawn().await).await;
}

#[tokio::test]
async fn a_closed_caller_leaves_a_voicemail_an_agent_takes_hears_and_handles_on_postgres() {
    a_closed_caller_leaves_a_voicemail_an_agent_takes_hears_and_handles(TestApp::spawn_postgres().await).await;
}

#[tokio::test]
async fn malformed_voicemail_requests_get_400_with_a_reason_and_change_nothing() {
    let app = TestApp::spawn().await;
    let call = call_sid(2);
    let path = format!("/twilio/voicemail/{call}");
    let res = app.webhook(&path, &[("CallSid", &call), ("RecordingDuration", "4")]).await;
    assert_eq!((res.status().as_u16(), res.text().await.unwrap()), (400, "missing required parameter RecordingSid".to_string()));
    let res = app.webhook(&path, &[("CallSid", &call), ("RecordingSid", "XX1"), ("RecordingDuration", "4")]).await;
    assert_eq!(res.status(), 400);
    let res = app.webhook(&path, &[("CallSid", &call), ("RecordingSid", RECORDING), ("RecordingDuration", "four")]).await;
    assert_eq!(
        (res.status().as_u16(), res.text().await.unwrap()),
        (400, "RecordingDuration must be a whole number of seconds".to_string())
    );
    let res = app.webhook("/twilio/voicemail/not-a-call", &[("RecordingSid", RECORDING)]).await;
    assert_eq!(res.status(), 400);
    let res = app.webhook(&format!("{path}/transcription"), &[("CallSid", &call)]).await;
    assert_eq!(res.status(), 400);
    assert!(app.timeline(&call).await.is_empty());
    // Unsigned: 403, as every webhook.
    let res = app.client.post(format!("{}{path}", app.base_url)).form(&[("RecordingSid", RECORDING)]).send().await.unwrap();
    assert_eq!(res.status(), 403);
}
