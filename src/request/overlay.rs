//! Outstanding changes: the effect of txns that are prepared (zxid assigned, logged or being logged) but
//! not yet applied to the tree. Preparing the next write must see them — a create right after a create
//! of its parent, a sequential name after another, a version check after a pending setData.
//!
//! Ref: ZooKeeper `ZooKeeperServer.outstandingChanges` / `ChangeRecord` and
//! `PrepRequestProcessor.getRecordForPath/rollbackPendingChanges`. A record holds the node's stat
//! (`None` = deleted), child count, ACL and data, plus the tree digest after it (the digest the txn
//! will log). Records leave once their txn is applied.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use bytes::Bytes;
use jute::{Acl, StatPersisted};

use crate::tree::digest::{node_digest, DigestStat, TreeDigest};
use crate::tree::DataTree;

#[derive(Debug, Clone)]
pub struct ChangeRecord {
    pub zxid: i64,
    pub path: String,
    /// `None`: the node is (being) deleted.
    pub stat: Option<StatPersisted>,
    pub child_count: i32,
    pub acl: Arc<Vec<Acl>>,
    pub data: Option<Bytes>,
    /// This node's digest contribution (0 when deleted or excluded).
    pub node_digest: u64,
    /// The whole tree's digest after this change.
    pub tree_digest: TreeDigest,
    seq: u64,
}

impl ChangeRecord {
    pub fn new(
        zxid: i64,
        path: String,
        stat: Option<StatPersisted>,
        child_count: i32,
        acl: Arc<Vec<Acl>>,
        data: Option<Bytes>,
    ) -> Self {
        Self {
            zxid,
            path,
            stat,
            child_count,
            acl,
            data,
            node_digest: 0,
            tree_digest: TreeDigest::new(),
            seq: 0,
        }
    }

    pub fn exists(&self) -> bool {
        self.stat.is_some()
    }
}

#[derive(Debug, Default)]
pub struct Overlay {
    list: VecDeque<(i64, u64, String)>,
    by_path: HashMap<String, ChangeRecord>,
    last_digest: Option<TreeDigest>,
    next_seq: u64,
}

impl Overlay {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The latest view of `path`: an outstanding change, else the tree's node. `None` if it does not exist
    /// (never existed, or a pending delete).
    pub fn record(&self, tree: &DataTree, path: &str) -> Option<ChangeRecord> {
        if let Some(r) = self.by_path.get(path) {
            return r.stat.is_some().then(|| r.clone());
        }
        let n = tree.get(path)?;
        Some(ChangeRecord {
            zxid: -1,
            path: path.to_owned(),
            stat: Some(n.stat.clone()),
            child_count: n.children.len() as i32,
            acl: tree.acl_of(n).clone(),
            data: n.data.clone(),
            node_digest: node_digest(path, n.data.as_deref(), &DigestStat::from(&n.stat)),
            tree_digest: TreeDigest::new(),
            seq: 0,
        })
    }

    /// The raw outstanding record of a path (deleted ones included), for rollback bookkeeping.
    pub fn outstanding(&self, path: &str) -> Option<&ChangeRecord> {
        self.by_path.get(path)
    }

    /// The digest the tree will have once every outstanding change is applied.
    pub fn current_digest(&self, tree: &DataTree) -> TreeDigest {
        match self.list.back() {
            None => tree.digest(),
            Some(_) => self.last_digest.unwrap_or_else(|| tree.digest()),
        }
    }

    /// Records a change. `prev_node_digest` is what the path contributed before it.
    pub fn add(&mut self, tree: &DataTree, mut rec: ChangeRecord, prev_node_digest: u64) {
        rec.node_digest = match &rec.stat {
            Some(s) => node_digest(&rec.path, rec.data.as_deref(), &DigestStat::from(s)),
            None => 0,
        };
        let mut d = self.current_digest(tree);
        d.remove(prev_node_digest);
        d.add(rec.node_digest);
        rec.tree_digest = d;
        self.next_seq += 1;
        rec.seq = self.next_seq;
        self.last_digest = Some(d);
        self.list.push_back((rec.zxid, rec.seq, rec.path.clone()));
        self.by_path.insert(rec.path.clone(), rec);
    }

    /// Drops the records of txns up to `zxid`, once applied.
    pub fn applied(&mut self, zxid: i64) {
        while self.list.front().is_some_and(|(z, _, _)| *z <= zxid) {
            let Some((_, seq, path)) = self.list.pop_front() else {
                break;
            };
            if self.by_path.get(&path).is_some_and(|r| r.seq == seq) {
                self.by_path.remove(&path);
            }
        }
        if self.list.is_empty() {
            self.last_digest = None;
        }
    }

    /// Undoes the records a failed multi (all at `zxid`) added, restoring the earlier outstanding records
    /// saved in `saved` that are still outstanding.
    pub fn rollback(&mut self, zxid: i64, saved: HashMap<String, ChangeRecord>) {
        while let Some((z, _, _)) = self.list.back() {
            if *z != zxid {
                break;
            }
            if let Some((_, _, path)) = self.list.pop_back() {
                self.by_path.remove(&path);
            }
        }
        let Some(first) = self.list.front().map(|e| e.0) else {
            self.last_digest = None;
            return;
        };
        for (path, rec) in saved {
            if rec.zxid >= first {
                self.by_path.insert(path, rec);
            }
        }
        // The digest after the last remaining change.
        let last_seq = self.list.back().map(|e| e.1);
        self.last_digest = self
            .by_path
            .values()
            .find(|r| Some(r.seq) == last_seq)
            .map(|r| r.tree_digest);
    }

    /// Paths of outstanding records whose node belongs to `session` (pending ephemeral creates) and paths
    /// with pending deletes, for closeSession.
    pub fn session_ephemerals(&self, session: i64) -> (Vec<String>, Vec<String>) {
        let mut created = Vec::new();
        let mut deleted = Vec::new();
        for (_, seq, path) in &self.list {
            if let Some(r) = self.by_path.get(path) {
                if r.seq != *seq {
                    continue;
                }
                match &r.stat {
                    None => deleted.push(path.clone()),
                    Some(s) if s.ephemeral_owner == session => created.push(path.clone()),
                    _ => {}
                }
            }
        }
        (created, deleted)
    }
}
