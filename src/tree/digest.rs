//! The 3.6+ tree digest.
//!
//! Ref: `DigestCalculator.calculateDigest`, `NodeHashMapImpl` and `util.AdHash` (branch-3.8).
//! Each node's digest is the CRC-32 (zero-extended to 64 bits) of
//!
//! ```text
//! utf8(path, with "/" hashed as "") ++ data (nothing when null or empty) ++
//! be64 czxid ++ be64 mzxid ++ be64 pzxid ++ be64 ctime ++ be64 mtime ++
//! be32 version ++ be32 cversion ++ be32 aversion ++ be64 ephemeralOwner
//! ```
//!
//! using the *persisted* stat (stored cversion and ephemeralOwner, not the client `Stat`).
//! Nodes whose path starts with `/zookeeper/` are excluded (digest 0 and never added), so
//! `/zookeeper/quota`, `/zookeeper/config` and quota nodes do not count while `/` and
//! `/zookeeper` do. The tree digest is the wrapping 64-bit sum of the node digests: add a
//! node's digest when it appears, subtract it when it goes, and for an update subtract the old
//! digest before changing the node and add the new one after. Logged in `TxnDigest` as
//! version [`DIGEST_VERSION`].

/// `DigestCalculator.DIGEST_VERSION`, written in every `TxnDigest` / `ZxidDigest`.
pub const DIGEST_VERSION: i32 = 2;

/// Paths with this prefix are left out of the digest (`ZooDefs.ZOOKEEPER_NODE_SUBTREE`).
pub const EXCLUDED_PREFIX: &str = "/zookeeper/";

/// The `StatPersisted` fields that enter a node digest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DigestStat {
    pub czxid: i64,
    pub mzxid: i64,
    pub ctime: i64,
    pub mtime: i64,
    pub version: i32,
    /// The stored cversion (number of child creations), not the client-visible one.
    pub cversion: i32,
    pub aversion: i32,
    /// The stored ephemeralOwner (container/TTL markers included).
    pub ephemeral_owner: i64,
    pub pzxid: i64,
}

/// Whether `path` is left out of the tree digest.
pub fn is_excluded(path: &str) -> bool {
    path.starts_with(EXCLUDED_PREFIX)
}

/// The digest of one node; 0 for excluded paths (as `calculateDigest` returns).
/// `"/"` and `""` (the root's snapshot name) give the same value.
pub fn node_digest(path: &str, data: Option<&[u8]>, stat: &DigestStat) -> u64 {
    if is_excluded(path) {
        return 0;
    }
    let path = if path == "/" { "" } else { path };
    let mut fields = [0u8; 60];
    let mut at = 0;
    let mut put = |bytes: &[u8]| {
        fields[at..at + bytes.len()].copy_from_slice(bytes);
        at += bytes.len();
    };
    put(&stat.czxid.to_be_bytes());
    put(&stat.mzxid.to_be_bytes());
    put(&stat.pzxid.to_be_bytes());
    put(&stat.ctime.to_be_bytes());
    put(&stat.mtime.to_be_bytes());
    put(&stat.version.to_be_bytes());
    put(&stat.cversion.to_be_bytes());
    put(&stat.aversion.to_be_bytes());
    put(&stat.ephemeral_owner.to_be_bytes());

    let mut crc = crc32fast::Hasher::new();
    crc.update(path.as_bytes());
    if let Some(data) = data {
        crc.update(data);
    }
    crc.update(&fields);
    u64::from(crc.finalize())
}

/// The running digest of a whole tree (`AdHash`): a wrapping sum of node digests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TreeDigest(pub u64);

impl TreeDigest {
    /// An empty digest (no nodes).
    pub fn new() -> Self {
        TreeDigest(0)
    }

    /// The digest of a tree holding only the nodes every tree starts with: `/` and
    /// `/zookeeper` with empty data and zeroed stats (the `/zookeeper/*` nodes are excluded).
    pub fn fresh_tree() -> Self {
        let mut d = TreeDigest::new();
        d.add_node("/", None, &DigestStat::default());
        d.add_node("/zookeeper", None, &DigestStat::default());
        d
    }

    /// The value as written in `TxnDigest.treeDigest` (a Java `long`).
    pub fn value(self) -> i64 {
        self.0 as i64
    }

    /// Adds one node digest (`AdHash.addDigest`).
    pub fn add(&mut self, node_digest: u64) {
        self.0 = self.0.wrapping_add(node_digest);
    }

    /// Removes one node digest (`AdHash.removeDigest`).
    pub fn remove(&mut self, node_digest: u64) {
        self.0 = self.0.wrapping_sub(node_digest);
    }

    /// Adds the digest of a node (nothing for excluded paths).
    pub fn add_node(&mut self, path: &str, data: Option<&[u8]>, stat: &DigestStat) {
        self.add(node_digest(path, data, stat));
    }

    /// Removes the digest of a node (nothing for excluded paths).
    pub fn remove_node(&mut self, path: &str, data: Option<&[u8]>, stat: &DigestStat) {
        self.remove(node_digest(path, data, stat));
    }
}

impl std::fmt::LowerHex for TreeDigest {
    /// Java's `AdHash.toString` is `Long.toHexString`: lower-case, no leading zeros.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::LowerHex::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zero() -> DigestStat {
        DigestStat::default()
    }

    fn sample_stat() -> DigestStat {
        DigestStat {
            czxid: 0x1_0000_0002,
            mzxid: 0x1_0000_0005,
            ctime: 1_700_000_000_123,
            mtime: 1_700_000_009_999,
            version: 3,
            cversion: 7,
            aversion: 2,
            ephemeral_owner: 0x0100_000b_799d_0000,
            pzxid: 0x1_0000_0009,
        }
    }

    // All expected values below were computed with zookeeper-3.8.0.jar's DigestCalculator /
    // DataTree on OpenJDK 17.

    #[test]
    fn special_nodes() {
        assert_eq!(node_digest("/", None, &zero()), 0x0412_8908);
        assert_eq!(node_digest("", Some(&[]), &zero()), 0x0412_8908);
        assert_eq!(node_digest("/zookeeper", Some(&[]), &zero()), 0x4db4_4d58);
        assert_eq!(node_digest("/zookeeper/quota", Some(&[]), &zero()), 0);
        assert_eq!(node_digest("/zookeeper/config", Some(b"x"), &zero()), 0);
    }

    #[test]
    fn fresh_tree_matches_live_value() {
        assert_eq!(TreeDigest::fresh_tree(), TreeDigest(0x0000_0000_51c6_d660));
        assert_eq!(format!("{:x}", TreeDigest::fresh_tree()), "51c6d660");
    }

    #[test]
    fn node_with_data_and_stat() {
        let st = sample_stat();
        assert_eq!(node_digest("/a", Some(b"hello"), &st), 0xd117_7777);
        // null and empty data hash the same.
        assert_eq!(node_digest("/a", None, &st), 0xee6e_1017);
        assert_eq!(node_digest("/a", Some(&[]), &st), 0xee6e_1017);
        let negative = DigestStat {
            czxid: -1,
            mzxid: -2,
            ctime: -3,
            mtime: -4,
            version: -5,
            cversion: -6,
            aversion: -7,
            ephemeral_owner: i64::MIN,
            pzxid: -9,
        };
        assert_eq!(
            node_digest("/\u{fc}/x", Some(&[0xff, 0, 1]), &negative),
            0x6ce1_d367
        );
    }

    #[test]
    fn tree_with_one_child() {
        // DataTree.createNode("/a", "hello", OPEN, 0, 0, 0x100000002, 1700000000123) leaves the
        // root's stat untouched (parentCVersion 0 is not above the current one).
        let mut d = TreeDigest::fresh_tree();
        let a = DigestStat {
            czxid: 0x1_0000_0002,
            mzxid: 0x1_0000_0002,
            pzxid: 0x1_0000_0002,
            ctime: 1_700_000_000_123,
            mtime: 1_700_000_000_123,
            ..DigestStat::default()
        };
        d.add_node("/a", Some(b"hello"), &a);
        assert_eq!(d.value(), 0xd35e_d6fa);
        d.remove_node("/a", Some(b"hello"), &a);
        assert_eq!(d, TreeDigest::fresh_tree());
    }

    #[test]
    fn excluded_prefix_is_exact() {
        assert!(!is_excluded("/"));
        assert!(!is_excluded("/zookeeper"));
        assert!(!is_excluded("/zookeeperx"));
        assert!(is_excluded("/zookeeper/"));
        assert!(is_excluded("/zookeeper/quota"));
        assert!(is_excluded("/zookeeper/quota/a/zookeeper_limits"));
        let mut d = TreeDigest::new();
        d.add_node("/zookeeper/quota", None, &zero());
        assert_eq!(d, TreeDigest::new());
    }

    #[test]
    fn wrapping_arithmetic() {
        let mut d = TreeDigest(u64::MAX);
        d.add(2);
        assert_eq!(d.0, 1);
        d.remove(3);
        assert_eq!(d.0, u64::MAX - 1);
        assert_eq!(d.value(), -2);
    }
}
