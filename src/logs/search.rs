//! Search over the log buffer: a query compiled once, hits kept as sorted seqs, new lines scanned
//! as they arrive, and a query change rescanned in slices so typing never stalls the UI.
//!
//! A slice is cut into chunks scanned on every core at once (`parallel`), and a query whose
//! matches must contain one of a few literals is scanned by finding those literals with
//! `memmem` and running the regex only on the lines that hold one (`prefilter`).

use std::collections::VecDeque;
use std::ops::Range;

use regex::{Regex, RegexBuilder};

use super::buffer::{LogBuffer, Run};
use super::parallel;
use super::prefilter::Prefilter;
use super::scope::Scope;

/// A bound on compiled program size: a pathological pattern fails to compile (and falls back to
/// a literal search) instead of eating memory.
const REGEX_SIZE_LIMIT: usize = 4 * 1024 * 1024;

/// Hits are "dense" above one line in this many: a per-line test is then cheaper than
/// restarting a pass over the run after each hit (measured on nginx logs).
const DENSE: u64 = 8;

/// A compiled search query.
#[derive(Debug, Clone)]
pub struct Query {
    text: String,
    regex: Regex,
    /// Why the text is not a valid regex; the search then runs on the literal text.
    error: Option<String>,
    case_insensitive: bool,
    /// The pattern means the same over a run of lines joined by `\n` as over each line (see
    /// [`Query::scan_run`]): no `\A`/`\z`, no inline flags that could turn multi-line off.
    run_safe: bool,
    /// The literals a matching line must contain, when the pattern requires a few.
    prefilter: Option<Prefilter>,
}

impl Query {
    /// Compiles `text` as a regex with smart case (case-insensitive unless the pattern has an
    /// uppercase letter outside an escape). An invalid pattern keeps its error and searches for
    /// the literal text instead. `None` for an empty query.
    pub fn compile(text: &str) -> Option<Query> {
        if text.is_empty() {
            return None;
        }
        let case_insensitive = !has_uppercase_literal(text);
        match build(text, case_insensitive) {
            Ok(regex) => Some(Query {
                text: text.to_string(),
                regex,
                error: None,
                case_insensitive,
                run_safe: !(text.contains("\\A") || text.contains("\\z") || text.contains("(?")),
                prefilter: Prefilter::new(text, case_insensitive),
            }),
            Err(e) => {
                let literal_ci = !text.chars().any(char::is_uppercase);
                let escaped = regex::escape(text);
                let regex = build(&escaped, literal_ci).ok()?;
                Some(Query {
                    text: text.to_string(),
                    regex,
                    error: Some(short_error(&e)),
                    case_insensitive: literal_ci,
                    run_safe: true,
                    prefilter: Prefilter::new(&escaped, literal_ci),
                })
            }
        }
    }

    /// Compiles `text` case-sensitively, whatever its letters: for presets written for the
    /// exact output of a program, where a literal prefilter makes the search about twice as fast.
    pub fn compile_exact(text: &str) -> Option<Query> {
        let mut q = Query::compile(text)?;
        if q.case_insensitive && q.error.is_none() {
            q.regex = build(text, false).ok()?;
            q.case_insensitive = false;
            q.prefilter = Prefilter::new(text, false);
        }
        Some(q)
    }

    /// The text the user typed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The regex error when the search fell back to the literal text.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn is_case_insensitive(&self) -> bool {
        self.case_insensitive
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// Pushes onto `hits` the seqs of the matching lines of `run`, in order.
    ///
    /// One regex pass over the run instead of a call per line (much faster when hits are few):
    /// the earliest match end is found, the line holding it is checked on its own (a match may
    /// have begun on an earlier line across the `\n`, which a per-line search would not see),
    /// and the pass resumes at the next line. No line before the one found can match: its
    /// match would end earlier. `^` and `$` match at line boundaries (multi-line mode) and `\b`
    /// sees `\n` as the line's end, so a line matches here exactly when it matches alone.
    ///
    /// Each restart of the pass costs several times a per-line test, so once hits are dense
    /// (more than one line in `DENSE`) the rest of the run is tested line by line.
    ///
    /// With a prefilter, only the lines holding one of its literals are tested (see
    /// `Prefilter`), whatever the density of hits.
    pub fn scan_run(&self, buf: &LogBuffer, run: &Run, hits: &mut VecDeque<u64>) {
        self.scan_run_into(buf, run, &mut Vec::new(), hits);
    }

    /// [`Query::scan_run`] with a scratch buffer kept from run to run (a case-insensitive
    /// prefilter lowercases a copy of the run into it), into any collection of seqs.
    pub(super) fn scan_run_into(
        &self,
        buf: &LogBuffer,
        run: &Run,
        scratch: &mut Vec<u8>,
        hits: &mut impl Extend<u64>,
    ) {
        if let Some(pf) = &self.prefilter {
            pf.scan(run.text, run.first_seq, &self.regex, scratch, hits);
            return;
        }
        if !self.run_safe {
            self.scan_lines(buf, run.first_seq..run.end_seq, hits);
            return;
        }
        let text = run.text;
        // `pos` is the start of line `seq`.
        let (mut pos, mut seq, mut found) = (0usize, run.first_seq, 0u64);
        while pos <= text.len() {
            if found >= 16 && found * DENSE > seq - run.first_seq {
                self.scan_lines(buf, seq..run.end_seq, hits);
                return;
            }
            let Some(end) = self.regex.shortest_match_at(text, pos) else {
                break;
            };
            let at = if end > pos { end - 1 } else { end };
            // The line holding `at`: both ends are found near `at`, in memory just read.
            // Bytes, not chars: `at` may fall inside a multi-byte character.
            let bytes = text.as_bytes();
            let line_start = bytes[pos..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(pos, |i| pos + i + 1);
            let line_end = bytes[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(text.len(), |i| at + i);
            seq += bytes[pos..line_start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            // Both ends are next to a newline (or the run's ends), so they are char boundaries.
            if text
                .get(line_start..line_end)
                .is_some_and(|line| self.regex.is_match(line))
            {
                hits.extend(Some(seq));
                found += 1;
            }
            pos = line_end + 1;
            seq += 1;
        }
    }

    /// Tests each line alone. The buffer knows where each line is: faster than splitting the
    /// run's text on newlines again.
    fn scan_lines(&self, buf: &LogBuffer, seqs: Range<u64>, hits: &mut impl Extend<u64>) {
        for line in buf.range(seqs) {
            if self.regex.is_match(line.text) {
                hits.extend(Some(line.seq));
            }
        }
    }

    /// Byte ranges of the non-empty matches in `text` (for highlighting a visible line).
    pub fn find_ranges(&self, text: &str) -> Vec<Range<usize>> {
        self.regex
            .find_iter(text)
            .filter(|m| !m.is_empty())
            .map(|m| m.range())
            .collect()
    }
}

fn build(pattern: &str, case_insensitive: bool) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        // Alone on a line this changes nothing; over a run of lines it keeps ^ and $ per line.
        .multi_line(true)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
}

/// One line of a regex error: the "error: ..." line of a syntax error, or the first line.
fn short_error(e: &regex::Error) -> String {
    let full = e.to_string();
    let line = full
        .lines()
        .find_map(|l| l.trim().strip_prefix("error:"))
        .or_else(|| full.lines().next())
        .unwrap_or("invalid pattern");
    line.trim().to_string()
}

/// True when the pattern has an uppercase letter the user typed as a literal: escapes such as
/// `\S`, `\W`, `\B`, `\A`, and the insides of `\p{..}` / `\x{..}`, do not count.
fn has_uppercase_literal(pattern: &str) -> bool {
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            let escaped = chars.next();
            if matches!(escaped, Some('p' | 'P' | 'x' | 'u' | 'U')) && chars.peek() == Some(&'{') {
                for inner in chars.by_ref() {
                    if inner == '}' {
                        break;
                    }
                }
            } else if matches!(escaped, Some('p' | 'P')) {
                chars.next(); // one-letter class such as \pL
            }
            continue;
        }
        if c.is_uppercase() {
            return true;
        }
    }
    false
}

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
        let mut b = LogBuffer::new(cap, usize::MAX);
        for l in lines {
            b.push(RawLogEvent {
                id: None,
                ts: 0,
                group: "g".into(),
                stream: "s".into(),
                message: (*l).into(),
            });
        }
        b
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
