//! The demo's stories, end to end through the `Cloud` trait with a manual clock.

use super::support::*;
use crate::cloud::sim::*;
use crate::cloud::{Op, RollbackVia};
use crate::domain::{HealthStatus, Severity};

const MIN: Millis = 60_000;

/// The bad deploy left alone: storefront-prod ends Ready, Red, on v-broken, failing with 5xx.
async fn broken_prod() -> SimCloud {
    let c = sim(Scenario::BadDeploy);
    run(&c, 3 * MIN, 5_000).await;
    c
}

// Long, but one story told in order: the rollout, its failure, and the red environment after.
#[tokio::test]
async fn bad_deploy_rolls_out_and_leaves_production_red() {
    let c = sim(Scenario::BadDeploy);
    c.advance(19_000);
    assert_eq!(
        env(&c, "storefront-prod").await.status,
        EnvStatus::Ready,
        "nothing before ~20 s"
    );
    c.advance(2_000);
    let e = env(&c, "storefront-prod").await;
    assert_eq!(
        (e.status, e.version.as_deref(), e.abortable),
        (EnvStatus::Updating, Some("v-broken"), true)
    );

    run(&c, 3 * MIN, 5_000).await;
    let e = env(&c, "storefront-prod").await;
    assert_eq!(e.status, EnvStatus::Ready);
    assert_eq!(e.health, HealthColor::Red);
    assert_eq!(e.health_status, Some(HealthStatus::Severe));
    assert_eq!(e.version.as_deref(), Some("v-broken"));
    assert!(!e.abortable);

    let texts = messages(&c, "storefront-prod").await;
    let batch2 = texts.iter().position(|t| {
        t.starts_with("Batch 2: Starting application deployment on instance(s) [i-0")
    });
    let at = [
        position(&texts, "Environment update is starting."),
        position(&texts, "Batch 1: Completed application deployment."),
        batch2.expect("batch 2 starts"),
        position(&texts, "Failed to deploy application."),
    ];
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{texts:#?}");
    assert!(
        !texts
            .iter()
            .any(|t| t == "Batch 2: Completed application deployment."),
        "its hook failed"
    );
    assert!(
        !texts
            .iter()
            .any(|t| t == "Environment update completed successfully.")
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Unsuccessful command execution on instance id(s) 'i-0"))
    );
    let events = events_since_start(&c, "storefront-prod").await;
    let failed = events
        .iter()
        .find(|e| e.message == "Failed to deploy application.")
        .unwrap();
    assert_eq!(failed.severity, Severity::Error);
    assert!(
        failed.request_id.is_some(),
        "the scenario's request carries an id too"
    );
    let severe = events
        .iter()
        .find(|e| e.message.contains("to Severe."))
        .expect("health event");
    assert!(
        severe
            .message
            .contains("% of the requests are failing with HTTP 5xx."),
        "{}",
        severe.message
    );

    let r = env_ref(&c, "storefront-prod").await;
    let h = c.health(&r).await.unwrap();
    assert_eq!(h.env.counts.severe, 4);
    let m = h.env.metrics.clone().unwrap();
    assert!(m.pct_5xx().unwrap() > 99.0, "{m:?}");
    assert!(
        h.env
            .causes
            .iter()
            .any(|c| c == "100.0 % of the requests are failing with HTTP 5xx.")
    );
    for i in &h.instances {
        assert_eq!(
            (i.status.clone(), i.color),
            (HealthStatus::Severe, HealthColor::Red)
        );
        assert_eq!(
            i.deployment.as_ref().and_then(|d| d.version.as_deref()),
            Some("v-broken")
        );
    }
    let history = c.deploy_history(&r).await.unwrap();
    assert_eq!(
        (history[0].version.as_str(), history[1].version.as_str()),
        ("v-broken", "v1.4.3")
    );

    // It stays broken while nobody acts.
    c.advance(20 * MIN);
    assert_eq!(env(&c, "storefront-prod").await.health, HealthColor::Red);
}

#[tokio::test]
async fn bad_deploy_fills_the_logs_with_502s_refusals_and_a_crash() {
    let c = broken_prod().await;
    let r = env_ref(&c, "storefront-prod").await;
    let lines = c.eb_tail_logs(&r).await.unwrap();
    let of = |suffix: &str| {
        lines
            .iter()
            .filter(move |l| l.group.ends_with(suffix))
            .collect::<Vec<_>>()
    };
    let access = of("nginx/access.log");
    assert!(
        !access.is_empty() && access.iter().all(|l| l.message.contains("\" 502 157 ")),
        "{:?}",
        access.first()
    );
    let errors = of("nginx/error.log");
    assert!(errors.iter().any(|l| {
        l.message
            .contains("connect() failed (111: Connection refused) while connecting to upstream")
    }));
    let stdout = of("web.stdout.log");
    assert!(stdout.iter().any(|l| {
        l.message
            .ends_with("TypeError: Cannot read properties of undefined (reading 'nodes')")
    }));
    let engine = of("eb-engine.log");
    assert!(engine.iter().any(|l| l.message.contains("[ERROR] An error occurred during execution of command [app-deploy] - [RunAppDeployPostDeployHooks]")));
}

#[tokio::test]
async fn rolling_back_by_deploy_brings_production_back_to_ok() {
    let c = broken_prod().await;
    let r = env_ref(&c, "storefront-prod").await;
    let op = Op::Rollback {
        env: r.clone(),
        from: Some("v-broken".into()),
        via: RollbackVia::Deploy {
            version: "v1.4.3".into(),
        },
    };
    let rid = c.execute(&op).await.unwrap().request_id;
    let ready = until(&c, "storefront-prod", 5 * MIN, 5_000, |e| {
        e.status == EnvStatus::Ready
    })
    .await;
    assert!(ready.is_some());
    let ok = until(&c, "storefront-prod", 3 * MIN, 10_000, |e| {
        e.health_status == Some(HealthStatus::Ok)
    })
    .await;
    let ok = ok.expect("recovers to Ok");
    assert!(
        ok >= 20_000,
        "recovery is gradual, not instant ({ok} ms after Ready)"
    );
    let e = env(&c, "storefront-prod").await;
    assert_eq!(
        (e.health, e.version.as_deref()),
        (HealthColor::Green, Some("v1.4.3"))
    );
    assert_eq!(
        instance_versions(&c, "storefront-prod").await,
        ["v1.4.3"; 4]
    );

    let events = events_since_start(&c, "storefront-prod").await;
    let ours: Vec<&str> = events
        .iter()
        .filter(|e| e.request_id == rid)
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(ours.first(), Some(&"Environment update is starting."));
    assert_eq!(
        ours.last(),
        Some(&"Environment update completed successfully.")
    );
    // Health walks back down: from Severe through Degraded and Warning (or Info while the
    // deployment still runs) to Ok, never jumping back up.
    let steps = transitions(&c, "storefront-prod").await;
    let from_severe = steps
        .iter()
        .position(|(from, _)| from == "Severe")
        .expect("left Severe");
    let rank = |s: &str| {
        ["Ok", "Info", "Warning", "Degraded", "Severe"]
            .iter()
            .position(|x| *x == s)
            .unwrap_or(0)
    };
    let after: Vec<&(String, String)> = steps[from_severe..].iter().collect();
    assert!(
        after.iter().all(|(from, to)| rank(to) < rank(from)),
        "{after:?}"
    );
    assert!(
        after
            .iter()
            .any(|(_, to)| to == "Degraded" || to == "Warning"),
        "{after:?}"
    );
    assert_eq!(after.last().map(|(_, to)| to.as_str()), Some("Ok"));
    let history = c.deploy_history(&r).await.unwrap();
    assert_eq!(history[0].version, "v1.4.3");
}

#[tokio::test]
async fn aborting_the_rollout_returns_the_instances_to_the_previous_version() {
    let c = sim(Scenario::BadDeploy);
    let r = env_ref(&c, "storefront-prod").await;
    // Wait until the first batch runs the broken build.
    let mut waited = 0;
    while !instance_versions(&c, "storefront-prod")
        .await
        .iter()
        .any(|v| v == "v-broken")
    {
        c.advance(2_000);
        waited += 2_000;
        assert!(waited < 2 * MIN, "batch 1 never started");
    }
    c.advance(15_000);
    assert!(env(&c, "storefront-prod").await.abortable);
    let op = Op::Rollback {
        env: r.clone(),
        from: Some("v-broken".into()),
        via: RollbackVia::Abort,
    };
    let rid = c.execute(&op).await.unwrap().request_id;
    let e = env(&c, "storefront-prod").await;
    assert_eq!(
        (e.status.clone(), e.abortable, e.version.as_deref()),
        (EnvStatus::Aborting, false, Some("v1.4.3"))
    );

    until(&c, "storefront-prod", 4 * MIN, 5_000, |e| {
        e.status == EnvStatus::Ready
    })
    .await
    .expect("abort completes");
    let ok = until(&c, "storefront-prod", 3 * MIN, 10_000, |e| {
        e.health_status == Some(HealthStatus::Ok)
    })
    .await;
    assert!(ok.is_some(), "recovers to Ok");
    assert_eq!(
        instance_versions(&c, "storefront-prod").await,
        ["v1.4.3"; 4]
    );
    let events = events_since_start(&c, "storefront-prod").await;
    let ours: Vec<&str> = events
        .iter()
        .filter(|e| e.request_id == rid)
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(
        ours.first(),
        Some(&"Received request to abort environment update.")
    );
    assert_eq!(ours.last(), Some(&"Environment update was aborted."));
    let texts: Vec<&str> = events.iter().map(|e| e.message.as_str()).collect();
    assert!(
        !texts.contains(&"Failed to deploy application."),
        "the rollout never finished"
    );
    assert_eq!(
        c.deploy_history(&r).await.unwrap()[0].version,
        "v1.4.3",
        "the aborted version never deployed"
    );
}

#[tokio::test]
async fn slow_deploy_goes_one_instance_at_a_time_and_can_be_aborted() {
    let c = sim(Scenario::SlowDeploy);
    c.advance(11_000);
    let e = env(&c, "storefront-prod").await;
    assert_eq!(
        (e.status.clone(), e.version.as_deref(), e.abortable),
        (EnvStatus::Updating, Some("v1.5.0"), true)
    );
    run(&c, 7 * MIN, 10_000).await;
    let texts = messages(&c, "storefront-prod").await;
    let b1 = texts
        .iter()
        .find(|t| t.starts_with("Batch 1: Starting"))
        .expect("batch 1");
    assert_eq!(b1.matches("i-0").count(), 1, "batches of one: {b1}");
    assert!(
        texts
            .iter()
            .any(|t| t == "Batch 2: Completed application deployment."),
        "{texts:#?}"
    );
    assert!(
        !texts.iter().any(|t| t.starts_with("Batch 4")),
        "two to three minutes a batch: {texts:#?}"
    );
    assert!(env(&c, "storefront-prod").await.abortable);

    let r = env_ref(&c, "storefront-prod").await;
    c.execute(&Op::Abort { env: r.clone() }).await.unwrap();
    until(&c, "storefront-prod", 6 * MIN, 10_000, |e| {
        e.status == EnvStatus::Ready
    })
    .await
    .expect("abort completes");
    assert_eq!(
        instance_versions(&c, "storefront-prod").await,
        ["v1.4.3"; 4]
    );
    assert_eq!(
        env(&c, "storefront-prod").await.version.as_deref(),
        Some("v1.4.3")
    );
    c.advance(2 * MIN);
    assert_eq!(
        env(&c, "storefront-prod").await.health_status,
        Some(HealthStatus::Ok)
    );
}

#[tokio::test]
async fn slow_deploy_left_alone_completes() {
    let c = sim(Scenario::SlowDeploy);
    let done = until(&c, "storefront-prod", 16 * MIN, 10_000, |e| {
        e.status == EnvStatus::Ready && e.version.as_deref() == Some("v1.5.0") && !e.abortable
    })
    .await;
    let done = done.expect("completes");
    assert!(
        done >= 8 * MIN,
        "four batches of two to three minutes ({done} ms)"
    );
    let texts = messages(&c, "storefront-prod").await;
    position(&texts, "Batch 4: Completed application deployment.");
    position(&texts, "Environment update completed successfully.");
}

// Long, but one story told in order: the launch, the failed boot, the rollback, the engine log.
#[tokio::test]
async fn create_fail_launches_a_canary_whose_stack_rolls_back() {
    let c = sim(Scenario::CreateFail);
    assert_eq!(c.environments().await.unwrap().len(), 4, "not there yet");
    c.advance(6_000);
    let e = env(&c, "storefront-canary").await;
    assert_eq!(e.status, EnvStatus::Launching);
    assert_eq!(e.version.as_deref(), Some("v1.5.0-rc.1"));
    assert_eq!(e.health, HealthColor::Grey);
    assert_eq!(
        c.execute(&Op::RestartAppServer { env: e.env.clone() })
            .await
            .unwrap_err()
            .message(),
        "Environment named storefront-canary is in an invalid state for this operation. Must be Ready."
    );

    run(&c, 10 * MIN, 10_000).await;
    let e = env(&c, "storefront-canary").await;
    assert_eq!(
        (e.status.clone(), e.health),
        (EnvStatus::Terminated, HealthColor::Grey),
        "still listed"
    );
    let texts = messages(&c, "storefront-canary").await;
    assert_eq!(
        texts.first().map(String::as_str),
        Some("createEnvironment is starting.")
    );
    position(
        &texts,
        "Instance deployment failed. For details, see 'eb-engine.log'.",
    );
    position(
        &texts,
        "Create environment operation is complete, but with errors. For more information, see troubleshooting documentation.",
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Stack named 'awseb-e-") && t.contains("aborted operation"))
    );

    let stack = c.stack_events(&e.env, None).await.unwrap();
    let asg_failed = stack
        .iter()
        .find(|s| s.logical_id == "AWSEBAutoScalingGroup" && s.status == "CREATE_FAILED")
        .expect("the Auto Scaling group fails");
    assert_eq!(
        asg_failed.resource_type,
        "AWS::AutoScaling::AutoScalingGroup"
    );
    assert!(
        asg_failed
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("FAILURE signal"))
    );
    let main = format!("awseb-{}-stack", e.env.id);
    let stack_level: Vec<&str> = stack
        .iter()
        .filter(|s| s.logical_id == main)
        .map(|s| s.status.as_str())
        .collect();
    assert_eq!(
        stack_level,
        [
            "CREATE_IN_PROGRESS",
            "ROLLBACK_IN_PROGRESS",
            "ROLLBACK_COMPLETE"
        ]
    );
    let deletes = stack
        .iter()
        .filter(|s| s.status == "DELETE_COMPLETE")
        .count();
    assert!(
        deletes >= 5,
        "every created resource is deleted ({deletes})"
    );
    assert!(stack.windows(2).all(|w| w[0].ts <= w[1].ts));

    // The failing hook is in the logs, if one knows where to look.
    let groups = c.log_groups(&e.env).await.unwrap();
    let engine = groups
        .iter()
        .find(|g| g.ends_with("/var/log/eb-engine.log"))
        .unwrap()
        .clone();
    let target = LogTarget {
        env: e.env.clone(),
        groups: vec![engine],
        start: START,
    };
    let (tx, mut rx) = mpsc::channel(8);
    let tail = tokio::spawn(async move { c.tail_logs(target, tx).await });
    assert_eq!(
        rx.recv().await,
        Some(TailEvent::Status("live (simulated)".into()))
    );
    let Some(TailEvent::Events(lines)) = rx.recv().await else {
        panic!("backfill")
    };
    assert!(lines.iter().any(|l| l.message.contains("[ERROR] An error occurred during execution of command [app-deploy] - [RunAppDeployPreBuildHooks]")));
    drop(rx);
    tail.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_terminated_environment_is_listed_for_an_hour() {
    let c = sim(Scenario::CreateFail);
    run(&c, 10 * MIN, 30_000).await;
    assert_eq!(
        env(&c, "storefront-canary").await.status,
        EnvStatus::Terminated
    );
    c.advance(60 * MIN);
    let names: Vec<String> = c
        .environments()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.env.name)
        .collect();
    assert!(
        !names.contains(&"storefront-canary".to_string()),
        "{names:?}"
    );
}
