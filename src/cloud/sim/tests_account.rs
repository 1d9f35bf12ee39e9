use super::test_support::*;
use super::*;
use crate::cloud::Cloud;

#[tokio::test]
async fn dump() {
    let c = sim(Scenario::BadDeploy);
    for e in c.environments().await.unwrap() { println!("{e:?}"); }
    run(&c, 5 * 60_000, 5_000).await;
    for e in c.environments().await.unwrap() { println!("{:?} {:?} {:?} {:?}", e.env.name, e.status, e.health_status, e.version); }
    let r = env_ref(&c, "storefront-prod").await;
    for ev in c.events(&r, Some(START - 3_600_000 * 24 * 30)).await.unwrap() { println!("{} {:?} {} [{:?}]", logs::iso_secs(ev.ts), ev.severity, ev.message, ev.version); }
    let h = c.health(&r).await.unwrap();
    println!("{:#?}", h.env);
    for i in &h.instances { println!("{} {:?} {:?} {:?} cpu {:?}", i.id, i.status, i.causes, i.metrics.as_ref().map(|m| (m.request_count, m.status_5xx, m.p99)), i.cpu_pct); }
    let groups = c.log_groups(&r).await.unwrap();
    println!("{groups:#?}");
    let tail = c.eb_tail_logs(&r).await.unwrap();
    for l in tail.iter().take(400) { println!("{} | {}", l.group.rsplit('/').next().unwrap(), l.message); }
}
