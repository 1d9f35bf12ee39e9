//! Reading back: the start-up load, `Query::Known` and `Query::History`.
//!
//! Everything read is cleaned again (`domain::Clean`, `logs::sanitize`): the file may have been
//! edited by someone else, so what it says is as untrusted as what AWS says. A row that does
//! not parse is skipped, never a panic.

use rusqlite::{Connection, Row, params};

use super::{Capture, EnvHistory, HealthPoint, KnownEnv, Loaded, LogLine, OpRecord, Scope, scope};
use crate::domain::{Clean, EnvEvent, Environment, HealthSnapshot, Severity, StackEvent};
use crate::logs::sanitize;

/// An environment terminated within this long of the newest record is still loaded, as AWS
/// lists terminated environments for about an hour.
pub const TERMINATED_KEPT_MS: i64 = 60 * 60 * 1000;

/// The most log lines `Query::History` returns (the newest, oldest first).
pub const LINES_MAX: usize = 20_000;

pub fn load(conn: &Connection, scope: &Scope, window: i64) -> rusqlite::Result<Loaded> {
    let Some((sc, newest)) = scope::for_read(conn, scope)? else {
        return Ok(Loaded::default());
    };
    let newest_at = newest.unwrap_or(0);
    let envs: Vec<KnownEnv> = known(conn, sc)?
        .into_iter()
        .filter(|k| !k.terminated || k.last_seen >= newest_at - TERMINATED_KEPT_MS)
        .collect();
    let since = newest_at.saturating_sub(window.max(0));
    let events = collect(
        conn,
        "SELECT env_name, ts, severity, message, version, request_id FROM events
         WHERE scope = ?1 AND ts > ?2 AND ts <= ?3 ORDER BY ts, id",
        params![sc, since, newest_at],
        event_row,
    )?;
    let stack_events = collect(
        conn,
        "SELECT event_id, ts, stack, logical_id, resource_type, status, reason, env_id
         FROM stack_events WHERE scope = ?1 AND ts > ?2 AND ts <= ?3 ORDER BY ts, id",
        params![sc, since, newest_at],
        |r| {
            Ok((
                sanitize(&r.get::<_, String>(7)?).into_owned(),
                stack_row(r)?,
            ))
        },
    )?;
    let mut loaded = Loaded {
        newest,
        events,
        stack_events,
        ..Loaded::default()
    };
    for k in &envs {
        let id = &k.env.env.id;
        let last = collect(
            conn,
            "SELECT data FROM health WHERE scope = ?1 AND env_id = ?2 ORDER BY at DESC, id DESC LIMIT 1",
            params![sc, id],
            |r| Ok(from_json::<HealthSnapshot>(&r.get::<_, String>(0)?)),
        )?;
        if let Some(Some(snapshot)) = last.into_iter().next() {
            loaded.health.push((id.clone(), snapshot.clean()));
        }
        loaded.ops.extend(ops(conn, sc, id)?);
        loaded.captures.extend(captures(conn, sc, id)?);
    }
    loaded.envs = envs;
    Ok(loaded)
}

/// Every environment the journal knows for the scope, oldest first seen first.
pub fn known_envs(conn: &Connection, scope: &Scope) -> rusqlite::Result<Vec<KnownEnv>> {
    match scope::for_read(conn, scope)? {
        Some((sc, _)) => known(conn, sc),
        None => Ok(Vec::new()),
    }
}

fn known(conn: &Connection, sc: i64) -> rusqlite::Result<Vec<KnownEnv>> {
    let rows = collect(
        conn,
        "SELECT data, first_seen, last_seen, terminated FROM environments
         WHERE scope = ?1 ORDER BY first_seen, env_key",
        params![sc],
        |r| {
            let env = from_json::<Environment>(&r.get::<_, String>(0)?);
            Ok(env.map(|env| KnownEnv {
                env: env.clean(),
                first_seen: r.get(1).unwrap_or_default(),
                last_seen: r.get(2).unwrap_or_default(),
                terminated: r.get(3).unwrap_or_default(),
            }))
        },
    )?;
    Ok(rows.into_iter().flatten().collect())
}

/// One environment's whole history, by id. Events that came without an id (the app did not
/// know the environment yet) are matched by its name.
pub fn history(conn: &Connection, scope: &Scope, env_id: &str) -> Result<EnvHistory, String> {
    let err = |e: rusqlite::Error| format!("the journal could not be read: {e}");
    let sc = scope::for_read(conn, scope).map_err(err)?.map(|s| s.0);
    let known = match sc {
        Some(sc) => known(conn, sc)
            .map_err(err)?
            .into_iter()
            .find(|k| k.env.env.id == env_id),
        None => None,
    };
    let (Some(sc), Some(known)) = (sc, known) else {
        return Err(format!(
            "the journal holds nothing of environment {}",
            sanitize(env_id)
        ));
    };
    history_of(conn, sc, known).map_err(err)
}

fn history_of(conn: &Connection, sc: i64, known: KnownEnv) -> rusqlite::Result<EnvHistory> {
    let id = known.env.env.id.clone();
    let name = known.env.env.name.clone();
    let events = collect(
        conn,
        "SELECT env_name, ts, severity, message, version, request_id FROM events
         WHERE scope = ?1 AND (env_id = ?2 OR (env_id = '' AND env_name = ?3)) ORDER BY ts, id",
        params![sc, id, name],
        event_row,
    )?;
    let stack_events = collect(
        conn,
        "SELECT event_id, ts, stack, logical_id, resource_type, status, reason FROM stack_events
         WHERE scope = ?1 AND env_id = ?2 ORDER BY ts, id",
        params![sc, id],
        stack_row,
    )?;
    let health = collect(
        conn,
        "SELECT at, transition, data FROM health WHERE scope = ?1 AND env_id = ?2 ORDER BY at, id",
        params![sc, id],
        |r| {
            let snapshot = from_json::<HealthSnapshot>(&r.get::<_, String>(2)?);
            Ok(snapshot.map(|s| HealthPoint {
                at: r.get(0).unwrap_or_default(),
                transition: r.get(1).unwrap_or_default(),
                snapshot: s.clean(),
            }))
        },
    )?;
    let mut lines = collect(
        conn,
        "SELECT dedup, ts, grp, stream, message FROM lines WHERE scope = ?1 AND env_id = ?2
         ORDER BY ts DESC, id DESC LIMIT ?3",
        params![sc, id, LINES_MAX as i64],
        |r| line_row(r, format!("j{:016x}", r.get::<_, i64>(0)? as u64)),
    )?;
    lines.reverse();
    Ok(EnvHistory {
        events,
        stack_events,
        health: health.into_iter().flatten().collect(),
        ops: ops(conn, sc, &id)?,
        captures: captures(conn, sc, &id)?,
        lines,
        known,
    })
}

fn ops(conn: &Connection, sc: i64, env_id: &str) -> rusqlite::Result<Vec<OpRecord>> {
    let rows = collect(
        conn,
        "SELECT data FROM ops WHERE scope = ?1 AND env_id = ?2 ORDER BY started, key",
        params![sc, env_id],
        |r| Ok(from_json::<OpRecord>(&r.get::<_, String>(0)?).map(clean_op)),
    )?;
    Ok(rows.into_iter().flatten().collect())
}

fn captures(conn: &Connection, sc: i64, env_id: &str) -> rusqlite::Result<Vec<Capture>> {
    let rows = collect(
        conn,
        "SELECT id, data FROM captures WHERE scope = ?1 AND env_id = ?2 ORDER BY at, key",
        params![sc, env_id],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                from_json::<Capture>(&r.get::<_, String>(1)?),
            ))
        },
    )?;
    let mut out = Vec::new();
    for (id, capture) in rows {
        let Some(mut capture) = capture else { continue };
        capture.lines = collect(
            conn,
            "SELECT line_id, ts, grp, stream, message FROM capture_lines WHERE capture = ?1 ORDER BY seq",
            params![id],
            |r| line_row(r, r.get::<_, String>(0)?),
        )?;
        out.push(clean_capture(capture));
    }
    Ok(out)
}

/// Runs a cached query and maps every row.
fn collect<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    conn.prepare_cached(sql)?.query_map(params, map)?.collect()
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    match serde_json::from_str(text) {
        Ok(v) => Some(v),
        Err(e) => {
            // The shape, never the text: it may be a log line's or an event's.
            tracing::warn!(error = %e, "a journal row did not parse; skipped");
            None
        }
    }
}

fn event_row(r: &Row<'_>) -> rusqlite::Result<EnvEvent> {
    let event = EnvEvent {
        env: r.get(0)?,
        ts: r.get(1)?,
        severity: Severity::parse(&r.get::<_, String>(2)?),
        message: r.get(3)?,
        version: r.get(4)?,
        request_id: r.get(5)?,
    };
    Ok(event.clean())
}

fn stack_row(r: &Row<'_>) -> rusqlite::Result<StackEvent> {
    let event = StackEvent {
        id: r.get(0)?,
        ts: r.get(1)?,
        stack: r.get(2)?,
        logical_id: r.get(3)?,
        resource_type: r.get(4)?,
        status: r.get(5)?,
        reason: r.get(6)?,
    };
    Ok(event.clean())
}

/// A log line from columns (id given; then ts, group, stream, message at 1..=4), sanitized.
fn line_row(r: &Row<'_>, id: String) -> rusqlite::Result<LogLine> {
    Ok(clean_line(LogLine {
        id,
        ts: r.get(1)?,
        group: r.get(2)?,
        stream: r.get(3)?,
        message: r.get(4)?,
    }))
}

fn text(s: String) -> String {
    match sanitize(&s) {
        std::borrow::Cow::Borrowed(_) => s,
        std::borrow::Cow::Owned(c) => c,
    }
}

/// Log lines keep their shape (the sanitizer makes controls visible); they are not folded to
/// one line like domain strings.
fn clean_line(l: LogLine) -> LogLine {
    let LogLine {
        id,
        ts,
        group,
        stream,
        message,
    } = l;
    LogLine {
        id: text(id),
        ts,
        group: text(group),
        stream: text(stream),
        message: text(message),
    }
}

fn clean_op(op: OpRecord) -> OpRecord {
    let OpRecord {
        key,
        env_id,
        env_name,
        label,
        ours,
        request_id,
        started,
        ended,
        outcome,
        error,
    } = op;
    OpRecord {
        key: key.clean(),
        env_id: env_id.clean(),
        env_name: env_name.clean(),
        label: label.clean(),
        ours,
        request_id: request_id.clean(),
        started,
        ended,
        outcome: outcome.clean(),
        error: error.clean(),
    }
}

fn clean_capture(c: Capture) -> Capture {
    let Capture {
        key,
        env_id,
        env_name,
        op_key,
        reason,
        at,
        source,
        lines,
        note,
    } = c;
    Capture {
        key: key.clean(),
        env_id: env_id.clean(),
        env_name: env_name.clean(),
        op_key: op_key.clean(),
        reason: reason.clean(),
        at,
        source,
        lines: lines.into_iter().map(clean_line).collect(),
        note: note.clean(),
    }
}
