//! The log search measured against the hardware: a full search of the million lines of
//! `benches/logs.rs`, stated as a ratio to a plain scan of the same bytes (`memchr::memmem` for
//! a literal that occurs nowhere, on one thread: reading the text as fast as the machine can),
//! so the figure holds from one machine to another where milliseconds do not.
//!
//! Run with `cargo bench --bench search_ratio`; a plain binary that prints a table (medians of
//! interleaved rounds, so a burst of load on a shared machine hits both sides alike).

use std::collections::VecDeque;
use std::hint::black_box;
use std::time::{Duration, Instant};

use ebtui::logs::{LogBuffer, PRESET_5XX, Query, Search};
use memchr::memmem::Finder;

#[path = "support/logs_data.rs"]
mod logs_data;
use logs_data::{N, events};

const ROUNDS: usize = 21;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let mut buf = LogBuffer::new(N, usize::MAX);
    buf.extend(events(N));
    let runs: Vec<&str> = buf
        .runs(buf.first_seq()..buf.next_seq())
        .map(|r| r.text)
        .collect();
    let bytes: usize = runs.iter().map(|t| t.len()).sum();
    let absent = Finder::new("no line holds this");
    let plain = || {
        runs.iter()
            .filter(|t| absent.find(t.as_bytes()).is_some())
            .count()
    };
    // The search as the pane runs it (all cores), and on one thread (the prefilter alone).
    let full = |q: &Option<Query>| {
        let mut s = Search::new();
        s.set_query(q.clone(), &buf);
        s.step(&buf, usize::MAX);
        s.hits().len()
    };
    let serial = |q: &Option<Query>| {
        let mut hits = VecDeque::new();
        if let Some(q) = q {
            for run in buf.runs(buf.first_seq()..buf.next_seq()) {
                q.scan_run(&buf, &run, &mut hits);
            }
        }
        hits.len()
    };
    let queries = [
        (
            "5xx preset (log_search_1m)",
            Query::compile_exact(PRESET_5XX),
        ),
        ("typed api/cart (smart case)", Query::compile("api/cart")),
        ("typed timed out (no hits)", Query::compile("timed out")),
        (
            r"typed \d+ms\} (no literal prefix)",
            Query::compile(r"\d+ms\}"),
        ),
    ];
    type Case<'a> = (String, Box<dyn Fn() -> usize + 'a>);
    let mut cases: Vec<Case> = vec![("memmem, absent literal (1x)".into(), Box::new(plain))];
    for (name, q) in &queries {
        cases.push((format!("{name}, all cores"), Box::new(move || full(q))));
        cases.push((format!("{name}, one thread"), Box::new(move || serial(q))));
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); cases.len()];
    let mut counts = vec![0; cases.len()];
    for round in 0..ROUNDS + 2 {
        for (i, (_, f)) in cases.iter().enumerate() {
            let t = Instant::now();
            counts[i] = black_box(f());
            if round >= 2 {
                times[i].push(t.elapsed());
            }
        }
    }
    let base = median(times[0].clone()).as_secs_f64();
    println!(
        "{} lines, {:.0} MB of text, medians of {ROUNDS} interleaved rounds\n",
        N,
        bytes as f64 / 1e6
    );
    println!("| what | hits | median | x plain scan |");
    println!("|---|---|---|---|");
    for ((name, _), (t, n)) in cases.iter().zip(times.into_iter().zip(counts)) {
        let m = median(t).as_secs_f64();
        println!("| {name} | {n} | {:.1} ms | {:.2} |", m * 1e3, m / base);
    }
}
