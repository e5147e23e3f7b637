//! Preparing writes: request + tree + outstanding changes → the txn to log, or an `error` txn.
//!
//! Ref: ZooKeeper `PrepRequestProcessor.pRequest2Txn/pRequest2TxnCreate` (branch-3.8). Every write
//! consumes a zxid, also when it fails: a failed write becomes an `error` txn (no digest) carrying the
//! code the client will get. Checks run in ZooKeeper's order, because the first failing check decides
//! the code (e.g. `create /a//b` is NONODE, not BADARGUMENTS). A failed multi keeps the txns of the ops
//! before the failure, gives the failing op its code and the later ops RUNTIMEINCONSISTENCY, and its
//! outstanding changes are rolled back.

use std::collections::HashMap;

use jute::proto::{CheckVersionRequest, CreateRequest, DeleteRequest, SetAclRequest, SetDataRequest};
use jute::txn::*;
use jute::{perms, CreateMode, ErrorCode, OpCode, Request, StatPersisted};

use super::acl::{check, fixup_acl};
use super::overlay::{ChangeRecord, Overlay};
use super::{Origin, RequestOptions};
use crate::session::tracker::SessionTracker;
use crate::tree::digest::DIGEST_VERSION;
use crate::tree::ephemeral::{ttl_owner, EphemeralType, CONTAINER_OWNER};
use crate::tree::path::{self, validate_path};
use crate::tree::DataTree;

type PResult<T> = Result<T, ErrorCode>;

/// What to prepare.
#[derive(Debug, Clone)]
pub enum Write<'a> {
    /// A client request (or its decoding failure, which becomes MARSHALLINGERROR).
    Client(OpCode, Option<&'a Request>),
    /// A client request refused with this code before looking at it (still a txn, as in ZooKeeper).
    Rejected(OpCode, ErrorCode),
    CreateSession {
        timeout_ms: i32,
    },
    CloseSession,
}

pub struct Prep<'a> {
    pub opts: &'a RequestOptions,
    pub tree: &'a DataTree,
    pub overlay: &'a mut Overlay,
    pub sessions: &'a SessionTracker,
}

fn error_entry(mut header: TxnHeader, err: ErrorCode) -> TxnEntry {
    header.txn_type = OpCode::Error;
    TxnEntry {
        header,
        body: TxnBody::Error(ErrorTxn { err }),
        digest: None,
    }
}

impl Prep<'_> {
    /// Prepares one write at `zxid`, stamped with wall-clock `time_ms`.
    pub fn prepare(&mut self, origin: Origin<'_>, write: Write<'_>, zxid: i64, time_ms: i64) -> TxnEntry {
        let op = match &write {
            Write::Client(op, _) | Write::Rejected(op, _) => *op,
            Write::CreateSession { .. } => OpCode::CreateSession,
            Write::CloseSession => OpCode::CloseSession,
        };
        let header = TxnHeader {
            client_id: origin.session_id,
            cxid: origin.cxid,
            zxid,
            time: time_ms,
            txn_type: op,
        };
        let result = match write {
            Write::Client(_, None) => Err(ErrorCode::MarshallingError),
            Write::Rejected(_, code) => Err(code),
            Write::Client(_, Some(Request::Multi(ops))) => return self.multi(origin, header, ops),
            Write::Client(_, Some(req)) => self.one(origin, &header, req),
            Write::CreateSession { timeout_ms } => {
                Ok(TxnBody::CreateSession(CreateSessionTxn { timeout_ms }))
            }
            Write::CloseSession => Ok(self.close_session(origin.session_id, &header)),
        };
        match result {
            Ok(body) => {
                let digest = self.digest();
                TxnEntry { header, body, digest }
            }
            Err(e) => error_entry(header, e),
        }
    }

    fn digest(&self) -> Option<TxnDigest> {
        self.opts.digest_enabled.then(|| TxnDigest {
            version: DIGEST_VERSION,
            tree_digest: self.overlay.current_digest(self.tree).value(),
        })
    }

    fn check_session(&self, session: i64) -> PResult<()> {
        match self.sessions.get(session) {
            None => Err(ErrorCode::SessionExpired),
            Some(s) if s.closing => Err(ErrorCode::SessionExpired),
            Some(_) => Ok(()),
        }
    }

    fn record(&self, p: &str) -> PResult<ChangeRecord> {
        self.overlay.record(self.tree, p).ok_or(ErrorCode::NoNode)
    }

    fn add(&mut self, rec: ChangeRecord, prev_digest: u64) {
        self.overlay.add(self.tree, rec, prev_digest);
    }

    /// One client write (also a multi's sub-op; the header's zxid and time are the multi's).
    fn one(&mut self, origin: Origin<'_>, h: &TxnHeader, req: &Request) -> PResult<TxnBody> {
        match req {
            Request::Create(r) => self.create(origin, h, OpCode::Create, r, -1),
            Request::Create2(r) => self.create(origin, h, OpCode::Create2, r, -1),
            Request::CreateContainer(r) => self.create(origin, h, OpCode::CreateContainer, r, -1),
            Request::CreateTtl(r) => {
                let c = CreateRequest {
                    path: r.path.clone(),
                    data: r.data.clone(),
                    acl: r.acl.clone(),
                    flags: r.flags,
                };
                self.create(origin, h, OpCode::CreateTtl, &c, r.ttl)
            }
            Request::Delete(r) => self.delete(origin, h, r),
            Request::DeleteContainer(p) => self.delete_container(h, p),
            Request::SetData(r) => self.set_data(origin, h, r),
            Request::SetAcl(r) => self.set_acl(origin, h, r),
            Request::Check(r) => self.check_version(origin, r),
            Request::Reconfig(_) => {
                if !self.opts.reconfig_enabled {
                    Err(ErrorCode::ReconfigDisabled)
                } else {
                    self.check_session(origin.session_id)?;
                    // Standalone servers cannot reconfigure (ZooKeeper answers UNIMPLEMENTED).
                    Err(ErrorCode::Unimplemented)
                }
            }
            _ => Err(ErrorCode::MarshallingError),
        }
    }

    fn create(
        &mut self,
        origin: Origin<'_>,
        h: &TxnHeader,
        ty: OpCode,
        r: &CreateRequest,
        ttl: i64,
    ) -> PResult<TxnBody> {
        let mode = CreateMode::from_raw(r.flags);
        if let CreateMode::Unknown(_) = mode {
            return Err(ErrorCode::BadArguments);
        }
        // validateCreateRequest
        if mode.is_ttl() && !self.opts.extended_types {
            return Err(ErrorCode::Unimplemented);
        }
        if mode.is_ttl() {
            ttl_owner(ttl).ok_or(ErrorCode::BadArguments)?;
        } else if ttl >= 0 {
            return Err(ErrorCode::BadArguments);
        }
        self.check_session(origin.session_id)?;
        // validatePathForCreate: only the shape needed to find the parent.
        let last_slash = r.path.rfind('/').ok_or(ErrorCode::BadArguments)?;
        if r.path.contains('\0') {
            return Err(ErrorCode::BadArguments);
        }
        let parent_path = if last_slash == 0 {
            "/"
        } else {
            &r.path[..last_slash]
        };
        let acl = fixup_acl(self.opts, r.acl.as_deref().unwrap_or(&[]), origin.auth)?;
        let parent = self.record(parent_path)?;
        check(self.opts, &parent.acl, perms::CREATE, origin.auth)?;
        let parent_stat = parent.stat.clone().unwrap_or_default();
        let mut p = r.path.clone();
        if mode.is_sequential() {
            p.push_str(&format!("{:010}", parent_stat.cversion));
        }
        validate_path(&p).map_err(|_| ErrorCode::BadArguments)?;
        if self.overlay.record(self.tree, &p).is_some() {
            return Err(ErrorCode::NodeExists);
        }
        if EphemeralType::of(parent_stat.ephemeral_owner, self.opts.extended_types) == EphemeralType::Normal {
            return Err(ErrorCode::NoChildrenForEphemerals);
        }
        let new_cversion = parent_stat.cversion + 1;
        if self.opts.enforce_quota {
            self.tree
                .quota_check(&p, r.data.as_ref().map_or(0, |d| d.len()) as i64, 1)?;
        }
        let data = r.data.clone();
        let body = match ty {
            OpCode::CreateContainer => TxnBody::CreateContainer(CreateContainerTxn {
                path: p.clone(),
                data: data.clone(),
                acl: acl.clone(),
                parent_cversion: new_cversion,
            }),
            OpCode::CreateTtl => TxnBody::CreateTtl(CreateTtlTxn {
                path: p.clone(),
                data: data.clone(),
                acl: acl.clone(),
                parent_cversion: new_cversion,
                ttl,
            }),
            _ => TxnBody::Create(CreateTxn {
                path: p.clone(),
                data: data.clone(),
                acl: acl.clone(),
                ephemeral: mode.is_ephemeral(),
                parent_cversion: new_cversion,
            }),
        };
        let owner = if mode.is_container() {
            CONTAINER_OWNER
        } else if mode.is_ttl() {
            ttl_owner(ttl).unwrap_or(0)
        } else if mode.is_ephemeral() {
            origin.session_id
        } else {
            0
        };
        let mut parent_rec = parent.clone();
        parent_rec.zxid = h.zxid;
        parent_rec.child_count += 1;
        if let Some(s) = parent_rec.stat.as_mut() {
            s.cversion = new_cversion;
            s.pzxid = h.zxid;
        }
        let prev = parent.node_digest;
        self.add(parent_rec, prev);
        let stat = StatPersisted {
            czxid: h.zxid,
            mzxid: h.zxid,
            ctime: h.time,
            mtime: h.time,
            version: 0,
            cversion: 0,
            aversion: 0,
            ephemeral_owner: owner,
            pzxid: h.zxid,
        };
        let rec = ChangeRecord::new(h.zxid, p, Some(stat), 0, acl.into(), data);
        self.add(rec, 0);
        Ok(body)
    }

    /// getParentPathAndValidate: has a `/`, no NUL, not a special node.
    fn parent_for_delete(p: &str) -> PResult<&str> {
        let last_slash = p.rfind('/').ok_or(ErrorCode::BadArguments)?;
        if p.contains('\0') || path::is_special_node(p) {
            return Err(ErrorCode::BadArguments);
        }
        Ok(if last_slash == 0 { "/" } else { &p[..last_slash] })
    }

    fn record_delete(&mut self, h: &TxnHeader, p: &str, parent: ChangeRecord, node: ChangeRecord) {
        let parent_prev = parent.node_digest;
        let mut parent_rec = parent;
        parent_rec.zxid = h.zxid;
        parent_rec.child_count -= 1;
        if let Some(s) = parent_rec.stat.as_mut() {
            s.pzxid = h.zxid;
        }
        self.add(parent_rec, parent_prev);
        let node_prev = node.node_digest;
        let rec = ChangeRecord::new(h.zxid, p.to_owned(), None, -1, node.acl, None);
        self.add(rec, node_prev);
    }

    fn delete(&mut self, origin: Origin<'_>, h: &TxnHeader, r: &DeleteRequest) -> PResult<TxnBody> {
        self.check_session(origin.session_id)?;
        let parent_path = Self::parent_for_delete(&r.path)?;
        let parent = self.record(parent_path)?;
        check(self.opts, &parent.acl, perms::DELETE, origin.auth)?;
        let node = self.record(&r.path)?;
        let version = node.stat.as_ref().map_or(0, |s| s.version);
        check_version(version, r.version)?;
        if node.child_count > 0 {
            return Err(ErrorCode::NotEmpty);
        }
        self.record_delete(h, &r.path, parent, node);
        Ok(TxnBody::Delete(DeleteTxn { path: r.path.clone() }))
    }

    fn delete_container(&mut self, h: &TxnHeader, p: &str) -> PResult<TxnBody> {
        let parent_path = Self::parent_for_delete(p)?;
        let node = self.record(p)?;
        if node.child_count > 0 {
            return Err(ErrorCode::NotEmpty);
        }
        let owner = node.stat.as_ref().map_or(0, |s| s.ephemeral_owner);
        if EphemeralType::of(owner, self.opts.extended_types) == EphemeralType::Normal {
            return Err(ErrorCode::BadVersion);
        }
        let parent = self.record(parent_path)?;
        self.record_delete(h, p, parent, node);
        Ok(TxnBody::Delete(DeleteTxn { path: p.to_owned() }))
    }

    fn set_data(&mut self, origin: Origin<'_>, h: &TxnHeader, r: &SetDataRequest) -> PResult<TxnBody> {
        self.check_session(origin.session_id)?;
        validate_path(&r.path).map_err(|_| ErrorCode::BadArguments)?;
        let node = self.record(&r.path)?;
        check(self.opts, &node.acl, perms::WRITE, origin.auth)?;
        if self.opts.enforce_quota {
            let old = node.data.as_ref().map_or(0, |d| d.len()) as i64;
            let new = r.data.as_ref().map_or(0, |d| d.len()) as i64;
            self.tree.quota_check(&r.path, new - old, 0)?;
        }
        let stat = node.stat.clone().unwrap_or_default();
        let new_version = check_version(stat.version, r.version)?;
        let prev = node.node_digest;
        let mut rec = node;
        rec.zxid = h.zxid;
        rec.data = r.data.clone();
        if let Some(s) = rec.stat.as_mut() {
            s.version = new_version;
            s.mtime = h.time;
            s.mzxid = h.zxid;
        }
        self.add(rec, prev);
        Ok(TxnBody::SetData(SetDataTxn {
            path: r.path.clone(),
            data: r.data.clone(),
            version: new_version,
        }))
    }

    fn set_acl(&mut self, origin: Origin<'_>, h: &TxnHeader, r: &SetAclRequest) -> PResult<TxnBody> {
        self.check_session(origin.session_id)?;
        validate_path(&r.path).map_err(|_| ErrorCode::BadArguments)?;
        let acl = fixup_acl(self.opts, r.acl.as_deref().unwrap_or(&[]), origin.auth)?;
        let node = self.record(&r.path)?;
        check(self.opts, &node.acl, perms::ADMIN, origin.auth)?;
        let stat = node.stat.clone().unwrap_or_default();
        let new_version = check_version(stat.aversion, r.version)?;
        let prev = node.node_digest;
        let mut rec = node;
        rec.zxid = h.zxid;
        rec.acl = acl.clone().into();
        if let Some(s) = rec.stat.as_mut() {
            s.aversion = new_version;
        }
        self.add(rec, prev);
        Ok(TxnBody::SetAcl(SetAclTxn {
            path: r.path.clone(),
            acl,
            version: new_version,
        }))
    }

    fn check_version(&mut self, origin: Origin<'_>, r: &CheckVersionRequest) -> PResult<TxnBody> {
        self.check_session(origin.session_id)?;
        validate_path(&r.path).map_err(|_| ErrorCode::BadArguments)?;
        let node = self.record(&r.path)?;
        check(self.opts, &node.acl, perms::READ, origin.auth)?;
        let version = node.stat.as_ref().map_or(0, |s| s.version);
        Ok(TxnBody::Check(CheckVersionTxn {
            path: r.path.clone(),
            version: check_version(version, r.version)?,
        }))
    }

    /// The session's ephemerals, including pending creates and excluding pending deletes, each deleted.
    fn close_session(&mut self, session: i64, h: &TxnHeader) -> TxnBody {
        let mut paths: std::collections::BTreeSet<String> =
            self.tree.ephemerals_of(session).cloned().collect();
        let (created, deleted) = self.overlay.session_ephemerals(session);
        for p in deleted {
            paths.remove(&p);
        }
        paths.extend(created);
        for p in &paths {
            if self.opts.digest_enabled {
                if let Ok(parent_path) = Self::parent_for_delete(p) {
                    if let Ok(parent) = self.record(parent_path) {
                        let prev = parent.node_digest;
                        let mut rec = parent;
                        rec.zxid = h.zxid;
                        // ZooKeeper moves the parent's pzxid here but leaves its child count as is.
                        if let Some(s) = rec.stat.as_mut() {
                            s.pzxid = h.zxid;
                        }
                        self.add(rec, prev);
                    }
                }
            }
            let prev = self.overlay.record(self.tree, p).map_or(0, |r| r.node_digest);
            if let Some(node) = self.overlay.record(self.tree, p) {
                let rec = ChangeRecord::new(h.zxid, p.clone(), None, 0, node.acl, None);
                self.add(rec, prev);
            }
        }
        if self.opts.close_session_txn_enabled {
            TxnBody::CloseSession(Some(CloseSessionTxn {
                paths_to_delete: paths.into_iter().collect(),
            }))
        } else {
            TxnBody::CloseSession(None)
        }
    }

    fn multi(&mut self, origin: Origin<'_>, header: TxnHeader, ops: &[Request]) -> TxnEntry {
        let ops = match normalize_multi(ops) {
            Ok(ops) => ops,
            Err(e) => return error_entry(header, e),
        };
        let ops = &ops[..];
        // Outstanding records of the ops' paths and parents, to restore if the multi fails.
        let mut saved: HashMap<String, ChangeRecord> = HashMap::new();
        for op in ops {
            if let Some(p) = op.path() {
                if let Some(r) = self.overlay.outstanding(p) {
                    saved.insert(p.to_owned(), r.clone());
                }
                if let Some(i) = p.rfind('/') {
                    if !p.contains('\0') {
                        let parent = if i == 0 { "/" } else { &p[..i] };
                        if let Some(r) = self.overlay.outstanding(parent) {
                            saved.insert(parent.to_owned(), r.clone());
                        }
                    }
                }
            }
        }
        let mut failed = false;
        let mut subs = Vec::with_capacity(ops.len());
        for op in ops {
            if failed {
                subs.push(TxnBodyOf {
                    txn_type: OpCode::Error,
                    body: TxnBody::Error(ErrorTxn {
                        err: ErrorCode::RuntimeInconsistency,
                    }),
                });
                continue;
            }
            match self.one(origin, &header, op) {
                Ok(body) => subs.push(TxnBodyOf {
                    txn_type: op.op(),
                    body,
                }),
                Err(e) => {
                    failed = true;
                    subs.push(TxnBodyOf {
                        txn_type: OpCode::Error,
                        body: TxnBody::Error(ErrorTxn { err: e }),
                    });
                    self.overlay.rollback(header.zxid, std::mem::take(&mut saved));
                }
            }
        }
        let digest = self.digest();
        TxnEntry {
            header,
            body: TxnBody::Multi(subs),
            digest,
        }
    }
}

/// The op types of a multi's create sub-ops as ZooKeeper 3.8.5 derives them while reading the request
/// (Ref: `MultiOperationRecord.deserialize`, `Op.create`, ZOOKEEPER-4026):
/// - create/create2/createContainer (CreateRequest): invalid flags or a TTL mode fail the whole multi
///   (MARSHALLINGERROR); container flags make the op a createContainer; otherwise the sent type stays;
/// - createTTL (CreateTTLRequest): a TTL mode stays createTTL; container flags make a createContainer;
///   anything else (invalid flags included) becomes a plain create and the ttl is dropped;
/// - read ops in a multi fail the whole multi.
fn normalize_multi(ops: &[Request]) -> PResult<Vec<Request>> {
    ops.iter()
        .map(|op| match op {
            Request::Create(r) | Request::Create2(r) | Request::CreateContainer(r) => {
                match CreateMode::from_raw(r.flags) {
                    CreateMode::Unknown(_)
                    | CreateMode::PersistentWithTtl
                    | CreateMode::PersistentSequentialWithTtl => Err(ErrorCode::MarshallingError),
                    CreateMode::Container => Ok(Request::CreateContainer(r.clone())),
                    _ => Ok(op.clone()),
                }
            }
            Request::CreateTtl(r) => {
                let c = CreateRequest {
                    path: r.path.clone(),
                    data: r.data.clone(),
                    acl: r.acl.clone(),
                    flags: r.flags,
                };
                Ok(match CreateMode::from_raw(r.flags) {
                    m if m.is_ttl() => op.clone(),
                    CreateMode::Container => Request::CreateContainer(c),
                    _ => Request::Create(c),
                })
            }
            Request::GetData(_) | Request::GetChildren(_) => Err(ErrorCode::MarshallingError),
            _ => Ok(op.clone()),
        })
        .collect()
}

/// `checkAndIncVersion`: -1 matches any version.
fn check_version(current: i32, expected: i32) -> PResult<i32> {
    if expected != -1 && expected != current {
        Err(ErrorCode::BadVersion)
    } else {
        Ok(current.wrapping_add(1))
    }
}
