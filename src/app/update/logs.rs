//! The log stream: open it for the selected environment, restart it from a time with chosen
//! groups (`restart_tail`, the one way to do that), push a search down to CloudWatch (`F`; `I`
//! for days with Logs Insights is `insights.rs`), fetch Elastic Beanstalk's tail logs, and the
//! logs pane's keys.

use super::super::keymap::{Action, Context};
use super::super::log_session::Stream;
use super::super::modal::Modal;
use super::super::{App, Effect, Level, Pane};
use crate::cloud::{LogSearch, LogTarget, TailEvent};
use crate::domain::{Millis, Tier};

/// What a stream sent, if it is the stream running now.
pub(super) fn on_tail(app: &mut App, tail: u64, event: TailEvent) {
    if !app.logs.is_current(tail) {
        return;
    }
    let event = match event {
        TailEvent::Events(lines) => {
            app.logs.count_received(lines.len());
            TailEvent::Events(lines)
        }
        // A stream's status can carry AWS's words (a reason it fell back): inert, one line.
        TailEvent::Status(s) => TailEvent::Status(one_line(&s)),
        other => other,
    };
    let changed = app.logs.pane.apply_tail_event(event);
    app.view.dirty |= changed && app.visible(Pane::Logs);
}

/// The running stream ended: say how, in the pane's words.
pub(super) fn on_tail_ended(app: &mut App, tail: u64, error: Option<String>) {
    if !app.logs.is_current(tail) {
        return;
    }
    let error = error.map(|e| one_line(&e));
    let status = match (error, app.logs.stream()) {
        (Some(e), Stream::Live) => {
            app.logs.failed(app.now);
            app.flash(Level::Error, format!("logs: {e}"));
            format!(
                "log stream stopped: {e} · trying again in {}s",
                super::super::log_session::RESUME_AFTER / 1000
            )
        }
        (Some(e), Stream::Insights) => {
            app.flash(Level::Error, format!("Insights: {e}"));
            format!("Insights search stopped: {e} · Esc returns to live")
        }
        (Some(e), _) => {
            app.flash(Level::Error, format!("logs: {e}"));
            format!("log stream stopped: {e}")
        }
        // The last progress said how it ended.
        (None, Stream::Insights) => return,
        (None, Stream::SearchBack) => "search done · Esc returns to live".to_string(),
        (None, Stream::EbSnapshot) => format!(
            "Elastic Beanstalk tail logs: {} lines (a snapshot, not live)",
            app.logs.received()
        ),
        // A live tail ends only when stopped; nothing to say.
        (None, Stream::Live | Stream::Idle) => return,
    };
    app.logs.pane.set_status(status);
    app.view.dirty = true;
}

/// The selected environment, and the key the app knows it by (see `app::envs`).
pub(super) fn shown(app: &App) -> Option<(crate::domain::EnvRef, String)> {
    let env = app.selected_env()?.env.clone();
    let key = app.account.selected.clone()?;
    Some((env, key))
}

/// Every log group of an environment, as last read (none when unknown).
pub(super) fn groups_of(app: &App, key: &str) -> Vec<String> {
    app.account.log_groups.get(key).cloned().unwrap_or_default()
}

/// Text from a stream made inert for the screen.
pub(super) fn one_line(s: &str) -> String {
    crate::logs::sanitize(&s.replace(['\n', '\r'], " ")).into_owned()
}

/// The groups a pane opens on: for a web environment the nginx error and access logs (where 502s
/// show first), otherwise the application's stdout and the deployment engine's log.
fn default_groups(groups: &[String], tier: Tier) -> Vec<String> {
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

/// Open the logs of the selected environment: its default groups, live, after the backfill.
pub(super) fn open_logs(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(tier) = app.selected_env().map(|e| e.tier) else {
        return;
    };
    let Some((_, name)) = shown(app) else {
        return;
    };
    let groups = groups_of(app, &name);
    app.view.dirty = true;
    if groups.is_empty() {
        app.logs.begin(Stream::Idle, Some(&name));
        app.logs.pane.reset_for(&name, Vec::new(), Vec::new());
        fx.push(Effect::StopTail);
        let key = keys_label(app, Context::Logs, Action::Groups);
        let stream = keys_label(app, Context::Logs, Action::LogStreaming);
        app.logs.pane.set_status(format!(
            "logs of {name} are not streamed to CloudWatch: {stream} turns streaming on, {key} gets Elastic Beanstalk tail logs",
        ));
        return;
    }
    let chosen = default_groups(&groups, tier);
    let from = app.now - app.settings.log_backfill_min * 60_000;
    restart_tail(app, from, chosen, fx);
}

/// Stream the selected environment's `groups` live from `from` on, replacing what the pane
/// shows. Lines already loaded arrive again and are de-duplicated by id, so nothing is lost and
/// the buffer stays in time order.
pub(super) fn restart_tail(app: &mut App, from: Millis, groups: Vec<String>, fx: &mut Vec<Effect>) {
    let Some((env, key)) = shown(app) else {
        return;
    };
    if groups.is_empty() {
        return;
    }
    let all = groups_of(app, &key);
    app.logs.pane.reset_for(&key, all, groups.clone());
    let tail = app.logs.begin(Stream::Live, Some(&key));
    fx.push(Effect::Tail {
        tail,
        target: LogTarget {
            env,
            groups,
            start: from,
        },
    });
}

/// A live stream that ended on an error is resumed from its newest line, keeping what the pane
/// holds (lines read again are dropped by id): the logs recover by themselves once the network or
/// the credentials are back.
pub(super) fn resume_if_due(app: &mut App, fx: &mut Vec<Effect>) {
    if !app.logs.resume_due(app.now) {
        return;
    }
    let groups = app.logs.pane.streamed_groups();
    let Some((env, key)) = shown(app) else {
        return;
    };
    if groups.is_empty() || app.logs.env() != Some(key.as_str()) {
        return;
    }
    let buf = app.logs.pane.buffer();
    let from = buf
        .last_seq()
        .and_then(|s| buf.get(s))
        .map_or(app.now - app.settings.log_backfill_min * 60_000, |l| l.ts);
    let tail = app.logs.begin(Stream::Live, Some(&key));
    app.logs
        .pane
        .set_status("reconnecting the log stream...".into());
    app.view.dirty = true;
    fx.push(Effect::Tail {
        tail,
        target: LogTarget {
            env,
            groups,
            start: from,
        },
    });
}

/// Push the current search down to the service, over the 6 hours before the oldest loaded line.
fn search_back(app: &mut App, fx: &mut Vec<Effect>) {
    let Some((env, key)) = shown(app) else {
        return;
    };
    let Some(q) = app.logs.pane.search().query() else {
        app.flash(
            Level::Warn,
            "search first (/), then F searches further back in CloudWatch",
        );
        return;
    };
    let text = q.text().to_string();
    let pattern = filter_pattern(&text, q.error().is_some());
    let groups = app.logs.pane.streamed_groups();
    if groups.is_empty() {
        return;
    }
    let buf = app.logs.pane.buffer();
    let end = buf.get(buf.first_seq()).map_or(app.now, |l| l.ts);
    let start = end - 6 * 3_600_000;
    let all = groups_of(app, &key);
    let pane = &mut app.logs.pane;
    pane.reset_for(&key, all, groups.clone());
    pane.set_query(&text);
    pane.set_status(format!(
        "CloudWatch search {pattern} over the 6h before the buffer · Esc returns to live"
    ));
    let tail = app.logs.begin(Stream::SearchBack, Some(&key));
    fx.push(Effect::SearchLogs {
        tail,
        search: LogSearch {
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
pub(in crate::app) fn filter_pattern(query: &str, literal: bool) -> String {
    let plain = !query.chars().any(|c| "\\.^$|?*+()[]{}%\"".contains(c));
    if plain || literal && !query.contains('"') {
        format!("\"{query}\"")
    } else if literal {
        format!("%{}%", regex::escape(query))
    } else {
        format!("%{query}%")
    }
}

/// `l`: the group picker when the environment streams to CloudWatch, else EB's tail logs.
fn groups_or_eb_tail(app: &mut App, fx: &mut Vec<Effect>) {
    let Some((_, key)) = shown(app) else {
        return;
    };
    if !groups_of(app, &key).is_empty() {
        app.logs.pane.open_group_picker();
        app.view.modal = Some(Modal::LogGroups);
        return;
    }
    // Streaming may have been turned on since the groups were read: read them again now.
    super::polls::force(app, crate::cloud::PollKey::LogGroups(key.clone()), fx);
    // RequestEnvironmentInfo is a write: it goes through the confirmation (and read-only mode).
    fx.extend(super::super::intents::request_tail_logs(app));
}

/// `l`'s RequestEnvironmentInfo was sent: the logs pane waits for its answer.
pub(super) fn tail_request_sent(app: &mut App, op_id: u64, env: &str) {
    app.account.tail_request = Some(op_id);
    app.logs.pane.set_status(format!(
        "asking the instances of {env} for their last log lines..."
    ));
}

/// RequestEnvironmentInfo was answered: collect the bundles, or say why not.
pub(super) fn tail_logs_requested(
    app: &mut App,
    result: Result<crate::cloud::OpAccepted, crate::cloud::CloudError>,
    fx: &mut Vec<Effect>,
) {
    let Some((env, key)) = shown(app) else {
        return;
    };
    app.view.dirty = true;
    if let Err(e) = result {
        app.logs
            .pane
            .set_status(format!("could not request tail logs: {}", e.message()));
        app.flash(Level::Error, format!("tail logs: {}", e.message()));
        return;
    }
    let tail = app.logs.begin(Stream::EbSnapshot, Some(&key));
    app.logs.pane.set_status(format!(
        "collecting Elastic Beanstalk tail logs of {}...",
        env.name
    ));
    fx.push(Effect::EbTail { tail, env });
}

/// `1`..`5`: reload the streamed groups from further back.
fn load_back(app: &mut App, minutes: i64, fx: &mut Vec<Effect>) {
    let groups = app.logs.pane.streamed_groups();
    if app.selected_env().is_none() || groups.is_empty() {
        return;
    }
    let span = if minutes >= 60 {
        format!("{}h", minutes / 60)
    } else {
        format!("{minutes}m")
    };
    app.flash(Level::Info, format!("loading the last {span}"));
    restart_tail(app, app.now - minutes * 60_000, groups, fx);
}

/// `O`: only the selected line's instance, or every instance again.
fn only_instance(app: &mut App) {
    let l = &mut app.logs.pane;
    if let Some(was) = l.scope().map(str::to_string) {
        l.set_scope(None);
        app.flash(
            Level::Info,
            format!("every instance's lines again (was only {was})"),
        );
        return;
    }
    let Some(instance) = l.selected_instance() else {
        app.flash(
            Level::Warn,
            "no line selected: pick a line of the instance first",
        );
        return;
    };
    l.set_scope(Some(&instance));
    let key = keys_label(app, Context::Logs, Action::OnlyInstance);
    app.flash(
        Level::Info,
        format!("only {instance}'s lines · {key} again: every instance"),
    );
}

fn save(app: &App, fx: &mut Vec<Effect>) {
    let lines = app.logs.pane.visible_text();
    let env = app
        .account
        .selected
        .clone()
        .unwrap_or_else(|| "logs".into());
    let path = format!("ebtui-{}-{}.log", env, app.now / 1000);
    fx.push(Effect::SaveFile {
        path,
        contents: lines.join("\n") + "\n",
    });
}

pub(super) fn logs_action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let searching_back = matches!(app.logs.stream(), Stream::SearchBack | Stream::Insights);
    let l = &mut app.logs.pane;
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
        Action::OnlyInstance => only_instance(app),
        Action::Cancel if searching_back => {
            // Stop the search (if running; an Insights query is sent StopQuery) and return to
            // the live tail.
            fx.push(Effect::StopTail);
            open_logs(app, fx);
        }
        Action::Cancel => {
            if app.view.zoom && l.is_following() {
                app.view.zoom = false;
            }
            l.escape();
        }
        Action::SearchBack => search_back(app, fx),
        Action::Insights => super::insights::ask(app, fx),
        Action::Groups => groups_or_eb_tail(app, fx),
        Action::LogStreaming => log_streaming(app),
        Action::Save => save(app, fx),
        Action::Copy => match l.selected_text() {
            Some(t) => {
                fx.push(Effect::Copy(t));
                app.flash(Level::Info, "copied the selected line");
            }
            None => app.flash(Level::Warn, "no line selected"),
        },
        Action::Back1m => load_back(app, 1, fx),
        Action::Back5m => load_back(app, 5, fx),
        Action::Back15m => load_back(app, 15, fx),
        Action::Back1h => load_back(app, 60, fx),
        Action::Back6h => load_back(app, 360, fx),
        _ => {}
    }
}

/// The first key bound to an action, for messages that name it.
pub(super) fn keys_label(app: &App, ctx: Context, action: Action) -> String {
    app.keymap
        .keys_for(ctx, action)
        .first()
        .map(|k| k.to_string())
        .unwrap_or_else(|| action.id().to_string())
}

/// `L`: turn the shown environment's log streaming on (a confirmed configuration change).
fn log_streaming(app: &mut App) {
    if app.settings.read_only {
        app.flash(
            Level::Warn,
            "read-only mode: turning log streaming on refused (ebtui was started with --read-only)",
        );
        return;
    }
    let Some((_, name)) = shown(app) else {
        return;
    };
    if !groups_of(app, &name).is_empty() {
        app.flash(
            Level::Info,
            format!("{name} streams its logs to CloudWatch already"),
        );
        return;
    }
    match app.account.envs.get(&name).map(|e| e.status.clone()) {
        Some(crate::domain::EnvStatus::Ready) => super::config_write::open_log_streaming_picker(app, name),
        Some(s) => app.flash(
            Level::Warn,
            format!(
                "{name} is {}: Elastic Beanstalk changes the configuration only of a Ready environment",
                s.as_str()
            ),
        ),
        None => {}
    }
}
