//! The one writer: takes the commands waiting, decides them with the pure core and writes the
//! new state, the timeline rows and the effects in ONE transaction, then tells the consoles.
//!
//! The `center` row's version guards it: every transaction bumps it first, and an instance that
//! finds a version it did not write reads the state again inside that same transaction before
//! deciding. So two instances never offer one agent two calls, nor one call to two agents. On
//! PostgreSQL a NOTIFY tells the other instances what changed (`announce`, `replica`).
//!
//! Commands arriving together are decided in one transaction (group commit): one transaction
//! per command would queue every caller behind SQLite's single writer.

use crate::center::{AgentEvent, CallEvent};
use std::collections::BTreeSet;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::announce::{Announcement, CHANNEL};
use super::center::{Cached, Center, CenterError, Change, Job, Reread};
use super::checkpoint::Checkpoints;
use crate::center::{Account, Command, Decision, Event, Refusal};
use crate::clock::now_ms;
use crate::ids::AgentId;
use crate::store::state::{self, Rows};
use crate::store::Tx;
use crate::store::{Backend, StoreError};

/// Commands decided in one transaction at most.
pub(super) const MAX_BATCH: usize = 128;

pub(super) async fn write_loop(center: Center, mut queue: mpsc::Receiver<Job>) {
    let store = center.inner.store.clone();
    let mut checkpoints = Checkpoints::new(store.backend());
    loop {
        let next = match checkpoints.quiet() {
            Some(quiet) => match tokio::time::timeout(quiet, queue.recv()).await {
                Ok(next) => next,
                Err(_) => {
                    checkpoints.run(&store).await;
                    continue;
                }
            },
            None => queue.recv().await,
        };
        let Some(first) = next else { break };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        // The database is away: nothing is asked of it (each decision would wait out the pool's
        // timeout, and the jobs behind it longer still) until a probe finds it back.
        if center.inner.health.outage().is_some() {
            for job in batch {
                let _ = job.reply.send(Err(CenterError::Store(StoreError::Unavailable)));
            }
            continue;
        }
        let commands: Vec<Command> = batch.iter().map(|j| j.command.clone()).collect();
        match center.commit(&commands).await {
            Ok(results) => {
                for (job, result) in batch.into_iter().zip(results) {
                    let _ = job.reply.send(result.map_err(CenterError::from));
                }
            }
            // The database itself is away (or too slow): every job fails now, none is tried
            // again alone, and the outage is known until a probe finds the database back.
            Err(e) if e.is_unavailable() => {
                tracing::error!(error = %e, "the database does not answer: decisions fail until it does");
                center.inner.health.away();
                for job in batch {
                    let _ = job.reply.send(Err(CenterError::Store(StoreError::Unavailable)));
                }
            }
            // One bad command must not fail its neighbours: each again alone, so each gets its
            // own outcome.
            Err(_) if batch.len() > 1 => {
                for job in batch {
                    let result = match center.commit(std::slice::from_ref(&job.command)).await.map(|mut r| r.pop()) {
                        Ok(Some(result)) => result.map_err(CenterError::from),
                        Ok(None) => Err(CenterError::Store(StoreError::WriterGone)),
                        Err(e) => Err(e.into()),
                    };
                    let _ = job.reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "a decision could not be stored");
                for job in batch {
                    let _ = job.reply.send(Err(CenterError::Store(StoreError::WriterGone)));
                }
            }
        }
        checkpoints.written();
    }
}

impl Center {
    async fn commit(&self, commands: &[Command]) -> Result<Vec<Result<Decision, Refusal>>, StoreError> {
        let result = self.try_commit(commands).await;
        if result.is_err() {
            // The copy may hold decisions that were rolled back: reload before the next one.
            self.inner.cache.write().version = -1;
        }
        result
    }

    async fn try_commit(&self, commands: &[Command]) -> Result<Vec<Result<Decision, Refusal>>, StoreError> {
        let inner = &self.inner;
        let _deciding = inner.deciding.lock().await;
        let started = std::time::Instant::now();
        let now = now_ms();
        let mut tx = inner.store.begin().await?;
        let version = state::bump_version(&mut tx).await?;
        if self.version() != version - 1 {
            let (_, mut state) = state::read_state(&mut tx).await?;
            let mut cache = inner.cache.write();
            state.keep_what_is_this_instances(&cache.state);
            // What was just read is the state as of the version before ours.
            *cache = Cached { state, version: version - 1 };
        }
        let (accounts, commands) = self.facts(&mut tx, commands).await?;

        let (results, rows, events) = {
            let mut cache = inner.cache.write();
            let mut events = Vec::new();
            let mut effects = Vec::new();
            let mut decided = |result: &Result<Decision, Refusal>| {
                if let Ok(d) = result {
                    events.extend(d.events.iter().cloned());
                    effects.extend(d.effects.iter().cloned());
                }
            };
            if !accounts.is_empty() {
                decided(&cache.state.handle_in(Command::Roster { accounts, complete: false }, now, &inner.rules, &inner.hours));
            }
            let mut results = Vec::with_capacity(commands.len());
            for command in commands {
                let result = cache.state.handle_in(command, now, &inner.rules, &inner.hours);
                decided(&result);
                results.push(result);
            }
            let rows = Rows::of(&cache.state, &events, effects);
            (results, rows, events)
        };

        if events.is_empty() && rows.effects.is_empty() {
            // Nothing was decided (a repeated webhook, a refusal): nothing to write, and the
            // version stays, so other instances have nothing to read.
            tx.rollback().await?;
            return Ok(results);
        }
        let renewals = lease_renewals(&events).filter(|_| rows.only_agents());
        match &renewals {
            Some((until, agents)) => state::write_renewals(&mut tx, *until, agents).await?,
            None => state::write_rows(&mut tx, &rows, now).await?,
        }
        if self.backend() == Backend::Postgres {
            // Delivered to the other instances when (and only if) this commits, with what
            // changed, so that they need not read the whole state again.
            state::notify(&mut tx, CHANNEL, &Announcement::of(version, renewals.as_ref(), &rows)).await?;
        }
        tx.commit().await?;
        count(&inner.metrics, results.len(), &events, started.elapsed());
        inner.cache.write().version = version;
        self.announce(Change { version, events: Arc::new(events), reread: Reread::Nothing }, !rows.effects.is_empty());
        Ok(results)
    }

    /// What the core needs to know from storage to decide these commands, looked up in the
    /// transaction: the accounts they name that this copy does not have yet (made by the CLI
    /// since), and whether a caller who arrives is already recorded (a webhook repeated, perhaps
    /// after the call is over).
    async fn facts(&self, tx: &mut Tx<'_>, commands: &[Command]) -> Result<(Vec<Account>, Vec<Command>), StoreError> {
        let mut accounts: Vec<Account> = Vec::new();
        let mut out = Vec::with_capacity(commands.len());
        for command in commands {
            for agent in command.agents() {
                if !self.read(|s| s.agents.contains_key(agent)) && !accounts.iter().any(|a| &a.id == agent) {
                    accounts.extend(state::read_account(tx, agent).await?);
                }
            }
            let mut command = command.clone();
            if let Command::CallArrived { call, recorded, .. } = &mut command {
                if !self.read(|s| s.calls.contains_key(call)) {
                    *recorded = state::call_recorded(tx, call).await?;
                }
            }
            if let Command::VoicemailLeft { call, recorded, .. } = &mut command {
                if !self.read(|s| s.calls.contains_key(call)) {
                    *recorded = state::voicemail_recorded(tx, call).await?;
                }
            }
            out.push(command);
        }
        Ok((accounts, out))
    }
}

/// What a committed batch adds to the metrics.
fn count(m: &crate::metrics::Metrics, decided: usize, events: &[Event], took: std::time::Duration) {
    m.decisions.inc_by(decided as u64);
    m.commit_seconds.observe(took.as_secs_f64());
    for event in events {
        match event {
            Event::Call(CallEvent::Offered { .. }) => m.offers.inc(),
            Event::Call(CallEvent::Answered { .. }) => m.answers.inc(),
            Event::Call(CallEvent::OfferMissed { .. }) => m.misses.inc(),
            // The core's abandon, the one the floor's figures count.
            Event::Call(CallEvent::Ended { abandoned: true, .. }) => m.abandons.inc(),
            _ => 0,
        };
    }
}

/// The decided events when they only renew console leases (a heartbeat), all to one time (one
/// decision has one `now`): the renewed agents, each once, and that time.
pub(super) fn lease_renewals(events: &[Event]) -> Option<(i64, Vec<AgentId>)> {
    let mut until = None;
    let mut agents = BTreeSet::new();
    for event in events {
        let Event::Agent(AgentEvent::Seen { agent, until: u }) = event else { return None };
        if *until.get_or_insert(*u) != *u {
            return None;
        }
        agents.insert(agent.clone());
    }
    Some((until?, agents.into_iter().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewals_are_a_heartbeat_s_leases_to_one_time_and_nothing_else() {
        let agent = |n: usize| AgentId::parse(&format!("agent{n}")).unwrap();
        assert_eq!(
            lease_renewals(&[
                Event::Agent(AgentEvent::Seen { agent: agent(1), until: 5 }),
                Event::Agent(AgentEvent::Seen { agent: agent(1), until: 5 })
            ]),
            Some((5, vec![agent(1)]))
        );
        assert_eq!(lease_renewals(&[]), None);
        assert_eq!(
            lease_renewals(&[
                Event::Agent(AgentEvent::Seen { agent: agent(1), until: 5 }),
                Event::Agent(AgentEvent::Seen { agent: agent(2), until: 6 })
            ]),
            None
        );
    }
}
