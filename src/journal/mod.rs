//! The journal: everything ebtui sees, kept in SQLite (`rusqlite`, bundled) so it outlives the
//! environment and the run.
//!
//! `update` stays pure: it hands `record::Batch`es to the runtime as `Effect::Journal`, and the
//! runtime passes them to one writer thread (`JournalHandle::write`, never blocking the loop),
//! which stores whatever is queued in one transaction. Queries (`Query`) run on the same
//! thread and answer through a callback. At start, `Journal::load` reads what the last run saw
//! so the first screen is drawn before any AWS answer.

mod load;
mod open;
pub mod record;
mod retention;
mod schema;
mod scope;
mod stats;
mod store;
mod writer;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

pub use load::{LINES_MAX, TERMINATED_KEPT_MS};
pub use record::*;
pub use schema::APPLICATION_ID;
pub use writer::WriterCounts;

/// After a failed write, how long the writer drops batches before it tries again.
pub const RETRY_EVERY: Duration = Duration::from_secs(30);

/// The schema version this build writes (`PRAGMA user_version`).
pub fn schema_version() -> i64 {
    schema::latest()
}

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

/// An open journal, before its writer starts. It owns the one connection, which the writer
/// thread takes over: an in-memory journal exists only on that connection.
pub struct Journal {
    conn: Connection,
    location: Location,
    max_bytes: u64,
    retry_every: Duration,
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
        let (conn, notes) = match &location {
            Location::File(path) => open::open_file(path)?,
            Location::Memory => {
                let path = shown(&location);
                (open::open_memory()?, vec![JournalStatus::Open { path }])
            }
        };
        tracing::info!(path = %shown(&location), max_bytes, "journal open");
        let journal = Journal {
            conn,
            location,
            max_bytes,
            retry_every: RETRY_EVERY,
        };
        Ok((journal, notes))
    }

    /// What the journal holds for `scope`: environments, the last `window` ms of events and
    /// stack events before the newest record, the last health of each environment, operations
    /// and captures.
    pub fn load(&self, scope: &Scope, window: i64) -> Result<Loaded, String> {
        load::load(&self.conn, scope, window).map_err(|e| {
            format!(
                "the journal at {} could not be read: {e}",
                shown(&self.location)
            )
        })
    }

    /// How long the writer waits after a failed write before trying again (`RETRY_EVERY`
    /// unless changed; tests shorten it).
    pub fn retry_every(mut self, every: Duration) -> Self {
        self.retry_every = every;
        self
    }

    /// Start the writer thread. `notify` is called from it on every status change.
    pub fn start(self, notify: Box<dyn Fn(JournalStatus) + Send>) -> JournalHandle {
        let (tx, rx) = mpsc::channel();
        let counters = Arc::new(writer::Counters::default());
        let path = match &self.location {
            Location::File(p) => Some(p.clone()),
            Location::Memory => None,
        };
        let writer = writer::Writer {
            conn: self.conn,
            path,
            shown: shown(&self.location),
            max_bytes: self.max_bytes,
            retry_every: self.retry_every,
            notify,
            counters: Arc::clone(&counters),
            paused: None,
            rows_since_prune: 0,
            last_prune: Instant::now(),
        };
        let thread = std::thread::Builder::new()
            .name("journal".into())
            .spawn(move || writer.run(rx));
        let thread = match thread {
            Ok(t) => Some(t),
            Err(e) => {
                // No thread: every write is dropped and every query answered with the reason.
                tracing::warn!(error = %e, "journal writer could not start");
                None
            }
        };
        JournalHandle {
            tx,
            thread,
            counters,
        }
    }
}

/// The running journal: cheap to call from the loop.
pub struct JournalHandle {
    tx: mpsc::Sender<writer::Msg>,
    thread: Option<JoinHandle<()>>,
    counters: Arc<writer::Counters>,
}

impl JournalHandle {
    /// Queue a batch; returns at once (an unbounded channel: the loop never waits on the disk).
    pub fn write(&self, batch: Batch) {
        let _ = self.tx.send(writer::Msg::Batch(batch));
    }

    /// Ask a question; `reply` is called on the writer thread with the answer, after every
    /// batch queued before it is written.
    pub fn query(&self, query: Query, reply: Box<dyn FnOnce(Result<QueryAnswer, String>) + Send>) {
        if let Err(mpsc::SendError(writer::Msg::Query(_, reply))) =
            self.tx.send(writer::Msg::Query(query, reply))
        {
            reply(Err("the journal is closed".into()));
        }
    }

    /// Waits until everything queued before this call is written (or dropped, when paused).
    pub fn flush(&self) {
        let (done, wait) = mpsc::channel();
        if self.tx.send(writer::Msg::Flush(done)).is_ok() {
            let _ = wait.recv();
        }
    }

    /// What the writer has done so far: transactions, batches written and dropped.
    pub fn counters(&self) -> WriterCounts {
        self.counters.snapshot()
    }

    /// Caps the database at `pages` pages (`PRAGMA max_page_count`), as a full disk would.
    /// For tests of the pause; the app never calls it.
    #[doc(hidden)]
    pub fn limit_pages(&self, pages: u64) {
        let _ = self.tx.send(writer::Msg::PageLimit(pages));
    }

    /// Write everything queued and stop the thread (quit).
    pub fn close(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.tx.send(writer::Msg::Close);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for JournalHandle {
    /// Dropped without `close` (an early return, a panic unwinding): still write what is queued.
    fn drop(&mut self) {
        self.stop();
    }
}

/// The path a location shows as.
pub fn shown(location: &Location) -> String {
    match location {
        Location::File(p) => p.display().to_string(),
        Location::Memory => "memory (this run only)".into(),
    }
}
