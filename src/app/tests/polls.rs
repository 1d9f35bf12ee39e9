//! Reading the account: contexts, throttling, reads asked again.

use super::super::{Effect, Msg, SwitchError, update};
use super::support::*;
use crate::cloud::{Answer, CloudError, PollKey, Request};
use crate::domain::*;

#[test]
fn results_of_an_older_context_are_dropped() {
    let mut app = app_with(prod(), false);
    let n = app.account.envs.all.len();
    reply_in(
        &mut app,
        7,
        PollKey::Environments,
        Ok(Answer::Environments(vec![])),
    );
    assert_eq!(app.account.envs.all.len(), n);
}

#[test]
fn throttling_shows_in_the_header_not_as_an_error() {
    let mut app = app_with(prod(), false);
    reply(
        &mut app,
        PollKey::Environments,
        Err(CloudError::Throttled("Rate exceeded".into())),
    );
    assert!(
        app.view.flash.is_none()
            || !app
                .view
                .flash
                .as_ref()
                .is_some_and(|f| f.text.contains("Rate exceeded"))
    );
    assert!(!app.account.schedule.backing_off(app.now).is_empty());
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
    assert_eq!(app.account.epoch, 1);
    assert_eq!(app.account.ctx, ctx);
    assert!(app.account.envs.all.is_empty() && app.account.selected.is_none());
    assert!(fx.contains(&Effect::Poll(Request::Environments)), "{fx:?}");
    // A late answer of the old context changes nothing.
    reply_in(
        &mut app,
        0,
        PollKey::Environments,
        Ok(Answer::Environments(prod())),
    );
    assert!(app.account.envs.all.is_empty());
    reply_in(
        &mut app,
        1,
        PollKey::Environments,
        Ok(Answer::Environments(prod())),
    );
    assert_eq!(app.account.envs.all.len(), 2);
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
    assert_eq!(app.account.ctx, with_account);
    assert_eq!(app.account.envs.all.len(), 2);
    // A failed switch keeps the context and says why.
    update(
        &mut app,
        Msg::Context {
            epoch: 1,
            result: Err(SwitchError::Failed("profile nope not found".into())),
        },
        now + 2,
    );
    assert_eq!(app.account.epoch, 1);
    assert!(
        app.view
            .flash
            .as_ref()
            .is_some_and(|f| f.text.contains("nope"))
    );
}

#[test]
fn log_groups_are_asked_again_until_known() {
    let mut app = app_with(prod(), false);
    reply(
        &mut app,
        PollKey::LogGroups("storefront-prod".into()),
        Err(CloudError::Network("reset".into())),
    );
    let later = app.now + 30_000;
    let fx = update(&mut app, Msg::Tick, later);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Poll(Request::LogGroups { .. }))),
        "{fx:?}"
    );
}

#[test]
fn empty_log_groups_are_read_again_and_streaming_turned_on_opens_the_logs() {
    let mut app = app_with(prod(), false);
    reply(
        &mut app,
        PollKey::LogGroups("storefront-prod".into()),
        Ok(Answer::LogGroups(vec![])),
    );
    let soon = app.now + 60_000;
    let fx = update(&mut app, Msg::Tick, soon);
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::Poll(Request::LogGroups { .. }))),
        "not every tick: {fx:?}"
    );
    let later = app.now + 180_000;
    let fx = update(&mut app, Msg::Tick, later);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Poll(Request::LogGroups { .. }))),
        "read again while empty: {fx:?}"
    );
    let group = "/aws/elasticbeanstalk/storefront-prod/var/log/nginx/error.log".to_string();
    let fx = reply(
        &mut app,
        PollKey::LogGroups("storefront-prod".into()),
        Ok(Answer::LogGroups(vec![group.clone()])),
    );
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::Tail { target, .. } if target.groups == vec![group.clone()])
        ),
        "the new group streams: {fx:?}"
    );
}

#[test]
fn the_header_knows_when_aws_cannot_be_reached_until_a_read_succeeds() {
    let mut app = app_with(prod(), false);
    reply(
        &mut app,
        PollKey::AccountEvents,
        Err(CloudError::Network("Request to AWS timed out".into())),
    );
    assert!(
        app.account
            .trouble
            .as_ref()
            .is_some_and(|(_, w)| w == "AWS unreachable")
    );
    reply(
        &mut app,
        PollKey::Environments,
        Ok(Answer::Environments(prod())),
    );
    assert!(app.account.trouble.is_none());
}

#[test]
fn application_events_are_no_environments_operation() {
    let mut app = app_with(prod(), false);
    // What DescribeEvents says of a version being created: an application, a label, no environment.
    let ev = |ts, m: &str| EnvEvent {
        ts,
        env: String::new(),
        severity: Severity::Info,
        message: m.into(),
        version: Some("app-1".into()),
        request_id: Some("req-v".into()),
    };
    let now = app.now;
    let fx = reply(
        &mut app,
        PollKey::AccountEvents,
        Ok(Answer::Events(vec![
            ev(now - 2_000, "createApplicationVersion is starting."),
            ev(
                now - 1_000,
                "createApplicationVersion completed successfully.",
            ),
        ])),
    );
    assert!(!app.account.timelines.contains_key(""));
    assert!(app.account.ledger.of("").is_empty());
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Notify { .. })),
        "{fx:?}"
    );
}
