//! Agents sign in before anything else; server functions act only for the signed-in agent.
use crate::common::*;

async fn status_and_text(res: reqwest::Response) -> (u16, String) {
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_right_password_opens_a_session_with_a_locked_down_cookie() {
    let app = TestApp::spawn().await;
    let res = app.server_fn("sign_in", &[("identity", "agent1"), ("password", &password_of("agent1"))]).await;
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    for flag in ["wt_session=", "HttpOnly", "SameSite=Strict", "Max-Age=", "Secure"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["identity"], "agent1");
    let res = app.server_fn_as("agent1", "whoami", &[]).await;
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["identity"], "agent1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_or_unknown_agent_gets_the_same_clear_message() {
    let app = TestApp::spawn().await;
    for (who, pw) in [("agent1", "not-the-password"), ("nobody", "whatever-pass")] {
        let (status, text) = status_and_text(app.server_fn("sign_in", &[("identity", who), ("password", pw)]).await).await;
        assert_eq!(status, 401);
        assert!(text.contains("wrong agent name or password"), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_lock_the_identity_for_a_while() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        let res = app.server_fn("sign_in", &[("identity", "agent2"), ("password", "guess-guess")]).await;
        assert_eq!(res.status(), 401);
    }
    let (status, text) =
        status_and_text(app.server_fn("sign_in", &[("identity", "agent2"), ("password", &password_of("agent2"))]).await).await;
    assert_eq!(status, 429, "even the right password waits out the lock");
    assert!(text.contains("too many failed sign-ins"), "{text}");
    // Other agents are not affected.
    assert_eq!(app.server_fn("sign_in", &[("identity", "agent1"), ("password", &password_of("agent1"))]).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_issued_or_dialled_without_a_session() {
    let app = TestApp::spawn().await;
    let (status, text) = status_and_text(app.server_fn("token", &[("agent", "agent1")]).await).await;
    assert_eq!(status, 401);
    assert!(text.contains("please sign in"), "{text}");
    let (status, _) = status_and_text(app.server_fn("transfer", &[("action", "consult"), ("to", "agent2")]).await).await;
    assert_eq!(status, 401);
    let res = app
        .client
        .post(format!("{}/api/token", app.base_url))
        .header("cookie", "wt_session=forged")
        .form(&[("agent", "agent1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_cannot_act_for_another_agent() {
    let app = TestApp::spawn().await;
    let customer = call_sid(50);
    app.available("agent1").await;
    app.webhook("/conference/connect/client", &[("CallSid", &customer)]).await;
    app.stand_in.wait_for_dials(1).await;
    // agent2 tries to transfer agent1's call: a server function acts only on the signed-in
    // agent's own call, and agent2 is on none.
    let (status, text) = status_and_text(app.server_fn_as("agent2", "transfer", &[("action", "transfer"), ("to", "agent2")]).await).await;
    assert_eq!(status, 409);
    assert!(text.contains("you are not on a call"), "{text}");
    // agent1 answers, then cannot consult someone who has no account.
    assert_eq!(app.agent_answers(&customer, "agent1", 1, &stand_in_sid(1)).await.status(), 200);
    let (status, text) = status_and_text(app.server_fn_as("agent1", "transfer", &[("action", "consult"), ("to", "agent9")]).await).await;
    assert_eq!(status, 404);
    assert!(text.contains("unknown agent"), "{text}");
    assert_eq!(app.stand_in.dials().len(), 1, "none of that dialled anyone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in("agent1").await;
    let post = |endpoint: &str| app.client.post(format!("{}/api/{endpoint}", app.base_url)).header("cookie", cookie.clone());
    assert_eq!(post("token").form(&[("agent", "agent1")]).send().await.unwrap().status(), 200);
    let res = post("sign_out").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(post("token").form(&[("agent", "agent1")]).send().await.unwrap().status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_functions_refuse_cross_site_requests() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in("agent1").await;
    let url = format!("{}/api/token", app.base_url);
    for (name, value) in [("origin", "https://evil.example"), ("sec-fetch-site", "cross-site"), ("sec-fetch-site", "same-site")] {
        let res =
            app.client.post(&url).header("cookie", cookie.clone()).header(name, value).form(&[("agent", "agent1")]).send().await.unwrap();
        assert_eq!(res.status(), 403, "{name}: {value}");
    }
    let same_origin = app.base_url.clone();
    let res = app
        .client
        .post(&url)
        .header("cookie", cookie)
        .header("origin", same_origin)
        .header("sec-fetch-site", "same-origin")
        .form(&[("agent", "agent1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_adds_an_agent_with_the_password_from_standard_input() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let app = TestApp::spawn().await;
    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_warm-transfer"))
            .args(args)
            .env("DATABASE_URL", &app.db_url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run(&["agent", "add", "maria", "--name", "María López"], "a-long-passphrase\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("created"));
    let res = app.server_fn("sign_in", &[("identity", "maria"), ("password", "a-long-passphrase")]).await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["display_name"], "María López");

    let out = run(&["agent", "add", "shorty"], "short\n");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 8 characters"));
    let out = run(&["agent", "list"], "");
    assert!(String::from_utf8_lossy(&out.stdout).contains("maria\tMaría López"));
}
