//! De-duplication across overlapping reads: backfill, live tail, gap backfill after a reconnect,
//! polling with an overlap window.
//!
//! The scheme. Live tail events carry no event id and FilterLogEvents events do, so an event id
//! cannot match the same line across the backfill/live seam. Every event is therefore keyed by a
//! hash of what both APIs give: (group, stream, timestamp, message). Two genuinely distinct lines
//! can share that tuple (the same text logged twice in one millisecond), so within one *read* (one
//! sweep of FilterLogEvents over all groups and pages, or one live-tail session) the n-th
//! occurrence of a tuple gets occurrence number n. The `Seen` window remembers, per tuple, the
//! highest occurrence number any single read has delivered; an event is new exactly when its
//! occurrence number is higher. So re-reading an overlap delivers nothing twice, and two identical
//! lines still show as two. The id sent to the app is `<hash>-<occurrence>`: the same for the same
//! line across reads (within one run of the program), distinct for distinct lines, so the
//! receiver's own de-duplication by id agrees with ours.
//!
//! Known limit: when two identical lines of the same millisecond reach us through *different*
//! reads only partly overlapping (one on each side of a seam), the second may be taken for the
//! first. Such lines are indistinguishable on the wire; showing one is the honest best.
//!
//! Memory is bounded: past `cap` remembered tuples the oldest half (by timestamp) is forgotten.
//! Re-reads only go back `OVERLAP` before the newest event, far inside what is kept.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::OnceLock;

use crate::domain::{Millis, RawLogEvent};

/// Tuples remembered before the oldest half is forgotten (a few MB).
const DEFAULT_CAP: usize = 100_000;

/// The process-wide key of `line_key`. Keyed (SipHash with a random key) rather than a fixed
/// hash: log text comes from whoever can write to the instance, and with a public hash a line
/// could be crafted to collide with one already shown and so be hidden. One key for the whole
/// process keeps ids stable across reads, tails and searches.
static KEY: OnceLock<RandomState> = OnceLock::new();

/// The key of a line: its group, stream, timestamp and text (`str` hashing marks where each field
/// ends, so ("ab", "c") and ("a", "bc") differ).
pub(super) fn line_key(group: &str, stream: &str, ts: Millis, message: &str) -> u64 {
    KEY.get_or_init(RandomState::new)
        .hash_one((group, stream, ts, message))
}

/// Occurrence counts within one read (see the module comment).
#[derive(Debug, Default)]
pub(super) struct Read {
    counts: HashMap<u64, u32>,
}

impl Read {
    pub(super) fn new() -> Self {
        Self::default()
    }

    fn next(&mut self, key: u64, cap: usize) -> u32 {
        // A live session can run for hours: forget its counts now and then. Only identical lines
        // of one millisecond straddling the moment of forgetting are affected.
        if self.counts.len() >= cap {
            self.counts.clear();
        }
        let n = self.counts.entry(key).or_insert(0);
        *n += 1;
        *n
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    ts: Millis,
    delivered: u32,
}

/// What has been sent to the app, as a bounded window of line keys.
#[derive(Debug)]
pub(super) struct Seen {
    entries: HashMap<u64, Entry>,
    cap: usize,
}

impl Default for Seen {
    fn default() -> Self {
        Self::with_cap(DEFAULT_CAP)
    }
}

impl Seen {
    pub(super) fn with_cap(cap: usize) -> Self {
        Self {
            entries: HashMap::new(),
            cap: cap.max(2),
        }
    }

    /// Give `event` its id and return it if it was not delivered before; `None` for a repeat.
    pub(super) fn admit(&mut self, read: &mut Read, mut event: RawLogEvent) -> Option<RawLogEvent> {
        let key = line_key(&event.group, &event.stream, event.ts, &event.message);
        let occurrence = read.next(key, self.cap);
        let entry = self.entries.entry(key).or_insert(Entry {
            ts: event.ts,
            delivered: 0,
        });
        if occurrence <= entry.delivered {
            return None;
        }
        entry.delivered = occurrence;
        event.id = Some(format!("{key:016x}-{occurrence}"));
        if self.entries.len() > self.cap {
            self.forget_oldest_half();
        }
        Some(event)
    }

    /// Admit a whole batch; the new events keep their order.
    pub(super) fn admit_all(
        &mut self,
        read: &mut Read,
        events: Vec<RawLogEvent>,
    ) -> Vec<RawLogEvent> {
        events
            .into_iter()
            .filter_map(|e| self.admit(read, e))
            .collect()
    }

    fn forget_oldest_half(&mut self) {
        let mut stamps: Vec<Millis> = self.entries.values().map(|e| e.ts).collect();
        let middle = stamps.len() / 2;
        let (_, cutoff, _) = stamps.select_nth_unstable(middle);
        let cutoff = *cutoff;
        self.entries.retain(|_, e| e.ts >= cutoff);
        // Every timestamp equal (a burst in one millisecond): nothing was older, so forget all
        // rather than grow without bound.
        if self.entries.len() > self.cap {
            self.entries.clear();
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(ts: Millis, stream: &str, message: &str) -> RawLogEvent {
        RawLogEvent {
            id: None,
            ts,
            group: "/g".into(),
            stream: stream.into(),
            message: message.into(),
        }
    }

    fn texts(events: &[RawLogEvent]) -> Vec<String> {
        events.iter().map(|e| e.message.clone()).collect()
    }

    #[test]
    fn key_separates_fields() {
        assert_ne!(line_key("ab", "c", 1, "m"), line_key("a", "bc", 1, "m"));
        assert_ne!(line_key("g", "s", 1, "m"), line_key("g", "s", 2, "m"));
        assert_eq!(line_key("g", "s", 1, "m"), line_key("g", "s", 1, "m"));
    }

    #[test]
    fn overlapping_reads_deliver_each_line_once() {
        let mut seen = Seen::default();
        let first = seen.admit_all(&mut Read::new(), vec![ev(1, "a", "x"), ev(2, "a", "y")]);
        assert_eq!(texts(&first), ["x", "y"]);
        // The second read overlaps the first on "y" and brings "z".
        let second = seen.admit_all(&mut Read::new(), vec![ev(2, "a", "y"), ev(3, "a", "z")]);
        assert_eq!(texts(&second), ["z"]);
    }

    #[test]
    fn identical_lines_in_one_read_both_show_and_repeat_reads_show_neither() {
        let mut seen = Seen::default();
        let burst = vec![ev(5, "a", "same"), ev(5, "a", "same")];
        let first = seen.admit_all(&mut Read::new(), burst.clone());
        assert_eq!(first.len(), 2);
        assert_ne!(first[0].id, first[1].id, "distinct lines need distinct ids");
        assert!(seen.admit_all(&mut Read::new(), burst).is_empty());
        // A later read that has only one of them adds nothing; one with a third adds one.
        assert!(
            seen.admit_all(&mut Read::new(), vec![ev(5, "a", "same")])
                .is_empty()
        );
        let third = seen.admit_all(&mut Read::new(), vec![ev(5, "a", "same"); 3]);
        assert_eq!(third.len(), 1);
        assert!(third[0].id.as_deref().is_some_and(|id| id.ends_with("-3")));
    }

    #[test]
    fn ids_are_stable_across_reads_and_seen_windows() {
        let a = Seen::default()
            .admit(&mut Read::new(), ev(7, "s", "m"))
            .and_then(|e| e.id);
        let b = Seen::default()
            .admit(&mut Read::new(), ev(7, "s", "m"))
            .and_then(|e| e.id);
        assert!(a.is_some());
        assert_eq!(a, b);
    }

    #[test]
    fn window_forgets_the_oldest_half() {
        let mut seen = Seen::with_cap(10);
        let mut read = Read::new();
        for ts in 0..11 {
            assert!(seen.admit(&mut read, ev(ts, "s", "m")).is_some());
        }
        assert!(seen.len() <= 10, "window bounded, got {}", seen.len());
        // The newest ones are still remembered.
        assert!(seen.admit(&mut Read::new(), ev(10, "s", "m")).is_none());
        // A burst of one millisecond larger than the window cannot grow it either.
        let mut burst = Seen::with_cap(4);
        for n in 0..9 {
            burst.admit(&mut Read::new(), ev(1, "s", &n.to_string()));
        }
        assert!(burst.len() <= 4);
    }
}
