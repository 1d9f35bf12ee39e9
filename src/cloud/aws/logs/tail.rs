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
//! ```
//!
//! Every read starts `OVERLAP` before the newest event already seen in its group, and every event
//! passes the de-duplication window (`dedup.rs`), so the seams between reads lose nothing and show
//! nothing twice. Cursors are capped at the wall clock: one event stamped in the future (a skewed
//! instance clock) must not make later reads skip the present.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc;

use super::dedup::{Read, Seen};
use super::filter::Pages;
use super::sink::{self, Halt, Sink};
use super::{OVERLAP, POLL_EVERY, live, next_backoff, now_ms};
use crate::cloud::{CloudError, CloudResult, LogTarget, TailEvent};
use crate::domain::{Millis, RawLogEvent};

/// Consecutive network failures a catch-up read tolerates before giving up on the tail.
const CATCH_UP_NETWORK_RETRIES: u32 = 5;

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
        let reason = live::follow(self).await?;
        tracing::info!(%reason, env = %self.env_name, "live tail unavailable; polling");
        self.poll(&reason).await
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

    /// FilterLogEvents polling, for when live tail is unavailable. Never returns normally: only
    /// when the receiver goes away or on an error the user must see.
    async fn poll(&mut self, reason: &str) -> Result<(), Halt> {
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
        'groups: for (group, from) in &plan {
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
        }
        self.deliver(&mut Read::new(), read_events).await?;
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
