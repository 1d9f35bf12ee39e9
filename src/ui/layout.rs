//! Where the panes go, from 80x24 up. A zoomed pane takes the whole body.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

use crate::app::{App, Pane};

pub struct Areas {
    pub header: Rect,
    pub footer: Rect,
    pub panes: Vec<(Pane, Rect)>,
}

pub fn compute(area: Rect, app: &App) -> Areas {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    if app.view.zoom {
        return Areas {
            header,
            footer,
            panes: vec![(app.view.focus, body)],
        };
    }
    let env_rows = app.account.envs.visible().len().max(1) as u16 + 3;
    // Environments on top, full width (as tall as they need, within limits); then timeline and
    // health side by side; then the logs, full width, since log lines are long.
    let env_h = env_rows.clamp(4, (body.height / 3).max(4));
    let rest = body.height.saturating_sub(env_h);
    let mid_h = rest / 2;
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(env_h),
            Constraint::Length(mid_h),
            Constraint::Min(0),
        ])
        .split(body);
    let [timeline, health] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(rows[1]);
    let panes = vec![
        (Pane::Envs, rows[0]),
        (Pane::Timeline, timeline),
        (Pane::Health, health),
        (Pane::Logs, rows[2]),
    ];
    Areas {
        header,
        footer,
        panes,
    }
}
