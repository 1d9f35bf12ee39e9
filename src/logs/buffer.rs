//! The bounded log buffer: lines in arrival order, each with a sequence number that rises for the
//! life of the buffer, so a selection or a search hit names a line even after older lines fall out.

use std::collections::{HashSet, VecDeque};
use std::ops::Range;
use std::sync::Arc;

use crate::domain::{Millis, RawLogEvent};

use super::sanitize::sanitize;

/// Default line cap (the config can override).
pub const DEFAULT_MAX_LINES: usize = 200_000;
/// Default byte cap (the config can override): 256 MiB.
pub const DEFAULT_MAX_BYTES: usize = 256 * 1024 * 1024;
/// How many recent event ids are remembered to drop duplicates. Overlapping polls re-deliver the
/// last few seconds of events; this covers that at thousands of lines per second.
pub const DEDUP_WINDOW: usize = 65_536;
/// Interned names are pruned (those no line uses any more) when the table grows past this.
const INTERN_PRUNE_AT: usize = 4_096;

/// One sanitized log line.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    /// Rises by one per line for the life of the buffer; never reused.
    pub seq: u64,
    pub ts: Millis,
    /// Full log group name (interned: all lines of a group share one allocation).
    pub group: Arc<str>,
    /// Log stream name, usually the instance id (interned).
    pub stream: Arc<str>,
    /// Sanitized text: safe to draw, one line (no newline).
    pub text: Box<str>,
}

impl LogLine {
    /// What the line counts against the byte cap: its text plus its fixed size, so a flood of
    /// empty lines is bounded too.
    pub fn cost(&self) -> usize {
        self.text.len() + std::mem::size_of::<LogLine>()
    }
}

/// Interned group and stream names.
#[derive(Debug, Default)]
struct Interner {
    names: HashSet<Arc<str>>,
    /// The last name handed out: consecutive events nearly always share group and stream.
    last: Option<Arc<str>>,
}

impl Interner {
    fn intern(&mut self, name: &str) -> Arc<str> {
        if let Some(last) = &self.last
            && &**last == name
        {
            return last.clone();
        }
        let arc = match self.names.get(name) {
            Some(a) => a.clone(),
            None => {
                if self.names.len() >= INTERN_PRUNE_AT {
                    // Only names no buffered line holds any more (the set's own reference).
                    self.names.retain(|a| Arc::strong_count(a) > 1);
                }
                let a: Arc<str> = Arc::from(name);
                self.names.insert(a.clone());
                a
            }
        };
        self.last = Some(arc.clone());
        arc
    }
}

/// Recently seen event ids, bounded: the oldest id is forgotten when the window is full.
#[derive(Debug)]
struct DedupWindow {
    seen: HashSet<Arc<str>>,
    order: VecDeque<Arc<str>>,
    cap: usize,
}

impl DedupWindow {
    fn new(cap: usize) -> Self {
        Self { seen: HashSet::new(), order: VecDeque::new(), cap: cap.max(1) }
    }
    /// Records `id`; false when it was already in the window.
    fn insert(&mut self, id: &str) -> bool {
        if self.seen.contains(id) {
            return false;
        }
        if self.order.len() >= self.cap
            && let Some(old) = self.order.pop_front()
        {
            self.seen.remove(&old);
        }
        let id: Arc<str> = Arc::from(id);
        self.seen.insert(id.clone());
        self.order.push_back(id);
        true
    }
    fn clear(&mut self) {
        self.seen.clear();
        self.order.clear();
    }
}

/// Lines in arrival order, capped by count and by bytes; the oldest go first.
#[derive(Debug)]
pub struct LogBuffer {
    lines: VecDeque<LogLine>,
    /// Seq of `lines[0]` (or of the next line when empty): seqs in the buffer are contiguous.
    first_seq: u64,
    bytes: usize,
    max_lines: usize,
    max_bytes: usize,
    dedup: DedupWindow,
    names: Interner,
    /// Lines evicted since creation; lets observers notice eviction cheaply.
    evicted: u64,
}

impl LogBuffer {
    /// A buffer holding at most `max_lines` lines and `max_bytes` bytes (see [`LogLine::cost`]).
    /// Each cap is at least one line, so the newest line is always kept.
    pub fn new(max_lines: usize, max_bytes: usize) -> Self {
        Self::with_dedup_window(max_lines, max_bytes, DEDUP_WINDOW)
    }

    /// Like [`LogBuffer::new`] with an explicit de-dup window (ids remembered).
    pub fn with_dedup_window(max_lines: usize, max_bytes: usize, window: usize) -> Self {
        Self {
            lines: VecDeque::new(),
            first_seq: 0,
            bytes: 0,
            max_lines: max_lines.max(1),
            max_bytes,
            dedup: DedupWindow::new(window),
            names: Interner::default(),
            evicted: 0,
        }
    }

    /// Sanitizes and appends one event. A message with newlines becomes several lines (a stack
    /// trace sent as one event); one trailing newline is dropped. Returns false, appending
    /// nothing, when an event with the same id is in the de-dup window.
    pub fn push(&mut self, ev: RawLogEvent) -> bool {
        if let Some(id) = &ev.id
            && !self.dedup.insert(id)
        {
            return false;
        }
        let group = self.names.intern(&ev.group);
        let stream = self.names.intern(&ev.stream);
        let mut message = ev.message;
        if message.ends_with('\n') {
            message.pop();
            if message.ends_with('\r') {
                message.pop();
            }
        }
        if !message.contains('\n') {
            let rewritten = match sanitize(&message) {
                std::borrow::Cow::Borrowed(_) => None,
                std::borrow::Cow::Owned(s) => Some(s),
            };
            // Clean: keep the event's own allocation instead of copying it.
            let text = rewritten.unwrap_or(message).into_boxed_str();
            self.append(ev.ts, group, stream, text);
        } else {
            for piece in message.split('\n') {
                let piece = piece.strip_suffix('\r').unwrap_or(piece);
                let text = sanitize(piece).into_owned().into_boxed_str();
                self.append(ev.ts, group.clone(), stream.clone(), text);
            }
        }
        true
    }

    /// Pushes every event in order; returns how many were appended (duplicates left out).
    pub fn extend(&mut self, events: Vec<RawLogEvent>) -> usize {
        events.into_iter().map(|e| usize::from(self.push(e))).sum()
    }

    fn append(&mut self, ts: Millis, group: Arc<str>, stream: Arc<str>, text: Box<str>) {
        let line = LogLine { seq: self.next_seq(), ts, group, stream, text };
        self.bytes += line.cost();
        self.lines.push_back(line);
        while self.lines.len() > self.max_lines || (self.bytes > self.max_bytes && self.lines.len() > 1) {
            self.evict_one();
        }
    }

    fn evict_one(&mut self) {
        if let Some(old) = self.lines.pop_front() {
            self.bytes -= old.cost();
            self.first_seq += 1;
            self.evicted += 1;
        }
    }

    /// Drops every line and forgets every id (a new set of groups is being tailed and its
    /// backfill must not be taken for duplicates). Seqs keep rising: old seqs never alias.
    pub fn clear(&mut self) {
        self.first_seq = self.next_seq();
        self.lines.clear();
        self.bytes = 0;
        self.dedup.clear();
    }

    /// The line with this seq, if still buffered.
    pub fn get(&self, seq: u64) -> Option<&LogLine> {
        let idx = seq.checked_sub(self.first_seq)?;
        self.lines.get(usize::try_from(idx).ok()?)
    }

    /// Seq of the oldest buffered line (equals `next_seq()` when empty).
    pub fn first_seq(&self) -> u64 {
        self.first_seq
    }

    /// Seq the next appended line will get.
    pub fn next_seq(&self) -> u64 {
        self.first_seq + self.lines.len() as u64
    }

    /// Seq of the newest line.
    pub fn last_seq(&self) -> Option<u64> {
        self.next_seq().checked_sub(1).filter(|s| *s >= self.first_seq)
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Bytes counted against the byte cap (sum of [`LogLine::cost`]).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn max_lines(&self) -> usize {
        self.max_lines
    }

    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Lines evicted since the buffer was created.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// True when `seq` is buffered.
    pub fn contains(&self, seq: u64) -> bool {
        seq >= self.first_seq && seq < self.next_seq()
    }

    /// The buffered lines whose seq is in `seqs` (clamped to what is buffered), oldest first.
    pub fn range(&self, seqs: Range<u64>) -> impl DoubleEndedIterator<Item = &LogLine> + ExactSizeIterator {
        let start = seqs.start.clamp(self.first_seq, self.next_seq());
        let end = seqs.end.clamp(start, self.next_seq());
        let a = (start - self.first_seq) as usize;
        let b = (end - self.first_seq) as usize;
        self.lines.range(a..b)
    }

    /// Every buffered line, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &LogLine> + ExactSizeIterator {
        self.lines.iter()
    }
}

impl Default for LogBuffer {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_LINES, DEFAULT_MAX_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: Option<&str>, msg: &str) -> RawLogEvent {
        RawLogEvent {
            id: id.map(str::to_string),
            ts: 1_000,
            group: "/aws/elasticbeanstalk/shop/var/log/nginx/access.log".into(),
            stream: "i-0abc".into(),
            message: msg.into(),
        }
    }

    fn texts(b: &LogBuffer) -> Vec<&str> {
        b.iter().map(|l| &*l.text).collect()
    }

    #[test]
    fn evicts_oldest_past_line_cap_and_seq_keeps_rising() {
        let mut b = LogBuffer::new(3, usize::MAX);
        for i in 0..5 {
            assert!(b.push(ev(None, &format!("l{i}"))));
        }
        assert_eq!(texts(&b), ["l2", "l3", "l4"]);
        assert_eq!((b.first_seq(), b.next_seq(), b.len()), (2, 5, 3));
        assert_eq!(b.get(1), None);
        assert_eq!(b.get(2).map(|l| &*l.text), Some("l2"));
        assert_eq!(b.get(4).map(|l| l.seq), Some(4));
        assert_eq!(b.get(5), None);
        assert_eq!(b.evicted(), 2);
        let seqs: Vec<u64> = b.iter().map(|l| l.seq).collect();
        assert_eq!(seqs, [2, 3, 4]);
    }

    #[test]
    fn evicts_oldest_past_byte_cap() {
        let per_line = std::mem::size_of::<LogLine>() + 10;
        let mut b = LogBuffer::new(1_000, per_line * 3);
        for i in 0..4 {
            b.push(ev(None, &format!("line-{i:05}")));
        }
        assert_eq!(texts(&b), ["line-00001", "line-00002", "line-00003"]);
        assert_eq!(b.bytes(), per_line * 3);
        // A line bigger than the whole cap still shows: it evicts everything else.
        b.push(ev(None, &"x".repeat(per_line * 4)));
        assert_eq!(b.len(), 1);
        assert_eq!(b.first_seq(), 4);
        assert_eq!(b.bytes(), b.get(4).map_or(0, LogLine::cost));
    }

    #[test]
    fn duplicates_by_id_are_dropped_within_the_window() {
        let mut b = LogBuffer::with_dedup_window(100, usize::MAX, 2);
        assert!(b.push(ev(Some("a"), "1")));
        assert!(!b.push(ev(Some("a"), "1 again")));
        assert!(b.push(ev(None, "no id is never a duplicate")));
        assert!(b.push(ev(None, "no id is never a duplicate")));
        assert!(b.push(ev(Some("b"), "2")));
        assert!(b.push(ev(Some("c"), "3")));
        // "a" fell out of the 2-id window: it is accepted again.
        assert!(b.push(ev(Some("a"), "1 late")));
        assert_eq!(b.extend(vec![ev(Some("c"), "dup"), ev(Some("d"), "4")]), 1);
        assert_eq!(texts(&b), ["1", "no id is never a duplicate", "no id is never a duplicate", "2", "3", "1 late", "4"]);
    }

    #[test]
    fn messages_are_sanitized_and_split_on_newlines() {
        let mut b = LogBuffer::new(100, usize::MAX);
        b.push(ev(None, "plain\n"));
        b.push(ev(None, "crlf\r\n"));
        b.push(ev(None, "Traceback:\r\n  at x\n\n  at \x1b[1my\x1b[0m\n"));
        assert_eq!(texts(&b), ["plain", "crlf", "Traceback:", "  at x", "", "  at ␛[1my␛[0m"]);
        let seqs: Vec<u64> = b.iter().map(|l| l.seq).collect();
        assert_eq!(seqs, [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn names_are_interned() {
        let mut b = LogBuffer::new(100, usize::MAX);
        b.push(ev(None, "a"));
        b.push(ev(None, "b"));
        let (x, y) = (b.get(0).map(|l| l.group.clone()), b.get(1).map(|l| l.group.clone()));
        assert!(matches!((x, y), (Some(x), Some(y)) if Arc::ptr_eq(&x, &y)));
    }

    #[test]
    fn range_is_clamped_to_what_is_buffered() {
        let mut b = LogBuffer::new(3, usize::MAX);
        for i in 0..6 {
            b.push(ev(None, &i.to_string()));
        }
        let got: Vec<&str> = b.range(0..100).map(|l| &*l.text).collect();
        assert_eq!(got, ["3", "4", "5"]);
        let got: Vec<&str> = b.range(4..5).map(|l| &*l.text).collect();
        assert_eq!(got, ["4"]);
        assert_eq!(b.range(7..9).count(), 0);
        assert_eq!(b.range(5..2).count(), 0);
        assert_eq!(b.last_seq(), Some(5));
    }

    #[test]
    fn clear_keeps_seqs_rising_and_forgets_ids() {
        let mut b = LogBuffer::new(10, usize::MAX);
        b.push(ev(Some("x"), "a"));
        b.push(ev(Some("y"), "b"));
        b.clear();
        assert!(b.is_empty());
        assert_eq!((b.first_seq(), b.next_seq(), b.bytes(), b.last_seq()), (2, 2, 0, None));
        assert!(b.push(ev(Some("x"), "a")));
        assert_eq!(b.get(2).map(|l| &*l.text), Some("a"));
    }
}
