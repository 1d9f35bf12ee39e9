//! Telling the person what happened while they looked elsewhere: an operation on any environment
//! ended, or an environment turned Degraded or Severe. Always the status line; beyond it, what
//! the config's `notify` says (the bell, or a desktop notification through the terminal).

use super::super::ledger::{Operation, Outcome};
use super::super::{App, Effect, Level};
use crate::config::Notify;
use crate::domain::{Environment, HealthStatus};

fn announce(app: &mut App, level: Level, text: String, fx: &mut Vec<Effect>) {
    if app.settings.notify != Notify::None {
        fx.push(Effect::Notify {
            how: app.settings.notify,
            title: "ebtui".into(),
            body: text.clone(),
        });
    }
    app.flash(level, text);
}

/// Request ids of an environment's operations whose end is already known.
pub(super) fn ended_ids(app: &App, env: &str) -> Vec<String> {
    app.account
        .ledger
        .of(env)
        .iter()
        .filter(|o| o.told.is_some())
        .map(|o| o.request_id.clone())
        .collect()
}

/// Operations of `env` that ended since `before` was taken (not on the first read: what ended
/// before ebtui started is history, not news).
pub(super) fn ops_ended(
    app: &mut App,
    env: &str,
    before: &[String],
    first_read: bool,
    fx: &mut Vec<Effect>,
) {
    if first_read {
        return;
    }
    let ended: Vec<Operation> = app
        .account
        .ledger
        .of(env)
        .iter()
        .filter(|o| o.told.is_some() && !before.contains(&o.request_id))
        .cloned()
        .collect();
    for o in ended {
        let outcome = o.told.unwrap_or(Outcome::Unknown);
        let what = match &o.version {
            Some(v) => format!("{} {v}", o.kind.as_str()),
            None => o.kind.as_str().to_string(),
        };
        let level = if outcome.is_bad() {
            Level::Warn
        } else {
            Level::Info
        };
        announce(
            app,
            level,
            format!("{env}: {what} {}", outcome.as_str()),
            fx,
        );
    }
}

/// Environments that turned Degraded or Severe in this list, compared with the one before.
pub(super) fn health_turned(
    app: &mut App,
    before: &[(String, Option<HealthStatus>)],
    now: &[Environment],
    fx: &mut Vec<Effect>,
) {
    for e in now {
        let bad = matches!(
            e.health_status,
            Some(HealthStatus::Degraded | HealthStatus::Severe)
        );
        let Some((_, was)) = before.iter().find(|(n, _)| *n == e.env.name) else {
            continue;
        };
        if bad && *was != e.health_status {
            let status = e.health_status.as_ref().map_or("", |h| h.as_str());
            announce(app, Level::Warn, format!("{} is {status}", e.env.name), fx);
        }
    }
}
