//! `:journal stats`: how big the journal is and what holds the bytes.

use rusqlite::Connection;

use super::{StatRow, Stats};

/// A row's bytes beyond its text, roughly: keys, times, the row header and its share of the
/// indexes. Only an estimate: SQLite does not say what one row costs.
const ROW_OVERHEAD: i64 = 48;

/// Per kind: the query giving (environment name, rows, text bytes). Stack events carry only the
/// environment's id, so its name comes from `environments` when known.
const KINDS: &[(&str, &str)] = &[
    (
        "events",
        "SELECT env_name, count(*), sum(length(message) + length(coalesce(version, ''))
            + length(coalesce(request_id, ''))) FROM events GROUP BY env_name",
    ),
    (
        "stack events",
        "SELECT coalesce((SELECT name FROM environments e WHERE e.env_id = s.env_id LIMIT 1),
            s.env_id), count(*), sum(length(stack) + length(logical_id) + length(resource_type)
            + length(status) + length(coalesce(reason, '')) + length(event_id))
         FROM stack_events s GROUP BY s.env_id",
    ),
    (
        "health",
        "SELECT env_name, count(*), sum(length(data) + length(causes)) FROM health GROUP BY env_name",
    ),
    (
        "operations",
        "SELECT env_name, count(*), sum(length(data)) FROM ops GROUP BY env_name",
    ),
    (
        "log lines",
        "SELECT env_name, count(*), sum(length(message) + length(grp) + length(stream))
         FROM lines GROUP BY env_name",
    ),
    (
        "captures",
        "SELECT c.env_name, count(*), sum(length(c.data) + coalesce((SELECT sum(length(l.message)
            + length(l.grp) + length(l.stream)) FROM capture_lines l WHERE l.capture = c.id), 0))
         FROM captures c GROUP BY c.env_name",
    ),
];

/// The journal's size and, per environment and kind, its rows and approximate bytes (the
/// stored text plus an estimate per row), largest first. `path` is the database file, None in
/// memory.
pub fn stats(
    conn: &Connection,
    path: Option<&std::path::Path>,
    shown: String,
    max_bytes: u64,
) -> rusqlite::Result<Stats> {
    let mut rows = Vec::new();
    for (kind, sql) in KINDS {
        let mut stmt = conn.prepare_cached(sql)?;
        let found = stmt.query_map([], |r| {
            let n: i64 = r.get(1)?;
            let text: Option<i64> = r.get(2)?;
            Ok(StatRow {
                env_name: crate::logs::sanitize(&r.get::<_, String>(0)?).into_owned(),
                kind,
                rows: n.max(0) as u64,
                bytes: (text.unwrap_or(0) + n * ROW_OVERHEAD).max(0) as u64,
            })
        })?;
        for row in found {
            rows.push(row?);
        }
    }
    rows.sort_by(|a, b| {
        b.bytes
            .cmp(&a.bytes)
            .then_with(|| a.env_name.cmp(&b.env_name))
    });
    let file_bytes = match path {
        Some(p) => file_size(p),
        None => super::retention::used_bytes(conn)?,
    };
    Ok(Stats {
        path: shown,
        file_bytes,
        max_bytes,
        rows,
    })
}

/// The database and its write-ahead log, as on disk.
fn file_size(path: &std::path::Path) -> u64 {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    [path.to_path_buf(), wal.into()]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}
