//! Session passwords.
//!
//! Ref: `ZooKeeperServer.generatePasswd` / `checkPasswd` (branch-3.8). The password of a session
//! is not stored anywhere: it is the first 16 bytes of a `java.util.Random` seeded with
//! `sessionId ^ 0xB3415C00` (the server's fixed "superSecret"). Any server, Java or Rust, can
//! therefore recompute it, which is what lets a client move its session between servers. A
//! password check succeeds when the session id is non-zero and the bytes are equal.
//!
//! `java.util.Random` (Java SE specification): a 48-bit linear congruential generator with
//! multiplier `0x5DEECE66D` and increment `0xB`, initially scrambled by XOR with the
//! multiplier; `nextInt()` yields bits 47..16 of the new state, and `nextBytes` emits each
//! `nextInt()` low byte first, four bytes at a time.

/// ZooKeeper's fixed seed mask (`ZooKeeperServer.superSecret`).
const SUPER_SECRET: i64 = 0xB341_5C00;

/// Length of a session password in bytes.
pub const PASSWORD_LEN: usize = 16;

/// The subset of `java.util.Random` that `generatePasswd` uses.
struct JavaRandom {
    seed: u64,
}

impl JavaRandom {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const ADDEND: u64 = 0xB;
    const MASK: u64 = (1 << 48) - 1;

    fn new(seed: i64) -> Self {
        JavaRandom {
            seed: (seed as u64 ^ Self::MULTIPLIER) & Self::MASK,
        }
    }

    /// `next(32)`.
    fn next_int(&mut self) -> i32 {
        self.seed = self
            .seed
            .wrapping_mul(Self::MULTIPLIER)
            .wrapping_add(Self::ADDEND)
            & Self::MASK;
        (self.seed >> 16) as u32 as i32
    }

    /// `nextBytes(bytes)`.
    fn next_bytes(&mut self, bytes: &mut [u8]) {
        for chunk in bytes.chunks_mut(4) {
            let r = self.next_int().to_le_bytes();
            chunk.copy_from_slice(&r[..chunk.len()]);
        }
    }
}

/// The password ZooKeeper hands out for `session_id` (`generatePasswd`).
pub fn session_password(session_id: i64) -> [u8; PASSWORD_LEN] {
    let mut password = [0u8; PASSWORD_LEN];
    JavaRandom::new(session_id ^ SUPER_SECRET).next_bytes(&mut password);
    password
}

/// `checkPasswd`: the session id is non-zero and `passwd` equals its generated password.
pub fn check_password(session_id: i64, passwd: &[u8]) -> bool {
    session_id != 0 && passwd == session_password(session_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Computed with OpenJDK 17: `new Random(id ^ 0xB3415C00L).nextBytes(new byte[16])`.
    /// The first three are also the reference's vectors.
    const JAVA_VECTORS: &[(u64, &str)] = &[
        (0x0000_0000_0000_0000, "f22acd4a97e69d6d20a49bb638eadb38"),
        (0x0000_0000_0000_0001, "054cc74a37327db215e702e20c73f005"),
        (0x0100_017e_0a2b_0000, "57828d6a98da23e88d6ec909a108b5e9"),
        (0xffff_ffff_ffff_ffff, "20f62cb5648dc2d771471c8a2486a9ee"),
        (0x8000_0000_0000_0000, "f22acd4a97e69d6d20a49bb638eadb38"),
        (0x0200_000e_9f6d_0000, "09e6a65062399df48f46d8f27bcdf058"),
        (0x0100_000b_799d_0000, "b9c2d92e5250cb54bfaa5394eb95bdf2"),
        (0x0100_000b_799d_0001, "cce3d32ef29baa99b4edbabfbf1ed2bf"),
        (0x7fff_ffff_ffff_ffff, "20f62cb5648dc2d771471c8a2486a9ee"),
        (0x0000_0000_b341_5c00, "60b420bb3851d9d47acb933dbe70399b"),
        (0x0012_3456_78ab_cdef, "f7aa663f3fadda0974ca2adbe3378a32"),
    ];

    #[test]
    fn matches_java() {
        for &(id, want) in JAVA_VECTORS {
            assert_eq!(hex(&session_password(id as i64)), want, "session 0x{id:016x}");
        }
    }

    #[test]
    fn only_low_48_bits_of_seed_matter() {
        assert_eq!(session_password(0), session_password(i64::MIN));
        assert_eq!(session_password(-1), session_password(i64::MAX));
        assert_ne!(session_password(1), session_password(2));
    }

    #[test]
    fn check() {
        let id = 0x0100_000b_799d_0000_i64;
        let pw = session_password(id);
        assert!(check_password(id, &pw));
        assert!(!check_password(id + 1, &pw));
        assert!(!check_password(id, &pw[..15]));
        assert!(!check_password(id, &[]));
        let mut bad = pw;
        bad[15] ^= 1;
        assert!(!check_password(id, &bad));
        // Session 0 never authenticates, even with its "password".
        assert!(!check_password(0, &session_password(0)));
    }

    #[test]
    fn partial_chunks_like_next_bytes() {
        // nextBytes with a length that is not a multiple of 4 takes the low bytes of the last int.
        let mut r = JavaRandom::new(42);
        let mut five = [0u8; 5];
        r.next_bytes(&mut five);
        let mut r = JavaRandom::new(42);
        let a = r.next_int().to_le_bytes();
        let b = r.next_int().to_le_bytes();
        assert_eq!(five, [a[0], a[1], a[2], a[3], b[0]]);
    }
}
