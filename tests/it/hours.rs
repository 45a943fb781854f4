//! Opening hours through the real server: supervisors save a schedule, close now and reopen
//! (an agent gets 403, a mistake 400 naming its line), two supervisors saving at once cannot
//! overwrite each other (409 naming who), a caller who rings while we are closed hears why and
//! when we open and is on the record (no conference, nobody rung), a caller already waiting at
//! closing keeps their place and is told so, and the simulator's clock moves closing time
//! nearer. On SQLite and PostgreSQL.

use crate::common::*;
use warm_transfer::center::AgentRole;
use warm_transfer::ids::AgentId;

async fn supervisor(app: &TestApp, who: &str) -> String {
    app.add_agent(who).await;
    app.store().await.set_agent_role(&AgentId::parse(who).unwrap(), AgentRole::Supervisor).await.unwrap();
    app.sign_in(who).await
}

async fn call(app: &TestApp, cookie: &str, endpoint: &str, params: &[(&str, &str)]) -> (u16, String) {
    let res = app.client.post(format!("{}/api/{endpoint}", app.base_url)).header("cookie", cookie).form(params).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn version(card: &str) -> String {
    serde_json::from_str::<serde_json::Value>(card).unwrap_or_else(|e| panic!("{e}: {card}"))["version"].to_string()
}

/// Tomorrow's day word (UTC), for a schedule that is closed all today and opens tomorrow.
fn tomorrow() -> &'static str {
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    // 1 January 1970 was a Thursday (index 3).
    days[(((now / 86_400) + 3 + 1) % 7) as usize]
}

async fn closed_callers_hear_why_and_when_we_open(app: TestApp) {
    let sup = supervisor(&app, "supervisor1").await;
    app.available("agent1").await;
    let (status, card) = call(&app, &sup, "opening_hours", &[]).await;
    assert_eq!(status, 200, "{card}");
    assert!(card.contains("open around the clock"), "{card}");

    // A schedule that opens tomorrow only: closed now.
    let schedule = format!("time zone UTC\n{} 09:00-17:00\nholiday 2030-01-01 New Year", tomorrow());
    let (status, card) = call(&app, &sup, "save_hours", &[("schedule", &schedule), ("version", &version(&card))]).await;
    assert_eq!(status, 200, "{card}");
    assert!(card.contains("closed (outside the opening hours), opens tomorrow at 09:00"), "{card}");

    let twiml = app.customer_calls(&call_sid(1), "+15551230001").await;
    assert!(twiml.contains("We are closed right now. We open again tomorrow at 09:00."), "{twiml}");
    assert!(twiml.contains("<Hangup"), "{twiml}");
    assert!(!twiml.contains("<Conference"), "nobody waits for an agent who is not there: {twiml}");
    // Twilio repeating the webhook: the same answer, one row on the record.
    let again = app.customer_calls(&call_sid(1), "+15551230001").await;
    assert_eq!(again, twiml);
    assert_eq!(app.timeline(&call_sid(1)).await, vec!["closed (outside the opening hours): caller +15551230001 told when we open"]);
    assert_eq!(app.presence("agent1").await, "available", "no agent is rung while closed");
    assert!(app.stand_in.dials().is_empty());

    // Closed now, with a reason, then reopened: the schedule removed, callers queue again.
    let (status, card) = call(&app, &sup, "close_now", &[("reason", "a fire drill"), ("version", &version(&card))]).await;
    assert_eq!(status, 200, "{card}");
    let twiml = app.customer_calls(&call_sid(2), "+15551230002").await;
    assert!(twiml.contains("We are closed right now: a fire drill."), "{twiml}");
    let (status, card) = call(&app, &sup, "reopen", &[("version", &version(&card))]).await;
    assert_eq!(status, 200, "{card}");
    let (status, card) = call(&app, &sup, "save_hours", &[("schedule", ""), ("version", &version(&card))]).await;
    assert_eq!(status, 200, "{card}");
    assert!(card.contains("open around the clock"), "{card}");
    let twiml = app.customer_calls(&call_sid(3), "+15551230003").await;
    assert!(twiml.contains("<Conference"), "open again: the caller waits for an agent: {twiml}");
    app.wait_presence("agent1", "ringing").await;

    // The audit log names each change and who made it.
    let (_, log) = call(&app, &sup, "audit_log", &[]).await;
    for said in ["supervisor1 saved the schedule", "supervisor1 closed now: a fire drill", "supervisor1 reopened"] {
        assert!(log.contains(said), "{said} in {log}");
    }
}

#[tokio::test]
async fn closed_callers_hear_why_and_when_we_open_on_sqlite() {
    closed_callers_hear_why_and_when_we_open(TestApp::spawn().await).await;
}

#[tokio::test]
async fn closed_callers_hear_why_and_when_we_open_on_postgres() {
    closed_callers_hear_why_and_when_we_open(TestApp::spawn_postgres().await).await;
}

async fn two_supervisors_saving_at_once_never_overwrite_each_other(app: TestApp) {
    let (sue, sam) = (supervisor(&app, "supervisor1").await, supervisor(&app, "supervisor2").await);
    let (_, seen) = call(&app, &sue, "opening_hours", &[]).await;
    let v = version(&seen);
    // Both edit from the same version, at the same moment.
    let sue_text = "time zone Europe/London\nmon-fri 09:00-17:00";
    let sam_text = "time zone Europe/London\nmon-sat 08:00-20:00";
    let (sue_form, sam_form) = ([("schedule", sue_text), ("version", &v)], [("schedule", sam_text), ("version", &v)]);
    let (a, b) = tokio::join!(call(&app, &sue, "save_hours", &sue_form), call(&app, &sam, "save_hours", &sam_form));
    let statuses = [a.0, b.0];
    assert!(statuses.contains(&200) && statuses.contains(&409), "one saved, one refused: {a:?} {b:?}");
    let (winner, loser_said, kept) = if a.0 == 200 { ("supervisor1", &b.1, sue_text) } else { ("supervisor2", &a.1, sam_text) };
    assert_eq!(loser_said, &format!("NotNow|the opening hours were changed meanwhile by {winner}: read them again and redo your change"));
    let (_, now) = call(&app, &sue, "opening_hours", &[]).await;
    let shown: serde_json::Value = serde_json::from_str(&now).unwrap();
    assert_eq!(shown["schedule"], kept, "the floor shows the schedule saved");
    assert_eq!(app.store().await.hours().await.unwrap().schedule.as_deref(), Some(kept));

    // A mistake changes nothing and names its line; an agent may not change the hours.
    let v = version(&now);
    let (status, said) = call(&app, &sue, "save_hours", &[("schedule", "time zone UTC\nmon 17:00-09:00"), ("version", &v)]).await;
    assert_eq!(
        (status, said.as_str()),
        (400, "BadInput|line 2: '17:00-09:00' ends before it starts (a span cannot cross midnight: split it in two days)")
    );
    let agent = app.sign_in("agent1").await;
    let (status, _) = call(&app, &agent, "save_hours", &[("schedule", ""), ("version", &v)]).await;
    assert_eq!(status, 403);
    let (status, _) = call(&app, &agent, "close_now", &[("reason", "x"), ("version", &v)]).await;
    assert_eq!(status, 403);
    assert_eq!(app.store().await.hours().await.unwrap().schedule.as_deref(), Some(kept));
}

#[tokio::test]
async fn two_supervisors_saving_at_once_never_overwrite_each_other_on_sqlite() {
    two_supervisors_saving_at_once_never_overwrite_each_other(TestApp::spawn().await).await;
}

#[tokio::test]
async fn two_supervisors_saving_at_once_never_overwrite_each_other_on_postgres() {
    two_supervisors_saving_at_once_never_overwrite_each_other(TestApp::spawn_postgres().await).await;
}

#[tokio::test]
async fn a_caller_waiting_at_closing_keeps_their_place_is_told_so_and_offered_a_callback() {
    let app = TestApp::spawn_with(&[("CALLBACK_AFTER_SECS", "90")]).await;
    let sup = supervisor(&app, "supervisor1").await;
    // Someone is signed in (away): the caller waits rather than being offered a callback at once.
    assert_eq!(app.server_fn_as("agent2", "presence", &[("status", "away")]).await.status(), 200);
    let twiml = app.customer_calls(&call_sid(1), "+15551230001").await;
    assert!(twiml.contains("<Conference"), "{twiml}");
    let wait = app.webhook("/conference/wait", &[("CallSid", &call_sid(1))]).await.text().await.unwrap();
    assert!(!wait.contains("closed"), "{wait}");

    let (_, card) = call(&app, &sup, "opening_hours", &[]).await;
    let (status, _) = call(&app, &sup, "close_now", &[("reason", ""), ("version", &version(&card))]).await;
    assert_eq!(status, 200);
    let wait = app.webhook("/conference/wait", &[("CallSid", &call_sid(1))]).await.text().await.unwrap();
    assert!(wait.contains("We are now closed, but you keep your place in line"), "{wait}");
    assert!(wait.contains("You are caller number 1."), "{wait}");
    // At closing time (seen within a second) the caller is moved to the callback menu: one REST
    // request, in their place.
    let moved = app.stand_in.wait_for_form(&format!("/Calls/{}.json", call_sid(1)), "Method", "POST").await;
    assert_eq!(moved.get("Url"), Some(format!("{PUBLIC_BASE}/twilio/callback/{}/offer", call_sid(1)).as_str()));
    assert!(app.timeline(&call_sid(1)).await.contains(&"offered a callback (the caller keeps their place)".to_string()));
    // Nothing pressed: back in the queue, still first.
    let back = app.webhook(&format!("/twilio/callback/{}/back", call_sid(1)), &[("CallSid", &call_sid(1))]).await.text().await.unwrap();
    assert!(back.contains("You keep your place in line") && back.contains("<Conference"), "{back}");
    // Still queued: an agent who comes available takes them.
    app.available("agent1").await;
    app.wait_presence("agent1", "ringing").await;
}

#[tokio::test]
async fn the_simulator_moves_closing_time_nearer() {
    let app = TestApp::spawn_with(&[("TWILIO_MODE", "simulator")]).await;
    let sup = supervisor(&app, "supervisor1").await;
    let (_, card) = call(&app, &sup, "opening_hours", &[]).await;
    // Open today only, all day (UTC).
    let today = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        [(((std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() / 86_400) + 3) % 7) as usize];
    let schedule = format!("time zone UTC\n{today} 00:00-24:00");
    let (status, card) = call(&app, &sup, "save_hours", &[("schedule", &schedule), ("version", &version(&card))]).await;
    assert_eq!(status, 200, "{card}");
    assert!(card.contains("open, closes"), "{card}");
    // A day later by the hours' clock: closed (and open again in a week).
    let (status, at) = call(&app, &sup, "sim_clock", &[("minutes", "1440")]).await;
    assert_eq!(status, 200, "{at}");
    let (_, card) = call(&app, &sup, "opening_hours", &[]).await;
    assert!(card.contains("closed (outside the opening hours), opens"), "{card}");
    let (status, said) = call(&app, &sup, "sim_clock", &[("minutes", "999999999")]).await;
    assert_eq!((status, said.as_str()), (400, "BadInput|minutes: at most a year either way"));
}
