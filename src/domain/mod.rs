//! Plain data shared by every layer: no SDK types, no ratatui types.
//!
//! Timestamps are milliseconds since the Unix epoch (UTC), as `Millis`. Enums that mirror AWS
//! enumerations keep an `Other(String)` arm because AWS adds members over time (and the local
//! emulator answers values such as "No Data" the SDK does not know).

mod clean;
mod health;
mod timeline;

pub use clean::{Clean, one_line};
pub use health::*;
pub use timeline::*;

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// Which environment a request is about. `id` may be empty (the local emulator leaves it so).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct EnvRef {
    pub app: String,
    pub name: String,
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum EnvStatus {
    Launching,
    Updating,
    Ready,
    Terminating,
    Terminated,
    Aborting,
    LinkingFrom,
    LinkingTo,
    Other(String),
}

impl EnvStatus {
    pub fn parse(s: &str) -> Self {
        match s {
            "Launching" => Self::Launching,
            "Updating" => Self::Updating,
            "Ready" => Self::Ready,
            "Terminating" => Self::Terminating,
            "Terminated" => Self::Terminated,
            "Aborting" => Self::Aborting,
            "LinkingFrom" => Self::LinkingFrom,
            "LinkingTo" => Self::LinkingTo,
            other => Self::Other(other.to_string()),
        }
    }
    pub fn as_str(&self) -> &str {
        match self {
            Self::Launching => "Launching",
            Self::Updating => "Updating",
            Self::Ready => "Ready",
            Self::Terminating => "Terminating",
            Self::Terminated => "Terminated",
            Self::Aborting => "Aborting",
            Self::LinkingFrom => "LinkingFrom",
            Self::LinkingTo => "LinkingTo",
            Self::Other(s) => s,
        }
    }
    /// True while Elastic Beanstalk is changing the environment (polls go fast then).
    pub fn is_transitional(&self) -> bool {
        matches!(
            self,
            Self::Launching
                | Self::Updating
                | Self::Terminating
                | Self::Aborting
                | Self::LinkingFrom
                | Self::LinkingTo
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Tier {
    Web,
    Worker,
}

impl Tier {
    pub fn as_str(&self) -> &'static str {
        match self {
            Tier::Web => "web",
            Tier::Worker => "worker",
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Environment {
    pub env: EnvRef,
    pub status: EnvStatus,
    pub health: HealthColor,
    /// Enhanced health status; `None` when enhanced health is off.
    pub health_status: Option<HealthStatus>,
    pub version: Option<String>,
    pub tier: Tier,
    pub cname: Option<String>,
    pub abortable: bool,
    pub updated: Millis,
    pub created: Millis,
    pub platform: String,
    /// Deployment policy (AllAtOnce, Rolling, RollingWithAdditionalBatch, Immutable, TrafficSplitting) when known.
    pub deployment_policy: Option<String>,
}

/// One configuration option of an environment (DescribeConfigurationSettings). The values of
/// `aws:elasticbeanstalk:application:environment` are the environment's properties: secrets,
/// never logged or written anywhere.
#[derive(Clone, PartialEq, Eq)]
pub struct OptionSetting {
    pub namespace: String,
    pub name: String,
    pub value: Option<String>,
}

/// Debug never shows a value: a property's value is a secret.
impl std::fmt::Debug for OptionSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}=<{} bytes>",
            self.namespace,
            self.name,
            self.value.as_ref().map_or(0, String::len)
        )
    }
}

/// An option named without its value (OptionsToRemove).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OptionKey {
    pub namespace: String,
    pub name: String,
}

/// An environment's configuration (DescribeConfigurationSettings) and what its platform's
/// lifecycle is (DescribePlatformVersion).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnvConfig {
    pub settings: Vec<OptionSetting>,
    pub solution_stack: Option<String>,
    pub platform_arn: Option<String>,
    /// `None` when the platform could not be described (no ARN, or the read failed: `platform_error`).
    pub platform: Option<PlatformInfo>,
    pub platform_error: Option<String>,
}

/// A platform version's lifecycle, as DescribePlatformVersion tells it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlatformInfo {
    /// e.g. "Python 3.11 running on 64bit Amazon Linux 2023".
    pub branch: Option<String>,
    /// The branch's lifecycle state: "Supported", "Beta", "Deprecated" or "Retired".
    pub branch_state: Option<String>,
    /// The version's own lifecycle ("recommended" or none).
    pub version_state: Option<String>,
    pub version: Option<String>,
    /// When this platform version was released.
    pub created: Option<Millis>,
}

/// The namespace and option of Elastic Beanstalk's command timeout (seconds).
pub const COMMAND_TIMEOUT: (&str, &str) = ("aws:elasticbeanstalk:command", "Timeout");

/// The command timeout the settings set, in seconds.
pub fn command_timeout(settings: &[OptionSetting]) -> Option<u64> {
    settings
        .iter()
        .find(|s| (s.namespace.as_str(), s.name.as_str()) == COMMAND_TIMEOUT)
        .and_then(|s| s.value.as_deref())
        .and_then(|v| v.trim().parse().ok())
}

/// One application version (a deployable bundle).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AppVersion {
    pub app: String,
    pub label: String,
    pub description: Option<String>,
    pub created: Millis,
    /// Processed, Unprocessed, Failed, Processing, Building.
    pub status: String,
}

/// A version that finished deploying to an environment, as read from its events.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DeployRecord {
    pub version: String,
    pub ts: Millis,
}

/// Where the account is: what the header shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CloudContext {
    /// "demo", or the AWS profile name ("default" when none was given).
    pub profile: String,
    pub region: String,
    /// The account id when known (sts is not in our stack, so AWS may leave it None).
    pub account: Option<String>,
    /// Extra words for the header, e.g. "scenario bad-deploy x20" or "endpoint http://127.0.0.1:5000".
    pub note: Option<String>,
}
