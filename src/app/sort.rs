//! Sorting the two tables like `eb health` does: by any column, either way. Each column has its
//! natural first order (names A-Z, the worst health first, the biggest numbers first, the newest
//! first); `r` turns it around. A sort never moves the cursor off the row it was on: the
//! environments' cursor is a key, the instances' is found again by id (`update::keys`).

use std::cmp::Ordering;

use crate::domain::{Environment, HealthColor, HealthStatus, InstanceHealth};

/// A column the environments table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvCol {
    App,
    Name,
    Health,
    Status,
    Version,
    Tier,
    Updated,
}

impl EnvCol {
    pub const ALL: [EnvCol; 7] = [
        EnvCol::App,
        EnvCol::Name,
        EnvCol::Health,
        EnvCol::Status,
        EnvCol::Version,
        EnvCol::Tier,
        EnvCol::Updated,
    ];

    /// The column's name in the table's header (the wide one names them all).
    pub fn header(&self) -> &'static str {
        match self {
            EnvCol::App => "APPLICATION",
            EnvCol::Name => "ENVIRONMENT",
            EnvCol::Health => "HEALTH",
            EnvCol::Status => "STATUS",
            EnvCol::Version => "VERSION",
            EnvCol::Tier => "TIER/POLICY",
            EnvCol::Updated => "UPDATED",
        }
    }

    /// In its natural order (not reversed), `a` before `b`?
    fn cmp(&self, a: &Environment, b: &Environment) -> Ordering {
        match self {
            EnvCol::App => (&a.env.app, &a.env.name).cmp(&(&b.env.app, &b.env.name)),
            EnvCol::Name => a.env.name.cmp(&b.env.name),
            EnvCol::Health => env_badness(b).cmp(&env_badness(a)),
            EnvCol::Status => a.status.as_str().cmp(b.status.as_str()),
            EnvCol::Version => a.version.cmp(&b.version),
            EnvCol::Tier => (a.tier.as_str(), &a.deployment_policy)
                .cmp(&(b.tier.as_str(), &b.deployment_policy)),
            EnvCol::Updated => b.updated.cmp(&a.updated),
        }
    }
}

/// How the environments table is sorted. The default (by application, then name) is the order
/// ebtui has always shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvSort {
    pub col: EnvCol,
    pub reverse: bool,
}

impl Default for EnvSort {
    fn default() -> Self {
        Self {
            col: EnvCol::App,
            reverse: false,
        }
    }
}

impl EnvSort {
    pub fn sort(&self, rows: &mut [&Environment]) {
        // Stable: rows equal in the column keep the application-then-name order of the list.
        rows.sort_by(|a, b| {
            let o = self.col.cmp(a, b);
            if self.reverse { o.reverse() } else { o }
        });
    }

    /// Next (`step` 1) or previous (-1) column, in its natural order.
    pub fn moved(&self, step: isize) -> Self {
        Self {
            col: EnvCol::ALL[wrap(index_of(&EnvCol::ALL, self.col), step, EnvCol::ALL.len())],
            reverse: false,
        }
    }

    /// The arrow after the column's name: ▲ in the natural order, ▼ reversed.
    pub fn arrow(&self) -> &'static str {
        if self.reverse { "▼" } else { "▲" }
    }
}

/// A column of the instances table; the same names, in the same order, as the table draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstCol {
    Instance,
    Status,
    Cause,
    Rps,
    Pct5xx,
    P99,
    P50,
    Cpu,
    Load,
    Deploy,
    Version,
    Az,
}

impl InstCol {
    pub const ALL: [InstCol; 12] = [
        InstCol::Instance,
        InstCol::Status,
        InstCol::Cause,
        InstCol::Rps,
        InstCol::Pct5xx,
        InstCol::P99,
        InstCol::P50,
        InstCol::Cpu,
        InstCol::Load,
        InstCol::Deploy,
        InstCol::Version,
        InstCol::Az,
    ];

    pub fn header(&self) -> &'static str {
        match self {
            InstCol::Instance => "INSTANCE",
            InstCol::Status => "STATUS",
            InstCol::Cause => "CAUSE",
            InstCol::Rps => "R/S",
            InstCol::Pct5xx => "5XX%",
            InstCol::P99 => "P99",
            InstCol::P50 => "P50",
            InstCol::Cpu => "CPU%",
            InstCol::Load => "LOAD",
            InstCol::Deploy => "DEPLOY",
            InstCol::Version => "VERSION",
            InstCol::Az => "AZ",
        }
    }

    fn cmp(&self, a: &InstanceHealth, b: &InstanceHealth) -> Ordering {
        let rps = |i: &InstanceHealth| i.metrics.as_ref().and_then(|m| m.requests_per_sec());
        let five = |i: &InstanceHealth| i.metrics.as_ref().and_then(|m| m.pct_5xx());
        let p99 = |i: &InstanceHealth| i.metrics.as_ref().and_then(|m| m.p99);
        let p50 = |i: &InstanceHealth| i.metrics.as_ref().and_then(|m| m.p50);
        let dep = |i: &InstanceHealth| i.deployment.as_ref().map(|d| d.status.clone());
        let ver = |i: &InstanceHealth| i.deployment.as_ref().and_then(|d| d.version.clone());
        match self {
            InstCol::Instance => a.id.cmp(&b.id),
            InstCol::Status => {
                badness(Some(&b.status), b.color).cmp(&badness(Some(&a.status), a.color))
            }
            InstCol::Cause => text_first(a.causes.first(), b.causes.first()),
            InstCol::Rps => big_first(rps(a), rps(b)),
            InstCol::Pct5xx => big_first(five(a), five(b)),
            InstCol::P99 => big_first(p99(a), p99(b)),
            InstCol::P50 => big_first(p50(a), p50(b)),
            InstCol::Cpu => big_first(a.cpu_pct, b.cpu_pct),
            InstCol::Load => big_first(a.load1, b.load1),
            InstCol::Deploy => text_first(dep(a).as_ref(), dep(b).as_ref()),
            InstCol::Version => text_first(ver(a).as_ref(), ver(b).as_ref()),
            InstCol::Az => text_first(a.az.as_ref(), b.az.as_ref()),
        }
    }
}

/// How the instances table is sorted; `None` in `View` is the order Elastic Beanstalk reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstSort {
    pub col: InstCol,
    pub reverse: bool,
}

impl InstSort {
    /// The next (or previous) column from `current` (none sorted: the first, or the last).
    pub fn moved(current: Option<InstSort>, step: isize) -> InstSort {
        let n = InstCol::ALL.len();
        let i = match current {
            Some(s) => wrap(index_of(&InstCol::ALL, s.col), step, n),
            None if step < 0 => n - 1,
            None => 0,
        };
        InstSort {
            col: InstCol::ALL[i],
            reverse: false,
        }
    }

    pub fn arrow(&self) -> &'static str {
        if self.reverse { "▼" } else { "▲" }
    }
}

/// The instances in the order shown: indices into `instances`.
pub fn instance_order(instances: &[InstanceHealth], sort: Option<InstSort>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..instances.len()).collect();
    if let Some(s) = sort {
        order.sort_by(|a, b| {
            let o = s.col.cmp(&instances[*a], &instances[*b]);
            if s.reverse { o.reverse() } else { o }
        });
    }
    order
}

fn index_of<T: PartialEq>(all: &[T], x: T) -> usize {
    all.iter().position(|c| *c == x).unwrap_or(0)
}

fn wrap(i: usize, step: isize, n: usize) -> usize {
    (i as isize + step).rem_euclid(n as isize) as usize
}

/// How bad a health is, for "worst first": Severe above Degraded above Warning, then the rest.
fn badness(status: Option<&HealthStatus>, color: HealthColor) -> u8 {
    match status {
        Some(HealthStatus::Severe) => 9,
        Some(HealthStatus::Degraded) => 8,
        Some(HealthStatus::Warning) => 7,
        Some(HealthStatus::Suspended) => 6,
        Some(HealthStatus::Unknown | HealthStatus::NoData | HealthStatus::Other(_)) => 5,
        Some(HealthStatus::Pending) => 4,
        Some(HealthStatus::Info) => 2,
        Some(HealthStatus::Ok) => 1,
        None => match color {
            HealthColor::Red => 8,
            HealthColor::Yellow => 7,
            HealthColor::Grey => 5,
            HealthColor::Green => 1,
        },
    }
}

fn env_badness(e: &Environment) -> u8 {
    badness(e.health_status.as_ref(), e.health)
}

/// Biggest first; a missing figure last.
fn big_first(a: Option<f64>, b: Option<f64>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => b.total_cmp(&a),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// A-Z; a missing text last.
fn text_first(a: Option<&String>, b: Option<&String>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}
