//! The writer thread: it owns the connection (an in-memory journal exists only on its own
//! connection), stores whatever is queued in one transaction, answers queries between
//! transactions, keeps the file under its cap, and pauses when writes fail.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

use rusqlite::{Connection, TransactionBehavior};

use super::{Batch, JournalStatus, Query, QueryAnswer, load, retention, stats, store};

/// The answer to a query, called on the writer thread.
pub type Reply = Box<dyn FnOnce(Result<QueryAnswer, String>) + Send>;

/// What the handle sends the thread.
pub enum Msg {
    Batch(Batch),
    Query(Query, Reply),
    /// Answered once everything queued before it is written.
    Flush(Sender<()>),
    /// Caps the file at this many pages (`PRAGMA max_page_count`): how tests make the disk full.
    PageLimit(u64),
    Close,
}

/// Prune at most this often...
const PRUNE_EVERY: Duration = Duration::from_secs(5);
/// ...or after this many rows, whichever comes first: checking the size costs three pragmas,
/// pruning a big file far more, so not on every batch.
const PRUNE_AFTER_ROWS: usize = 50_000;

/// What the writer has done, for tests and benchmarks (`JournalHandle::counters`).
#[derive(Debug, Default)]
pub struct Counters {
    pub transactions: AtomicU64,
    pub batches_written: AtomicU64,
    pub batches_dropped: AtomicU64,
}

/// A snapshot of the writer's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriterCounts {
    /// Transactions committed with at least one batch.
    pub transactions: u64,
    pub batches_written: u64,
    /// Batches lost to a failed write or dropped while paused.
    pub batches_dropped: u64,
}

impl Counters {
    pub fn snapshot(&self) -> WriterCounts {
        WriterCounts {
            transactions: self.transactions.load(Ordering::Relaxed),
            batches_written: self.batches_written.load(Ordering::Relaxed),
            batches_dropped: self.batches_dropped.load(Ordering::Relaxed),
        }
    }
}

pub struct Writer {
    pub conn: Connection,
    pub path: Option<PathBuf>,
    pub shown: String,
    pub max_bytes: u64,
    pub retry_every: Duration,
    pub notify: Box<dyn Fn(JournalStatus) + Send>,
    pub counters: Arc<Counters>,
    /// Since when writes fail, and when they were last tried.
    pub paused: Option<Instant>,
    pub rows_since_prune: usize,
    pub last_prune: Instant,
}

impl Writer {
    /// The thread's body: wait for work, take everything queued, write it, then answer.
    pub fn run(mut self, rx: Receiver<Msg>) {
        let mut closing = false;
        while !closing {
            let Ok(first) = rx.recv() else { break };
            let mut batches = Vec::new();
            let mut after = Vec::new();
            for msg in std::iter::once(first).chain(rx.try_iter()) {
                match msg {
                    Msg::Batch(b) => batches.push(b),
                    Msg::PageLimit(pages) => self.page_limit(pages),
                    Msg::Close => closing = true,
                    other => after.push(other),
                }
            }
            self.write(batches);
            for msg in after {
                match msg {
                    Msg::Query(q, reply) => reply(self.answer(q)),
                    Msg::Flush(done) => drop(done.send(())),
                    _ => {}
                }
            }
            self.maybe_prune(closing);
        }
        if let Err(e) = self.conn.execute_batch("PRAGMA optimize") {
            tracing::debug!(error = %e, "journal optimize on close");
        }
    }

    fn page_limit(&self, pages: u64) {
        let sql = format!("PRAGMA max_page_count = {pages}");
        if let Err(e) = self.conn.query_row(&sql, [], |_| Ok(())) {
            tracing::warn!(error = %e, "journal page limit");
        }
    }

    /// Writes the drained batches in one transaction: all of them or none (a crash mid-way
    /// leaves nothing half-written). While paused, batches are dropped and counted, and a
    /// write is tried again at most every `retry_every`.
    fn write(&mut self, batches: Vec<Batch>) {
        if batches.is_empty() {
            return;
        }
        let n = batches.len() as u64;
        if self
            .paused
            .is_some_and(|tried| tried.elapsed() < self.retry_every)
        {
            self.counters
                .batches_dropped
                .fetch_add(n, Ordering::Relaxed);
            return;
        }
        match self.transaction(batches) {
            Ok(rows) => {
                self.counters.transactions.fetch_add(1, Ordering::Relaxed);
                self.counters
                    .batches_written
                    .fetch_add(n, Ordering::Relaxed);
                self.rows_since_prune += rows;
                if self.paused.take().is_some() {
                    let dropped = self.counters.batches_dropped.load(Ordering::Relaxed);
                    tracing::info!(dropped, "journal writes work again");
                    (self.notify)(JournalStatus::Resumed);
                }
            }
            Err(e) => {
                self.counters
                    .batches_dropped
                    .fetch_add(n, Ordering::Relaxed);
                if self.paused.is_none() {
                    let reason = format!("cannot write the journal at {}: {e}", self.shown);
                    tracing::warn!(%reason, "journal paused");
                    (self.notify)(JournalStatus::Paused(reason));
                }
                self.paused = Some(Instant::now());
            }
        }
    }

    /// IMMEDIATE: take the write lock up front, so another process writing the same file makes
    /// this wait (up to the busy timeout) instead of failing half-way on a lock upgrade.
    fn transaction(&mut self, batches: Vec<Batch>) -> rusqlite::Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut rows = 0;
        for b in batches {
            rows += store::batch(&tx, b)?;
        }
        tx.commit()?;
        Ok(rows)
    }

    fn answer(&self, query: Query) -> Result<QueryAnswer, String> {
        let err = |e: rusqlite::Error| format!("the journal could not be read: {e}");
        match query {
            Query::Known(scope) => load::known_envs(&self.conn, &scope)
                .map(QueryAnswer::Known)
                .map_err(err),
            Query::History { scope, env_id } => load::history(&self.conn, &scope, &env_id)
                .map(|h| QueryAnswer::History(Box::new(h))),
            Query::Stats => stats::stats(
                &self.conn,
                self.path.as_deref(),
                self.shown.clone(),
                self.max_bytes,
            )
            .map(QueryAnswer::Stats)
            .map_err(err),
        }
    }

    /// Retention, paced: after enough rows or time, and always on close.
    fn maybe_prune(&mut self, closing: bool) {
        let due = self.rows_since_prune >= PRUNE_AFTER_ROWS
            || (self.rows_since_prune > 0 && self.last_prune.elapsed() >= PRUNE_EVERY);
        if !(due || closing) || self.paused.is_some() {
            return;
        }
        self.rows_since_prune = 0;
        self.last_prune = Instant::now();
        if let Err(e) = retention::enforce(&self.conn, self.max_bytes) {
            tracing::warn!(error = %e, "journal retention failed");
        }
    }
}
