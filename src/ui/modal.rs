//! Dialogs drawn over the panes: confirmation, pickers, help, the command line.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, BorderType, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap,
};
use tui_input::Input;

use super::layout;
use super::theme::Theme;
use crate::app::modal::{Modal, PickItem};
use crate::app::{App, geometry};

pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(modal) = &app.view.modal else { return };
    match modal {
        Modal::Confirm {
            title,
            lines,
            typed,
            ..
        } => confirm(frame, area, theme, title, lines, typed.as_ref()),
        Modal::Pick {
            title,
            items,
            cursor,
            loading,
            ..
        } => pick(frame, area, theme, title, items, *cursor, *loading),
        Modal::Help { scroll } => help(app, frame, area, theme, *scroll),
        Modal::LogGroups => {
            let r = centered(
                area,
                76,
                (app.logs.pane.group_count() as u16 + 4).min(area.height.saturating_sub(2)),
            );
            frame.render_widget(Clear, r);
            super::logs::render_group_picker(frame, r, &app.logs.pane, theme);
        }
        Modal::Command(input) => command_line(frame, area, theme, input),
        Modal::History {
            env,
            cursor,
            open,
            scroll,
        } => super::history::render(
            app,
            frame,
            area,
            theme,
            super::history::Shown {
                env,
                cursor: *cursor,
                open: open.as_deref(),
                scroll: *scroll,
            },
        ),
        Modal::Budget => budget(app, frame, area, theme),
        Modal::Ship => super::ship::render(app, frame, area, theme),
        Modal::Config(view) => super::config::render(app, view, frame, area, theme),
        Modal::Journal { gone, cursor } => {
            super::journal::render_gone(app, frame, area, theme, gone.as_deref(), *cursor)
        }
        Modal::JournalStats(stats) => {
            super::journal::render_stats(frame, area, theme, stats.as_ref())
        }
        Modal::Insights(ask) => insights(app, frame, area, theme, ask),
        Modal::Triage(view) => super::triage::render(view, frame, area, theme),
    }
}

/// The Insights dialog: the query, the ranges with their estimated scan and cost, the keys.
fn insights(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    ask: &crate::app::modal::InsightsAsk,
) {
    use crate::app::modal::INSIGHTS_RANGES;
    use crate::logs::insights_query::{CONFIRM_ABOVE, cost_words};
    let mut lines = vec![
        Line::from(vec![
            Span::styled("search ", theme.dim),
            Span::raw(ask.translated.filter.clone()),
        ]),
        Line::styled(format!("in {} log groups", ask.groups.len()), theme.dim),
    ];
    if let Some(note) = &ask.translated.note {
        lines.push(Line::styled(note.clone(), theme.warn));
    }
    lines.push(Line::raw(""));
    let mut chosen_bytes = None;
    for (i, (_, label)) in INSIGHTS_RANGES.iter().enumerate() {
        let est = ask.estimate(i, app.now);
        if i == ask.range {
            chosen_bytes = est;
        }
        let cost = match (&ask.sizes, est) {
            (None, _) => "reading sizes...".to_string(),
            (Some(Err(_)), _) => "size unknown".to_string(),
            (_, Some(b)) => cost_words(b),
            (_, None) => String::new(),
        };
        let mark = if i == ask.range { "> " } else { "  " };
        let style = match est {
            Some(b) if b > CONFIRM_ABOVE => theme.warn,
            _ if i == ask.range => theme.header,
            _ => theme.text,
        };
        lines.push(Line::styled(format!("{mark}{label:<20}{cost}"), style));
    }
    lines.push(Line::raw(""));
    let ask_line = match (&ask.sizes, chosen_bytes) {
        (None, _) => Line::styled("reading the log groups' sizes...", theme.dim),
        (Some(Err(e)), _) => Line::styled(
            format!("cost unknown (DescribeLogGroups: {e}) · y runs it anyway"),
            theme.warn,
        ),
        (_, Some(b)) if b > CONFIRM_ABOVE => Line::styled(
            format!(
                "this query scans more than 1 GB: {} · y runs it",
                cost_words(b)
            ),
            theme.warn,
        ),
        _ => Line::styled("Insights costs $0.005 per GB scanned", theme.dim),
    };
    lines.push(ask_line);
    lines.push(Line::styled(
        "j/k range · y/Enter run · Esc cancel",
        theme.dim,
    ));
    let height = (lines.len() as u16 + 2).min(area.height);
    let r = centered(area, 76, height);
    draw_box(
        frame,
        r,
        "Search with CloudWatch Logs Insights",
        theme,
        Paragraph::new(lines).wrap(Wrap { trim: false }),
    );
}

/// `:budget`: what the reads cost over the last minute, per AWS action, beside the total the
/// cloud counted (which includes the log stream's calls).
fn budget(app: &App, frame: &mut Frame, area: Rect, theme: &Theme) {
    let mut lines = vec![Line::styled(
        format!("{:<48}{:>8}", "reads answered, last minute", "calls"),
        theme.header,
    )];
    for (action, n) in app.account.calls.reads_by_action() {
        lines.push(Line::raw(format!("{action:<48}{n:>8}")));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!(
            "{:<48}{:>8}{:>10}",
            "reads started, last minute", "used", "budget"
        ),
        theme.header,
    ));
    for (api, used, budget) in app.account.schedule.budget_use(app.now) {
        let style = if used * 10 >= budget * 9 {
            theme.warn
        } else {
            theme.text
        };
        lines.push(Line::styled(
            format!("{:<48}{used:>8}{budget:>10}", format!("{api:?}")),
            style,
        ));
    }
    let total = app
        .account
        .calls
        .per_minute()
        .map_or("measuring...".to_string(), |n| format!("{n}/min"));
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled("all calls (logs included): ", theme.dim),
        Span::raw(total),
    ]));
    lines.push(Line::styled(
        "Paces: account events 5 s and environments 7.5 s while anything changes (20 s / 30 s idle);",
        theme.dim,
    ));
    lines.push(Line::styled(
        "the shown environment's health 10 s while it changes (20 s idle); stack events only",
        theme.dim,
    ));
    lines.push(Line::styled(
        "while CloudFormation can act on it; AccessDenied rests a read for 5 minutes.",
        theme.dim,
    ));
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let r = centered(area, 90, h);
    draw_box(
        frame,
        r,
        "Budget (Esc closes)",
        theme,
        Paragraph::new(lines),
    );
}

/// The question, then how to answer it: a key, or the name to type for the drastic operations.
/// The answer line is the box's last line, where a click on its words answers
/// (`app::geometry::confirm_answer`).
fn confirm(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    title: &str,
    lines: &[String],
    typed: Option<&(String, Input)>,
) {
    let mut text: Vec<Line> = lines.iter().map(|l| Line::raw(l.clone())).collect();
    text.push(Line::raw(""));
    let keys = match typed {
        Some((want, input)) => {
            text.push(Line::from(vec![
                Span::raw("Type "),
                Span::styled(want.clone(), theme.warn),
                Span::raw(" to confirm:"),
            ]));
            let ok = input.value() == want;
            text.push(Line::from(vec![Span::styled(
                format!("> {}▏", input.value()),
                if ok { theme.ok } else { theme.text },
            )]));
            geometry::CONFIRM_TYPED_KEYS
        }
        None => geometry::CONFIRM_KEYS,
    };
    let size = (area.width, area.height);
    let r = layout::rect(geometry::confirm_box(
        size,
        lines,
        typed.map(|(w, _)| w.as_str()),
    ));
    draw_box(
        frame,
        r,
        title,
        theme,
        Paragraph::new(text).wrap(Wrap { trim: false }),
    );
    let inner = box_block(title, theme).inner(r);
    if inner.height > 0 {
        let last = Rect {
            y: inner.bottom() - 1,
            height: 1,
            ..inner
        };
        frame.render_widget(Clear, last);
        frame.render_widget(Paragraph::new(Line::styled(keys, theme.dim)), last);
    }
}

fn pick(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    title: &str,
    items: &[PickItem],
    cursor: usize,
    loading: bool,
) {
    let r = layout::rect(geometry::pick_box((area.width, area.height), items.len()));
    frame.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focused)
        .title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    if loading {
        frame.render_widget(Paragraph::new(Line::styled("loading...", theme.dim)), inner);
        return;
    }
    let [list_area, hint] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    let list = List::new(items.iter().map(|i| {
        ListItem::new(Line::from(vec![
            Span::styled(format!("{:<24}", i.label), theme.text),
            Span::styled(i.detail.clone(), theme.dim),
        ]))
    }))
    .highlight_style(theme.selected)
    .highlight_symbol("▶ ");
    let mut st = ListState::default().with_selected(Some(cursor));
    frame.render_stateful_widget(list, list_area, &mut st);
    frame.render_widget(
        Paragraph::new(Line::styled(
            "↑↓ choose · Enter pick · Esc cancel",
            theme.dim,
        )),
        hint,
    );
}

/// The key bindings in force (overrides included), grouped by where they apply.
fn help(app: &App, frame: &mut Frame, area: Rect, theme: &Theme, scroll: u16) {
    let mut lines = Vec::new();
    let mut last = None;
    for (ctx, keys, desc) in app.keymap.help() {
        if last != Some(ctx) {
            if last.is_some() {
                lines.push(Line::raw(""));
            }
            lines.push(Line::styled(ctx.title(), theme.header));
            last = Some(ctx);
        }
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<18}"), theme.info),
            Span::raw(desc),
        ]));
    }
    lines.push(Line::raw(""));
    for commands in [
        "Commands: :env NAME  :deploy [PATH]  :config  :history  :budget  :q",
        "          :props-import FILE  :props-export FILE [--values]",
        "          :profile NAME  :region NAME",
    ] {
        lines.push(Line::styled(commands, theme.dim));
    }
    let r = centered(area, 76, area.height.saturating_sub(2));
    draw_box(
        frame,
        r,
        "Help (? or Esc closes, j/k scroll)",
        theme,
        Paragraph::new(lines).scroll((scroll, 0)),
    );
}

/// The `:` command line, over the footer.
fn command_line(frame: &mut Frame, area: Rect, theme: &Theme, input: &Input) {
    let r = Rect {
        x: area.x,
        y: area.bottom().saturating_sub(1),
        width: area.width,
        height: 1,
    };
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(":", theme.warn),
            Span::raw(input.value().to_string()),
            Span::styled("▏", theme.warn),
        ])),
        r,
    );
}

pub(super) fn draw_box(frame: &mut Frame, r: Rect, title: &str, theme: &Theme, body: Paragraph) {
    frame.render_widget(Clear, r);
    frame.render_widget(body.block(box_block(title, theme)), r);
}

/// The rounded, titled frame every dialog has.
pub(super) fn box_block<'a>(title: &str, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focused)
        .title(Span::styled(format!(" {title} "), theme.title))
}

pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let a = geometry::Rect::new(area.x, area.y, area.width, area.height);
    layout::rect(geometry::centered(a, width, height))
}

/// A line being typed, after its prompt: the text made inert, the cursor where it is.
pub(super) fn typing<'a>(prompt: Span<'a>, input: &Input, theme: &Theme) -> Line<'a> {
    let value = input.value();
    let at = value
        .char_indices()
        .nth(input.cursor())
        .map_or(value.len(), |(i, _)| i);
    Line::from(vec![
        prompt,
        Span::raw(crate::logs::sanitize(&value[..at]).into_owned()),
        Span::styled("▏", theme.warn),
        Span::raw(crate::logs::sanitize(&value[at..]).into_owned()),
    ])
}
