//! Request and response bodies, dispatched by opcode, including multi (14) and multiRead (22).
//!
//! ```text
//! multi request  = { MultiHeader(op, done=false, err=-1) op-request }* MultiHeader(-1, true, -1)
//! multi response = { MultiHeader(type, done=false, err) result }*    MultiHeader(-1, true, -1)
//!   result by type: 1 CreateResponse | 15 Create2Response | 2 - | 13 - | 5 StatResponse
//!                 | 8 GetChildrenResponse | 4 GetDataResponse | -1 ErrorResponse
//! ```

use bytes::{BufMut, Bytes, BytesMut};

use crate::data::Stat;
use crate::error::{Error, Result};
use crate::proto::*;
use crate::types::{ErrorCode, OpCode};
use crate::{Jute, Reader};

/// A decoded request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Create(CreateRequest),
    Create2(CreateRequest),
    CreateContainer(CreateRequest),
    CreateTtl(CreateTtlRequest),
    Delete(DeleteRequest),
    /// Internal (container/TTL reaper): the body is the raw UTF-8 path, no length prefix.
    DeleteContainer(String),
    Exists(PathWatchRequest),
    GetData(PathWatchRequest),
    SetData(SetDataRequest),
    GetAcl(PathRequest),
    SetAcl(SetAclRequest),
    GetChildren(PathWatchRequest),
    GetChildren2(PathWatchRequest),
    Sync(PathRequest),
    Ping,
    Check(CheckVersionRequest),
    Multi(Vec<Request>),
    MultiRead(Vec<Request>),
    Reconfig(ReconfigRequest),
    CheckWatches(WatchesRequest),
    RemoveWatches(WatchesRequest),
    Auth(AuthPacket),
    SetWatches(SetWatches),
    SetWatches2(SetWatches2),
    Sasl(SaslToken),
    GetEphemerals(GetEphemeralsRequest),
    GetAllChildrenNumber(PathRequest),
    AddWatch(AddWatchRequest),
    WhoAmI,
    CloseSession,
    /// Internal (forwarded by learners): the 4-byte session timeout.
    CreateSession(i32),
}

fn is_multi_write_op(op: OpCode) -> bool {
    matches!(
        op,
        OpCode::Create
            | OpCode::Create2
            | OpCode::CreateContainer
            | OpCode::CreateTtl
            | OpCode::Delete
            | OpCode::SetData
            | OpCode::Check
    )
}

fn is_multi_read_op(op: OpCode) -> bool {
    matches!(op, OpCode::GetChildren | OpCode::GetData)
}

impl Request {
    /// Decodes the body of a request whose header carried `op`. The whole remaining input belongs to the
    /// body (trailing bytes are tolerated, as Java's reader ignores them).
    pub fn decode(op: OpCode, r: &mut Reader) -> Result<Request> {
        Ok(match op {
            OpCode::Create => Request::Create(Jute::decode(r)?),
            OpCode::Create2 => Request::Create2(Jute::decode(r)?),
            OpCode::CreateContainer => Request::CreateContainer(Jute::decode(r)?),
            OpCode::CreateTtl => Request::CreateTtl(Jute::decode(r)?),
            OpCode::Delete => Request::Delete(Jute::decode(r)?),
            OpCode::DeleteContainer => {
                let raw = r.take_rest();
                Request::DeleteContainer(String::from_utf8_lossy(&raw).into_owned())
            }
            OpCode::Exists => Request::Exists(Jute::decode(r)?),
            OpCode::GetData => Request::GetData(Jute::decode(r)?),
            OpCode::SetData => Request::SetData(Jute::decode(r)?),
            OpCode::GetAcl => Request::GetAcl(Jute::decode(r)?),
            OpCode::SetAcl => Request::SetAcl(Jute::decode(r)?),
            OpCode::GetChildren => Request::GetChildren(Jute::decode(r)?),
            OpCode::GetChildren2 => Request::GetChildren2(Jute::decode(r)?),
            OpCode::Sync => Request::Sync(Jute::decode(r)?),
            OpCode::Ping => Request::Ping,
            OpCode::Check => Request::Check(Jute::decode(r)?),
            OpCode::Multi | OpCode::MultiRead => {
                let ops = decode_multi_ops(r)?;
                if op == OpCode::Multi {
                    Request::Multi(ops)
                } else {
                    Request::MultiRead(ops)
                }
            }
            OpCode::Reconfig => Request::Reconfig(Jute::decode(r)?),
            OpCode::CheckWatches => Request::CheckWatches(Jute::decode(r)?),
            OpCode::RemoveWatches => Request::RemoveWatches(Jute::decode(r)?),
            OpCode::Auth => Request::Auth(Jute::decode(r)?),
            OpCode::SetWatches => Request::SetWatches(Jute::decode(r)?),
            OpCode::SetWatches2 => Request::SetWatches2(Jute::decode(r)?),
            OpCode::Sasl => Request::Sasl(Jute::decode(r)?),
            OpCode::GetEphemerals => Request::GetEphemerals(Jute::decode(r)?),
            OpCode::GetAllChildrenNumber => Request::GetAllChildrenNumber(Jute::decode(r)?),
            OpCode::AddWatch => Request::AddWatch(Jute::decode(r)?),
            OpCode::WhoAmI => Request::WhoAmI,
            OpCode::CloseSession => Request::CloseSession,
            OpCode::CreateSession => Request::CreateSession(r.read_i32()?),
            OpCode::Notification | OpCode::Error | OpCode::Unknown(_) => {
                return Err(Error::Invalid {
                    what: "opcode",
                    value: op.raw() as i64,
                })
            }
        })
    }

    /// The opcode this body travels under.
    pub fn op(&self) -> OpCode {
        match self {
            Request::Create(_) => OpCode::Create,
            Request::Create2(_) => OpCode::Create2,
            Request::CreateContainer(_) => OpCode::CreateContainer,
            Request::CreateTtl(_) => OpCode::CreateTtl,
            Request::Delete(_) => OpCode::Delete,
            Request::DeleteContainer(_) => OpCode::DeleteContainer,
            Request::Exists(_) => OpCode::Exists,
            Request::GetData(_) => OpCode::GetData,
            Request::SetData(_) => OpCode::SetData,
            Request::GetAcl(_) => OpCode::GetAcl,
            Request::SetAcl(_) => OpCode::SetAcl,
            Request::GetChildren(_) => OpCode::GetChildren,
            Request::GetChildren2(_) => OpCode::GetChildren2,
            Request::Sync(_) => OpCode::Sync,
            Request::Ping => OpCode::Ping,
            Request::Check(_) => OpCode::Check,
            Request::Multi(_) => OpCode::Multi,
            Request::MultiRead(_) => OpCode::MultiRead,
            Request::Reconfig(_) => OpCode::Reconfig,
            Request::CheckWatches(_) => OpCode::CheckWatches,
            Request::RemoveWatches(_) => OpCode::RemoveWatches,
            Request::Auth(_) => OpCode::Auth,
            Request::SetWatches(_) => OpCode::SetWatches,
            Request::SetWatches2(_) => OpCode::SetWatches2,
            Request::Sasl(_) => OpCode::Sasl,
            Request::GetEphemerals(_) => OpCode::GetEphemerals,
            Request::GetAllChildrenNumber(_) => OpCode::GetAllChildrenNumber,
            Request::AddWatch(_) => OpCode::AddWatch,
            Request::WhoAmI => OpCode::WhoAmI,
            Request::CloseSession => OpCode::CloseSession,
            Request::CreateSession(_) => OpCode::CreateSession,
        }
    }

    /// The path the request names, if any.
    pub fn path(&self) -> Option<&str> {
        Some(match self {
            Request::Create(r) | Request::Create2(r) | Request::CreateContainer(r) => &r.path,
            Request::CreateTtl(r) => &r.path,
            Request::Delete(r) => &r.path,
            Request::DeleteContainer(p) => p,
            Request::Exists(r) | Request::GetData(r) | Request::GetChildren(r) | Request::GetChildren2(r) => {
                &r.path
            }
            Request::SetData(r) => &r.path,
            Request::GetAcl(r) | Request::Sync(r) | Request::GetAllChildrenNumber(r) => &r.path,
            Request::SetAcl(r) => &r.path,
            Request::Check(r) => &r.path,
            Request::CheckWatches(r) | Request::RemoveWatches(r) => &r.path,
            Request::AddWatch(r) => &r.path,
            _ => return None,
        })
    }

    /// Encodes the body (no header).
    pub fn encode(&self, out: &mut BytesMut) {
        match self {
            Request::Create(r) | Request::Create2(r) | Request::CreateContainer(r) => r.encode(out),
            Request::CreateTtl(r) => r.encode(out),
            Request::Delete(r) => r.encode(out),
            Request::DeleteContainer(p) => out.put_slice(p.as_bytes()),
            Request::Exists(r) | Request::GetData(r) | Request::GetChildren(r) | Request::GetChildren2(r) => {
                r.encode(out)
            }
            Request::SetData(r) => r.encode(out),
            Request::GetAcl(r) | Request::Sync(r) | Request::GetAllChildrenNumber(r) => r.encode(out),
            Request::SetAcl(r) => r.encode(out),
            Request::Ping | Request::WhoAmI | Request::CloseSession => {}
            Request::Check(r) => r.encode(out),
            Request::Multi(ops) | Request::MultiRead(ops) => {
                for op in ops {
                    MultiHeader {
                        op: op.op(),
                        done: false,
                        err: ErrorCode::from_raw(-1),
                    }
                    .encode(out);
                    op.encode(out);
                }
                MULTI_END.encode(out);
            }
            Request::Reconfig(r) => r.encode(out),
            Request::CheckWatches(r) | Request::RemoveWatches(r) => r.encode(out),
            Request::Auth(r) => r.encode(out),
            Request::SetWatches(r) => r.encode(out),
            Request::SetWatches2(r) => r.encode(out),
            Request::Sasl(r) => r.encode(out),
            Request::GetEphemerals(r) => r.encode(out),
            Request::AddWatch(r) => r.encode(out),
            Request::CreateSession(t) => out.put_i32(*t),
        }
    }

    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::new();
        self.encode(&mut out);
        out.freeze()
    }
}

/// The multi terminator `MultiHeader(-1, true, -1)`.
pub const MULTI_END: MultiHeader = MultiHeader {
    op: OpCode::Error,
    done: true,
    err: ErrorCode::SystemError,
};

fn decode_multi_ops(r: &mut Reader) -> Result<Vec<Request>> {
    let mut ops = Vec::new();
    let (mut reads, mut writes) = (false, false);
    loop {
        let h = MultiHeader::decode(r)?;
        if h.done {
            break;
        }
        if is_multi_write_op(h.op) {
            writes = true;
        } else if is_multi_read_op(h.op) {
            reads = true;
        } else {
            return Err(Error::Invalid {
                what: "multi op type",
                value: h.op.raw() as i64,
            });
        }
        if reads && writes {
            return Err(Error::Invalid {
                what: "multi mixing read and write ops",
                value: h.op.raw() as i64,
            });
        }
        ops.push(Request::decode(h.op, r)?);
    }
    Ok(ops)
}

/// One result of a multi or multiRead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpResult {
    Create(CreateResponse),
    Create2(Create2Response),
    Delete,
    SetData(StatResponse),
    Check,
    GetChildren(GetChildrenResponse),
    GetData(GetDataResponse),
    Error(ErrorCode),
}

impl OpResult {
    /// The type code written in the result's MultiHeader.
    pub fn op(&self) -> OpCode {
        match self {
            OpResult::Create(_) => OpCode::Create,
            OpResult::Create2(_) => OpCode::Create2,
            OpResult::Delete => OpCode::Delete,
            OpResult::SetData(_) => OpCode::SetData,
            OpResult::Check => OpCode::Check,
            OpResult::GetChildren(_) => OpCode::GetChildren,
            OpResult::GetData(_) => OpCode::GetData,
            OpResult::Error(_) => OpCode::Error,
        }
    }

    pub fn err(&self) -> ErrorCode {
        match self {
            OpResult::Error(e) => *e,
            _ => ErrorCode::Ok,
        }
    }

    fn encode(&self, out: &mut BytesMut) {
        MultiHeader {
            op: self.op(),
            done: false,
            err: self.err(),
        }
        .encode(out);
        match self {
            OpResult::Create(r) => r.encode(out),
            OpResult::Create2(r) => r.encode(out),
            OpResult::Delete | OpResult::Check => {}
            OpResult::SetData(r) => r.encode(out),
            OpResult::GetChildren(r) => r.encode(out),
            OpResult::GetData(r) => r.encode(out),
            OpResult::Error(e) => ErrorResponse { err: *e }.encode(out),
        }
    }

    fn decode(h: &MultiHeader, r: &mut Reader) -> Result<OpResult> {
        Ok(match h.op {
            OpCode::Create => OpResult::Create(Jute::decode(r)?),
            OpCode::Create2 => OpResult::Create2(Jute::decode(r)?),
            OpCode::Delete => OpResult::Delete,
            OpCode::SetData => OpResult::SetData(Jute::decode(r)?),
            OpCode::Check => OpResult::Check,
            OpCode::GetChildren => OpResult::GetChildren(Jute::decode(r)?),
            OpCode::GetData => OpResult::GetData(Jute::decode(r)?),
            OpCode::Error => OpResult::Error(ErrorResponse::decode(r)?.err),
            other => {
                return Err(Error::Invalid {
                    what: "multi result type",
                    value: other.raw() as i64,
                })
            }
        })
    }
}

/// A decoded response body (what follows a ReplyHeader whose err is 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// Ops answered with the header alone.
    Empty,
    Create(CreateResponse),
    Create2(Create2Response),
    Stat(StatResponse),
    GetData(GetDataResponse),
    GetAcl(GetAclResponse),
    GetChildren(GetChildrenResponse),
    GetChildren2(GetChildren2Response),
    Sync(PathRequest),
    Multi(Vec<OpResult>),
    Sasl(SaslToken),
    GetEphemerals(GetEphemeralsResponse),
    GetAllChildrenNumber(GetAllChildrenNumberResponse),
    AddWatch(ErrorResponse),
    WhoAmI(WhoAmIResponse),
}

impl Response {
    /// Decodes the body of a successful reply to a request of type `op`.
    pub fn decode(op: OpCode, r: &mut Reader) -> Result<Response> {
        Ok(match op {
            OpCode::Create => Response::Create(Jute::decode(r)?),
            OpCode::Create2 | OpCode::CreateContainer | OpCode::CreateTtl => {
                Response::Create2(Jute::decode(r)?)
            }
            OpCode::Exists | OpCode::SetData | OpCode::SetAcl => Response::Stat(Jute::decode(r)?),
            OpCode::GetData | OpCode::Reconfig => Response::GetData(Jute::decode(r)?),
            OpCode::GetAcl => Response::GetAcl(Jute::decode(r)?),
            OpCode::GetChildren => Response::GetChildren(Jute::decode(r)?),
            OpCode::GetChildren2 => Response::GetChildren2(Jute::decode(r)?),
            OpCode::Sync => Response::Sync(Jute::decode(r)?),
            OpCode::Multi | OpCode::MultiRead => {
                let mut results = Vec::new();
                loop {
                    let h = MultiHeader::decode(r)?;
                    if h.done {
                        break;
                    }
                    results.push(OpResult::decode(&h, r)?);
                }
                Response::Multi(results)
            }
            OpCode::Sasl => Response::Sasl(Jute::decode(r)?),
            OpCode::GetEphemerals => Response::GetEphemerals(Jute::decode(r)?),
            OpCode::GetAllChildrenNumber => Response::GetAllChildrenNumber(Jute::decode(r)?),
            OpCode::AddWatch => Response::AddWatch(Jute::decode(r)?),
            OpCode::WhoAmI => Response::WhoAmI(Jute::decode(r)?),
            _ => Response::Empty,
        })
    }

    pub fn encode(&self, out: &mut BytesMut) {
        match self {
            Response::Empty => {}
            Response::Create(r) => r.encode(out),
            Response::Create2(r) => r.encode(out),
            Response::Stat(r) => r.encode(out),
            Response::GetData(r) => r.encode(out),
            Response::GetAcl(r) => r.encode(out),
            Response::GetChildren(r) => r.encode(out),
            Response::GetChildren2(r) => r.encode(out),
            Response::Sync(r) => r.encode(out),
            Response::Multi(results) => {
                for res in results {
                    res.encode(out);
                }
                MULTI_END.encode(out);
            }
            Response::Sasl(r) => r.encode(out),
            Response::GetEphemerals(r) => r.encode(out),
            Response::GetAllChildrenNumber(r) => r.encode(out),
            Response::AddWatch(r) => r.encode(out),
            Response::WhoAmI(r) => r.encode(out),
        }
    }

    pub fn stat(stat: Stat) -> Response {
        Response::Stat(StatResponse { stat })
    }
}
