//! Health as Elastic Beanstalk reports it (basic colour and enhanced health).

use super::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum HealthColor {
    Green,
    Yellow,
    Red,
    Grey,
}

impl HealthColor {
    pub fn parse(s: &str) -> Self {
        match s {
            "Green" => Self::Green,
            "Yellow" => Self::Yellow,
            "Red" => Self::Red,
            _ => Self::Grey,
        }
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Green => "Green",
            Self::Yellow => "Yellow",
            Self::Red => "Red",
            Self::Grey => "Grey",
        }
    }
}

/// Enhanced health status of an environment or an instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum HealthStatus {
    NoData,
    Unknown,
    Pending,
    Ok,
    Info,
    Warning,
    Degraded,
    Severe,
    Suspended,
    Other(String),
}

impl HealthStatus {
    pub fn parse(s: &str) -> Self {
        match s {
            "NoData" | "No Data" => Self::NoData,
            "Unknown" => Self::Unknown,
            "Pending" => Self::Pending,
            "Ok" => Self::Ok,
            "Info" => Self::Info,
            "Warning" => Self::Warning,
            "Degraded" => Self::Degraded,
            "Severe" => Self::Severe,
            "Suspended" => Self::Suspended,
            other => Self::Other(other.to_string()),
        }
    }
    pub fn as_str(&self) -> &str {
        match self {
            Self::NoData => "No Data",
            Self::Unknown => "Unknown",
            Self::Pending => "Pending",
            Self::Ok => "Ok",
            Self::Info => "Info",
            Self::Warning => "Warning",
            Self::Degraded => "Degraded",
            Self::Severe => "Severe",
            Self::Suspended => "Suspended",
            Self::Other(s) => s,
        }
    }
    /// The colour Elastic Beanstalk pairs with this status.
    pub fn color(&self) -> HealthColor {
        match self {
            Self::Ok | Self::Info => HealthColor::Green,
            Self::Warning => HealthColor::Yellow,
            Self::Degraded | Self::Severe => HealthColor::Red,
            _ => HealthColor::Grey,
        }
    }
}

/// Request metrics over the last `duration_s` seconds (ApplicationMetrics).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct AppMetrics {
    pub duration_s: u32,
    pub request_count: u64,
    pub status_2xx: u64,
    pub status_3xx: u64,
    pub status_4xx: u64,
    pub status_5xx: u64,
    /// Latency percentiles in seconds.
    pub p10: Option<f64>,
    pub p50: Option<f64>,
    pub p75: Option<f64>,
    pub p85: Option<f64>,
    pub p90: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
    pub p999: Option<f64>,
}

impl AppMetrics {
    pub fn requests_per_sec(&self) -> Option<f64> {
        (self.duration_s > 0).then(|| self.request_count as f64 / self.duration_s as f64)
    }
    /// Share of 5xx answers in percent, `None` without requests.
    pub fn pct_5xx(&self) -> Option<f64> {
        (self.request_count > 0).then(|| 100.0 * self.status_5xx as f64 / self.request_count as f64)
    }
}

/// Instance counts by health status (InstancesHealth).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct InstanceCounts {
    pub no_data: u32,
    pub unknown: u32,
    pub pending: u32,
    pub ok: u32,
    pub info: u32,
    pub warning: u32,
    pub degraded: u32,
    pub severe: u32,
}

impl InstanceCounts {
    pub fn total(&self) -> u32 {
        self.no_data
            + self.unknown
            + self.pending
            + self.ok
            + self.info
            + self.warning
            + self.degraded
            + self.severe
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EnvHealth {
    /// False when enhanced health is off: only `color` (and the env status) are meaningful then.
    pub enhanced: bool,
    pub status: Option<HealthStatus>,
    pub color: HealthColor,
    pub causes: Vec<String>,
    pub counts: InstanceCounts,
    pub metrics: Option<AppMetrics>,
    pub refreshed: Option<Millis>,
}

/// Deployment state of one instance.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InstanceDeployment {
    pub id: Option<i64>,
    /// In Progress, Deployed, Failed.
    pub status: String,
    pub version: Option<String>,
    pub ts: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InstanceHealth {
    pub id: String,
    pub status: HealthStatus,
    pub color: HealthColor,
    pub causes: Vec<String>,
    pub metrics: Option<AppMetrics>,
    /// 100 - idle, in percent.
    pub cpu_pct: Option<f64>,
    /// 1-minute load average.
    pub load1: Option<f64>,
    pub deployment: Option<InstanceDeployment>,
    pub az: Option<String>,
    pub instance_type: Option<String>,
    pub launched: Option<Millis>,
}

/// What one health poll returns: the environment and its instances.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HealthSnapshot {
    pub env: EnvHealth,
    pub instances: Vec<InstanceHealth>,
}
