//! The daily purge: finished calls older than the retention period go, with everything about
//! them (`Store::purge_finished`), and no trace of them is left in the files (`Store::scrub`). Every instance runs it; deleting what another instance already
//! deleted removes nothing, so running it twice is harmless.

use std::time::Duration;

use crate::clock::now_ms;
use crate::store::{Removed, Store};

/// How often the purge runs, and how long after start it first runs.
const EVERY: Duration = Duration::from_secs(24 * 3600);
const FIRST_AFTER: Duration = Duration::from_secs(60);

/// Runs until the process ends.
pub async fn purge_loop(store: Store, retention: Duration) {
    tokio::time::sleep(FIRST_AFTER).await;
    loop {
        let before = now_ms() - retention.as_millis() as i64;
        match store.purge_finished(before).await {
            Ok(removed) => {
                tracing::info!(%removed, retention_days = retention.as_secs() / 86_400, "retention: old calls deleted");
                // What was deleted must not stay in the database's files either (only when this
                // purge deleted something: another instance's purge the same day finds nothing).
                let scrub = async {
                    if removed == Removed::default() {
                        Ok(true)
                    } else {
                        store.scrub().await
                    }
                };
                match scrub.await {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!("retention: the write-ahead log stayed in use; it is cut back at the next purge"),
                    Err(e) => tracing::error!(error = %e, "retention: the deleted rows could not be scrubbed from the files"),
                }
            }
            Err(e) => tracing::error!(error = %e, "retention: the purge failed; it runs again tomorrow"),
        }
        tokio::time::sleep(EVERY).await;
    }
}
