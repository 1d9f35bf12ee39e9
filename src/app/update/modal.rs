//! Keys while a dialog is open: help, the confirmation (the only way to `ops::execute`),
//! pickers, and the logs pane's group picker.

use super::super::intents;
use super::super::keymap::Action;
use super::super::modal::{Modal, PickItem, PickPurpose};
use super::super::{App, Effect, Level};
use super::{logs, ops};

pub(super) fn modal_action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let Some(modal) = app.view.modal.take() else {
        return;
    };
    // Each arm decides what stays open: `app.view.modal` is empty until one puts it back.
    match modal {
        Modal::Help { scroll } => help(app, scroll, action),
        m @ Modal::Confirm { .. } => confirm(app, m, action, fx),
        Modal::Pick {
            title,
            purpose,
            items,
            cursor,
            loading,
        } => {
            let pick = Pick {
                title,
                purpose,
                items,
                cursor,
                loading,
            };
            pick_action(app, pick, action, fx);
        }
        Modal::LogGroups => group_picker(app, action, fx),
        Modal::History {
            env,
            cursor,
            open,
            scroll,
        } => history(app, env, cursor, open, scroll, action),
        Modal::Budget if matches!(action, Action::Cancel | Action::Confirm) => {}
        m @ Modal::Budget => app.view.modal = Some(m),
        // The command line takes its keys as text (`keys::text_input`); Esc closes it.
        m @ Modal::Command(_) if action != Action::Cancel => app.view.modal = Some(m),
        Modal::Command(_) => {}
        // The deploy dialog takes its keys as text (`keys::text_input`).
        m @ Modal::Ship => app.view.modal = Some(m),
        m @ Modal::Config(_) => app.view.modal = Some(m),
        // The triage view takes its keys itself (`keys::text_input`).
        m @ Modal::Triage(_) => app.view.modal = Some(m),
        m @ Modal::Journal { .. } => super::journal::list_action(app, m, action, fx),
        Modal::JournalStats(_) if matches!(action, Action::Cancel | Action::Confirm) => {}
        m @ Modal::JournalStats(_) => app.view.modal = Some(m),
        Modal::Insights(ask) => super::insights::on_action(app, ask, action, fx),
    }
}

fn help(app: &mut App, scroll: u16, action: Action) {
    let max = app.keymap.help().len() as u16 + 8;
    let scroll = match action {
        Action::Cancel | Action::Confirm => return,
        Action::Down => scroll.saturating_add(1).min(max),
        Action::PageDown => scroll.saturating_add(10).min(max),
        Action::Up => scroll.saturating_sub(1),
        Action::PageUp => scroll.saturating_sub(10),
        _ => scroll,
    };
    app.view.modal = Some(Modal::Help { scroll });
}

/// The confirmation: confirming executes its operation, once it was seen and, for the
/// dangerous ones, once the environment's name was typed.
fn confirm(app: &mut App, m: Modal, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::Cancel => {}
        Action::Confirm if m.confirm_ready() => {
            if let Modal::Confirm { op, .. } = m {
                let tail = match &op {
                    crate::cloud::Op::RequestTailLogs { env } => Some(env.name.clone()),
                    _ => None,
                };
                if let (Some(op_id), Some(name)) = (ops::execute(app, op, fx), tail) {
                    logs::tail_request_sent(app, op_id, &name);
                }
            }
        }
        Action::Confirm => {
            if matches!(m, Modal::Confirm { seen: true, .. }) {
                app.flash(Level::Warn, "type the environment name exactly to confirm");
            }
            app.view.modal = Some(m);
        }
        // Any other key leaves the dialog as it was.
        _ => app.view.modal = Some(m),
    }
}

/// A picker's fields, taken out of `Modal::Pick` while a key is handled.
struct Pick {
    title: String,
    purpose: PickPurpose,
    items: Vec<PickItem>,
    cursor: usize,
    loading: bool,
}

fn pick_action(app: &mut App, mut p: Pick, action: Action, fx: &mut Vec<Effect>) {
    let delta: isize = match action {
        Action::Cancel => return,
        Action::Confirm | Action::Select if !p.items.is_empty() => {
            let value = p.items[p.cursor.min(p.items.len() - 1)].value.clone();
            intents::picked(app, p.purpose, value, fx);
            return;
        }
        Action::Up => -1,
        Action::Down => 1,
        Action::PageUp => -10,
        Action::PageDown => 10,
        _ => 0,
    };
    let last = p.items.len().saturating_sub(1) as isize;
    p.cursor = (p.cursor as isize + delta).clamp(0, last) as usize;
    app.view.modal = Some(Modal::Pick {
        title: p.title,
        purpose: p.purpose,
        items: p.items,
        cursor: p.cursor,
        loading: p.loading,
    });
}

/// The operations list: move, Enter opens an operation's events, Esc goes back, then closes.
fn history(
    app: &mut App,
    env: String,
    mut cursor: usize,
    mut open: Option<String>,
    mut scroll: u16,
    action: Action,
) {
    let ops = app.account.ledger.of(&env);
    let n = ops.len();
    match (action, open.is_some()) {
        (Action::Cancel, true) => {
            open = None;
            scroll = 0;
        }
        (Action::Cancel, false) => return,
        (Action::Confirm | Action::Select, false) => {
            // The list is newest first.
            open = n
                .checked_sub(cursor + 1)
                .and_then(|i| ops.get(i))
                .map(|o| o.request_id.clone());
        }
        (Action::Down, true) => scroll = scroll.saturating_add(1),
        (Action::Up, true) => scroll = scroll.saturating_sub(1),
        (Action::PageDown, true) => scroll = scroll.saturating_add(10),
        (Action::PageUp, true) => scroll = scroll.saturating_sub(10),
        (Action::Down, false) => cursor = (cursor + 1).min(n.saturating_sub(1)),
        (Action::Up, false) => cursor = cursor.saturating_sub(1),
        (Action::PageDown, false) => cursor = (cursor + 10).min(n.saturating_sub(1)),
        (Action::PageUp, false) => cursor = cursor.saturating_sub(10),
        _ => {}
    }
    // `:report` tells the operation last chosen here.
    let chosen = open.clone().or_else(|| {
        n.checked_sub(cursor + 1)
            .and_then(|i| app.account.ledger.of(&env).get(i))
            .map(|o| o.request_id.clone())
    });
    app.account.journal.report_target = chosen.map(|rid| (env.clone(), rid));
    app.view.modal = Some(Modal::History {
        env,
        cursor,
        open,
        scroll,
    });
}

/// The logs pane's group picker: edits stay pending until confirmed; Cancel discards them.
fn group_picker(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let pane = &mut app.logs.pane;
    match action {
        Action::Cancel => {
            pane.close_group_picker();
            return;
        }
        Action::Confirm if !pane.group_picker().entries().any(|(_, on)| on) => {
            app.flash(Level::Warn, "choose at least one log group (space toggles)");
        }
        Action::Confirm => {
            if let Some(groups) = pane.apply_group_picker() {
                let from = app.now - app.settings.log_backfill_min * 60_000;
                logs::restart_tail(app, from, groups, fx);
            }
            return;
        }
        Action::Select => pane.picker_toggle(),
        Action::Up => pane.picker_move(-1),
        Action::Down => pane.picker_move(1),
        _ => {}
    }
    app.view.modal = Some(Modal::LogGroups);
}
