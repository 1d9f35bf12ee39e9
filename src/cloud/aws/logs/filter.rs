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

/// See `super::search_logs`.
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
    let span = (end - start).max(0);
    let total_minutes = (span + 59_999) / 60_000;
    let progress = Progress {
        groups: groups.len() as i64,
        span,
        total_minutes,
    };
    // Ids come from the same scheme as the tail's, so a hit and the same line in the buffer agree.
    let mut seen = Seen::default();
    let mut read = Read::new();
    for (index, group) in groups.iter().enumerate() {
        if span == 0 {
            break;
        }
        let mut pages = Pages::new(logs, group, start)
            .until(end - 1)
            .pattern(pattern);
        let mut reached = start;
        let mut throttled = 0;
        let mut delay = Duration::from_secs(1);
        while !pages.done() {
            match sink.guard(pages.next()).await? {
                Ok(mut events) => {
                    throttled = 0;
                    // [start, end) even if the service (or an emulator) is loose about the edges.
                    events.retain(|e| e.ts >= start && e.ts < end);
                    events.sort_by_key(|e| e.ts);
                    reached = reached.max(events.last().map_or(start, |e| e.ts));
                    if pages.done() {
                        reached = end;
                    }
                    sink.events(seen.admit_all(&mut read, events)).await?;
                    let searched = progress.minutes(index as i64, reached - start);
                    sink.status(format!("searched {searched} of {total_minutes} minutes"))
                        .await?;
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
    if span == 0 {
        sink.status("searched 0 of 0 minutes").await?;
    }
    Ok(())
}

/// Minutes searched so far, counting each group as an equal share of the work.
struct Progress {
    groups: i64,
    span: Millis,
    total_minutes: i64,
}

impl Progress {
    /// `done_in_group`: how far into [start, end) the current group's pages have reached.
    fn minutes(&self, groups_done: i64, done_in_group: Millis) -> i64 {
        let done = groups_done * self.span + done_in_group.clamp(0, self.span);
        // i128: minutes * milliseconds can pass i64 for absurd ranges.
        let minutes =
            i128::from(self.total_minutes) * i128::from(done) / i128::from(self.groups * self.span);
        i64::try_from(minutes).unwrap_or(self.total_minutes)
    }
}

#[cfg(test)]
mod tests {
    use super::Progress;

    #[test]
    fn progress_counts_each_group_as_an_equal_share() {
        let p = Progress {
            groups: 2,
            span: 60 * 60_000,
            total_minutes: 60,
        };
        assert_eq!(p.minutes(0, 0), 0);
        assert_eq!(p.minutes(0, 30 * 60_000), 15);
        assert_eq!(p.minutes(1, 0), 30);
        assert_eq!(p.minutes(1, 60 * 60_000), 60);
        // Events stamped outside the range do not push progress past the end.
        assert_eq!(p.minutes(1, 10 * 60 * 60_000), 60);
    }
}
