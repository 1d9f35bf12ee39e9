//! Every operation: its events, its final state, and the refusals with Elastic Beanstalk's texts.

use super::support::*;
use crate::cloud::sim::*;
use crate::cloud::{Op, RollbackVia};
use crate::domain::{HealthStatus, Severity};

const MIN: Millis = 60_000;

fn deploy(env: &EnvRef, version: &str) -> Op {
    Op::Deploy {
        env: env.clone(),
        version: version.to_string(),
    }
}

#[tokio::test]
async fn rolling_deploy_goes_batch_by_batch_and_ends_ready_on_the_new_version() {
    let c = sim(Scenario::Steady);
    let r = env_ref(&c, "storefront-prod").await;
    let accepted = c.execute(&deploy(&r, "v1.4.4")).await.unwrap();
    let rid = accepted.request_id.clone().expect("request id");
    let e = env(&c, "storefront-prod").await;
    assert_eq!(e.status, EnvStatus::Updating);
    assert!(e.abortable);
    assert_eq!(e.version.as_deref(), Some("v1.4.4"));

    let waited = until(&c, "storefront-prod", 5 * MIN, 5_000, |e| {
        e.status == EnvStatus::Ready
    })
    .await;
    let waited = waited.expect("deploy finishes");
    assert!((60_000..=150_000).contains(&waited), "took {waited} ms");
    let e = env(&c, "storefront-prod").await;
    assert!(!e.abortable);
    assert_eq!(e.version.as_deref(), Some("v1.4.4"));

    let events = events_since_start(&c, "storefront-prod").await;
    let ours: Vec<&EnvEvent> = events
        .iter()
        .filter(|e| e.request_id.as_deref() == Some(rid.as_str()))
        .collect();
    let texts: Vec<String> = ours.iter().map(|e| e.message.clone()).collect();
    let order = [
        "Environment update is starting.",
        "Deploying new version to instance(s).",
        "Batch 1: Completed application deployment.",
        "Batch 2: Completed application deployment.",
        "New application version was deployed to running EC2 instances.",
        "Environment update completed successfully.",
    ];
    let at: Vec<usize> = order.iter().map(|t| position(&texts, t)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{texts:#?}");
    let batch1 = texts
        .iter()
        .find(|t| t.starts_with("Batch 1: Starting application deployment on instance(s) [i-0"))
        .unwrap();
    assert_eq!(batch1.matches("i-0").count(), 2, "batch size 2: {batch1}");
    assert!(
        ours.iter()
            .all(|e| e.version.as_deref() == Some("v1.4.4") && e.severity == Severity::Info)
    );

    // Health went Info while deploying and back to Ok.
    c.advance(30_000);
    assert_eq!(
        transitions(&c, "storefront-prod").await,
        [("Ok".into(), "Info".into()), ("Info".into(), "Ok".into())]
    );
    assert_eq!(
        instance_versions(&c, "storefront-prod").await,
        ["v1.4.4"; 4]
    );
    let history = c.deploy_history(&r).await.unwrap();
    assert_eq!(
        (history[0].version.as_str(), history[1].version.as_str()),
        ("v1.4.4", "v1.4.3")
    );
}

#[tokio::test]
async fn operations_on_an_environment_that_is_not_ready_are_refused() {
    let c = sim(Scenario::Steady);
    let r = env_ref(&c, "storefront-prod").await;
    c.execute(&deploy(&r, "v1.4.4")).await.unwrap();
    c.advance(5_000);
    let refused = Err(CloudError::Other(
        "Environment named storefront-prod is in an invalid state for this operation. Must be Ready.".into(),
    ));
    for op in [
        deploy(&r, "v1.4.2"),
        Op::Rebuild { env: r.clone() },
        Op::RestartAppServer { env: r.clone() },
        Op::Rollback {
            env: r.clone(),
            from: Some("v1.4.4".into()),
            via: RollbackVia::Deploy {
                version: "v1.4.3".into(),
            },
        },
    ] {
        assert_eq!(c.execute(&op).await, refused, "{op:?}");
    }
}

#[tokio::test]
async fn unknown_names_and_nothing_to_abort_get_aws_errors() {
    let c = sim(Scenario::Steady);
    let r = env_ref(&c, "storefront-prod").await;
    assert_eq!(
        c.execute(&deploy(&r, "v9.9.9")).await,
        Err(CloudError::NotFound(
            "No Application Version named 'v9.9.9' found.".into()
        ))
    );
    assert_eq!(
        c.execute(&deploy(&r, "v2.7.4")).await,
        Err(CloudError::NotFound(
            "No Application Version named 'v2.7.4' found.".into()
        )),
        "a label of another application"
    );
    assert_eq!(
        c.execute(&Op::Abort { env: r.clone() }).await,
        Err(CloudError::Other(
            "Environment named storefront-prod has no abortable operation in progress.".into()
        ))
    );
    let ghost = EnvRef {
        app: "storefront".into(),
        name: "ghost".into(),
        id: String::new(),
    };
    assert_eq!(
        c.execute(&Op::Rebuild { env: ghost }).await,
        Err(CloudError::NotFound(
            "No Environment found for EnvironmentName = 'ghost'.".into()
        ))
    );
    assert_eq!(
        env(&c, "storefront-prod").await.status,
        EnvStatus::Ready,
        "refusals change nothing"
    );
}

#[tokio::test]
async fn all_at_once_deploys_every_instance_in_one_go() {
    let c = sim(Scenario::Steady);
    let r = env_ref(&c, "storefront-staging").await;
    c.execute(&deploy(&r, "v1.4.2")).await.unwrap();
    until(&c, "storefront-staging", 3 * MIN, 5_000, |e| {
        e.status == EnvStatus::Ready
    })
    .await
    .expect("done");
    let texts = messages(&c, "storefront-staging").await;
    assert!(
        !texts.iter().any(|t| t.starts_with("Batch ")),
        "no batches: {texts:#?}"
    );
    position(&texts, "Environment update completed successfully.");
    assert_eq!(
        instance_versions(&c, "storefront-staging").await,
        ["v1.4.2"]
    );
}

#[tokio::test]
async fn immutable_deploy_uses_a_temporary_stack_and_replaces_the_instances() {
    let c = sim(Scenario::Steady);
    let r = env_ref(&c, "billing-prod").await;
    let before: Vec<String> = c
        .health(&r)
        .await
        .unwrap()
        .instances
        .into_iter()
        .map(|i| i.id)
        .collect();
    c.execute(&deploy(&r, "v2.7.3")).await.unwrap();
    c.advance(90_000);
    let during = c.health(&r).await.unwrap().instances.len();
    assert!(
        during > before.len(),
        "the new instances join before the old ones leave ({during})"
    );
    until(&c, "billing-prod", 8 * MIN, 5_000, |e| {
        e.status == EnvStatus::Ready
    })
    .await
    .expect("done");

    let after: Vec<String> = c
        .health(&r)
        .await
        .unwrap()
        .instances
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(after.len(), 2);
    assert!(
        after.iter().all(|id| !before.contains(id)),
        "all instances replaced"
    );
    assert_eq!(instance_versions(&c, "billing-prod").await, ["v2.7.3"; 2]);
    let texts = messages(&c, "billing-prod").await;
    for t in [
        "Immutable deployment policy enabled. Launching one instance with the new settings to verify health.",
        "Deployment succeeded. Terminating old instances and temporary Auto Scaling group.",
        "Environment update completed successfully.",
    ] {
        position(&texts, t);
    }
    let imm = format!("awseb-{}-immutable-stack", r.id);
    let stack: Vec<(String, String)> = c
        .stack_events(&r, Some(START))
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.logical_id == imm)
        .map(|s| (s.stack, s.status))
        .collect();
    let statuses: Vec<&str> = stack.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(
        statuses,
        [
            "CREATE_IN_PROGRESS",
            "CREATE_COMPLETE",
            "DELETE_IN_PROGRESS",
            "DELETE_COMPLETE"
        ]
    );
    c.advance(20_000);
    assert_eq!(
        env(&c, "billing-prod").await.health_status,
        Some(HealthStatus::Ok)
    );
}

#[tokio::test]
async fn restart_keeps_the_instances_and_the_version() {
    let c = sim(Scenario::Steady);
    let r = env_ref(&c, "storefront-prod").await;
    let before: Vec<String> = c
        .health(&r)
        .await
        .unwrap()
        .instances
        .into_iter()
        .map(|i| i.id)
        .collect();
    let rid = c
        .execute(&Op::RestartAppServer { env: r.clone() })
        .await
        .unwrap()
        .request_id;
    assert_eq!(env(&c, "storefront-prod").await.status, EnvStatus::Updating);
    assert!(
        !env(&c, "storefront-prod").await.abortable,
        "a restart cannot be aborted"
    );
    until(&c, "storefront-prod", MIN, 1_000, |e| {
        e.status == EnvStatus::Ready
    })
    .await
    .expect("done");
    let events = events_since_start(&c, "storefront-prod").await;
    let texts: Vec<&str> = events
        .iter()
        .filter(|e| e.request_id == rid)
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(
        texts,
        [
            "restartAppServer is starting.",
            "restartAppServer completed successfully."
        ]
    );
    let after: Vec<String> = c
        .health(&r)
        .await
        .unwrap()
        .instances
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(before, after);
    assert_eq!(
        env(&c, "storefront-prod").await.version.as_deref(),
        Some("v1.4.3")
    );
}

#[tokio::test]
async fn rebuild_replaces_instances_with_stack_update_events() {
    let c = sim(Scenario::Steady);
    let r = env_ref(&c, "storefront-staging").await;
    let before: Vec<String> = c
        .health(&r)
        .await
        .unwrap()
        .instances
        .into_iter()
        .map(|i| i.id)
        .collect();
    c.execute(&Op::Rebuild { env: r.clone() }).await.unwrap();
    until(&c, "storefront-staging", 5 * MIN, 5_000, |e| {
        e.status == EnvStatus::Ready
    })
    .await
    .expect("done");
    let texts = messages(&c, "storefront-staging").await;
    assert!(
        position(&texts, "rebuildEnvironment is starting.")
            < position(&texts, "rebuildEnvironment completed successfully.")
    );
    assert!(
        texts
            .iter()
            .any(|t| t == &format!("Removed instance [{}] from your environment.", before[0]))
    );
    let after: Vec<String> = c
        .health(&r)
        .await
        .unwrap()
        .instances
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(after.len(), 1);
    assert_ne!(after, before);
    let stack = format!("awseb-{}-stack", r.id);
    let statuses: Vec<String> = c
        .stack_events(&r, Some(START))
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.logical_id == stack)
        .map(|s| s.status)
        .collect();
    assert_eq!(
        statuses,
        [
            "UPDATE_IN_PROGRESS",
            "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
            "UPDATE_COMPLETE"
        ]
    );
    c.advance(2 * MIN);
    assert_eq!(
        env(&c, "storefront-staging").await.health_status,
        Some(HealthStatus::Ok)
    );
    assert_eq!(
        instance_versions(&c, "storefront-staging").await,
        ["v1.4.4"]
    );
}

#[tokio::test]
async fn swap_cnames_exchanges_the_urls_within_one_application() {
    let c = sim(Scenario::Steady);
    let (prod, staging) = (
        env(&c, "storefront-prod").await,
        env(&c, "storefront-staging").await,
    );
    let op = Op::SwapCnames {
        a: prod.env.clone(),
        b: staging.env.clone(),
    };
    let rid = c.execute(&op).await.unwrap().request_id;
    assert_eq!(
        env(&c, "storefront-staging").await.status,
        EnvStatus::Updating
    );
    c.advance(15_000);
    assert_eq!(env(&c, "storefront-prod").await.cname, staging.cname);
    assert_eq!(env(&c, "storefront-staging").await.cname, prod.cname);
    let done =
        "Completed swapping CNAMEs for environments 'storefront-prod' and 'storefront-staging'.";
    for name in ["storefront-prod", "storefront-staging"] {
        let events = events_since_start(&c, name).await;
        assert!(
            events
                .iter()
                .any(|e| e.message == done && e.request_id == rid),
            "{name}"
        );
        assert_eq!(env(&c, name).await.status, EnvStatus::Ready);
    }

    let billing = env_ref(&c, "billing-prod").await;
    let err = c
        .execute(&Op::SwapCnames {
            a: prod.env.clone(),
            b: billing,
        })
        .await
        .unwrap_err();
    assert!(err.message().contains("different applications"), "{err}");
    let worker = env_ref(&c, "storefront-worker").await;
    let err = c
        .execute(&Op::SwapCnames {
            a: prod.env.clone(),
            b: worker,
        })
        .await
        .unwrap_err();
    assert!(err.message().contains("no CNAME"), "{err}");
}

#[tokio::test]
async fn deploying_the_broken_build_breaks_an_environment_and_a_good_one_fixes_it() {
    let c = sim(Scenario::BadDeploy);
    let r = env_ref(&c, "storefront-staging").await;
    c.execute(&deploy(&r, "v-broken")).await.unwrap();
    until(&c, "storefront-staging", 3 * MIN, 5_000, |e| {
        e.status == EnvStatus::Ready
    })
    .await
    .expect("done");
    c.advance(MIN);
    let e = env(&c, "storefront-staging").await;
    assert_eq!(
        (e.health, e.version.as_deref()),
        (HealthColor::Red, Some("v-broken"))
    );
    let texts = messages(&c, "storefront-staging").await;
    position(&texts, "Failed to deploy application.");

    c.execute(&deploy(&r, "v1.4.4")).await.unwrap();
    until(&c, "storefront-staging", 3 * MIN, 5_000, |e| {
        e.status == EnvStatus::Ready
    })
    .await
    .expect("done");
    let ok = until(&c, "storefront-staging", 3 * MIN, 10_000, |e| {
        e.health_status == Some(HealthStatus::Ok)
    })
    .await;
    assert!(ok.is_some(), "recovers");
    assert_eq!(
        env(&c, "storefront-staging").await.version.as_deref(),
        Some("v1.4.4")
    );
}
