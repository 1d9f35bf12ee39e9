//! Keeping the journal under its cap: log lines go first (they are most of the bytes and the
//! least of the story), oldest first; then health samples; then events. Environments,
//! operations, stack events and captures are kept: they are small and they are the evidence.
//!
//! The file gives the space back (`auto_vacuum = INCREMENTAL`, then `incremental_vacuum` and a
//! checkpoint that truncates the write-ahead log), so the size on disk follows the cap.

use rusqlite::Connection;

use super::store::Run;

/// Rows deleted per statement: small enough that the size is re-checked often, large enough
/// that a prune of a big file is not thousands of statements.
const CHUNK: i64 = 2_000;

/// What pruning aims for, as a share of the cap, so it does not run again at the next commit.
const TARGET_PCT: u64 = 90;

/// The tables pruned, in order, with the column that says how old a row is.
const PRUNED: &[(&str, &str)] = &[("lines", "ts"), ("health", "at"), ("events", "ts")];

/// The bytes the database's live pages hold (the free pages are not counted: they are reused).
pub fn used_bytes(conn: &Connection) -> rusqlite::Result<u64> {
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let free: i64 = conn.query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
    let size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    Ok(((pages - free).max(0) * size) as u64)
}

/// Prunes when the used size is over `max_bytes`; returns the rows deleted.
pub fn enforce(conn: &Connection, max_bytes: u64) -> rusqlite::Result<u64> {
    if used_bytes(conn)? <= max_bytes {
        return Ok(0);
    }
    let target = max_bytes / 100 * TARGET_PCT;
    let mut deleted = 0u64;
    for (table, age) in PRUNED {
        // Oldest first, a chunk at a time, each its own short transaction so another process
        // (or this run's next batch) never waits long.
        let sql = format!(
            "DELETE FROM {table} WHERE id IN (SELECT id FROM {table} ORDER BY {age}, id LIMIT {CHUNK})"
        );
        while used_bytes(conn)? > target {
            conn.prepare_cached(&sql)?.run([])?;
            let n = conn.changes();
            if n == 0 {
                break;
            }
            deleted += n;
        }
    }
    // The pragma frees one page per step: it must be stepped to the end, not run once.
    let mut vacuum = conn.prepare("PRAGMA incremental_vacuum")?;
    let mut steps = vacuum.query([])?;
    while steps.next()?.is_some() {}
    drop(steps);
    // In WAL mode the shrunk pages live in the log until a checkpoint; TRUNCATE also empties
    // the log file. Busy (another reader) is fine: the next prune or close checkpoints.
    let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    tracing::info!(deleted, "journal pruned to its cap");
    Ok(deleted)
}
