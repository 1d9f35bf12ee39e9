//! The log stream behind the logs pane: which stream runs (live tail, a search pushed down to
//! CloudWatch, Elastic Beanstalk's tail logs), for which environment, and its generation.
//!
//! Every new stream takes a new generation (`begin`); the runtime tags what a stream sends with
//! it, and `update` drops what an older stream still sends. `begin` is the only way to change
//! the stream, so the kind of stream and the generation cannot disagree.

use super::Settings;
use crate::domain::Millis;
use crate::logs::LogsPane;

/// What the logs pane is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Nothing streams (no environment, or its log groups are not known yet).
    Idle,
    /// The live tail of the chosen groups, after a backfill.
    Live,
    /// A search pushed down to CloudWatch; Esc returns to live.
    SearchBack,
    /// Elastic Beanstalk's tail logs: a snapshot of the last lines, not live.
    EbSnapshot,
    /// A CloudWatch Logs Insights query over a longer range; Esc stops it (StopQuery) and
    /// returns to live.
    Insights,
}

pub struct LogSession {
    /// The lines, search and view: drawn by `ui::logs`.
    pub pane: LogsPane,
    generation: u64,
    stream: Stream,
    /// The environment whose groups the stream was opened for.
    env: Option<String>,
    /// Lines received by the current stream (for the snapshot's status line).
    received: usize,
    /// When the live stream ended on an error (expired credentials, a network gone for long):
    /// it is resumed a little later, so the logs recover with the rest of the screen.
    failed_at: Option<Millis>,
}

/// How long after a live stream failed it is resumed (and again, while it keeps failing).
pub const RESUME_AFTER: Millis = 5_000;

impl LogSession {
    pub fn new(settings: &Settings) -> Self {
        Self {
            pane: LogsPane::new(settings.log_max_lines, settings.log_max_bytes),
            generation: 0,
            stream: Stream::Idle,
            env: None,
            received: 0,
            failed_at: None,
        }
    }

    /// A new stream replaces the running one. Returns its generation, for the effect.
    pub fn begin(&mut self, stream: Stream, env: Option<&str>) -> u64 {
        self.generation += 1;
        self.stream = stream;
        self.env = env.map(str::to_string);
        self.received = 0;
        self.failed_at = None;
        self.generation
    }

    /// The running stream ended on an error at `now`.
    pub fn failed(&mut self, now: Millis) {
        self.failed_at = Some(now);
    }

    /// Whether a live stream that failed is due to be resumed.
    pub fn resume_due(&self, now: Millis) -> bool {
        self.stream == Stream::Live && self.failed_at.is_some_and(|t| now - t >= RESUME_AFTER)
    }

    /// Whether a message of stream `generation` belongs to the stream running now.
    pub fn is_current(&self, generation: u64) -> bool {
        generation == self.generation
    }

    pub fn stream(&self) -> Stream {
        self.stream
    }

    /// The environment the stream was opened for, if any.
    pub fn env(&self) -> Option<&str> {
        self.env.as_deref()
    }

    pub fn count_received(&mut self, lines: usize) {
        self.received += lines;
    }

    pub fn received(&self) -> usize {
        self.received
    }
}
