//! Answering reads and watch-management requests from the applied tree.
//!
//! Ref: ZooKeeper `FinalRequestProcessor` (branch-3.8). Reads see only applied (durable) txns. Checks
//! and their order: exists rejects a path with NUL (BADARGUMENTS), checks READ only when the node exists,
//! and sets its watch even when it does not (then NONODE); getData/getChildren/getACL/
//! getAllChildrenNumber answer NONODE before checking READ and set no watch on failure; getACL needs READ
//! or ADMIN and masks digest ids without ADMIN.

use jute::proto::*;
use jute::{perms, Acl, ErrorCode, EventType, Id, OpResult, Request, Response, WatcherType};

use super::acl::check;
use super::RequestOptions;
use crate::auth::AuthId;
use crate::tree::DataTree;
use crate::watch::{ConnId, WatchMode, Watches};

pub struct ReadCtx<'a> {
    pub opts: &'a RequestOptions,
    pub tree: &'a DataTree,
    pub watches: &'a mut Watches,
    pub conn: ConnId,
    pub session_id: i64,
    pub auth: &'a [AuthId],
}

/// The answer to a read: the reply, and watch events to send before it (setWatches).
pub struct ReadOutcome {
    pub result: Result<Response, ErrorCode>,
    pub events: Vec<(EventType, String)>,
    /// A body sent along with an error (ZooKeeper sends a partly built multiRead response with
    /// MARSHALLINGERROR when it meets a non-read op).
    pub error_body: Option<Response>,
}

impl ReadCtx<'_> {
    pub fn read(&mut self, req: &Request) -> ReadOutcome {
        let mut events = Vec::new();
        let result = match req {
            Request::Exists(r) => self.exists(r),
            Request::GetData(r) => self.get_data(r).map(Response::GetData),
            Request::GetChildren(r) => self
                .get_children(r)
                .map(|children| Response::GetChildren(GetChildrenResponse { children })),
            Request::GetChildren2(r) => self.get_children(r).and_then(|children| {
                let n = self.tree.get(&r.path).ok_or(ErrorCode::NoNode)?;
                Ok(Response::GetChildren2(GetChildren2Response {
                    children,
                    stat: self.tree.stat_of(n),
                }))
            }),
            Request::GetAcl(r) => self.get_acl(&r.path),
            Request::GetAllChildrenNumber(r) => {
                let n = self.tree.get(&r.path).ok_or(ErrorCode::NoNode);
                n.and_then(|n| {
                    check(self.opts, self.tree.acl_of(n), perms::READ, self.auth)?;
                    Ok(Response::GetAllChildrenNumber(GetAllChildrenNumberResponse {
                        total_number: self.tree.descendant_count(&r.path) as i32,
                    }))
                })
            }
            Request::GetEphemerals(r) => {
                let prefix = r.prefix_path.as_deref().map(str::trim).unwrap_or("");
                let all = prefix.is_empty() || prefix == "/";
                let raw_prefix = r.prefix_path.as_deref().unwrap_or("");
                let ephemerals = self
                    .tree
                    .ephemerals_of(self.session_id)
                    .filter(|p| all || p.starts_with(raw_prefix))
                    .cloned()
                    .collect();
                Ok(Response::GetEphemerals(GetEphemeralsResponse { ephemerals }))
            }
            Request::Sync(r) => Ok(Response::Sync(PathRequest { path: r.path.clone() })),
            Request::Ping => Ok(Response::Empty),
            Request::WhoAmI => Ok(Response::WhoAmI(WhoAmIResponse {
                client_info: self.auth.iter().map(client_info).collect(),
            })),
            Request::AddWatch(r) => {
                match r.mode {
                    0 => self.watches.add_persistent(&r.path, self.conn, false),
                    1 => self.watches.add_persistent(&r.path, self.conn, true),
                    // WatcherMode.fromZooDef throws for other values.
                    _ => {
                        return ReadOutcome {
                            result: Err(ErrorCode::MarshallingError),
                            events,
                            error_body: None,
                        }
                    }
                }
                Ok(Response::AddWatch(ErrorResponse { err: ErrorCode::Ok }))
            }
            Request::CheckWatches(r) => self.check_watches(r, false),
            Request::RemoveWatches(r) => self.check_watches(r, true),
            Request::SetWatches(r) => {
                self.set_watches(
                    r.relative_zxid,
                    &r.data_watches,
                    &r.exist_watches,
                    &r.child_watches,
                    &[],
                    &[],
                    &mut events,
                );
                Ok(Response::Empty)
            }
            Request::SetWatches2(r) => {
                self.set_watches(
                    r.relative_zxid,
                    &r.data_watches,
                    &r.exist_watches,
                    &r.child_watches,
                    &r.persistent_watches,
                    &r.persistent_recursive_watches,
                    &mut events,
                );
                Ok(Response::Empty)
            }
            Request::MultiRead(ops) => {
                // Ref: FinalRequestProcessor multiRead: the ops' watch flags are dropped (Op.getData and
                // Op.getChildren carry none), and the first op that is not a read ends the request with
                // MARSHALLINGERROR, sending the results gathered so far.
                let mut results = Vec::with_capacity(ops.len());
                for op in ops {
                    let r = match op {
                        Request::GetChildren(r) => {
                            let r = PathWatchRequest {
                                path: r.path.clone(),
                                watch: false,
                            };
                            self.get_children(&r)
                                .map(|children| OpResult::GetChildren(GetChildrenResponse { children }))
                        }
                        Request::GetData(r) => {
                            let r = PathWatchRequest {
                                path: r.path.clone(),
                                watch: false,
                            };
                            self.get_data(&r).map(OpResult::GetData)
                        }
                        _ => {
                            return ReadOutcome {
                                result: Err(ErrorCode::MarshallingError),
                                events,
                                error_body: Some(Response::Multi(results)),
                            }
                        }
                    };
                    results.push(r.unwrap_or_else(OpResult::Error));
                }
                Ok(Response::Multi(results))
            }
            _ => Err(ErrorCode::MarshallingError),
        };
        ReadOutcome {
            result,
            events,
            error_body: None,
        }
    }

    fn exists(&mut self, r: &PathWatchRequest) -> Result<Response, ErrorCode> {
        if r.path.contains('\0') {
            return Err(ErrorCode::BadArguments);
        }
        if let Some(n) = self.tree.get(&r.path) {
            check(self.opts, self.tree.acl_of(n), perms::READ, self.auth)?;
        }
        if r.watch {
            self.watches.data.add(&r.path, self.conn, WatchMode::Standard);
        }
        let n = self.tree.get(&r.path).ok_or(ErrorCode::NoNode)?;
        Ok(Response::stat(self.tree.stat_of(n)))
    }

    fn get_data(&mut self, r: &PathWatchRequest) -> Result<GetDataResponse, ErrorCode> {
        let n = self.tree.get(&r.path).ok_or(ErrorCode::NoNode)?;
        check(self.opts, self.tree.acl_of(n), perms::READ, self.auth)?;
        if r.watch {
            self.watches.data.add(&r.path, self.conn, WatchMode::Standard);
        }
        Ok(GetDataResponse {
            data: n.data.clone(),
            stat: self.tree.stat_of(n),
        })
    }

    fn get_children(&mut self, r: &PathWatchRequest) -> Result<Vec<String>, ErrorCode> {
        let n = self.tree.get(&r.path).ok_or(ErrorCode::NoNode)?;
        check(self.opts, self.tree.acl_of(n), perms::READ, self.auth)?;
        if r.watch {
            self.watches.child.add(&r.path, self.conn, WatchMode::Standard);
        }
        Ok(n.children.iter().cloned().collect())
    }

    fn get_acl(&mut self, p: &str) -> Result<Response, ErrorCode> {
        let n = self.tree.get(p).ok_or(ErrorCode::NoNode)?;
        let acl = self.tree.acl_of(n);
        check(self.opts, acl, perms::READ | perms::ADMIN, self.auth)?;
        let stat = self.tree.stat_of(n);
        let acl: Vec<Acl> = if check(self.opts, acl, perms::ADMIN, self.auth).is_ok() {
            acl.to_vec()
        } else {
            acl.iter()
                .map(|a| {
                    if a.id.scheme == "digest" {
                        let user = a.id.id.split(':').next().unwrap_or("");
                        Acl::new(a.perms, Id::new("digest", format!("{user}:x")))
                    } else {
                        a.clone()
                    }
                })
                .collect()
        };
        Ok(Response::GetAcl(GetAclResponse { acl, stat }))
    }

    fn check_watches(&mut self, r: &WatchesRequest, remove: bool) -> Result<Response, ErrorCode> {
        let conn = self.conn;
        let p = r.path.as_str();
        let (child, data) = match WatcherType::from_raw(r.watcher_type) {
            WatcherType::Children => (true, false),
            WatcherType::Data => (false, true),
            WatcherType::Any => (true, true),
            _ => return Err(ErrorCode::MarshallingError),
        };
        let mut hit = false;
        if remove {
            if child && self.watches.child.remove(p, conn) {
                hit = true;
            }
            if data && self.watches.data.remove(p, conn) {
                hit = true;
            }
        } else {
            // Ref: WatchManager.containsWatcher (3.8): true when any connection watches exactly this path,
            // or this connection's watch here is persistent-recursive; a path without '/' makes its
            // parent iterator throw (MARSHALLINGERROR).
            if !p.is_empty() && !p.contains('/') {
                return Err(ErrorCode::MarshallingError);
            }
            let has = |t: &crate::watch::WatchTable| {
                t.by_path().contains_key(p) || t.mode(p, conn) == Some(WatchMode::PersistentRecursive)
            };
            hit = (child && has(&self.watches.child)) || (data && has(&self.watches.data));
        }
        if hit {
            Ok(Response::Empty)
        } else {
            Err(ErrorCode::NoWatcher)
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn set_watches(
        &mut self,
        relative_zxid: i64,
        data: &[String],
        exist: &[String],
        child: &[String],
        persistent: &[String],
        recursive: &[String],
        events: &mut Vec<(EventType, String)>,
    ) {
        for p in data {
            match self.tree.get(p) {
                None => events.push((EventType::NodeDeleted, p.clone())),
                Some(n) if n.stat.mzxid > relative_zxid => {
                    events.push((EventType::NodeDataChanged, p.clone()))
                }
                Some(_) => self.watches.data.add(p, self.conn, WatchMode::Standard),
            }
        }
        for p in exist {
            if self.tree.get(p).is_some() {
                events.push((EventType::NodeCreated, p.clone()));
            } else {
                self.watches.data.add(p, self.conn, WatchMode::Standard);
            }
        }
        for p in child {
            match self.tree.get(p) {
                None => events.push((EventType::NodeDeleted, p.clone())),
                Some(n) if n.stat.pzxid > relative_zxid => {
                    events.push((EventType::NodeChildrenChanged, p.clone()))
                }
                Some(_) => self.watches.child.add(p, self.conn, WatchMode::Standard),
            }
        }
        for p in persistent {
            self.watches.child.add(p, self.conn, WatchMode::Persistent);
            self.watches.data.add(p, self.conn, WatchMode::Persistent);
        }
        for p in recursive {
            self.watches
                .child
                .add(p, self.conn, WatchMode::PersistentRecursive);
            self.watches
                .data
                .add(p, self.conn, WatchMode::PersistentRecursive);
        }
    }
}

/// whoAmI's view of an identity: digest ids show the user name only.
fn client_info(id: &AuthId) -> ClientInfo {
    let user = match id.scheme.as_str() {
        "digest" => id.id.split(':').next().unwrap_or("").to_owned(),
        _ => id.id.clone(),
    };
    ClientInfo {
        auth_scheme: id.scheme.clone(),
        user,
    }
}
