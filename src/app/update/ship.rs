//! Deploying the code in a directory: `:deploy [PATH]` and the deploy picker's first row start
//! it; the bundle arrives (`on_bundled`) and the dialog shows it; confirming it sends three
//! writes, each through the write gate `ops::execute` and each after the one before was
//! accepted: UploadBundle, CreateVersion (processed), Deploy. From the Deploy on, the operation is
//! followed like any other.

use std::path::PathBuf;

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::backend::crossterm::to_input_request;

use super::super::modal::Modal;
use super::super::ship::{Ship, Stage, label_problem};
use super::super::{App, Effect, Level};
use super::ops;
use crate::bundle::Bundle;
use crate::cloud::{BundleUpload, CloudError, Op, OpAccepted, PollKey, UploadProgress};
use crate::domain::EnvStatus;

/// Deploy the code at `path` (a directory or an archive) to the selected environment. Refused,
/// before anything is read or zipped, in read-only mode, without an environment, while the
/// environment cannot take a deploy, and while another ship is on its way.
pub(in crate::app) fn start(app: &mut App, path: Option<&str>, fx: &mut Vec<Effect>) {
    if app.settings.read_only {
        app.flash(
            Level::Warn,
            "read-only mode: deploy refused (ebtui was started with --read-only)",
        );
        return;
    }
    let Some(env) = app.selected_env().cloned() else {
        app.flash(Level::Warn, "select an environment to deploy to first");
        return;
    };
    if env.status != EnvStatus::Ready {
        app.flash(
            Level::Warn,
            format!(
                "{} is {}: Elastic Beanstalk deploys only to a Ready environment; wait for it to finish",
                env.env.name,
                env.status.as_str()
            ),
        );
        return;
    }
    if let Some(s) = app.account.ship.as_ref().filter(|s| s.is_running()) {
        app.flash(
            Level::Warn,
            format!(
                "a deploy of {} is on its way already: wait for it, or cancel it (Esc in its dialog)",
                crate::logs::sanitize(&s.path.display().to_string())
            ),
        );
        app.view.modal = Some(Modal::Ship);
        return;
    }
    let path = path.map_or_else(|| app.settings.app_dir.clone(), PathBuf::from);
    discard_finished(app, fx);
    app.account.ships += 1;
    let id = app.account.ships;
    let key = app.account.envs.key_of(&env);
    app.account.ship = Some(Ship::new(id, env.env.clone(), key, path.clone()));
    app.view.modal = Some(Modal::Ship);
    // The label is checked against the application's versions: read them now.
    super::polls::force(app, PollKey::Versions(env.env.app.clone()), fx);
    fx.push(Effect::Bundle { ship: id, path });
}

/// The bundle of ship `id` is made (or not): the dialog shows what will ship.
pub(super) fn on_bundled(
    app: &mut App,
    id: u64,
    result: Result<Bundle, String>,
    fx: &mut Vec<Effect>,
) {
    let platform = app
        .account
        .ship
        .as_ref()
        .and_then(|s| app.account.envs.get(&s.env_key))
        .map(|e| e.platform.clone())
        .unwrap_or_default();
    // Only the ship waiting for it takes a bundle: one that arrives for a ship past bundling
    // (or for another ship) must not replace what is on screen or under way.
    let current = app
        .account
        .ship
        .as_mut()
        .filter(|s| s.id == id && s.stage == Stage::Bundling);
    let Some(ship) = current else {
        // A ship given up (Esc, a context switch) before its bundle was done.
        if let Ok(b) = result
            && b.owned
        {
            fx.push(Effect::Discard(b.zip));
        }
        return;
    };
    match result {
        Ok(bundle) => ship.reviewed(bundle, &platform),
        Err(e) => ship.stage = Stage::Stopped(e),
    }
    app.view.dirty = true;
}

/// Keys while the deploy dialog is open: it takes them all. In the review, typing edits the
/// label; Enter ships, Esc gives up, Tab lists every file (arrows scroll it). While uploading,
/// Esc cancels (a multipart upload is aborted); while the version processes, Esc closes the
/// dialog and the writes go on.
pub(super) fn on_key(app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(ship) = app.account.ship.as_mut() else {
        app.view.modal = None;
        return;
    };
    app.view.dirty = true;
    match (&ship.stage, k.code) {
        (Stage::Review, KeyCode::Enter) => confirm(app, fx),
        (Stage::Review | Stage::Bundling, KeyCode::Esc) => {
            give_up(app, fx);
            app.view.modal = None;
        }
        (Stage::Review, KeyCode::Tab | KeyCode::BackTab) => {
            ship.files_open = !ship.files_open;
            ship.scroll = 0;
        }
        (Stage::Review, KeyCode::Down) => ship.scroll = ship.scroll.saturating_add(1),
        (Stage::Review, KeyCode::Up) => ship.scroll = ship.scroll.saturating_sub(1),
        (Stage::Review, KeyCode::PageDown) => ship.scroll = ship.scroll.saturating_add(10),
        (Stage::Review, KeyCode::PageUp) => ship.scroll = ship.scroll.saturating_sub(10),
        (Stage::Review, KeyCode::Char('j')) if ship.files_open => {
            ship.scroll = ship.scroll.saturating_add(1)
        }
        (Stage::Review, KeyCode::Char('k')) if ship.files_open => {
            ship.scroll = ship.scroll.saturating_sub(1)
        }
        (Stage::Review, _) if !ship.files_open => {
            if let Some(r) = to_input_request(&Event::Key(k)) {
                ship.label.handle(r);
                ship.problem = None;
            }
        }
        (Stage::Uploading { op_id }, KeyCode::Esc) => {
            let op_id = *op_id;
            app.flash(Level::Info, "cancelling the upload...");
            fx.push(Effect::CancelUpload { op_id });
        }
        // Processing cannot be stopped; the dialog can be closed while it goes on.
        (Stage::Creating { .. }, KeyCode::Esc) => {
            ship.hidden = true;
            app.view.modal = None;
        }
        (Stage::Stopped(_) | Stage::Deploying, KeyCode::Esc | KeyCode::Enter) => {
            app.view.modal = None;
        }
        _ => {}
    }
    // Scrolling stops near the last line (the dialog shows the last page), so a key back up
    // moves at once.
    if let Some(ship) = app.account.ship.as_mut() {
        let lines = match (&ship.bundle, ship.files_open) {
            (Some(b), true) => b.entries.len(),
            // Source, commit, uncommitted, bundle, largest, then the warnings.
            (Some(_), false) => ship.warnings.len() + 5,
            (None, _) => 0,
        };
        ship.scroll = ship.scroll.min(u16::try_from(lines).unwrap_or(u16::MAX));
    }
}

/// The review was confirmed: check the label, then the first write.
fn confirm(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(ship) = app.account.ship.as_mut() else {
        return;
    };
    if !ship.seen {
        return;
    }
    let Some(bundle) = ship.bundle.as_ref() else {
        return;
    };
    let label = ship.label.value().trim().to_string();
    let existing: Option<Vec<String>> = app
        .account
        .versions
        .get(&ship.env.app)
        .map(|v| v.iter().map(|v| v.label.clone()).collect());
    if let Some(p) = label_problem(&label, existing.as_deref()) {
        // Fail closed: a label that cannot be checked is not shipped. When the read failed, say
        // so rather than "still being read".
        let failed = app
            .account
            .errors
            .get(&PollKey::Versions(ship.env.app.clone()));
        ship.problem = Some(match (existing.is_none(), failed) {
            (true, Some(why)) => format!(
                "the label cannot be checked: reading the application's versions failed ({why}); nothing was sent"
            ),
            _ => p,
        });
        return;
    }
    let op = Op::UploadBundle {
        env: ship.env.clone(),
        upload: BundleUpload {
            app: ship.env.app.clone(),
            label,
            file: bundle.zip.clone(),
            size: bundle.zip_bytes,
        },
    };
    if let Some(op_id) = ops::execute(app, op, fx)
        && let Some(ship) = app.account.ship.as_mut()
    {
        ship.stage = Stage::Uploading { op_id };
        // The start is the rate's first sample: an upload reported in a few big steps (parts
        // acknowledged together) still has a rate from its first report on.
        let total = ship.bundle.as_ref().map_or(0, |b| b.zip_bytes);
        ship.record(UploadProgress { sent: 0, total }, app.now);
    }
}

/// Bytes acknowledged by the upload.
pub(super) fn on_progress(app: &mut App, op_id: u64, progress: UploadProgress) {
    let now = app.now;
    if let Some(ship) = app.account.ship.as_mut()
        && ship.stage == (Stage::Uploading { op_id })
    {
        ship.record(progress, now);
        app.view.dirty = true;
    }
}

/// Whether `op_id` is one of the ship's writes.
pub(super) fn owns(app: &App, op_id: u64) -> bool {
    app.account.ship.as_ref().is_some_and(|s| {
        matches!(s.stage, Stage::Uploading { op_id: o } | Stage::Creating { op_id: o, .. } if o == op_id)
    })
}

/// One of the ship's writes was answered: the next one, or the stop with its reason.
pub(super) fn on_step_done(
    app: &mut App,
    result: Result<OpAccepted, CloudError>,
    fx: &mut Vec<Effect>,
) {
    let Some(ship) = app.account.ship.as_mut() else {
        return;
    };
    let label = ship.label.value().trim().to_string();
    let next = match (&ship.stage, result) {
        (Stage::Uploading { .. }, Ok(acc)) => match acc.uploaded {
            Some(up) => {
                ship.existed = up.existed;
                Op::CreateVersion {
                    env: ship.env.clone(),
                    app: ship.env.app.clone(),
                    label: label.clone(),
                    description: describe(ship),
                    source: up.location,
                }
            }
            None => {
                return stop(
                    app,
                    "the upload ended without saying where the bundle is: nothing was deployed"
                        .into(),
                    fx,
                );
            }
        },
        (Stage::Creating { .. }, Ok(_)) => Op::Deploy {
            env: ship.env.clone(),
            version: label.clone(),
        },
        (Stage::Uploading { .. }, Err(CloudError::Cancelled(m))) => return stop(app, m, fx),
        (Stage::Uploading { .. }, Err(CloudError::AnswerLost(m))) => {
            let why = format!(
                "the upload's answer was lost ({m}); nothing was deployed. Deploy again: an object that arrived is not sent twice"
            );
            return stop(app, why, fx);
        }
        (Stage::Uploading { .. }, Err(e)) => {
            return stop(app, format!("upload failed: {}", e.message()), fx);
        }
        (Stage::Creating { .. }, Err(e)) => {
            let why = format!("version {label} was not created: {}", e.message());
            return stop(app, why, fx);
        }
        _ => return,
    };
    let creating = matches!(next, Op::CreateVersion { .. });
    let source = match &next {
        Op::CreateVersion { source, .. } => Some(source.clone()),
        _ => None,
    };
    let Some(op_id) = ops::execute(app, next, fx) else {
        return stop(app, "refused: read-only mode".into(), fx);
    };
    let Some(ship) = app.account.ship.as_mut() else {
        return;
    };
    if let (true, Some(source)) = (creating, source) {
        ship.stage = Stage::Creating { op_id, source };
    } else {
        ship.stage = Stage::Deploying;
        if let Some(b) = ship.bundle.as_ref().filter(|b| b.owned) {
            fx.push(Effect::Discard(b.zip.clone()));
        }
        // The deploy is followed in the panes like any other; the dialog has done its work.
        if matches!(app.view.modal, Some(Modal::Ship)) {
            app.view.modal = None;
        }
    }
    app.view.dirty = true;
}

/// The version's description: where it came from, as the EB CLI writes its own.
fn describe(ship: &Ship) -> String {
    let Some(b) = ship.bundle.as_ref() else {
        return String::new();
    };
    let from = b
        .source
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| b.source.display().to_string());
    let mut d = match &b.git {
        Some(g) => format!("ebtui: {from} at {} ({})", g.commit, b.rules.describe()),
        None => format!("ebtui: {from} ({})", b.rules.describe()),
    };
    // Elastic Beanstalk's limit on a description.
    d.truncate(d.char_indices().nth(200).map_or(d.len(), |(i, _)| i));
    d
}

/// The ship stops; the dialog shows why (it opens again if it was closed).
fn stop(app: &mut App, why: String, fx: &mut Vec<Effect>) {
    app.flash(Level::Warn, why.clone());
    if let Some(ship) = app.account.ship.as_mut() {
        ship.stage = Stage::Stopped(why);
        ship.hidden = false;
        if let Some(b) = ship.bundle.as_ref().filter(|b| b.owned) {
            fx.push(Effect::Discard(b.zip.clone()));
        }
    }
    app.view.modal = Some(Modal::Ship);
    app.view.dirty = true;
}

/// The user gave up before anything was sent: the zip goes.
fn give_up(app: &mut App, fx: &mut Vec<Effect>) {
    if let Some(ship) = app.account.ship.take()
        && let Some(b) = ship.bundle.filter(|b| b.owned)
    {
        fx.push(Effect::Discard(b.zip));
    }
}

/// A finished ship's dialog is replaced by the next one.
fn discard_finished(app: &mut App, fx: &mut Vec<Effect>) {
    if app.account.ship.as_ref().is_some_and(|s| !s.is_running()) {
        give_up(app, fx);
    }
}

/// The account is being replaced (`:profile`/`:region`): an upload under way is cancelled and
/// its zip removed, so nothing of it is left running against the old account.
pub(super) fn abandon(app: &mut App, fx: &mut Vec<Effect>) {
    if let Some(Stage::Uploading { op_id }) = app.account.ship.as_ref().map(|s| &s.stage) {
        fx.push(Effect::CancelUpload { op_id: *op_id });
    }
    give_up(app, fx);
}
