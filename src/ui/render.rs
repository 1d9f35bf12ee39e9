//! The whole screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders};

use super::theme::Theme;
use super::{envs, health, layout, logs, modal, status, timeline};
use crate::app::{App, Pane};

/// Draw the whole screen in `theme` (chosen at start from `--theme`, the config and `NO_COLOR`).
pub fn render(app: &App, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    let l = layout::compute(area, app);
    status::header(app, frame, l.header, theme);
    for (pane, rect) in l.panes {
        let focused = app.view.focus == pane;
        match pane {
            Pane::Envs => envs::render(app, frame, rect, theme, focused),
            Pane::Timeline => timeline::render(app, frame, rect, theme, focused),
            Pane::Health => health::render(app, frame, rect, theme, focused),
            Pane::Logs => logs::render(frame, rect, &app.logs.pane, theme, focused),
        }
    }
    status::footer(app, frame, l.footer, theme);
    modal::render(app, frame, area, theme);
}

/// The frame of a pane: its number, title, and a focus colour.
pub fn pane_block<'a>(
    n: u8,
    title: impl Into<Line<'a>>,
    theme: &Theme,
    focused: bool,
) -> Block<'a> {
    let border = if focused {
        theme.border_focused
    } else {
        theme.border
    };
    let mut spans = vec![Span::styled(
        format!(" {n} "),
        if focused {
            theme.border_focused
        } else {
            theme.dim
        },
    )];
    spans.extend(title.into().spans);
    spans.push(Span::raw(" "));
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(border)
        .title(Line::from(spans))
}

/// A one-line message centred in an empty pane ("loading...", an error).
pub fn placeholder(frame: &mut Frame, inner: Rect, text: &str, style: Style) {
    if inner.height == 0 {
        return;
    }
    let y = inner.y + inner.height / 2;
    let p = ratatui::widgets::Paragraph::new(Line::styled(text.to_string(), style))
        .alignment(ratatui::layout::Alignment::Center)
        .wrap(ratatui::widgets::Wrap { trim: true });
    frame.render_widget(
        p,
        Rect {
            y,
            height: inner.height - (y - inner.y),
            ..inner
        },
    );
}
