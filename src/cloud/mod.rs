//! The one door to an Elastic Beanstalk account: `trait Cloud`, the writes (`Op`) and `CloudError`.
//!
//! Two implementations: `aws::AwsCloud` (the AWS SDK) and `sim::SimCloud` (the demo). Nothing here
//! knows ratatui or the app state; nothing outside `cloud/aws` knows an SDK type.
//!
//! Cursors live in the caller (the app): every read takes what it needs to be incremental, so a
//! result dropped on the floor (stale context, error) loses nothing; the next poll asks again.

pub mod aws;
pub mod insights;
mod read;
pub mod sim;

pub use insights::{
    GroupSize, InsightsEvent, InsightsPage, InsightsProgress, InsightsQuery, InsightsRow,
    QueryStatus,
};
pub use read::{Answer, Api, PollKey, Reply, Request, answer};

use std::fmt;
use std::path::PathBuf;

use async_trait::async_trait;
use tokio::sync::{mpsc, watch};

use crate::domain::{
    AppVersion, CloudContext, DeployRecord, EnvConfig, EnvEvent, EnvRef, Environment,
    HealthSnapshot, Millis, OptionKey, OptionSetting, RawLogEvent, StackEvent,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloudError {
    /// Throttling / Rate exceeded: back off and try again.
    Throttled(String),
    /// Missing, expired or refused credentials; AccessDenied. The text names the fix.
    Auth(String),
    /// The environment, stack, log group or version does not exist.
    NotFound(String),
    /// The account or environment does not offer this (enhanced health off, logs not streamed).
    Unsupported(String),
    /// Could not reach the endpoint.
    /// For a write: the request certainly did not reach AWS (DNS, connect refused or timed out,
    /// credentials not loaded), so sending it again is safe.
    Network(String),
    /// A write whose request may have reached AWS but whose answer did not arrive (timed out
    /// after it was sent, connection lost mid-answer, an unreadable answer, a server error). AWS
    /// may be carrying it out: never report it refused and never send it again blindly; re-read
    /// the environment and its events to learn what happened. The text says so.
    AnswerLost(String),
    /// The user stopped it (an upload cancelled with Esc); what it had started was undone.
    Cancelled(String),
    /// Anything else; the AWS message verbatim (e.g. "Environment named x is in an invalid state
    /// for this operation. Must be Ready.").
    Other(String),
}

impl CloudError {
    pub fn message(&self) -> &str {
        match self {
            Self::Throttled(m)
            | Self::Auth(m)
            | Self::NotFound(m)
            | Self::Unsupported(m)
            | Self::Network(m)
            | Self::AnswerLost(m)
            | Self::Cancelled(m)
            | Self::Other(m) => m,
        }
    }
}

impl fmt::Display for CloudError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for CloudError {}

pub type CloudResult<T> = Result<T, CloudError>;

/// A bundle at least this big goes up as a multipart upload.
pub const MULTIPART_FROM: u64 = 7 * 1024 * 1024;
/// The size of a multipart upload's parts (S3's minimum is 5 MiB).
pub const PART_SIZE: u64 = 5 * 1024 * 1024;
/// How many parts are sent at once.
pub const PARTS_IN_FLIGHT: usize = 3;

/// How many older events one scroll-back read brings.
pub const OLDER_EVENTS_PAGE: usize = 100;

/// The most events one account-wide read returns (five pages of DescribeEvents).
pub const ACCOUNT_EVENTS_MAX: usize = 5_000;
/// How far back the first account-wide read goes: operations that ended before ebtui started
/// are in the ledger.
pub const ACCOUNT_EVENTS_FIRST: Millis = 14 * 24 * 60 * 60 * 1000;

/// How a roll back is carried out; decided by the app before the confirmation modal opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RollbackVia {
    /// AbortEnvironmentUpdate: an abortable update is in progress.
    Abort,
    /// UpdateEnvironment to the version that ran before.
    Deploy { version: String },
}

/// The writes. Every one goes through the app's confirmation modal first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Deploy {
        env: EnvRef,
        version: String,
    },
    Rollback {
        env: EnvRef,
        from: Option<String>,
        via: RollbackVia,
    },
    Rebuild {
        env: EnvRef,
    },
    Abort {
        env: EnvRef,
    },
    RestartAppServer {
        env: EnvRef,
    },
    SwapCnames {
        a: EnvRef,
        b: EnvRef,
    },
    /// Put a source bundle where Elastic Beanstalk reads it: the account's storage location
    /// (CreateStorageLocation), key `<app>/<label>.zip`. The first step of deploying the code in
    /// a directory; the executor carries it out with `Cloud::upload_bundle` (progress, cancel).
    UploadBundle {
        env: EnvRef,
        upload: BundleUpload,
    },
    /// CreateApplicationVersion with `Process=true` from an uploaded bundle; accepted once
    /// Elastic Beanstalk has processed it (a version that fails processing is refused with
    /// Elastic Beanstalk's reason). The second step; `Op::Deploy` of the label is the third.
    CreateVersion {
        env: EnvRef,
        app: String,
        label: String,
        source: S3Location,
        description: String,
    },
    /// UpdateEnvironment with OptionSettings and OptionsToRemove: environment properties,
    /// secrets, log streaming. One write; followed as a configuration update.
    Configure {
        env: EnvRef,
        set: Vec<OptionSetting>,
        remove: Vec<OptionKey>,
        /// What it changes, in a few words, for the status line and the ledger's label.
        what: String,
    },
    /// RequestEnvironmentInfo (tail): every instance uploads the last lines of its logs to S3.
    /// A write like the others (it makes the instances act), so it goes through the confirmation
    /// and is refused in read-only mode; `Cloud::eb_tail_logs` then collects the bundles.
    RequestTailLogs {
        env: EnvRef,
    },
}

impl Op {
    /// The environment the operation is followed on.
    pub fn env(&self) -> &EnvRef {
        match self {
            Op::Deploy { env, .. }
            | Op::Rollback { env, .. }
            | Op::Rebuild { env }
            | Op::Abort { env }
            | Op::RestartAppServer { env }
            | Op::RequestTailLogs { env }
            | Op::UploadBundle { env, .. }
            | Op::CreateVersion { env, .. }
            | Op::Configure { env, .. } => env,
            Op::SwapCnames { a, .. } => a,
        }
    }
    /// Short verb for titles and the status line ("Roll back", "Deploy", ...).
    pub fn verb(&self) -> &'static str {
        match self {
            Op::Deploy { .. } => "Deploy",
            Op::Rollback { .. } => "Roll back",
            Op::Rebuild { .. } => "Rebuild",
            Op::Abort { .. } => "Abort update of",
            Op::RestartAppServer { .. } => "Restart app servers of",
            Op::SwapCnames { .. } => "Swap CNAMEs of",
            Op::RequestTailLogs { .. } => "Request tail logs of",
            Op::UploadBundle { .. } => "Upload a bundle for",
            Op::CreateVersion { .. } => "Create a version for",
            Op::Configure { .. } => "Configure",
        }
    }
}

/// What the cloud answered when it accepted an operation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpAccepted {
    pub request_id: Option<String>,
    /// For `Op::UploadBundle`: where the bundle is now.
    pub uploaded: Option<Uploaded>,
}

/// A source bundle on disk (a zip `crate::bundle` wrote, or the user's own `.zip`/`.jar`/`.war`),
/// to be uploaded as `<app>/<label>.zip`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleUpload {
    pub app: String,
    pub label: String,
    pub file: PathBuf,
    /// Its size in bytes when it was built (the progress bar's total).
    pub size: u64,
}

/// An object in S3.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct S3Location {
    pub bucket: String,
    pub key: String,
}

/// Where an uploaded bundle is, and whether it was there already (then nothing was sent).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Uploaded {
    pub location: S3Location,
    pub existed: bool,
}

/// Bytes of a bundle sent so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadProgress {
    pub sent: u64,
    pub total: u64,
}

/// What to stream: the log groups of one environment, from `start` on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogTarget {
    pub env: EnvRef,
    /// Full log group names, e.g. `/aws/elasticbeanstalk/storefront-prod/var/log/nginx/error.log`.
    pub groups: Vec<String>,
    /// Backfill from this time (inclusive).
    pub start: Millis,
}

/// A search pushed down to the service, for lines older than the buffer holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSearch {
    pub env: EnvRef,
    pub groups: Vec<String>,
    /// A CloudWatch Logs filter pattern: `"a phrase"`, a word, or `%regex%`.
    pub pattern: String,
    pub start: Millis,
    pub end: Millis,
}

/// What a log tail reports while it runs.
#[derive(Debug, Clone, PartialEq)]
pub enum TailEvent {
    /// New events, oldest first. May overlap earlier batches; the receiver de-duplicates by id.
    Events(Vec<RawLogEvent>),
    /// The service sampled the stream (too many events): not every line is shown.
    Sampled,
    /// A human-readable state change ("live tail connected", "reconnecting", "polling every 2s").
    Status(String),
}

/// Everything ebtui reads from and writes to an account.
#[async_trait]
pub trait Cloud: Send + Sync {
    /// Profile, region, account: what the header shows.
    fn context(&self) -> CloudContext;

    /// Requests sent to the service so far (every attempt, every page): the status line shows the
    /// rate per minute so a user can see what ebtui costs.
    fn api_calls(&self) -> u64;

    /// The cloud's clock. The simulator runs faster than real time; AWS uses the system clock.
    fn now(&self) -> Millis;

    /// Every environment of every application (all pages), with those terminated in the last
    /// hour (a failed creation stays readable).
    async fn environments(&self) -> CloudResult<Vec<Environment>>;

    /// Events of one environment, oldest first. With `since`, those at or after it (the caller
    /// de-duplicates the boundary); without, the last hour or the last 100, whichever is more.
    async fn events(&self, env: &EnvRef, since: Option<Millis>) -> CloudResult<Vec<EnvEvent>>;

    /// Up to `OLDER_EVENTS_PAGE` events of one environment from before `before` (exclusive),
    /// oldest first: its older history, read when the user scrolls back past what is loaded.
    async fn older_events(&self, env: &EnvRef, before: Millis) -> CloudResult<Vec<EnvEvent>>;

    /// Events of every environment of the account, oldest first: one read feeds every timeline
    /// and the operations ledger. With `since`, those at or after it; without, the last 14 days. At
    /// most `ACCOUNT_EVENTS_MAX` (the newest, when more happened: a burst that large is cut).
    async fn account_events(&self, since: Option<Millis>) -> CloudResult<Vec<EnvEvent>>;

    /// Stack events of the environment's CloudFormation stacks (main, immutable, nested), oldest
    /// first. With `since`, only those at or after it; without, the most recent 100.
    async fn stack_events(
        &self,
        env: &EnvRef,
        since: Option<Millis>,
    ) -> CloudResult<Vec<StackEvent>>;

    /// Enhanced health of the environment and its instances. When enhanced health is off, a
    /// snapshot with `enhanced: false`, the basic colour and no instances.
    async fn health(&self, env: &EnvRef) -> CloudResult<HealthSnapshot>;

    /// Versions of an application, newest first.
    async fn versions(&self, app: &str) -> CloudResult<Vec<AppVersion>>;

    /// The environment's configuration option settings (DescribeConfigurationSettings). The
    /// environment properties' values are among them: secrets, never logged.
    async fn option_settings(&self, env: &EnvRef) -> CloudResult<Vec<OptionSetting>>;

    /// The environment's configuration and its platform's lifecycle: DescribeConfigurationSettings,
    /// then DescribePlatformVersion of its platform ARN (a failure of the second is kept in
    /// `platform_error`, the settings still come back).
    async fn config(&self, env: &EnvRef) -> CloudResult<EnvConfig>;

    /// Versions that finished deploying to the environment, newest first (from its events).
    async fn deploy_history(&self, env: &EnvRef) -> CloudResult<Vec<DeployRecord>>;

    /// The environment's CloudWatch log groups (`/aws/elasticbeanstalk/<env>/...`). Empty when
    /// logs are not streamed to CloudWatch.
    async fn log_groups(&self, env: &EnvRef) -> CloudResult<Vec<String>>;

    /// Stream log events into `tx` until the receiver is dropped or the task is aborted. Returns
    /// only on an error the caller should show, or when `tx` is closed.
    async fn tail_logs(&self, target: LogTarget, tx: mpsc::Sender<TailEvent>) -> CloudResult<()>;

    /// Search `[start, end)` of the groups on the service side (FilterLogEvents with a filter
    /// pattern), sending matches in batches to `tx` with `TailEvent::Status` progress ("searched
    /// 20 of 360 minutes"). Returns when done or when `tx` closes (the way to cancel).
    ///
    /// AWS reads the range in time windows from the newest back and sends each page as it
    /// arrives: batches come newest window first (oldest first within a batch), and a search
    /// stops after a page cap with a status naming how far back it got.
    async fn search_logs(&self, search: LogSearch, tx: mpsc::Sender<TailEvent>) -> CloudResult<()>;

    /// The sizes of the environment's CloudWatch log groups (DescribeLogGroups' `storedBytes`,
    /// retention and creation time): what an Insights query over them may scan, for the cost
    /// shown before one runs.
    async fn log_group_sizes(&self, env: &EnvRef) -> CloudResult<Vec<GroupSize>>;

    /// StartQuery: a CloudWatch Logs Insights query over `query.groups` and its time range; the
    /// query id. A read for the write gate (it changes nothing; it costs per byte scanned, see
    /// `insights`), with the SDK retries reads have. Refused queries (a syntax error) and the
    /// concurrency quota (LimitExceededException) come back as `CloudError::Other` with words
    /// for the user. Run a query with `insights::follow`, which stops it when dropped.
    async fn start_query(&self, query: &InsightsQuery) -> CloudResult<String>;

    /// GetQueryResults: every row so far, the status and the scan statistics.
    async fn query_results(&self, query_id: &str) -> CloudResult<InsightsPage>;

    /// StopQuery (`end_query`, so the name is not taken for an SDK call): the query stops scanning (and costing). A query that ended already is not an
    /// error worth showing; the caller logs it.
    async fn end_query(&self, query_id: &str) -> CloudResult<()>;

    /// Elastic Beanstalk's own tail logs, for environments that do not stream to CloudWatch:
    /// waits for and collects the bundles (RetrieveEnvironmentInfo) the instances upload after an
    /// accepted `Op::RequestTailLogs`, which must come first (this read sends no write). Lines of
    /// the last 100 of each log, per instance.
    async fn eb_tail_logs(&self, env: &EnvRef) -> CloudResult<Vec<RawLogEvent>>;

    /// Carry out a write. Returns once the cloud accepted (or refused) it; progress shows in events.
    /// `Op::UploadBundle` here is `upload_bundle` with no one listening and no cancel.
    async fn execute(&self, op: &Op) -> CloudResult<OpAccepted>;

    /// Carry out an `Op::UploadBundle` the write gate let through: the bucket from
    /// CreateStorageLocation, then the object `<app>/<label>.zip`: nothing sent when an object
    /// of that key and size is there already; one PutObject under `MULTIPART_FROM` bytes; above,
    /// a multipart upload of `PART_SIZE` parts, a few in parallel, streamed from the file (never
    /// read whole). Bytes sent go to `progress` as they are acknowledged. When `cancel` becomes
    /// true the upload stops, a multipart upload is aborted (nothing is left half-done), and the
    /// result is `CloudError::Cancelled`.
    async fn upload_bundle(
        &self,
        upload: &BundleUpload,
        progress: mpsc::Sender<UploadProgress>,
        cancel: watch::Receiver<bool>,
    ) -> CloudResult<Uploaded>;
}
