//! The environments table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::fmt::{ago, clip};
use super::theme::Theme;
use super::{pane_block, placeholder};
use crate::app::App;
use crate::app::envs::EnvsPane;
use crate::app::ledger::Outcome;
use crate::app::sort::{EnvCol, EnvSort};
use crate::cloud::PollKey;
use crate::domain::Environment;

pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: &Theme, focused: bool) {
    let p = &app.account.envs;
    let visible = p.visible();
    let block = pane_block(1, title(p, visible.len(), theme), theme, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some((text, style)) = empty_message(app, p, visible.is_empty(), theme) {
        placeholder(frame, inner, &text, style);
        return;
    }
    let wide = inner.width >= 100;
    let rows = visible.iter().map(|e| env_row(app, e, wide, theme));
    let table = Table::new(rows, widths(wide))
        .header(Row::new(sorted_header(header(wide), p.sort)).style(theme.header))
        .row_highlight_style(if focused { theme.selected } else { theme.text });
    let mut state = TableState::default().with_selected(p.cursor_index());
    frame.render_stateful_widget(table, inner, &mut state);
    if (p.editing || p.filter_error().is_some()) && inner.height > 0 {
        filter_hint(frame, inner, p, theme);
    }
}

/// The header with an arrow after the column sorted by (▲ its natural order, ▼ reversed).
fn sorted_header(names: Vec<&'static str>, sort: EnvSort) -> Vec<String> {
    names
        .into_iter()
        .map(|n| {
            let narrow_updated = n == "UPD" && sort.col == EnvCol::Updated;
            if n == sort.col.header() || narrow_updated {
                format!("{n}{}", sort.arrow())
            } else {
                n.to_string()
            }
        })
        .collect()
}

/// `Environments /filter▏ [shown/all]`.
fn title<'a>(p: &EnvsPane, shown: usize, theme: &Theme) -> Line<'a> {
    let mut title = vec![Span::styled("Environments", theme.title)];
    if p.editing || !p.filter.value().is_empty() {
        title.push(Span::styled(format!(" /{}", p.filter.value()), theme.warn));
        if p.editing {
            title.push(Span::styled("▏", theme.warn));
        }
    }
    title.push(Span::styled(
        format!(" [{shown}/{}]", p.all.len()),
        theme.dim,
    ));
    // A column the narrow header leaves out is named here when the table is sorted by it.
    let narrow_has = header(false).contains(&p.sort.col.header()) || p.sort.col == EnvCol::Updated;
    if p.sort != EnvSort::default() && !narrow_has {
        title.push(Span::styled(
            format!(
                " by {}{}",
                p.sort.col.header().to_lowercase(),
                p.sort.arrow()
            ),
            theme.dim,
        ));
    }
    Line::from(title)
}

/// What the pane says instead of a table: still loading, the listing failed, or nothing to show.
fn empty_message(
    app: &App,
    p: &EnvsPane,
    none_visible: bool,
    theme: &Theme,
) -> Option<(String, Style)> {
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
        return Some((text, style));
    }
    if none_visible {
        let text = if p.all.is_empty() {
            "no environments in this region"
        } else {
            "no environment matches the filter"
        };
        return Some((text.to_string(), theme.dim));
    }
    None
}

fn header(wide: bool) -> Vec<&'static str> {
    if wide {
        vec![
            "",
            "APPLICATION",
            "ENVIRONMENT",
            "HEALTH",
            "STATUS",
            "VERSION",
            "TIER/POLICY",
            "LAST OPERATION",
            "UPDATED",
        ]
    } else {
        vec![
            "",
            "ENVIRONMENT",
            "HEALTH",
            "STATUS",
            "VERSION",
            "LAST OP",
            "UPD",
        ]
    }
}

fn widths(wide: bool) -> Vec<Constraint> {
    if wide {
        vec![
            Constraint::Length(1),
            Constraint::Length(12),
            Constraint::Length(22),
            Constraint::Length(11),
            Constraint::Length(13),
            Constraint::Length(12),
            Constraint::Length(16),
            Constraint::Min(24),
            Constraint::Length(8),
        ]
    } else {
        vec![
            Constraint::Length(1),
            Constraint::Min(12),
            Constraint::Length(11),
            Constraint::Length(11),
            Constraint::Length(10),
            Constraint::Length(14),
            Constraint::Length(4),
        ]
    }
}

/// One environment's row, with the columns of `header(wide)`.
fn env_row<'a>(app: &App, e: &Environment, wide: bool, theme: &Theme) -> Row<'a> {
    let sel = if app.account.selected.as_deref() == Some(app.account.envs.key_of(e).as_str()) {
        "▶"
    } else {
        " "
    };
    let health = health_cell(e, theme);
    let status = status_cell(app, e, theme);
    let version = e.version.clone().unwrap_or_else(|| "-".into());
    let cells: Vec<Cell> = if wide {
        let tier = match &e.deployment_policy {
            Some(p) => format!("{}/{}", e.tier.as_str(), p),
            None => e.tier.as_str().to_string(),
        };
        vec![
            Cell::from(sel),
            Cell::from(e.env.app.clone()),
            Cell::from(e.env.name.clone()),
            health,
            status,
            Cell::from(version),
            Cell::from(tier),
            last_op_cell(app, e, true, theme),
            Cell::from(ago(app.now, e.updated)),
        ]
    } else {
        vec![
            Cell::from(sel),
            Cell::from(clip(&e.env.name, 22)),
            health,
            status,
            Cell::from(clip(&version, 10)),
            last_op_cell(app, e, false, theme),
            Cell::from(ago(app.now, e.updated)),
        ]
    };
    Row::new(cells)
}

/// The environment's last operation from the ledger: "deploy v3 · failed · 4m ago" (narrow:
/// "deploy failed"). One sent from here that has no event yet shows as in progress.
fn last_op_cell<'a>(app: &App, e: &Environment, wide: bool, theme: &Theme) -> Cell<'a> {
    let name = &app.account.envs.key_of(e);
    let ledger = app.account.ledger.last(name);
    let pending = app
        .account
        .op_for(name)
        .filter(|t| t.is_active() && ledger.is_none_or(|o| o.started < t.started));
    let (kind, version, outcome, at) = match (pending, ledger) {
        (Some(t), _) => (t.label.to_lowercase(), None, Outcome::InProgress, t.started),
        (None, Some(o)) => (
            o.kind.as_str().to_string(),
            o.version.clone(),
            o.outcome(e.status.is_transitional()),
            o.ended().unwrap_or(o.started),
        ),
        (None, None) => return Cell::from(Span::styled("-", theme.dim)),
    };
    let style = match outcome {
        o if o.is_bad() => theme.error,
        Outcome::InProgress => theme.warn,
        Outcome::Unknown => theme.dim,
        _ => theme.text,
    };
    let text = if wide {
        let what = match version {
            Some(v) if !kind.contains(&v) => format!("{kind} {v}"),
            _ => kind,
        };
        format!("{what} · {} · {} ago", outcome.as_str(), ago(app.now, at))
    } else {
        let short = match outcome {
            Outcome::CompletedWithErrors => "errors",
            Outcome::InProgress => "running",
            Outcome::Succeeded => "ok",
            o => o.as_str(),
        };
        format!("{} {short}", kind.split_whitespace().next().unwrap_or(""))
    };
    Cell::from(Span::styled(text, style))
}

/// `● Severe`: the health status when enhanced health reports one, else the colour.
fn health_cell<'a>(e: &Environment, theme: &Theme) -> Cell<'a> {
    let health_style = theme.health(e.health);
    let hs = e
        .health_status
        .as_ref()
        .map(|h| h.as_str().to_string())
        .unwrap_or_else(|| e.health.as_str().to_string());
    Cell::from(Line::from(vec![
        Span::styled("● ", health_style),
        Span::styled(hs, health_style),
    ]))
}

/// The environment's status, with the batch of a rolling operation of ours in progress.
fn status_cell<'a>(app: &App, e: &Environment, theme: &Theme) -> Cell<'a> {
    let mut status = e.status.as_str().to_string();
    if let Some(b) = app
        .account
        .op_for(&app.account.envs.key_of(e))
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
    Cell::from(Span::styled(status, status_style))
}

/// The filter's line at the bottom of the table: how to use it, or why what is typed cannot be.
fn filter_hint(frame: &mut Frame, inner: Rect, p: &EnvsPane, theme: &Theme) {
    let hint = Paragraph::new(match p.filter_error() {
        Some(e) => Span::styled(e, theme.error),
        None => Span::styled(
            "type to filter (health:severe app:x ...) · Enter keep · Esc clear",
            theme.dim,
        ),
    });
    let line = Rect {
        y: inner.bottom().saturating_sub(1),
        height: 1,
        ..inner
    };
    // The row under it must not show through past the hint's end.
    frame.render_widget(ratatui::widgets::Clear, line);
    frame.render_widget(hint, line);
}
