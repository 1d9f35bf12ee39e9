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

/// The shown lines of a buffer, with or without the filter.
#[derive(Debug, Clone, Copy)]
pub struct VisibleLines<'a> {
    first: u64,
    /// One past the newest buffered seq.
    end: u64,
    /// `Some((hits, context))` in filter mode. Hits must be sorted; evicted ones are ignored.
    filter: Option<(&'a VecDeque<u64>, u64)>,
}

impl<'a> VisibleLines<'a> {
    /// All buffered lines.
    pub fn all(buf: &LogBuffer) -> Self {
        Self {
            first: buf.first_seq(),
            end: buf.next_seq(),
            filter: None,
        }
    }

    /// Hits and `context` lines around each.
    pub fn filtered(buf: &LogBuffer, hits: &'a VecDeque<u64>, context: usize) -> Self {
        Self {
            first: buf.first_seq(),
            end: buf.next_seq(),
            filter: Some((hits, context as u64)),
        }
    }

    pub fn is_filtered(&self) -> bool {
        self.filter.is_some()
    }

    /// True when the line is buffered and shown.
    pub fn is_visible(&self, seq: u64) -> bool {
        if seq < self.first || seq >= self.end {
            return false;
        }
        let Some((hits, ctx)) = self.filter else {
            return true;
        };
        let i = hits.partition_point(|&h| h < seq.saturating_sub(ctx));
        hits.get(i).is_some_and(|&h| h <= seq.saturating_add(ctx))
    }

    /// The oldest shown line.
    pub fn first(&self) -> Option<u64> {
        if self.first >= self.end {
            return None;
        }
        match self.filter {
            None => Some(self.first),
            Some((hits, ctx)) => {
                let i = hits.partition_point(|&h| h.saturating_add(ctx) < self.first);
                hits.get(i)
                    .map(|&h| h.saturating_sub(ctx).max(self.first))
                    .filter(|&s| s < self.end)
            }
        }
    }

    /// The newest shown line.
    pub fn last(&self) -> Option<u64> {
        if self.first >= self.end {
            return None;
        }
        match self.filter {
            None => Some(self.end - 1),
            Some((hits, ctx)) => {
                let i = hits.partition_point(|&h| h < self.end);
                let h = *hits.get(i.checked_sub(1)?)?;
                let last = h.saturating_add(ctx).min(self.end - 1);
                (last >= self.first).then_some(last)
            }
        }
    }

    /// The shown line after `seq` (`seq` itself need not be shown).
    pub fn next(&self, seq: u64) -> Option<Step> {
        let c = seq.checked_add(1)?.max(self.first);
        if c >= self.end {
            return None;
        }
        let Some((hits, ctx)) = self.filter else {
            return Some(Step {
                seq: c,
                gap: c != seq + 1,
            });
        };
        let i = hits.partition_point(|&h| h < c.saturating_sub(ctx));
        let h = *hits.get(i)?;
        if h >= self.end {
            return None;
        }
        let start = h.saturating_sub(ctx).max(c);
        Some(Step {
            seq: start,
            gap: start != seq + 1,
        })
    }

    /// The shown line before `seq` (`seq` itself need not be shown).
    pub fn prev(&self, seq: u64) -> Option<Step> {
        let c = seq.checked_sub(1)?.min(self.end.checked_sub(1)?);
        if c < self.first {
            return None;
        }
        let Some((hits, ctx)) = self.filter else {
            return Some(Step {
                seq: c,
                gap: c + 1 != seq,
            });
        };
        let i = hits.partition_point(|&h| h <= c.saturating_add(ctx));
        let h = *hits.get(i.checked_sub(1)?)?;
        let stop = h.saturating_add(ctx).min(c);
        if stop < self.first {
            return None;
        }
        Some(Step {
            seq: stop,
            gap: stop + 1 != seq,
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
    use crate::domain::RawLogEvent;

    fn buf(n: usize, cap: usize) -> LogBuffer {
        let mut b = LogBuffer::new(cap, usize::MAX);
        for i in 0..n {
            b.push(RawLogEvent {
                id: None,
                ts: 0,
                group: "g".into(),
                stream: "s".into(),
                message: i.to_string(),
            });
        }
        b
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
}
