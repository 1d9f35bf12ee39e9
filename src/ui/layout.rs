//! Where the panes go: `app::geometry` computes it (so `update` can place a click), this turns
//! its plain rectangles into ratatui's.

use ratatui::layout::Rect;

use crate::app::geometry::{self, Rect as Plain};
use crate::app::{App, Pane};

pub struct Areas {
    pub header: Rect,
    pub footer: Rect,
    pub panes: Vec<(Pane, Rect)>,
}

pub fn rect(r: Plain) -> Rect {
    Rect::new(r.x, r.y, r.width, r.height)
}

/// The screen for the frame being drawn: the app's size is the terminal's (set on start and on
/// every resize), but a frame is drawn at its own area, so the area given wins.
pub fn compute(area: Rect, app: &App) -> Areas {
    let s = geometry::screen_of(app, (area.width, area.height));
    Areas {
        header: rect(s.header),
        footer: rect(s.footer),
        panes: s.panes.into_iter().map(|(p, r)| (p, rect(r))).collect(),
    }
}

#[cfg(test)]
mod tests {
    use ratatui::layout::{Constraint, Direction, Flex, Layout};

    use super::*;
    use crate::app::Settings;
    use crate::app::keymap::KeyMap;
    use crate::domain::CloudContext;

    /// The layout as ratatui's solver made it before it moved to `app::geometry`: the pure one
    /// must give the same cells at every size, or a click would land beside what was drawn.
    fn by_ratatui(area: Rect, env_rows: u16) -> Vec<Rect> {
        let [_, body, _] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(area);
        let env_h = env_rows.clamp(4, (body.height / 3).max(4));
        let rest = body.height.saturating_sub(env_h);
        let rows = Layout::default()
            .direction(Direction::Vertical)
            .constraints([
                Constraint::Length(env_h),
                Constraint::Length(rest / 2),
                Constraint::Min(0),
            ])
            .split(body);
        let [t, h] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(rows[1]);
        vec![rows[0], t, h, rows[2]]
    }

    #[test]
    fn the_pure_layout_is_ratatuis() {
        let app = App::new(
            Settings::default(),
            KeyMap::default(),
            CloudContext::default(),
            0,
        );
        for w in 20..=300 {
            for h in 14..=120 {
                let area = Rect::new(0, 0, w, h);
                let ours: Vec<Rect> = compute(area, &app).panes.iter().map(|(_, r)| *r).collect();
                assert_eq!(ours, by_ratatui(area, 4), "{w}x{h}");
            }
        }
    }

    #[test]
    fn centered_is_ratatuis_flex_center() {
        for (aw, ah) in [(80, 24), (81, 25), (160, 48), (33, 17), (10, 5)] {
            for (w, h) in [(76, 9), (72, 5), (90, 30), (5, 3), (77, 8)] {
                let area = Rect::new(0, 0, aw, ah);
                let ww = w.min(aw);
                let hh = h.min(ah);
                let [r] = Layout::horizontal([Constraint::Length(ww)])
                    .flex(Flex::Center)
                    .areas(area);
                let [r] = Layout::vertical([Constraint::Length(hh)])
                    .flex(Flex::Center)
                    .areas(r);
                let ours = geometry::centered(Plain::new(0, 0, aw, ah), w, h);
                assert_eq!(rect(ours), r, "{w}x{h} in {aw}x{ah}");
            }
        }
    }
}
