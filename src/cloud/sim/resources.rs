//! The resources Elastic Beanstalk creates and the ids it gives them: environment and instance
//! ids, the CloudFormation resource types its stacks are made of, and launching instances.
//!
//! Creation, rebuild and immutable deployments all make these, so they live here rather than
//! with any one of those operations.

use super::rng::{HEX, LOWER_ALNUM};
use super::world::{Script, Step, World};

/// The alphabet of the random suffixes CloudFormation appends to physical resource names.
pub(crate) const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

// CloudFormation resource types of an environment's stacks.
pub(crate) const STACK: &str = "AWS::CloudFormation::Stack";
pub(crate) const ASG: &str = "AWS::AutoScaling::AutoScalingGroup";
pub(crate) const LAUNCH_TEMPLATE: &str = "AWS::EC2::LaunchTemplate";
pub(crate) const SECURITY_GROUP: &str = "AWS::EC2::SecurityGroup";
pub(crate) const WAIT_HANDLE: &str = "AWS::CloudFormation::WaitConditionHandle";
pub(crate) const WAIT_CONDITION: &str = "AWS::CloudFormation::WaitCondition";
pub(crate) const TARGET_GROUP: &str = "AWS::ElasticLoadBalancingV2::TargetGroup";
pub(crate) const LOAD_BALANCER: &str = "AWS::ElasticLoadBalancingV2::LoadBalancer";
pub(crate) const LISTENER: &str = "AWS::ElasticLoadBalancingV2::Listener";
pub(crate) const SCALING_POLICY: &str = "AWS::AutoScaling::ScalingPolicy";
pub(crate) const ALARM: &str = "AWS::CloudWatch::Alarm";
pub(crate) const QUEUE: &str = "AWS::SQS::Queue";
pub(crate) const TABLE: &str = "AWS::DynamoDB::Table";

const AZS: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];

/// A stack event of the Auto Scaling group in `stack` (the environment's or a temporary one).
pub(crate) fn group_event(s: &mut Script, stack: &str, status: &str, reason: Option<&str>) {
    s.stack(stack, "AWSEBAutoScalingGroup", ASG, status, reason);
}

/// A new environment id: `e-` and ten lowercase alphanumerics.
pub(crate) fn new_env_id(w: &mut World) -> String {
    format!("e-{}", w.rng.chars(LOWER_ALNUM, 10))
}

/// A fresh EC2 instance id, its Availability Zone and private address.
pub(crate) fn new_instance(w: &mut World) -> (String, &'static str, String) {
    let id = format!("i-0{}", w.rng.chars(HEX, 16));
    let zone = w.rng.below(AZS.len() as u64) as usize;
    let ip = format!(
        "10.0.{}.{}",
        zone * 16 + 1 + w.rng.below(3) as usize,
        4 + w.rng.below(250)
    );
    (id, AZS[zone], ip)
}

/// Pick a new instance id and schedule its launch (Pending) at the script's cursor; returns the
/// id.
pub(crate) fn launch_instance(w: &mut World, s: &mut Script) -> String {
    let (id, az, ip) = new_instance(w);
    s.push(Step::Launch {
        id: id.clone(),
        az,
        ip,
    });
    id
}

/// Launch `count` fresh instances in the script and say so, as Elastic Beanstalk does; returns
/// their ids.
pub(crate) fn launch_instances(w: &mut World, s: &mut Script, count: usize) -> Vec<String> {
    let ids = (0..count).map(|_| launch_instance(w, s)).collect();
    s.info("Waiting for EC2 instances to launch. This may take a few minutes.");
    ids
}
