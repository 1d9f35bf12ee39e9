//! CreateEnvironment: the CloudFormation stack, the instances' first boot, and (for the
//! create-fail story) the failure and the stack's rollback.
//!
//! `create` writes one script in three parts: `stack_steps` (the resources before the Auto
//! Scaling group), `boot_steps` (the group's instances launch and deploy through
//! `deploy::deploy_instances`), then either `complete_steps` or `rollback_steps`.

use crate::domain::{EnvStatus, Tier};

use super::deploy::deploy_instances;
use super::engine::{EngineScript, Outcome};
use super::model::{ACCOUNT, OpKind, OpState, Phase, REGION, SEC, Version};
use super::resources::{
    ALARM, LAUNCH_TEMPLATE, LISTENER, LOAD_BALANCER, QUEUE, SCALING_POLICY, SECURITY_GROUP, STACK,
    TABLE, TARGET_GROUP, UPPER_ALNUM, WAIT_CONDITION, WAIT_HANDLE, group_event, launch_instances,
};
use super::rng::HEX;
use super::timefmt::iso_secs;
use super::world::{Script, Step, World};

/// What CloudFormation says when the instance reports its bootstrap failed.
pub(crate) const SIGNAL_FAILURE: &str = "Received 1 FAILURE signal(s) out of 1. Unable to satisfy 100% MinSuccessfulInstancesPercent requirement";
const ROLLBACK_REASON: &str = "The following resource(s) failed to create: [AWSEBAutoScalingGroup]. Rollback requested by user.";

/// The deployment id of an environment's first deployment, the one that comes with creation.
const FIRST_DEPLOYMENT: i64 = 1;

/// What the creation's steps need to know about the environment.
struct Launch {
    name: String,
    stack: String,
    web: bool,
    count: usize,
    cname: Option<String>,
    label: Option<String>,
    /// The version preset on the environment, as the first boot deploys it.
    version: Version,
    /// CloudFormation's random suffix of physical names, and a hex id for ARNs.
    suffix: String,
    hex: String,
    /// Resources created so far, newest last, so a rollback can delete them in reverse.
    created: Vec<(&'static str, &'static str)>,
}

impl Launch {
    /// Create a resource: in progress, initiated, then complete after `secs`.
    fn resource(&mut self, s: &mut Script, logical: &'static str, rtype: &'static str, secs: i64) {
        let stack = &self.stack;
        s.stack(stack, logical, rtype, "CREATE_IN_PROGRESS", None);
        s.wait(SEC);
        s.stack(
            stack,
            logical,
            rtype,
            "CREATE_IN_PROGRESS",
            Some("Resource creation Initiated"),
        );
        s.wait(secs * SEC);
        s.stack(stack, logical, rtype, "CREATE_COMPLETE", None);
        self.created.push((logical, rtype));
    }

    /// A stack event of the Auto Scaling group.
    fn group(&self, s: &mut Script, status: &str, reason: Option<&str>) {
        group_event(s, &self.stack, status, reason);
    }
}

/// Launch environment `e` with the version preset on it; `fail` makes the first boot fail and
/// the stack roll back (the environment ends Terminated, still listed for a while).
pub(crate) fn create(w: &mut World, e: usize, fail: bool, rid: String) {
    let now = w.now;
    let token = w.token();
    let mut l = begin(w, e, token);
    let mut s = Script::new(now, Some(rid), l.label.clone());
    stack_steps(&mut s, &mut l);
    let ids = boot_steps(w, &mut s, &l, fail);
    if fail {
        rollback_steps(w, &mut s, &l, &ids);
    } else {
        complete_steps(&mut s, &mut l);
    }
    w.schedule(e, Some(token), s);
    if !fail {
        tracing::trace!(env = %l.name, at = %iso_secs(now), "simulated environment launch scheduled");
    }
}

/// Mark the environment Launching under operation `token` and gather what the steps need.
fn begin(w: &mut World, e: usize, token: u64) -> Launch {
    let now = w.now;
    let suffix = w.rng.chars(UPPER_ALNUM, 12);
    let hex = w.rng.chars(HEX, 16);
    let env = &mut w.envs[e];
    env.op = Some(OpState {
        token,
        kind: OpKind::Create,
        started: now,
        abortable: false,
    });
    env.status = EnvStatus::Launching;
    env.updated = now;
    env.launch = Some((now, None));
    env.deployment_id = FIRST_DEPLOYMENT;
    let env = &w.envs[e];
    let label = env.version.clone();
    // A label the application does not know (never the case in the seeded account) deploys as
    // a working build with the default timings.
    let version = label
        .as_deref()
        .and_then(|l| w.version(&env.app, l))
        .cloned()
        .unwrap_or_else(|| Version {
            label: label.clone().unwrap_or_default(),
            description: String::new(),
            created: now,
            broken: false,
            install_fails: false,
            deploy_secs: (25, 40),
            shipped: None,
        });
    Launch {
        name: env.name.clone(),
        stack: env.stack_name(),
        web: env.tier == Tier::Web,
        count: env.desired.max(1),
        cname: env.cname.clone(),
        label,
        version,
        suffix,
        hex,
        created: Vec::new(),
    }
}

/// The stack and the resources the Auto Scaling group needs: security groups, the load
/// balancer (web) or the queues (worker), the launch template.
fn stack_steps(s: &mut Script, l: &mut Launch) {
    let (stack, suffix, hex) = (l.stack.clone(), l.suffix.clone(), l.hex.clone());
    s.info("createEnvironment is starting.");
    s.wait(SEC);
    s.info(format!("Using elasticbeanstalk-{REGION}-{ACCOUNT} as Amazon S3 storage bucket for environment data."));
    s.wait(2 * SEC);
    s.stack(
        &stack,
        &stack,
        STACK,
        "CREATE_IN_PROGRESS",
        Some("User Initiated"),
    );
    s.wait(2 * SEC);
    l.resource(s, "AWSEBBeanstalkMetadata", WAIT_HANDLE, 1);
    l.resource(s, "AWSEBInstanceLaunchWaitHandle", WAIT_HANDLE, 1);
    if l.web {
        l.resource(s, "AWSEBLoadBalancerSecurityGroup", SECURITY_GROUP, 5);
        s.info(format!("Created security group named: sg-0{}", &hex[..16]));
    }
    l.resource(s, "AWSEBSecurityGroup", SECURITY_GROUP, 5);
    s.info(format!(
        "Created security group named: {stack}-AWSEBSecurityGroup-{suffix}"
    ));
    if l.web {
        l.resource(s, "AWSEBV2LoadBalancerTargetGroup", TARGET_GROUP, 12);
        s.info(format!(
            "Created target group named: arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/awseb-AWSEB-{suffix}/{hex}"
        ));
    } else {
        l.resource(s, "AWSEBWorkerDeadLetterQueue", QUEUE, 3);
        l.resource(s, "AWSEBWorkerQueue", QUEUE, 3);
        l.resource(s, "AWSEBWorkerCronLeaderRegistry", TABLE, 10);
    }
    l.resource(s, "AWSEBEC2LaunchTemplate", LAUNCH_TEMPLATE, 3);
    if l.web {
        l.resource(s, "AWSEBV2LoadBalancer", LOAD_BALANCER, 150);
        s.info(format!(
            "Created load balancer named: arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/awseb--AWSEB-{suffix}/{hex}"
        ));
        l.resource(s, "AWSEBV2LoadBalancerListener", LISTENER, 2);
    }
}

/// The Auto Scaling group starts; its instances boot and deploy before it completes (or, with
/// `fail`, the pre-build hook fails on them). Returns the instances' ids.
fn boot_steps(w: &mut World, s: &mut Script, l: &Launch, fail: bool) -> Vec<String> {
    l.group(s, "CREATE_IN_PROGRESS", None);
    s.wait(SEC);
    l.group(s, "CREATE_IN_PROGRESS", Some("Resource creation Initiated"));
    let ids = launch_instances(w, s, l.count);
    s.wait(w.rng.between(40, 60) * SEC);
    let (lo, hi) = l.version.deploy_secs;
    let d = w.rng.between(lo, hi) * SEC;
    let outcome = if fail {
        Outcome::PrebuildHookFails
    } else {
        Outcome::Ok
    };
    let script = EngineScript::bootstrap(&l.version, outcome);
    deploy_instances(s, &ids, &l.version, FIRST_DEPLOYMENT, script, d);
    ids
}

/// The instances failed: the group fails, and CloudFormation deletes what it made, newest first
/// (the group takes its instances along). The environment ends Terminated.
fn rollback_steps(w: &mut World, s: &mut Script, l: &Launch, ids: &[String]) {
    let stack = &l.stack;
    s.error("Instance deployment failed. For details, see 'eb-engine.log'.");
    for id in ids {
        s.error(format!(
            "[Instance: {id}] Command failed on instance. Return code: 1 Output: Engine execution has encountered an error.."
        ));
    }
    s.wait(w.rng.between(20, 40) * SEC);
    l.group(s, "CREATE_FAILED", Some(SIGNAL_FAILURE));
    s.wait(SEC);
    s.stack(
        stack,
        stack,
        STACK,
        "ROLLBACK_IN_PROGRESS",
        Some(ROLLBACK_REASON),
    );
    s.push(Step::Status(EnvStatus::Terminating));
    s.error(format!(
        "Stack named '{stack}' aborted operation. Current state: 'ROLLBACK_IN_PROGRESS'  Reason: {ROLLBACK_REASON}"
    ));
    s.wait(2 * SEC);
    l.group(s, "DELETE_IN_PROGRESS", None);
    s.wait(w.rng.between(30, 60) * SEC);
    for id in ids {
        s.push(Step::Phase {
            instance: id.clone(),
            phase: Phase::Gone,
        });
    }
    l.group(s, "DELETE_COMPLETE", None);
    for (logical, rtype) in l.created.iter().rev() {
        s.wait(SEC);
        s.stack(stack, logical, rtype, "DELETE_IN_PROGRESS", None);
        s.wait(if *rtype == LOAD_BALANCER {
            8 * SEC
        } else {
            2 * SEC
        });
        s.stack(stack, logical, rtype, "DELETE_COMPLETE", None);
    }
    s.wait(SEC);
    s.stack(stack, stack, STACK, "ROLLBACK_COMPLETE", None);
    s.wait(2 * SEC);
    s.error("Create environment operation is complete, but with errors. For more information, see troubleshooting documentation.");
    s.push(Step::Terminated);
}

/// The instances serve: the group completes, its scaling policies and alarms follow, and the
/// environment is Ready.
fn complete_steps(s: &mut Script, l: &mut Launch) {
    let (stack, suffix, hex) = (l.stack.clone(), l.suffix.clone(), l.hex.clone());
    s.info("Instance deployment completed successfully.");
    s.wait(5 * SEC);
    l.group(s, "CREATE_COMPLETE", None);
    s.info(format!(
        "Created Auto Scaling group named: {stack}-AWSEBAutoScalingGroup-{suffix}"
    ));
    l.resource(s, "AWSEBAutoScalingScaleUpPolicy", SCALING_POLICY, 1);
    l.resource(s, "AWSEBAutoScalingScaleDownPolicy", SCALING_POLICY, 1);
    s.info(format!("Created Auto Scaling group policy named: arn:aws:autoscaling:{REGION}:{ACCOUNT}:scalingPolicy:{}", &hex[..8]));
    l.resource(s, "AWSEBCloudwatchAlarmHigh", ALARM, 1);
    l.resource(s, "AWSEBCloudwatchAlarmLow", ALARM, 1);
    s.info(format!(
        "Created CloudWatch alarm named: {stack}-AWSEBCloudwatchAlarmHigh-{suffix}"
    ));
    s.info(format!(
        "Created CloudWatch alarm named: {stack}-AWSEBCloudwatchAlarmLow-{suffix}"
    ));
    l.resource(s, "AWSEBInstanceLaunchWaitCondition", WAIT_CONDITION, 2);
    s.stack(&stack, &stack, STACK, "CREATE_COMPLETE", None);
    s.wait(3 * SEC);
    if let Some(cname) = &l.cname {
        s.info(format!("Application available at {cname}."));
    }
    s.info(format!("Successfully launched environment: {}", l.name));
    if let Some(label) = &l.label {
        s.push(Step::RecordDeploy(label.clone()));
    }
    s.push(Step::LaunchFinished);
    s.push(Step::Status(EnvStatus::Ready));
    s.push(Step::OpDone);
}
