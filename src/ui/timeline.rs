//! The timeline: EB events and stack events of the selected environment, newest at the bottom.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fmt::when;
use super::theme::Theme;
use super::{pane_block, placeholder};
use crate::app::App;
use crate::app::timeline::Entry;
use crate::cloud::PollKey;

pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: &Theme, focused: bool) {
    let name = app.account.selected.clone().unwrap_or_default();
    let t = app.account.timelines.get(&name);
    let mut title = vec![
        Span::styled("Timeline", theme.title),
        Span::styled(format!(" {name}"), theme.dim),
    ];
    if let Some(t) = t.filter(|t| !t.follow) {
        title.push(Span::styled(
            format!(" ↑{} (f follows)", t.scroll_back),
            theme.warn,
        ));
    }
    let block = pane_block(2, Line::from(title), theme, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let err = app
        .account
        .errors
        .get(&PollKey::Events(name.clone()))
        .or_else(|| app.account.errors.get(&PollKey::StackEvents(name.clone())));
    let Some(t) = t.filter(|t| t.loaded || !t.entries.is_empty()) else {
        let text = match (app.account.selected.is_some(), err) {
            (_, Some(e)) => format!("cannot read events: {e}"),
            (true, None) => "loading events...".into(),
            (false, None) => "no environment selected".into(),
        };
        placeholder(
            frame,
            inner,
            &text,
            if err.is_some() {
                theme.error
            } else {
                theme.dim
            },
        );
        return;
    };
    let h = inner.height as usize;
    let n = t.entries.len();
    let end = n.saturating_sub(t.scroll_back);
    let start = end.saturating_sub(h.saturating_sub(usize::from(err.is_some())));
    let mut lines: Vec<Line> = t.entries[start..end]
        .iter()
        .map(|e| entry_line(e, app.now, theme))
        .collect();
    if let Some(e) = err {
        lines.push(Line::styled(format!("! {e}"), theme.error));
    }
    if lines.is_empty() {
        placeholder(frame, inner, "no events yet", theme.dim);
        return;
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn entry_line<'a>(e: &'a Entry, now: i64, theme: &Theme) -> Line<'a> {
    match e {
        Entry::Eb(ev) => {
            let sev = theme.severity(ev.severity);
            Line::from(vec![
                Span::styled(when(now, ev.ts), theme.dim),
                Span::styled(" EB  ", theme.info),
                Span::styled(format!("{:<5} ", ev.severity.as_str()), sev),
                Span::styled(ev.message.as_str(), sev),
            ])
        }
        Entry::Stack(s) => {
            let st = if s.status.contains("FAILED") || s.status.contains("ROLLBACK") {
                theme.error
            } else if s.status.ends_with("IN_PROGRESS") {
                theme.warn
            } else {
                theme.ok
            };
            let mut spans = vec![
                Span::styled(when(now, s.ts), theme.dim),
                Span::styled(" CFN ", theme.header),
                Span::styled(format!("{} ", s.status), st),
                Span::raw(format!("{} ", s.logical_id)),
                Span::styled(format!("({})", s.resource_type), theme.dim),
            ];
            if let Some(r) = &s.reason {
                spans.push(Span::styled(format!(" {r}"), st));
            }
            Line::from(spans)
        }
    }
}
