//! `warm-transfer twilio check [--fix]` against the simulator as the Twilio account, which
//! behaves as Twilio does with each kind of credential: all fine with a Standard key (Twilio's
//! default, refused the Accounts resource) and with a Main key; a wrong API key; an auth token of
//! another account; the secondary auth token; a number of another account; a voice webhook
//! pointing elsewhere, and a number routed to a TwiML App or a SIP trunk, then fixed (and incoming
//! calls then go to the app).

use crate::common::*;
use warm_transfer::cli::twilio_check::check;
use warm_transfer::config::Secret;
use warm_transfer::simulator::{ApiKeyKind, Simulator, SimulatorConfig};

/// A simulated Twilio account whose number posts its calls to `voice_base`; its API key is a
/// Standard one, as Twilio's console makes by default.
async fn account(voice_base: &str) -> (Simulator, String) {
    account_with(voice_base, |_| {}).await
}

async fn account_with(voice_base: &str, set: impl FnOnce(&mut SimulatorConfig)) -> (Simulator, String) {
    let mut cfg = SimulatorConfig::new(ACCOUNT_SID, Secret::new(AUTH_TOKEN), API_KEY, Secret::new(API_SECRET), voice_base, NUMBER);
    cfg.calls_per_second = 0.0;
    set(&mut cfg);
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
            "ok:  TWILIO_AUTH_TOKEN is the account's primary auth token: webhooks' signatures will verify".to_string(),
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

/// The simulated account answers each credential as Twilio does: a Standard key may list numbers
/// but not read the Accounts resource (401, 20003); a Main key and either auth token may, and the
/// resource names the primary token whichever token read it.
#[tokio::test]
async fn the_simulated_account_answers_each_kind_of_credential_as_twilio_does() {
    let get = |base: String, user: &'static str, password: &'static str, path: String| async move {
        let res = reqwest::Client::new().get(format!("{base}{path}")).basic_auth(user, Some(password)).send().await.unwrap();
        (res.status().as_u16(), res.json::<serde_json::Value>().await.unwrap())
    };
    let account_path = format!("/2010-04-01/Accounts/{ACCOUNT_SID}.json");
    let numbers_path = format!("/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers.json");
    let (_sim, base) = account_with(PUBLIC_BASE, |c| c.secondary_auth_token = Some(Secret::new("the-secondary-token"))).await;
    let (status, body) = get(base.clone(), API_KEY, API_SECRET, account_path.clone()).await;
    assert_eq!((status, body["code"].as_u64()), (401, Some(20003)), "a Standard key may not read the account: {body}");
    assert_eq!(get(base.clone(), API_KEY, API_SECRET, numbers_path.clone()).await.0, 200, "but may list its numbers");
    for token in [AUTH_TOKEN, "the-secondary-token"] {
        let (status, body) = get(base.clone(), ACCOUNT_SID, token, account_path.clone()).await;
        assert_eq!(status, 200);
        assert_eq!(body["auth_token"], AUTH_TOKEN, "the resource names the primary");
    }
    let (_main, main_base) = account_with(PUBLIC_BASE, |c| c.api_key_kind = ApiKeyKind::Main).await;
    assert_eq!(get(main_base, API_KEY, API_SECRET, account_path).await.0, 200, "a Main key may");
}

#[tokio::test]
async fn a_main_api_key_is_ready_too() {
    let (_sim, base) = account_with(PUBLIC_BASE, |c| c.api_key_kind = ApiKeyKind::Main).await;
    let report = check(&settings(&base, &[]), false).await;
    assert!(report.ready(), "{:?}", report.lines());
}

#[tokio::test]
async fn the_secondary_auth_token_is_found_as_every_webhook_would_fail() {
    let (sim, base) = account_with(PUBLIC_BASE, |c| c.secondary_auth_token = Some(Secret::new("the-secondary-token"))).await;
    let report = check(&settings(&base, &[("TWILIO_AUTH_TOKEN", "the-secondary-token")]), false).await;
    assert!(!report.ready());
    let lines = report.lines();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].starts_with("ok:  the API key"), "{lines:?}");
    assert!(
        lines[1].starts_with(&format!("FIX: TWILIO_AUTH_TOKEN is account {ACCOUNT_SID}'s secondary auth token"))
            && lines[1].contains("signs webhooks with the primary only")
            && lines[1].contains("set TWILIO_AUTH_TOKEN to the primary auth token"),
        "{lines:?}"
    );
    assert!(!lines.join("\n").contains("the-secondary-token") && !lines.join("\n").contains(AUTH_TOKEN), "no token is said");
    // The reason is real: the simulated Twilio signs with the primary, which the secondary fails.
    let url = format!("{PUBLIC_BASE}/conference/connect/client");
    let params = vec![("CallSid".to_string(), call_sid(1))];
    let signature = warm_transfer::twilio::signature::compute(AUTH_TOKEN, &url, &params);
    assert!(!warm_transfer::twilio::signature::verify("the-secondary-token", &url, &params, &signature));
    drop(sim);
}

/// A number routed to a TwiML App or a SIP trunk: its calls never reach the voice webhook, even one
/// pointing at this app. The check says so, `--fix` detaches it and says what it was, and the
/// next call reaches the app.
#[tokio::test]
async fn a_number_routed_to_a_twiml_app_or_a_sip_trunk_is_found_and_fixed() {
    use warm_transfer::simulator::engine::NumberRouting;
    let app_sid = "AP0123456789abcdef0123456789abcdef";
    let trunk_sid = "TK0123456789abcdef0123456789abcdef";
    for (routing, words, detached) in [
        (NumberRouting::Application(app_sid.into()), format!("the TwiML App {app_sid} (voice_application_sid)"), "the app"),
        (NumberRouting::Trunk(trunk_sid.into()), format!("the SIP trunk {trunk_sid} (trunk_sid)"), "the trunk"),
    ] {
        let (sim, base) = account(PUBLIC_BASE).await;
        sim.apply(|e, _| e.route_number(Some(routing.clone())));
        // A customer's call goes to the app or trunk, not to this app's voice route.
        let lost = sim.place_customer_call("+15551230001");
        let call = sim.apply(|e, _| e.call(lost.as_str())).unwrap();
        assert_eq!(call.status, warm_transfer::simulator::engine::CallStatus::Failed, "{call:?}");
        let s = settings(&base, &[]);
        let report = check(&s, false).await;
        assert!(!report.ready());
        let last = report.lines().last().unwrap().clone();
        assert_eq!(
            last,
            format!(
                "FIX: {NUMBER}'s calls go to {words}, which wins over its voice webhook (POST {PUBLIC_BASE}/conference/connect/client): \
                 run `warm-transfer twilio check --fix` (it detaches it from the number and points the voice webhook at POST \
                 {PUBLIC_BASE}/conference/connect/client)"
            )
        );
        let fixed = check(&s, true).await;
        assert!(fixed.ready(), "{:?}", fixed.lines());
        let said = fixed.lines().last().unwrap().clone();
        assert!(said.starts_with(&format!("ok:  fixed: {NUMBER}'s calls went to {words}")), "{said}");
        assert!(said.contains(&format!("{detached} is detached from the number")), "{said}");
        assert_eq!(sim.apply(|e, _| e.number_routing().cloned()), None);
        assert!(check(&s, false).await.ready(), "fixed for good");
        let form = sim.api_requests().into_iter().rev().find(|r| r.method == "POST").unwrap().form;
        let cleared = if detached == "the app" { "VoiceApplicationSid" } else { "TrunkSid" };
        assert!(form.iter().any(|(k, v)| k == cleared && v.is_empty()), "{form:?}");
    }
}
