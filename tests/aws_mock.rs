//! `AwsCloud` against typed SDK mocks (aws-smithy-mocks): every read and write, pagination,
//! error classification, and the caches. Each client panics on a request no rule expects, so the
//! tests also pin down which requests are made.

use aws_sdk_elasticbeanstalk::operation::describe_application_versions::DescribeApplicationVersionsOutput;
use aws_sdk_elasticbeanstalk::operation::describe_configuration_settings::DescribeConfigurationSettingsOutput;
use aws_sdk_elasticbeanstalk::operation::describe_environment_health::{
    DescribeEnvironmentHealthError, DescribeEnvironmentHealthOutput,
};
use aws_sdk_elasticbeanstalk::operation::describe_environments::{
    DescribeEnvironmentsError, DescribeEnvironmentsOutput,
};
use aws_sdk_elasticbeanstalk::operation::describe_events::{
    DescribeEventsError, DescribeEventsOutput,
};
use aws_sdk_elasticbeanstalk::operation::describe_instances_health::DescribeInstancesHealthOutput;
use aws_sdk_elasticbeanstalk::types::{
    ApplicationVersionDescription, ApplicationVersionStatus, ConfigurationOptionSetting,
    ConfigurationSettingsDescription, CpuUtilization, EnvironmentDescription, EnvironmentHealth,
    EnvironmentHealthStatus, EnvironmentStatus, EnvironmentTier, EventDescription, EventSeverity,
    InstanceHealthSummary, SingleInstanceHealth, SystemStatus,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_types::DateTime;
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use ebtui::cloud::aws::AwsCloud;
use ebtui::cloud::{Cloud, CloudError};
use ebtui::domain::{
    CloudContext, DeployRecord, EnvRef, EnvStatus, HealthColor, HealthStatus, Tier,
};

#[path = "aws_mock/ops.rs"]
mod ops;
#[path = "aws_mock/stacks.rs"]
mod stacks;

type Eb = aws_sdk_elasticbeanstalk::Client;
type Cfn = aws_sdk_cloudformation::Client;

/// A cloud whose clients answer from `eb` and `cfn` rules, with `attempts` SDK attempts.
fn cloud_with(mode: RuleMode, attempts: u32, eb: &[&Rule], cfn: &[&Rule]) -> AwsCloud {
    let retry = RetryConfig::standard()
        .with_max_attempts(attempts)
        .with_initial_backoff(std::time::Duration::from_millis(1));
    let r = retry.clone();
    let eb = mock_client!(aws_sdk_elasticbeanstalk, mode, eb, |c| c
        .retry_config(r.clone()));
    let r = retry.clone();
    let cfn = mock_client!(aws_sdk_cloudformation, mode, cfn, |c| c
        .retry_config(r.clone()));
    let none: &[&Rule] = &[];
    let logs = mock_client!(aws_sdk_cloudwatchlogs, mode, none, |c| c
        .retry_config(retry.clone()));
    let ctx = CloudContext {
        profile: "test".into(),
        region: "us-east-1".into(),
        account: None,
        note: None,
    };
    AwsCloud::from_clients(eb, cfn, logs, ctx)
}

fn cloud(eb: &[&Rule], cfn: &[&Rule]) -> AwsCloud {
    cloud_with(RuleMode::MatchAny, 1, eb, cfn)
}

fn env(name: &str, id: &str) -> EnvRef {
    EnvRef {
        app: "shop".into(),
        name: name.into(),
        id: id.into(),
    }
}

fn meta(code: &str, message: &str) -> ErrorMetadata {
    ErrorMetadata::builder().code(code).message(message).build()
}

fn env_desc(name: &str, status: &str) -> EnvironmentDescription {
    EnvironmentDescription::builder()
        .application_name("shop")
        .environment_name(name)
        .environment_id(format!("e-{name}"))
        .environment_arn(format!(
            "arn:aws:elasticbeanstalk:us-east-1:111122223333:environment/shop/{name}"
        ))
        .status(EnvironmentStatus::from(status))
        .health(EnvironmentHealth::Green)
        .date_updated(DateTime::from_secs(1_700_000_000))
        .build()
}

fn ev(secs: i64, message: &str, version: Option<&str>, request: Option<&str>) -> EventDescription {
    EventDescription::builder()
        .event_date(DateTime::from_secs(secs))
        .environment_name("prod")
        .message(message)
        .set_version_label(version.map(str::to_string))
        .set_request_id(request.map(str::to_string))
        .severity(EventSeverity::Info)
        .build()
}

// ---- environments -------------------------------------------------------------------------

#[tokio::test]
async fn environments_follow_pages_and_convert() {
    let page1 = mock!(Eb::describe_environments)
        .match_requests(|r| r.next_token().is_none() && r.include_deleted() == Some(true))
        .then_output(|| {
            DescribeEnvironmentsOutput::builder()
                .environments(
                    EnvironmentDescription::builder()
                        .application_name("shop")
                        .environment_name("prod")
                        .environment_id("e-abc")
                        .environment_arn(
                            "arn:aws:elasticbeanstalk:eu-west-1:123456789012:environment/shop/prod",
                        )
                        .status(EnvironmentStatus::Updating)
                        .health(EnvironmentHealth::Yellow)
                        .health_status(EnvironmentHealthStatus::from("Brand New Status"))
                        .version_label("v7")
                        .cname("prod.example.elasticbeanstalk.com")
                        .abortable_operation_in_progress(true)
                        .tier(EnvironmentTier::builder().name("WebServer").build())
                        .solution_stack_name("64bit Amazon Linux 2023 running Node.js 20")
                        .date_created(DateTime::from_secs(1_600_000_000))
                        .date_updated(DateTime::from_secs(1_700_000_000))
                        .build(),
                )
                .next_token("t1")
                .build()
        });
    let page2 = mock!(Eb::describe_environments)
        .match_requests(|r| r.next_token() == Some("t1"))
        .then_output(|| {
            DescribeEnvironmentsOutput::builder()
                .environments(
                    EnvironmentDescription::builder()
                        .application_name("billing")
                        .environment_name("jobs")
                        .status(EnvironmentStatus::Ready)
                        .tier(EnvironmentTier::builder().name("Worker").build())
                        .build(),
                )
                .environments(env_desc("old", "Terminated"))
                .build()
        });
    let cloud = cloud(&[&page1, &page2], &[]);
    assert_eq!(cloud.context().account, None);
    let envs = cloud.environments().await.expect("environments");
    assert_eq!(cloud.api_calls(), 2, "two pages, one request each");
    // AWS returns those terminated in the last hour (IncludeDeleted): they stay listed, so a
    // failed creation can still be read.
    assert_eq!(envs.len(), 3);
    assert_eq!(envs[2].status, EnvStatus::Terminated);

    let prod = &envs[0];
    assert_eq!(prod.env, env("prod", "e-abc"));
    assert_eq!(prod.status, EnvStatus::Updating);
    assert_eq!(prod.health, HealthColor::Yellow);
    assert_eq!(
        prod.health_status,
        Some(HealthStatus::Other("Brand New Status".into()))
    );
    assert_eq!(prod.version.as_deref(), Some("v7"));
    assert_eq!(
        prod.cname.as_deref(),
        Some("prod.example.elasticbeanstalk.com")
    );
    assert!(prod.abortable);
    assert_eq!(prod.tier, Tier::Web);
    assert_eq!(prod.platform, "64bit Amazon Linux 2023 running Node.js 20");
    assert_eq!(
        (prod.created, prod.updated),
        (1_600_000_000_000, 1_700_000_000_000)
    );
    assert_eq!(prod.deployment_policy, None);

    let jobs = &envs[1];
    assert_eq!(
        (jobs.env.app.as_str(), jobs.tier),
        ("billing", Tier::Worker)
    );
    assert_eq!(jobs.health_status, None);

    let ctx = cloud.context();
    assert_eq!(ctx.account.as_deref(), Some("123456789012"));
    assert_eq!(
        (ctx.profile.as_str(), ctx.region.as_str()),
        ("test", "us-east-1")
    );
}

#[tokio::test]
async fn throttled_once_then_the_next_call_succeeds() {
    let throttled = mock!(Eb::describe_environments)
        .then_error(|| DescribeEnvironmentsError::generic(meta("Throttling", "Rate exceeded")));
    let ok = mock!(Eb::describe_environments).then_output(|| {
        DescribeEnvironmentsOutput::builder()
            .environments(env_desc("prod", "Ready"))
            .build()
    });
    let cloud = cloud_with(RuleMode::Sequential, 1, &[&throttled, &ok], &[]);
    assert_eq!(
        cloud.environments().await,
        Err(CloudError::Throttled("Rate exceeded".into()))
    );
    assert_eq!(cloud.api_calls(), 1, "one attempt: the SDK did not retry");
    let envs = cloud.environments().await.expect("second call");
    assert_eq!(envs.len(), 1);
}

#[tokio::test]
async fn sdk_retries_count_as_api_calls() {
    let flaky = mock!(Eb::describe_environments)
        .sequence()
        .error(|| DescribeEnvironmentsError::generic(meta("Throttling", "Rate exceeded")))
        .output(|| {
            DescribeEnvironmentsOutput::builder()
                .environments(env_desc("prod", "Ready"))
                .build()
        })
        .build();
    let cloud = cloud_with(RuleMode::Sequential, 2, &[&flaky], &[]);
    assert_eq!(cloud.environments().await.expect("retried").len(), 1);
    assert_eq!(cloud.api_calls(), 2, "the failed attempt and the retry");
}

#[tokio::test]
async fn access_denied_and_expired_tokens_are_auth_errors() {
    let denied_msg = "User: arn:aws:iam::1:user/x is not authorized to perform: elasticbeanstalk:DescribeEnvironments";
    let denied = mock!(Eb::describe_environments)
        .then_error(move || DescribeEnvironmentsError::generic(meta("AccessDenied", denied_msg)));
    let expired = mock!(Eb::describe_environments).then_error(|| {
        DescribeEnvironmentsError::generic(meta(
            "ExpiredToken",
            "The security token included in the request is expired",
        ))
    });
    let cloud = cloud_with(RuleMode::Sequential, 1, &[&denied, &expired], &[]);
    assert_eq!(
        cloud.environments().await,
        Err(CloudError::Auth(denied_msg.into()))
    );
    match cloud.environments().await {
        Err(CloudError::Auth(m)) => {
            assert!(
                m.contains("aws sso login") && m.contains("is expired"),
                "{m}"
            )
        }
        other => panic!("expected Auth, got {other:?}"),
    }
}

/// A real credential-provider failure (the profile named does not exist) never reaches the
/// service: the SDK reports it as a dispatch failure, which must still read as Auth, naming the fix.
// The non-deprecated profile-file types live in aws-runtime, which is not a dependency of ours.
#[allow(deprecated)]
#[tokio::test]
async fn a_missing_profile_is_an_auth_error_naming_the_fix() {
    use aws_config::profile::ProfileFileCredentialsProvider;
    use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
    use aws_sdk_elasticbeanstalk::config::SharedCredentialsProvider;

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("credentials");
    std::fs::write(
        &path,
        "[other]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n",
    )
    .expect("write credentials file");
    let files = ProfileFiles::builder()
        .with_file(ProfileFileKind::Credentials, &path)
        .build();
    let provider = SharedCredentialsProvider::new(
        ProfileFileCredentialsProvider::builder()
            .profile_files(files)
            .profile_name("absent")
            .build(),
    );
    // Would answer if the request were ever sent. An HTTP answer, not a modeled output: the mock
    // puts modeled outputs in place of whatever happened, HTTP answers only reach a sent request.
    let unreachable = mock!(Eb::describe_environments).then_http_response(|| {
        aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(200).expect("status"),
            aws_smithy_types::body::SdkBody::from("<DescribeEnvironmentsResponse/>"),
        )
    });
    let eb = mock_client!(
        aws_sdk_elasticbeanstalk,
        RuleMode::MatchAny,
        &[&unreachable],
        |c| c
            .credentials_provider(provider.clone())
            .retry_config(RetryConfig::standard().with_max_attempts(1))
    );
    let none: &[&Rule] = &[];
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, none);
    let logs = mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, none);
    let cloud = AwsCloud::from_clients(eb, cfn, logs, CloudContext::default());
    match cloud.environments().await {
        Err(CloudError::Auth(m)) => {
            assert!(
                m.starts_with("No AWS credentials found: set AWS_PROFILE"),
                "{m}"
            );
            assert!(
                m.contains("absent"),
                "the provider's own words are kept: {m}"
            );
        }
        other => panic!("expected Auth, got {other:?}"),
    }
}

// ---- events -------------------------------------------------------------------------------

#[tokio::test]
async fn events_since_a_cursor_read_all_pages_oldest_first() {
    let since = 1_700_000_000_000;
    let page1 = mock!(Eb::describe_events)
        .match_requests(move |r| {
            // By id: a re-created namesake would share the name.
            r.environment_id() == Some("e-1")
                && r.environment_name().is_none()
                && r.start_time() == Some(&DateTime::from_millis(since))
                && r.max_records() == Some(1000)
                && r.next_token().is_none()
        })
        .then_output(|| {
            DescribeEventsOutput::builder()
                .events(ev(1_700_000_300, "third", None, None))
                .events(ev(1_700_000_200, "second", None, None))
                .next_token("p2")
                .build()
        });
    let page2 = mock!(Eb::describe_events)
        .match_requests(|r| r.next_token() == Some("p2"))
        .then_output(|| {
            DescribeEventsOutput::builder()
                .events(ev(1_700_000_000, "first, at the cursor", None, None))
                .build()
        });
    let cloud = cloud(&[&page1, &page2], &[]);
    let events = cloud
        .events(&env("prod", "e-1"), Some(since))
        .await
        .expect("events");
    let messages: Vec<_> = events.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages, ["first, at the cursor", "second", "third"]);
    assert_eq!(cloud.api_calls(), 2, "no top-up request with a cursor");
}

#[tokio::test]
async fn older_events_are_the_hundred_before_the_oldest_held_by_id() {
    let before = 1_700_000_000_000;
    let page = mock!(Eb::describe_events)
        .match_requests(move |r| {
            r.environment_id() == Some("e-1")
                && r.end_time() == Some(&DateTime::from_millis(before))
                && r.start_time().is_none()
                && r.max_records() == Some(101)
        })
        .then_output(|| {
            DescribeEventsOutput::builder()
                // EndTime is inclusive at AWS: the event at `before` is already held.
                .events(ev(1_700_000_000, "held already", None, None))
                .events(ev(1_699_999_900, "older", None, None))
                .events(ev(1_699_999_800, "oldest", None, None))
                .build()
        });
    let cloud = cloud(&[&page], &[]);
    let events = cloud
        .older_events(&env("prod", "e-1"), before)
        .await
        .expect("older events");
    let messages: Vec<_> = events.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages, ["oldest", "older"]);
}

#[tokio::test]
async fn events_without_cursor_add_the_latest_hundred_when_the_hour_was_quiet() {
    let now_ms = chrono::Utc::now().timestamp_millis();
    let hour = mock!(Eb::describe_events)
        .match_requests(move |r| {
            let start = r.start_time().and_then(|t| t.to_millis().ok()).unwrap_or(0);
            r.max_records() == Some(1000) && (start - (now_ms - 3_600_000)).abs() < 60_000
        })
        .then_output(move || {
            DescribeEventsOutput::builder()
                .events(ev(now_ms / 1000 - 60, "recent", None, Some("r2")))
                .build()
        });
    let latest = mock!(Eb::describe_events)
        .match_requests(|r| r.start_time().is_none() && r.max_records() == Some(100))
        .then_output(move || {
            DescribeEventsOutput::builder()
                .events(ev(now_ms / 1000 - 60, "recent", None, Some("r2")))
                .events(ev(now_ms / 1000 - 7200, "two hours ago", None, Some("r1")))
                .events(ev(now_ms / 1000 - 9000, "older still", None, None))
                .build()
        });
    let cloud = cloud(&[&hour, &latest], &[]);
    let events = cloud
        .events(&env("prod", "e-1"), None)
        .await
        .expect("events");
    let messages: Vec<_> = events.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        ["older still", "two hours ago", "recent"],
        "merged without duplicates"
    );
}

#[tokio::test]
async fn an_unknown_environment_is_not_found() {
    let msg = "No Environment found for EnvironmentName = 'ghost'.";
    let events = mock!(Eb::describe_events)
        .then_error(move || DescribeEventsError::generic(meta("InvalidParameterValue", msg)));
    let health = mock!(Eb::describe_environment_health).then_error(move || {
        DescribeEnvironmentHealthError::generic(meta("InvalidRequestException", msg))
    });
    let cloud = cloud(&[&events, &health], &[]);
    let ghost = env("ghost", "");
    assert_eq!(
        cloud.events(&ghost, Some(0)).await,
        Err(CloudError::NotFound(msg.into()))
    );
    // The same code as "enhanced health is off", but not-found must stay an error.
    assert_eq!(
        cloud.health(&ghost).await,
        Err(CloudError::NotFound(msg.into()))
    );
}

#[tokio::test]
async fn deploy_history_follows_the_completion_rule() {
    let events = mock!(Eb::describe_events)
        .match_requests(|r| r.start_time().is_none() && r.max_records() == Some(1000))
        .then_output(|| {
            DescribeEventsOutput::builder()
                .events(ev(
                    600,
                    "Environment update completed successfully.",
                    None,
                    Some("r3"),
                ))
                .events(ev(
                    590,
                    "New application version was deployed to running EC2 instances.",
                    Some("v3"),
                    Some("r3"),
                ))
                .events(ev(
                    500,
                    "Update environment operation is complete, but with errors.",
                    Some("bad"),
                    Some("r2"),
                ))
                .events(ev(
                    490,
                    "Failed to deploy application.",
                    Some("bad"),
                    Some("r2"),
                ))
                .events(ev(
                    300,
                    "Environment update completed successfully.",
                    Some("v2"),
                    Some("r1b"),
                ))
                .events(ev(
                    200,
                    "Environment update completed successfully.",
                    Some("v2"),
                    Some("r1"),
                ))
                .events(ev(
                    100,
                    "Successfully completed createEnvironment activity.",
                    Some("v1"),
                    Some("r0"),
                ))
                .build()
        });
    // The deployment policy is read beside the history, and the environment list shows it.
    let settings = mock!(Eb::describe_configuration_settings)
        .match_requests(|r| {
            r.application_name() == Some("shop") && r.environment_name() == Some("prod")
        })
        .then_output(|| {
            let option = |ns: &str, name: &str, value: &str| {
                ConfigurationOptionSetting::builder()
                    .namespace(ns)
                    .option_name(name)
                    .value(value)
                    .build()
            };
            DescribeConfigurationSettingsOutput::builder()
                .configuration_settings(
                    ConfigurationSettingsDescription::builder()
                        .option_settings(option("aws:autoscaling:asg", "MinSize", "2"))
                        .option_settings(option(
                            "aws:elasticbeanstalk:command",
                            "DeploymentPolicy",
                            "Rolling",
                        ))
                        .build(),
                )
                .build()
        });
    let list = mock!(Eb::describe_environments).then_output(|| {
        DescribeEnvironmentsOutput::builder()
            .environments(env_desc("prod", "Ready"))
            .build()
    });
    let cloud = cloud(&[&events, &settings, &list], &[]);
    let before = cloud.environments().await.expect("environments");
    assert_eq!(before[0].deployment_policy, None, "not read yet");
    let history = cloud
        .deploy_history(&env("prod", "e-1"))
        .await
        .expect("history");
    assert_eq!(
        history,
        [
            DeployRecord {
                version: "v3".into(),
                ts: 590_000
            },
            DeployRecord {
                version: "v2".into(),
                ts: 200_000
            },
            DeployRecord {
                version: "v1".into(),
                ts: 100_000
            },
        ]
    );
    let after = cloud.environments().await.expect("environments");
    assert_eq!(after[0].deployment_policy.as_deref(), Some("Rolling"));
    // Cached: a second history read within ten minutes does not ask again.
    let calls = cloud.api_calls();
    cloud
        .deploy_history(&env("prod", "e-1"))
        .await
        .expect("history");
    assert_eq!(cloud.api_calls(), calls + 1, "only DescribeEvents");
}

// ---- versions -----------------------------------------------------------------------------

#[tokio::test]
async fn versions_of_all_pages_newest_first() {
    let version = |label: &str, secs: i64| {
        ApplicationVersionDescription::builder()
            .application_name("shop")
            .version_label(label)
            .date_created(DateTime::from_secs(secs))
            .status(ApplicationVersionStatus::Processed)
            .build()
    };
    let page1 = mock!(Eb::describe_application_versions)
        .match_requests(|r| r.application_name() == Some("shop") && r.next_token().is_none())
        .then_output(move || {
            DescribeApplicationVersionsOutput::builder()
                .application_versions(version("v1", 100))
                .application_versions(version("v3", 300))
                .next_token("more")
                .build()
        });
    let page2 = mock!(Eb::describe_application_versions)
        .match_requests(|r| r.next_token() == Some("more"))
        .then_output(move || {
            DescribeApplicationVersionsOutput::builder()
                .application_versions(version("v2", 200))
                .build()
        });
    let cloud = cloud(&[&page1, &page2], &[]);
    let versions = cloud.versions("shop").await.expect("versions");
    let labels: Vec<_> = versions.iter().map(|v| v.label.as_str()).collect();
    assert_eq!(labels, ["v3", "v2", "v1"]);
    assert_eq!(versions[0].status, "Processed");
}

// ---- health -------------------------------------------------------------------------------

#[tokio::test]
async fn enhanced_health_with_paged_instances() {
    let env_health = mock!(Eb::describe_environment_health)
        .match_requests(|r| {
            r.environment_name() == Some("prod")
                && r.attribute_names().iter().any(|a| a.as_str() == "All")
        })
        .then_output(|| {
            DescribeEnvironmentHealthOutput::builder()
                .health_status("Warning")
                .color("Yellow")
                .causes("1 of 2 instances is warning")
                .instances_health(InstanceHealthSummary::builder().ok(1).warning(1).build())
                .build()
        });
    let instance = |id: &str, status: &str, idle: f64| {
        SingleInstanceHealth::builder()
            .instance_id(id)
            .health_status(status)
            .system(
                SystemStatus::builder()
                    .cpu_utilization(CpuUtilization::builder().idle(idle).build())
                    .load_average(1.5)
                    .build(),
            )
            .build()
    };
    let page1 = mock!(Eb::describe_instances_health)
        .match_requests(|r| {
            r.next_token().is_none() && r.attribute_names().iter().any(|a| a.as_str() == "All")
        })
        .then_output(move || {
            DescribeInstancesHealthOutput::builder()
                .instance_health_list(instance("i-1", "Ok", 75.0))
                .next_token("n")
                .build()
        });
    let page2 = mock!(Eb::describe_instances_health)
        .match_requests(|r| r.next_token() == Some("n"))
        .then_output(move || {
            DescribeInstancesHealthOutput::builder()
                .instance_health_list(instance("i-2", "Something New", 10.0))
                .build()
        });
    let cloud = cloud(&[&env_health, &page1, &page2], &[]);
    let snap = cloud.health(&env("prod", "e-1")).await.expect("health");
    assert!(snap.env.enhanced);
    assert_eq!(snap.env.status, Some(HealthStatus::Warning));
    assert_eq!(snap.env.color, HealthColor::Yellow);
    assert_eq!(snap.env.counts.total(), 2);
    let ids: Vec<_> = snap
        .instances
        .iter()
        .map(|i| (i.id.as_str(), i.cpu_pct))
        .collect();
    assert_eq!(ids, [("i-1", Some(25.0)), ("i-2", Some(90.0))]);
    assert_eq!(
        snap.instances[1].status,
        HealthStatus::Other("Something New".into())
    );
    assert_eq!(snap.instances[0].load1, Some(1.5));
}

#[tokio::test]
async fn a_refused_instance_read_keeps_the_environment_health() {
    use aws_sdk_elasticbeanstalk::operation::describe_instances_health::DescribeInstancesHealthError;
    let env_health = mock!(Eb::describe_environment_health).then_output(|| {
        DescribeEnvironmentHealthOutput::builder()
            .health_status("Severe")
            .color("Red")
            .causes("100 % of the requests are failing with HTTP 5xx.")
            .instances_health(InstanceHealthSummary::builder().severe(2).build())
            .build()
    });
    let denied = "User: arn:aws:iam::1:user/ro is not authorized to perform: elasticbeanstalk:DescribeInstancesHealth";
    let instances = mock!(Eb::describe_instances_health)
        .then_error(move || DescribeInstancesHealthError::generic(meta("AccessDenied", denied)));
    let cloud = cloud(&[&env_health, &instances], &[]);
    let snap = cloud
        .health(&env("prod", "e-1"))
        .await
        .expect("a partial snapshot, not an error");
    assert!(snap.env.enhanced);
    assert_eq!(snap.env.status, Some(HealthStatus::Severe));
    assert_eq!(snap.env.color, HealthColor::Red);
    assert_eq!(snap.env.counts.total(), 2);
    assert!(snap.instances.is_empty());
    assert_eq!(
        snap.env.causes,
        [
            "100 % of the requests are failing with HTTP 5xx.".to_string(),
            format!("{}{denied}", ebtui::cloud::aws::INSTANCE_HEALTH_UNREAD),
        ]
    );
}

#[tokio::test]
async fn a_throttled_instance_read_is_throttled() {
    use aws_sdk_elasticbeanstalk::operation::describe_instances_health::DescribeInstancesHealthError;
    let env_health = mock!(Eb::describe_environment_health).then_output(|| {
        DescribeEnvironmentHealthOutput::builder()
            .color("Green")
            .build()
    });
    let instances = mock!(Eb::describe_instances_health)
        .then_error(|| DescribeInstancesHealthError::generic(meta("Throttling", "Rate exceeded")));
    let cloud = cloud(&[&env_health, &instances], &[]);
    assert_eq!(
        cloud.health(&env("prod", "e-1")).await,
        Err(CloudError::Throttled("Rate exceeded".into())),
        "the poller must back off"
    );
}

#[tokio::test]
async fn enhanced_health_off_falls_back_to_basic_and_remembers() {
    let off = mock!(Eb::describe_environment_health).then_error(|| {
        DescribeEnvironmentHealthError::generic(meta(
            "InvalidRequestException",
            "Enhanced health reporting is not enabled for environment 'legacy'.",
        ))
    });
    let basic = mock!(Eb::describe_environments)
        .match_requests(|r| r.environment_names() == ["legacy".to_string()])
        .then_output(|| {
            let mut d = env_desc("legacy", "Ready");
            d.health = Some(EnvironmentHealth::Red);
            // The emulator ignores the name filter; another environment must not be taken.
            DescribeEnvironmentsOutput::builder()
                .environments(env_desc("other", "Ready"))
                .environments(d)
                .build()
        });
    let cloud = cloud(&[&off, &basic], &[]);
    let legacy = env("legacy", "e-legacy");
    let snap = cloud.health(&legacy).await.expect("basic health");
    assert!(!snap.env.enhanced);
    assert_eq!(snap.env.color, HealthColor::Red);
    assert_eq!(snap.env.status, None);
    assert!(snap.instances.is_empty());
    assert_eq!(cloud.api_calls(), 2);
    // Known basic: the refused DescribeEnvironmentHealth is not asked again right away.
    let again = cloud.health(&legacy).await.expect("basic health again");
    assert_eq!(again, snap);
    assert_eq!(cloud.api_calls(), 3);
}

#[tokio::test]
async fn option_settings_are_read_and_the_command_timeout_found() {
    let settings = mock!(Eb::describe_configuration_settings)
        .match_requests(|r| {
            r.application_name() == Some("shop") && r.environment_name() == Some("prod")
        })
        .then_output(|| {
            let option = |ns: &str, name: &str, value: &str| {
                ConfigurationOptionSetting::builder()
                    .namespace(ns)
                    .option_name(name)
                    .value(value)
                    .build()
            };
            DescribeConfigurationSettingsOutput::builder()
                .configuration_settings(
                    ConfigurationSettingsDescription::builder()
                        .option_settings(option("aws:elasticbeanstalk:command", "Timeout", "1200"))
                        .option_settings(option(
                            "aws:elasticbeanstalk:application:environment",
                            "DB_PASSWORD",
                            "hunter2",
                        ))
                        .build(),
                )
                .build()
        });
    let cloud = cloud(&[&settings], &[]);
    let got = cloud
        .option_settings(&env("prod", "e-1"))
        .await
        .expect("settings");
    assert_eq!(got.len(), 2);
    assert_eq!(ebtui::domain::command_timeout(&got), Some(1200));
    // A property's value never shows in a debug print (logs, panics).
    let shown = format!("{got:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("DB_PASSWORD=<7 bytes>"), "{shown}");
}
