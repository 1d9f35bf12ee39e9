//! The journal from `update`'s side: what is handed to it, the start-up load, `:journal`
//! reopening an environment AWS no longer lists, and `:report`.

use crossterm::event::KeyCode;

use super::super::modal::Modal;
use super::super::{App, Effect, Msg, update};
use super::support::*;
use crate::cloud::{Answer, PollKey};
use crate::domain::*;
use crate::journal::{
    Batch, Capture, CaptureSource, EnvHistory, KnownEnv, Loaded, LogLine, Query, QueryAnswer,
    Record,
};

fn journaled(envs: Vec<Environment>) -> App {
    let mut app = app_with(envs, false);
    app.settings.journal = true;
    app
}

fn batches(fx: &[Effect]) -> Vec<&Batch> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Journal(b) => Some(b),
            _ => None,
        })
        .collect()
}

fn event(env: &str, ts: Millis, sev: Severity, msg: &str, rid: &str) -> EnvEvent {
    EnvEvent {
        ts,
        env: env.into(),
        severity: sev,
        message: msg.into(),
        version: None,
        request_id: Some(rid.into()),
    }
}

fn command(app: &mut App, line: &str) -> Vec<Effect> {
    let mut fx = key(app, ':');
    for c in line.chars() {
        fx.extend(key(app, c));
    }
    fx.extend(code(app, KeyCode::Enter));
    fx
}

#[test]
fn what_aws_said_is_handed_to_the_journal_with_the_environment_id() {
    let mut app = journaled(prod());
    let now = app.now;
    let fx = reply(
        &mut app,
        PollKey::AccountEvents,
        Ok(Answer::Events(vec![event(
            "storefront-prod",
            now,
            Severity::Info,
            "Environment update is starting.",
            "r-1",
        )])),
    );
    let b = batches(&fx);
    assert_eq!(b.len(), 1, "{fx:?}");
    assert_eq!(b[0].scope.region, app.account.ctx.region);
    match &b[0].records[..] {
        [Record::Event { env_id, event }] => {
            assert_eq!(env_id, "e-storefront-prod");
            assert_eq!(event.message, "Environment update is starting.");
        }
        other => panic!("{other:?}"),
    }
    let fx = reply(
        &mut app,
        PollKey::Environments,
        Ok(Answer::Environments(prod())),
    );
    let envs: Vec<&str> = batches(&fx)[0]
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Env(e) => Some(e.env.name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(envs, ["storefront-prod", "storefront-staging"]);
}

#[test]
fn without_a_journal_nothing_is_handed_over() {
    let mut app = app_with(prod(), false);
    let fx = reply(
        &mut app,
        PollKey::Environments,
        Ok(Answer::Environments(prod())),
    );
    assert!(batches(&fx).is_empty(), "{fx:?}");
}

#[test]
fn configuration_never_reaches_the_journal() {
    let mut app = journaled(prod());
    let config = EnvConfig {
        settings: vec![OptionSetting {
            namespace: "aws:elasticbeanstalk:application:environment".into(),
            name: "DB_PASSWORD".into(),
            value: Some("hunter2-secret".into()),
        }],
        ..EnvConfig::default()
    };
    let fx = reply(
        &mut app,
        PollKey::Config("storefront-prod".into()),
        Ok(Answer::Config(config)),
    );
    assert!(batches(&fx).is_empty(), "{fx:?}");
    assert!(!format!("{fx:?}").contains("hunter2"));
}

#[test]
fn an_operation_we_start_is_kept_with_its_outcome() {
    let mut app = journaled(prod());
    key(&mut app, 'S'); // restart asks to confirm
    let fx = code(&mut app, KeyCode::Enter);
    assert_eq!(executed(&fx).len(), 1, "{fx:?}");
    let ops: Vec<_> = batches(&fx)
        .iter()
        .flat_map(|b| &b.records)
        .filter_map(|r| match r {
            Record::Op(o) => Some(o.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(ops.len(), 1, "{fx:?}");
    assert!(ops[0].ours);
    assert_eq!(ops[0].env_id, "e-storefront-prod");
    assert_eq!(ops[0].outcome, None);
    assert_eq!(app.account.journal.ops.len(), 1);
}

fn loaded(now: Millis) -> Loaded {
    let mut gone = env(
        "storefront",
        "storefront-canary",
        EnvStatus::Terminated,
        "v1.5.0-rc.1",
    );
    gone.created = now - 3_600_000;
    Loaded {
        newest: Some(now - 2 * 3_600_000),
        envs: prod()
            .into_iter()
            .map(|e| KnownEnv {
                env: e,
                first_seen: now - 86_400_000,
                last_seen: now - 2 * 3_600_000,
                terminated: false,
            })
            .collect(),
        events: vec![event(
            "storefront-prod",
            now - 3 * 3_600_000,
            Severity::Info,
            "Environment update completed successfully.",
            "r-9",
        )],
        ..Loaded::default()
    }
}

#[test]
fn the_journal_fills_the_first_screen_marked_with_its_age_until_aws_answers() {
    let mut app = App::new(
        super::super::Settings {
            journal: true,
            ..Default::default()
        },
        super::super::keymap::KeyMap::default(),
        CloudContext::default(),
        10_000_000_000,
    );
    let now = app.now;
    let fx = update(&mut app, Msg::JournalLoaded(Box::new(loaded(now))), now);
    assert_eq!(app.account.envs.all.len(), 2);
    assert_eq!(app.account.selected.as_deref(), Some("storefront-prod"));
    assert_eq!(app.account.journal.loaded_at, Some(now - 2 * 3_600_000));
    assert_eq!(app.account.ledger.of("storefront-prod").len(), 1);
    // The account's events are read from the newest kept on, not 14 days back.
    assert_eq!(app.account.events_cursor, Some(now - 3 * 3_600_000));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Poll(crate::cloud::Request::Events { .. }))),
        "the selection reads as usual: {fx:?}"
    );
    reply(
        &mut app,
        PollKey::Environments,
        Ok(Answer::Environments(prod())),
    );
    assert_eq!(app.account.journal.loaded_at, None, "live now");
}

fn history(now: Millis) -> EnvHistory {
    let mut e = env(
        "storefront",
        "storefront-canary",
        EnvStatus::Launching,
        "v1.5.0-rc.1",
    );
    e.env.id = "e-canary1".into();
    EnvHistory {
        known: KnownEnv {
            env: e,
            first_seen: now - 5 * 3_600_000,
            last_seen: now - 4 * 3_600_000,
            terminated: true,
        },
        events: vec![
            event("storefront-canary", now - 5 * 3_600_000, Severity::Info, "createEnvironment is starting.", "r-c"),
            event("storefront-canary", now - 5 * 3_600_000 + 60_000, Severity::Error, "Instance deployment failed. For details, see 'eb-engine.log'.", "r-c"),
            event("storefront-canary", now - 5 * 3_600_000 + 120_000, Severity::Error, "Create environment operation is complete, but with errors. For more information, see troubleshooting documentation.", "r-c"),
        ],
        stack_events: Vec::new(),
        health: Vec::new(),
        ops: Vec::new(),
        captures: vec![Capture {
            key: "e-canary1@1".into(),
            env_id: "e-canary1".into(),
            env_name: "storefront-canary".into(),
            op_key: Some("r-c".into()),
            reason: "Instance deployment failed".into(),
            at: now - 5 * 3_600_000 + 60_000,
            source: CaptureSource::CloudWatch,
            lines: vec![LogLine {
                id: String::new(),
                ts: now - 5 * 3_600_000 + 50_000,
                group: "/aws/elasticbeanstalk/storefront-canary/var/log/eb-engine.log".into(),
                stream: "i-1".into(),
                message: "[ERROR] An error occurred during execution of command [app-deploy] - [RunAppDeployPreBuildHooks]".into(),
            }],
            note: None,
        }],
        lines: vec![LogLine {
            id: String::new(),
            ts: now - 5 * 3_600_000 + 50_000,
            group: "/aws/elasticbeanstalk/storefront-canary/var/log/eb-engine.log".into(),
            stream: "i-1".into(),
            message: "recorded line".into(),
        }],
    }
}

#[test]
fn journal_lists_what_aws_no_longer_lists_and_reopens_it_read_only() {
    let mut app = journaled(prod());
    let fx = command(&mut app, "journal");
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::JournalQuery(Query::Known(_)))),
        "{fx:?}"
    );
    assert!(matches!(
        app.view.modal,
        Some(Modal::Journal { gone: None, .. })
    ));
    let h = history(app.now);
    let mut known: Vec<KnownEnv> = prod()
        .into_iter()
        .map(|e| KnownEnv {
            env: e,
            first_seen: 0,
            last_seen: 0,
            terminated: false,
        })
        .collect();
    known.push(h.known.clone());
    let now = app.now;
    let epoch = app.account.epoch;
    update(
        &mut app,
        Msg::Journal {
            epoch,
            answer: Ok(QueryAnswer::Known(known)),
        },
        now,
    );
    match &app.view.modal {
        Some(Modal::Journal { gone: Some(g), .. }) => {
            let names: Vec<&str> = g.iter().map(|k| k.env.env.name.as_str()).collect();
            assert_eq!(
                names,
                ["storefront-canary"],
                "only what AWS no longer lists"
            );
        }
        other => panic!("{other:?}"),
    }
    let fx = code(&mut app, KeyCode::Enter);
    assert!(
        fx.iter().any(|e| matches!(e, Effect::JournalQuery(Query::History { env_id, .. }) if env_id == "e-canary1")),
        "{fx:?}"
    );
    let fx = update(
        &mut app,
        Msg::Journal {
            epoch,
            answer: Ok(QueryAnswer::History(Box::new(h))),
        },
        now,
    );
    assert_eq!(app.account.selected.as_deref(), Some("storefront-canary"));
    let canary = app.selected_env().unwrap();
    assert_eq!(canary.status, EnvStatus::Terminated);
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Poll(_))),
        "nothing is read from AWS: {fx:?}"
    );
    let ops = app.account.ledger.of("storefront-canary");
    assert_eq!(ops.len(), 1);
    assert_eq!(
        app.logs.pane.buffer().len(),
        2,
        "the recorded line and the captured one are shown"
    );
    // Writes are refused: it is gone.
    let fx = key(&mut app, 'S');
    assert!(executed(&fx).is_empty());
    assert!(app.view.modal.is_none(), "no confirmation opens");
    // AWS's next list does not drop it from the table.
    reply(
        &mut app,
        PollKey::Environments,
        Ok(Answer::Environments(prod())),
    );
    assert!(app.account.envs.get("storefront-canary").is_some());
    // Its own polls are not made.
    let inputs = super::super::update::schedule_inputs(&app);
    assert_eq!(inputs.shown_env, None);
}
