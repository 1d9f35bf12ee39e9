//! Enhanced health, computed from what the instances were doing: a pure function of the world
//! at a time, so a snapshot, an event and a log line about the same moment always agree.
//!
//! The environment status follows the share of failing requests over the last minute, which is
//! what makes a recovery step down Severe -> Degraded -> Warning -> Ok as the bad minute ages out.

use crate::domain::{
    EnvHealth, EnvStatus, HealthSnapshot, HealthStatus, InstanceCounts, InstanceDeployment,
    InstanceHealth, Millis, Tier,
};

use super::metrics::{Totals, cpu_and_load, metrics, served};
use super::model::{
    Env, HEALTH_PERIOD, Instance, MIN, OpKind, Phase, SEC, SLOW_FACTOR, align_down,
};
use super::timefmt::iso_secs;

/// 0 for Ok/Info/Pending/..., 1 Warning, 2 Degraded, 3 Severe.
pub(crate) fn rank(s: &HealthStatus) -> u8 {
    match s {
        HealthStatus::Warning => 1,
        HealthStatus::Degraded => 2,
        HealthStatus::Severe => 3,
        _ => 0,
    }
}

fn from_rank(r: u8) -> HealthStatus {
    match r {
        3 => HealthStatus::Severe,
        2 => HealthStatus::Degraded,
        1 => HealthStatus::Warning,
        _ => HealthStatus::Ok,
    }
}

/// Elastic Beanstalk's thresholds on the share of 5xx answers.
fn rank_for_share(share: f64) -> u8 {
    if share >= 0.25 {
        3
    } else if share >= 0.10 {
        2
    } else if share >= 0.01 {
        1
    } else {
        0
    }
}

/// "23 seconds", "1 minute", "2 hours": how Elastic Beanstalk writes durations in causes.
pub(crate) fn human(ms: Millis) -> String {
    let s = (ms / SEC).max(0);
    let (n, unit) = if s < 60 {
        (s, "second")
    } else if s < 3600 {
        (s / 60, "minute")
    } else if s < 86_400 {
        (s / 3600, "hour")
    } else {
        (s / 86_400, "day")
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// What enhanced health says of a slow application's latency (the quantiles of
/// `metrics::healthy_latency` at the slowed median).
fn latency_cause(env: &Env) -> String {
    let p50 = env.base_latency * SLOW_FACTOR;
    format!(
        "Request latency is high: P99 is {:.1} seconds and P90 is {:.1} seconds.",
        super::metrics::healthy_latency(p50, 0.99),
        super::metrics::healthy_latency(p50, 0.90)
    )
}

fn pct_cause(share: f64) -> String {
    format!(
        "{:.1} % of the requests are failing with HTTP 5xx.",
        share * 100.0
    )
}

/// Status and causes of one instance at `t`.
pub(crate) fn instance_status(
    env: &Env,
    inst: &Instance,
    t: Millis,
) -> (HealthStatus, Vec<String>) {
    let since = inst.phase_since(t).unwrap_or(t);
    let running = human(t - since);
    let failed_at = inst
        .deployment
        .as_ref()
        .filter(|d| d.status == "Failed" && d.finished.is_some_and(|f| f <= t))
        .and_then(|d| d.finished);
    match inst.phase_at(t) {
        None | Some(Phase::Gone) => (HealthStatus::Unknown, Vec::new()),
        Some(Phase::Pending) => (
            HealthStatus::Pending,
            vec![format!(
                "Initialization in progress (running for {running})."
            )],
        ),
        Some(Phase::Deploying { .. }) => match failed_at {
            Some(f) => (
                HealthStatus::Severe,
                vec![format!(
                    "Application deployment failed at {} with exit status 1 and error: Engine execution has encountered an error.",
                    iso_secs(f)
                )],
            ),
            None => (
                HealthStatus::Info,
                vec![format!(
                    "Performing application deployment (running for {running})."
                )],
            ),
        },
        Some(Phase::Restarting) => (
            HealthStatus::Info,
            vec![format!(
                "Restarting the application server (running for {running})."
            )],
        ),
        Some(Phase::Serving { broken, .. }) => {
            let (serving, bad) = served(inst, t - HEALTH_PERIOD, t);
            let share = if serving > 0.0 { bad / serving } else { 0.0 };
            let mut r = rank_for_share(share);
            let mut causes = Vec::new();
            if r > 0 {
                causes.push(pct_cause(share));
            }
            if env.slow_at(t) {
                r = r.max(1);
                causes.push(latency_cause(env));
            }
            if *broken && t - since >= 30 * SEC {
                if env.tier == Tier::Web {
                    causes.push(format!("Process default has been unhealthy for {running} (Target.FailedHealthChecks)."));
                } else {
                    causes.push("Following services are not running: web.".to_string());
                }
            }
            if let Some(f) = failed_at.filter(|_| *broken) {
                causes.push(format!(
                    "Application deployment failed at {} with exit status 7 and error: Engine execution has encountered an error.",
                    iso_secs(f)
                ));
            }
            if r == 0
                && let Some(d) = inst.deployment.as_ref().filter(|d| d.status == "Deployed")
                && let Some(f) = d.finished.filter(|f| t - f < 5 * MIN && *f <= t)
            {
                causes.push(format!(
                    "Application deployment completed {} ago and took {}.",
                    human(t - f),
                    human(f - d.started)
                ));
            }
            (from_rank(r), causes)
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The environment's status and causes at `t`.
pub(crate) fn env_status(env: &Env, t: Millis) -> (HealthStatus, Vec<String>) {
    let live: Vec<&Instance> = env.live_instances(t).collect();
    let n = live.len();
    let statuses: Vec<HealthStatus> = live.iter().map(|i| instance_status(env, i, t).0).collect();
    let bad = statuses.iter().filter(|s| rank(s) >= 2).count();
    let any_serving = live
        .iter()
        .any(|i| matches!(i.phase_at(t), Some(Phase::Serving { .. })));

    if env.status == EnvStatus::Launching && !any_serving {
        return launching_status(env, t, n, bad);
    }
    if n == 0 {
        let cause = "None of the instances are sending data.".to_string();
        return if env.op.is_some() {
            (HealthStatus::Pending, vec![cause])
        } else {
            (HealthStatus::Severe, vec![cause])
        };
    }

    let (mut serving, mut broken) = (0.0, 0.0);
    for inst in &live {
        let (s, b) = served(inst, t - MIN, t);
        serving += s;
        broken += b;
    }
    let share = if serving > 0.0 { broken / serving } else { 0.0 };
    let inst_rank = if bad == n {
        3
    } else if bad > 0 {
        1
    } else {
        0
    };
    let mut r = rank_for_share(share).max(inst_rank);
    let mut causes = Vec::new();
    if rank_for_share(share) > 0 {
        causes.push(pct_cause(share));
    }
    // A slow application: the environment is degraded by its latency alone.
    if env.slow_at(t) && any_serving {
        r = r.max(2);
        causes.push(latency_cause(env));
    }
    if bad > 0 {
        let which = if bad == n {
            "all instances".to_string()
        } else {
            format!("{bad} out of {n} instances")
        };
        causes.push(match env.tier {
            Tier::Web => format!("ELB processes are not healthy on {which}."),
            Tier::Worker => format!("Impaired services on {which}."),
        });
    }
    let op_cause = op_cause(env, &live, t);
    if r > 0 {
        causes.extend(op_cause);
        return (from_rank(r), causes);
    }
    if let Some(cause) = op_cause {
        return (HealthStatus::Info, vec![cause]);
    }
    causes.extend(recently_completed(env, t));
    (HealthStatus::Ok, causes)
}

/// While the environment launches and nothing serves yet: pending, or severe once every
/// instance has failed.
fn launching_status(env: &Env, t: Millis, n: usize, bad: usize) -> (HealthStatus, Vec<String>) {
    if n > 0 && bad == n {
        return (
            HealthStatus::Severe,
            vec![
                "Command failed on all instances.".to_string(),
                "Instance deployment failed. For details, see 'eb-engine.log'.".to_string(),
            ],
        );
    }
    let from = env.launch.map_or(t, |(s, _)| s);
    (
        HealthStatus::Pending,
        vec![format!(
            "Initialization in progress (running for {}).",
            human(t - from)
        )],
    )
}

/// What the operation in progress is doing on the `live` instances, as a cause.
fn op_cause(env: &Env, live: &[&Instance], t: Millis) -> Option<String> {
    let op = env.op.as_ref()?;
    let n = live.len();
    let running = human(t - op.started);
    match &op.kind {
        OpKind::Deploy { deployment, .. } => {
            let done = live
                .iter()
                .filter(|i| {
                    i.deployment
                        .as_ref()
                        .is_some_and(|d| d.id == *deployment && d.status != "In Progress")
                })
                .count();
            Some(format!(
                "Application update in progress on {}. {done} out of {} completed (running for {running}).",
                plural(n, "instance"),
                plural(n, "instance"),
            ))
        }
        OpKind::Abort | OpKind::Restart | OpKind::Rebuild => {
            let busy = live
                .iter()
                .filter(|i| !matches!(i.phase_at(t), Some(Phase::Serving { .. })))
                .count();
            Some(format!(
                "Command is executing on {busy} out of {} (running for {running}).",
                plural(n, "instance")
            ))
        }
        OpKind::Configure => Some(format!(
            "Configuration update in progress on {}. 0 out of {} completed (running for {running}).",
            plural(n, "instance"),
            plural(n, "instance"),
        )),
        OpKind::Swap | OpKind::Create => None,
    }
}

/// A creation or application update that finished in the last five minutes, as a cause.
fn recently_completed(env: &Env, t: Millis) -> Option<String> {
    if let Some((started, Some(done))) = env.launch
        && t - done < 5 * MIN
    {
        Some(format!(
            "Initialization completed {} ago and took {}.",
            human(t - done),
            human(done - started)
        ))
    } else if let Some((started, done)) = env.last_update
        && t - done < 5 * MIN
    {
        Some(format!(
            "Application update completed {} ago and took {}.",
            human(t - done),
            human(done - started)
        ))
    } else {
        None
    }
}

/// DescribeEnvironmentHealth + DescribeInstancesHealth, as refreshed at the last 10 s boundary.
pub(crate) fn snapshot(seed: u64, env: &Env, now: Millis) -> HealthSnapshot {
    let t = align_down(now);
    if env.terminated.is_some()
        || matches!(env.status, EnvStatus::Terminating | EnvStatus::Terminated)
    {
        return gone_snapshot(t);
    }
    let mut counts = InstanceCounts::default();
    let mut total = Totals::default();
    let mut instances = Vec::new();
    for inst in env.live_instances(t) {
        let (status, causes) = instance_status(env, inst, t);
        let m = metrics(seed, env, inst, t);
        if let Some(m) = &m {
            total.add(m);
        }
        count(&mut counts, &status);
        let (cpu, load) = cpu_and_load(seed, env, inst, t);
        instances.push(InstanceHealth {
            id: inst.id.clone(),
            color: status.color(),
            status,
            causes,
            metrics: m,
            cpu_pct: Some(cpu),
            load1: Some(load),
            deployment: inst.deployment.as_ref().map(|d| InstanceDeployment {
                id: Some(d.id),
                status: d.status.to_string(),
                version: Some(d.version.clone()),
                ts: Some(d.finished.unwrap_or(d.started)),
            }),
            az: Some(inst.az.to_string()),
            instance_type: Some(inst.itype.to_string()),
            launched: Some(inst.launched),
        });
    }
    let (status, causes) = env_status(env, t);
    let env_health = EnvHealth {
        enhanced: true,
        color: status.color(),
        status: Some(status),
        causes,
        counts,
        metrics: Some(total.finish()),
        refreshed: Some(t),
    };
    HealthSnapshot {
        env: env_health,
        instances,
    }
}

/// A terminating or terminated environment: status Unknown, no instances.
fn gone_snapshot(t: Millis) -> HealthSnapshot {
    let env_health = EnvHealth {
        enhanced: true,
        status: Some(HealthStatus::Unknown),
        color: HealthStatus::Unknown.color(),
        causes: Vec::new(),
        counts: InstanceCounts::default(),
        metrics: None,
        refreshed: Some(t),
    };
    HealthSnapshot {
        env: env_health,
        instances: Vec::new(),
    }
}

fn count(counts: &mut InstanceCounts, status: &HealthStatus) {
    match status {
        HealthStatus::Ok => counts.ok += 1,
        HealthStatus::Info => counts.info += 1,
        HealthStatus::Warning => counts.warning += 1,
        HealthStatus::Degraded => counts.degraded += 1,
        HealthStatus::Severe => counts.severe += 1,
        HealthStatus::Pending => counts.pending += 1,
        HealthStatus::NoData => counts.no_data += 1,
        _ => counts.unknown += 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_elastic_beanstalk() {
        assert_eq!(human(1_000), "1 second");
        assert_eq!(human(23_400), "23 seconds");
        assert_eq!(human(60_000), "1 minute");
        assert_eq!(human(150_000), "2 minutes");
        assert_eq!(human(3 * 3_600_000), "3 hours");
    }

    #[test]
    fn share_thresholds() {
        assert_eq!(rank_for_share(0.0), 0);
        assert_eq!(rank_for_share(0.02), 1);
        assert_eq!(rank_for_share(0.12), 2);
        assert_eq!(rank_for_share(1.0), 3);
    }
}
