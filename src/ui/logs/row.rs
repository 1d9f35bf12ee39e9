//! One screen row of a log line: the selection marker, the optional columns (first row only),
//! then a slice of the text, coloured by its mark (status code or level) and the search matches.

use std::ops::Range;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use crate::logs::{
    Columns, INSTANCE_WIDTH, LogLine, clip, clock, group_tag, level, short_stream, status_code,
};
use crate::ui::theme::Theme;

/// What one screen row of a log line needs to draw itself.
pub(super) struct LineRow<'a> {
    pub line: LogLine<'a>,
    /// The bytes of the line's text this row shows.
    pub bytes: Range<usize>,
    /// A later row of a wrapped line: no columns, the text lines up under the first row's.
    pub continuation: bool,
    pub selected: bool,
    pub cols: Columns,
    /// Search matches over the whole line, not only this row's bytes.
    pub matches: &'a [Range<usize>],
    /// The line holds the current search hit.
    pub current: bool,
}

/// Writes left to right along one row, never past its right edge.
struct Pen<'b> {
    buf: &'b mut Buffer,
    x: u16,
    y: u16,
    right: u16,
}

impl Pen<'_> {
    fn put(&mut self, s: &str, style: Style) {
        if self.x < self.right {
            self.x = self
                .buf
                .set_stringn(self.x, self.y, s, usize::from(self.right - self.x), style)
                .0;
        }
    }

    fn skip(&mut self, n: u16) {
        self.x = self.x.saturating_add(n);
    }
}

/// Draws one row of a line into `rect`.
pub(super) fn draw_line(rect: Rect, buf: &mut Buffer, row: &LineRow, theme: &Theme) {
    let mut pen = Pen {
        buf,
        x: rect.x,
        y: rect.y,
        right: rect.x + rect.width,
    };
    if row.selected && !row.continuation {
        pen.put("▌", theme.info);
    } else {
        pen.x += 1;
    }
    if row.continuation {
        pen.skip((row.cols.prefix_width() - 1) as u16);
    } else {
        draw_columns(&mut pen, &row.line, row.cols, theme);
    }
    draw_text(&mut pen, row, theme);
}

/// Time, instance and group tag, each followed by a blank, as far as they are shown.
fn draw_columns(pen: &mut Pen, line: &LogLine, cols: Columns, theme: &Theme) {
    if cols.timestamps {
        pen.put(&clock(line.ts), theme.dim);
        pen.skip(1);
    }
    if cols.instance {
        pen.put(
            &format!("{:<w$}", short_stream(line.stream), w = INSTANCE_WIDTH),
            theme.dim,
        );
        pen.skip(1);
    }
    if cols.tag_width > 0 {
        let tag = clip(group_tag(line.group), cols.tag_width);
        pen.put(&format!("{tag:<w$}", w = cols.tag_width), theme.info);
        pen.skip(1);
    }
}

fn draw_text(pen: &mut Pen, row: &LineRow, theme: &Theme) {
    let text = row.line.text;
    let mark = status_code(text)
        .map(|(r, code)| (r, theme.http_status(code)))
        .or_else(|| level(text).map(|(r, sev)| (r, theme.severity(sev))));
    let hl = if row.current {
        theme.highlight_current
    } else {
        theme.highlight
    };
    let segments = styled_segments(
        row.bytes.clone(),
        mark.as_ref(),
        row.matches,
        theme.text,
        hl,
    );
    for (range, style) in segments {
        if pen.x >= pen.right {
            break;
        }
        if let Some(s) = text.get(range) {
            pen.put(s, style);
        }
    }
}

/// Splits `span` of a line into pieces of one style: the base, the coloured mark (status code or
/// level), and search matches over both.
fn styled_segments(
    span: Range<usize>,
    mark: Option<&(Range<usize>, Style)>,
    matches: &[Range<usize>],
    base: Style,
    highlight: Style,
) -> Vec<(Range<usize>, Style)> {
    let mut cuts = vec![span.start, span.end];
    let inside = |p: usize| span.start < p && p < span.end;
    if let Some((r, _)) = mark {
        cuts.extend([r.start, r.end].into_iter().filter(|&p| inside(p)));
    }
    for m in matches
        .iter()
        .filter(|m| m.start < span.end && m.end > span.start)
    {
        cuts.extend([m.start, m.end].into_iter().filter(|&p| inside(p)));
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .map(|w| {
            let seg = w[0]..w[1];
            let mut style = base;
            if let Some((r, s)) = mark
                && r.start <= seg.start
                && seg.end <= r.end
            {
                style = style.patch(*s);
            }
            if matches
                .iter()
                .any(|m| m.start <= seg.start && seg.end <= m.end)
            {
                style = style.patch(highlight);
            }
            (seg, style)
        })
        .collect()
}
