//! The operations overlay (`o`): the environment's operations from the ledger, newest first, and
//! one operation's events.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::fmt::{ago, clip, when};
use super::theme::Theme;
use crate::app::App;
use crate::app::ledger::{Operation, Outcome, span};

/// What the overlay shows: whose operations, the row, and the operation opened.
pub struct Shown<'a> {
    pub env: &'a str,
    pub cursor: usize,
    pub open: Option<&'a str>,
    pub scroll: u16,
}

pub fn render(app: &App, frame: &mut Frame, area: Rect, theme: &Theme, shown: Shown) {
    let Shown {
        env,
        cursor,
        open,
        scroll,
    } = shown;
    let r = super::modal::centered(area, 110, area.height.saturating_sub(2));
    frame.render_widget(Clear, r);
    let ops = app.account.ledger.of(env);
    match open.and_then(|rid| ops.iter().find(|o| o.request_id == rid)) {
        Some(op) => events(app, frame, r, theme, op, scroll),
        None => list(app, frame, r, theme, env, ops, cursor),
    }
}

fn outcome_of(app: &App, env: &str, ops: &[Operation], op: &Operation) -> Outcome {
    let newest = ops.last().is_some_and(|o| o.request_id == op.request_id);
    let busy = app
        .account
        .envs
        .get(env)
        .is_some_and(|e| e.status.is_transitional());
    op.outcome(newest && busy)
}

fn list(
    app: &App,
    frame: &mut Frame,
    r: Rect,
    theme: &Theme,
    env: &str,
    ops: &[Operation],
    cursor: usize,
) {
    let title = format!("Operations of {env} (Enter events · Esc closes)");
    if ops.is_empty() {
        let text = Paragraph::new(Line::styled(
            "no operation in the events read so far (the account stream goes back 14 days)",
            theme.dim,
        ));
        super::modal::draw_box(frame, r, &title, theme, text);
        return;
    }
    let items: Vec<ListItem> = ops
        .iter()
        .rev()
        .map(|o| {
            let outcome = outcome_of(app, env, ops, o);
            let style = match outcome {
                x if x.is_bad() => theme.error,
                Outcome::Succeeded => theme.ok,
                Outcome::InProgress => theme.warn,
                _ => theme.dim,
            };
            let took = o
                .ended()
                .map(|end| span(end - o.started))
                .unwrap_or_else(|| "-".into());
            let wide = r.width >= 100;
            let (vw, ow) = if wide { (24, 22) } else { (14, 10) };
            let outcome_text = match outcome {
                Outcome::CompletedWithErrors if !wide => "errors",
                Outcome::InProgress if !wide => "running",
                o => o.as_str(),
            };
            let when_text = if wide {
                format!(
                    "{} ({} ago)",
                    when(app.now, o.started),
                    ago(app.now, o.started)
                )
            } else {
                when(app.now, o.started)
            };
            ListItem::new(Line::from(vec![
                Span::styled(format!("{:<10}", o.kind.as_str()), theme.text),
                Span::styled(
                    format!("{:<vw$}", clip(o.version.as_deref().unwrap_or(""), vw - 1)),
                    theme.text,
                ),
                Span::styled(format!("{outcome_text:<ow$}"), style),
                Span::styled(format!("{when_text} · took {took}"), theme.dim),
            ]))
        })
        .collect();
    let mut state = ListState::default().with_selected(Some(cursor.min(ops.len() - 1)));
    let block = super::modal::box_block(&title, theme);
    let list = List::new(items)
        .block(block)
        .highlight_style(theme.selected);
    frame.render_stateful_widget(list, r, &mut state);
}

fn events(app: &App, frame: &mut Frame, r: Rect, theme: &Theme, op: &Operation, scroll: u16) {
    let all = app
        .account
        .timelines
        .get(&op.env)
        .map(|t| t.eb_events())
        .unwrap_or_default();
    let mut lines: Vec<Line> = all
        .iter()
        .filter(|e| e.request_id.as_deref() == Some(op.request_id.as_str()))
        .map(|e| {
            Line::from(vec![
                Span::styled(format!("{} ", when(app.now, e.ts)), theme.dim),
                Span::styled(format!("{:<5} ", e.severity.as_str()), theme.text),
                Span::raw(e.message.clone()),
            ])
        })
        .collect();
    lines.extend(captured(app, theme, op));
    let title = format!(
        "{} {} · request {} (:report writes it · Esc back)",
        op.kind.as_str(),
        op.version.as_deref().unwrap_or(""),
        op.request_id
    );
    super::modal::draw_box(
        frame,
        r,
        &title,
        theme,
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
    );
}

/// The evidence captured for this operation's failure, under its events.
fn captured<'a>(app: &'a App, theme: &Theme, op: &Operation) -> Vec<Line<'a>> {
    let Some(env) = app.account.envs.get(&op.env) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    for c in app.account.journal.captures_for(env, op, app.now) {
        lines.push(Line::raw(""));
        let head = format!(
            "Captured at {}: {} lines ({}){}",
            when(app.now, c.at),
            c.lines.len(),
            c.reason,
            c.note
                .as_ref()
                .map(|n| format!(" · {n}"))
                .unwrap_or_default()
        );
        lines.push(Line::styled(head, theme.header));
        // The lines that say why: errors and failures, with their file.
        let telling: Vec<_> = c
            .lines
            .iter()
            .filter(|l| {
                let u = l.message.to_ascii_uppercase();
                u.contains("ERROR") || u.contains("FAIL")
            })
            .take(8)
            .collect();
        for l in telling {
            let file = l.group.rsplit('/').next().unwrap_or(&l.group).to_string();
            lines.push(Line::from(vec![
                Span::styled(format!("{} {file} ", when(app.now, l.ts)), theme.dim),
                Span::styled(l.message.clone(), theme.error),
            ]));
        }
    }
    lines
}
