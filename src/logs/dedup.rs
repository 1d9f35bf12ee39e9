//! The de-duplication window: recently seen event ids, so overlapping reads (a poll that asks
//! again for the last seconds, a reconnecting tail) do not show a line twice.

use std::collections::hash_map::RandomState;
use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

/// A hasher that passes a `u64` through: the keys of the set are already hashes.
#[derive(Debug, Default, Clone, Copy)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here; fold anything else in rather than drop it.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Recently seen event ids, bounded: the oldest is forgotten when the window is full.
///
/// Ids are kept as 64-bit keyed hashes (SipHash with a per-buffer random key), not strings: no
/// allocation per event. Two different ids in one window share a hash with odds of about
/// window² / 2⁶⁴ (≈ 2·10⁻¹⁰ for a full window), and the key is secret, so log content cannot
/// aim for a collision.
#[derive(Debug)]
pub(super) struct DedupWindow {
    seen: HashSet<u64, BuildHasherDefault<PassThrough>>,
    order: VecDeque<u64>,
    cap: usize,
    key: RandomState,
}

impl DedupWindow {
    pub(super) fn new(cap: usize) -> Self {
        Self {
            seen: HashSet::default(),
            order: VecDeque::new(),
            cap: cap.max(1),
            key: RandomState::new(),
        }
    }

    /// Records `id`; false when it was already in the window.
    pub(super) fn insert(&mut self, id: &str) -> bool {
        let h = self.key.hash_one(id);
        if !self.seen.insert(h) {
            return false;
        }
        if self.order.len() >= self.cap
            && let Some(old) = self.order.pop_front()
        {
            self.seen.remove(&old);
        }
        self.order.push_back(h);
        true
    }

    pub(super) fn clear(&mut self) {
        self.seen.clear();
        self.order.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_forgets_the_oldest() {
        let mut w = DedupWindow::new(2);
        assert!(w.insert("a"));
        assert!(!w.insert("a"));
        assert!(w.insert("b"));
        assert!(w.insert("c")); // "a" forgotten
        assert!(w.insert("a"));
        assert!(!w.insert("c"));
        w.clear();
        assert!(w.insert("c"));
    }
}
