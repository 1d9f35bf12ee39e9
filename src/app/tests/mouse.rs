//! The mouse: clicks focus and pick, the wheel scrolls the pane under it, dialogs answer.

use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::super::geometry::{self, Rect};
use super::super::modal::Modal;
use super::super::{App, Effect, Msg, Pane, update};
use super::support::*;
use crate::domain::HealthStatus;

fn mouse(app: &mut App, kind: MouseEventKind, col: u16, row: u16) -> Vec<Effect> {
    app.drawn();
    let now = app.now;
    let m = MouseEvent {
        kind,
        column: col,
        row,
        modifiers: KeyModifiers::NONE,
    };
    update(app, Msg::Mouse(m), now)
}

fn click(app: &mut App, col: u16, row: u16) -> Vec<Effect> {
    mouse(app, MouseEventKind::Down(MouseButton::Left), col, row)
}

fn pane(app: &App, p: Pane) -> Rect {
    geometry::screen(app)
        .panes
        .into_iter()
        .find(|(q, _)| *q == p)
        .map(|(_, r)| r)
        .expect("the pane is on screen")
}

#[test]
fn a_click_focuses_the_pane_under_it() {
    let mut app = app_with(prod(), false);
    for p in [Pane::Timeline, Pane::Health, Pane::Logs, Pane::Envs] {
        let r = pane(&app, p);
        click(&mut app, r.x + 2, r.y + 1);
        assert_eq!(app.view.focus, p);
    }
    // The header and the status line are not panes.
    click(&mut app, 5, 0);
    let last = app.view.size.1 - 1;
    click(&mut app, 5, last);
    assert_eq!(app.view.focus, Pane::Envs);
    // A release or a move alone does nothing, and draws nothing.
    app.view.dirty = false;
    let r = pane(&app, Pane::Logs);
    mouse(
        &mut app,
        MouseEventKind::Up(MouseButton::Left),
        r.x + 2,
        r.y + 1,
    );
    assert_eq!(app.view.focus, Pane::Envs);
    assert!(!app.view.dirty);
}

#[test]
fn a_click_on_an_environment_selects_it() {
    let mut app = app_with(prod(), false);
    assert_eq!(app.account.selected.as_deref(), Some("storefront-prod"));
    key(&mut app, '2');
    let table = pane(&app, Pane::Envs).inner();
    // The header, then storefront-prod, then storefront-staging.
    let fx = click(&mut app, table.x + 4, table.y + 2);
    assert_eq!(app.view.focus, Pane::Envs);
    assert_eq!(app.account.selected.as_deref(), Some("storefront-staging"));
    assert_eq!(
        app.account.envs.cursor.as_deref(),
        Some("storefront-staging")
    );
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Poll(_))),
        "its details are read: {fx:?}"
    );
    // The header row and the empty rows below pick nothing.
    click(&mut app, table.x + 4, table.y);
    click(&mut app, table.x + 4, table.y + 3);
    assert_eq!(app.account.selected.as_deref(), Some("storefront-staging"));
}

#[test]
fn a_click_on_an_instance_moves_the_cursor_there_in_the_order_shown() {
    let mut app = app_with(prod(), false);
    three_instances_arrive(&mut app);
    key(&mut app, '3');
    key(&mut app, 's'); // by INSTANCE: i-a, i-b, i-c
    let screen = geometry::screen(&app);
    let table = geometry::instances_table(&app, &screen).expect("the instances table");
    // The health pane's head: the health line only, then the table's header.
    assert_eq!(table.y, pane(&app, Pane::Health).y + 2);
    click(&mut app, table.x + 1, table.y + 3);
    assert_eq!(instance_at_cursor(&app).as_deref(), Some("i-c"));
    click(&mut app, table.x + 1, table.y + 1);
    assert_eq!(instance_at_cursor(&app).as_deref(), Some("i-a"));
}

#[test]
fn the_wheel_scrolls_the_pane_under_the_pointer_without_focusing_it() {
    let mut app = app_with(prod(), false);
    health_arrives(
        &mut app,
        (0..8)
            .map(|i| instance(&format!("i-{i}"), HealthStatus::Ok, 1.0))
            .collect(),
    );
    assert_eq!(app.view.focus, Pane::Envs);
    let h = pane(&app, Pane::Health);
    mouse(&mut app, MouseEventKind::ScrollDown, h.x + 3, h.y + 3);
    assert_eq!(app.account.health_cursor, 3, "three lines a notch");
    mouse(&mut app, MouseEventKind::ScrollDown, h.x + 3, h.y + 3);
    mouse(&mut app, MouseEventKind::ScrollDown, h.x + 3, h.y + 3);
    assert_eq!(app.account.health_cursor, 7, "and no further than the last");
    mouse(&mut app, MouseEventKind::ScrollUp, h.x + 3, h.y + 3);
    assert_eq!(app.account.health_cursor, 4);
    assert_eq!(app.view.focus, Pane::Envs, "the focus stays");
    // Over the environments, the wheel moves their cursor.
    let e = pane(&app, Pane::Envs);
    mouse(&mut app, MouseEventKind::ScrollDown, e.x + 3, e.y + 2);
    assert_eq!(
        app.account.envs.cursor.as_deref(),
        Some("storefront-staging")
    );
}

#[test]
fn a_click_on_the_answer_line_confirms_or_cancels() {
    let mut app = app_with(prod(), false);
    let answer_line = |app: &App| -> (u16, u16) {
        let Some(Modal::Confirm { lines, typed, .. }) = &app.view.modal else {
            panic!("a confirmation is open");
        };
        let r = geometry::confirm_box(
            app.view.size,
            lines,
            typed.as_ref().map(|(w, _)| w.as_str()),
        );
        (r.x + 1, r.bottom() - 2)
    };
    key(&mut app, 'S');
    let (x, y) = answer_line(&app);
    // "n / Esc cancel" begins 20 cells in.
    let fx = click(&mut app, x + 22, y);
    assert!(app.view.modal.is_none(), "cancelled");
    assert!(executed(&fx).is_empty());
    key(&mut app, 'S');
    let (x, y) = answer_line(&app);
    click(&mut app, x + 2, y - 1);
    assert!(
        app.view.modal.is_some(),
        "a click beside the answers does nothing"
    );
    let fx = click(&mut app, x + 2, y);
    assert_eq!(executed(&fx).len(), 1, "confirmed: {fx:?}");
    assert!(app.view.modal.is_none());
}

#[test]
fn a_click_in_a_picker_chooses_and_a_second_click_picks() {
    let mut app = app_with(prod(), false);
    key(&mut app, 'D');
    versions_arrive(&mut app, &["v3", "v2", "v1"]);
    let Some(Modal::Pick { items, cursor, .. }) = &app.view.modal else {
        panic!("the version picker");
    };
    let (n, first) = (items.len(), *cursor);
    assert!(first + 1 < n, "{items:?}");
    let r = geometry::pick_box(app.view.size, n);
    // The list starts inside the border; the row below the chosen one.
    let row = r.y + 1 + first as u16 + 1;
    click(&mut app, r.x + 4, row);
    let Some(Modal::Pick { cursor, items, .. }) = &app.view.modal else {
        panic!("still the picker");
    };
    assert_eq!(*cursor, first + 1);
    let label = items[first + 1].label.clone();
    click(&mut app, r.x + 4, row);
    match &app.view.modal {
        Some(Modal::Confirm { title, lines, .. }) => {
            assert!(
                lines.iter().any(|l| l.contains(&label)) || title.contains("Deploy"),
                "{title}: {lines:?}"
            );
        }
        other => panic!("a confirmation after the second click: {other:?}"),
    }
    code(&mut app, KeyCode::Esc);
}
