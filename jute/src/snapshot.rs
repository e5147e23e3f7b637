//! Snapshot records. A snapshot file is (all inside one running Adler-32):
//!
//! ```text
//! FileHeader("ZKSN", 2, dbid -1)
//! int sessionCount, SnapSession*
//! int aclCount, SnapAclEntry*
//! SnapNode*  (parent before child; the root's path is "")
//! ustring "/"                                   end of tree
//! long checksum, ustring "/"                    seal 1
//! [ZxidDigest, long checksum, ustring "/"]      3.6+
//! [long lastProcessedZxid, long checksum, "/"]  3.9+
//! ```
//! A SNAP sync stream carries the same sessions, ACLs and nodes and the "/" end marker, without header
//! or seals.

use bytes::{BufMut, Bytes, BytesMut};

use crate::data::{Acl, StatPersisted};
use crate::error::Result;
use crate::sample::{Gen, Sample};
use crate::{record, Jute, Reader};

record! {
    pub struct SnapSession {
        pub session_id: i64,
        pub timeout_ms: i32,
    }

    pub struct SnapAclEntry {
        pub acl_id: i64,
        pub acls: Vec<Acl>,
    }

    pub struct SnapNode {
        pub path: String,
        pub data: Option<Bytes>,
        pub acl_id: i64,
        pub stat: StatPersisted,
    }
}

/// The digest trailer of 3.6+ snapshots. Version 2+ stores the digest as a long; older versions stored
/// it as a hex string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZxidDigest {
    pub zxid: i64,
    pub digest_version: i32,
    pub digest: DigestValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestValue {
    Long(i64),
    Hex(String),
}

impl Jute for ZxidDigest {
    fn encode(&self, out: &mut BytesMut) {
        out.put_i64(self.zxid);
        out.put_i32(self.digest_version);
        match &self.digest {
            DigestValue::Long(d) => out.put_i64(*d),
            DigestValue::Hex(s) => s.encode(out),
        }
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        let zxid = r.read_i64()?;
        let digest_version = r.read_i32()?;
        let digest = if digest_version >= 2 {
            DigestValue::Long(r.read_i64()?)
        } else {
            DigestValue::Hex(Jute::decode(r)?)
        };
        Ok(Self {
            zxid,
            digest_version,
            digest,
        })
    }
}

impl Sample for ZxidDigest {
    fn sample(g: &mut Gen) -> Self {
        let digest_version = if g.chance(4) { 1 } else { 2 };
        let digest = if digest_version >= 2 {
            DigestValue::Long(Sample::sample(g))
        } else {
            DigestValue::Hex(Sample::sample(g))
        };
        Self {
            zxid: Sample::sample(g),
            digest_version,
            digest,
        }
    }
}
