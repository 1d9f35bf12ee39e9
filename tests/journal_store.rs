//! The journal's storage: opening, migrating and recovering the file, the writer's batching,
//! de-duplication, health sampling, loads and queries, retention and stats, hostile text.

mod journal;

use std::fs;
use std::os::unix::fs::PermissionsExt;

use ebtui::domain::{EnvStatus, HealthColor};
use ebtui::journal::{
    Capture, CaptureSource, Journal, JournalStatus, Location, OpRecord, Query, QueryAnswer, Record,
    Scope, schema_version,
};
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
    let moved = notes
        .iter()
        .find_map(|n| match n {
            JournalStatus::Replaced { moved_to } => Some(moved_to.clone()),
            _ => None,
        })
        .expect("replaced");
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
    let moved = notes
        .iter()
        .find_map(|n| match n {
            JournalStatus::Replaced { moved_to } => Some(moved_to.clone()),
            _ => None,
        })
        .expect("replaced");
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
fn many_writes_are_stored_in_fewer_transactions() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path());
    let h = start(&path);
    for b in 0..500i64 {
        let ls = (0..20)
            .map(|i| line(T0 + b * 100 + i, &format!("line {b} {i}")))
            .collect();
        h.write(batch(T0 + b, vec![lines("e-1", ls)]));
    }
    h.flush();
    let counts = h.counters();
    h.close();
    assert_eq!(counts.batches_written, 500);
    assert!(counts.transactions < 500, "{counts:?}");
    assert_eq!(count(&path, "lines"), 10_000);
}

#[test]
fn duplicates_are_one_row_across_batches_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path());
    let records = || {
        vec![
            Record::Event {
                env_id: "e-1".into(),
                event: event("shop-prod", T0, "Deploy started"),
            },
            Record::Event {
                env_id: "e-1".into(),
                event: event("shop-prod", T0, "Deploy finished"),
            },
            Record::Stack {
                env_id: "e-1".into(),
                event: stack("ev-1", T0),
            },
            // Two identical lines of one millisecond stay two lines.
            lines(
                "e-1",
                vec![line(T0, "GET /"), line(T0, "GET /"), line(T0 + 1, "GET /x")],
            ),
        ]
    };
    let h = start(&path);
    h.write(batch(T0, records()));
    h.write(batch(T0 + 1, records()));
    h.close();
    let h = start(&path);
    h.write(batch(T0 + 2, records()));
    h.close();
    assert_eq!(count(&path, "events"), 2);
    assert_eq!(count(&path, "stack_events"), 1);
    assert_eq!(count(&path, "lines"), 3);
}

#[test]
fn health_keeps_transitions_and_the_first_reading_of_each_minute() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path());
    let h = start(&path);
    let minute = T0 - T0 % 60_000;
    let reading = |at: i64, color, causes: &[&str]| {
        batch(
            at,
            vec![
                Record::Env(env("shop-prod", "e-1", EnvStatus::Ready)),
                Record::Health {
                    env_id: "e-1".into(),
                    env_name: "shop-prod".into(),
                    snapshot: health(color, causes),
                },
            ],
        )
    };
    h.write(reading(minute + 1_000, HealthColor::Green, &[])); // first: kept
    h.write(reading(minute + 10_000, HealthColor::Green, &[])); // same minute, same: dropped
    h.write(reading(minute + 20_000, HealthColor::Red, &[])); // colour: transition
    h.write(reading(minute + 30_000, HealthColor::Red, &["5xx"])); // causes: transition
    h.write(reading(minute + 70_000, HealthColor::Red, &["5xx"])); // next minute: sample
    h.write(reading(minute + 80_000, HealthColor::Red, &["5xx"])); // dropped
    let scope = scope();
    let answer = ask(
        &h,
        Query::History {
            scope,
            env_id: "e-1".into(),
        },
    )
    .unwrap();
    h.close();
    let QueryAnswer::History(history) = answer else {
        panic!("history")
    };
    let points: Vec<(i64, bool)> = history
        .health
        .iter()
        .map(|p| (p.at - minute, p.transition))
        .collect();
    assert_eq!(
        points,
        vec![
            (1_000, true),
            (20_000, true),
            (30_000, true),
            (70_000, false)
        ]
    );
    assert_eq!(
        history.health[2].snapshot.env.causes,
        vec!["5xx".to_string()]
    );
}

fn op(key: &str, env_id: &str, started: i64) -> OpRecord {
    OpRecord {
        key: key.into(),
        env_id: env_id.into(),
        env_name: "shop-prod".into(),
        label: "Deploy v2".into(),
        ours: true,
        request_id: Some(key.into()),
        started,
        ended: None,
        outcome: None,
        error: None,
    }
}

fn capture(key: &str, env_id: &str, at: i64) -> Capture {
    Capture {
        key: key.into(),
        env_id: env_id.into(),
        env_name: "shop-prod".into(),
        op_key: Some("req-9".into()),
        reason: "Instance deployment failed".into(),
        at,
        source: CaptureSource::CloudWatch,
        lines: vec![
            line(at - 5, "npm ERR! missing script: start"),
            line(at - 1, "exit 1"),
        ],
        note: None,
    }
}

#[test]
fn the_load_keeps_the_window_and_recently_terminated_environments() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path());
    let h = start(&path);
    let newest = T0 + 48 * HOUR;
    // Terminated two hours before the newest record: gone from AWS, not loaded.
    h.write(batch(
        newest - 2 * HOUR,
        vec![Record::Env(env("old", "e-old", EnvStatus::Terminated))],
    ));
    // Alive when last seen long ago: loaded.
    h.write(batch(
        newest - 30 * HOUR,
        vec![Record::Env(env("quiet", "e-quiet", EnvStatus::Ready))],
    ));
    let mut failed = op("req-9", "e-1", newest - HOUR);
    failed.outcome = Some("failed".into());
    h.write(batch(
        newest - 30 * 60_000,
        vec![Record::Env(env("gone", "e-gone", EnvStatus::Terminated))],
    ));
    h.write(batch(
        newest,
        vec![
            Record::Env(env("shop-prod", "e-1", EnvStatus::Ready)),
            Record::Event {
                env_id: "e-1".into(),
                event: event("shop-prod", newest - 25 * HOUR, "too old"),
            },
            Record::Event {
                env_id: "e-1".into(),
                event: event("shop-prod", newest - 2 * HOUR, "second"),
            },
            Record::Event {
                env_id: "e-1".into(),
                event: event("shop-prod", newest - 3 * HOUR, "first"),
            },
            Record::Stack {
                env_id: "e-1".into(),
                event: stack("s-1", newest - HOUR),
            },
            Record::Stack {
                env_id: "e-1".into(),
                event: stack("s-0", newest - 30 * HOUR),
            },
            Record::Health {
                env_id: "e-1".into(),
                env_name: "shop-prod".into(),
                snapshot: health(HealthColor::Green, &[]),
            },
            Record::Op(failed.clone()),
            Record::Op(op("req-x", "e-other", newest)),
            Record::Capture(capture("e-1@1", "e-1", newest - HOUR)),
        ],
    ));
    h.write(batch(
        newest,
        vec![Record::Health {
            env_id: "e-1".into(),
            env_name: "shop-prod".into(),
            snapshot: health(HealthColor::Red, &["down"]),
        }],
    ));
    h.close();
    let (j, _) = open(&path, BIG);
    let loaded = j.load(&scope(), 24 * HOUR).unwrap();
    assert_eq!(loaded.newest, Some(newest));
    let mut names: Vec<&str> = loaded
        .envs
        .iter()
        .map(|k| k.env.env.name.as_str())
        .collect();
    names.sort();
    assert_eq!(names, vec!["gone", "quiet", "shop-prod"]);
    let gone = loaded
        .envs
        .iter()
        .find(|k| k.env.env.name == "gone")
        .unwrap();
    assert!(gone.terminated);
    let messages: Vec<&str> = loaded.events.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages, vec!["first", "second"]);
    assert_eq!(
        loaded.stack_events,
        vec![("e-1".to_string(), stack("s-1", newest - HOUR))]
    );
    assert_eq!(loaded.health.len(), 1);
    assert_eq!(
        loaded.health[0].1.env.color,
        HealthColor::Red,
        "the last reading"
    );
    assert_eq!(
        loaded.ops,
        vec![failed],
        "only operations of loaded environments"
    );
    assert_eq!(
        loaded.captures,
        vec![capture("e-1@1", "e-1", newest - HOUR)]
    );
    // Another region holds nothing.
    let other = Scope {
        region: "us-east-1".into(),
        ..scope()
    };
    assert_eq!(j.load(&other, 24 * HOUR).unwrap(), Default::default());
}

#[test]
fn a_scope_without_an_account_resolves_through_the_last_account_seen() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path());
    let no_account = Scope {
        account: None,
        ..scope()
    };
    let h = start(&path);
    // Before AWS named any account: filed under the profile.
    h.write(ebtui::journal::Batch {
        scope: no_account.clone(),
        at: T0,
        records: vec![Record::Env(env("early", "e-early", EnvStatus::Ready))],
    });
    h.write(batch(
        T0 + 1,
        vec![Record::Env(env("named", "e-named", EnvStatus::Ready))],
    ));
    // Now the profile and region resolve to the account.
    h.write(ebtui::journal::Batch {
        scope: no_account.clone(),
        at: T0 + 2,
        records: vec![Record::Env(env("later", "e-later", EnvStatus::Ready))],
    });
    let known = ask(&h, Query::Known(no_account.clone())).unwrap();
    h.close();
    let QueryAnswer::Known(known) = known else {
        panic!("known")
    };
    let names: Vec<&str> = known.iter().map(|k| k.env.env.name.as_str()).collect();
    assert_eq!(names, vec!["named", "later"]);
    let (j, _) = open(&path, BIG);
    let by_account = j.load(&scope(), HOUR).unwrap();
    assert_eq!(by_account.envs.len(), 2);
    let other_account = Scope {
        account: Some("999".into()),
        ..scope()
    };
    assert!(j.load(&other_account, HOUR).unwrap().envs.is_empty());
}

#[test]
fn history_returns_one_environment_with_its_newest_lines() {
    let h = Journal::open(Location::Memory, BIG)
        .unwrap()
        .0
        .start(Box::new(|_| {}));
    let ls: Vec<_> = (0..25_000)
        .map(|i| line(T0 + i, &format!("line {i}")))
        .collect();
    h.write(batch(
        T0,
        vec![
            Record::Env(env("shop-prod", "e-1", EnvStatus::Ready)),
            // An event the app could not place yet: matched by the environment's name.
            Record::Event {
                env_id: String::new(),
                event: event("shop-prod", T0, "created"),
            },
            Record::Event {
                env_id: "e-2".into(),
                event: event("other", T0, "not ours"),
            },
            lines("e-1", ls),
            Record::Capture(capture("e-1@1", "e-1", T0)),
        ],
    ));
    let answer = ask(
        &h,
        Query::History {
            scope: scope(),
            env_id: "e-1".into(),
        },
    )
    .unwrap();
    let missing = ask(
        &h,
        Query::History {
            scope: scope(),
            env_id: "e-9".into(),
        },
    );
    h.close();
    let QueryAnswer::History(history) = answer else {
        panic!("history")
    };
    assert_eq!(history.events.len(), 1);
    assert_eq!(history.lines.len(), ebtui::journal::LINES_MAX);
    assert_eq!(history.lines.first().unwrap().message, "line 5000");
    assert_eq!(history.lines.last().unwrap().message, "line 24999");
    assert_eq!(history.captures[0].lines.len(), 2);
    assert!(missing.unwrap_err().contains("e-9"));
}

#[test]
fn retention_prunes_log_lines_oldest_first_and_the_file_shrinks() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path());
    let h = start(&path);
    h.write(batch(
        T0,
        vec![
            Record::Env(env("shop-prod", "e-1", EnvStatus::Ready)),
            Record::Event {
                env_id: "e-1".into(),
                event: event("shop-prod", T0, "kept"),
            },
        ],
    ));
    for b in 0..40i64 {
        let ls = (0..1_000)
            .map(|i| line(T0 + b * 1_000 + i, &format!("{b}/{i} {}", "x".repeat(150))))
            .collect();
        h.write(batch(T0 + b, vec![lines("e-1", ls)]));
    }
    h.close();
    let before = fs::metadata(&path).unwrap().len();
    assert!(before > 8_000_000, "{before}");
    // A cap of 2 MB: the next close prunes.
    let cap = 2_000_000;
    let h = open(&path, cap).0.start(Box::new(|_| {}));
    h.write(batch(
        T0 + 100,
        vec![lines("e-1", vec![line(T0 + 50_000, "newest")])],
    ));
    let stats = ask(&h, Query::Stats);
    h.close();
    let after = fs::metadata(&path).unwrap().len();
    assert!(after < before / 2 && after <= cap, "{before} -> {after}");
    let conn = raw(&path);
    let (n, oldest): (i64, i64) = conn
        .query_row("SELECT count(*), min(ts) FROM lines", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert!(n > 0 && n < 40_001, "{n}");
    // Oldest first: what is left is the newest lines, without a hole.
    let newest_kept: i64 = conn
        .query_row("SELECT count(*) FROM lines WHERE ts >= ?1", [oldest], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(newest_kept, n);
    assert!(oldest > T0, "the oldest lines went");
    assert_eq!(count(&path, "events"), 1, "events stay while lines can go");
    let QueryAnswer::Stats(stats) = stats.unwrap() else {
        panic!("stats")
    };
    assert_eq!(stats.max_bytes, cap);
}

#[test]
fn stats_count_rows_per_environment_and_kind() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path());
    let h = start(&path);
    h.write(batch(
        T0,
        vec![
            Record::Env(env("shop-prod", "e-1", EnvStatus::Ready)),
            Record::Event {
                env_id: "e-1".into(),
                event: event("shop-prod", T0, "one"),
            },
            Record::Event {
                env_id: "e-1".into(),
                event: event("shop-prod", T0 + 1, "two"),
            },
            Record::Stack {
                env_id: "e-1".into(),
                event: stack("s-1", T0),
            },
            lines("e-1", (0..10).map(|i| line(T0 + i, "0123456789")).collect()),
        ],
    ));
    let QueryAnswer::Stats(stats) = ask(&h, Query::Stats).unwrap() else {
        panic!("stats")
    };
    h.close();
    let row = |kind: &str| {
        stats
            .rows
            .iter()
            .find(|r| r.kind == kind && r.env_name == "shop-prod")
            .cloned()
    };
    assert_eq!(row("events").map(|r| r.rows), Some(2));
    assert_eq!(
        row("stack events").map(|r| r.rows),
        Some(1),
        "named through its environment"
    );
    let log = row("log lines").unwrap();
    assert_eq!(log.rows, 10);
    assert!(log.bytes >= 10 * 10, "{log:?}");
    assert!(stats.file_bytes > 0);
    assert_eq!(stats.path, path.display().to_string());
    assert!(
        stats.rows.windows(2).all(|w| w[0].bytes >= w[1].bytes),
        "largest first"
    );
}

#[test]
fn text_edited_into_the_file_comes_back_sanitized() {
    let dir = tempfile::tempdir().unwrap();
    let path = file(dir.path());
    let h = start(&path);
    let mut o = op("req-1", "e-1", T0);
    o.error = Some("fine".into());
    h.write(batch(
        T0,
        vec![
            Record::Env(env("shop-prod", "e-1", EnvStatus::Ready)),
            Record::Event {
                env_id: "e-1".into(),
                event: event("shop-prod", T0, "fine"),
            },
            Record::Op(o),
            lines("e-1", vec![line(T0, "fine")]),
        ],
    ));
    h.close();
    let evil = "\u{1b}]0;owned\u{7}\u{1b}[2J txt\u{202e}exe";
    {
        let conn = raw(&path);
        conn.execute("UPDATE events SET message = ?1", [evil])
            .unwrap();
        conn.execute("UPDATE lines SET message = ?1, grp = ?1", [evil])
            .unwrap();
        conn.execute(
            "UPDATE ops SET data = json_set(data, '$.error', ?1)",
            [evil],
        )
        .unwrap();
        conn.execute(
            "UPDATE environments SET data = json_set(data, '$.env.name', ?1)",
            [evil],
        )
        .unwrap();
    }
    let (j, _) = open(&path, BIG);
    let loaded = j.load(&scope(), HOUR).unwrap();
    let h = j.start(Box::new(|_| {}));
    let QueryAnswer::History(history) = ask(
        &h,
        Query::History {
            scope: scope(),
            env_id: "e-1".into(),
        },
    )
    .unwrap() else {
        panic!("history")
    };
    h.close();
    let texts = [
        loaded.events[0].message.clone(),
        loaded.ops[0].error.clone().unwrap(),
        loaded.envs[0].env.env.name.clone(),
        history.lines[0].message.clone(),
        history.lines[0].group.clone(),
    ];
    for t in texts {
        assert!(
            !t.contains('\u{1b}') && !t.contains('\u{7}') && !t.contains('\u{202e}'),
            "{t:?}"
        );
        assert!(t.contains("<U+202E>"), "{t:?}");
    }
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
