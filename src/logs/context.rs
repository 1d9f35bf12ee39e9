//! Which lines the pane shows: every buffered line, or (filter mode) the hits with `C` lines of
//! context around each, like `grep -C`. Overlapping or touching windows merge; a gap between two
//! windows is where a separator row goes.
//!
//! Nothing here builds the list of visible lines: with a million hits that would cost a frame.
//! Instead each question (is this line shown? which shown line comes next?) is a binary search
//! over the sorted hits, so drawing and scrolling cost O(rows · log hits).

use std::collections::VecDeque;

use super::buffer::LogBuffer;

/// A step to a neighbouring shown line: its seq, and whether lines are skipped on the way (a
/// separator row is drawn between the two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub seq: u64,
    pub gap: bool,
}

/// The shown lines of a buffer, with or without the filter, of every instance or of one.
///
/// The lines a view can show are its *universe*: every buffered line, or the lines of one
/// instance (the scope's sorted seqs). Context is counted in the universe's own lines, so the
/// two lines around a hit of one instance are that instance's lines, and a separator means
/// lines of the universe were skipped, not lines of other instances.
#[derive(Debug, Clone, Copy)]
pub struct VisibleLines<'a> {
    first: u64,
    /// One past the newest buffered seq.
    end: u64,
    /// `Some(seqs)` when only these lines can be shown (sorted; evicted ones are ignored).
    universe: Option<&'a VecDeque<u64>>,
    /// `Some((hits, context))` in filter mode. Hits must be sorted and in the universe.
    filter: Option<(&'a VecDeque<u64>, u64)>,
}

impl<'a> VisibleLines<'a> {
    /// All buffered lines.
    pub fn all(buf: &LogBuffer) -> Self {
        Self::new(buf, None, None)
    }

    /// Hits and `context` lines around each.
    pub fn filtered(buf: &LogBuffer, hits: &'a VecDeque<u64>, context: usize) -> Self {
        Self::new(buf, None, Some((hits, context)))
    }

    /// The lines of `universe` only (one instance's), and with a filter the hits among them
    /// with `context` of their lines around each.
    pub fn new(
        buf: &LogBuffer,
        universe: Option<&'a VecDeque<u64>>,
        filter: Option<(&'a VecDeque<u64>, usize)>,
    ) -> Self {
        Self {
            first: buf.first_seq(),
            end: buf.next_seq(),
            universe,
            filter: filter.map(|(h, c)| (h, c as u64)),
        }
    }

    pub fn is_filtered(&self) -> bool {
        self.filter.is_some()
    }

    // --- the universe: every seq in `first..end`, or the listed ones -------------------------

    /// True when the buffered line `seq` can be shown.
    fn member(&self, seq: u64) -> bool {
        seq >= self.first
            && seq < self.end
            && self.universe.is_none_or(|u| u.binary_search(&seq).is_ok())
    }

    /// The first line of the universe at or after `c`.
    fn at_or_after(&self, c: u64) -> Option<u64> {
        let c = c.max(self.first);
        let m = match self.universe {
            None => c,
            Some(u) => *u.get(u.partition_point(|&s| s < c))?,
        };
        (m < self.end).then_some(m)
    }

    /// The last line of the universe at or before `c`.
    fn at_or_before(&self, c: u64) -> Option<u64> {
        let c = c.min(self.end.checked_sub(1)?);
        let m = match self.universe {
            None => c,
            Some(u) => *u.get(u.partition_point(|&s| s <= c).checked_sub(1)?)?,
        };
        (m >= self.first).then_some(m)
    }

    /// The universe's line right after `seq`, ignoring eviction: where a step forward from
    /// `seq` lands without a gap.
    fn succ(&self, seq: u64) -> Option<u64> {
        match self.universe {
            None => seq.checked_add(1),
            Some(u) => u.get(u.partition_point(|&s| s <= seq)).copied(),
        }
    }

    /// The universe's line right before `seq`, ignoring eviction.
    fn pred(&self, seq: u64) -> Option<u64> {
        match self.universe {
            None => seq.checked_sub(1),
            Some(u) => u
                .get(u.partition_point(|&s| s < seq).checked_sub(1)?)
                .copied(),
        }
    }

    /// `k` lines of the universe before `seq` (as far as there are).
    fn back(&self, seq: u64, k: u64) -> u64 {
        match self.universe {
            None => seq.saturating_sub(k),
            Some(u) => {
                let i = u.partition_point(|&s| s < seq);
                u.get(i.saturating_sub(k as usize)).copied().unwrap_or(seq)
            }
        }
    }

    /// `k` lines of the universe after `seq` (as far as there are).
    fn fwd(&self, seq: u64, k: u64) -> u64 {
        match self.universe {
            None => seq.saturating_add(k),
            Some(u) => {
                let i = u.partition_point(|&s| s < seq);
                let j = i.saturating_add(k as usize).min(u.len().saturating_sub(1));
                u.get(j).copied().unwrap_or(seq).max(seq)
            }
        }
    }

    // --- the shown lines -----------------------------------------------------------------------

    /// True when the line is buffered and shown.
    pub fn is_visible(&self, seq: u64) -> bool {
        if !self.member(seq) {
            return false;
        }
        let Some((hits, ctx)) = self.filter else {
            return true;
        };
        let i = hits.partition_point(|&h| h < self.back(seq, ctx));
        hits.get(i).is_some_and(|&h| h <= self.fwd(seq, ctx))
    }

    /// The oldest shown line.
    pub fn first(&self) -> Option<u64> {
        match self.filter {
            None => self.at_or_after(self.first),
            Some((hits, ctx)) => {
                let i = hits.partition_point(|&h| self.fwd(h, ctx) < self.first);
                let h = *hits.get(i)?;
                self.at_or_after(self.back(h, ctx))
                    .filter(|&s| s <= self.fwd(h, ctx))
            }
        }
    }

    /// The newest shown line.
    pub fn last(&self) -> Option<u64> {
        match self.filter {
            None => self.at_or_before(u64::MAX),
            Some((hits, ctx)) => {
                let i = hits.partition_point(|&h| h < self.end);
                let h = *hits.get(i.checked_sub(1)?)?;
                self.at_or_before(self.fwd(h, ctx))
                    .filter(|&s| s >= self.back(h, ctx))
            }
        }
    }

    /// The shown line after `seq` (`seq` itself need not be shown).
    pub fn next(&self, seq: u64) -> Option<Step> {
        let c = self.at_or_after(seq.checked_add(1)?)?;
        let start = match self.filter {
            None => c,
            Some((hits, ctx)) => {
                let i = hits.partition_point(|&h| h < self.back(c, ctx));
                let h = *hits.get(i)?;
                if h >= self.end {
                    return None;
                }
                self.back(h, ctx).max(c)
            }
        };
        Some(Step {
            seq: start,
            gap: Some(start) != self.succ(seq),
        })
    }

    /// The shown line before `seq` (`seq` itself need not be shown).
    pub fn prev(&self, seq: u64) -> Option<Step> {
        let c = self.at_or_before(seq.checked_sub(1)?)?;
        let stop = match self.filter {
            None => c,
            Some((hits, ctx)) => {
                let i = hits.partition_point(|&h| h <= self.fwd(c, ctx));
                let h = *hits.get(i.checked_sub(1)?)?;
                let stop = self.fwd(h, ctx).min(c);
                if stop < self.first {
                    return None;
                }
                stop
            }
        };
        Some(Step {
            seq: stop,
            gap: Some(stop) != self.pred(seq),
        })
    }

    /// The shown line nearest to `seq`: itself if shown, else the next one, else the previous.
    pub fn nearest(&self, seq: u64) -> Option<u64> {
        if self.is_visible(seq) {
            return Some(seq);
        }
        self.next(seq)
            .map(|s| s.seq)
            .or_else(|| self.prev(seq).map(|s| s.seq))
    }

    /// Moves `n` shown lines from `seq` (back when `back`), stopping at the ends.
    pub fn walk(&self, seq: u64, n: usize, back: bool) -> Option<u64> {
        let mut at = self.nearest(seq)?;
        for _ in 0..n {
            let step = if back { self.prev(at) } else { self.next(at) };
            match step {
                Some(s) => at = s.seq,
                None => break,
            }
        }
        Some(at)
    }

    /// Every shown line in order, with a flag for "a separator comes before this line".
    pub fn iter(&self) -> impl Iterator<Item = Step> + '_ {
        let mut next = self.first().map(|s| Step { seq: s, gap: false });
        std::iter::from_fn(move || {
            let cur = next?;
            next = self.next(cur.seq);
            Some(cur)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buf(n: usize, cap: usize) -> LogBuffer {
        let texts: Vec<String> = (0..n).map(|i| i.to_string()).collect();
        super::super::buffer::lines_of(&texts, cap)
    }

    /// The shown lines as (seq, separator before) pairs, walking forward.
    fn shown(v: &VisibleLines) -> Vec<(u64, bool)> {
        v.iter().map(|s| (s.seq, s.gap)).collect()
    }

    /// The same, walking backward from the end, reversed (must agree with the forward walk).
    fn shown_backward(v: &VisibleLines) -> Vec<(u64, bool)> {
        let mut out = Vec::new();
        let mut at = v.last();
        while let Some(s) = at {
            let prev = v.prev(s);
            out.push((s, prev.is_some_and(|p| p.gap)));
            at = prev.map(|p| p.seq);
        }
        out.reverse();
        out
    }

    #[test]
    fn windows_merge_and_gaps_get_separators() {
        let b = buf(30, 100);
        let hits: VecDeque<u64> = [5, 8, 20].into();
        let v = VisibleLines::filtered(&b, &hits, 2);
        let expected: Vec<(u64, bool)> = vec![
            (3, false),
            (4, false),
            (5, false),
            (6, false),
            (7, false),
            (8, false),
            (9, false),
            (10, false),
        ]
        .into_iter()
        .chain([
            (18, true),
            (19, false),
            (20, false),
            (21, false),
            (22, false),
        ])
        .collect();
        assert_eq!(shown(&v), expected);
        assert_eq!(shown_backward(&v), expected);
        assert!(v.is_visible(10) && !v.is_visible(11) && !v.is_visible(17) && v.is_visible(18));
    }

    #[test]
    fn touching_windows_have_no_separator() {
        let b = buf(20, 100);
        let hits: VecDeque<u64> = [2, 7].into(); // windows 0..=4 and 5..=9 touch
        let v = VisibleLines::filtered(&b, &hits, 2);
        assert!(shown(&v).iter().all(|&(_, gap)| !gap));
        assert_eq!(shown(&v).len(), 10);
    }

    #[test]
    fn windows_are_clamped_at_buffer_edges() {
        let b = buf(10, 100);
        let hits: VecDeque<u64> = [0, 9].into();
        let v = VisibleLines::filtered(&b, &hits, 3);
        let expected = vec![
            (0, false),
            (1, false),
            (2, false),
            (3, false),
            (6, true),
            (7, false),
            (8, false),
            (9, false),
        ];
        assert_eq!(shown(&v), expected);
        assert_eq!(shown_backward(&v), expected);
        assert_eq!((v.first(), v.last()), (Some(0), Some(9)));
    }

    #[test]
    fn windows_clamped_after_eviction() {
        // Buffer holds 10..20; hit 11 reaches back to 9, which is gone.
        let b = buf(20, 10);
        let hits: VecDeque<u64> = [11, 19].into();
        let v = VisibleLines::filtered(&b, &hits, 2);
        let expected = vec![
            (10, false),
            (11, false),
            (12, false),
            (13, false),
            (17, true),
            (18, false),
            (19, false),
        ];
        assert_eq!(shown(&v), expected);
        assert_eq!(shown_backward(&v), expected);
        assert!(!v.is_visible(9));
    }

    #[test]
    fn zero_context_shows_hits_only() {
        let b = buf(10, 100);
        let hits: VecDeque<u64> = [1, 2, 6].into();
        let v = VisibleLines::filtered(&b, &hits, 0);
        assert_eq!(shown(&v), vec![(1, false), (2, false), (6, true)]);
        assert_eq!(v.walk(0, 2, false), Some(6));
        assert_eq!(v.walk(9, 1, true), Some(2));
        assert_eq!(v.nearest(4), Some(6));
    }

    #[test]
    fn no_hits_shows_nothing_and_unfiltered_shows_all() {
        let b = buf(5, 100);
        let hits = VecDeque::new();
        let v = VisibleLines::filtered(&b, &hits, 2);
        assert_eq!((v.first(), v.last(), v.iter().count()), (None, None, 0));
        let all = VisibleLines::all(&b);
        assert_eq!(all.iter().count(), 5);
        assert_eq!(all.walk(0, 10, false), Some(4));
        assert_eq!(all.prev(0), None);
        assert_eq!(all.next(4), None);
    }

    /// The scoped view against a model written the obvious way: the universe's lines by
    /// position, a line shown when a hit is within `ctx` positions, a separator when the
    /// previous shown line is not the position before. Eviction included.
    mod scoped {
        use super::*;
        use proptest::prelude::*;

        fn model(universe: &[u64], hits: &[u64], ctx: Option<usize>) -> Vec<(u64, bool)> {
            let shown: Vec<usize> = (0..universe.len())
                .filter(|&p| match ctx {
                    None => true,
                    Some(c) => hits.iter().any(|h| {
                        let q = universe.iter().position(|u| u == h).unwrap();
                        p.abs_diff(q) <= c
                    }),
                })
                .collect();
            shown
                .iter()
                .enumerate()
                .map(|(i, &p)| (universe[p], i > 0 && shown[i - 1] + 1 != p))
                .collect()
        }

        proptest! {
            #[test]
            fn agrees_with_the_model(
                in_scope in proptest::collection::vec(any::<bool>(), 0..60),
                hit_bits in proptest::collection::vec(any::<bool>(), 60),
                cap in 1usize..70,
                ctx in proptest::option::of(0usize..4),
            ) {
                let b = buf(in_scope.len(), cap);
                let first = b.first_seq();
                // The scope as `Scope` keeps it: pruned to what is buffered.
                let universe: VecDeque<u64> = (first..b.next_seq())
                    .filter(|&s| in_scope[s as usize])
                    .collect();
                let hits: VecDeque<u64> = universe
                    .iter()
                    .copied()
                    .filter(|&s| hit_bits[s as usize])
                    .collect();
                let v = VisibleLines::new(&b, Some(&universe), ctx.map(|c| (&hits, c)));
                let u: Vec<u64> = universe.iter().copied().collect();
                let h: Vec<u64> = hits.iter().copied().collect();
                let expected = model(&u, &h, ctx);
                prop_assert_eq!(shown(&v), expected.clone());
                // Walking back agrees, but a separator before the first line is not drawn.
                let mut back = shown_backward(&v);
                if let Some(f) = back.first_mut() { f.1 = false; }
                prop_assert_eq!(back, expected.clone());
                for seq in 0..in_scope.len() as u64 + 2 {
                    prop_assert_eq!(
                        v.is_visible(seq),
                        expected.iter().any(|&(s, _)| s == seq),
                        "seq {}", seq
                    );
                }
            }
        }
    }
}
