//! The two schemas say the same: SQLite's and PostgreSQL's migrations, applied for real, give
//! the same tables, columns (kind of value, whether it may be empty, its default) and indexes.
//! Only the spelling of types differs (`INTEGER … AUTOINCREMENT` is `BIGSERIAL`): a column added
//! to one and forgotten in the other fails here, not in production on the other database.

use std::collections::BTreeMap;
use warm_transfer::center::CallEvent;

use sqlx::{Connection, Row};

/// A column: its kind of value, whether it is NOT NULL, its default.
type Column = (String, bool, Option<String>);

/// table → column → [`Column`], and the indexes (name → table and columns).
#[derive(Debug, PartialEq, Eq)]
struct Schema {
    columns: BTreeMap<String, BTreeMap<String, Column>>,
    indexes: BTreeMap<String, (String, Vec<String>)>,
}

/// One word per kind of value, whatever the database calls it.
fn kind(declared: &str) -> String {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") || t.contains("serial") {
        "integer".into()
    } else if t.contains("char") || t.contains("text") {
        "text".into()
    } else {
        t
    }
}

/// A default as written, without the databases' decorations (`'x'::text`, a sequence's
/// `nextval`, which is how an auto-increment shows).
fn default(d: Option<String>) -> Option<String> {
    let d = d?;
    if d.starts_with("nextval(") {
        return None;
    }
    Some(d.split("::").next().unwrap_or(&d).trim_matches(|c| c == '(' || c == ')').to_string())
}

const SKIPPED: [&str; 2] = ["_sqlx_migrations", "sqlite_sequence"];

async fn sqlite_schema() -> Schema {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("schema.db").display());
    warm_transfer::store::Store::connect(&url).await.unwrap();
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let mut schema = Schema { columns: BTreeMap::new(), indexes: BTreeMap::new() };
    let tables: Vec<String> = sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table'")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for table in tables.into_iter().filter(|t| !SKIPPED.contains(&t.as_str())) {
        let mut columns = BTreeMap::new();
        for r in sqlx::query(&format!("PRAGMA table_info({table})")).fetch_all(&mut conn).await.unwrap() {
            let (name, declared, not_null, dflt, pk): (String, String, i64, Option<String>, i64) =
                (r.get("name"), r.get("type"), r.get("notnull"), r.get("dflt_value"), r.get("pk"));
            // A primary key is never empty, whether or not the table says so.
            columns.insert(name, (kind(&declared), not_null == 1 || pk > 0, default(dflt)));
        }
        let indexes = sqlx::query(&format!("PRAGMA index_list({table})")).fetch_all(&mut conn).await.unwrap();
        for index in indexes {
            let (name, origin): (String, String) = (index.get("name"), index.get("origin"));
            // Indexes the database made for a key or a UNIQUE constraint are named differently.
            if origin != "c" {
                continue;
            }
            let cols = sqlx::query(&format!("PRAGMA index_info({name})")).fetch_all(&mut conn).await.unwrap();
            schema.indexes.insert(name, (table.clone(), cols.iter().map(|c| c.get("name")).collect()));
        }
        schema.columns.insert(table, columns);
    }
    schema
}

async fn postgres_schema() -> Schema {
    let url = crate::common::fresh_postgres_url().await;
    warm_transfer::store::Store::connect(&url).await.unwrap();
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let mut schema = Schema { columns: BTreeMap::new(), indexes: BTreeMap::new() };
    let rows = sqlx::query(
        "SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
         WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for r in rows {
        let (table, name, declared, nullable, dflt): (String, String, String, String, Option<String>) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        if SKIPPED.contains(&table.as_str()) {
            continue;
        }
        schema.columns.entry(table).or_default().insert(name, (kind(&declared), nullable == "NO", default(dflt)));
    }
    let indexes = sqlx::query(
        "SELECT i.relname, t.relname, array_agg(a.attname ORDER BY k.n)
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace s ON s.oid = t.relnamespace
         CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
         WHERE s.nspname = 'public' AND NOT x.indisprimary AND NOT x.indisunique
         GROUP BY i.relname, t.relname",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for r in indexes {
        let (name, table, cols): (String, String, Vec<String>) = (r.get(0), r.get(1), r.get(2));
        if !SKIPPED.contains(&table.as_str()) {
            schema.indexes.insert(name, (table, cols));
        }
    }
    schema
}

#[tokio::test]
async fn sqlite_and_postgresql_have_the_same_schema() {
    let (sqlite, postgres) = (sqlite_schema().await, postgres_schema().await);
    assert!(!sqlite.columns.is_empty() && sqlite.columns.contains_key("customer_calls"), "{sqlite:?}");
    for table in sqlite.columns.keys().chain(postgres.columns.keys()) {
        assert_eq!(sqlite.columns.get(table), postgres.columns.get(table), "table {table}: SQLite (left) and PostgreSQL (right) differ");
    }
    assert_eq!(sqlite.indexes, postgres.indexes, "indexes: SQLite (left) and PostgreSQL (right) differ");
    // The same migrations, by name, in the same order.
    let names = |dir: &str| {
        let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    };
    assert_eq!(names("migrations/sqlite"), names("migrations/postgres"));
}

/// A call's end as an earlier build wrote it (before the core filed the abandon on it).
const OLD_ENDS: [(&str, &str, &str); 5] = [
    // A caller who hung up waiting: an abandon.
    ("CA00000000000000000000000000000001", "queued", r#"{"event":"queued","call":"CA00000000000000000000000000000001","from":null}"#),
    (
        "CA00000000000000000000000000000001",
        "ended",
        r#"{"event":"ended","call":"CA00000000000000000000000000000001","reason":"caller-hung-up"}"#,
    ),
    // One who hung up after an agent answered: not.
    (
        "CA00000000000000000000000000000002",
        "answered",
        r#"{"event":"answered","call":"CA00000000000000000000000000000002","agent":"agent1"}"#,
    ),
    (
        "CA00000000000000000000000000000002",
        "ended",
        r#"{"event":"ended","call":"CA00000000000000000000000000000002","reason":"caller-hung-up"}"#,
    ),
    // An agent who hung up: not.
    (
        "CA00000000000000000000000000000003",
        "ended",
        r#"{"event":"ended","call":"CA00000000000000000000000000000003","reason":"agent-hung-up"}"#,
    ),
];

/// Ends written before the abandon was the core's get it by the rule the figures used then:
/// the floor's figures of that day do not change when the new build starts.
async fn ends_written_before_get_the_abandon_the_figures_counted(postgres: bool) {
    use warm_transfer::center::Event;
    let dir = tempfile::tempdir().unwrap();
    let url = crate::common::fresh_store_url(dir.path(), "old.db", postgres).await;
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(if postgres { "migrations/postgres" } else { "migrations/sqlite" });
    let mut before = sqlx::migrate::Migrator::new(folder).await.unwrap();
    before.migrations = before.migrations.iter().filter(|m| m.version < 12).cloned().collect::<Vec<_>>().into();
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    before.run(&pool).await.unwrap();
    for (at, (call, kind, event)) in OLD_ENDS.iter().enumerate() {
        sqlx::query("INSERT INTO timeline (call_sid, at, kind, text, event) VALUES ($1, $2, $3, '', $4)")
            .bind(*call)
            .bind(at as i64)
            .bind(*kind)
            .bind(*event)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;

    warm_transfer::store::Store::connect(&url).await.unwrap();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let rows = sqlx::query("SELECT call_sid, event FROM timeline WHERE kind = 'ended' ORDER BY id").fetch_all(&pool).await.unwrap();
    let ends: Vec<(String, bool)> = rows
        .iter()
        .map(|r| match serde_json::from_str(&r.get::<String, _>(1)).unwrap() {
            Event::Call(CallEvent::Ended { abandoned, .. }) => (r.get::<String, _>(0)[32..].to_string(), abandoned),
            e => panic!("{e:?}"),
        })
        .collect();
    assert_eq!(ends, [("01".to_string(), true), ("02".to_string(), false), ("03".to_string(), false)]);
}

#[tokio::test]
async fn ends_written_before_get_the_abandon_the_figures_counted_on_sqlite() {
    ends_written_before_get_the_abandon_the_figures_counted(false).await;
}

#[tokio::test]
async fn ends_written_before_get_the_abandon_the_figures_counted_on_postgres() {
    ends_written_before_get_the_abandon_the_figures_counted(true).await;
}

/// Live calls stored by earlier builds carry on: one in the form before participants (a phase),
/// waiting; a voicemail in the form before calls were by kind. The new build brings them to its
/// form as it starts, routes the caller, and reads the message as a message.
async fn live_calls_stored_by_earlier_builds_carry_on(postgres: bool) {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::common::fresh_store_url(dir.path(), "old.db", postgres).await;
    let store = warm_transfer::store::Store::connect(&url).await.unwrap();
    let (waiting, message) = (crate::common::call_sid(1), crate::common::call_sid(2));
    let phase = format!(r#"{{"sid":"{waiting}","from":"+15550000001","queued_at":1,"phase":{{"phase":"queued"}},"legs":0}}"#);
    let mut voicemail =
        serde_json::to_value(warm_transfer::center::Call::new(warm_transfer::ids::CallSid::parse(&message).unwrap(), None, 2)).unwrap();
    let o = voicemail.as_object_mut().unwrap();
    o.remove("kind");
    o.insert("voicemail".into(), serde_json::json!({"recording": format!("RE{:032x}", 7), "seconds": 42}));
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    for (sid, queued_at, state) in [(&waiting, 1i64, phase), (&message, 2, voicemail.to_string())] {
        sqlx::query(
            "INSERT INTO customer_calls (call_sid, from_number, queued_at, live, state, updated_at) VALUES ($1, '', $2, 1, $3, $2)",
        )
        .bind(sid.as_str())
        .bind(queued_at)
        .bind(state)
        .execute(&pool)
        .await
        .unwrap();
    }
    drop(store);

    let app = crate::common::TestApp::spawn_on_url(&url, &[]).await;
    let calls = app.store().await.live_calls().await.unwrap();
    assert_eq!(calls.len(), 2, "both read in this build's form: {calls:?}");
    let read = |sid: &str| calls.iter().find(|c| c.sid.as_str() == sid).unwrap();
    assert_eq!(read(&message).as_voicemail().map(|v| v.seconds), Some(42));
    assert_eq!(read(&waiting).kind, warm_transfer::center::CallKind::Live);
    // The caller who waited across the upgrade is offered first.
    app.available("agent1").await;
    let dial = app.stand_in.wait_for_dials(1).await[0].clone();
    let url = dial.form.iter().find(|(k, _)| k == "Url").map(|(_, v)| v.clone()).unwrap();
    assert!(url.contains(&waiting), "{url}");
}

#[tokio::test]
async fn live_calls_stored_by_earlier_builds_carry_on_on_sqlite() {
    live_calls_stored_by_earlier_builds_carry_on(false).await;
}

#[tokio::test]
async fn live_calls_stored_by_earlier_builds_carry_on_on_postgres() {
    live_calls_stored_by_earlier_builds_carry_on(true).await;
}
