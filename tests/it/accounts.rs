//! Agents managed on the web: a supervisor adds an account (a temporary password said once),
//! resets a password, disables, enables and removes one; every change is an audit row naming
//! them; an agent gets 403; a disabled account cannot sign in and its sessions end.

use crate::common::*;
use std::time::Duration;
use warm_transfer::center::AgentRole;
use warm_transfer::ids::AgentId;

async fn supervisor(app: &TestApp) -> String {
    app.add_agent("supervisor1").await;
    app.store().await.set_agent_role(&AgentId::parse("supervisor1").unwrap(), AgentRole::Supervisor).await.unwrap();
    app.sign_in("supervisor1").await
}

async fn call(app: &TestApp, cookie: &str, endpoint: &str, params: &[(&str, &str)]) -> (u16, String) {
    let res = app.client.post(format!("{}/api/{endpoint}", app.base_url)).header("cookie", cookie).form(params).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn sign_in_with(app: &TestApp, identity: &str, password: &str) -> reqwest::Response {
    app.server_fn("sign_in", &[("identity", identity), ("password", password)]).await
}

#[tokio::test]
async fn a_supervisor_adds_resets_disables_enables_and_removes_accounts_on_the_record() {
    let app = TestApp::spawn().await;
    let sup = supervisor(&app).await;

    let (status, body) = call(&app, &sup, "add_account", &[("identity", "agent7"), ("name", "Agent Seven"), ("role", "agent")]).await;
    assert_eq!(status, 200, "{body}");
    let first: serde_json::Value = serde_json::from_str(&body).unwrap();
    let first_password = first["password"].as_str().unwrap().to_string();
    assert_eq!(first_password.len(), 16);
    assert_eq!(sign_in_with(&app, "agent7", &first_password).await.status(), 200);
    let (status, _) = call(&app, &sup, "add_account", &[("identity", "agent7"), ("name", ""), ("role", "agent")]).await;
    assert_eq!(status, 409, "an existing account is not replaced");

    // A reset: the old password is refused, the new one works.
    let (status, body) = call(&app, &sup, "reset_password", &[("identity", "agent7")]).await;
    assert_eq!(status, 200, "{body}");
    let second: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(sign_in_with(&app, "agent7", &first_password).await.status(), 401);
    let cookie = {
        let res = sign_in_with(&app, "agent7", second["password"].as_str().unwrap()).await;
        assert_eq!(res.status(), 200);
        res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string()
    };

    // Disabled: the session ends and signing in is refused; enabled again, it works.
    let (status, body) = call(&app, &sup, "set_account_disabled", &[("identity", "agent7"), ("disabled", "true")]).await;
    assert_eq!(status, 200, "{body}");
    let stream = app.client.get(format!("{}/api/stream", app.base_url)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(stream.status(), 401, "the disabled account's session is over");
    let refused = sign_in_with(&app, "agent7", second["password"].as_str().unwrap()).await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("this account is disabled"));
    call(&app, &sup, "set_account_disabled", &[("identity", "agent7"), ("disabled", "false")]).await;
    assert_eq!(sign_in_with(&app, "agent7", second["password"].as_str().unwrap()).await.status(), 200);

    let (status, body) = call(&app, &sup, "accounts", &[]).await;
    assert_eq!(status, 200);
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(list.as_array().unwrap().iter().any(|a| a["identity"] == "agent7" && a["name"] == "Agent Seven" && a["disabled"] == false));

    let (status, _) = call(&app, &sup, "remove_account", &[("identity", "agent7")]).await;
    assert_eq!(status, 200);
    assert!(app.store().await.agent(&AgentId::parse("agent7").unwrap()).await.unwrap().is_none());
    let (status, _) = call(&app, &sup, "remove_account", &[("identity", "supervisor1")]).await;
    assert_eq!(status, 409, "not one's own account");

    let (_, body) = call(&app, &sup, "audit_log", &[]).await;
    let log: Vec<String> =
        serde_json::from_str::<Vec<serde_json::Value>>(&body).unwrap().iter().map(|r| r["text"].as_str().unwrap().to_string()).collect();
    assert_eq!(
        log,
        [
            "supervisor1 removed agent7",
            "supervisor1 enabled agent7",
            "supervisor1 disabled agent7",
            "supervisor1 reset agent7's password",
            "supervisor1 added agent7 (Agent Seven, agent)",
        ]
    );
    assert!(!body.contains(&first_password), "a password never reaches the log");
}

#[tokio::test]
async fn an_agent_gets_403_from_account_management() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in("agent1").await;
    for (endpoint, params) in [
        ("accounts", vec![]),
        ("audit_log", vec![]),
        ("add_account", vec![("identity", "agent9"), ("name", "x"), ("role", "supervisor")]),
        ("reset_password", vec![("identity", "agent2")]),
        ("set_account_disabled", vec![("identity", "agent2"), ("disabled", "true")]),
        ("remove_account", vec![("identity", "agent2")]),
    ] {
        let (status, _) = call(&app, &cookie, endpoint, &params).await;
        assert_eq!(status, 403, "{endpoint}");
    }
    assert!(app.store().await.agent(&AgentId::parse("agent9").unwrap()).await.unwrap().is_none());
}

/// An account signed in but offline (console open, phone never registered) has its console
/// stream ended at once when it is disabled or removed, and a supervisor's floor stream too:
/// whatever the presence, nothing of the account stays open.
#[tokio::test]
async fn disabling_or_removing_an_offline_account_ends_its_open_streams_at_once() {
    let app = TestApp::spawn().await;
    let sup = supervisor(&app).await;
    app.add_agent("supervisor2").await;
    app.store().await.set_agent_role(&AgentId::parse("supervisor2").unwrap(), AgentRole::Supervisor).await.unwrap();
    for (endpoint, params) in
        [("set_account_disabled", vec![("identity", "agent2"), ("disabled", "true")]), ("remove_account", vec![("identity", "agent2")])]
    {
        app.add_agent("agent2").await;
        call(&app, &sup, "set_account_disabled", &[("identity", "agent2"), ("disabled", "false")]).await;
        let cookie = app.sign_in("agent2").await;
        let res = app.client.get(format!("{}/api/stream", app.base_url)).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let mut sse = Sse::new(res);
        assert_eq!(sse.next_view().await["me"]["presence"]["state"], "offline", "signed in, phone not registered");
        let (status, body) = call(&app, &sup, endpoint, &params).await;
        assert_eq!(status, 200, "{body}");
        let took = stream_ends_within(sse.into_response(), Duration::from_secs(2)).await;
        eprintln!("{endpoint}: the offline account's stream ended after {took:?}");
    }
    // A supervisor's floor stream ends when their account is disabled.
    let other = app.sign_in("supervisor2").await;
    let floor = app.client.get(format!("{}/api/floor/stream", app.base_url)).header("cookie", &other).send().await.unwrap();
    assert_eq!(floor.status(), 200);
    let (status, body) = call(&app, &sup, "set_account_disabled", &[("identity", "supervisor2"), ("disabled", "true")]).await;
    assert_eq!(status, 200, "{body}");
    stream_ends_within(floor, Duration::from_secs(2)).await;
}
