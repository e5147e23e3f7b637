//! Container and TTL node reaping (leader or standalone only).
//!
//! Ref: ZooKeeper `ContainerManager.getCandidates`. Every `znode.container.checkIntervalMs` the server
//! deletes, through the normal write path (op 20 deleteContainer, session 0, cxid 0):
//! - a container with no children that once had one (stored cversion > 0), or that never had one and
//!   whose mtime is older than `znode.container.maxNeverUsedIntervalMs` (0 = never);
//! - a TTL node with no children whose mtime is older than its TTL.
//!
//! At most `znode.container.maxPerMinute` deletions a minute.

use crate::tree::ephemeral::{ttl_of, EphemeralType};
use crate::tree::DataTree;

#[derive(Debug, Clone, Copy)]
pub struct ReaperOptions {
    pub check_interval_ms: u64,
    pub max_per_minute: u64,
    /// 0 = never reap a container that never had children.
    pub max_never_used_ms: i64,
}

impl Default for ReaperOptions {
    fn default() -> Self {
        Self {
            check_interval_ms: 60_000,
            max_per_minute: 10_000,
            max_never_used_ms: 0,
        }
    }
}

/// The paths due for deletion at wall-clock `now_ms`, in path order.
pub fn candidates(tree: &DataTree, now_ms: i64, opts: &ReaperOptions) -> Vec<String> {
    let mut out = Vec::new();
    for p in tree.containers() {
        let Some(n) = tree.get(p) else { continue };
        if !n.children.is_empty() {
            continue;
        }
        let elapsed = now_ms - n.stat.mtime;
        if n.stat.cversion > 0 || (opts.max_never_used_ms != 0 && elapsed > opts.max_never_used_ms) {
            out.push(p.clone());
        }
    }
    let extended = tree.options().extended_types;
    for p in tree.ttls() {
        let Some(n) = tree.get(p) else { continue };
        if !n.children.is_empty() || EphemeralType::of(n.stat.ephemeral_owner, extended) != EphemeralType::Ttl
        {
            continue;
        }
        let ttl = ttl_of(n.stat.ephemeral_owner);
        if ttl != 0 && now_ms - n.stat.mtime > ttl {
            out.push(p.clone());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// How many deletions one check may issue.
pub fn budget(opts: &ReaperOptions) -> usize {
    let per_check = opts.max_per_minute.saturating_mul(opts.check_interval_ms.max(1)) / 60_000;
    per_check.max(1) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use jute::txn::{CreateContainerTxn, CreateTtlTxn, CreateTxn, DeleteTxn, TxnBody, TxnHeader};
    use jute::{Acl, OpCode};

    fn apply(t: &mut DataTree, zxid: i64, time: i64, ty: OpCode, body: TxnBody) {
        let h = TxnHeader {
            client_id: 1,
            cxid: 0,
            zxid,
            time,
            txn_type: ty,
        };
        t.apply(&h, &body, &mut Vec::new());
    }

    #[test]
    fn containers_that_had_children_and_expired_ttl_nodes_are_due() {
        let mut t = DataTree::new(crate::tree::TreeOptions { extended_types: true });
        let acl = Acl::open_unsafe();
        let cont = |p: &str| {
            TxnBody::CreateContainer(CreateContainerTxn {
                path: p.into(),
                data: None,
                acl: acl.clone(),
                parent_cversion: -1,
            })
        };
        apply(&mut t, 1, 1000, OpCode::CreateContainer, cont("/used"));
        apply(&mut t, 2, 1000, OpCode::CreateContainer, cont("/never"));
        let child = TxnBody::Create(CreateTxn {
            path: "/used/c".into(),
            data: Some(Bytes::new()),
            acl: acl.clone(),
            ephemeral: false,
            parent_cversion: -1,
        });
        apply(&mut t, 3, 1000, OpCode::Create, child);
        let ttl = |p: &str| {
            TxnBody::CreateTtl(CreateTtlTxn {
                path: p.into(),
                data: None,
                acl: acl.clone(),
                parent_cversion: -1,
                ttl: 500,
            })
        };
        apply(&mut t, 4, 1000, OpCode::CreateTtl, ttl("/ttl"));
        let opts = ReaperOptions::default();
        assert!(
            candidates(&t, 1200, &opts).is_empty(),
            "child present, TTL not elapsed"
        );
        apply(
            &mut t,
            5,
            1000,
            OpCode::Delete,
            TxnBody::Delete(DeleteTxn {
                path: "/used/c".into(),
            }),
        );
        assert_eq!(
            candidates(&t, 1600, &opts),
            vec!["/ttl".to_owned(), "/used".to_owned()]
        );
        let never = ReaperOptions {
            max_never_used_ms: 100,
            ..opts
        };
        assert_eq!(
            candidates(&t, 1600, &never),
            vec!["/never".to_owned(), "/ttl".to_owned(), "/used".to_owned()]
        );
        assert_eq!(
            budget(&ReaperOptions {
                check_interval_ms: 1000,
                max_per_minute: 10_000,
                max_never_used_ms: 0
            }),
            166
        );
    }
}
