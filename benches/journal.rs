//! The journal's costs: sustained log-line writes, one `write` call as the loop pays it, and
//! the start-up load of a day.
//!
//! Targets: >= 100,000 lines/s stored (in batches, on 2 cores), one `write` < 1 ms worst case,
//! loading one environment's last 24 h of events and operations < 50 ms.
//! Run with `cargo bench --bench journal`; results are recorded in docs/performance.md.

use std::hint::black_box;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput};
use ebtui::domain::{EnvEvent, EnvRef, EnvStatus, Environment, HealthColor, Severity, Tier};
use ebtui::journal::{Batch, Journal, Location, LogLine, OpRecord, Record, Scope};

const T0: i64 = 1_795_515_300_000;
const DAY: i64 = 24 * 3_600_000;
const BIG: u64 = 512 * 1024 * 1024;
const LINES_PER_BATCH: usize = 500;
const LINES_PER_ITER: usize = 50_000;

fn scope() -> Scope {
    Scope {
        profile: "prod".into(),
        region: "eu-west-1".into(),
        account: Some("111122223333".into()),
    }
}

fn line(ts: i64, n: i64) -> LogLine {
    LogLine {
        id: String::new(),
        ts,
        group: "/aws/elasticbeanstalk/shop-prod/var/log/nginx/access.log".into(),
        stream: "i-0abc1234def567890".into(),
        message: format!(
            "10.0.1.{} - - [24/Nov/2026:10:15:02 +0000] \"GET /api/items/{n} HTTP/1.1\" 200 512 \"-\" \"ELB-HealthChecker/2.0\"",
            n % 250
        ),
    }
}

/// Unique lines every time it is called, so the de-duplication never short-cuts an insert.
fn lines_batch(next: &AtomicI64, count: usize) -> Batch {
    let first = next.fetch_add(count as i64, Ordering::Relaxed);
    let lines = (first..first + count as i64)
        .map(|n| line(T0 + n, n))
        .collect();
    Batch {
        scope: scope(),
        at: T0 + first,
        records: vec![Record::Lines {
            env_id: "e-1".into(),
            env_name: "shop-prod".into(),
            lines,
        }],
    }
}

fn temp_journal(dir: &tempfile::TempDir) -> Journal {
    Journal::open(Location::File(dir.path().join("journal.sqlite")), BIG)
        .unwrap()
        .0
}

fn sustained_writes(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let handle = temp_journal(&dir).start(Box::new(|_| {}));
    let next = AtomicI64::new(0);
    let mut g = c.benchmark_group("journal");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(LINES_PER_ITER as u64));
    g.bench_function("store 50,000 log lines in batches of 500", |b| {
        b.iter_batched(
            || {
                (0..LINES_PER_ITER / LINES_PER_BATCH)
                    .map(|_| lines_batch(&next, LINES_PER_BATCH))
                    .collect::<Vec<_>>()
            },
            |batches| {
                for batch in batches {
                    handle.write(batch);
                }
                handle.flush();
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
    handle.close();
}

/// One `write` call as the loop pays it, while the writer is busy storing 100,000 lines/s:
/// 100-line batches at 1,000 a second for 5 s. Criterion reports means; the worst case is what
/// matters here, so this measures each call and prints the max and p99.
fn write_call_latency() {
    let dir = tempfile::tempdir().unwrap();
    let handle = temp_journal(&dir).start(Box::new(|_| {}));
    let next = AtomicI64::new(0);
    let calls = 5_000;
    let mut costs = Vec::with_capacity(calls);
    let start = Instant::now();
    for i in 0..calls {
        let batch = lines_batch(&next, 100);
        let t = Instant::now();
        handle.write(black_box(batch));
        costs.push(t.elapsed());
        let due = start + Duration::from_millis(i as u64 + 1);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
    let sent = start.elapsed();
    handle.flush();
    let stored = start.elapsed();
    let counts = handle.counters();
    handle.close();
    costs.sort();
    let p = |q: f64| costs[((costs.len() as f64 * q) as usize).min(costs.len() - 1)];
    println!(
        "journal/write call: {calls} calls of 100 lines over {sent:.2?} (stored by {stored:.2?}, {} transactions): \
         median {:?}, p99 {:?}, p99.9 {:?}, max {:?}",
        counts.transactions,
        p(0.5),
        p(0.99),
        p(0.999),
        costs[costs.len() - 1]
    );
}

fn environment(name: &str, id: &str) -> Environment {
    Environment {
        env: EnvRef {
            app: "shop".into(),
            name: name.into(),
            id: id.into(),
        },
        status: EnvStatus::Ready,
        health: HealthColor::Green,
        health_status: None,
        version: Some("v1.4.3".into()),
        tier: Tier::Web,
        cname: Some(format!("{name}.eu-west-1.elasticbeanstalk.com")),
        abortable: false,
        updated: T0,
        created: T0 - DAY,
        platform: "Python 3.11 running on 64bit Amazon Linux 2023/4.1.0".into(),
        deployment_policy: Some("Rolling".into()),
    }
}

/// A day of one busy environment (an event every 30 s, an operation every 15 minutes) beside
/// four others and a week of older history, then `Journal::load` of the last 24 h.
fn load_a_day(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let handle = temp_journal(&dir).start(Box::new(|_| {}));
    let end = T0 + 7 * DAY;
    for e in 0..5 {
        let (name, id) = (format!("shop-{e}"), format!("e-{e}"));
        let every = if e == 0 { 30_000 } else { 600_000 };
        let mut records = vec![Record::Env(environment(&name, &id))];
        for ts in (T0..end).step_by(every as usize) {
            records.push(Record::Event {
                env_id: id.clone(),
                event: EnvEvent {
                    ts,
                    env: name.clone(),
                    severity: Severity::Info,
                    message: format!("Environment update is starting. ({ts})"),
                    version: None,
                    request_id: Some(format!("req-{}", ts / 900_000)),
                },
            });
        }
        for ts in (T0..end).step_by(900_000) {
            records.push(Record::Op(OpRecord {
                key: format!("req-{e}-{ts}"),
                env_id: id.clone(),
                env_name: name.clone(),
                label: "Deploy v1.4.3".into(),
                ours: false,
                request_id: Some(format!("req-{e}-{ts}")),
                started: ts,
                ended: Some(ts + 120_000),
                outcome: Some("succeeded".into()),
                error: None,
            }));
        }
        handle.write(Batch {
            scope: scope(),
            at: end,
            records,
        });
    }
    handle.close();
    let journal = temp_journal(&dir);
    let loaded = journal.load(&scope(), DAY).unwrap();
    println!(
        "journal/load: {} environments, {} events in the window, {} operations",
        loaded.envs.len(),
        loaded.events.len(),
        loaded.ops.len()
    );
    c.bench_function(
        "journal/load 24 h of one busy environment among five",
        |b| b.iter(|| black_box(journal.load(&scope(), DAY).unwrap())),
    );
}

fn main() {
    write_call_latency();
    let mut c = Criterion::default().configure_from_args();
    sustained_writes(&mut c);
    load_a_day(&mut c);
    c.final_summary();
}
