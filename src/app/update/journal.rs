//! The journal from `update`'s side: what a message gives it to keep (`records_of`, and the
//! operations followed, `ops_changed`), what was loaded at start (`on_loaded`), its answers
//! (`:journal`, `:journal stats`, reopening an environment AWS no longer lists) and its state.
//!
//! Nothing here touches the file: records leave as `Effect::Journal`, questions as
//! `Effect::JournalQuery`, and the runtime's writer thread does the rest.

use std::collections::HashMap;

use super::super::journal::gone_from;
use super::super::keymap::Action;
use super::super::log_session::Stream;
use super::super::modal::Modal;
use super::super::ops::{Origin, Tracked};
use super::super::{App, Effect, Level, Msg};
use super::{polls, select};
use crate::cloud::{Answer, Request, TailEvent};
use crate::domain::{Millis, RawLogEvent};
use crate::journal::{
    Batch, EnvHistory, JournalStatus, Loaded, OpRecord, Query, QueryAnswer, Record, Scope,
};

/// Whose records these are: the account as the cloud knows it now.
pub(in crate::app) fn scope(app: &App) -> Scope {
    let ctx = &app.account.ctx;
    Scope {
        profile: ctx.profile.clone(),
        region: ctx.region.clone(),
        account: ctx.account.clone(),
    }
}

/// What a message tells that is worth keeping, read before the message is handled: what AWS
/// said is kept whatever the app makes of it. Configuration is never kept (it holds secrets).
pub(super) fn records_of(app: &App, msg: &Msg) -> Vec<Record> {
    let envs = &app.account.envs;
    let id_of = |key: &str| envs.get(key).map(|e| e.env.id.clone()).unwrap_or_default();
    match msg {
        Msg::Cloud { reply, .. } => match (&reply.request, &reply.result) {
            (Request::Environments, Ok(Answer::Environments(list))) => {
                list.iter().cloned().map(Record::Env).collect()
            }
            (
                Request::AccountEvents { .. }
                | Request::Events { .. }
                | Request::OlderEvents { .. },
                Ok(Answer::Events(events)),
            ) => events
                .iter()
                .filter(|e| !e.env.is_empty())
                .map(|e| Record::Event {
                    env_id: id_of(&envs.key_for_event(&e.env, e.ts)),
                    event: e.clone(),
                })
                .collect(),
            (Request::StackEvents { env, .. }, Ok(Answer::StackEvents(events))) => {
                let env_id = if env.id.is_empty() {
                    id_of(&envs.key_for_ref(env))
                } else {
                    env.id.clone()
                };
                events
                    .iter()
                    .map(|e| Record::Stack {
                        env_id: env_id.clone(),
                        event: e.clone(),
                    })
                    .collect()
            }
            (Request::Health { env }, Ok(Answer::Health(snap))) => vec![Record::Health {
                env_id: id_of(&envs.key_for_ref(env)),
                env_name: env.name.clone(),
                snapshot: snap.clone(),
            }],
            _ => Vec::new(),
        },
        Msg::Tail {
            tail,
            event: TailEvent::Events(lines),
            ..
        } if app.logs.is_current(*tail) && !lines.is_empty() => {
            let Some(key) = app.logs.env() else {
                return Vec::new();
            };
            // Lines of an environment reopened from the journal came from the journal.
            if app.account.journal.is_gone_key(envs, key) {
                return Vec::new();
            }
            vec![Record::Lines {
                env_id: id_of(key),
                env_name: envs
                    .get(key)
                    .map_or_else(|| key.to_string(), |e| e.env.name.clone()),
                lines: lines.iter().map(super::super::journal::raw_line).collect(),
            }]
        }
        _ => Vec::new(),
    }
}

/// The followed operations' state before a message, to tell which changed.
pub(super) type OpsBefore = Vec<(String, Option<Millis>, bool, Option<String>)>;

pub(super) fn ops_before(app: &App) -> OpsBefore {
    app.account.ops.iter().map(op_state).collect()
}

fn op_state(t: &Tracked) -> (String, Option<Millis>, bool, Option<String>) {
    (
        format!("{}@{}", t.env, t.started),
        t.ended,
        t.accepted,
        t.outcome.map(|o| o.as_str().to_string()),
    )
}

/// Operations that started, were accepted or ended with this message, as records (and kept
/// in the app for `:report`).
pub(super) fn ops_changed(app: &mut App, before: &OpsBefore) -> Vec<Record> {
    let changed: Vec<OpRecord> = app
        .account
        .ops
        .iter()
        .filter(|t| !before.contains(&op_state(t)))
        .map(|t| op_record(app, t))
        .collect();
    for op in &changed {
        app.account.journal.keep_op(op.clone());
    }
    changed.into_iter().map(Record::Op).collect()
}

fn op_record(app: &App, t: &Tracked) -> OpRecord {
    let env = app.account.envs.get(&t.env);
    let env_id = env.map(|e| e.env.id.clone()).unwrap_or_default();
    OpRecord {
        key: format!(
            "{}@{}",
            if env_id.is_empty() { &t.env } else { &env_id },
            t.started
        ),
        env_id,
        env_name: env.map_or_else(|| t.env.clone(), |e| e.env.name.clone()),
        label: t.label.clone(),
        ours: matches!(t.origin, Origin::Ours { .. }),
        request_id: t.request_id.clone(),
        started: t.started,
        ended: t.ended,
        outcome: t.outcome.map(|o| o.as_str().to_string()),
        error: t.error.clone(),
    }
}

/// Hand the records to the journal, as one batch.
pub(super) fn keep(app: &App, records: Vec<Record>, fx: &mut Vec<Effect>) {
    if app.settings.journal && !records.is_empty() {
        fx.push(Effect::Journal(Batch {
            scope: scope(app),
            at: app.now,
            records,
        }));
    }
}

/// What the journal held at start: the table, timelines, health, operations and captures are
/// shown at once, marked with their age until AWS answers; the first environment is selected
/// (its reads start as usual). The account-wide events are then read from the newest kept, so
/// a journaled account costs a fraction of a cold start's reads.
pub(super) fn on_loaded(app: &mut App, loaded: Loaded, fx: &mut Vec<Effect>) {
    if loaded.envs.is_empty() {
        return;
    }
    let acc = &mut app.account;
    acc.journal.loaded_at = loaded.newest;
    acc.journal.catching_up = true;
    acc.envs
        .set(loaded.envs.into_iter().map(|k| k.env).collect());
    // Grouped first: a timeline takes each environment's events in one merge.
    let mut by_env: HashMap<String, Vec<crate::domain::EnvEvent>> = HashMap::new();
    for e in loaded.events {
        by_env
            .entry(acc.envs.key_for_event(&e.env, e.ts))
            .or_default()
            .push(e);
    }
    let names: Vec<String> = by_env.keys().cloned().collect();
    for (k, events) in by_env {
        acc.timelines.entry(k).or_default().add_events(events);
    }
    let key_of_id = |acc: &super::super::Account, id: &str| {
        acc.envs
            .all
            .iter()
            .find(|x| x.env.id == id)
            .map(|x| acc.envs.key_of(x))
    };
    let mut stacks: HashMap<String, Vec<crate::domain::StackEvent>> = HashMap::new();
    for (env_id, e) in loaded.stack_events {
        if let Some(k) = key_of_id(acc, &env_id) {
            stacks.entry(k).or_default().push(e);
        }
    }
    for (k, events) in stacks {
        acc.timelines.entry(k).or_default().add_stack_events(events);
    }
    for (env_id, snap) in loaded.health {
        if let Some(k) = key_of_id(acc, &env_id) {
            acc.health.insert(k, snap);
        }
    }
    acc.journal.ops = loaded.ops;
    acc.journal.captures = loaded.captures;
    acc.events_cursor = acc.timelines.values().filter_map(|t| t.events_since).max();
    for k in names {
        polls::refresh_ledger(app, &k);
    }
    app.view.dirty = true;
    if let Some(first) = app.account.envs.cursor.clone() {
        select::select(app, &first, fx);
    }
}

/// AWS answered the environment list: the screen is live now.
pub(super) fn live(app: &mut App) {
    if app.account.journal.loaded_at.take().is_some() {
        app.view.dirty = true;
    }
}

/// The journal's state changed: the status line says so when it matters.
pub(super) fn on_status(app: &mut App, status: JournalStatus) {
    let (level, text) = match status {
        JournalStatus::Open { .. } => return,
        JournalStatus::Resumed => {
            app.account.journal.note = None;
            (Level::Info, "journal: writing again".to_string())
        }
        JournalStatus::Paused(why) => (Level::Warn, format!("journal paused: {why}")),
        JournalStatus::Replaced { moved_to } => (
            Level::Warn,
            format!(
                "journal: the file was not a journal; moved aside to {moved_to}, a new one begun"
            ),
        ),
        JournalStatus::Off(why) => (Level::Warn, format!("journal off: {why}")),
    };
    if level == Level::Warn {
        app.account.journal.note = Some(text.clone());
    }
    app.flash(level, text);
}

/// `:journal [stats]`.
pub(super) fn command(app: &mut App, arg: Option<&str>, fx: &mut Vec<Effect>) {
    if !app.settings.journal {
        let why = app
            .account
            .journal
            .note
            .clone()
            .unwrap_or_else(|| "no journal is kept (--no-journal)".into());
        return app.flash(Level::Warn, why);
    }
    match arg {
        None => {
            app.view.modal = Some(Modal::Journal {
                gone: None,
                cursor: 0,
            });
            fx.push(Effect::JournalQuery(Query::Known(scope(app))));
        }
        Some("stats") => {
            app.view.modal = Some(Modal::JournalStats(None));
            fx.push(Effect::JournalQuery(Query::Stats));
        }
        Some(other) => app.flash(
            Level::Warn,
            format!(":journal {other}? try :journal or :journal stats"),
        ),
    }
}

/// The journal answered.
pub(super) fn on_answer(app: &mut App, answer: Result<QueryAnswer, String>, fx: &mut Vec<Effect>) {
    app.view.dirty = true;
    match answer {
        Err(e) => {
            if matches!(
                app.view.modal,
                Some(Modal::Journal { .. } | Modal::JournalStats(_))
            ) {
                app.view.modal = None;
            }
            app.flash(Level::Error, format!("journal: {e}"));
        }
        Ok(QueryAnswer::Known(known)) => {
            if let Some(Modal::Journal { gone, .. }) = app.view.modal.as_mut() {
                *gone = Some(gone_from(known, &app.account.envs.all));
            }
        }
        Ok(QueryAnswer::Stats(stats)) => {
            if let Some(Modal::JournalStats(s)) = app.view.modal.as_mut() {
                *s = Some(stats);
            }
        }
        Ok(QueryAnswer::History(h)) => reopen(app, *h, fx),
    }
}

/// Keys in the `:journal` list: move, Enter opens, Esc closes.
pub(super) fn list_action(app: &mut App, modal: Modal, action: Action, fx: &mut Vec<Effect>) {
    let Modal::Journal { gone, cursor } = modal else {
        return;
    };
    let n = gone.as_ref().map_or(0, Vec::len);
    let cursor = match action {
        Action::Cancel => return,
        Action::Up => cursor.saturating_sub(1),
        Action::Down => (cursor + 1).min(n.saturating_sub(1)),
        Action::Confirm => {
            if let Some(k) = gone.as_ref().and_then(|g| g.get(cursor)) {
                app.flash(
                    Level::Info,
                    format!("reading {} from the journal...", k.env.env.name),
                );
                fx.push(Effect::JournalQuery(Query::History {
                    scope: scope(app),
                    env_id: k.env.env.id.clone(),
                }));
                return;
            }
            cursor
        }
        _ => cursor,
    };
    app.view.modal = Some(Modal::Journal { gone, cursor });
}

/// Open an environment AWS no longer lists, read-only, with what the journal recorded: its
/// timeline (events and stack events), operations, health history, captures and log lines.
fn reopen(app: &mut App, h: EnvHistory, fx: &mut Vec<Effect>) {
    let acc = &mut app.account;
    let mut env = h.known.env;
    // AWS no longer lists it: it is gone, whatever it was doing when last seen.
    env.status = crate::domain::EnvStatus::Terminated;
    if !acc.envs.all.iter().any(|e| e.env.id == env.env.id) {
        acc.journal.gone.retain(|g| g.env.id != env.env.id);
        acc.journal.gone.push(env.clone());
        let mut all = acc.envs.all.clone();
        all.push(env.clone());
        acc.envs.set(all);
    } else {
        env = acc
            .envs
            .all
            .iter()
            .find(|e| e.env.id == env.env.id)
            .cloned()
            .unwrap_or(env);
    }
    let key = acc.envs.key_of(&env);
    let t = acc.timelines.entry(key.clone()).or_default();
    t.add_events(h.events);
    t.add_stack_events(h.stack_events);
    t.history_read = true;
    t.stack_read = true;
    if let Some(last) = super::super::journal::last_health(&h.health) {
        acc.health.insert(key.clone(), last.clone());
    }
    acc.journal.health.insert(key.clone(), h.health);
    for op in h.ops {
        acc.journal.keep_op(op);
    }
    for c in h.captures {
        acc.journal.keep_capture(c);
    }
    acc.journal.lines.insert(key.clone(), h.lines);
    polls::refresh_ledger(app, &key);
    app.account.envs.filter.reset();
    app.account.selected = None;
    select::select(app, &key, fx);
    app.flash(
        Level::Info,
        format!(
            "{}: as recorded in the journal (read-only; AWS no longer lists it)",
            env.env.name
        ),
    );
}

/// The logs pane of a reopened environment: the lines the journal kept.
pub(super) fn show_recorded_lines(app: &mut App, key: &str) {
    let j = &app.account.journal;
    let captured = app
        .account
        .envs
        .get(key)
        .map(|e| {
            j.captures_of(e)
                .flat_map(|c| c.lines.iter())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    // What was streamed, and what was captured on failure (the buffer drops repeats by id).
    let mut lines: Vec<RawLogEvent> = j
        .lines
        .get(key)
        .into_iter()
        .flatten()
        .chain(captured)
        .map(|l| RawLogEvent {
            id: Some(format!("{}|{}|{}|{}", l.group, l.stream, l.ts, l.message)),
            ts: l.ts,
            group: l.group.clone(),
            stream: l.stream.clone(),
            message: l.message.clone(),
        })
        .collect();
    lines.sort_by_key(|l| l.ts);
    lines.dedup_by(|a, b| a.id == b.id);
    app.logs.begin(Stream::EbSnapshot, Some(key));
    app.logs.pane.reset_for(key, Vec::new(), Vec::new());
    let n = lines.len();
    app.logs.pane.apply_tail_event(TailEvent::Events(lines));
    app.logs
        .pane
        .set_status(format!("{n} lines as recorded in the journal (not live)"));
}
