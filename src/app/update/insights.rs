//! `I` in the logs pane: the current search over days with CloudWatch Logs Insights. The range
//! dialog with each range's estimated scan and cost (from the log groups' sizes), the query it
//! starts, and its rows and progress arriving in the pane.

use super::super::keymap::{Action, Context};
use super::super::log_session::Stream;
use super::super::modal::{INSIGHTS_RANGES, InsightsAsk, Modal};
use super::super::{App, Effect, Level, Pane};
use super::logs::{groups_of, keys_label, one_line, shown};
use crate::cloud::{GroupSize, InsightsEvent, InsightsProgress, InsightsQuery, PollKey, TailEvent};
use crate::logs::insights_query;

/// `I`: search the current query over days with CloudWatch Logs Insights. Opens the range
/// dialog and reads the log groups' sizes, so the estimated scan and cost are shown before
/// anything runs.
pub(super) fn ask(app: &mut App, fx: &mut Vec<Effect>) {
    let Some((_, key)) = shown(app) else {
        return;
    };
    let Some(q) = app.logs.pane.search().query() else {
        let key = keys_label(app, Context::Logs, Action::Insights);
        app.flash(
            Level::Warn,
            format!(
                "search first (/), then {key} searches days back with CloudWatch Logs Insights"
            ),
        );
        return;
    };
    let search = q.text().to_string();
    let translated =
        match insights_query::translate(&search, q.is_case_insensitive(), q.error().is_some()) {
            Ok(t) => t,
            Err(why) => {
                app.flash(Level::Warn, format!("Insights cannot search this: {why}"));
                return;
            }
        };
    // Only the instance the pane is narrowed to, if it is (`O`).
    let translated = match app.logs.pane.scope() {
        Some(instance) => insights_query::only_stream(translated, instance),
        None => translated,
    };
    let groups = app.logs.pane.streamed_groups();
    if groups.is_empty() {
        app.flash(Level::Warn, "no CloudWatch log groups to search");
        return;
    }
    app.view.modal = Some(Modal::Insights(InsightsAsk {
        env: key.clone(),
        search,
        translated,
        groups,
        range: 0,
        sizes: None,
    }));
    app.view.dirty = true;
    super::polls::force(app, PollKey::LogGroupSizes(key), fx);
}

/// DescribeLogGroups answered (or failed) for the Insights dialog of `key`.
pub(super) fn on_group_sizes(app: &mut App, key: &str, sizes: Result<Vec<GroupSize>, String>) {
    if let Some(Modal::Insights(ask)) = app.view.modal.as_mut()
        && ask.env == key
    {
        ask.sizes = Some(sizes.map_err(|e| one_line(&e)));
        app.view.dirty = true;
    }
}

/// Keys in the Insights dialog: up/down pick the range, y/Enter runs it once the sizes are
/// read (the dialog has shown the estimate, and its cost when it is over 1 GB), Esc closes.
pub(super) fn on_action(app: &mut App, mut ask: InsightsAsk, action: Action, fx: &mut Vec<Effect>) {
    app.view.dirty = true;
    match action {
        Action::Up => ask.range = ask.range.saturating_sub(1),
        Action::Down => ask.range = (ask.range + 1).min(INSIGHTS_RANGES.len() - 1),
        Action::Cancel => return,
        Action::Confirm if ask.sizes.is_none() => {
            app.flash(
                Level::Info,
                "reading the log groups' sizes first, to show what the query would cost",
            );
        }
        Action::Confirm => return run_insights(app, ask, fx),
        _ => {}
    }
    app.view.modal = Some(Modal::Insights(ask));
}

/// Start the Insights query the dialog was confirmed for; its rows replace the pane's lines.
fn run_insights(app: &mut App, ask: InsightsAsk, fx: &mut Vec<Effect>) {
    let Some((env, key)) = shown(app) else {
        return;
    };
    if key != ask.env {
        return;
    }
    let (span, label) = INSIGHTS_RANGES[ask.range];
    let all = groups_of(app, &key);
    let pane = &mut app.logs.pane;
    pane.reset_for(&key, all, ask.groups.clone());
    pane.set_query(&ask.search);
    pane.set_status(format!(
        "Insights {} over {label} · starting · Esc stops",
        ask.translated.filter
    ));
    if let Some(note) = &ask.translated.note {
        app.flash(Level::Info, format!("Insights: {note}"));
    }
    let tail = app.logs.begin(Stream::Insights, Some(&key));
    fx.push(Effect::Insights {
        tail,
        query: InsightsQuery {
            env,
            groups: ask.groups,
            start: app.now - span,
            end: app.now,
            query: ask.translated.query,
        },
    });
}

/// What a running Insights query sent, if it is the stream running now: rows become lines in
/// the pane, progress its status (in the title).
pub(super) fn on_insights(app: &mut App, tail: u64, event: InsightsEvent) {
    if !app.logs.is_current(tail) {
        return;
    }
    let changed = match event {
        InsightsEvent::Started(_) => false,
        InsightsEvent::Rows(rows) => {
            let groups = app.logs.pane.streamed_groups();
            let lines: Vec<_> = rows
                .iter()
                .filter_map(|r| insights_query::row_to_line(r, &groups))
                .collect();
            app.logs.count_received(lines.len());
            app.logs.pane.apply_tail_event(TailEvent::Events(lines))
        }
        InsightsEvent::Progress(p) => {
            app.logs.pane.set_status(insights_status(&p));
            true
        }
    };
    app.view.dirty |= changed && app.visible(Pane::Logs);
}

/// "Insights running: 120 matched · 1,234,567 records · 1.2 GB scanned · Esc stops"
fn insights_status(p: &InsightsProgress) -> String {
    let after = if p.status.is_done() {
        "Esc returns to live"
    } else {
        "Esc stops"
    };
    format!(
        "Insights {}: {} matched · {} records · {} scanned · {after}",
        p.status.as_str(),
        insights_query::count(p.records_matched),
        insights_query::count(p.records_scanned),
        insights_query::bytes(p.bytes_scanned),
    )
}
