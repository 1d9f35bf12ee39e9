//! What the journal keeps, as plain data: `update` builds these (pure) and hands them to the
//! writer as `Effect::Journal`; loads and queries answer with them. No SQLite here.
//!
//! Never a property value: configuration (`EnvConfig`, `OptionSetting`) has no record, and
//! `tests/journal_secrets.rs` holds that a configured secret never reaches the file.

use serde::{Deserialize, Serialize};

use crate::domain::{EnvEvent, Environment, HealthSnapshot, Millis, StackEvent};

/// Whose records: one account (or, until AWS names it, the profile) in one region.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Scope {
    /// The profile the user chose ("demo" for the simulator).
    pub profile: String,
    pub region: String,
    /// The account id when known. Records sent before AWS named it are filed under the account
    /// last seen for this profile and region, else under the profile.
    pub account: Option<String>,
}

/// A batch of records, as one `Effect::Journal`: the writer stores each batch (with whatever
/// else is queued) in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub scope: Scope,
    /// The cloud's clock when the batch was made (first/last seen, the health sample's minute).
    pub at: Millis,
    pub records: Vec<Record>,
}

/// One thing to keep.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// The environment was listed (first seen, last seen, its last known state; terminated when
    /// its status says so).
    Env(Environment),
    /// An Elastic Beanstalk event; `env_id` when the app knows which environment it belongs to
    /// (events carry only a name), else empty. Duplicates (same env, time, message) are ignored.
    Event { env_id: String, event: EnvEvent },
    /// A CloudFormation stack event (de-duplicated by its EventId).
    Stack { env_id: String, event: StackEvent },
    /// A health reading: the writer keeps the transitions (status, colour or causes changed) and
    /// the first reading of every minute.
    Health {
        env_id: String,
        env_name: String,
        snapshot: HealthSnapshot,
    },
    /// An operation ebtui followed, as it stands now (upserted by `key`).
    Op(OpRecord),
    /// Log lines ebtui received for an environment (already sanitized), de-duplicated by `id`.
    Lines {
        env_id: String,
        env_name: String,
        lines: Vec<LogLine>,
    },
    /// Evidence captured when an operation failed (upserted by `key`).
    Capture(Capture),
}

/// An operation ebtui followed (ours or one seen elsewhere).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpRecord {
    /// Stable across updates of the same operation: the request id when known, else
    /// `<env_id>@<started>`.
    pub key: String,
    pub env_id: String,
    pub env_name: String,
    /// What it was ("Deploy v1.4.3", "Restart app server").
    pub label: String,
    /// Started in ebtui (true) or elsewhere.
    pub ours: bool,
    pub request_id: Option<String>,
    pub started: Millis,
    pub ended: Option<Millis>,
    /// `Outcome::as_str` ("succeeded", "failed", ...), None while it runs.
    pub outcome: Option<String>,
    /// AWS's refusal, verbatim (sanitized).
    pub error: Option<String>,
}

/// One log line as kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    /// The buffer's de-duplication id.
    pub id: String,
    pub ts: Millis,
    pub group: String,
    pub stream: String,
    pub message: String,
}

/// Where captured lines came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaptureSource {
    /// The environment's CloudWatch log groups, around the failure.
    CloudWatch,
    /// Elastic Beanstalk's tail logs of the instances (`capture_on_failure = "tail"`).
    TailLogs,
}

/// Evidence kept when an operation failed, before Elastic Beanstalk removes the instances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capture {
    /// `<env_id>@<failure time>`: one capture per failure.
    pub key: String,
    pub env_id: String,
    pub env_name: String,
    /// The operation it belongs to (its `OpRecord::key` or request id), when known.
    pub op_key: Option<String>,
    /// What failed, in a few words ("Instance deployment failed", "stack rolled back").
    pub reason: String,
    /// The failure's time; lines are read from a window around it.
    pub at: Millis,
    pub source: CaptureSource,
    /// Captured lines, oldest first (eb-engine, cfn-init and the application's logs).
    pub lines: Vec<LogLine>,
    /// Why nothing (or not everything) could be captured, when so.
    pub note: Option<String>,
}

/// An environment as the journal knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownEnv {
    pub env: Environment,
    pub first_seen: Millis,
    pub last_seen: Millis,
    pub terminated: bool,
}

/// A health transition or a minute's sample of one environment.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthPoint {
    pub at: Millis,
    /// True for a transition, false for a minute sample.
    pub transition: bool,
    pub snapshot: HealthSnapshot,
}

/// What the journal holds for one scope, loaded at start so the first screen needs no AWS
/// answer. Events and stack events are the last `since` window (oldest first).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Loaded {
    /// The newest time anything was recorded for this scope (the screen says how old it is).
    pub newest: Option<Millis>,
    /// Environments still alive when last seen, and those terminated within the last hour of
    /// `newest` (as AWS lists them).
    pub envs: Vec<KnownEnv>,
    pub events: Vec<EnvEvent>,
    /// (env id, stack event).
    pub stack_events: Vec<(String, StackEvent)>,
    /// The last health reading of each environment: (env id, snapshot).
    pub health: Vec<(String, HealthSnapshot)>,
    pub ops: Vec<OpRecord>,
    pub captures: Vec<Capture>,
}

/// Everything the journal holds for one environment (`:journal`, opening a gone environment).
#[derive(Debug, Clone, PartialEq)]
pub struct EnvHistory {
    pub known: KnownEnv,
    pub events: Vec<EnvEvent>,
    pub stack_events: Vec<StackEvent>,
    pub health: Vec<HealthPoint>,
    pub ops: Vec<OpRecord>,
    pub captures: Vec<Capture>,
    /// The newest `LINES_MAX` log lines, oldest first.
    pub lines: Vec<LogLine>,
}

/// Bytes the journal holds, per environment and per kind (`:journal stats`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stats {
    pub path: String,
    /// The file's size on disk (database and write-ahead log).
    pub file_bytes: u64,
    pub max_bytes: u64,
    /// (environment name, kind, rows, bytes), largest first. Kinds: "events", "stack events",
    /// "health", "operations", "log lines", "captures".
    pub rows: Vec<StatRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatRow {
    pub env_name: String,
    pub kind: &'static str,
    pub rows: u64,
    pub bytes: u64,
}

/// A question for the journal; the answer comes back as `Msg::Journal`.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// Every environment of the scope the journal knows (the app shows those AWS no longer lists).
    Known(Scope),
    /// One environment's whole history, by id.
    History {
        scope: Scope,
        env_id: String,
    },
    Stats,
}

#[derive(Debug, Clone, PartialEq)]
pub enum QueryAnswer {
    Known(Vec<KnownEnv>),
    History(Box<EnvHistory>),
    Stats(Stats),
}

/// How the journal is doing, for the status line.
#[derive(Debug, Clone, PartialEq)]
pub enum JournalStatus {
    /// Writing at `path`.
    Open { path: String },
    /// Writes fail (disk full, a read-only directory): nothing is written until they work again;
    /// the UI goes on. The text says why.
    Paused(String),
    /// Writing again after a pause.
    Resumed,
    /// The file was not a journal (corrupt or foreign): moved aside to `moved_to`, a new one begun.
    Replaced { moved_to: String },
    /// Off for this run: `--no-journal`, or it cannot be used (a newer schema; the text says why).
    Off(String),
}
