//! SQLite's write-ahead log: the writer copies it into the database off the decisions' path
//! (`runtime::checkpoint`; SQLite's own checkpoint, inside a commit, is off), and the log
//! starts again from its beginning rather than growing with every decision.
use crate::common::*;
use std::time::Duration;

#[tokio::test]
async fn the_log_is_copied_in_a_quiet_moment_and_starts_again() {
    let app = TestApp::spawn().await;
    // Sixty callers queued: a decision each, a few pages of log each (fewer in all than the
    // 1000 pages at which SQLite would checkpoint by itself).
    for n in 0..60 {
        app.customer_calls(&call_sid(n), "+14155550100").await;
    }
    // A quiet moment: the writer copies the log; the next decision starts it again.
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.customer_calls(&call_sid(60), "+14155550100").await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let (log, copied) = app.store().await.checkpoint().await.unwrap();
    assert!(log < 40, "the log holds {log} pages after a quiet moment: it never started again");
    assert_eq!(copied, log, "everything in the log is in the database");
}
