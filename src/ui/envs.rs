//! The environments table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::fmt::{ago, clip};
use super::theme::Theme;
use super::{pane_block, placeholder};
use crate::app::App;
use crate::cloud::PollKey;

pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: &Theme, focused: bool) {
    let p = &app.account.envs;
    let mut title = vec![Span::styled("Environments", theme.title)];
    if p.editing || !p.filter.value().is_empty() {
        title.push(Span::styled(format!(" /{}", p.filter.value()), theme.warn));
        if p.editing {
            title.push(Span::styled("▏", theme.warn));
        }
    }
    let visible = p.visible();
    title.push(Span::styled(
        format!(" [{}/{}]", visible.len(), p.all.len()),
        theme.dim,
    ));
    let block = pane_block(1, Line::from(title), theme, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if !p.loaded {
        let text = app
            .account
            .errors
            .get(&PollKey::Environments)
            .map(|e| format!("cannot list environments: {e}"))
            .unwrap_or_else(|| "loading environments...".into());
        let style = if app.account.errors.contains_key(&PollKey::Environments) {
            theme.error
        } else {
            theme.dim
        };
        placeholder(frame, inner, &text, style);
        return;
    }
    if visible.is_empty() {
        let text = if p.all.is_empty() {
            "no environments in this region"
        } else {
            "no environment matches the filter"
        };
        placeholder(frame, inner, text, theme.dim);
        return;
    }
    let wide = inner.width >= 100;
    let header: Vec<&str> = if wide {
        vec![
            "",
            "APPLICATION",
            "ENVIRONMENT",
            "HEALTH",
            "STATUS",
            "VERSION",
            "TIER/POLICY",
            "UPDATED",
        ]
    } else {
        vec!["", "ENVIRONMENT", "HEALTH", "STATUS", "VERSION", "UPD"]
    };
    let rows = visible.iter().map(|e| {
        let sel = if app.account.selected.as_deref() == Some(e.env.name.as_str()) {
            "▶"
        } else {
            " "
        };
        let health_style = theme.health(e.health);
        let hs = e
            .health_status
            .as_ref()
            .map(|h| h.as_str().to_string())
            .unwrap_or_else(|| e.health.as_str().to_string());
        let health = Line::from(vec![
            Span::styled("● ", health_style),
            Span::styled(hs, health_style),
        ]);
        let mut status = e.status.as_str().to_string();
        if let Some(b) = app
            .account
            .op_for(&e.env.name)
            .filter(|t| t.is_active())
            .and_then(|t| t.batch)
        {
            status = format!("{status} b{b}");
        }
        let status_style = if e.status.is_transitional() {
            theme.warn
        } else {
            theme.text
        };
        let version = e.version.clone().unwrap_or_else(|| "-".into());
        let tier = match &e.deployment_policy {
            Some(p) => format!("{}/{}", e.tier.as_str(), p),
            None => e.tier.as_str().to_string(),
        };
        let cells: Vec<Cell> = if wide {
            vec![
                Cell::from(sel),
                Cell::from(e.env.app.clone()),
                Cell::from(e.env.name.clone()),
                Cell::from(health),
                Cell::from(Span::styled(status, status_style)),
                Cell::from(version),
                Cell::from(tier),
                Cell::from(ago(app.now, e.updated)),
            ]
        } else {
            vec![
                Cell::from(sel),
                Cell::from(clip(&e.env.name, 22)),
                Cell::from(health),
                Cell::from(Span::styled(status, status_style)),
                Cell::from(clip(&version, 12)),
                Cell::from(ago(app.now, e.updated)),
            ]
        };
        Row::new(cells)
    });
    let widths: Vec<Constraint> = if wide {
        vec![
            Constraint::Length(1),
            Constraint::Length(12),
            Constraint::Length(22),
            Constraint::Length(11),
            Constraint::Length(13),
            Constraint::Length(12),
            Constraint::Min(10),
            Constraint::Length(7),
        ]
    } else {
        vec![
            Constraint::Length(1),
            Constraint::Min(12),
            Constraint::Length(11),
            Constraint::Length(11),
            Constraint::Length(12),
            Constraint::Length(4),
        ]
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header))
        .row_highlight_style(if focused { theme.selected } else { theme.text });
    let mut state = TableState::default().with_selected(p.cursor_index());
    frame.render_stateful_widget(table, inner, &mut state);
    if p.editing && inner.height > 0 {
        let hint = Paragraph::new(Span::styled(
            "type to filter · Enter keep · Esc clear",
            theme.dim,
        ));
        frame.render_widget(
            hint,
            Rect {
                y: inner.bottom().saturating_sub(1),
                height: 1,
                ..inner
            },
        );
    }
}
