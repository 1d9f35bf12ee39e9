//! Reading back: the start-up load and its windows, scopes, history, hostile text.

mod journal;

use ebtui::domain::{EnvStatus, HealthColor};
use ebtui::journal::{Journal, Location, Query, QueryAnswer, Record, Scope};
use journal::*;

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
