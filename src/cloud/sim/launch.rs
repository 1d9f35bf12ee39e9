//! CreateEnvironment: the CloudFormation stack, the instances' first boot, and (for the
//! create-fail story) the failure and the stack's rollback.

use crate::domain::{EnvStatus, Tier};

use super::deploy::deploy_instances;
use super::engine::{EngineScript, Outcome};
use super::model::{ACCOUNT, OpKind, OpState, Phase, REGION, SEC, Version};
use super::resources::{
    ALARM, ASG, LAUNCH_TEMPLATE, LISTENER, LOAD_BALANCER, QUEUE, SCALING_POLICY, SECURITY_GROUP,
    STACK, TABLE, TARGET_GROUP, UPPER_ALNUM, WAIT_CONDITION, WAIT_HANDLE, launch_instances,
};
use super::rng::HEX;
use super::timefmt::iso_secs;
use super::world::{Script, Step, World};

/// What CloudFormation says when the instance reports its bootstrap failed.
pub(crate) const SIGNAL_FAILURE: &str = "Received 1 FAILURE signal(s) out of 1. Unable to satisfy 100% MinSuccessfulInstancesPercent requirement";
const ROLLBACK_REASON: &str = "The following resource(s) failed to create: [AWSEBAutoScalingGroup]. Rollback requested by user.";

/// Resources created so far, so a rollback can delete them in reverse.
struct Created(Vec<(&'static str, &'static str)>);

/// Create a resource: in progress, initiated, then complete after `secs`.
fn resource(
    s: &mut Script,
    created: &mut Created,
    stack: &str,
    logical: &'static str,
    rtype: &'static str,
    secs: i64,
) {
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
    created.0.push((logical, rtype));
}

/// Launch environment `e` with the version preset on it; `fail` makes the first boot fail and
/// the stack roll back (the environment ends Terminated, still listed for a while).
pub(crate) fn create(w: &mut World, e: usize, fail: bool, rid: String) {
    let now = w.now;
    let token = w.token();
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
    env.deployment_id = 1;
    let (name, stack, tier, count, cname) = (
        env.name.clone(),
        env.stack_name(),
        env.tier,
        env.desired.max(1),
        env.cname.clone(),
    );
    let label = env.version.clone();
    let version = label
        .as_deref()
        .and_then(|l| w.version(&w.envs[e].app, l))
        .cloned();
    let web = tier == Tier::Web;
    let mut created = Created(Vec::new());

    let mut s = Script::new(now, Some(rid), label.clone());
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
    resource(
        &mut s,
        &mut created,
        &stack,
        "AWSEBBeanstalkMetadata",
        WAIT_HANDLE,
        1,
    );
    resource(
        &mut s,
        &mut created,
        &stack,
        "AWSEBInstanceLaunchWaitHandle",
        WAIT_HANDLE,
        1,
    );
    if web {
        resource(
            &mut s,
            &mut created,
            &stack,
            "AWSEBLoadBalancerSecurityGroup",
            SECURITY_GROUP,
            5,
        );
        s.info(format!("Created security group named: sg-0{}", &hex[..16]));
    }
    resource(
        &mut s,
        &mut created,
        &stack,
        "AWSEBSecurityGroup",
        SECURITY_GROUP,
        5,
    );
    s.info(format!(
        "Created security group named: {stack}-AWSEBSecurityGroup-{suffix}"
    ));
    if web {
        resource(
            &mut s,
            &mut created,
            &stack,
            "AWSEBV2LoadBalancerTargetGroup",
            TARGET_GROUP,
            12,
        );
        s.info(format!(
            "Created target group named: arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/awseb-AWSEB-{suffix}/{hex}"
        ));
    } else {
        resource(
            &mut s,
            &mut created,
            &stack,
            "AWSEBWorkerDeadLetterQueue",
            QUEUE,
            3,
        );
        resource(&mut s, &mut created, &stack, "AWSEBWorkerQueue", QUEUE, 3);
        resource(
            &mut s,
            &mut created,
            &stack,
            "AWSEBWorkerCronLeaderRegistry",
            TABLE,
            10,
        );
    }
    resource(
        &mut s,
        &mut created,
        &stack,
        "AWSEBEC2LaunchTemplate",
        LAUNCH_TEMPLATE,
        3,
    );
    if web {
        resource(
            &mut s,
            &mut created,
            &stack,
            "AWSEBV2LoadBalancer",
            LOAD_BALANCER,
            150,
        );
        s.info(format!(
            "Created load balancer named: arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/awseb--AWSEB-{suffix}/{hex}"
        ));
        resource(
            &mut s,
            &mut created,
            &stack,
            "AWSEBV2LoadBalancerListener",
            LISTENER,
            2,
        );
    }

    // The Auto Scaling group: its instances boot and deploy before it completes.
    s.stack(
        &stack,
        "AWSEBAutoScalingGroup",
        ASG,
        "CREATE_IN_PROGRESS",
        None,
    );
    s.wait(SEC);
    s.stack(
        &stack,
        "AWSEBAutoScalingGroup",
        ASG,
        "CREATE_IN_PROGRESS",
        Some("Resource creation Initiated"),
    );
    let ids = launch_instances(w, &mut s, count);
    s.wait(w.rng.between(40, 60) * SEC);
    let (lo, hi) = version.as_ref().map(|v| v.deploy_secs).unwrap_or((25, 40));
    let d = w.rng.between(lo, hi) * SEC;
    let outcome = if fail {
        Outcome::PrebuildHookFails
    } else {
        Outcome::Ok
    };
    // A label the application does not know (never the case in the seeded account) deploys as
    // a working build with the default timings.
    let v = version.clone().unwrap_or_else(|| Version {
        label: label.clone().unwrap_or_default(),
        description: String::new(),
        created: now,
        broken: false,
        deploy_secs: (lo, hi),
    });
    let script = EngineScript::Bootstrap {
        version: v.label.clone(),
        outcome,
    };
    deploy_instances(&mut s, &ids, &v, 1, script, d);

    if fail {
        s.error("Instance deployment failed. For details, see 'eb-engine.log'.");
        for id in &ids {
            s.error(format!(
                "[Instance: {id}] Command failed on instance. Return code: 1 Output: Engine execution has encountered an error.."
            ));
        }
        s.wait(w.rng.between(20, 40) * SEC);
        s.stack(
            &stack,
            "AWSEBAutoScalingGroup",
            ASG,
            "CREATE_FAILED",
            Some(SIGNAL_FAILURE),
        );
        s.wait(SEC);
        s.stack(
            &stack,
            &stack,
            STACK,
            "ROLLBACK_IN_PROGRESS",
            Some(ROLLBACK_REASON),
        );
        s.push(Step::Status(EnvStatus::Terminating));
        s.error(format!(
            "Stack named '{stack}' aborted operation. Current state: 'ROLLBACK_IN_PROGRESS'  Reason: {ROLLBACK_REASON}"
        ));
        // CloudFormation deletes what it made, newest first; the group takes its instances along.
        s.wait(2 * SEC);
        s.stack(
            &stack,
            "AWSEBAutoScalingGroup",
            ASG,
            "DELETE_IN_PROGRESS",
            None,
        );
        s.wait(w.rng.between(30, 60) * SEC);
        for id in &ids {
            s.push(Step::Phase {
                instance: id.clone(),
                phase: Phase::Gone,
            });
        }
        s.stack(
            &stack,
            "AWSEBAutoScalingGroup",
            ASG,
            "DELETE_COMPLETE",
            None,
        );
        for (logical, rtype) in created.0.iter().rev() {
            s.wait(SEC);
            s.stack(&stack, logical, rtype, "DELETE_IN_PROGRESS", None);
            s.wait(if *rtype == LOAD_BALANCER {
                8 * SEC
            } else {
                2 * SEC
            });
            s.stack(&stack, logical, rtype, "DELETE_COMPLETE", None);
        }
        s.wait(SEC);
        s.stack(&stack, &stack, STACK, "ROLLBACK_COMPLETE", None);
        s.wait(2 * SEC);
        s.error("Create environment operation is complete, but with errors. For more information, see troubleshooting documentation.");
        s.push(Step::Terminated);
        w.schedule(e, Some(token), s);
        return;
    }

    s.info("Instance deployment completed successfully.");
    s.wait(5 * SEC);
    s.stack(
        &stack,
        "AWSEBAutoScalingGroup",
        ASG,
        "CREATE_COMPLETE",
        None,
    );
    s.info(format!(
        "Created Auto Scaling group named: {stack}-AWSEBAutoScalingGroup-{suffix}"
    ));
    let mut created = Created(Vec::new());
    resource(
        &mut s,
        &mut created,
        &stack,
        "AWSEBAutoScalingScaleUpPolicy",
        SCALING_POLICY,
        1,
    );
    resource(
        &mut s,
        &mut created,
        &stack,
        "AWSEBAutoScalingScaleDownPolicy",
        SCALING_POLICY,
        1,
    );
    s.info(format!("Created Auto Scaling group policy named: arn:aws:autoscaling:{REGION}:{ACCOUNT}:scalingPolicy:{}", &hex[..8]));
    resource(
        &mut s,
        &mut created,
        &stack,
        "AWSEBCloudwatchAlarmHigh",
        ALARM,
        1,
    );
    resource(
        &mut s,
        &mut created,
        &stack,
        "AWSEBCloudwatchAlarmLow",
        ALARM,
        1,
    );
    s.info(format!(
        "Created CloudWatch alarm named: {stack}-AWSEBCloudwatchAlarmHigh-{suffix}"
    ));
    s.info(format!(
        "Created CloudWatch alarm named: {stack}-AWSEBCloudwatchAlarmLow-{suffix}"
    ));
    resource(
        &mut s,
        &mut created,
        &stack,
        "AWSEBInstanceLaunchWaitCondition",
        WAIT_CONDITION,
        2,
    );
    s.stack(&stack, &stack, STACK, "CREATE_COMPLETE", None);
    s.wait(3 * SEC);
    if let Some(cname) = cname {
        s.info(format!("Application available at {cname}."));
    }
    s.info(format!("Successfully launched environment: {name}"));
    if let Some(label) = label {
        s.push(Step::RecordDeploy(label));
    }
    s.push(Step::LaunchFinished);
    s.push(Step::Status(EnvStatus::Ready));
    s.push(Step::OpDone);
    w.schedule(e, Some(token), s);
    tracing::trace!(env = %name, at = %iso_secs(now), "simulated environment launch scheduled");
}
