//! Calls stored by earlier builds, brought to this build's form once, at start-up, before the
//! center reads them: a call that was live across an upgrade carries on. The core reads one
//! form only (`center::Call`); the earlier ones are known here: the form before a call was by
//! kind (an optional voicemail and callback beside each other), and the one before participants
//! (a phase, a transfer naming its target, `on_hold` and `muted` beside them).
//!
//! Instances of one center run one build: stop the earlier ones before starting this one.

use serde::Deserialize;
use sqlx::{AnyPool, Row};

use crate::center::{
    Call, CallKind, CallNotice, Callback, LegNo, Millis, Music, Participant, Party, Role, Side, Stage, Transfer, Voicemail,
};
use crate::ids::{AgentId, CallSid, ConferenceSid, PhoneNumber, QueueName, E164};

/// Rewrites every live call not in this build's form; how many were.
pub(super) async fn upgrade_live_calls(pool: &AnyPool) -> Result<usize, sqlx::Error> {
    // This build's form always names the call's kind; a call's texts cannot hold the key
    // unescaped (a quote in a note is written \").
    let rows =
        sqlx::query("SELECT call_sid, state FROM customer_calls WHERE live = 1 AND state NOT LIKE '%\"kind\":%'").fetch_all(pool).await?;
    let mut upgraded = 0;
    for row in rows {
        let (sid, state): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        let call = match call_stored_before(&state) {
            Ok(call) => call,
            Err(e) => {
                tracing::error!(call_sid = %sid, error = %e, "a live call stored by an earlier build cannot be read: left as it is");
                continue;
            }
        };
        let Ok(json) = serde_json::to_string(&call) else { continue };
        sqlx::query("UPDATE customer_calls SET state = $1 WHERE call_sid = $2 AND state = $3")
            .bind(json)
            .bind(&sid)
            .bind(&state)
            .execute(pool)
            .await?;
        upgraded += 1;
    }
    if upgraded > 0 {
        tracing::info!(calls = upgraded, "live calls stored by an earlier build brought to this build's form");
    }
    Ok(upgraded)
}

#[derive(Deserialize)]
struct Stored {
    sid: CallSid,
    #[serde(default, deserialize_with = "caller")]
    from: Option<PhoneNumber>,
    queued_at: Millis,
    #[serde(default)]
    queue_key: Option<Millis>,
    #[serde(default)]
    parties: Option<Vec<Participant>>,
    #[serde(default)]
    transfer: Option<StoredTransfer>,
    #[serde(default)]
    transferred_by: Option<AgentId>,
    legs: LegNo,
    #[serde(default)]
    started: bool,
    #[serde(default)]
    conference: Option<String>,
    #[serde(default)]
    left_conferences: Vec<String>,
    #[serde(default)]
    notice: Option<CallNotice>,
    #[serde(default)]
    help: Option<Millis>,
    #[serde(default)]
    voicemail: Option<Voicemail>,
    #[serde(default)]
    callback: Option<Callback>,
    #[serde(default)]
    menu_until: Option<Millis>,
    #[serde(default)]
    callback_offered: bool,
    #[serde(default)]
    queue: Option<QueueName>,
    #[serde(default)]
    priority: i32,
    // The previous version's fields.
    #[serde(default)]
    phase: Option<StoredPhase>,
    #[serde(default)]
    on_hold: bool,
    #[serde(default)]
    muted: Vec<AgentId>,
}

#[derive(Deserialize)]
struct StoredTransfer {
    #[serde(default)]
    to: Option<Party>,
    #[serde(default)]
    leg: Option<LegNo>,
    note: String,
    stage: StoredStage,
    since: Millis,
}

/// The stage as either version wrote it: a word, or `{"stage": "talking", "with": …}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredStage {
    Word(Stage),
    Tagged {
        stage: String,
        #[serde(default)]
        with: Option<Side>,
    },
}

#[derive(Deserialize)]
#[serde(tag = "phase", rename_all = "kebab-case")]
enum StoredPhase {
    Queued,
    Offered {
        agent: AgentId,
        leg: LegNo,
        since: Millis,
        #[serde(default)]
        by: Option<AgentId>,
    },
    Connected {
        owner: AgentId,
        leg: LegNo,
        since: Millis,
    },
    Outside {
        number: E164,
        leg: LegNo,
        since: Millis,
        answered: bool,
        by: AgentId,
    },
}

/// The previous version wrote an unknown caller as `""`.
fn caller<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<PhoneNumber>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    Ok(s.filter(|s| !s.is_empty()).and_then(|s| PhoneNumber::parse(&s).ok()))
}

/// A call as an earlier build stored it, as this one stores it.
pub fn call_stored_before(json: &str) -> Result<Call, serde_json::Error> {
    let s: Stored = serde_json::from_str(json)?;
    let stage = |t: &StoredTransfer| match &t.stage {
        StoredStage::Word(stage) => *stage,
        StoredStage::Tagged { stage, with } => match stage.as_str() {
            "ringing" => Stage::Ringing,
            "three-way" => Stage::ThreeWay,
            _ => Stage::Talking { with: with.unwrap_or(Side::Target) },
        },
    };
    let mut call = Call {
        transfer: s.transfer.as_ref().map(|t| Transfer { note: t.note.clone(), stage: stage(t), since: t.since }),
        transferred_by: s.transferred_by.clone(),
        sid: s.sid.clone(),
        from: s.from,
        queued_at: s.queued_at,
        queue_key: s.queue_key,
        parties: Vec::new(),
        legs: s.legs,
        started: s.started,
        conference: s.conference.and_then(|c| ConferenceSid::parse(&c).ok()),
        left_conferences: s.left_conferences.iter().filter_map(|c| ConferenceSid::parse(c).ok()).collect(),
        notice: s.notice,
        help: s.help,
        kind: match (s.voicemail, s.callback) {
            (Some(v), _) => CallKind::Voicemail(v),
            (None, Some(cb)) => CallKind::Callback(cb),
            (None, None) => CallKind::Live,
        },
        menu_until: s.menu_until,
        callback_offered: s.callback_offered,
        queue: s.queue,
        priority: s.priority,
    };
    call.parties = match (s.parties, s.phase) {
        (Some(parties), _) => parties,
        (None, phase) => {
            // The previous version: who is on the call from its phase and transfer, who is
            // held as its rules said then.
            let mut parties = vec![Participant::customer(&s.sid, s.queued_at)];
            let owner = match phase.unwrap_or(StoredPhase::Queued) {
                StoredPhase::Queued => None,
                StoredPhase::Offered { agent, leg, since, by } => {
                    call.transferred_by = by;
                    Some(Participant::ringing(Party::Agent(agent), Role::Owner, leg, since))
                }
                StoredPhase::Connected { owner, leg, since } => {
                    Some(Participant { joined: true, ..Participant::ringing(Party::Agent(owner), Role::Owner, leg, since) })
                }
                StoredPhase::Outside { number, leg, since, answered, by } => {
                    call.transferred_by = Some(by);
                    Some(Participant { joined: answered, ..Participant::ringing(Party::Phone(number), Role::Owner, leg, since) })
                }
            };
            let connected = owner.as_ref().is_some_and(|o| o.joined && o.agent().is_some());
            parties.extend(owner);
            if let Some((to, leg, t)) = s.transfer.as_ref().and_then(|t| Some((t.to.clone()?, t.leg?, t))) {
                let joined = stage(t) != Stage::Ringing;
                parties.push(Participant { joined, ..Participant::ringing(to, Role::Target, leg, t.since) });
            }
            for p in parties.iter_mut() {
                p.muted = p.agent().is_some_and(|a| s.muted.contains(a));
            }
            let customer_held = match (&call.transfer, connected) {
                (_, false) if owner_is_none(&parties) => call.waiting(Music::Queue),
                (_, false) => match parties.iter().find(|p| p.role == Role::Owner) {
                    Some(o) if o.joined => None,
                    _ => call.waiting(Music::Transfer),
                },
                (None, true) => s.on_hold.then_some(Music::Hold),
                (Some(t), true) => match t.stage {
                    Stage::Ringing | Stage::Talking { with: Side::Target } => Some(Music::Hold),
                    _ => None,
                },
            };
            parties[0].held = customer_held;
            if let (Some(t), Some(target)) = (&call.transfer, parties.iter_mut().find(|p| p.role == Role::Target)) {
                target.held = (t.stage == Stage::Talking { with: Side::Customer }).then_some(Music::Hold);
            }
            parties
        }
    };
    Ok(call)
}

fn owner_is_none(parties: &[Participant]) -> bool {
    !parties.iter().any(|p| p.role == Role::Owner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::center::{CallPhase, Who};

    fn agent(name: &str) -> AgentId {
        AgentId::parse(name).unwrap()
    }

    #[test]
    fn a_call_stored_by_the_previous_version_carries_on_with_its_parties_and_holds() {
        let sid = CallSid::parse(&format!("CA{:032x}", 1)).unwrap();
        // agent1 consulting agent2, swapped (agent2 held), agent2 muted: as the previous version wrote it.
        let old = format!(
            r#"{{"sid":"{sid}","from":"+15550000001","queued_at":1000,"phase":{{"phase":"connected","owner":"agent1","leg":1,"since":2000}},
                "transfer":{{"to":"agent2","leg":2,"note":"n","stage":{{"stage":"talking","with":"customer"}},"since":3000}},
                "legs":2,"started":true,"conference":"CF{cf:032x}","on_hold":false,"muted":["agent2"]}}"#,
            cf = 5
        );
        let c = call_stored_before(&old).unwrap();
        assert_eq!(c.phase(), CallPhase::Connected { owner: agent("agent1"), leg: 1, since: 2000 });
        assert_eq!(c.transfer.as_ref().map(|t| t.stage), Some(Stage::Talking { with: Side::Customer }));
        assert_eq!(c.target(), Some(&Party::Agent(agent("agent2"))));
        assert_eq!(c.holds(), vec![(Who::Party(Party::Agent(agent("agent2"))), Music::Hold)]);
        assert!(c.muted(&agent("agent2")));
        assert_eq!(c.from.as_ref().map(|f| f.as_str()), Some("+15550000001"));
        assert!(c.conference.is_some());
        // A call waiting again after a failed transfer, held with its place in the queue; and one
        // offered with an unknown caller.
        let queued =
            format!(r#"{{"sid":"{sid}","from":"","queued_at":1,"queue_key":0,"phase":{{"phase":"queued"}},"legs":3,"started":true}}"#);
        let c = call_stored_before(&queued).unwrap();
        assert_eq!((c.phase(), c.from.clone(), c.holds()), (CallPhase::Queued, None, vec![(Who::Customer, Music::Queue)]));
        let offered = format!(
            r#"{{"sid":"{sid}","from":"","queued_at":1,"phase":{{"phase":"offered","agent":"agent3","leg":1,"since":5}},"legs":1}}"#
        );
        let c = call_stored_before(&offered).unwrap();
        assert_eq!(c.phase(), CallPhase::Offered { agent: agent("agent3"), leg: 1, since: 5, by: None });
        assert_eq!(c.holds(), vec![], "the conference never started: it plays its own wait music");
    }

    #[test]
    fn a_voicemail_and_a_callback_stored_beside_each_other_become_the_calls_kind() {
        let sid = CallSid::parse(&format!("CA{:032x}", 2)).unwrap();
        // The previous form: this build's, without the kind, with the optional fields.
        let before = |field: Option<(&str, serde_json::Value)>| {
            let mut json = serde_json::to_value(Call::new(sid.clone(), None, 1)).unwrap();
            let o = json.as_object_mut().unwrap();
            o.remove("kind");
            if let Some((k, v)) = field {
                o.insert(k.into(), v);
            }
            json.to_string()
        };
        let voicemail = before(Some(("voicemail", serde_json::json!({"recording": format!("RE{:032x}", 7), "seconds": 42}))));
        let callback = before(Some(("callback", serde_json::json!({"number": "+15550000002", "requested_at": 5, "attempts": 1}))));
        let live = before(None);
        let c = call_stored_before(&voicemail).unwrap();
        assert_eq!(c.as_voicemail().map(|v| v.seconds), Some(42));
        assert_eq!(c.as_callback(), None);
        let c = call_stored_before(&callback).unwrap();
        assert_eq!(c.as_callback().map(|cb| (cb.number.as_str(), cb.attempts)), Some(("+15550000002", 1)));
        assert_eq!(call_stored_before(&live).unwrap().kind, CallKind::Live);
        // And this build's form names it: what the upgrade looks for.
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.contains(r#""kind":{"callback":"#), "{json}");
        assert_eq!(serde_json::from_str::<Call>(&json).unwrap(), c);
    }
}
