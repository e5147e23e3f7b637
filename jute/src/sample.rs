//! Random values of every record, for round-trip property tests and fuzz seeds.
//!
//! A tiny seeded generator (no dependency) so that a failing case is reproducible from its seed.

use bytes::Bytes;

/// A seeded xorshift generator.
#[derive(Debug, Clone)]
pub struct Gen(u64);

impl Gen {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A value below `n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
}

/// A type that can produce random instances of itself.
pub trait Sample: Sized {
    fn sample(g: &mut Gen) -> Self;
}

impl Sample for bool {
    fn sample(g: &mut Gen) -> Self {
        g.chance(2)
    }
}

impl Sample for u8 {
    fn sample(g: &mut Gen) -> Self {
        g.next_u64() as u8
    }
}

impl Sample for i32 {
    fn sample(g: &mut Gen) -> Self {
        match g.below(4) {
            0 => 0,
            1 => -1,
            2 => g.below(100) as i32,
            _ => g.next_u64() as i32,
        }
    }
}

impl Sample for i64 {
    fn sample(g: &mut Gen) -> Self {
        match g.below(4) {
            0 => 0,
            1 => -1,
            2 => g.below(1000) as i64,
            _ => g.next_u64() as i64,
        }
    }
}

impl Sample for String {
    fn sample(g: &mut Gen) -> Self {
        // Characters above U+FFFF do not survive Java's jute (they come back as U+FFFD): not sampled.
        const ALPHABET: &[char] = &['/', 'a', 'z', '0', '-', '_', '.', 'é', '中', '\u{FFFD}'];
        let n = g.below(12) as usize;
        (0..n)
            .map(|_| ALPHABET[g.below(ALPHABET.len() as u64) as usize])
            .collect()
    }
}

impl Sample for Bytes {
    fn sample(g: &mut Gen) -> Self {
        let n = if g.chance(20) { g.below(5000) } else { g.below(16) } as usize;
        (0..n).map(|_| g.next_u64() as u8).collect::<Vec<u8>>().into()
    }
}

impl<T: Sample> Sample for Option<T> {
    fn sample(g: &mut Gen) -> Self {
        if g.chance(4) {
            None
        } else {
            Some(T::sample(g))
        }
    }
}

impl<T: Sample> Sample for Vec<T> {
    fn sample(g: &mut Gen) -> Self {
        let n = g.below(5) as usize;
        (0..n).map(|_| T::sample(g)).collect()
    }
}
