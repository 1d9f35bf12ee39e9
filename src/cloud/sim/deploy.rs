//! Application deployments (AllAtOnce, Rolling, Immutable) and aborting them.
//!
//! `deploy_instances` is the one place that scripts what a deployment does to each instance
//! (phase, deployment mark, engine output); creation and rebuild call it too, so every path
//! shows the same phases, marks and log lines.

use crate::cloud::{CloudError, CloudResult};
use crate::domain::{EnvStatus, Millis};

use super::engine::{EngineScript, Outcome};
use super::model::{DeployMark, OpKind, OpState, Phase, Policy, SEC, Version};
use super::refusals::{require_processed, require_ready};
use super::resources::{STACK, UPPER_ALNUM, group_event, launch_instance};
use super::world::{Script, Step, World};

/// Start deploying `label` to environment `e` (UpdateEnvironment with a VersionLabel).
pub(crate) fn deploy(w: &mut World, e: usize, label: &str, rid: String) -> CloudResult<()> {
    let now = w.now;
    require_ready(&w.envs[e])?;
    let app = w.envs[e].app.clone();
    let version = w.version(&app, label).cloned().ok_or_else(|| {
        CloudError::NotFound(format!("No Application Version named '{label}' found."))
    })?;
    require_processed(&version, now)?;
    let token = w.token();
    let env = &mut w.envs[e];
    let from = env.version.clone();
    let live: Vec<String> = env.live_instances(now).map(|i| i.id.clone()).collect();
    let (batch, immutable) = match env.policy {
        Policy::AllAtOnce => (live.len().max(1), false),
        Policy::Rolling { batch } => (batch.max(1), false),
        Policy::Immutable => (live.len().max(1), true),
    };
    let rolling = matches!(env.policy, Policy::Rolling { .. });
    env.deployment_id += 1;
    let deployment = env.deployment_id;
    env.op = Some(OpState {
        token,
        kind: OpKind::Deploy {
            to: label.to_string(),
            from: from.clone(),
            deployment,
            batch,
            immutable,
        },
        started: now,
        abortable: true,
    });
    // The API answers with the new status and label at once; the steps below are what follows.
    env.status = EnvStatus::Updating;
    env.version = Some(label.to_string());
    env.updated = now;

    let mut s = Script::new(now, Some(rid), Some(label.to_string()));
    s.info("Environment update is starting.");
    if immutable {
        immutable_steps(w, e, &version, deployment, from, &live, &mut s);
    } else {
        let prev = from.as_deref().and_then(|l| w.version(&app, l)).cloned();
        let plan = Batches {
            ids: &live,
            size: batch,
            rolling,
        };
        batch_steps(w, &version, deployment, plan, prev, &mut s);
    }
    w.schedule(e, Some(token), s);
    Ok(())
}

/// The instances an in-place deployment goes through, and how.
struct Batches<'a> {
    ids: &'a [String],
    size: usize,
    /// Rolling (batches announced one by one) rather than AllAtOnce.
    rolling: bool,
}

/// Deploy in place: one batch (AllAtOnce) or batches (Rolling). `prev` is the version the
/// instances serve before.
// A little over 80 lines: one batch's script told in order (de-register, deploy, register,
// fail or go on), which reads best in one place.
fn batch_steps(
    w: &mut World,
    v: &Version,
    deployment: i64,
    plan: Batches,
    prev: Option<Version>,
    s: &mut Script,
) {
    let started = s.t;
    let rolling = plan.rolling;
    s.wait(w.rng.between(2, 4) * SEC);
    s.info("Deploying new version to instance(s).");
    let batches: Vec<&[String]> = plan.ids.chunks(plan.size.max(1)).collect();
    for (k, ids) in batches.iter().enumerate() {
        let last = k + 1 == batches.len();
        s.wait(w.rng.between(1, 3) * SEC);
        if rolling {
            s.info(format!(
                "Batch {}: Starting application deployment on instance(s) [{}].",
                k + 1,
                ids.join(", ")
            ));
        }
        // The broken build passes the earlier smoke tests but, by the last batch, the crash loop
        // makes the post-deploy hook fail: EB then stops with the new label on every instance.
        // A build whose dependencies do not install, or a bundle with nothing at its root to
        // run, fails on the first batch, before any instance switches to it.
        let outcome = if let Some(early) = Outcome::early(v) {
            early
        } else if v.broken && last {
            Outcome::PostDeployHookFails
        } else {
            Outcome::Ok
        };
        let d = w.rng.between(v.deploy_secs.0, v.deploy_secs.1) * SEC;
        let script = EngineScript::app_deploy(v, outcome);
        deploy_instances(s, ids, v, deployment, script, d);
        if outcome != Outcome::Ok {
            let restore = prev.as_ref().filter(|_| outcome.before_flip());
            if let Some(prev) = restore {
                // Nothing was switched: the instances go on serving the old version.
                for id in *ids {
                    s.push(Step::Phase {
                        instance: id.clone(),
                        phase: Phase::Serving {
                            version: prev.label.clone(),
                            broken: prev.broken,
                        },
                    });
                }
            }
            fail_deploy(s, ids, outcome);
            if outcome.before_flip() {
                // The environment names the old version again; nothing was deployed to record.
                s.push(Step::Version(prev.as_ref().map(|p| p.label.clone())));
            } else {
                s.push(Step::RecordDeploy(v.label.clone()));
            }
            s.push(Step::Status(EnvStatus::Ready));
            s.push(Step::OpDone);
            return;
        }
        if rolling {
            s.info(format!(
                "Batch {}: Completed application deployment.",
                k + 1
            ));
            if !last {
                // Health-based rolling: the batch is registered and checked before the next.
                s.wait(w.rng.between(5, 10) * SEC);
            }
        }
    }
    finish_deploy(s, &v.label, started);
}

/// Steps that deploy `v` on `ids` over `d` ms, starting at the script's cursor: every
/// instance's phase, deployment mark and engine output, however the deployment came about
/// (creation, rebuild, in-place or immutable deployment, abort). The script's outcome decides
/// the end: the application serves unless the deployment stopped before the flip (pre-build
/// hook, dependency install), which leaves the new version never started (the caller puts back
/// what an instance served before, if anything); any failure marks the instance's deployment
/// Failed.
pub(crate) fn deploy_instances(
    s: &mut Script,
    ids: &[String],
    v: &Version,
    deployment: i64,
    script: EngineScript,
    d: Millis,
) {
    let started = s.t;
    let outcome = script.outcome();
    for id in ids {
        s.push(Step::Phase {
            instance: id.clone(),
            phase: Phase::Deploying {
                version: v.label.clone(),
            },
        });
        s.push(Step::InstanceDeploy {
            instance: id.clone(),
            mark: mark(deployment, "In Progress", &v.label, started, None),
        });
        s.push(Step::Engine {
            instance: id.clone(),
            script: script.clone(),
            duration: d,
        });
    }
    s.wait(d);
    let status = if outcome == Outcome::Ok {
        "Deployed"
    } else {
        "Failed"
    };
    for id in ids {
        if !outcome.before_flip() {
            s.push(Step::Phase {
                instance: id.clone(),
                phase: Phase::Serving {
                    version: v.label.clone(),
                    broken: v.broken,
                },
            });
        }
        s.push(Step::InstanceDeploy {
            instance: id.clone(),
            mark: mark(deployment, status, &v.label, started, Some(s.t)),
        });
    }
}

/// Say that the instances joined the environment, as Elastic Beanstalk does once they serve.
pub(crate) fn announce_added(s: &mut Script, ids: &[String]) {
    for id in ids {
        s.info(format!("Added instance [{id}] to your environment."));
    }
}

fn mark(
    id: i64,
    status: &'static str,
    version: &str,
    started: Millis,
    finished: Option<Millis>,
) -> DeployMark {
    DeployMark {
        id,
        status,
        version: version.to_string(),
        started,
        finished,
    }
}

fn fail_deploy(s: &mut Script, ids: &[String], outcome: Outcome) {
    s.wait(SEC);
    s.push(Step::Abortable(false));
    if let Some(why) = outcome.event() {
        s.error(why);
    }
    s.error("Instance deployment failed. For details, see 'eb-engine.log'.");
    for id in ids {
        s.error(format!(
            "[Instance: {id}] Command failed on instance. Return code: 1 Output: Engine execution has encountered an error.."
        ));
    }
    s.error(format!(
        "Unsuccessful command execution on instance id(s) '{}'. Aborting the operation.",
        ids.join("', '")
    ));
    s.wait(SEC);
    s.error("Failed to deploy application.");
    s.error(
        "During an aborted deployment, some instances may have deployed the new application version. To ensure all instances are running the same version, re-deploy the appropriate application version.",
    );
}

fn finish_deploy(s: &mut Script, label: &str, started: Millis) {
    s.wait(2 * SEC);
    s.push(Step::Abortable(false));
    s.info("New application version was deployed to running EC2 instances.");
    s.wait(SEC);
    s.info("Environment update completed successfully.");
    s.push(Step::RecordDeploy(label.to_string()));
    s.push(Step::UpdateFinished { started });
    s.push(Step::Status(EnvStatus::Ready));
    s.push(Step::OpDone);
}

/// Immutable: a temporary stack and Auto Scaling group, one instance to verify health, the rest,
/// then the new instances move to the permanent group and the old ones go.
fn immutable_steps(
    w: &mut World,
    e: usize,
    v: &Version,
    deployment: i64,
    from: Option<String>,
    old: &[String],
    s: &mut Script,
) {
    let started = s.t;
    let imm = w.envs[e].immutable_stack_name();
    let asg = format!(
        "{imm}-AWSEBAutoScalingGroup-{}",
        w.rng.chars(UPPER_ALNUM, 12)
    );
    create_temporary_group(s, &imm, &asg);
    let count = old.len().max(1);
    let first = vec![launch_instance(w, s)];
    let early = Outcome::early(v);
    boot_new_instances(w, s, v, deployment, &first, early.unwrap_or(Outcome::Ok));
    if let Some(outcome) = early {
        // The first instance's deployment fails: the temporary group goes, the old instances
        // stay.
        fail_deploy(s, &first, outcome);
        remove_instances(s, &first);
        delete_immutable_stack(s, &imm, &asg);
        s.push(Step::Version(from));
        s.push(Step::Status(EnvStatus::Ready));
        s.push(Step::OpDone);
        return;
    }
    s.wait(10 * SEC);
    group_event(s, &imm, "CREATE_COMPLETE", None);
    s.stack(&imm, &imm, STACK, "CREATE_COMPLETE", None);
    if v.broken {
        // The verification instance never turns healthy: EB throws the new instances away.
        s.wait(60 * SEC);
        s.push(Step::Abortable(false));
        s.error(format!(
            "Instance {} failed to pass health checks; the deployment is rolled back.",
            first[0]
        ));
        remove_instances(s, &first);
        delete_immutable_stack(s, &imm, &asg);
        s.error("Failed to deploy application.");
        s.push(Step::Version(from));
        s.push(Step::Status(EnvStatus::Ready));
        s.push(Step::OpDone);
        return;
    }
    if count > 1 {
        s.info(format!(
            "Launching {} more instance(s) with the new settings.",
            count - 1
        ));
        let rest: Vec<String> = (1..count).map(|_| launch_instance(w, s)).collect();
        boot_new_instances(w, s, v, deployment, &rest, Outcome::Ok);
    }
    s.wait(5 * SEC);
    s.info("Detached new instance(s) from temporary auto scaling group.");
    s.wait(2 * SEC);
    s.info("Attached new instance(s) to the permanent auto scaling group.");
    s.push(Step::Abortable(false));
    s.wait(2 * SEC);
    s.info("Deployment succeeded. Terminating old instances and temporary Auto Scaling group.");
    remove_instances(s, old);
    delete_immutable_stack(s, &imm, &asg);
    finish_deploy(s, &v.label, started);
}

/// The temporary stack `imm` and its Auto Scaling group `asg` for an immutable deployment.
fn create_temporary_group(s: &mut Script, imm: &str, asg: &str) {
    s.wait(2 * SEC);
    s.info("Immutable deployment policy enabled. Launching one instance with the new settings to verify health.");
    s.wait(SEC);
    s.stack(
        imm,
        imm,
        STACK,
        "CREATE_IN_PROGRESS",
        Some("User Initiated"),
    );
    s.wait(2 * SEC);
    group_event(s, imm, "CREATE_IN_PROGRESS", None);
    s.wait(SEC);
    group_event(
        s,
        imm,
        "CREATE_IN_PROGRESS",
        Some("Resource creation Initiated"),
    );
    s.wait(3 * SEC);
    s.info(format!("Created temporary auto scaling group {asg}."));
}

/// Instances just launched boot and deploy `v`, then join the environment unless the
/// deployment failed.
fn boot_new_instances(
    w: &mut World,
    s: &mut Script,
    v: &Version,
    deployment: i64,
    ids: &[String],
    outcome: Outcome,
) {
    s.wait(w.rng.between(40, 60) * SEC);
    let d = w.rng.between(v.deploy_secs.0, v.deploy_secs.1) * SEC;
    deploy_instances(
        s,
        ids,
        v,
        deployment,
        EngineScript::bootstrap(v, outcome),
        d,
    );
    if outcome == Outcome::Ok {
        announce_added(s, ids);
    }
}

fn remove_instances(s: &mut Script, ids: &[String]) {
    for id in ids {
        s.wait(2 * SEC);
        s.push(Step::Phase {
            instance: id.clone(),
            phase: Phase::Gone,
        });
        s.info(format!("Removed instance [{id}] from your environment."));
    }
}

fn delete_immutable_stack(s: &mut Script, imm: &str, asg: &str) {
    s.wait(3 * SEC);
    s.stack(
        imm,
        imm,
        STACK,
        "DELETE_IN_PROGRESS",
        Some("User Initiated"),
    );
    s.wait(2 * SEC);
    group_event(s, imm, "DELETE_IN_PROGRESS", None);
    s.wait(40 * SEC);
    group_event(s, imm, "DELETE_COMPLETE", None);
    s.wait(SEC);
    s.stack(imm, imm, STACK, "DELETE_COMPLETE", None);
    s.info(format!("Deleted temporary auto scaling group(s): {asg}."));
}

/// What an abort finds to undo of the deployment in progress.
struct Undo {
    /// The deployment's operation token, to cancel what is left of it.
    token: u64,
    /// The version before the deployment, which the environment goes back to.
    from: Option<String>,
    prev: Option<Version>,
    batch: usize,
    /// Instances the deployment launched: they go.
    created: Vec<String>,
    /// Older instances that got (or were getting) the new version: they get `prev` back.
    rollback: Vec<String>,
    /// The immutable deployment's temporary stack, if it had been created: it is deleted.
    temporary_stack: Option<String>,
}

/// AbortEnvironmentUpdate: stop what is left of the deployment, take back the instances that
/// got (or were getting) the new version, batch by batch, and drop instances it launched.
pub(crate) fn abort(w: &mut World, e: usize, rid: String) -> CloudResult<()> {
    let now = w.now;
    let undo = what_to_undo(w, e)?;
    w.cancel(undo.token);
    let token = w.token();
    let env = &mut w.envs[e];
    // What the cancelled steps would have logged has not happened.
    env.files.retain(|l| l.ts <= now);
    env.deployment_id += 1;
    let deployment = env.deployment_id;
    env.op = Some(OpState {
        token,
        kind: OpKind::Abort,
        started: now,
        abortable: false,
    });
    env.status = EnvStatus::Aborting;
    env.version = undo.from.clone();
    env.updated = now;

    let mut s = Script::new(now, Some(rid), undo.from.clone());
    s.info("Received request to abort environment update.");
    if !undo.created.is_empty() {
        remove_instances(&mut s, &undo.created);
    }
    if let Some(imm) = &undo.temporary_stack {
        let asg = format!("{imm}-AWSEBAutoScalingGroup");
        delete_immutable_stack(&mut s, imm, &asg);
    }
    if let (Some(prev), false) = (&undo.prev, undo.rollback.is_empty()) {
        roll_back_steps(w, &mut s, prev, &undo.rollback, undo.batch, deployment);
    }
    s.wait(2 * SEC);
    s.warn("Environment update was aborted.");
    s.push(Step::Status(EnvStatus::Ready));
    s.push(Step::OpDone);
    w.schedule(e, Some(token), s);
    Ok(())
}

/// The deployment an abort stops and what it left behind; refused when there is none, or it is
/// past the point of no return.
fn what_to_undo(w: &World, e: usize) -> CloudResult<Undo> {
    let now = w.now;
    let env = &w.envs[e];
    let refusal = || {
        CloudError::Other(format!(
            "Environment named {} has no abortable operation in progress.",
            env.name
        ))
    };
    let op = env.op.clone().filter(|o| o.abortable).ok_or_else(refusal)?;
    let OpKind::Deploy {
        from,
        batch,
        immutable,
        ..
    } = op.kind.clone()
    else {
        return Err(refusal());
    };
    let mut rollback = Vec::new();
    let mut created = Vec::new();
    for inst in env.live_instances(now) {
        if inst.launched >= op.started {
            created.push(inst.id.clone());
        } else if inst.version_at(now) != from.as_deref() {
            rollback.push(inst.id.clone());
        }
    }
    let imm = env.immutable_stack_name();
    let imm_created = env
        .stack_events
        .iter()
        .any(|ev| ev.stack == imm && ev.ts >= op.started);
    let prev = from
        .as_deref()
        .and_then(|label| w.version(&env.app, label))
        .cloned();
    Ok(Undo {
        token: op.token,
        from,
        prev,
        batch,
        created,
        rollback,
        temporary_stack: (immutable && imm_created).then_some(imm),
    })
}

/// Deploy `prev` back on `ids`, in batches of `batch`, as a rolling deployment would.
fn roll_back_steps(
    w: &mut World,
    s: &mut Script,
    prev: &Version,
    ids: &[String],
    batch: usize,
    deployment: i64,
) {
    s.wait(2 * SEC);
    s.info(format!(
        "Rolling back instances to the previous application version '{}'.",
        prev.label
    ));
    for (k, ids) in ids.chunks(batch.max(1)).enumerate() {
        s.wait(w.rng.between(1, 3) * SEC);
        s.info(format!(
            "Batch {}: Starting application deployment on instance(s) [{}].",
            k + 1,
            ids.join(", ")
        ));
        let d = w.rng.between(prev.deploy_secs.0, prev.deploy_secs.1) * SEC;
        let script = EngineScript::app_deploy(prev, Outcome::Ok);
        deploy_instances(s, ids, prev, deployment, script, d);
        s.info(format!(
            "Batch {}: Completed application deployment.",
            k + 1
        ));
    }
}
