//! The environments table: the list, the filter typed with `/`, and the selection (by key, so it
//! survives re-sorting and refreshes).
//!
//! An environment is known in the app by its **key**: its name, except for a terminated
//! environment whose name a newer environment took again (Elastic Beanstalk lists terminated
//! environments for an hour, and names are reused), which is known by its id. So a re-created
//! namesake and the one it replaced never share a timeline, a ledger or an operation.

use tui_input::Input;

use super::filter::Filter;
use crate::domain::{EnvRef, EnvStatus, Environment, Millis};

#[derive(Debug, Default)]
pub struct EnvsPane {
    pub all: Vec<Environment>,
    /// The filter text; `editing` while the user types it.
    pub filter: Input,
    pub editing: bool,
    /// Cursor row, as an environment key.
    pub cursor: Option<String>,
    pub loaded: bool,
    /// The column sorted by (`s`, `<`, `>`, `r`).
    pub sort: super::sort::EnvSort,
}

impl EnvsPane {
    /// Replace the list (sorted by application, then name). Returns whether anything changed.
    pub fn set(&mut self, mut envs: Vec<Environment>) -> bool {
        envs.sort_by(|a, b| (&a.env.app, &a.env.name).cmp(&(&b.env.app, &b.env.name)));
        let changed = !self.loaded || envs != self.all;
        self.all = envs;
        self.loaded = true;
        if self
            .cursor
            .as_ref()
            .is_none_or(|c| !self.visible().iter().any(|e| self.key_of(e) == *c))
        {
            self.cursor = self.visible().first().map(|e| self.key_of(e));
        }
        changed
    }

    /// The environment known by `key`.
    pub fn get(&self, key: &str) -> Option<&Environment> {
        self.all.iter().find(|e| self.key_of(e) == key)
    }

    /// The key of a listed environment: its name, or its id when it is terminated and a newer
    /// environment took its name.
    pub fn key_of(&self, e: &Environment) -> String {
        let shadowed = e.status == EnvStatus::Terminated
            && !e.env.id.is_empty()
            && self
                .all
                .iter()
                .any(|o| o.env.name == e.env.name && o.env.id != e.env.id && o.created > e.created);
        if shadowed {
            e.env.id.clone()
        } else {
            e.env.name.clone()
        }
    }

    /// The key of the environment a request or an operation names (by id when it has one).
    pub fn key_for_ref(&self, r: &EnvRef) -> String {
        self.all
            .iter()
            .find(|e| {
                (!r.id.is_empty() && e.env.id == r.id) || (r.id.is_empty() && e.env.name == r.name)
            })
            .map_or_else(|| r.name.clone(), |e| self.key_of(e))
    }

    /// The key of the environment an event of `name` at `ts` belongs to: events carry only a
    /// name, so among namesakes it is the newest one created at or before the event.
    pub fn key_for_event(&self, name: &str, ts: Millis) -> String {
        let mut same: Vec<&Environment> = self.all.iter().filter(|e| e.env.name == name).collect();
        if same.len() < 2 {
            return name.to_string();
        }
        same.sort_by_key(|e| e.created);
        let owner = same
            .iter()
            .rev()
            .find(|e| e.created <= ts)
            .unwrap_or(&same[0]);
        self.key_of(owner)
    }

    /// The rows the filter lets through (`app::filter`: free text or `column:value` terms,
    /// AND-ed; all rows while the filter names an unknown column), in the sort's order.
    pub fn visible(&self) -> Vec<&Environment> {
        let filter = Filter::parse(self.filter.value()).unwrap_or_default();
        let mut rows: Vec<&Environment> = self.all.iter().filter(|e| filter.matches(e)).collect();
        self.sort.sort(&mut rows);
        rows
    }

    /// Why the filter typed cannot be used (an unknown column), for the filter line.
    pub fn filter_error(&self) -> Option<String> {
        Filter::parse(self.filter.value()).err()
    }

    pub fn cursor_index(&self) -> Option<usize> {
        let c = self.cursor.as_ref()?;
        self.visible().iter().position(|e| self.key_of(e) == *c)
    }

    /// Move the cursor by `delta` rows (clamped).
    pub fn move_by(&mut self, delta: isize) {
        let vis = self.visible();
        if vis.is_empty() {
            return;
        }
        let i = self.cursor_index().unwrap_or(0) as isize;
        let j = (i + delta).clamp(0, vis.len() as isize - 1) as usize;
        self.cursor = Some(self.key_of(vis[j]));
    }

    pub fn move_to(&mut self, last: bool) {
        let vis = self.visible();
        let e = if last { vis.last() } else { vis.first() };
        self.cursor = e.map(|e| self.key_of(e));
    }

    /// After the filter changed: keep the cursor on a visible row.
    pub fn refilter(&mut self) {
        if self.cursor_index().is_none() {
            self.cursor = self.visible().first().map(|e| self.key_of(e));
        }
    }
}
