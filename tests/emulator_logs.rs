//! CloudWatch Logs reads against the local AWS emulator (moto 5.2.5 on 127.0.0.1): the real SDK
//! client with an endpoint override, real HTTP, real JSON and a real event stream.
//!
//! What moto does differently from AWS, and these tests rely on knowingly:
//! - StartLiveTail answers one SessionStart and one SessionUpdate holding the events that already
//!   exist, then ends the stream: it is not live. The tail therefore sees sessions that end at
//!   once, reconnects, and after three falls back to polling; lines put in between arrive once.
//! - FilterLogEvents honours quoted phrases and words starting with a letter; any other pattern
//!   matches everything. Its pagination re-scans from the start.
//! - The model puts a `stream-` prefix on StartLiveTail's host; against an overridden endpoint
//!   `configure_logs_client` takes it off again, or the SDK would dial `stream-127.0.0.1`.
//!
//! Without the emulator these tests fail and say how to install it, unless
//! `EBTUI_SKIP_EMULATOR=1` is set.

mod common;

use std::time::Duration;

use aws_sdk_cloudwatchlogs::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use common::moto::Moto;
use ebtui::cloud::aws::logs::{configure_logs_client, log_groups, search_logs, tail_logs};
use ebtui::cloud::{LogTarget, TailEvent};
use ebtui::domain::{EnvRef, Millis, RawLogEvent};
use tokio::sync::mpsc;

const ERROR_LOG: &str = "/aws/elasticbeanstalk/demo-env/var/log/nginx/error.log";
const WEB_LOG: &str = "/aws/elasticbeanstalk/demo-env/var/log/web.stdout.log";
const OTHER_ENV_LOG: &str = "/aws/elasticbeanstalk/other-env/var/log/web.stdout.log";
const STREAM: &str = "i-0abc123def4567890";

fn now_ms() -> Millis {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.expect("clock after 1970").as_millis() as Millis
}

fn client(url: &str) -> aws_sdk_cloudwatchlogs::Client {
    let builder = aws_sdk_cloudwatchlogs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "emulator-test",
        ))
        .endpoint_url(url);
    aws_sdk_cloudwatchlogs::Client::from_conf(configure_logs_client(builder, true).build())
}

async fn create_group(logs: &aws_sdk_cloudwatchlogs::Client, group: &str) {
    logs.create_log_group()
        .log_group_name(group)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateLogGroup {group}: {e:?}"));
    logs.create_log_stream()
        .log_group_name(group)
        .log_stream_name(STREAM)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateLogStream {group}: {e:?}"));
}

async fn put(logs: &aws_sdk_cloudwatchlogs::Client, group: &str, lines: &[(Millis, &str)]) {
    let events = lines
        .iter()
        .map(|(ts, message)| {
            InputLogEvent::builder()
                .timestamp(*ts)
                .message(*message)
                .build()
                .expect("event")
        })
        .collect();
    logs.put_log_events()
        .log_group_name(group)
        .log_stream_name(STREAM)
        .set_log_events(Some(events))
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutLogEvents {group}: {e:?}"));
}

fn target(groups: &[&str], start: Millis) -> LogTarget {
    LogTarget {
        env: EnvRef {
            app: "demo".into(),
            name: "demo-env".into(),
            id: String::new(),
        },
        groups: groups.iter().map(|g| g.to_string()).collect(),
        start,
    }
}

async fn drain(mut rx: mpsc::Receiver<TailEvent>) -> (Vec<RawLogEvent>, Vec<String>) {
    let mut lines = Vec::new();
    let mut statuses = Vec::new();
    while let Some(event) = rx.recv().await {
        match event {
            TailEvent::Events(batch) => lines.extend(batch),
            TailEvent::Status(s) => statuses.push(s),
            TailEvent::Sampled => statuses.push("sampled".into()),
        }
    }
    (lines, statuses)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_groups_and_search_against_the_emulator() {
    let Some(moto) = Moto::start() else { return };
    let logs = client(moto.url());
    for group in [ERROR_LOG, WEB_LOG, OTHER_ENV_LOG] {
        create_group(&logs, group).await;
    }
    let t0 = now_ms() - 30 * 60_000;
    put(
        &logs,
        ERROR_LOG,
        &[
            (t0 - 60_000, "ERROR before the window"),
            (t0, "ERROR upstream timed out"),
            (t0 + 60_000, "notice: worker started"),
            (t0 + 120_000, "ERROR connect() failed"),
        ],
    )
    .await;
    put(
        &logs,
        WEB_LOG,
        &[
            (t0 + 30_000, "GET /cart 500 ERROR"),
            (t0 + 90_000, "GET /health 200"),
        ],
    )
    .await;
    put(
        &logs,
        OTHER_ENV_LOG,
        &[(t0, "ERROR in another environment")],
    )
    .await;

    let groups = log_groups(&logs, "demo-env").await.expect("log groups");
    assert_eq!(
        groups,
        [ERROR_LOG, WEB_LOG],
        "only this environment's groups, sorted"
    );
    assert_eq!(log_groups(&logs, "no-such-env").await, Ok(vec![]));

    // A word pattern is pushed down and honoured.
    let (tx, rx) = mpsc::channel(64);
    let end = t0 + 10 * 60_000;
    search_logs(&logs, &groups, "ERROR", t0, end, tx)
        .await
        .expect("search");
    let (found, progress) = drain(rx).await;
    let mut texts: Vec<&str> = found.iter().map(|l| l.message.as_str()).collect();
    texts.sort_unstable();
    assert_eq!(
        texts,
        [
            "ERROR connect() failed",
            "ERROR upstream timed out",
            "GET /cart 500 ERROR"
        ]
    );
    // The ten minutes fit the first window: one page per group, then the end.
    assert_eq!(
        progress.last().map(String::as_str),
        Some("searched 2 pages · 3 lines · all 10 minutes"),
        "{progress:?}"
    );
    let web = found
        .iter()
        .find(|l| l.message == "GET /cart 500 ERROR")
        .expect("web line");
    assert_eq!(
        (web.group.as_str(), web.stream.as_str(), web.ts),
        (WEB_LOG, STREAM, t0 + 30_000)
    );

    // A quoted phrase too.
    let (tx, rx) = mpsc::channel(64);
    search_logs(&logs, &groups, "\"upstream timed out\"", t0, end, tx)
        .await
        .expect("phrase search");
    let (found, _) = drain(rx).await;
    assert_eq!(
        found.iter().map(|l| l.message.as_str()).collect::<Vec<_>>(),
        ["ERROR upstream timed out"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_backfills_follows_the_emulators_live_tail_then_polls() {
    let Some(moto) = Moto::start() else { return };
    let logs = client(moto.url());
    // The tailed group is created last (see the module comment on moto's ARN look-up).
    create_group(&logs, ERROR_LOG).await;
    create_group(&logs, WEB_LOG).await;
    let t0 = now_ms() - 5 * 60_000;
    put(&logs, ERROR_LOG, &[(t0, "e1 in a group not tailed")]).await;
    put(
        &logs,
        WEB_LOG,
        &[
            (t0 - 60_000, "w0 too old for the tail"),
            (t0, "w1"),
            (t0 + 1_000, "w2"),
        ],
    )
    .await;

    let (tx, mut rx) = mpsc::channel(64);
    let tail_client = logs.clone();
    let tail =
        tokio::spawn(
            async move { tail_logs(&tail_client, target(&[WEB_LOG], t0 - 1_000), tx).await },
        );

    let mut lines: Vec<RawLogEvent> = Vec::new();
    let mut statuses: Vec<String> = Vec::new();
    let mut put_during_live = false;
    let mut put_during_polling = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !(put_during_polling && lines.iter().any(|l| l.message == "w4 polled")) {
        let event = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("tail stalled; lines {lines:#?} statuses {statuses:#?}"))
            .expect("tail running");
        match event {
            TailEvent::Events(batch) => lines.extend(batch),
            TailEvent::Sampled => panic!("nothing to sample here"),
            TailEvent::Status(status) => {
                // A line put while a session is up reaches the gap read or the next session.
                if status == "live tail connected" && !put_during_live {
                    put(&logs, WEB_LOG, &[(now_ms(), "w3 during live tail")]).await;
                    put_during_live = true;
                }
                if status.starts_with("polling every 2s") && !put_during_polling {
                    put(&logs, WEB_LOG, &[(now_ms(), "w4 polled")]).await;
                    put_during_polling = true;
                }
                statuses.push(status);
            }
        }
    }
    drop(rx);
    assert_eq!(tail.await.expect("no panic"), Ok(()));

    let texts: Vec<&str> = lines.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(
        texts,
        ["w1", "w2", "w3 during live tail", "w4 polled"],
        "backfill first, nothing before the start or from other groups, every line once"
    );
    assert!(
        lines
            .iter()
            .all(|l| l.group == WEB_LOG && l.stream == STREAM),
        "{lines:#?}"
    );

    // The endpoint fix made StartLiveTail reach the emulator: its sessions connected.
    assert_eq!(
        statuses.first().map(String::as_str),
        Some("live tail connected"),
        "{statuses:?}"
    );
    assert!(statuses.iter().any(|s| s == "reconnecting"), "{statuses:?}");
    let polling =
        "polling every 2s (live tail unavailable: the live tail session ends as soon as it starts)";
    assert!(statuses.iter().any(|s| s == polling), "{statuses:?}");
}
