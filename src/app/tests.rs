//! `update` tests: a state, a message, the resulting state and effects.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keymap::KeyMap;
use super::modal::Modal;
use super::ops::Outcome;
use super::{App, Effect, Msg, Pane, Poll, PollKey, Reply, Settings, update};
use crate::cloud::{CloudError, Op, OpAccepted, RollbackVia};
use crate::domain::*;

pub(crate) fn env(app: &str, name: &str, status: EnvStatus, version: &str) -> Environment {
    Environment {
        env: EnvRef {
            app: app.into(),
            name: name.into(),
            id: format!("e-{name}"),
        },
        status,
        health: HealthColor::Green,
        health_status: Some(HealthStatus::Ok),
        version: Some(version.into()),
        tier: Tier::Web,
        cname: Some(format!("{name}.example.com")),
        abortable: false,
        updated: 0,
        created: 0,
        platform: "Node.js 20".into(),
        deployment_policy: Some("Rolling".into()),
    }
}

fn app_with(envs: Vec<Environment>, read_only: bool) -> App {
    let settings = Settings {
        read_only,
        ..Settings::default()
    };
    let mut app = App::new(
        settings,
        KeyMap::default(),
        CloudContext::default(),
        1_000_000,
    );
    let fx = update(
        &mut app,
        Msg::Cloud {
            epoch: 0,
            key: PollKey::Environments,
            reply: Reply::Environments(Ok(envs)),
        },
        1_000_000,
    );
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Poll(Poll::Events { .. }))),
        "the first environment is selected and read: {fx:?}"
    );
    app
}

/// A key typed by a person: the screen is drawn before it.
fn key(app: &mut App, c: char) -> Vec<Effect> {
    app.drawn();
    let now = app.now;
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        now,
    )
}

fn code(app: &mut App, k: KeyCode) -> Vec<Effect> {
    app.drawn();
    let now = app.now;
    update(app, Msg::Key(KeyEvent::new(k, KeyModifiers::NONE)), now)
}

fn reply(app: &mut App, key: PollKey, reply: Reply) -> Vec<Effect> {
    let now = app.now;
    update(
        app,
        Msg::Cloud {
            epoch: app.epoch,
            key,
            reply,
        },
        now,
    )
}

fn executed(fx: &[Effect]) -> Vec<Op> {
    fx.iter()
        .filter_map(|e| {
            if let Effect::Execute { op, .. } = e {
                Some(op.clone())
            } else {
                None
            }
        })
        .collect()
}

fn prod() -> Vec<Environment> {
    vec![
        env(
            "storefront",
            "storefront-prod",
            EnvStatus::Ready,
            "v-broken",
        ),
        env(
            "storefront",
            "storefront-staging",
            EnvStatus::Ready,
            "v1.4.4",
        ),
    ]
}

#[test]
fn read_only_refuses_every_write_before_a_dialog_opens() {
    let mut app = app_with(prod(), true);
    for c in ['D', 'U', 'B', 'A', 'S', 'W'] {
        let fx = key(&mut app, c);
        assert!(app.modal.is_none(), "{c} opened a dialog in read-only mode");
        assert!(executed(&fx).is_empty());
        let flash = app
            .flash
            .as_ref()
            .map(|f| f.text.clone())
            .unwrap_or_default();
        assert!(flash.contains("read-only"), "{c}: {flash}");
    }
}

#[test]
fn rollback_during_an_abortable_update_aborts() {
    let mut envs = prod();
    envs[0].status = EnvStatus::Updating;
    envs[0].abortable = true;
    let mut app = app_with(envs, false);
    key(&mut app, 'U');
    match &app.modal {
        Some(Modal::Confirm {
            title, op, lines, ..
        }) => {
            assert_eq!(title, "Roll back storefront-prod");
            assert!(matches!(
                op,
                Op::Rollback {
                    via: RollbackVia::Abort,
                    ..
                }
            ));
            assert!(lines.iter().any(|l| l.contains("ABORTED")), "{lines:?}");
        }
        other => panic!("expected a confirmation, got {other:?}"),
    }
    let fx = key(&mut app, 'y');
    assert!(matches!(
        executed(&fx)[..],
        [Op::Rollback {
            via: RollbackVia::Abort,
            ..
        }]
    ));
    assert!(app.modal.is_none());
}

#[test]
fn rollback_when_ready_deploys_the_previous_version_from_history() {
    let mut app = app_with(prod(), false);
    // Without the history, it is read first and the dialog opens when it arrives.
    let fx = key(&mut app, 'U');
    assert!(app.modal.is_none());
    assert!(
        fx.contains(&Effect::Poll(Poll::History {
            env: prod()[0].env.clone()
        })) || app
            .schedule
            .in_flight(&PollKey::History("storefront-prod".into()))
    );
    history_arrives(&mut app, &["v-broken", "v1.4.3", "v1.4.2"]);
    match &app.modal {
        Some(Modal::Confirm {
            op:
                Op::Rollback {
                    via: RollbackVia::Deploy { version },
                    from,
                    ..
                },
            lines,
            ..
        }) => {
            assert_eq!(version, "v1.4.3");
            assert_eq!(from.as_deref(), Some("v-broken"));
            assert!(
                lines
                    .iter()
                    .any(|l| l.contains("from v-broken -> to v1.4.3")),
                "{lines:?}"
            );
        }
        other => panic!("expected a rollback confirmation, got {other:?}"),
    }
    // Cancel: nothing runs.
    let fx = code(&mut app, KeyCode::Esc);
    assert!(executed(&fx).is_empty());
    assert!(app.modal.is_none());
}

#[test]
fn rebuild_and_swap_ask_for_the_name_to_be_typed() {
    let mut app = app_with(prod(), false);
    key(&mut app, 'B');
    assert!(matches!(
        &app.modal,
        Some(Modal::Confirm { typed: Some(_), .. })
    ));
    // 'y' is typed into the name, not a confirmation; Enter without the exact name refuses.
    key(&mut app, 'y');
    let fx = code(&mut app, KeyCode::Enter);
    assert!(executed(&fx).is_empty());
    assert!(app.modal.is_some());
    code(&mut app, KeyCode::Backspace);
    for c in "storefront-prod".chars() {
        key(&mut app, c);
    }
    let fx = code(&mut app, KeyCode::Enter);
    assert_eq!(
        executed(&fx),
        vec![Op::Rebuild {
            env: prod()[0].env.clone()
        }]
    );

    key(&mut app, 'W');
    match &app.modal {
        Some(Modal::Pick { items, .. }) => assert_eq!(
            items.iter().map(|i| i.value.as_str()).collect::<Vec<_>>(),
            ["storefront-staging"]
        ),
        other => panic!("expected the swap picker, got {other:?}"),
    }
    code(&mut app, KeyCode::Enter);
    assert!(matches!(
        &app.modal,
        Some(Modal::Confirm {
            typed: Some(_),
            op: Op::SwapCnames { .. },
            ..
        })
    ));
}

#[test]
fn deploy_picks_a_version_then_confirms() {
    let mut app = app_with(prod(), false);
    let fx = key(&mut app, 'D');
    assert!(
        fx.contains(&Effect::Poll(Poll::Versions {
            app: "storefront".into()
        })),
        "{fx:?}"
    );
    assert!(matches!(
        &app.modal,
        Some(Modal::Pick { loading: true, .. })
    ));
    versions_arrive(&mut app, &["v1.4.4", "v1.4.3"]);
    assert!(
        matches!(&app.modal, Some(Modal::Pick { loading: false, items, .. }) if items.len() == 2)
    );
    code(&mut app, KeyCode::Down);
    code(&mut app, KeyCode::Enter);
    match &app.modal {
        Some(Modal::Confirm { title, .. }) => assert_eq!(title, "Deploy storefront-prod"),
        other => panic!("{other:?}"),
    }
    let fx = code(&mut app, KeyCode::Enter);
    assert_eq!(
        executed(&fx),
        vec![Op::Deploy {
            env: prod()[0].env.clone(),
            version: "v1.4.3".into()
        }]
    );
}

#[test]
fn abort_is_offered_only_while_abortable() {
    let mut app = app_with(prod(), false);
    key(&mut app, 'A');
    assert!(app.modal.is_none());
    assert!(
        app.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("nothing to abort"))
    );
}

#[test]
fn keys_that_mean_nothing_here_do_nothing() {
    let mut app = app_with(prod(), false);
    let before = (app.focus, app.zoom, app.selected.clone());
    for c in ['n', 'N', '&', 'x', 'Q', '%'] {
        assert!(key(&mut app, c).is_empty(), "{c}");
    }
    assert!(app.modal.is_none());
    assert_eq!(before, (app.focus, app.zoom, app.selected.clone()));
}

#[test]
fn focus_zoom_and_quit() {
    let mut app = app_with(prod(), false);
    key(&mut app, '4');
    assert_eq!(app.focus, Pane::Logs);
    code(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Envs);
    key(&mut app, 'z');
    assert!(app.zoom && !app.visible(Pane::Health));
    let fx = key(&mut app, 'q');
    assert_eq!(fx, vec![Effect::Quit]);
}

#[test]
fn results_of_an_older_context_are_dropped() {
    let mut app = app_with(prod(), false);
    let n = app.envs.all.len();
    let now = app.now;
    update(
        &mut app,
        Msg::Cloud {
            epoch: 7,
            key: PollKey::Environments,
            reply: Reply::Environments(Ok(vec![])),
        },
        now,
    );
    assert_eq!(app.envs.all.len(), n);
}

#[test]
fn our_operation_is_followed_to_its_outcome() {
    let mut app = app_with(prod(), false);
    history_arrives(&mut app, &["v-broken", "v1.4.3"]);
    key(&mut app, 'U');
    let fx = key(&mut app, 'y');
    let Some(Effect::Execute { op_id, .. }) = fx
        .iter()
        .find(|e| matches!(e, Effect::Execute { .. }))
        .cloned()
    else {
        panic!("{fx:?}")
    };
    let now = app.now;
    update(
        &mut app,
        Msg::OpDone {
            epoch: 0,
            op_id,
            result: Ok(OpAccepted {
                request_id: Some("req-1".into()),
            }),
        },
        now + 100,
    );
    let t0 = now + 100;
    let mut envs = prod();
    envs[0].status = EnvStatus::Updating;
    reply(
        &mut app,
        PollKey::Environments,
        Reply::Environments(Ok(envs.clone())),
    );
    let ev = |ts, m: &str| EnvEvent {
        ts,
        env: "storefront-prod".into(),
        severity: Severity::Info,
        message: m.into(),
        version: None,
        request_id: None,
    };
    reply(
        &mut app,
        PollKey::Events("storefront-prod".into()),
        Reply::Events(Ok(vec![
            ev(t0 + 1, "Environment update is starting."),
            ev(
                t0 + 2,
                "Batch 1: Starting application deployment on instance(s) [i-1, i-2].",
            ),
        ])),
    );
    let t = app.op_for("storefront-prod").cloned().expect("tracked");
    assert!(t.is_active());
    assert_eq!(t.batch, Some(1));
    assert_eq!(t.request_id.as_deref(), Some("req-1"));
    reply(
        &mut app,
        PollKey::Events("storefront-prod".into()),
        Reply::Events(Ok(vec![ev(
            t0 + 3,
            "Environment update completed successfully.",
        )])),
    );
    envs[0].status = EnvStatus::Ready;
    envs[0].version = Some("v1.4.3".into());
    reply(
        &mut app,
        PollKey::Environments,
        Reply::Environments(Ok(envs)),
    );
    // Ready, but the outcome waits for events read after that.
    assert!(app.op_for("storefront-prod").is_some_and(|t| t.is_active()));
    let fx = update(&mut app, Msg::Tick, now + 200);
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::Poll(Poll::Events { env, .. }) if env.name == "storefront-prod")
        ),
        "{fx:?}"
    );
    reply(
        &mut app,
        PollKey::Events("storefront-prod".into()),
        Reply::Events(Ok(vec![])),
    );
    let t = app.op_for("storefront-prod").expect("kept after it ended");
    assert_eq!(t.outcome, Some(Outcome::Succeeded));
}

#[test]
fn a_refused_operation_shows_the_aws_error_verbatim_and_changes_nothing() {
    let mut app = app_with(prod(), false);
    key(&mut app, 'S');
    let fx = key(&mut app, 'y');
    let Some(Effect::Execute { op_id, .. }) = fx.first().cloned() else {
        panic!("{fx:?}")
    };
    let text = "Environment named storefront-prod is in an invalid state for this operation. Must be Ready.";
    let now = app.now;
    update(
        &mut app,
        Msg::OpDone {
            epoch: 0,
            op_id,
            result: Err(CloudError::Other(text.into())),
        },
        now,
    );
    assert!(app.flash.as_ref().is_some_and(|f| f.text.contains(text)));
    let t = app.op_for("storefront-prod").expect("tracked");
    assert_eq!(t.error.as_deref(), Some(text));
    assert_eq!(
        app.envs.get("storefront-prod").map(|e| e.status.clone()),
        Some(EnvStatus::Ready)
    );
}

#[test]
fn operations_started_elsewhere_are_detected_and_settled() {
    let mut app = app_with(prod(), false);
    let mut envs = prod();
    envs[1].status = EnvStatus::Updating;
    envs[1].updated = app.now - 5_000;
    reply(
        &mut app,
        PollKey::Environments,
        Reply::Environments(Ok(envs.clone())),
    );
    let t = app.op_for("storefront-staging").cloned().expect("detected");
    assert!(t.is_active());
    // It is followed even though another environment is selected.
    assert!(
        super::update::schedule_inputs(&app)
            .tracked_envs
            .contains(&"storefront-staging".to_string())
    );
    envs[1].status = EnvStatus::Ready;
    reply(
        &mut app,
        PollKey::Environments,
        Reply::Environments(Ok(envs)),
    );
    let now = app.now + 100;
    let fx = update(&mut app, Msg::Tick, now);
    assert!(fx.iter().any(|e| matches!(e, Effect::Poll(Poll::Events { env, .. }) if env.name == "storefront-staging")), "{fx:?}");
    let failed = EnvEvent {
        ts: now - 1_000,
        env: "storefront-staging".into(),
        severity: Severity::Error,
        message: "Failed to deploy application.".into(),
        version: None,
        request_id: None,
    };
    reply(
        &mut app,
        PollKey::Events("storefront-staging".into()),
        Reply::Events(Ok(vec![failed])),
    );
    assert_eq!(
        app.op_for("storefront-staging").and_then(|t| t.outcome),
        Some(Outcome::Failed)
    );
}

#[test]
fn throttling_shows_in_the_header_not_as_an_error() {
    let mut app = app_with(prod(), false);
    reply(
        &mut app,
        PollKey::Environments,
        Reply::Environments(Err(CloudError::Throttled("Rate exceeded".into()))),
    );
    assert!(
        app.flash.is_none()
            || !app
                .flash
                .as_ref()
                .is_some_and(|f| f.text.contains("Rate exceeded"))
    );
    assert!(!app.schedule.backing_off(app.now).is_empty());
}

#[test]
fn command_line_selects_an_environment() {
    let mut app = app_with(prod(), false);
    key(&mut app, ':');
    for c in "env storefront-staging".chars() {
        key(&mut app, c);
    }
    let fx = code(&mut app, KeyCode::Enter);
    assert_eq!(app.selected.as_deref(), Some("storefront-staging"));
    assert!(fx.contains(&Effect::StopTail));
}

#[test]
fn filter_patterns_for_pushed_down_searches() {
    use super::update::filter_pattern;
    assert_eq!(filter_pattern("502", false), "\"502\"");
    assert_eq!(
        filter_pattern("connect failed", false),
        "\"connect failed\""
    );
    assert_eq!(filter_pattern(" 50[0-9] ", false), "% 50[0-9] %");
    // An invalid regex is searched literally, as in the pane.
    assert_eq!(filter_pattern("(oops", true), "\"(oops\"");
    assert_eq!(filter_pattern("say \"(hi\"", true), "%say \"\\(hi\"%");
}

#[test]
fn search_back_pushes_the_query_down_and_esc_returns_to_live() {
    let mut app = app_with(prod(), false);
    let groups = vec![
        "/aws/elasticbeanstalk/storefront-prod/var/log/nginx/access.log".to_string(),
        "/aws/elasticbeanstalk/storefront-prod/var/log/nginx/error.log".to_string(),
        "/aws/elasticbeanstalk/storefront-prod/var/log/web.stdout.log".to_string(),
    ];
    let fx = reply(
        &mut app,
        PollKey::LogGroups("storefront-prod".into()),
        Reply::LogGroups(Ok(groups)),
    );
    match fx.iter().find(|e| matches!(e, Effect::Tail { .. })) {
        Some(Effect::Tail { target, .. }) => {
            assert_eq!(
                target.groups.len(),
                2,
                "opens on the nginx logs: {target:?}"
            );
            assert!(target.groups.iter().all(|g| g.contains("nginx")));
        }
        other => panic!("expected a tail, got {other:?}"),
    }
    key(&mut app, '4');
    // Without a query, F says what to do.
    assert!(key(&mut app, 'F').is_empty());
    app.logs.set_query("502");
    let fx = key(&mut app, 'F');
    match &fx[..] {
        [Effect::SearchLogs { search, .. }] => {
            assert_eq!(search.pattern, "\"502\"");
            assert_eq!(search.end - search.start, 6 * 3_600_000);
        }
        other => panic!("{other:?}"),
    }
    assert!(app.searching_back);
    let fx = code(&mut app, KeyCode::Esc);
    assert_eq!(fx.first(), Some(&Effect::StopTail));
    assert!(fx.iter().any(|e| matches!(e, Effect::Tail { .. })));
    assert!(!app.searching_back);
}

#[test]
fn a_new_context_resets_and_drops_the_old_ones_results() {
    let mut app = app_with(prod(), false);
    let now = app.now;
    let ctx = CloudContext {
        profile: "prod".into(),
        region: "eu-west-1".into(),
        account: None,
        note: None,
    };
    let fx = update(
        &mut app,
        Msg::Context {
            epoch: 1,
            result: Ok(ctx.clone()),
        },
        now,
    );
    assert_eq!(app.epoch, 1);
    assert_eq!(app.ctx, ctx);
    assert!(app.envs.all.is_empty() && app.selected.is_none());
    assert!(fx.contains(&Effect::Poll(Poll::Environments)), "{fx:?}");
    // A late answer of the old context changes nothing.
    reply_epoch(&mut app, 0, prod());
    assert!(app.envs.all.is_empty());
    reply_epoch(&mut app, 1, prod());
    assert_eq!(app.envs.all.len(), 2);
    // The account learnt later shows without a reset.
    let with_account = CloudContext {
        account: Some("123456789012".into()),
        ..ctx
    };
    update(
        &mut app,
        Msg::Stats {
            api_calls: 10,
            ctx: with_account.clone(),
        },
        now + 1,
    );
    assert_eq!(app.ctx, with_account);
    assert_eq!(app.envs.all.len(), 2);
    // A failed switch keeps the context and says why.
    update(
        &mut app,
        Msg::Context {
            epoch: 1,
            result: Err("profile nope not found".into()),
        },
        now + 2,
    );
    assert_eq!(app.epoch, 1);
    assert!(app.flash.as_ref().is_some_and(|f| f.text.contains("nope")));
}

fn reply_epoch(app: &mut App, epoch: u64, envs: Vec<Environment>) {
    let now = app.now;
    update(
        app,
        Msg::Cloud {
            epoch,
            key: PollKey::Environments,
            reply: Reply::Environments(Ok(envs)),
        },
        now,
    );
}

/// Keys typed ahead, before the screen shows the dialog.
fn typed_ahead(app: &mut App, k: KeyCode) -> Vec<Effect> {
    let now = app.now;
    update(app, Msg::Key(KeyEvent::new(k, KeyModifiers::NONE)), now)
}

#[test]
fn a_confirmation_not_yet_drawn_cannot_be_confirmed() {
    let mut app = app_with(prod(), false);
    versions_arrive(&mut app, &["v1.4.4", "v1.4.3"]);
    key(&mut app, 'D');
    // Enter picks, a second Enter typed ahead lands on the unseen confirmation: nothing runs.
    let mut fx = typed_ahead(&mut app, KeyCode::Enter);
    fx.extend(typed_ahead(&mut app, KeyCode::Enter));
    assert!(executed(&fx).is_empty(), "{fx:?}");
    assert!(matches!(app.modal, Some(Modal::Confirm { .. })));
    // Once drawn, Enter confirms.
    let fx = code(&mut app, KeyCode::Enter);
    assert_eq!(executed(&fx).len(), 1);
}

#[test]
fn history_arriving_never_replaces_an_open_dialog_and_failures_clear_the_wait() {
    let mut app = app_with(prod(), false);
    key(&mut app, 'U');
    key(&mut app, ':');
    history_arrives(&mut app, &["v-broken", "v1.4.3"]);
    assert!(
        matches!(app.modal, Some(Modal::Command(_))),
        "the command line stays"
    );
    assert!(app.pending.is_none());
    code(&mut app, KeyCode::Esc);
    // A failed read clears the wait: a later success opens nothing by itself.
    app.history.clear();
    key(&mut app, 'U');
    assert!(app.pending.is_some());
    reply(
        &mut app,
        PollKey::History("storefront-prod".into()),
        Reply::History(Err(CloudError::Network("timeout".into()))),
    );
    assert!(app.pending.is_none());
    history_arrives(&mut app, &["v-broken", "v1.4.3"]);
    assert!(app.modal.is_none());
}

#[test]
fn a_failed_versions_read_closes_the_loading_picker() {
    let mut app = app_with(prod(), false);
    key(&mut app, 'D');
    assert!(matches!(app.modal, Some(Modal::Pick { loading: true, .. })));
    reply(
        &mut app,
        PollKey::Versions("storefront".into()),
        Reply::Versions(Err(CloudError::Auth("AccessDenied".into()))),
    );
    assert!(app.modal.is_none());
    assert!(
        app.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("AccessDenied"))
    );
}

#[test]
fn ctrl_c_quits_even_while_typing() {
    let mut app = app_with(prod(), false);
    key(&mut app, ':');
    let now = app.now;
    let fx = update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        now,
    );
    assert_eq!(fx, vec![Effect::Quit]);
}

#[test]
fn the_filter_selects_the_row_it_leaves_in_view() {
    let mut app = app_with(prod(), false);
    assert_eq!(app.selected.as_deref(), Some("storefront-prod"));
    key(&mut app, '/');
    for c in "staging".chars() {
        key(&mut app, c);
    }
    code(&mut app, KeyCode::Enter);
    assert_eq!(app.selected.as_deref(), Some("storefront-staging"));
}

#[test]
fn log_groups_are_asked_again_until_known() {
    let mut app = app_with(prod(), false);
    reply(
        &mut app,
        PollKey::LogGroups("storefront-prod".into()),
        Reply::LogGroups(Err(CloudError::Network("reset".into()))),
    );
    let later = app.now + 30_000;
    let fx = update(&mut app, Msg::Tick, later);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Poll(Poll::LogGroups { .. }))),
        "{fx:?}"
    );
}

/// The storefront application's versions arrive.
fn versions_arrive(app: &mut App, labels: &[&str]) {
    let versions = labels
        .iter()
        .map(|l| AppVersion {
            app: "storefront".into(),
            label: l.to_string(),
            description: None,
            created: 0,
            status: "Processed".into(),
        })
        .collect();
    reply(
        app,
        PollKey::Versions("storefront".into()),
        Reply::Versions(Ok(versions)),
    );
}

#[test]
fn terminated_environments_are_listed_but_not_written_to() {
    let mut envs = prod();
    envs.insert(
        0,
        env(
            "storefront",
            "storefront-canary",
            EnvStatus::Terminated,
            "v1.5.0",
        ),
    );
    let mut app = app_with(envs, false);
    assert_eq!(app.selected.as_deref(), Some("storefront-canary"));
    for c in ['D', 'U', 'B', 'S'] {
        assert!(key(&mut app, c).is_empty());
        assert!(app.modal.is_none(), "{c}");
        assert!(
            app.flash
                .as_ref()
                .is_some_and(|f| f.text.contains("terminated"))
        );
    }
}

/// storefront-prod's deployment history arrives, newest first.
fn history_arrives(app: &mut App, versions: &[&str]) {
    let n = versions.len() as i64;
    let history = versions
        .iter()
        .enumerate()
        .map(|(i, v)| DeployRecord {
            version: v.to_string(),
            ts: n - i as i64,
        })
        .collect();
    reply(
        app,
        PollKey::History("storefront-prod".into()),
        Reply::History(Ok(history)),
    );
}
