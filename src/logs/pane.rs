//! The logs pane's state: the buffer, the search, the view flags and the search input. Pure
//! state: no I/O, no clock. Scrolling and hit navigation are in `nav.rs`.

use std::cell::Cell;

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::backend::crossterm::EventHandler;
use tui_input::{Input, InputRequest};

use crate::cloud::TailEvent;
use crate::domain::RawLogEvent;

use super::buffer::{LogBuffer, LogLine};
use super::context::VisibleLines;
use super::format::{INSTANCE_WIDTH, TAG_MAX, clip, clock, group_tag, short_stream};
use super::layout::{Anchor, Columns, Row, TextArea, layout};
use super::picker::GroupPicker;
use super::query::Query;
use super::search::Search;

/// Context lines around each hit in filter mode, by default (like `grep -C 2`).
pub const DEFAULT_CONTEXT: usize = 2;
/// Most context lines `context_more` allows.
pub const MAX_CONTEXT: usize = 50;
/// Lines a search scans at once when its query changes; the rest waits for `tick`. Also a
/// sensible per-frame budget for `tick` (a few milliseconds of regex work).
pub const SCAN_BUDGET: usize = 20_000;
/// The "5xx" preset: a 5xx status in a combined-format access line (`"GET / HTTP/1.1" 502 157`:
/// the request's closing quote, a space, the code, a space), or an nginx upstream failure in the
/// error log ("connect() failed ... while connecting to upstream", "upstream timed out",
/// "upstream prematurely closed connection", "no live upstreams").
pub const PRESET_5XX: &str = r#"" 5[0-9]{2} |upstream|connect\(\) failed"#;

/// View size used for paging before the first draw.
const DEFAULT_VIEWPORT: (u16, u16) = (80, 20);

#[derive(Debug)]
pub struct LogsPane {
    pub(super) buf: LogBuffer,
    pub(super) search: Search,
    env: Option<String>,
    picker: GroupPicker,
    /// Auto-scroll to the newest line (unless paused).
    pub(super) follow: bool,
    /// The view is frozen while lines keep arriving.
    pub(super) paused: bool,
    /// Where the view is pinned when it is not live.
    pub(super) anchor: Anchor,
    /// The selected line; `None` while live (the newest line is then implied).
    pub(super) selected: Option<u64>,
    /// `next_seq` when the view stopped being live: lines from here on are "+N new".
    pub(super) new_since: u64,
    wrap: bool,
    timestamps: bool,
    instance: bool,
    pub(super) filter: bool,
    pub(super) context: usize,
    status: String,
    sampled: bool,
    /// The search being typed, if any.
    input: Option<Input>,
    /// The query in force when typing began, restored by `cancel_search`.
    query_before: Option<String>,
    /// Text area (columns, rows) of the last draw, so paging and revealing match the screen.
    /// Interior mutability because drawing takes `&self`; it is a cache, never state.
    pub(super) viewport: Cell<(u16, u16)>,
}

impl LogsPane {
    /// An empty pane whose buffer holds at most `max_lines` lines and `max_bytes` bytes.
    pub fn new(max_lines: usize, max_bytes: usize) -> Self {
        Self {
            buf: LogBuffer::new(max_lines, max_bytes),
            search: Search::new(),
            env: None,
            picker: GroupPicker::default(),
            follow: true,
            paused: false,
            anchor: Anchor::Bottom(0),
            selected: None,
            new_since: 0,
            wrap: false,
            timestamps: true,
            instance: true,
            filter: false,
            context: DEFAULT_CONTEXT,
            status: String::new(),
            sampled: false,
            input: None,
            query_before: None,
            viewport: Cell::new(DEFAULT_VIEWPORT),
        }
    }

    /// Starts over for an environment: clears the lines, keeps the search query (rescanned as
    /// lines arrive), sets the groups (`selected` are the ones being tailed) and goes live.
    /// The instance scope stays when the environment is the same (its lines loaded from further
    /// back, or searched in CloudWatch), and goes with another environment.
    pub fn reset_for(&mut self, env_name: &str, groups: Vec<String>, selected: Vec<String>) {
        if self.env.as_deref() != Some(env_name) && self.search.scope().is_some() {
            self.search.set_scope(None, &self.buf);
        }
        self.env = Some(env_name.to_string());
        self.picker = GroupPicker::new(groups, &selected);
        self.restart();
    }

    /// Clears lines and status and goes live; the query and view flags stay.
    fn restart(&mut self) {
        self.buf.clear();
        let query = self.search.query().cloned();
        self.apply_query(query);
        self.status.clear();
        self.sampled = false;
        self.follow = true;
        self.paused = false;
        self.selected = None;
        self.new_since = self.buf.next_seq();
    }

    /// Appends a batch (oldest first), dropping duplicates; new lines are searched at once
    /// unless a rescan is under way. Returns how many events were appended.
    pub fn ingest(&mut self, events: Vec<RawLogEvent>) -> usize {
        let added = self.buf.extend(events);
        if added > 0 {
            self.search.on_append(&self.buf);
        }
        added
    }

    /// Applies one message of a log tail. Returns true when something shown changed.
    pub fn apply_tail_event(&mut self, ev: TailEvent) -> bool {
        match ev {
            TailEvent::Events(events) => self.ingest(events) > 0,
            TailEvent::Sampled => {
                let changed = !self.sampled;
                self.set_sampled();
                changed
            }
            TailEvent::Status(s) => {
                let changed = s != self.status;
                self.set_status(s);
                changed
            }
        }
    }

    /// The tail's state in words ("live tail connected", "polling every 2s", "reconnecting").
    pub fn set_status(&mut self, status: String) {
        self.status = status;
    }

    /// The service sampled the stream: not every line is shown.
    pub fn set_sampled(&mut self) {
        self.sampled = true;
    }

    /// Advances a rescan by at most `budget` lines. Returns true when the view changed.
    pub fn tick(&mut self, budget: usize) -> bool {
        if !self.search.is_scanning() {
            return false;
        }
        self.search.step(&self.buf, budget);
        true
    }

    pub fn toggle_wrap(&mut self) {
        self.wrap = !self.wrap;
    }

    pub fn toggle_timestamps(&mut self) {
        self.timestamps = !self.timestamps;
    }

    pub fn toggle_instance(&mut self) {
        self.instance = !self.instance;
    }

    // --- search -------------------------------------------------------------------------------

    /// Opens the search input, holding the current query for editing.
    pub fn begin_search(&mut self) {
        let current = self.search.query().map(|q| q.text().to_string());
        self.input = Some(Input::new(current.clone().unwrap_or_default()));
        self.query_before = current;
    }

    /// A key while the search input is open: edits the text (the search follows as it is
    /// typed), Enter commits, Esc cancels. Returns true when something changed.
    pub fn search_input(&mut self, key: KeyEvent) -> bool {
        match key.code {
            KeyCode::Enter => {
                self.commit_search();
                return true;
            }
            KeyCode::Esc => {
                self.cancel_search();
                return true;
            }
            _ => {}
        }
        let Some(input) = &mut self.input else {
            return false;
        };
        let Some(change) = input.handle_event(&Event::Key(key)) else {
            return false;
        };
        if change.value {
            let text = input.value().to_string();
            self.set_query(&text);
        }
        true
    }

    /// True while the search input is open (route keys to [`LogsPane::search_input`]).
    pub fn is_searching(&self) -> bool {
        self.input.is_some()
    }

    /// Pasted text typed into the open search input (control characters left out).
    pub fn search_paste(&mut self, text: &str) {
        let Some(input) = &mut self.input else { return };
        for c in text.chars().filter(|c| !c.is_control()) {
            input.handle(InputRequest::InsertChar(c));
        }
        let text = input.value().to_string();
        self.set_query(&text);
    }

    /// Closes the input, keeping the query.
    fn commit_search(&mut self) {
        self.input = None;
        self.query_before = None;
    }

    /// Closes the input and restores the query that was in force before it opened.
    fn cancel_search(&mut self) {
        self.input = None;
        let before = self.query_before.take().unwrap_or_default();
        self.set_query(&before);
    }

    /// Sets the query (empty: no search). Compiles once; the hits are rescanned, the first
    /// [`SCAN_BUDGET`] lines at once and the rest by `tick`.
    pub fn set_query(&mut self, text: &str) {
        if self.search.query().map_or("", |q| q.text()) == text {
            return;
        }
        self.apply_query(Query::compile(text));
    }

    fn apply_query(&mut self, query: Option<Query>) {
        self.search.set_query(query, &self.buf);
        self.search.step(&self.buf, SCAN_BUDGET);
    }

    /// Shows only 5xx responses and upstream failures, with context ([`PRESET_5XX`]).
    pub fn preset_5xx(&mut self) {
        self.input = None;
        self.query_before = None;
        // Case-sensitive: nginx writes these words in lower case, and an exact literal lets the
        // regex engine skip ahead (see `Query::compile_exact`).
        let q = self.search.query();
        if q.is_none_or(|q| q.text() != PRESET_5XX || q.is_case_insensitive()) {
            self.apply_query(Query::compile_exact(PRESET_5XX));
        }
        if !self.filter {
            self.toggle_filter();
        }
    }

    /// Shows only the lines of `instance` (an instance id, or a stream name holding none), or
    /// of every instance again with `None`. The query and filter stay.
    pub fn set_scope(&mut self, instance: Option<&str>) {
        if self.search.scope().map(|s| s.instance()) == instance {
            return;
        }
        self.search.set_scope(instance, &self.buf);
        self.search.step(&self.buf, SCAN_BUDGET);
    }

    /// The instance the lines are narrowed to.
    pub fn scope(&self) -> Option<&str> {
        self.search.scope().map(|s| s.instance())
    }

    /// The instance of the selected line (the newest shown one while live): its id when its
    /// stream names one, else the stream's name.
    pub fn selected_instance(&self) -> Option<String> {
        let seq = self.marked().or_else(|| self.visible().last())?;
        let line = self.buf.get(seq)?;
        Some(
            super::scope::instance_of(line.stream)
                .unwrap_or(line.stream)
                .to_string(),
        )
    }

    // --- what is shown ------------------------------------------------------------------------

    /// The lines shown (all, or the filter's), in the layout the pane draws them; a filter's
    /// gaps are `--` lines as grep writes them. For saving to a file.
    pub fn visible_text(&self) -> Vec<String> {
        let cols = self.columns();
        let vis = self.visible();
        let mut out = Vec::new();
        for step in vis.iter() {
            if step.gap {
                out.push("--".to_string());
            }
            if let Some(line) = self.buf.get(step.seq) {
                out.push(self.format_line(line, cols));
            }
        }
        out
    }

    fn format_line(&self, line: LogLine, cols: Columns) -> String {
        let mut s = String::with_capacity(line.text.len() + 40);
        if cols.timestamps {
            s.push_str(&clock(line.ts));
            s.push(' ');
        }
        if cols.instance {
            s.push_str(&format!(
                "{:<w$} ",
                short_stream(line.stream),
                w = INSTANCE_WIDTH
            ));
        }
        if cols.tag_width > 0 {
            s.push_str(&format!(
                "{:<w$} ",
                clip(group_tag(line.group), cols.tag_width),
                w = cols.tag_width
            ));
        }
        s.push_str(line.text);
        s
    }

    /// The text of the selected line (the newest shown line while live), for copying.
    pub fn selected_text(&self) -> Option<String> {
        let seq = self.marked().or_else(|| self.visible().last())?;
        self.buf.get(seq).map(|l| l.text.to_string())
    }

    /// The lines shown: all (or one instance's), or in filter mode the hits with context.
    pub fn visible(&self) -> VisibleLines<'_> {
        let universe = self.search.scope().map(|s| s.members());
        let filter = self
            .filter_active()
            .then(|| (self.search.hits(), self.context));
        VisibleLines::new(&self.buf, universe, filter)
    }

    /// The columns in front of the text.
    pub fn columns(&self) -> Columns {
        let tags: Vec<usize> = self
            .picker
            .selected_short()
            .iter()
            .map(|g| group_tag(g).chars().count().min(TAG_MAX))
            .collect();
        let tag_width = if tags.len() > 1 {
            tags.into_iter().max().unwrap_or(0)
        } else {
            0
        };
        Columns {
            timestamps: self.timestamps,
            instance: self.instance,
            tag_width,
        }
    }

    /// The rows to draw in a text area of `width` x `height` cells. Remembers the size so
    /// paging moves by what is on screen.
    pub fn rows(&self, width: u16, height: u16) -> Vec<Row> {
        self.viewport.set((width, height));
        let area = TextArea {
            width: usize::from(width)
                .saturating_sub(self.columns().prefix_width())
                .max(1),
            height: usize::from(height),
            wrap: self.wrap,
        };
        let vis = self.visible();
        if self.is_live() {
            return match vis.last() {
                Some(last) => layout(&self.buf, &vis, Anchor::Bottom(last), area),
                None => Vec::new(),
            };
        }
        let rows = layout(&self.buf, &vis, self.anchor, area);
        // The selection always shows: after a resize or a filter change the anchor may not
        // reach it, so lay out around it instead.
        match self.marked() {
            Some(sel) if !rows.iter().any(|r| r.seq() == Some(sel)) => {
                let above = rows.iter().find_map(Row::seq).is_some_and(|top| sel < top);
                let anchor = if above {
                    Anchor::Top(sel)
                } else {
                    Anchor::Bottom(sel)
                };
                layout(&self.buf, &vis, anchor, area)
            }
            _ => rows,
        }
    }

    /// The rows of the last drawn size.
    pub(super) fn current_rows(&self) -> Vec<Row> {
        let (w, h) = self.viewport.get();
        self.rows(w, h)
    }

    /// The line to mark as selected: the selection, moved to the nearest shown line when it was
    /// evicted or filtered out. `None` while live.
    pub fn marked(&self) -> Option<u64> {
        if self.is_live() {
            return None;
        }
        let sel = self.selected?;
        self.visible().nearest(sel)
    }

    // --- accessors for drawing ----------------------------------------------------------------

    pub fn buffer(&self) -> &LogBuffer {
        &self.buf
    }

    pub fn search(&self) -> &Search {
        &self.search
    }

    pub fn env(&self) -> Option<&str> {
        self.env.as_deref()
    }

    pub fn status(&self) -> &str {
        &self.status
    }

    pub fn is_sampled(&self) -> bool {
        self.sampled
    }

    /// Following the newest line and not paused: new lines scroll the view.
    pub fn is_live(&self) -> bool {
        self.follow && !self.paused
    }

    pub fn is_following(&self) -> bool {
        self.follow
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// Lines (hits, in filter mode) that arrived since the view stopped being live.
    pub fn new_lines(&self) -> u64 {
        if self.is_live() {
            0
        } else if self.filter_active() {
            self.search.hits_from(self.new_since) as u64
        } else if let Some(scope) = self.search.scope() {
            scope.members_from(self.new_since) as u64
        } else {
            self.buf.next_seq().saturating_sub(self.new_since)
        }
    }

    pub fn wrap(&self) -> bool {
        self.wrap
    }

    pub fn timestamps(&self) -> bool {
        self.timestamps
    }

    pub fn instance(&self) -> bool {
        self.instance
    }

    /// Filter mode is on (it takes effect once there is a query).
    pub fn filter_on(&self) -> bool {
        self.filter
    }

    /// Only matching lines (with context) are shown.
    pub fn filter_active(&self) -> bool {
        self.filter && self.search.query().is_some()
    }

    pub fn context(&self) -> usize {
        self.context
    }

    /// The search input while one is being typed.
    pub fn input(&self) -> Option<&Input> {
        self.input.as_ref()
    }

    pub fn group_picker(&self) -> &GroupPicker {
        &self.picker
    }

    /// Number of log groups of the environment (for sizing the picker).
    pub fn group_count(&self) -> usize {
        self.picker.groups().len()
    }

    /// Toggles the group under the picker's cursor.
    pub fn picker_toggle(&mut self) {
        self.picker.toggle();
    }

    /// Moves the picker's cursor by `delta` rows (negative: up), stopping at the ends.
    pub fn picker_move(&mut self, delta: isize) {
        for _ in 0..delta.unsigned_abs() {
            if delta < 0 {
                self.picker.up()
            } else {
                self.picker.down()
            }
        }
    }

    /// The groups streamed now (the picker's applied selection, never its pending edits).
    pub fn streamed_groups(&self) -> Vec<String> {
        self.picker.selected()
    }

    /// Opens the picker with the applied selection (discarding edits of a cancelled picker).
    pub fn open_group_picker(&mut self) {
        self.picker.open();
    }

    /// Closes the picker without applying its edits.
    pub fn close_group_picker(&mut self) {
        self.picker.close();
    }

    /// Closes the picker and applies it. When the selection changed the lines are cleared and
    /// the new groups are returned: the app restarts the tail with them.
    pub fn apply_group_picker(&mut self) -> Option<Vec<String>> {
        let groups = self.picker.apply()?;
        self.restart();
        Some(groups)
    }
}

impl Default for LogsPane {
    fn default() -> Self {
        Self::new(
            super::buffer::DEFAULT_MAX_LINES,
            super::buffer::DEFAULT_MAX_BYTES,
        )
    }
}
