//! Evidence captured on failure: when an operation's events turn to errors, or a stack starts
//! rolling back, read what Elastic Beanstalk is about to remove (the instances and, with them,
//! their eb-engine, cfn-init and application logs) and keep it in the journal and on the
//! operation.
//!
//! From CloudWatch when the environment streams its logs (reads only). Otherwise, with the
//! user's standing consent (`capture_on_failure = "tail"`), Elastic Beanstalk's tail logs of the
//! instances: RequestEnvironmentInfo is a write, so it goes through `ops::execute` (refused in
//! read-only mode) with the setting as its confirmation.

use super::super::journal::{CAPTURE_QUIET, CAPTURE_RECENT, NO_STREAMING};
use super::super::{App, Effect, Level, Msg};
use super::journal::keep;
use super::ops;
use crate::cloud::{Answer, CloudError, Op, OpAccepted, Request};
use crate::config::CaptureOnFailure;
use crate::domain::{Millis, Severity};
use crate::journal::{Capture, CaptureSource, Record};

/// A failure seen in a message: (environment key, what failed, when).
pub(super) type Trigger = (String, String, Millis);

/// Failures a message tells of, read before it is handled: an error event of the environment,
/// or one of its stacks starting to roll back. Old ones (history read at start) are not
/// failures to capture: their instances are long gone.
pub(super) fn triggers(app: &App, msg: &Msg) -> Vec<Trigger> {
    let Msg::Cloud { reply, .. } = msg else {
        return Vec::new();
    };
    let recent = |ts: Millis| app.now - ts <= CAPTURE_RECENT;
    let envs = &app.account.envs;
    match (&reply.request, &reply.result) {
        (Request::AccountEvents { .. } | Request::Events { .. }, Ok(Answer::Events(events))) => {
            events
                .iter()
                .filter(|e| !e.env.is_empty() && e.severity >= Severity::Error && recent(e.ts))
                .map(|e| (envs.key_for_event(&e.env, e.ts), e.message.clone(), e.ts))
                .collect()
        }
        (Request::StackEvents { env, .. }, Ok(Answer::StackEvents(events))) => events
            .iter()
            .filter(|e| e.status.ends_with("ROLLBACK_IN_PROGRESS") && recent(e.ts))
            .map(|e| {
                let why = e.reason.clone().unwrap_or_else(|| e.status.clone());
                (
                    envs.key_for_ref(env),
                    format!("stack rolling back: {why}"),
                    e.ts,
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Start a capture for each failure not already captured.
pub(super) fn start(app: &mut App, triggers: Vec<Trigger>, fx: &mut Vec<Effect>) {
    if app.settings.capture == CaptureOnFailure::Off {
        return;
    }
    for (key, reason, at) in triggers {
        let j = &app.account.journal;
        if j.is_gone_key(&app.account.envs, &key)
            || j.last_capture
                .get(&key)
                .is_some_and(|t| (at - t).abs() < CAPTURE_QUIET)
        {
            continue;
        }
        let Some(env) = app.account.envs.get(&key).cloned() else {
            continue;
        };
        let op_key = app
            .account
            .op_for(&key)
            .and_then(|t| t.request_id.clone())
            .or_else(|| app.account.ledger.last(&key).map(|o| o.request_id.clone()));
        let who = if env.env.id.is_empty() {
            &env.env.name
        } else {
            &env.env.id
        };
        let capture = Capture {
            key: format!("{who}@{at}"),
            env_id: env.env.id.clone(),
            env_name: env.env.name.clone(),
            op_key,
            reason: crate::domain::one_line(reason),
            at,
            source: CaptureSource::CloudWatch,
            lines: Vec::new(),
            note: Some("capturing...".into()),
        };
        app.account.journal.last_capture.insert(key.clone(), at);
        app.account.journal.keep_capture(capture.clone());
        app.flash(
            Level::Info,
            format!(
                "{}: failure seen; capturing its logs before they go",
                env.env.name
            ),
        );
        fx.push(Effect::Capture {
            env: env.env,
            capture,
        });
    }
}

/// A capture came back: keep it, or (no streaming, standing consent) ask for the tail logs.
pub(super) fn on_captured(app: &mut App, mut capture: Capture, fx: &mut Vec<Effect>) {
    let no_streaming = capture.source == CaptureSource::CloudWatch
        && capture.lines.is_empty()
        && capture.note.as_deref() == Some(NO_STREAMING);
    if no_streaming {
        match (app.settings.capture, app.settings.read_only) {
            (CaptureOnFailure::Tail, false) => return ask_tail(app, capture, fx),
            (CaptureOnFailure::Tail, true) => {
                capture.note = Some(format!(
                    "{NO_STREAMING}; tail logs not requested: read-only mode"
                ));
            }
            _ => {
                capture.note = Some(format!(
                    "{NO_STREAMING}; set capture_on_failure = \"tail\" to keep the instances' tail logs"
                ));
            }
        }
    }
    finish(app, capture, fx);
}

fn finish(app: &mut App, capture: Capture, fx: &mut Vec<Effect>) {
    let text = match (&capture.note, capture.lines.len()) {
        (_, n) if n > 0 => format!(
            "{}: captured {n} log lines around the failure (:report)",
            capture.env_name
        ),
        (Some(note), _) => format!("{}: nothing captured: {note}", capture.env_name),
        (None, _) => format!("{}: no log lines around the failure", capture.env_name),
    };
    app.flash(
        if capture.lines.is_empty() {
            Level::Warn
        } else {
            Level::Info
        },
        text,
    );
    app.account.journal.keep_capture(capture.clone());
    keep(app, vec![Record::Capture(capture)], fx);
}

/// RequestEnvironmentInfo for a capture, through the write gate, consented to by the config.
fn ask_tail(app: &mut App, mut capture: Capture, fx: &mut Vec<Effect>) {
    let Some(env) = env_of(app, &capture) else {
        return finish(app, capture, fx);
    };
    let op = Op::RequestTailLogs { env };
    match ops::execute(app, op, fx) {
        Some(op_id) => {
            capture.note = Some("asking the instances for their tail logs...".into());
            app.account.journal.keep_capture(capture.clone());
            app.account.journal.pending_tail.insert(op_id, capture);
        }
        None => {
            capture.note = Some("tail logs not requested: refused".into());
            finish(app, capture, fx);
        }
    }
}

/// Whether `op_id` is a capture's RequestEnvironmentInfo.
pub(super) fn owns(app: &App, op_id: u64) -> bool {
    app.account.journal.pending_tail.contains_key(&op_id)
}

/// The capture's RequestEnvironmentInfo was answered: collect the bundles, or say why not.
pub(super) fn tail_requested(
    app: &mut App,
    op_id: u64,
    result: Result<OpAccepted, CloudError>,
    fx: &mut Vec<Effect>,
) {
    let Some(mut capture) = app.account.journal.pending_tail.remove(&op_id) else {
        return;
    };
    let env = env_of(app, &capture);
    match (result, env) {
        (Ok(_), Some(env)) => {
            capture.source = CaptureSource::TailLogs;
            capture.note = None;
            fx.push(Effect::Capture { env, capture });
        }
        (Err(e), _) => {
            capture.note = Some(format!("tail logs not requested: {}", e.message()));
            finish(app, capture, fx);
        }
        (Ok(_), None) => {
            capture.note = Some("the environment is no longer listed".into());
            finish(app, capture, fx);
        }
    }
}

/// The environment a capture is of, as listed now (by id, else by name).
fn env_of(app: &App, capture: &Capture) -> Option<crate::domain::EnvRef> {
    app.account
        .envs
        .all
        .iter()
        .find(|e| e.env.id == capture.env_id || e.env.name == capture.env_name)
        .map(|e| e.env.clone())
}
