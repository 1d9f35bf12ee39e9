//! The words on the logs pane's border: the groups streamed, the follow state, the search.

use ratatui::text::{Line, Span};

use crate::logs::LogsPane;
use crate::ui::theme::Theme;

/// `nginx/error.log + nginx/access.log` (the first two and a count when many are streamed).
pub(super) fn groups_title(pane: &LogsPane) -> String {
    let picker = pane.group_picker();
    let names = picker.selected_short();
    let groups = match names.len() {
        0 => {
            return pane
                .env()
                .map_or(" logs ".to_string(), |env| format!(" logs: {env} "));
        }
        1..=3 => names.join(" + "),
        n => format!("{} + {} + {} more", names[0], names[1], n - 2),
    };
    format!(" logs: {groups} ")
}

/// Follow state, new lines, wrap, tail status.
pub(super) fn state_title(pane: &LogsPane, theme: &Theme, room: usize) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = vec![Span::raw(" ")];
    let sep = || Span::styled(" · ", theme.dim);
    if pane.is_paused() {
        spans.push(Span::styled("paused", theme.warn));
    } else if pane.is_following() {
        spans.push(Span::styled("following", theme.ok));
    } else {
        spans.push(Span::styled("scrolled", theme.warn));
    }
    let new = pane.new_lines();
    if new > 0 {
        spans.push(Span::styled(format!(" +{new} new"), theme.info));
    }
    if let Some(instance) = pane.scope() {
        // Short, as the instance column shows it: the status after it needs the room.
        let short = crate::triage::short_id(instance);
        spans.extend([sep(), Span::styled(format!("only {short}"), theme.warn)]);
    }
    if pane.wrap() {
        spans.extend([sep(), Span::raw("wrap")]);
    }
    if !pane.status().is_empty() {
        // The status is the one long part: cut it so the title never covers the group names.
        let sampled = if pane.is_sampled() {
            " · sampled".len()
        } else {
            0
        };
        let used: usize = spans.iter().map(|s| s.width()).sum::<usize>() + 3 + sampled + 1;
        let status = crate::ui::fmt::clip(pane.status(), room.saturating_sub(used));
        spans.extend([sep(), Span::styled(status, theme.dim)]);
    }
    if pane.is_sampled() {
        spans.extend([sep(), Span::styled("sampled", theme.warn)]);
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// `/query  k/N matches · filter ±C` (or `scanning 45%`), when a query is set.
pub(super) fn search_title(pane: &LogsPane, theme: &Theme) -> Line<'static> {
    let search = pane.search();
    let Some(q) = search.query() else {
        return Line::default();
    };
    let mut spans = vec![
        Span::raw(" "),
        Span::styled(format!("/{}", q.text()), theme.info),
        Span::raw(" "),
    ];
    spans.push(Span::raw(count_text(pane)));
    if q.error().is_some() {
        spans.push(Span::styled(" (literal)", theme.error));
    }
    if pane.filter_active() {
        spans.push(Span::styled(
            format!(" · filter ±{}", pane.context()),
            theme.warn,
        ));
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// `3/120 matches`, `120 matches`, or while rescanning `120+ matches, scanning 45%`.
pub(super) fn count_text(pane: &LogsPane) -> String {
    let search = pane.search();
    let n = search.hits().len();
    if let Some(p) = search.progress(pane.buffer()) {
        return format!("{n}+ matches, scanning {p}%");
    }
    match search.current_index() {
        Some(k) => format!("{k}/{n} matches"),
        None => format!("{n} matches"),
    }
}
