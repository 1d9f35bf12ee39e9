//! Opening the journal: a new file migrated with its pragmas and owner-only, a newer schema
//! refused untouched, a corrupt or foreign file moved aside, a directory that cannot be written.

mod journal;

use std::fs;
use std::os::unix::fs::PermissionsExt;

use ebtui::domain::EnvStatus;
use ebtui::journal::{Journal, JournalStatus, Location, Record, schema_version};
use journal::*;

#[test]
fn a_new_journal_is_migrated_with_its_pragmas_and_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path());
    let (j, notes) = open(&path, BIG);
    assert_eq!(
        notes,
        vec![JournalStatus::Open {
            path: path.display().to_string()
        }]
    );
    drop(j);
    let conn = raw(&path);
    let get = |p: &str| {
        conn.query_row(&format!("PRAGMA {p}"), [], |r| {
            r.get::<_, rusqlite::types::Value>(0)
        })
        .unwrap()
    };
    assert_eq!(
        get("user_version"),
        rusqlite::types::Value::Integer(schema_version())
    );
    assert_eq!(
        get("application_id"),
        rusqlite::types::Value::Integer(ebtui::journal::APPLICATION_ID)
    );
    assert_eq!(
        get("auto_vacuum"),
        rusqlite::types::Value::Integer(2),
        "incremental"
    );
    assert_eq!(
        get("journal_mode"),
        rusqlite::types::Value::Text("wal".into())
    );
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(tables >= 9, "{tables} tables");
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o700
    );
    // Opening again migrates nothing and keeps the version.
    drop(conn);
    let (_j, notes) = open(&path, BIG);
    assert!(matches!(notes.as_slice(), [JournalStatus::Open { .. }]));
}

#[test]
fn a_newer_schema_is_refused_and_the_file_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path());
    drop(open(&path, BIG));
    {
        let conn = raw(&path);
        conn.execute_batch("PRAGMA user_version = 7; PRAGMA journal_mode = DELETE;")
            .unwrap();
    }
    let before = fs::read(&path).unwrap();
    let err = Journal::open(Location::File(path.clone()), BIG)
        .err()
        .expect("refused");
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(
        err.contains("newer ebtui (schema 7; this one knows 1)"),
        "{err}"
    );
    assert!(err.contains("--journal PATH"), "{err}");
    assert_eq!(fs::read(&path).unwrap(), before, "not a byte changed");
}

#[test]
fn a_corrupt_file_is_moved_aside_and_a_new_journal_begun() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path());
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let garbage: Vec<u8> = (0..10_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    fs::write(&path, &garbage).unwrap();
    let (j, notes) = open(&path, BIG);
    let moved = moved_to(&notes);
    assert!(
        moved.starts_with(&format!("{}.corrupt-", path.display())),
        "{moved}"
    );
    assert_eq!(
        fs::read(&moved).unwrap(),
        garbage,
        "the old file is kept whole"
    );
    let h = j.start(Box::new(|_| {}));
    h.write(batch(
        T0,
        vec![Record::Env(env("shop-prod", "e-1", EnvStatus::Ready))],
    ));
    h.close();
    assert_eq!(count(&path, "environments"), 1);
}

#[test]
fn a_foreign_sqlite_file_is_moved_aside_with_its_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    {
        let conn = raw(&path);
        conn.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('mine');")
            .unwrap();
        // Keep the WAL: copy the files while this connection is open would be racy, so close
        // normally (the WAL is checkpointed) and check the table survives the move.
    }
    let (_j, notes) = open(&path, BIG);
    let moved = moved_to(&notes);
    let kept: String = rusqlite::Connection::open(&moved)
        .unwrap()
        .query_row("SELECT t FROM notes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, "mine");
    let app: i64 = raw(&path)
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app, ebtui::journal::APPLICATION_ID);
}

#[test]
fn a_directory_that_cannot_be_written_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    fs::create_dir(&ro).unwrap();
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o500)).unwrap();
    // A privileged user writes anyway; then take a place nobody can create a directory in.
    let probe = ro.join("probe");
    let target = if fs::write(&probe, b"").is_ok() {
        std::path::PathBuf::from("/proc/ebtui-journal-test/sub")
    } else {
        ro.join("sub")
    };
    let path = target.join("journal.sqlite");
    let err = Journal::open(Location::File(path), BIG)
        .err()
        .expect("refused");
    assert!(err.contains(&target.display().to_string()), "{err}");
    assert!(err.contains("os error"), "the OS reason: {err}");
    // A file where the directory should be: refused the same way, whoever runs the test.
    let blocker = dir.path().join("file");
    fs::write(&blocker, b"x").unwrap();
    let err = Journal::open(Location::File(blocker.join("journal.sqlite")), BIG)
        .err()
        .expect("refused");
    assert!(err.contains(&blocker.display().to_string()), "{err}");
    fs::set_permissions(&ro, fs::Permissions::from_mode(0o700)).unwrap();
}

/// Where the journal said it moved the file it could not use.
fn moved_to(notes: &[JournalStatus]) -> String {
    notes
        .iter()
        .find_map(|n| match n {
            JournalStatus::Replaced { moved_to } => Some(moved_to.clone()),
            _ => None,
        })
        .expect("the file was moved aside")
}
