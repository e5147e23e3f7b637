//! ZooKeeper's jute binary encoding: primitives, framing, and every record ZooKeeper puts on a wire or a
//! disk — the client protocol, the txn log, snapshots and the quorum protocols.
//!
//! This crate has no runtime dependency: it turns bytes into records and back. Decoding never panics on
//! input, returns [`Error`] for malformed input, and checks every length against the configured limit and
//! against the input actually present before allocating. Incomplete frames decode to `Ok(None)`.
//!
//! The schema is our own, written with the [`record!`] and [`code_enum!`] macros from the protocol facts
//! (field order and types as ZooKeeper's wire and disk formats define them).

mod codec;
pub mod data;
mod error;
pub mod frame;
mod macros;
pub mod proto;
pub mod quorum;
pub mod request;
pub mod sample;
pub mod snapshot;
pub mod txn;
pub mod types;

pub use codec::{Jute, Reader, DEFAULT_MAX_BUFFER};
pub use data::{Acl, Id, Stat, StatPersisted};
pub use error::{Error, Result};
pub use frame::{decode_frame, encode_frame, FrameError, FrameWriter};
pub use request::{OpResult, Request, Response};
pub use types::{
    perms, AddWatchMode, CreateMode, ErrorCode, EventType, KeeperState, OpCode, PacketType, ServerState,
    WatcherType,
};
