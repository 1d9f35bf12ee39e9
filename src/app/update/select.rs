//! Choosing the environment the detail panes show and the write keys act on.

use super::super::log_session::Stream;
use super::super::{App, Effect};
use super::{logs, polls};
use crate::cloud::PollKey;

/// Select an environment: read its details now, and move the logs to it.
pub(super) fn select(app: &mut App, name: &str, fx: &mut Vec<Effect>) {
    let acc = &mut app.account;
    if acc.selected.as_deref() == Some(name) || acc.envs.get(name).is_none() {
        return;
    }
    acc.selected = Some(name.to_string());
    acc.envs.cursor = Some(name.to_string());
    acc.health_cursor = 0;
    acc.timelines.entry(name.to_string()).or_default();
    app.view.dirty = true;
    if acc.journal.is_gone_key(&acc.envs, name) {
        // Reopened from the journal: what was recorded, nothing read from AWS.
        fx.push(Effect::StopTail);
        return super::journal::show_recorded_lines(app, name);
    }
    // Its older events now; the rest at the planner's next ticks, one call per service per
    // tick, so a selection is not a burst that a rate limit refuses.
    polls::force(app, PollKey::Events(name.into()), fx);
    for key in [
        PollKey::Health(name.into()),
        PollKey::StackEvents(name.into()),
        PollKey::History(name.into()),
    ] {
        app.account.schedule.expire(&key);
    }
    // Logs follow the selection: stop the old stream now, open the new one once its groups are
    // known.
    fx.push(Effect::StopTail);
    app.logs.begin(Stream::Idle, None);
    if app.account.log_groups.contains_key(name) {
        logs::open_logs(app, fx);
    } else {
        app.logs.pane.reset_for(name, Vec::new(), Vec::new());
        app.logs
            .pane
            .set_status(format!("finding the log groups of {name}..."));
        polls::force(app, PollKey::LogGroups(name.into()), fx);
    }
}
