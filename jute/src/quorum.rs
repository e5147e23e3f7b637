//! Quorum records: the quorum port's QuorumPacket stream and the election port's handshake and
//! notifications.
//!
//! ```text
//! quorum port    = QuorumPacket*      (no outer length prefix)
//! QuorumPacket   = int type, long zxid, buffer data, vector<Id> authinfo
//! election port  = InitialMessage { int len (1..=512 KiB), Notification }*
//! InitialMessage = long protocolVersion (-65536 | -65535), long sid, int len (1..=2048), addr bytes
//!                | long sid (>= 0, pre-3.5 peers)
//! Notification   = int state, long leader, long zxid, long electionEpoch          (28 bytes)
//!                  [long peerEpoch] [int version] [int configLen, config bytes]
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::data::Id;
use crate::error::{Error, Result};
use crate::sample::{Gen, Sample};
use crate::types::{OpCode, PacketType, ServerState};
use crate::{record, Jute, Reader};

/// The ZAB protocol version learners and leaders announce (`0x10000`).
pub const ZAB_PROTOCOL_VERSION: i32 = 0x10000;
/// Election handshake protocol version V1 (3.5+).
pub const ELECTION_PROTOCOL_V1: i64 = -65536;
/// Election handshake protocol version V2 (3.6+, multi-address).
pub const ELECTION_PROTOCOL_V2: i64 = -65535;
/// Largest address string accepted in the election handshake.
pub const MAX_ELECTION_ADDR_LEN: usize = 2048;
/// Largest election message frame.
pub const MAX_ELECTION_FRAME: usize = 512 * 1024;
/// Magic of QuorumAuthPacket (quorum SASL).
pub const QUORUM_AUTH_MAGIC: i64 = 0x5F24_3501_3501_EDCC;
/// The ustring that ends a SNAP stream.
pub const SNAP_TRAILER: &str = "BenWasHere";

record! {
    pub struct QuorumPacket {
        pub packet_type: PacketType,
        pub zxid: i64,
        pub data: Option<Bytes>,
        pub authinfo: Option<Vec<Id>>,
    }

    pub struct QuorumAuthPacket {
        pub magic: i64,
        pub status: i32,
        pub token: Option<Bytes>,
    }

    /// A session touched since the last ping, in a learner's PING reply (repeated, no count).
    pub struct SessionTouch {
        pub session_id: i64,
        pub timeout_ms: i32,
    }
}

/// FOLLOWERINFO / OBSERVERINFO payload. Leaders accept the 8-, 12- and 20-byte forms.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LearnerInfo {
    pub server_id: i64,
    pub protocol_version: Option<i32>,
    pub config_version: Option<i64>,
}

impl Jute for LearnerInfo {
    fn encode(&self, out: &mut BytesMut) {
        out.put_i64(self.server_id);
        if let Some(v) = self.protocol_version {
            out.put_i32(v);
            if let Some(c) = self.config_version {
                out.put_i64(c);
            }
        }
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        let server_id = r.read_i64()?;
        let protocol_version = if r.remaining() >= 4 {
            Some(r.read_i32()?)
        } else {
            None
        };
        let config_version = if protocol_version.is_some() && r.remaining() >= 8 {
            Some(r.read_i64()?)
        } else {
            None
        };
        Ok(Self {
            server_id,
            protocol_version,
            config_version,
        })
    }
}

impl Sample for LearnerInfo {
    fn sample(g: &mut Gen) -> Self {
        let protocol_version: Option<i32> = Sample::sample(g);
        Self {
            server_id: Sample::sample(g),
            protocol_version,
            config_version: if protocol_version.is_some() {
                Sample::sample(g)
            } else {
                None
            },
        }
    }
}

/// The header of a learner's forwarded REQUEST: the client's session, cxid and op; the request body
/// follows unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LearnerRequest {
    pub session_id: i64,
    pub cxid: i32,
    pub op: OpCode,
    pub body: Bytes,
}

impl Jute for LearnerRequest {
    fn encode(&self, out: &mut BytesMut) {
        out.put_i64(self.session_id);
        out.put_i32(self.cxid);
        out.put_i32(self.op.raw());
        out.put_slice(&self.body);
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        Ok(Self {
            session_id: r.read_i64()?,
            cxid: r.read_i32()?,
            op: OpCode::from_raw(r.read_i32()?),
            body: r.take_rest(),
        })
    }
}

impl Sample for LearnerRequest {
    fn sample(g: &mut Gen) -> Self {
        Self {
            session_id: Sample::sample(g),
            cxid: Sample::sample(g),
            op: Sample::sample(g),
            body: Sample::sample(g),
        }
    }
}

/// The first bytes of an election-port connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitialMessage {
    /// A pre-3.5 peer: its sid alone.
    Legacy { sid: i64 },
    /// 3.5+: protocol version, sid and the sender's election address(es) (`host:port`, `|`-separated in V2).
    Versioned {
        protocol_version: i64,
        sid: i64,
        addr: String,
    },
}

impl InitialMessage {
    pub fn sid(&self) -> i64 {
        match self {
            InitialMessage::Legacy { sid } | InitialMessage::Versioned { sid, .. } => *sid,
        }
    }
}

impl Jute for InitialMessage {
    fn encode(&self, out: &mut BytesMut) {
        match self {
            InitialMessage::Legacy { sid } => out.put_i64(*sid),
            InitialMessage::Versioned {
                protocol_version,
                sid,
                addr,
            } => {
                out.put_i64(*protocol_version);
                out.put_i64(*sid);
                addr.encode(out);
            }
        }
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        let first = r.read_i64()?;
        if first >= 0 {
            return Ok(InitialMessage::Legacy { sid: first });
        }
        if first != ELECTION_PROTOCOL_V1 && first != ELECTION_PROTOCOL_V2 {
            return Err(Error::Invalid {
                what: "election protocol version",
                value: first,
            });
        }
        let sid = r.read_i64()?;
        let len = r.read_i32()?;
        if len <= 0 || len as usize > MAX_ELECTION_ADDR_LEN {
            return Err(Error::Invalid {
                what: "election address length",
                value: len as i64,
            });
        }
        let raw = r.read_raw(len as usize)?;
        let addr = String::from_utf8_lossy(&raw).into_owned();
        Ok(InitialMessage::Versioned {
            protocol_version: first,
            sid,
            addr,
        })
    }
}

impl Sample for InitialMessage {
    fn sample(g: &mut Gen) -> Self {
        if g.chance(4) {
            InitialMessage::Legacy {
                sid: (g.next_u64() >> 1) as i64,
            }
        } else {
            let mut addr = String::sample(g);
            if addr.is_empty() {
                addr.push_str("127.0.0.1:3888");
            }
            InitialMessage::Versioned {
                protocol_version: ELECTION_PROTOCOL_V1,
                sid: Sample::sample(g),
                addr,
            }
        }
    }
}

/// A fast-leader-election notification. Current senders use version 2 with a config string; older
/// shapes (28 bytes, 40 bytes) are accepted on read and reproduced on write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub state: ServerState,
    pub leader: i64,
    pub zxid: i64,
    pub election_epoch: i64,
    /// `None` in the 28-byte form (the receiver then takes the epoch of `zxid`).
    pub peer_epoch: Option<i64>,
    /// The int after peerEpoch: 0/1 in the 40-byte form (not interpreted), 2 in current senders.
    pub version: Option<i32>,
    /// The sender's config string (version > 1 only).
    pub config: Option<Bytes>,
}

impl Jute for Notification {
    fn encode(&self, out: &mut BytesMut) {
        out.put_i32(self.state.raw());
        out.put_i64(self.leader);
        out.put_i64(self.zxid);
        out.put_i64(self.election_epoch);
        if let Some(pe) = self.peer_epoch {
            out.put_i64(pe);
            if let Some(v) = self.version {
                out.put_i32(v);
                if let Some(c) = &self.config {
                    c.encode(out);
                }
            }
        }
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        let state = ServerState::from_raw(r.read_i32()?);
        let leader = r.read_i64()?;
        let zxid = r.read_i64()?;
        let election_epoch = r.read_i64()?;
        let peer_epoch = if r.remaining() >= 8 {
            Some(r.read_i64()?)
        } else {
            None
        };
        let version = if peer_epoch.is_some() && r.remaining() >= 4 {
            Some(r.read_i32()?)
        } else {
            None
        };
        let config = match version {
            Some(v) if v > 1 && r.remaining() >= 4 => {
                let len = r.read_i32()?;
                if len < 0 || len as usize > r.remaining() {
                    return Err(Error::Invalid {
                        what: "notification config length",
                        value: len as i64,
                    });
                }
                Some(r.read_raw(len as usize)?)
            }
            _ => None,
        };
        Ok(Notification {
            state,
            leader,
            zxid,
            election_epoch,
            peer_epoch,
            version,
            config,
        })
    }
}

impl Sample for Notification {
    fn sample(g: &mut Gen) -> Self {
        let peer_epoch: Option<i64> = Sample::sample(g);
        let version = if peer_epoch.is_some() {
            Some(if g.chance(2) { 2 } else { 0 })
        } else {
            None
        };
        let config = if version == Some(2) {
            Some(Sample::sample(g))
        } else {
            None
        };
        Notification {
            state: Sample::sample(g),
            leader: Sample::sample(g),
            zxid: Sample::sample(g),
            election_epoch: Sample::sample(g),
            peer_epoch,
            version,
            config,
        }
    }
}
