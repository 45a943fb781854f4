//! `warm-transfer twilio check [--fix]` against the simulator as the Twilio account: all fine; a
//! wrong API key; an auth token of another account; a number of another account; a voice
//! webhook pointing elsewhere, then fixed (and incoming calls then go to the app).

use crate::common::*;
use warm_transfer::cli::twilio_check::check;
use warm_transfer::config::Secret;
use warm_transfer::simulator::{Simulator, SimulatorConfig};

/// A simulated Twilio account whose number posts its calls to `voice_base`.
async fn account(voice_base: &str) -> (Simulator, String) {
    let mut cfg = SimulatorConfig::new(ACCOUNT_SID, Secret::new(AUTH_TOKEN), API_KEY, Secret::new(API_SECRET), voice_base, NUMBER);
    cfg.calls_per_second = 0.0;
    let sim = Simulator::new(cfg);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let api = warm_transfer::simulator::rest::router(sim.clone());
    tokio::spawn(async move { axum::serve(listener, api).await.unwrap() });
    (sim, base)
}

fn settings(base: &str, extra: &[(&str, &str)]) -> warm_transfer::config::Settings {
    settings_with("sqlite::memory:", base, extra)
}

#[tokio::test]
async fn an_account_set_up_for_the_app_is_ready() {
    let (_sim, base) = account(PUBLIC_BASE).await;
    let report = check(&settings(&base, &[]), false).await;
    assert!(report.ready(), "{:?}", report.lines());
    assert_eq!(
        report.lines(),
        [
            format!("ok:  the API key {API_KEY} works for account {ACCOUNT_SID}"),
            "ok:  TWILIO_AUTH_TOKEN is the account's: webhooks' signatures will verify".to_string(),
            format!("ok:  {NUMBER}'s voice webhook is POST {PUBLIC_BASE}/conference/connect/client"),
        ]
    );
}

#[tokio::test]
async fn a_wrong_api_key_is_said_with_its_fix_and_nothing_else_is_asked() {
    let (sim, base) = account(PUBLIC_BASE).await;
    let report = check(&settings(&base, &[("TWILIO_API_SECRET", "not-the-secret")]), false).await;
    assert!(!report.ready());
    assert_eq!(report.findings.len(), 1);
    assert!(report.lines()[0].contains("Twilio refused the API key") && report.lines()[0].contains("TWILIO_API_SECRET"));
    assert!(!report.lines()[0].contains("not-the-secret"), "a secret is never said");
    assert_eq!(sim.api_requests().len(), 1);
}

#[tokio::test]
async fn an_auth_token_of_another_account_and_a_number_of_another_account_are_found() {
    let (_sim, base) = account(PUBLIC_BASE).await;
    let report =
        check(&settings(&base, &[("TWILIO_AUTH_TOKEN", "another-accounts-token"), ("TWILIO_NUMBER", "+15005550099")]), false).await;
    assert!(!report.ready());
    let lines = report.lines().join("\n");
    assert!(lines.contains("FIX: TWILIO_AUTH_TOKEN is not account"), "{lines}");
    assert!(lines.contains(&format!("FIX: TWILIO_NUMBER +15005550099 is not a number of account {ACCOUNT_SID}")), "{lines}");
    assert!(!lines.contains("another-accounts-token"));
}

#[tokio::test]
async fn a_webhook_pointing_elsewhere_is_found_and_fixed_and_calls_then_reach_the_app() {
    let (sim, base) = account("https://old-app.example.com").await;
    let s = settings(&base, &[]);
    let report = check(&s, false).await;
    assert!(!report.ready());
    assert_eq!(
        report.lines().last().unwrap(),
        &format!(
            "FIX: {NUMBER}'s voice webhook points at POST https://old-app.example.com/conference/connect/client, not at this app \
             (POST {PUBLIC_BASE}/conference/connect/client): run `warm-transfer twilio check --fix`"
        )
    );
    let fixed = check(&s, true).await;
    assert!(fixed.ready(), "{:?}", fixed.lines());
    assert!(fixed.lines().last().unwrap().contains("was POST https://old-app.example.com/conference/connect/client, now POST"));
    assert!(check(&s, false).await.ready(), "fixed for good");
    // The simulated number now posts its calls to the app.
    assert_eq!(sim.apply(|e, _| e.voice_url().to_string()), format!("{PUBLIC_BASE}/conference/connect/client"));
}

#[tokio::test]
async fn the_check_reports_webhooks_refused_lately_with_the_fix() {
    let app = TestApp::spawn().await;
    let params = vec![("CallSid".to_string(), call_sid(5)), ("From".to_string(), "+15551230005".to_string())];
    let (res, signature) = app.webhook_via_tunnel("tunnel.example.net", &params).await;
    assert_eq!(res.status(), 403);
    let store = app.store().await;
    let now = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let mut found = Vec::new();
    for _ in 0..100 {
        found = warm_transfer::cli::twilio_check::refusals(&store, now()).await;
        if !found.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(!found[0].ok);
    assert!(found[0].text.starts_with("a webhook to /conference/connect/client was refused 0 min ago"), "{}", found[0].text);
    assert!(
        found[0].text.ends_with("set PUBLIC_BASE_URL=https://tunnel.example.net (it is https://support.example.com)"),
        "{}",
        found[0].text
    );
    assert!(!found[0].text.contains(&signature));
}
