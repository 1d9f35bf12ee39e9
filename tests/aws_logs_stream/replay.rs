//! The replaying side: event-stream frames as the service writes them, and an HTTP client that
//! answers StartLiveTail from a script and FilterLogEvents / DescribeLogGroups from a log store.

use std::sync::{Arc, Mutex, MutexGuard};

use aws_sdk_cloudwatchlogs::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_eventstream::frame::write_message_to;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use aws_smithy_types::str_bytes::StrBytes;
use ebtui::cloud::aws::logs::configure_logs_client;
use ebtui::domain::Millis;
use regex::Regex;
use tokio::time::Instant;

pub(crate) const ENDPOINT: &str = "http://127.0.0.1:4566";
pub(crate) const GROUP_A: &str = "/aws/elasticbeanstalk/demo-env/var/log/web.stdout.log";
pub(crate) const GROUP_B: &str = "/aws/elasticbeanstalk/demo-env/var/log/nginx/error.log";

pub(crate) fn arn(group: &str) -> String {
    format!("arn:aws:logs:us-east-1:123456789012:log-group:{group}")
}

pub(crate) fn now_ms() -> Millis {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.expect("clock after 1970").as_millis() as Millis
}

// ---- event-stream frames -------------------------------------------------------------------

pub(crate) fn header(name: &'static str, value: &'static str) -> Header {
    Header::new(name, HeaderValue::String(StrBytes::from(value)))
}

pub(crate) fn frame(
    message_type: &'static str,
    type_header: (&'static str, &'static str),
    payload: String,
) -> Vec<u8> {
    let message = Message::new(payload.into_bytes())
        .add_header(header(":message-type", message_type))
        .add_header(header(type_header.0, type_header.1))
        .add_header(header(":content-type", "application/json"));
    let mut bytes = Vec::new();
    write_message_to(&message, &mut bytes).expect("frame encodes");
    bytes
}

pub(crate) fn session_start(groups: &[&str]) -> Vec<u8> {
    let ids: Vec<String> = groups.iter().map(|g| format!("\"{}\"", arn(g))).collect();
    frame(
        "event",
        (":event-type", "sessionStart"),
        format!(
            r#"{{"requestId":"req-1","sessionId":"sess-1","logGroupIdentifiers":[{}],"logEventFilterPattern":""}}"#,
            ids.join(",")
        ),
    )
}

/// A live event as the service sends it: the group by ARN, no event id.
#[derive(Clone)]
pub(crate) struct Line {
    pub(crate) group: &'static str,
    pub(crate) stream: &'static str,
    pub(crate) ts: Millis,
    pub(crate) message: &'static str,
}

pub(crate) fn session_update(sampled: bool, lines: &[Line]) -> Vec<u8> {
    let results: Vec<String> = lines
        .iter()
        .map(|l| {
            format!(
                r#"{{"logStreamName":"{}","logGroupIdentifier":"{}","message":"{}","timestamp":{},"ingestionTime":{}}}"#,
                l.stream,
                arn(l.group),
                l.message,
                l.ts,
                l.ts + 40
            )
        })
        .collect();
    frame(
        "event",
        (":event-type", "sessionUpdate"),
        format!(
            r#"{{"sessionMetadata":{{"sampled":{sampled}}},"sessionResults":[{}]}}"#,
            results.join(",")
        ),
    )
}

pub(crate) fn session_timeout() -> Vec<u8> {
    frame(
        "exception",
        (":exception-type", "SessionTimeoutException"),
        r#"{"message":"Session timed out after three hours"}"#.to_string(),
    )
}

// ---- the replaying HTTP client -------------------------------------------------------------

/// What one StartLiveTail call answers.
pub(crate) enum LiveAnswer {
    Stream(Vec<Vec<u8>>),
    Error(&'static str, &'static str),
    /// The connection cannot be made (the network is down).
    ConnectFailure,
    /// The request is sent and nothing ever comes back.
    Hang,
}

/// What the connector does with one request. Built once per request and matched at once: the
/// size of the answer variant does not matter.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    Answer(HttpResponse),
    ConnectFailure,
    Hang,
}

#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) at: Instant,
    pub(crate) target: String,
    pub(crate) uri: String,
    pub(crate) body: String,
}

#[derive(Default)]
pub(crate) struct State {
    /// (line, StartLiveTail calls after which FilterLogEvents can see it): lines ingested while
    /// a session ran, or between sessions, become searchable with the next session.
    pub(crate) store: Vec<(Line, usize)>,
    pub(crate) live: Vec<LiveAnswer>,
    pub(crate) live_calls: usize,
    pub(crate) requests: Vec<Recorded>,
    /// FilterLogEvents never answers.
    pub(crate) hang_filter: bool,
}

#[derive(Clone, Default)]
pub(crate) struct Replay(Arc<Mutex<State>>);

impl std::fmt::Debug for Replay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Replay")
    }
}

impl Replay {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().expect("replay state")
    }

    pub(crate) fn requests(&self, target: &str) -> Vec<Recorded> {
        self.lock()
            .requests
            .iter()
            .filter(|r| r.target.ends_with(target))
            .cloned()
            .collect()
    }

    fn answer(&self, request: &HttpRequest) -> Outcome {
        let target = request
            .headers()
            .get("x-amz-target")
            .unwrap_or_default()
            .to_string();
        let body = request
            .body()
            .bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        let mut state = self.lock();
        state.requests.push(Recorded {
            at: Instant::now(),
            target: target.clone(),
            uri: request.uri().to_string(),
            body: body.clone(),
        });
        match target.as_str() {
            "Logs_20140328.DescribeLogGroups" => {
                let groups: Vec<String> = [GROUP_A, GROUP_B]
                    .iter()
                    .map(|g| {
                        format!(
                            r#"{{"logGroupName":"{g}","arn":"{}:*","logGroupArn":"{}"}}"#,
                            arn(g),
                            arn(g)
                        )
                    })
                    .collect();
                Outcome::Answer(json(
                    200,
                    format!(r#"{{"logGroups":[{}]}}"#, groups.join(",")),
                ))
            }
            "Logs_20140328.FilterLogEvents" if state.hang_filter => Outcome::Hang,
            "Logs_20140328.FilterLogEvents" => {
                let group = capture(&body, r#""logGroupName":"([^"]+)""#).unwrap_or_default();
                let start: Millis = capture(&body, r#""startTime":(\d+)"#)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                let visible = state.live_calls;
                let mut lines: Vec<&Line> = state
                    .store
                    .iter()
                    .filter(|(l, from)| *from <= visible && l.group == group && l.ts >= start)
                    .map(|(l, _)| l)
                    .collect();
                lines.sort_by_key(|l| l.ts);
                let events: Vec<String> = lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        format!(
                            r#"{{"logStreamName":"{}","timestamp":{},"message":"{}","ingestionTime":{},"eventId":"{}{i:03}"}}"#,
                            l.stream,
                            l.ts,
                            l.message,
                            l.ts + 40,
                            l.ts
                        )
                    })
                    .collect();
                Outcome::Answer(json(
                    200,
                    format!(
                        r#"{{"events":[{}],"searchedLogStreams":[]}}"#,
                        events.join(",")
                    ),
                ))
            }
            "Logs_20140328.StartLiveTail" => {
                state.live_calls += 1;
                if state.live.is_empty() {
                    return Outcome::Answer(json(400, r#"{"__type":"LimitExceededException","message":"no more sessions scripted"}"#.into()));
                }
                match state.live.remove(0) {
                    LiveAnswer::Stream(frames) => {
                        let mut response = HttpResponse::new(
                            StatusCode::try_from(200).expect("status"),
                            SdkBody::from(frames.concat()),
                        );
                        response
                            .headers_mut()
                            .insert("content-type", "application/vnd.amazon.eventstream");
                        Outcome::Answer(response)
                    }
                    LiveAnswer::Error(code, message) => Outcome::Answer(json(
                        400,
                        format!(r#"{{"__type":"{code}","message":"{message}"}}"#),
                    )),
                    LiveAnswer::ConnectFailure => Outcome::ConnectFailure,
                    LiveAnswer::Hang => Outcome::Hang,
                }
            }
            other => Outcome::Answer(json(
                400,
                format!(r#"{{"__type":"UnknownOperationException","message":"{other}"}}"#),
            )),
        }
    }
}

pub(crate) fn capture(text: &str, pattern: &str) -> Option<String> {
    Regex::new(pattern)
        .expect("regex")
        .captures(text)
        .map(|c| c[1].to_string())
}

pub(crate) fn json(status: u16, body: String) -> HttpResponse {
    let mut response = HttpResponse::new(
        StatusCode::try_from(status).expect("status"),
        SdkBody::from(body),
    );
    response
        .headers_mut()
        .insert("content-type", "application/x-amz-json-1.1");
    response
}

impl HttpConnector for Replay {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        match self.answer(&request) {
            Outcome::Answer(response) => HttpConnectorFuture::ready(Ok(response)),
            // What hyper-util reports when the TCP connection is refused.
            Outcome::ConnectFailure => HttpConnectorFuture::ready(Err(ConnectorError::io(
                "client error (Connect): tcp connect error: Connection refused (os error 111)"
                    .into(),
            ))),
            Outcome::Hang => HttpConnectorFuture::new(std::future::pending()),
        }
    }
}

impl HttpClient for Replay {
    fn http_connector(
        &self,
        _: &HttpConnectorSettings,
        _: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

pub(crate) fn client(replay: &Replay, fix_endpoint: bool) -> aws_sdk_cloudwatchlogs::Client {
    client_with(replay, fix_endpoint, |b| b)
}

/// A client as `client` builds it, adjusted by `adjust` before the product's configuration.
pub(crate) fn client_with(
    replay: &Replay,
    fix_endpoint: bool,
    adjust: impl FnOnce(
        aws_sdk_cloudwatchlogs::config::Builder,
    ) -> aws_sdk_cloudwatchlogs::config::Builder,
) -> aws_sdk_cloudwatchlogs::Client {
    let builder = aws_sdk_cloudwatchlogs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .endpoint_url(ENDPOINT)
        .http_client(SharedHttpClient::new(replay.clone()));
    aws_sdk_cloudwatchlogs::Client::from_conf(
        configure_logs_client(adjust(builder), fix_endpoint).build(),
    )
}
