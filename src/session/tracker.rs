//! Session tracking with ZooKeeper's expiry buckets.
//!
//! Ref: ZooKeeper `SessionTrackerImpl`, `ExpiryQueue`. Each session expires at
//! `((now + timeout) / tick + 1) * tick`, so expiries fall on tick boundaries and one tick checks a
//! whole bucket. Every request or ping touches the session (moves it to a later bucket). Expired
//! sessions are marked closing and handed to the caller, which runs a closeSession txn for each.
//!
//! ```text
//!   create/add ──> Live ──touch──> Live
//!                   │ expiry or closeSession
//!                   v
//!                Closing ──closeSession applied──> (removed)
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: i64,
    pub timeout_ms: i32,
    /// The bucket (ms on the tracker's clock) at which it expires.
    pub expire_at_ms: u64,
    pub closing: bool,
}

#[derive(Debug)]
pub struct SessionTracker {
    tick_ms: u64,
    sessions: HashMap<i64, Session>,
    buckets: BTreeMap<u64, HashSet<i64>>,
}

impl SessionTracker {
    pub fn new(tick_ms: u64) -> Self {
        Self {
            tick_ms: tick_ms.max(1),
            sessions: HashMap::new(),
            buckets: BTreeMap::new(),
        }
    }

    fn bucket(&self, now_ms: u64, timeout_ms: i32) -> u64 {
        let t = now_ms + timeout_ms.max(0) as u64;
        (t / self.tick_ms + 1) * self.tick_ms
    }

    /// Tracks a session (new, or loaded from a snapshot/log with a full timeout).
    pub fn add(&mut self, id: i64, timeout_ms: i32, now_ms: u64) {
        let at = self.bucket(now_ms, timeout_ms);
        if let Some(old) = self.sessions.insert(
            id,
            Session {
                id,
                timeout_ms,
                expire_at_ms: at,
                closing: false,
            },
        ) {
            self.unbucket(old.id, old.expire_at_ms);
        }
        self.buckets.entry(at).or_default().insert(id);
    }

    fn unbucket(&mut self, id: i64, at: u64) {
        if let Some(b) = self.buckets.get_mut(&at) {
            b.remove(&id);
            if b.is_empty() {
                self.buckets.remove(&at);
            }
        }
    }

    /// Extends a live session; false when it is unknown or closing (ZooKeeper's touchSession).
    pub fn touch(&mut self, id: i64, now_ms: u64) -> bool {
        let (timeout, old_at) = match self.sessions.get(&id) {
            Some(s) if !s.closing => (s.timeout_ms, s.expire_at_ms),
            _ => return false,
        };
        let at = self.bucket(now_ms, timeout);
        if at > old_at {
            self.unbucket(id, old_at);
            self.buckets.entry(at).or_default().insert(id);
            if let Some(s) = self.sessions.get_mut(&id) {
                s.expire_at_ms = at;
            }
        }
        true
    }

    pub fn get(&self, id: i64) -> Option<&Session> {
        self.sessions.get(&id)
    }

    pub fn is_live(&self, id: i64) -> bool {
        self.sessions.get(&id).is_some_and(|s| !s.closing)
    }

    pub fn set_closing(&mut self, id: i64) {
        if let Some(s) = self.sessions.get_mut(&id) {
            s.closing = true;
        }
    }

    pub fn remove(&mut self, id: i64) -> Option<Session> {
        let s = self.sessions.remove(&id)?;
        self.unbucket(id, s.expire_at_ms);
        Some(s)
    }

    /// Sessions whose bucket has passed; they are marked closing and not returned again.
    pub fn expire(&mut self, now_ms: u64) -> Vec<i64> {
        let mut out = Vec::new();
        let due: Vec<u64> = self.buckets.range(..=now_ms).map(|(k, _)| *k).collect();
        for at in due {
            if let Some(ids) = self.buckets.remove(&at) {
                for id in ids {
                    if let Some(s) = self.sessions.get_mut(&id) {
                        if !s.closing {
                            s.closing = true;
                            out.push(id);
                        }
                    }
                }
            }
        }
        out.sort_unstable();
        out
    }

    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Session> {
        self.sessions.values()
    }

    /// Bucket time → sessions, for the `dump` 4lw.
    pub fn buckets(&self) -> &BTreeMap<u64, HashSet<i64>> {
        &self.buckets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_bucketed_on_ticks() {
        // Ref: ExpiryQueue: ((now + timeout) / tick + 1) * tick.
        let mut t = SessionTracker::new(2000);
        t.add(1, 4000, 1000);
        assert_eq!(t.get(1).unwrap().expire_at_ms, 6000);
        assert!(t.expire(5999).is_empty());
        assert_eq!(t.expire(6000), vec![1]);
        assert!(t.get(1).unwrap().closing);
        assert!(!t.touch(1, 6000), "closing sessions cannot be touched");
        assert!(t.expire(100_000).is_empty(), "expired once");
    }

    #[test]
    fn touch_moves_the_deadline() {
        let mut t = SessionTracker::new(2000);
        t.add(1, 4000, 0);
        assert!(t.touch(1, 3000));
        assert_eq!(t.get(1).unwrap().expire_at_ms, 8000);
        assert!(t.expire(6000).is_empty());
        assert_eq!(t.expire(8000), vec![1]);
        assert!(!t.touch(42, 0));
    }
}
