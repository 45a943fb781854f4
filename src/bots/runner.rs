//! A run of bots: the agents first, then the callers at their planned times, then the queue
//! emptied and the agents signed out.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::agent::AgentBot;
use super::board::Board;
use super::http::Browser;
use super::plan::{AgentDraws, AgentMix, Arrivals, CallerMix};
use super::report::{AgentReport, Summary, Tally};
use super::series::unix_ms;

/// A run of bots.
#[derive(Debug, Clone)]
pub struct BotsConfig {
    /// The app's base URL (the console's endpoints), and the simulator's (its phone endpoints;
    /// the app's own in simulator mode).
    pub app: String,
    pub sim: String,
    /// Agents `{prefix}1` … `{prefix}{agents}`, all with `password`.
    pub agents: usize,
    pub prefix: String,
    pub password: String,
    /// Stop placing calls after this many callers, or after this long (neither: never).
    pub callers: Option<u64>,
    pub duration: Option<Duration>,
    pub seed: u64,
    pub caller_mix: CallerMix,
    pub agent_mix: AgentMix,
    /// Once the last caller is done, how long the agents may take to empty the queue
    /// (callbacks, voicemails) before they stop.
    pub drain: Duration,
}

impl BotsConfig {
    pub fn new(app: &str, agents: usize, password: &str, seed: u64) -> Self {
        BotsConfig {
            app: app.trim_end_matches('/').to_string(),
            sim: app.trim_end_matches('/').to_string(),
            agents,
            prefix: "bot".into(),
            password: password.to_string(),
            callers: None,
            duration: None,
            seed,
            caller_mix: CallerMix::default(),
            agent_mix: AgentMix::default(),
            drain: Duration::from_secs(120),
        }
    }

    pub fn agent_ids(&self) -> Vec<String> {
        (1..=self.agents).map(|n| format!("{}{n}", self.prefix)).collect()
    }
}

/// Runs the bots: the agents sign in and become available, callers come as planned until the
/// number or the time is reached, every call is seen to its end, the agents empty the queue and
/// sign out. Without a number or a time it never returns (demo mode), logging a summary every
/// minute.
pub async fn run(config: BotsConfig) -> Summary {
    let started = Instant::now();
    let http = reqwest::Client::builder().tcp_nodelay(true).build().unwrap_or_default();
    let board = Arc::new(Board::default());
    board.series.lock().started_ms = unix_ms();
    let (stop_tx, stop_rx) = watch::channel(false);
    // The queue and the agents once a second, for the load run's plots.
    let sampler = {
        let board = board.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                let sample = board.sample();
                board.series.lock().sample(sample);
            }
        })
    };
    let ids = config.agent_ids();
    let agents: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let browser = Browser::new(http.clone(), &config.app, id, &config.password);
            let draws = AgentDraws::new(config.seed, i as u64 + 1, config.agent_mix.clone());
            let colleagues = ids.iter().filter(|c| *c != id).cloned().collect();
            tokio::spawn(AgentBot::new(browser, &config.sim, draws, colleagues, board.clone(), stop_rx.clone()).run())
        })
        .collect();
    // Callers come once the agents are signed in and available (or have failed to).
    let ready_by = Instant::now() + Duration::from_secs(30);
    while board.ready() < ids.len() && Instant::now() < ready_by {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let tally = place_callers(&config, &http, &board).await;
    if config.callers.is_none() && config.duration.is_none() {
        // Demo mode with no callers (a rate of 0): the agents stay at their consoles.
        std::future::pending::<()>().await;
    }
    // Callbacks and voicemails may still wait in the queue: the agents take them first.
    let drain_by = Instant::now() + config.drain;
    let mut drained = false;
    while Instant::now() < drain_by {
        // Twice in a row, a second apart: a call between two offers is not "drained".
        if board.drained() {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if board.drained() {
                drained = true;
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let unresumed = board.cut();
    sampler.abort();
    let _ = stop_tx.send(true);
    let mut reports = Vec::new();
    for (id, handle) in ids.iter().zip(agents) {
        // An agent stops once idle: a call it is on runs to its end first.
        let abort = handle.abort_handle();
        match tokio::time::timeout(Duration::from_secs(120), handle).await {
            Ok(Ok(report)) => reports.push(report),
            _ => {
                abort.abort();
                let mut report = AgentReport { id: id.clone(), ..Default::default() };
                report.error("did not stop within 120 s".into());
                reports.push(report);
            }
        }
    }
    let mut series = std::mem::take(&mut *board.series.lock());
    series.ended_ms = unix_ms();
    series.unresumed = unresumed;
    Summary { series: Some(series), ..Summary::new(&tally, reports, drained, started.elapsed()) }
}

/// Places the callers at their planned times and waits for each to be done.
async fn place_callers(config: &BotsConfig, http: &reqwest::Client, board: &Arc<Board>) -> Tally {
    let start = Instant::now();
    let mut tally = Tally::default();
    let mut callers = JoinSet::new();
    let mut next_log = start + Duration::from_secs(60);
    let arrivals = Arrivals::new(config.seed, config.caller_mix.clone()).take(config.callers.map_or(usize::MAX, |n| n as usize));
    for arrival in arrivals {
        if config.duration.is_some_and(|d| arrival.at > d) {
            break;
        }
        let at = start + arrival.at;
        // Collect the callers done meanwhile (a demo runs for hours).
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(at) => break,
                Some(done) = callers.join_next() => {
                    if let Ok(report) = done {
                        tally.add(report);
                    }
                }
            }
        }
        if Instant::now() >= next_log {
            next_log += Duration::from_secs(60);
            let s = Summary::new(&tally, Vec::new(), false, start.elapsed());
            tracing::info!(outcomes = ?s.outcomes, waits = ?s.waits, live = callers.len(), "bots: callers so far");
        }
        callers.spawn(super::caller::call(http.clone(), config.sim.clone(), arrival, board.clone()));
    }
    while let Some(done) = callers.join_next().await {
        if let Ok(report) = done {
            tally.add(report);
        }
    }
    tally
}

/// What a storm of decisions came to.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Storm {
    pub agents: usize,
    /// Presence changes the app accepted: each one decision on the one `center` row.
    pub decisions: u64,
    /// Refused or failed requests.
    pub failures: u64,
    pub seconds: f64,
    pub per_second: f64,
}

/// Decisions as fast as the agents can ask: each agent toggles its presence (away, available)
/// for `length`, every change its own decision, on whichever instance the balancer picks. How
/// many the shared database carries a second is the ceiling of the center's one version row.
pub async fn storm(config: &BotsConfig, length: Duration) -> Storm {
    let http = reqwest::Client::builder().tcp_nodelay(true).build().unwrap_or_default();
    let mut set = JoinSet::new();
    let until = Instant::now() + length;
    let started = Instant::now();
    for id in config.agent_ids() {
        let browser = Browser::new(http.clone(), &config.app, &id, &config.password);
        set.spawn(async move {
            let (mut ok, mut failed) = (0u64, 0u64);
            if browser.sign_in().await.is_err() {
                return (0, 1);
            }
            for status in ["away", "available"].into_iter().cycle() {
                if Instant::now() >= until {
                    break;
                }
                match browser.call("presence", &[("status", status)]).await {
                    Ok(_) => ok += 1,
                    Err(_) => failed += 1,
                }
            }
            (ok, failed)
        });
    }
    let (mut decisions, mut failures) = (0, 0);
    while let Some(Ok((ok, failed))) = set.join_next().await {
        decisions += ok;
        failures += failed;
    }
    let seconds = started.elapsed().as_secs_f64();
    Storm { agents: config.agents, decisions, failures, seconds, per_second: decisions as f64 / seconds.max(0.001) }
}
