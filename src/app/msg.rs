//! What happens (`Msg`) and what the app asks the runtime to do (`Effect`). Plain data: tests
//! assert on both.

use crossterm::event::KeyEvent;

use crate::cloud::{
    CloudResult, InsightsEvent, InsightsQuery, LogSearch, LogTarget, Op, OpAccepted, Reply,
    Request, TailEvent,
};
use crate::domain::{CloudContext, EnvRef};

/// Everything that happens. `epoch` is the cloud context generation a result belongs to: results of
/// an older context (before `:profile`/`:region`) are dropped.
#[derive(Debug, Clone)]
// Moved once through a channel or held once: boxing would only add noise.
#[allow(clippy::large_enum_variant)]
pub enum Msg {
    Key(KeyEvent),
    /// A click or the wheel (only when the mouse is captured).
    Mouse(crossterm::event::MouseEvent),
    Paste(String),
    Resize(u16, u16),
    /// Time passed: the schedule decides what to poll.
    Tick,
    /// The answer to an `Effect::Poll`; it carries its request.
    Cloud {
        epoch: u64,
        reply: Reply,
    },
    Tail {
        epoch: u64,
        tail: u64,
        event: TailEvent,
    },
    TailEnded {
        epoch: u64,
        tail: u64,
        error: Option<String>,
    },
    /// What a running Insights query (`Effect::Insights`) sent; its end is `Msg::TailEnded`.
    Insights {
        epoch: u64,
        tail: u64,
        event: InsightsEvent,
    },
    OpDone {
        epoch: u64,
        op_id: u64,
        result: CloudResult<OpAccepted>,
    },
    /// The runtime switched (or failed to switch) the cloud context.
    Context {
        epoch: u64,
        result: Result<CloudContext, SwitchError>,
    },
    /// API calls sent so far by the current cloud (for the calls-per-minute figure), and the
    /// context as the cloud knows it now (AWS learns the account from the first answer).
    Stats {
        api_calls: u64,
        ctx: CloudContext,
    },
    /// A file was written (Ctrl-S) or could not be.
    Saved(Result<String, String>),
    /// The bundle of ship `ship` is written (or could not be made: the text says why).
    Bundled {
        ship: u64,
        result: Result<crate::bundle::Bundle, String>,
    },
    /// A file asked for by `Effect::ReadFile` (`:props-import`), or why it could not be read.
    FileRead {
        path: String,
        result: Result<String, String>,
    },
    /// What the journal held at start: handled before the first draw, so the first screen
    /// needs no AWS answer.
    JournalLoaded(Box<crate::journal::Loaded>),
    /// The answer to an `Effect::JournalQuery`: the known environments, one's history, stats.
    Journal {
        epoch: u64,
        answer: Result<crate::journal::QueryAnswer, String>,
    },
    /// How the journal is doing (paused, replaced, off).
    JournalStatus(crate::journal::JournalStatus),
    /// Evidence captured for a failure (`Effect::Capture`): its lines, or why there are none.
    Captured {
        epoch: u64,
        capture: crate::journal::Capture,
    },
    /// The 5xx per minute over 6 hours from a Logs Insights `stats` query
    /// (`Effect::TriageMinutes`), for the triage view of `env`, or why not.
    TriageMinutes {
        epoch: u64,
        env: String,
        result: Result<Vec<crate::logs::insights_query::MinuteCount>, String>,
    },
    /// `aws sso login` ran in the foreground (`Effect::SsoLogin`) and the cloud was rebuilt
    /// with the new credentials, or why not (not installed, it failed, the demo).
    LoggedIn {
        profile: String,
        result: Result<(), String>,
    },
    /// Bytes of a bundle acknowledged so far by the upload `op_id`.
    Uploading {
        epoch: u64,
        op_id: u64,
        progress: crate::cloud::UploadProgress,
    },
}

/// What `update` asks the runtime to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Poll(Request),
    Execute {
        op_id: u64,
        op: Op,
    },
    /// Start streaming logs; replaces any tail already running.
    Tail {
        tail: u64,
        target: LogTarget,
    },
    StopTail,
    /// A search pushed down to the service; answers come as `Msg::Tail` and replace the view,
    /// its end as `Msg::TailEnded`.
    SearchLogs {
        tail: u64,
        search: LogSearch,
    },
    /// The triage's 6-hour view: a Logs Insights `stats count(*) by bin(1m), status` query run
    /// to its end; the answer is `Msg::TriageMinutes`.
    TriageMinutes {
        env: String,
        query: InsightsQuery,
    },
    /// A CloudWatch Logs Insights query in the tail slot: `Msg::Insights` as it runs, then
    /// `Msg::TailEnded`. Stopping the slot (`StopTail`, a new stream) sends StopQuery.
    Insights {
        tail: u64,
        query: InsightsQuery,
    },
    /// Elastic Beanstalk's own tail logs (no CloudWatch streaming): one `Msg::Tail` with the
    /// lines, then `Msg::TailEnded`.
    EbTail {
        tail: u64,
        env: EnvRef,
    },
    SwitchContext {
        profile: Option<String>,
        region: Option<String>,
    },
    SaveFile {
        path: String,
        contents: String,
    },
    /// Make the source bundle of a directory (or take a `.zip`/`.jar`/`.war` as is) on a blocking
    /// thread; the answer is `Msg::Bundled`.
    Bundle {
        ship: u64,
        path: std::path::PathBuf,
    },
    /// Stop an upload: a multipart upload is aborted; its `Msg::OpDone` says `Cancelled`.
    CancelUpload {
        op_id: u64,
    },
    /// Read a small text file (`:props-import`): `Msg::FileRead`.
    ReadFile(String),
    /// Remove a zip ebtui wrote (shipped, cancelled or refused).
    Discard(std::path::PathBuf),
    /// Keep these records in the journal (the runtime hands them to its writer thread).
    Journal(crate::journal::Batch),
    /// Ask the journal; the answer is `Msg::Journal`.
    JournalQuery(crate::journal::Query),
    /// Read the evidence of a failure before Elastic Beanstalk removes it: the environment's
    /// CloudWatch log lines around `capture.at` (`CloudWatch`), or its instances' tail logs
    /// after an accepted RequestEnvironmentInfo (`TailLogs`); the answer is `Msg::Captured`.
    Capture {
        env: EnvRef,
        capture: crate::journal::Capture,
    },
    /// Put text on the clipboard with OSC 52.
    Copy(String),
    /// Tell the person beyond the status line (bell or a desktop notification).
    Notify {
        how: crate::config::Notify,
        title: String,
        body: String,
    },
    /// Suspend the UI, run `aws sso login --profile <profile>` on the terminal, take it back
    /// and rebuild the cloud with the new credentials: `Msg::LoggedIn`. The runtime does it, as
    /// it owns the terminal.
    SsoLogin {
        profile: String,
    },
    Quit,
}

/// Why the cloud context could not be switched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SwitchError {
    /// This cloud has no profiles or regions (the demo).
    Unsupported,
    /// Building the new clients failed; the message names the cause.
    Failed(String),
}
