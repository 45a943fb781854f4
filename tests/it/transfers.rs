//! Every kind of transfer to every kind of target through the real server, with the simulator
//! as Twilio, on SQLite and on PostgreSQL: what the app asks of Twilio and what the conference
//! ends up as. The rules themselves are tested in `center::transfer_tests`; here the wiring is.

use std::time::Duration;

use crate::simulator_flow::{eventually, status_of, Stack};
use warm_transfer::center::{Call, CallPhase};
use warm_transfer::ids::CallSid;
use warm_transfer::simulator::engine::phone_book::BUSY;
use warm_transfer::simulator::engine::{CallStatus, ConferenceStatus, ParticipantView, SimState};
use warm_transfer::simulator::{Fault, FaultRule};

const CUSTOMER: &str = "+15551230000";
const OUTSIDE: &str = "+14155550100";

/// The customer on the line with agent1; agent2 and agent3 available.
struct OnCall {
    stack: Stack,
    customer: CallSid,
    agent1: CallSid,
}

impl OnCall {
    async fn start(postgres: bool) -> Self {
        Self::start_with(postgres, &[]).await
    }

    async fn start_with(postgres: bool, extra: &[(&str, &str)]) -> Self {
        let stack = Stack::start_with(postgres, extra).await;
        stack.available("agent1").await;
        let customer = stack.sim.place_customer_call(CUSTOMER);
        let agent1 = stack.rings("agent1").await;
        stack.sim.answer(&agent1).unwrap();
        let on = OnCall { stack, customer, agent1 };
        on.until("the customer to talk with agent1", |s| on.hears(s) == "conference with agent1").await;
        on.stack.available("agent2").await;
        on.stack.available("agent3").await;
        on
    }

    async fn until(&self, what: &str, check: impl Fn(&SimState) -> bool) -> SimState {
        self.stack.until(what, check).await
    }

    /// The customer as a participant of their conference (the live one).
    fn customer_in(&self, s: &SimState) -> Option<ParticipantView> {
        s.conferences
            .iter()
            .filter(|c| c.friendly_name == self.customer.as_str() && c.status != ConferenceStatus::Completed)
            .flat_map(|c| c.participants.iter())
            .find(|p| p.call_sid == self.customer)
            .cloned()
    }

    fn hears(&self, s: &SimState) -> String {
        self.customer_in(s).map(|p| p.hearing).unwrap_or_default()
    }

    fn held(&self, s: &SimState) -> bool {
        self.customer_in(s).is_some_and(|p| p.on_hold)
    }

    /// Labels of everyone in the customer's conference but the customer, sorted.
    fn others(&self, s: &SimState) -> Vec<String> {
        let mut out: Vec<String> = s
            .conferences
            .iter()
            .filter(|c| c.friendly_name == self.customer.as_str() && c.status != ConferenceStatus::Completed)
            .flat_map(|c| c.participants.iter())
            .filter(|p| p.call_sid != self.customer)
            .map(|p| p.label.clone().unwrap_or_default())
            .collect();
        out.sort();
        out
    }

    async fn step(&self, params: &[(&str, &str)]) {
        let res = self.stack.server_fn_as("agent1", "transfer", params).await;
        assert_eq!(res.status(), 200, "{params:?}: {:?}", res.text().await);
    }

    async fn call(&self) -> Option<Call> {
        self.stack.store().await.live_calls().await.unwrap().into_iter().find(|c| c.sid == self.customer)
    }

    async fn timeline(&self) -> Vec<String> {
        self.stack.store().await.timeline_texts(self.customer.as_str()).await.unwrap()
    }

    async fn presence(&self, agent: &str) -> String {
        let (p, _) = self.stack.store().await.presence_of(agent).await.unwrap().unwrap();
        p.word().to_string()
    }

    async fn wait_presence(&self, agent: &str, word: &str) {
        eventually(&format!("{agent} to be {word}"), || async { (self.presence(agent).await == word).then_some(()) }).await;
    }

    /// `METHOD path` of each REST request about the customer's conference, in order (paths
    /// shortened to what follows `/Conferences/{CF}`).
    fn conference_requests(&self) -> Vec<String> {
        self.stack
            .sim
            .api_requests()
            .into_iter()
            .filter_map(|r| {
                let i = r.path.find("/Participants")?;
                Some(format!("{} {}", r.method, &r.path[i..].replace(self.customer.as_str(), "{customer}")))
            })
            .collect()
    }
}

impl Stack {
    async fn available(&self, agent: &str) {
        assert_eq!(self.server_fn_as(agent, "presence", &[("status", "available")]).await.status(), 200);
        // Distinct idle times, so the longest-idle order is the order made available.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

// ---- consult with an agent ------------------------------------------------------------------------

async fn consult_then_complete(postgres: bool) {
    let on = OnCall::start(postgres).await;
    on.step(&[("action", "consult"), ("to", "agent2"), ("note", "refund over 500")]).await;
    let agent2 = on.stack.rings("agent2").await;
    on.until("the customer to be on hold", |s| on.held(s)).await;
    on.stack.sim.answer(&agent2).unwrap();
    let s = on.until("the agents to talk privately", |s| on.others(s) == ["agent1", "agent2"]).await;
    assert!(on.held(&s), "the customer stays on hold while the agents talk");
    assert_eq!(on.presence("agent2").await, "on-call");

    on.step(&[("action", "complete")]).await;
    let s = on.until("the customer to talk with agent2 alone", |s| on.hears(s) == "conference with agent2").await;
    assert_eq!(on.others(&s), ["agent2"]);
    assert!(!on.held(&s));
    assert_eq!(status_of(&s, &on.agent1), CallStatus::Completed, "agent1's leg is over");
    on.wait_presence("agent1", "wrap-up").await;
    assert!(matches!(on.call().await.unwrap().phase(), CallPhase::Connected { owner, .. } if owner.as_str() == "agent2"));
    assert_eq!(
        on.conference_requests(),
        ["POST /Participants/{customer}.json", "DELETE /Participants/agent1.json", "POST /Participants/{customer}.json"],
        "hold; then agent1 out before the customer comes off hold"
    );
    let timeline = on.timeline().await;
    assert!(timeline.contains(&"agent1 consults agent2 (note: refund over 500); customer on hold".into()), "{timeline:?}");
    assert!(timeline.ends_with(&["agent2 answered the consult".into(), "transfer completed: agent2 has the call, agent1 left".into()]));
}

async fn consult_then_cancel(postgres: bool) {
    let on = OnCall::start(postgres).await;
    on.step(&[("action", "consult"), ("to", "agent2")]).await;
    let agent2 = on.stack.rings("agent2").await;
    on.stack.sim.answer(&agent2).unwrap();
    on.until("agent2 to join", |s| on.others(s) == ["agent1", "agent2"]).await;
    on.step(&[("action", "cancel")]).await;
    let s = on.until("the customer back with agent1", |s| on.hears(s) == "conference with agent1").await;
    assert_eq!(on.others(&s), ["agent1"]);
    assert_eq!(status_of(&s, &agent2), CallStatus::Completed);
    on.wait_presence("agent2", "wrap-up").await;
    assert_eq!(on.presence("agent1").await, "on-call");
    assert_eq!(
        on.conference_requests(),
        ["POST /Participants/{customer}.json", "DELETE /Participants/agent2.json", "POST /Participants/{customer}.json"],
        "the target is dropped before the customer comes off hold"
    );
}

async fn consult_declined(postgres: bool) {
    let on = OnCall::start(postgres).await;
    on.step(&[("action", "consult"), ("to", "agent2")]).await;
    let agent2 = on.stack.rings("agent2").await;
    on.until("the customer to be on hold", |s| on.held(s)).await;
    on.stack.sim.reject(&agent2).unwrap();
    on.until("the customer back with agent1, off hold", |s| !on.held(s) && on.hears(s) == "conference with agent1").await;
    let call = on.call().await.unwrap();
    assert_eq!(call.notice.unwrap().text, "consult to agent2 failed: declined; customer back with the agent");
    assert_eq!(call.transfer, None);
    on.wait_presence("agent2", "away").await;
}

async fn three_way_then_leave(postgres: bool) {
    let on = OnCall::start(postgres).await;
    on.step(&[("action", "consult"), ("to", "agent2")]).await;
    let agent2 = on.stack.rings("agent2").await;
    on.stack.sim.answer(&agent2).unwrap();
    on.until("agent2 to join", |s| on.others(s) == ["agent1", "agent2"]).await;
    on.step(&[("action", "three-way")]).await;
    on.until("all three to talk", |s| on.hears(s) == "conference with agent1, agent2").await;
    // Swap makes no sense once all three talk: refused with the reason, nothing changes.
    let res = on.stack.server_fn_as("agent1", "transfer", &[("action", "swap")]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("swap is for a consult"));
    on.step(&[("action", "leave")]).await;
    let s = on.until("the customer with agent2", |s| on.hears(s) == "conference with agent2").await;
    assert_eq!(status_of(&s, &on.agent1), CallStatus::Completed);
    assert!(on.timeline().await.contains(&"three-way call".to_string()));
}

async fn consult_swap(postgres: bool) {
    let on = OnCall::start(postgres).await;
    on.step(&[("action", "consult"), ("to", "agent2")]).await;
    let agent2 = on.stack.rings("agent2").await;
    on.stack.sim.answer(&agent2).unwrap();
    on.until("agent2 to join", |s| on.others(s) == ["agent1", "agent2"]).await;
    on.step(&[("action", "swap")]).await;
    let agent2_held =
        |s: &SimState| s.conferences.iter().flat_map(|c| c.participants.iter()).any(|p| p.label.as_deref() == Some("agent2") && p.on_hold);
    on.until("agent1 with the customer, agent2 on hold", |s| agent2_held(s) && on.hears(s) == "conference with agent1").await;
    on.step(&[("action", "swap")]).await;
    on.until("agent1 with agent2, the customer on hold", |s| !agent2_held(s) && on.held(s)).await;
    let requests = on.conference_requests();
    assert_eq!(
        requests[1..],
        [
            "POST /Participants/agent2.json".to_string(),
            "POST /Participants/{customer}.json".into(),
            "POST /Participants/{customer}.json".into(),
            "POST /Participants/agent2.json".into()
        ],
        "each swap holds the side left before unholding the side joined: {requests:?}"
    );
}

// ---- blind ---------------------------------------------------------------------------------------

async fn blind_to_an_agent(postgres: bool) {
    let on = OnCall::start(postgres).await;
    on.step(&[("action", "transfer"), ("to", "agent2")]).await;
    on.wait_presence("agent1", "wrap-up").await;
    let agent2 = on.stack.rings("agent2").await;
    let s = on
        .until("the customer told to hold, agent1 gone", |s| {
            on.held(s)
                && on.others(s).is_empty()
                && s.calls.iter().any(|c| c.call_sid == on.customer && c.hearing.iter().any(|h| h.contains("transfer your call")))
        })
        .await;
    assert_eq!(status_of(&s, &on.agent1), CallStatus::Completed);
    on.stack.sim.answer(&agent2).unwrap();
    on.until("the customer with agent2", |s| !on.held(s) && on.hears(s) == "conference with agent2").await;
    assert_eq!(on.timeline().await.last().map(String::as_str), Some("answered by agent2"));
}

async fn blind_to_the_queue(postgres: bool) {
    let on = OnCall::start(postgres).await;
    // Everyone else away: the caller waits in the queue again.
    for agent in ["agent2", "agent3"] {
        assert_eq!(on.stack.server_fn_as(agent, "presence", &[("status", "away")]).await.status(), 200);
    }
    on.step(&[("action", "transfer"), ("to", "queue")]).await;
    on.until("the customer to hear their place", |s| {
        on.held(s) && s.calls.iter().any(|c| c.call_sid == on.customer && c.hearing.iter().any(|h| h == "Say: You are caller number 1."))
    })
    .await;
    assert!(matches!(on.call().await.unwrap().phase(), CallPhase::Queued));
    on.stack.available("agent3").await;
    let agent3 = on.stack.rings("agent3").await;
    on.stack.sim.answer(&agent3).unwrap();
    on.until("the customer with agent3", |s| !on.held(s) && on.hears(s) == "conference with agent3").await;
}

// ---- numbers outside -----------------------------------------------------------------------------

async fn consult_a_number_then_complete(postgres: bool) {
    let on = OnCall::start(postgres).await;
    on.step(&[("action", "consult"), ("to", OUTSIDE)]).await;
    // The simulator's outside number answers by itself.
    on.until("the number to join while the customer is held", |s| on.held(s) && on.others(s) == [OUTSIDE.to_string(), "agent1".into()])
        .await;
    let dial = on.stack.sim.snapshot().calls.into_iter().find(|c| c.to == OUTSIDE).unwrap();
    assert_eq!(dial.from, crate::common::NUMBER, "caller ID is the support number");
    on.step(&[("action", "complete")]).await;
    on.until("the customer with the number", |s| on.hears(s) == format!("conference with {OUTSIDE}")).await;
    on.wait_presence("agent1", "wrap-up").await;
    assert!(matches!(on.call().await.unwrap().phase(), CallPhase::Outside { answered: true, .. }));
    // The number hangs up: the app hangs the customer up (nobody is left for them).
    on.stack.sim.hangup(&dial.call_sid).unwrap();
    let s = on.until("the customer's call to end", |s| status_of(s, &on.customer) == CallStatus::Completed).await;
    assert!(on.customer_in(&s).is_none());
    assert_eq!(on.timeline().await.last().map(String::as_str), Some("call ended by the number it was transferred to"));
}

async fn blind_to_a_number(postgres: bool) {
    let on = OnCall::start(postgres).await;
    on.step(&[("action", "transfer"), ("to", OUTSIDE)]).await;
    on.wait_presence("agent1", "wrap-up").await;
    on.until("the customer with the number", |s| !on.held(s) && on.hears(s) == format!("conference with {OUTSIDE}")).await;
    assert!(matches!(on.call().await.unwrap().phase(), CallPhase::Outside { answered: true, .. }));
    assert_eq!(on.timeline().await[3..], ["agent1 transferred the call to +14155550100".to_string(), "+14155550100 answered".into()]);
}

async fn blind_to_a_busy_number(postgres: bool) {
    let on = OnCall::start(postgres).await;
    assert_eq!(on.stack.server_fn_as("agent2", "presence", &[("status", "away")]).await.status(), 200);
    on.step(&[("action", "transfer"), ("to", BUSY)]).await;
    // Busy: back to the head of the queue, offered to the one agent available.
    let agent3 = on.stack.rings("agent3").await;
    let timeline = on.timeline().await;
    assert!(timeline.contains(&format!("{BUSY}: busy; back to the head of the queue")), "{timeline:?}");
    on.stack.sim.answer(&agent3).unwrap();
    on.until("the customer with agent3", |s| !on.held(s) && on.hears(s) == "conference with agent3").await;
}

// ---- hang-ups during a consult ------------------------------------------------------------------

async fn customer_hangs_up_mid_consult(postgres: bool) {
    let on = OnCall::start(postgres).await;
    on.step(&[("action", "consult"), ("to", "agent2")]).await;
    let agent2 = on.stack.rings("agent2").await;
    on.until("the customer to be on hold", |s| on.held(s)).await;
    // While the target still rings: it stops ringing at once, both agents are free.
    on.stack.sim.hangup(&on.customer).unwrap();
    let s = on.until("agent2's browser to stop ringing", |s| status_of(s, &agent2) == CallStatus::Canceled).await;
    assert_eq!(status_of(&s, &on.agent1), CallStatus::Completed, "the conference ended with the customer");
    on.wait_presence("agent1", "wrap-up").await;
    on.wait_presence("agent2", "available").await;
    assert_eq!(on.timeline().await.last().map(String::as_str), Some("customer hung up"));
}

async fn customer_hangs_up_while_agents_consult(postgres: bool) {
    let on = OnCall::start(postgres).await;
    on.step(&[("action", "consult"), ("to", "agent2")]).await;
    let agent2 = on.stack.rings("agent2").await;
    on.stack.sim.answer(&agent2).unwrap();
    on.until("agent2 to join", |s| on.others(s) == ["agent1", "agent2"]).await;
    on.stack.sim.hangup(&on.customer).unwrap();
    let s = on.until("both agents' legs to end", |s| status_of(s, &agent2) == CallStatus::Completed).await;
    assert_eq!(status_of(&s, &on.agent1), CallStatus::Completed, "no one is left in a conference alone");
    on.wait_presence("agent1", "wrap-up").await;
    on.wait_presence("agent2", "wrap-up").await;
}

// ---- hold and mute ---------------------------------------------------------------------------------

async fn hold_and_resume(postgres: bool) {
    let on = OnCall::start(postgres).await;
    // Hold, resume, mute and unmute are steps like any other: one way to take them.
    let res = on.stack.server_fn_as("agent1", "transfer", &[("action", "hold")]).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    let s = on.until("the customer to hear music on hold", |s| on.held(s)).await;
    assert_ne!(on.hears(&s), "conference with agent1", "music, not the agent (nor silence)");
    let res = on.stack.server_fn_as("agent1", "transfer", &[("action", "mute")]).await;
    let card: serde_json::Value = res.json().await.unwrap();
    assert_eq!(card["legs"][1]["muted"], true);
    assert_eq!(card["actions"].as_array().unwrap().last().unwrap(), "unmute");
    let res = on.stack.server_fn_as("agent1", "transfer", &[("action", "resume")]).await;
    assert_eq!(res.status(), 200);
    on.until("the customer back with agent1", |s| !on.held(s) && on.hears(s) == "conference with agent1").await;
    let res = on.stack.server_fn_as("agent2", "transfer", &[("action", "hold")]).await;
    assert_eq!(res.status(), 409, "only the agent on the call can hold its customer");
    let res = on.stack.server_fn_as("agent1", "transfer", &[("action", "maybe")]).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("unknown action 'maybe'"));
    // The endpoints that did the same in another way are gone.
    let res = on.stack.server_fn_as("agent1", "hold", &[("hold", "true")]).await;
    assert_eq!(res.status(), 404);
    let timeline = on.timeline().await;
    assert!(timeline.ends_with(&["agent1 put the customer on hold".into(), "agent1 took the customer off hold".into()]), "{timeline:?}");
}

// ---- Twilio failing during a hold --------------------------------------------------------------------

async fn twilio_failing_during_hold_and_unhold(postgres: bool) {
    let on = OnCall::start_with(postgres, &[("OUTBOX_BACKOFF_MS", "20"), ("OUTBOX_MAX_ATTEMPTS", "3"), ("TWILIO_TIMEOUT_MS", "400")]).await;
    // Two failures then success: the hold is retried and happens.
    on.stack.sim.fail_next(FaultRule::new("POST", "/Participants/", 2, Fault::Status(500)));
    on.step(&[("action", "consult"), ("to", "agent2")]).await;
    let agent2 = on.stack.rings("agent2").await;
    on.until("the customer on hold after two failures", |s| on.held(s)).await;
    on.stack.sim.answer(&agent2).unwrap();
    on.until("agent2 to join", |s| on.others(s) == ["agent1", "agent2"]).await;
    // Twilio times out on every unhold, for good: the owner is told and can retry.
    on.stack.sim.fail_next(FaultRule::new("POST", "/Participants/", 100, Fault::Delay(Duration::from_secs(2))));
    on.step(&[("action", "three-way")]).await;
    let notice = eventually("agent1 to be told", || async { on.call().await.and_then(|c| c.notice).filter(|n| n.retry) }).await;
    assert!(notice.text.starts_with("Twilio would not change the call"), "{}", notice.text);
    assert!(on.held(&on.stack.sim.snapshot()), "the change did not happen");
    // Twilio is back; agent1 retries: the customer comes off hold.
    on.stack.sim.clear_faults();
    on.step(&[("action", "retry")]).await;
    on.until("the customer off hold, all three talking", |s| !on.held(s) && on.hears(s) == "conference with agent1, agent2").await;
    assert_eq!(on.call().await.unwrap().notice, None);
}

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(false).await;
                }
            )*
        }
        mod postgresql {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(true).await;
                }
            )*
        }
    };
}

on_both!(
    consult_then_complete,
    consult_then_cancel,
    consult_declined,
    three_way_then_leave,
    consult_swap,
    blind_to_an_agent,
    blind_to_the_queue,
    consult_a_number_then_complete,
    blind_to_a_number,
    blind_to_a_busy_number,
    customer_hangs_up_mid_consult,
    customer_hangs_up_while_agents_consult,
    twilio_failing_during_hold_and_unhold,
    hold_and_resume,
);
