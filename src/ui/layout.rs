//! Where the panes go. From 80x24 up: narrow terminals stack the panes, wide ones use two columns.
//! A zoomed pane takes the whole body.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

use crate::app::{App, Pane};

pub struct Areas {
    pub header: Rect,
    pub footer: Rect,
    pub panes: Vec<(Pane, Rect)>,
}

pub fn compute(area: Rect, app: &App) -> Areas {
    let [header, body, footer] = Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(1)]).areas(area);
    if app.zoom {
        return Areas { header, footer, panes: vec![(app.focus, body)] };
    }
    let env_rows = app.envs.visible().len().max(1) as u16 + 3;
    let panes = if body.width >= 140 {
        let [left, right] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
        let env_h = env_rows.clamp(5, left.height / 2);
        let [envs, timeline] = Layout::vertical([Constraint::Length(env_h), Constraint::Min(0)]).areas(left);
        let [health, logs] = Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(right);
        vec![(Pane::Envs, envs), (Pane::Timeline, timeline), (Pane::Health, health), (Pane::Logs, logs)]
    } else {
        // Stacked: environments on top (as tall as they need, within limits), then timeline and
        // health side by side, then logs.
        let env_h = env_rows.clamp(4, (body.height / 3).max(4));
        let rest = body.height.saturating_sub(env_h);
        let mid_h = rest / 2;
        let rows = Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Length(env_h), Constraint::Length(mid_h), Constraint::Min(0)])
            .split(body);
        let [timeline, health] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(rows[1]);
        vec![(Pane::Envs, rows[0]), (Pane::Timeline, timeline), (Pane::Health, health), (Pane::Logs, rows[2])]
    };
    Areas { header, footer, panes }
}
