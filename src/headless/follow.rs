//! Following one operation to its outcome, the way the UI's ledger does: the environment's
//! events grouped by request id, the outcome from the operation's own events
//! (`ledger::classify`). No end event while the environment is busy is "in progress"; no end
//! event once it settled is read once more, then "unknown", never "succeeded".

use std::collections::HashSet;

use super::report::{Note, Report};
use super::{Exit, Plan};
use crate::app::ledger::{self, Outcome};
use crate::cloud::Cloud;
use crate::domain::{EnvEvent, Environment, HealthStatus, Millis};

/// How far before "now" the first read looks: the events' clock is AWS's, not this machine's.
pub(super) const CLOCK_SLACK_MS: Millis = 60_000;

/// Reads in a row that may fail before the follow gives up and says "unknown".
const READ_FAILURES_MAX: u32 = 5;

/// The environment's events told so far: a roll back's follow does not tell them again.
#[derive(Default)]
pub(super) struct Told {
    seen: HashSet<(Millis, String)>,
    events: Vec<EnvEvent>,
}

pub(super) enum Followed {
    Ended(Outcome),
    TimedOut,
    Unknown(String),
}

/// Follow the operation `request_id` on `env` until its events tell an end, or `deadline`.
#[allow(clippy::too_many_arguments)] // one call site per follow; a struct would only rename them
pub(super) async fn operation(
    told: &mut Told,
    cloud: &dyn Cloud,
    env: &Environment,
    request_id: &str,
    since: Millis,
    deadline: Millis,
    plan: &Plan,
    report: &mut Report,
) -> Followed {
    let Told { seen, events } = told;
    // Batches total = instances / batch size, as the UI counts them: the instances from one
    // health read, the size from the first batch's instance list.
    let instances = cloud
        .health(&env.env)
        .await
        .ok()
        .map(|h| h.instances.len() as u32)
        .filter(|n| *n > 0);
    let mut batches = Batches {
        told: 0,
        size: None,
        instances,
    };
    let mut failures = 0;
    let mut settled_reads = 0;
    loop {
        let (read, status) =
            tokio::join!(cloud.events(&env.env, Some(since)), cloud.environments());
        match (read, status) {
            (Ok(new), Ok(envs)) => {
                failures = 0;
                for e in new {
                    if seen.insert((e.ts, e.message.clone())) {
                        tell_event(report, &e, request_id, &mut batches);
                        events.push(e);
                    }
                }
                events.sort_by_key(|e| e.ts);
                let events: &[EnvEvent] = events;
                let busy = envs
                    .iter()
                    .find(|e| e.env.id == env.env.id && e.env.name == env.env.name)
                    .is_some_and(|e| e.status.is_transitional());
                let ops = ledger::operations(events);
                let ours = ops.iter().find(|o| o.request_id == request_id);
                match ours.map(|o| o.outcome(busy)) {
                    Some(Outcome::InProgress) => {}
                    Some(Outcome::Unknown) | None if !busy => {
                        // Settled with no end told: the end event may lag the status; read again.
                        settled_reads += 1;
                        if settled_reads > 2 {
                            return Followed::Unknown(format!(
                                "{} settled but its events tell no end for request {request_id}: check the environment before trusting this deploy",
                                env.env.name
                            ));
                        }
                    }
                    Some(Outcome::Unknown) | None => {}
                    Some(o) => return Followed::Ended(o),
                }
            }
            (Err(e), _) | (_, Err(e)) => {
                failures += 1;
                report.note(Note::Problem(format!("read failed: {}", e.message())));
                if failures >= READ_FAILURES_MAX {
                    return Followed::Unknown(format!(
                        "{READ_FAILURES_MAX} reads in a row failed; the deploy may still be running"
                    ));
                }
            }
        }
        if cloud.now() >= deadline {
            report.note(Note::Problem(format!(
                "no end within the timeout; the deploy goes on in {} (use --timeout for longer)",
                env.env.name
            )));
            return Followed::TimedOut;
        }
        tokio::time::sleep(plan.poll_every).await;
    }
}

/// What is known of the deploy's batches.
struct Batches {
    told: u32,
    size: Option<u32>,
    instances: Option<u32>,
}

/// An event as it arrives; a batch start also as "batch n/m" (m when it can be counted).
/// Only this operation's events, and the environment's own (health transitions carry no request
/// id): an earlier operation's events within the clock slack are not this deploy's story.
fn tell_event(report: &mut Report, e: &EnvEvent, request_id: &str, b: &mut Batches) {
    match e.request_id.as_deref() {
        None => return report.note(Note::Event(e.clone())),
        Some(r) if r != request_id => return,
        Some(_) => report.note(Note::Event(e.clone())),
    }
    if let Some((n, ids)) = ledger::parse_batch_start(&e.message)
        && n > b.told
    {
        b.told = n;
        if n == 1 && ids > 0 {
            b.size = Some(ids);
        }
        let of = match (b.size, b.instances) {
            (Some(size), Some(total)) => Some(total.div_ceil(size).max(n)),
            _ => None,
        };
        report.note(Note::Batch { n, of });
    }
}

/// `--wait-healthy`: after a successful deploy, until the environment's health is Ok.
pub(super) async fn healthy(
    cloud: &dyn Cloud,
    env: &Environment,
    deadline: Millis,
    plan: &Plan,
    report: &mut Report,
) -> Exit {
    let mut told: Option<String> = None;
    loop {
        if let Ok(envs) = cloud.environments().await
            && let Some(e) = envs
                .iter()
                .find(|e| e.env.id == env.env.id && e.env.name == env.env.name)
        {
            let status = e
                .health_status
                .as_ref()
                .map_or_else(|| e.health.as_str().to_string(), |h| h.as_str().to_string());
            if told.as_deref() != Some(status.as_str()) {
                report.note(Note::Health {
                    status: status.clone(),
                });
                told = Some(status);
            }
            if e.health_status == Some(HealthStatus::Ok) {
                return Exit::Succeeded;
            }
        }
        if cloud.now() >= deadline {
            report.note(Note::Problem(
                "the deploy succeeded but the environment was not Ok within the timeout".into(),
            ));
            return Exit::TimedOut;
        }
        tokio::time::sleep(plan.poll_every).await;
    }
}
