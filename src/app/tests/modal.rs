//! Write keys and dialogs: read-only refusal, confirmations, pickers, roll back's target.

use crossterm::event::KeyCode;

use super::super::Effect;
use super::super::modal::Modal;
use super::support::*;
use crate::cloud::{CloudError, Op, PollKey, Request, RollbackVia};
use crate::domain::*;

#[test]
fn read_only_refuses_every_write_before_a_dialog_opens() {
    let mut app = app_with(prod(), true);
    for c in ['D', 'U', 'B', 'A', 'S', 'W'] {
        let fx = key(&mut app, c);
        assert!(
            app.view.modal.is_none(),
            "{c} opened a dialog in read-only mode"
        );
        assert!(executed(&fx).is_empty());
        let flash = app
            .view
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
    match &app.view.modal {
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
    assert!(app.view.modal.is_none());
}

#[test]
fn rollback_when_ready_deploys_the_previous_version_from_history() {
    let mut app = app_with(prod(), false);
    // Without the history, it is read first and the dialog opens when it arrives.
    let fx = key(&mut app, 'U');
    assert!(app.view.modal.is_none());
    assert!(
        fx.contains(&Effect::Poll(Request::History {
            env: prod()[0].env.clone()
        })) || app
            .account
            .schedule
            .in_flight(&PollKey::History("storefront-prod".into()))
    );
    history_arrives(&mut app, &["v-broken", "v1.4.3", "v1.4.2"]);
    match &app.view.modal {
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
    assert!(app.view.modal.is_none());
}

#[test]
fn rebuild_and_swap_ask_for_the_name_to_be_typed() {
    let mut app = app_with(prod(), false);
    key(&mut app, 'B');
    assert!(matches!(
        &app.view.modal,
        Some(Modal::Confirm { typed: Some(_), .. })
    ));
    // 'y' is typed into the name, not a confirmation; Enter without the exact name refuses.
    key(&mut app, 'y');
    let fx = code(&mut app, KeyCode::Enter);
    assert!(executed(&fx).is_empty());
    assert!(app.view.modal.is_some());
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
    match &app.view.modal {
        Some(Modal::Pick { items, .. }) => assert_eq!(
            items.iter().map(|i| i.value.as_str()).collect::<Vec<_>>(),
            ["storefront-staging"]
        ),
        other => panic!("expected the swap picker, got {other:?}"),
    }
    code(&mut app, KeyCode::Enter);
    assert!(matches!(
        &app.view.modal,
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
        fx.contains(&Effect::Poll(Request::Versions {
            app: "storefront".into()
        })),
        "{fx:?}"
    );
    assert!(matches!(
        &app.view.modal,
        Some(Modal::Pick { loading: true, .. })
    ));
    versions_arrive(&mut app, &["v1.4.4", "v1.4.3"]);
    assert!(
        matches!(&app.view.modal, Some(Modal::Pick { loading: false, items, cursor: 1, .. }) if items.len() == 3),
        "a new version from the directory, then the versions; the cursor on the newest"
    );
    code(&mut app, KeyCode::Down);
    code(&mut app, KeyCode::Enter);
    match &app.view.modal {
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
    assert!(app.view.modal.is_none());
    assert!(
        app.view
            .flash
            .as_ref()
            .is_some_and(|f| f.text.contains("nothing to abort"))
    );
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
    assert!(matches!(app.view.modal, Some(Modal::Confirm { .. })));
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
        matches!(app.view.modal, Some(Modal::Command(_))),
        "the command line stays"
    );
    assert!(app.account.pending.is_none());
    code(&mut app, KeyCode::Esc);
    // A failed read clears the wait: a later success opens nothing by itself.
    app.account.history.clear();
    key(&mut app, 'U');
    assert!(app.account.pending.is_some());
    reply(
        &mut app,
        PollKey::History("storefront-prod".into()),
        Err(CloudError::Network("timeout".into())),
    );
    assert!(app.account.pending.is_none());
    history_arrives(&mut app, &["v-broken", "v1.4.3"]);
    assert!(app.view.modal.is_none());
}

#[test]
fn a_failed_versions_read_closes_the_loading_picker() {
    let mut app = app_with(prod(), false);
    key(&mut app, 'D');
    assert!(matches!(
        app.view.modal,
        Some(Modal::Pick { loading: true, .. })
    ));
    reply(
        &mut app,
        PollKey::Versions("storefront".into()),
        Err(CloudError::Auth("AccessDenied".into())),
    );
    assert!(app.view.modal.is_none());
    assert!(
        app.view
            .flash
            .as_ref()
            .is_some_and(|f| f.text.contains("AccessDenied"))
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
    assert_eq!(app.account.selected.as_deref(), Some("storefront-canary"));
    for c in ['D', 'U', 'B', 'S'] {
        assert!(key(&mut app, c).is_empty());
        assert!(app.view.modal.is_none(), "{c}");
        assert!(
            app.view
                .flash
                .as_ref()
                .is_some_and(|f| f.text.contains("terminated"))
        );
    }
}

#[test]
fn the_swap_picker_leaves_out_terminated_environments() {
    let mut envs = prod();
    envs.push(env(
        "storefront",
        "storefront-zold",
        EnvStatus::Terminated,
        "v1.0.0",
    ));
    let mut app = app_with(envs, false);
    key(&mut app, 'W');
    match &app.view.modal {
        Some(Modal::Pick { items, .. }) => {
            let names: Vec<&str> = items.iter().map(|i| i.value.as_str()).collect();
            assert_eq!(names, ["storefront-staging"]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn roll_back_twice_walks_back_through_good_versions() {
    let mut envs = prod();
    envs[0].version = Some("v1.4.3".into());
    let mut app = app_with(envs, false);
    // v1.4.2 ran, then v1.4.3, then v-broken, rolled back to v1.4.3.
    history_arrives(&mut app, &["v1.4.3", "v-broken", "v1.4.3", "v1.4.2"]);
    key(&mut app, 'U');
    match &app.view.modal {
        Some(Modal::Confirm { op, lines, .. }) => {
            assert!(
                matches!(op, Op::Rollback { via: RollbackVia::Deploy { version }, .. } if version == "v1.4.2"),
                "{op:?}"
            );
            assert!(
                lines.iter().any(|l| l.contains("succeeded · ran")),
                "evidence: {lines:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn with_no_known_good_version_roll_back_opens_the_version_picker() {
    let mut app = app_with(prod(), false);
    history_arrives(&mut app, &["v-broken"]);
    key(&mut app, 'U');
    assert!(
        matches!(app.view.modal, Some(Modal::Pick { .. })),
        "{:?}",
        app.view.modal.as_ref().map(|_| ())
    );
    assert!(
        app.view
            .flash
            .as_ref()
            .is_some_and(|f| f.text.contains("no known good version"))
    );
}

#[test]
fn a_recreated_namesake_has_its_own_operations_and_roll_back_target() {
    use crate::cloud::Answer;
    let hour = 3_600_000;
    let mut old = env(
        "storefront",
        "storefront-prod",
        EnvStatus::Terminated,
        "v-old",
    );
    old.env.id = "e-old".into();
    old.created = 0;
    let mut new = env("storefront", "storefront-prod", EnvStatus::Ready, "v2");
    new.env.id = "e-new".into();
    new.created = 10 * hour;
    let mut app = app_with(vec![new, old], false);
    app.now = 12 * hour;
    // Two rows, one key each: the live one keeps the name, the terminated one is known by its id.
    let keys: Vec<String> = app
        .account
        .envs
        .all
        .iter()
        .map(|e| app.account.envs.key_of(e))
        .collect();
    assert!(
        keys.contains(&"storefront-prod".to_string()) && keys.contains(&"e-old".to_string()),
        "{keys:?}"
    );
    let ev = |ts: i64, rid: &str, msg: &str, v: &str| EnvEvent {
        ts,
        env: "storefront-prod".into(),
        severity: Severity::Info,
        message: msg.into(),
        version: Some(v.into()),
        request_id: Some(rid.into()),
    };
    // Events carry the name only: before the new one was created they are the old one's.
    reply(
        &mut app,
        PollKey::AccountEvents,
        Ok(Answer::Events(vec![
            ev(hour, "r-old", "Environment update is starting.", "v-good"),
            ev(
                hour + 60_000,
                "r-old",
                "Environment update completed successfully.",
                "v-good",
            ),
            ev(
                10 * hour,
                "r-create",
                "createEnvironment is starting.",
                "v1",
            ),
            ev(
                10 * hour + 60_000,
                "r-create",
                "Successfully launched environment: storefront-prod",
                "v1",
            ),
            ev(
                11 * hour,
                "r-deploy",
                "Environment update is starting.",
                "v2",
            ),
            ev(
                11 * hour + 60_000,
                "r-deploy",
                "Environment update completed successfully.",
                "v2",
            ),
        ])),
    );
    let new_ops: Vec<&str> = app
        .account
        .ledger
        .of("storefront-prod")
        .iter()
        .map(|o| o.request_id.as_str())
        .collect();
    assert_eq!(new_ops, ["r-create", "r-deploy"]);
    assert_eq!(app.account.ledger.of("e-old").len(), 1);
    // Roll back on the new one: its own history, never the old one's v-good.
    history_arrives(&mut app, &["v2", "v1"]);
    key(&mut app, 'U');
    match &app.view.modal {
        Some(Modal::Confirm { op, .. }) => assert!(
            matches!(op, Op::Rollback { env, via: RollbackVia::Deploy { version }, .. } if version == "v1" && env.id == "e-new"),
            "{op:?}"
        ),
        other => panic!("{:?}", other.is_some()),
    }
}
