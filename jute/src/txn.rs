//! Transaction records: what the txn log stores and PROPOSAL packets carry.
//!
//! ```text
//! txn-entry = TxnHeader body [TxnDigest]        (digest optional: absent before 3.6 and on error txns)
//! body by TxnHeader.type:
//!   -10 CreateSessionTxn | -11 [CloseSessionTxn] | -1 ErrorTxn | 1,15 CreateTxn (CreateTxnV0 in old logs)
//!   19 CreateContainerTxn | 21 CreateTTLTxn | 2,20 DeleteTxn | 5,16 SetDataTxn | 7 SetACLTxn
//!   13 CheckVersionTxn | 14 MultiTxn
//! MultiTxn = vector<Txn>; Txn = int type, buffer (the sub-body, no header, no digest)
//! ```

use bytes::{Bytes, BytesMut};

use crate::data::Acl;
use crate::error::{Error, Result};
use crate::sample::{Gen, Sample};
use crate::types::{ErrorCode, OpCode};
use crate::{record, Jute, Reader};

/// Magic of txn log files ("ZKLG").
pub const TXNLOG_MAGIC: i32 = 0x5A4B_4C47;
/// Magic of snapshot files ("ZKSN").
pub const SNAPSHOT_MAGIC: i32 = 0x5A4B_534E;
/// The only on-disk format version.
pub const FORMAT_VERSION: i32 = 2;
/// The byte that ends every txn log record.
pub const END_OF_RECORD: u8 = b'B';

record! {
    /// Header of txn log and snapshot files.
    pub struct FileHeader {
        pub magic: i32,
        pub version: i32,
        pub dbid: i64,
    }

    pub struct TxnHeader {
        pub client_id: i64,
        pub cxid: i32,
        pub zxid: i64,
        pub time: i64,
        pub txn_type: OpCode,
    }

    pub struct CreateTxnV0 {
        pub path: String,
        pub data: Option<Bytes>,
        pub acl: Vec<Acl>,
        pub ephemeral: bool,
    }

    pub struct CreateTxn {
        pub path: String,
        pub data: Option<Bytes>,
        pub acl: Vec<Acl>,
        pub ephemeral: bool,
        pub parent_cversion: i32,
    }

    pub struct CreateContainerTxn {
        pub path: String,
        pub data: Option<Bytes>,
        pub acl: Vec<Acl>,
        pub parent_cversion: i32,
    }

    pub struct CreateTtlTxn {
        pub path: String,
        pub data: Option<Bytes>,
        pub acl: Vec<Acl>,
        pub parent_cversion: i32,
        pub ttl: i64,
    }

    pub struct DeleteTxn {
        pub path: String,
    }

    pub struct SetDataTxn {
        pub path: String,
        pub data: Option<Bytes>,
        pub version: i32,
    }

    pub struct CheckVersionTxn {
        pub path: String,
        pub version: i32,
    }

    pub struct SetAclTxn {
        pub path: String,
        pub acl: Vec<Acl>,
        pub version: i32,
    }

    pub struct SetMaxChildrenTxn {
        pub path: String,
        pub max: i32,
    }

    pub struct CreateSessionTxn {
        pub timeout_ms: i32,
    }

    pub struct CloseSessionTxn {
        pub paths_to_delete: Vec<String>,
    }

    pub struct ErrorTxn {
        pub err: ErrorCode,
    }

    /// One sub-transaction of a MultiTxn: its type and its encoded body.
    pub struct SubTxn {
        pub txn_type: OpCode,
        pub data: Bytes,
    }

    /// The tree digest after a txn (3.6+), appended to the txn bytes.
    pub struct TxnDigest {
        pub version: i32,
        pub tree_digest: i64,
    }
}

/// A txn body, typed by its header's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxnBody {
    CreateSession(CreateSessionTxn),
    /// `None`: the pre-3.6 form with no body.
    CloseSession(Option<CloseSessionTxn>),
    Error(ErrorTxn),
    /// create (1) and create2 (15).
    Create(CreateTxn),
    /// create from very old logs, without parentCVersion.
    CreateV0(CreateTxnV0),
    CreateContainer(CreateContainerTxn),
    CreateTtl(CreateTtlTxn),
    /// delete (2) and deleteContainer (20).
    Delete(DeleteTxn),
    /// setData (5) and reconfig (16).
    SetData(SetDataTxn),
    SetAcl(SetAclTxn),
    Check(CheckVersionTxn),
    Multi(Vec<TxnBodyOf>),
}

/// A typed sub-transaction of a multi.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxnBodyOf {
    pub txn_type: OpCode,
    pub body: TxnBody,
}

impl TxnBody {
    /// Decodes a body of type `ty`; a digest may follow in `r`.
    pub fn decode(ty: OpCode, r: &mut Reader) -> Result<TxnBody> {
        Ok(match ty {
            OpCode::CreateSession => TxnBody::CreateSession(Jute::decode(r)?),
            OpCode::CloseSession => {
                // Pre-3.6 closeSession has no body; 3.6+ has a path vector, possibly followed by a digest.
                // A digest alone is 12 bytes starting with version 2; a CloseSessionTxn starts with a count.
                if r.is_empty() {
                    TxnBody::CloseSession(None)
                } else {
                    TxnBody::CloseSession(Some(Jute::decode(r)?))
                }
            }
            OpCode::Error => TxnBody::Error(Jute::decode(r)?),
            OpCode::Create | OpCode::Create2 => {
                let path = Jute::decode(r)?;
                let data = Jute::decode(r)?;
                let acl = Jute::decode(r)?;
                let ephemeral = Jute::decode(r)?;
                if r.is_empty() {
                    TxnBody::CreateV0(CreateTxnV0 {
                        path,
                        data,
                        acl,
                        ephemeral,
                    })
                } else {
                    TxnBody::Create(CreateTxn {
                        path,
                        data,
                        acl,
                        ephemeral,
                        parent_cversion: r.read_i32()?,
                    })
                }
            }
            OpCode::CreateContainer => TxnBody::CreateContainer(Jute::decode(r)?),
            OpCode::CreateTtl => TxnBody::CreateTtl(Jute::decode(r)?),
            OpCode::Delete | OpCode::DeleteContainer => TxnBody::Delete(Jute::decode(r)?),
            OpCode::SetData | OpCode::Reconfig => TxnBody::SetData(Jute::decode(r)?),
            OpCode::SetAcl => TxnBody::SetAcl(Jute::decode(r)?),
            OpCode::Check => TxnBody::Check(Jute::decode(r)?),
            OpCode::Multi => {
                let subs: Vec<SubTxn> = Jute::decode(r)?;
                let mut out = Vec::with_capacity(subs.len());
                for s in subs {
                    if s.txn_type == OpCode::Multi {
                        return Err(Error::Invalid {
                            what: "nested multi txn",
                            value: 14,
                        });
                    }
                    let mut sr = Reader::with_limit(s.data, r.limit());
                    let body = TxnBody::decode(s.txn_type, &mut sr)?;
                    out.push(TxnBodyOf {
                        txn_type: s.txn_type,
                        body,
                    });
                }
                TxnBody::Multi(out)
            }
            other => {
                return Err(Error::Invalid {
                    what: "txn type",
                    value: other.raw() as i64,
                })
            }
        })
    }

    pub fn encode(&self, out: &mut BytesMut) {
        match self {
            TxnBody::CreateSession(t) => t.encode(out),
            TxnBody::CloseSession(t) => {
                if let Some(t) = t {
                    t.encode(out)
                }
            }
            TxnBody::Error(t) => t.encode(out),
            TxnBody::Create(t) => t.encode(out),
            TxnBody::CreateV0(t) => t.encode(out),
            TxnBody::CreateContainer(t) => t.encode(out),
            TxnBody::CreateTtl(t) => t.encode(out),
            TxnBody::Delete(t) => t.encode(out),
            TxnBody::SetData(t) => t.encode(out),
            TxnBody::SetAcl(t) => t.encode(out),
            TxnBody::Check(t) => t.encode(out),
            TxnBody::Multi(subs) => {
                let subs: Vec<SubTxn> = subs
                    .iter()
                    .map(|s| {
                        let mut b = BytesMut::new();
                        s.body.encode(&mut b);
                        SubTxn {
                            txn_type: s.txn_type,
                            data: b.freeze(),
                        }
                    })
                    .collect();
                subs.encode(out);
            }
        }
    }
}

/// A whole txn: header, body and optional digest — the payload of a txn log record and of a PROPOSAL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxnEntry {
    pub header: TxnHeader,
    pub body: TxnBody,
    pub digest: Option<TxnDigest>,
}

impl TxnEntry {
    /// Decodes a complete txn (the bytes inside one log record).
    pub fn decode(r: &mut Reader) -> Result<TxnEntry> {
        let header = TxnHeader::decode(r)?;
        let body = if header.txn_type == OpCode::CloseSession
            && r.remaining() == 12
            && r.peek()[..4] == [0, 0, 0, 2]
        {
            // A 3.6+ log written with closeSessionTxn.enabled=false: no body, just the digest.
            TxnBody::CloseSession(None)
        } else {
            TxnBody::decode(header.txn_type, r)?
        };
        let digest = if r.is_empty() {
            None
        } else {
            Some(TxnDigest::decode(r)?)
        };
        r.finish()?;
        Ok(TxnEntry { header, body, digest })
    }

    pub fn encode(&self, out: &mut BytesMut) {
        self.header.encode(out);
        self.body.encode(out);
        if let Some(d) = &self.digest {
            d.encode(out);
        }
    }

    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::new();
        self.encode(&mut out);
        out.freeze()
    }

    pub fn from_bytes(b: Bytes) -> Result<TxnEntry> {
        TxnEntry::decode(&mut Reader::new(b))
    }
}

impl Sample for TxnBody {
    fn sample(g: &mut Gen) -> Self {
        sample_body(g, true).1
    }
}

/// A random (type, body) pair; `allow_multi` stops recursion.
pub fn sample_body(g: &mut Gen, allow_multi: bool) -> (OpCode, TxnBody) {
    let n = if allow_multi { 12 } else { 11 };
    match g.below(n) {
        0 => (OpCode::CreateSession, TxnBody::CreateSession(Sample::sample(g))),
        1 => (
            OpCode::CloseSession,
            TxnBody::CloseSession(Some(Sample::sample(g))),
        ),
        2 => (OpCode::Error, TxnBody::Error(Sample::sample(g))),
        3 => (OpCode::Create, TxnBody::Create(Sample::sample(g))),
        4 => (
            OpCode::CreateContainer,
            TxnBody::CreateContainer(Sample::sample(g)),
        ),
        5 => (OpCode::CreateTtl, TxnBody::CreateTtl(Sample::sample(g))),
        6 => (OpCode::Delete, TxnBody::Delete(Sample::sample(g))),
        7 => (OpCode::SetData, TxnBody::SetData(Sample::sample(g))),
        8 => (OpCode::SetAcl, TxnBody::SetAcl(Sample::sample(g))),
        9 => (OpCode::Check, TxnBody::Check(Sample::sample(g))),
        10 => (OpCode::Create2, TxnBody::Create(Sample::sample(g))),
        _ => {
            let k = g.below(4);
            let subs = (0..k)
                .map(|_| {
                    let (txn_type, body) = sample_body(g, false);
                    TxnBodyOf { txn_type, body }
                })
                .collect();
            (OpCode::Multi, TxnBody::Multi(subs))
        }
    }
}

impl Sample for TxnEntry {
    fn sample(g: &mut Gen) -> Self {
        let (ty, body) = sample_body(g, true);
        let mut header = TxnHeader::sample(g);
        header.txn_type = ty;
        TxnEntry {
            header,
            body,
            digest: Sample::sample(g),
        }
    }
}
