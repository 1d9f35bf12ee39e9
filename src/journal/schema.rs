//! The journal's tables and their migrations.
//!
//! `PRAGMA user_version` is the schema version: `MIGRATIONS[i]` takes a file from version `i` to
//! `i + 1`, each in its own transaction, so a crash between two leaves a file at a version this
//! build (or an older one) knows how to continue from. A file at a version newer than
//! `MIGRATIONS.len()` was written by a newer ebtui and is never touched.
//!
//! `application_id` marks the file as an ebtui journal, so a foreign SQLite file handed to
//! `--journal` is recognised and moved aside instead of being written into.

use rusqlite::{Connection, TransactionBehavior};

/// "EBTJ": what `PRAGMA application_id` says in every ebtui journal.
pub const APPLICATION_ID: i64 = 0x4542_544A;

/// The schema, one step per version. Never edit a step that has shipped: add one.
pub const MIGRATIONS: &[&str] = &[V1];

/// The version this build writes.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// Version 1. Every table is keyed by `scope` (a row of `scopes`: profile, region, account),
/// so two accounts never mix. De-duplication keys are UNIQUE so `INSERT OR IGNORE` does the work:
/// the same event read twice, by two processes or across runs, is one row.
const V1: &str = "
CREATE TABLE scopes (
    id INTEGER PRIMARY KEY,
    profile TEXT NOT NULL,
    region TEXT NOT NULL,
    account TEXT NOT NULL,           -- '' until AWS names the account
    newest INTEGER,                  -- the newest batch time stored for this scope
    UNIQUE (profile, region, account)
);
-- The account last seen for a profile and region: a scope without an account resolves to it.
CREATE TABLE contexts (
    profile TEXT NOT NULL,
    region TEXT NOT NULL,
    account TEXT NOT NULL,
    seen INTEGER NOT NULL,
    PRIMARY KEY (profile, region)
) WITHOUT ROWID;
CREATE TABLE environments (
    scope INTEGER NOT NULL,
    env_key TEXT NOT NULL,           -- the id, or the name when AWS gave no id
    env_id TEXT NOT NULL,
    name TEXT NOT NULL,
    app TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    terminated INTEGER NOT NULL,
    data TEXT NOT NULL,              -- the last Environment, JSON
    PRIMARY KEY (scope, env_key)
) WITHOUT ROWID;
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    scope INTEGER NOT NULL,
    env_id TEXT NOT NULL,            -- '' when the app did not know the environment
    env_name TEXT NOT NULL,
    ts INTEGER NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    version TEXT,
    request_id TEXT,
    dedup INTEGER NOT NULL           -- hash of (env name, time, message)
);
CREATE UNIQUE INDEX events_dedup ON events (scope, dedup);
CREATE INDEX events_time ON events (scope, ts);
CREATE INDEX events_env ON events (scope, env_id, ts);
CREATE TABLE stack_events (
    id INTEGER PRIMARY KEY,
    scope INTEGER NOT NULL,
    env_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    stack TEXT NOT NULL,
    logical_id TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT
);
CREATE UNIQUE INDEX stack_dedup ON stack_events (scope, event_id);
CREATE INDEX stack_time ON stack_events (scope, ts);
CREATE INDEX stack_env ON stack_events (scope, env_id, ts);
CREATE TABLE health (
    id INTEGER PRIMARY KEY,
    scope INTEGER NOT NULL,
    env_id TEXT NOT NULL,
    env_name TEXT NOT NULL,
    at INTEGER NOT NULL,
    transition INTEGER NOT NULL,     -- 1: status, colour or causes changed; 0: a minute sample
    status TEXT NOT NULL,
    color TEXT NOT NULL,
    causes TEXT NOT NULL,
    data TEXT NOT NULL               -- the HealthSnapshot, JSON
);
CREATE INDEX health_env ON health (scope, env_id, at);
CREATE TABLE ops (
    scope INTEGER NOT NULL,
    key TEXT NOT NULL,
    env_id TEXT NOT NULL,
    env_name TEXT NOT NULL,
    started INTEGER NOT NULL,
    data TEXT NOT NULL,              -- the OpRecord, JSON
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE INDEX ops_env ON ops (scope, env_id, started);
CREATE TABLE lines (
    id INTEGER PRIMARY KEY,
    scope INTEGER NOT NULL,
    env_id TEXT NOT NULL,
    env_name TEXT NOT NULL,
    ts INTEGER NOT NULL,
    grp TEXT NOT NULL,
    stream TEXT NOT NULL,
    message TEXT NOT NULL,
    dedup INTEGER NOT NULL           -- hash of (group, stream, time, message, occurrence)
);
CREATE UNIQUE INDEX lines_dedup ON lines (ts, dedup);
CREATE INDEX lines_env ON lines (scope, env_id, ts);
CREATE TABLE captures (
    id INTEGER PRIMARY KEY,
    scope INTEGER NOT NULL,
    key TEXT NOT NULL,
    env_id TEXT NOT NULL,
    env_name TEXT NOT NULL,
    at INTEGER NOT NULL,
    data TEXT NOT NULL,              -- the Capture without its lines, JSON
    UNIQUE (scope, key)
);
CREATE INDEX captures_env ON captures (scope, env_id, at);
CREATE TABLE capture_lines (
    capture INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    line_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    grp TEXT NOT NULL,
    stream TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (capture, seq)
) WITHOUT ROWID;
";

/// Brings the file to `latest()`, one transaction per step. The version is read again inside
/// each write transaction, so two processes opening a new file at once do not both migrate.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let Some(step) = usize::try_from(version)
            .ok()
            .and_then(|v| MIGRATIONS.get(v))
        else {
            return Ok(());
        };
        if version == 0 {
            tx.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}"))?;
        }
        tx.execute_batch(step)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", version + 1))?;
        tx.commit()?;
    }
}
