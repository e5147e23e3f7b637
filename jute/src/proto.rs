//! Client protocol records (a connection's frames after the 4-byte length).
//!
//! ```text
//! client frame = ConnectRequest                       (first frame)
//!              | RequestHeader request-body            (body by opcode, see `request`)
//! server frame = ConnectResponse                       (first frame)
//!              | ReplyHeader [response-body]           (body only when err = 0, by the request's opcode)
//!              | ReplyHeader(xid -1) WatcherEvent      (notification)
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::data::{Acl, Stat};
use crate::error::Result;
use crate::sample::{Gen, Sample};
use crate::types::{ErrorCode, EventType, KeeperState, OpCode};
use crate::{record, Jute, Reader};

/// The first client frame. `read_only` is `None` when the client omitted the trailing byte (pre-3.4
/// clients); the server must then omit it from its answer too.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConnectRequest {
    pub protocol_version: i32,
    pub last_zxid_seen: i64,
    pub timeout_ms: i32,
    pub session_id: i64,
    pub passwd: Bytes,
    pub read_only: Option<bool>,
}

impl Jute for ConnectRequest {
    fn encode(&self, out: &mut BytesMut) {
        out.put_i32(self.protocol_version);
        out.put_i64(self.last_zxid_seen);
        out.put_i32(self.timeout_ms);
        out.put_i64(self.session_id);
        self.passwd.encode(out);
        if let Some(ro) = self.read_only {
            ro.encode(out);
        }
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        Ok(Self {
            protocol_version: r.read_i32()?,
            last_zxid_seen: r.read_i64()?,
            timeout_ms: r.read_i32()?,
            session_id: r.read_i64()?,
            passwd: Jute::decode(r)?,
            read_only: if r.is_empty() { None } else { Some(r.read_bool()?) },
        })
    }
}

impl Sample for ConnectRequest {
    fn sample(g: &mut Gen) -> Self {
        Self {
            protocol_version: Sample::sample(g),
            last_zxid_seen: Sample::sample(g),
            timeout_ms: Sample::sample(g),
            session_id: Sample::sample(g),
            passwd: Sample::sample(g),
            read_only: Sample::sample(g),
        }
    }
}

/// The server's answer to a ConnectRequest. `timeout_ms == 0` means the session is invalid/expired.
/// `read_only` mirrors the request's dialect: `None` when the client sent no readOnly byte.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConnectResponse {
    pub protocol_version: i32,
    pub timeout_ms: i32,
    pub session_id: i64,
    pub passwd: Bytes,
    pub read_only: Option<bool>,
}

impl Jute for ConnectResponse {
    fn encode(&self, out: &mut BytesMut) {
        out.put_i32(self.protocol_version);
        out.put_i32(self.timeout_ms);
        out.put_i64(self.session_id);
        self.passwd.encode(out);
        if let Some(ro) = self.read_only {
            ro.encode(out);
        }
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        Ok(Self {
            protocol_version: r.read_i32()?,
            timeout_ms: r.read_i32()?,
            session_id: r.read_i64()?,
            passwd: Jute::decode(r)?,
            read_only: if r.is_empty() { None } else { Some(r.read_bool()?) },
        })
    }
}

impl Sample for ConnectResponse {
    fn sample(g: &mut Gen) -> Self {
        Self {
            protocol_version: Sample::sample(g),
            timeout_ms: Sample::sample(g),
            session_id: Sample::sample(g),
            passwd: Sample::sample(g),
            read_only: Sample::sample(g),
        }
    }
}

/// Special xids (`ClientCnxn`).
pub mod xid {
    /// Watch notification (server → client).
    pub const NOTIFICATION: i32 = -1;
    /// Ping.
    pub const PING: i32 = -2;
    /// Auth packet.
    pub const AUTH: i32 = -4;
    /// SetWatches / SetWatches2.
    pub const SET_WATCHES: i32 = -8;
}

record! {
    pub struct RequestHeader {
        pub xid: i32,
        pub op: OpCode,
    }

    pub struct ReplyHeader {
        pub xid: i32,
        pub zxid: i64,
        pub err: ErrorCode,
    }

    /// Precedes each op of a multi request and each result of a multi response.
    pub struct MultiHeader {
        pub op: OpCode,
        pub done: bool,
        pub err: ErrorCode,
    }

    pub struct AuthPacket {
        pub auth_type: i32,
        pub scheme: String,
        /// `None`: null credentials (digest authentication then fails, as Java's NPE makes it).
        pub auth: Option<Bytes>,
    }

    pub struct WatcherEvent {
        pub event_type: EventType,
        pub state: KeeperState,
        pub path: String,
    }

    pub struct ErrorResponse {
        pub err: ErrorCode,
    }

    /// create (1), create2 (15), createContainer (19).
    pub struct CreateRequest {
        pub path: String,
        pub data: Option<Bytes>,
        /// `None`: a null list (ZooKeeper answers INVALIDACL, as for an empty one).
        pub acl: Option<Vec<Acl>>,
        pub flags: i32,
    }

    /// createTTL (21).
    pub struct CreateTtlRequest {
        pub path: String,
        pub data: Option<Bytes>,
        pub acl: Option<Vec<Acl>>,
        pub flags: i32,
        pub ttl: i64,
    }

    pub struct CreateResponse {
        pub path: String,
    }

    pub struct Create2Response {
        pub path: String,
        pub stat: Stat,
    }

    pub struct DeleteRequest {
        pub path: String,
        pub version: i32,
    }

    /// exists (3), getData (4), getChildren (8), getChildren2 (12).
    pub struct PathWatchRequest {
        pub path: String,
        pub watch: bool,
    }

    /// exists, setData and setACL responses.
    pub struct StatResponse {
        pub stat: Stat,
    }

    pub struct GetDataResponse {
        pub data: Option<Bytes>,
        pub stat: Stat,
    }

    pub struct SetDataRequest {
        pub path: String,
        pub data: Option<Bytes>,
        pub version: i32,
    }

    /// getACL (6), sync (9), getAllChildrenNumber (104), and the sync response.
    pub struct PathRequest {
        pub path: String,
    }

    pub struct GetAclResponse {
        pub acl: Vec<Acl>,
        pub stat: Stat,
    }

    pub struct SetAclRequest {
        pub path: String,
        pub acl: Option<Vec<Acl>>,
        pub version: i32,
    }

    pub struct GetChildrenResponse {
        pub children: Vec<String>,
    }

    pub struct GetChildren2Response {
        pub children: Vec<String>,
        pub stat: Stat,
    }

    pub struct CheckVersionRequest {
        pub path: String,
        pub version: i32,
    }

    pub struct ReconfigRequest {
        pub joining_servers: Option<String>,
        pub leaving_servers: Option<String>,
        pub new_members: Option<String>,
        pub cur_config_id: i64,
    }

    pub struct SetWatches {
        pub relative_zxid: i64,
        pub data_watches: Vec<String>,
        pub exist_watches: Vec<String>,
        pub child_watches: Vec<String>,
    }

    pub struct SetWatches2 {
        pub relative_zxid: i64,
        pub data_watches: Vec<String>,
        pub exist_watches: Vec<String>,
        pub child_watches: Vec<String>,
        pub persistent_watches: Vec<String>,
        pub persistent_recursive_watches: Vec<String>,
    }

    pub struct AddWatchRequest {
        pub path: String,
        pub mode: i32,
    }

    /// checkWatches (17) and removeWatches (18).
    pub struct WatchesRequest {
        pub path: String,
        pub watcher_type: i32,
    }

    pub struct GetEphemeralsRequest {
        pub prefix_path: Option<String>,
    }

    pub struct GetEphemeralsResponse {
        pub ephemerals: Vec<String>,
    }

    pub struct GetAllChildrenNumberResponse {
        pub total_number: i32,
    }

    /// sasl (102) request and response.
    pub struct SaslToken {
        pub token: Option<Bytes>,
    }

    pub struct ClientInfo {
        pub auth_scheme: String,
        pub user: String,
    }

    pub struct WhoAmIResponse {
        pub client_info: Vec<ClientInfo>,
    }

    /// Legacy records kept in ZooKeeper's schema with no live opcode.
    pub struct GetMaxChildrenResponse {
        pub max: i32,
    }

    pub struct SetMaxChildrenRequest {
        pub path: String,
        pub max: i32,
    }
}

pub type ExistsRequest = PathWatchRequest;
pub type GetDataRequest = PathWatchRequest;
pub type GetChildrenRequest = PathWatchRequest;
pub type GetChildren2Request = PathWatchRequest;
pub type GetAclRequest = PathRequest;
pub type SyncRequest = PathRequest;
pub type SyncResponse = PathRequest;
pub type GetAllChildrenNumberRequest = PathRequest;
pub type CheckWatchesRequest = WatchesRequest;
pub type RemoveWatchesRequest = WatchesRequest;
pub type ExistsResponse = StatResponse;
pub type SetDataResponse = StatResponse;
pub type SetAclResponse = StatResponse;
