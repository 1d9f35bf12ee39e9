//! SDK shapes -> domain types. Pure functions: every field AWS may leave out is optional here,
//! and enum values the SDK does not know (new members, the emulator's "No Data") are read as text
//! through `as_str()` and parsed by the domain, never rejected.

use aws_sdk_cloudformation::types as cfn;
use aws_sdk_elasticbeanstalk::types as eb;
use aws_smithy_types::DateTime;

use crate::domain::{
    AppMetrics, AppVersion, EnvEvent, EnvHealth, EnvRef, EnvStatus, Environment, HealthColor,
    HealthStatus, InstanceCounts, InstanceDeployment, InstanceHealth, Millis, Severity, StackEvent,
    Tier,
};

/// Epoch milliseconds of an SDK timestamp; `None` only for dates beyond i64 milliseconds.
pub(crate) fn millis(dt: &DateTime) -> Option<Millis> {
    dt.to_millis().ok()
}

fn opt_millis(dt: Option<&DateTime>) -> Option<Millis> {
    dt.and_then(millis)
}

/// AWS sends empty strings for some absent values (the emulator leaves EnvironmentId and CNAME
/// empty); the domain says absent with `None`.
fn non_empty(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_string)
}

pub(crate) fn environment(d: &eb::EnvironmentDescription) -> Environment {
    let tier = match d.tier().and_then(|t| t.name()) {
        Some("Worker") => Tier::Worker,
        // "WebServer", absent (old responses), or anything new: a web tier is the common case.
        _ => Tier::Web,
    };
    Environment {
        env: EnvRef {
            app: d.application_name().unwrap_or_default().to_string(),
            name: d.environment_name().unwrap_or_default().to_string(),
            id: d.environment_id().unwrap_or_default().to_string(),
        },
        status: d
            .status()
            .map(|s| EnvStatus::parse(s.as_str()))
            .unwrap_or(EnvStatus::Other(String::new())),
        health: d
            .health()
            .map(|h| HealthColor::parse(h.as_str()))
            .unwrap_or(HealthColor::Grey),
        health_status: d.health_status().map(|h| HealthStatus::parse(h.as_str())),
        version: non_empty(d.version_label()),
        tier,
        cname: non_empty(d.cname()),
        abortable: d.abortable_operation_in_progress().unwrap_or(false),
        updated: opt_millis(d.date_updated()).unwrap_or(0),
        created: opt_millis(d.date_created()).unwrap_or(0),
        platform: non_empty(d.solution_stack_name())
            .or_else(|| non_empty(d.platform_arn()))
            .unwrap_or_default(),
        // Not part of DescribeEnvironments (it lives in the configuration settings).
        deployment_policy: None,
    }
}

/// The account id from an environment ARN: `arn:aws:elasticbeanstalk:REGION:ACCOUNT:environment/APP/ENV`.
pub(crate) fn account_from_arn(arn: &str) -> Option<String> {
    let mut parts = arn.split(':');
    let (Some("arn"), Some(_partition), Some(_service), Some(_region), Some(account)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    (!account.is_empty() && account.bytes().all(|b| b.is_ascii_digit()))
        .then(|| account.to_string())
}

pub(crate) fn event(e: &eb::EventDescription) -> EnvEvent {
    EnvEvent {
        ts: opt_millis(e.event_date()).unwrap_or(0),
        env: e.environment_name().unwrap_or_default().to_string(),
        severity: e
            .severity()
            .map(|s| Severity::parse(s.as_str()))
            .unwrap_or(Severity::Info),
        message: e.message().unwrap_or_default().to_string(),
        version: non_empty(e.version_label()),
        request_id: non_empty(e.request_id()),
    }
}

pub(crate) fn stack_event(e: &cfn::StackEvent) -> StackEvent {
    StackEvent {
        id: e.event_id().unwrap_or_default().to_string(),
        ts: opt_millis(e.timestamp()).unwrap_or(0),
        stack: e.stack_name().unwrap_or_default().to_string(),
        logical_id: e.logical_resource_id().unwrap_or_default().to_string(),
        resource_type: e.resource_type().unwrap_or_default().to_string(),
        status: e
            .resource_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        reason: non_empty(e.resource_status_reason()),
    }
}

pub(crate) fn app_version(v: &eb::ApplicationVersionDescription) -> AppVersion {
    AppVersion {
        app: v.application_name().unwrap_or_default().to_string(),
        label: v.version_label().unwrap_or_default().to_string(),
        description: non_empty(v.description()),
        created: opt_millis(v.date_created()).unwrap_or(0),
        status: v
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
    }
}

fn count(n: Option<i32>) -> u64 {
    n.map_or(0, |n| u64::try_from(n).unwrap_or(0))
}

pub(crate) fn metrics(m: &eb::ApplicationMetrics) -> AppMetrics {
    let codes = m.status_codes();
    let lat = m.latency();
    AppMetrics {
        duration_s: m.duration().map_or(0, |d| u32::try_from(d).unwrap_or(0)),
        request_count: count(Some(m.request_count())),
        status_2xx: count(codes.and_then(|c| c.status2xx())),
        status_3xx: count(codes.and_then(|c| c.status3xx())),
        status_4xx: count(codes.and_then(|c| c.status4xx())),
        status_5xx: count(codes.and_then(|c| c.status5xx())),
        // Elastic Beanstalk reports latency in seconds already.
        p10: lat.and_then(|l| l.p10()),
        p50: lat.and_then(|l| l.p50()),
        p75: lat.and_then(|l| l.p75()),
        p85: lat.and_then(|l| l.p85()),
        p90: lat.and_then(|l| l.p90()),
        p95: lat.and_then(|l| l.p95()),
        p99: lat.and_then(|l| l.p99()),
        p999: lat.and_then(|l| l.p999()),
    }
}

fn counts(s: &eb::InstanceHealthSummary) -> InstanceCounts {
    let c = |n: Option<i32>| n.map_or(0, |n| u32::try_from(n).unwrap_or(0));
    InstanceCounts {
        no_data: c(s.no_data()),
        unknown: c(s.unknown()),
        pending: c(s.pending()),
        ok: c(s.ok()),
        info: c(s.info()),
        warning: c(s.warning()),
        degraded: c(s.degraded()),
        severe: c(s.severe()),
    }
}

pub(crate) fn env_health(
    o: &aws_sdk_elasticbeanstalk::operation::describe_environment_health::DescribeEnvironmentHealthOutput,
) -> EnvHealth {
    let status = o
        .health_status()
        .filter(|s| !s.is_empty())
        .map(HealthStatus::parse);
    // `Color` is the enhanced colour; `Status` the basic one. Prefer the colour AWS states.
    let color = o
        .color()
        .filter(|c| !c.is_empty())
        .map(HealthColor::parse)
        .or_else(|| o.status().map(|s| HealthColor::parse(s.as_str())))
        .or_else(|| status.as_ref().map(HealthStatus::color))
        .unwrap_or(HealthColor::Grey);
    EnvHealth {
        enhanced: true,
        status,
        color,
        causes: o.causes().to_vec(),
        counts: o.instances_health().map(counts).unwrap_or_default(),
        metrics: o.application_metrics().map(metrics),
        refreshed: opt_millis(o.refreshed_at()),
    }
}

/// The basic health of an environment without enhanced health: only the colour is known.
pub(crate) fn basic_health(color: HealthColor) -> EnvHealth {
    EnvHealth {
        enhanced: false,
        status: None,
        color,
        causes: Vec::new(),
        counts: InstanceCounts::default(),
        metrics: None,
        refreshed: None,
    }
}

pub(crate) fn instance_health(i: &eb::SingleInstanceHealth) -> InstanceHealth {
    let status = HealthStatus::parse(i.health_status().unwrap_or("Unknown"));
    let color = i
        .color()
        .filter(|c| !c.is_empty())
        .map(HealthColor::parse)
        .unwrap_or_else(|| status.color());
    let system = i.system();
    // Linux reports the idle share; Windows reports only Privileged/User (no idle), so no CPU
    // figure is derived there rather than a wrong one.
    let cpu_pct = system
        .and_then(|s| s.cpu_utilization())
        .and_then(|c| c.idle())
        .map(|idle| 100.0 - idle);
    let load1 = system.and_then(|s| s.load_average().first().copied());
    InstanceHealth {
        id: i.instance_id().unwrap_or_default().to_string(),
        status,
        color,
        causes: i.causes().to_vec(),
        metrics: i.application_metrics().map(metrics),
        cpu_pct,
        load1,
        deployment: i.deployment().map(|d| InstanceDeployment {
            id: d.deployment_id(),
            status: d.status().unwrap_or_default().to_string(),
            version: non_empty(d.version_label()),
            ts: opt_millis(d.deployment_time()),
        }),
        az: non_empty(i.availability_zone()),
        instance_type: non_empty(i.instance_type()),
        launched: opt_millis(i.launched_at()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_from_environment_arn() {
        assert_eq!(
            account_from_arn("arn:aws:elasticbeanstalk:us-east-1:123456789012:environment/app/env")
                .as_deref(),
            Some("123456789012")
        );
        assert_eq!(
            account_from_arn("arn:aws:elasticbeanstalk:us-east-1::environment/app/env"),
            None
        );
        assert_eq!(account_from_arn("not an arn"), None);
    }

    #[test]
    fn environment_with_unknown_enums_and_empty_fields() {
        let d = eb::EnvironmentDescription::builder()
            .environment_name("web")
            .application_name("app")
            .environment_id("")
            .cname("")
            .status(eb::EnvironmentStatus::from("Available"))
            .health(eb::EnvironmentHealth::from("Grey"))
            .health_status(eb::EnvironmentHealthStatus::from("No Data"))
            .tier(eb::EnvironmentTier::builder().name("Worker").build())
            .abortable_operation_in_progress(true)
            .date_updated(DateTime::from_millis(2_000))
            .build();
        let e = environment(&d);
        assert_eq!(
            e.env,
            EnvRef {
                app: "app".into(),
                name: "web".into(),
                id: String::new()
            }
        );
        assert_eq!(e.status, EnvStatus::Other("Available".into()));
        assert_eq!(e.health_status, Some(HealthStatus::NoData));
        assert_eq!(e.tier, Tier::Worker);
        assert_eq!(e.cname, None);
        assert!(e.abortable);
        assert_eq!(e.updated, 2_000);
    }

    #[test]
    fn instance_cpu_is_100_minus_idle_and_windows_has_none() {
        let linux = eb::SingleInstanceHealth::builder()
            .instance_id("i-1")
            .health_status("Ok")
            .system(
                eb::SystemStatus::builder()
                    .cpu_utilization(eb::CpuUtilization::builder().idle(87.5).build())
                    .load_average(0.5)
                    .load_average(0.25)
                    .build(),
            )
            .build();
        let h = instance_health(&linux);
        assert_eq!(h.cpu_pct, Some(12.5));
        assert_eq!(h.load1, Some(0.5));
        assert_eq!(h.color, HealthColor::Green);

        let windows = eb::SingleInstanceHealth::builder()
            .instance_id("i-2")
            .health_status("Brand New Status")
            .system(
                eb::SystemStatus::builder()
                    .cpu_utilization(
                        eb::CpuUtilization::builder()
                            .privileged(1.0)
                            .user(2.0)
                            .build(),
                    )
                    .build(),
            )
            .build();
        let h = instance_health(&windows);
        assert_eq!(h.cpu_pct, None);
        assert_eq!(h.status, HealthStatus::Other("Brand New Status".into()));
        assert_eq!(h.color, HealthColor::Grey);
    }
}
