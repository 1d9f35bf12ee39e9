//! The steady demo: healthy, and other people's operations on the environments around
//! production, every outcome the ledger knows.

use super::support::*;
use crate::app::ledger::{OpKind, Outcome, operations};
use crate::cloud::sim::*;
use crate::domain::{EnvEvent, HealthStatus};

const MIN: Millis = 60_000;

#[tokio::test]
async fn steady_deploys_now_and_then_and_stays_healthy() {
    let c = sim(Scenario::Steady);
    let mut completed = 0;
    for _ in 0..40 {
        run(&c, MIN, 20_000).await;
        for e in c.environments().await.unwrap() {
            assert!(
                e.health_status != Some(HealthStatus::Severe),
                "{} went Severe",
                e.env.name
            );
        }
    }
    for e in c.environments().await.unwrap() {
        let texts = messages(&c, &e.env.name).await;
        completed += texts
            .iter()
            .filter(|t| *t == "Environment update completed successfully.")
            .count();
    }
    assert!(
        (2..=6).contains(&completed),
        "about one deploy every ten minutes ({completed} in 40)"
    );
    let storefront = c.versions("storefront").await.unwrap();
    let billing = c.versions("billing").await.unwrap();
    assert!(
        storefront.len() + billing.len() > 10,
        "each deploy uploads a newer label"
    );
}

/// The operations of the account since the start, as the app's ledger reads them from the
/// account-wide events: (environment, kind, outcome told).
fn ledger_since_start(events: &[EnvEvent]) -> Vec<(String, OpKind, Option<Outcome>)> {
    operations(events)
        .into_iter()
        .map(|o| (o.env, o.kind, o.told))
        .collect()
}

// Long, but one story told in order: a round of other people's operations, read as the app
// reads them (the account's events, grouped by request id and classified by the ledger).
#[tokio::test]
async fn steady_plays_a_round_of_operations_with_every_outcome() {
    let c = sim(Scenario::Steady);
    let staging = env_ref(&c, "storefront-staging").await;
    let before = c.deploy_history(&staging).await.unwrap()[0].version.clone();

    // Within the first three minutes: the failed CI deploy, the restart, the reverted change.
    run(&c, 3 * MIN + 30_000, 10_000).await;
    let early = ledger_since_start(&c.account_events(Some(START)).await.unwrap());
    for (env, kind, told) in [
        ("storefront-staging", OpKind::Deploy, Outcome::Failed),
        ("storefront-worker", OpKind::Restart, Outcome::Succeeded),
        ("billing-prod", OpKind::Configuration, Outcome::Reverted),
    ] {
        assert!(
            early.contains(&(env.to_string(), kind, Some(told))),
            "{env}: {kind:?} {told:?} in {early:#?}"
        );
    }
    let e = env(&c, "storefront-staging").await;
    assert_eq!(
        (e.status, e.version.as_deref()),
        (EnvStatus::Ready, Some(before.as_str())),
        "the build that did not install is not what staging runs"
    );
    assert_eq!(
        c.deploy_history(&staging).await.unwrap()[0].version,
        before,
        "a failed deploy is not in the history"
    );
    // The instance's last deployment is the failed one; it still serves the old version.
    assert_eq!(
        instance_versions(&c, "storefront-staging").await,
        ["v1.4.5"]
    );

    // The rest of the round, watched as the app polls, never taking production down.
    for _ in 0..12 {
        run(&c, MIN, 10_000).await;
        for e in c.environments().await.unwrap() {
            assert_ne!(
                e.health_status,
                Some(HealthStatus::Severe),
                "{}",
                e.env.name
            );
        }
        let prod = env(&c, "storefront-prod").await;
        assert_eq!(prod.status, EnvStatus::Ready, "production is left alone");
    }
    let events = c.account_events(Some(START)).await.unwrap();
    let ops = ledger_since_start(&events);
    for (env, kind, told) in [
        ("storefront-staging", OpKind::Deploy, Outcome::Failed),
        ("storefront-staging", OpKind::Deploy, Outcome::Succeeded),
        ("billing-prod", OpKind::Configuration, Outcome::Reverted),
        ("billing-prod", OpKind::Configuration, Outcome::Succeeded),
        ("storefront-worker", OpKind::Restart, Outcome::Succeeded),
        ("storefront-worker", OpKind::Abort, Outcome::Aborted),
        (
            "storefront-worker",
            OpKind::Configuration,
            Outcome::CompletedWithErrors,
        ),
    ] {
        assert!(
            ops.contains(&(env.to_string(), kind, Some(told))),
            "{env}: {kind:?} {told:?} in {ops:#?}"
        );
    }
    // Every event of an operation carries its request id; health transitions carry none.
    for e in &events {
        let health = e.message.starts_with("Environment health has transitioned");
        assert_eq!(e.request_id.is_none(), health, "{e:?}");
    }
    // Deploy events name the version they deploy; the history has only the successful one.
    let deploys = operations(&events);
    let fix = deploys
        .iter()
        .find(|o| o.env == "storefront-staging" && o.told == Some(Outcome::Succeeded))
        .expect("the fix");
    assert_eq!(fix.version.as_deref(), Some("v1.4.6"));
    let fix_events = events
        .iter()
        .filter(|e| e.request_id.as_deref() == Some(fix.request_id.as_str()));
    assert!(
        fix_events
            .clone()
            .all(|e| e.version.as_deref() == Some("v1.4.6"))
    );
    let history = c.deploy_history(&staging).await.unwrap();
    assert_eq!(
        (history[0].version.as_str(), history[1].version.as_str()),
        ("v1.4.6", before.as_str())
    );
    assert_eq!(
        env(&c, "storefront-staging").await.version.as_deref(),
        Some("v1.4.6")
    );
    // The aborted deploy left the worker on its version, and every environment settled.
    let worker = env(&c, "storefront-worker").await;
    assert_eq!(worker.version.as_deref(), Some("v1.4.3"));
    assert_eq!(
        instance_versions(&c, "storefront-worker").await,
        ["v1.4.3"; 2]
    );
    for e in c.environments().await.unwrap() {
        assert_eq!(e.status, EnvStatus::Ready, "{}", e.env.name);
    }
}
