//! The environments table: the list, the filter typed with `/`, and the selection (by name, so it
//! survives re-sorting and refreshes).

use tui_input::Input;

use crate::domain::Environment;

#[derive(Debug, Default)]
pub struct EnvsPane {
    pub all: Vec<Environment>,
    /// The filter text; `editing` while the user types it.
    pub filter: Input,
    pub editing: bool,
    /// Cursor row, as an environment name.
    pub cursor: Option<String>,
    pub loaded: bool,
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
            .is_none_or(|c| !self.visible().iter().any(|e| &e.env.name == c))
        {
            self.cursor = self.visible().first().map(|e| e.env.name.clone());
        }
        changed
    }

    pub fn get(&self, name: &str) -> Option<&Environment> {
        self.all.iter().find(|e| e.env.name == name)
    }

    /// The rows the filter lets through: a case-insensitive substring of application, name,
    /// status, health or version.
    pub fn visible(&self) -> Vec<&Environment> {
        let f = self.filter.value().to_lowercase();
        self.all
            .iter()
            .filter(|e| {
                f.is_empty()
                    || [
                        e.env.app.as_str(),
                        e.env.name.as_str(),
                        e.status.as_str(),
                        e.health.as_str(),
                        e.health_status.as_ref().map(|h| h.as_str()).unwrap_or(""),
                        e.version.as_deref().unwrap_or(""),
                    ]
                    .iter()
                    .any(|s| s.to_lowercase().contains(&f))
            })
            .collect()
    }

    pub fn cursor_index(&self) -> Option<usize> {
        let c = self.cursor.as_ref()?;
        self.visible().iter().position(|e| &e.env.name == c)
    }

    /// Move the cursor by `delta` rows (clamped).
    pub fn move_by(&mut self, delta: isize) {
        let vis = self.visible();
        if vis.is_empty() {
            return;
        }
        let i = self.cursor_index().unwrap_or(0) as isize;
        let j = (i + delta).clamp(0, vis.len() as isize - 1) as usize;
        self.cursor = Some(vis[j].env.name.clone());
    }

    pub fn move_to(&mut self, last: bool) {
        let vis = self.visible();
        let e = if last { vis.last() } else { vis.first() };
        self.cursor = e.map(|e| e.env.name.clone());
    }

    /// After the filter changed: keep the cursor on a visible row.
    pub fn refilter(&mut self) {
        if self.cursor_index().is_none() {
            self.cursor = self.visible().first().map(|e| e.env.name.clone());
        }
    }
}
