//! The data tree: znodes with ZooKeeper's Stat bookkeeping, the ephemeral/container/TTL indexes, the
//! interned ACLs and the running tree digest. It changes only by applying txns (`apply`), in zxid
//! order, exactly as ZooKeeper's `DataTree.processTxn` does — including its tolerance of txns that no
//! longer fit (replay after a fuzzy snapshot): such a txn yields an error code and changes nothing else.
//!
//! Stat rules (Ref: ZooKeeper `DataNode.copyStat`, `DataTree.createNode/deleteNode`):
//! - the stored cversion counts child creations only; clients see `2 × stored − numChildren`;
//! - a create sets the parent's cversion to the txn's parentCVersion (when larger) and pzxid;
//! - a delete raises the parent's pzxid (when larger) and never touches its cversion;
//! - clients see ephemeralOwner 0 for containers and TTL nodes.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use bytes::Bytes;
use jute::txn::{TxnBody, TxnHeader};
use jute::{Acl, ErrorCode, OpCode, Stat, StatPersisted};

use super::acl_cache::{AclCache, OPEN_UNSAFE_ACL_ID};
use super::digest::{node_digest, DigestStat, TreeDigest};
use super::ephemeral::{ttl_owner, EphemeralType, CONTAINER_OWNER};
use super::path;

mod quotas;

/// One znode.
#[derive(Debug, Clone)]
pub struct Node {
    /// `None` and empty are distinct, as on the wire.
    pub data: Option<Bytes>,
    pub acl_id: i64,
    pub stat: StatPersisted,
    /// Child names (not paths), sorted.
    pub children: BTreeSet<String>,
}

impl Node {
    fn new(data: Option<Bytes>, acl_id: i64, stat: StatPersisted) -> Self {
        Self {
            data,
            acl_id,
            stat,
            children: BTreeSet::new(),
        }
    }

    pub fn data_len(&self) -> usize {
        self.data.as_ref().map_or(0, |d| d.len())
    }
}

impl From<&StatPersisted> for DigestStat {
    fn from(s: &StatPersisted) -> Self {
        DigestStat {
            czxid: s.czxid,
            mzxid: s.mzxid,
            ctime: s.ctime,
            mtime: s.mtime,
            version: s.version,
            cversion: s.cversion,
            aversion: s.aversion,
            ephemeral_owner: s.ephemeral_owner,
            pzxid: s.pzxid,
        }
    }
}

/// A change watchers may care about, emitted by `apply` in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `path` was created under `parent`.
    Created {
        path: String,
        acl: Arc<Vec<Acl>>,
        parent: String,
        parent_acl: Arc<Vec<Acl>>,
    },
    /// `path` was deleted from `parent`; `acl` is the node's last ACL.
    Deleted {
        path: String,
        acl: Arc<Vec<Acl>>,
        parent: String,
        parent_acl: Arc<Vec<Acl>>,
    },
    DataChanged {
        path: String,
        acl: Arc<Vec<Acl>>,
    },
}

/// What applying one txn did (ZooKeeper's `ProcessTxnResult`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyResult {
    pub txn_type: OpCode,
    pub err: ErrorCode,
    pub path: Option<String>,
    pub stat: Option<Stat>,
    /// One result per sub-txn of a multi.
    pub multi: Vec<ApplyResult>,
}

impl ApplyResult {
    fn new(txn_type: OpCode) -> Self {
        Self {
            txn_type,
            err: ErrorCode::Ok,
            path: None,
            stat: None,
            multi: Vec::new(),
        }
    }
}

/// Whether stored ephemeralOwners with the 0xFF top byte are TTL markers (`extendedTypesEnabled`).
#[derive(Debug, Clone, Copy, Default)]
pub struct TreeOptions {
    pub extended_types: bool,
}

pub struct DataTree {
    nodes: HashMap<String, Node>,
    acls: AclCache,
    ephemerals: HashMap<i64, BTreeSet<String>>,
    containers: BTreeSet<String>,
    ttls: BTreeSet<String>,
    digest: TreeDigest,
    last_processed_zxid: i64,
    /// Σ (path length + data length), ZooKeeper's approximate_data_size.
    data_size: u64,
    /// Paths with a quota (a `zookeeper_limits` node under /zookeeper/quota).
    quota_paths: BTreeSet<String>,
    opts: TreeOptions,
}

pub const ROOT: &str = "/";
pub const ZOOKEEPER: &str = "/zookeeper";
pub const QUOTA: &str = "/zookeeper/quota";
pub const CONFIG: &str = "/zookeeper/config";

impl DataTree {
    /// A fresh tree: `/`, `/zookeeper`, `/zookeeper/quota` and `/zookeeper/config` (world-READ,
    /// aversion -1), as every ZooKeeper server starts.
    pub fn new(opts: TreeOptions) -> Self {
        let mut t = DataTree::empty(opts);
        for p in [ROOT, ZOOKEEPER, QUOTA, CONFIG] {
            t.insert_raw(
                p,
                Some(Bytes::new()),
                OPEN_UNSAFE_ACL_ID,
                StatPersisted::default(),
            );
        }
        let read_only = t.acls.intern(&Acl::read_unsafe());
        if let Some(n) = t.nodes.get_mut(CONFIG) {
            n.acl_id = read_only;
            n.stat.aversion = -1;
        }
        t
    }

    /// A tree with no nodes at all, to be filled from a snapshot (`insert_raw`, parents first).
    pub fn empty(opts: TreeOptions) -> Self {
        DataTree {
            nodes: HashMap::new(),
            acls: AclCache::new(),
            ephemerals: HashMap::new(),
            containers: BTreeSet::new(),
            ttls: BTreeSet::new(),
            digest: TreeDigest::new(),
            last_processed_zxid: 0,
            data_size: 0,
            quota_paths: BTreeSet::new(),
            opts,
        }
    }

    /// Inserts a node as read from a snapshot or built at startup, linking it to its parent.
    pub fn insert_raw(&mut self, p: &str, data: Option<Bytes>, acl_id: i64, stat: StatPersisted) {
        let path_s = if p.is_empty() { ROOT } else { p };
        if path_s != ROOT {
            let (parent, name) = path::split(path_s);
            if let Some(pn) = self.nodes.get_mut(parent) {
                pn.children.insert(name.to_owned());
            }
        }
        if let Some(old) = self.nodes.remove(path_s) {
            self.unindex(path_s, &old);
        }
        let node = Node::new(data, acl_id, stat);
        self.index(path_s, &node);
        self.acls.add_usage(acl_id);
        self.nodes.insert(path_s.to_owned(), node);
    }

    fn index(&mut self, p: &str, n: &Node) {
        self.digest
            .add(node_digest(p, n.data.as_deref(), &DigestStat::from(&n.stat)));
        self.data_size += (p.len() + n.data_len()) as u64;
        match EphemeralType::of(n.stat.ephemeral_owner, self.opts.extended_types) {
            EphemeralType::Container => {
                self.containers.insert(p.to_owned());
            }
            EphemeralType::Ttl => {
                self.ttls.insert(p.to_owned());
            }
            EphemeralType::Normal => {
                self.ephemerals
                    .entry(n.stat.ephemeral_owner)
                    .or_default()
                    .insert(p.to_owned());
            }
            EphemeralType::Void | EphemeralType::UnknownExtended => {}
        }
    }

    fn unindex(&mut self, p: &str, n: &Node) {
        self.digest
            .remove(node_digest(p, n.data.as_deref(), &DigestStat::from(&n.stat)));
        self.data_size = self.data_size.saturating_sub((p.len() + n.data_len()) as u64);
        match EphemeralType::of(n.stat.ephemeral_owner, self.opts.extended_types) {
            EphemeralType::Container => {
                self.containers.remove(p);
            }
            EphemeralType::Ttl => {
                self.ttls.remove(p);
            }
            EphemeralType::Normal => {
                if let Some(set) = self.ephemerals.get_mut(&n.stat.ephemeral_owner) {
                    set.remove(p);
                    if set.is_empty() {
                        self.ephemerals.remove(&n.stat.ephemeral_owner);
                    }
                }
            }
            EphemeralType::Void | EphemeralType::UnknownExtended => {}
        }
    }

    /// Runs `f` on a node between digest/size bookkeeping, for in-place updates.
    fn update<R>(&mut self, p: &str, f: impl FnOnce(&mut Node) -> R) -> Option<R> {
        let mut n = self.nodes.remove(p)?;
        self.unindex(p, &n);
        let r = f(&mut n);
        self.index(p, &n);
        self.nodes.insert(p.to_owned(), n);
        Some(r)
    }

    pub fn options(&self) -> TreeOptions {
        self.opts
    }

    pub fn get(&self, p: &str) -> Option<&Node> {
        self.nodes.get(if p.is_empty() { ROOT } else { p })
    }

    pub fn acl_of(&self, n: &Node) -> &Arc<Vec<Acl>> {
        self.acls.get(n.acl_id)
    }

    pub fn acl_cache(&self) -> &AclCache {
        &self.acls
    }

    pub fn acl_cache_mut(&mut self) -> &mut AclCache {
        &mut self.acls
    }

    /// The client-visible Stat of a node.
    pub fn stat_of(&self, n: &Node) -> Stat {
        let num_children = n.children.len() as i32;
        let owner = match EphemeralType::of(n.stat.ephemeral_owner, self.opts.extended_types) {
            EphemeralType::Normal => n.stat.ephemeral_owner,
            _ => 0,
        };
        Stat {
            czxid: n.stat.czxid,
            mzxid: n.stat.mzxid,
            ctime: n.stat.ctime,
            mtime: n.stat.mtime,
            version: n.stat.version,
            cversion: n.stat.cversion.wrapping_mul(2).wrapping_sub(num_children),
            aversion: n.stat.aversion,
            ephemeral_owner: owner,
            data_length: n.data_len() as i32,
            num_children,
            pzxid: n.stat.pzxid,
        }
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn approximate_data_size(&self) -> u64 {
        self.data_size
    }

    pub fn digest(&self) -> TreeDigest {
        self.digest
    }

    pub fn last_processed_zxid(&self) -> i64 {
        self.last_processed_zxid
    }

    pub fn set_last_processed_zxid(&mut self, zxid: i64) {
        self.last_processed_zxid = zxid;
    }

    /// The ephemerals a session owns.
    pub fn ephemerals_of(&self, session: i64) -> impl Iterator<Item = &String> {
        self.ephemerals.get(&session).into_iter().flatten()
    }

    pub fn ephemerals(&self) -> &HashMap<i64, BTreeSet<String>> {
        &self.ephemerals
    }

    pub fn ephemeral_count(&self) -> usize {
        self.ephemerals.values().map(|s| s.len()).sum()
    }

    pub fn containers(&self) -> &BTreeSet<String> {
        &self.containers
    }

    pub fn ttls(&self) -> &BTreeSet<String> {
        &self.ttls
    }

    /// Number of descendants of `p` (not counting `p`), for getAllChildrenNumber.
    pub fn descendant_count(&self, p: &str) -> usize {
        // Ref: DataTree.getAllChildrenNumber counts the keys under `p + "/"`; ZooKeeper's map holds the
        // root as both "" and "/", so for "" that is every node.
        if p.is_empty() {
            return self.nodes.len();
        }
        let mut count = 0;
        let mut stack = vec![p.to_owned()];
        while let Some(cur) = stack.pop() {
            if let Some(n) = self.nodes.get(&cur) {
                for c in &n.children {
                    count += 1;
                    stack.push(path::join(&cur, c));
                }
            }
        }
        count
    }

    /// Every path in parent-before-child order, for snapshots and tree walks.
    pub fn walk(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.nodes.len());
        let mut stack = vec![ROOT.to_owned()];
        while let Some(cur) = stack.pop() {
            if let Some(n) = self.nodes.get(&cur) {
                for c in n.children.iter().rev() {
                    stack.push(path::join(&cur, c));
                }
                out.push(cur);
            }
        }
        out
    }

    /// Applies one txn and advances lastProcessedZxid. Never fails: errors land in the result, as in
    /// ZooKeeper, where a failed txn during replay is logged and skipped.
    pub fn apply(&mut self, hdr: &TxnHeader, body: &TxnBody, changes: &mut Vec<Change>) -> ApplyResult {
        let rc = self.apply_one(hdr, hdr.txn_type, body, changes);
        if hdr.zxid > self.last_processed_zxid {
            self.last_processed_zxid = hdr.zxid;
        }
        rc
    }

    fn apply_one(
        &mut self,
        hdr: &TxnHeader,
        ty: OpCode,
        body: &TxnBody,
        changes: &mut Vec<Change>,
    ) -> ApplyResult {
        let mut rc = ApplyResult::new(ty);
        let res: Result<(), ErrorCode> = match body {
            TxnBody::Create(t) => {
                rc.path = Some(t.path.clone());
                let owner = if t.ephemeral { hdr.client_id } else { 0 };
                let want_stat = ty != OpCode::Create;
                let r = self.create_node(
                    &t.path,
                    t.data.clone(),
                    &t.acl,
                    owner,
                    t.parent_cversion,
                    hdr,
                    changes,
                );
                if ty == OpCode::Create && r == Err(ErrorCode::NodeExists) {
                    // Replay after a fuzzy snapshot: the parent's cversion/pzxid must still move.
                    self.raise_cversion_pzxid(path::parent(&t.path), t.parent_cversion, hdr.zxid);
                }
                r.map(|s| {
                    if want_stat {
                        rc.stat = Some(s)
                    }
                })
            }
            TxnBody::CreateV0(t) => {
                rc.path = Some(t.path.clone());
                let owner = if t.ephemeral { hdr.client_id } else { 0 };
                self.create_node(&t.path, t.data.clone(), &t.acl, owner, -1, hdr, changes)
                    .map(|_| ())
            }
            TxnBody::CreateContainer(t) => {
                rc.path = Some(t.path.clone());
                self.create_node(
                    &t.path,
                    t.data.clone(),
                    &t.acl,
                    CONTAINER_OWNER,
                    t.parent_cversion,
                    hdr,
                    changes,
                )
                .map(|s| rc.stat = Some(s))
            }
            TxnBody::CreateTtl(t) => {
                rc.path = Some(t.path.clone());
                let owner = ttl_owner(t.ttl).unwrap_or(CONTAINER_OWNER);
                self.create_node(
                    &t.path,
                    t.data.clone(),
                    &t.acl,
                    owner,
                    t.parent_cversion,
                    hdr,
                    changes,
                )
                .map(|s| rc.stat = Some(s))
            }
            TxnBody::Delete(t) => {
                rc.path = Some(t.path.clone());
                self.delete_node(&t.path, hdr.zxid, changes)
            }
            TxnBody::SetData(t) => {
                rc.path = Some(t.path.clone());
                self.set_data(&t.path, t.data.clone(), t.version, hdr.zxid, hdr.time, changes)
                    .map(|s| rc.stat = Some(s))
            }
            TxnBody::SetAcl(t) => {
                rc.path = Some(t.path.clone());
                self.set_acl(&t.path, &t.acl, t.version)
                    .map(|s| rc.stat = Some(s))
            }
            TxnBody::CloseSession(t) => {
                let session = hdr.client_id;
                let paths: Vec<String> = match t {
                    Some(t) => t.paths_to_delete.clone(),
                    None => self.ephemerals_of(session).cloned().collect(),
                };
                for p in paths {
                    // Already gone (fuzzy snapshot replay) is fine.
                    let _ = self.delete_node(&p, hdr.zxid, changes);
                }
                Ok(())
            }
            TxnBody::CreateSession(_) => Ok(()),
            TxnBody::Error(t) => Err(t.err),
            TxnBody::Check(t) => {
                rc.path = Some(t.path.clone());
                Ok(())
            }
            TxnBody::Multi(subs) => {
                let failed = subs.iter().any(|s| s.txn_type == OpCode::Error);
                let mut post_failed = false;
                for s in subs {
                    let sub = if s.txn_type == OpCode::Error {
                        post_failed = true;
                        self.apply_one(hdr, OpCode::Error, &s.body, changes)
                    } else if failed {
                        // Ops of a failed multi are answered, not applied: before the failure OK, after it
                        // RUNTIMEINCONSISTENCY.
                        let code = if post_failed {
                            ErrorCode::RuntimeInconsistency
                        } else {
                            ErrorCode::Ok
                        };
                        let mut r = ApplyResult::new(OpCode::Error);
                        r.err = code;
                        r
                    } else {
                        self.apply_one(hdr, s.txn_type, &s.body, changes)
                    };
                    if sub.err != ErrorCode::Ok && rc.err == ErrorCode::Ok {
                        rc.err = sub.err;
                    }
                    rc.multi.push(sub);
                }
                Ok(())
            }
        };
        if let Err(e) = res {
            rc.err = e;
        }
        rc
    }

    fn raise_cversion_pzxid(&mut self, parent: &str, cversion: i32, zxid: i64) {
        let parent = if parent.is_empty() { ROOT } else { parent };
        self.update(parent, |n| {
            let cv = if cversion == -1 {
                n.stat.cversion + 1
            } else {
                cversion
            };
            if cv > n.stat.cversion {
                n.stat.cversion = cv;
                n.stat.pzxid = zxid;
            }
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn create_node(
        &mut self,
        p: &str,
        data: Option<Bytes>,
        acl: &[Acl],
        owner: i64,
        parent_cversion: i32,
        hdr: &TxnHeader,
        changes: &mut Vec<Change>,
    ) -> Result<Stat, ErrorCode> {
        if !p.starts_with('/') || p == ROOT {
            return Err(ErrorCode::NoNode);
        }
        let (parent, name) = path::split(p);
        let parent = if parent.is_empty() { ROOT } else { parent };
        if !self.nodes.contains_key(parent) {
            return Err(ErrorCode::NoNode);
        }
        if self.nodes.contains_key(p) {
            return Err(ErrorCode::NodeExists);
        }
        let zxid = hdr.zxid;
        self.update(parent, |pn| {
            let cv = if parent_cversion == -1 {
                pn.stat.cversion + 1
            } else {
                parent_cversion
            };
            if cv > pn.stat.cversion {
                pn.stat.cversion = cv;
                pn.stat.pzxid = zxid;
            }
            pn.children.insert(name.to_owned());
        });
        let acl_id = self.acls.intern(acl);
        let stat = StatPersisted {
            czxid: zxid,
            mzxid: zxid,
            ctime: hdr.time,
            mtime: hdr.time,
            version: 0,
            cversion: 0,
            aversion: 0,
            ephemeral_owner: owner,
            pzxid: zxid,
        };
        let node = Node::new(data, acl_id, stat);
        self.index(p, &node);
        let out = self.stat_of(&node);
        let data_len = node.data_len();
        self.nodes.insert(p.to_owned(), node);
        self.quota_on_create(p, data_len);
        let parent_acl = self
            .nodes
            .get(parent)
            .map(|n| self.acls.get(n.acl_id).clone())
            .unwrap_or_default();
        changes.push(Change::Created {
            path: p.to_owned(),
            acl: self.acls.get(acl_id).clone(),
            parent: parent.to_owned(),
            parent_acl,
        });
        Ok(out)
    }

    fn delete_node(&mut self, p: &str, zxid: i64, changes: &mut Vec<Change>) -> Result<(), ErrorCode> {
        if !p.starts_with('/') || p == ROOT {
            return Err(ErrorCode::NoNode);
        }
        let (parent, name) = path::split(p);
        let parent = if parent.is_empty() { ROOT } else { parent };
        if !self.nodes.contains_key(parent) {
            return Err(ErrorCode::NoNode);
        }
        // The parent's pzxid moves even if the child is already gone (fuzzy snapshot replay).
        self.update(parent, |pn| {
            pn.children.remove(name);
            if zxid > pn.stat.pzxid {
                pn.stat.pzxid = zxid;
            }
        });
        let node = self.nodes.remove(p).ok_or(ErrorCode::NoNode)?;
        self.unindex(p, &node);
        self.quota_on_delete(p, node.data_len());
        let acl = self.acls.get(node.acl_id).clone();
        self.acls.remove_usage(node.acl_id);
        let parent_acl = self
            .nodes
            .get(parent)
            .map(|n| self.acls.get(n.acl_id).clone())
            .unwrap_or_default();
        changes.push(Change::Deleted {
            path: p.to_owned(),
            acl,
            parent: parent.to_owned(),
            parent_acl,
        });
        Ok(())
    }

    fn set_data(
        &mut self,
        p: &str,
        data: Option<Bytes>,
        version: i32,
        zxid: i64,
        time: i64,
        changes: &mut Vec<Change>,
    ) -> Result<Stat, ErrorCode> {
        let new_len = data.as_ref().map_or(0, |d| d.len()) as i64;
        let old_len = self.nodes.get(p).map_or(0, |n| n.data_len()) as i64;
        self.update(p, |n| {
            n.data = data;
            n.stat.mtime = time;
            n.stat.mzxid = zxid;
            n.stat.version = version;
        })
        .ok_or(ErrorCode::NoNode)?;
        self.quota_account(p, new_len - old_len, 0);
        let n = self.nodes.get(p).ok_or(ErrorCode::NoNode)?;
        changes.push(Change::DataChanged {
            path: p.to_owned(),
            acl: self.acls.get(n.acl_id).clone(),
        });
        Ok(self.stat_of(n))
    }

    fn set_acl(&mut self, p: &str, acl: &[Acl], version: i32) -> Result<Stat, ErrorCode> {
        let old = self.nodes.get(p).ok_or(ErrorCode::NoNode)?.acl_id;
        let new_id = self.acls.intern(acl);
        self.acls.remove_usage(old);
        self.update(p, |n| {
            n.stat.aversion = version;
            n.acl_id = new_id;
        });
        let n = self.nodes.get(p).ok_or(ErrorCode::NoNode)?;
        Ok(self.stat_of(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jute::txn::*;
    use jute::Id;

    fn hdr(zxid: i64, ty: OpCode, session: i64) -> TxnHeader {
        TxnHeader {
            client_id: session,
            cxid: 1,
            zxid,
            time: 1000 + zxid,
            txn_type: ty,
        }
    }

    fn create(t: &mut DataTree, zxid: i64, p: &str, eph: bool, session: i64) -> ApplyResult {
        let parent_cv = t.get(path::parent(p)).map_or(0, |n| n.stat.cversion) + 1;
        let body = TxnBody::Create(CreateTxn {
            path: p.into(),
            data: Some(Bytes::from_static(b"d")),
            acl: Acl::open_unsafe(),
            ephemeral: eph,
            parent_cversion: parent_cv,
        });
        t.apply(&hdr(zxid, OpCode::Create2, session), &body, &mut Vec::new())
    }

    fn delete(t: &mut DataTree, zxid: i64, p: &str) -> ApplyResult {
        t.apply(
            &hdr(zxid, OpCode::Delete, 1),
            &TxnBody::Delete(DeleteTxn { path: p.into() }),
            &mut Vec::new(),
        )
    }

    #[test]
    fn fresh_tree_matches_zookeeper() {
        let t = DataTree::new(TreeOptions::default());
        assert_eq!(t.node_count(), 4);
        assert_eq!(
            t.digest().value(),
            0x51c6d660,
            "Ref: reference §2.3, digest of a fresh tree"
        );
        let cfg = t.get(CONFIG).unwrap();
        assert_eq!(cfg.stat.aversion, -1);
        assert_eq!(cfg.acl_id, 1);
        assert_eq!(t.acl_of(cfg)[0], Acl::new(1, Id::anyone()));
        assert_eq!(t.stat_of(t.get(ROOT).unwrap()).num_children, 1);
    }

    #[test]
    fn client_cversion_counts_creates_and_deletes() {
        // Ref: reference §1.7 [LIVE]: create, create, delete under /a → cversion 3, 1 child, stored 2.
        let mut t = DataTree::new(TreeOptions::default());
        create(&mut t, 1, "/a", false, 1);
        create(&mut t, 2, "/a/x", false, 1);
        create(&mut t, 3, "/a/y", false, 1);
        delete(&mut t, 4, "/a/x");
        let a = t.get("/a").unwrap();
        assert_eq!(a.stat.cversion, 2);
        let s = t.stat_of(a);
        assert_eq!((s.cversion, s.num_children, s.pzxid), (3, 1, 4));
        assert_eq!(t.last_processed_zxid(), 4);
    }

    #[test]
    fn digest_is_incremental() {
        let mut t = DataTree::new(TreeOptions::default());
        let fresh = t.digest();
        create(&mut t, 1, "/a", false, 1);
        assert_ne!(t.digest(), fresh);
        delete(&mut t, 2, "/a");
        // The root's pzxid/cversion changed, so the digest differs from the fresh one but must equal a
        // recomputation from scratch.
        let mut sum = TreeDigest::new();
        for p in t.walk() {
            let n = t.get(&p).unwrap();
            sum.add(node_digest(&p, n.data.as_deref(), &DigestStat::from(&n.stat)));
        }
        assert_eq!(t.digest(), sum);
    }

    #[test]
    fn ephemerals_are_indexed_and_closed_with_their_session() {
        let mut t = DataTree::new(TreeOptions::default());
        create(&mut t, 1, "/e1", true, 7);
        create(&mut t, 2, "/e2", true, 7);
        assert_eq!(t.ephemerals_of(7).count(), 2);
        assert_eq!(t.stat_of(t.get("/e1").unwrap()).ephemeral_owner, 7);
        let mut ch = Vec::new();
        t.apply(
            &hdr(3, OpCode::CloseSession, 7),
            &TxnBody::CloseSession(None),
            &mut ch,
        );
        assert!(t.get("/e1").is_none() && t.get("/e2").is_none());
        assert_eq!(ch.len(), 2);
        assert_eq!(t.ephemerals_of(7).count(), 0);
    }

    #[test]
    fn failed_multi_applies_nothing_and_reports_per_op() {
        // Ref: reference §1.11 [LIVE]: create ok, delete missing, setData → 0, -101, -2.
        let mut t = DataTree::new(TreeOptions::default());
        let create_body = TxnBody::Create(CreateTxn {
            path: "/m".into(),
            data: None,
            acl: Acl::open_unsafe(),
            ephemeral: false,
            parent_cversion: 1,
        });
        let multi = TxnBody::Multi(vec![
            TxnBodyOf {
                txn_type: OpCode::Create,
                body: create_body,
            },
            TxnBodyOf {
                txn_type: OpCode::Error,
                body: TxnBody::Error(ErrorTxn {
                    err: ErrorCode::NoNode,
                }),
            },
            TxnBodyOf {
                txn_type: OpCode::Error,
                body: TxnBody::Error(ErrorTxn {
                    err: ErrorCode::RuntimeInconsistency,
                }),
            },
        ]);
        let rc = t.apply(&hdr(1, OpCode::Multi, 1), &multi, &mut Vec::new());
        let errs: Vec<i32> = rc.multi.iter().map(|r| r.err.raw()).collect();
        assert_eq!(errs, vec![0, -101, -2]);
        assert!(t.get("/m").is_none());
        assert_eq!(t.last_processed_zxid(), 1);
    }

    #[test]
    fn replayed_create_of_existing_node_still_moves_parent_cversion() {
        let mut t = DataTree::new(TreeOptions::default());
        create(&mut t, 1, "/a", false, 1);
        let body = TxnBody::Create(CreateTxn {
            path: "/a".into(),
            data: None,
            acl: Acl::open_unsafe(),
            ephemeral: false,
            parent_cversion: 5,
        });
        let rc = t.apply(&hdr(2, OpCode::Create, 1), &body, &mut Vec::new());
        assert_eq!(rc.err, ErrorCode::NodeExists);
        assert_eq!(t.get(ROOT).unwrap().stat.cversion, 5);
        assert_eq!(t.get(ROOT).unwrap().stat.pzxid, 2);
    }
}
