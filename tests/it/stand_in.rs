//! The tests' api.twilio.com: the simulator answering only ([`Answering::Echo`]). What the other
//! tests rely on it for: Twilio's success answers shaped from the request, the app's credentials
//! checked, every request logged with its form and created SID, faults when asked.

use crate::common::*;

fn url(stand_in: &StandIn, tail: &str) -> String {
    format!("{}/2010-04-01/Accounts/{ACCOUNT_SID}/{tail}", stand_in.base_url)
}

#[tokio::test]
async fn it_answers_as_twilio_succeeds_and_logs_every_request() {
    let stand_in = StandIn::start().await;
    let http = reqwest::Client::new();
    let post = |tail: &str, form: &[(&str, &str)]| http.post(url(&stand_in, tail)).basic_auth(API_KEY, Some(API_SECRET)).form(form).send();

    let res = post("Calls.json", &[("To", "client:agent1"), ("From", NUMBER), ("Url", "https://x/y")]).await.unwrap();
    assert_eq!(res.status(), 201);
    let call: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (call["sid"].as_str(), call["status"].as_str(), call["to"].as_str()),
        (Some(stand_in_sid(1).as_str()), Some("queued"), Some("client:agent1"))
    );
    let second: serde_json::Value = post("Calls.json", &[("To", "+15551230000")]).await.unwrap().json().await.unwrap();
    assert_eq!(second["sid"], stand_in_sid(2), "each created call gets the next SID");

    // Resources the test invented exist as far as updates go.
    let cancel = post(&format!("Calls/{}.json", call_sid(7)), &[("Status", "canceled")]).await.unwrap();
    assert_eq!(cancel.status(), 200);
    let cancel: serde_json::Value = cancel.json().await.unwrap();
    assert_eq!((cancel["sid"].as_str(), cancel["status"].as_str()), (Some(call_sid(7).as_str()), Some("canceled")));
    let hold = post(&format!("Conferences/CF{}/Participants/agent1.json", "0".repeat(32)), &[("Hold", "true")]).await.unwrap();
    let hold: serde_json::Value = hold.json().await.unwrap();
    assert_eq!((hold["label"].as_str(), hold["hold"].as_bool()), (Some("agent1"), Some(true)));
    let gone = http
        .delete(url(&stand_in, &format!("Conferences/CF{}/Participants/{}.json", "0".repeat(32), call_sid(7))))
        .basic_auth(ACCOUNT_SID, Some(AUTH_TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 204, "the account and auth token are accepted too");
    // Reads find nothing.
    let list = http.get(url(&stand_in, "Conferences.json?FriendlyName=CA1&Status=in-progress")).basic_auth(API_KEY, Some(API_SECRET));
    let list: serde_json::Value = list.send().await.unwrap().json().await.unwrap();
    assert_eq!(list["conferences"], serde_json::json!([]));
    let unknown = http.get(url(&stand_in, "Recordings.json")).basic_auth(API_KEY, Some(API_SECRET)).send().await.unwrap();
    assert_eq!(unknown.status(), 404);

    let log = stand_in.requests();
    assert_eq!(log.len(), 7);
    assert_eq!(
        (log[0].get("To"), log[0].created.as_deref(), log[0].status),
        (Some("client:agent1"), Some(stand_in_sid(1).as_str()), Some(201))
    );
    assert_eq!(log[2].created, None, "an update creates nothing");
    assert_eq!(log[4].user.as_deref(), Some(ACCOUNT_SID));
    assert_eq!(stand_in.dials().len(), 2);
}

#[tokio::test]
async fn it_refuses_wrong_credentials_and_fails_when_told() {
    let stand_in = StandIn::start().await;
    let http = reqwest::Client::new();
    let create = |password: &'static str| {
        http.post(url(&stand_in, "Calls.json")).basic_auth(API_KEY, Some(password)).form(&[("To", "client:agent1")]).send()
    };
    let res = create("not-the-secret").await.unwrap();
    assert_eq!(res.status(), 401);
    let log = stand_in.requests();
    assert_eq!((log[0].user.as_deref(), log[0].status, log[0].created.as_deref()), (Some(API_KEY), Some(401), None));
    assert!(!format!("{log:?}").contains("not-the-secret"), "the password is never kept");

    stand_in.set_mode(Mode::Status(503));
    for _ in 0..2 {
        let res = create(API_SECRET).await.unwrap();
        assert_eq!(res.status(), 503);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["code"], 20503);
    }
    stand_in.set_mode(Mode::Ok);
    let res = create(API_SECRET).await.unwrap();
    assert_eq!(res.status(), 201);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["sid"], stand_in_sid(1), "failed requests created nothing");
}
