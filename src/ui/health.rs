//! The health pane: environment status and causes, instance counts, the operation in progress,
//! and the instances table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::fmt::{clip, latency, num};
use super::theme::Theme;
use super::{pane_block, placeholder};
use crate::app::{App, PollKey};
use crate::domain::{HealthColor, HealthSnapshot};

pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: &Theme, focused: bool) {
    let name = app.selected.clone().unwrap_or_default();
    let block = pane_block(3, Line::from(vec![Span::styled("Health", theme.title), Span::styled(format!(" {name}"), theme.dim)]), theme, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let env = app.selected_env();
    let snap = app.health.get(&name);
    let err = app.errors.get(&PollKey::Health(name.clone()));
    let mut head: Vec<Line> = Vec::new();
    if let Some(t) = app.op_for(&name) {
        let style = match (t.is_active(), t.outcome, &t.error) {
            (_, _, Some(_)) => theme.error,
            (true, _, _) => theme.warn,
            (false, Some(crate::app::ops::Outcome::Succeeded), _) => theme.ok,
            _ => theme.error,
        };
        head.push(Line::from(vec![Span::styled("op ", theme.dim), Span::styled(t.summary(app.now), style)]));
    }
    let Some(snap) = snap else {
        let text = match (env, err) {
            (_, Some(e)) => format!("cannot read health: {e}"),
            (Some(_), None) => "loading health...".into(),
            (None, None) => "no environment selected".into(),
        };
        frame.render_widget(Paragraph::new(head.clone()), inner);
        let rest = Rect { y: inner.y + head.len() as u16, height: inner.height.saturating_sub(head.len() as u16), ..inner };
        placeholder(frame, rest, &text, if err.is_some() { theme.error } else { theme.dim });
        return;
    };
    head.splice(0..0, summary_lines(snap, env.map(|e| e.status.as_str()).unwrap_or(""), theme, inner.width as usize));
    if let Some(e) = err {
        head.push(Line::styled(format!("! {e}"), theme.error));
    }
    let head_h = (head.len() as u16).min(inner.height);
    let [top, table_area] = Layout::vertical([Constraint::Length(head_h), Constraint::Min(0)]).areas(inner);
    frame.render_widget(Paragraph::new(head), top);
    if !snap.env.enhanced {
        placeholder(frame, table_area, "enhanced health is off for this environment: basic health only", theme.dim);
        return;
    }
    instances_table(app, snap, frame, table_area, theme, focused);
}

fn summary_lines<'a>(snap: &HealthSnapshot, status: &str, theme: &Theme, width: usize) -> Vec<Line<'a>> {
    let snap = &snap.env;
    let style = theme.health(snap.color);
    let hs = snap.status.as_ref().map(|s| s.as_str().to_string()).unwrap_or_else(|| snap.color.as_str().to_string());
    let mut first = vec![Span::styled("● ", style), Span::styled(hs, style), Span::styled(format!("  {status}"), theme.dim)];
    let c = &snap.counts;
    if snap.enhanced && c.total() > 0 {
        first.push(Span::raw("  "));
        for (n, label, col) in [
            (c.ok, "ok", HealthColor::Green),
            (c.info, "info", HealthColor::Green),
            (c.warning, "warn", HealthColor::Yellow),
            (c.degraded, "degraded", HealthColor::Red),
            (c.severe, "severe", HealthColor::Red),
            (c.pending, "pending", HealthColor::Grey),
            (c.unknown + c.no_data, "no data", HealthColor::Grey),
        ] {
            if n > 0 {
                first.push(Span::styled(format!("{n} {label} "), theme.health(col)));
            }
        }
    }
    let mut lines = vec![Line::from(first)];
    if let Some(m) = &snap.metrics {
        let five = m.pct_5xx().unwrap_or(0.0);
        lines.push(Line::from(vec![
            Span::styled(format!("{} r/s", num(m.requests_per_sec(), 1)), theme.text),
            Span::styled("  5xx ", theme.dim),
            Span::styled(format!("{five:.1}%"), if five >= 1.0 { theme.error } else { theme.ok }),
            Span::styled("  p99 ", theme.dim),
            Span::raw(latency(m.p99)),
            Span::styled("  p90 ", theme.dim),
            Span::raw(latency(m.p90)),
            Span::styled("  p50 ", theme.dim),
            Span::raw(latency(m.p50)),
        ]));
    }
    for cause in &snap.causes {
        lines.push(Line::styled(clip(&format!("• {cause}"), width), style));
    }
    lines
}

fn instances_table(app: &App, snap: &HealthSnapshot, frame: &mut Frame, area: Rect, theme: &Theme, focused: bool) {
    if snap.instances.is_empty() {
        placeholder(frame, area, "no instances", theme.dim);
        return;
    }
    let wide = area.width >= 110;
    let header: Vec<&str> = if wide {
        vec!["INSTANCE", "STATUS", "CAUSE", "R/S", "5XX%", "P99", "P50", "CPU%", "LOAD", "DEPLOY", "VERSION", "AZ"]
    } else {
        vec!["INSTANCE", "STATUS", "R/S", "5XX%", "P99", "CPU%", "DEPLOY"]
    };
    let rows = snap.instances.iter().map(|i| {
        let st = theme.health(i.color);
        let m = i.metrics.as_ref();
        let five = m.and_then(|m| m.pct_5xx());
        let five_style = if five.unwrap_or(0.0) >= 1.0 { theme.error } else { theme.text };
        let dep = i.deployment.as_ref();
        let dep_status = dep.map(|d| d.status.clone()).unwrap_or_else(|| "-".into());
        let dep_style = match dep_status.as_str() {
            "Failed" => theme.error,
            "Deployed" => theme.text,
            "-" => theme.dim,
            _ => theme.warn,
        };
        let mut cells = vec![
            Cell::from(i.id.clone()),
            Cell::from(Span::styled(i.status.as_str().to_string(), st)),
        ];
        if wide {
            cells.push(Cell::from(Span::styled(i.causes.first().cloned().unwrap_or_default(), st)));
        }
        cells.push(Cell::from(num(m.and_then(|m| m.requests_per_sec()), 1)));
        cells.push(Cell::from(Span::styled(num(five, 1), five_style)));
        cells.push(Cell::from(latency(m.and_then(|m| m.p99))));
        if wide {
            cells.push(Cell::from(latency(m.and_then(|m| m.p50))));
        }
        cells.push(Cell::from(num(i.cpu_pct, 0)));
        if wide {
            cells.push(Cell::from(num(i.load1, 2)));
        }
        cells.push(Cell::from(Span::styled(dep_status, dep_style)));
        if wide {
            cells.push(Cell::from(dep.and_then(|d| d.version.clone()).unwrap_or_else(|| "-".into())));
            cells.push(Cell::from(i.az.clone().unwrap_or_else(|| "-".into())));
        }
        Row::new(cells)
    });
    let widths: Vec<Constraint> = if wide {
        vec![
            Constraint::Length(19),
            Constraint::Length(9),
            Constraint::Min(12),
            Constraint::Length(6),
            Constraint::Length(5),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(4),
            Constraint::Length(5),
            Constraint::Length(11),
            Constraint::Length(9),
            Constraint::Length(10),
        ]
    } else {
        vec![
            Constraint::Min(10),
            Constraint::Length(8),
            Constraint::Length(5),
            Constraint::Length(5),
            Constraint::Length(6),
            Constraint::Length(4),
            Constraint::Length(9),
        ]
    };
    let table = Table::new(rows, widths).header(Row::new(header).style(theme.header)).row_highlight_style(if focused { theme.selected } else { theme.text });
    let mut state = TableState::default().with_selected(focused.then_some(app.health_cursor));
    frame.render_stateful_widget(table, area, &mut state);
}
