//! Interned ACL lists, as ZooKeeper stores them: each distinct list gets a long id (1, 2, ... in creation
//! order), nodes hold the id, and snapshots carry the id → list map. `-1` is the built-in OPEN list of
//! the root and system nodes and is never in the map.
//!
//! Ref: `ReferenceCountedACLCache` (branch-3.8). Reference counts drop an entry when its last node goes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jute::Acl;

/// The id of the implicit OPEN_ACL_UNSAFE list.
pub const OPEN_UNSAFE_ACL_ID: i64 = -1;

#[derive(Debug, Default)]
pub struct AclCache {
    by_id: BTreeMap<i64, (Arc<Vec<Acl>>, u64)>,
    by_list: HashMap<Vec<Acl>, i64>,
    max_id: i64,
    open: Arc<Vec<Acl>>,
}

impl AclCache {
    pub fn new() -> Self {
        Self {
            open: Arc::new(Acl::open_unsafe()),
            ..Default::default()
        }
    }

    /// Interns `acls` and counts one more user.
    pub fn intern(&mut self, acls: &[Acl]) -> i64 {
        if let Some(&id) = self.by_list.get(acls) {
            if let Some(e) = self.by_id.get_mut(&id) {
                e.1 += 1;
            }
            return id;
        }
        self.max_id += 1;
        let id = self.max_id;
        let list = Arc::new(acls.to_vec());
        self.by_list.insert(list.to_vec(), id);
        self.by_id.insert(id, (list, 1));
        id
    }

    /// Counts one more user of an existing id (snapshot load).
    pub fn add_usage(&mut self, id: i64) {
        if let Some(e) = self.by_id.get_mut(&id) {
            e.1 += 1;
        }
    }

    /// One user fewer; the entry goes with its last user.
    pub fn remove_usage(&mut self, id: i64) {
        if id == OPEN_UNSAFE_ACL_ID {
            return;
        }
        let gone = match self.by_id.get_mut(&id) {
            Some(e) => {
                e.1 = e.1.saturating_sub(1);
                e.1 == 0
            }
            None => false,
        };
        if gone {
            if let Some((list, _)) = self.by_id.remove(&id) {
                self.by_list.remove(list.as_slice());
            }
        }
    }

    /// The list for an id. Unknown ids (a corrupt snapshot) read as OPEN, as Java's cache would throw.
    pub fn get(&self, id: i64) -> &Arc<Vec<Acl>> {
        match self.by_id.get(&id) {
            Some((list, _)) => list,
            None => &self.open,
        }
    }

    pub fn contains(&self, id: i64) -> bool {
        id == OPEN_UNSAFE_ACL_ID || self.by_id.contains_key(&id)
    }

    /// Inserts an entry read from a snapshot, with no users yet.
    pub fn insert_loaded(&mut self, id: i64, acls: Vec<Acl>) {
        let list = Arc::new(acls);
        self.by_list.insert(list.to_vec(), id);
        self.by_id.insert(id, (list, 0));
        self.max_id = self.max_id.max(id);
    }

    /// Drops entries no node uses (after loading a snapshot).
    pub fn purge_unused(&mut self) {
        let unused: Vec<i64> = self
            .by_id
            .iter()
            .filter(|(_, (_, n))| *n == 0)
            .map(|(id, _)| *id)
            .collect();
        for id in unused {
            if let Some((list, _)) = self.by_id.remove(&id) {
                self.by_list.remove(list.as_slice());
            }
        }
    }

    /// Entries in id order, for snapshots.
    pub fn entries(&self) -> impl Iterator<Item = (i64, &Arc<Vec<Acl>>)> {
        self.by_id.iter().map(|(id, (list, _))| (*id, list))
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jute::Id;

    #[test]
    fn interning_counts_and_drops() {
        let mut c = AclCache::new();
        let a = vec![Acl::new(31, Id::anyone())];
        let b = vec![Acl::new(1, Id::anyone())];
        assert_eq!(c.intern(&b), 1);
        assert_eq!(c.intern(&a), 2);
        assert_eq!(c.intern(&a), 2);
        c.remove_usage(2);
        assert!(c.contains(2));
        c.remove_usage(2);
        assert!(!c.contains(2));
        assert_eq!(c.intern(&a), 3, "ids are never reused");
        assert_eq!(c.get(-1)[0].perms, 31);
    }
}
