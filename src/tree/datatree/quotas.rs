//! Quota bookkeeping inside the tree, as ZooKeeper's `DataTree` does it.
//!
//! A path P has a quota when `/zookeeper/quota<P>/zookeeper_limits` exists. Every create, delete and
//! setData under P (the longest such prefix) updates the `count=N,bytes=M` text of
//! `/zookeeper/quota<P>/zookeeper_stats` in place — no txn, no Stat change, as in ZooKeeper, where the
//! stats node is derived state. Creating a stats node recounts its subtree; loading a snapshot recounts
//! every quota'd subtree. Limits are enforced by the write path (`quota_check`) only with
//! `enforceQuota=true`; otherwise exceeding them is only logged.
//!
//! Ref: ZooKeeper `DataTree.updateQuotaStat/updateQuotaForPath/setupQuota/getMaxPrefixWithQuota`,
//! `ZooKeeperServer.checkQuota`.

use jute::ErrorCode;

use super::DataTree;
use crate::tree::path;
use crate::tree::quota::{self, quota_node_target, QuotaNode, StatsTrack};

impl DataTree {
    /// The longest path with a quota that is `p` or an ancestor of it (never `/`).
    pub fn max_prefix_with_quota(&self, p: &str) -> Option<String> {
        if self.quota_paths.is_empty() {
            return None;
        }
        let mut cur = p;
        loop {
            if cur != "/" && self.quota_paths.contains(cur) {
                return Some(cur.to_owned());
            }
            if cur == "/" || cur.is_empty() {
                return None;
            }
            cur = path::parent(cur);
        }
    }

    fn stats_of(&self, node_path: &str) -> Option<StatsTrack> {
        let n = self.get(node_path)?;
        StatsTrack::parse_bytes(n.data.as_deref().unwrap_or(&[])).ok()
    }

    /// Adds to the usage of the quota covering `p`, if any.
    pub(super) fn quota_account(&mut self, p: &str, bytes: i64, count: i64) {
        let Some(prefix) = self.max_prefix_with_quota(p) else {
            return;
        };
        let stat_path = quota::stat_path(&prefix);
        let Some(mut st) = self.stats_of(&stat_path) else {
            tracing::error!("Missing node for stat {stat_path}");
            return;
        };
        st.set_count(st.count() + count);
        st.set_bytes(st.bytes() + bytes);
        let data = bytes::Bytes::from(st.to_bytes());
        self.update(&stat_path, |n| n.data = Some(data));
        if let Some(limits) = self.stats_of(&quota::limit_path(&prefix)) {
            let over_count = limits.count() > -1 && st.count() > limits.count();
            let over_bytes = limits.bytes() > -1 && st.bytes() > limits.bytes();
            if over_count || over_bytes {
                tracing::warn!(
                    "Quota exceeded: {prefix} count={} bytes={} limit={limits}",
                    st.count(),
                    st.bytes()
                );
            }
        }
    }

    /// Recounts the subtree of a quota'd path into its stats node.
    pub(super) fn quota_recount(&mut self, target: &str) {
        let (mut count, mut bytes) = (0i64, 0i64);
        let mut stack = vec![target.to_owned()];
        while let Some(cur) = stack.pop() {
            if let Some(n) = self.get(&cur) {
                count += 1;
                bytes += n.data_len() as i64;
                stack.extend(n.children.iter().map(|c| path::join(&cur, c)));
            }
        }
        let stat_path = quota::stat_path(target);
        let mut st = StatsTrack::new();
        st.set_count(count);
        st.set_bytes(bytes);
        let data = bytes::Bytes::from(st.to_bytes());
        if self.update(&stat_path, |n| n.data = Some(data)).is_none() {
            tracing::warn!("Missing quota stat node {stat_path}");
        }
    }

    /// After a node was created: maintain the quota table and usage.
    pub(super) fn quota_on_create(&mut self, p: &str, data_len: usize) {
        if let Some((target, kind)) = quota_node_target(p) {
            let target = target.to_owned();
            match kind {
                QuotaNode::Limits => {
                    self.quota_paths.insert(target);
                }
                QuotaNode::Stats => self.quota_recount(&target),
            }
        }
        self.quota_account(p, data_len as i64, 1);
    }

    /// After a node was deleted.
    pub(super) fn quota_on_delete(&mut self, p: &str, data_len: usize) {
        if let Some((target, QuotaNode::Limits)) = quota_node_target(p) {
            self.quota_paths.remove(target);
        }
        self.quota_account(p, -(data_len as i64), -1);
    }

    /// After loading a snapshot: find every limits node and recount its subtree.
    pub fn setup_quotas(&mut self) {
        let limits: Vec<String> = self
            .walk()
            .into_iter()
            .filter(|p| p.starts_with(quota::QUOTA_ZOOKEEPER))
            .filter(|p| matches!(quota_node_target(p), Some((_, QuotaNode::Limits))))
            .filter(|p| self.get(p).is_some_and(|n| n.children.is_empty()))
            .collect();
        for l in limits {
            if let Some((target, _)) = quota_node_target(&l) {
                let target = target.to_owned();
                self.quota_recount(&target);
                self.quota_paths.insert(target);
            }
        }
    }

    /// `checkQuota` with enforcement on: QUOTAEXCEEDED when a hard limit would be passed by adding
    /// `bytes_diff` bytes and `count_diff` nodes under `p`.
    pub fn quota_check(&self, p: &str, bytes_diff: i64, count_diff: i64) -> Result<(), ErrorCode> {
        let Some(prefix) = self.max_prefix_with_quota(p) else {
            return Ok(());
        };
        let Some(limits) = self.stats_of(&quota::limit_path(&prefix)) else {
            return Ok(());
        };
        let check_count = count_diff != 0 && (limits.count() > -1 || limits.count_hard_limit() > -1);
        let check_bytes = bytes_diff != 0 && (limits.bytes() > -1 || limits.byte_hard_limit() > -1);
        if !check_count && !check_bytes {
            return Ok(());
        }
        let Some(current) = self.stats_of(&quota::stat_path(&prefix)) else {
            return Ok(());
        };
        let over = |value: i64, soft: i64, hard: i64, what: &str| -> Result<(), ErrorCode> {
            let (limit, is_hard) = if hard > -1 { (hard, true) } else { (soft, false) };
            if value > limit {
                tracing::warn!(
                    "Quota exceeded: {prefix} [current {what}={value}, {}{what}Limit={limit}]",
                    if is_hard { "hard" } else { "soft" }
                );
                if is_hard {
                    return Err(ErrorCode::QuotaExceeded);
                }
            }
            Ok(())
        };
        if check_count {
            over(
                current.count() + count_diff,
                limits.count(),
                limits.count_hard_limit(),
                "count",
            )?;
        }
        if check_bytes {
            over(
                current.bytes() + bytes_diff,
                limits.bytes(),
                limits.byte_hard_limit(),
                "bytes",
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::TreeOptions;
    use bytes::Bytes;
    use jute::txn::{CreateTxn, DeleteTxn, SetDataTxn, TxnBody, TxnHeader};
    use jute::{Acl, OpCode};

    fn create(t: &mut DataTree, zxid: i64, p: &str, data: &str) {
        let body = TxnBody::Create(CreateTxn {
            path: p.into(),
            data: Some(Bytes::from(data.to_owned())),
            acl: Acl::open_unsafe(),
            ephemeral: false,
            parent_cversion: -1,
        });
        t.apply(
            &TxnHeader {
                client_id: 1,
                cxid: 0,
                zxid,
                time: 0,
                txn_type: OpCode::Create,
            },
            &body,
            &mut Vec::new(),
        );
    }

    fn stats(t: &DataTree, p: &str) -> String {
        String::from_utf8(
            t.get(&quota::stat_path(p))
                .unwrap()
                .data
                .clone()
                .unwrap()
                .to_vec(),
        )
        .unwrap()
    }

    #[test]
    fn usage_follows_creates_deletes_and_set_data() {
        let mut t = DataTree::new(TreeOptions::default());
        create(&mut t, 1, "/app", "12345");
        create(&mut t, 2, "/app/a", "xy");
        // What zkCli's setquota does: create the quota path, the limits node, then the stats node.
        create(&mut t, 3, "/zookeeper/quota/app", "");
        create(
            &mut t,
            4,
            "/zookeeper/quota/app/zookeeper_limits",
            "count=3,bytes=-1",
        );
        create(
            &mut t,
            5,
            "/zookeeper/quota/app/zookeeper_stats",
            "count=0,bytes=0",
        );
        assert_eq!(stats(&t, "/app"), "count=2,bytes=7");
        create(&mut t, 6, "/app/b", "abc");
        assert_eq!(stats(&t, "/app"), "count=3,bytes=10");
        let set = TxnBody::SetData(SetDataTxn {
            path: "/app/b".into(),
            data: Some(Bytes::from_static(b"a")),
            version: 1,
        });
        t.apply(
            &TxnHeader {
                client_id: 1,
                cxid: 0,
                zxid: 7,
                time: 0,
                txn_type: OpCode::SetData,
            },
            &set,
            &mut Vec::new(),
        );
        assert_eq!(stats(&t, "/app"), "count=3,bytes=8");
        t.apply(
            &TxnHeader {
                client_id: 1,
                cxid: 0,
                zxid: 8,
                time: 0,
                txn_type: OpCode::Delete,
            },
            &TxnBody::Delete(DeleteTxn {
                path: "/app/a".into(),
            }),
            &mut Vec::new(),
        );
        assert_eq!(stats(&t, "/app"), "count=2,bytes=6");
        assert_eq!(t.quota_check("/app/c", 0, 1), Ok(()), "soft limits only warn");
    }

    #[test]
    fn hard_limits_refuse() {
        let mut t = DataTree::new(TreeOptions::default());
        create(&mut t, 1, "/app", "");
        create(&mut t, 2, "/zookeeper/quota/app", "");
        create(
            &mut t,
            3,
            "/zookeeper/quota/app/zookeeper_limits",
            "count=-1,bytes=-1=;countHardLimit=2",
        );
        create(
            &mut t,
            4,
            "/zookeeper/quota/app/zookeeper_stats",
            "count=0,bytes=0",
        );
        assert_eq!(t.quota_check("/app/x", 0, 1), Ok(()));
        create(&mut t, 5, "/app/x", "");
        assert_eq!(t.quota_check("/app/y", 0, 1), Err(ErrorCode::QuotaExceeded));
        assert_eq!(t.max_prefix_with_quota("/other"), None);
    }
}
