//! The seeded account's shape, determinism and the read API.

use super::support::*;
use crate::cloud::Cloud;
use crate::cloud::sim::*;
use crate::domain::{HealthStatus, Tier};

// Long, but one checklist of the seeded account that the demo and the UI snapshots rely on.
#[tokio::test]
async fn the_account_has_the_agreed_shape() {
    let c = sim(Scenario::Steady);
    let envs = c.environments().await.unwrap();
    let names: Vec<&str> = envs.iter().map(|e| e.env.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "billing-prod",
            "storefront-prod",
            "storefront-staging",
            "storefront-worker"
        ]
    );

    let expect = [
        ("storefront-prod", "storefront", Tier::Web, "Rolling", 4),
        (
            "storefront-staging",
            "storefront",
            Tier::Web,
            "AllAtOnce",
            1,
        ),
        (
            "storefront-worker",
            "storefront",
            Tier::Worker,
            "Rolling",
            2,
        ),
        ("billing-prod", "billing", Tier::Web, "Immutable", 2),
    ];
    for (name, app, tier, policy, count) in expect {
        let e = env(&c, name).await;
        assert_eq!(e.env.app, app);
        assert_eq!(e.tier, tier);
        assert_eq!(e.deployment_policy.as_deref(), Some(policy));
        assert_eq!(e.status, EnvStatus::Ready);
        assert_eq!(e.health, HealthColor::Green, "{name}");
        assert_eq!(e.health_status, Some(HealthStatus::Ok), "{name}");
        let node = if name == "billing-prod" { 18 } else { 20 };
        assert!(
            e.platform.starts_with("64bit Amazon Linux 2023 v6.")
                && e.platform.ends_with(&format!(" running Node.js {node}")),
            "{name}: {}",
            e.platform
        );
        assert!(!e.abortable);
        assert!(
            e.created < e.updated && e.updated < START,
            "{name}: history before the start"
        );
        let id = e.env.id.strip_prefix("e-").expect("e- prefix");
        assert!(
            id.len() == 10
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
            "{id}"
        );
        match tier {
            Tier::Web => {
                let cname = e.cname.clone().expect("web environments have a CNAME");
                assert!(
                    cname.starts_with(&format!("{name}.eba-"))
                        && cname.ends_with(".us-east-1.elasticbeanstalk.com")
                );
            }
            Tier::Worker => assert_eq!(e.cname, None),
        }
        let h = c.health(&e.env).await.unwrap();
        assert_eq!(h.instances.len(), count, "{name}");
        assert!(
            h.instances
                .iter()
                .all(|i| i.id.starts_with("i-0") && i.id.len() == 19)
        );
        assert!(h.instances.iter().all(|i| matches!(
            i.az.as_deref(),
            Some("us-east-1a" | "us-east-1b" | "us-east-1c")
        )));
        assert!(h.instances.iter().all(|i| {
            i.instance_type
                .as_deref()
                .is_some_and(|t| t.starts_with("t3."))
        }));
        let stack = c.stack_events(&e.env, Some(0)).await.unwrap();
        let main = format!("awseb-{}-stack", e.env.id);
        assert!(
            stack
                .iter()
                .any(|s| s.stack == main && s.logical_id == main && s.status == "CREATE_COMPLETE")
        );
        assert!(
            stack
                .iter()
                .any(|s| s.resource_type == "AWS::AutoScaling::AutoScalingGroup")
        );
    }
}

#[tokio::test]
async fn versions_and_deploy_history_tell_what_ran_before() {
    let c = sim(Scenario::BadDeploy);
    let versions = c.versions("storefront").await.unwrap();
    let labels: Vec<&str> = versions.iter().map(|v| v.label.as_str()).collect();
    assert_eq!(
        labels,
        ["v-broken", "v1.4.4", "v1.4.3", "v1.4.2", "v1.4.1", "v1.4.0"],
        "newest first"
    );
    assert!(
        versions
            .iter()
            .all(|v| v.description.is_some() && v.status == "Processed")
    );
    assert!(versions.windows(2).all(|w| w[0].created >= w[1].created));
    assert_eq!(c.versions("billing").await.unwrap().len(), 5);
    assert_eq!(
        c.versions("nope").await.unwrap_err(),
        CloudError::NotFound("No Application named 'nope' found.".into())
    );

    let prod = env_ref(&c, "storefront-prod").await;
    let history: Vec<String> = c
        .deploy_history(&prod)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.version)
        .collect();
    assert_eq!(history, ["v1.4.3", "v1.4.2", "v1.4.1", "v1.4.0"]);
    assert_eq!(
        env(&c, "storefront-prod").await.version.as_deref(),
        Some("v1.4.3")
    );
    let staging = env_ref(&c, "storefront-staging").await;
    let history = c.deploy_history(&staging).await.unwrap();
    assert_eq!(history[0].version, "v1.4.4", "staging runs ahead of prod");
    assert_eq!(history[1].version, "v1.4.3");
}

#[test]
fn the_simulator_can_be_shared_across_tasks() {
    fn send_sync<T: Send + Sync + 'static>() {
        // Compiles only if `T` is both.
    }
    send_sync::<SimCloud>();
}

#[tokio::test]
async fn context_and_call_counting() {
    let c = sim(Scenario::BadDeploy);
    let ctx = c.context();
    assert_eq!(ctx.profile, "demo");
    assert_eq!(ctx.region, "us-east-1");
    assert_eq!(ctx.account.as_deref(), Some("123456789012"));
    assert_eq!(ctx.note.as_deref(), Some("scenario bad-deploy x1"));
    assert_eq!(c.now(), START);
    c.advance(1_500);
    c.advance(-7_000);
    assert_eq!(c.now(), START + 1_500, "a manual clock only moves forward");

    let before = c.api_calls();
    let r = env_ref(&c, "storefront-prod").await;
    c.events(&r, None).await.unwrap();
    c.health(&r).await.unwrap();
    assert_eq!(c.api_calls(), before + 3);
}

#[tokio::test]
async fn events_default_to_the_last_hour_or_the_last_hundred() {
    let c = sim(Scenario::Steady);
    let r = env_ref(&c, "billing-prod").await;
    let all = c.events(&r, Some(0)).await.unwrap();
    assert!(all.len() > 50, "weeks of history ({})", all.len());
    assert!(all.windows(2).all(|w| w[0].ts <= w[1].ts), "oldest first");
    assert_eq!(all[0].message, "createEnvironment is starting.");
    let recent = c.events(&r, None).await.unwrap();
    assert_eq!(
        &recent[..],
        &all[all.len().saturating_sub(100)..],
        "history is older than an hour: the last 100"
    );
    let since = all[all.len() - 3].ts;
    assert!(
        c.events(&r, Some(since))
            .await
            .unwrap()
            .iter()
            .all(|e| e.ts >= since)
    );

    // A busy hour returns all of it, even past a hundred.
    let busy = sim(Scenario::CreateFail);
    busy.advance(20 * 60_000);
    let canary = env_ref(&busy, "storefront-canary").await;
    assert_eq!(
        busy.events(&canary, None).await.unwrap(),
        busy.events(&canary, Some(0)).await.unwrap()
    );
    let stack = busy.stack_events(&canary, None).await.unwrap();
    assert!(stack.len() <= 100 && !stack.is_empty());

    let missing = EnvRef {
        app: "storefront".into(),
        name: "nope".into(),
        id: String::new(),
    };
    assert_eq!(
        c.events(&missing, None).await.unwrap_err(),
        CloudError::NotFound("No Environment found for EnvironmentName = 'nope'.".into())
    );
}

#[tokio::test]
async fn healthy_production_metrics_look_like_production() {
    let c = sim(Scenario::Steady);
    c.advance(60_000);
    let r = env_ref(&c, "storefront-prod").await;
    let h = c.health(&r).await.unwrap();
    assert_eq!(h.env.status, Some(HealthStatus::Ok));
    assert_eq!(h.env.counts.ok, 4);
    assert_eq!(h.env.refreshed, Some(START + 60_000));
    for i in &h.instances {
        let m = i.metrics.as_ref().expect("metrics");
        let rps = m.requests_per_sec().unwrap_or_default();
        assert!((40.0..=120.0).contains(&rps), "{} r/s", rps);
        assert!(m.pct_5xx().unwrap_or(100.0) < 1.0);
        assert_eq!(
            m.status_2xx + m.status_3xx + m.status_4xx + m.status_5xx,
            m.request_count
        );
        let p99 = m.p99.unwrap_or_default();
        assert!((0.2..=0.6).contains(&p99), "p99 {p99}");
        let cpu = i.cpu_pct.unwrap_or_default();
        assert!((10.0..=40.0).contains(&cpu), "cpu {cpu}");
        assert_eq!(i.status, HealthStatus::Ok);
    }
    let total = h.env.metrics.as_ref().expect("env metrics").request_count;
    let sum: u64 = h
        .instances
        .iter()
        .filter_map(|i| i.metrics.as_ref())
        .map(|m| m.request_count)
        .sum();
    assert_eq!(total, sum);
    // Noise moves the numbers from one refresh to the next.
    c.advance(10_000);
    let again = c.health(&r).await.unwrap();
    assert_ne!(again.env.metrics, h.env.metrics);
}

/// Everything a user can read about the account, for comparing runs.
async fn observe(c: &SimCloud) -> Vec<String> {
    let mut out = Vec::new();
    for e in c.environments().await.unwrap() {
        out.push(format!("{e:?}"));
        for ev in c.events(&e.env, Some(START)).await.unwrap() {
            out.push(format!("{ev:?}"));
        }
        for ev in c.stack_events(&e.env, Some(START)).await.unwrap() {
            out.push(format!("{ev:?}"));
        }
        out.push(format!("{:?}", c.health(&e.env).await.unwrap()));
        if e.status != EnvStatus::Terminated {
            for line in c.eb_tail_logs(&e.env).await.unwrap() {
                out.push(format!("{line:?}"));
            }
        }
    }
    out
}

#[tokio::test]
async fn same_seed_and_clock_steps_give_the_same_account() {
    for scenario in Scenario::ALL {
        let a = SimCloud::manual(scenario, 7, START);
        let b = SimCloud::manual(scenario, 7, START);
        for c in [&a, &b] {
            run(c, 6 * 60_000, 15_000).await;
        }
        let (oa, ob) = (observe(&a).await, observe(&b).await);
        assert!(oa.len() > 50, "{scenario:?}: enough to compare");
        assert_eq!(oa, ob, "{scenario:?}");
    }
    let other = SimCloud::manual(Scenario::Steady, 8, START);
    let first = SimCloud::manual(Scenario::Steady, 7, START);
    assert_ne!(
        env(&other, "storefront-prod").await.env.id,
        env(&first, "storefront-prod").await.env.id
    );
}

#[tokio::test]
async fn results_depend_on_the_clock_not_on_how_often_it_is_read() {
    let often = sim(Scenario::BadDeploy);
    run(&often, 5 * 60_000, 1_000).await;
    let once = sim(Scenario::BadDeploy);
    once.advance(5 * 60_000);
    assert_eq!(observe(&often).await, observe(&once).await);
}

#[tokio::test]
async fn a_real_clock_runs_at_the_given_speed() {
    let c = SimCloud::new(Scenario::Steady, 1, 50.0);
    let t0 = c.now();
    tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    let elapsed = c.now() - t0;
    assert!(
        elapsed >= 40 * 50 - 1,
        "50x: {elapsed} ms of sim time in 40 ms"
    );
    assert_eq!(c.context().note.as_deref(), Some("scenario steady x50"));
    assert_eq!(c.environments().await.unwrap().len(), 4);
    c.advance(1_000_000);
    assert!(
        c.now() - t0 < 1_000_000,
        "advance does not move a real clock"
    );
}

#[test]
fn recent_takes_the_last_hour_or_the_last_hundred_whichever_is_more() {
    let now = 10 * HOUR;
    // 150 old items, then 30 within the hour.
    let old: Vec<Millis> = (0..150).map(|i| i * 1_000).collect();
    let fresh: Vec<Millis> = (0..30).map(|i| now - 30 * 60_000 + i * 1_000).collect();
    let items: Vec<Millis> = old.iter().chain(&fresh).copied().collect();
    assert_eq!(recent(&items, |t| *t, None, now, true).len(), 100);
    let busy: Vec<Millis> = (0..240).map(|i| now - 50 * 60_000 + i * 1_000).collect();
    let items: Vec<Millis> = old.iter().chain(&busy).copied().collect();
    assert_eq!(
        recent(&items, |t| *t, None, now, true).len(),
        240,
        "a busy hour, all of it"
    );
    assert_eq!(
        recent(&items, |t| *t, None, now, false).len(),
        100,
        "stack events: the last 100"
    );
    let since = items[200];
    assert!(
        recent(&items, |t| *t, Some(since), now, true)
            .iter()
            .all(|t| *t >= since)
    );
}
