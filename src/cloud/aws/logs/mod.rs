//! CloudWatch Logs and Elastic Beanstalk tail logs.
//!
//! - `log_groups`: the environment's log groups (`/aws/elasticbeanstalk/<env>/...`).
//! - `tail_logs`: backfill with FilterLogEvents, then follow with StartLiveTail; reconnect and fill
//!   the gap when a session ends; fall back to FilterLogEvents polling where live tail is not
//!   offered. See `tail.rs` for the states and `dedup.rs` for how no line is shown twice.
//! - `search_logs`: a search further back than the buffer holds, pushed down to FilterLogEvents.
//! - `insights`: CloudWatch Logs Insights (StartQuery, GetQueryResults, StopQuery) and the log
//!   groups' stored bytes an estimate of a query's scan is made from.
//! - `eb_tail_logs`: Elastic Beanstalk's own "tail logs" bundle, for environments that do not
//!   stream to CloudWatch.
//! - `configure_logs_client`: the endpoint fix StartLiveTail needs against a local emulator.
//!
//! Nothing here prints: diagnostics go to `tracing`, user-facing states to `TailEvent::Status`.

mod dedup;
mod eb_tail;
mod endpoint;
mod filter;
pub mod insights;
mod live;
mod sink;
mod tail;

pub use filter::SEARCH_PAGE_CAP;

use std::time::Duration;

use tokio::sync::mpsc;

use crate::cloud::{CloudResult, LogTarget, TailEvent};
use crate::domain::{EnvRef, Millis, RawLogEvent};

/// Elastic Beanstalk names the CloudWatch log groups of an environment `<this><env>/<file path>`.
pub const EB_GROUP_PREFIX: &str = "/aws/elasticbeanstalk/";

/// How far before the newest event already seen a re-read starts, so events ingested a little late
/// (or stamped a little earlier than the one before them) are not lost at the seam. The overlap is
/// read twice on purpose; de-duplication drops what was already sent.
const OVERLAP: Millis = 5_000;

/// Polling interval when live tail is not available.
const POLL_EVERY: Duration = Duration::from_secs(2);

/// The longest wait between attempts while throttled or disconnected.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// FilterLogEvents page size: the API maximum. Fewer, larger pages cost fewer requests, and the
/// local emulator re-scans from the start for every page, so small pages are quadratic there.
const FILTER_PAGE_LIMIT: i32 = 10_000;

/// Events per `TailEvent::Events` batch, so one huge backfill does not arrive as one message the
/// app has to digest in a single update.
const BATCH: usize = 500;

/// The environment's CloudWatch log groups (all pages), sorted by name. Empty when the environment
/// does not stream its logs to CloudWatch.
pub async fn log_groups(
    logs: &aws_sdk_cloudwatchlogs::Client,
    env_name: &str,
) -> CloudResult<Vec<String>> {
    let prefix = format!("{EB_GROUP_PREFIX}{env_name}/");
    let mut names: Vec<String> = filter::describe_groups(logs, &prefix)
        .await?
        .into_iter()
        .map(|g| g.name)
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// Stream the log groups of `target` into `tx`: first every event since `target.start`, then new
/// events as they arrive (live tail, or polling every 2 s where live tail is unavailable).
///
/// Returns `Ok(())` once `tx` is closed (the receiver was dropped); an `Err` only for what the user
/// must act on (missing permission to read the logs, a log group that does not exist, no log
/// groups at all). Throttling and dropped connections are retried with a backoff and reported as
/// `TailEvent::Status`.
pub async fn tail_logs(
    logs: &aws_sdk_cloudwatchlogs::Client,
    target: LogTarget,
    tx: mpsc::Sender<TailEvent>,
) -> CloudResult<()> {
    tail::Tail::new(logs, target, tx).run().await
}

/// Search `[start, end)` of `groups` for `pattern` (CloudWatch filter pattern syntax; empty means
/// every event) with FilterLogEvents, in time windows from the newest back. Each page is sent to
/// `tx` as it arrives (oldest first within the page), then a progress status ("searched 3 pages ·
/// 120 lines · back to ... (55 of 360 minutes)"). Stops after `SEARCH_PAGE_CAP` pages with a
/// status saying so and how far back it got. Returns when done, or `Ok(())` early when `tx`
/// closes; aborting the task stops it at once (every wait is a cancellation point).
pub async fn search_logs(
    logs: &aws_sdk_cloudwatchlogs::Client,
    groups: &[String],
    pattern: &str,
    start: Millis,
    end: Millis,
    tx: mpsc::Sender<TailEvent>,
) -> CloudResult<()> {
    let sink = sink::Sink::new(tx);
    sink::finish(filter::search(logs, groups, pattern, start, end, &sink).await)
}

/// Elastic Beanstalk's tail logs: RetrieveEnvironmentInfo until the fresh bundles appear, then each
/// instance's bundle downloaded (presigned S3 URL) and split into lines. A bundle that cannot be
/// downloaded becomes one line naming its URL. Must follow an accepted `Op::RequestTailLogs`
/// (RequestEnvironmentInfo is a write: it is sent by `AwsCloud::execute`, never from here).
pub async fn eb_tail_logs(
    eb: &aws_sdk_elasticbeanstalk::Client,
    env: &EnvRef,
) -> CloudResult<Vec<RawLogEvent>> {
    eb_tail::eb_tail_logs(eb, env).await
}

/// Wall-clock time in epoch milliseconds. A clock before 1970 reads as 0 rather than failing: the
/// value only caps cursors and judges freshness.
fn now_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| Millis::try_from(d.as_millis()).unwrap_or(Millis::MAX))
        .unwrap_or(0)
}

/// Double a backoff delay, up to `MAX_BACKOFF`.
fn next_backoff(delay: Duration) -> Duration {
    (delay * 2).min(MAX_BACKOFF)
}

/// Adjust a CloudWatch Logs client config: the attempt timeout every request/response call gets
/// (StartLiveTail switches it off for itself), and, with an overridden endpoint (a local
/// emulator), strip the `stream-` host prefix the StartLiveTail model adds, which would otherwise
/// make the SDK dial `stream-127.0.0.1`.
pub fn configure_logs_client(
    builder: aws_sdk_cloudwatchlogs::config::Builder,
    endpoint_overridden: bool,
) -> aws_sdk_cloudwatchlogs::config::Builder {
    let builder = builder.timeout_config(crate::cloud::aws::connect::attempt_timeouts());
    if endpoint_overridden {
        builder.interceptor(endpoint::StripStreamPrefix)
    } else {
        builder
    }
}
