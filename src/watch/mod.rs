//! Watches: standard (one-shot), persistent and persistent-recursive, per connection.
//!
//! Ref: ZooKeeper `WatchManager`, `WatcherModeManager`, `DataTree.addWatch/setWatches` (branch-3.8).
//! Two tables, as in ZooKeeper: *data* watches (getData/exists, fired by NodeCreated, NodeDeleted and
//! NodeDataChanged on the path) and *child* watches (getChildren, fired by NodeChildrenChanged on the
//! parent and NodeDeleted on the path). A (connection, path) pair has one mode per table; the latest
//! registration wins. Firing a standard watch removes it; persistent ones stay. Recursive watches also
//! fire for descendants, never for NodeChildrenChanged. A connection gets at most one event per trigger,
//! and a delete's child-table NodeDeleted is suppressed for connections that got it from the data table.
//! This module decides *who* gets an event; the caller filters by READ permission and sends it.

use std::collections::{HashMap, HashSet};

use jute::EventType;

use crate::tree::path;

/// A client connection (watches belong to connections, as in ZooKeeper, not to sessions).
pub type ConnId = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchMode {
    Standard,
    Persistent,
    PersistentRecursive,
}

#[derive(Debug, Default)]
pub struct WatchTable {
    by_path: HashMap<String, HashMap<ConnId, WatchMode>>,
    by_conn: HashMap<ConnId, HashSet<String>>,
    recursive: usize,
}

impl WatchTable {
    pub fn add(&mut self, p: &str, conn: ConnId, mode: WatchMode) {
        let old = self.by_path.entry(p.to_owned()).or_default().insert(conn, mode);
        if old == Some(WatchMode::PersistentRecursive) {
            self.recursive -= 1;
        }
        if mode == WatchMode::PersistentRecursive {
            self.recursive += 1;
        }
        self.by_conn.entry(conn).or_default().insert(p.to_owned());
    }

    pub fn contains(&self, p: &str, conn: ConnId) -> bool {
        self.by_path.get(p).is_some_and(|m| m.contains_key(&conn))
    }

    pub fn mode(&self, p: &str, conn: ConnId) -> Option<WatchMode> {
        self.by_path.get(p).and_then(|m| m.get(&conn).copied())
    }

    pub fn remove(&mut self, p: &str, conn: ConnId) -> bool {
        let Some(m) = self.by_path.get_mut(p) else {
            return false;
        };
        let Some(mode) = m.remove(&conn) else { return false };
        if mode == WatchMode::PersistentRecursive {
            self.recursive -= 1;
        }
        if m.is_empty() {
            self.by_path.remove(p);
        }
        if let Some(paths) = self.by_conn.get_mut(&conn) {
            paths.remove(p);
            if paths.is_empty() {
                self.by_conn.remove(&conn);
            }
        }
        true
    }

    /// Drops every watch of a connection.
    pub fn remove_conn(&mut self, conn: ConnId) {
        if let Some(paths) = self.by_conn.remove(&conn) {
            for p in paths {
                if let Some(m) = self.by_path.get_mut(&p) {
                    if m.remove(&conn) == Some(WatchMode::PersistentRecursive) {
                        self.recursive -= 1;
                    }
                    if m.is_empty() {
                        self.by_path.remove(&p);
                    }
                }
            }
        }
    }

    /// The connections an event on `p` reaches; consumes standard watches.
    pub fn trigger(&mut self, p: &str, ty: EventType) -> HashSet<ConnId> {
        let mut out = HashSet::new();
        if let Some(m) = self.by_path.get_mut(p) {
            let mut fired_once = Vec::new();
            for (&conn, &mode) in m.iter() {
                match mode {
                    WatchMode::PersistentRecursive => {
                        if ty != EventType::NodeChildrenChanged {
                            out.insert(conn);
                        }
                    }
                    WatchMode::Persistent => {
                        out.insert(conn);
                    }
                    WatchMode::Standard => {
                        out.insert(conn);
                        fired_once.push(conn);
                    }
                }
            }
            for conn in fired_once {
                self.remove(p, conn);
            }
        }
        if self.recursive > 0 && ty != EventType::NodeChildrenChanged {
            let mut cur = p;
            while cur != "/" {
                cur = path::parent(cur);
                if let Some(m) = self.by_path.get(cur) {
                    out.extend(
                        m.iter()
                            .filter(|(_, &mode)| mode == WatchMode::PersistentRecursive)
                            .map(|(&c, _)| c),
                    );
                }
            }
        }
        out
    }

    pub fn paths_of(&self, conn: ConnId) -> impl Iterator<Item = &String> {
        self.by_conn.get(&conn).into_iter().flatten()
    }

    pub fn by_path(&self) -> &HashMap<String, HashMap<ConnId, WatchMode>> {
        &self.by_path
    }

    pub fn connections(&self) -> impl Iterator<Item = ConnId> + '_ {
        self.by_conn.keys().copied()
    }

    pub fn watch_count(&self) -> usize {
        self.by_path.values().map(|m| m.len()).sum()
    }
}

/// Both tables of a server.
#[derive(Debug, Default)]
pub struct Watches {
    pub data: WatchTable,
    pub child: WatchTable,
}

/// Who gets which event for one tree change, in firing order.
pub type Deliveries = Vec<(EventType, String, HashSet<ConnId>)>;

impl Watches {
    pub fn new() -> Self {
        Self::default()
    }

    /// addWatch (106): mode 0 persistent (both tables), 1 recursive (data table only).
    pub fn add_persistent(&mut self, p: &str, conn: ConnId, recursive: bool) {
        if recursive {
            self.data.add(p, conn, WatchMode::PersistentRecursive);
        } else {
            self.data.add(p, conn, WatchMode::Persistent);
            self.child.add(p, conn, WatchMode::Persistent);
        }
    }

    pub fn remove_conn(&mut self, conn: ConnId) {
        self.data.remove_conn(conn);
        self.child.remove_conn(conn);
    }

    pub fn node_created(&mut self, p: &str, parent: &str, out: &mut Deliveries) {
        out.push((
            EventType::NodeCreated,
            p.to_owned(),
            self.data.trigger(p, EventType::NodeCreated),
        ));
        let c = self.child.trigger(parent, EventType::NodeChildrenChanged);
        out.push((EventType::NodeChildrenChanged, parent.to_owned(), c));
    }

    pub fn node_deleted(&mut self, p: &str, parent: &str, out: &mut Deliveries) {
        let d = self.data.trigger(p, EventType::NodeDeleted);
        let mut c = self.child.trigger(p, EventType::NodeDeleted);
        c.retain(|conn| !d.contains(conn));
        out.push((EventType::NodeDeleted, p.to_owned(), d));
        out.push((EventType::NodeDeleted, p.to_owned(), c));
        let pc = self.child.trigger(parent, EventType::NodeChildrenChanged);
        out.push((EventType::NodeChildrenChanged, parent.to_owned(), pc));
    }

    pub fn data_changed(&mut self, p: &str, out: &mut Deliveries) {
        out.push((
            EventType::NodeDataChanged,
            p.to_owned(),
            self.data.trigger(p, EventType::NodeDataChanged),
        ));
    }

    pub fn watch_count(&self) -> usize {
        self.data.watch_count() + self.child.watch_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conns(d: &Deliveries, i: usize) -> Vec<ConnId> {
        let mut v: Vec<ConnId> = d[i].2.iter().copied().collect();
        v.sort();
        v
    }

    #[test]
    fn standard_watches_fire_once() {
        let mut w = Watches::new();
        w.data.add("/a", 1, WatchMode::Standard);
        let mut d = Vec::new();
        w.data_changed("/a", &mut d);
        w.data_changed("/a", &mut d);
        assert_eq!(conns(&d, 0), vec![1]);
        assert!(conns(&d, 1).is_empty());
        assert_eq!(w.watch_count(), 0);
    }

    #[test]
    fn persistent_recursive_fires_for_descendants_but_not_children_changed() {
        let mut w = Watches::new();
        w.add_persistent("/a", 1, true);
        let mut d = Vec::new();
        w.node_created("/a/b/c", "/a/b", &mut d);
        assert_eq!(
            conns(&d, 0),
            vec![1],
            "NodeCreated reaches the recursive watcher on an ancestor"
        );
        assert!(conns(&d, 1).is_empty(), "never NodeChildrenChanged");
        w.data_changed("/a/b/c", &mut d);
        assert_eq!(conns(&d, 2), vec![1]);
        assert_eq!(w.watch_count(), 1, "persistent watches stay");
    }

    #[test]
    fn delete_suppresses_duplicate_node_deleted() {
        let mut w = Watches::new();
        w.data.add("/a", 1, WatchMode::Standard);
        w.child.add("/a", 1, WatchMode::Standard);
        w.child.add("/a", 2, WatchMode::Standard);
        w.child.add("/", 3, WatchMode::Standard);
        let mut d = Vec::new();
        w.node_deleted("/a", "/", &mut d);
        assert_eq!(conns(&d, 0), vec![1]);
        assert_eq!(conns(&d, 1), vec![2]);
        assert_eq!(conns(&d, 2), vec![3]);
        assert_eq!(w.watch_count(), 0);
    }

    #[test]
    fn latest_registration_wins() {
        let mut w = Watches::new();
        w.add_persistent("/a", 1, false);
        w.data.add("/a", 1, WatchMode::Standard);
        assert_eq!(w.data.mode("/a", 1), Some(WatchMode::Standard));
        w.remove_conn(1);
        assert_eq!(w.watch_count(), 0);
    }
}
