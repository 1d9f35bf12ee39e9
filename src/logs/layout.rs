//! Which rows of text fill the pane: laid out from an anchor line, only as many lines as fit.
//! Pure arithmetic over the buffer (no ratatui): the drawing code turns rows into cells, and the
//! pane's scrolling uses the same rows so that what it reasons about is what is on screen.

use std::ops::Range;

use unicode_width::UnicodeWidthChar;

use super::buffer::LogBuffer;
use super::context::VisibleLines;
use super::format::{INSTANCE_WIDTH, TAG_MAX};

/// Width of the clock column plus its gap (`HH:MM:SS.mmm `).
pub const CLOCK_COLUMN: usize = 13;
/// Width of the selection marker column.
pub const MARKER_COLUMN: usize = 1;

/// The optional columns in front of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    pub timestamps: bool,
    pub instance: bool,
    /// Width of the group tag column (0: hidden, when one group is shown).
    pub tag_width: usize,
}

impl Columns {
    /// Columns taken before the text starts.
    pub fn prefix_width(&self) -> usize {
        MARKER_COLUMN
            + if self.timestamps { CLOCK_COLUMN } else { 0 }
            + if self.instance { INSTANCE_WIDTH + 1 } else { 0 }
            + if self.tag_width > 0 {
                self.tag_width.min(TAG_MAX) + 1
            } else {
                0
            }
    }
}

/// One screen row of the pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// Part of a line: `bytes` of its text. `continuation` is false on the line's first row.
    Line {
        seq: u64,
        bytes: Range<usize>,
        continuation: bool,
    },
    /// Lines are skipped here (filter mode, like grep's `--`).
    Separator,
}

impl Row {
    pub fn seq(&self) -> Option<u64> {
        match self {
            Row::Line { seq, .. } => Some(*seq),
            Row::Separator => None,
        }
    }
}

/// Where the view is pinned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// This line is the first one shown (scrolled views).
    Top(u64),
    /// This line is the last one shown (following, and frozen views).
    Bottom(u64),
}

/// The text area: `width` columns for the text (after the prefix columns), `height` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextArea {
    pub width: usize,
    pub height: usize,
    pub wrap: bool,
}

/// Splits `text` into byte ranges of at most `width` display columns (at least one char each,
/// so a narrow pane still makes progress). An empty text is one empty row.
pub fn wrap_ranges(text: &str, width: usize) -> Vec<Range<usize>> {
    let width = width.max(1);
    // Display width never exceeds byte length, so a short line needs no measuring.
    if text.len() <= width {
        return std::iter::once(0..text.len()).collect();
    }
    let mut out = Vec::new();
    let (mut start, mut used) = (0usize, 0usize);
    for (i, c) in text.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width && i > start {
            out.push(start..i);
            start = i;
            used = 0;
        }
        used += w;
    }
    out.push(start..text.len());
    out
}

/// The rows of one line.
fn line_rows(buf: &LogBuffer, seq: u64, area: TextArea) -> Vec<Row> {
    let text = buf.get(seq).map_or("", |l| l.text);
    if !area.wrap {
        return vec![Row::Line {
            seq,
            bytes: 0..text.len(),
            continuation: false,
        }];
    }
    wrap_ranges(text, area.width)
        .into_iter()
        .enumerate()
        .map(|(i, bytes)| Row::Line {
            seq,
            bytes,
            continuation: i > 0,
        })
        .collect()
}

/// Lays out at most `area.height` rows around `anchor`. When the anchor's side runs out of lines
/// before the pane is full, lines from the other side fill it, so the pane is never half empty
/// while there is more to show. An anchor that is not shown (evicted, filtered out) snaps to the
/// nearest shown line.
pub fn layout(buf: &LogBuffer, vis: &VisibleLines, anchor: Anchor, area: TextArea) -> Vec<Row> {
    let h = area.height;
    if h == 0 {
        return Vec::new();
    }
    let (seq, top) = match anchor {
        Anchor::Top(s) => (s, true),
        Anchor::Bottom(s) => (s, false),
    };
    let start = if vis.is_visible(seq) {
        seq
    } else if top {
        match vis
            .next(seq)
            .map(|s| s.seq)
            .or_else(|| vis.prev(seq).map(|s| s.seq))
        {
            Some(s) => s,
            None => return Vec::new(),
        }
    } else {
        match vis
            .prev(seq)
            .map(|s| s.seq)
            .or_else(|| vis.next(seq).map(|s| s.seq))
        {
            Some(s) => s,
            None => return Vec::new(),
        }
    };
    let (below, above) = if top {
        let below = fill_down(buf, vis, start, area, h, true);
        let rest = h.saturating_sub(below.len());
        (below, fill_up(buf, vis, start, area, rest, false))
    } else {
        let above = fill_up(buf, vis, start, area, h, true);
        let rest = h.saturating_sub(above.len());
        (fill_down(buf, vis, start, area, rest, false), above)
    };
    // `above` is in reverse order (nearest first); trim the far end of each side to fit.
    let mut rows: Vec<Row> = above.into_iter().rev().collect();
    rows.extend(below);
    rows
}

/// Rows going down from `start` (including it when `inclusive`), at most `max`.
fn fill_down(
    buf: &LogBuffer,
    vis: &VisibleLines,
    start: u64,
    area: TextArea,
    max: usize,
    inclusive: bool,
) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut at = if inclusive {
        Some(super::context::Step {
            seq: start,
            gap: false,
        })
    } else {
        vis.next(start)
    };
    while let Some(step) = at {
        if rows.len() >= max {
            break;
        }
        if step.gap {
            rows.push(Row::Separator);
        }
        for r in line_rows(buf, step.seq, area) {
            if rows.len() >= max {
                break;
            }
            rows.push(r);
        }
        at = vis.next(step.seq);
    }
    rows.truncate(max);
    rows
}

/// Rows going up from `start` (including it when `inclusive`), nearest first, at most `max`.
/// A line cut at the top loses its first rows, as a terminal scrolling up would show it.
fn fill_up(
    buf: &LogBuffer,
    vis: &VisibleLines,
    start: u64,
    area: TextArea,
    max: usize,
    inclusive: bool,
) -> Vec<Row> {
    let mut rows = Vec::new();
    if max == 0 {
        return rows;
    }
    let mut at = if inclusive {
        Some(start)
    } else {
        match vis.prev(start) {
            Some(s) => {
                if s.gap {
                    rows.push(Row::Separator);
                }
                Some(s.seq)
            }
            None => None,
        }
    };
    while let Some(seq) = at {
        if rows.len() >= max {
            break;
        }
        for r in line_rows(buf, seq, area).into_iter().rev() {
            if rows.len() >= max {
                break;
            }
            rows.push(r);
        }
        at = match vis.prev(seq) {
            Some(s) if rows.len() < max => {
                if s.gap {
                    rows.push(Row::Separator);
                }
                Some(s.seq)
            }
            _ => None,
        };
    }
    rows.truncate(max);
    rows
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;

    fn buf(texts: &[&str]) -> LogBuffer {
        super::super::buffer::lines_of(texts, 1_000)
    }

    fn seqs(rows: &[Row]) -> Vec<Option<u64>> {
        rows.iter().map(Row::seq).collect()
    }

    const NOWRAP: TextArea = TextArea {
        width: 10,
        height: 3,
        wrap: false,
    };

    #[test]
    fn wraps_by_display_width() {
        assert_eq!(wrap_ranges("abcdef", 4), [0..4, 4..6]);
        assert_eq!(
            wrap_ranges("", 4),
            vec![std::ops::Range { start: 0, end: 0 }]
        );
        // Wide chars (2 columns, 3 bytes): two per 4-column row.
        assert_eq!(wrap_ranges("日本語テ", 4), [0..6, 6..12]);
        // A wide char never splits; a width-1 row still takes one char.
        assert_eq!(wrap_ranges("a日b", 2), [0..1, 1..4, 4..5]);
        assert_eq!(wrap_ranges("日本", 1), [0..3, 3..6]);
    }

    #[test]
    fn bottom_anchor_shows_the_last_lines() {
        let b = buf(&["0", "1", "2", "3", "4"]);
        let v = VisibleLines::all(&b);
        assert_eq!(
            seqs(&layout(&b, &v, Anchor::Bottom(4), NOWRAP)),
            [Some(2), Some(3), Some(4)]
        );
        assert_eq!(
            seqs(&layout(&b, &v, Anchor::Bottom(3), NOWRAP)),
            [Some(1), Some(2), Some(3)]
        );
        // Not enough lines above: the lines below fill the pane.
        assert_eq!(
            seqs(&layout(&b, &v, Anchor::Bottom(0), NOWRAP)),
            [Some(0), Some(1), Some(2)]
        );
    }

    #[test]
    fn top_anchor_fills_down_then_up() {
        let b = buf(&["0", "1", "2", "3", "4"]);
        let v = VisibleLines::all(&b);
        assert_eq!(
            seqs(&layout(&b, &v, Anchor::Top(1), NOWRAP)),
            [Some(1), Some(2), Some(3)]
        );
        assert_eq!(
            seqs(&layout(&b, &v, Anchor::Top(4), NOWRAP)),
            [Some(2), Some(3), Some(4)]
        );
        // An evicted anchor snaps to the oldest line.
        let small = TextArea {
            height: 10,
            ..NOWRAP
        };
        assert_eq!(layout(&b, &v, Anchor::Top(0), small).len(), 5);
    }

    #[test]
    fn wrapped_lines_are_cut_at_the_far_edge() {
        let b = buf(&["aaaaaaaaaa", "bbbbbbbbbbbbbbb", "c"]);
        let v = VisibleLines::all(&b);
        let area = TextArea {
            width: 4,
            height: 5,
            wrap: true,
        };
        // Bottom: "c" (1 row), "b" x15 (4 rows); "a" does not fit.
        let rows = layout(&b, &v, Anchor::Bottom(2), area);
        assert_eq!(seqs(&rows), [Some(1), Some(1), Some(1), Some(1), Some(2)]);
        // Top at 0: "a" x10 is 3 rows, then the first 2 rows of the b line.
        let rows = layout(&b, &v, Anchor::Top(0), area);
        assert_eq!(seqs(&rows), [Some(0), Some(0), Some(0), Some(1), Some(1)]);
        assert_eq!(
            rows[3],
            Row::Line {
                seq: 1,
                bytes: 0..4,
                continuation: false
            }
        );
        assert_eq!(
            rows[4],
            Row::Line {
                seq: 1,
                bytes: 4..8,
                continuation: true
            }
        );
        // Bottom anchored on a long line: its last rows show, its first ones are cut.
        let tall = TextArea {
            width: 4,
            height: 2,
            wrap: true,
        };
        let rows = layout(&b, &v, Anchor::Bottom(1), tall);
        assert_eq!(
            rows[0],
            Row::Line {
                seq: 1,
                bytes: 8..12,
                continuation: true
            }
        );
    }

    #[test]
    fn filtered_layout_has_separators() {
        let texts: Vec<String> = (0..20).map(|i| i.to_string()).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let b = buf(&refs);
        let hits: VecDeque<u64> = [3, 12].into();
        let v = VisibleLines::filtered(&b, &hits, 1);
        let area = TextArea {
            width: 10,
            height: 20,
            wrap: false,
        };
        let expected = [
            Some(2),
            Some(3),
            Some(4),
            None,
            Some(11),
            Some(12),
            Some(13),
        ];
        assert_eq!(seqs(&layout(&b, &v, Anchor::Bottom(19), area)), expected);
        assert_eq!(seqs(&layout(&b, &v, Anchor::Top(0), area)), expected);
        let short = TextArea { height: 3, ..area };
        assert_eq!(
            seqs(&layout(&b, &v, Anchor::Bottom(13), short)),
            [Some(11), Some(12), Some(13)]
        );
        assert_eq!(
            seqs(&layout(&b, &v, Anchor::Bottom(11), short)),
            [Some(4), None, Some(11)]
        );
        assert_eq!(
            seqs(&layout(&b, &v, Anchor::Top(4), short)),
            [Some(4), None, Some(11)]
        );
    }

    #[test]
    fn empty_view_lays_out_nothing() {
        let b = buf(&[]);
        let v = VisibleLines::all(&b);
        assert!(layout(&b, &v, Anchor::Bottom(0), NOWRAP).is_empty());
        let b = buf(&["x"]);
        let none = VecDeque::new();
        let v = VisibleLines::filtered(&b, &none, 2);
        assert!(layout(&b, &v, Anchor::Top(0), NOWRAP).is_empty());
    }
}
