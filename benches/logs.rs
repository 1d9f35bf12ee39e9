//! Log pane throughput: ingest, search and drawing over a million lines.
//!
//! Targets: ingest >= 1,000,000 lines/s, a full search < 100 ms, one 200x60 frame < 2 ms.
//! Run with `cargo bench --bench logs`; results are recorded in docs/performance.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ebtui::domain::RawLogEvent;
use ebtui::logs::{LogBuffer, LogsPane, PRESET_5XX, Query, Search};
use ebtui::ui::logs::render_to_buffer;
use ebtui::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

const N: usize = 1_000_000;
const ACCESS: &str = "/aws/elasticbeanstalk/shop-prod/var/log/nginx/access.log";
const ERROR: &str = "/aws/elasticbeanstalk/shop-prod/var/log/nginx/error.log";
const STDOUT: &str = "/aws/elasticbeanstalk/shop-prod/var/log/web.stdout.log";
const INSTANCES: [&str; 4] = [
    "i-0abc1234def567890",
    "i-0fed9876cba543210",
    "i-0123456789abcdef0",
    "i-0aaaabbbbccccdddd",
];
const PATHS: [&str; 6] = [
    "/api/cart",
    "/api/items/42",
    "/health",
    "/static/app.3f9a.js",
    "/api/checkout",
    "/login",
];
const AGENTS: [&str; 3] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "ELB-HealthChecker/2.0",
    "curl/8.0.1",
];

/// A small deterministic generator, so every run ingests the same lines.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }
}

/// A realistic mix: 80% nginx access lines (2% of them 5xx), 15% nginx error lines, 5%
/// application stdout (some with colour escapes, which take the sanitizer's slow path).
fn events(n: usize) -> Vec<RawLogEvent> {
    let mut r = Lcg(42);
    let base = 1_795_515_300_000i64;
    (0..n)
        .map(|i| {
            let ts = base + (i as i64) / 3;
            let sec = (ts / 1000) % 60;
            let roll = r.next() % 100;
            let (group, message) = if roll < 80 {
                let status = match r.next() % 100 {
                    0..=1 => 502,
                    2..=5 => 404,
                    6..=8 => 301,
                    _ => 200,
                };
                let msg = format!(
                    r#"10.0.{}.{} - - [24/Nov/2026:10:15:{sec:02} +0000] "GET {} HTTP/1.1" {status} {} "-" "{}" "203.0.113.{}""#,
                    r.next() % 4,
                    r.next() % 250,
                    r.pick(&PATHS),
                    r.next() % 20_000,
                    r.pick(&AGENTS),
                    r.next() % 250
                );
                (ACCESS, msg)
            } else if roll < 95 {
                let msg = format!(
                    "2026/11/24 10:15:{sec:02} [error] 2345#2345: *{} connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.1.{}, server: , request: \"GET {} HTTP/1.1\", upstream: \"http://127.0.0.1:8080{}\"",
                    r.next() % 100_000,
                    r.next() % 250,
                    r.pick(&PATHS),
                    r.pick(&PATHS)
                );
                (ERROR, msg)
            } else if roll < 98 {
                (STDOUT, format!("{{\"level\":\"info\",\"msg\":\"order placed\",\"order\":{},\"ms\":{}}}", r.next(), r.next() % 900))
            } else {
                (STDOUT, format!("\x1b[32mINFO\x1b[0m\tworker {} finished job {}", r.next() % 8, r.next()))
            };
            RawLogEvent {
                id: Some(format!("375164449422642253373556484313804579114802144{:011}", i)),
                ts,
                group: group.to_string(),
                stream: r.pick(&INSTANCES).to_string(),
                message,
            }
        })
        .collect()
}

fn full_pane() -> LogsPane {
    let mut pane = LogsPane::new(N, usize::MAX);
    pane.reset_for(
        "shop-prod",
        vec![ACCESS.into(), ERROR.into(), STDOUT.into()],
        vec![ACCESS.into(), ERROR.into(), STDOUT.into()],
    );
    pane.ingest(events(N));
    pane
}

fn bench_ingest(c: &mut Criterion) {
    let mut g = c.benchmark_group("logs");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(N as u64));
    let input = events(N);
    g.bench_function("log_ingest_1m", |b| {
        b.iter_batched(
            || input.clone(),
            |evs| {
                let mut buf = LogBuffer::new(N, usize::MAX);
                let added = buf.extend(evs);
                black_box(added);
                buf
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn bench_search(c: &mut Criterion) {
    let mut g = c.benchmark_group("logs");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(N as u64));
    let mut buf = LogBuffer::new(N, usize::MAX);
    buf.extend(events(N));
    let mut run = |name: &str, compile: &dyn Fn() -> Option<Query>| {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut s = Search::new();
                s.set_query(compile(), &buf);
                s.step(&buf, usize::MAX);
                black_box(s.hits().len())
            })
        });
    };
    // The 5xx preset as the pane runs it (case-sensitive): ~17% of the lines match.
    run("log_search_1m", &|| Query::compile_exact(PRESET_5XX));
    // A query as typed: smart case makes it case-insensitive, which defeats the literal
    // prefilter; ~18% of the lines match.
    run("log_search_1m_typed", &|| Query::compile("api/cart"));
    g.finish();
}

fn bench_render(c: &mut Criterion) {
    let mut g = c.benchmark_group("logs");
    g.sample_size(50)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1));
    let mut pane = full_pane();
    pane.set_query("api/cart");
    while pane.tick(usize::MAX) {}
    // A selected hit in the middle of the buffer, a scrolled view: the worst case for layout.
    pane.top();
    pane.scroll_down(N / 2);
    pane.next_hit();
    let theme = Theme::default();
    let area = Rect::new(0, 0, 200, 60);
    let mut buf = Buffer::empty(area);
    g.bench_function("logs_render_frame_1m", |b| {
        b.iter(|| {
            render_to_buffer(area, &mut buf, &pane, &theme, true);
            black_box(&buf);
        })
    });
    g.finish();
}

criterion_group!(benches, bench_ingest, bench_search, bench_render);
criterion_main!(benches);
