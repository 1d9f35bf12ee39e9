//! An expired SSO session: the header offers the key, the key asks the runtime to log in, and
//! the answer brings the reads back.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::{Effect, Level, Msg, SSO_EXPIRED, update};
use super::support::*;
use crate::cloud::{CloudError, PollKey};

fn ctrl_l(app: &mut crate::app::App) -> Vec<Effect> {
    let now = app.now;
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL)),
        now,
    )
}

#[test]
fn an_expired_sso_session_is_named_and_ctrl_l_asks_the_runtime_to_log_in() {
    let mut app = app_with(prod(), false);
    reply(
        &mut app,
        PollKey::Environments,
        Err(CloudError::Auth(
            "AWS SSO session expired: run `aws sso login --profile dev`. (the SSO token has expired)"
                .into(),
        )),
    );
    let (_, what) = app.account.trouble.clone().expect("the header says so");
    assert_eq!(what, SSO_EXPIRED);
    let fx = ctrl_l(&mut app);
    assert_eq!(
        fx,
        vec![Effect::SsoLogin {
            profile: app.account.ctx.profile.clone()
        }]
    );
    // Other credential trouble is not called SSO.
    let mut other = app_with(prod(), false);
    reply(
        &mut other,
        PollKey::Environments,
        Err(CloudError::Auth(
            "AWS credentials expired: refresh them".into(),
        )),
    );
    assert_eq!(
        other.account.trouble.map(|t| t.1).as_deref(),
        Some("credentials not working")
    );
}

#[test]
fn logged_in_reads_again_and_a_refusal_is_said() {
    let mut app = app_with(prod(), false);
    reply(
        &mut app,
        PollKey::Environments,
        Err(CloudError::Auth("run `aws sso login --profile dev`".into())),
    );
    let now = app.now;
    let fx = update(
        &mut app,
        Msg::LoggedIn {
            profile: "dev".into(),
            result: Ok(()),
        },
        now,
    );
    assert!(app.account.trouble.is_none());
    // The failed read would rest 2 s; logged in, it is due within the next ticks.
    let mut fx = fx;
    fx.extend(ticks(&mut app, now + 250, 4));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Poll(crate::cloud::Request::Environments))),
        "the resting read is due again at once: {fx:?}"
    );
    let fx = update(
        &mut app,
        Msg::LoggedIn {
            profile: "dev".into(),
            result: Err("aws (the AWS CLI) is not on PATH: run `aws sso login --profile dev` in another terminal, then `:profile dev`".into()),
        },
        now,
    );
    assert!(fx.is_empty());
    let flash = app.view.flash.clone().expect("a message");
    assert_eq!(flash.level, Level::Error);
    assert!(flash.text.contains(":profile dev"), "{}", flash.text);
}

/// The cloud rebuilt after a login counts its calls from zero: the figure starts again rather
/// than going below zero.
#[test]
fn a_new_cloud_counting_from_zero_restarts_the_calls_figure() {
    let mut calls = crate::app::CallRate::default();
    calls.record(0, 100);
    calls.record(60_000, 160);
    assert_eq!(calls.per_minute(), Some(60));
    calls.record(65_000, 3);
    assert_eq!(calls.per_minute(), None);
    calls.record(125_000, 33);
    assert_eq!(calls.per_minute(), Some(30));
}
