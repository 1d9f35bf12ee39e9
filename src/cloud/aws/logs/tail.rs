//! The log tail: backfill, then live tail (`live.rs`), then polling if live tail is unavailable.
//!
//! ```text
//!   backfill from target.start ──> live tail ──(ended/broken)──> "reconnecting", backoff ─┐
//!                                      ^  on SessionStart: "live tail connected",          │
//!                                      │  fill the gap since the last event seen           │
//!                                      └───────────────────────────────────────────────────┘
//!                                      │ unavailable (denied, unsupported, not a stream,
//!                                      v  ends at once three times in a row, >10 groups)
//!                              polling every 2 s with a cursor per group
//!                                      │ after 60 s (network) or 10 min (a refusal): try
//!                                      └─ live tail again (never with >10 groups)
//! ```
//!
//! Every read starts `OVERLAP` before its group's cursor, and every event passes the
//! de-duplication window (`dedup.rs`), so the seams between reads lose nothing and show nothing
//! twice. A cursor is the newest event delivered from its group, or, once a read of the group
//! has come back complete, that read's start less `QUIET_LAG` when that is later: a group with
//! nothing new is not re-read from its last line on every poll, so the window of a poll stays
//! about `POLL_EVERY + QUIET_LAG + OVERLAP` however long the group stays quiet. Cursors are capped
//! at the wall clock: one event stamped in the future (a skewed instance clock) must not make
//! later reads skip the present.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::dedup::{Read, Seen};
use super::filter::Pages;
use super::sink::{self, Halt, Sink};
use super::{OVERLAP, POLL_EVERY, live, next_backoff, now_ms};
use crate::cloud::{CloudError, CloudResult, LogTarget, TailEvent};
use crate::domain::{Millis, RawLogEvent};

/// Consecutive network failures a catch-up read tolerates before giving up on the tail.
const CATCH_UP_NETWORK_RETRIES: u32 = 5;

/// How late an event may be ingested (after its timestamp) and still be found by the next read of
/// a group whose last read was complete. The CloudWatch agent ships every 5 s by default.
const QUIET_LAG: Millis = 10_000;

pub(super) struct Tail<'a> {
    pub(super) logs: &'a aws_sdk_cloudwatchlogs::Client,
    /// Environment name, for the ARN look-up prefix and messages.
    pub(super) env_name: String,
    /// The log groups, in the caller's order, without repeats.
    pub(super) groups: Vec<String>,
    start: Millis,
    /// Per group: the newest event timestamp delivered (capped at the wall clock), or `start`.
    cursors: HashMap<String, Millis>,
    seen: Seen,
    pub(super) sink: Sink,
}

impl<'a> Tail<'a> {
    pub(super) fn new(
        logs: &'a aws_sdk_cloudwatchlogs::Client,
        target: LogTarget,
        tx: mpsc::Sender<TailEvent>,
    ) -> Self {
        let mut groups: Vec<String> = Vec::with_capacity(target.groups.len());
        for g in target.groups {
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
        let cursors = groups.iter().map(|g| (g.clone(), target.start)).collect();
        Self {
            logs,
            env_name: target.env.name,
            groups,
            start: target.start,
            cursors,
            seen: Seen::default(),
            sink: Sink::new(tx),
        }
    }

    pub(super) async fn run(mut self) -> CloudResult<()> {
        sink::finish(self.follow().await)
    }

    async fn follow(&mut self) -> Result<(), Halt> {
        if self.groups.is_empty() {
            return Err(Halt::Failed(CloudError::Unsupported(format!(
                "{} does not stream its logs to CloudWatch (no log groups)",
                self.env_name
            ))));
        }
        self.catch_up().await?;
        loop {
            let unavailable = live::follow(self).await?;
            let reason = &unavailable.reason;
            tracing::info!(%reason, env = %self.env_name, retry_in = ?unavailable.retry_in, "live tail unavailable; polling");
            let until = unavailable.retry_in.map(|d| Instant::now() + d);
            self.poll(reason, until).await?;
            self.sink.status("trying live tail again").await?;
        }
    }

    /// Read every group from its cursor to now and send what is new. Throttling is waited out;
    /// dropped connections are retried a few times; anything else ends the tail with that error.
    pub(super) async fn catch_up(&mut self) -> Result<(), Halt> {
        let mut delay = Duration::from_secs(1);
        let mut network_failures = 0;
        loop {
            match self.sweep().await? {
                None => return Ok(()),
                Some(CloudError::Throttled(msg)) => {
                    tracing::debug!(%msg, "catch-up throttled");
                    self.sink
                        .status(format!(
                            "throttled by CloudWatch Logs; retrying in {}s",
                            delay.as_secs()
                        ))
                        .await?;
                }
                Some(CloudError::Network(msg)) if network_failures < CATCH_UP_NETWORK_RETRIES => {
                    network_failures += 1;
                    self.sink
                        .status(format!(
                            "cannot reach CloudWatch Logs ({msg}); retrying in {}s",
                            delay.as_secs()
                        ))
                        .await?;
                }
                Some(e) => return Err(Halt::Failed(e)),
            }
            self.sink.sleep(delay).await?;
            delay = next_backoff(delay);
        }
    }

    /// FilterLogEvents polling, for when live tail is unavailable. Returns `Ok` after the first
    /// poll at or past `until` (time to try live tail again); without `until`, only when the
    /// receiver goes away or on an error the user must see.
    async fn poll(&mut self, reason: &str, until: Option<Instant>) -> Result<(), Halt> {
        let polling = format!(
            "polling every {}s (live tail unavailable: {reason})",
            POLL_EVERY.as_secs()
        );
        self.sink.status(polling.clone()).await?;
        let mut delay = POLL_EVERY;
        loop {
            self.sink.sleep(delay).await?;
            match self.sweep().await? {
                None => {
                    if delay != POLL_EVERY {
                        delay = POLL_EVERY;
                        self.sink.status(polling.clone()).await?;
                    }
                }
                Some(CloudError::Throttled(msg)) => {
                    delay = next_backoff(delay);
                    tracing::debug!(%msg, ?delay, "poll throttled");
                    self.sink
                        .status(format!(
                            "throttled by CloudWatch Logs; next poll in {}s",
                            delay.as_secs()
                        ))
                        .await?;
                }
                Some(CloudError::Network(msg)) => {
                    delay = next_backoff(delay);
                    self.sink
                        .status(format!(
                            "cannot reach CloudWatch Logs ({msg}); next poll in {}s",
                            delay.as_secs()
                        ))
                        .await?;
                }
                Some(e) => return Err(Halt::Failed(e)),
            }
            if until.is_some_and(|until| Instant::now() >= until) {
                return Ok(());
            }
        }
    }

    /// One read of every group from `cursor - OVERLAP`, all pages. What was read is sent even when
    /// a later call fails; the failure is returned for the caller to judge.
    async fn sweep(&mut self) -> Result<Option<CloudError>, Halt> {
        let plan: Vec<(String, Millis)> = self
            .groups
            .iter()
            .map(|g| {
                let cursor = self.cursors.get(g).copied().unwrap_or(self.start);
                (g.clone(), (cursor - OVERLAP).max(self.start))
            })
            .collect();
        let mut read_events = Vec::new();
        let mut failure = None;
        // Groups read to their last page, with the wall-clock time their read began.
        let mut complete: Vec<(String, Millis)> = Vec::new();
        'groups: for (group, from) in &plan {
            let began = now_ms();
            let mut pages = Pages::new(self.logs, group, *from);
            while !pages.done() {
                match self.sink.guard(pages.next()).await? {
                    Ok(events) => read_events.extend(events),
                    Err(e) => {
                        failure = Some(e);
                        break 'groups;
                    }
                }
            }
            complete.push((group.clone(), began));
        }
        self.deliver(&mut Read::new(), read_events).await?;
        // Everything stamped before the read began (less the ingestion lag) has been seen: the
        // next read of a quiet group starts there, not at its last line however old.
        for (group, began) in complete {
            if let Some(cursor) = self.cursors.get_mut(&group) {
                *cursor = (*cursor).max(began - QUIET_LAG);
            }
        }
        Ok(failure)
    }

    /// Send the events of one read that were not delivered before, oldest first, and advance the
    /// cursors. Events stamped before the target's start are left out (an emulator's live tail
    /// replays everything it holds).
    pub(super) async fn deliver(
        &mut self,
        read: &mut Read,
        mut events: Vec<RawLogEvent>,
    ) -> Result<(), Halt> {
        events.retain(|e| e.ts >= self.start);
        events.sort_by_key(|e| e.ts);
        let fresh = self.seen.admit_all(read, events);
        let now = now_ms();
        for e in &fresh {
            if let Some(cursor) = self.cursors.get_mut(&e.group) {
                *cursor = (*cursor).max(e.ts.min(now));
            }
        }
        self.sink.events(fresh).await
    }
}
