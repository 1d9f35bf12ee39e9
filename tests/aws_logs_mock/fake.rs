//! The CloudWatch Logs side of the mocks: a small in-memory log store answering FilterLogEvents,
//! DescribeLogGroups for the two groups, and StartLiveTail refused with a chosen error.

use std::sync::{Arc, Mutex, MutexGuard};

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::config::retry::RetryConfig;
use aws_sdk_cloudwatchlogs::operation::describe_log_groups::{
    DescribeLogGroupsError, DescribeLogGroupsOutput,
};
use aws_sdk_cloudwatchlogs::operation::filter_log_events::{
    FilterLogEventsError, FilterLogEventsInput, FilterLogEventsOutput,
};
use aws_sdk_cloudwatchlogs::types::{FilteredLogEvent, LogGroup};
use aws_smithy_mocks::{MockResponse, RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use ebtui::domain::Millis;
use tokio::time::Instant;

pub(crate) const ENV: &str = "demo-env";
pub(crate) const GROUP_A: &str = "/aws/elasticbeanstalk/demo-env/var/log/web.stdout.log";
pub(crate) const GROUP_B: &str = "/aws/elasticbeanstalk/demo-env/var/log/nginx/error.log";

pub(crate) fn arn(group: &str) -> String {
    format!("arn:aws:logs:us-east-1:123456789012:log-group:{group}")
}

pub(crate) fn now_ms() -> Millis {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.expect("clock after 1970").as_millis() as Millis
}

/// A JSON-protocol error answer, as CloudWatch Logs sends it.
pub(crate) fn json_error(code: &str, message: &str) -> HttpResponse {
    let body = format!(r#"{{"__type":"{code}","message":"{message}"}}"#);
    HttpResponse::new(
        StatusCode::try_from(400).expect("status"),
        SdkBody::from(body),
    )
}

#[derive(Debug, Clone)]
pub(crate) struct StoredEvent {
    pub(crate) group: String,
    pub(crate) stream: String,
    pub(crate) ts: Millis,
    pub(crate) message: String,
}

#[derive(Debug, Clone)]
pub(crate) struct FilterCall {
    pub(crate) at: Instant,
    pub(crate) group: String,
    pub(crate) start: Option<Millis>,
    pub(crate) end: Option<Millis>,
    pub(crate) pattern: Option<String>,
    pub(crate) token: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) events: Vec<StoredEvent>,
    pub(crate) page_size: usize,
    pub(crate) calls: Vec<FilterCall>,
    /// The next this-many FilterLogEvents calls answer ThrottlingException.
    pub(crate) throttle_next: usize,
    /// FilterLogEvents answers AccessDeniedException.
    pub(crate) deny: bool,
}

#[derive(Clone, Default)]
pub(crate) struct FakeLogs(Arc<Mutex<Store>>);

impl FakeLogs {
    pub(crate) fn new(page_size: usize) -> Self {
        let fake = Self::default();
        fake.lock().page_size = page_size;
        fake
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Store> {
        self.0.lock().expect("store lock")
    }

    pub(crate) fn put(&self, group: &str, stream: &str, ts: Millis, message: &str) {
        self.lock().events.push(StoredEvent {
            group: group.into(),
            stream: stream.into(),
            ts,
            message: message.into(),
        });
    }

    pub(crate) fn calls(&self) -> Vec<FilterCall> {
        self.lock().calls.clone()
    }

    pub(crate) fn filter(
        &self,
        input: &FilterLogEventsInput,
    ) -> MockResponse<FilterLogEventsOutput, FilterLogEventsError> {
        let mut store = self.lock();
        let group = input.log_group_name().unwrap_or_default().to_string();
        store.calls.push(FilterCall {
            at: Instant::now(),
            group: group.clone(),
            start: input.start_time(),
            end: input.end_time(),
            pattern: input.filter_pattern().map(str::to_string),
            token: input.next_token().map(str::to_string),
        });
        if store.throttle_next > 0 {
            store.throttle_next -= 1;
            return MockResponse::Http(json_error("ThrottlingException", "Rate exceeded"));
        }
        if store.deny {
            return MockResponse::Http(json_error(
                "AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/test is not authorized to perform: logs:FilterLogEvents",
            ));
        }
        let mut matching: Vec<&StoredEvent> = store
            .events
            .iter()
            .filter(|e| e.group == group)
            .filter(|e| input.start_time().is_none_or(|s| e.ts >= s))
            .filter(|e| input.end_time().is_none_or(|end| e.ts <= end))
            .filter(|e| input.filter_pattern().is_none_or(|p| e.message.contains(p)))
            .collect();
        matching.sort_by_key(|e| e.ts);
        let offset: usize = input
            .next_token()
            .map_or(0, |t| t.parse().expect("token is an offset"));
        let page: Vec<FilteredLogEvent> = matching
            .iter()
            .skip(offset)
            .take(store.page_size)
            .enumerate()
            .map(|(i, e)| {
                FilteredLogEvent::builder()
                    .log_stream_name(&e.stream)
                    .timestamp(e.ts)
                    .ingestion_time(e.ts + 50)
                    .message(&e.message)
                    .event_id(format!("{}{:04}", e.ts, offset + i))
                    .build()
            })
            .collect();
        let next = offset + store.page_size;
        let token = (next < matching.len()).then(|| next.to_string());
        MockResponse::Output(
            FilterLogEventsOutput::builder()
                .set_events(Some(page))
                .set_next_token(token)
                .build(),
        )
    }
}

pub(crate) fn describe_both_groups() -> aws_smithy_mocks::Rule {
    mock!(Client::describe_log_groups).then_compute_response(|input| {
        let prefix = input.log_group_name_prefix().unwrap_or_default();
        let groups = [GROUP_A, GROUP_B]
            .iter()
            .filter(|g| g.starts_with(prefix))
            .map(|g| {
                LogGroup::builder()
                    .log_group_name(*g)
                    .arn(format!("{}:*", arn(g)))
                    .log_group_arn(arn(g))
                    .build()
            })
            .collect();
        MockResponse::<DescribeLogGroupsOutput, DescribeLogGroupsError>::Output(
            DescribeLogGroupsOutput::builder()
                .set_log_groups(Some(groups))
                .build(),
        )
    })
}

/// A client whose FilterLogEvents reads `fake`, whose StartLiveTail answers `live_tail_error`,
/// and which does not retry on its own (so our backoff is what is tested).
pub(crate) fn logs_client(
    fake: &FakeLogs,
    live_tail_error: (&'static str, &'static str),
) -> Client {
    let store = fake.clone();
    let filter =
        mock!(Client::filter_log_events).then_compute_response(move |input| store.filter(input));
    let live = mock!(Client::start_live_tail)
        .then_http_response(move || json_error(live_tail_error.0, live_tail_error.1));
    mock_client!(
        aws_sdk_cloudwatchlogs,
        RuleMode::MatchAny,
        &[&filter, &describe_both_groups(), &live],
        |c| c.retry_config(RetryConfig::disabled())
    )
}
