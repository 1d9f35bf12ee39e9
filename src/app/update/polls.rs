//! Reading the account: on each tick the schedule says what is due, `request_for` builds the
//! request with its cursor, and `on_reply` files the answer where it belongs.

use super::super::intents;
use super::super::modal::{Modal, PickPurpose};
use super::super::ops::Origin;
use super::super::schedule::{Finish, Inputs};
use super::super::{App, Effect, Level, Pane, Pending};
use super::{logs, notify, ops, select};
use crate::cloud::{Answer, CloudError, PollKey, Reply, Request};
use crate::domain::{EnvEvent, EnvStatus, Environment};

/// The account-wide events stream re-reads this much before the newest event it saw: events can
/// become visible late. The timelines drop what they already hold.
const EVENTS_OVERLAP: crate::domain::Millis = 60_000;

/// An operation the events show started, with no end yet and an event this recent, makes the
/// account busy (fast reads) until it ends or goes quiet.
const OPEN_OPERATION_FRESH: crate::domain::Millis = 10 * 60_000;

/// Lines a log search rescans per tick, so typing never stalls.
const SEARCH_SLICE: usize = crate::logs::SCAN_BUDGET;

pub(super) fn on_tick(app: &mut App, fx: &mut Vec<Effect>) {
    if app.view.flash.as_ref().is_some_and(|f| app.now >= f.until) {
        app.view.flash = None;
        app.view.dirty = true;
    }
    let minute = app.now / 60_000;
    if minute != app.view.shown_minute {
        app.view.shown_minute = minute;
        app.view.dirty = true;
    }
    if app.logs.pane.tick(SEARCH_SLICE) {
        app.view.dirty = true;
    }
    logs::resume_if_due(app, fx);
    poll_due(app, fx);
}

/// Emit every poll the schedule says is due.
pub(super) fn poll_due(app: &mut App, fx: &mut Vec<Effect>) {
    let inputs = schedule_inputs(app);
    let due = app.account.schedule.due(app.now, &inputs);
    for key in due {
        match request_for(app, &key) {
            Some(r) => fx.push(Effect::Poll(r)),
            // The environment is gone: nothing to ask.
            None => app.account.schedule.finished(app.now, &key, Finish::Ok),
        }
    }
    // The open Config view is read again once a configuration change on its environment ended
    // (`ops::settle` expires its read), so the meter shows what Elastic Beanstalk now holds.
    if let Some(Modal::Config(v)) = &app.view.modal {
        let key = PollKey::Config(v.env.clone());
        let sched = &app.account.schedule;
        if sched.started_at(&key).is_none() && !sched.in_flight(&key) {
            force(app, key, fx);
        }
    }
}

/// Ask for a read now (a selection, an accepted operation, a dialog that needs data), unless it is
/// in flight or backing off.
pub(in crate::app) fn force(app: &mut App, key: PollKey, fx: &mut Vec<Effect>) {
    if let Some(r) = request_for(app, &key)
        && app.account.schedule.force(app.now, key)
    {
        fx.push(Effect::Poll(r));
    }
}

pub(in crate::app) fn schedule_inputs(app: &App) -> Inputs {
    let acc = &app.account;
    let tracked_envs = acc.active_op_envs();
    // Busy: an environment is changing, one of our operations is in flight, or the events show an
    // operation started that has not ended (they often arrive before the list says Updating).
    let busy = acc.envs.all.iter().any(|e| e.status.is_transitional())
        || acc
            .ops
            .iter()
            .any(|t| t.is_active() && matches!(t.origin, Origin::Ours { .. }))
        || acc.envs.all.iter().any(|e| {
            acc.ledger
                .last(&acc.envs.key_of(e))
                .is_some_and(|o| o.told.is_none() && app.now - o.last < OPEN_OPERATION_FRESH)
        });
    let versions_app = match &app.view.modal {
        Some(Modal::Pick {
            purpose: PickPurpose::DeployVersion { .. },
            ..
        }) => acc.selected_env().map(|e| e.env.app.clone()),
        _ => None,
    };
    // An environment reopened from the journal is not read from AWS: it is gone.
    let shown = acc.selected_env().filter(|e| !acc.journal.is_gone(e));
    let timeline = acc.selected.as_ref().and_then(|s| acc.timelines.get(s));
    Inputs {
        shown_env: shown.map(|e| acc.envs.key_of(e)),
        shown_busy: shown.is_some_and(|e| {
            e.status.is_transitional() || tracked_envs.contains(&acc.envs.key_of(e))
        }),
        stack_active: shown.is_some_and(cloudformation_may_act),
        history_unread: timeline.is_none_or(|t| !t.history_read),
        stack_unread: timeline.is_none_or(|t| !t.stack_read),
        tracked_envs,
        busy,
        timeline_visible: app.visible(Pane::Timeline),
        health_visible: app.visible(Pane::Health),
        versions_app,
        log_groups_unknown: shown
            .is_some_and(|e| !acc.log_groups.contains_key(&acc.envs.key_of(e))),
        log_groups_empty: acc
            .selected
            .as_ref()
            .and_then(|s| acc.log_groups.get(s))
            .is_some_and(|g| g.is_empty()),
    }
}

/// Whether CloudFormation can be acting on an environment now: it launches or terminates, or an
/// update runs with a deployment policy that builds a temporary stack (immutable, traffic
/// splitting); a configuration update cannot be told from a deploy by the list alone, so an
/// update of an environment whose policy is not known yet counts too.
fn cloudformation_may_act(e: &Environment) -> bool {
    match e.status {
        EnvStatus::Launching | EnvStatus::Terminating => true,
        EnvStatus::Updating => e
            .deployment_policy
            .as_deref()
            .is_none_or(|p| matches!(p, "Immutable" | "TrafficSplitting")),
        _ => false,
    }
}

/// The request for a poll key, with its cursor. None when the environment is gone.
fn request_for(app: &App, key: &PollKey) -> Option<Request> {
    let acc = &app.account;
    let env = |name: &str| acc.envs.get(name).map(|e| e.env.clone());
    Some(match key {
        PollKey::Environments => Request::Environments,
        PollKey::AccountEvents => Request::AccountEvents {
            since: acc.events_cursor.map(|c| c - EVENTS_OVERLAP),
        },
        // The environment's own read is for its older history: no cursor (the account stream
        // brings what is new).
        PollKey::Events(n) => Request::Events {
            env: env(n)?,
            since: None,
        },
        PollKey::OlderEvents(n) => Request::OlderEvents {
            env: env(n)?,
            before: acc
                .timelines
                .get(n)
                .and_then(|t| t.oldest_event())
                .unwrap_or(app.now),
        },
        PollKey::StackEvents(n) => Request::StackEvents {
            env: env(n)?,
            since: acc.timelines.get(n).and_then(|t| t.stack_since),
        },
        PollKey::Health(n) => Request::Health { env: env(n)? },
        PollKey::History(n) => Request::History { env: env(n)? },
        PollKey::LogGroups(n) => Request::LogGroups { env: env(n)? },
        PollKey::Config(n) => Request::Config { env: env(n)? },
        PollKey::LogGroupSizes(n) => Request::LogGroupSizes { env: env(n)? },
        PollKey::Versions(a) => Request::Versions { app: a.clone() },
    })
}

pub(super) fn on_reply(app: &mut App, reply: Reply, fx: &mut Vec<Effect>) {
    let key = reply.request.key();
    let how = match reply.error() {
        None => Finish::Ok,
        Some(CloudError::Throttled(_)) => Finish::Throttled,
        Some(CloudError::Auth(m)) if is_denied(m) => Finish::Denied,
        Some(CloudError::Network(_) | CloudError::Auth(_) | CloudError::AnswerLost(_)) => {
            Finish::Unreachable
        }
        Some(_) => Finish::Failed,
    };
    app.account.schedule.finished(app.now, &key, how);
    app.account.calls.read(app.now, key.action());
    let answer = match reply.result {
        Ok(answer) => answer,
        Err(err) => {
            note_trouble(app, &err);
            return on_error(app, &key, &err);
        }
    };
    if app.account.trouble.take().is_some() {
        app.view.dirty = true;
    }
    if app.account.errors.remove(&key).is_some() {
        app.view.dirty = true;
    }
    file_answer(app, reply.request, answer, fx);
}

/// File a read's answer where it belongs: one arm per read.
fn file_answer(app: &mut App, request: Request, answer: Answer, fx: &mut Vec<Effect>) {
    match (request, answer) {
        (Request::Environments, Answer::Environments(list)) => on_environments(app, list, fx),
        (Request::AccountEvents { .. }, Answer::Events(events)) => {
            on_account_events(app, events, fx)
        }
        (Request::Events { env, .. }, Answer::Events(events)) => {
            let k = app.account.envs.key_for_ref(&env);
            let t = app.account.timelines.entry(k.clone()).or_default();
            t.history_read = true;
            let added = t.add_events(events);
            if added > 0 || !t.loaded {
                app.view.dirty |= is_shown(app, &k);
            }
            refresh_ledger(app, &k);
            ops::follow_events(app, &k);
        }
        (Request::OlderEvents { env, .. }, Answer::Events(events)) => {
            let k = app.account.envs.key_for_ref(&env);
            let t = app.account.timelines.entry(k.clone()).or_default();
            let added = t.add_events(events);
            if added == 0 {
                t.older_exhausted = true;
                app.flash(Level::Info, format!("no older events of {k}"));
            }
            refresh_ledger(app, &k);
            app.view.dirty = true;
        }
        (Request::StackEvents { env, .. }, Answer::StackEvents(events)) => {
            let k = app.account.envs.key_for_ref(&env);
            let t = app.account.timelines.entry(k.clone()).or_default();
            t.stack_read = true;
            let added = t.add_stack_events(events);
            app.view.dirty |= added > 0 && is_shown(app, &k);
        }
        (Request::Health { env }, Answer::Health(snap)) => {
            let k = app.account.envs.key_for_ref(&env);
            ops::observe_health(app, &k, &snap);
            if app.account.health.get(&k) != Some(&snap) {
                app.account.health.insert(k.clone(), snap);
                app.view.dirty |= is_shown(app, &k);
            }
        }
        (Request::Config { env }, Answer::Config(c)) => {
            let k = app.account.envs.key_for_ref(&env);
            app.account.configs.insert(k, c);
            app.view.dirty = true;
        }
        (Request::Versions { app: name }, Answer::Versions(v)) => {
            app.account.versions.insert(name.clone(), v);
            intents::versions_arrived(app, &name);
            app.view.dirty = true;
        }
        (Request::History { env }, Answer::History(h)) => {
            let k = app.account.envs.key_for_ref(&env);
            app.account.history.insert(k.clone(), h);
            intents::history_arrived(app, &k);
            app.view.dirty = true;
        }
        (Request::LogGroups { env }, Answer::LogGroups(groups)) => {
            let k = app.account.envs.key_for_ref(&env);
            let before = app.account.log_groups.insert(k.clone(), groups.clone());
            // Streaming turned on while ebtui runs: open the logs that now exist.
            let appeared = before.is_some_and(|b| b.is_empty()) && !groups.is_empty();
            if is_shown(app, &k) && (app.logs.env() != Some(k.as_str()) || appeared) {
                logs::open_logs(app, fx);
            }
        }
        (Request::LogGroupSizes { env }, Answer::LogGroupSizes(sizes)) => {
            let k = app.account.envs.key_for_ref(&env);
            super::insights::on_group_sizes(app, &k, Ok(sizes));
        }
        (request, answer) => {
            // `cloud::answer` pairs them; a mismatch is a bug, not a reason to stop.
            tracing::error!(?request, ?answer, "answer does not match its request");
        }
    }
}

/// Events of the whole account: each to its environment's timeline, then the ledger and the
/// operations followed on each environment.
fn on_account_events(app: &mut App, events: Vec<EnvEvent>, fx: &mut Vec<Effect>) {
    // The first read after a start from the journal tells of operations that ended while
    // ebtui was not running: shown, not announced.
    let first_read =
        app.account.events_cursor.is_none() | std::mem::take(&mut app.account.journal.catching_up);
    if let Some(newest) = events.iter().map(|e| e.ts).max() {
        let c = &mut app.account.events_cursor;
        *c = Some(c.map_or(newest, |c| c.max(newest)));
    }
    // Events carry a name only: each goes to the environment of that name alive at its time.
    let mut by_env: Vec<(String, Vec<EnvEvent>)> = Vec::new();
    for e in events {
        // Application events (a version created or processed) name no environment: they are
        // no environment's operation, and the ship that made the version follows it itself.
        if e.env.is_empty() {
            continue;
        }
        let k = app.account.envs.key_for_event(&e.env, e.ts);
        match by_env.iter_mut().find(|(n, _)| *n == k) {
            Some((_, v)) => v.push(e),
            None => by_env.push((k, vec![e])),
        }
    }
    for (name, evs) in by_env {
        let added = app
            .account
            .timelines
            .entry(name.clone())
            .or_default()
            .add_events(evs);
        if added > 0 {
            app.view.dirty = true;
            let before = notify::ended_ids(app, &name);
            refresh_ledger(app, &name);
            notify::ops_ended(app, &name, &before, first_read, fx);
        }
    }
    // Every followed operation learns that a read finished, with or without new events.
    let followed = app.account.active_op_envs();
    for name in followed {
        ops::follow_events(app, &name);
    }
}

pub(super) fn refresh_ledger(app: &mut App, name: &str) {
    let events = app
        .account
        .timelines
        .get(name)
        .map(|t| t.eb_events())
        .unwrap_or_default();
    app.account.ledger.refresh(name, &events);
}

/// A read failed in a way that concerns every read (no network, credentials gone): the header
/// says so until a read succeeds.
fn note_trouble(app: &mut App, err: &CloudError) {
    let what = match err {
        CloudError::Network(_) => "AWS unreachable",
        CloudError::Auth(m) if super::sso::is_sso_expired(m) => super::sso::SSO_EXPIRED,
        CloudError::Auth(m) if !is_denied(m) => "credentials not working",
        _ => return,
    };
    if app.account.trouble.as_ref().is_none_or(|(_, w)| w != what) {
        app.account.trouble = Some((app.now, what.to_string()));
        app.view.dirty = true;
    }
}

/// AccessDenied, as the cloud words it: that action is not allowed for these credentials.
fn is_denied(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("not authorized") || m.contains("accessdenied") || m.contains("access denied")
}

fn is_shown(app: &App, env: &str) -> bool {
    app.account.selected.as_deref() == Some(env)
}

fn on_environments(app: &mut App, mut list: Vec<crate::domain::Environment>, fx: &mut Vec<Effect>) {
    super::journal::live(app);
    // Environments reopened from the journal stay beside those AWS lists.
    for g in &app.account.journal.gone {
        if !list.iter().any(|e| e.env.id == g.env.id) {
            list.push(g.clone());
        }
    }
    let before: Vec<(String, Option<crate::domain::HealthStatus>)> = app
        .account
        .envs
        .all
        .iter()
        .map(|e| (e.env.name.clone(), e.health_status.clone()))
        .collect();
    notify::health_turned(app, &before, &list, fx);
    if app.account.envs.set(list) {
        app.view.dirty = true;
    }
    ops::follow_status(app);
    let acc = &app.account;
    if acc
        .selected
        .as_ref()
        .is_none_or(|s| acc.envs.get(s).is_none())
        && let Some(first) = acc.envs.cursor.clone()
    {
        select::select(app, &first, fx);
    }
}

fn on_error(app: &mut App, key: &PollKey, err: &CloudError) {
    // What waited on this read must not wait forever (nor pop up much later).
    match key {
        PollKey::History(n) if app.account.pending == Some(Pending::Rollback(n.clone())) => {
            app.account.pending = None;
        }
        PollKey::Versions(a) => {
            let loading_for = match (&app.view.modal, app.selected_env()) {
                (Some(Modal::Pick { loading: true, .. }), Some(e)) => e.env.app == *a,
                _ => false,
            };
            if loading_for {
                app.view.modal = None;
            }
        }
        PollKey::LogGroupSizes(n) => {
            super::insights::on_group_sizes(app, n, Err(err.message().to_string()))
        }
        PollKey::LogGroups(n) if is_shown(app, n) => {
            app.logs.pane.set_status(format!(
                "cannot list log groups: {} (retrying)",
                err.message()
            ));
            app.view.dirty = true;
        }
        _ => {}
    }
    let text = match err {
        CloudError::Throttled(_) => return, // the status line shows the back-off; no dialog
        other => other.message().to_string(),
    };
    let text = match err {
        CloudError::Auth(m) if is_denied(m) => {
            format!(
                "no permission: {} (asked again every few minutes) · {m}",
                key.action()
            )
        }
        _ => text,
    };
    let first = app
        .account
        .errors
        .insert(key.clone(), text.clone())
        .as_ref()
        != Some(&text);
    if first {
        app.flash(Level::Error, format!("{}: {text}", key.describe()));
    }
}
