//! Live tail through the real CloudWatch Logs client and its event-stream decoder.
//!
//! The StartLiveTail output has no public constructor, so the typed mocks cannot stand in for it.
//! Instead an HTTP client replays what the service sends: StartLiveTail answers are
//! `application/vnd.amazon.eventstream` bodies made of frames written with aws-smithy-eventstream
//! (the JSON payloads of the API model), FilterLogEvents and DescribeLogGroups answers are JSON
//! computed from a small log store. Everything goes through `tail_logs` and is read back from its
//! channel. Time is paused, so reconnect backoffs take no wall time and can be measured.
//!
//! `replay.rs` holds the frames and the replaying client.

mod replay;

use std::time::Duration;

use ebtui::cloud::aws::logs::tail_logs;
use ebtui::cloud::{LogTarget, TailEvent};
use ebtui::domain::{EnvRef, Millis, RawLogEvent};
use replay::{
    ENDPOINT, GROUP_A, GROUP_B, Line, LiveAnswer, Recorded, Replay, arn, capture, client,
    client_with, now_ms, session_start, session_timeout, session_update,
};
use tokio::sync::mpsc;

fn target(start: Millis) -> LogTarget {
    LogTarget {
        env: EnvRef {
            app: "demo".into(),
            name: "demo-env".into(),
            id: "e-1".into(),
        },
        groups: vec![GROUP_A.into(), GROUP_B.into()],
        start,
    }
}

/// Everything the tail sends until (and including) a status starting with `last`.
async fn collect_until(rx: &mut mpsc::Receiver<TailEvent>, last: &str) -> Vec<TailEvent> {
    let mut got = Vec::new();
    loop {
        let event = tokio::time::timeout(Duration::from_secs(120), rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no {last:?} status; got {got:#?}"))
            .expect("tail running");
        let done = matches!(&event, TailEvent::Status(s) if s.starts_with(last));
        got.push(event);
        if done {
            return got;
        }
    }
}

/// The tail's messages in a compact form: `events: a, b`, `sampled`, or the status text.
fn summary(events: &[TailEvent]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            TailEvent::Events(lines) => {
                format!(
                    "events: {}",
                    lines
                        .iter()
                        .map(|l| l.message.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
            TailEvent::Sampled => "sampled".to_string(),
            TailEvent::Status(s) => s.clone(),
        })
        .collect()
}

fn lines(events: &[TailEvent]) -> Vec<RawLogEvent> {
    events
        .iter()
        .filter_map(|e| match e {
            TailEvent::Events(lines) => Some(lines.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[tokio::test(start_paused = true)]
async fn live_tail_reconnects_fills_the_gap_and_never_repeats_a_line() {
    let t0 = now_ms() - 120_000;
    let line = |group, stream, dt: Millis, message| Line {
        group,
        stream,
        ts: t0 + dt,
        message,
    };
    let a1 = line(GROUP_A, "i-1", 0, "a1");
    let a2 = line(GROUP_A, "i-1", 1_000, "a2");
    let a3 = line(GROUP_A, "i-1", 2_000, "a3 live");
    let a4 = line(GROUP_A, "i-2", 3_000, "a4 live sampled");
    let b1 = line(GROUP_B, "i-1", 3_000, "b1 live sampled");
    // Stamped about now, as lines written while the tail is disconnected are: the gap read
    // covers from the group's cursor (its newest line, or its last complete read less the
    // ingestion allowance) to now.
    let recent = now_ms() - 2_000 - t0;
    let g1 = line(GROUP_A, "i-1", recent, "g1 while disconnected");
    let a5 = line(GROUP_A, "i-2", recent + 1_000, "a5 live again");

    let replay = Replay::default();
    {
        let mut state = replay.lock();
        // Searchable from the start: a1, a2. Ingested during session 1 (searchable once it is
        // over): a3, a4, b1. Ingested between the sessions: g1 (never in a live session's
        // results until the second one repeats it). Ingested during session 2: a5.
        state.store = vec![
            (a1.clone(), 0),
            (a2.clone(), 0),
            (a3.clone(), 2),
            (a4.clone(), 2),
            (b1.clone(), 2),
            (g1.clone(), 2),
            (a5.clone(), 3),
        ];
        state.live = vec![
            LiveAnswer::Stream(vec![
                session_start(&[GROUP_A, GROUP_B]),
                session_update(false, &[]),
                session_update(false, std::slice::from_ref(&a3)),
                session_update(true, &[a4.clone(), b1.clone()]),
            ]),
            LiveAnswer::Stream(vec![
                session_start(&[GROUP_A, GROUP_B]),
                // The line read by the gap backfill shows up live too: it must not repeat.
                session_update(false, &[g1.clone(), a5.clone()]),
                session_timeout(),
            ]),
            LiveAnswer::Error(
                "AccessDeniedException",
                "User: test is not authorized to perform: logs:StartLiveTail",
            ),
        ];
    }
    let logs = client(&replay, true);
    let (tx, mut rx) = mpsc::channel(64);
    let before = now_ms();
    let task = tokio::spawn(async move { tail_logs(&logs, target(t0 - 60_000), tx).await });
    let got = collect_until(&mut rx, "polling every 2s").await;
    let after = now_ms();

    assert_eq!(
        summary(&got),
        [
            "events: a1, a2",
            "live tail connected",
            "events: a3 live",
            "sampled",
            "events: a4 live sampled, b1 live sampled",
            "reconnecting",
            "live tail connected",
            "events: g1 while disconnected",
            "events: a5 live again",
            "reconnecting",
            "polling every 2s (live tail unavailable: User: test is not authorized to perform: logs:StartLiveTail)",
        ]
    );

    // Groups come back by name, streams and times as sent, and every line has its own id.
    let all = lines(&got);
    let b = all
        .iter()
        .find(|l| l.message == "b1 live sampled")
        .expect("b1");
    assert_eq!(
        (b.group.as_str(), b.stream.as_str(), b.ts),
        (GROUP_B, "i-1", t0 + 3_000)
    );
    let ids: std::collections::HashSet<_> = all.iter().map(|l| l.id.clone().expect("id")).collect();
    assert_eq!(ids.len(), all.len());

    // StartLiveTail names the groups by bare ARN and goes to the overridden endpoint itself.
    let starts = replay.requests("StartLiveTail");
    assert_eq!(starts.len(), 3);
    for start in &starts {
        assert!(
            start.body.contains(&format!("\"{}\"", arn(GROUP_A))),
            "{}",
            start.body
        );
        assert!(
            start.body.contains(&format!("\"{}\"", arn(GROUP_B))),
            "{}",
            start.body
        );
        assert!(!start.body.contains(":*"), "{}", start.body);
        assert!(
            start.uri.starts_with(&format!("{ENDPOINT}/")),
            "{}",
            start.uri
        );
    }
    // Session 1 ended at once: wait 1 s. Session 2 timed out: reconnect at once.
    assert_eq!(starts[1].at - starts[0].at, Duration::from_secs(1));
    assert_eq!(starts[2].at - starts[1].at, Duration::ZERO);

    // The gap read after the second SessionStart starts five seconds before each group's
    // cursor: not at its newest line (a4, b1, two minutes old), but at the last complete read
    // (the first catch-up, at about `before`) less the 10 s ingestion allowance.
    let filters = replay.requests("FilterLogEvents");
    let after_second: Vec<&Recorded> = filters.iter().filter(|f| f.at >= starts[1].at).collect();
    let start_of = |group: &str| {
        after_second
            .iter()
            .find(|f| f.body.contains(group))
            .and_then(|f| capture(&f.body, r#""startTime":(\d+)"#))
            .and_then(|s| s.parse::<Millis>().ok())
    };
    for group in [GROUP_A, GROUP_B] {
        let start = start_of(group).expect("a gap read per group");
        assert!(
            (before - 15_000..=after - 15_000).contains(&start),
            "{group}: gap read from {start}, expected in [{}, {}]",
            before - 15_000,
            after - 15_000
        );
    }

    drop(rx);
    assert_eq!(task.await.expect("no panic"), Ok(()));
}

#[tokio::test(start_paused = true)]
async fn a_stream_that_keeps_ending_at_once_falls_back_to_polling() {
    let t0 = now_ms() - 60_000;
    let replay = Replay::default();
    {
        let mut state = replay.lock();
        let a1 = Line {
            group: GROUP_A,
            stream: "i-1",
            ts: t0,
            message: "a1",
        };
        state.store = vec![(a1.clone(), 0)];
        // An emulator's "live tail": the lines it already holds, then the end, every time.
        let snapshot = || {
            LiveAnswer::Stream(vec![
                session_start(&[GROUP_A, GROUP_B]),
                session_update(false, std::slice::from_ref(&a1)),
            ])
        };
        state.live = vec![snapshot(), snapshot(), snapshot(), snapshot()];
    }
    let logs = client(&replay, true);
    let (tx, mut rx) = mpsc::channel(64);
    let task = tokio::spawn(async move { tail_logs(&logs, target(t0 - 1_000), tx).await });
    let got = collect_until(&mut rx, "polling every 2s").await;
    assert_eq!(
        summary(&got),
        [
            "events: a1",
            "live tail connected",
            "reconnecting",
            "live tail connected",
            "reconnecting",
            "live tail connected",
            "polling every 2s (live tail unavailable: the live tail session ends as soon as it starts)",
        ]
    );
    let starts = replay.requests("StartLiveTail");
    assert_eq!(starts.len(), 3);
    assert_eq!(
        starts[1].at - starts[0].at,
        Duration::from_secs(1),
        "backoff 1 s"
    );
    assert_eq!(
        starts[2].at - starts[1].at,
        Duration::from_secs(2),
        "then 2 s"
    );
    drop(rx);
    assert_eq!(task.await.expect("no panic"), Ok(()));
}

#[tokio::test(start_paused = true)]
async fn an_answer_that_is_not_an_event_stream_means_polling() {
    let replay = Replay::default();
    replay.lock().live = vec![LiveAnswer::Stream(vec![
        b"{\"not\":\"an event stream\"}".to_vec(),
    ])];
    let logs = client(&replay, true);
    let (tx, mut rx) = mpsc::channel(64);
    let task = tokio::spawn(async move { tail_logs(&logs, target(now_ms() - 1_000), tx).await });
    let got = collect_until(&mut rx, "polling every 2s").await;
    let status = summary(&got).pop().expect("a status");
    assert!(
        status.starts_with(
            "polling every 2s (live tail unavailable: the answer is not an event stream"
        ),
        "{status}"
    );
    assert_eq!(
        replay.requests("StartLiveTail").len(),
        1,
        "no retry of a protocol mismatch"
    );
    drop(rx);
    assert_eq!(task.await.expect("no panic"), Ok(()));
}

#[tokio::test(start_paused = true)]
async fn without_the_endpoint_fix_the_sdk_dials_the_stream_host() {
    // Shows what `configure_logs_client` is for: the model's `stream-` host prefix.
    let replay = Replay::default();
    replay.lock().live = vec![LiveAnswer::Error("AccessDeniedException", "denied")];
    let logs = client(&replay, false);
    let (tx, mut rx) = mpsc::channel(64);
    let task = tokio::spawn(async move { tail_logs(&logs, target(now_ms() - 1_000), tx).await });
    collect_until(&mut rx, "polling every 2s").await;
    let starts = replay.requests("StartLiveTail");
    assert_eq!(starts.len(), 1);
    assert!(
        starts[0].uri.starts_with("http://stream-127.0.0.1:4566/"),
        "{}",
        starts[0].uri
    );
    // The other calls never had the prefix.
    assert!(
        replay
            .requests("FilterLogEvents")
            .iter()
            .all(|r| r.uri.starts_with(ENDPOINT))
    );
    drop(rx);
    assert_eq!(task.await.expect("no panic"), Ok(()));
}

/// A client that does not retry on its own, so each scripted answer is one call.
fn client_once(replay: &Replay) -> aws_sdk_cloudwatchlogs::Client {
    client_with(replay, true, |b| {
        b.retry_config(aws_sdk_cloudwatchlogs::config::retry::RetryConfig::disabled())
    })
}

#[tokio::test(start_paused = true)]
async fn polling_returns_to_live_tail_once_connections_succeed_again() {
    let now = now_ms();
    let line = |stream, ts, message| Line {
        group: GROUP_A,
        stream,
        ts,
        message,
    };
    let a1 = line("i-1", now - 5_000, "a1");
    // Written while live tail could not connect; searchable from the fourth StartLiveTail on.
    let g1 = line("i-1", now - 2_000, "g1 while offline");
    let a2 = line("i-2", now - 1_000, "a2 live");
    let replay = Replay::default();
    {
        let mut state = replay.lock();
        state.store = vec![(a1.clone(), 0), (g1.clone(), 4)];
        state.live = vec![
            LiveAnswer::ConnectFailure,
            LiveAnswer::ConnectFailure,
            LiveAnswer::ConnectFailure,
            LiveAnswer::Stream(vec![
                session_start(&[GROUP_A, GROUP_B]),
                // The gap read found g1: live repeats it, it must not show twice.
                session_update(false, &[g1.clone(), a2.clone()]),
            ]),
        ];
    }
    let logs = client_once(&replay);
    let (tx, mut rx) = mpsc::channel(64);
    let task = tokio::spawn(async move { tail_logs(&logs, target(now - 60_000), tx).await });
    let got = collect_until(&mut rx, "live tail connected").await;
    let got_more = collect_until(&mut rx, "reconnecting").await;
    let mut all = summary(&got);
    all.extend(summary(&got_more));
    let polling = all
        .iter()
        .position(|s| s.starts_with("polling every 2s"))
        .expect("a polling status");
    assert!(
        all[polling].starts_with(
            "polling every 2s (live tail unavailable: cannot connect: Could not reach AWS: "
        ),
        "{all:#?}"
    );
    assert_eq!(
        all[..polling],
        ["events: a1", "reconnecting", "reconnecting"],
        "{all:#?}"
    );
    assert_eq!(
        all[polling + 1..],
        [
            "trying live tail again",
            "live tail connected",
            "events: g1 while offline",
            "events: a2 live",
            "reconnecting",
        ],
        "{all:#?}"
    );
    // Live tail was tried again a minute after polling began (at the first poll past it).
    let starts = replay.requests("StartLiveTail");
    assert_eq!(starts.len(), 4);
    let waited = starts[3].at - starts[2].at;
    assert!(
        (Duration::from_secs(60)..=Duration::from_secs(62)).contains(&waited),
        "{waited:?}"
    );
    // Polling went on in between.
    let polls = replay
        .requests("FilterLogEvents")
        .iter()
        .filter(|f| f.at > starts[2].at && f.at < starts[3].at)
        .count();
    assert!(polls >= 2 * 29, "{polls} polls");
    drop(rx);
    assert_eq!(task.await.expect("no panic"), Ok(()));
}

#[tokio::test(start_paused = true)]
async fn request_calls_time_out_but_live_tail_has_no_attempt_timeout() {
    // FilterLogEvents never answers: the attempt timeout ends it after 8 s.
    let replay = Replay::default();
    replay.lock().hang_filter = true;
    let logs = client_once(&replay);
    let (tx, _rx) = mpsc::channel(64);
    let began = tokio::time::Instant::now();
    let result = ebtui::cloud::aws::logs::search_logs(
        &logs,
        &[GROUP_A.to_string()],
        "x",
        now_ms() - 60_000,
        now_ms(),
        tx,
    )
    .await;
    assert!(
        matches!(&result, Err(ebtui::cloud::CloudError::Network(m)) if m.contains("timed out")),
        "{result:?}"
    );
    assert_eq!(began.elapsed(), Duration::from_secs(8));

    // StartLiveTail never answers: not the 8 s attempt timeout, but the tail's own 30 s wait
    // for a first answer, then the reconnect backoff of 1 s.
    let replay = Replay::default();
    replay.lock().live = vec![LiveAnswer::Hang, LiveAnswer::Hang];
    let logs = client_once(&replay);
    let (tx, mut rx) = mpsc::channel(64);
    let task = tokio::spawn(async move { tail_logs(&logs, target(now_ms() - 1_000), tx).await });
    let got = collect_until(&mut rx, "reconnecting").await;
    assert_eq!(summary(&got), ["reconnecting"]);
    let _ = collect_until(&mut rx, "reconnecting").await;
    let starts = replay.requests("StartLiveTail");
    assert!(starts.len() >= 2);
    assert_eq!(starts[1].at - starts[0].at, Duration::from_secs(31));
    drop(rx);
    assert_eq!(task.await.expect("no panic"), Ok(()));
}
