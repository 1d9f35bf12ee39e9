//! The bounded log buffer: lines in arrival order, each with a sequence number that rises for the
//! life of the buffer, so a selection or a search hit names a line even after older lines fall out.
//!
//! Text lives in large blocks, each line followed by `\n`, rather than one allocation per line:
//! ingest copies a line into the current block (no allocation per line), eviction frees whole
//! blocks, and a search runs one regex pass over a block instead of a call per line, reading
//! memory in order. A line is reached through its metadata (block, offset, length).

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::Arc;

use crate::domain::{Millis, RawLogEvent};

use super::dedup::DedupWindow;
use super::intern::Interner;
use super::sanitize::{MAX_LINE_BYTES, is_clean, sanitize};

/// Default line cap (the config can override).
pub const DEFAULT_MAX_LINES: usize = 200_000;
/// Default byte cap (the config can override): 256 MiB.
pub const DEFAULT_MAX_BYTES: usize = 256 * 1024 * 1024;
/// How many recent event ids are remembered to drop duplicates. Overlapping polls re-deliver the
/// last few seconds of events; this covers that at thousands of lines per second.
pub const DEDUP_WINDOW: usize = 65_536;
/// Size of a text block. Large enough that a search pass over it amortizes its set-up, small
/// enough that eviction frees memory steadily.
const BLOCK_BYTES: usize = 1 << 20;

/// Where a line is and what it came with.
#[derive(Debug)]
struct Meta {
    ts: Millis,
    group: Arc<str>,
    stream: Arc<str>,
    /// Absolute block number (blocks are numbered for the life of the buffer).
    block: u64,
    start: u32,
    len: u32,
}

/// What one line counts against the byte cap: its text, its `\n`, and its metadata, so a
/// flood of empty lines is bounded too.
fn line_cost(text_len: usize) -> usize {
    text_len + 1 + std::mem::size_of::<Meta>()
}

/// One buffered line, borrowed from the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogLine<'a> {
    /// Rises by one per line for the life of the buffer; never reused.
    pub seq: u64,
    pub ts: Millis,
    /// Full log group name.
    pub group: &'a str,
    /// Log stream name, usually the instance id.
    pub stream: &'a str,
    /// Sanitized text: safe to draw, one line (no newline).
    pub text: &'a str,
}

impl LogLine<'_> {
    /// What the line counts against the byte cap.
    pub fn cost(self) -> usize {
        line_cost(self.text.len())
    }
}

/// Consecutive lines stored together: their texts joined by `\n` (no trailing one).
#[derive(Debug, Clone, Copy)]
pub struct Run<'a> {
    /// Seqs of the lines in the run.
    pub first_seq: u64,
    pub end_seq: u64,
    pub text: &'a str,
}

/// Lines in arrival order, capped by count and by bytes; the oldest go first.
#[derive(Debug)]
pub struct LogBuffer {
    metas: VecDeque<Meta>,
    blocks: VecDeque<String>,
    /// Number of `blocks[0]`.
    first_block: u64,
    /// Seq of `metas[0]` (or of the next line when empty): seqs in the buffer are contiguous.
    first_seq: u64,
    bytes: usize,
    max_lines: usize,
    max_bytes: usize,
    dedup: DedupWindow,
    groups: Interner,
    streams: Interner,
    /// Lines evicted since creation.
    evicted: u64,
}

impl LogBuffer {
    /// A buffer holding at most `max_lines` lines and `max_bytes` bytes (see [`LogLine::cost`]).
    /// The line cap is at least one, and the newest line is always kept.
    pub fn new(max_lines: usize, max_bytes: usize) -> Self {
        Self::with_dedup_window(max_lines, max_bytes, DEDUP_WINDOW)
    }

    /// Like [`LogBuffer::new`] with an explicit de-dup window (ids remembered).
    pub fn with_dedup_window(max_lines: usize, max_bytes: usize, window: usize) -> Self {
        Self {
            metas: VecDeque::new(),
            blocks: VecDeque::new(),
            first_block: 0,
            first_seq: 0,
            bytes: 0,
            max_lines: max_lines.max(1),
            max_bytes,
            dedup: DedupWindow::new(window),
            groups: Interner::default(),
            streams: Interner::default(),
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
        // Names come from AWS too: a stream name can hold a bidi override or a line break.
        let group = self.groups.intern(&clean_name(&ev.group));
        let stream = self.streams.intern(&clean_name(&ev.stream));
        let message = ev
            .message
            .strip_suffix('\n')
            .map_or(&*ev.message, |m| m.strip_suffix('\r').unwrap_or(m));
        if message.len() <= MAX_LINE_BYTES && is_clean(message) {
            // The common case, one scan: clean text has no newline either.
            self.append(ev.ts, group, stream, message);
        } else {
            for piece in message.split('\n') {
                let piece = piece.strip_suffix('\r').unwrap_or(piece);
                self.append(ev.ts, group.clone(), stream.clone(), &sanitize(piece));
            }
        }
        true
    }

    /// Pushes every event in order; returns how many were appended (duplicates left out).
    pub fn extend(&mut self, events: Vec<RawLogEvent>) -> usize {
        events.into_iter().map(|e| usize::from(self.push(e))).sum()
    }

    fn append(&mut self, ts: Millis, group: Arc<str>, stream: Arc<str>, text: &str) {
        let need = text.len() + 1;
        let full = self
            .blocks
            .back()
            .is_none_or(|b| !b.is_empty() && b.len() + need > BLOCK_BYTES);
        if full {
            // Capacity is reserved, not touched: the pages are committed as lines are written.
            self.blocks
                .push_back(String::with_capacity(need.max(BLOCK_BYTES)));
        }
        let block_no = self.first_block + self.blocks.len() as u64 - 1;
        let Some(block) = self.blocks.back_mut() else {
            return;
        };
        let start = block.len();
        block.push_str(text);
        block.push('\n');
        // Offsets fit u32: a line is at most MAX_LINE_BYTES plus its cut marker, a block 1 MiB.
        let meta = Meta {
            ts,
            group,
            stream,
            block: block_no,
            start: start as u32,
            len: text.len() as u32,
        };
        self.metas.push_back(meta);
        self.bytes += line_cost(text.len());
        while self.metas.len() > self.max_lines
            || (self.bytes > self.max_bytes && self.metas.len() > 1)
        {
            self.evict_one();
        }
    }

    fn evict_one(&mut self) {
        let Some(old) = self.metas.pop_front() else {
            return;
        };
        self.bytes -= line_cost(old.len as usize);
        self.first_seq += 1;
        self.evicted += 1;
        // Free the blocks no remaining line is in.
        let keep_from = self
            .metas
            .front()
            .map_or(self.first_block + self.blocks.len() as u64, |m| m.block);
        while self.first_block < keep_from && self.blocks.pop_front().is_some() {
            self.first_block += 1;
        }
    }

    /// Drops every line and forgets every id (a new set of groups is being tailed and its
    /// backfill must not be taken for duplicates). Seqs keep rising: old seqs never alias.
    pub fn clear(&mut self) {
        self.first_seq = self.next_seq();
        self.first_block += self.blocks.len() as u64;
        self.metas.clear();
        self.blocks.clear();
        self.bytes = 0;
        self.dedup.clear();
    }

    fn text_of<'a>(&'a self, m: &Meta) -> &'a str {
        let block = usize::try_from(m.block - self.first_block)
            .ok()
            .and_then(|i| self.blocks.get(i));
        let range = m.start as usize..(m.start + m.len) as usize;
        block.and_then(|b| b.get(range)).unwrap_or_default()
    }

    fn view<'a>(&'a self, seq: u64, m: &'a Meta) -> LogLine<'a> {
        LogLine {
            seq,
            ts: m.ts,
            group: &m.group,
            stream: &m.stream,
            text: self.text_of(m),
        }
    }

    fn index(&self, seq: u64) -> Option<usize> {
        usize::try_from(seq.checked_sub(self.first_seq)?)
            .ok()
            .filter(|&i| i < self.metas.len())
    }

    /// The line with this seq, if still buffered.
    pub fn get(&self, seq: u64) -> Option<LogLine<'_>> {
        let m = self.metas.get(self.index(seq)?)?;
        Some(self.view(seq, m))
    }

    /// Seq of the oldest buffered line (equals `next_seq()` when empty).
    pub fn first_seq(&self) -> u64 {
        self.first_seq
    }

    /// Seq the next appended line will get.
    pub fn next_seq(&self) -> u64 {
        self.first_seq + self.metas.len() as u64
    }

    /// Seq of the newest line.
    pub fn last_seq(&self) -> Option<u64> {
        self.next_seq()
            .checked_sub(1)
            .filter(|s| *s >= self.first_seq)
    }

    pub fn len(&self) -> usize {
        self.metas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.metas.is_empty()
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
        self.index(seq).is_some()
    }

    fn clamp(&self, seqs: Range<u64>) -> Range<u64> {
        let start = seqs.start.clamp(self.first_seq, self.next_seq());
        start..seqs.end.clamp(start, self.next_seq())
    }

    /// The buffered lines whose seq is in `seqs` (clamped to what is buffered), oldest first.
    pub fn range(
        &self,
        seqs: Range<u64>,
    ) -> impl DoubleEndedIterator<Item = LogLine<'_>> + ExactSizeIterator {
        let r = self.clamp(seqs);
        let (a, b) = (
            (r.start - self.first_seq) as usize,
            (r.end - self.first_seq) as usize,
        );
        let first = self.first_seq;
        self.metas
            .range(a..b)
            .enumerate()
            .map(move |(i, m)| self.view(first + (a + i) as u64, m))
    }

    /// The seq and stream name of each buffered line in `seqs` (clamped), oldest first: for a
    /// pass that needs no text (the instance scope), without finding each line's text.
    pub fn streams(&self, seqs: Range<u64>) -> impl Iterator<Item = (u64, &str)> {
        let r = self.clamp(seqs);
        let a = (r.start - self.first_seq) as usize;
        let b = (r.end - self.first_seq) as usize;
        let first = self.first_seq;
        self.metas
            .range(a..b)
            .enumerate()
            .map(move |(i, m)| (first + (a + i) as u64, &*m.stream))
    }

    /// Every buffered line, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = LogLine<'_>> + ExactSizeIterator {
        self.range(self.first_seq..self.next_seq())
    }

    /// The lines `seqs` (clamped) as runs of contiguous text, one per block touched.
    pub fn runs(&self, seqs: Range<u64>) -> impl Iterator<Item = Run<'_>> {
        let r = self.clamp(seqs);
        let mut at = r.start;
        std::iter::from_fn(move || {
            if at >= r.end {
                return None;
            }
            let first = self.metas.get(self.index(at)?)?;
            // The run ends where the block does: the first line of a later block.
            let block_end =
                self.metas.partition_point(|m| m.block <= first.block) as u64 + self.first_seq;
            let end = block_end.min(r.end);
            let last = self.metas.get(self.index(end - 1)?)?;
            let block = self
                .blocks
                .get(usize::try_from(first.block - self.first_block).ok()?)?;
            let text = block.get(first.start as usize..(last.start + last.len) as usize)?;
            let run = Run {
                first_seq: at,
                end_seq: end,
                text,
            };
            at = end;
            Some(run)
        })
    }
}

impl Default for LogBuffer {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_LINES, DEFAULT_MAX_BYTES)
    }
}

/// A buffer of at most `cap` lines holding `texts` (group "g", stream "s", time 0): the unit
/// tests' buffer.
#[cfg(test)]
pub(crate) fn lines_of<S: AsRef<str>>(texts: &[S], cap: usize) -> LogBuffer {
    let mut b = LogBuffer::new(cap, usize::MAX);
    for t in texts {
        b.push(crate::domain::RawLogEvent {
            id: None,
            ts: 0,
            group: "g".into(),
            stream: "s".into(),
            message: t.as_ref().into(),
        });
    }
    b
}

/// A group or stream name made inert, without a copy in the common (clean) case.
fn clean_name(name: &str) -> std::borrow::Cow<'_, str> {
    if is_clean(name) {
        std::borrow::Cow::Borrowed(name)
    } else {
        std::borrow::Cow::Owned(sanitize(name).into_owned())
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
        b.iter().map(|l| l.text).collect()
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
        assert_eq!(b.get(2).map(|l| l.text), Some("l2"));
        assert_eq!(b.get(4).map(|l| l.seq), Some(4));
        assert_eq!(b.get(5), None);
        assert_eq!(b.evicted(), 2);
        let seqs: Vec<u64> = b.iter().map(|l| l.seq).collect();
        assert_eq!(seqs, [2, 3, 4]);
    }

    #[test]
    fn evicts_oldest_past_byte_cap() {
        let per_line = line_cost(10);
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
        assert_eq!(
            texts(&b),
            [
                "1",
                "no id is never a duplicate",
                "no id is never a duplicate",
                "2",
                "3",
                "1 late",
                "4"
            ]
        );
    }

    #[test]
    fn messages_are_sanitized_and_split_on_newlines() {
        let mut b = LogBuffer::new(100, usize::MAX);
        b.push(ev(None, "plain\n"));
        b.push(ev(None, "crlf\r\n"));
        b.push(ev(None, "Traceback:\r\n  at x\n\n  at \x1b[1my\x1b[0m\n"));
        assert_eq!(
            texts(&b),
            [
                "plain",
                "crlf",
                "Traceback:",
                "  at x",
                "",
                "  at ␛[1my␛[0m"
            ]
        );
        let seqs: Vec<u64> = b.iter().map(|l| l.seq).collect();
        assert_eq!(seqs, [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn names_are_interned() {
        let mut b = LogBuffer::new(100, usize::MAX);
        b.push(ev(None, "a"));
        b.push(ev(None, "b"));
        let (x, y) = (
            b.get(0).map(|l| l.group.as_ptr()),
            b.get(1).map(|l| l.group.as_ptr()),
        );
        assert!(x.is_some() && x == y);
    }

    #[test]
    fn range_is_clamped_to_what_is_buffered() {
        let mut b = LogBuffer::new(3, usize::MAX);
        for i in 0..6 {
            b.push(ev(None, &i.to_string()));
        }
        let got: Vec<&str> = b.range(0..100).map(|l| l.text).collect();
        assert_eq!(got, ["3", "4", "5"]);
        let got: Vec<&str> = b.range(4..5).map(|l| l.text).collect();
        assert_eq!(got, ["4"]);
        assert_eq!(b.range(7..9).count(), 0);
        #[allow(clippy::reversed_empty_ranges)] // an empty request is clamped, not a panic
        let backwards = 5..2;
        assert_eq!(b.range(backwards).count(), 0);
        assert_eq!(b.last_seq(), Some(5));
    }

    #[test]
    fn text_spans_blocks_and_eviction_frees_them() {
        // 60 KB lines: about 17 per 1 MiB block.
        let mut b = LogBuffer::new(40, usize::MAX);
        for i in 0..100 {
            b.push(ev(None, &format!("{i:04}{}", "x".repeat(60_000))));
        }
        assert_eq!((b.first_seq(), b.len()), (60, 40));
        assert!(
            b.blocks.len() <= 4,
            "blocks of evicted lines are freed: {}",
            b.blocks.len()
        );
        for line in b.iter() {
            assert!(
                line.text.starts_with(&format!("{:04}", line.seq)) && line.text.len() == 60_004
            );
        }
        // Runs cover the range in order, one per block: the lines joined by newlines.
        let runs: Vec<Run> = b.runs(0..1_000).collect();
        assert!(runs.len() >= 3);
        assert_eq!(runs.first().map(|r| r.first_seq), Some(60));
        assert_eq!(runs.last().map(|r| r.end_seq), Some(100));
        for w in runs.windows(2) {
            assert_eq!(w[0].end_seq, w[1].first_seq);
        }
        for run in &runs {
            let lines: Vec<&str> = b
                .range(run.first_seq..run.end_seq)
                .map(|l| l.text)
                .collect();
            assert_eq!(run.text, lines.join("\n"));
        }
        // A run can start and end mid-block.
        let mid: Vec<Run> = b.runs(61..63).collect();
        assert_eq!(mid.len(), 1);
        assert_eq!(mid[0].text.len(), 2 * 60_004 + 1);
        assert!(mid[0].text.starts_with("0061") && mid[0].text[60_005..].starts_with("0062"));
    }

    #[test]
    fn clear_keeps_seqs_rising_and_forgets_ids() {
        let mut b = LogBuffer::new(10, usize::MAX);
        b.push(ev(Some("x"), "a"));
        b.push(ev(Some("y"), "b"));
        b.clear();
        assert!(b.is_empty());
        assert_eq!(
            (b.first_seq(), b.next_seq(), b.bytes(), b.last_seq()),
            (2, 2, 0, None)
        );
        assert!(b.push(ev(Some("x"), "a")));
        assert_eq!(b.get(2).map(|l| l.text), Some("a"));
    }
}
