//! Interned group and stream names: every line of a group shares one allocation.

use std::collections::HashSet;
use std::sync::Arc;

/// Names scanned linearly before the hash set: an environment has a handful of groups and
/// instances, and comparing a few short strings is cheaper than hashing one.
const RECENT: usize = 16;
/// The table is pruned (names no line uses any more) when it grows past this.
const PRUNE_AT: usize = 4_096;

#[derive(Debug, Default)]
pub(super) struct Interner {
    names: HashSet<Arc<str>>,
    /// The most recently used names, newest last.
    recent: Vec<Arc<str>>,
}

impl Interner {
    pub(super) fn intern(&mut self, name: &str) -> Arc<str> {
        if let Some(a) = self
            .recent
            .iter()
            .rev()
            .find(|a| a.len() == name.len() && &***a == name)
        {
            return a.clone();
        }
        let arc = match self.names.get(name) {
            Some(a) => a.clone(),
            None => {
                if self.names.len() >= PRUNE_AT {
                    // Keep only names a buffered line still holds (beyond the table's own).
                    self.recent.clear();
                    self.names.retain(|a| Arc::strong_count(a) > 1);
                }
                let a: Arc<str> = Arc::from(name);
                self.names.insert(a.clone());
                a
            }
        };
        if self.recent.len() >= RECENT {
            self.recent.remove(0);
        }
        self.recent.push(arc.clone());
        arc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_name_same_allocation_and_pruning_keeps_live_names() {
        let mut i = Interner::default();
        let a = i.intern("i-0abc");
        let b = i.intern("i-0abc");
        assert!(Arc::ptr_eq(&a, &b));
        // Fill past the prune threshold with names nobody keeps.
        for n in 0..PRUNE_AT + 10 {
            i.intern(&format!("stream-{n}"));
        }
        assert!(i.names.len() < PRUNE_AT, "unused names were pruned");
        assert!(
            Arc::ptr_eq(&a, &i.intern("i-0abc")),
            "a name still held survives pruning"
        );
    }
}
