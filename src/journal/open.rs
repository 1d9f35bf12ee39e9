//! Opening a journal: the directory and file with owner-only permissions, telling a journal from
//! a corrupt or foreign file (moved aside, never written into), refusing a newer schema (left
//! byte for byte as it was), then the pragmas and the migrations.

use std::fs;
use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags};

use super::JournalStatus;
use super::schema::{self, APPLICATION_ID};

/// How long a statement waits for another process's write lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Every SQLite file starts with these 16 bytes.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// What is at the path before we write anything.
enum Found {
    /// Nothing, or an empty file: a new journal.
    Nothing,
    /// An ebtui journal at this schema version.
    Journal(i64),
    /// Not a journal; the text says what it is, for the log.
    Foreign(&'static str),
}

/// Opens (creating, recovering or migrating) the journal file at `path`.
pub fn open_file(path: &Path) -> Result<(Connection, Vec<JournalStatus>), String> {
    make_dir(path)?;
    let mut notes = Vec::new();
    match probe(path) {
        Found::Nothing => {}
        Found::Journal(v) if v > schema::latest() => {
            return Err(format!(
                "the journal at {} was written by a newer ebtui (schema {v}; this one knows {}): \
                 journal off for this run; use --journal PATH for another file",
                path.display(),
                schema::latest()
            ));
        }
        Found::Journal(_) => {}
        Found::Foreign(what) => {
            let moved = move_aside(path)?;
            tracing::warn!(path = %path.display(), moved_to = %moved.display(), what, "journal replaced");
            notes.push(JournalStatus::Replaced {
                moved_to: moved.display().to_string(),
            });
        }
    }
    create_private(path)?;
    let conn = Connection::open(path)
        .map_err(|e| format!("cannot open the journal at {}: {e}", path.display()))?;
    let conn =
        prepare(conn).map_err(|e| format!("cannot use the journal at {}: {e}", path.display()))?;
    notes.push(JournalStatus::Open {
        path: path.display().to_string(),
    });
    Ok((conn, notes))
}

/// An in-memory journal for this run (the demo).
pub fn open_memory() -> Result<Connection, String> {
    let conn = Connection::open_in_memory()
        .map_err(|e| format!("cannot open a journal in memory: {e}"))?;
    prepare(conn).map_err(|e| format!("cannot set up the journal in memory: {e}"))
}

/// Pragmas, then migrations. `auto_vacuum` goes first: it only takes on a file with no tables
/// yet, and without it retention could delete rows but never give the space back.
fn prepare(mut conn: Connection) -> rusqlite::Result<Connection> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(64);
    conn.execute_batch("PRAGMA auto_vacuum = INCREMENTAL")?;
    // WAL: readers never wait for the writer, and a crash loses at most the transaction being
    // written. NORMAL sync is safe in WAL mode (a power cut may lose the last commits, never
    // corrupt the file) and spares an fsync per batch.
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;")?;
    // 32 MB of page cache (the default is 2 MB): the log lines' de-duplication index is keyed
    // by a hash, so its inserts land all over it; with the hot part cached, sustained writes
    // stay fast as the file grows.
    conn.execute_batch("PRAGMA cache_size = -32768")?;
    schema::migrate(&mut conn)?;
    Ok(conn)
}

/// The journal's directory, created owner-only (0700) when missing.
fn make_dir(path: &Path) -> Result<(), String> {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| {
            format!(
                "cannot create the journal's directory {}: {e}",
                dir.display()
            )
        })
}

/// Creates the file owner-only (0600) before SQLite does, so it is never readable by others,
/// not even for a moment; SQLite gives its -wal and -shm files the same mode.
fn create_private(path: &Path) -> Result<(), String> {
    let file = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("cannot write the journal at {}: {e}", path.display()))?;
    let mode = file
        .metadata()
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0o600);
    if mode & 0o077 != 0 {
        // An existing file others could read: tighten it (it holds what AWS told us).
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o600));
    }
    Ok(())
}

/// Looks at the file without changing a byte: its header, then (read-only) its
/// `application_id`, `user_version` and tables.
fn probe(path: &Path) -> Found {
    let mut head = [0u8; 16];
    let read = fs::File::open(path).and_then(|mut f| {
        let mut n = 0;
        while n < head.len() {
            match f.read(&mut head[n..])? {
                0 => break,
                k => n += k,
            }
        }
        Ok(n)
    });
    match read {
        Err(_) | Ok(0) => return Found::Nothing,
        Ok(n) if n < head.len() || &head != SQLITE_MAGIC => return Found::Foreign("not SQLite"),
        Ok(_) => {}
    }
    match read_ids(path) {
        Ok((APPLICATION_ID, version, _)) => Found::Journal(version),
        Ok((0, _, 0)) => Found::Nothing,
        Ok((0, _, _)) => Found::Foreign("SQLite tables of another program"),
        Ok(_) => Found::Foreign("another program's SQLite file"),
        Err(_) => Found::Foreign("a damaged SQLite file"),
    }
}

/// (application_id, user_version, number of tables), read without writing.
fn read_ids(path: &Path) -> rusqlite::Result<(i64, i64, i64)> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let app: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    Ok((app, version, tables))
}

/// Moves a file that is not a journal to `<file>.corrupt-<unix seconds>`, with its -wal and -shm,
/// so nothing of it is lost and a new journal can begin at the path.
fn move_aside(path: &Path) -> Result<PathBuf, String> {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut target = suffixed(path, &format!(".corrupt-{secs}"));
    let mut n = 1;
    while target.exists() {
        target = suffixed(path, &format!(".corrupt-{secs}-{n}"));
        n += 1;
    }
    fs::rename(path, &target).map_err(|e| {
        format!(
            "cannot move the damaged journal {} aside: {e}",
            path.display()
        )
    })?;
    for side in ["-wal", "-shm"] {
        let from = suffixed(path, side);
        if from.exists() {
            let _ = fs::rename(&from, suffixed(&target, side));
        }
    }
    Ok(target)
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}
