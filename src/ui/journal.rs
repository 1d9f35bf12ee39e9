//! `:journal` (environments the journal knows that AWS no longer lists) and `:journal stats`
//! (what the journal holds, per environment and kind).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph};

use super::fmt::{ago, clip};
use super::theme::Theme;
use crate::app::App;
use crate::journal::{KnownEnv, Stats};

pub fn render_gone(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    gone: Option<&[KnownEnv]>,
    cursor: usize,
) {
    let title = "Journal: environments AWS no longer lists (Enter opens read-only · Esc closes)";
    let h = (gone.map_or(1, <[KnownEnv]>::len) as u16 + 4).clamp(6, area.height.saturating_sub(2));
    let r = super::modal::centered(area, 100, h);
    frame.render_widget(Clear, r);
    let Some(gone) = gone else {
        let text = Paragraph::new(Line::styled("reading the journal...", theme.dim));
        return super::modal::draw_box(frame, r, title, theme, text);
    };
    if gone.is_empty() {
        let text = Paragraph::new(vec![
            Line::raw("Every environment the journal knows is still listed by AWS."),
            Line::styled(
                "A failed first creation or a terminated environment shows here once AWS stops listing it (about an hour).",
                theme.dim,
            ),
        ]);
        return super::modal::draw_box(frame, r, title, theme, text);
    }
    let w = r.width.saturating_sub(4) as usize;
    let mut items = vec![ListItem::new(Line::styled(
        clip(
            &format!(
                "{:<28} {:<16} {:<12} {:<10} {:<10} {}",
                "environment", "application", "last status", "first seen", "last seen", "id"
            ),
            w,
        ),
        theme.header,
    ))];
    items.extend(gone.iter().map(|k| {
        let e = &k.env;
        let status = if k.terminated {
            "Terminated"
        } else {
            e.status.as_str()
        };
        ListItem::new(Line::raw(clip(
            &format!(
                "{:<28} {:<16} {:<12} {:<10} {:<10} {}",
                clip(&e.env.name, 28),
                clip(&e.env.app, 16),
                status,
                ago(app.now, k.first_seen),
                ago(app.now, k.last_seen),
                e.env.id
            ),
            w,
        )))
    }));
    let mut state = ListState::default().with_selected(Some(cursor + 1));
    let block = super::modal::box_block(title, theme);
    let list = List::new(items)
        .block(block)
        .highlight_style(theme.selected);
    frame.render_stateful_widget(list, r, &mut state);
}

pub fn render_stats(frame: &mut Frame, area: Rect, theme: &Theme, stats: Option<&Stats>) {
    let title = "Journal stats (Esc closes)";
    let Some(s) = stats else {
        let r = super::modal::centered(area, 90, 5);
        frame.render_widget(Clear, r);
        let text = Paragraph::new(Line::styled("reading the journal...", theme.dim));
        return super::modal::draw_box(frame, r, title, theme, text);
    };
    let mb = |b: u64| format!("{:.1} MB", b as f64 / 1_048_576.0);
    let mut lines = vec![
        Line::raw(s.path.clone()),
        Line::raw(format!(
            "{} on disk of {} allowed (log lines go first, oldest first)",
            mb(s.file_bytes),
            mb(s.max_bytes)
        )),
        Line::raw(""),
        Line::styled(
            format!(
                "{:<32} {:<14} {:>10} {:>12}",
                "environment", "kind", "rows", "bytes (≈)"
            ),
            theme.header,
        ),
    ];
    for row in &s.rows {
        lines.push(Line::raw(format!(
            "{:<32} {:<14} {:>10} {:>12}",
            clip(&row.env_name, 32),
            row.kind,
            row.rows,
            row.bytes
        )));
    }
    if s.rows.is_empty() {
        lines.push(Line::styled("the journal holds nothing yet", theme.dim));
    }
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let r = super::modal::centered(area, 90, h);
    frame.render_widget(Clear, r);
    super::modal::draw_box(frame, r, title, theme, Paragraph::new(lines));
}
