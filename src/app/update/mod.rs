//! `update`: one message in, state changed, effects out. This file routes; each concern has its
//! own file:
//!
//! - `polls`: time passing, what to read when, and what a read's answer changes
//! - `ops`: the confirmed write (`execute`, the one place a write effect is built) and following
//!   operations to their outcome
//! - `logs`: the log stream (open, restart, search back, the logs pane's keys)
//! - `select`: choosing the environment the detail panes show
//! - `keys`: keys, paste, text inputs and the command line
//! - `modal`: keys while a dialog is open
//! - `notify`: telling the person an operation ended or an environment turned red
//! - `config`: the Config view (properties, secrets, configuration) and its one write
//! - `ship`: deploying the code in a directory (bundle, dialog, upload, version, deploy)
//! - `journal`: what is handed to the journal, what it gave back (`:journal`), the start-up load
//! - `capture`: evidence captured when an operation fails
//! - `mouse`: clicks and the wheel, placed with `app::geometry`
//! - `sso`: logging in to AWS SSO from inside (the key, the refusal in the demo, the answer)

mod capture;
mod config;
mod config_write;
mod insights;
mod journal;
mod keys;
mod logs;
mod modal;
mod mouse;
mod notify;
mod ops;
mod polls;
mod report;
mod select;
mod ship;
mod sso;
mod triage;

pub(in crate::app) use config_write::log_streaming_picked;
pub(in crate::app) use polls::force as force_read;
pub(in crate::app) use ship::start as ship_start;
pub use sso::SSO_EXPIRED;
#[cfg(test)]
pub(in crate::app) use {logs::filter_pattern, polls::schedule_inputs};

use super::{Account, App, Effect, Level, LogSession, Msg, SwitchError};
use crate::domain::{CloudContext, Millis};

pub fn update(app: &mut App, msg: Msg, now: Millis) -> Vec<Effect> {
    app.now = now;
    let mut fx = Vec::new();
    // Results of an older cloud context are dropped here, once for every message that has one.
    if msg_epoch(&msg).is_some_and(|e| e != app.account.epoch) {
        return fx;
    }
    // What AWS said is kept whatever the app makes of it, so it is read before handling.
    let mut records = if app.settings.journal {
        journal::records_of(app, &msg)
    } else {
        Vec::new()
    };
    let ops_before = journal::ops_before(app);
    let failures = capture::triggers(app, &msg);
    handle(app, msg, now, &mut fx);
    triage::refresh(app);
    capture::start(app, failures, &mut fx);
    records.extend(journal::ops_changed(app, &ops_before));
    journal::keep(app, records, &mut fx);
    fx
}

fn handle(app: &mut App, msg: Msg, now: Millis, fx: &mut Vec<Effect>) {
    match msg {
        Msg::Key(k) => keys::on_key(app, k, fx),
        Msg::Mouse(m) => mouse::on_mouse(app, m, fx),
        Msg::LoggedIn { profile, result } => sso::on_logged_in(app, &profile, result, fx),
        Msg::Paste(text) => keys::on_paste(app, &text),
        Msg::Resize(w, h) => {
            app.view.size = (w, h);
            app.view.dirty = true;
        }
        Msg::Tick => polls::on_tick(app, fx),
        Msg::Cloud { reply, .. } => polls::on_reply(app, reply, fx),
        Msg::Tail { tail, event, .. } => logs::on_tail(app, tail, event),
        Msg::TailEnded { tail, error, .. } => logs::on_tail_ended(app, tail, error),
        Msg::Insights { tail, event, .. } => insights::on_insights(app, tail, event),
        Msg::OpDone { op_id, result, .. } => ops::on_op_done(app, op_id, result, fx),
        Msg::Context { epoch, result } => match result {
            Ok(ctx) => {
                ship::abandon(app, fx);
                reset_context(app, epoch, ctx);
                polls::poll_due(app, fx);
            }
            Err(SwitchError::Unsupported) => app.flash(
                Level::Error,
                "this account has no profiles or regions to switch to (the demo)",
            ),
            Err(SwitchError::Failed(e)) => app.flash(Level::Error, e),
        },
        Msg::Stats { api_calls, ctx } => {
            if ctx != app.account.ctx {
                app.account.ctx = ctx;
                app.view.dirty = true;
            }
            app.view.dirty |= app.account.calls.record(now, api_calls);
        }
        Msg::Saved(Ok(path)) => app.flash(Level::Info, format!("saved to {path}")),
        Msg::Saved(Err(e)) => app.flash(Level::Error, format!("could not save: {e}")),
        Msg::Bundled { ship, result } => ship::on_bundled(app, ship, result, fx),
        Msg::FileRead { path, result } => config::on_file(app, &path, result),
        Msg::Uploading {
            op_id, progress, ..
        } => ship::on_progress(app, op_id, progress),
        Msg::JournalLoaded(loaded) => journal::on_loaded(app, *loaded, fx),
        Msg::Journal { answer, .. } => journal::on_answer(app, answer, fx),
        Msg::JournalStatus(status) => journal::on_status(app, status),
        Msg::Captured { capture, .. } => capture::on_captured(app, capture, fx),
        Msg::TriageMinutes { env, result, .. } => triage::on_minutes(app, &env, result),
    }
}

/// The context generation a message belongs to, for messages that are results. A context switch
/// carries the new generation and is never stale.
fn msg_epoch(msg: &Msg) -> Option<u64> {
    match msg {
        Msg::Cloud { epoch, .. }
        | Msg::Tail { epoch, .. }
        | Msg::TailEnded { epoch, .. }
        | Msg::Insights { epoch, .. }
        | Msg::OpDone { epoch, .. }
        | Msg::Uploading { epoch, .. }
        | Msg::Captured { epoch, .. }
        | Msg::TriageMinutes { epoch, .. }
        | Msg::Journal { epoch, .. } => Some(*epoch),
        Msg::Key(_)
        | Msg::Mouse(_)
        | Msg::LoggedIn { .. }
        | Msg::Paste(_)
        | Msg::Resize(..)
        | Msg::Tick
        | Msg::Context { .. }
        | Msg::Stats { .. }
        | Msg::Saved(_)
        | Msg::Bundled { .. }
        | Msg::FileRead { .. }
        | Msg::JournalStatus(_)
        | Msg::JournalLoaded(_) => None,
    }
}

/// A new cloud context: everything learned from the old one goes, whole.
fn reset_context(app: &mut App, epoch: u64, ctx: CloudContext) {
    // Ship ids go on counting: a bundle still being made for the old account's ship (bundles
    // carry no epoch, so that theirs are removed) must not be taken for a new ship's.
    let ships = app.account.ships;
    let sort = app.account.envs.sort;
    app.account = Account::new(epoch, ctx);
    app.account.ships = ships;
    // How the table is sorted is the person's choice, not the account's.
    app.account.envs.sort = sort;
    app.logs = LogSession::new(&app.settings);
    // A dialog may hold an operation on an environment of the old account.
    app.view.modal = None;
    app.view.dirty = true;
}
