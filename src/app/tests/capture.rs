//! Evidence captured on failure: when, from where, with whose consent, and once per failure.

use super::super::{App, Effect, Msg, update};
use super::support::*;
use crate::app::journal::NO_STREAMING;
use crate::cloud::{Answer, Op, OpAccepted, PollKey};
use crate::config::CaptureOnFailure;
use crate::domain::*;
use crate::journal::{Capture, CaptureSource, LogLine, Record};

fn app(capture: CaptureOnFailure, read_only: bool) -> App {
    let mut app = app_with(prod(), read_only);
    app.settings.capture = capture;
    app.settings.journal = true;
    app
}

fn failure(app: &mut App, ago: Millis) -> Vec<Effect> {
    let ts = app.now - ago;
    reply(
        app,
        PollKey::AccountEvents,
        Ok(Answer::Events(vec![EnvEvent {
            ts,
            env: "storefront-prod".into(),
            severity: Severity::Error,
            message: "Instance deployment failed. For details, see 'eb-engine.log'.".into(),
            version: None,
            request_id: Some("r-1".into()),
        }])),
    )
}

fn captures(fx: &[Effect]) -> Vec<Capture> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Capture { capture, .. } => Some(capture.clone()),
            _ => None,
        })
        .collect()
}

fn back(app: &mut App, capture: Capture) -> Vec<Effect> {
    let (now, epoch) = (app.now, app.account.epoch);
    update(app, Msg::Captured { epoch, capture }, now)
}

#[test]
fn a_failure_is_captured_once_from_cloudwatch() {
    let mut app = app(CaptureOnFailure::Logs, false);
    let fx = failure(&mut app, 1_000);
    let c = captures(&fx);
    assert_eq!(c.len(), 1, "{fx:?}");
    assert_eq!(c[0].source, CaptureSource::CloudWatch);
    assert_eq!(c[0].env_id, "e-storefront-prod");
    assert!(c[0].reason.starts_with("Instance deployment failed"));
    // The same failure's next error events (and the stack's rollback) are the same capture.
    app.now += 30_000;
    assert!(captures(&failure(&mut app, 0)).is_empty());

    let mut done = c[0].clone();
    done.note = None;
    done.lines = vec![LogLine {
        id: String::new(),
        ts: done.at - 2_000,
        group: "/aws/elasticbeanstalk/storefront-prod/var/log/eb-engine.log".into(),
        stream: "i-1".into(),
        message: "[ERROR] An error occurred during execution of command [app-deploy]".into(),
    }];
    let fx = back(&mut app, done.clone());
    let kept: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Journal(b) => Some(b.records.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(kept, vec![Record::Capture(done.clone())]);
    let env = app.account.envs.get("storefront-prod").unwrap().clone();
    assert_eq!(app.account.journal.captures_of(&env).count(), 1);
    assert_eq!(
        app.account
            .journal
            .captures_of(&env)
            .next()
            .unwrap()
            .lines
            .len(),
        1
    );
}

#[test]
fn an_old_failure_read_with_the_history_is_not_captured() {
    let mut app = app(CaptureOnFailure::Tail, false);
    assert!(captures(&failure(&mut app, 3_600_000)).is_empty());
}

#[test]
fn capture_off_captures_nothing() {
    let mut app = app(CaptureOnFailure::Off, false);
    assert!(captures(&failure(&mut app, 1_000)).is_empty());
}

fn no_streaming(app: &mut App) -> Capture {
    let mut c = captures(&failure(app, 1_000)).remove(0);
    c.note = Some(NO_STREAMING.into());
    c
}

#[test]
fn without_streaming_and_with_consent_the_tail_logs_are_asked_through_the_write_gate() {
    let mut app = app(CaptureOnFailure::Tail, false);
    let c = no_streaming(&mut app);
    let fx = back(&mut app, c);
    let (op_id, op) = fx
        .iter()
        .find_map(|e| match e {
            Effect::Execute { op_id, op } => Some((*op_id, op.clone())),
            _ => None,
        })
        .expect("RequestEnvironmentInfo is sent");
    assert!(matches!(op, Op::RequestTailLogs { .. }));
    assert!(
        app.view.modal.is_none(),
        "the setting is the consent: no dialog"
    );
    assert_eq!(
        app.account.tail_request, None,
        "not the logs pane's request"
    );
    let (now, epoch) = (app.now, app.account.epoch);
    let fx = update(
        &mut app,
        Msg::OpDone {
            epoch,
            op_id,
            result: Ok(OpAccepted::default()),
        },
        now,
    );
    let c = captures(&fx);
    assert_eq!(c.len(), 1, "{fx:?}");
    assert_eq!(c[0].source, CaptureSource::TailLogs);
}

#[test]
fn in_read_only_mode_the_tail_logs_are_not_asked_and_the_capture_says_why() {
    let mut app = app(CaptureOnFailure::Tail, true);
    let c = no_streaming(&mut app);
    let fx = back(&mut app, c);
    assert!(executed(&fx).is_empty());
    let note = kept_note(&app);
    assert!(note.contains("read-only"), "{note}");
}

#[test]
fn without_consent_the_capture_names_the_setting() {
    let mut app = app(CaptureOnFailure::Logs, false);
    let c = no_streaming(&mut app);
    let fx = back(&mut app, c);
    assert!(executed(&fx).is_empty());
    let note = kept_note(&app);
    assert!(note.contains("capture_on_failure = \"tail\""), "{note}");
}

/// The note of storefront-prod's one capture, as kept.
fn kept_note(app: &App) -> String {
    let env = app.account.envs.get("storefront-prod").unwrap().clone();
    let kept = app.account.journal.captures_of(&env).next().unwrap();
    kept.note.clone().expect("the capture says why")
}
