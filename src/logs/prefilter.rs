//! A literal prefilter for the log search: the literals every match must contain, found with
//! `memchr::memmem` over a run's bytes, so the regex runs only on the lines that hold one.
//!
//! The regex crate has literal optimizations of its own, but they work per search: once hits
//! are dense (the 5xx preset matches one line in six) the search restarts for every line, and a
//! smart-case query defeats them. Here the literals are extracted once from the pattern
//! (`regex-syntax`), each is searched with its own `memmem` finder that only ever moves forward
//! over the run, and a line without any of them is never looked at again.
//!
//! Sound, not clever: a line is skipped only when it cannot match. A needle that is *exact*
//! (a whole match of the pattern, no `^`/`$`/`\b` in the pattern) makes the line a hit without
//! running the regex at all.

use aho_corasick::Span;
use aho_corasick::packed;
use memchr::memmem::Finder;
use regex::Regex;
use regex_syntax::ParserBuilder;
use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
use regex_syntax::hir::{Hir, HirKind};

/// More needles than this and one pass per needle costs more than the regex's own search.
const MAX_NEEDLES: usize = 8;
/// A needle shorter than this is too common in log text to skip anything.
const MIN_NEEDLE: usize = 2;
/// Classes up to this many characters are expanded into literals (`[ab]c`); `[0-9]` is not.
const LIMIT_CLASS: usize = 4;

/// The literals a matching line must contain.
#[derive(Debug, Clone)]
pub(crate) struct Prefilter {
    finders: Vec<Finder<'static>>,
    /// Several needles found in one pass (Teddy, as the regex crate uses), when the CPU has it;
    /// otherwise one `memmem` pass per needle.
    packed: Option<packed::Searcher>,
    /// A needle found in a line means the line matches: the regex need not run.
    exact: bool,
    /// The needles are ASCII lowercase and are searched in an ASCII-lowercased copy of the run
    /// (a case-insensitive query).
    fold: bool,
}

impl Prefilter {
    /// The prefilter of `pattern` as the search compiles it (multi-line, `case_insensitive` as
    /// given), or `None` when no useful set of literals is required (`\w+`, `a|.*`, `x`).
    pub(crate) fn new(pattern: &str, case_insensitive: bool) -> Option<Prefilter> {
        // Parsed case-sensitively even for a case-insensitive query: the literals are then
        // searched ASCII-case-insensitively (see `fold_needles`).
        let hir = ParserBuilder::new()
            .multi_line(true)
            .build()
            .parse(pattern)
            .ok()?;
        let (mut needles, mut exact) = needles_of(&hir)?;
        if case_insensitive {
            // An inline flag could turn case sensitivity back on for part of the pattern: the
            // folded needle still finds every match, but is no longer a whole one.
            exact &= !pattern.contains("(?");
            (needles, exact) = fold_needles(needles, exact)?;
        }
        let packed = (needles.len() > 1)
            .then(|| packed::Searcher::new(&needles))
            .flatten();
        Some(Prefilter {
            packed,
            finders: needles
                .iter()
                .map(|n| Finder::new(n).into_owned())
                .collect(),
            exact,
            fold: case_insensitive,
        })
    }

    #[cfg(test)]
    pub(crate) fn needles(&self) -> Vec<&[u8]> {
        self.finders.iter().map(Finder::needle).collect()
    }

    #[cfg(test)]
    pub(crate) fn is_exact(&self) -> bool {
        self.exact
    }

    /// Adds the seqs of the lines of `text` (lines joined by `\n`, the first one `first_seq`)
    /// that `regex` matches, in order. `scratch` holds the lowercased copy for a folded search
    /// and is reused from run to run: nothing is allocated per line.
    pub(crate) fn scan(
        &self,
        text: &str,
        first_seq: u64,
        regex: &Regex,
        scratch: &mut Vec<u8>,
        hits: &mut impl Extend<u64>,
    ) {
        let bytes = text.as_bytes();
        let hay: &[u8] = if self.fold {
            scratch.clear();
            scratch.extend_from_slice(bytes);
            scratch.make_ascii_lowercase();
            scratch
        } else {
            bytes
        };
        let k = self.finders.len();
        // Where each needle next occurs (usize::MAX: no more). Each finder only moves forward,
        // so a run costs at most one pass per needle.
        let mut next = [0usize; MAX_NEEDLES];
        // The first needle at or after `from`.
        let mut find = |from: usize| -> usize {
            if let Some(p) = &self.packed {
                return p
                    .find_in(hay, Span::from(from..hay.len()))
                    .map_or(usize::MAX, |m| m.start());
            }
            for (n, f) in next[..k].iter_mut().zip(&self.finders) {
                if *n < from || from == 0 {
                    *n = f.find(&hay[from..]).map_or(usize::MAX, |i| from + i);
                }
            }
            next[..k].iter().copied().min().unwrap_or(usize::MAX)
        };
        // `pos` is the start of line `seq`.
        let (mut pos, mut seq) = (0usize, first_seq);
        loop {
            let at = find(pos);
            if at == usize::MAX {
                break;
            }
            // The line holding the needle. Needles hold no `\n`, so it is whole in this line.
            let start = memchr::memrchr(b'\n', &bytes[pos..at]).map_or(pos, |i| pos + i + 1);
            let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
            seq += memchr::memchr_iter(b'\n', &bytes[pos..start]).count() as u64;
            // Both ends are next to a newline or the run's ends: char boundaries.
            if self.exact || text.get(start..end).is_some_and(|l| regex.is_match(l)) {
                hits.extend(Some(seq));
            }
            pos = end + 1;
            seq += 1;
            if pos >= bytes.len() {
                break;
            }
        }
    }
}

/// The needles of a pattern and whether finding one means a match: the prefixes every match
/// starts with, else the suffixes every match ends with, else the literals of the best piece
/// of a top-level concatenation (`\d+ upstream \d+`: every match contains " upstream ").
fn needles_of(hir: &Hir) -> Option<(Vec<Vec<u8>>, bool)> {
    // Look-arounds extract as the empty string: with one, a needle is never a whole match.
    let no_look = hir.properties().look_set().is_empty();
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        if let Some((needles, exact)) = usable(extractor(kind).extract(hir)) {
            return Some((needles, exact && no_look));
        }
    }
    let mut top = hir;
    while let HirKind::Capture(c) = top.kind() {
        top = &c.sub;
    }
    let HirKind::Concat(parts) = top.kind() else {
        return None;
    };
    parts
        .iter()
        .filter_map(|p| usable(extractor(ExtractKind::Prefix).extract(p)))
        .map(|(needles, _)| needles)
        // The rarest set is the one with the longest shortest needle, then the fewest.
        .max_by_key(|n| {
            let shortest = n.iter().map(Vec::len).min().unwrap_or(0);
            (shortest, std::cmp::Reverse(n.len()))
        })
        .map(|needles| (needles, false))
}

fn extractor(kind: ExtractKind) -> Extractor {
    let mut e = Extractor::new();
    e.kind(kind).limit_class(LIMIT_CLASS).limit_total(64);
    e
}

/// The needles of a finite sequence when they are few and long enough to be worth a pass each,
/// with whether all of them are exact.
fn usable(mut seq: Seq) -> Option<(Vec<Vec<u8>>, bool)> {
    seq.dedup();
    let lits = seq.literals()?;
    let exact = lits.iter().all(|l| l.is_exact());
    let needles = minimal(lits.iter().map(|l| l.as_bytes().to_vec()).collect());
    // A needle with a newline could only match across lines, which the search never does: the
    // regex path handles such odd patterns rather than reasoning about them here.
    let ok = !needles.is_empty()
        && needles.len() <= MAX_NEEDLES
        && needles
            .iter()
            .all(|n| n.len() >= MIN_NEEDLE && !n.contains(&b'\n'));
    ok.then_some((needles, exact))
}

/// Drops a needle that contains another (a line holding it holds the other), and duplicates.
fn minimal(mut needles: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    needles.sort_by_key(Vec::len);
    let mut out: Vec<Vec<u8>> = Vec::with_capacity(needles.len());
    for n in needles {
        if !out.iter().any(|o| memchr::memmem::find(&n, o).is_some()) {
            out.push(n);
        }
    }
    out
}

/// Needles for a case-insensitive search of an ASCII-lowercased copy of the text.
///
/// With simple case folding (the regex crate's), an ASCII letter other than `k` and `s` matches
/// only itself in either case, and no other ASCII byte matches anything but itself; `k` also
/// matches the Kelvin sign and `s` the long s, and a non-ASCII letter has non-ASCII partners.
/// So a needle made only of such "plain" bytes is found exactly in the lowercased copy; any
/// other needle is replaced by its longest plain piece, which every match still contains.
fn fold_needles(needles: Vec<Vec<u8>>, mut exact: bool) -> Option<(Vec<Vec<u8>>, bool)> {
    let plain = |b: &u8| b.is_ascii() && !matches!(b.to_ascii_lowercase(), b'k' | b's');
    let mut out = Vec::with_capacity(needles.len());
    for n in needles {
        if !n.iter().all(plain) {
            exact = false;
        }
        let piece = n
            .split(|b| !plain(b))
            .max_by_key(|p| p.len())
            .unwrap_or_default();
        if piece.len() < MIN_NEEDLE {
            return None;
        }
        out.push(piece.to_ascii_lowercase());
    }
    Some((minimal(out), exact))
}
