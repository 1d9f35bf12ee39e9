//! Search over the log buffer: a query (`query.rs`) compiled once, hits kept as sorted seqs,
//! new lines scanned as they arrive, and a query change rescanned in slices so typing never
//! stalls the UI. A slice is cut into chunks scanned on every core at once (`parallel`).

use std::collections::VecDeque;

use super::buffer::LogBuffer;
use super::parallel;
use super::query::Query;
use super::scope::Scope;

/// The search state: the query, its hits (sorted seqs), and how far the buffer is scanned; and
/// the scope ("only this instance"), when one is set: hits are then the matching lines of the
/// instance only.
#[derive(Debug, Default)]
pub struct Search {
    query: Option<Query>,
    /// Sorted, unique seqs of matching lines. Evicted seqs are dropped lazily by `prune`.
    hits: VecDeque<u64>,
    scope: Option<Scope>,
    /// Every buffered line with a seq below this has been scanned for the current query.
    scanned_to: u64,
    /// Where the running rescan began (for the progress figure).
    rescan_from: u64,
    /// True from a query change until the rescan reaches the end of the buffer.
    rescanning: bool,
    /// The current hit (what `n`/`N` moved to); a seq.
    current: Option<u64>,
}

impl Search {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn query(&self) -> Option<&Query> {
        self.query.as_ref()
    }

    /// The instance the lines are narrowed to, if any.
    pub fn scope(&self) -> Option<&Scope> {
        self.scope.as_ref()
    }

    /// Narrows the lines to one instance (or stream), or widens them again. The scope reads the
    /// whole buffer at once (a pointer comparison a line); the hits are searched again.
    pub fn set_scope(&mut self, instance: Option<&str>, buf: &LogBuffer) {
        self.scope = instance.map(|i| {
            let mut s = Scope::new(i);
            s.catch_up(buf);
            s
        });
        let query = self.query.take();
        self.set_query(query, buf);
    }

    /// Replaces the query; hits are cleared and a rescan of the whole buffer begins (driven by
    /// [`Search::step`]).
    pub fn set_query(&mut self, query: Option<Query>, buf: &LogBuffer) {
        self.query = query;
        self.hits.clear();
        self.current = None;
        self.scanned_to = buf.first_seq();
        self.rescan_from = buf.first_seq();
        self.rescanning = self.query.is_some();
    }

    /// Scans up to `budget` lines not yet scanned. Returns true when the buffer is fully scanned.
    pub fn step(&mut self, buf: &LogBuffer, budget: usize) -> bool {
        self.prune(buf);
        // The scope is always read to the newest line: the hits below are checked against it.
        if let Some(scope) = &mut self.scope {
            scope.catch_up(buf);
        }
        let Some(query) = &self.query else {
            self.rescanning = false;
            return true;
        };
        let start = self.scanned_to.max(buf.first_seq());
        let end = buf.next_seq().min(start.saturating_add(budget as u64));
        // Split over the cores and joined before returning: a slice blocks the loop for less
        // time than a serial one did.
        match &self.scope {
            None => parallel::scan(query, buf, start..end, &mut self.hits),
            Some(scope) => {
                let mut found = VecDeque::new();
                parallel::scan(query, buf, start..end, &mut found);
                // Both sorted: one merge walk keeps the hits that are the instance's lines.
                let members = scope.members();
                let mut m = members
                    .range(members.partition_point(|&s| s < start)..)
                    .peekable();
                for h in found {
                    while m.next_if(|&&s| s < h).is_some() {}
                    if m.peek() == Some(&&h) {
                        self.hits.push_back(h);
                    }
                }
            }
        }
        self.scanned_to = end;
        let done = end >= buf.next_seq();
        if done {
            self.rescanning = false;
        }
        done
    }

    /// Scans lines that just arrived, unless a rescan is under way (it will reach them).
    pub fn on_append(&mut self, buf: &LogBuffer) {
        if self.rescanning {
            self.prune(buf);
            if let Some(scope) = &mut self.scope {
                scope.catch_up(buf);
            }
        } else {
            self.step(buf, usize::MAX);
        }
    }

    /// Drops hits (and the current hit) whose lines were evicted.
    pub fn prune(&mut self, buf: &LogBuffer) {
        let first = buf.first_seq();
        let gone = self.hits.partition_point(|&h| h < first);
        self.hits.drain(..gone);
        if let Some(scope) = &mut self.scope {
            scope.prune(buf);
        }
        if self.current.is_some_and(|c| c < first) {
            self.current = None;
        }
    }

    /// True while a rescan after a query change has not reached the end of the buffer.
    pub fn is_scanning(&self) -> bool {
        self.rescanning
    }

    /// Percentage of the rescan done, while one is under way.
    pub fn progress(&self, buf: &LogBuffer) -> Option<u8> {
        if !self.rescanning {
            return None;
        }
        let from = self.rescan_from.max(buf.first_seq());
        let total = buf.next_seq().saturating_sub(from);
        if total == 0 {
            return Some(100);
        }
        let done = self.scanned_to.max(from) - from;
        Some(((done * 100) / total).min(99) as u8)
    }

    /// Sorted seqs of the matching lines found so far.
    pub fn hits(&self) -> &VecDeque<u64> {
        &self.hits
    }

    pub fn is_hit(&self, seq: u64) -> bool {
        self.hits.binary_search(&seq).is_ok()
    }

    /// Hits at or after `seq` (for the "+N new" counter in filter mode).
    pub fn hits_from(&self, seq: u64) -> usize {
        self.hits.len() - self.hits.partition_point(|&h| h < seq)
    }

    pub fn current(&self) -> Option<u64> {
        self.current
    }

    pub fn set_current(&mut self, seq: Option<u64>) {
        self.current = seq;
    }

    /// 1-based index of the current hit among the hits.
    pub fn current_index(&self) -> Option<usize> {
        let c = self.current?;
        self.hits.binary_search(&c).ok().map(|i| i + 1)
    }

    /// The first hit after `seq`, wrapping to the first hit.
    pub fn next_after(&self, seq: u64) -> Option<u64> {
        let i = self.hits.partition_point(|&h| h <= seq);
        self.hits.get(i).or_else(|| self.hits.front()).copied()
    }

    /// The last hit before `seq`, wrapping to the last hit.
    pub fn prev_before(&self, seq: u64) -> Option<u64> {
        let i = self.hits.partition_point(|&h| h < seq);
        i.checked_sub(1)
            .and_then(|i| self.hits.get(i))
            .or_else(|| self.hits.back())
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RawLogEvent;

    fn buf_with(lines: &[&str], cap: usize) -> LogBuffer {
        super::super::buffer::lines_of(lines, cap)
    }

    fn full_scan(q: &str, b: &LogBuffer) -> Vec<u64> {
        let mut s = Search::new();
        s.set_query(Query::compile(q), b);
        assert!(s.step(b, usize::MAX));
        s.hits().iter().copied().collect()
    }

    #[test]
    fn regex_search_finds_matching_lines() {
        let b = buf_with(
            &["GET /a 200", "GET /b 502", "POST /c 503", "GET /d 404"],
            100,
        );
        assert_eq!(full_scan(r" 50\d$", &b), [1, 2]);
        assert_eq!(full_scan("^get", &b), [0, 1, 3]);
    }

    #[test]
    fn smart_case() {
        let b = buf_with(&["Error one", "error two", "ERROR three"], 100);
        assert_eq!(full_scan("error", &b), [0, 1, 2]);
        assert_eq!(full_scan("Error", &b), [0]);
        // Escapes are not literal uppercase letters: still case-insensitive.
        assert_eq!(full_scan(r"\Berror\S*", &b), Vec::<u64>::new());
        assert_eq!(full_scan(r"^error\s\S+", &b), [0, 1, 2]);
        assert_eq!(full_scan(r"\p{Lu}RROR", &b), [2]);
        assert!(Query::compile(r"\w+\S\D").is_some_and(|q| q.is_case_insensitive()));
        assert!(Query::compile(r"\p{Greek}x").is_some_and(|q| q.is_case_insensitive()));
        assert!(!Query::compile("eRr").is_some_and(|q| q.is_case_insensitive()));
        let exact = Query::compile_exact("error").expect("valid");
        assert!(
            !exact.is_case_insensitive() && exact.is_match("error") && !exact.is_match("ERROR")
        );
    }

    #[test]
    fn run_scan_agrees_with_matching_each_line_alone() {
        let lines = [
            "xa",
            "b",
            "a b",
            "foo",
            "foobar",
            "",
            "end a",
            "b start",
            "a",
            "  b",
            "ERR",
            "x\ty",
            "café",
            "naïve é",
            "日本語",
        ];
        // Repeated, so that dense patterns switch to per-line tests part-way through.
        let lines: Vec<&str> = lines
            .iter()
            .copied()
            .cycle()
            .take(lines.len() * 20)
            .collect();
        let b = buf_with(&lines, 1_000);
        let patterns = [
            r"a\sb", r"a\s*b", r"^b", r"a$", r"^$", r"\bfoo\b", r"[^x]+", r"(?s)a.b", r"\Aa",
            r"a\z", r"(?-m)^b", "b|^a", r"\n", r"x\W", "", "o*", r"\s", r"^\s*$", "err", "é", "é$",
            r"\w+é", "本語", r"\S$",
        ];
        for p in patterns {
            let Some(q) = Query::compile(p) else { continue };
            let expected: Vec<u64> = b
                .iter()
                .filter(|l| q.is_match(l.text))
                .map(|l| l.seq)
                .collect();
            assert_eq!(full_scan(p, &b), expected, "pattern {p:?}");
        }
    }

    #[test]
    fn invalid_regex_falls_back_to_literal() {
        let b = buf_with(&["connect() failed (111", "connect failed", "a(b"], 100);
        let q = Query::compile("failed (111");
        assert!(q.as_ref().is_some_and(|q| q.error().is_some()));
        assert_eq!(full_scan("failed (111", &b), [0]);
        assert_eq!(full_scan("a(", &b), [2]);
        // The error is one short line, suitable for the input row.
        let err = Query::compile("(")
            .and_then(|q| q.error().map(str::to_string))
            .unwrap_or_default();
        assert!(!err.is_empty() && !err.contains('\n'), "{err:?}");
    }

    #[test]
    fn empty_query_is_no_search() {
        assert!(Query::compile("").is_none());
        let b = buf_with(&["x"], 10);
        let mut s = Search::new();
        s.set_query(None, &b);
        assert!(s.step(&b, 10));
        assert!(s.hits().is_empty() && !s.is_scanning());
    }

    #[test]
    fn find_ranges_skips_empty_matches() {
        let q = Query::compile("a*").expect("valid");
        assert_eq!(q.find_ranges("baab a"), [1..3, 5..6]);
    }

    #[test]
    fn incremental_rescan_in_slices_equals_full_scan() {
        let lines: Vec<String> = (0..1_000)
            .map(|i| format!("line {i} status {}", 200 + (i * 37) % 400))
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let b = buf_with(&refs, 10_000);
        let expected = full_scan(r"status 5\d\d", &b);
        assert!(!expected.is_empty());
        for budget in [1, 7, 100, 999] {
            let mut s = Search::new();
            s.set_query(Query::compile(r"status 5\d\d"), &b);
            let mut steps = 0;
            while !s.step(&b, budget) {
                steps += 1;
                assert!(s.is_scanning());
                assert!(s.progress(&b).is_some_and(|p| p < 100));
            }
            assert_eq!(steps, 1_000usize.div_ceil(budget) - 1);
            assert!(!s.is_scanning() && s.progress(&b).is_none());
            assert_eq!(
                s.hits().iter().copied().collect::<Vec<_>>(),
                expected,
                "budget {budget}"
            );
        }
    }

    #[test]
    fn lines_arriving_during_a_rescan_are_scanned_once() {
        let mut b = buf_with(&["hit 0", "miss", "hit 2"], 100);
        let mut s = Search::new();
        s.set_query(Query::compile("hit"), &b);
        s.step(&b, 1);
        b.push(RawLogEvent {
            id: None,
            ts: 0,
            group: "g".into(),
            stream: "s".into(),
            message: "hit 3".into(),
        });
        s.on_append(&b); // rescanning: left to the rescan
        while !s.step(&b, 1) {}
        assert_eq!(s.hits().iter().copied().collect::<Vec<_>>(), [0, 2, 3]);
        b.push(RawLogEvent {
            id: None,
            ts: 0,
            group: "g".into(),
            stream: "s".into(),
            message: "hit 4".into(),
        });
        s.on_append(&b); // caught up: scanned on arrival
        assert_eq!(s.hits().iter().copied().collect::<Vec<_>>(), [0, 2, 3, 4]);
    }

    #[test]
    fn hits_after_eviction_are_dropped() {
        let mut b = buf_with(&["hit a", "x", "hit b", "hit c"], 4);
        let mut s = Search::new();
        s.set_query(Query::compile("hit"), &b);
        s.step(&b, usize::MAX);
        s.set_current(Some(0));
        for m in ["y", "hit d", "z"] {
            b.push(RawLogEvent {
                id: None,
                ts: 0,
                group: "g".into(),
                stream: "s".into(),
                message: m.into(),
            });
            s.on_append(&b);
        }
        // Buffer now holds seqs 3..=6: "hit c", "y", "hit d", "z".
        assert_eq!(b.first_seq(), 3);
        assert_eq!(s.hits().iter().copied().collect::<Vec<_>>(), [3, 5]);
        assert_eq!(s.current(), None);
        assert_eq!(s.next_after(3), Some(5));
        assert_eq!(s.next_after(5), Some(3)); // wraps
        assert_eq!(s.prev_before(3), Some(5)); // wraps
        assert_eq!(s.prev_before(6), Some(5));
        s.set_current(Some(5));
        assert_eq!(s.current_index(), Some(2));
        assert_eq!(s.hits_from(4), 1);
    }
}
