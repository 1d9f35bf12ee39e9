//! A slice of the search split over the machine's cores: fork-join on scoped threads.
//!
//! The search is called from the UI loop (`Search::step`, a slice of at most `SCAN_BUDGET`
//! lines per tick, or the lines that just arrived), and it stays there: the slice is cut into
//! one chunk of whole lines per core, every chunk is scanned at once, and every thread is
//! joined before the call returns. The loop is blocked for less time than a serial slice, the
//! hits are the ones a serial scan finds, in the same order, and nothing outlives the call. No
//! pool is kept: a thread costs tens of microseconds, a slice worth splitting a millisecond.
//!
//! This is the one file of the pure layer allowed `std::thread` (`tests/invariants.rs` says
//! why): scoped threads only, never a detached one.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::OnceLock;
use std::thread;

use super::buffer::LogBuffer;
use super::query::Query;

/// A slice smaller than this many lines is scanned on the calling thread: a thread's start
/// would cost more than it saves (lines arriving from a tail come a few hundred at a time).
const MIN_LINES_PER_CHUNK: u64 = 4_096;
/// More chunks than this gain nothing on a slice of `SCAN_BUDGET` lines.
const MAX_WORKERS: usize = 8;

/// How many chunks a large slice is cut into: the cores this process may use, asked once.
fn workers() -> usize {
    static WORKERS: OnceLock<usize> = OnceLock::new();
    *WORKERS.get_or_init(|| {
        thread::available_parallelism()
            .map_or(1, usize::from)
            .clamp(1, MAX_WORKERS)
    })
}

/// Pushes onto `hits` the seqs of the lines in `seqs` that `query` matches, in order.
pub(super) fn scan(query: &Query, buf: &LogBuffer, seqs: Range<u64>, hits: &mut VecDeque<u64>) {
    let lines = seqs.end.saturating_sub(seqs.start);
    let chunks = (lines / MIN_LINES_PER_CHUNK).clamp(1, workers() as u64) as usize;
    scan_in(query, buf, seqs, hits, chunks);
}

/// [`scan`] cut into exactly `chunks` chunks (tests force small buffers through many).
pub(super) fn scan_in(
    query: &Query,
    buf: &LogBuffer,
    seqs: Range<u64>,
    hits: &mut VecDeque<u64>,
    chunks: usize,
) {
    let mut scratch = Vec::new();
    if chunks <= 1 {
        scan_serial(query, buf, seqs, &mut scratch, hits);
        return;
    }
    let lines = seqs.end.saturating_sub(seqs.start);
    let cut = |i: usize| seqs.start + lines * i as u64 / chunks as u64;
    thread::scope(|s| {
        // Chunks 1.. on their own threads, each with its own copy of the query (a regex's
        // clone has its own cache, so the threads do not contend for one), chunk 0 here.
        let handles: Vec<_> = (1..chunks)
            .map(|i| {
                let (range, q) = (cut(i)..cut(i + 1), query.clone());
                s.spawn(move || {
                    let (mut found, mut scratch) = (Vec::new(), Vec::new());
                    scan_serial(&q, buf, range, &mut scratch, &mut found);
                    found
                })
            })
            .collect();
        scan_serial(query, buf, cut(0)..cut(1), &mut scratch, hits);
        for h in handles {
            match h.join() {
                Ok(found) => hits.extend(found),
                // A panic in a chunk is a bug in the search: the caller's thread re-raises it,
                // as a serial scan would have.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
}

fn scan_serial(
    query: &Query,
    buf: &LogBuffer,
    seqs: Range<u64>,
    scratch: &mut Vec<u8>,
    hits: &mut impl Extend<u64>,
) {
    for run in buf.runs(seqs) {
        query.scan_run_into(buf, &run, scratch, hits);
    }
}
