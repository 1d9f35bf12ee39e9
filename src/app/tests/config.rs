//! The Config view: opened with its read, values masked until revealed (and masked again when it
//! reopens), the edit form (add, change, delete, paste, import, export), validation and the
//! refusal over 4,096 bytes, the diff as one confirmed write, log streaming on.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::config_view::{Line, Reveal};
use super::super::modal::Modal;
use super::super::{App, Effect, Msg, update};
use super::support::*;
use crate::cloud::{Answer, Op, PollKey, Request};
use crate::domain::{EnvConfig, EnvStatus, OptionKey, OptionSetting};

const ENV_NS: &str = "aws:elasticbeanstalk:application:environment";

fn setting(ns: &str, name: &str, value: &str) -> OptionSetting {
    OptionSetting {
        namespace: ns.into(),
        name: name.into(),
        value: Some(value.into()),
    }
}

fn config(props: &[(&str, &str)]) -> EnvConfig {
    let mut settings: Vec<OptionSetting> =
        props.iter().map(|(k, v)| setting(ENV_NS, k, v)).collect();
    settings.push(setting(
        "aws:elasticbeanstalk:cloudwatch:logs",
        "StreamLogs",
        "false",
    ));
    EnvConfig {
        settings,
        ..EnvConfig::default()
    }
}

/// `E` on storefront-prod, and its configuration arrives.
fn opened(props: &[(&str, &str)]) -> App {
    let mut app = app_with(prod(), false);
    let fx = key(&mut app, 'E');
    assert!(
        fx.contains(&Effect::Poll(Request::Config {
            env: prod()[0].env.clone()
        })),
        "{fx:?}"
    );
    reply(
        &mut app,
        PollKey::Config("storefront-prod".into()),
        Ok(Answer::Config(config(props))),
    );
    app
}

fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    app.drawn();
    let now = app.now;
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
        now,
    )
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, c);
    }
}

fn view(app: &App) -> &super::super::config_view::ConfigView {
    match &app.view.modal {
        Some(Modal::Config(v)) => v,
        other => panic!("{other:?}"),
    }
}

#[test]
fn values_are_masked_until_revealed_and_masked_again_next_time() {
    let mut app = opened(&[("API_KEY", "s3cret"), ("DB_URL", "postgres://x")]);
    assert_eq!(view(&app).reveal, Reveal::Hidden);
    key(&mut app, 'v');
    assert_eq!(view(&app).reveal, Reveal::One("API_KEY".into()));
    key(&mut app, 'V');
    assert_eq!(view(&app).reveal, Reveal::All);
    code(&mut app, KeyCode::Esc);
    assert!(app.view.modal.is_none());
    key(&mut app, 'E');
    assert_eq!(
        view(&app).reveal,
        Reveal::Hidden,
        "masked after every opening"
    );
}

#[test]
fn an_added_property_becomes_one_confirmed_write() {
    let mut app = opened(&[("API_KEY", "s3cret")]);
    key(&mut app, 'e');
    key(&mut app, 'a');
    typed(&mut app, "FEATURE_X=on");
    code(&mut app, KeyCode::Enter);
    let e = view(&app).edit.as_ref().expect("editing");
    assert!(
        e.props
            .iter()
            .any(|p| p.key == "FEATURE_X" && p.value == "on")
    );
    ctrl(&mut app, 's');
    let lines = match &app.view.modal {
        Some(Modal::Confirm { lines, op, .. }) => {
            match op {
                Op::Configure { set, remove, .. } => {
                    assert_eq!(set, &vec![setting(ENV_NS, "FEATURE_X", "on")]);
                    assert!(remove.is_empty());
                }
                other => panic!("{other:?}"),
            }
            lines.join("\n")
        }
        other => panic!("{other:?}"),
    };
    assert!(lines.contains("+ FEATURE_X = ••••"), "{lines}");
    assert!(
        !lines.contains("on\n"),
        "values stay masked in the diff:\n{lines}"
    );
    assert!(
        lines.contains("All instances restart their application."),
        "{lines}"
    );
    let fx = key(&mut app, 'y');
    assert!(
        matches!(&executed(&fx)[..], [Op::Configure { .. }]),
        "{fx:?}"
    );
}

#[test]
fn a_change_a_rename_and_a_delete_are_one_diff() {
    let mut app = opened(&[("A", "1"), ("B", "2"), ("C", "3")]);
    key(&mut app, 'e');
    // The cursor is on A (sorted by name): change it to A=10.
    code(&mut app, KeyCode::Enter);
    for _ in 0.."A=1".len() {
        code(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, "A=10");
    code(&mut app, KeyCode::Enter);
    // B: renamed to BB.
    code(&mut app, KeyCode::Down);
    code(&mut app, KeyCode::Enter);
    code(&mut app, KeyCode::Home);
    key(&mut app, 'B');
    code(&mut app, KeyCode::Enter);
    // C: deleted.
    code(&mut app, KeyCode::Down);
    code(&mut app, KeyCode::Down);
    key(&mut app, 'd');
    ctrl(&mut app, 's');
    match &app.view.modal {
        Some(Modal::Confirm {
            op: Op::Configure { set, remove, .. },
            ..
        }) => {
            let mut set_keys: Vec<&str> = set.iter().map(|s| s.name.as_str()).collect();
            set_keys.sort();
            assert_eq!(set_keys, ["A", "BB"]);
            let mut removed: Vec<&str> = remove.iter().map(|k| k.name.as_str()).collect();
            removed.sort();
            assert_eq!(removed, ["B", "C"]);
            assert!(remove.contains(&OptionKey {
                namespace: ENV_NS.into(),
                name: "C".into()
            }));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn over_the_limit_is_refused_with_what_to_move_to_secrets() {
    let big = "x".repeat(3_000);
    let mut app = opened(&[("BIG_JSON", &big)]);
    key(&mut app, 'e');
    key(&mut app, 'a');
    typed(&mut app, &format!("MORE={}", "y".repeat(1_200)));
    code(&mut app, KeyCode::Enter);
    let fx = ctrl(&mut app, 's');
    assert!(executed(&fx).is_empty());
    let e = view(&app).edit.as_ref().expect("still editing");
    let problems = match &e.line {
        Some(Line::Problems(p)) => p.join("\n"),
        other => panic!("{other:?}"),
    };
    assert!(problems.contains("BIG_JSON"), "{problems}");
    assert!(problems.contains("move"), "{problems}");
}

#[test]
fn a_pasted_env_block_is_taken_whole_or_not_at_all() {
    let mut app = opened(&[("A", "1")]);
    key(&mut app, 'e');
    let now = app.now;
    update(
        &mut app,
        Msg::Paste("export B=2\n# comment\nC=\"three words\"\n".into()),
        now,
    );
    let e = view(&app).edit.as_ref().unwrap();
    assert_eq!(e.props.len(), 3, "{:?}", e.props);
    update(&mut app, Msg::Paste("D=4\nnot a line\n".into()), now);
    let e = view(&app).edit.as_ref().unwrap();
    assert_eq!(e.props.len(), 3, "a bad line takes nothing");
    assert!(matches!(&e.line, Some(Line::Problems(p)) if p.iter().any(|l| l.contains("line 2"))));
}

#[test]
fn import_reads_the_file_and_export_writes_no_values_unless_asked() {
    let mut app = opened(&[("API_KEY", "s3cret")]);
    key(&mut app, 'e');
    key(&mut app, ':');
    typed(&mut app, "props-import prod.env");
    let fx = code(&mut app, KeyCode::Enter);
    assert_eq!(fx, vec![Effect::ReadFile("prod.env".into())]);
    let now = app.now;
    update(
        &mut app,
        Msg::FileRead {
            path: "prod.env".into(),
            result: Ok("NEW=1\n".into()),
        },
        now,
    );
    assert!(
        view(&app)
            .edit
            .as_ref()
            .unwrap()
            .props
            .iter()
            .any(|p| p.key == "NEW")
    );

    code(&mut app, KeyCode::Esc); // discard the edit
    key(&mut app, ':');
    typed(&mut app, "props-export out.env");
    let fx = code(&mut app, KeyCode::Enter);
    match &fx[..] {
        [Effect::SaveFile { path, contents }] => {
            assert_eq!(path, "out.env");
            assert!(contents.contains("API_KEY="), "{contents}");
            assert!(!contents.contains("s3cret"), "{contents}");
        }
        other => panic!("{other:?}"),
    }
    key(&mut app, ':');
    typed(&mut app, "props-export out.env --values");
    let fx = code(&mut app, KeyCode::Enter);
    assert!(matches!(&fx[..], [Effect::SaveFile { contents, .. }] if contents.contains("s3cret")));
}

#[test]
fn editing_is_refused_read_only_and_while_not_ready() {
    let mut app = app_with(prod(), true);
    key(&mut app, 'E');
    reply(
        &mut app,
        PollKey::Config("storefront-prod".into()),
        Ok(Answer::Config(config(&[("A", "1")]))),
    );
    key(&mut app, 'e');
    assert!(view(&app).edit.is_none());
    assert!(app.view.flash.as_ref().unwrap().text.contains("read-only"));

    let mut envs = prod();
    envs[0].status = EnvStatus::Updating;
    let mut app = app_with(envs, false);
    key(&mut app, 'E');
    reply(
        &mut app,
        PollKey::Config("storefront-prod".into()),
        Ok(Answer::Config(config(&[("A", "1")]))),
    );
    key(&mut app, 'e');
    assert!(view(&app).edit.is_none());
    let flash = app.view.flash.as_ref().unwrap().text.clone();
    assert!(flash.contains("only of a Ready environment"), "{flash}");
}

#[test]
fn log_streaming_is_one_confirmed_configuration_change() {
    let mut app = opened(&[]);
    key(&mut app, 'L');
    assert!(matches!(app.view.modal, Some(Modal::Pick { .. })));
    code(&mut app, KeyCode::Enter);
    let fx = key(&mut app, 'y');
    match &executed(&fx)[..] {
        [Op::Configure { set, .. }] => {
            let by = |n: &str| {
                set.iter()
                    .find(|s| s.name == n)
                    .and_then(|s| s.value.clone())
            };
            assert_eq!(by("StreamLogs").as_deref(), Some("true"));
            assert_eq!(by("RetentionInDays").as_deref(), Some("7"));
            assert_eq!(by("DeleteOnTerminate").as_deref(), Some("false"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn secrets_are_added_checked_and_removed_in_the_same_write() {
    let mut cfg = config(&[("A", "1")]);
    cfg.settings.push(setting(
        "aws:elasticbeanstalk:application:environmentsecrets",
        "OLD_TOKEN",
        "arn:aws:ssm:us-east-1:123456789012:parameter/prod/old-token",
    ));
    let mut app = app_with(prod(), false);
    key(&mut app, 'E');
    reply(
        &mut app,
        PollKey::Config("storefront-prod".into()),
        Ok(Answer::Config(cfg)),
    );
    key(&mut app, 'e');
    // An ARN of the wrong shape is refused with the reason; nothing is added.
    key(&mut app, 'A');
    typed(&mut app, "DB_PASSWORD=arn:aws:s3:::bucket");
    code(&mut app, KeyCode::Enter);
    let e = view(&app).edit.as_ref().unwrap();
    assert_eq!(e.secrets.len(), 1);
    assert!(
        app.view
            .flash
            .as_ref()
            .unwrap()
            .text
            .starts_with("secret: ")
    );
    code(&mut app, KeyCode::Esc);
    key(&mut app, 'A');
    typed(
        &mut app,
        "DB_PASSWORD=arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf:password",
    );
    code(&mut app, KeyCode::Enter);
    // The rows: A, then the secrets by name: DB_PASSWORD, OLD_TOKEN. Delete OLD_TOKEN.
    code(&mut app, KeyCode::Down);
    code(&mut app, KeyCode::Down);
    key(&mut app, 'd');
    ctrl(&mut app, 's');
    match &app.view.modal {
        Some(Modal::Confirm {
            op: Op::Configure { set, remove, .. },
            lines,
            ..
        }) => {
            assert_eq!(
                set,
                &vec![setting(
                    "aws:elasticbeanstalk:application:environmentsecrets",
                    "DB_PASSWORD",
                    "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf:password"
                )]
            );
            assert_eq!(
                remove,
                &vec![OptionKey {
                    namespace: "aws:elasticbeanstalk:application:environmentsecrets".into(),
                    name: "OLD_TOKEN".into()
                }]
            );
            let text = lines.join("\n");
            assert!(text.contains("+ secret DB_PASSWORD"), "{text}");
            assert!(text.contains("- secret OLD_TOKEN"), "{text}");
        }
        other => panic!("{other:?}"),
    }
}
