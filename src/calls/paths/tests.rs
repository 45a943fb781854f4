//! Every path's URL, as written for Twilio, is routed back to the value it was written from;
//! and the URLs are byte for byte what Twilio has always been given.

use super::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use axum_extra::routing::RouterExt;
use tower::ServiceExt;

fn ca(n: u128) -> CallSid {
    CallSid::parse(&format!("CA{n:032x}")).unwrap()
}

fn party(s: &str) -> Party {
    Party::parse(s).unwrap()
}

/// `value`'s URL, posted to a router that mounts only `P`: the handler gets `value` back.
async fn round_trip<P>(value: P)
where
    P: TypedPath + FromRequestParts<(), Rejection = ApiError> + PartialEq + fmt::Debug + Clone + Send + Sync + 'static,
{
    let url = value.to_string();
    let expected = value.clone();
    let router = Router::new().typed_post(move |got: Result<P, ApiError>| async move {
        match got {
            Ok(got) if got == expected => StatusCode::NO_CONTENT.into_response(),
            other => (StatusCode::IM_A_TEAPOT, format!("{other:?}")).into_response(),
        }
    });
    let res = router.oneshot(Request::post(&url).body(Body::empty()).unwrap()).await.unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), 4096).await.unwrap();
    assert_eq!(status, StatusCode::NO_CONTENT, "{url} came back as {}", String::from_utf8_lossy(&body));
}

#[tokio::test]
async fn every_path_routes_back_to_the_value_its_url_was_written_from() {
    // A phone party keeps its `+` (a URL path allows it as it is); identities may hold `.`,
    // `_` and `-`.
    let parties = ["+14155550100", "agent1", "jane.doe", "team-lead_2"];
    for p in parties {
        round_trip(AgentJoin { call: ca(1), party: party(p), leg: 1 }).await;
        round_trip(AgentLegStatus { call: ca(2), party: party(p), leg: 4_000_000_000 }).await;
    }
    for s in ["supervisor1", "sup.er-vi_sor"] {
        round_trip(MonitorLegStatus { call: ca(3), supervisor: AgentId::parse(s).unwrap(), leg: 2 }).await;
    }
    for step in [CallbackStep::Offer, CallbackStep::Choice, CallbackStep::Number, CallbackStep::Back] {
        round_trip(CallbackMenu { call: ca(u128::MAX), step }).await;
    }
    for attempt in [1, 2, u32::MAX] {
        round_trip(Menu { call: ca(5), attempt }).await;
    }
    round_trip(VoicemailRecorded { call: ca(6) }).await;
    round_trip(VoicemailRecording { call: ca(6) }).await;
    round_trip(VoicemailTranscription { call: ca(6) }).await;
    round_trip(Wait { after_transfer: true }).await;
    round_trip(Wait { after_transfer: false }).await;
}

#[test]
fn the_urls_are_the_ones_twilio_has_always_been_given() {
    let c = ca(1);
    let phone = party("+14155550100");
    assert_eq!(
        AgentJoin { call: c.clone(), party: phone.clone(), leg: 4 }.to_string(),
        format!("/conference/{c}/connect/+14155550100?leg=4")
    );
    assert_eq!(AgentLegStatus { call: c.clone(), party: phone, leg: 4 }.to_string(), format!("/twilio/legs/{c}/+14155550100/4"));
    // An identity is written as it is, letters outside ASCII included (never percent-encoded).
    let agent = party("agentü.1");
    assert_eq!(AgentJoin { call: c.clone(), party: agent, leg: 1 }.to_string(), format!("/conference/{c}/connect/agentü.1?leg=1"));
    let sup = AgentId::parse("supervisor1").unwrap();
    assert_eq!(MonitorLegStatus { call: c.clone(), supervisor: sup, leg: 5 }.to_string(), format!("/twilio/monitor/{c}/supervisor1/5"));
    assert_eq!(CallbackMenu { call: c.clone(), step: CallbackStep::Offer }.to_string(), format!("/twilio/callback/{c}/offer"));
    assert_eq!(Menu { call: c.clone(), attempt: 2 }.to_string(), format!("/twilio/menu/{c}?attempt=2"));
    assert_eq!(VoicemailRecorded { call: c.clone() }.to_string(), format!("/twilio/voicemail/{c}"));
    assert_eq!(VoicemailRecording { call: c.clone() }.to_string(), format!("/twilio/voicemail/{c}/recording"));
    assert_eq!(VoicemailTranscription { call: c.clone() }.to_string(), format!("/twilio/voicemail/{c}/transcription"));
    assert_eq!(Wait { after_transfer: true }.to_string(), "/conference/wait?intro=transfer");
    assert_eq!(Wait { after_transfer: false }.to_string(), "/conference/wait");
    assert_eq!((Voice.to_string(), Status.to_string()), ("/conference/connect/client".into(), "/twilio/status".into()));
}

/// A malformed part is a `BadInput` naming it, as before the paths were typed.
#[tokio::test]
async fn a_malformed_part_is_refused_with_its_reason() {
    async fn reason<P>(url: &str) -> String
    where
        P: TypedPath + FromRequestParts<(), Rejection = ApiError> + Send + 'static,
    {
        let router = Router::new().typed_post(|got: Result<P, ApiError>| async move {
            match got {
                Ok(_) => String::new(),
                Err(e) => e.to_string(),
            }
        });
        let res = router.oneshot(Request::post(url).body(Body::empty()).unwrap()).await.unwrap();
        String::from_utf8(axum::body::to_bytes(res.into_body(), 4096).await.unwrap().to_vec()).unwrap()
    }
    let c = ca(1);
    assert!(reason::<AgentJoin>(&format!("/conference/{c}/connect/agent1?leg=0")).await.contains("leg"));
    assert!(reason::<AgentJoin>(&format!("/conference/{c}/connect/agent1")).await.contains("leg"));
    assert!(reason::<AgentJoin>(&format!("/conference/{c}/connect/bad%21?leg=1")).await.starts_with("party: "));
    assert!(reason::<AgentJoin>("/conference/%80/connect/agent1?leg=1").await.contains("`conference_id`"));
    assert!(reason::<AgentLegStatus>("/twilio/legs/not-a-sid/agent1/1").await.contains("CallSid"));
    assert!(reason::<AgentLegStatus>(&format!("/twilio/legs/{c}/+1/1")).await.starts_with("party: "));
    assert!(reason::<MonitorLegStatus>(&format!("/twilio/monitor/{c}/+1/1")).await.starts_with("supervisor: "));
    assert!(reason::<MonitorLegStatus>(&format!("/twilio/monitor/{c}/s/z")).await.contains("leg"));
    assert_eq!(
        reason::<CallbackMenu>(&format!("/twilio/callback/{c}/confirm")).await,
        "unknown callback step 'confirm' (offer, choice, number, back)"
    );
    assert!(!reason::<VoicemailRecorded>("/twilio/voicemail/%FF").await.is_empty());
    // A garbled attempt counts as the first.
    assert_eq!(reason::<Menu>(&format!("/twilio/menu/{c}?attempt=x")).await, "");
}
