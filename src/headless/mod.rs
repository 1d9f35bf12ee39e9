//! `ebtui deploy ENV [PATH]`: the deploy of a directory without the UI, for CI and scripts. The
//! same bundle (`crate::bundle`), the same cloud calls and the same ledger as the UI; progress as
//! plain or JSON lines (`report`), and an exit code from the operation's true outcome (`Exit`),
//! decided by the ledger's classifier from the deploy's own events (`follow`).
//!
//! The command line is the confirmation: there is no dialog. `--read-only` (or `read_only` in the
//! config) refuses before anything is read or zipped, and `steps::Writer` refuses again before
//! every write, as the UI's write gate does.

mod follow;
pub mod report;
mod steps;

use std::path::PathBuf;
use std::time::Duration;

use crate::cloud::Cloud;
use crate::domain::Millis;
use report::{Note, Report};

/// What the command was asked to do.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The environment, by name.
    pub env: String,
    /// A directory or a `.zip`/`.jar`/`.war`.
    pub path: PathBuf,
    /// The version label; by default the EB CLI's (`app-<describe>-<yymmdd_HHMMSS>`).
    pub label: Option<String>,
    /// After success, wait until the environment's health is Ok.
    pub wait_healthy: bool,
    /// After a failure, deploy the last good version and wait for it.
    pub rollback_on_failure: bool,
    /// How long to follow the deploy (cloud time), and then the health and any roll back; by
    /// default the environment's command timeout plus `TIMEOUT_MARGIN_SECS`.
    pub timeout: Option<Millis>,
    pub read_only: bool,
    /// Real time between reads while following.
    pub poll_every: Duration,
    /// Where the zip is written.
    pub out_dir: PathBuf,
    /// Local time for the default label.
    pub now_local: chrono::NaiveDateTime,
}

/// Added to the environment's command timeout: instances start, health settles.
pub const TIMEOUT_MARGIN_SECS: u64 = 300;
/// Elastic Beanstalk's default command timeout, when the environment's cannot be read.
pub const DEFAULT_COMMAND_TIMEOUT_SECS: u64 = 600;

/// The exit codes, one per true outcome. 2 is left to usage errors (flags, config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Succeeded = 0,
    /// The deploy failed (or the version failed processing); with `--rollback-on-failure`,
    /// the roll back failed too.
    Failed = 3,
    /// Someone aborted the deploy, or Ctrl-C came before the deploy was sent (an upload under
    /// way is cancelled and its multipart upload aborted; nothing is deployed).
    Aborted = 4,
    /// Elastic Beanstalk reverted it, or `--rollback-on-failure` brought the last good version
    /// back: the environment runs what it ran before.
    Reverted = 5,
    CompletedWithErrors = 6,
    /// The deploy, the health wait or the roll back did not end within `--timeout`.
    TimedOut = 7,
    /// Nothing was changed: read-only mode, no such environment, not Ready, a label that exists,
    /// a bundle that could not be made, a write AWS refused.
    Refused = 8,
    /// The outcome could not be told (events unreadable, an answer lost, or Ctrl-C after the
    /// deploy was sent: ebtui stops following, the deploy goes on): look before trusting.
    Unknown = 9,
}

impl Exit {
    pub fn code(self) -> i32 {
        self as i32
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Exit::Succeeded => "succeeded",
            Exit::Failed => "failed",
            Exit::Aborted => "aborted",
            Exit::Reverted => "reverted",
            Exit::CompletedWithErrors => "completed with errors",
            Exit::TimedOut => "timed out",
            Exit::Refused => "refused",
            Exit::Unknown => "unknown",
        }
    }
}

/// Deploy, follow, and tell the outcome; the exit code is the return value.
pub async fn deploy(cloud: &dyn Cloud, plan: &Plan, report: &mut Report) -> Exit {
    let exit = steps::run(cloud, plan, report).await;
    report.note(Note::Done {
        outcome: exit.as_str().to_string(),
        exit: exit.code(),
    });
    exit
}
