//! Log pane throughput: ingest, search and drawing over a million lines.
//!
//! Targets: ingest >= 1,000,000 lines/s, a full search <= 40 ms on 2 cores, one 200x60 frame
//! < 2 ms. `benches/search_ratio.rs` states the search as a ratio to a plain memmem scan.
//! Run with `cargo bench --bench logs`; results are recorded in docs/performance.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    BatchSize, BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main,
};
use ebtui::logs::{LogBuffer, LogsPane, PRESET_5XX, Query, Search};
use ebtui::ui::logs::render_to_buffer;
use ebtui::ui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

#[path = "support/logs_data.rs"]
mod logs_data;
use logs_data::{ACCESS, ERROR, N, STDOUT, events};

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

/// The settings of a benchmark over the million lines: 10 samples, 10 s, per-line throughput.
fn million_group(c: &mut Criterion) -> BenchmarkGroup<'_, WallTime> {
    let mut g = c.benchmark_group("logs");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(N as u64));
    g
}

/// The million lines in a buffer that holds them all.
fn million_lines() -> LogBuffer {
    let mut buf = LogBuffer::new(N, usize::MAX);
    buf.extend(events(N));
    buf
}

fn bench_search(c: &mut Criterion) {
    let mut g = million_group(c);
    let buf = million_lines();
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
    frame(&mut g, "logs_render_frame_1m", &pane);
    g.finish();
}

/// One 200x60 frame of `pane`, drawn over and over.
fn frame(g: &mut BenchmarkGroup<'_, WallTime>, name: &str, pane: &LogsPane) {
    let theme = Theme::default();
    let area = Rect::new(0, 0, 200, 60);
    let mut buf = Buffer::empty(area);
    g.bench_function(name, |b| {
        b.iter(|| {
            render_to_buffer(area, &mut buf, pane, &theme, true);
            black_box(&buf);
        })
    });
}

/// "Only this instance" (`O`, or Enter on an instance in the triage): narrowing a full buffer to
/// one of its four instances, the 5xx preset searched within it, and a frame of it.
fn bench_scope(c: &mut Criterion) {
    let mut g = million_group(c);
    let buf = million_lines();
    let instance = logs_data::INSTANCES[1];
    g.bench_function("log_scope_1m", |b| {
        b.iter(|| {
            let mut s = Search::new();
            s.set_scope(Some(instance), &buf);
            black_box(s.scope().map(|x| x.members().len()))
        })
    });
    g.bench_function("log_scope_search_1m", |b| {
        b.iter(|| {
            let mut s = Search::new();
            s.set_scope(Some(instance), &buf);
            s.set_query(Query::compile_exact(PRESET_5XX), &buf);
            s.step(&buf, usize::MAX);
            black_box(s.hits().len())
        })
    });
    let mut pane = full_pane();
    pane.set_scope(Some(instance));
    pane.preset_5xx();
    while pane.tick(usize::MAX) {}
    pane.top();
    pane.scroll_down(N / 8);
    frame(&mut g, "logs_render_frame_scoped_1m", &pane);
    g.finish();
}

criterion_group!(
    benches,
    bench_ingest,
    bench_search,
    bench_render,
    bench_scope
);
criterion_main!(benches);
