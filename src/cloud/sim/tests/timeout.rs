//! The timeout demo story end to end through the `Cloud` trait with a manual clock: a slow
//! application, nginx giving up on it, health on latency, and Logs Insights over its lines.

use super::support::*;
use crate::cloud::sim::*;
use crate::domain::HealthStatus;

const MIN: Millis = 60_000;

/// The timeout story: a minute in, storefront-prod's application answers slowly. nginx logs
/// "upstream timed out" and 504s, the p99 latency is several seconds, health goes Degraded on
/// latency; and an Insights search finds the timeouts and counts the 504s per minute.
#[tokio::test]
async fn timeout_slows_production_until_nginx_gives_up() {
    use crate::cloud::insights::{POLL_EVERY, follow_all};
    use crate::cloud::{InsightsQuery, QueryStatus};
    use crate::logs::insights_query::{PerMinuteBy, per_minute, per_minute_query, translate};
    use std::sync::Arc;

    let c = Arc::new(sim(Scenario::Timeout));
    assert_eq!(Scenario::parse("timeout"), Some(Scenario::Timeout));
    let r = env_ref(&c, "storefront-prod").await;
    c.advance(50_000);
    let h = c.health(&r).await.expect("health");
    assert_eq!(
        h.env.status,
        Some(HealthStatus::Ok),
        "fast before a minute: {h:?}"
    );

    run(&c, 3 * MIN, 5_000).await;
    let h = c.health(&r).await.expect("health");
    assert_eq!(
        h.env.status,
        Some(HealthStatus::Degraded),
        "{:?}",
        h.env.causes
    );
    assert!(
        h.env
            .causes
            .iter()
            .any(|c| c.starts_with("Request latency is high: P99 is")),
        "{:?}",
        h.env.causes
    );
    let p99 = h.env.metrics.as_ref().and_then(|m| m.p99).expect("p99");
    assert!((3.0..30.0).contains(&p99), "p99 of several seconds: {p99}");
    assert!(h.env.metrics.as_ref().is_some_and(|m| m.status_5xx > 0));
    let e = env(&c, "storefront-prod").await;
    assert_eq!(e.health_status, Some(HealthStatus::Degraded));
    let said = messages(&c, "storefront-prod").await;
    assert!(
        said.iter().any(|m| m.contains("to Degraded")),
        "a health transition event: {said:#?}"
    );

    // The logs: 504s in the access log, "upstream timed out" in the error log, none before.
    let groups = c.log_groups(&r).await.expect("groups");
    let pick = |suffix: &str| {
        groups
            .iter()
            .find(|g| g.ends_with(suffix))
            .cloned()
            .expect(suffix)
    };
    let (access, error) = (pick("nginx/access.log"), pick("nginx/error.log"));
    let now = c.now();
    let slow_from = START + crate::cloud::sim::scenario::SLOW_AFTER;
    let translated = translate("upstream timed out", true, false).expect("translates");
    let query = InsightsQuery {
        env: r.clone(),
        groups: vec![error.clone()],
        start: now - 10 * MIN,
        end: now,
        query: translated.query,
    };
    // The query runs in simulated time: advance the clock while it polls.
    let ticker = {
        let c = c.clone();
        tokio::spawn(async move {
            loop {
                c.advance(1_000);
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
        })
    };
    let cloud: Arc<dyn Cloud> = c.clone();
    let every = POLL_EVERY / 100;
    let rows = follow_all(cloud.clone(), query.clone(), every)
        .await
        .expect("query");
    assert!(!rows.is_empty(), "timeouts found");
    let mut before = 0;
    for row in &rows {
        assert!(row.get("@message").is_some_and(|m| m.contains("upstream timed out (110: Connection timed out) while reading response header from upstream")));
        let ts = crate::logs::insights_query::parse_time(row.get("@timestamp").unwrap()).unwrap();
        before += usize::from(ts < slow_from);
    }
    // A healthy proxy times out now and then; a slow application many times more often.
    assert!(
        rows.len() > 10 * before.max(1),
        "{} timeouts, {before} before",
        rows.len()
    );
    let stats = InsightsQuery {
        groups: vec![access],
        query: per_minute_query(PerMinuteBy::Status),
        start: START,
        ..query
    };
    let rows = follow_all(cloud.clone(), stats, every)
        .await
        .expect("stats");
    ticker.abort();
    let counts = per_minute(&rows, PerMinuteBy::Status);
    let t504: Vec<_> = counts.iter().filter(|c| c.key == "504").collect();
    assert!(!t504.is_empty(), "504s per minute: {counts:?}");
    assert!(t504.iter().all(|c| c.minute >= slow_from - MIN));
    assert!(
        counts
            .iter()
            .any(|c| c.key == "200" && c.minute < slow_from)
    );
    let _ = QueryStatus::Complete;
}
