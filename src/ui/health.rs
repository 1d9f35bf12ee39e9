//! The health pane: environment status and causes, instance counts, the operation in progress,
//! and the instances table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use super::fmt::{ago, clip, latency, num};
use super::theme::Theme;
use super::{pane_block, placeholder};
use crate::app::App;
use crate::app::ledger::{OpKind, Outcome, eta, span};
use crate::app::sort::instance_order;
use crate::cloud::PollKey;
use crate::domain::{HealthColor, HealthSnapshot};

pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: &Theme, focused: bool) {
    let name = app.account.selected.clone().unwrap_or_default();
    let block = pane_block(
        3,
        Line::from(vec![
            Span::styled("Health", theme.title),
            Span::styled(format!(" {name}"), theme.dim),
        ]),
        theme,
        focused,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let env = app.selected_env();
    let snap = app.account.health.get(&name);
    let err = app.account.errors.get(&PollKey::Health(name.clone()));
    let mut head: Vec<Line> = op_line(app, &name, theme).into_iter().collect();
    let Some(snap) = snap else {
        let gone = env.is_some_and(|e| app.account.journal.is_gone(e));
        let text = match (env, err) {
            (Some(_), _) if gone => {
                "no health reading was recorded: ebtui reads the health of the environment it shows"
                    .into()
            }
            (_, Some(e)) => format!("cannot read health: {e}"),
            (Some(_), None) => "loading health...".into(),
            (None, None) => "no environment selected".into(),
        };
        let style = if err.is_some() {
            theme.error
        } else {
            theme.dim
        };
        no_snapshot(frame, inner, head, &text, style);
        return;
    };
    let at = head.len();
    head.splice(
        at..at,
        summary_lines(
            snap,
            env.map(|e| e.status.as_str()).unwrap_or(""),
            theme,
            inner.width as usize,
        ),
    );
    if let Some(e) = err {
        head.push(Line::styled(format!("! {e}"), theme.error));
    }
    head.extend(recorded(app, &name, theme));
    // `update` places clicks on the instances below these lines: it counts them the same way.
    debug_assert_eq!(
        head.len(),
        crate::app::geometry::health_head_lines(app, &name),
        "health_head_lines must count what is drawn"
    );
    let head_h = (head.len() as u16).min(inner.height);
    let [top, table_area] =
        Layout::vertical([Constraint::Length(head_h), Constraint::Min(0)]).areas(inner);
    frame.render_widget(Paragraph::new(head), top);
    if !snap.env.enhanced {
        placeholder(
            frame,
            table_area,
            "enhanced health is off for this environment: basic health only",
            theme.dim,
        );
        return;
    }
    instances_table(app, snap, frame, table_area, theme, focused);
}

/// `op <summary>` for our operation on the environment, coloured by how it is going.
/// The operation running or last run: one followed here (with progress and ETA), else the
/// ledger's last one.
fn op_line<'a>(app: &App, name: &str, theme: &Theme) -> Option<Line<'a>> {
    let history = app.account.ledger.of(name);
    let Some(t) = app.account.op_for(name) else {
        let o = history.last()?;
        let busy = app
            .account
            .envs
            .get(name)
            .is_some_and(|e| e.status.is_transitional());
        let outcome = o.outcome(busy);
        let style = match outcome {
            o if o.is_bad() => theme.error,
            Outcome::Succeeded => theme.ok,
            Outcome::InProgress => theme.warn,
            _ => theme.dim,
        };
        let mut text = o.kind.as_str().to_string();
        if let Some(v) = &o.version {
            text.push_str(&format!(" {v}"));
        }
        text.push_str(&format!(" · {}", outcome.as_str()));
        text.push_str(&format!(
            " · {} ago",
            ago(app.now, o.ended().unwrap_or(o.started))
        ));
        if o.ended().is_some() {
            text.push_str(&format!(" · took {}", span(o.last - o.started)));
        }
        return Some(Line::from(vec![
            Span::styled("op ", theme.dim),
            Span::styled(text, style),
        ]));
    };
    let style = match (t.is_active(), t.outcome, &t.error) {
        (_, _, Some(_)) => theme.error,
        (true, _, _) => theme.warn,
        (false, Some(Outcome::Succeeded), _) => theme.ok,
        _ => theme.error,
    };
    let mut spans = vec![
        Span::styled("op ", theme.dim),
        Span::styled(t.summary(app.now), style),
    ];
    let kind = history.last().map(|o| o.kind).unwrap_or(OpKind::Deploy);
    if t.is_active()
        && let Some(left) = eta(history, kind, app.now - t.started, t.batches())
    {
        let text = if left > 0 {
            format!(" · ~{} left", span(left))
        } else {
            " · longer than usual".to_string()
        };
        spans.push(Span::styled(text, theme.dim));
    }
    Some(Line::from(spans))
}

/// Before the first snapshot (or without one): the operation line, then why there is no health.
fn no_snapshot(frame: &mut Frame, inner: Rect, head: Vec<Line>, text: &str, style: Style) {
    let head_len = head.len() as u16;
    frame.render_widget(Paragraph::new(head), inner);
    let rest = Rect {
        y: inner.y + head_len,
        height: inner.height.saturating_sub(head_len),
        ..inner
    };
    placeholder(frame, rest, text, style);
}

fn summary_lines<'a>(
    snap: &HealthSnapshot,
    status: &str,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'a>> {
    let snap = &snap.env;
    let style = theme.health(snap.color);
    let hs = snap
        .status
        .as_ref()
        .map(|s| s.as_str().to_string())
        .unwrap_or_else(|| snap.color.as_str().to_string());
    let mut first = vec![
        Span::styled("● ", style),
        Span::styled(hs, style),
        Span::styled(format!("  {status}"), theme.dim),
    ];
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
            Span::styled(
                format!("{five:.1}%"),
                if five >= 1.0 { theme.error } else { theme.ok },
            ),
            Span::styled("  p99 ", theme.dim),
            Span::raw(latency(m.p99)),
            Span::styled("  p50 ", theme.dim),
            Span::raw(latency(m.p50)),
            Span::styled("  p90 ", theme.dim),
            Span::raw(latency(m.p90)),
        ]));
    }
    for cause in &snap.causes {
        lines.push(Line::styled(clip(&format!("• {cause}"), width), style));
    }
    lines
}

/// Instance columns in display order; narrow panes keep the most telling ones (`rank`, lower
/// first) that fit.
const COLUMNS: &[(&str, u16, u8)] = &[
    ("INSTANCE", 10, 0),
    ("STATUS", 8, 1),
    ("CAUSE", 14, 8),
    ("R/S", 6, 4),
    ("5XX%", 5, 2),
    ("P99", 6, 3),
    ("P50", 6, 7),
    ("CPU%", 5, 5),
    ("LOAD", 5, 9),
    ("DEPLOY", 11, 6),
    ("VERSION", 10, 10),
    ("AZ", 10, 11),
];

fn pick_columns(width: u16) -> Vec<usize> {
    let mut by_rank: Vec<usize> = (0..COLUMNS.len()).collect();
    by_rank.sort_by_key(|i| COLUMNS[*i].2);
    let mut used = 0u16;
    let mut keep = Vec::new();
    for i in by_rank {
        let w = COLUMNS[i].1 + 1;
        if used + w <= width + 1 {
            used += w;
            keep.push(i);
        }
    }
    keep.sort();
    keep
}

fn instances_table(
    app: &App,
    snap: &HealthSnapshot,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    focused: bool,
) {
    if snap.instances.is_empty() {
        placeholder(frame, area, "no instances", theme.dim);
        return;
    }
    // Full instance ids when there is room for them.
    let id_w = if area.width >= 120 { 19 } else { 10 };
    let cols = pick_columns(area.width.saturating_sub(id_w - 10));
    let order = instance_order(&snap.instances, app.view.instance_sort);
    let rows = order.iter().map(|n| &snap.instances[*n]).map(|i| {
        let st = theme.health(i.color);
        let m = i.metrics.as_ref();
        let five = m.and_then(|m| m.pct_5xx());
        let five_style = if five.unwrap_or(0.0) >= 1.0 {
            theme.error
        } else {
            theme.text
        };
        let dep = i.deployment.as_ref();
        let dep_status = dep.map(|d| d.status.clone()).unwrap_or_else(|| "-".into());
        let dep_style = match dep_status.as_str() {
            "Failed" => theme.error,
            "Deployed" => theme.text,
            "-" => theme.dim,
            _ => theme.warn,
        };
        let cells = cols.iter().map(|c| match COLUMNS[*c].0 {
            "INSTANCE" => Cell::from(clip(&i.id, id_w as usize)),
            "STATUS" => Cell::from(Span::styled(i.status.as_str().to_string(), st)),
            "CAUSE" => Cell::from(Span::styled(
                i.causes.first().cloned().unwrap_or_default(),
                st,
            )),
            "R/S" => Cell::from(num(m.and_then(|m| m.requests_per_sec()), 1)),
            "5XX%" => Cell::from(Span::styled(num(five, 1), five_style)),
            "P99" => Cell::from(latency(m.and_then(|m| m.p99))),
            "P50" => Cell::from(latency(m.and_then(|m| m.p50))),
            "CPU%" => Cell::from(num(i.cpu_pct, 0)),
            "LOAD" => Cell::from(num(i.load1, 2)),
            "DEPLOY" => Cell::from(Span::styled(dep_status.clone(), dep_style)),
            "VERSION" => Cell::from(
                dep.and_then(|d| d.version.clone())
                    .unwrap_or_else(|| "-".into()),
            ),
            _ => Cell::from(i.az.clone().unwrap_or_else(|| "-".into())),
        });
        Row::new(cells.collect::<Vec<_>>())
    });
    let widths: Vec<Constraint> = cols
        .iter()
        .map(|c| match COLUMNS[*c].0 {
            "INSTANCE" => Constraint::Length(id_w),
            "CAUSE" => Constraint::Min(COLUMNS[*c].1),
            _ => Constraint::Length(COLUMNS[*c].1),
        })
        .collect();
    let sort = app.view.instance_sort;
    let header: Vec<String> = cols
        .iter()
        .map(|c| {
            let name = COLUMNS[*c].0;
            match sort.filter(|s| s.col.header() == name) {
                Some(s) => format!("{name}{}", s.arrow()),
                None => name.to_string(),
            }
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.header))
        .row_highlight_style(if focused { theme.selected } else { theme.text });
    let mut state =
        TableState::default().with_selected(focused.then_some(app.account.health_cursor));
    frame.render_stateful_widget(table, area, &mut state);
}

/// For an environment reopened from the journal: its last health transitions as recorded
/// (`JournalState::recorded_lines` counts them for `geometry`).
fn recorded<'a>(app: &App, name: &str, theme: &Theme) -> Vec<Line<'a>> {
    let Some((shown, n)) = app.account.journal.recorded_changes(name) else {
        return Vec::new();
    };
    let mut lines = vec![Line::styled(
        format!("as recorded: {n} changes of health"),
        theme.dim,
    )];
    for p in shown {
        let e = &p.snapshot.env;
        let status = e.status.as_ref().map_or(e.color.as_str(), |s| s.as_str());
        let cause = e.causes.first().cloned().unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", super::fmt::when(app.now, p.at)), theme.dim),
            Span::styled(format!("{status} "), theme.health(e.color)),
            Span::raw(cause),
        ]));
    }
    lines
}

#[cfg(test)]
mod tests {
    /// The table draws the columns `app::sort` sorts by, by the same names in the same order.
    #[test]
    fn the_columns_are_the_sorts() {
        let drawn: Vec<&str> = super::COLUMNS.iter().map(|c| c.0).collect();
        let sorted: Vec<&str> = crate::app::sort::InstCol::ALL
            .iter()
            .map(|c| c.header())
            .collect();
        assert_eq!(drawn, sorted);
    }
}
