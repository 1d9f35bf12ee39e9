//! A search query: the text the person typed, compiled once with smart case (a literal search
//! when it is not a valid regex), and the scan of a run of buffered lines for its matches.
//!
//! A query whose matches must contain one of a few literals is scanned by finding those literals
//! with `memmem` and running the regex only on the lines that hold one (`prefilter`). The
//! search state that keeps the hits is `search.rs`; its tests cover the query through it.

use std::collections::VecDeque;
use std::ops::Range;

use regex::{Regex, RegexBuilder};

use super::buffer::{LogBuffer, Run};
use super::prefilter::Prefilter;

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
