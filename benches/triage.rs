//! What opening "Why 502?" on a full buffer costs: the running count reading 1,000,000 buffered
//! lines (a tenth nginx "Connection refused" errors, a tenth 502 access lines, the rest 200s),
//! and the report built from it. The view reads `STEP_LINES` lines per message, so the first
//! figure divided by the number of steps is what one message pays.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ebtui::domain::RawLogEvent;
use ebtui::logs::LogBuffer;
use ebtui::triage::{Aggregate, Inputs, STEP_LINES, report};

const ACCESS: &str = "/aws/elasticbeanstalk/shop/var/log/nginx/access.log";
const ERROR: &str = "/aws/elasticbeanstalk/shop/var/log/nginx/error.log";
const REFUSED: &str = r#"2026/11/24 10:15:02 [error] 2345#2345: *9 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.1.5, server: , request: "GET /api/cart HTTP/1.1", upstream: "http://127.0.0.1:8080/api/cart", host: "shop""#;

fn buffer() -> LogBuffer {
    let mut buf = LogBuffer::new(1_000_000, 1 << 30);
    for i in 0..1_000_000i64 {
        let (group, message) = match i % 10 {
            0 => (ERROR, REFUSED.to_string()),
            1 => (ACCESS, r#"10.0.1.5 - - [24/Nov/2026:10:15:02 +0000] "GET /api/cart HTTP/1.1" 502 157 "-" "curl/8.0" "-""#.to_string()),
            _ => (ACCESS, format!(r#"10.0.1.5 - - [24/Nov/2026:10:15:02 +0000] "GET /p/{i} HTTP/1.1" 200 157 "-" "curl/8.0" "-""#)),
        };
        buf.push(RawLogEvent {
            id: None,
            ts: i * 60,
            group: group.into(),
            stream: format!("i-0d6d4b3b2c1a0f9e{}", i % 4),
            message,
        });
    }
    buf
}

fn read_all(buf: &LogBuffer) -> Aggregate {
    let mut agg = Aggregate::default();
    while agg.env().is_none() || agg.behind(buf) > 0 {
        agg.step("shop", buf, STEP_LINES);
    }
    agg
}

fn bench(c: &mut Criterion) {
    let buf = buffer();
    let mut g = c.benchmark_group("triage");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("read 1,000,000 buffered lines", |b| {
        b.iter_batched(
            || (),
            |_| black_box(read_all(&buf)),
            BatchSize::PerIteration,
        )
    });
    let agg = read_all(&buf);
    g.bench_function("build the report", |b| {
        b.iter(|| {
            black_box(report(
                &agg,
                &Inputs {
                    env: "shop",
                    now: 60_000_000,
                    ..Inputs::default()
                },
                None,
            ))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
