//! Storing: the writer's batching, de-duplication, health sampling, retention and stats.

mod journal;

use std::fs;

use ebtui::domain::{EnvStatus, HealthColor};
use ebtui::journal::{Query, QueryAnswer, Record};
use journal::*;

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
