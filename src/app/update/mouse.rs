//! The mouse: a click focuses the pane under it and picks the row under it (an environment is
//! selected, an instance or a log line gets the cursor); the wheel scrolls the pane under the
//! pointer, focused or not; in a dialog a click answers it or picks a choice. Where things are
//! comes from `app::geometry`, the same rectangles `ui` draws into.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use super::super::geometry::{self, Answer};
use super::super::keymap::Action;
use super::super::modal::Modal;
use super::super::{App, Effect, Pane};
use super::{keys, logs, modal, select};

/// Lines a wheel notch moves, as most terminals and pagers do.
const WHEEL_LINES: usize = 3;

pub(super) fn on_mouse(app: &mut App, m: MouseEvent, fx: &mut Vec<Effect>) {
    let (col, row) = (m.column, m.row);
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => click(app, col, row, fx),
        MouseEventKind::ScrollUp => wheel(app, col, row, Action::Up, fx),
        MouseEventKind::ScrollDown => wheel(app, col, row, Action::Down, fx),
        // Releases, drags, other buttons: nothing to do, nothing to draw.
        _ => return,
    }
    app.view.dirty = true;
}

fn click(app: &mut App, col: u16, row: u16, fx: &mut Vec<Effect>) {
    if app.view.modal.is_some() {
        return click_dialog(app, col, row, fx);
    }
    let screen = geometry::screen(app);
    let Some((pane, _)) = screen.pane_at(col, row) else {
        return;
    };
    // The instances table drew its cursor only while focused: place the click on that frame.
    let was_focused = app.view.focus == pane;
    app.view.focus = pane;
    match pane {
        Pane::Envs => {
            let envs = &app.account.envs;
            let visible = envs.visible();
            let hit = geometry::envs_table(&screen).and_then(|area| {
                geometry::table_row(area, envs.cursor_index(), visible.len(), row)
            });
            if let Some(key) = hit.map(|i| envs.key_of(visible[i])) {
                app.account.envs.cursor = Some(key.clone());
                select::select(app, &key, fx);
            }
        }
        Pane::Health => {
            let acc = &app.account;
            let len = acc
                .selected
                .as_ref()
                .and_then(|s| acc.health.get(s))
                .map_or(0, |h| h.instances.len());
            let shown = was_focused.then_some(acc.health_cursor);
            if let Some(i) = geometry::instances_table(app, &screen)
                .and_then(|area| geometry::table_row(area, shown, len, row))
            {
                app.account.health_cursor = i;
            }
        }
        Pane::Logs => {
            if let Some(area) = geometry::log_rows(app, &screen)
                && area.contains(col, row)
            {
                app.logs.pane.select_row(usize::from(row - area.y));
            }
        }
        // The timeline has no cursor: a click focuses it.
        Pane::Timeline => {}
    }
}

/// A click in a dialog: the confirmation's answer line, a picker's choice (a second click on
/// the chosen one picks it, as Enter does).
fn click_dialog(app: &mut App, col: u16, row: u16, fx: &mut Vec<Effect>) {
    let size = app.view.size;
    match &mut app.view.modal {
        Some(Modal::Confirm { lines, typed, .. }) => {
            let want = typed.as_ref().map(|(w, _)| w.as_str());
            let r = geometry::confirm_box(size, lines, want);
            let action = match geometry::confirm_answer(r, want.is_some(), col, row) {
                Some(Answer::Confirm) => Action::Confirm,
                Some(Answer::Cancel) => Action::Cancel,
                None => return,
            };
            modal::modal_action(app, action, fx);
        }
        Some(Modal::Pick {
            items,
            cursor,
            loading: false,
            ..
        }) => {
            let r = geometry::pick_box(size, items.len());
            match geometry::pick_item(r, *cursor, items.len(), col, row) {
                Some(i) if i == *cursor => modal::modal_action(app, Action::Confirm, fx),
                Some(i) => *cursor = i,
                None => {}
            }
        }
        _ => {}
    }
}

fn wheel(app: &mut App, col: u16, row: u16, action: Action, fx: &mut Vec<Effect>) {
    if let Some(m) = &app.view.modal {
        // Dialogs with a list or a long text scroll; the others take no wheel.
        if matches!(
            m,
            Modal::Pick { .. } | Modal::Help { .. } | Modal::History { .. } | Modal::LogGroups
        ) {
            for _ in 0..WHEEL_LINES {
                modal::modal_action(app, action, fx);
            }
        }
        return;
    }
    let Some((pane, _)) = geometry::screen(app).pane_at(col, row) else {
        return;
    };
    for _ in 0..WHEEL_LINES {
        match pane {
            Pane::Envs => keys::envs_action(app, action, fx),
            Pane::Timeline => keys::timeline_action(app, action, fx),
            Pane::Health => keys::health_action(app, action),
            Pane::Logs => logs::logs_action(app, action, fx),
        }
    }
}
