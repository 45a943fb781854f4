//! The two feeds an agent's browser reads, each by a task of its own into the agent's one
//! channel: the console's stream (`GET /api/stream`) and the phone's (`/simulator/events`), each
//! opened again whenever it ends, as a browser's `EventSource` does.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::board::Board;
use super::http::{Browser, Failure, SseEvent};
use super::series::{unix_ms, Resume};

/// What the feeds bring, in the order they brought it.
pub enum Msg {
    /// A console event and when it came (a keep-alive too).
    Console(Instant, SseEvent),
    Phone(SseEvent),
    /// The phone's feed was opened again: what it missed is looked up.
    PhoneReopened,
}

/// `GET /api/stream`, opened again whenever it ends (signed in again when the session expired),
/// resuming from the last view it saw (`Last-Event-ID`): behind a balancer, the stream of an
/// instance that died comes back from another. How long that took, and from which version to
/// which, goes on the board (a version older than the one seen would be a console going back in
/// time).
///
/// The directory (every agent's card, at every presence change of anyone) is not queued for the
/// agent but kept in `directory`, the latest only: read when the bot consults. Queued, 200
/// agents' directories held a ring behind them past its timeout.
pub fn read_console(browser: Browser, board: Arc<Board>, directory: Arc<Mutex<String>>, tx: mpsc::UnboundedSender<Msg>) -> JoinHandle<()> {
    let url = format!("{}/api/stream", browser.app);
    tokio::spawn(async move {
        let mut last_id: Option<String> = None;
        // When the stream broke (none while it never did).
        let mut cut: Option<Instant> = None;
        let mut retry = RETRY_FIRST;
        loop {
            match browser.stream(&url, true, last_id.as_deref()).await {
                Ok(mut sse) => {
                    while let Some(event) = sse.next().await {
                        if event.id.is_some() {
                            if let Some(since) = cut.take() {
                                board.console_cut(browser.identity(), false);
                                let to = event.id.as_deref().and_then(|id| id.parse().ok());
                                board.series.lock().resumed(Resume {
                                    t: unix_ms(),
                                    ms: since.elapsed().as_secs_f64() * 1000.0,
                                    agent: browser.identity().to_string(),
                                    from_version: last_id.as_deref().and_then(|id| id.parse().ok()),
                                    to_version: to,
                                });
                            }
                            last_id = event.id.clone();
                            retry = RETRY_FIRST;
                        }
                        if event.name.as_deref() == Some("directory") {
                            if let Some(data) = event.data {
                                *directory.lock() = data;
                            }
                            continue;
                        }
                        if tx.send(Msg::Console(Instant::now(), event)).is_err() {
                            return;
                        }
                    }
                }
                Err(Failure { status: Some(401), .. }) => {
                    let _ = browser.sign_in().await;
                }
                Err(_) => {}
            }
            if tx.is_closed() {
                return;
            }
            if cut.is_none() {
                cut = Some(Instant::now());
                board.console_cut(browser.identity(), true);
            }
            // Soon at first (another instance is there), then less and less often.
            tokio::time::sleep(retry).await;
            retry = (retry * 2).min(Duration::from_secs(2));
        }
    })
}

/// The first wait before a broken console stream is opened again.
const RETRY_FIRST: Duration = Duration::from_millis(100);

/// `GET /simulator/events?identity=…`: the phone's rings and ends, as the Device reads them.
pub fn read_phone(browser: Browser, sim: &str, tx: mpsc::UnboundedSender<Msg>) -> JoinHandle<()> {
    let url = format!("{sim}/simulator/events?identity={}", browser.identity());
    tokio::spawn(async move {
        let mut first = true;
        loop {
            if let Ok(mut sse) = browser.stream(&url, false, None).await {
                if !first && tx.send(Msg::PhoneReopened).is_err() {
                    return;
                }
                first = false;
                while let Some(event) = sse.next().await {
                    if tx.send(Msg::Phone(event)).is_err() {
                        return;
                    }
                }
            }
            if tx.is_closed() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
}
