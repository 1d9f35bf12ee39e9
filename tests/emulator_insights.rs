//! CloudWatch Logs Insights against the local AWS emulator (moto 5.2.5 on 127.0.0.1), through
//! `AwsCloud` and the one loop ebtui follows a query with: StartQuery and GetQueryResults over
//! real HTTP and JSON, rows turned into lines, and DescribeLogGroups' sizes for the estimate.
//!
//! What moto does differently from AWS, and this test relies on knowingly: a query is Complete
//! at its first GetQueryResults (AWS runs it for a while), only part of the query language is
//! interpreted, and StopQuery is not implemented (the lifecycle, StopQuery included, is tested
//! against SDK mocks in `tests/aws_insights_mock.rs`).
//!
//! Without the emulator these tests fail and say how to install it, unless
//! `EBTUI_SKIP_EMULATOR=1` is set.

mod common;

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cloudwatchlogs::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use ebtui::cloud::aws::{AwsCloud, AwsOptions};
use ebtui::cloud::insights::follow_all;
use ebtui::cloud::{Cloud, InsightsQuery};
use ebtui::domain::{EnvRef, Millis};

const ACCESS_LOG: &str = "/aws/elasticbeanstalk/shop-prod/var/log/nginx/access.log";
const STREAM: &str = "i-0abc123def4567890";

fn now_ms() -> Millis {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.expect("clock after 1970").as_millis() as Millis
}

#[tokio::test]
async fn a_query_runs_over_http_and_its_rows_come_back() {
    common::moto::offline_aws_env();
    let Some(moto) = common::moto::Moto::start() else {
        return;
    };
    let url = moto.url().to_string();
    let logs = aws_sdk_cloudwatchlogs::Client::from_conf(
        aws_sdk_cloudwatchlogs::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .endpoint_url(&url)
            .build(),
    );
    logs.create_log_group()
        .log_group_name(ACCESS_LOG)
        .send()
        .await
        .expect("CreateLogGroup");
    logs.create_log_stream()
        .log_group_name(ACCESS_LOG)
        .log_stream_name(STREAM)
        .send()
        .await
        .expect("CreateLogStream");
    let t = now_ms() - 60_000;
    let lines = [
        r#"10.0.0.1 - - "GET / HTTP/1.1" 200 5120"#,
        r#"10.0.0.2 - - "GET /checkout HTTP/1.1" 502 157"#,
        r#"10.0.0.3 - - "GET /cart HTTP/1.1" 200 812"#,
    ];
    let events = lines
        .iter()
        .enumerate()
        .map(|(i, m)| {
            InputLogEvent::builder()
                .timestamp(t + i as Millis * 1_000)
                .message(*m)
                .build()
                .expect("event")
        })
        .collect();
    logs.put_log_events()
        .log_group_name(ACCESS_LOG)
        .log_stream_name(STREAM)
        .set_log_events(Some(events))
        .send()
        .await
        .expect("PutLogEvents");

    let cloud: Arc<dyn Cloud> = Arc::new(
        AwsCloud::connect(AwsOptions {
            profile: None,
            region: Some("us-east-1".into()),
            endpoint_url: Some(url.clone()),
            max_attempts: Some(1),
        })
        .await
        .expect("connect to the emulator"),
    );
    let env = EnvRef {
        app: "shop".into(),
        name: "shop-prod".into(),
        id: String::new(),
    };
    let query = InsightsQuery {
        env: env.clone(),
        groups: vec![ACCESS_LOG.into()],
        start: t - 60_000,
        end: now_ms() + 60_000,
        query: "fields @timestamp, @message | sort @timestamp asc | limit 100".into(),
    };
    let rows = follow_all(cloud.clone(), query, Duration::from_millis(200))
        .await
        .unwrap_or_else(|e| panic!("the query: {e:?}\n{}", moto.log_tail()));
    let messages: Vec<&str> = rows.iter().filter_map(|r| r.get("@message")).collect();
    assert!(
        lines.iter().all(|l| messages.contains(l)),
        "every line comes back as a row: {messages:?}"
    );

    let sizes = cloud
        .log_group_sizes(&env)
        .await
        .expect("DescribeLogGroups");
    assert!(
        sizes.iter().any(|g| g.name == ACCESS_LOG),
        "the access log's size is listed: {sizes:?}"
    );
}
