//! `update`: one message in, state changed, effects out.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind};
use tui_input::backend::crossterm::to_input_request;

use super::keymap::{Action, Context, Key};
use super::modal::{Modal, PickPurpose};
use super::ops::{Origin, Tracked};
use super::schedule::Inputs;
use super::{App, Effect, Level, Msg, Pane, Poll, PollKey, Reply, intents};
use crate::cloud::{CloudError, LogTarget, Op, RollbackVia, TailEvent};
use crate::domain::{EnvRef, Millis, Tier};

/// Lines a log search rescans per tick, so typing never stalls.
const SEARCH_SLICE: usize = crate::logs::SCAN_BUDGET;

pub fn update(app: &mut App, msg: Msg, now: Millis) -> Vec<Effect> {
    app.now = now;
    let mut fx = Vec::new();
    match msg {
        Msg::Key(k) => on_key(app, k, &mut fx),
        Msg::Paste(text) => on_paste(app, &text),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            app.dirty = true;
        }
        Msg::Tick => on_tick(app, &mut fx),
        Msg::Cloud { epoch, key, reply } if epoch == app.epoch => {
            on_reply(app, key, reply, &mut fx)
        }
        Msg::Tail { epoch, tail, event } if epoch == app.epoch && tail == app.tail => {
            on_tail(app, event)
        }
        Msg::TailEnded { epoch, tail, error } if epoch == app.epoch && tail == app.tail => {
            if let Some(e) = error {
                app.logs.set_status(format!("log stream stopped: {e}"));
                app.flash(Level::Error, format!("logs: {e}"));
            }
        }
        Msg::OpDone {
            epoch,
            op_id,
            result,
        } if epoch == app.epoch => on_op_done(app, op_id, result),
        Msg::Context { epoch, result } => match result {
            Ok(ctx) => {
                reset_context(app, epoch, ctx);
                let inputs = schedule_inputs(app);
                let polls = app.schedule.due(now, &inputs);
                fx.extend(
                    polls
                        .into_iter()
                        .filter_map(|k| poll_for(app, &k))
                        .map(Effect::Poll),
                );
            }
            Err(e) => app.flash(Level::Error, e),
        },
        Msg::Stats { api_calls: n, ctx } => {
            if ctx != app.ctx {
                app.ctx = ctx;
                app.dirty = true;
            }
            let before = app.calls_per_minute();
            app.api_samples.push_back((now, n));
            while app.api_samples.len() > 2
                && app
                    .api_samples
                    .get(1)
                    .is_some_and(|(t, _)| now - t >= 60_000)
            {
                app.api_samples.pop_front();
            }
            app.dirty |= before != app.calls_per_minute();
        }
        Msg::Saved(Ok(path)) => app.flash(Level::Info, format!("saved to {path}")),
        Msg::Saved(Err(e)) => app.flash(Level::Error, format!("could not save: {e}")),
        // Results of an older context, or of a replaced log tail.
        Msg::Cloud { .. } | Msg::Tail { .. } | Msg::TailEnded { .. } | Msg::OpDone { .. } => {}
    }
    fx
}

fn reset_context(app: &mut App, epoch: u64, ctx: crate::domain::CloudContext) {
    app.epoch = epoch;
    app.ctx = ctx;
    app.envs = Default::default();
    app.selected = None;
    app.timelines.clear();
    app.health.clear();
    app.versions.clear();
    app.history.clear();
    app.log_groups.clear();
    app.logs = crate::logs::LogsPane::new(app.settings.log_max_lines, app.settings.log_max_bytes);
    app.tail_env = None;
    app.ops.clear();
    app.modal = None;
    app.pending = None;
    app.schedule.reset();
    app.errors.clear();
    app.api_samples.clear();
    app.dirty = true;
}

// ---------------------------------------------------------------------------------------------
// Time

fn on_tick(app: &mut App, fx: &mut Vec<Effect>) {
    if app.flash.as_ref().is_some_and(|f| app.now >= f.until) {
        app.flash = None;
        app.dirty = true;
    }
    let minute = app.now / 60_000;
    if minute != app.shown_minute {
        app.shown_minute = minute;
        app.dirty = true;
    }
    if app.logs.tick(SEARCH_SLICE) {
        app.dirty = true;
    }
    let inputs = schedule_inputs(app);
    let due = app.schedule.due(app.now, &inputs);
    for key in due {
        match poll_for(app, &key) {
            Some(p) => fx.push(Effect::Poll(p)),
            // The environment is gone: nothing to ask.
            None => app.schedule.finished(app.now, &key, false),
        }
    }
}

pub(super) fn schedule_inputs(app: &App) -> Inputs {
    let busy = app.envs.all.iter().any(|e| e.status.is_transitional())
        || app
            .ops
            .iter()
            .any(|t| t.is_active() && matches!(t.origin, Origin::Ours { .. }));
    let versions_app = match &app.modal {
        Some(Modal::Pick {
            purpose: PickPurpose::DeployVersion { .. },
            ..
        }) => app.selected_env().map(|e| e.env.app.clone()),
        _ => None,
    };
    Inputs {
        shown_env: app.selected.clone(),
        tracked_envs: app
            .ops
            .iter()
            .filter(|t| t.is_active())
            .map(|t| t.env.clone())
            .collect(),
        busy,
        timeline_visible: app.visible(Pane::Timeline),
        health_visible: app.visible(Pane::Health),
        versions_app,
        log_groups_unknown: app
            .selected
            .as_ref()
            .is_some_and(|s| !app.log_groups.contains_key(s)),
    }
}

/// The request for a poll key, with its cursor.
fn poll_for(app: &App, key: &PollKey) -> Option<Poll> {
    let env = |name: &str| app.envs.get(name).map(|e| e.env.clone());
    Some(match key {
        PollKey::Environments => Poll::Environments,
        PollKey::Events(n) => Poll::Events {
            env: env(n)?,
            since: app.timelines.get(n).and_then(|t| t.events_since),
        },
        PollKey::StackEvents(n) => Poll::StackEvents {
            env: env(n)?,
            since: app.timelines.get(n).and_then(|t| t.stack_since),
        },
        PollKey::Health(n) => Poll::Health { env: env(n)? },
        PollKey::History(n) => Poll::History { env: env(n)? },
        PollKey::LogGroups(n) => Poll::LogGroups { env: env(n)? },
        PollKey::Versions(a) => Poll::Versions { app: a.clone() },
    })
}

fn force(app: &mut App, key: PollKey, fx: &mut Vec<Effect>) {
    if let Some(p) = poll_for(app, &key)
        && app.schedule.force(app.now, key)
    {
        fx.push(Effect::Poll(p));
    }
}

// ---------------------------------------------------------------------------------------------
// Cloud results

fn on_reply(app: &mut App, key: PollKey, reply: Reply, fx: &mut Vec<Effect>) {
    let throttled = matches!(reply.error(), Some(CloudError::Throttled(_)));
    app.schedule.finished(app.now, &key, throttled);
    if let Some(err) = reply.error() {
        on_error(app, &key, err);
        return;
    }
    if app.errors.remove(&key).is_some() {
        app.dirty = true;
    }
    match reply {
        Reply::Environments(Ok(list)) => {
            if app.envs.set(list) {
                app.dirty = true;
            }
            follow_status(app);
            if app
                .selected
                .as_ref()
                .is_none_or(|s| app.envs.get(s).is_none())
                && let Some(first) = app.envs.cursor.clone()
            {
                select(app, &first, fx);
            }
        }
        Reply::Events(Ok(events)) => {
            let PollKey::Events(name) = &key else { return };
            let t = app.timelines.entry(name.clone()).or_default();
            let added = t.add_events(events);
            if added > 0 || !t.loaded {
                app.dirty |= app.selected.as_deref() == Some(name);
            }
            follow_events(app, name);
        }
        Reply::StackEvents(Ok(events)) => {
            let PollKey::StackEvents(name) = &key else {
                return;
            };
            let added = app
                .timelines
                .entry(name.clone())
                .or_default()
                .add_stack_events(events);
            app.dirty |= added > 0 && app.selected.as_deref() == Some(name);
        }
        Reply::Health(Ok(snap)) => {
            let PollKey::Health(name) = &key else { return };
            for t in app
                .ops
                .iter_mut()
                .filter(|t| &t.env == name && t.is_active())
            {
                let target = app.envs.get(name).and_then(|e| e.version.clone());
                t.observe_instances(&snap.instances, target.as_deref());
            }
            if app.health.get(name) != Some(&snap) {
                app.health.insert(name.clone(), snap);
                app.dirty |= app.selected.as_deref() == Some(name);
            }
        }
        Reply::Versions(Ok(v)) => {
            let PollKey::Versions(a) = &key else { return };
            app.versions.insert(a.clone(), v);
            intents::versions_arrived(app, a);
            app.dirty = true;
        }
        Reply::History(Ok(h)) => {
            let PollKey::History(name) = &key else { return };
            app.history.insert(name.clone(), h);
            intents::history_arrived(app, name);
            app.dirty = true;
        }
        Reply::LogGroups(Ok(groups)) => {
            let PollKey::LogGroups(name) = &key else {
                return;
            };
            app.log_groups.insert(name.clone(), groups);
            if app.selected.as_deref() == Some(name) && app.tail_env.as_deref() != Some(name) {
                open_logs(app, fx);
            }
        }
        _ => {}
    }
}

fn on_error(app: &mut App, key: &PollKey, err: &CloudError) {
    // What waited on this read must not wait forever (nor pop up much later).
    match key {
        PollKey::History(n) if app.pending == Some(super::Pending::Rollback(n.clone())) => {
            app.pending = None;
        }
        PollKey::Versions(a) => {
            let loading_for = match (&app.modal, app.selected_env()) {
                (Some(Modal::Pick { loading: true, .. }), Some(e)) => e.env.app == *a,
                _ => false,
            };
            if loading_for {
                app.modal = None;
            }
        }
        PollKey::LogGroups(n) if app.selected.as_deref() == Some(n) => {
            app.logs.set_status(format!(
                "cannot list log groups: {} (retrying)",
                err.message()
            ));
            app.dirty = true;
        }
        _ => {}
    }
    let text = match err {
        CloudError::Throttled(_) => return, // the status line shows the back-off; no dialog
        other => other.message().to_string(),
    };
    let first = app.errors.insert(key.clone(), text.clone()).as_ref() != Some(&text);
    if first {
        let what = match key {
            PollKey::Environments => "environments".to_string(),
            PollKey::Events(n) => format!("events of {n}"),
            PollKey::StackEvents(n) => format!("stack events of {n}"),
            PollKey::Health(n) => format!("health of {n}"),
            PollKey::Versions(a) => format!("versions of {a}"),
            PollKey::History(n) => format!("deploy history of {n}"),
            PollKey::LogGroups(n) => format!("log groups of {n}"),
        };
        app.flash(Level::Error, format!("{what}: {text}"));
    }
}

/// Start following operations seen in the environment list, and settle the ones that ended.
fn follow_status(app: &mut App) {
    let now = app.now;
    for e in &app.envs.all {
        let active = app.ops.iter().any(|t| t.env == e.env.name && t.is_active());
        if !active && e.status.is_transitional() {
            let label = match e.status {
                crate::domain::EnvStatus::Launching => "Create",
                crate::domain::EnvStatus::Terminating => "Terminate",
                _ => "Update",
            };
            let mut t = Tracked::new(&e.env.name, label, Origin::Elsewhere, e.updated.min(now));
            t.accepted = true;
            t.seen_busy = true;
            if let Some(tl) = app.timelines.get(&e.env.name) {
                t.observe_events(&tl.eb_events());
            }
            app.ops.push(t);
            app.dirty = true;
        }
    }
    let names: Vec<String> = app
        .ops
        .iter()
        .filter(|t| t.is_active())
        .map(|t| t.env.clone())
        .collect();
    for name in names {
        settle(app, &name);
    }
}

fn follow_events(app: &mut App, name: &str) {
    let events = app
        .timelines
        .get(name)
        .map(|t| t.eb_events())
        .unwrap_or_default();
    for t in app
        .ops
        .iter_mut()
        .filter(|t| t.env == name && t.is_active())
    {
        t.observe_events(&events);
    }
    settle(app, name);
}

fn settle(app: &mut App, name: &str) {
    let Some(status) = app.envs.get(name).map(|e| e.status.clone()) else {
        return;
    };
    let events = app
        .timelines
        .get(name)
        .map(|t| t.eb_events())
        .unwrap_or_default();
    let key = PollKey::Events(name.to_string());
    // Only an events read that finished counts; one still in flight started before the answer.
    let read_at = if app.schedule.in_flight(&key) {
        None
    } else {
        app.schedule.started_at(&key)
    };
    let now = app.now;
    let mut ended = Vec::new();
    let mut need_events = false;
    for t in app
        .ops
        .iter_mut()
        .filter(|t| t.env == name && t.is_active() && t.accepted)
    {
        t.observe_status(&status, now);
        match read_at {
            Some(at) if t.settle(&events, at, now) => ended.push(t.summary(now)),
            _ => need_events |= t.settled_at.is_some(),
        }
    }
    if need_events {
        // The status settled: read the events once more to learn how it ended.
        app.schedule.expire(&key);
    }
    for s in ended {
        let level = if s.ends_with("succeeded") {
            Level::Info
        } else {
            Level::Warn
        };
        app.flash(level, format!("{name}: {s}"));
    }
    // Keep the last ended operation of this environment (its outcome stays on screen); drop
    // older ones. Only this environment's operations can have ended here.
    if let Some(last) = app
        .ops
        .iter()
        .rposition(|t| t.env == name && !t.is_active())
    {
        let mut i = 0;
        app.ops.retain(|t| {
            let keep = t.env != name || t.is_active() || i == last;
            i += 1;
            keep
        });
    }
}

fn on_op_done(app: &mut App, op_id: u64, result: Result<crate::cloud::OpAccepted, CloudError>) {
    let Some(t) = app
        .ops
        .iter_mut()
        .find(|t| t.origin == Origin::Ours { op_id })
    else {
        return;
    };
    let env = t.env.clone();
    match result {
        Ok(acc) => {
            t.accepted = true;
            t.request_id = acc.request_id;
            let label = t.label.clone();
            app.flash(
                Level::Info,
                format!("{label}: request accepted, following {env}"),
            );
            // Follow it fast from now on.
            for key in [
                PollKey::Environments,
                PollKey::Events(env.clone()),
                PollKey::Health(env.clone()),
            ] {
                app.schedule.expire(&key);
            }
        }
        Err(e) => {
            t.error = Some(e.message().to_string());
            t.ended = Some(app.now);
            let label = t.label.clone();
            app.flash(Level::Error, format!("{label} refused: {}", e.message()));
        }
    }
    app.dirty = true;
}

// ---------------------------------------------------------------------------------------------
// Logs

fn on_tail(app: &mut App, event: TailEvent) {
    match event {
        TailEvent::Events(lines) => {
            if !lines.is_empty() {
                app.logs.ingest(lines);
                app.dirty |= app.visible(Pane::Logs);
            }
        }
        TailEvent::Sampled => {
            app.logs.set_sampled();
            app.dirty = true;
        }
        TailEvent::Status(s) => {
            app.logs.set_status(s);
            app.dirty = true;
        }
    }
}

/// The groups a pane opens on: for a web environment the nginx error and access logs (where 502s
/// show first), otherwise the application's stdout and the deployment engine's log.
pub fn default_groups(groups: &[String], tier: Tier) -> Vec<String> {
    let pick = |suffixes: &[&str]| -> Vec<String> {
        groups
            .iter()
            .filter(|g| suffixes.iter().any(|s| g.ends_with(s)))
            .cloned()
            .collect()
    };
    let mut chosen = if tier == Tier::Web {
        pick(&["nginx/error.log", "nginx/access.log"])
    } else {
        Vec::new()
    };
    if chosen.is_empty() {
        chosen = pick(&["web.stdout.log", "eb-engine.log"]);
    }
    if chosen.is_empty() {
        chosen = groups.iter().take(2).cloned().collect();
    }
    chosen
}

fn open_logs(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(env) = app.selected_env().cloned() else {
        return;
    };
    let groups = app
        .log_groups
        .get(&env.env.name)
        .cloned()
        .unwrap_or_default();
    let chosen = default_groups(&groups, env.tier);
    app.logs
        .reset_for(&env.env.name, groups.clone(), chosen.clone());
    app.tail_env = Some(env.env.name.clone());
    app.dirty = true;
    if groups.is_empty() {
        fx.push(Effect::StopTail);
        app.logs.set_status(format!(
            "logs of {} are not streamed to CloudWatch: press {} (Logs pane) for Elastic Beanstalk tail logs",
            env.env.name,
            keys_label(app, Context::Logs, Action::Groups)
        ));
        return;
    }
    let start = app.now - app.settings.log_backfill_min * 60_000;
    start_tail(app, env.env.clone(), chosen, start, fx);
}

/// Push the current search down to the service, over the 6 hours before the oldest loaded line.
fn search_back(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(env) = app.selected_env().map(|e| e.env.clone()) else {
        return;
    };
    let Some(q) = app.logs.search().query() else {
        app.flash(
            Level::Warn,
            "search first (/), then F searches further back in CloudWatch",
        );
        return;
    };
    let text = q.text().to_string();
    let pattern = filter_pattern(&text, q.error().is_some());
    let groups = app.logs.chosen_groups();
    if groups.is_empty() {
        return;
    }
    let buf = app.logs.buffer();
    let end = buf.get(buf.first_seq()).map_or(app.now, |l| l.ts);
    let start = end - 6 * 3_600_000;
    let all = app.log_groups.get(&env.name).cloned().unwrap_or_default();
    app.logs.reset_for(&env.name, all, groups.clone());
    app.logs.set_query(&text);
    app.logs.set_status(format!(
        "CloudWatch search {pattern} over the 6h before the buffer · Esc returns to live"
    ));
    app.searching_back = true;
    app.tail += 1;
    fx.push(Effect::SearchLogs {
        tail: app.tail,
        search: crate::cloud::LogSearch {
            env,
            groups,
            pattern,
            start,
            end,
        },
    });
}

/// A CloudWatch Logs filter pattern for a query: a quoted phrase when it is plain text (or an
/// invalid regex, searched literally), else `%regex%`.
pub fn filter_pattern(query: &str, literal: bool) -> String {
    let plain = !query.chars().any(|c| "\\.^$|?*+()[]{}%\"".contains(c));
    if plain || literal && !query.contains('"') {
        format!("\"{query}\"")
    } else if literal {
        format!("%{}%", regex::escape(query))
    } else {
        format!("%{query}%")
    }
}

fn start_tail(
    app: &mut App,
    env: EnvRef,
    groups: Vec<String>,
    start: Millis,
    fx: &mut Vec<Effect>,
) {
    app.searching_back = false;
    app.tail += 1;
    fx.push(Effect::Tail {
        tail: app.tail,
        target: LogTarget { env, groups, start },
    });
}

fn keys_label(app: &App, ctx: Context, action: Action) -> String {
    app.keymap
        .keys_for(ctx, action)
        .first()
        .map(|k| k.to_string())
        .unwrap_or_else(|| action.id().to_string())
}

// ---------------------------------------------------------------------------------------------
// Selection

fn select(app: &mut App, name: &str, fx: &mut Vec<Effect>) {
    if app.selected.as_deref() == Some(name) || app.envs.get(name).is_none() {
        return;
    }
    app.selected = Some(name.to_string());
    app.envs.cursor = Some(name.to_string());
    app.health_cursor = 0;
    app.timelines.entry(name.to_string()).or_default();
    app.dirty = true;
    for key in [
        PollKey::Events(name.into()),
        PollKey::StackEvents(name.into()),
        PollKey::Health(name.into()),
        PollKey::History(name.into()),
    ] {
        force(app, key, fx);
    }
    // Logs follow the selection: stop the old tail now, open the new one once its groups are known.
    fx.push(Effect::StopTail);
    app.tail += 1;
    app.tail_env = None;
    if app.log_groups.contains_key(name) {
        open_logs(app, fx);
    } else {
        app.logs.reset_for(name, Vec::new(), Vec::new());
        app.logs
            .set_status(format!("finding the log groups of {name}..."));
        force(app, PollKey::LogGroups(name.into()), fx);
    }
}

// ---------------------------------------------------------------------------------------------
// Keys

fn on_paste(app: &mut App, text: &str) {
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    let input = match &mut app.modal {
        Some(Modal::Command(i)) => Some(i),
        Some(Modal::Confirm {
            typed: Some((_, i)),
            ..
        }) => Some(i),
        _ if app.envs.editing => Some(&mut app.envs.filter),
        _ => None,
    };
    if let Some(i) = input {
        for c in text.chars() {
            i.handle(tui_input::InputRequest::InsertChar(c));
        }
        app.envs.refilter();
        app.dirty = true;
    } else if app.logs.is_searching() {
        app.logs.search_paste(&text);
        app.dirty = true;
    }
}

fn on_key(app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) {
    if k.kind == KeyEventKind::Release {
        return;
    }
    // Ctrl-C quits from anywhere, even while typing or in a dialog.
    if k.modifiers
        .contains(crossterm::event::KeyModifiers::CONTROL)
        && app.keymap.lookup(Context::Global, Key::from_event(&k)) == Some(Action::Quit)
    {
        app.quit = true;
        fx.push(Effect::Quit);
        return;
    }
    if text_input(app, k, fx) {
        app.dirty = true;
        return;
    }
    let key = Key::from_event(&k);
    let ctx = app.key_context();
    // '?' closes help as it opened it.
    if matches!(app.modal, Some(Modal::Help { .. }))
        && app.keymap.lookup(Context::Global, key) == Some(Action::Help)
    {
        app.modal = None;
        app.dirty = true;
        return;
    }
    let Some(action) = app.keymap.lookup(ctx, key) else {
        return;
    };
    app.dirty = true;
    if ctx == Context::Modal {
        modal_action(app, action, fx);
    } else {
        pane_action(app, action, fx);
    }
}

/// Keys typed into an input (a filter, a search, the command line, a typed confirmation).
/// Returns whether the key was consumed.
fn text_input(app: &mut App, k: KeyEvent, fx: &mut Vec<Effect>) -> bool {
    let ev = Event::Key(k);
    match &mut app.modal {
        Some(Modal::Command(input)) => {
            match k.code {
                KeyCode::Enter => {
                    let line = input.value().trim().to_string();
                    app.modal = None;
                    run_command(app, &line, fx);
                }
                KeyCode::Esc => app.modal = None,
                _ => {
                    if let Some(r) = to_input_request(&ev) {
                        input.handle(r);
                    }
                }
            }
            return true;
        }
        Some(Modal::Confirm {
            typed: Some((_, input)),
            ..
        }) if !matches!(k.code, KeyCode::Enter | KeyCode::Esc) => {
            if let Some(r) = to_input_request(&ev) {
                input.handle(r);
            }
            return true;
        }
        _ => {}
    }
    if app.modal.is_none() && app.envs.editing {
        match k.code {
            KeyCode::Enter => {
                // The write keys act on the selection: make it the row the filter left in view.
                app.envs.editing = false;
                app.envs.refilter();
                if let Some(name) = app.envs.cursor.clone() {
                    select(app, &name, fx);
                }
                return true;
            }
            KeyCode::Esc => {
                app.envs.editing = false;
                app.envs.filter.reset();
            }
            _ => {
                if let Some(r) = to_input_request(&ev) {
                    app.envs.filter.handle(r);
                }
            }
        }
        app.envs.refilter();
        return true;
    }
    if app.modal.is_none() && app.logs.is_searching() {
        app.logs.search_key(k);
        return true;
    }
    false
}

fn run_command(app: &mut App, line: &str, fx: &mut Vec<Effect>) {
    let mut words = line.split_whitespace();
    let cmd = words.next().unwrap_or("");
    let arg = words.next();
    match (cmd, arg) {
        ("q" | "quit" | "q!", _) => {
            app.quit = true;
            fx.push(Effect::Quit);
        }
        ("env" | "e", Some(name)) => {
            if app.envs.get(name).is_some() {
                app.envs.filter.reset();
                select(app, name, fx);
            } else {
                app.flash(Level::Warn, format!("no environment named {name}"));
            }
        }
        ("profile", Some(p)) => fx.push(Effect::SwitchContext {
            profile: Some(p.to_string()),
            region: None,
        }),
        ("region", Some(r)) => fx.push(Effect::SwitchContext {
            profile: None,
            region: Some(r.to_string()),
        }),
        ("help", _) => app.modal = Some(Modal::Help { scroll: 0 }),
        ("", _) => {}
        ("env" | "e" | "profile" | "region", None) => {
            app.flash(Level::Warn, format!(":{cmd} needs a name"))
        }
        _ => app.flash(
            Level::Warn,
            format!("unknown command :{cmd} (try :env NAME, :profile NAME, :region NAME, :q)"),
        ),
    }
}

fn modal_action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let Some(modal) = app.modal.take() else {
        return;
    };
    match (modal, action) {
        (Modal::Help { .. }, Action::Cancel | Action::Confirm) => {}
        (Modal::Help { scroll }, Action::Down | Action::PageDown) => {
            app.modal = Some(Modal::Help {
                scroll: scroll
                    .saturating_add(if action == Action::Down { 1 } else { 10 })
                    .min(app.keymap.help().len() as u16 + 8),
            })
        }
        (Modal::Help { scroll }, Action::Up | Action::PageUp) => {
            app.modal = Some(Modal::Help {
                scroll: scroll.saturating_sub(if action == Action::Up { 1 } else { 10 }),
            })
        }
        (m @ Modal::Confirm { .. }, Action::Confirm) => {
            if !m.confirm_ready() {
                if matches!(m, Modal::Confirm { seen: true, .. }) {
                    app.flash(Level::Warn, "type the environment name exactly to confirm");
                }
                app.modal = Some(m);
                return;
            }
            if let Modal::Confirm { op, .. } = m {
                execute(app, op, fx);
            }
        }
        (
            Modal::Pick {
                purpose,
                items,
                cursor,
                ..
            },
            Action::Confirm | Action::Select,
        ) if !items.is_empty() => {
            let value = items[cursor.min(items.len() - 1)].value.clone();
            intents::picked(app, purpose, value);
        }
        (
            Modal::Pick {
                title,
                purpose,
                items,
                cursor,
                loading,
            },
            a @ (Action::Up | Action::Down | Action::PageUp | Action::PageDown),
        ) => {
            let delta: isize = match a {
                Action::Up => -1,
                Action::Down => 1,
                Action::PageUp => -10,
                _ => 10,
            };
            let cursor =
                (cursor as isize + delta).clamp(0, items.len().saturating_sub(1) as isize) as usize;
            app.modal = Some(Modal::Pick {
                title,
                purpose,
                items,
                cursor,
                loading,
            });
        }
        (Modal::LogGroups, Action::Confirm) => {
            if let Some(env) = app.selected_env().map(|e| e.env.clone()) {
                let groups = app.logs.chosen_groups();
                if !groups.is_empty() {
                    app.logs.reset_for(
                        &env.name,
                        app.log_groups.get(&env.name).cloned().unwrap_or_default(),
                        groups.clone(),
                    );
                    let start = app.now - app.settings.log_backfill_min * 60_000;
                    start_tail(app, env, groups, start, fx);
                }
            }
        }
        (Modal::LogGroups, Action::Select) => {
            app.logs.picker_toggle();
            app.modal = Some(Modal::LogGroups);
        }
        (Modal::LogGroups, Action::Up) => {
            app.logs.picker_move(-1);
            app.modal = Some(Modal::LogGroups);
        }
        (Modal::LogGroups, Action::Down) => {
            app.logs.picker_move(1);
            app.modal = Some(Modal::LogGroups);
        }
        (_, Action::Cancel) => {}
        // Any other key leaves the dialog as it was.
        (m, _) => app.modal = Some(m),
    }
}

/// The confirmed write: follow it, and ask the runtime to carry it out.
fn execute(app: &mut App, op: Op, fx: &mut Vec<Effect>) {
    if app.settings.read_only {
        // Unreachable through the keys (intents refuse first); kept so no path can write.
        app.flash(Level::Warn, "read-only mode: refused");
        return;
    }
    let op_id = app.next_op_id;
    app.next_op_id += 1;
    let label = match &op {
        Op::Deploy { version, .. } => format!("Deploy {version}"),
        Op::Rollback {
            via: RollbackVia::Deploy { version },
            ..
        } => format!("Roll back to {version}"),
        Op::Rollback {
            via: RollbackVia::Abort,
            ..
        } => "Roll back (abort)".to_string(),
        Op::Rebuild { .. } => "Rebuild".to_string(),
        Op::Abort { .. } => "Abort update".to_string(),
        Op::RestartAppServer { .. } => "Restart app servers".to_string(),
        Op::SwapCnames { b, .. } => format!("Swap CNAMEs with {}", b.name),
    };
    let env = op.env().name.clone();
    // An operation replaces any detected one still running on the same environment.
    app.ops
        .retain(|t| !(t.env == env && t.origin == Origin::Elsewhere && t.is_active()));
    app.ops
        .push(Tracked::new(&env, &label, Origin::Ours { op_id }, app.now));
    app.flash(Level::Info, format!("{label} on {env}: request sent"));
    fx.push(Effect::Execute { op_id, op });
}

fn pane_action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::Quit => {
            app.quit = true;
            fx.push(Effect::Quit);
        }
        Action::Help => app.modal = Some(Modal::Help { scroll: 0 }),
        Action::FocusNext | Action::FocusPrev => {
            let i = Pane::ALL.iter().position(|p| *p == app.focus).unwrap_or(0);
            let n = Pane::ALL.len();
            app.focus = Pane::ALL[if action == Action::FocusNext {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            }];
        }
        Action::FocusEnvs => app.focus = Pane::Envs,
        Action::FocusTimeline => app.focus = Pane::Timeline,
        Action::FocusHealth => app.focus = Pane::Health,
        Action::FocusLogs => app.focus = Pane::Logs,
        Action::Zoom => app.zoom = !app.zoom,
        Action::Command => app.modal = Some(Modal::Command(Default::default())),
        Action::Deploy
        | Action::Rollback
        | Action::Rebuild
        | Action::Abort
        | Action::Restart
        | Action::Swap => {
            fx.extend(intents::start(app, action));
        }
        _ => match app.focus {
            Pane::Envs => envs_action(app, action, fx),
            Pane::Timeline => timeline_action(app, action),
            Pane::Health => health_action(app, action),
            Pane::Logs => logs_action(app, action, fx),
        },
    }
}

fn envs_action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    match action {
        Action::Up => app.envs.move_by(-1),
        Action::Down => app.envs.move_by(1),
        Action::PageUp => app.envs.move_by(-10),
        Action::PageDown => app.envs.move_by(10),
        Action::Top => app.envs.move_to(false),
        Action::Bottom => app.envs.move_to(true),
        Action::Select => {
            if let Some(name) = app.envs.cursor.clone() {
                select(app, &name, fx);
            }
        }
        Action::Search => app.envs.editing = true,
        Action::Cancel => {
            if app.zoom {
                app.zoom = false;
            } else {
                app.envs.filter.reset();
                app.envs.refilter();
            }
        }
        _ => {}
    }
}

fn timeline_action(app: &mut App, action: Action) {
    let Some(t) = app.selected.as_ref().and_then(|s| app.timelines.get_mut(s)) else {
        return;
    };
    match action {
        Action::Up => t.scroll(-1),
        Action::Down => t.scroll(1),
        Action::PageUp => t.scroll(-10),
        Action::PageDown => t.scroll(10),
        Action::Top => t.to_top(),
        Action::Bottom => t.to_bottom(),
        Action::Follow => t.toggle_follow(),
        Action::Cancel => {
            t.to_bottom();
            app.zoom = false;
        }
        _ => {}
    }
}

fn health_action(app: &mut App, action: Action) {
    let n = app
        .selected
        .as_ref()
        .and_then(|s| app.health.get(s))
        .map_or(0, |h| h.instances.len());
    let max = n.saturating_sub(1);
    app.health_cursor = match action {
        Action::Up => app.health_cursor.saturating_sub(1),
        Action::Down => (app.health_cursor + 1).min(max),
        Action::PageUp => app.health_cursor.saturating_sub(10),
        Action::PageDown => (app.health_cursor + 10).min(max),
        Action::Top => 0,
        Action::Bottom => max,
        Action::Cancel => {
            app.zoom = false;
            app.health_cursor
        }
        _ => app.health_cursor,
    };
}

fn logs_action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let l = &mut app.logs;
    match action {
        Action::Up => l.scroll_up(1),
        Action::Down => l.scroll_down(1),
        Action::PageUp => l.page_up(),
        Action::PageDown => l.page_down(),
        Action::Top => l.top(),
        Action::Bottom => l.bottom(),
        Action::Follow => l.toggle_follow(),
        Action::Search => l.begin_search(),
        Action::NextHit => l.next_hit(),
        Action::PrevHit => l.prev_hit(),
        Action::FilterMatches => l.toggle_filter(),
        Action::ContextMore => l.context_more(),
        Action::ContextLess => l.context_less(),
        Action::Preset5xx => l.preset_5xx(),
        Action::Pause => l.toggle_pause(),
        Action::Wrap => l.toggle_wrap(),
        Action::Timestamps => l.toggle_timestamps(),
        Action::Instances => l.toggle_instance(),
        Action::Cancel => {
            if app.searching_back {
                // Stop the search (if running) and return to the live tail.
                fx.push(Effect::StopTail);
                open_logs(app, fx);
                return;
            }
            if app.zoom && l.is_following() {
                app.zoom = false;
            }
            app.logs.escape();
        }
        Action::SearchBack => search_back(app, fx),
        Action::Groups => {
            let Some(env) = app.selected_env().map(|e| e.env.clone()) else {
                return;
            };
            if app.log_groups.get(&env.name).is_some_and(|g| !g.is_empty()) {
                app.logs.open_group_picker();
                app.modal = Some(Modal::LogGroups);
            } else {
                app.tail += 1;
                app.logs.set_status(format!(
                    "requesting Elastic Beanstalk tail logs of {}...",
                    env.name
                ));
                fx.push(Effect::EbTail {
                    tail: app.tail,
                    env,
                });
            }
        }
        Action::Save => {
            let lines = app.logs.visible_text();
            let env = app.selected.clone().unwrap_or_else(|| "logs".into());
            let path = format!("ebtui-{}-{}.log", env, app.now / 1000);
            fx.push(Effect::SaveFile {
                path,
                contents: lines.join("\n") + "\n",
            });
        }
        Action::Copy => match app.logs.selected_text() {
            Some(t) => {
                fx.push(Effect::Copy(t));
                app.flash(Level::Info, "copied the selected line");
            }
            None => app.flash(Level::Warn, "no line selected"),
        },
        Action::Back1m | Action::Back5m | Action::Back15m | Action::Back1h | Action::Back6h => {
            let minutes = match action {
                Action::Back1m => 1,
                Action::Back5m => 5,
                Action::Back15m => 15,
                Action::Back1h => 60,
                _ => 360,
            };
            let Some(env) = app.selected_env().map(|e| e.env.clone()) else {
                return;
            };
            let groups = app.logs.chosen_groups();
            if groups.is_empty() {
                return;
            }
            // Re-open from further back: lines already loaded arrive again and are de-duplicated by
            // id, so nothing is lost and the buffer stays in time order.
            app.logs.reset_for(
                &env.name,
                app.log_groups.get(&env.name).cloned().unwrap_or_default(),
                groups.clone(),
            );
            app.flash(
                Level::Info,
                format!(
                    "loading the last {}",
                    if minutes >= 60 {
                        format!("{}h", minutes / 60)
                    } else {
                        format!("{minutes}m")
                    }
                ),
            );
            start_tail(app, env, groups, app.now - minutes * 60_000, fx);
        }
        _ => {}
    }
}
