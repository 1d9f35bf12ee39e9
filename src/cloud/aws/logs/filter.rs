//! The request/response side of CloudWatch Logs reads: DescribeLogGroups (all pages),
//! FilterLogEvents one page at a time, and the pushed-down search.

use std::time::Duration;

use aws_sdk_cloudwatchlogs::types::FilteredLogEvent;

use super::dedup::{Read, Seen};
use super::sink::{Halt, Sink};
use super::{FILTER_PAGE_LIMIT, next_backoff};
use crate::cloud::aws::error::classify;
use crate::cloud::{CloudError, CloudResult};
use crate::domain::{Millis, RawLogEvent};

/// DescribeLogGroups page size: the API maximum.
const DESCRIBE_PAGE_LIMIT: i32 = 50;

/// A search retries a throttled page this many times (with a doubling wait) before giving up: a
/// search is a one-off the user waits for, so it reports rather than stalls indefinitely.
const SEARCH_THROTTLE_RETRIES: u32 = 5;

/// A log group as DescribeLogGroups reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct GroupInfo {
    pub name: String,
    /// The ARN without the trailing `:*` (the form StartLiveTail accepts), when reported.
    pub arn: Option<String>,
}

/// Every log group whose name starts with `prefix` (all pages).
pub(super) async fn describe_groups(
    logs: &aws_sdk_cloudwatchlogs::Client,
    prefix: &str,
) -> CloudResult<Vec<GroupInfo>> {
    let mut groups = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = logs
            .describe_log_groups()
            .log_group_name_prefix(prefix)
            .limit(DESCRIBE_PAGE_LIMIT)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(classify)?;
        for g in page.log_groups() {
            let Some(name) = g.log_group_name() else {
                continue;
            };
            // The prefix is applied server-side; checked again so an emulator's looser matching
            // cannot bring in another environment's groups.
            if !name.starts_with(prefix) {
                continue;
            }
            // `logGroupArn` is the bare ARN; the older `arn` field ends in `:*`, which
            // StartLiveTail rejects.
            let arn = g
                .log_group_arn()
                .or(g.arn())
                .map(|a| a.strip_suffix(":*").unwrap_or(a).to_string());
            groups.push(GroupInfo {
                name: name.to_string(),
                arn,
            });
        }
        match page.next_token {
            // A token repeated verbatim would loop forever; stop instead.
            Some(next) if !next.is_empty() && token.as_deref() != Some(next.as_str()) => {
                token = Some(next)
            }
            _ => break,
        }
    }
    Ok(groups)
}

/// FilterLogEvents over one log group, one page per `next` call. A failed call leaves the cursor
/// where it was, so calling `next` again retries the same page.
pub(super) struct Pages<'a> {
    logs: &'a aws_sdk_cloudwatchlogs::Client,
    group: &'a str,
    start: Millis,
    end_inclusive: Option<Millis>,
    pattern: Option<&'a str>,
    token: Option<String>,
    done: bool,
}

impl<'a> Pages<'a> {
    pub(super) fn new(
        logs: &'a aws_sdk_cloudwatchlogs::Client,
        group: &'a str,
        start: Millis,
    ) -> Self {
        Self {
            logs,
            group,
            start,
            end_inclusive: None,
            pattern: None,
            token: None,
            done: false,
        }
    }

    /// Only events stamped at or before `end` (FilterLogEvents' `endTime` is inclusive).
    pub(super) fn until(mut self, end_inclusive: Millis) -> Self {
        self.end_inclusive = Some(end_inclusive);
        self
    }

    /// Only events matching a CloudWatch filter pattern; an empty pattern matches everything.
    pub(super) fn pattern(mut self, pattern: &'a str) -> Self {
        self.pattern = Some(pattern).filter(|p| !p.trim().is_empty());
        self
    }

    pub(super) fn done(&self) -> bool {
        self.done
    }

    /// The next page's events, in the order the service returned them.
    pub(super) async fn next(&mut self) -> CloudResult<Vec<RawLogEvent>> {
        if self.done {
            return Ok(Vec::new());
        }
        let page = self
            .logs
            .filter_log_events()
            .log_group_name(self.group)
            .start_time(self.start)
            .set_end_time(self.end_inclusive)
            .set_filter_pattern(self.pattern.map(str::to_string))
            .limit(FILTER_PAGE_LIMIT)
            .set_next_token(self.token.clone())
            .send()
            .await
            .map_err(classify)?;
        // FilterLogEvents may answer an empty page with a token (it searched a slice of the time
        // range without a match): keep going until there is no token. A repeated token would
        // loop forever, so it ends the read.
        match page.next_token {
            Some(next) if !next.is_empty() && self.token.as_deref() != Some(next.as_str()) => {
                self.token = Some(next)
            }
            _ => self.done = true,
        }
        let group = self.group;
        Ok(page
            .events
            .unwrap_or_default()
            .into_iter()
            .filter_map(|e| to_raw(group, e))
            .collect())
    }
}

/// An SDK event as a domain event without id (the de-duplication window assigns ids).
fn to_raw(group: &str, e: FilteredLogEvent) -> Option<RawLogEvent> {
    let ts = e.timestamp.or(e.ingestion_time)?;
    Some(RawLogEvent {
        id: None,
        ts,
        group: group.to_string(),
        stream: e.log_stream_name.unwrap_or_default(),
        message: e.message.unwrap_or_default(),
    })
}

/// FilterLogEvents pages one back search reads at most. Each page can be 10,000 lines (1 MB) and a
/// busy access log yields hundreds of pages over six hours: the cap bounds the calls, the time and
/// what the app holds. The search reads newest first, so what it stops short of is the oldest.
pub const SEARCH_PAGE_CAP: usize = 50;

/// The first time window a back search reads (the newest); later windows grow fourfold while
/// they are sparse (at most a page per group) and halve while they are dense (more than four
/// pages per group), so a search with few matches reads six hours in two windows (two calls per
/// group) and a busy log does not spend the cap on one window.
const FIRST_WINDOW: Millis = 60 * 60_000;
const MIN_WINDOW: Millis = 60_000;

/// See `super::search_logs`. `[start, end)` is read in time windows from the newest back, every
/// group and page of a window before the next; each page is sent as it arrives, followed by a
/// progress status. Stops at `SEARCH_PAGE_CAP` pages, saying how far back it got.
pub(super) async fn search(
    logs: &aws_sdk_cloudwatchlogs::Client,
    groups: &[String],
    pattern: &str,
    start: Millis,
    end: Millis,
    sink: &Sink,
) -> Result<(), Halt> {
    if groups.is_empty() {
        return Err(Halt::Failed(CloudError::Unsupported(
            "No CloudWatch log groups to search: the environment does not stream its logs"
                .to_string(),
        )));
    }
    let mut progress = Progress::new(start, end);
    // Ids come from the same scheme as the tail's, so a hit and the same line in the buffer agree.
    let mut seen = Seen::default();
    let mut read = Read::new();
    let mut window = FIRST_WINDOW;
    let mut hi = end;
    while hi > start {
        let lo = hi.saturating_sub(window).max(start);
        let pages_before = progress.pages;
        for group in groups {
            let mut pages = Pages::new(logs, group, lo).until(hi - 1).pattern(pattern);
            let mut throttled = 0;
            let mut delay = Duration::from_secs(1);
            while !pages.done() {
                if progress.pages >= SEARCH_PAGE_CAP {
                    return sink.status(progress.capped(hi)).await;
                }
                match sink.guard(pages.next()).await? {
                    Ok(mut events) => {
                        throttled = 0;
                        progress.pages += 1;
                        // [lo, hi) even if the service (or an emulator) is loose about the edges.
                        events.retain(|e| e.ts >= lo && e.ts < hi);
                        events.sort_by_key(|e| e.ts);
                        let fresh = seen.admit_all(&mut read, events);
                        progress.lines += fresh.len();
                        sink.events(fresh).await?;
                        sink.status(progress.running(hi)).await?;
                    }
                    Err(CloudError::Throttled(msg)) if throttled < SEARCH_THROTTLE_RETRIES => {
                        throttled += 1;
                        tracing::debug!(%msg, ?delay, "search throttled; retrying the page");
                        sink.sleep(delay).await?;
                        delay = next_backoff(delay);
                    }
                    Err(e) => return Err(Halt::Failed(e)),
                }
            }
        }
        hi = lo;
        let used = progress.pages - pages_before;
        if used <= groups.len() {
            window = window.saturating_mul(4);
        } else if used > 4 * groups.len() {
            window = (window / 2).max(MIN_WINDOW);
        }
    }
    sink.status(progress.done()).await
}

/// What a back search has done so far, in the words of its status line.
struct Progress {
    start: Millis,
    end: Millis,
    pages: usize,
    lines: usize,
}

impl Progress {
    fn new(start: Millis, end: Millis) -> Self {
        Self {
            start,
            end: end.max(start),
            pages: 0,
            lines: 0,
        }
    }

    fn total_minutes(&self) -> i64 {
        (self.end - self.start + 59_999) / 60_000
    }

    /// Minutes of the range searched once everything at or after `reached` has been read.
    fn minutes_back(&self, reached: Millis) -> i64 {
        let done = (self.end - reached.clamp(self.start, self.end)) / 60_000;
        done.min(self.total_minutes())
    }

    fn counts(&self) -> String {
        let pages = if self.pages == 1 { "page" } else { "pages" };
        let lines = if self.lines == 1 { "line" } else { "lines" };
        format!("{} {pages} · {} {lines}", self.pages, self.lines)
    }

    /// "searched 3 pages · 120 lines · back to 2026-11-30 13:05 UTC (55 of 360 minutes)"
    fn running(&self, reached: Millis) -> String {
        format!(
            "searched {} · back to {} ({} of {} minutes)",
            self.counts(),
            utc(reached),
            self.minutes_back(reached),
            self.total_minutes()
        )
    }

    fn capped(&self, reached: Millis) -> String {
        format!(
            "search stopped at the {SEARCH_PAGE_CAP}-page cap: {} · reached back to {} ({} of {} minutes); older lines were not searched",
            self.counts(),
            utc(reached),
            self.minutes_back(reached),
            self.total_minutes()
        )
    }

    fn done(&self) -> String {
        format!(
            "searched {} · all {} minutes",
            self.counts(),
            self.total_minutes()
        )
    }
}

/// A time for a status line, to the minute.
fn utc(ts: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ts)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| ts.to_string())
}

#[cfg(test)]
mod tests {
    use super::Progress;

    #[test]
    fn progress_counts_minutes_back_from_the_end() {
        let end = 1_700_000_000_000;
        let mut p = Progress::new(end - 60 * 60_000, end);
        assert_eq!(p.total_minutes(), 60);
        assert_eq!(p.minutes_back(end), 0);
        assert_eq!(p.minutes_back(end - 15 * 60_000), 15);
        // Outside the range: clamped.
        assert_eq!(p.minutes_back(0), 60);
        p.pages = 1;
        p.lines = 2;
        assert_eq!(
            p.running(end - 15 * 60_000),
            "searched 1 page · 2 lines · back to 2023-11-14 21:58 UTC (15 of 60 minutes)"
        );
        assert_eq!(p.done(), "searched 1 page · 2 lines · all 60 minutes");
        assert!(
            p.capped(end)
                .starts_with("search stopped at the 50-page cap: 1 page")
        );
    }
}
