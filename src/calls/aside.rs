//! No caller stranded by a database outage. While the database is away (a managed PostgreSQL
//! failing over, a full disk, a SQLite file locked), the voice webhook still answers within a
//! second: the caller waits in their conference with music, and is kept aside
//! (`runtime::Health`) with the moment they rang, as are Twilio's status callbacks. This worker
//! probes the database meanwhile and, once it answers, writes what was kept in the order it
//! came: each caller queued as of when they rang (before anyone who rang after them), each
//! callback applied in its turn (a caller who hung up while aside is never queued).
//!
//! A caller kept by an instance that died meanwhile is found again when Twilio next fetches
//! their wait document (see [`stranded`]).

use std::time::Duration;

use crate::center::{Arrival, Command};
use crate::clock::now_ms;
use crate::error::Failure;
use crate::ids::{CallSid, PhoneNumber};
use crate::runtime::{CenterError, Kept};
use crate::state::AppState;
use crate::store::StatusCallback;

/// How often the database is probed while it is away (or something waits aside).
const AWAY_PROBE: Duration = Duration::from_millis(250);
/// How often it is probed while it answers (the floor, `/metrics` and `/healthz` learn of an
/// outage within this even when no decision meets it).
const UP_PROBE: Duration = Duration::from_secs(2);
/// How long one kept thing may take to write before the database counts as away again.
const WRITE_BUDGET: Duration = Duration::from_secs(3);

/// Runs until the process ends.
pub async fn run(state: AppState) {
    let health = state.center.health().clone();
    loop {
        let busy = health.outage().is_some() || health.kept_len() > 0;
        tokio::time::sleep(if busy { AWAY_PROBE } else { UP_PROBE }).await;
        if !health.probe().await {
            health.away();
            continue;
        }
        if health.kept_len() == 0 {
            health.back();
            continue;
        }
        // Decisions are let through again, then what was kept is written, oldest first.
        health.back();
        while let Some(kept) = health.first_kept() {
            match tokio::time::timeout(WRITE_BUDGET, write(&state, kept.clone())).await {
                Ok(Written::Done) => health.written_first(),
                Ok(Written::Dropped(why)) => {
                    tracing::warn!(?kept, %why, "something kept aside while the database was away could not be applied");
                    health.written_first();
                }
                Ok(Written::Away) | Err(_) => {
                    health.away();
                    break;
                }
            }
        }
    }
}

enum Written {
    Done,
    /// It will never apply (a refusal, bad input): not tried again.
    Dropped(String),
    /// The database is away again.
    Away,
}

async fn write(state: &AppState, kept: Kept) -> Written {
    match kept {
        Kept::Arrival { call, from, queue, at } => {
            let command = Command::CallArrived {
                call: call.clone(),
                from,
                recorded: false,
                arrival: Arrival::InConference,
                queue,
                arrived_at: Some(at),
            };
            match state.center.decide(command).await {
                Ok(d) => {
                    let outcome = if d.events.is_empty() { "already queued" } else { "queued" };
                    tracing::info!(call_sid = %call, waited_ms = now_ms() - at, outcome, "a caller kept aside while the database was away");
                    Written::Done
                }
                Err(CenterError::Refused(r)) => Written::Dropped(r.to_string()),
                Err(CenterError::Store(_)) => Written::Away,
            }
        }
        Kept::Callback(cb) => match super::service::status_callback(state, cb).await {
            Ok(()) => Written::Done,
            Err(e) if e.is_unavailable() => Written::Away,
            Err(e) => Written::Dropped(e.to_string()),
        },
    }
}

/// A status callback, applied; while the database is away (known, or too slow to answer within
/// [`PROBE_TIMEOUT`](crate::runtime::PROBE_TIMEOUT)) kept aside and applied in its turn once it is
/// back, so Twilio gets its 204 either way and nothing it said is lost. A caller kept aside who
/// left their conference is not queued. Answers how it went, for the log.
pub async fn status_callback(state: &AppState, cb: StatusCallback) -> Result<&'static str, Failure> {
    if state.center.health().outage().is_none() {
        match tokio::time::timeout(crate::runtime::PROBE_TIMEOUT, super::service::status_callback(state, cb.clone())).await {
            Ok(Ok(())) => return Ok("stored"),
            Ok(Err(e)) if !e.is_unavailable() => return Err(e),
            Ok(Err(_)) | Err(_) => {}
        }
    }
    let health = state.center.health();
    if let Some(caller) = super::service::caller_who_left(&cb) {
        if health.forget_arrival(&caller) {
            tracing::info!(call_sid = %caller, "a caller kept aside hung up: they will not be queued");
        }
    }
    health.keep(Kept::Callback(cb));
    Ok("kept aside")
}

/// Twilio fetched the wait document of `call`: a caller this instance does not know (one kept
/// aside by an instance that died during an outage, or whose arrival was never written) is looked
/// for without holding up their music.
pub fn waiting(state: &AppState, call: &CallSid, from: Option<PhoneNumber>) {
    if !state.center.read(|s| s.calls.contains_key(call)) {
        let (state, call) = (state.clone(), call.clone());
        tokio::spawn(async move { stranded(&state, call, from).await });
    }
}

/// A caller nobody knows: queued now (from now: when they rang is not known here); a call
/// already over is recognised as such by the center and not queued again.
async fn stranded(state: &AppState, call: CallSid, from: Option<PhoneNumber>) {
    let health = state.center.health();
    if state.center.read(|s| s.calls.contains_key(&call)) || health.is_kept(&call) {
        return;
    }
    let command = Command::CallArrived {
        call: call.clone(),
        from: from.clone(),
        recorded: false,
        arrival: Arrival::InConference,
        queue: None,
        arrived_at: None,
    };
    let decided = if health.outage().is_some() {
        None
    } else {
        tokio::time::timeout(crate::runtime::PROBE_TIMEOUT, state.center.decide(command)).await.ok()
    };
    match decided {
        Some(Ok(d)) if !d.events.is_empty() => tracing::warn!(call_sid = %call, "a caller nobody knew waited in their conference: queued"),
        Some(Ok(_)) | Some(Err(CenterError::Refused(_))) => {}
        Some(Err(CenterError::Store(_))) | None => health.keep(Kept::Arrival { call, from, queue: None, at: now_ms() }),
    }
}
