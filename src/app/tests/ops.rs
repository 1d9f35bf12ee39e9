//! Following operations, ours and started elsewhere, to their outcome.

use super::super::ops::Outcome;
use super::super::{Effect, Msg, update};
use super::support::*;
use crate::cloud::{Answer, CloudError, OpAccepted, PollKey, Request};
use crate::domain::*;

// One story from key to outcome (confirm, accepted, busy, settled, events read after it): split
// into parts, no part would show the order that matters.
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
                uploaded: None,
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
        Ok(Answer::Environments(envs.clone())),
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
        PollKey::AccountEvents,
        Ok(Answer::Events(vec![
            ev(t0 + 1, "Environment update is starting."),
            ev(
                t0 + 2,
                "Batch 1: Starting application deployment on instance(s) [i-1, i-2].",
            ),
        ])),
    );
    let t = app
        .account
        .op_for("storefront-prod")
        .cloned()
        .expect("tracked");
    assert!(t.is_active());
    assert_eq!(t.batch, Some(1));
    assert_eq!(t.request_id.as_deref(), Some("req-1"));
    reply(
        &mut app,
        PollKey::AccountEvents,
        Ok(Answer::Events(vec![ev(
            t0 + 3,
            "Environment update completed successfully.",
        )])),
    );
    envs[0].status = EnvStatus::Ready;
    envs[0].version = Some("v1.4.3".into());
    reply(
        &mut app,
        PollKey::Environments,
        Ok(Answer::Environments(envs)),
    );
    // Ready, but the outcome waits for events read after that.
    assert!(
        app.account
            .op_for("storefront-prod")
            .is_some_and(|t| t.is_active())
    );
    let fx = ticks(&mut app, now + 200, 8);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Poll(Request::AccountEvents { .. }))),
        "{fx:?}"
    );
    reply(&mut app, PollKey::AccountEvents, Ok(Answer::Events(vec![])));
    let t = app
        .account
        .op_for("storefront-prod")
        .expect("kept after it ended");
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
    assert!(
        app.view
            .flash
            .as_ref()
            .is_some_and(|f| f.text.contains(text))
    );
    let t = app.account.op_for("storefront-prod").expect("tracked");
    assert_eq!(t.error.as_deref(), Some(text));
    assert_eq!(
        app.account
            .envs
            .get("storefront-prod")
            .map(|e| e.status.clone()),
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
        Ok(Answer::Environments(envs.clone())),
    );
    let t = app
        .account
        .op_for("storefront-staging")
        .cloned()
        .expect("detected");
    assert!(t.is_active());
    // It is followed even though another environment is selected.
    assert!(
        super::super::update::schedule_inputs(&app)
            .tracked_envs
            .contains(&"storefront-staging".to_string())
    );
    envs[1].status = EnvStatus::Ready;
    reply(
        &mut app,
        PollKey::Environments,
        Ok(Answer::Environments(envs)),
    );
    let now = app.now + 100;
    let fx = ticks(&mut app, now, 8);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Poll(Request::AccountEvents { .. }))),
        "{fx:?}"
    );
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
        PollKey::AccountEvents,
        Ok(Answer::Events(vec![failed])),
    );
    assert_eq!(
        app.account
            .op_for("storefront-staging")
            .and_then(|t| t.outcome),
        Some(Outcome::Failed)
    );
}

#[test]
fn an_operation_ending_anywhere_and_an_environment_turning_red_are_announced() {
    let mut app = app_with(prod(), false);
    app.settings.notify = crate::config::Notify::Osc9;
    let ev = |ts: i64, env: &str, msg: &str| EnvEvent {
        ts,
        env: env.into(),
        severity: Severity::Info,
        message: msg.into(),
        version: Some("v9".into()),
        request_id: Some(format!("r-{env}")),
    };
    // The first read is history: nothing announced.
    let fx = reply(
        &mut app,
        PollKey::AccountEvents,
        Ok(Answer::Events(vec![ev(
            1,
            "storefront-prod",
            "Environment update is starting.",
        )])),
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::Notify { .. })));
    // A CI deploy on staging, never selected, fails.
    let fx = reply(
        &mut app,
        PollKey::AccountEvents,
        Ok(Answer::Events(vec![
            ev(2, "storefront-staging", "Environment update is starting."),
            ev(3, "storefront-staging", "Failed to deploy application."),
        ])),
    );
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Notify { body, .. } if body == "storefront-staging: deploy v9 failed")),
        "{fx:?}"
    );
    // prod turns Severe.
    let mut envs = prod();
    envs[0].health_status = Some(HealthStatus::Severe);
    let fx = reply(
        &mut app,
        PollKey::Environments,
        Ok(Answer::Environments(envs)),
    );
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::Notify { body, .. } if body == "storefront-prod is Severe")
        ),
        "{fx:?}"
    );
}

#[test]
fn a_write_whose_answer_was_lost_is_followed_not_called_refused() {
    let mut app = app_with(prod(), false);
    versions_arrive(&mut app, &["v2", "v1"]);
    key(&mut app, 'D');
    code(&mut app, crossterm::event::KeyCode::Enter);
    let fx = key(&mut app, 'y');
    let op_id = match &fx[..] {
        [Effect::Execute { op_id, .. }] => *op_id,
        other => panic!("{other:?}"),
    };
    let now = app.now;
    update(
        &mut app,
        Msg::OpDone {
            epoch: 0,
            op_id,
            result: Err(CloudError::AnswerLost("timed out".into())),
        },
        now,
    );
    let t = app
        .account
        .op_for("storefront-prod")
        .cloned()
        .expect("followed");
    assert!(t.is_active() && t.error.is_none(), "not refused: {t:?}");
    assert!(
        t.summary(now).contains("sent; answer lost; checking"),
        "{}",
        t.summary(now)
    );
    // The environment turns out to be updating: it started.
    let mut envs = prod();
    envs[0].status = EnvStatus::Updating;
    reply(
        &mut app,
        PollKey::Environments,
        Ok(Answer::Environments(envs)),
    );
    let s = app.account.op_for("storefront-prod").unwrap().summary(now);
    assert!(s.contains("the environment is updating since"), "{s}");
}

#[test]
fn a_lost_answer_that_never_moved_the_environment_did_not_start() {
    let mut app = app_with(prod(), false);
    key(&mut app, 'S');
    let fx = key(&mut app, 'y');
    let op_id = match &fx[..] {
        [Effect::Execute { op_id, .. }] => *op_id,
        other => panic!("{other:?}"),
    };
    let now = app.now;
    update(
        &mut app,
        Msg::OpDone {
            epoch: 0,
            op_id,
            result: Err(CloudError::AnswerLost("reset".into())),
        },
        now,
    );
    // Ready all along, and the events read after it settled show nothing of it.
    for later in [now + 1_000, now + 70_000] {
        app.now = later;
        reply(
            &mut app,
            PollKey::Environments,
            Ok(Answer::Environments(prod())),
        );
        ticks(&mut app, later, 8);
        reply(&mut app, PollKey::AccountEvents, Ok(Answer::Events(vec![])));
    }
    let t = app
        .account
        .op_for("storefront-prod")
        .cloned()
        .expect("kept");
    assert!(!t.is_active());
    assert!(
        t.summary(app.now)
            .contains("sent; answer lost; not started"),
        "{}",
        t.summary(app.now)
    );
}
