//! Session id allocation.
//!
//! Ref: `SessionTrackerImpl.initializeNextSessionId` / `createSession` (branch-3.8; learners and
//! local-session trackers use the same routine). The first id is the low 40 bits of the
//! tracker's start time in milliseconds shifted into bits 16..55, OR the server id shifted into
//! the top byte (`(ms << 24) >>> 8 | sid << 56`); if that equals `0x8000000000000000` (the
//! container marker, `EphemeralType.CONTAINER_EPHEMERAL_OWNER`) it is bumped by one. Every new
//! session then takes the current value and increments it (wrapping, like Java's `long`).
//!
//! Java uses `Time.currentElapsedTime()` (monotonic ms); callers pass whatever clock value they
//! want, this module never reads a clock.

/// `EphemeralType.CONTAINER_EPHEMERAL_OWNER`, never handed out as a session id.
const CONTAINER_EPHEMERAL_OWNER: i64 = i64::MIN;

/// The first session id a tracker started at `now_ms` on server `server_id` hands out.
pub fn initial_session_id(server_id: i64, now_ms: u64) -> i64 {
    let time_part = ((now_ms << 24) >> 8) as i64;
    let next = time_part | server_id.wrapping_shl(56);
    if next == CONTAINER_EPHEMERAL_OWNER {
        next + 1
    } else {
        next
    }
}

/// The server id (top byte) of a session id, as used for 4lw/admin output and ownership.
pub fn server_id_of(session_id: i64) -> u8 {
    (session_id as u64 >> 56) as u8
}

/// Hands out session ids in ZooKeeper's sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionIdGenerator {
    next: i64,
}

impl SessionIdGenerator {
    /// A generator for server `server_id` (myid; 1 for standalone) started at `now_ms`.
    pub fn new(server_id: i64, now_ms: u64) -> Self {
        SessionIdGenerator {
            next: initial_session_id(server_id, now_ms),
        }
    }

    /// Allocates the next session id. (Not an `Iterator`: the sequence never ends.)
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> i64 {
        let id = self.next;
        self.next = self.next.wrapping_add(1);
        id
    }

    /// The id the next call to [`SessionIdGenerator::next`] returns.
    pub fn peek(&self) -> i64 {
        self.next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        // Observed live (reference §1.13): standalone server id 1 and a leader with sid 2.
        assert_eq!(initial_session_id(1, 0x000b_799d) as u64, 0x0100_000b_799d_0000);
        assert_eq!(initial_session_id(2, 0x000e_9f6d) as u64, 0x0200_000e_9f6d_0000);
        // Only the low 40 bits of the clock survive.
        assert_eq!(
            initial_session_id(1, 0xABCD_1234_5678_9ABC) as u64,
            0x0134_5678_9ABC_0000
        );
        assert_eq!(initial_session_id(0, u64::MAX) as u64, 0x00FF_FFFF_FFFF_0000);
        assert_eq!(initial_session_id(255, 0) as u64, 0xFF00_0000_0000_0000);
        // Java `id << 56` drops every bit above the low byte of the server id.
        assert_eq!(initial_session_id(0x1_05, 0), initial_session_id(5, 0));
        assert_eq!(initial_session_id(-1, 0) as u64, 0xFF00_0000_0000_0000);
    }

    #[test]
    fn skips_container_marker() {
        assert_eq!(initial_session_id(128, 0) as u64, 0x8000_0000_0000_0001);
        // Low 40 bits of the clock all zero again.
        assert_eq!(initial_session_id(128, 1 << 40) as u64, 0x8000_0000_0000_0001);
        assert_eq!(initial_session_id(128, 1) as u64, 0x8000_0000_0001_0000);
    }

    #[test]
    fn sequence() {
        let mut g = SessionIdGenerator::new(1, 0x000b_799d);
        assert_eq!(g.peek() as u64, 0x0100_000b_799d_0000);
        assert_eq!(g.next() as u64, 0x0100_000b_799d_0000);
        assert_eq!(g.next() as u64, 0x0100_000b_799d_0001);
        assert_eq!(g.peek() as u64, 0x0100_000b_799d_0002);
        assert_eq!(server_id_of(g.next()), 1);
    }

    #[test]
    fn wraps_like_java_long() {
        let mut g = SessionIdGenerator::new(127, u64::MAX);
        assert_eq!(g.peek(), 0x7FFF_FFFF_FFFF_0000);
        g.next = i64::MAX;
        assert_eq!(g.next(), i64::MAX);
        assert_eq!(g.next(), i64::MIN);
    }
}
