//! CloudWatch Logs reads and Elastic Beanstalk tail logs against typed mocks (aws-smithy-mocks).
//!
//! FilterLogEvents is served by a small in-memory log store that honours the time range, the
//! pattern (as a substring) and paginates with a token, so cursors, overlap windows and pagination
//! are exercised the way CloudWatch would answer them. Errors are real JSON error bodies, parsed by
//! the SDK like the service's own. Time is paused (tokio test-util): the 2 s polls and backoffs
//! take no wall time, and the waits between calls can be measured exactly.
//!
//! `fake.rs` is the log store and the client around it; `eb_tail.rs` covers Elastic Beanstalk's
//! tail logs.

mod eb_tail;
mod fake;

use std::time::Duration;

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::operation::describe_log_groups::DescribeLogGroupsOutput;
use aws_sdk_cloudwatchlogs::types::LogGroup;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use ebtui::cloud::aws::logs::{log_groups, search_logs, tail_logs};
use ebtui::cloud::{CloudError, LogTarget, TailEvent};
use ebtui::domain::{EnvRef, Millis, RawLogEvent};
use fake::{ENV, FakeLogs, FilterCall, GROUP_A, GROUP_B, json_error, logs_client, now_ms};
use tokio::sync::mpsc;

fn target(start: Millis) -> LogTarget {
    LogTarget {
        env: EnvRef {
            app: "demo".into(),
            name: ENV.into(),
            id: "e-123".into(),
        },
        groups: vec![GROUP_A.into(), GROUP_B.into()],
        start,
    }
}

/// The next message of the tail; a minute of (paused) time without one fails the test.
async fn next(rx: &mut mpsc::Receiver<TailEvent>) -> TailEvent {
    tokio::time::timeout(Duration::from_secs(60), rx.recv())
        .await
        .expect("a tail message within a minute")
        .expect("the tail is still running")
}

fn messages(events: &[RawLogEvent]) -> Vec<&str> {
    events.iter().map(|e| e.message.as_str()).collect()
}

async fn expect_events(rx: &mut mpsc::Receiver<TailEvent>) -> Vec<RawLogEvent> {
    match next(rx).await {
        TailEvent::Events(events) => events,
        other => panic!("expected events, got {other:?}"),
    }
}

async fn expect_status(rx: &mut mpsc::Receiver<TailEvent>) -> String {
    match next(rx).await {
        TailEvent::Status(s) => s,
        other => panic!("expected a status, got {other:?}"),
    }
}

#[tokio::test]
async fn log_groups_reads_every_page_and_sorts() {
    let pages = mock!(Client::describe_log_groups)
        .match_requests(|r| r.log_group_name_prefix() == Some("/aws/elasticbeanstalk/demo-env/"))
        .then_compute_output(|input| {
            let group = |n: &str| {
                LogGroup::builder()
                    .log_group_name(format!("/aws/elasticbeanstalk/demo-env/{n}"))
                    .build()
            };
            match input.next_token() {
                None => DescribeLogGroupsOutput::builder()
                    .log_groups(group("var/log/web.stdout.log"))
                    .log_groups(group("var/log/eb-engine.log"))
                    .next_token("page-2")
                    .build(),
                Some("page-2") => DescribeLogGroupsOutput::builder()
                    .log_groups(group("var/log/nginx/access.log"))
                    .build(),
                Some(other) => panic!("unexpected token {other}"),
            }
        });
    let client = mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &[&pages]);
    let groups = log_groups(&client, ENV).await.expect("log groups");
    assert_eq!(
        groups,
        [
            "/aws/elasticbeanstalk/demo-env/var/log/eb-engine.log",
            "/aws/elasticbeanstalk/demo-env/var/log/nginx/access.log",
            "/aws/elasticbeanstalk/demo-env/var/log/web.stdout.log",
        ]
    );
    assert_eq!(pages.num_calls(), 2);
}

#[tokio::test]
async fn log_groups_access_denied_is_an_auth_error() {
    let denied = mock!(Client::describe_log_groups).then_http_response(|| {
        json_error(
            "AccessDeniedException",
            "User: test is not authorized to perform: logs:DescribeLogGroups",
        )
    });
    let client = mock_client!(aws_sdk_cloudwatchlogs, RuleMode::MatchAny, &[&denied]);
    assert_eq!(
        log_groups(&client, ENV).await,
        Err(CloudError::Auth(
            "User: test is not authorized to perform: logs:DescribeLogGroups".into()
        ))
    );
}

#[tokio::test(start_paused = true)]
async fn polling_fallback_reads_with_a_cursor_an_overlap_and_no_duplicates() {
    let t0 = now_ms() - 60_000;
    // a2 is recent (4 s old): A's cursor stays at it. B's last line is a minute old: its cursor
    // moves to the backfill's start less the 10 s ingestion allowance.
    let a2_ts = now_ms() - 4_000;
    // One event per page, so every read paginates with nextToken.
    let fake = FakeLogs::new(1);
    fake.put(GROUP_A, "i-1", t0, "a1");
    fake.put(GROUP_A, "i-1", a2_ts, "a2");
    fake.put(GROUP_B, "i-1", t0 + 500, "b1");
    let denied = "User: test is not authorized to perform: logs:StartLiveTail";
    let client = logs_client(&fake, ("AccessDeniedException", denied));
    let (tx, mut rx) = mpsc::channel(16);
    let start = t0 - 10_000;
    let before = now_ms();
    let task = tokio::spawn(async move { tail_logs(&client, target(start), tx).await });

    let backfill = expect_events(&mut rx).await;
    let after = now_ms();
    assert_eq!(
        messages(&backfill),
        ["a1", "b1", "a2"],
        "backfill is merged oldest first"
    );
    assert_eq!(
        expect_status(&mut rx).await,
        format!("polling every 2s (live tail unavailable: {denied})")
    );
    let backfill_calls = fake.calls().len();
    assert!(
        fake.calls().iter().all(|c| c.start == Some(start)),
        "the backfill reads from the target's start"
    );
    assert!(
        fake.calls().iter().any(|c| c.token.as_deref() == Some("1")),
        "pages are followed"
    );

    // New lines while polling: one late for B (stamped before its cursor, inside the overlap
    // window), one at the same millisecond as a2 with other text, one newer.
    fake.put(GROUP_B, "i-2", before - 12_000, "b2-late");
    fake.put(GROUP_A, "i-1", a2_ts, "a2-bis");
    fake.put(GROUP_A, "i-1", a2_ts + 500, "a3");
    let polled = expect_events(&mut rx).await;
    assert_eq!(
        messages(&polled),
        ["b2-late", "a2-bis", "a3"],
        "only new lines, oldest first"
    );

    let poll: Vec<FilterCall> = fake.calls()[backfill_calls..].to_vec();
    let first_of = |g: &str| {
        poll.iter()
            .find(|c| c.group == g && c.token.is_none())
            .cloned()
            .expect("a poll per group")
    };
    // Cursor per group, minus the five-second overlap.
    assert_eq!(first_of(GROUP_A).start, Some(a2_ts - 5_000));
    let b_start = first_of(GROUP_B).start.expect("a start time");
    assert!(
        (before - 15_000..=after - 15_000).contains(&b_start),
        "B polls from its last complete read less 15 s: {b_start} not in [{}, {}]",
        before - 15_000,
        after - 15_000
    );
    assert!(poll.iter().all(|c| c.end.is_none() && c.pattern.is_none()));

    // A poll with nothing new sends nothing.
    let calls_before = fake.calls().len();
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(fake.calls().len() > calls_before, "polling goes on");
    assert!(rx.try_recv().is_err(), "nothing new, nothing sent");

    let ids: std::collections::HashSet<_> = backfill
        .iter()
        .chain(&polled)
        .map(|e| e.id.clone())
        .collect();
    assert_eq!(ids.len(), 6, "every line has its own id");
    assert!(ids.iter().all(Option::is_some));

    drop(rx);
    let result = tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("tail ends")
        .expect("no panic");
    assert_eq!(result, Ok(()), "a closed receiver ends the tail quietly");
}

#[tokio::test(start_paused = true)]
async fn throttled_reads_back_off_and_carry_on() {
    let t0 = now_ms() - 60_000;
    let fake = FakeLogs::new(100);
    fake.put(GROUP_A, "i-1", t0, "a1");
    fake.lock().throttle_next = 2;
    let unsupported = "Live Tail is not available in this Region";
    let client = logs_client(&fake, ("InvalidOperationException", unsupported));
    let (tx, mut rx) = mpsc::channel(16);
    let task = tokio::spawn(async move { tail_logs(&client, target(t0 - 1_000), tx).await });

    assert_eq!(
        expect_status(&mut rx).await,
        "throttled by CloudWatch Logs; retrying in 1s"
    );
    assert_eq!(
        expect_status(&mut rx).await,
        "throttled by CloudWatch Logs; retrying in 2s"
    );
    assert_eq!(messages(&expect_events(&mut rx).await), ["a1"]);
    let polling = format!("polling every 2s (live tail unavailable: {unsupported})");
    assert_eq!(expect_status(&mut rx).await, polling);

    // The first poll is throttled: the next comes after a doubled interval, then back to 2 s.
    fake.lock().throttle_next = 1;
    let calls_before = fake.calls().len();
    assert_eq!(
        expect_status(&mut rx).await,
        "throttled by CloudWatch Logs; next poll in 4s"
    );
    fake.put(GROUP_A, "i-1", now_ms() - 1_000, "a2");
    assert_eq!(messages(&expect_events(&mut rx).await), ["a2"]);
    assert_eq!(
        expect_status(&mut rx).await,
        polling,
        "back to the normal interval"
    );

    let calls = fake.calls();
    let polls: Vec<&FilterCall> = calls[calls_before..]
        .iter()
        .filter(|c| c.group == GROUP_A)
        .collect();
    assert!(polls.len() >= 2, "{polls:?}");
    assert_eq!(
        polls[1].at - polls[0].at,
        Duration::from_secs(4),
        "waited the doubled interval"
    );

    drop(rx);
    assert_eq!(task.await.expect("no panic"), Ok(()));
}

#[tokio::test(start_paused = true)]
async fn denied_reads_end_the_tail_with_an_auth_error() {
    let fake = FakeLogs::new(100);
    fake.lock().deny = true;
    let client = logs_client(&fake, ("AccessDeniedException", "not used"));
    let (tx, _rx) = mpsc::channel(16);
    let result = tail_logs(&client, target(now_ms() - 60_000), tx).await;
    match result {
        Err(CloudError::Auth(msg)) => assert!(msg.contains("logs:FilterLogEvents"), "{msg}"),
        other => panic!("expected an auth error, got {other:?}"),
    }
}

#[tokio::test]
async fn no_log_groups_is_unsupported() {
    let client = logs_client(&FakeLogs::new(1), ("AccessDeniedException", "not used"));
    let (tx, _rx) = mpsc::channel(1);
    let mut t = target(0);
    t.groups.clear();
    assert!(matches!(
        tail_logs(&client, t, tx).await,
        Err(CloudError::Unsupported(_))
    ));
}

/// Everything a search sent, split into lines (in order) and statuses.
async fn drain(rx: &mut mpsc::Receiver<TailEvent>) -> (Vec<Vec<RawLogEvent>>, Vec<String>) {
    let mut batches = Vec::new();
    let mut progress = Vec::new();
    while let Some(event) = rx.recv().await {
        match event {
            TailEvent::Events(events) => batches.push(events),
            TailEvent::Status(s) => progress.push(s),
            TailEvent::Sampled => panic!("a search is never sampled"),
        }
    }
    (batches, progress)
}

/// The "N of M minutes" of a search status.
fn minutes_of(status: &str) -> i64 {
    let (_, rest) = status.rsplit_once('(').expect("(N of M minutes)");
    rest.split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("N")
}

#[tokio::test(start_paused = true)]
async fn search_pushes_the_pattern_down_newest_first_and_reports_progress() {
    let end = now_ms();
    let start = end - 4 * 3_600_000;
    let fake = FakeLogs::new(1);
    fake.put(GROUP_A, "i-1", start - 1, "ERROR before the range");
    fake.put(GROUP_A, "i-1", start, "ERROR at the start");
    fake.put(GROUP_A, "i-1", start + 600_000, "ERROR ten minutes in");
    fake.put(GROUP_A, "i-1", start + 700_000, "fine");
    fake.put(GROUP_A, "i-2", end - 1_800_000, "ERROR half an hour ago");
    fake.put(GROUP_B, "i-1", start + 60_000, "ERROR in nginx");
    fake.put(GROUP_B, "i-1", end, "ERROR at the end, excluded");
    let client = logs_client(&fake, ("AccessDeniedException", "not used"));
    let (tx, mut rx) = mpsc::channel(64);
    let groups = [GROUP_A.to_string(), GROUP_B.to_string()];
    search_logs(&client, &groups, "ERROR", start, end, tx)
        .await
        .expect("search");
    let (batches, progress) = drain(&mut rx).await;
    let found: Vec<RawLogEvent> = batches.iter().flatten().cloned().collect();

    // Windows from the newest back: the last hour, then (sparse: four times as long) the three
    // hours before; group by group, each page oldest first.
    assert_eq!(
        messages(&found),
        [
            "ERROR half an hour ago",
            "ERROR at the start",
            "ERROR ten minutes in",
            "ERROR in nginx"
        ]
    );
    assert!(found.iter().all(|e| e.id.is_some()));
    let calls = fake.calls();
    assert_eq!(
        progress.last().map(String::as_str),
        Some(format!("searched {} pages · 4 lines · all 240 minutes", calls.len()).as_str())
    );
    let running = &progress[..progress.len() - 1];
    assert_eq!(
        running.len(),
        calls.len(),
        "one report per page: {progress:?}"
    );
    let minutes: Vec<i64> = running.iter().map(|s| minutes_of(s)).collect();
    assert!(
        minutes.windows(2).all(|w| w[0] <= w[1]),
        "progress only grows: {progress:?}"
    );
    // A window counts once all its pages are read.
    assert!(
        running[0].starts_with("searched 1 page · 1 line · back to ")
            && running[0].ends_with("(0 of 240 minutes)"),
        "{progress:?}"
    );
    assert!(running[2].ends_with("(60 of 240 minutes)"), "{progress:?}");
    assert_eq!(calls.len(), 5, "two windows: 1 + 1 pages, then 2 + 1");

    assert!(
        calls.iter().all(|c| c.pattern.as_deref() == Some("ERROR")),
        "the pattern is pushed down"
    );
    // The windows tile [start, end) from the end back, without gaps or overlaps.
    let mut windows: Vec<(Millis, Millis)> = calls
        .iter()
        .filter(|c| c.group == GROUP_A && c.token.is_none())
        .map(|c| (c.start.expect("start"), c.end.expect("end") + 1))
        .collect();
    assert_eq!(windows.first().map(|w| w.1), Some(end));
    assert_eq!(windows.last().map(|w| w.0), Some(start));
    assert!(windows.windows(2).all(|w| w[0].0 == w[1].1), "{windows:?}");
    windows.dedup();
    assert!(
        calls.iter().any(|c| c.token.is_some()),
        "all pages are read"
    );
}

#[tokio::test(start_paused = true)]
async fn search_sends_each_page_as_it_arrives_and_stops_at_the_page_cap() {
    use ebtui::cloud::aws::logs::SEARCH_PAGE_CAP;
    let end = now_ms();
    let start = end - 6 * 3_600_000;
    // A busy log: a line every second for six hours, 100 lines a page.
    let fake = FakeLogs::new(100);
    for n in 0..(6 * 3_600) {
        fake.put(GROUP_A, "i-1", start + n * 1_000, &format!("GET /{n}"));
    }
    let client = logs_client(&fake, ("AccessDeniedException", "not used"));
    let (tx, mut rx) = mpsc::channel(4);
    let search = tokio::spawn(async move {
        search_logs(&client, &[GROUP_A.to_string()], "GET", start, end, tx).await
    });
    // The first page arrives before the second is asked for.
    let first = loop {
        if let TailEvent::Events(events) = next(&mut rx).await {
            break events;
        }
    };
    assert_eq!(first.len(), 100);
    assert!(
        first[0].ts >= end - 60 * 60_000,
        "the newest window comes first"
    );
    let (batches, progress) = drain(&mut rx).await;
    assert_eq!(search.await.expect("no panic"), Ok(()));
    let calls = fake.calls();
    assert_eq!(calls.len(), SEARCH_PAGE_CAP, "no call past the cap");
    assert_eq!(batches.len() + 1, SEARCH_PAGE_CAP, "one batch per page");
    let lines: usize = first.len() + batches.iter().map(Vec::len).sum::<usize>();
    let last = progress.last().expect("a final status");
    assert!(
        last.starts_with(&format!(
            "search stopped at the {SEARCH_PAGE_CAP}-page cap: {SEARCH_PAGE_CAP} pages · {lines} lines · reached back to "
        )),
        "{last}"
    );
    assert!(last.ends_with("older lines were not searched"), "{last}");
    // At most 5,000 lines of one a second: an hour and a bit searched of six.
    let reached = minutes_of(last);
    assert!((60..=84).contains(&reached), "{last}");
    assert!(
        (reached * 60) as usize <= lines,
        "the minutes reported were all read: {last}"
    );
}

#[tokio::test(start_paused = true)]
async fn search_stops_when_the_receiver_goes_away() {
    let start = now_ms() - 3_600_000;
    let fake = FakeLogs::new(1);
    for n in 0..50 {
        fake.put(
            GROUP_A,
            "i-1",
            start + 3_000_000 + n * 1_000,
            &format!("line {n}"),
        );
    }
    let client = logs_client(&fake, ("AccessDeniedException", "not used"));
    let (tx, mut rx) = mpsc::channel(1);
    let search = tokio::spawn(async move {
        search_logs(
            &client,
            &[GROUP_A.to_string()],
            "",
            start,
            start + 3_600_000,
            tx,
        )
        .await
    });
    loop {
        if let TailEvent::Events(_) = next(&mut rx).await {
            break;
        }
    }
    drop(rx);
    assert_eq!(search.await.expect("no panic"), Ok(()));
    let calls = fake.calls();
    assert!(
        calls.len() < 10,
        "the search stopped early ({} pages read)",
        calls.len()
    );
    assert!(
        calls.iter().all(|c| c.pattern.is_none()),
        "an empty pattern sends no filter"
    );
}

#[tokio::test(start_paused = true)]
async fn an_aborted_search_sends_no_more_requests() {
    let start = now_ms() - 3_600_000;
    let fake = FakeLogs::new(1);
    for n in 0..50 {
        fake.put(
            GROUP_A,
            "i-1",
            start + 3_000_000 + n * 1_000,
            &format!("line {n}"),
        );
    }
    let client = logs_client(&fake, ("AccessDeniedException", "not used"));
    // The receiver stays, as in the app: Esc aborts the task.
    let (tx, mut rx) = mpsc::channel(1);
    let search = tokio::spawn(async move {
        search_logs(
            &client,
            &[GROUP_A.to_string()],
            "",
            start,
            start + 3_600_000,
            tx,
        )
        .await
    });
    loop {
        if let TailEvent::Events(_) = next(&mut rx).await {
            break;
        }
    }
    search.abort();
    assert!(search.await.expect_err("aborted").is_cancelled());
    let calls = fake.calls().len();
    while rx.try_recv().is_ok() {}
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(
        fake.calls().len(),
        calls,
        "nothing is asked after the abort"
    );
    assert!(calls < 10, "{calls} pages read");
}

#[tokio::test(start_paused = true)]
async fn polling_windows_of_a_quiet_group_stay_bounded() {
    let t0 = now_ms() - 3_600_000;
    let fake = FakeLogs::new(100);
    // Group B's last line is an hour old and nothing new comes: under the old cursor every poll
    // re-read B from that line.
    fake.put(GROUP_A, "i-1", now_ms() - 1_000, "a1");
    fake.put(GROUP_B, "i-1", t0 + 1_000, "b1");
    let client = logs_client(&fake, ("AccessDeniedException", "denied"));
    let (tx, mut rx) = mpsc::channel(64);
    let before = now_ms();
    let task = tokio::spawn(async move { tail_logs(&client, target(t0), tx).await });
    assert_eq!(messages(&expect_events(&mut rx).await), ["b1", "a1"]);
    let _polling = expect_status(&mut rx).await;
    let backfill = fake.calls().len();
    // Thirty polls of (paused) time.
    tokio::time::sleep(Duration::from_secs(60)).await;
    let calls = fake.calls();
    let polls: Vec<&FilterCall> = calls[backfill..]
        .iter()
        .filter(|c| c.group == GROUP_B)
        .collect();
    assert!(polls.len() >= 25, "{} polls of B", polls.len());
    for c in &polls {
        let from = c.start.expect("start");
        assert!(
            from >= before - 15_000 - 1_000,
            "a poll of the quiet group reads from {} s before the tail began",
            (before - from) / 1_000
        );
    }
    drop(rx);
    assert_eq!(task.await.expect("no panic"), Ok(()));
}
