//! The logs pane and its group picker. Only the rows on screen are laid out and styled: the
//! buffer may hold a million lines, a frame touches a few dozen.

mod row;
mod titles;

use std::ops::Range;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Widget};

use self::row::{LineRow, draw_line};
use self::titles::{count_text, groups_title, search_title, state_title};
use crate::logs::{LogsPane, Row};
use crate::ui::theme::Theme;

/// Draws the logs pane into a frame.
pub fn render(frame: &mut Frame, area: Rect, pane: &LogsPane, theme: &Theme, focused: bool) {
    render_to_buffer(area, frame.buffer_mut(), pane, theme, focused);
}

/// Draws the logs pane into a buffer (no terminal needed: benchmarks and tests).
pub fn render_to_buffer(
    area: Rect,
    buf: &mut Buffer,
    pane: &LogsPane,
    theme: &Theme,
    focused: bool,
) {
    let block = pane_border(area, pane, theme, focused);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let typing = pane.input().is_some();
    let text_height = inner.height.saturating_sub(u16::from(typing));
    let rows = pane.rows(inner.width, text_height);
    if rows.is_empty() {
        draw_placeholder(inner, buf, pane, theme);
    }
    draw_rows(inner, buf, pane, theme, &rows);
    if typing {
        let y = inner.y + inner.height - 1;
        draw_input(
            Rect {
                y,
                height: 1,
                ..inner
            },
            buf,
            pane,
            theme,
        );
    }
}

/// The pane's border: its number and groups top left, the follow state top right, the search at
/// the bottom.
fn pane_border(area: Rect, pane: &LogsPane, theme: &Theme, focused: bool) -> Block<'static> {
    Block::bordered()
        .border_style(if focused {
            theme.border_focused
        } else {
            theme.border
        })
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .title_top(Line::from(vec![
            Span::styled(
                " 4",
                if focused {
                    theme.border_focused
                } else {
                    theme.dim
                },
            ),
            Span::styled(groups_title(pane), theme.title),
        ]))
        .title_top(
            state_title(
                pane,
                theme,
                (area.width as usize).saturating_sub(groups_title(pane).chars().count() + 6),
            )
            .right_aligned(),
        )
        .title_bottom(search_title(pane, theme))
}

/// The rows on screen, top down, from the first row of `inner`.
fn draw_rows(inner: Rect, buf: &mut Buffer, pane: &LogsPane, theme: &Theme, rows: &[Row]) {
    let cols = pane.columns();
    let marked = pane.marked();
    let mut cache: Option<(u64, Vec<Range<usize>>)> = None;
    for (i, row) in rows.iter().enumerate() {
        let y = inner.y + i as u16;
        let rect = Rect {
            y,
            height: 1,
            ..inner
        };
        match row {
            Row::Separator => {
                buf.set_stringn(inner.x, y, "--", usize::from(inner.width), theme.dim);
            }
            Row::Line {
                seq,
                bytes,
                continuation,
            } => {
                let Some(line) = pane.buffer().get(*seq) else {
                    continue;
                };
                let selected = marked == Some(*seq);
                if selected {
                    buf.set_style(rect, theme.selected);
                }
                let row = LineRow {
                    line,
                    bytes: bytes.clone(),
                    continuation: *continuation,
                    selected,
                    cols,
                    matches: matches_in(&mut cache, pane, *seq, line.text),
                    current: pane.search().current() == Some(*seq),
                };
                draw_line(rect, buf, &row, theme);
            }
        }
    }
}

/// The search matches in line `seq`. They are found once per line, even when it wraps over many
/// rows: `cache` holds those of the last line asked for.
fn matches_in<'c>(
    cache: &'c mut Option<(u64, Vec<Range<usize>>)>,
    pane: &LogsPane,
    seq: u64,
    text: &str,
) -> &'c [Range<usize>] {
    if !matches!(cache, Some((s, _)) if *s == seq) {
        let found = pane
            .search()
            .query()
            .map(|q| q.find_ranges(text))
            .unwrap_or_default();
        *cache = Some((seq, found));
    }
    cache.as_ref().map_or(&[], |(_, found)| found.as_slice())
}

fn draw_placeholder(inner: Rect, buf: &mut Buffer, pane: &LogsPane, theme: &Theme) {
    let text = if pane.buffer().is_empty() && pane.status().contains("not streamed") {
        // Nothing will come: the status (shortened in the title) says what to do instead.
        pane.status().to_string()
    } else if pane.buffer().is_empty() {
        "waiting for log lines…".to_string()
    } else if pane.search().is_scanning() {
        "searching…".to_string()
    } else {
        format!(
            "no line matches /{}/",
            pane.search().query().map_or("", |q| q.text())
        )
    };
    buf.set_stringn(
        inner.x + 1,
        inner.y,
        text,
        usize::from(inner.width.saturating_sub(1)),
        theme.dim,
    );
}

/// The search being typed: `/text`, a cursor, the count, and the regex error when the text is
/// searched literally.
fn draw_input(rect: Rect, buf: &mut Buffer, pane: &LogsPane, theme: &Theme) {
    let Some(input) = pane.input() else { return };
    buf.set_style(rect, Style::default());
    let width = usize::from(rect.width).saturating_sub(1);
    let scroll = input.visual_scroll(width.saturating_sub(1));
    let shown: String = input.value().chars().skip(scroll).collect();
    let (x, _) = buf.set_stringn(rect.x, rect.y, "/", 1, theme.info);
    let (mut end, _) = buf.set_stringn(x, rect.y, &shown, width, theme.text);
    let cursor_x = x + (input.visual_cursor().saturating_sub(scroll)) as u16;
    if cursor_x < rect.x + rect.width {
        let cell = &mut buf[(cursor_x, rect.y)];
        cell.set_style(cell.style().add_modifier(Modifier::REVERSED));
        end = end.max(cursor_x + 1);
    }
    let mut tail = vec![Span::raw("  "), Span::styled(count_text(pane), theme.dim)];
    if let Some(err) = pane.search().query().and_then(|q| q.error()) {
        tail.push(Span::styled(
            format!("  regex error, searching literally: {err}"),
            theme.error,
        ));
    }
    let room = (rect.x + rect.width).saturating_sub(end);
    buf.set_line(end, rect.y, &Line::from(tail), room);
}

/// Draws the group picker overlay (a list with checkboxes) into a frame.
pub fn render_group_picker(frame: &mut Frame, area: Rect, pane: &LogsPane, theme: &Theme) {
    render_group_picker_to_buffer(area, frame.buffer_mut(), pane, theme);
}

/// Draws the group picker overlay into a buffer.
pub fn render_group_picker_to_buffer(area: Rect, buf: &mut Buffer, pane: &LogsPane, theme: &Theme) {
    ratatui::widgets::Clear.render(area, buf);
    let block = Block::bordered()
        .border_style(theme.border_focused)
        .title_top(Line::from(" log groups ").style(theme.title))
        .title_bottom(Line::from(" space toggle · enter apply · esc cancel ").style(theme.dim));
    let inner = block.inner(area);
    block.render(area, buf);
    let picker = pane.group_picker();
    let height = usize::from(inner.height);
    if picker.groups().is_empty() {
        buf.set_stringn(
            inner.x + 1,
            inner.y,
            "no log groups streamed to CloudWatch",
            usize::from(inner.width),
            theme.dim,
        );
        return;
    }
    // Keep the cursor in view when the list is taller than the box.
    let offset = (picker.cursor() + 1).saturating_sub(height);
    for (i, (group, on)) in picker.entries().enumerate().skip(offset).take(height) {
        let y = inner.y + (i - offset) as u16;
        let style = if i == picker.cursor() {
            theme.selected
        } else {
            theme.text
        };
        buf.set_style(
            Rect {
                y,
                height: 1,
                ..inner
            },
            style,
        );
        let text = format!(
            " [{}] {}",
            if on { "x" } else { " " },
            crate::logs::short_group(group)
        );
        buf.set_stringn(inner.x, y, text, usize::from(inner.width), style);
    }
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::Color;

    use super::*;
    use crate::domain::RawLogEvent;

    const ACCESS: &str = "/aws/elasticbeanstalk/shop-prod/var/log/nginx/access.log";
    const ERROR: &str = "/aws/elasticbeanstalk/shop-prod/var/log/nginx/error.log";

    /// A pane as a user sees it after a burst of 502s: fixed times, two instances, two groups.
    fn pane() -> LogsPane {
        let mut p = LogsPane::new(10_000, usize::MAX);
        p.reset_for(
            "shop-prod",
            vec![ACCESS.into(), ERROR.into()],
            vec![ACCESS.into(), ERROR.into()],
        );
        p.set_status("live tail".into());
        let base = 1_795_515_300_000i64; // 2026-11-24T10:15:00Z
        let events = (0..30).map(|i| {
            let (group, message) = match i % 6 {
                2 => (ERROR, format!("2026/11/24 10:15:{:02} [error] 2345#2345: *{i} connect() failed (111: Connection refused) while connecting to upstream", i % 60)),
                4 => (ACCESS, format!(r#"10.0.1.{i} - - [24/Nov/2026:10:15:{:02} +0000] "GET /api/cart HTTP/1.1" 502 157 "-" "curl/8.0" "-""#, i % 60)),
                5 => (ACCESS, format!(r#"10.0.1.{i} - - [24/Nov/2026:10:15:{:02} +0000] "GET /api/item/{i} HTTP/1.1" 404 12 "-" "curl/8.0" "-""#, i % 60)),
                _ => (ACCESS, format!(r#"10.0.1.{i} - - [24/Nov/2026:10:15:{:02} +0000] "GET /health HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0" "-""#, i % 60)),
            };
            RawLogEvent {
                id: Some(format!("e{i}")),
                ts: base + i * 250,
                group: group.into(),
                stream: if i % 2 == 0 { "i-0abc1234def567890".into() } else { "i-0fed9876cba543210".into() },
                message,
            }
        });
        p.ingest(events.collect());
        p.set_query("api/cart");
        p
    }

    fn draw(p: &LogsPane, w: u16, h: u16) -> Terminal<TestBackend> {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
        t.draw(|f| render(f, f.area(), p, &Theme::default(), true))
            .expect("draw");
        t
    }

    #[test]
    fn snapshot_80x20_with_search() {
        let mut p = pane();
        p.prev_hit();
        assert_snapshot!(draw(&p, 80, 20).backend());
    }

    #[test]
    fn snapshot_160x40_filtered_wrapped_typing() {
        let mut p = pane();
        p.toggle_wrap();
        p.toggle_filter();
        p.begin_search();
        assert_snapshot!(draw(&p, 160, 40).backend());
    }

    #[test]
    fn snapshot_narrow_wrap_and_invalid_regex() {
        let mut p = pane();
        p.toggle_wrap();
        p.toggle_timestamps();
        p.begin_search();
        // The input opens holding the current query: clear it, then type.
        p.search_input(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('u'),
            crossterm::event::KeyModifiers::CONTROL,
        ));
        for c in "cart(".chars() {
            p.search_input(crossterm::event::KeyEvent::from(
                crossterm::event::KeyCode::Char(c),
            ));
        }
        assert_snapshot!(draw(&p, 80, 20).backend());
    }

    /// Cells of row `y` whose symbols spell `needle`, as x positions.
    fn find(buf: &Buffer, y: u16, needle: &str) -> Option<u16> {
        let row: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        row.find(needle).map(|i| row[..i].chars().count() as u16)
    }

    #[test]
    fn status_codes_are_coloured_by_class() {
        let p = pane();
        let t = draw(&p, 160, 40);
        let buf = t.backend().buffer();
        let theme = Theme::default();
        let mut seen = [false; 3];
        for y in 0..buf.area.height {
            for (code, fg, k) in [
                (" 502 ", Color::Red, 0),
                (" 404 ", Color::Yellow, 1),
                (" 200 ", Color::Green, 2),
            ] {
                if let Some(x) = find(buf, y, code) {
                    let cell = &buf[(x + 1, y)];
                    assert_eq!(cell.fg, fg, "{code} at row {y}");
                    seen[k] = true;
                }
            }
        }
        assert_eq!(seen, [true; 3]);
        // The match of "api/cart" is highlighted, and the time column is dim.
        let y = (0..buf.area.height)
            .find(|&y| find(buf, y, "api/cart").is_some())
            .expect("a hit on screen");
        let x = find(buf, y, "api/cart").expect("hit");
        assert_eq!(buf[(x, y)].bg, theme.highlight.bg.expect("highlight bg"));
        assert_eq!(buf[(2, y)].fg, Color::DarkGray);
    }

    #[test]
    fn current_hit_and_selection_are_marked() {
        let mut p = pane();
        p.prev_hit();
        let t = draw(&p, 160, 40);
        let buf = t.backend().buffer();
        let theme = Theme::default();
        let sel = p.marked().expect("selection");
        let y = (0..buf.area.height)
            .find(|&y| buf[(1, y)].symbol() == "▌")
            .expect("marker");
        assert_eq!(p.search().current(), Some(sel));
        let x = find(buf, y, "api/cart").expect("current hit on the selected row");
        assert_eq!(
            buf[(x, y)].bg,
            theme.highlight_current.bg.expect("current bg")
        );
        assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn group_picker_lists_groups_with_checkboxes() {
        let mut p = pane();
        p.open_group_picker();
        p.picker_move(1);
        p.picker_toggle();
        let mut t = Terminal::new(TestBackend::new(50, 6)).expect("test backend");
        t.draw(|f| render_group_picker(f, f.area(), &p, &Theme::default()))
            .expect("draw");
        assert_snapshot!(t.backend());
        assert_eq!(p.apply_group_picker(), Some(vec![ACCESS.to_string()]));
        assert_eq!(p.streamed_groups(), [ACCESS]);
    }

    #[test]
    fn hostile_text_never_reaches_the_screen_as_control() {
        let mut p = LogsPane::new(100, usize::MAX);
        p.ingest(vec![RawLogEvent {
            id: None,
            ts: 0,
            group: ACCESS.into(),
            stream: "i-1".into(),
            message: "\x1b]0;owned\x07\x1b[2J\u{9b}1m\tend".into(),
        }]);
        let t = draw(&p, 60, 4);
        let buf = t.backend().buffer();
        let all: String = buf.content().iter().map(|c| c.symbol()).collect();
        assert!(!all.chars().any(|c| c.is_control()), "{all:?}");
        assert!(all.contains("␛]0;owned␇␛[2J<U+009B>1m"));
    }
}
