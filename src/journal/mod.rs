//! The journal: everything ebtui sees, kept in SQLite (`rusqlite`, bundled) so it outlives the
//! environment and the run.
//!
//! `update` stays pure: it hands `record::Batch`es to the runtime as `Effect::Journal`, and the
//! runtime passes them to one writer thread (`JournalHandle::write`, never blocking the loop),
//! which stores whatever is queued in one transaction. Queries (`Query`) run on the same
//! thread and answer through a callback. At start, `Journal::load` reads what the last run saw
//! so the first screen is drawn before any AWS answer.

pub mod record;

use std::path::PathBuf;

pub use record::*;

/// Where the journal lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    /// Kept for this run only (the demo, unless `--journal` names a file).
    Memory,
}

/// The default file: `<XDG data dir>/ebtui/journal.sqlite`.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ebtui").map(|d| d.data_dir().join("journal.sqlite"))
}

/// An open journal, before its writer starts.
pub struct Journal {
    location: Location,
    max_bytes: u64,
}

impl Journal {
    /// Open (create, migrate, or recover) the journal. A corrupt or foreign file is moved aside
    /// and a new one begun (`JournalStatus::Replaced` in the returned notes); a schema from a
    /// newer ebtui, or a file that cannot be opened at all, is `Err` with the reason (the journal
    /// is then off for this run, and nothing was overwritten).
    pub fn open(
        location: Location,
        max_bytes: u64,
    ) -> Result<(Journal, Vec<JournalStatus>), String> {
        let _ = (&location, max_bytes);
        Err("the journal is not built yet".into())
    }

    /// What the journal holds for `scope`: environments, the last `window` ms of events and
    /// stack events before the newest record, the last health of each environment, operations
    /// and captures.
    pub fn load(&self, scope: &Scope, window: i64) -> Result<Loaded, String> {
        let _ = (scope, window, &self.location, self.max_bytes);
        Ok(Loaded::default())
    }

    /// Start the writer thread. `notify` is called from it on every status change.
    pub fn start(self, notify: Box<dyn Fn(JournalStatus) + Send>) -> JournalHandle {
        let _ = notify;
        JournalHandle { _path: None }
    }
}

/// The running journal: cheap to call from the loop.
pub struct JournalHandle {
    _path: Option<PathBuf>,
}

impl JournalHandle {
    /// Queue a batch; returns at once.
    pub fn write(&self, batch: Batch) {
        let _ = batch;
    }

    /// Ask a question; `reply` is called on the writer thread with the answer.
    pub fn query(&self, query: Query, reply: Box<dyn FnOnce(Result<QueryAnswer, String>) + Send>) {
        let _ = query;
        reply(Err("the journal is not built yet".into()))
    }

    /// Write everything queued and stop the thread (quit).
    pub fn close(self) {}
}

/// The path a location shows as.
pub fn shown(location: &Location) -> String {
    match location {
        Location::File(p) => p.display().to_string(),
        Location::Memory => "memory (this run only)".into(),
    }
}
