//! Who is a supervisor, decided once (`api::caller::Supervisor`) from the account's role as
//! stored: every supervisor server function, the floor's stream and its page refuse an agent
//! (403) and nobody signed in (401; the page shows the sign-in form), before anything is done;
//! and a role given or taken counts at once for a session already open.

use crate::common::*;
use warm_transfer::center::AgentRole;
use warm_transfer::ids::AgentId;

/// Every server function only a supervisor may call, with arguments that would be taken: a
/// refusal can only come from the guard. (A version that is wrong would be 409, an unknown call
/// 404, were the guard not first.)
fn supervisor_functions() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    vec![
        ("accounts", vec![]),
        ("audit_log", vec![]),
        ("add_account", vec![("identity", "agent9"), ("name", "Nine"), ("role", "supervisor")]),
        ("reset_password", vec![("identity", "agent1")]),
        ("set_account_disabled", vec![("identity", "agent1"), ("disabled", "true")]),
        ("remove_account", vec![("identity", "agent1")]),
        ("opening_hours", vec![]),
        ("save_hours", vec![("schedule", ""), ("version", "7")]),
        ("close_now", vec![("reason", "x"), ("version", "7")]),
        ("reopen", vec![("version", "7")]),
        ("monitor", vec![("call", "CA0123456789abcdef0123456789abcdef"), ("mode", "listen")]),
        ("stop_monitoring", vec![]),
        ("supervise", vec![("agent", "agent1"), ("action", "set-offline")]),
    ]
}

async fn call(app: &TestApp, cookie: Option<&str>, endpoint: &str, params: &[(&str, &str)]) -> (u16, String) {
    let mut req = app.client.post(format!("{}/api/{endpoint}", app.base_url)).form(params);
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn get(app: &TestApp, cookie: Option<&str>, path: &str) -> u16 {
    let mut req = app.client.get(format!("{}{path}", app.base_url));
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    req.send().await.unwrap().status().as_u16()
}

async fn set_role(app: &TestApp, identity: &str, role: AgentRole) {
    app.store().await.set_agent_role(&AgentId::parse(identity).unwrap(), role).await.unwrap();
}

#[tokio::test]
async fn every_supervisor_function_stream_and_page_refuses_an_agent_and_nobody() {
    let app = TestApp::spawn().await;
    let agent = app.sign_in("agent2").await;
    for (endpoint, params) in supervisor_functions() {
        let (status, said) = call(&app, Some(&agent), endpoint, &params).await;
        assert_eq!((status, said.as_str()), (403, "Forbidden|only a supervisor can do that"), "{endpoint}");
        let (status, said) = call(&app, None, endpoint, &params).await;
        assert_eq!((status, said.as_str()), (401, "NotSignedIn|please sign in"), "{endpoint}");
    }
    assert_eq!(get(&app, Some(&agent), "/api/floor/stream").await, 403);
    assert_eq!(get(&app, None, "/api/floor/stream").await, 401);
    assert_eq!(get(&app, Some(&agent), "/floor").await, 403);
    assert_eq!(get(&app, None, "/floor").await, 200, "signed out, the floor's page is the sign-in form");

    // Nothing was done: no account made, none disabled or gone, the hours as they were,
    // nothing asked of Twilio.
    let store = app.store().await;
    assert!(store.agent(&AgentId::parse("agent9").unwrap()).await.unwrap().is_none());
    assert_eq!(store.agent_disabled(&AgentId::parse("agent1").unwrap()).await.unwrap(), Some(false));
    assert_eq!(store.hours().await.unwrap().version, 0);
    assert!(app.stand_in.requests().iter().all(|r| !r.path.contains("/Participants")), "nothing was asked of Twilio");
}

#[tokio::test]
async fn a_role_given_or_taken_counts_at_once_for_a_session_already_open() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in("agent2").await;
    assert_eq!(call(&app, Some(&cookie), "opening_hours", &[]).await.0, 403);
    assert_eq!(get(&app, Some(&cookie), "/api/floor/stream").await, 403);

    // Made a supervisor (as the CLI does, straight in storage): the same session may, at once,
    // without waiting for the center's copy of the roster.
    set_role(&app, "agent2", AgentRole::Supervisor).await;
    assert_eq!(call(&app, Some(&cookie), "opening_hours", &[]).await.0, 200);
    assert_eq!(get(&app, Some(&cookie), "/api/floor/stream").await, 200);
    assert_eq!(get(&app, Some(&cookie), "/floor").await, 200);
    let (status, me) = call(&app, Some(&cookie), "whoami", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&me).unwrap()["supervisor"], true, "{me}");

    // And no longer one: refused at once.
    set_role(&app, "agent2", AgentRole::Agent).await;
    assert_eq!(call(&app, Some(&cookie), "opening_hours", &[]).await.0, 403);
    assert_eq!(get(&app, Some(&cookie), "/api/floor/stream").await, 403);
    assert_eq!(get(&app, Some(&cookie), "/floor").await, 403);
    let (_, me) = call(&app, Some(&cookie), "whoami", &[]).await;
    assert_eq!(serde_json::from_str::<serde_json::Value>(&me).unwrap()["supervisor"], false, "{me}");
}
