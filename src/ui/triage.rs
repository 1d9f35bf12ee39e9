//! The "Why 502?" overlay: the 5xx per minute with the operations under it, the breakdowns, and
//! the ranked findings with the picked one spelled out. Draws `TriageView::report` as it is:
//! `update` keeps it current, so drawing stays cheap whatever the buffer holds.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Sparkline, Wrap};

use super::theme::Theme;
use crate::app::modal::{TriageView, Wide};
use crate::triage::{Report, Row};

pub fn render(view: &TriageView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let r = &view.report;
    frame.render_widget(Clear, area);
    let title = format!(
        " Why 5xx? {} · {} · {} lines{} ",
        view.env,
        r.format,
        r.lines,
        if r.behind > 0 {
            format!(" · reading, {} to go", r.behind)
        } else {
            String::new()
        }
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .border_style(theme.border_focused)
        .title(Span::styled(title, theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 8 || inner.width < 30 {
        frame.render_widget(Paragraph::new("too small"), inner);
        return;
    }
    let tall = inner.height >= 30;
    let chart_h = if tall { 6 } else { 3 };
    let table_h = if tall { 9 } else { 5 };
    let detail_h = if tall { 6 } else { 4 };
    // Per instance, on the same time axis (the buffer's minutes), where there is room.
    let instances_h = if tall && !matches!(view.wide, Some(Wide::Counted(_))) {
        r.per_instance.len() as u16
    } else {
        0
    };
    let [chart, marks, per_instance, tables, list, detail, hint] = Layout::vertical([
        Constraint::Length(chart_h + 1),
        Constraint::Length(2),
        Constraint::Length(instances_h),
        Constraint::Length(table_h),
        Constraint::Min(2),
        Constraint::Length(detail_h),
        Constraint::Length(1),
    ])
    .areas(inner);
    draw_chart(view, frame, chart, marks, theme);
    draw_per_instance(r, frame, per_instance, theme);
    draw_tables(view, frame, tables, theme);
    draw_findings(view, frame, list, detail, theme);
    frame.render_widget(
        Paragraph::new(Line::styled(
            "↑↓ pick · Tab instances · Enter show in logs · 6 last 6 h · U roll back · Esc",
            theme.dim,
        )),
        hint,
    );
}

/// The minutes of the series, newest at the right (several to a column when they do not fit:
/// the 6-hour view), and the operations under them.
fn draw_chart(view: &TriageView, frame: &mut Frame, chart: Rect, marks: Rect, theme: &Theme) {
    let r = &view.report;
    let counts = &r.series.counts;
    let w = (chart.width as usize).max(1);
    let per = counts.len().div_ceil(w).max(1);
    let mut shown: Vec<u64> = counts.chunks(per).map(|c| c.iter().sum()).collect();
    let peak = shown.iter().copied().max().unwrap_or(0);
    let in_all: u64 = shown.iter().sum();
    // Newest at the right edge: a short series is padded on the left.
    let pad = w.saturating_sub(shown.len());
    shown.splice(0..0, std::iter::repeat_n(0, pad));
    let per_col = if per > 1 {
        format!(" · {per} min a column")
    } else {
        String::new()
    };
    let label = match &view.wide {
        Some(Wide::Asking) => "5xx/min · asking Logs Insights for the last 6 hours...".to_string(),
        Some(Wide::Failed(why)) => format!("5xx/min (log buffer) · 6 hours: {why}"),
        _ => format!(
            "5xx/min ({}{per_col}) · {in_all} in the chart · peak {peak}",
            r.series.source
        ),
    };
    let [head, spark] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(chart);
    frame.render_widget(Paragraph::new(Line::styled(label, theme.header)), head);
    frame.render_widget(Sparkline::default().data(&shown).style(theme.error), spark);
    // Under the chart: a digit at each operation's column, and their names.
    let mut ticks = vec![' '; w];
    let mut legend: Vec<Span> = Vec::new();
    // Operations from before the chart's first minute (the logs began after them) have no
    // column: they come first in the legend, under one "before the logs:".
    let mut placed_yet = false;
    for (i, m) in r.markers.iter().enumerate() {
        let digit = char::from_digit(((i + 1) % 10) as u32, 10).unwrap_or('*');
        match m.minute {
            None if i == 0 => legend.push(Span::styled("before the logs: ", theme.dim)),
            None => {}
            Some(minute) => {
                if let Some(c) = ticks.get_mut(pad + minute / per) {
                    *c = digit;
                }
                if i > 0 && !placed_yet {
                    legend.push(Span::styled("· ", theme.dim));
                }
                placed_yet = true;
            }
        }
        legend.push(Span::styled(format!("{digit} "), theme.warn));
        legend.push(Span::styled(format!("{}  ", m.label), theme.text));
    }
    let lines = vec![
        Line::styled(ticks.into_iter().collect::<String>(), theme.warn),
        Line::from(legend),
    ];
    frame.render_widget(Paragraph::new(lines), marks);
}

/// One row per busy instance: its id and its own 5xx per minute, right-aligned with the chart.
fn draw_per_instance(r: &Report, frame: &mut Frame, area: Rect, theme: &Theme) {
    const LABEL: u16 = 14;
    for (i, (id, counts)) in r.per_instance.iter().enumerate() {
        let y = area.y + i as u16;
        if y >= area.y + area.height || area.width <= LABEL {
            break;
        }
        let label = Rect {
            x: area.x,
            y,
            width: LABEL,
            height: 1,
        };
        let spark = Rect {
            x: area.x + LABEL,
            y,
            width: area.width - LABEL,
            height: 1,
        };
        let w = spark.width as usize;
        let per = counts.len().div_ceil(w.max(1)).max(1);
        let mut shown: Vec<u64> = counts.chunks(per).map(|c| c.iter().sum()).collect();
        shown.splice(0..0, std::iter::repeat_n(0, w.saturating_sub(shown.len())));
        frame.render_widget(
            Paragraph::new(Line::styled(crate::triage::short_id(id), theme.dim)),
            label,
        );
        frame.render_widget(Sparkline::default().data(&shown).style(theme.warn), spark);
    }
}

fn draw_tables(view: &TriageView, frame: &mut Frame, area: Rect, theme: &Theme) {
    let r = &view.report;
    let wide = area.width >= 120;
    let tables: Vec<(&str, &[Row])> = if wide {
        vec![
            ("status", &r.by_status),
            (INSTANCES, &r.by_instance),
            ("error kind", &r.by_kind),
            ("path (top 10)", &r.by_path),
        ]
    } else {
        vec![(INSTANCES, &r.by_instance), ("status · error kind", &[])]
    };
    let cols = Layout::horizontal(vec![
        Constraint::Ratio(1, tables.len() as u32);
        tables.len()
    ])
    .split(area);
    for (i, (title, rows)) in tables.iter().enumerate() {
        let rows: Vec<Row> = if !wide && i == 1 {
            r.by_status.iter().chain(&r.by_kind).cloned().collect()
        } else {
            rows.to_vec()
        };
        // Tab moves the keys to the instances table: its picked row is marked like a finding.
        let cursor = (*title == INSTANCES && view.on_instances).then_some(view.instance_cursor);
        table(frame, cols[i], title, &rows, cursor, theme);
    }
}

const INSTANCES: &str = "instance · version";

fn table(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    rows: &[Row],
    cursor: Option<usize>,
    theme: &Theme,
) {
    let w = area.width.saturating_sub(1) as usize;
    let mut lines = vec![Line::styled(clip(title, w), theme.header)];
    let room = area.height.saturating_sub(1) as usize;
    let first = cursor.map_or(0, |c| c.saturating_sub(room.saturating_sub(1)));
    for (i, row) in rows.iter().enumerate().skip(first).take(room) {
        let count = row.count.to_string();
        let label = match &row.version {
            Some(v) => format!("{} {v}", crate::triage::short_id(&row.label)),
            None => row.label.clone(),
        };
        let picked = cursor == Some(i);
        let label = if cursor.is_some() {
            format!("{}{label}", if picked { "▶ " } else { "  " })
        } else {
            label
        };
        let room = w.saturating_sub(count.len() + 1);
        let style = if picked {
            theme.selected
        } else if row.count > 0 {
            theme.text
        } else {
            theme.dim
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:<room$}", clip(&label, room)), style),
            Span::styled(format!(" {count}"), style),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_findings(view: &TriageView, frame: &mut Frame, list: Rect, detail: Rect, theme: &Theme) {
    let r = &view.report;
    let w = list.width as usize;
    let mut lines = vec![Line::styled("findings", theme.header)];
    let room = list.height.saturating_sub(1) as usize;
    // Keep the picked finding in view.
    let first = view.cursor.saturating_sub(room.saturating_sub(1));
    for (i, f) in r.findings.iter().enumerate().skip(first).take(room) {
        let picked = !view.on_instances && i == view.cursor;
        let style: Style = if picked { theme.selected } else { theme.text };
        let mark = if picked { "▶ " } else { "  " };
        lines.push(Line::styled(clip(&format!("{mark}{}", f.text), w), style));
    }
    frame.render_widget(Paragraph::new(lines), list);
    // The picked instance, or the picked finding, spelled out.
    let body = if view.on_instances {
        r.by_instance.get(view.instance_cursor).map(|row| {
            vec![
                Line::styled(
                    format!(
                        "{}{}: {} 5xx",
                        row.label,
                        row.version
                            .as_deref()
                            .map(|v| format!(" on {v}"))
                            .unwrap_or_default(),
                        row.count
                    ),
                    theme.text,
                ),
                Line::styled("Enter: its 5xx in the logs pane, its lines only", theme.dim),
            ]
        })
    } else {
        r.findings.get(view.cursor).map(|f| {
            vec![
                Line::styled(f.text.clone(), theme.text),
                Line::styled(f.evidence.clone(), theme.dim),
            ]
        })
    };
    if let Some(body) = body {
        frame.render_widget(
            Paragraph::new(body).wrap(Wrap { trim: true }).block(
                Block::default()
                    .borders(Borders::TOP)
                    .border_style(theme.border),
            ),
            detail,
        );
    }
}

/// At most `w` characters, with `…` when cut.
fn clip(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(w.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}
