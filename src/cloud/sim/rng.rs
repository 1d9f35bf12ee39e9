//! A small seeded PRNG (splitmix64) and stable hashing.
//!
//! Two kinds of randomness live in the simulator. The world's `Rng` is consumed only when the world
//! changes (an operation starts, a scheduled step runs), so the account evolves identically for a
//! given seed and sequence of clock readings. Everything read-only (metrics noise, log lines) uses
//! `mix`/`hash_str` instead: a pure function of its inputs, so polling more or less often can never
//! change what a user sees.

/// splitmix64: tiny, fast and good enough for a demo; no `rand` dependency.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        finalize(self.0)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// Uniform in `lo..=hi` milliseconds or seconds (any integer range).
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// `n` characters from `alphabet`.
    pub(crate) fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n).map(|_| *self.pick(alphabet) as char).collect()
    }

    /// A request id shaped like the ones AWS returns (a version-4 UUID).
    pub(crate) fn uuid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }
}

pub(crate) const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
pub(crate) const HEX: &[u8] = b"0123456789abcdef";

/// The splitmix64 output function: a strong 64-bit mixer.
fn finalize(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Combine two values into a well-mixed hash (order matters).
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    finalize(a ^ finalize(b.wrapping_add(0x9E37_79B9_7F4A_7C15)))
}

/// FNV-1a over the bytes, then mixed: stable across runs and platforms (unlike `DefaultHasher`).
pub(crate) fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    finalize(h)
}

/// A uniform number in `[0, 1)` from a hash.
pub(crate) fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// A pure pseudo-random stream for read-only generation: seeded from a key, never from the world.
pub(crate) fn stream(key: u64) -> Rng {
    Rng::new(finalize(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_different_seeds_differ() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let mut c = Rng::new(8);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..5).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn between_stays_in_range_and_uuid_has_aws_shape() {
        let mut r = Rng::new(1);
        for _ in 0..1000 {
            let v = r.between(-3, 3);
            assert!((-3..=3).contains(&v));
        }
        let id = r.uuid();
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            vec![8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
    }

    #[test]
    fn hashing_is_stable_and_unit_is_in_range() {
        assert_eq!(hash_str("storefront"), hash_str("storefront"));
        assert_ne!(hash_str("storefront"), hash_str("billing"));
        assert_ne!(mix(1, 2), mix(2, 1));
        for i in 0..1000 {
            let u = unit(mix(i, 99));
            assert!((0.0..1.0).contains(&u));
        }
    }
}
