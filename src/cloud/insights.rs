//! CloudWatch Logs Insights as data, and the one loop that runs a query: `follow` starts it,
//! polls its results until it ends, streams new rows and progress to the caller, and stops it
//! (StopQuery) when the caller goes away, whatever the backend.
//!
//! The backends implement three calls (`Cloud::start_query`, `query_results`, `end_query`: StartQuery, GetQueryResults, StopQuery);
//! everything about waiting, de-duplicating rows and cancelling is here, once.
//!
//! StartQuery is a read for ebtui's write gate: it changes nothing in the account (no
//! environment, no log line, nothing another reader sees), it costs money per byte scanned. So it
//! is not an `Op` and needs no `Modal::Confirm`; the app shows the estimated cost before a large
//! query instead (`logs::insights_query::estimate`), and it keeps the SDK retries reads have (a
//! repeated StartQuery starts a second query that costs again, but a lost answer to it is rare
//! and harmless otherwise; the concurrency quota counts it until it ends by itself).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::{Cloud, CloudError, CloudResult};
use crate::domain::{Clean, EnvRef, Millis};

/// A query over some log groups and a time range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsightsQuery {
    pub env: EnvRef,
    /// Full log group names (Insights takes up to 50).
    pub groups: Vec<String>,
    /// `[start, end)` in epoch milliseconds (Insights reads whole seconds: start rounded down,
    /// end rounded up).
    pub start: Millis,
    pub end: Millis,
    /// The query string (`fields ... | filter ... | sort ... | limit ...`).
    pub query: String,
}

/// Where a query is, as GetQueryResults says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStatus {
    Scheduled,
    Running,
    Complete,
    Failed,
    Cancelled,
    Timeout,
    Unknown,
}

impl QueryStatus {
    /// The query will not change any more.
    pub fn is_done(self) -> bool {
        matches!(
            self,
            QueryStatus::Complete
                | QueryStatus::Failed
                | QueryStatus::Cancelled
                | QueryStatus::Timeout
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            QueryStatus::Scheduled => "scheduled",
            QueryStatus::Running => "running",
            QueryStatus::Complete => "complete",
            QueryStatus::Failed => "failed",
            QueryStatus::Cancelled => "cancelled",
            QueryStatus::Timeout => "timed out",
            QueryStatus::Unknown => "unknown",
        }
    }
}

/// How far a query got: GetQueryResults' statistics and status.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InsightsProgress {
    pub status: QueryStatus,
    pub records_matched: f64,
    pub records_scanned: f64,
    pub bytes_scanned: f64,
}

impl Default for InsightsProgress {
    fn default() -> Self {
        InsightsProgress {
            status: QueryStatus::Scheduled,
            records_matched: 0.0,
            records_scanned: 0.0,
            bytes_scanned: 0.0,
        }
    }
}

/// One result row: field name -> value, in the order Insights gave them (`@timestamp`,
/// `@message`, `@logStream`, `@log`, `@ptr`; or `bin(1m)`, `status`, `count(*)`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct InsightsRow(pub Vec<(String, String)>);

impl InsightsRow {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.as_str())
    }
}

/// One GetQueryResults answer: every row so far and the progress.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InsightsPage {
    pub progress: InsightsProgress,
    pub rows: Vec<InsightsRow>,
}

/// A log group's size as DescribeLogGroups reports it: what a query over it may scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSize {
    pub name: String,
    pub stored_bytes: u64,
    /// Retention in days (none: kept forever).
    pub retention_days: Option<u32>,
    /// When the group was created.
    pub created: Option<Millis>,
}

/// What `follow` sends while a query runs.
#[derive(Debug, Clone, PartialEq)]
pub enum InsightsEvent {
    /// StartQuery answered with this id.
    Started(String),
    /// Rows not sent before (a row is sent once: by `@ptr` when Insights gives it, else by its
    /// fields). Aggregations change their rows as the scan goes on: read the final table from
    /// `follow_all` instead.
    Rows(Vec<InsightsRow>),
    Progress(InsightsProgress),
}

impl Clean for InsightsRow {
    fn clean(self) -> Self {
        InsightsRow(
            self.0
                .into_iter()
                .map(|(f, v)| (f.clean(), v.clean()))
                .collect(),
        )
    }
}

impl Clean for GroupSize {
    fn clean(self) -> Self {
        GroupSize {
            name: self.name.clean(),
            ..self
        }
    }
}

/// How often `follow` asks for results: Insights updates them about once a second.
pub const POLL_EVERY: Duration = Duration::from_secs(1);

/// A throttled GetQueryResults is asked again this many times (waiting longer each time).
const THROTTLE_RETRIES: u32 = 5;

/// Run `query` to its end: StartQuery, then GetQueryResults every `every` until the status is
/// final, sending `InsightsEvent`s to `tx` (new rows, then the progress, after every answer).
///
/// - Complete: `Ok` with the last progress.
/// - Failed, Timeout: `Err(Other)` saying so; Cancelled (by someone else): `Err(Cancelled)`.
/// - `tx` closed (the caller stopped listening): StopQuery, then `Ok`.
/// - This future dropped (the task aborted: Esc, a new search, quitting): StopQuery is sent from
///   a task of its own, so the query stops scanning (and costing) too.
///
/// Every string of an answer is cleaned (`domain::Clean`) before it is sent.
pub async fn follow(
    cloud: Arc<dyn Cloud>,
    query: InsightsQuery,
    tx: mpsc::Sender<InsightsEvent>,
    every: Duration,
) -> CloudResult<InsightsProgress> {
    let id = cloud.start_query(&query).await.map_err(Clean::clean)?;
    let mut guard = StopOnDrop {
        armed: Some((cloud.clone(), id.clone())),
    };
    if tx.send(InsightsEvent::Started(id.clone())).await.is_err() {
        return stop(&mut guard).await;
    }
    let mut sent: HashSet<InsightsRow> = HashSet::new();
    let mut throttled = 0;
    loop {
        let page = match cloud.query_results(&id).await.map_err(Clean::clean) {
            Ok(page) => {
                throttled = 0;
                page
            }
            Err(CloudError::Throttled(m)) if throttled < THROTTLE_RETRIES => {
                throttled += 1;
                tracing::debug!(%m, "GetQueryResults throttled; asking again");
                if wait(&tx, every * 2u32.pow(throttled)).await {
                    return stop(&mut guard).await;
                }
                continue;
            }
            Err(e) => {
                // The query may still be running; it is no use to anyone now.
                let _ = stop(&mut guard).await;
                return Err(e);
            }
        };
        let fresh: Vec<InsightsRow> = page
            .rows
            .into_iter()
            .map(Clean::clean)
            .filter(|r| sent.insert(row_key(r)))
            .collect();
        if !fresh.is_empty() && tx.send(InsightsEvent::Rows(fresh)).await.is_err() {
            return stop(&mut guard).await;
        }
        let progress = page.progress;
        if tx.send(InsightsEvent::Progress(progress)).await.is_err() {
            return stop(&mut guard).await;
        }
        if progress.status.is_done() {
            guard.armed = None;
            return match progress.status {
                QueryStatus::Complete => Ok(progress),
                QueryStatus::Cancelled => Err(CloudError::Cancelled(
                    "the Insights query was stopped".to_string(),
                )),
                QueryStatus::Timeout => Err(CloudError::Other(
                    "the Insights query timed out (Insights stops a query after 60 minutes): search a shorter range"
                        .to_string(),
                )),
                _ => Err(CloudError::Other(
                    "the Insights query failed (CloudWatch Logs gave no reason)".to_string(),
                )),
            };
        }
        if wait(&tx, every).await {
            return stop(&mut guard).await;
        }
    }
}

/// Run `query` to its end and return its final rows (an aggregation's table: `stats ... by
/// bin(1m), status`). Dropping the future stops the query, like `follow`.
pub async fn follow_all(
    cloud: Arc<dyn Cloud>,
    query: InsightsQuery,
    every: Duration,
) -> CloudResult<Vec<InsightsRow>> {
    let (tx, mut rx) = mpsc::channel(16);
    let run = follow(cloud.clone(), query, tx, every);
    let collect = async {
        let mut id = None;
        while let Some(e) = rx.recv().await {
            if let InsightsEvent::Started(i) = e {
                id = Some(i);
            }
        }
        id
    };
    let (result, id) = tokio::join!(run, collect);
    result?;
    // The rows `follow` de-duplicated as they changed: the final table is the last answer.
    match id {
        Some(id) => Ok(cloud
            .query_results(&id)
            .await
            .map_err(Clean::clean)?
            .rows
            .into_iter()
            .map(Clean::clean)
            .collect()),
        None => Ok(Vec::new()),
    }
}

/// What makes a row the same row: Insights' pointer to the log event when it gives one.
fn row_key(r: &InsightsRow) -> InsightsRow {
    match r.get("@ptr") {
        Some(p) => InsightsRow(vec![("@ptr".to_string(), p.to_string())]),
        None => r.clone(),
    }
}

/// Sleep `d`, or return true at once when the receiver is gone.
async fn wait(tx: &mpsc::Sender<InsightsEvent>, d: Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(d) => false,
        _ = tx.closed() => true,
    }
}

/// The caller went away: StopQuery now (not from the guard's drop, so it is sent before this
/// returns), and `Ok` with nothing more to say.
async fn stop(guard: &mut StopOnDrop) -> CloudResult<InsightsProgress> {
    if let Some((cloud, id)) = guard.armed.take()
        && let Err(e) = cloud.end_query(&id).await
    {
        tracing::info!(%id, error = %e, "StopQuery refused (the query may have ended)");
    }
    Ok(InsightsProgress {
        status: QueryStatus::Cancelled,
        ..InsightsProgress::default()
    })
}

/// Sends StopQuery if `follow` is dropped while its query runs (the task was aborted), so a
/// query nobody waits for does not go on scanning, and costing, for up to an hour. Best effort:
/// it needs a runtime that keeps running long enough for the request.
struct StopOnDrop {
    armed: Option<(Arc<dyn Cloud>, String)>,
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let Some((cloud, id)) = self.armed.take() else {
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!(%id, "Insights query dropped with no runtime to stop it");
            return;
        };
        runtime.spawn(async move {
            match cloud.end_query(&id).await {
                Ok(()) => tracing::info!(%id, "dropped Insights query stopped"),
                Err(e) => tracing::info!(%id, error = %e, "dropped Insights query not stopped"),
            }
        });
    }
}
