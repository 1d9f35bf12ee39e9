//! The timeline: Elastic Beanstalk events merged with CloudFormation stack events in one
//! chronological list, de-duplicated, bounded, following new entries unless scrolled back.

use std::collections::HashSet;

use crate::domain::{EnvEvent, Millis, StackEvent};

/// Entries kept per environment; older ones fall out.
pub const MAX_ENTRIES: usize = 5_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Eb(EnvEvent),
    Stack(StackEvent),
}

impl Entry {
    pub fn ts(&self) -> Millis {
        match self {
            Entry::Eb(e) => e.ts,
            Entry::Stack(s) => s.ts,
        }
    }
    fn key(&self) -> String {
        match self {
            Entry::Eb(e) => format!("eb|{}|{}", e.ts, e.message),
            Entry::Stack(s) => format!("cfn|{}", s.id),
        }
    }
}

#[derive(Debug)]
pub struct Timeline {
    pub entries: Vec<Entry>,
    seen: HashSet<String>,
    /// Cursors for the next incremental reads.
    pub events_since: Option<Millis>,
    pub stack_since: Option<Millis>,
    /// Rows from the bottom the user scrolled back; 0 follows new entries.
    pub scroll_back: usize,
    pub follow: bool,
    pub loaded: bool,
    /// The environment's own older events were read (the account stream brings only new ones).
    pub history_read: bool,
    /// Its stack events were read once.
    pub stack_read: bool,
    /// Scrolling back found no older events: the history ends here.
    pub older_exhausted: bool,
}

/// A new timeline follows new entries.
impl Default for Timeline {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            seen: HashSet::new(),
            events_since: None,
            stack_since: None,
            scroll_back: 0,
            follow: true,
            loaded: false,
            history_read: false,
            stack_read: false,
            older_exhausted: false,
        }
    }
}

impl Timeline {
    pub fn new() -> Self {
        Self::default()
    }

    /// Merge new EB events; returns how many were new.
    pub fn add_events(&mut self, events: Vec<EnvEvent>) -> usize {
        self.loaded = true;
        if let Some(max) = events.iter().map(|e| e.ts).max() {
            // Cursor at the newest time seen: the next read includes that instant again, and the
            // seen-set drops the repeats, so events sharing a timestamp are never lost.
            self.events_since = Some(self.events_since.map_or(max, |s| s.max(max)));
        }
        self.merge(events.into_iter().map(Entry::Eb))
    }

    pub fn add_stack_events(&mut self, events: Vec<StackEvent>) -> usize {
        if let Some(max) = events.iter().map(|e| e.ts).max() {
            self.stack_since = Some(self.stack_since.map_or(max, |s| s.max(max)));
        }
        self.merge(events.into_iter().map(Entry::Stack))
    }

    fn merge(&mut self, new: impl Iterator<Item = Entry>) -> usize {
        let before = self.entries.len();
        let mut added = 0;
        for e in new {
            if self.seen.insert(e.key()) {
                self.entries.push(e);
                added += 1;
            }
        }
        if added > 0 {
            // Stable sort: entries of the same instant keep their arrival order.
            self.entries.sort_by_key(|e| e.ts());
            if self.entries.len() > MAX_ENTRIES {
                let drop = self.entries.len() - MAX_ENTRIES;
                for e in self.entries.drain(..drop) {
                    self.seen.remove(&e.key());
                }
            }
            if !self.follow {
                // Keep the rows the user is reading in place.
                self.scroll_back = (self.scroll_back + self.entries.len().saturating_sub(before))
                    .min(self.entries.len().saturating_sub(1));
            }
        }
        added
    }

    /// The EB events, oldest first (for operation tracking).
    pub fn eb_events(&self) -> Vec<EnvEvent> {
        self.entries
            .iter()
            .filter_map(|e| {
                if let Entry::Eb(ev) = e {
                    Some(ev.clone())
                } else {
                    None
                }
            })
            .collect()
    }

    pub fn scroll(&mut self, delta: isize) {
        let max = self.entries.len().saturating_sub(1) as isize;
        self.scroll_back = (self.scroll_back as isize - delta).clamp(0, max) as usize;
        self.follow = self.scroll_back == 0;
    }

    /// The oldest row is on screen: time to read what came before it.
    pub fn at_top(&self) -> bool {
        !self.entries.is_empty() && self.scroll_back + 1 >= self.entries.len()
    }

    /// The time of the oldest Elastic Beanstalk event held.
    pub fn oldest_event(&self) -> Option<Millis> {
        self.entries.iter().find_map(|e| match e {
            Entry::Eb(ev) => Some(ev.ts),
            Entry::Stack(_) => None,
        })
    }

    pub fn to_top(&mut self) {
        self.scroll_back = self.entries.len().saturating_sub(1);
        self.follow = false;
    }

    pub fn to_bottom(&mut self) {
        self.scroll_back = 0;
        self.follow = true;
    }

    pub fn toggle_follow(&mut self) {
        if self.follow {
            self.follow = false;
        } else {
            self.to_bottom();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Severity;

    fn eb(ts: Millis, m: &str) -> EnvEvent {
        EnvEvent {
            ts,
            env: "e".into(),
            severity: Severity::Info,
            message: m.into(),
            version: None,
            request_id: None,
        }
    }
    fn st(id: &str, ts: Millis) -> StackEvent {
        StackEvent {
            id: id.into(),
            ts,
            stack: "s".into(),
            logical_id: "L".into(),
            resource_type: "T".into(),
            status: "CREATE_COMPLETE".into(),
            reason: None,
        }
    }

    #[test]
    fn merges_sources_chronologically_without_duplicates() {
        let mut t = Timeline::new();
        assert_eq!(t.add_events(vec![eb(10, "a"), eb(30, "c")]), 2);
        assert_eq!(t.add_stack_events(vec![st("x", 20), st("y", 40)]), 2);
        // The next read starts at the cursor (inclusive): the repeat is dropped, the new one kept.
        assert_eq!(t.events_since, Some(30));
        assert_eq!(t.add_events(vec![eb(30, "c"), eb(30, "c2")]), 1);
        assert_eq!(t.add_stack_events(vec![st("y", 40)]), 0);
        let ts: Vec<Millis> = t.entries.iter().map(|e| e.ts()).collect();
        assert_eq!(ts, vec![10, 20, 30, 30, 40]);
    }

    #[test]
    fn scrolled_back_view_stays_put_and_follow_resumes_at_bottom() {
        let mut t = Timeline::new();
        t.add_events((0..10).map(|i| eb(i, &format!("m{i}"))).collect());
        t.scroll(-3);
        assert!(!t.follow);
        assert_eq!(t.scroll_back, 3);
        t.add_events(vec![eb(100, "new")]);
        assert_eq!(
            t.scroll_back, 4,
            "new rows push the scroll-back so the same rows stay visible"
        );
        t.scroll(10);
        assert!(t.follow);
        assert_eq!(t.scroll_back, 0);
    }

    #[test]
    fn bounded() {
        let mut t = Timeline::new();
        t.add_events((0..(MAX_ENTRIES as i64 + 10)).map(|i| eb(i, "m")).collect());
        assert_eq!(t.entries.len(), MAX_ENTRIES);
        assert_eq!(t.entries[0].ts(), 10);
    }
}
