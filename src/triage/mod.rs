//! "Why 502?": the log buffer, instance health and the operations ledger joined into one answer:
//! why requests fail, since when, where, and what to do. Pure: no clock, no I/O; `now` comes in.
//!
//! - `parse`: an access line's format, status and path, found by pattern.
//! - `signatures`: the table of known failure lines (what each means, what to do next).
//! - `aggregate`: the running count over the buffer, read incrementally by seq, evictions taken
//!   back out; [`Series`] is the seam for per-minute counts from elsewhere (Logs Insights).
//! - `findings`: the report the view draws: breakdowns, markers and ranked findings.

mod aggregate;
mod findings;
mod parse;
pub mod signatures;
#[cfg(test)]
mod tests;

pub use aggregate::{Aggregate, Series};
pub use findings::{Finding, Jump, NO_INSTANCE, PlacedMarker, Report, Row, report, short_id};
pub use parse::{Format, Request, request};

use crate::domain::Millis;

/// An instance as health tells it: its id and the version it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceInfo {
    pub id: String,
    pub version: Option<String>,
}

/// An operation on the time axis: a deploy started, a batch, a roll back.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub ts: Millis,
    /// "deploy v-broken", "batch 1 of deploy v-broken", "roll back to v1.4.3".
    pub label: String,
}

/// What the app holds that the report joins with the counts.
#[derive(Debug, Clone, Default)]
pub struct Inputs<'a> {
    pub env: &'a str,
    pub instances: &'a [InstanceInfo],
    pub markers: &'a [Marker],
    pub now: Millis,
}

/// Lines read per message when the view catches up with a full buffer. Measured
/// (`tests/triage_signatures.rs`, `measure_a_million_lines`): a debug build reads 1,000,000 lines
/// in 3.3 s on a shared 2-core machine, so 20,000 is about 66 ms there and a few ms in release; a
/// full buffer is caught up over 50 messages while the view says how many lines are left.
pub const STEP_LINES: usize = 20_000;
