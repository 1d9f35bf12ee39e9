//! The writes: dispatching the operations the user confirms and the commands the history and
//! scenarios schedule, and the operations that are not deployments (restart, rebuild, swap,
//! configuration changes). Deployments and aborts live in `deploy`, environment creation in
//! `launch`.

use crate::cloud::{CloudError, CloudResult, Op, OpAccepted, RollbackVia};
use crate::domain::{EnvRef, EnvStatus, Millis, Tier};

use super::engine::{EngineScript, Outcome};
use super::launch;
use super::model::{Env, OpKind, OpState, Phase, SEC};
use super::refusals::{not_found, require_ready};
use super::resources::{LAUNCH_TEMPLATE, STACK, group_event, launch_instances};
use super::world::{Command, ConfigEnd, Script, Step, World};
use super::{configure, deploy};

/// Carry out an operation the user confirmed.
pub(crate) fn execute(w: &mut World, op: &Op) -> CloudResult<OpAccepted> {
    let rid = w.rng.uuid();
    match op {
        Op::Deploy { env, version }
        | Op::Rollback {
            env,
            via: RollbackVia::Deploy { version },
            ..
        } => {
            let e = find(w, env)?;
            deploy::deploy(w, e, version, rid.clone())?;
        }
        Op::Abort { env }
        | Op::Rollback {
            env,
            via: RollbackVia::Abort,
            ..
        } => {
            let e = find(w, env)?;
            deploy::abort(w, e, rid.clone())?;
        }
        Op::Rebuild { env } => {
            let e = find(w, env)?;
            rebuild(w, e, rid.clone())?;
        }
        Op::RestartAppServer { env } => {
            let e = find(w, env)?;
            restart(w, e, rid.clone())?;
        }
        Op::SwapCnames { a, b } => {
            let (ea, eb) = (find(w, a)?, find(w, b)?);
            swap(w, ea, eb, rid.clone())?;
        }
        Op::RequestTailLogs { env } => {
            find(w, env)?;
        }
        Op::Configure {
            env, set, remove, ..
        } => {
            let e = find(w, env)?;
            configure::configure(w, e, set, remove, rid.clone())?;
        }
        Op::UploadBundle { .. } | Op::CreateVersion { .. } => {
            // They take simulated time, so `SimCloud::execute` carries them out itself.
            return Err(CloudError::Unsupported(
                "uploads and new versions are carried out by SimCloud".into(),
            ));
        }
    }
    Ok(OpAccepted {
        request_id: Some(rid),
        uploaded: None,
    })
}

/// The environment a request names; terminated ones are gone for writes.
pub(crate) fn find(w: &World, r: &EnvRef) -> CloudResult<usize> {
    w.env_index(&r.name)
        .filter(|&e| w.envs[e].visible_at(w.now) && w.envs[e].terminated.is_none())
        .ok_or_else(|| not_found(&r.name))
}

/// A command scheduled by the history or a scenario comes due.
pub(crate) fn run_command(w: &mut World, e: usize, at: Millis, cmd: Command) {
    match cmd {
        Command::Deploy { version } => {
            if w.envs[e].status != EnvStatus::Ready {
                // Busy with the user's operation: try again shortly, as a pipeline would.
                w.schedule_step(
                    at + 15 * SEC,
                    e,
                    None,
                    Step::Command(Command::Deploy { version }),
                );
                return;
            }
            let rid = w.rng.uuid();
            if let Err(err) = deploy::deploy(w, e, &version, rid) {
                tracing::debug!(env = %w.envs[e].name, %err, "scheduled deploy not started");
            }
        }
        Command::Create { fail } => {
            let rid = w.rng.uuid();
            launch::create(w, e, fail, rid);
        }
        Command::DeployOnce { version } => {
            let rid = w.rng.uuid();
            let result = deploy::deploy(w, e, &version, rid);
            skipped(w, e, result);
        }
        Command::Configure { end } => {
            let rid = w.rng.uuid();
            let result = configure(w, e, end, rid);
            skipped(w, e, result);
        }
        Command::Restart => {
            let rid = w.rng.uuid();
            let result = restart(w, e, rid);
            skipped(w, e, result);
        }
        Command::Abort { version } => {
            let deploying = w.envs[e]
                .op
                .as_ref()
                .is_some_and(|o| matches!(&o.kind, OpKind::Deploy { to, .. } if *to == version));
            if deploying {
                let rid = w.rng.uuid();
                let result = deploy::abort(w, e, rid);
                skipped(w, e, result);
            }
        }
    }
}

/// A command Elastic Beanstalk refused (the environment was busy): it does not happen.
fn skipped(w: &World, e: usize, result: CloudResult<()>) {
    if let Err(err) = result {
        tracing::debug!(env = %w.envs[e].name, %err, "scheduled operation not started");
    }
}

pub(crate) fn begin(w: &mut World, e: usize, kind: OpKind) -> u64 {
    let token = w.token();
    let now = w.now;
    let env = &mut w.envs[e];
    env.op = Some(OpState {
        token,
        kind,
        started: now,
        abortable: false,
    });
    env.status = EnvStatus::Updating;
    env.updated = now;
    token
}

/// The version and brokenness each live, serving instance has now.
pub(crate) fn serving(env: &Env, t: Millis) -> Vec<(String, String, bool)> {
    env.live_instances(t)
        .filter_map(|i| match i.phase_at(t) {
            Some(Phase::Serving { version, broken }) => {
                Some((i.id.clone(), version.clone(), *broken))
            }
            _ => None,
        })
        .collect()
}

/// Every serving instance restarts its application at once, running `script` for `d`, then
/// serves again what it served (a restart, a configuration change).
pub(crate) fn restart_all(
    s: &mut Script,
    targets: Vec<(String, String, bool)>,
    script: EngineScript,
    d: Millis,
) {
    for (id, _, _) in &targets {
        s.push(Step::Phase {
            instance: id.clone(),
            phase: Phase::Restarting,
        });
        s.push(Step::Engine {
            instance: id.clone(),
            script: script.clone(),
            duration: d,
        });
    }
    s.wait(d);
    for (id, version, broken) in targets {
        s.push(Step::Phase {
            instance: id,
            phase: Phase::Serving { version, broken },
        });
    }
}

/// RestartAppServer: every instance restarts its application server; the version stays.
fn restart(w: &mut World, e: usize, rid: String) -> CloudResult<()> {
    require_ready(&w.envs[e])?;
    let now = w.now;
    let targets = serving(&w.envs[e], now);
    let token = begin(w, e, OpKind::Restart);
    let mut s = Script::new(now, Some(rid), w.envs[e].version.clone());
    s.info("restartAppServer is starting.");
    s.wait(2 * SEC);
    let d = w.rng.between(5, 9) * SEC;
    restart_all(&mut s, targets, EngineScript::Restart, d);
    s.wait(SEC);
    s.info("restartAppServer completed successfully.");
    s.push(Step::Status(EnvStatus::Ready));
    s.push(Step::OpDone);
    w.schedule(e, Some(token), s);
    Ok(())
}

/// UpdateEnvironment with option settings: the settings go to the stack and the instances, and
/// the change ends as `end` says. No version is deployed, so the events name none.
fn configure(w: &mut World, e: usize, end: ConfigEnd, rid: String) -> CloudResult<()> {
    require_ready(&w.envs[e])?;
    let now = w.now;
    let env = &w.envs[e];
    let name = env.name.clone();
    let stack = env.stack_name();
    let ids: Vec<String> = env.live_instances(now).map(|i| i.id.clone()).collect();
    let token = begin(w, e, OpKind::Configure);
    let mut s = Script::new(now, Some(rid), None);
    s.info("Environment update is starting.");
    s.wait(w.rng.between(2, 4) * SEC);
    s.info(format!(
        "Updating environment {name}'s configuration settings."
    ));
    match end {
        ConfigEnd::Applied => {
            s.wait(w.rng.between(20, 40) * SEC);
            s.info("Successfully deployed new configuration to environment.");
            s.wait(SEC);
            s.info("Environment update completed successfully.");
        }
        ConfigEnd::Reverted => {
            s.wait(w.rng.between(3, 6) * SEC);
            let request = w.rng.uuid();
            reverted_stack_steps(&mut s, &stack, &request);
            s.wait(2 * SEC);
            s.error("Failed to deploy configuration.");
            s.wait(w.rng.between(15, 25) * SEC);
            s.info("The environment was reverted to the previous configuration setting.");
        }
        ConfigEnd::TimedOut => {
            s.wait(w.rng.between(60, 80) * SEC);
            let late = ids.last().cloned().unwrap_or_default();
            s.warn(format!(
                "The following instances have not responded in the allowed command timeout time (they might still finish eventually on their own): [{late}]."
            ));
            s.wait(SEC);
            s.warn(
                "Update environment operation is complete, but with errors. For more information, see troubleshooting documentation.",
            );
        }
    }
    s.push(Step::Status(EnvStatus::Ready));
    s.push(Step::OpDone);
    w.schedule(e, Some(token), s);
    Ok(())
}

/// The settings need a new launch template, which EC2 refuses (an Arm instance type with the
/// platform's x86_64 image): CloudFormation rolls the stack back and Elastic Beanstalk says so.
fn reverted_stack_steps(s: &mut Script, stack: &str, request: &str) {
    let reason = format!(
        "Resource handler returned message: \"The architecture 'arm64' of the specified instance type does not match the architecture 'x86_64' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. (Service: Ec2, Status Code: 400, Request ID: {request})\""
    );
    s.stack(
        stack,
        stack,
        STACK,
        "UPDATE_IN_PROGRESS",
        Some("User Initiated"),
    );
    s.wait(3 * SEC);
    s.stack(
        stack,
        "AWSEBEC2LaunchTemplate",
        LAUNCH_TEMPLATE,
        "UPDATE_IN_PROGRESS",
        None,
    );
    s.wait(2 * SEC);
    s.stack(
        stack,
        "AWSEBEC2LaunchTemplate",
        LAUNCH_TEMPLATE,
        "UPDATE_FAILED",
        Some(&reason),
    );
    let failed = "The following resource(s) failed to update: [AWSEBEC2LaunchTemplate]. ";
    s.wait(SEC);
    s.stack(
        stack,
        stack,
        STACK,
        "UPDATE_ROLLBACK_IN_PROGRESS",
        Some(failed),
    );
    s.error(format!(
        "Service:AmazonCloudFormation, Message:Stack named '{stack}' aborted operation. Current state: 'UPDATE_ROLLBACK_IN_PROGRESS'  Reason: {failed}"
    ));
    s.wait(4 * SEC);
    s.stack(
        stack,
        "AWSEBEC2LaunchTemplate",
        LAUNCH_TEMPLATE,
        "UPDATE_COMPLETE",
        None,
    );
    s.wait(2 * SEC);
    s.stack(
        stack,
        stack,
        STACK,
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        None,
    );
    s.wait(3 * SEC);
    s.stack(stack, stack, STACK, "UPDATE_ROLLBACK_COMPLETE", None);
}

/// RebuildEnvironment: the instances and the Auto Scaling group are replaced (downtime), then
/// the new instances bootstrap and deploy the environment's current version.
fn rebuild(w: &mut World, e: usize, rid: String) -> CloudResult<()> {
    require_ready(&w.envs[e])?;
    let now = w.now;
    let env = &w.envs[e];
    let old: Vec<String> = env.live_instances(now).map(|i| i.id.clone()).collect();
    let count = env.desired.max(1);
    let stack = env.stack_name();
    let label = env.version.clone();
    let version = label
        .as_deref()
        .and_then(|l| w.version(&env.app, l))
        .cloned();
    let deployment = env.deployment_id + 1;
    w.envs[e].deployment_id = deployment;
    let token = begin(w, e, OpKind::Rebuild);

    let mut s = Script::new(now, Some(rid), label.clone());
    s.info("rebuildEnvironment is starting.");
    replace_group_steps(&mut s, &stack);
    s.wait(4 * SEC);
    for id in &old {
        s.push(Step::Phase {
            instance: id.clone(),
            phase: Phase::Gone,
        });
        s.info(format!("Removed instance [{id}] from your environment."));
    }
    s.wait(2 * SEC);
    let fresh = launch_instances(w, &mut s, count);
    s.wait(w.rng.between(45, 70) * SEC);
    if let Some(v) = &version {
        let d = w.rng.between(v.deploy_secs.0, v.deploy_secs.1) * SEC;
        let script = EngineScript::bootstrap(v, Outcome::Ok);
        deploy::deploy_instances(&mut s, &fresh, v, deployment, script, d);
        deploy::announce_added(&mut s, &fresh);
    }
    delete_old_group_steps(&mut s, &stack);
    s.wait(2 * SEC);
    s.info("rebuildEnvironment completed successfully.");
    s.push(Step::Status(EnvStatus::Ready));
    s.push(Step::OpDone);
    w.schedule(e, Some(token), s);
    Ok(())
}

/// The stack update starts: a new launch template, and a new Auto Scaling group to replace the
/// old one (whose instances go).
fn replace_group_steps(s: &mut Script, stack: &str) {
    s.stack(
        stack,
        stack,
        STACK,
        "UPDATE_IN_PROGRESS",
        Some("User Initiated"),
    );
    s.wait(3 * SEC);
    s.stack(
        stack,
        "AWSEBEC2LaunchTemplate",
        LAUNCH_TEMPLATE,
        "UPDATE_IN_PROGRESS",
        None,
    );
    s.wait(2 * SEC);
    s.stack(
        stack,
        "AWSEBEC2LaunchTemplate",
        LAUNCH_TEMPLATE,
        "UPDATE_COMPLETE",
        None,
    );
    s.wait(SEC);
    group_event(
        s,
        stack,
        "UPDATE_IN_PROGRESS",
        Some(
            "Requested update requires the creation of a new physical resource; hence creating one.",
        ),
    );
}

/// The new group is in place: the stack cleans up by deleting the old one, then completes.
fn delete_old_group_steps(s: &mut Script, stack: &str) {
    s.wait(3 * SEC);
    group_event(s, stack, "UPDATE_COMPLETE", None);
    s.wait(2 * SEC);
    s.stack(
        stack,
        stack,
        STACK,
        "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        None,
    );
    s.wait(2 * SEC);
    group_event(s, stack, "DELETE_IN_PROGRESS", None);
    s.wait(20 * SEC);
    group_event(s, stack, "DELETE_COMPLETE", None);
    s.wait(SEC);
    s.stack(stack, stack, STACK, "UPDATE_COMPLETE", None);
}

/// SwapEnvironmentCNAMEs: both environments of one application, both Ready, both with a CNAME.
fn swap(w: &mut World, a: usize, b: usize, rid: String) -> CloudResult<()> {
    let (ea, eb) = (&w.envs[a], &w.envs[b]);
    if a == b {
        return Err(CloudError::Other(format!(
            "Cannot swap the CNAME of environment {} with itself.",
            ea.name
        )));
    }
    if ea.app != eb.app {
        return Err(CloudError::Other(format!(
            "Environments {} and {} belong to different applications; CNAMEs can only be swapped within one application.",
            ea.name, eb.name
        )));
    }
    for env in [ea, eb] {
        if env.tier == Tier::Worker || env.cname.is_none() {
            return Err(CloudError::Other(format!(
                "Environment named {} is a worker environment and has no CNAME to swap.",
                env.name
            )));
        }
    }
    require_ready(ea)?;
    require_ready(eb)?;
    let (na, nb) = (ea.name.clone(), eb.name.clone());
    let now = w.now;
    let done = w.rng.between(6, 10) * SEC;
    for (me, other) in [(a, b), (b, a)] {
        let token = begin(w, me, OpKind::Swap);
        let mut s = Script::new(now, Some(rid.clone()), None);
        s.info(format!(
            "Swapping CNAMEs for environments '{na}' and '{nb}'."
        ));
        s.wait(done);
        if me == a {
            s.push(Step::SwapCname { other });
        }
        s.info(format!(
            "Completed swapping CNAMEs for environments '{na}' and '{nb}'."
        ));
        s.push(Step::Status(EnvStatus::Ready));
        s.push(Step::OpDone);
        w.schedule(me, Some(token), s);
    }
    Ok(())
}
