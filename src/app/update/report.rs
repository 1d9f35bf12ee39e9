//! `:report`: the incident report of an operation, written as Markdown next to where ebtui
//! runs (owner-only, never over a file: `Effect::SaveFile`). The operation is the one last
//! chosen in the operations overlay (`o`) for the selected environment, else its newest failed
//! one, else its newest.

use super::super::report::{Facts, build, file_name};
use super::super::{App, Effect, Level};

pub(super) fn command(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(key) = app.account.selected.clone() else {
        return app.flash(Level::Warn, "select an environment first");
    };
    let acc = &app.account;
    let Some(env) = acc.envs.get(&key) else {
        return app.flash(Level::Warn, "select an environment first");
    };
    let ops = acc.ledger.of(&key);
    let chosen = acc
        .journal
        .report_target
        .as_ref()
        .filter(|(k, _)| *k == key)
        .and_then(|(_, rid)| ops.iter().find(|o| o.request_id == *rid));
    let Some(op) = chosen
        .or_else(|| {
            ops.iter()
                .rev()
                .find(|o| o.told.is_some_and(|t| t.is_bad()))
        })
        .or_else(|| ops.last())
    else {
        return app.flash(
            Level::Warn,
            format!("no operation of {key} in the events read so far"),
        );
    };
    let newest = ops.last().is_some_and(|o| o.request_id == op.request_id);
    let outcome = op.outcome(newest && env.status.is_transitional());
    let timeline = acc.timelines.get(&key);
    let captures = acc.journal.captures_for(env, op, app.now).collect();
    let facts = Facts {
        env,
        region: &acc.ctx.region,
        account: acc.ctx.account.as_deref(),
        op,
        outcome,
        entries: timeline
            .map(|t| t.entries.iter().collect())
            .unwrap_or_default(),
        ops,
        followed: acc
            .journal
            .ops
            .iter()
            .find(|r| r.request_id.as_deref() == Some(op.request_id.as_str())),
        health: acc.health.get(&key),
        captures,
        now: app.now,
    };
    let contents = build(&facts);
    let path = file_name(&env.env.name, app.now);
    app.flash(
        Level::Info,
        format!("writing the report of {} {}...", op.kind.as_str(), key),
    );
    fx.push(Effect::SaveFile { path, contents });
}
