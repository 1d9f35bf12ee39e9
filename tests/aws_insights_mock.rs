//! CloudWatch Logs Insights against typed mocks (aws-smithy-mocks): StartQuery, GetQueryResults
//! polled until the query ends, StopQuery when the caller goes away, and the errors users meet
//! (the concurrency quota, a refused query). Time is paused, so the 1 s polls take no wall time.
//!
//! moto 5.2.5 implements StartQuery and GetQueryResults (a query is complete at once, a subset
//! of commands) but not StopQuery, so the lifecycle (progress, stopping) is tested here.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::config::retry::RetryConfig;
use aws_sdk_cloudwatchlogs::operation::describe_log_groups::DescribeLogGroupsOutput;
use aws_sdk_cloudwatchlogs::operation::get_query_results::GetQueryResultsOutput;
use aws_sdk_cloudwatchlogs::operation::start_query::StartQueryOutput;
use aws_sdk_cloudwatchlogs::operation::stop_query::StopQueryOutput;
use aws_sdk_cloudwatchlogs::types::{LogGroup, QueryStatistics, QueryStatus, ResultField};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use ebtui::cloud::aws::AwsCloud;
use ebtui::cloud::insights::follow;
use ebtui::cloud::{Cloud, CloudError, InsightsEvent, InsightsQuery, QueryStatus as Status};
use ebtui::domain::{CloudContext, EnvRef};
use tokio::sync::mpsc;

const GROUP: &str = "/aws/elasticbeanstalk/demo-env/var/log/nginx/error.log";

fn cloud(rules: &[&Rule]) -> Arc<dyn Cloud> {
    let retry = RetryConfig::standard().with_max_attempts(1);
    let none: &[&Rule] = &[];
    let eb = mock_client!(aws_sdk_elasticbeanstalk, RuleMode::MatchAny, none);
    let cfn = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, none);
    let logs = mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, rules, |c| c
        .retry_config(retry.clone()));
    Arc::new(AwsCloud::from_clients(
        eb,
        cfn,
        logs,
        CloudContext::default(),
    ))
}

fn query() -> InsightsQuery {
    InsightsQuery {
        env: EnvRef {
            app: "demo".into(),
            name: "demo-env".into(),
            id: "e-1".into(),
        },
        groups: vec![GROUP.into()],
        start: 1_700_000_000_500,
        end: 1_700_086_400_000,
        query: "fields @timestamp, @message | filter @message like /timed out/".into(),
    }
}

fn json_error(code: &str, message: &str) -> HttpResponse {
    let body = format!(r#"{{"__type":"{code}","message":"{message}"}}"#);
    HttpResponse::new(
        StatusCode::try_from(400).expect("status"),
        SdkBody::from(body),
    )
}

fn row(ptr: &str, message: &str) -> Vec<ResultField> {
    let f = |k: &str, v: &str| ResultField::builder().field(k).value(v).build();
    vec![
        f("@timestamp", "2023-11-14 22:13:20.000"),
        f("@message", message),
        f("@ptr", ptr),
    ]
}

fn page(status: QueryStatus, rows: &[(&str, &str)], scanned: f64) -> GetQueryResultsOutput {
    GetQueryResultsOutput::builder()
        .status(status)
        .set_results(Some(rows.iter().map(|(p, m)| row(p, m)).collect()))
        .statistics(
            QueryStatistics::builder()
                .records_matched(rows.len() as f64)
                .records_scanned(scanned)
                .bytes_scanned(scanned * 100.0)
                .build(),
        )
        .build()
}

fn start_ok() -> Rule {
    mock!(Client::start_query)
        .match_requests(|r| {
            r.log_group_names() == [GROUP.to_string()]
                && r.start_time() == Some(1_700_000_000)
                && r.end_time() == Some(1_700_086_400)
                && r.query_string()
                    .is_some_and(|q| q.contains("like /timed out/"))
        })
        .then_output(|| StartQueryOutput::builder().query_id("q-1").build())
}

fn stop_ok() -> Rule {
    mock!(Client::stop_query)
        .match_requests(|r| r.query_id() == Some("q-1"))
        .then_output(|| StopQueryOutput::builder().success(true).build())
}

async fn run(
    cloud: Arc<dyn Cloud>,
) -> (
    Result<ebtui::cloud::InsightsProgress, CloudError>,
    Vec<InsightsEvent>,
) {
    let (tx, mut rx) = mpsc::channel(64);
    let result = follow(cloud, query(), tx, Duration::from_secs(1)).await;
    let mut events = Vec::new();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    (result, events)
}

#[tokio::test(start_paused = true)]
async fn rows_stream_as_they_come_until_complete() {
    let start = start_ok();
    let results = mock!(Client::get_query_results)
        .match_requests(|r| r.query_id() == Some("q-1"))
        .sequence()
        .output(|| page(QueryStatus::Scheduled, &[], 0.0))
        .output(|| page(QueryStatus::Running, &[("p1", "a timed out")], 1_000.0))
        .output(|| {
            page(
                QueryStatus::Running,
                &[("p1", "a timed out"), ("p2", "b timed out")],
                5_000.0,
            )
        })
        .output(|| {
            page(
                QueryStatus::Complete,
                &[
                    ("p1", "a timed out"),
                    ("p2", "b timed out"),
                    ("p3", "c timed out"),
                ],
                9_000.0,
            )
        })
        .build();
    let stop = stop_ok();
    let (result, events) = run(cloud(&[&start, &results, &stop])).await;
    let done = result.expect("complete");
    assert_eq!(done.status, Status::Complete);
    assert_eq!(done.records_scanned, 9_000.0);
    assert_eq!(done.bytes_scanned, 900_000.0);
    assert_eq!(events.first(), Some(&InsightsEvent::Started("q-1".into())));
    // Each row once, as it first appeared.
    let batches: Vec<Vec<&str>> = events
        .iter()
        .filter_map(|e| match e {
            InsightsEvent::Rows(rows) => {
                Some(rows.iter().map(|r| r.get("@message").unwrap()).collect())
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        batches,
        [
            vec!["a timed out"],
            vec!["b timed out"],
            vec!["c timed out"]
        ]
    );
    let statuses: Vec<Status> = events
        .iter()
        .filter_map(|e| match e {
            InsightsEvent::Progress(p) => Some(p.status),
            _ => None,
        })
        .collect();
    assert_eq!(
        statuses,
        [
            Status::Scheduled,
            Status::Running,
            Status::Running,
            Status::Complete
        ]
    );
    assert_eq!(start.num_calls(), 1);
    assert_eq!(results.num_calls(), 4);
    assert_eq!(stop.num_calls(), 0, "a complete query is not stopped");
}

#[tokio::test(start_paused = true)]
async fn a_failed_query_says_so() {
    let start = start_ok();
    let results =
        mock!(Client::get_query_results).then_output(|| page(QueryStatus::Failed, &[], 10.0));
    let (result, _) = run(cloud(&[&start, &results])).await;
    let err = result.expect_err("failed");
    assert!(
        matches!(&err, CloudError::Other(m) if m.contains("failed")),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_the_task_sends_stop_query() {
    let start = start_ok();
    let results = mock!(Client::get_query_results)
        .then_output(|| page(QueryStatus::Running, &[("p1", "a timed out")], 10.0));
    let stop = stop_ok();
    let cloud = cloud(&[&start, &results, &stop]);
    let (tx, mut rx) = mpsc::channel(64);
    let task = tokio::spawn(follow(cloud, query(), tx, Duration::from_secs(1)));
    // Wait for the query to be running, then abort the task (Esc in the app).
    loop {
        match rx.recv().await.expect("an event") {
            InsightsEvent::Progress(p) if p.status == Status::Running => break,
            _ => {}
        }
    }
    assert_eq!(stop.num_calls(), 0);
    task.abort();
    let _ = task.await;
    for _ in 0..50 {
        if stop.num_calls() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        stop.num_calls(),
        1,
        "StopQuery sent when the task was dropped"
    );
}

#[tokio::test(start_paused = true)]
async fn the_receiver_going_away_stops_the_query() {
    let start = start_ok();
    let results =
        mock!(Client::get_query_results).then_output(|| page(QueryStatus::Running, &[], 10.0));
    let stop = stop_ok();
    let cloud = cloud(&[&start, &results, &stop]);
    let (tx, mut rx) = mpsc::channel(64);
    let task = tokio::spawn(follow(cloud, query(), tx, Duration::from_secs(1)));
    let _ = rx.recv().await;
    drop(rx);
    let result = task.await.expect("joins");
    assert_eq!(result.expect("ok").status, Status::Cancelled);
    assert_eq!(stop.num_calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_concurrency_quota_is_named() {
    let start = mock!(Client::start_query).then_http_response(|| {
        json_error(
            "LimitExceededException",
            "Account maximum query concurrency limit of [30] reached.",
        )
    });
    let (result, events) = run(cloud(&[&start])).await;
    let err = result.expect_err("quota");
    let m = err.message();
    assert!(
        m.contains("as many queries as the account may at once"),
        "{m}"
    );
    assert!(m.contains("limit of [30] reached"), "{m}");
    assert!(events.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_refused_query_shows_insights_message() {
    let start = mock!(Client::start_query).then_http_response(|| {
        json_error(
            "MalformedQueryException",
            "unexpected symbol found \\u001b[31m| at line 1 and position 8",
        )
    });
    let (result, _) = run(cloud(&[&start])).await;
    let m = result.expect_err("refused").message().to_string();
    assert!(
        m.starts_with("CloudWatch Logs Insights refused the query: unexpected symbol"),
        "{m}"
    );
    assert!(!m.contains('\u{1b}'), "cleaned: {m:?}");
}

#[tokio::test]
async fn group_sizes_come_from_describe_log_groups() {
    let groups = mock!(Client::describe_log_groups)
        .match_requests(|r| r.log_group_name_prefix() == Some("/aws/elasticbeanstalk/demo-env/"))
        .then_output(|| {
            DescribeLogGroupsOutput::builder()
                .log_groups(
                    LogGroup::builder()
                        .log_group_name(GROUP)
                        .stored_bytes(7 << 30)
                        .retention_in_days(7)
                        .creation_time(1_600_000_000_000)
                        .build(),
                )
                .log_groups(LogGroup::builder().log_group_name("/other/group").build())
                .build()
        });
    let cloud = cloud(&[&groups]);
    let env = query().env;
    let sizes = cloud.log_group_sizes(&env).await.expect("sizes");
    assert_eq!(sizes.len(), 1, "only the environment's groups");
    assert_eq!(sizes[0].stored_bytes, 7 << 30);
    assert_eq!(sizes[0].retention_days, Some(7));
    assert_eq!(sizes[0].created, Some(1_600_000_000_000));
}
