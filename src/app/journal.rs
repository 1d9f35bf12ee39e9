//! What the app holds from the journal, and what it captured: the age of what was loaded at
//! start, environments reopened from `:journal` after AWS stopped listing them, their health
//! history and log lines as recorded, operations ebtui followed in earlier runs, and the
//! evidence captured when an operation failed.

use std::collections::HashMap;

use crate::domain::{Environment, Millis};
use crate::journal::{Capture, HealthPoint, KnownEnv, LogLine, OpRecord};

/// How long after a capture another failure on the same environment is taken as the same one.
pub const CAPTURE_QUIET: Millis = 10 * 60_000;
/// Captured lines are read from this long before the failure.
pub const CAPTURE_BEFORE: Millis = 10 * 60_000;
/// Failures older than this when first read (an old failure in the 14 days of history read at
/// start) are not captured: what they would have lost is gone already.
pub const CAPTURE_RECENT: Millis = 15 * 60_000;

/// The note an `Effect::Capture` answers with when the environment streams no logs to
/// CloudWatch (the tail logs may be asked for then).
pub const NO_STREAMING: &str = "the environment does not stream its logs to CloudWatch";

/// A received line as handed to the journal from the UI loop: a copy, nothing more (the
/// journal cleans text on its own thread, and again when it reads it back).
pub fn raw_line(raw: &crate::domain::RawLogEvent) -> LogLine {
    LogLine {
        id: raw.id.clone().unwrap_or_default(),
        ts: raw.ts,
        group: raw.group.clone(),
        stream: raw.stream.clone(),
        message: raw.message.clone(),
    }
}

/// A received line, sanitized as the buffer shows it (captures, off the UI loop).
pub fn log_line(raw: &crate::domain::RawLogEvent) -> LogLine {
    use crate::logs::sanitize;
    LogLine {
        id: raw.id.clone().unwrap_or_default(),
        ts: raw.ts,
        group: sanitize(&raw.group).into_owned(),
        stream: sanitize(&raw.stream).into_owned(),
        message: sanitize(&raw.message).into_owned(),
    }
}

#[derive(Debug, Default)]
pub struct JournalState {
    /// The screen shows what the journal held, this old, until AWS answers (`None` then).
    pub loaded_at: Option<Millis>,
    /// The account's next events read catches up from the journal's newest: what ended while
    /// ebtui was not running is shown, not announced.
    pub catching_up: bool,
    /// Environments reopened from the journal (AWS no longer lists them): read-only, kept in
    /// the table beside those AWS lists.
    pub gone: Vec<Environment>,
    /// Health as recorded, by environment key (reopened environments).
    pub health: HashMap<String, Vec<crate::journal::HealthPoint>>,
    /// Log lines as recorded, by environment key (reopened environments).
    pub lines: HashMap<String, Vec<LogLine>>,
    /// Operations ebtui followed, from earlier runs and this one.
    pub ops: Vec<OpRecord>,
    /// Evidence captured on failures, oldest first.
    pub captures: Vec<Capture>,
    /// The last capture started per environment key (one per failure, see `CAPTURE_QUIET`).
    pub last_capture: HashMap<String, Millis>,
    /// RequestEnvironmentInfo sent for a capture (`capture_on_failure = "tail"`), by op id.
    pub pending_tail: HashMap<u64, Capture>,
    /// The operation last chosen in the operations overlay (`o`): (environment key, request
    /// id), for `:report`.
    pub report_target: Option<(String, String)>,
    /// The journal's last word when it is not simply writing (paused, off, replaced).
    pub note: Option<String>,
}

impl JournalState {
    /// Whether this environment was reopened from the journal (read-only): by id, as a live
    /// namesake may have taken its name.
    pub fn is_gone(&self, env: &Environment) -> bool {
        self.gone
            .iter()
            .any(|g| g.env.id == env.env.id && (!g.env.id.is_empty() || g.env.name == env.env.name))
    }

    /// Whether the environment known by `key` in `envs` was reopened from the journal.
    pub fn is_gone_key(&self, envs: &crate::app::envs::EnvsPane, key: &str) -> bool {
        envs.get(key).is_some_and(|e| self.is_gone(e))
    }

    /// Captures of one environment (by id, else by name), oldest first.
    pub fn captures_of<'a>(&'a self, env: &'a Environment) -> impl Iterator<Item = &'a Capture> {
        self.captures.iter().filter(move |c| {
            (!env.env.id.is_empty() && c.env_id == env.env.id)
                || (c.env_id.is_empty() && c.env_name == env.env.name)
        })
    }

    /// The captures of one operation of `env`: those that name it, and those made while it ran
    /// (a minute either side: a failure is often read a little after its operation's events).
    pub fn captures_for<'a>(
        &'a self,
        env: &'a Environment,
        op: &'a crate::app::ledger::Operation,
        now: Millis,
    ) -> impl Iterator<Item = &'a Capture> {
        let end = op.ended().unwrap_or(now);
        self.captures_of(env).filter(move |c| {
            c.op_key.as_deref() == Some(op.request_id.as_str())
                || (c.at >= op.started - 60_000 && c.at <= end + 60_000)
        })
    }

    /// Keep a capture (replacing an earlier state of the same one).
    pub fn keep_capture(&mut self, capture: Capture) {
        match self.captures.iter_mut().find(|c| c.key == capture.key) {
            Some(c) => *c = capture,
            None => self.captures.push(capture),
        }
    }

    /// Keep an operation record (replacing an earlier state of the same one).
    pub fn keep_op(&mut self, op: OpRecord) {
        match self.ops.iter_mut().find(|o| o.key == op.key) {
            Some(o) => *o = op,
            None => self.ops.push(op),
        }
    }
}

/// Health changes shown for a reopened environment (the newest).
pub const RECORDED_CHANGES_SHOWN: usize = 4;

impl JournalState {
    /// The health changes recorded for a reopened environment, newest last, as many as shown;
    /// and how many there are. `None` for an environment not reopened.
    pub fn recorded_changes(&self, key: &str) -> Option<(Vec<&HealthPoint>, usize)> {
        let points = self.health.get(key)?;
        let changes: Vec<&HealthPoint> = points.iter().filter(|p| p.transition).collect();
        let n = changes.len();
        let shown = changes[n.saturating_sub(RECORDED_CHANGES_SHOWN)..].to_vec();
        Some((shown, n))
    }

    /// Lines the health pane draws for them: a heading and one per change shown.
    pub fn recorded_lines(&self, key: &str) -> usize {
        self.recorded_changes(key)
            .map_or(0, |(shown, _)| 1 + shown.len())
    }
}

/// What `:journal` lists: environments the journal knows that AWS does not list now.
pub fn gone_from(known: Vec<KnownEnv>, listed: &[Environment]) -> Vec<KnownEnv> {
    let mut gone: Vec<KnownEnv> = known
        .into_iter()
        .filter(|k| {
            !listed.iter().any(|e| {
                (!k.env.env.id.is_empty() && e.env.id == k.env.env.id)
                    || (k.env.env.id.is_empty() && e.env.name == k.env.env.name)
            })
        })
        .collect();
    gone.sort_by_key(|k| std::cmp::Reverse(k.last_seen));
    gone
}

/// The newest health point of a reopened environment, as a snapshot for the health pane.
pub fn last_health(points: &[HealthPoint]) -> Option<&crate::domain::HealthSnapshot> {
    points.last().map(|p| &p.snapshot)
}
