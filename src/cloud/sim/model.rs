//! The account's data: environments, instances and their phases, versions, log files and the
//! operation in progress. `world` moves it through time.

use std::sync::Arc;

use crate::domain::{
    DeployRecord, EnvEvent, EnvStatus, HealthStatus, Millis, OptionSetting, StackEvent, Tier,
};

use super::config::Platform;
use super::contents::{Contents, Layout};

pub(crate) const SEC: Millis = 1_000;
pub(crate) const MIN: Millis = 60 * SEC;
pub(crate) const HOUR: Millis = 60 * MIN;
pub(crate) const DAY: Millis = 24 * HOUR;

pub(crate) const REGION: &str = "us-east-1";
pub(crate) const ACCOUNT: &str = "123456789012";

/// Elastic Beanstalk re-evaluates health every 10 seconds.
pub(crate) const HEALTH_PERIOD: Millis = 10 * SEC;

/// The next health evaluation boundary strictly after `t - 1`.
pub(crate) fn align_up(t: Millis) -> Millis {
    t.div_euclid(HEALTH_PERIOD) * HEALTH_PERIOD
        + if t.rem_euclid(HEALTH_PERIOD) == 0 {
            0
        } else {
            HEALTH_PERIOD
        }
}

/// The last health evaluation boundary at or before `t`.
pub(crate) fn align_down(t: Millis) -> Millis {
    t.div_euclid(HEALTH_PERIOD) * HEALTH_PERIOD
}

/// What one instance is doing, from a time on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Phase {
    /// EC2 boots and the platform bootstraps: no traffic.
    Pending,
    /// The application is being deployed: out of service.
    Deploying { version: String },
    /// The application server restarts: out of service for a few seconds.
    Restarting,
    /// In service. A `broken` application crash-loops, so the proxy answers 502.
    Serving { version: String, broken: bool },
    /// Terminated.
    Gone,
}

/// The last deployment an instance took part in (DescribeInstancesHealth `Deployment`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DeployMark {
    pub id: i64,
    pub status: &'static str,
    pub version: String,
    pub started: Millis,
    pub finished: Option<Millis>,
}

#[derive(Debug, Clone)]
pub(crate) struct Instance {
    pub id: String,
    pub az: &'static str,
    pub itype: &'static str,
    pub ip: String,
    pub launched: Millis,
    /// Phase changes, oldest first; the instance does not exist before the first.
    pub phases: Vec<(Millis, Phase)>,
    pub deployment: Option<DeployMark>,
}

impl Instance {
    pub(crate) fn phase_at(&self, t: Millis) -> Option<&Phase> {
        let idx = self.phases.partition_point(|(at, _)| *at <= t);
        idx.checked_sub(1).map(|i| &self.phases[i].1)
    }

    /// When the phase in force at `t` began.
    pub(crate) fn phase_since(&self, t: Millis) -> Option<Millis> {
        let idx = self.phases.partition_point(|(at, _)| *at <= t);
        idx.checked_sub(1).map(|i| self.phases[i].0)
    }

    pub(crate) fn live_at(&self, t: Millis) -> bool {
        !matches!(self.phase_at(t), None | Some(Phase::Gone))
    }

    pub(crate) fn gone_at(&self) -> Option<Millis> {
        self.phases
            .iter()
            .find(|(_, p)| *p == Phase::Gone)
            .map(|(at, _)| *at)
    }

    /// The version installed at `t` (being deployed or serving).
    pub(crate) fn version_at(&self, t: Millis) -> Option<&str> {
        match self.phase_at(t)? {
            Phase::Deploying { version } | Phase::Serving { version, .. } => Some(version),
            _ => None,
        }
    }

    pub(crate) fn set_phase(&mut self, at: Millis, phase: Phase) {
        if let Some((_, last)) = self.phases.last()
            && *last == Phase::Gone
        {
            return;
        }
        // Keep the history sorted even if two steps share a time.
        let idx = self.phases.partition_point(|(t, _)| *t <= at);
        self.phases.insert(idx, (at, phase));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Policy {
    AllAtOnce,
    Rolling { batch: usize },
    Immutable,
}

impl Policy {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Policy::AllAtOnce => "AllAtOnce",
            Policy::Rolling { .. } => "Rolling",
            Policy::Immutable => "Immutable",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Version {
    pub label: String,
    pub description: String,
    pub created: Millis,
    /// The application crash-loops once it gets traffic.
    pub broken: bool,
    /// Its dependencies do not install: every deployment of it fails before the new version is
    /// switched in, so the instances keep serving what they served.
    pub install_fails: bool,
    /// Seconds one instance takes to deploy it (lo, hi).
    pub deploy_secs: (i64, i64),
    /// Made from a bundle uploaded through ebtui; `None` for the account's own builds, which
    /// were processed when they were created.
    pub shipped: Option<Shipped>,
}

// DescribeApplicationVersions' statuses, spelled as the API reference and `AppVersion` spell them.
pub(crate) const PROCESSING: &str = "Processing";
pub(crate) const PROCESSED: &str = "Processed";
pub(crate) const FAILED: &str = "Failed";

/// A version created from an uploaded bundle (CreateApplicationVersion with processing).
#[derive(Debug, Clone)]
pub(crate) struct Shipped {
    /// When Elastic Beanstalk finished processing it; before, it is `Processing`.
    pub processed: Millis,
    pub contents: Arc<Contents>,
    pub layout: Layout,
}

impl Version {
    /// Its status at `t` (DescribeApplicationVersions).
    pub(crate) fn status_at(&self, t: Millis) -> &'static str {
        match &self.shipped {
            None => PROCESSED,
            Some(s) if t < s.processed => PROCESSING,
            Some(Shipped {
                layout: Layout::Rejected(_),
                ..
            }) => FAILED,
            Some(_) => PROCESSED,
        }
    }

    /// What the bundle holds, when the version came from one.
    pub(crate) fn contents(&self) -> Option<Arc<Contents>> {
        self.shipped.as_ref().map(|s| s.contents.clone())
    }

    /// Everything sits in one folder: processed, but no instance finds an application to run.
    pub(crate) fn in_one_folder(&self) -> bool {
        self.shipped
            .as_ref()
            .is_some_and(|s| matches!(s.layout, Layout::OneTopFolder { .. }))
    }
}

#[derive(Debug, Clone)]
pub(crate) struct App {
    pub name: String,
    /// Oldest first.
    pub versions: Vec<Version>,
    /// Events of the application itself (a version's creation), which name no environment
    /// (`env` is empty); oldest first, some of them due later (filtered by time when read).
    pub events: Vec<EnvEvent>,
}

/// Log files of an environment: each is a CloudWatch log group with one stream per instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum LogFile {
    Access,
    Error,
    Stdout,
    Engine,
    Hooks,
    Sqsd,
    Health,
}

impl LogFile {
    pub(crate) const ALL: [LogFile; 7] = [
        LogFile::Access,
        LogFile::Error,
        LogFile::Stdout,
        LogFile::Engine,
        LogFile::Hooks,
        LogFile::Sqsd,
        LogFile::Health,
    ];

    /// The part of the group name after `/aws/elasticbeanstalk/<env>/`.
    pub(crate) fn suffix(&self) -> &'static str {
        match self {
            LogFile::Access => "var/log/nginx/access.log",
            LogFile::Error => "var/log/nginx/error.log",
            LogFile::Stdout => "var/log/web.stdout.log",
            LogFile::Engine => "var/log/eb-engine.log",
            LogFile::Hooks => "var/log/eb-hooks.log",
            LogFile::Sqsd => "var/log/aws-sqsd/default.log",
            LogFile::Health => "environment-health.log",
        }
    }

    /// Web environments run nginx; worker environments run the SQS daemon instead.
    pub(crate) fn exists_for(&self, tier: Tier) -> bool {
        match self {
            LogFile::Access | LogFile::Error => tier == Tier::Web,
            LogFile::Sqsd => tier == Tier::Worker,
            _ => true,
        }
    }
}

/// A log line written once, when something happened (deployment engine and hook output), as
/// opposed to traffic lines, which are generated on demand from the instance's phase.
#[derive(Debug, Clone)]
pub(crate) struct FileLine {
    pub seq: u64,
    pub ts: Millis,
    pub file: LogFile,
    pub stream: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OpKind {
    Deploy {
        to: String,
        from: Option<String>,
        deployment: i64,
        batch: usize,
        immutable: bool,
    },
    Abort,
    Rebuild,
    Restart,
    Swap,
    Create,
    /// A change of configuration settings (UpdateEnvironment with option settings).
    Configure,
}

#[derive(Debug, Clone)]
pub(crate) struct OpState {
    /// Tags this operation's scheduled steps, so an abort can cancel what is left of them.
    pub token: u64,
    pub kind: OpKind,
    pub started: Millis,
    pub abortable: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Env {
    pub name: String,
    pub id: String,
    pub app: String,
    pub tier: Tier,
    pub cname: Option<String>,
    /// The host name clients use in requests (the CNAME the environment was created with).
    pub host: String,
    pub policy: Policy,
    pub desired: usize,
    pub itype: &'static str,
    /// Requests per second one instance serves at the daily mean.
    pub base_rate: f64,
    /// Median latency in seconds when healthy.
    pub base_latency: f64,
    pub status: EnvStatus,
    pub version: Option<String>,
    /// The environment exists (is listed) from this time on.
    pub created: Millis,
    pub updated: Millis,
    pub terminated: Option<Millis>,
    pub instances: Vec<Instance>,
    pub events: Vec<EnvEvent>,
    pub stack_events: Vec<StackEvent>,
    /// Oldest first.
    pub deploys: Vec<DeployRecord>,
    pub op: Option<OpState>,
    pub deployment_id: i64,
    /// (started, finished) of the last completed application update, for health causes.
    pub last_update: Option<(Millis, Millis)>,
    /// (started, finished) of the environment's creation.
    pub launch: Option<(Millis, Option<Millis>)>,
    pub files: Vec<FileLine>,
    pub next_file_seq: u64,
    /// The enhanced health status last evaluated, for transition events.
    pub health: HealthStatus,
    pub dirty_until: Millis,
    /// The platform version it runs on.
    pub platform: &'static Platform,
    /// Its option settings (DescribeConfigurationSettings), sorted by namespace and name.
    pub settings: Vec<OptionSetting>,
    /// Instance log streaming to CloudWatch: since when, and until when when it was turned off
    /// (then no lines reach the groups and they are not listed). `None`: never streamed, the
    /// environment has no log groups.
    pub streaming: Option<(Millis, Option<Millis>)>,
    /// The application answers slowly from this time on (the `timeout` scenario): latency
    /// rises and nginx gives up on a few requests (504, "upstream timed out").
    pub slow_since: Option<Millis>,
}

/// How much slower a slow application answers.
pub(crate) const SLOW_FACTOR: f64 = 20.0;
/// The share of a slow application's requests that nginx gives up on after `PROXY_TIMEOUT_S`:
/// under 1 %, so the p99 stays a latency of a few seconds and the 504s are the tail.
pub(crate) const TIMEOUT_PER_MILLE: u64 = 8;
/// nginx's `proxy_read_timeout`.
pub(crate) const PROXY_TIMEOUT_S: f64 = 60.0;

impl Env {
    pub(crate) fn stack_name(&self) -> String {
        format!("awseb-{}-stack", self.id)
    }

    pub(crate) fn immutable_stack_name(&self) -> String {
        format!("awseb-{}-immutable-stack", self.id)
    }

    /// Does the application answer slowly at `t`?
    pub(crate) fn slow_at(&self, t: Millis) -> bool {
        self.slow_since.is_some_and(|s| t >= s)
    }

    pub(crate) fn live_instances(&self, t: Millis) -> impl Iterator<Item = &Instance> {
        self.instances.iter().filter(move |i| i.live_at(t))
    }

    pub(crate) fn instance_mut(&mut self, id: &str) -> Option<&mut Instance> {
        self.instances.iter_mut().find(|i| i.id == id)
    }

    pub(crate) fn add_file_line(&mut self, ts: Millis, file: LogFile, stream: &str, text: String) {
        let seq = self.next_file_seq;
        self.next_file_seq += 1;
        self.files.push(FileLine {
            seq,
            ts,
            file,
            stream: stream.to_string(),
            text,
        });
    }

    pub(crate) fn visible_at(&self, t: Millis) -> bool {
        self.created <= t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_rounds_to_the_health_period() {
        assert_eq!(align_up(10_000), 10_000);
        assert_eq!(align_up(10_001), 20_000);
        assert_eq!(align_down(19_999), 10_000);
        assert_eq!(align_down(-1), -10_000);
    }

    #[test]
    fn phases_are_looked_up_by_time() {
        let mut i = Instance {
            id: "i-1".into(),
            az: "us-east-1a",
            itype: "t3.small",
            ip: "10.0.1.2".into(),
            launched: 100,
            phases: vec![(100, Phase::Pending)],
            deployment: None,
        };
        i.set_phase(
            200,
            Phase::Serving {
                version: "v1".into(),
                broken: false,
            },
        );
        i.set_phase(300, Phase::Gone);
        i.set_phase(400, Phase::Restarting);
        assert_eq!(i.phase_at(99), None);
        assert_eq!(i.phase_at(150), Some(&Phase::Pending));
        assert_eq!(i.version_at(250), Some("v1"));
        assert!(!i.live_at(300));
        assert_eq!(i.gone_at(), Some(300));
        assert_eq!(
            i.phases.len(),
            3,
            "nothing happens to a terminated instance"
        );
    }
}
