//! StartLiveTail sessions: connect, read the event stream, reconnect; decide when live tail is
//! unavailable and the tail should poll instead.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_cloudwatchlogs::error::DisplayErrorContext;
use aws_sdk_cloudwatchlogs::types::error::StartLiveTailResponseStreamError;
use aws_sdk_cloudwatchlogs::types::{LiveTailSessionLogEvent, StartLiveTailResponseStream};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::event_stream::RawMessage;
use aws_smithy_types::timeout::TimeoutConfig;
use tokio::time::Instant;

use super::dedup::Read;
use super::filter::{GroupInfo, describe_groups};
use super::sink::Halt;
use super::tail::Tail;
use super::{EB_GROUP_PREFIX, next_backoff};
use crate::cloud::aws::connect::CONNECT_TIMEOUT;
use crate::cloud::aws::error::classify;
use crate::cloud::{CloudError, TailEvent};
use crate::domain::RawLogEvent;

/// StartLiveTail accepts at most this many log groups.
const MAX_LIVE_GROUPS: usize = 10;

/// A session that ends sooner than this after it was opened counts as "ended at once".
const SHORT_SESSION: Duration = Duration::from_secs(30);

/// Sessions ending at once, in a row, before live tail is judged unavailable (an emulator that
/// answers with a snapshot and hangs up, a proxy that cuts long responses).
const SHORT_SESSIONS_BEFORE_POLLING: u32 = 3;

/// Connection failures in a row before live tail is judged unreachable (the `stream-` endpoint can
/// be blocked where the plain one is not).
const CONNECT_FAILURES_BEFORE_POLLING: u32 = 3;

/// The service sends an update every second, even an empty one; this long without any means the
/// connection is dead without having said so.
const IDLE_LIMIT: Duration = Duration::from_secs(30);

/// Look-ups of the groups' ARNs retried while throttled, before live tail is given up.
const RESOLVE_THROTTLE_RETRIES: u32 = 5;

/// How soon the tail tries live tail again after it fell back to polling because the network
/// failed (the connection comes back, and polling should not last for as long as ebtui runs).
pub(super) const LIVE_RETRY_SOON: Duration = Duration::from_secs(60);
/// How soon after a refusal that is unlikely to change by itself (denied, not offered here, an
/// answer that is not an event stream, sessions cut at once): a policy or a proxy can still
/// change, and one attempt every ten minutes costs next to nothing.
pub(super) const LIVE_RETRY_LATER: Duration = Duration::from_secs(600);

/// Why live tail cannot be used now, and whether and when to try it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unavailable {
    pub(super) reason: String,
    /// `None`: never (more log groups than live tail accepts).
    pub(super) retry_in: Option<Duration>,
}

impl Unavailable {
    fn soon(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            retry_in: Some(LIVE_RETRY_SOON),
        }
    }

    fn later(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            retry_in: Some(LIVE_RETRY_LATER),
        }
    }
}

/// How one session ended.
#[derive(Debug)]
enum End {
    /// The stream ended without an error (the server closed it).
    Ended,
    /// The three-hour session limit: reconnect at once.
    Timeout,
    /// A streaming error or a dead connection.
    Broken(String),
    /// The answer was not an event stream: live tail is not really offered here.
    NotEventStream(String),
}

/// The groups as StartLiveTail names them.
struct LiveGroups {
    arns: Vec<String>,
    /// ARN (without `:*`) -> group name.
    names: HashMap<String, String>,
}

impl LiveGroups {
    /// The group name for a session event's `logGroupIdentifier`: the ARN we asked for, the ARN
    /// with `:*`, a bare name, or `account:name`; unknown identifiers are kept as they are.
    fn group_of(&self, identifier: &str) -> String {
        let bare = identifier.strip_suffix(":*").unwrap_or(identifier);
        if let Some(name) = self.names.get(bare) {
            return name.clone();
        }
        self.names
            .values()
            .filter(|name| bare == name.as_str() || bare.ends_with(&format!(":{name}")))
            .max_by_key(|name| name.len())
            .cloned()
            .unwrap_or_else(|| bare.to_string())
    }

    fn to_raw(&self, e: LiveTailSessionLogEvent) -> Option<RawLogEvent> {
        let ts = e.timestamp.or(e.ingestion_time)?;
        Some(RawLogEvent {
            id: None,
            ts,
            group: e
                .log_group_identifier
                .as_deref()
                .map(|i| self.group_of(i))
                .unwrap_or_default(),
            stream: e.log_stream_name.unwrap_or_default(),
            message: e.message.unwrap_or_default(),
        })
    }
}

/// Follow the tail with live tail sessions for as long as live tail works. Returns why live tail
/// is unavailable (the tail then polls, and comes back here when `retry_in` has passed), or
/// `Halt` when the tail is over.
pub(super) async fn follow(tail: &mut Tail<'_>) -> Result<Unavailable, Halt> {
    if tail.groups.len() > MAX_LIVE_GROUPS {
        return Ok(Unavailable {
            reason: format!("more than {MAX_LIVE_GROUPS} log groups"),
            retry_in: None,
        });
    }
    let groups = match resolve(tail).await? {
        Ok(groups) => groups,
        Err(reason) => return Ok(reason),
    };
    let mut delay = Duration::from_secs(1);
    let mut short_sessions = 0;
    let mut connect_failures = 0;
    loop {
        let opened = Instant::now();
        let end = match attempt(tail, &groups, &mut connect_failures).await? {
            Attempt::Session(end) => end,
            Attempt::Unavailable(reason) => return Ok(reason),
            Attempt::Throttled => {
                tail.sink
                    .status(format!(
                        "live tail throttled; retrying in {}s",
                        delay.as_secs()
                    ))
                    .await?;
                tail.sink.sleep(delay).await?;
                delay = next_backoff(delay);
                continue;
            }
        };
        let lasted = opened.elapsed();
        match end {
            End::NotEventStream(reason) => return Ok(Unavailable::later(reason)),
            End::Timeout => {
                tracing::debug!("live tail session reached its time limit");
                short_sessions = 0;
                delay = Duration::from_secs(1);
                tail.sink.status("reconnecting").await?;
                continue;
            }
            End::Broken(reason) => tracing::info!(%reason, ?lasted, "live tail session broke"),
            End::Ended => tracing::debug!(?lasted, "live tail session ended"),
        }
        if lasted < SHORT_SESSION {
            short_sessions += 1;
            if short_sessions >= SHORT_SESSIONS_BEFORE_POLLING {
                return Ok(Unavailable::later(
                    "the live tail session ends as soon as it starts",
                ));
            }
        } else {
            short_sessions = 0;
            delay = Duration::from_secs(1);
        }
        tail.sink.status("reconnecting").await?;
        tail.sink.sleep(delay).await?;
        delay = next_backoff(delay);
    }
}

/// How one StartLiveTail request went.
enum Attempt {
    /// A session was read to its end, or the connection failed in a way worth retrying.
    Session(End),
    /// Throttled: wait and ask again.
    Throttled,
    /// Live tail cannot be used here; the reason is shown while the tail polls.
    Unavailable(Unavailable),
}

/// Opens a session and reads it to its end. `connect_failures` counts failed connections in a
/// row, across attempts.
async fn attempt(
    tail: &mut Tail<'_>,
    groups: &LiveGroups,
    connect_failures: &mut u32,
) -> Result<Attempt, Halt> {
    // The one call without an attempt timeout (a session lasts up to three hours), so the wait
    // for its first answer is bounded here instead.
    let request = tail
        .logs
        .start_live_tail()
        .set_log_group_identifiers(Some(groups.arns.clone()))
        .customize()
        .config_override(
            aws_sdk_cloudwatchlogs::config::Builder::default().timeout_config(streaming_timeouts()),
        )
        .send();
    let err = match tail
        .sink
        .guard(tokio::time::timeout(IDLE_LIMIT, request))
        .await?
    {
        Ok(Ok(output)) => {
            *connect_failures = 0;
            return Ok(Attempt::Session(session(tail, groups, output).await?));
        }
        Ok(Err(err)) => err,
        Err(_) => {
            return Ok(connect_failed(
                connect_failures,
                format!("no answer to StartLiveTail in {}s", IDLE_LIMIT.as_secs()),
            ));
        }
    };
    // A 200 whose body cannot be read as events: the endpoint does not really speak the live tail
    // protocol (some emulators and proxies).
    if let SdkError::ResponseError(_) = &err {
        return Ok(Attempt::Unavailable(Unavailable::later(format!(
            "the answer is not an event stream: {}",
            DisplayErrorContext(&err)
        ))));
    }
    Ok(match classify(err) {
        CloudError::Throttled(msg) => {
            tracing::debug!(%msg, "StartLiveTail throttled");
            Attempt::Throttled
        }
        CloudError::Network(msg) => connect_failed(connect_failures, msg),
        // Denied, not offered, not implemented, too many sessions: poll instead.
        other => Attempt::Unavailable(Unavailable::later(other.message())),
    })
}

/// One more failed connection: retried a few times, then live tail is unavailable for now.
fn connect_failed(connect_failures: &mut u32, msg: String) -> Attempt {
    *connect_failures += 1;
    if *connect_failures >= CONNECT_FAILURES_BEFORE_POLLING {
        Attempt::Unavailable(Unavailable::soon(format!("cannot connect: {msg}")))
    } else {
        Attempt::Session(End::Broken(msg))
    }
}

/// StartLiveTail's timeouts: the connect timeout of every call, no attempt timeout (the client's
/// would end a session after 8 s; the session has its own idle limit instead).
fn streaming_timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .disable_operation_attempt_timeout()
        .disable_operation_timeout()
        .build()
}

/// Read one session to its end. On SessionStart, the gap since the last event seen is read with
/// FilterLogEvents (the session only carries what is ingested from now on).
async fn session(
    tail: &mut Tail<'_>,
    groups: &LiveGroups,
    output: aws_sdk_cloudwatchlogs::operation::start_live_tail::StartLiveTailOutput,
) -> Result<End, Halt> {
    let mut stream = output.response_stream;
    let mut read = Read::new();
    let mut started = false;
    loop {
        let next = match tail
            .sink
            .guard(tokio::time::timeout(IDLE_LIMIT, stream.recv()))
            .await?
        {
            Ok(next) => next,
            Err(_) => {
                return Ok(End::Broken(format!(
                    "no data for {}s",
                    IDLE_LIMIT.as_secs()
                )));
            }
        };
        match next {
            Ok(Some(StartLiveTailResponseStream::SessionStart(start))) => {
                tracing::debug!(session = ?start.session_id(), "live tail session started");
                started = true;
                tail.sink.status("live tail connected").await?;
                tail.catch_up().await?;
            }
            Ok(Some(StartLiveTailResponseStream::SessionUpdate(update))) => {
                if update.session_metadata().is_some_and(|m| m.sampled()) {
                    tail.sink.send(TailEvent::Sampled).await?;
                }
                let events = update
                    .session_results
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|e| groups.to_raw(e))
                    .collect();
                tail.deliver(&mut read, events).await?;
            }
            Ok(Some(other)) => tracing::debug!(?other, "unknown live tail message ignored"),
            Ok(None) => return Ok(End::Ended),
            Err(e) => return Ok(stream_error(e, started)),
        }
    }
}

fn stream_error(err: SdkError<StartLiveTailResponseStreamError, RawMessage>, started: bool) -> End {
    match &err {
        SdkError::ServiceError(ctx) if ctx.err().is_session_timeout_exception() => End::Timeout,
        SdkError::ServiceError(ctx) => {
            let e = ctx.err();
            End::Broken(
                e.message()
                    .or(e.code())
                    .unwrap_or("live tail stream error")
                    .to_string(),
            )
        }
        SdkError::ResponseError(_) if !started => End::NotEventStream(format!(
            "the answer is not an event stream: {}",
            DisplayErrorContext(&err)
        )),
        _ => End::Broken(DisplayErrorContext(&err).to_string()),
    }
}

/// The groups' ARNs, from DescribeLogGroups: one look-up by the environment's prefix, then one per
/// group outside it. `Ok(Err(why))` when live tail cannot be used.
async fn resolve(tail: &mut Tail<'_>) -> Result<Result<LiveGroups, Unavailable>, Halt> {
    let mut found: Vec<GroupInfo> = Vec::new();
    let env_prefix = format!("{EB_GROUP_PREFIX}{}/", tail.env_name);
    let mut prefixes = vec![env_prefix.clone()];
    prefixes.extend(
        tail.groups
            .iter()
            .filter(|g| !g.starts_with(&env_prefix))
            .cloned(),
    );
    for prefix in prefixes {
        let mut delay = Duration::from_secs(1);
        let mut attempts = 0;
        loop {
            match tail.sink.guard(describe_groups(tail.logs, &prefix)).await? {
                Ok(groups) => {
                    found.extend(groups);
                    break;
                }
                Err(CloudError::Throttled(_)) if attempts < RESOLVE_THROTTLE_RETRIES => {
                    attempts += 1;
                    tail.sink.sleep(delay).await?;
                    delay = next_backoff(delay);
                }
                Err(e) => {
                    let reason = format!("cannot look up the log groups: {}", e.message());
                    return Ok(Err(match e {
                        CloudError::Network(_) | CloudError::Throttled(_) => {
                            Unavailable::soon(reason)
                        }
                        _ => Unavailable::later(reason),
                    }));
                }
            }
        }
    }
    let mut arns = Vec::with_capacity(tail.groups.len());
    let mut names = HashMap::new();
    for group in &tail.groups {
        match found
            .iter()
            .find(|g| &g.name == group)
            .and_then(|g| g.arn.clone())
        {
            Some(arn) => {
                names.insert(arn.clone(), group.clone());
                arns.push(arn);
            }
            None => {
                return Ok(Err(Unavailable::later(format!(
                    "no ARN found for log group {group}"
                ))));
            }
        }
    }
    Ok(Ok(LiveGroups { arns, names }))
}

#[cfg(test)]
mod tests {
    use super::LiveGroups;

    #[test]
    fn session_identifiers_map_back_to_group_names() {
        let arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/elasticbeanstalk/e/var/log/web.stdout.log";
        let name = "/aws/elasticbeanstalk/e/var/log/web.stdout.log";
        let groups = LiveGroups {
            arns: vec![arn.into()],
            names: [(arn.to_string(), name.to_string())].into(),
        };
        assert_eq!(groups.group_of(arn), name);
        assert_eq!(groups.group_of(&format!("{arn}:*")), name);
        assert_eq!(groups.group_of(name), name);
        assert_eq!(groups.group_of(&format!("123456789012:{name}")), name);
        assert_eq!(groups.group_of("/some/other"), "/some/other");
    }
}
