//! Where things are on screen, as pure functions of the screen size and the state: the panes,
//! their tables' rows, the dialogs and their buttons. `ui` draws into these rectangles and
//! `update` places a click with them, so what is clicked is what was drawn. Plain rectangles of
//! our own: ratatui stays out of `app/` (`ui/layout.rs` converts).

use unicode_width::UnicodeWidthStr;

use super::{App, Pane};
use crate::cloud::PollKey;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rect {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
}

impl Rect {
    pub const fn new(x: u16, y: u16, width: u16, height: u16) -> Self {
        Self {
            x,
            y,
            width,
            height,
        }
    }
    pub fn contains(&self, col: u16, row: u16) -> bool {
        col >= self.x && col < self.x + self.width && row >= self.y && row < self.y + self.height
    }
    /// Inside a one-cell border.
    pub fn inner(&self) -> Rect {
        if self.width < 2 || self.height < 2 {
            return Rect::new(self.x, self.y, 0, 0);
        }
        Rect::new(self.x + 1, self.y + 1, self.width - 2, self.height - 2)
    }
    pub fn bottom(&self) -> u16 {
        self.y + self.height
    }
}

/// The whole screen: header line, the panes, the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    pub header: Rect,
    pub footer: Rect,
    pub panes: Vec<(Pane, Rect)>,
}

impl Screen {
    /// The pane under a cell.
    pub fn pane_at(&self, col: u16, row: u16) -> Option<(Pane, Rect)> {
        self.panes
            .iter()
            .copied()
            .find(|(_, r)| r.contains(col, row))
    }
}

/// Where the panes go, from 80x24 up. A zoomed pane takes the whole body. Environments on top,
/// full width (as tall as they need, within a third of the body); then timeline (55 %) and health
/// side by side; then the logs, full width, since log lines are long.
pub fn screen(app: &App) -> Screen {
    screen_of(app, app.view.size)
}

/// `screen` at a given size (a frame is drawn at its own area).
pub fn screen_of(app: &App, (w, h): (u16, u16)) -> Screen {
    let header = Rect::new(0, 0, w, h.min(1));
    let footer = Rect::new(0, h.saturating_sub(1), w, h.min(1));
    let body = Rect::new(0, header.height, w, h.saturating_sub(2));
    if app.view.zoom {
        return Screen {
            header,
            footer,
            panes: vec![(app.view.focus, body)],
        };
    }
    let env_rows = app.account.envs.visible().len().max(1) as u16 + 3;
    let env_h = env_rows.clamp(4, (body.height / 3).max(4)).min(body.height);
    let rest = body.height - env_h;
    let mid_h = rest / 2;
    let envs = Rect::new(0, body.y, w, env_h);
    let mid_y = body.y + env_h;
    let left = percent(w, 55);
    let timeline = Rect::new(0, mid_y, left, mid_h);
    let health = Rect::new(left, mid_y, w - left, mid_h);
    let logs = Rect::new(0, mid_y + mid_h, w, rest - mid_h);
    Screen {
        header,
        footer,
        panes: vec![
            (Pane::Envs, envs),
            (Pane::Timeline, timeline),
            (Pane::Health, health),
            (Pane::Logs, logs),
        ],
    }
}

/// `pct` % of `total`, rounded half up, as ratatui's layout gives it for two percentages that
/// add up to 100.
fn percent(total: u16, pct: u32) -> u16 {
    ((u32::from(total) * pct + 50) / 100) as u16
}

/// A box of `width` x `height` in the middle of `area` (clipped to it).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        // An odd cell left over goes above and to the left, as ratatui's `Flex::Center` does.
        area.x + (area.width - w).div_ceil(2),
        area.y + (area.height - h).div_ceil(2),
        w,
        h,
    )
}

/// The first row a table shows when row `selected` must show in `rows` lines and nothing
/// else moved it: ratatui's table and list scroll just enough, from the top, each frame.
pub fn first_shown(selected: Option<usize>, rows: u16) -> usize {
    match selected {
        Some(s) if rows > 0 => s.saturating_sub(usize::from(rows) - 1),
        _ => 0,
    }
}

/// The index among a table's rows of a click on screen row `row`, for a table drawn in `area`
/// with one header line.
pub fn table_row(area: Rect, selected: Option<usize>, len: usize, row: u16) -> Option<usize> {
    let first_row = area.y + 1;
    if row < first_row || row >= area.bottom() {
        return None;
    }
    let i = first_shown(selected, area.height.saturating_sub(1)) + usize::from(row - first_row);
    (i < len).then_some(i)
}

/// The environments table's area (inside the pane's border).
pub fn envs_table(screen: &Screen) -> Option<Rect> {
    pane(screen, Pane::Envs).map(|r| r.inner())
}

/// The health pane's instances table, below its summary lines, when there is one.
pub fn instances_table(app: &App, screen: &Screen) -> Option<Rect> {
    let inner = pane(screen, Pane::Health)?.inner();
    let name = app.account.selected.as_deref()?;
    let snap = app.account.health.get(name)?;
    if !snap.env.enhanced || snap.instances.is_empty() {
        return None;
    }
    let head = (health_head_lines(app, name) as u16).min(inner.height);
    Some(Rect::new(
        inner.x,
        inner.y + head,
        inner.width,
        inner.height - head,
    ))
}

/// Lines above the instances table: the operation line, the health line, the request metrics,
/// one per cause, and a read error. `ui::health` draws exactly these (it checks in debug builds).
pub fn health_head_lines(app: &App, name: &str) -> usize {
    let Some(snap) = app.account.health.get(name) else {
        return 0;
    };
    let op = app.account.op_for(name).is_some() || !app.account.ledger.of(name).is_empty();
    let err = app
        .account
        .errors
        .contains_key(&PollKey::Health(name.to_string()));
    usize::from(op)
        + 1
        + usize::from(snap.env.metrics.is_some())
        + snap.env.causes.len()
        + usize::from(err)
        + app.account.journal.recorded_lines(name)
}

/// The logs pane's text rows (inside the border, above the search line while one is typed).
pub fn log_rows(app: &App, screen: &Screen) -> Option<Rect> {
    let inner = pane(screen, Pane::Logs)?.inner();
    let typing = u16::from(app.logs.pane.input().is_some());
    Some(Rect {
        height: inner.height.saturating_sub(typing),
        ..inner
    })
}

fn pane(screen: &Screen, p: Pane) -> Option<Rect> {
    screen.panes.iter().find(|(q, _)| *q == p).map(|(_, r)| *r)
}

/// How a confirmation is answered: its last line inside the box.
pub const CONFIRM_KEYS: &str = "y / Enter confirm · n / Esc cancel";
pub const CONFIRM_TYPED_KEYS: &str = "Enter confirm · Esc cancel";

/// The confirmation dialog's box: its text wrapped at the box's width, then the answer line.
pub fn confirm_box(size: (u16, u16), lines: &[String], typed: Option<&str>) -> Rect {
    let area = Rect::new(0, 0, size.0, size.1);
    let w = area.width.saturating_sub(4).min(76);
    let inner_w = w.saturating_sub(2).max(1) as usize;
    let mut widths: Vec<usize> = lines.iter().map(|l| l.width()).collect();
    widths.push(0);
    match typed {
        Some(want) => widths.extend([
            "Type ".len() + want.width() + " to confirm:".len(),
            // "> " and the input, a cursor: a guess that holds for the names asked for.
            want.width() + 3,
            CONFIRM_TYPED_KEYS.width(),
        ]),
        None => widths.push(CONFIRM_KEYS.width()),
    }
    let rows: usize = widths.iter().map(|w| (*w).max(1).div_ceil(inner_w)).sum();
    centered(area, w, rows as u16 + 2)
}

/// What a click on a dialog's answer line means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Confirm,
    Cancel,
}

/// The answer under a click in a confirmation drawn in `r`: the words before ` · ` confirm,
/// those after it cancel.
pub fn confirm_answer(r: Rect, typed: bool, col: u16, row: u16) -> Option<Answer> {
    let inner = r.inner();
    if inner.height == 0 || row != inner.bottom() - 1 || !inner.contains(col, row) {
        return None;
    }
    let keys = if typed {
        CONFIRM_TYPED_KEYS
    } else {
        CONFIRM_KEYS
    };
    let (yes, _) = keys.split_once(" · ")?;
    let at = usize::from(col - inner.x);
    if at < yes.width() {
        Some(Answer::Confirm)
    } else if at >= yes.width() + " · ".width() && at < keys.width() {
        Some(Answer::Cancel)
    } else {
        None
    }
}

/// A picker's box, for `items` choices.
pub fn pick_box(size: (u16, u16), items: usize) -> Rect {
    let area = Rect::new(0, 0, size.0, size.1);
    let h = (items as u16 + 3).clamp(5, area.height.saturating_sub(4).max(5));
    centered(area, 72, h)
}

/// The choice under a click in a picker drawn in `r` (its list above a hint line).
pub fn pick_item(r: Rect, cursor: usize, items: usize, col: u16, row: u16) -> Option<usize> {
    let inner = r.inner();
    let list = Rect {
        height: inner.height.saturating_sub(1),
        ..inner
    };
    if !list.contains(col, row) {
        return None;
    }
    let i = first_shown(Some(cursor), list.height) + usize::from(row - list.y);
    (i < items).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_click_on_a_table_counts_the_rows_scrolled_away() {
        let area = Rect::new(1, 2, 40, 5); // header + 4 rows
        assert_eq!(table_row(area, Some(0), 10, 2), None, "the header");
        assert_eq!(table_row(area, Some(0), 10, 3), Some(0));
        assert_eq!(table_row(area, Some(2), 10, 6), Some(3));
        // Row 7 selected shows rows 4..=7.
        assert_eq!(table_row(area, Some(7), 10, 3), Some(4));
        assert_eq!(table_row(area, Some(0), 2, 5), None, "below the last row");
        assert_eq!(table_row(area, None, 10, 7), None, "outside");
    }

    #[test]
    fn the_answer_line_splits_at_the_dot() {
        let r = Rect::new(2, 5, 76, 6);
        let row = 9;
        assert_eq!(confirm_answer(r, false, 3, row), Some(Answer::Confirm));
        assert_eq!(confirm_answer(r, false, 3 + 16, row), Some(Answer::Confirm));
        assert_eq!(confirm_answer(r, false, 3 + 18, row), None, "the dot");
        assert_eq!(confirm_answer(r, false, 3 + 20, row), Some(Answer::Cancel));
        assert_eq!(
            confirm_answer(r, false, 3 + 40, row),
            None,
            "past the words"
        );
        assert_eq!(confirm_answer(r, false, 3, row - 1), None, "another line");
    }
}
