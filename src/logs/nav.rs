//! Moving around the logs pane: following, pausing, scrolling, paging, jumping between hits,
//! filter and context changes. Every move is computed against the rows on screen (the last
//! drawn size), so what the user sees is what moves.

use super::layout::{Anchor, Row};
use super::pane::{LogsPane, MAX_CONTEXT};

impl LogsPane {
    /// Stops the view from moving (pause, scroll, follow off): pins it at the newest line shown
    /// and starts counting new lines. A view that is already still is left as it is.
    fn freeze(&mut self) {
        if !self.is_live() {
            return;
        }
        let last = self.current_rows().iter().rev().find_map(Row::seq);
        self.anchor = Anchor::Bottom(last.unwrap_or_else(|| self.buf.next_seq()));
        self.new_since = self.buf.next_seq();
    }

    /// Where a move starts: the selection, else the newest line on screen.
    fn move_base(&self, rows: &[Row]) -> Option<u64> {
        self.marked()
            .or_else(|| rows.iter().rev().find_map(Row::seq))
    }

    /// Selects `target` and pins the view so it shows whole, moving the view as little as
    /// possible (`rows` are those on screen before the move).
    fn select_and_reveal(&mut self, target: u64, rows: &[Row]) {
        self.selected = Some(target);
        let text_len = self.buf.get(target).map_or(0, |l| l.text.len());
        let starts = rows
            .iter()
            .any(|r| matches!(r, Row::Line { seq, continuation: false, .. } if *seq == target));
        let ends = rows.iter().any(|r| matches!(r, Row::Line { seq, bytes, .. } if *seq == target && bytes.end == text_len));
        if starts && ends {
            return;
        }
        let top = rows.iter().find_map(Row::seq);
        self.anchor = match top {
            Some(top) if target <= top => Anchor::Top(target),
            _ => Anchor::Bottom(target),
        };
    }

    /// Selects `target` and, unless it already shows, puts it in the middle of the pane.
    fn select_and_center(&mut self, target: u64) {
        let rows = self.current_rows();
        let on_screen = rows.iter().any(|r| r.seq() == Some(target));
        self.selected = Some(target);
        if !on_screen {
            let half = usize::from(self.viewport.get().1) / 2;
            let top = self.visible().walk(target, half, true).unwrap_or(target);
            self.anchor = Anchor::Top(top);
        }
    }

    /// A click on row `i` of those on screen (the last drawn size): selects its line and stops
    /// following, as moving the selection does. `false` when no line is there.
    pub fn select_row(&mut self, i: usize) -> bool {
        let Some(seq) = self.current_rows().get(i).and_then(Row::seq) else {
            return false;
        };
        self.freeze();
        let rows = self.current_rows();
        self.select_and_reveal(seq, &rows);
        true
    }

    /// Moves the selection up `n` shown lines; stops following.
    pub fn scroll_up(&mut self, n: usize) {
        self.freeze();
        let rows = self.current_rows();
        let Some(base) = self.move_base(&rows) else {
            return;
        };
        self.follow = false;
        let target = self.visible().walk(base, n, true).unwrap_or(base);
        self.select_and_reveal(target, &rows);
    }

    /// Moves the selection down `n` shown lines. While live there is nothing below: no-op.
    pub fn scroll_down(&mut self, n: usize) {
        if self.is_live() {
            return;
        }
        let rows = self.current_rows();
        let Some(base) = self.move_base(&rows) else {
            return;
        };
        self.follow = false;
        let target = self.visible().walk(base, n, false).unwrap_or(base);
        self.select_and_reveal(target, &rows);
    }

    /// One page up: the top line becomes the bottom one, and is selected.
    pub fn page_up(&mut self) {
        self.freeze();
        let rows = self.current_rows();
        let Some(top) = rows.iter().find_map(Row::seq) else {
            return;
        };
        self.follow = false;
        self.anchor = Anchor::Bottom(top);
        // Cleared first: the rows keep an old selection in view, which would undo the move.
        self.selected = None;
        self.selected = self.current_rows().iter().find_map(Row::seq);
    }

    /// One page down: the bottom line becomes the top one; the new bottom line is selected.
    pub fn page_down(&mut self) {
        if self.is_live() {
            return;
        }
        let rows = self.current_rows();
        let Some(bottom) = rows.iter().rev().find_map(Row::seq) else {
            return;
        };
        self.follow = false;
        self.anchor = Anchor::Top(bottom);
        self.selected = None;
        self.selected = self.current_rows().iter().rev().find_map(Row::seq);
    }

    /// The oldest shown line; stops following.
    pub fn top(&mut self) {
        self.freeze();
        let Some(first) = self.visible().first() else {
            return;
        };
        self.follow = false;
        self.anchor = Anchor::Top(first);
        self.selected = Some(first);
    }

    /// The newest line: following again, unless paused (then the frozen view moves there).
    pub fn bottom(&mut self) {
        if self.paused {
            let last = self.visible().last();
            if let Some(last) = last {
                self.anchor = Anchor::Bottom(last);
                self.selected = Some(last);
            }
        } else {
            self.follow = true;
            self.selected = None;
        }
    }

    /// Follow on: back to the newest line, live. Follow off: the view stays where it is.
    pub fn toggle_follow(&mut self) {
        if self.follow {
            self.freeze();
            self.follow = false;
        } else {
            self.follow = true;
            self.paused = false;
            self.selected = None;
        }
    }

    /// Pause freezes the view while lines still arrive ("+N new"); unpausing follows again if
    /// follow is on.
    pub fn toggle_pause(&mut self) {
        if self.paused {
            self.paused = false;
            if self.follow {
                self.selected = None;
            }
        } else {
            self.freeze();
            self.paused = true;
        }
    }

    /// Back to normal: not paused, following the newest line.
    pub fn escape(&mut self) {
        self.paused = false;
        self.follow = true;
        self.selected = None;
    }

    /// Selects the next hit after the selection (wrapping); stops following.
    pub fn next_hit(&mut self) {
        self.jump_hit(true);
    }

    /// Selects the previous hit before the selection (wrapping); stops following.
    pub fn prev_hit(&mut self) {
        self.jump_hit(false);
    }

    fn jump_hit(&mut self, forward: bool) {
        let target = {
            let rows = self.current_rows();
            let live = self.is_live();
            let base = self.move_base(&rows);
            match (base, forward) {
                // While live the newest line is the reference, and a hit on it counts as "before".
                (Some(b), false) if live => self.search.prev_before(b + 1),
                (Some(b), true) => self.search.next_after(b),
                (Some(b), false) => self.search.prev_before(b),
                (None, true) => self.search.hits().front().copied(),
                (None, false) => self.search.hits().back().copied(),
            }
        };
        let Some(target) = target else { return };
        self.freeze();
        self.follow = false;
        self.search.set_current(Some(target));
        self.select_and_center(target);
    }

    /// Filter mode on or off. A selected line stays selected (or the nearest shown one) and in
    /// view.
    pub fn toggle_filter(&mut self) {
        let before = self.marked();
        self.filter = !self.filter;
        self.keep_in_view(before);
    }

    /// One more line of context around each hit.
    pub fn context_more(&mut self) {
        let before = self.marked();
        self.context = (self.context + 1).min(MAX_CONTEXT);
        self.keep_in_view(before);
    }

    /// One line of context less (down to none).
    pub fn context_less(&mut self) {
        let before = self.marked();
        self.context = self.context.saturating_sub(1);
        self.keep_in_view(before);
    }

    fn keep_in_view(&mut self, selected: Option<u64>) {
        if let Some(sel) = selected
            && let Some(now) = self.visible().nearest(sel)
        {
            self.select_and_center(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::RawLogEvent;
    use crate::logs::pane::{LogsPane, PRESET_5XX};

    fn ev(i: usize, text: &str) -> RawLogEvent {
        RawLogEvent {
            id: Some(format!("id-{i}")),
            ts: i as i64,
            group: "/aws/elasticbeanstalk/shop/var/log/nginx/access.log".into(),
            stream: "i-0abc1234def".into(),
            message: text.into(),
        }
    }

    /// A pane with `n` lines "line i", drawn once at 80x5.
    fn pane(n: usize) -> LogsPane {
        let mut p = LogsPane::new(1_000, usize::MAX);
        p.ingest((0..n).map(|i| ev(i, &format!("line {i}"))).collect());
        p.rows(80, 5);
        p
    }

    fn shown(p: &LogsPane) -> Vec<u64> {
        p.current_rows().iter().filter_map(|r| r.seq()).collect()
    }

    #[test]
    fn follow_shows_the_newest_lines() {
        let mut p = pane(10);
        assert!(p.is_live());
        assert_eq!(shown(&p), [5, 6, 7, 8, 9]);
        p.ingest(vec![ev(10, "line 10")]);
        assert_eq!(shown(&p), [6, 7, 8, 9, 10]);
        assert_eq!(p.new_lines(), 0);
        assert_eq!(p.marked(), None);
        assert_eq!(p.selected_text().as_deref(), Some("line 10"));
    }

    #[test]
    fn pause_freezes_the_view_and_counts_new_lines() {
        let mut p = pane(10);
        p.toggle_pause();
        assert!(p.is_paused() && !p.is_live());
        p.ingest((10..13).map(|i| ev(i, "more")).collect());
        assert_eq!(shown(&p), [5, 6, 7, 8, 9], "frozen");
        assert_eq!(p.new_lines(), 3);
        p.toggle_pause();
        assert!(p.is_live());
        assert_eq!(shown(&p), [8, 9, 10, 11, 12]);
        assert_eq!(p.new_lines(), 0);
    }

    #[test]
    fn scrolling_up_stops_following() {
        let mut p = pane(10);
        p.scroll_up(1);
        assert!(!p.is_following());
        assert_eq!(p.marked(), Some(8));
        assert_eq!(shown(&p), [5, 6, 7, 8, 9]);
        p.scroll_up(5);
        assert_eq!(p.marked(), Some(3));
        assert_eq!(shown(&p), [3, 4, 5, 6, 7]);
        p.ingest(vec![ev(10, "x"), ev(11, "y")]);
        assert_eq!(shown(&p), [3, 4, 5, 6, 7], "a scrolled view does not move");
        assert_eq!(p.new_lines(), 2);
        p.scroll_down(6);
        assert_eq!(p.marked(), Some(9));
        assert_eq!(shown(&p), [5, 6, 7, 8, 9]);
        p.scroll_up(100);
        assert_eq!(p.marked(), Some(0));
        p.bottom();
        assert!(p.is_live());
        assert_eq!(shown(&p), [7, 8, 9, 10, 11]);
    }

    #[test]
    fn paging_and_top() {
        let mut p = pane(20);
        p.page_up();
        assert_eq!(shown(&p), [11, 12, 13, 14, 15]);
        assert_eq!(p.marked(), Some(11));
        p.page_down();
        assert_eq!(shown(&p), [15, 16, 17, 18, 19]);
        assert_eq!(p.marked(), Some(19));
        p.top();
        assert_eq!(shown(&p), [0, 1, 2, 3, 4]);
        p.escape();
        assert!(p.is_live() && !p.is_paused());
        assert_eq!(shown(&p), [15, 16, 17, 18, 19]);
    }

    #[test]
    fn toggle_follow_freezes_and_resumes() {
        let mut p = pane(10);
        p.toggle_follow();
        p.ingest(vec![ev(10, "new")]);
        assert_eq!(shown(&p), [5, 6, 7, 8, 9]);
        assert_eq!(p.new_lines(), 1);
        p.toggle_follow();
        assert_eq!(shown(&p), [6, 7, 8, 9, 10]);
    }

    #[test]
    fn selection_survives_eviction() {
        let mut p = LogsPane::new(10, usize::MAX);
        p.ingest((0..10).map(|i| ev(i, &format!("line {i}"))).collect());
        p.rows(80, 5);
        p.scroll_up(2);
        assert_eq!(p.marked(), Some(7));
        p.ingest((10..15).map(|i| ev(i, &format!("line {i}"))).collect());
        assert_eq!(p.marked(), Some(7), "seq 7 is still buffered (5..15)");
        assert_eq!(p.selected_text().as_deref(), Some("line 7"));
        p.ingest((15..20).map(|i| ev(i, &format!("line {i}"))).collect());
        assert_eq!(p.marked(), Some(10), "evicted: the oldest line is selected");
        assert!(shown(&p).contains(&10));
    }

    #[test]
    fn hits_navigation_wraps_and_centres() {
        let mut p = LogsPane::new(1_000, usize::MAX);
        p.ingest(
            (0..40)
                .map(|i| ev(i, if i % 10 == 3 { "GET 502" } else { "GET 200" }))
                .collect(),
        );
        p.rows(80, 5);
        p.set_query("502");
        assert_eq!(
            p.search().hits().iter().copied().collect::<Vec<_>>(),
            [3, 13, 23, 33]
        );
        p.prev_hit(); // from the live bottom: the newest hit
        assert_eq!(
            (p.marked(), p.search().current_index()),
            (Some(33), Some(4))
        );
        p.prev_hit();
        assert_eq!(p.marked(), Some(23));
        assert_eq!(shown(&p), [21, 22, 23, 24, 25], "centred");
        p.next_hit();
        p.next_hit();
        assert_eq!(p.marked(), Some(3), "wrapped");
        assert_eq!(p.search().current_index(), Some(1));
    }

    #[test]
    fn filter_shows_hits_with_context_and_keeps_selection() {
        let mut p = LogsPane::new(1_000, usize::MAX);
        p.ingest(
            (0..40)
                .map(|i| ev(i, if i % 10 == 3 { "GET 502" } else { "GET 200" }))
                .collect(),
        );
        p.rows(80, 12);
        p.set_query("502");
        p.toggle_filter();
        assert!(p.filter_active());
        // The live view ends with the last window: 31..=35, after 21..=25 and a separator.
        let rows = p.current_rows();
        let seqs: Vec<Option<u64>> = rows.iter().map(|r| r.seq()).collect();
        assert_eq!(
            &seqs[seqs.len() - 6..],
            [None, Some(31), Some(32), Some(33), Some(34), Some(35)]
        );
        p.context_less();
        p.context_less();
        assert_eq!(p.visible_text().len(), 4 + 3, "4 hits, 3 separators");
        p.context_more();
        let text = p.visible_text();
        assert_eq!(text.len(), 4 * 3 + 3);
        assert!(text[0].ends_with("GET 200") && text[1].ends_with("GET 502") && text[3] == "--");
        // Selecting a context line then hiding context moves the selection to the nearest hit.
        p.top();
        assert_eq!(p.marked(), Some(2));
        p.context_less();
        assert_eq!(p.marked(), Some(3));
        p.toggle_filter();
        assert_eq!(p.marked(), Some(3));
    }

    #[test]
    fn preset_5xx_filters_access_and_upstream_errors() {
        let mut p = LogsPane::new(1_000, usize::MAX);
        let lines = [
            r#"10.0.1.5 - - [24/Nov/2026:10:15:02 +0000] "GET /api/cart HTTP/1.1" 502 157 "-" "curl/8.0" "-""#,
            r#"10.0.1.5 - - [24/Nov/2026:10:15:02 +0000] "GET /api/cart HTTP/1.1" 200 157 "-" "curl/8.0" "-""#,
            r#"10.0.1.5 - - [24/Nov/2026:10:15:02 +0000] "GET /api/502 HTTP/1.1" 200 502 "-" "curl/8.0" "-""#,
            "2026/11/24 10:15:02 [error] 2345#2345: *9 connect() failed (111: Connection refused) while connecting to upstream",
            r#"10.0.1.6 - - [24/Nov/2026:10:15:03 +0000] "POST /pay HTTP/1.1" 504 0 "-" "Mozilla/5.0" "1.2.3.4""#,
        ];
        p.ingest(lines.iter().enumerate().map(|(i, l)| ev(i, l)).collect());
        p.preset_5xx();
        assert!(p.filter_active());
        assert_eq!(p.search().query().map(|q| q.text()), Some(PRESET_5XX));
        assert_eq!(
            p.search().hits().iter().copied().collect::<Vec<_>>(),
            [0, 3, 4]
        );
    }

    #[test]
    fn new_counter_in_filter_mode_counts_hits() {
        let mut p = pane(10);
        p.set_query("match");
        p.toggle_filter();
        p.toggle_pause();
        p.ingest(vec![
            ev(10, "a match"),
            ev(11, "nothing"),
            ev(12, "match again"),
        ]);
        assert_eq!(p.new_lines(), 2);
    }

    #[test]
    fn typing_a_search_updates_hits_and_cancel_restores() {
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        let mut p = pane(30);
        p.set_query("line 1");
        assert_eq!(p.search().hits().len(), 11);
        p.begin_search();
        assert_eq!(p.input().map(|i| i.value()), Some("line 1"));
        assert!(p.search_input(key('2')));
        assert_eq!(p.search().hits().iter().copied().collect::<Vec<_>>(), [12]);
        assert!(p.search_input(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
        assert!(p.input().is_none());
        assert_eq!(p.search().query().map(|q| q.text()), Some("line 1"));
        assert_eq!(p.search().hits().len(), 11);
        p.begin_search();
        p.search_input(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        p.search_input(key('('));
        assert!(p.search().query().is_some_and(|q| q.error().is_some()));
        p.search_input(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        assert!(p.input().is_none());
        assert_eq!(p.search().query().map(|q| q.text()), Some("("));
    }

    #[test]
    fn a_large_rescan_runs_in_ticks() {
        let mut p = LogsPane::new(100_000, usize::MAX);
        p.ingest(
            (0..50_000)
                .map(|i| {
                    ev(
                        i,
                        &format!("req {i} status {}", if i % 1000 == 0 { 503 } else { 200 }),
                    )
                })
                .collect(),
        );
        p.set_query("status 503");
        assert!(p.search().is_scanning());
        let mut ticks = 0;
        while p.tick(10_000) {
            ticks += 1;
        }
        assert!(ticks >= 3);
        assert!(!p.search().is_scanning());
        assert_eq!(p.search().hits().len(), 50);
    }
}
