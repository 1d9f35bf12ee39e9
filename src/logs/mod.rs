//! Log lines: sanitizing, the bounded buffer, search, and the logs pane state.
//!
//! - [`sanitize()`] / [`sanitize_bytes`]: untrusted text made inert for the terminal.
//! - [`LogBuffer`]: lines in arrival order under a line cap and a byte cap, each with a `seq`
//!   that rises for the life of the buffer (selections and hits survive eviction), de-duplicated
//!   by event id within a window. Text is stored in 1 MiB blocks (see `buffer.rs` for why), so
//!   a [`LogLine`] is a borrowed view: `get(seq)`, `range(seqs)` and `iter()` hand them out.
//! - [`Search`] / [`Query`]: smart-case regex (literal fallback on a bad pattern), hits as sorted
//!   seqs, new lines scanned on arrival, a query change rescanned in slices.
//! - [`Scope`]: one instance's lines (their sorted seqs), read as lines arrive.
//! - [`VisibleLines`]: all lines (or one instance's), or hits with `C` lines of context (filter
//!   mode).
//! - [`LogsPane`]: everything the pane shows; drawn by `ui::logs`.
//!
//! # What the app calls on [`LogsPane`]
//!
//! Life cycle and data:
//! `new(max_lines, max_bytes)`, `reset_for(env_name, groups, selected)` (a new stream),
//! `apply_tail_event(TailEvent) -> bool` (what a stream sent; true when something shown changed),
//! `set_status(String)`, `tick(budget) -> bool` each tick (advances a rescan; [`SCAN_BUDGET`] is
//! a good budget; true when the view changed).
//!
//! View: `scroll_up(n)`, `scroll_down(n)`, `page_up()`, `page_down()`, `top()`, `bottom()`,
//! `toggle_follow()`, `toggle_pause()`, `toggle_wrap()`, `toggle_timestamps()`,
//! `toggle_instance()`, `escape()` (unpause, follow, newest line).
//!
//! Search: `begin_search()`, `search_input(KeyEvent) -> bool` (route every key here while
//! `is_searching()`; Enter keeps the query, Esc restores the one before), `search_paste(&str)`,
//! `set_query(&str)`, `next_hit()`, `prev_hit()`, `toggle_filter()`, `context_more()`,
//! `context_less()`, `preset_5xx()`.
//!
//! One instance: `set_scope(Some(id))` / `set_scope(None)`, `scope()`, `selected_instance()` (the
//! instance of the selected line, for `O`). Searches, the filter and `n`/`N` keep to its lines.
//!
//! Output: `visible_text() -> Vec<String>` (Ctrl-S), `selected_text() -> Option<String>` (copy).
//!
//! Group picker: `open_group_picker()`, `picker_move(delta)`, `picker_toggle()`,
//! `close_group_picker()` (discards edits), `apply_group_picker() -> Option<Vec<String>>` (Some:
//! the selection changed and the lines were cleared; the app restarts the stream with these
//! groups), `streamed_groups()` (the applied selection: what `F` and `1`-`5` reload).

mod access;
mod buffer;
mod context;
mod dedup;
mod format;
pub mod insights_query;
mod intern;
mod layout;
mod nav;
mod pane;
mod parallel;
mod picker;
mod prefilter;
mod query;
mod sanitize;
mod scope;
mod search;
#[cfg(test)]
mod search_equiv;

pub use access::{level, status_code};
pub use buffer::{DEDUP_WINDOW, DEFAULT_MAX_BYTES, DEFAULT_MAX_LINES, LogBuffer, LogLine, Run};
pub use context::{Step, VisibleLines};
pub use format::{INSTANCE_WIDTH, TAG_MAX, clip, clock, group_tag, short_group, short_stream};
pub use layout::{
    Anchor, CLOCK_COLUMN, Columns, MARKER_COLUMN, Row, TextArea, layout, wrap_ranges,
};
pub use pane::{DEFAULT_CONTEXT, LogsPane, MAX_CONTEXT, PRESET_5XX, SCAN_BUDGET};
pub use picker::GroupPicker;
pub use query::Query;
pub use sanitize::{MAX_LINE_BYTES, sanitize, sanitize_bytes, sanitize_capped};
pub use scope::{Scope, instance_of};
pub use search::Search;
