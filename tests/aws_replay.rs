//! The documented AWS sample responses (tests/fixtures/aws, copied from the Elastic Beanstalk API
//! Reference) replayed through the real Elastic Beanstalk client: the SDK's Query/XML parsing,
//! then our conversion to domain values. Catches shape surprises that typed mocks cannot.

use aws_sdk_elasticbeanstalk::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_runtime_api::http::{Request, Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;
use ebtui::cloud::Cloud;
use ebtui::cloud::aws::AwsCloud;
use ebtui::domain::{CloudContext, EnvRef, EnvStatus, HealthColor, HealthStatus, Severity, Tier};

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/aws")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// One request/response pair: the request side is only a placeholder (the requests actually sent
/// are inspected through `actual_requests`), the response is the sample body as AWS sends it.
fn event(body: String, request_id: &str) -> ReplayEvent {
    let mut request = Request::new(SdkBody::empty());
    request
        .set_uri("https://elasticbeanstalk.us-east-1.amazonaws.com/")
        .expect("uri");
    let mut response = Response::new(
        StatusCode::try_from(200).expect("status"),
        SdkBody::from(body),
    );
    response.headers_mut().insert("content-type", "text/xml");
    response
        .headers_mut()
        .insert("x-amzn-requestid", request_id.to_string());
    ReplayEvent::new(request, response)
}

fn cloud_replaying(events: Vec<ReplayEvent>) -> (AwsCloud, StaticReplayClient) {
    let replay = StaticReplayClient::new(events);
    let creds = Credentials::new("AKIDEXAMPLE", "secret", None, None, "replay");
    let eb = aws_sdk_elasticbeanstalk::Client::from_conf(
        aws_sdk_elasticbeanstalk::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(creds.clone())
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .http_client(replay.clone())
            .build(),
    );
    // The other two clients are never called here; an empty replay would fail any request.
    let unused = StaticReplayClient::new(Vec::new());
    let cfn = aws_sdk_cloudformation::Client::from_conf(
        aws_sdk_cloudformation::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(aws_sdk_cloudformation::config::Region::new("us-east-1"))
            .credentials_provider(creds.clone())
            .http_client(unused.clone())
            .build(),
    );
    let logs = aws_sdk_cloudwatchlogs::Client::from_conf(
        aws_sdk_cloudwatchlogs::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(aws_sdk_cloudwatchlogs::config::Region::new("us-east-1"))
            .credentials_provider(creds)
            .http_client(unused)
            .build(),
    );
    let ctx = CloudContext {
        profile: "replay".into(),
        region: "us-east-1".into(),
        account: None,
        note: None,
    };
    (AwsCloud::from_clients(eb, cfn, logs, ctx), replay)
}

/// The form-encoded body of the n-th request sent.
fn sent_body(replay: &StaticReplayClient, n: usize) -> String {
    let req = replay.actual_requests().nth(n).expect("request was sent");
    String::from_utf8(req.body().bytes().expect("in-memory body").to_vec()).expect("utf-8 body")
}

fn prod() -> EnvRef {
    EnvRef {
        app: "SampleApp".into(),
        name: "test-1".into(),
        id: String::new(),
    }
}

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .expect("date")
        .timestamp_millis()
}

#[tokio::test]
async fn describe_environments_sample() {
    let (cloud, replay) =
        cloud_replaying(vec![event(fixture("DescribeEnvironments.xml"), "r-envs")]);
    let envs = cloud.environments().await.expect("environments");
    assert_eq!(envs.len(), 1);
    let e = &envs[0];
    assert_eq!(
        e.env,
        EnvRef {
            app: "SampleApp".into(),
            name: "SampleApp".into(),
            id: "e-icsgecu3wf".into()
        }
    );
    // "Available" is a legacy status the SDK no longer models: kept as text, not an error.
    assert_eq!(e.status, EnvStatus::Other("Available".into()));
    assert_eq!(e.health, HealthColor::Green);
    assert_eq!(e.health_status, None);
    assert_eq!(e.version.as_deref(), Some("Version1"));
    assert_eq!(e.tier, Tier::Web);
    assert_eq!(
        e.cname.as_deref(),
        Some("SampleApp-jxb293wg7n.elasticbeanstalk.amazonaws.com")
    );
    assert_eq!(e.platform, "32bit Amazon Linux running Tomcat 7");
    assert_eq!(e.created, ms("2010-11-17T03:59:33.520Z"));
    assert_eq!(e.updated, ms("2010-11-17T04:01:40.668Z"));
    assert!(!e.abortable);
    let body = sent_body(&replay, 0);
    assert!(
        body.contains("Action=DescribeEnvironments") && body.contains("IncludeDeleted=true"),
        "{body}"
    );
    // The sample has no EnvironmentArn, so the account stays unknown.
    assert_eq!(cloud.context().account, None);
    assert_eq!(cloud.api_calls(), 1);
}

#[tokio::test]
async fn describe_events_sample_comes_back_oldest_first() {
    // With a cursor there is exactly one request (no "latest 100" top-up).
    let (cloud, replay) = cloud_replaying(vec![event(fixture("DescribeEvents.xml"), "r-events")]);
    let since = ms("2010-11-17T10:26:40Z");
    let events = cloud.events(&prod(), Some(since)).await.expect("events");
    let messages: Vec<_> = events.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "Elastic Load Balancer elasticbeanstalk-SampleAppVersion has failed 0 healthy instances - Environment may not be available.",
            "At least one EC2 instance has entered the InService lifecycle state.",
            "Launching a new EC2 instance: i-04a8c569",
            "Successfully completed createEnvironment activity.",
        ]
    );
    assert_eq!(events[0].severity, Severity::Warn);
    assert_eq!(events[2].severity, Severity::Debug);
    assert_eq!(events[3].ts, ms("2010-11-17T20:25:35.191Z"));
    assert_eq!(events[3].version.as_deref(), Some("New Version"));
    assert_eq!(
        events[3].request_id.as_deref(),
        Some("bb01fa74-f287-11df-8a78-9f77047e0d0c")
    );
    assert_eq!(events[2].request_id, None);
    assert_eq!(events[3].env, "SampleAppVersion");
    let body = sent_body(&replay, 0);
    assert!(body.contains("Action=DescribeEvents"), "{body}");
    assert!(body.contains("EnvironmentName=test-1"), "{body}");
    assert!(
        body.contains("StartTime=2010-11-17T10%3A26%3A40Z"),
        "{body}"
    );
}

#[tokio::test]
async fn describe_environment_and_instances_health_samples() {
    let instances = fixture("DescribeInstancesHealth-All-Linux.xml");
    // The published sample has a literal `null` where the model wants a double. The SDK alone
    // fails the whole response on it; our EB client re-parses without such elements.
    assert!(instances.contains("<Privileged>null</Privileged>"));
    let (cloud, replay) = cloud_replaying(vec![
        event(fixture("DescribeEnvironmentHealth-All.xml"), "r-env-health"),
        event(instances, "r-inst-health"),
    ]);
    let snap = cloud.health(&prod()).await.expect("health");

    let env = &snap.env;
    assert!(env.enhanced);
    assert_eq!(env.status, Some(HealthStatus::Degraded));
    assert_eq!(env.color, HealthColor::Red);
    assert_eq!(
        env.causes,
        [
            "19.9 % of the requests are failing with HTTP 5xx.",
            "1 instance online is below Auto Scaling group minimum size 2."
        ]
    );
    assert_eq!(env.counts.degraded, 1);
    assert_eq!(env.counts.total(), 1);
    assert_eq!(env.refreshed, Some(ms("2015-08-04T01:24:34Z")));
    let m = env.metrics.as_ref().expect("application metrics");
    assert_eq!((m.duration_s, m.request_count), (10, 4234));
    assert_eq!(
        (m.status_2xx, m.status_3xx, m.status_4xx, m.status_5xx),
        (3391, 0, 0, 843)
    );
    assert_eq!(
        (m.p10, m.p50, m.p99, m.p999),
        (Some(0.0), Some(0.001), Some(0.003), Some(1.367))
    );

    assert_eq!(snap.instances.len(), 1);
    let i = &snap.instances[0];
    assert_eq!(i.id, "i-dc6ee922");
    assert_eq!(i.status, HealthStatus::Degraded);
    assert_eq!(i.color, HealthColor::Red);
    let cpu = i.cpu_pct.expect("cpu from Idle");
    assert!((cpu - (100.0 - 6.9)).abs() < 1e-9, "{cpu}");
    assert_eq!(i.load1, Some(3.81));
    assert_eq!(i.launched, Some(ms("2015-07-17T07:58:58Z")));
    assert_eq!(i.causes.len(), 2);
    assert_eq!(i.metrics.as_ref().map(|m| m.status_5xx), Some(843));

    let env_req = sent_body(&replay, 0);
    assert!(
        env_req.contains("Action=DescribeEnvironmentHealth"),
        "{env_req}"
    );
    assert!(env_req.contains("AttributeNames.member.1=All"), "{env_req}");
    let inst_req = sent_body(&replay, 1);
    assert!(
        inst_req.contains("Action=DescribeInstancesHealth"),
        "{inst_req}"
    );
    assert!(
        inst_req.contains("AttributeNames.member.1=All"),
        "{inst_req}"
    );
    assert_eq!(cloud.api_calls(), 2);
}

#[tokio::test]
async fn describe_application_versions_sample() {
    let (cloud, _replay) = cloud_replaying(vec![event(
        fixture("DescribeApplicationVersions.xml"),
        "r-versions",
    )]);
    let versions = cloud.versions("SampleApp").await.expect("versions");
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].label, "Version1");
    assert_eq!(versions[0].app, "SampleApp");
    assert_eq!(versions[0].description.as_deref(), Some("description"));
    assert_eq!(versions[0].created, ms("2010-11-17T03:21:59.161Z"));
}

#[tokio::test]
async fn update_environment_sample_gives_the_request_id() {
    let (cloud, replay) = cloud_replaying(vec![event(
        fixture("UpdateEnvironment.xml"),
        "7705f0bc-f28e-11df",
    )]);
    let env = EnvRef {
        app: "SampleApp".into(),
        name: "SampleAppVersion".into(),
        id: "e-hc8mvnayrx".into(),
    };
    let op = ebtui::cloud::Op::Deploy {
        env,
        version: "New Version".into(),
    };
    let accepted = cloud.execute(&op).await.expect("accepted");
    assert_eq!(accepted.request_id.as_deref(), Some("7705f0bc-f28e-11df"));
    let body = sent_body(&replay, 0);
    assert!(body.contains("Action=UpdateEnvironment"), "{body}");
    assert!(
        body.contains("EnvironmentName=SampleAppVersion")
            && body.contains("VersionLabel=New%20Version"),
        "{body}"
    );
}
