//! The supervisor's floor through the real server: roles (403 for an agent), listen → whisper →
//! barge → leave as the REST requests Twilio receives (never a beep, never a listener unmuted),
//! Twilio's refusal to coach, the raised hand, presence set by a supervisor, and today's figures
//! that a restart (or another instance) shows the same. On SQLite, and on PostgreSQL with the
//! supervisor on one instance and the agents on another.

use crate::common::*;
use std::time::Duration;
use warm_transfer::center::AgentRole;
use warm_transfer::ids::AgentId;

const CONFERENCE: &str = "CF0123456789abcdef0123456789abcdef";
const AGENT_LEG: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01";
const SUPERVISOR_LEG: &str = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa99";

async fn make_supervisor(app: &TestApp, identity: &str) {
    app.add_agent(identity).await;
    app.store().await.set_agent_role(&AgentId::parse(identity).unwrap(), AgentRole::Supervisor).await.unwrap();
}

/// Caller 1 talking with agent1 (who answered leg 1 as `AGENT_LEG`), the conference's sid known.
async fn a_connected_call(app: &TestApp) -> String {
    let call = call_sid(1);
    app.available("agent1").await;
    app.customer_calls(&call, "+15551230001").await;
    app.stand_in.wait_for_dials(1).await;
    assert_eq!(app.agent_answers(&call, "agent1", 1, AGENT_LEG).await.status(), 200);
    app.conference_joined(&call, CONFERENCE).await;
    call
}

/// The requests Twilio received about the supervisor's participant, in order.
fn supervisor_requests(app: &TestApp) -> Vec<Recorded> {
    app.stand_in
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/Participants") && (r.path.ends_with("/supervisor1.json") || r.get("Label") == Some("supervisor1")))
        .collect()
}

async fn wait_for_requests(app: &TestApp, n: usize) -> Vec<Recorded> {
    for _ in 0..200 {
        let r = supervisor_requests(app);
        if r.len() >= n {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("expected {n} requests for the supervisor's leg; Twilio saw {:?}", app.stand_in.requests());
}

async fn monitor(app: &TestApp, mode: &str, call: &str) -> reqwest::Response {
    app.server_fn_as("supervisor1", "monitor", &[("call", call), ("mode", mode)]).await
}

/// Listen, whisper, barge and leave: `sup` is the supervisor's instance, `agents` the agents'.
async fn listen_whisper_barge_leave(sup: &TestApp, agents: &TestApp) {
    make_supervisor(sup, "supervisor1").await;
    let call = a_connected_call(agents).await;

    let res = monitor(sup, "listen", &call).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let requests = wait_for_requests(agents, 1).await;
    let add = &requests[0];
    assert!(add.path.ends_with(&format!("/Conferences/{CONFERENCE}/Participants.json")), "{}", add.path);
    for (key, value) in
        [("To", "client:supervisor1"), ("Label", "supervisor1"), ("Muted", "true"), ("Beep", "false"), ("EndConferenceOnExit", "false")]
    {
        assert_eq!(add.get(key), Some(value), "{key} of {add:?}");
    }
    assert_eq!(add.get("Coaching"), None);

    // Twilio says the supervisor's phone answered: they are in, listening.
    let res = agents
        .webhook(&format!("/twilio/monitor/{call}/supervisor1/2"), &[("CallSid", SUPERVISOR_LEG), ("CallStatus", "in-progress")])
        .await;
    assert_eq!(res.status(), 204, "{:?}", res.text().await);

    assert_eq!(monitor(sup, "whisper", &call).await.status(), 200);
    let whisper = wait_for_requests(agents, 2).await.remove(1);
    assert!(whisper.path.ends_with(&format!("/Conferences/{CONFERENCE}/Participants/supervisor1.json")), "{}", whisper.path);
    assert_eq!(
        (whisper.get("Coaching"), whisper.get("CallSidToCoach"), whisper.get("Muted")),
        (Some("true"), Some(AGENT_LEG), Some("false"))
    );

    assert_eq!(monitor(sup, "barge", &call).await.status(), 200);
    let barge = wait_for_requests(agents, 3).await.remove(2);
    assert_eq!((barge.get("Coaching"), barge.get("CallSidToCoach"), barge.get("Muted")), (Some("false"), None, Some("false")));

    assert_eq!(monitor(sup, "listen", &call).await.status(), 200);
    let listen = wait_for_requests(agents, 4).await.remove(3);
    assert_eq!((listen.get("Coaching"), listen.get("Muted")), (Some("false"), Some("true")));

    let res = sup.server_fn_as("supervisor1", "stop_monitoring", &[]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let leave = wait_for_requests(agents, 5).await.remove(4);
    assert_eq!(leave.method, "DELETE");
    assert!(leave.path.ends_with("/Participants/supervisor1.json"), "{}", leave.path);

    // One leg all along, never a beep, never a new participant.
    let all = supervisor_requests(agents);
    assert_eq!(all.iter().filter(|r| r.path.ends_with("/Participants.json")).count(), 1);
    assert!(all.iter().all(|r| r.get("Beep").is_none_or(|b| b == "false")), "{all:?}");

    let rows = agents.timeline(&call).await;
    for row in ["supervisor1 listening", "supervisor1 coaching agent1", "supervisor1 barged in", "supervisor1 left"] {
        assert!(rows.iter().any(|r| r == row), "no '{row}' in {rows:?}");
    }
}

#[tokio::test]
async fn listen_whisper_barge_and_leave_are_one_participant_that_never_beeps() {
    let app = TestApp::spawn().await;
    listen_whisper_barge_leave(&app, &app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_on_one_instance_monitors_a_call_of_another_on_postgresql() {
    let agents = TestApp::spawn_postgres().await;
    let sup = agents.restart().await;
    listen_whisper_barge_leave(&sup, &agents).await;
}

#[tokio::test]
async fn twilio_refusing_to_coach_keeps_the_supervisor_listening_and_says_why() {
    let app = TestApp::spawn().await;
    make_supervisor(&app, "supervisor1").await;
    let call = a_connected_call(&app).await;
    assert_eq!(monitor(&app, "listen", &call).await.status(), 200);
    wait_for_requests(&app, 1).await;
    app.webhook(&format!("/twilio/monitor/{call}/supervisor1/2"), &[("CallSid", SUPERVISOR_LEG), ("CallStatus", "in-progress")]).await;
    // Twilio: the agent to coach is on hold (16027).
    app.stand_in.sim().fail_next(warm_transfer::simulator::FaultRule::new(
        "POST",
        "/Participants/supervisor1.json",
        1,
        warm_transfer::simulator::Fault::Refuse { status: 400, code: 16027 },
    ));
    assert_eq!(monitor(&app, "whisper", &call).await.status(), 200, "the floor's request is taken; Twilio's answer comes later");
    // The center answers the refusal by asking Twilio to keep the supervisor listening.
    let listen = wait_for_requests(&app, 3).await.remove(2);
    assert_eq!((listen.get("Coaching"), listen.get("Muted")), (Some("false"), Some("true")));
    let rows = app.timeline(&call).await;
    assert!(rows.iter().any(|r| r.contains("Twilio would not let supervisor1 coach: the agent is on hold")), "{rows:?}");
}

#[tokio::test]
async fn an_agent_gets_403_from_the_floors_page_stream_and_steps() {
    let app = TestApp::spawn().await;
    make_supervisor(&app, "supervisor1").await;
    let call = a_connected_call(&app).await;
    let cookie = app.sign_in("agent2").await;
    for path in ["/floor", "/api/floor/stream"] {
        let res = app.client.get(format!("{}{path}", app.base_url)).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(res.status(), 403, "{path}");
    }
    assert_eq!(app.server_fn_as("agent2", "monitor", &[("call", &call), ("mode", "listen")]).await.status(), 403);
    assert_eq!(app.server_fn_as("agent2", "supervise", &[("agent", "agent1"), ("action", "set-offline")]).await.status(), 403);
    // Signed out, the floor's page is the sign-in form; a supervisor gets the page.
    assert_eq!(app.client.get(format!("{}/floor", app.base_url)).send().await.unwrap().status(), 200);
    let cookie = app.sign_in("supervisor1").await;
    assert_eq!(app.client.get(format!("{}/floor", app.base_url)).header("cookie", &cookie).send().await.unwrap().status(), 200);
    assert!(app.stand_in.requests().iter().all(|r| !r.path.contains("/Participants")), "nothing was asked of Twilio");
}

async fn open_floor(app: &TestApp) -> Sse {
    let cookie = app.sign_in("supervisor1").await;
    let res = app.client.get(format!("{}/api/floor/stream", app.base_url)).header("cookie", cookie).send().await.unwrap();
    assert_eq!(res.status(), 200);
    Sse::new(res)
}

/// The next floor whose `f` holds.
async fn floor_until(floor: &mut Sse, what: &str, f: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    for _ in 0..50 {
        let v = floor.next_view().await;
        if f(&v) {
            return v;
        }
    }
    panic!("the floor never showed {what}");
}

#[tokio::test]
async fn the_floor_is_pushed_with_the_raised_hand_and_its_figures_survive_a_restart() {
    let app = TestApp::spawn().await;
    floor_figures(&app, &app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_a_floor_on_another_instance_shows_the_same_figures_and_so_does_a_restart() {
    let app = TestApp::spawn_postgres().await;
    let floor = app.restart().await;
    floor_figures(&app, &floor).await;
}

/// The agents work on `app`; the supervisor watches on `floor_app`, then on a fresh instance.
async fn floor_figures(app: &TestApp, floor_app: &TestApp) {
    make_supervisor(app, "supervisor1").await;
    let mut floor = open_floor(floor_app).await;
    let first = floor.next_view().await;
    assert_eq!(first["queue"]["waiting"], 0);
    assert_eq!(first["queue"]["today"]["formula"], "service level = answered within 20 s ÷ (answered + abandoned after 5 s)");

    let call = a_connected_call(app).await;
    // A second caller gives up at once (a short abandon), a third after waiting.
    app.customer_calls(&call_sid(2), "+15551230002").await;
    app.conference_ends(&call_sid(2)).await;
    let v = floor_until(&mut floor, "the answered call and the short abandon", |v| {
        v["queue"]["today"]["answered"] == 1 && v["queue"]["today"]["short_abandoned"] == 1
    })
    .await;
    assert_eq!((v["queue"]["today"]["offered"].as_i64(), v["queue"]["today"]["abandoned"].as_i64()), (Some(2), Some(0)));
    assert_eq!(v["queue"]["today"]["service_level"], 1000);
    let agent1 = v["agents"].as_array().unwrap().iter().find(|a| a["id"] == "agent1").unwrap().clone();
    assert_eq!(agent1["presence"]["state"], "on-call");
    assert_eq!(agent1["handled"], 1);

    // agent1 asks for help: the floor shows it at once.
    let res = app.transfer("agent1", &[("action", "ask-help")]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let v = floor_until(&mut floor, "the raised hand", |v| v["calls"][0]["help"].is_i64()).await;
    assert_eq!(v["calls"][0]["call"], call.as_str());

    // The customer hangs up; agent1 wraps up and the supervisor ends it.
    app.conference_ends(&call).await;
    app.wait_presence("agent1", "wrap-up").await;
    let res = app.server_fn_as("supervisor1", "supervise", &[("agent", "agent1"), ("action", "end-wrap-up")]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let before = floor_until(&mut floor, "agent1 available", |v| {
        v["agents"].as_array().unwrap().iter().any(|a| a["id"] == "agent1" && a["presence"]["state"] == "available")
    })
    .await;
    assert_eq!(before["queue"]["today"]["handled"], 1);
    assert!(before["queue"]["today"]["wrap_up"].is_i64());

    // Restarted, the figures are the same: they are folded from what was stored.
    let again = floor_app.restart().await;
    let mut floor = open_floor(&again).await;
    let after = floor.next_view().await;
    let figures = |v: &serde_json::Value| {
        let mut t = v["queue"]["today"].clone();
        t.as_object_mut().unwrap().remove("longest_wait");
        t
    };
    assert_eq!(figures(&after), figures(&before));
    let agent1 = |v: &serde_json::Value| v["agents"].as_array().unwrap().iter().find(|a| a["id"] == "agent1").unwrap()["handled"].clone();
    assert_eq!(agent1(&after), agent1(&before));
}

#[tokio::test]
async fn a_supervisor_sets_an_agent_away_with_a_reason_on_the_record() {
    let app = TestApp::spawn().await;
    make_supervisor(&app, "supervisor1").await;
    app.available("agent2").await;
    let res =
        app.server_fn_as("supervisor1", "supervise", &[("agent", "agent2"), ("action", "set-away"), ("reason", "team meeting")]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    app.wait_presence("agent2", "away").await;
    let res = app.server_fn_as("supervisor1", "supervise", &[("agent", "agent2"), ("action", "end-wrap-up")]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().ends_with("agent2 is not in wrap-up"));
    let res = app.server_fn_as("supervisor1", "supervise", &[("agent", "agent2"), ("action", "dance")]).await;
    assert_eq!(res.status(), 400);
    let log = app.store().await.agent_log_texts("agent2").await.unwrap();
    assert!(log.iter().any(|t| t == "supervisor1 set agent2 away: team meeting"), "{log:?}");
}
