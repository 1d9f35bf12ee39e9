//! The fault proxy's answers are what AWS sends: the SDK, through the proxy to moto, parses each
//! injected error into the code and message the product classifies (Query protocol for Elastic
//! Beanstalk, JSON for CloudWatch Logs), a reset is a dispatch failure, a black-hole a timeout,
//! a delay only slows the call, the token bucket throttles the excess, and every call and write is
//! counted. The fault scenarios (`e2e_faults.rs`) rely on all of it.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_elasticbeanstalk::config::retry::RetryConfig;
use aws_sdk_elasticbeanstalk::config::timeout::TimeoutConfig;
use aws_sdk_elasticbeanstalk::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use common::fault_proxy::{Fault, FaultProxy, Scope, Service};
use common::moto::Moto;

fn clients(
    url: &str,
) -> (
    aws_sdk_elasticbeanstalk::Client,
    aws_sdk_cloudwatchlogs::Client,
) {
    let creds = Credentials::new("testing", "testing", None, None, "proxy-test");
    let region = Region::new("us-east-1");
    // One attempt, so each call is one request at the proxy; a short timeout for the black-hole.
    let timeouts = TimeoutConfig::builder()
        .operation_attempt_timeout(Duration::from_secs(2))
        .build();
    let eb = aws_sdk_elasticbeanstalk::Client::from_conf(
        aws_sdk_elasticbeanstalk::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(region.clone())
            .credentials_provider(creds.clone())
            .endpoint_url(url)
            .retry_config(RetryConfig::disabled())
            .timeout_config(timeouts.clone())
            .build(),
    );
    let logs = aws_sdk_cloudwatchlogs::Client::from_conf(
        aws_sdk_cloudwatchlogs::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(region)
            .credentials_provider(creds)
            .endpoint_url(url)
            .retry_config(RetryConfig::disabled())
            .timeout_config(timeouts)
            .build(),
    );
    (eb, logs)
}

/// (code, message) of a service error, or the kind of the other errors.
fn outcome<E: ProvideErrorMetadata, R>(r: Result<impl Sized, SdkError<E, R>>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(SdkError::ServiceError(e)) => format!(
            "{}: {}",
            e.err().code().unwrap_or("-"),
            e.err().message().unwrap_or("-")
        ),
        Err(SdkError::TimeoutError(_)) => "timeout".into(),
        Err(SdkError::DispatchFailure(_)) => "dispatch failure".into(),
        Err(SdkError::ResponseError(_)) => "response error".into(),
        Err(_) => "other".into(),
    }
}

#[test]
fn injected_faults_reach_the_sdk_as_aws_errors() {
    let Some(moto) = Moto::start() else { return };
    let proxy = Arc::new(FaultProxy::start(moto.url()));
    let rt = common::runtime();
    let (eb, logs) = clients(&proxy.url());
    let envs = || outcome(rt.block_on(eb.describe_environments().send()));
    let groups = || outcome(rt.block_on(logs.describe_log_groups().send()));

    assert_eq!(envs(), "ok");
    assert_eq!(groups(), "ok");

    let cases: [(Fault, &str, &str); 5] = [
        (
            Fault::Throttling,
            "Throttling: Rate exceeded",
            "ThrottlingException: Rate exceeded",
        ),
        (
            Fault::ExpiredToken,
            "ExpiredToken: The security token included in the request is expired",
            "ExpiredTokenException: The security token included in the request is expired",
        ),
        (
            Fault::Status(503),
            "ServiceUnavailable: Service is unavailable. Please try again.",
            "ServiceUnavailable: Service is unavailable. Please try again.",
        ),
        (
            Fault::Status(500),
            "InternalFailure: The request processing has failed because of an unknown error.",
            "InternalFailure: The request processing has failed because of an unknown error.",
        ),
        (Fault::Reset, "dispatch failure", "dispatch failure"),
    ];
    for (fault, eb_expected, logs_expected) in cases {
        proxy.set(fault.clone());
        assert_eq!(envs(), eb_expected, "Elastic Beanstalk under {fault:?}");
        assert_eq!(groups(), logs_expected, "CloudWatch Logs under {fault:?}");
    }

    proxy.set(Fault::AccessDenied);
    let denied = envs();
    assert!(
        denied.starts_with("AccessDenied: User: ")
            && denied.contains("not authorized to perform: elasticbeanstalk:DescribeEnvironments"),
        "{denied}"
    );
    let denied = groups();
    assert!(
        denied.starts_with("AccessDeniedException: ") && denied.contains("logs:DescribeLogGroups"),
        "{denied}"
    );

    proxy.set(Fault::BlackHole);
    let t = Instant::now();
    assert_eq!(envs(), "timeout");
    assert!(t.elapsed() >= Duration::from_secs(2), "{:?}", t.elapsed());

    proxy.set(Fault::Delay(Duration::from_millis(600)));
    let t = Instant::now();
    assert_eq!(envs(), "ok");
    assert!(
        t.elapsed() >= Duration::from_millis(600),
        "{:?}",
        t.elapsed()
    );

    // One action only: the rest of the service passes.
    proxy.clear();
    proxy.set_for(
        Scope::Action(Service::Eb, "DescribeEnvironments".into()),
        Fault::Throttling,
    );
    assert_eq!(envs(), "Throttling: Rate exceeded");
    assert_eq!(
        outcome(rt.block_on(eb.describe_applications().send())),
        "ok"
    );

    // The token bucket: 2 a second from a bucket of 2; 5 calls at once pass 2.
    proxy.clear();
    proxy.reset_counts();
    proxy.set_for(
        Scope::Service(Service::Eb),
        Fault::TokenBucket {
            per_second: 2.0,
            burst: 2.0,
        },
    );
    let burst: Vec<String> = (0..5).map(|_| envs()).collect();
    let passed = burst.iter().filter(|o| *o == "ok").count();
    assert_eq!(passed, 2, "{burst:?}");
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(envs(), "ok", "a token back after 500 ms");
    let total = proxy.service_total(Service::Eb);
    assert_eq!((total.requests, total.throttled), (6, 3));

    // On a schedule: throttled from now, passing again after 1 s.
    proxy.clear();
    proxy.schedule(vec![
        (Duration::ZERO, Scope::All, Fault::Throttling),
        (Duration::from_secs(1), Scope::All, Fault::Pass),
    ]);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(envs(), "Throttling: Rate exceeded");
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(envs(), "ok");

    // Writes are counted, reads are not.
    proxy.clear();
    assert_eq!(proxy.writes(), vec![]);
    let created = outcome(rt.block_on(eb.create_application().application_name("w").send()));
    assert_eq!(created, "ok");
    let created = outcome(rt.block_on(logs.create_log_group().log_group_name("/w").send()));
    assert_eq!(created, "ok");
    assert_eq!(
        proxy.writes(),
        vec![
            (Service::Eb, "CreateApplication".to_string()),
            (Service::Logs, "CreateLogGroup".to_string()),
        ]
    );
    eprintln!("{}", proxy.summary());
}
