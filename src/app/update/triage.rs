//! The "Why 502?" view (`T`, `:why`): opening it, keeping its report current as lines arrive,
//! its keys (pick a finding, jump to the logs, roll back through the usual dialog).
//!
//! The count behind it (`App::triage`) reads the buffer from the seq it stopped at: a step reads
//! at most `STEP_LINES` lines, so opening on a full buffer catches up over a few messages (the
//! view says how many lines are left), and a live tail costs only its new lines. `render` draws
//! the report kept in the modal; it computes nothing.

use crossterm::event::{KeyCode, KeyEvent};

use super::super::intents;
use super::super::keymap::Action;
use super::super::modal::{Modal, TriageView, Wide};
use super::super::{App, Effect, Level, Pane};
use crate::app::ledger::{OpKind, parse_batch_start};
use crate::triage::{self, Inputs, InstanceInfo, Jump, Marker, STEP_LINES};

/// `T` / `:why`: the view for the environment the logs pane shows.
pub(super) fn open(app: &mut App) {
    let Some(env) = app
        .logs
        .pane
        .env()
        .map(str::to_string)
        .or(app.account.selected.clone())
    else {
        app.flash(Level::Warn, "select an environment first");
        return;
    };
    app.view.modal = Some(Modal::Triage(TriageView {
        env,
        cursor: 0,
        on_instances: false,
        instance_cursor: 0,
        report: Default::default(),
        wide: None,
    }));
    refresh(app);
}

/// Reads the lines that arrived (a slice of them) and rebuilds the report when something changed.
/// Called after every message while the view is open.
pub(super) fn refresh(app: &mut App) {
    let Some(Modal::Triage(view)) = &app.view.modal else {
        return;
    };
    let env = view.env.clone();
    let buf = app.logs.pane.buffer();
    let changed = app.triage.step(&env, buf, STEP_LINES);
    let behind = app.triage.behind(buf);
    let stale = view.report.env.is_empty()
        || view.report.behind != behind
        || matches!(&view.wide, Some(Wide::Counted(w)) if view.report.series.source != w.source);
    if !changed && !stale {
        return;
    }
    let instances = instances(app, &env);
    let markers = markers(app, &env);
    let inputs = Inputs {
        env: &env,
        instances: &instances,
        markers: &markers,
        now: app.now,
    };
    // The buffer's own minutes, or the 6 hours Logs Insights counted (`6`).
    let wide = match &view.wide {
        Some(Wide::Counted(series)) => Some(series.clone()),
        _ => None,
    };
    let mut report = triage::report(&app.triage, &inputs, wide);
    report.behind = behind;
    if let Some(Modal::Triage(view)) = &mut app.view.modal {
        view.cursor = view.cursor.min(report.findings.len().saturating_sub(1));
        // Rows are ordered by count and move as lines arrive: the picked instance stays picked.
        let picked = view.report.by_instance.get(view.instance_cursor);
        view.instance_cursor = picked
            .and_then(|p| report.by_instance.iter().position(|r| r.label == p.label))
            .unwrap_or(view.instance_cursor)
            .min(report.by_instance.len().saturating_sub(1));
        view.report = report;
    }
    app.view.dirty = true;
}

fn instances(app: &App, env: &str) -> Vec<InstanceInfo> {
    app.account.health.get(env).map_or_else(Vec::new, |h| {
        h.instances
            .iter()
            .map(|i| InstanceInfo {
                id: i.id.clone(),
                version: i.deployment.as_ref().and_then(|d| d.version.clone()),
            })
            .collect()
    })
}

/// The environment's operations and their batches as markers: "deploy v-broken", "batch 1 of
/// deploy v-broken", "roll back to v1.4.3" (a deploy of a version that ran before the one it
/// replaces), "abort".
fn markers(app: &App, env: &str) -> Vec<Marker> {
    let ops = app.account.ledger.of(env);
    let events = app
        .account
        .timelines
        .get(env)
        .map(|t| t.eb_events())
        .unwrap_or_default();
    let mut out = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let name = match (op.kind, op.version.as_deref()) {
            (OpKind::Deploy, Some(v)) => {
                let earlier: Vec<&str> = ops[..i]
                    .iter()
                    .filter(|o| o.kind == OpKind::Deploy)
                    .filter_map(|o| o.version.as_deref())
                    .collect();
                let back = earlier.len() >= 2
                    && earlier.last() != Some(&v)
                    && earlier[..earlier.len() - 1].contains(&v);
                if back {
                    format!("roll back to {v}")
                } else {
                    format!("deploy {v}")
                }
            }
            (kind, _) => kind.as_str().to_string(),
        };
        out.push(Marker {
            ts: op.started,
            label: name.clone(),
        });
        for e in events
            .iter()
            .filter(|e| e.request_id.as_deref() == Some(op.request_id.as_str()))
        {
            if let Some((n, _)) = parse_batch_start(&e.message) {
                out.push(Marker {
                    ts: e.ts,
                    label: format!("batch {n} of {name}"),
                });
            }
        }
    }
    out.sort_by_key(|m| m.ts);
    out
}

/// Keys in the view: ↑/↓ (j/k) pick a finding (or, after Tab, an instance), Enter jumps, `U`
/// rolls back, `6` the six hours, Esc / q / T close.
pub(super) fn on_key(app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(Modal::Triage(view)) = &mut app.view.modal else {
        return;
    };
    let (cursor, n) = if view.on_instances {
        (&mut view.instance_cursor, view.report.by_instance.len())
    } else {
        (&mut view.cursor, view.report.findings.len())
    };
    match k.code {
        KeyCode::Up | KeyCode::Char('k') => *cursor = cursor.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => *cursor = (*cursor + 1).min(n.saturating_sub(1)),
        KeyCode::Home | KeyCode::Char('g') => *cursor = 0,
        KeyCode::End | KeyCode::Char('G') => *cursor = n.saturating_sub(1),
        KeyCode::Tab | KeyCode::BackTab => view.on_instances = !view.on_instances,
        KeyCode::Enter => {
            let jump = if view.on_instances {
                view.report
                    .by_instance
                    .get(view.instance_cursor)
                    .map(|row| Jump::Instance(row.label.clone()))
            } else {
                view.report
                    .findings
                    .get(view.cursor)
                    .map(|f| f.jump.clone())
            };
            jump_to(app, jump.unwrap_or(Jump::Nothing));
        }
        KeyCode::Char('U') => {
            // The usual dialog: the write is built and confirmed where every write is.
            app.view.modal = None;
            fx.extend(intents::start(app, Action::Rollback));
        }
        KeyCode::Char('6') => wide(app, fx),
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('T') => app.view.modal = None,
        _ => {}
    }
}

/// Enter: the logs pane, filtered to what the finding (or instance) speaks of.
fn jump_to(app: &mut App, jump: Jump) {
    let l = &mut app.logs.pane;
    match jump {
        Jump::Nothing => return,
        Jump::Instance(id) if id == triage::NO_INSTANCE => {
            app.flash(
                Level::Warn,
                "these lines name no instance: their stream has no instance id",
            );
            return;
        }
        Jump::Search(pattern) => {
            l.set_query(&pattern);
            if !l.filter_on() {
                l.toggle_filter();
            }
            l.top();
            l.next_hit();
        }
        Jump::Errors5xx => {
            l.preset_5xx();
            if !l.instance() {
                l.toggle_instance();
            }
        }
        Jump::Instance(id) => {
            l.set_scope(Some(&id));
            l.preset_5xx();
            let label = |a| super::logs::keys_label(app, super::super::keymap::Context::Logs, a);
            let (every, all) = (label(Action::OnlyInstance), label(Action::FilterMatches));
            app.flash(
                Level::Info,
                format!("only {id}'s 5xx · {all}: all its lines · {every}: every instance"),
            );
        }
    }
    app.view.modal = None;
    app.view.focus = Pane::Logs;
}

/// The span of the 6-hour view.
pub const WIDE_SPAN: crate::domain::Millis = 6 * 3_600_000;

/// `6`: the 5xx per minute over the last 6 hours, counted by CloudWatch Logs Insights from the
/// environment's access logs (a `stats` query; no line is downloaded). Again: back to the buffer.
fn wide(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(Modal::Triage(view)) = &app.view.modal else {
        return;
    };
    if view.wide.is_some() {
        if let Some(Modal::Triage(view)) = &mut app.view.modal {
            view.wide = None;
            view.report.env.clear();
        }
        return refresh(app);
    }
    let env_key = view.env.clone();
    let Some(env) = app.account.envs.get(&env_key).map(|e| e.env.clone()) else {
        return;
    };
    let groups: Vec<String> = app
        .account
        .log_groups
        .get(&env_key)
        .map(|g| g.iter().filter(|g| g.contains("access")).cloned().collect())
        .unwrap_or_default();
    let wide = if groups.is_empty() {
        Wide::Failed(format!(
            "{env_key} streams no access log to CloudWatch: Logs Insights has nothing to count"
        ))
    } else {
        let query = crate::cloud::InsightsQuery {
            env,
            groups,
            start: app.now - WIDE_SPAN,
            end: app.now,
            query: crate::logs::insights_query::per_minute_query(
                crate::logs::insights_query::PerMinuteBy::Status,
            ),
        };
        fx.push(Effect::TriageMinutes {
            env: env_key,
            query,
        });
        Wide::Asking
    };
    if let Some(Modal::Triage(view)) = &mut app.view.modal {
        view.wide = Some(wide);
    }
    app.view.dirty = true;
}

/// Logs Insights answered the 6-hour count: its 5xx minutes become the view's series.
pub(super) fn on_minutes(
    app: &mut App,
    env: &str,
    result: Result<Vec<crate::logs::insights_query::MinuteCount>, String>,
) {
    let now = app.now;
    let Some(Modal::Triage(view)) = &mut app.view.modal else {
        return;
    };
    if view.env != env || view.wide != Some(Wide::Asking) {
        return;
    }
    view.wide = Some(match result {
        Ok(minutes) => Wide::Counted(series_of(&minutes, now)),
        Err(e) => Wide::Failed(e),
    });
    view.report.env.clear();
    refresh(app);
}

/// Per-minute counts by status as one 5xx series over the 6 hours ending `now`.
pub(super) fn series_of(
    minutes: &[crate::logs::insights_query::MinuteCount],
    now: crate::domain::Millis,
) -> triage::Series {
    let start = (now - WIDE_SPAN).div_euclid(60_000) * 60_000;
    let n = (WIDE_SPAN / 60_000) as usize + 1;
    let mut counts = vec![0u64; n];
    for m in minutes.iter().filter(|m| m.key.starts_with('5')) {
        let i = (m.minute - start).div_euclid(60_000);
        if let Some(c) = usize::try_from(i).ok().and_then(|i| counts.get_mut(i)) {
            *c += m.count;
        }
    }
    triage::Series {
        start,
        counts,
        source: "Logs Insights, 6 h",
    }
}
