//! Operations: the confirmed write (`execute`, the write gate), and following every operation,
//! ours or started elsewhere, from the environment list, events and health to its outcome.
//! What one operation knows of itself (`Tracked`) lives in `app/ops.rs`.

use super::super::ops::{Origin, Tracked};
use super::super::{App, Effect, Level};
use crate::cloud::{CloudError, Op, OpAccepted, PollKey, RollbackVia};
use crate::domain::{EnvStatus, HealthSnapshot};

/// The confirmed write: follow it, and ask the runtime to carry it out. The only place an
/// `Effect::Execute` is built; reached only by confirming a `Modal::Confirm`.
///
/// Returns the operation's id, `None` when refused. Deploying a directory is three writes
/// confirmed once (`update/ship.rs`): each comes through here after the one before was accepted.
pub(super) fn execute(app: &mut App, op: Op, fx: &mut Vec<Effect>) -> Option<u64> {
    if app.settings.read_only {
        // Unreachable through the keys (intents refuse first); kept so no path can write.
        app.flash(Level::Warn, "read-only mode: refused");
        return None;
    }
    let op_id = app.account.next_op_id;
    app.account.next_op_id += 1;
    if matches!(op, Op::UploadBundle { .. } | Op::CreateVersion { .. }) {
        // Steps of a ship, not operations on the environment: the ship follows them.
        fx.push(Effect::Execute { op_id, op });
        return Some(op_id);
    }
    if let Op::RequestTailLogs { .. } = &op {
        // Not an operation on the environment: nothing to follow; who asked waits for it (the
        // logs pane for `l`, a capture on failure for `capture_on_failure = "tail"`).
        fx.push(Effect::Execute { op_id, op });
        return Some(op_id);
    }
    let label = op_label(&op);
    let env = app.account.envs.key_for_ref(op.env());
    // An operation replaces any detected one still running on the same environment.
    app.account
        .ops
        .retain(|t| !(t.env == env && t.origin == Origin::Elsewhere && t.is_active()));
    app.account
        .ops
        .push(Tracked::new(&env, &label, Origin::Ours { op_id }, app.now));
    app.flash(Level::Info, format!("{label} on {env}: request sent"));
    fx.push(Effect::Execute { op_id, op });
    Some(op_id)
}

fn op_label(op: &Op) -> String {
    match op {
        Op::Deploy { version, .. } => format!("Deploy {version}"),
        Op::Rollback {
            via: RollbackVia::Deploy { version },
            ..
        } => format!("Roll back to {version}"),
        Op::Rollback {
            via: RollbackVia::Abort,
            ..
        } => "Roll back (abort)".to_string(),
        Op::Rebuild { .. } => "Rebuild".to_string(),
        Op::Abort { .. } => "Abort update".to_string(),
        Op::RestartAppServer { .. } => "Restart app servers".to_string(),
        Op::SwapCnames { b, .. } => format!("Swap CNAMEs with {}", b.name),
        Op::RequestTailLogs { .. } => "Request tail logs".to_string(),
        Op::UploadBundle { upload, .. } => format!("Upload {}", upload.label),
        Op::CreateVersion { label, .. } => format!("Create version {label}"),
        Op::Configure { what, .. } => format!("Configure: {what}"),
    }
}

/// The cloud answered a write: accepted (follow it fast from now on), refused, or the answer was
/// lost (it may run: follow it and let the events tell; it is never sent again).
pub(super) fn on_op_done(
    app: &mut App,
    op_id: u64,
    result: Result<OpAccepted, CloudError>,
    fx: &mut Vec<Effect>,
) {
    if super::ship::owns(app, op_id) {
        return super::ship::on_step_done(app, result, fx);
    }
    if super::capture::owns(app, op_id) {
        return super::capture::tail_requested(app, op_id, result, fx);
    }
    if app.account.tail_request == Some(op_id) {
        app.account.tail_request = None;
        return super::logs::tail_logs_requested(app, result, fx);
    }
    let now = app.now;
    let Some(t) = app
        .account
        .ops
        .iter_mut()
        .find(|t| t.origin == Origin::Ours { op_id })
    else {
        return;
    };
    let (env, label) = (t.env.clone(), t.label.clone());
    match result {
        Ok(acc) => {
            t.accepted = true;
            t.request_id = acc.request_id;
            app.flash(
                Level::Info,
                format!("{label}: request accepted, following {env}"),
            );
            for key in [
                PollKey::Environments,
                PollKey::AccountEvents,
                PollKey::Health(env.clone()),
            ] {
                app.account.schedule.expire(&key);
            }
        }
        Err(CloudError::AnswerLost(why)) => {
            t.accepted = true;
            t.answer_lost = true;
            app.flash(
                Level::Warn,
                format!(
                    "{label}: sent; answer lost ({why}); following {env} to see whether it started"
                ),
            );
            for key in [PollKey::Environments, PollKey::AccountEvents] {
                app.account.schedule.expire(&key);
            }
        }
        Err(e) => {
            t.error = Some(e.message().to_string());
            t.ended = Some(now);
            app.flash(Level::Error, format!("{label} refused: {}", e.message()));
        }
    }
    app.view.dirty = true;
}

/// Start following operations seen in the environment list, and settle the ones that ended.
pub(super) fn follow_status(app: &mut App) {
    let now = app.now;
    let acc = &mut app.account;
    for e in &acc.envs.all {
        let key = acc.envs.key_of(e);
        let active = acc.ops.iter().any(|t| t.env == key && t.is_active());
        if !active && e.status.is_transitional() {
            let label = match e.status {
                EnvStatus::Launching => "Create",
                EnvStatus::Terminating => "Terminate",
                _ => "Update",
            };
            let mut t = Tracked::new(&key, label, Origin::Elsewhere, e.updated.min(now));
            t.accepted = true;
            t.seen_busy = true;
            if let Some(tl) = acc.timelines.get(&key) {
                t.observe_events(&tl.eb_events());
            }
            acc.ops.push(t);
            app.view.dirty = true;
        }
    }
    let names = acc.active_op_envs();
    for name in names {
        settle(app, &name);
    }
}

/// New events of an environment: its operations learn from them, and may settle.
pub(super) fn follow_events(app: &mut App, name: &str) {
    let events = app
        .account
        .timelines
        .get(name)
        .map(|t| t.eb_events())
        .unwrap_or_default();
    for t in app
        .account
        .ops
        .iter_mut()
        .filter(|t| t.env == name && t.is_active())
    {
        t.observe_events(&events);
    }
    settle(app, name);
}

/// A health snapshot: active operations count instances done and failed.
pub(super) fn observe_health(app: &mut App, name: &str, snap: &HealthSnapshot) {
    let target = app.account.envs.get(name).and_then(|e| e.version.clone());
    for t in app
        .account
        .ops
        .iter_mut()
        .filter(|t| t.env == name && t.is_active())
    {
        t.observe_instances(&snap.instances, target.as_deref());
    }
}

/// Decide the outcome of an environment's operations whose status settled, from events read
/// after it settled; ask for that read when it has not happened yet.
fn settle(app: &mut App, name: &str) {
    let acc = &mut app.account;
    let Some(status) = acc.envs.get(name).map(|e| e.status.clone()) else {
        return;
    };
    let events = acc
        .timelines
        .get(name)
        .map(|t| t.eb_events())
        .unwrap_or_default();
    let key = PollKey::AccountEvents;
    // Only an events read that finished counts; one still in flight started before the answer.
    let read_at = if acc.schedule.in_flight(&key) {
        None
    } else {
        acc.schedule.started_at(&key)
    };
    let now = app.now;
    let mut ended = Vec::new();
    let mut need_events = false;
    for t in acc
        .ops
        .iter_mut()
        .filter(|t| t.env == name && t.is_active() && t.accepted)
    {
        t.observe_status(&status, now);
        match read_at {
            Some(at) if t.settle(&events, at, now) => ended.push(t.summary(now)),
            _ => need_events |= t.settled_at.is_some(),
        }
    }
    if need_events {
        // The status settled: read the events once more to learn how it ended.
        acc.schedule.expire(&key);
    }
    if !ended.is_empty() {
        // A configuration change may have changed properties or turned log streaming on: the
        // Config view and the log groups are read again now rather than at their next turn.
        for k in [
            PollKey::Config(name.to_string()),
            PollKey::LogGroups(name.to_string()),
        ] {
            acc.schedule.expire(&k);
        }
    }
    keep_last_ended(&mut acc.ops, name);
    for s in ended {
        let level = if s.ends_with("succeeded") {
            Level::Info
        } else {
            Level::Warn
        };
        app.flash(level, format!("{name}: {s}"));
    }
}

/// Keep the last ended operation of an environment (its outcome stays on screen); drop older
/// ones. Active operations and other environments' are kept.
fn keep_last_ended(ops: &mut Vec<Tracked>, name: &str) {
    let Some(last) = ops.iter().rposition(|t| t.env == name && !t.is_active()) else {
        return;
    };
    let mut i = 0;
    ops.retain(|t| {
        let keep = t.env != name || t.is_active() || i == last;
        i += 1;
        keep
    });
}
