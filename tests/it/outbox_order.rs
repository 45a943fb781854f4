//! The outbox's claim in SQL is the core's order rule (`center::order::may_take`), on SQLite and
//! PostgreSQL: over random outboxes (dials, cancels, conference changes, supervisors' phones and
//! hang-ups over three calls and three parties, in every state: pending, under way, retried
//! later, done with a leg up or reported over, given up; old and new), the effects the database
//! would take are exactly those the core's rule takes. A change to either side alone fails here.

use rand::{Rng, SeedableRng};
use warm_transfer::center::order::{may_take, Progress, Queued, LEG_LOOKBACK_MS, LEG_OVER_WAIT_MS};
use warm_transfer::center::{Effect, MonitorMode, Move, Music, Party, Urgency, Who};
use warm_transfer::ids::{AgentId, CallSid, E164};
use warm_transfer::store::outbox::write_effects;
use warm_transfer::store::Store;

use crate::common::call_sid;

const NOW: i64 = 1_000_000_000;
const OUTBOXES: usize = 150;

fn random_effect(rng: &mut impl Rng) -> Effect {
    let call = CallSid::parse(&call_sid(rng.gen_range(1..=3))).unwrap();
    let party = match rng.gen_range(0..3) {
        0 => Party::Agent(AgentId::parse("agent1").unwrap()),
        1 => Party::Agent(AgentId::parse("agent2").unwrap()),
        _ => Party::Phone(E164::parse("+14155550100").unwrap()),
    };
    let leg = rng.gen_range(1..=2);
    let supervisor = AgentId::parse("agent2").unwrap();
    match rng.gen_range(0..8) {
        0 | 1 => Effect::Dial { call, party, leg },
        2 | 3 => Effect::CancelLeg { call, party, leg },
        4 => Effect::Arrange { call, moves: vec![Move::Hold { who: Who::Customer, music: Music::Hold }] },
        5 => Effect::AddMonitor { call, supervisor, leg },
        6 => Effect::UpdateMonitor { call, supervisor, mode: MonitorMode::Listen, coach: None },
        _ => Effect::HangUpCaller { call, sid: None },
    }
}

/// A row's state, picked at random among those the outbox meets.
fn random_row(rng: &mut impl Rng, id: i64, effect: &Effect) -> Queued {
    let progress = match rng.gen_range(0..6) {
        0..=2 => Progress::Pending,
        3 => Progress::Done { leg_up: effect.order().creates.is_some() },
        4 => Progress::Done { leg_up: false },
        _ => Progress::Closed,
    };
    let ages = [1, LEG_OVER_WAIT_MS - 1, LEG_OVER_WAIT_MS, LEG_OVER_WAIT_MS + 1, LEG_LOOKBACK_MS + 1];
    Queued {
        id,
        order: effect.order(),
        progress,
        created_at: NOW - ages[rng.gen_range(0..ages.len())],
        next_attempt_at: if rng.gen_bool(0.8) { NOW } else { NOW + 1 },
        claimed_until: [0, NOW, NOW + 1][rng.gen_range(0..3)],
        leg_over: rng.gen_bool(0.3),
    }
}

async fn the_sql_claim_is_the_cores_rule(postgres: bool) {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::common::fresh_store_url(dir.path(), "order.db", postgres).await;
    let store = Store::connect(&url).await.unwrap();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let seed: u64 = std::env::var("ORDER_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(rand::random);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut taken_somewhere = 0;
    for round in 0..OUTBOXES {
        sqlx::query("DELETE FROM effects").execute(&pool).await.unwrap();
        let effects: Vec<Effect> = (0..rng.gen_range(1..14)).map(|_| random_effect(&mut rng)).collect();
        let mut tx = store.begin().await.unwrap();
        let written: Vec<(Effect, Option<Urgency>)> = effects.iter().map(|e| (e.clone(), None)).collect();
        write_effects(&mut tx, &written, NOW).await.unwrap();
        tx.commit().await.unwrap();
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM effects ORDER BY id").fetch_all(&pool).await.unwrap();
        let mut rows = Vec::new();
        for (id, effect) in ids.iter().zip(&effects) {
            let row = random_row(&mut rng, *id, effect);
            let (status, leg_sid) = match row.progress {
                Progress::Pending => ("pending", None),
                Progress::Done { leg_up: true } => ("done", Some(call_sid(90 + *id as u32))),
                Progress::Done { leg_up: false } => ("done", None),
                Progress::Closed => (["failed", "skipped"][rng.gen_range(0..2)], None),
            };
            sqlx::query(
                "UPDATE effects SET status = $1, leg_sid = $2, created_at = $3, next_attempt_at = $4, claimed_until = $5, leg_over_at = $6
                 WHERE id = $7",
            )
            .bind(status)
            .bind(leg_sid)
            .bind(row.created_at)
            .bind(row.next_attempt_at)
            .bind(row.claimed_until)
            .bind(row.leg_over.then_some(NOW - 1))
            .bind(*id)
            .execute(&pool)
            .await
            .unwrap();
            rows.push(row);
        }
        let by_core: Vec<i64> = rows.iter().filter(|e| may_take(&rows, e, NOW)).map(|e| e.id).collect();
        let by_sql = store.takeable_at(NOW).await.unwrap();
        taken_somewhere += by_core.len();
        let described: Vec<String> = effects.iter().zip(&rows).map(|(e, r)| format!("{e:?} {r:?}")).collect();
        assert_eq!(by_sql, by_core, "outbox {round} (ORDER_SEED={seed}), postgres: {postgres}:\n{}", described.join("\n"));
    }
    assert!(taken_somewhere > OUTBOXES / 2, "the outboxes tried take something: {taken_somewhere}");
}

#[tokio::test]
async fn the_sql_claim_is_the_cores_rule_sqlite() {
    the_sql_claim_is_the_cores_rule(false).await;
}

#[tokio::test]
async fn the_sql_claim_is_the_cores_rule_postgres() {
    the_sql_claim_is_the_cores_rule(true).await;
}
