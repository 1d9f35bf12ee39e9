//! The group picker: every log group of the environment with a checkbox. Edits stay pending
//! until applied, so closing the picker with Esc changes nothing.

use super::format::short_group;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupPicker {
    groups: Vec<String>,
    /// What the tail streams now.
    applied: Vec<bool>,
    /// What the picker shows while open.
    pending: Vec<bool>,
    cursor: usize,
    open: bool,
}

impl GroupPicker {
    /// All groups of the environment, and the ones streamed. Names not in `groups` are ignored.
    pub fn new(groups: Vec<String>, selected: &[String]) -> Self {
        let applied: Vec<bool> = groups.iter().map(|g| selected.contains(g)).collect();
        Self {
            pending: applied.clone(),
            applied,
            groups,
            cursor: 0,
            open: false,
        }
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn open(&mut self) {
        self.pending = self.applied.clone();
        self.open = true;
    }

    /// Closes without applying.
    pub fn close(&mut self) {
        self.pending = self.applied.clone();
        self.open = false;
    }

    /// Closes and applies; returns the new selection when it differs from the one applied.
    pub fn apply(&mut self) -> Option<Vec<String>> {
        self.open = false;
        if self.pending == self.applied {
            return None;
        }
        self.applied = self.pending.clone();
        Some(self.selected())
    }

    pub fn up(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn down(&mut self) {
        if self.cursor + 1 < self.groups.len() {
            self.cursor += 1;
        }
    }

    /// Toggles the group under the cursor.
    pub fn toggle(&mut self) {
        if let Some(p) = self.pending.get_mut(self.cursor) {
            *p = !*p;
        }
    }

    /// Checks every group; when all are already checked, unchecks them all.
    pub fn select_all(&mut self) {
        let all = self.pending.iter().all(|&p| p);
        self.pending.iter_mut().for_each(|p| *p = !all);
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Groups with the pending checkbox state, for drawing the open picker.
    pub fn entries(&self) -> impl Iterator<Item = (&str, bool)> {
        self.groups
            .iter()
            .map(String::as_str)
            .zip(self.pending.iter().copied())
    }

    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// The applied selection (what the tail streams).
    pub fn selected(&self) -> Vec<String> {
        self.groups
            .iter()
            .zip(&self.applied)
            .filter(|(_, on)| **on)
            .map(|(g, _)| g.clone())
            .collect()
    }

    /// Short names of the applied selection, for the pane title.
    pub fn selected_short(&self) -> Vec<&str> {
        self.groups
            .iter()
            .zip(&self.applied)
            .filter(|(_, on)| **on)
            .map(|(g, _)| short_group(g))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picker() -> GroupPicker {
        let groups = vec![
            "/a/var/log/nginx/access.log".to_string(),
            "/a/var/log/nginx/error.log".into(),
            "/a/var/log/web.stdout.log".into(),
        ];
        GroupPicker::new(
            groups,
            &["/a/var/log/nginx/error.log".to_string(), "unknown".into()],
        )
    }

    #[test]
    fn toggling_is_pending_until_applied() {
        let mut p = picker();
        assert_eq!(p.selected_short(), ["nginx/error.log"]);
        p.open();
        p.toggle(); // access on
        p.down();
        p.down();
        p.down(); // stays on the last
        assert_eq!(p.cursor(), 2);
        p.toggle(); // stdout on
        assert_eq!(p.entries().filter(|e| e.1).count(), 3);
        assert_eq!(p.selected().len(), 1, "nothing applied yet");
        let applied = p.apply().expect("changed");
        assert_eq!(applied.len(), 3);
        assert!(!p.is_open());
        p.open();
        assert_eq!(p.apply(), None, "unchanged selection applies nothing");
    }

    #[test]
    fn close_discards_and_select_all_toggles() {
        let mut p = picker();
        p.open();
        p.select_all();
        assert!(p.entries().all(|e| e.1));
        p.select_all();
        assert!(p.entries().all(|e| !e.1));
        p.close();
        assert_eq!(p.selected_short(), ["nginx/error.log"]);
        p.up();
        assert_eq!(p.cursor(), 0);
    }
}
