//! Log groups, line shapes and volume, Elastic Beanstalk's tail logs and the live tail.

use std::collections::HashSet;
use std::time::Duration;

use regex::Regex;

use super::support::*;
use crate::cloud::sim::*;

const MIN: Millis = 60_000;

#[tokio::test]
async fn web_and_worker_environments_have_their_log_groups() {
    let c = sim(Scenario::Steady);
    let web = c
        .log_groups(&env_ref(&c, "storefront-prod").await)
        .await
        .unwrap();
    let p = "/aws/elasticbeanstalk/storefront-prod";
    assert_eq!(
        web,
        [
            format!("{p}/environment-health.log"),
            format!("{p}/var/log/eb-engine.log"),
            format!("{p}/var/log/eb-hooks.log"),
            format!("{p}/var/log/nginx/access.log"),
            format!("{p}/var/log/nginx/error.log"),
            format!("{p}/var/log/web.stdout.log"),
        ]
    );
    let worker = c
        .log_groups(&env_ref(&c, "storefront-worker").await)
        .await
        .unwrap();
    assert!(!worker.iter().any(|g| g.contains("nginx")), "{worker:?}");
    assert!(
        worker
            .iter()
            .any(|g| g.ends_with("/var/log/web.stdout.log"))
    );
    assert!(
        worker
            .iter()
            .any(|g| g.ends_with("/var/log/aws-sqsd/default.log"))
    );
    assert!(worker.windows(2).all(|w| w[0] < w[1]), "sorted");
}

/// The lines of a group over `[from, to)` straight from the world (what the tail sends).
fn lines(c: &SimCloud, env: &str, suffix: &str, from: Millis, to: Millis) -> Vec<RawLogEvent> {
    let (w, _) = c.world();
    let e = w.env_index(env).unwrap();
    let files: Vec<_> = logs::groups(&w.envs[e])
        .into_iter()
        .filter(|(g, _)| g.ends_with(suffix))
        .collect();
    logs::collect(w.seed, &w.envs[e], &files, None, from, to, usize::MAX)
}

#[tokio::test]
async fn healthy_access_log_lines_are_nginx_lines_at_a_sane_volume() {
    let c = sim(Scenario::Steady);
    c.advance(2 * MIN);
    let window = lines(
        &c,
        "storefront-prod",
        "nginx/access.log",
        START,
        START + MIN,
    );
    let per_instance_per_sec = window.len() as f64 / 4.0 / 60.0;
    assert!(
        (5.0..=20.0).contains(&per_instance_per_sec),
        "{per_instance_per_sec} lines/s per instance"
    );
    let re = Regex::new(
        r#"^10\.0\.\d+\.\d+ - - \[24/Nov/2026:10:1\d:\d\d \+0000\] "(GET|POST) /\S* HTTP/1\.1" (\d{3}) \d+ "[^"]*" "[^"]+" "[^"]+" rt=\d\.\d{3} urt=\d\.\d{3}$"#,
    )
    .unwrap();
    let mut statuses = HashSet::new();
    for l in &window {
        let caps = re
            .captures(&l.message)
            .unwrap_or_else(|| panic!("not an access line: {}", l.message));
        statuses.insert(caps[2].to_string());
        assert!(l.stream.starts_with("i-0"));
    }
    assert!(
        statuses.contains("200") && statuses.iter().any(|s| s.starts_with('4')),
        "{statuses:?}"
    );
    assert!(!statuses.contains("502"));
    assert!(
        window
            .iter()
            .any(|l| l.message.contains("ELB-HealthChecker/2.0"))
    );
    assert!(
        window.windows(2).all(|w| w[0].ts <= w[1].ts),
        "oldest first"
    );
    let ids: HashSet<_> = window.iter().map(|l| l.id.clone()).collect();
    assert_eq!(ids.len(), window.len(), "ids are unique");
    assert!(ids.iter().all(Option::is_some));
}

#[tokio::test]
async fn reading_a_window_twice_gives_the_same_lines() {
    let c = sim(Scenario::BadDeploy);
    c.advance(3 * MIN);
    let a = lines(&c, "storefront-prod", ".log", START, START + 3 * MIN);
    let b = lines(&c, "storefront-prod", ".log", START, START + 3 * MIN);
    assert_eq!(a, b);
    // Split windows join into the whole, without gaps or overlaps.
    let mut split = lines(&c, "storefront-prod", ".log", START, START + 90_000);
    split.extend(lines(
        &c,
        "storefront-prod",
        ".log",
        START + 90_000,
        START + 3 * MIN,
    ));
    split.sort_by(|x, y| (x.ts, &x.id).cmp(&(y.ts, &y.id)));
    assert_eq!(a, split);
    // Deployment output appears in the engine log of each instance deployed.
    let engine = lines(
        &c,
        "storefront-prod",
        "eb-engine.log",
        START,
        START + 3 * MIN,
    );
    let streams: HashSet<&str> = engine.iter().map(|l| l.stream.as_str()).collect();
    assert_eq!(streams.len(), 4);
    assert!(engine.iter().any(|l| {
        l.message
            .contains("[INFO] application version label is v-broken")
    }));
}

#[tokio::test]
async fn worker_logs_jobs_and_the_sqs_daemon() {
    let c = sim(Scenario::Steady);
    c.advance(MIN);
    let stdout = lines(
        &c,
        "storefront-worker",
        "web.stdout.log",
        START,
        START + MIN,
    );
    assert!(
        stdout
            .iter()
            .any(|l| l.message.contains("\"msg\":\"job done\""))
    );
    let sqsd = lines(
        &c,
        "storefront-worker",
        "aws-sqsd/default.log",
        START,
        START + MIN,
    );
    assert!(
        !sqsd.is_empty()
            && sqsd.iter().all(|l| l
                .message
                .ends_with("message: sent to %[http://localhost:80]"))
    );
}

#[tokio::test]
async fn eb_tail_logs_returns_the_last_hundred_lines_of_each_log() {
    let c = sim(Scenario::Steady);
    c.advance(MIN);
    let r = env_ref(&c, "storefront-prod").await;
    let tail = c.eb_tail_logs(&r).await.unwrap();
    let mut per: std::collections::HashMap<(String, String), usize> = Default::default();
    for l in &tail {
        *per.entry((l.group.clone(), l.stream.clone())).or_default() += 1;
    }
    assert!(per.values().all(|n| *n <= 100));
    let access = per
        .iter()
        .filter(|((g, _), _)| g.ends_with("access.log"))
        .map(|(_, n)| *n)
        .collect::<Vec<_>>();
    assert_eq!(access, [100; 4]);
    // The last deployment (days ago) is still in the engine log's last hundred lines.
    assert!(tail.iter().any(|l| {
        l.group.ends_with("eb-engine.log")
            && l.message
                .contains("Platform Engine finished execution on command: app-deploy")
    }));
    assert!(
        !tail
            .iter()
            .any(|l| l.group.ends_with("environment-health.log"))
    );
}

#[tokio::test]
async fn tail_logs_backfills_then_streams_as_the_clock_moves() {
    let c = std::sync::Arc::new(sim(Scenario::BadDeploy));
    c.advance(30_000);
    let r = env_ref(&c, "storefront-prod").await;
    let groups: Vec<String> = c
        .log_groups(&r)
        .await
        .unwrap()
        .into_iter()
        .filter(|g| g.contains("nginx"))
        .collect();
    let target = LogTarget {
        env: r.clone(),
        groups,
        start: START + 20_000,
    };
    let (tx, mut rx) = mpsc::channel(64);
    let task = {
        let c = c.clone();
        tokio::spawn(async move { c.tail_logs(target, tx).await })
    };
    assert_eq!(
        rx.recv().await,
        Some(TailEvent::Status("live (simulated)".into()))
    );
    let Some(TailEvent::Events(backfill)) = rx.recv().await else {
        panic!("backfill expected")
    };
    assert!(!backfill.is_empty());
    assert!(
        backfill
            .iter()
            .all(|l| (START + 20_000..START + 30_000).contains(&l.ts))
    );
    let mut seen: HashSet<Option<String>> = backfill.iter().map(|l| l.id.clone()).collect();
    let mut last = backfill.last().map(|l| l.ts).unwrap_or_default();

    // Nothing new while the clock stands still.
    let quiet = tokio::time::timeout(Duration::from_millis(100), rx.recv()).await;
    assert!(quiet.is_err(), "no lines without time passing: {quiet:?}");

    let mut saw_502 = false;
    for _ in 0..60 {
        c.advance(2_000);
        let Ok(Some(TailEvent::Events(batch))) =
            tokio::time::timeout(Duration::from_secs(5), rx.recv()).await
        else {
            panic!("a batch after the clock moved");
        };
        assert!(batch.windows(2).all(|w| w[0].ts <= w[1].ts), "oldest first");
        assert!(
            batch.first().is_some_and(|l| l.ts >= last),
            "batches follow each other"
        );
        last = batch.last().map_or(last, |l| l.ts);
        for l in &batch {
            assert!(seen.insert(l.id.clone()), "duplicate id {:?}", l.id);
        }
        saw_502 |= batch.iter().any(|l| l.message.contains("\" 502 "));
    }
    assert!(saw_502, "the broken build's 502s stream in");
    drop(rx);
    let ended = tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("ends once the receiver is gone");
    assert_eq!(ended.unwrap(), Ok(()));
}

#[tokio::test]
async fn tail_logs_refuses_unknown_groups() {
    let c = sim(Scenario::Steady);
    let r = env_ref(&c, "storefront-worker").await;
    let target = LogTarget {
        env: r,
        groups: vec!["/aws/elasticbeanstalk/storefront-worker/var/log/nginx/access.log".into()],
        start: START,
    };
    let (tx, _rx) = mpsc::channel(4);
    let err = c.tail_logs(target, tx).await.unwrap_err();
    assert!(matches!(err, CloudError::NotFound(_)), "{err:?}");
}
