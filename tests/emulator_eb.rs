//! `AwsCloud` against the local AWS emulator (moto 5.2.5 on 127.0.0.1), through
//! `AwsCloud::connect` with an endpoint override: the real SDK stack, real HTTP, real XML.
//!
//! What moto implements for Elastic Beanstalk: CreateApplication, DescribeApplications,
//! CreateEnvironment, DescribeEnvironments, ListAvailableSolutionStacks and tags; everything else
//! answers HTTP 500 with an HTML page. Its environments differ from AWS's: EnvironmentId and CNAME
//! are empty, Status is Ready, Health Grey, HealthStatus "No Data", SolutionStackName "None",
//! the Tier always WebServer, and the EnvironmentNames filter is ignored. CloudFormation stacks work, with stack-level events only and no NextToken.
//! The code is written for AWS; these tests check it copes with those differences.

mod common;

use aws_sdk_cloudformation::types::Tag;
use aws_sdk_elasticbeanstalk::config::{BehaviorVersion, Credentials, Region};
use common::moto::{Moto, offline_aws_env};
use ebtui::cloud::aws::{AwsCloud, AwsOptions};
use ebtui::cloud::{Cloud, CloudError};
use ebtui::domain::{EnvRef, EnvStatus, HealthColor, HealthStatus, Tier};

const REGION: &str = "us-east-1";
/// A template with one resource moto implements.
const TEMPLATE: &str =
    r#"{"AWSTemplateFormatVersion":"2010-09-09","Resources":{"Topic":{"Type":"AWS::SNS::Topic"}}}"#;

fn creds() -> Credentials {
    Credentials::new("testing", "testing", None, None, "emulator-test")
}

/// SDK clients for creating the account in the emulator (not through `AwsCloud`, which only
/// reads and runs the operations ebtui offers).
fn eb_client(url: &str) -> aws_sdk_elasticbeanstalk::Client {
    let conf = aws_sdk_elasticbeanstalk::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(url)
        .credentials_provider(creds())
        .build();
    aws_sdk_elasticbeanstalk::Client::from_conf(conf)
}

fn cfn_client(url: &str) -> aws_sdk_cloudformation::Client {
    let conf = aws_sdk_cloudformation::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(aws_sdk_cloudformation::config::Region::new(REGION))
        .endpoint_url(url)
        .credentials_provider(creds())
        .build();
    aws_sdk_cloudformation::Client::from_conf(conf)
}

async fn create_env(eb: &aws_sdk_elasticbeanstalk::Client, app: &str, env: &str) {
    eb.create_environment()
        .application_name(app)
        .environment_name(env)
        .solution_stack_name("64bit Amazon Linux 2023 v4.3.0 running Python 3.11")
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateEnvironment {env}: {e:?}"));
}

async fn connect(url: &str, region: Option<&str>) -> AwsCloud {
    AwsCloud::connect(AwsOptions {
        profile: None,
        region: region.map(str::to_string),
        endpoint_url: Some(url.to_string()),
        max_attempts: Some(1),
    })
    .await
    .expect("connect to the emulator")
}

fn env_ref(app: &str, name: &str) -> EnvRef {
    // The emulator leaves EnvironmentId empty, as `environments()` reports it.
    EnvRef {
        app: app.into(),
        name: name.into(),
        id: String::new(),
    }
}

#[tokio::test]
async fn environments_of_every_application_are_listed() {
    offline_aws_env();
    let Some(moto) = Moto::start() else { return };
    let eb = eb_client(moto.url());
    for app in ["shop", "billing"] {
        eb.create_application()
            .application_name(app)
            .send()
            .await
            .expect("CreateApplication");
    }
    create_env(&eb, "shop", "shop-prod").await;
    create_env(&eb, "shop", "shop-jobs").await;
    create_env(&eb, "billing", "billing-prod").await;

    let cloud = connect(moto.url(), Some(REGION)).await;
    let before = cloud.api_calls();
    let mut envs = cloud.environments().await.expect("environments");
    // One DescribeEnvironments page, one attempt.
    assert_eq!(cloud.api_calls() - before, 1);
    envs.sort_by(|a, b| a.env.name.cmp(&b.env.name));
    let names: Vec<_> = envs
        .iter()
        .map(|e| (e.env.app.as_str(), e.env.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("billing", "billing-prod"),
            ("shop", "shop-jobs"),
            ("shop", "shop-prod")
        ]
    );

    let prod = &envs[2];
    assert_eq!(prod.status, EnvStatus::Ready);
    assert_eq!(prod.health, HealthColor::Grey);
    assert_eq!(prod.health_status, Some(HealthStatus::NoData));
    assert_eq!(prod.tier, Tier::Web);
    assert_eq!(prod.env.id, "", "moto leaves EnvironmentId empty");
    assert_eq!(prod.cname, None, "an empty CNAME is read as absent");
    // moto answers SolutionStackName "None" whatever was asked: not checked.

    let ctx = cloud.context();
    assert_eq!(ctx.region, REGION);
    assert_eq!(ctx.profile, "default");
    assert_eq!(
        ctx.note.as_deref(),
        Some(format!("endpoint {}", moto.url()).as_str())
    );
    // moto's default account, parsed from the EnvironmentArn.
    assert_eq!(ctx.account.as_deref(), Some("123456789012"));
}

#[tokio::test]
async fn endpoint_override_without_region_defaults_to_us_east_1() {
    offline_aws_env();
    let Some(moto) = Moto::start() else { return };
    let eb = eb_client(moto.url());
    eb.create_application()
        .application_name("solo")
        .send()
        .await
        .expect("CreateApplication");
    create_env(&eb, "solo", "solo-prod").await;

    let cloud = connect(moto.url(), None).await;
    assert_eq!(cloud.context().region, "us-east-1");
    // The emulator keeps accounts per region: finding the environment proves requests are
    // signed for us-east-1.
    let envs = cloud.environments().await.expect("environments");
    assert_eq!(
        envs.iter().map(|e| e.env.name.as_str()).collect::<Vec<_>>(),
        ["solo-prod"]
    );
}

#[tokio::test]
async fn stack_events_found_through_the_environment_name_tag() {
    offline_aws_env();
    let Some(moto) = Moto::start() else { return };
    let eb = eb_client(moto.url());
    eb.create_application()
        .application_name("shop")
        .send()
        .await
        .expect("CreateApplication");
    create_env(&eb, "shop", "shop-prod").await;
    create_env(&eb, "shop", "shop-stage").await;
    let cfn = cfn_client(moto.url());
    // A stack that does not belong to the environment, then the environment's own.
    cfn.create_stack()
        .stack_name("unrelated")
        .template_body(TEMPLATE)
        .tags(
            Tag::builder()
                .key("elasticbeanstalk:environment-name")
                .value("someone-else")
                .build(),
        )
        .send()
        .await
        .expect("CreateStack unrelated");
    cfn.create_stack()
        .stack_name("awseb-e-emulated-stack")
        .template_body(TEMPLATE)
        .tags(
            Tag::builder()
                .key("elasticbeanstalk:environment-name")
                .value("shop-prod")
                .build(),
        )
        .send()
        .await
        .expect("CreateStack");

    let cloud = connect(moto.url(), Some(REGION)).await;
    let env = env_ref("shop", "shop-prod");
    let events = cloud.stack_events(&env, None).await.expect("stack events");
    assert!(!events.is_empty(), "the tagged stack's events");
    assert!(
        events.iter().all(|e| e.stack == "awseb-e-emulated-stack"),
        "{events:#?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e.status == "CREATE_COMPLETE"
                && e.resource_type == "AWS::CloudFormation::Stack"),
        "{events:#?}"
    );
    assert!(
        events.windows(2).all(|w| w[0].ts <= w[1].ts),
        "oldest first"
    );

    // The resolved stack is cached: the next read asks only for the stack's events.
    let before = cloud.api_calls();
    let newest = events.last().map(|e| e.ts).unwrap_or_default();
    let later = cloud
        .stack_events(&env, Some(newest + 1))
        .await
        .expect("stack events since");
    assert!(
        later.is_empty(),
        "nothing happened after the newest event: {later:#?}"
    );
    assert_eq!(
        cloud.api_calls() - before,
        1,
        "one DescribeStackEvents, no new DescribeStacks"
    );

    // An environment without a stack has no stack events, and that is not an error.
    let none = cloud
        .stack_events(&env_ref("shop", "shop-stage"), None)
        .await
        .expect("no stack");
    assert!(none.is_empty());
}

#[tokio::test]
async fn calls_the_emulator_lacks_are_errors_not_panics() {
    offline_aws_env();
    let Some(moto) = Moto::start() else { return };
    let eb = eb_client(moto.url());
    eb.create_application()
        .application_name("shop")
        .send()
        .await
        .expect("CreateApplication");
    create_env(&eb, "shop", "shop-prod").await;
    let cloud = connect(moto.url(), Some(REGION)).await;
    let env = env_ref("shop", "shop-prod");
    // DescribeEvents is not implemented by moto: an HTTP 500 HTML page. It must come back as an
    // error with the status in its text, so the UI can show it.
    match cloud.events(&env, None).await {
        Err(CloudError::Other(m)) => assert!(m.contains("500"), "{m}"),
        other => panic!("expected Other(HTTP 500 ...), got {other:?}"),
    }
}

#[tokio::test]
async fn an_endpoint_nobody_listens_on_is_a_network_error() {
    offline_aws_env();
    // Bind then release a port: nothing listens there afterwards.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let cloud = connect(&format!("http://127.0.0.1:{port}"), Some(REGION)).await;
    match cloud.environments().await {
        Err(CloudError::Network(m)) => assert!(!m.is_empty()),
        other => panic!("expected Network, got {other:?}"),
    }
    assert_eq!(
        cloud.api_calls(),
        1,
        "max_attempts 1: one attempt, no retry"
    );
}

#[tokio::test]
async fn a_write_is_sent_once_while_reads_keep_the_standard_retry() {
    offline_aws_env();
    let Some(moto) = Moto::start() else { return };
    let eb = eb_client(moto.url());
    eb.create_application()
        .application_name("shop")
        .send()
        .await
        .expect("CreateApplication");
    create_env(&eb, "shop", "shop-prod").await;
    // Three attempts for reads, as configured.
    let cloud = AwsCloud::connect(AwsOptions {
        profile: None,
        region: Some(REGION.to_string()),
        endpoint_url: Some(moto.url().to_string()),
        max_attempts: Some(3),
    })
    .await
    .expect("connect to the emulator");
    let env = env_ref("shop", "shop-prod");

    // moto does not implement UpdateEnvironment: it answers HTTP 500, which may mean the write
    // reached a server that failed midway. Sent once, and reported as a lost answer.
    let deploy = ebtui::cloud::Op::Deploy {
        env: env.clone(),
        version: "v2".into(),
    };
    match cloud.execute(&deploy).await {
        Err(CloudError::AnswerLost(m)) => {
            assert!(
                m.starts_with("Sent; answer lost: AWS answered with a server error (HTTP 500"),
                "{m}"
            )
        }
        other => panic!("expected AnswerLost, got {other:?}"),
    }
    assert_eq!(cloud.api_calls(), 1, "the write went once");

    // The tail-logs request is a write like the others.
    let tail = ebtui::cloud::Op::RequestTailLogs { env: env.clone() };
    assert!(matches!(
        cloud.execute(&tail).await,
        Err(CloudError::AnswerLost(_))
    ));
    assert_eq!(cloud.api_calls(), 2);

    // A read answered HTTP 500 (DescribeEvents is not implemented either) is retried.
    assert!(cloud.events(&env, None).await.is_err());
    assert_eq!(cloud.api_calls(), 5, "three attempts for the read");
}
