//! Data kept in bounds: forgetting a caller leaves no trace of their number in any table (their
//! calls still live are left and said), the retention purge deletes finished calls older than
//! the period with everything about them, and a backup taken under load is a consistent copy
//! (and, once quiet, an equal one). On SQLite, and forgetting on PostgreSQL too.

use crate::common::*;
use std::time::Duration;

const FORGOTTEN: &str = "+15557770001";
const KEPT: &str = "+15557770002";

/// Every text a caller's number could be in, table by table.
const TEXT_COLUMNS: [(&str, &str); 6] = [
    ("customer_calls", "from_number || ' ' || state"),
    ("timeline", "text || ' ' || event"),
    ("status_callbacks", "params || ' ' || COALESCE(friendly_name, '')"),
    ("effects", "payload || ' ' || COALESCE(last_error, '')"),
    ("agent_log", "text || ' ' || event"),
    ("agents", "identity || ' ' || display_name"),
];

/// A plain connection to a database the app uses (the store installed the drivers).
async fn pool(url: &str) -> sqlx::AnyPool {
    warm_transfer::store::Store::connect(url).await.unwrap();
    sqlx::AnyPool::connect(url).await.unwrap()
}

async fn rows_naming(app: &TestApp, number: &str) -> Vec<String> {
    use sqlx::Row;
    let pool = pool(&app.db_url).await;
    let mut found = Vec::new();
    for (table, text) in TEXT_COLUMNS {
        let sql = format!("SELECT {text} FROM {table}");
        for row in sqlx::query(&sql).fetch_all(&pool).await.unwrap() {
            let t: String = row.try_get(0).unwrap();
            if t.contains(number) {
                found.push(format!("{table}: {t}"));
            }
        }
    }
    found
}

/// A caller from `from` answered by agent1, talked to, and gone (with Twilio's callbacks stored).
async fn a_finished_call(app: &TestApp, n: u32, from: &str) -> String {
    let call = call_sid(n);
    app.available("agent1").await;
    let before = app.stand_in.dials().len();
    app.customer_calls(&call, from).await;
    let leg = app.stand_in.wait_for_dials(before + 1).await[before].created.clone().expect("the dial created a call");
    assert_eq!(app.agent_answers(&call, "agent1", 1, &leg).await.status(), 200);
    let res = app.webhook("/twilio/status", &[("CallSid", &call), ("CallStatus", "in-progress"), ("From", from), ("To", NUMBER)]).await;
    assert_eq!(res.status(), 204);
    app.leg_ends(&call, "agent1", 1, &leg, "completed").await;
    app.conference_ends(&call).await;
    app.wait_presence("agent1", "wrap-up").await;
    app.server_fn_as("agent1", "presence", &[("status", "available")]).await;
    call
}

async fn forget_leaves_no_trace(app: TestApp) {
    a_finished_call(&app, 1, FORGOTTEN).await;
    a_finished_call(&app, 2, KEPT).await;
    // A second call of theirs is still waiting: left alone, and said.
    app.server_fn_as("agent1", "presence", &[("status", "away")]).await;
    app.customer_calls(&call_sid(3), FORGOTTEN).await;
    assert!(!rows_naming(&app, FORGOTTEN).await.is_empty());

    let (removed, live) = app.store().await.forget_caller(FORGOTTEN).await.unwrap();
    assert_eq!(live, 1);
    assert_eq!(removed.calls, 1);
    assert!(removed.timeline >= 4 && removed.callbacks >= 2 && removed.effects >= 1, "{removed:?}");
    let left = rows_naming(&app, FORGOTTEN).await;
    assert!(left.iter().all(|r| r.contains(&call_sid(3))), "only the live call may name them: {left:?}");
    assert!(!rows_naming(&app, KEPT).await.is_empty(), "another caller is untouched");

    // Once their last call is over, forgetting again leaves nothing at all.
    app.conference_ends(&call_sid(3)).await;
    let (removed, live) = app.store().await.forget_caller(FORGOTTEN).await.unwrap();
    assert_eq!((removed.calls, live), (1, 0));
    assert_eq!(rows_naming(&app, FORGOTTEN).await, Vec::<String>::new());

    // Nor in any byte of the database's files (free pages, the write-ahead log, dead tuples):
    // the number is scanned for in them (and found for the caller kept, so the scan can fail).
    assert!(app.store().await.scrub().await.unwrap(), "scrubbed");
    let digits = |n: &str| n.trim_start_matches('+').to_string();
    let files = database_files(&app).await;
    assert!(!files.is_empty());
    let holding = |needle: &str| -> Vec<String> {
        files.iter().filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle.as_bytes())).map(|(f, _)| f.clone()).collect()
    };
    assert_eq!(holding(&digits(FORGOTTEN)), Vec::<String>::new(), "the forgotten number is still in these files");
    assert!(!holding(&digits(KEPT)).is_empty(), "the kept caller's number is found: the scan works");
}

/// Every file of the app's database, read whole: SQLite's database, write-ahead log and shared
/// memory; PostgreSQL's files of every relation of the database (after a checkpoint, so that
/// what it holds in memory is on disk).
async fn database_files(app: &TestApp) -> Vec<(String, Vec<u8>)> {
    use sqlx::Row;
    let mut paths = Vec::new();
    if let Some(rest) = app.db_url.strip_prefix("sqlite://") {
        let db = rest.split('?').next().unwrap().to_string();
        for suffix in ["", "-wal", "-shm", "-journal"] {
            paths.push(format!("{db}{suffix}"));
        }
    } else {
        let pool = pool(&app.db_url).await;
        sqlx::query("CHECKPOINT").execute(&pool).await.unwrap();
        let dir: String = sqlx::query("SELECT current_setting('data_directory')").fetch_one(&pool).await.unwrap().try_get(0).unwrap();
        let rows =
            sqlx::query("SELECT pg_relation_filepath(oid::regclass) FROM pg_class WHERE pg_relation_filepath(oid::regclass) IS NOT NULL")
                .fetch_all(&pool)
                .await
                .unwrap();
        for row in rows {
            let rel: String = row.try_get(0).unwrap();
            let base = format!("{dir}/{rel}");
            // The main fork and its 1 GB segments, the free space and visibility maps.
            let folder = std::path::Path::new(&base).parent().unwrap().to_path_buf();
            let name = std::path::Path::new(&base).file_name().unwrap().to_string_lossy().to_string();
            for entry in std::fs::read_dir(&folder).unwrap().flatten() {
                let f = entry.file_name().to_string_lossy().to_string();
                if f == name || f.starts_with(&format!("{name}.")) || f.starts_with(&format!("{name}_")) {
                    paths.push(entry.path().display().to_string());
                }
            }
        }
    }
    paths.into_iter().filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b))).collect()
}

#[tokio::test]
async fn forgetting_a_caller_leaves_no_trace_of_them_in_any_table() {
    forget_leaves_no_trace(TestApp::spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgetting_a_caller_on_postgresql_too() {
    forget_leaves_no_trace(TestApp::spawn_postgres().await).await;
}

#[tokio::test]
async fn the_purge_deletes_finished_calls_older_than_the_period_and_nothing_live() {
    let app = TestApp::spawn().await;
    a_finished_call(&app, 1, FORGOTTEN).await;
    app.server_fn_as("agent1", "presence", &[("status", "away")]).await;
    app.customer_calls(&call_sid(2), KEPT).await;
    let store = app.store().await;
    // Nothing ended before a day ago: nothing goes.
    let removed = store.purge_finished(now_ms() - 86_400_000).await.unwrap();
    assert_eq!(removed.calls, 0);
    // A purge as if the period were over: the finished call and all about it go; the live one stays.
    let removed = store.purge_finished(now_ms() + 1_000).await.unwrap();
    assert_eq!(removed.calls, 1, "{removed:?}");
    assert_eq!(rows_naming(&app, FORGOTTEN).await, Vec::<String>::new());
    assert!(store.call_live(&call_sid(2)).await.unwrap());
    assert!(!app.timeline(&call_sid(2)).await.is_empty());
    // And scrubbed from the files, as the daily job does after the purge.
    assert!(store.scrub().await.unwrap());
    let files = database_files(&app).await;
    let holding = |needle: &str| files.iter().filter(|(_, b)| b.windows(needle.len()).any(|w| w == needle.as_bytes())).count();
    assert_eq!(holding(&FORGOTTEN[1..]), 0, "the purged caller's number is still in the database's files");
    assert!(holding(&KEPT[1..]) > 0, "the live caller's number is found: the scan works");
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

async fn counts(db: &str) -> (i64, i64, i64) {
    use sqlx::Row;
    let pool = pool(db).await;
    let one = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query(sql).fetch_one(&pool).await.unwrap().try_get::<i64, _>(0).unwrap() }
    };
    (
        one("SELECT COUNT(*) FROM customer_calls").await,
        one("SELECT COUNT(*) FROM timeline WHERE kind = 'queued'").await,
        one("SELECT COUNT(*) FROM customer_calls c WHERE NOT EXISTS (SELECT 1 FROM timeline t WHERE t.call_sid = c.call_sid)").await,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_is_a_consistent_copy_and_equal_once_quiet() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let dir = tempfile::tempdir().unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (app, stop) = (app.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 100;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let calls: Vec<String> = (n..n + 8).map(call_sid).collect();
                n += 8;
                futures_util::future::join_all(calls.iter().map(|c| app.customer_calls(c, "+15551112222"))).await;
            }
            n - 100
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let under_load = dir.path().join("under-load.db");
    app.store().await.backup_sqlite(under_load.to_str().unwrap()).await.unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let sent = load.await.unwrap();
    assert!(sent > 0);
    // The copy is the database at one moment: every queued call has its timeline row.
    let copy = format!("sqlite://{}", under_load.display());
    let (calls, queued_rows, without_rows) = counts(&copy).await;
    assert!(calls > 0);
    assert_eq!((queued_rows, without_rows), (calls, 0));
    // Once quiet, a backup equals the database.
    let quiet = dir.path().join("quiet.db");
    app.store().await.backup_sqlite(quiet.to_str().unwrap()).await.unwrap();
    assert_eq!(counts(&format!("sqlite://{}", quiet.display())).await, counts(&app.db_url).await);
    // A backup never overwrites: SQLite refuses an existing file.
    assert!(app.store().await.backup_sqlite(quiet.to_str().unwrap()).await.is_err());
}
