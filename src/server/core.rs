//! The server core, sans-IO: connections, sessions, the write pipeline and replies.
//!
//! The shell feeds it events (`accept`, `connect`, `packet`, `closed`, `durable`, `tick`) with the current
//! time, and drains `Output`s: frames to send, connections to close, txns to make durable. Every write
//! goes prepare → log → apply → reply: `packet` prepares the txn (zxid, validation, outstanding
//! changes) and emits `Output::Persist`; the shell makes it durable and calls `durable(zxid)`; the core
//! then applies every txn up to that zxid in order, fires watches and replies. Standalone is an
//! ensemble of one on this same path.
//!
//! Ordering (ZooKeeper's guarantees): replies on a connection go out in request order; a read waits
//! behind its session's earlier writes and sees them; a watch event caused by a write reaches a client
//! before that write's reply. Until a connection's session is established its later packets wait.
//!
//! ```text
//! connection: accepted ──ConnectRequest──> connecting ──(createSession applied | reconnect ok)──> established
//!                 │                             └──(bad password / expired)──> invalid reply, closed
//!                 └── four-letter word ──> answered by the shell, closed
//! ```

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;

use bytes::{Bytes, BytesMut};
use jute::proto::*;
use jute::txn::{TxnBody, TxnEntry};
use jute::{perms, ErrorCode};
use jute::{EventType, FrameWriter, Jute, KeeperState, OpCode, OpResult, Reader, Request, Response};

use crate::auth::digest::{digest_id_from_auth_data, DigestAlgorithm};
use crate::auth::ip::client_ip_id;
use crate::auth::{is_super, AuthId};
use crate::request::acl::permits;
use crate::request::decode::decode_request;
use crate::request::overlay::Overlay;
use crate::request::prep::{Prep, Write};
use crate::request::read::ReadCtx;
use crate::request::{Origin, RequestOptions};
use crate::session::id::SessionIdGenerator;
use crate::session::password::{check_password, session_password};
use crate::session::tracker::SessionTracker;
use crate::tree::{ApplyResult, Change, DataTree};
use crate::watch::{ConnId, Deliveries, Watches};

use super::reaper::{self, ReaperOptions};

/// Time as the core sees it: wall clock for txn timestamps, a monotonic clock for session expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    pub wall_ms: i64,
    pub mono_ms: u64,
}

#[derive(Debug, Clone)]
pub struct CoreOptions {
    pub server_id: i64,
    pub tick_ms: u64,
    pub min_session_timeout_ms: i32,
    pub max_session_timeout_ms: i32,
    /// Largest buffer/string inside a request (jute.maxbuffer + extrasize).
    pub max_record_bytes: usize,
    pub super_digest: Option<String>,
    pub digest_alg: DigestAlgorithm,
    /// Packets a connection may send before its session is established (then it is closed).
    pub max_pre_session_packets: usize,
    pub request: RequestOptions,
    pub reaper: ReaperOptions,
    /// `enforce.auth.enabled` + `enforce.auth.schemes` (or `sessionRequireClientSASLAuth`, which means
    /// `sasl`): a connection holding none of these schemes gets SESSIONCLOSEDREQUIRESASLAUTH and is
    /// closed on its first request other than auth/sasl.
    pub enforce_auth_schemes: Option<Vec<String>>,
}

impl Default for CoreOptions {
    fn default() -> Self {
        Self {
            server_id: 1,
            tick_ms: 2000,
            min_session_timeout_ms: 4000,
            max_session_timeout_ms: 40000,
            max_record_bytes: 2 * jute::DEFAULT_MAX_BUFFER,
            super_digest: None,
            digest_alg: DigestAlgorithm::default(),
            max_pre_session_packets: 1000,
            request: RequestOptions::default(),
            reaper: ReaperOptions::default(),
            enforce_auth_schemes: None,
        }
    }
}

/// What the shell must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Write these bytes (one or more complete frames) to the connection.
    Send(ConnId, Bytes),
    /// Close the connection once what was sent before is flushed.
    Close(ConnId),
    /// Make this txn durable, then call `durable(zxid)`.
    Persist(TxnEntry),
}

#[derive(Debug, Clone)]
struct Packet {
    xid: i32,
    op: OpCode,
    body: Bytes,
    received_ms: u64,
}

#[derive(Debug, Clone)]
enum Queued {
    /// A prepared write of this connection, replied when applied.
    Write(i64),
    /// A read waiting for the writes ahead of it.
    Read(Packet),
}

/// Per-connection statistics (the `cons` 4lw).
#[derive(Debug, Clone, Default)]
pub struct ConnStats {
    pub packets_received: u64,
    pub packets_sent: u64,
    pub last_op: &'static str,
    pub last_cxid: i32,
    pub last_zxid: i64,
    pub last_response_ms: u64,
    pub last_latency_ms: u64,
    pub min_latency_ms: u64,
    pub max_latency_ms: u64,
    pub total_latency_ms: u64,
    pub count: u64,
    pub established_ms: u64,
    /// Wall-clock ms when the connection was accepted (`cons` `est=`).
    pub established_wall_ms: i64,
}

#[derive(Debug)]
pub struct Conn {
    pub peer: SocketAddr,
    pub session: Option<i64>,
    pub established: bool,
    pub timeout_ms: i32,
    /// Omit the readOnly byte in the ConnectResponse (pre-3.4 client).
    old_client: bool,
    pub auth: Vec<AuthId>,
    pre: VecDeque<Packet>,
    queue: VecDeque<Queued>,
    closing: bool,
    pub stats: ConnStats,
}

impl Conn {
    pub fn outstanding(&self) -> usize {
        self.queue.len() + self.pre.len()
    }
}

#[derive(Debug)]
enum PendingKind {
    Request {
        conn: ConnId,
        xid: i32,
        op: OpCode,
        received_ms: u64,
    },
    CreateSession {
        conn: ConnId,
    },
    /// Server-initiated (session expiry).
    Internal,
    /// The container/TTL reaper's delete of this path.
    Reap(String),
}

#[derive(Debug)]
struct Pending {
    entry: TxnEntry,
    kind: PendingKind,
}

/// Server-wide statistics (srvr/mntr).
#[derive(Debug, Clone, Default)]
pub struct ServerStats {
    pub packets_received: u64,
    pub packets_sent: u64,
    pub min_latency_ms: u64,
    pub max_latency_ms: u64,
    pub total_latency_ms: u64,
    pub count: u64,
    pub auth_failed: u64,
    /// Last/min/max response size (`BufferStats`).
    pub client_response: crate::admin::BufferStats,
}

pub struct Core {
    opts: CoreOptions,
    tree: DataTree,
    sessions: SessionTracker,
    ids: SessionIdGenerator,
    watches: Watches,
    overlay: Overlay,
    /// Last zxid handed out by prepare.
    last_zxid: i64,
    pending: VecDeque<Pending>,
    conns: HashMap<ConnId, Conn>,
    session_conn: HashMap<i64, ConnId>,
    /// Global sessions as of the applied txns (what snapshots record).
    applied_sessions: HashMap<i64, i32>,
    /// When the reaper last looked, and the deletes it has in flight.
    last_reap_ms: u64,
    reaping: HashSet<String>,
    out: Vec<Output>,
    pub stats: ServerStats,
    /// ZooKeeper's `ServerMetrics` (mntr, AdminServer, Prometheus).
    pub metrics: crate::admin::metrics::ServerMetrics,
    /// The tree digest every 128 zxids (`hash`).
    pub digest_log: crate::admin::DigestLog,
}

fn frame(header: &ReplyHeader, body: impl FnOnce(&mut BytesMut)) -> Bytes {
    let mut out = BytesMut::with_capacity(64);
    let mut w = FrameWriter::begin(&mut out);
    header.encode(w.buf());
    body(w.buf());
    w.finish();
    out.freeze()
}

fn notification(ty: EventType, path: &str) -> Bytes {
    let h = ReplyHeader {
        xid: xid::NOTIFICATION,
        zxid: -1,
        err: ErrorCode::Ok,
    };
    frame(&h, |b| {
        WatcherEvent {
            event_type: ty,
            state: KeeperState::SyncConnected,
            path: path.to_owned(),
        }
        .encode(b)
    })
}

fn op_name(op: OpCode) -> &'static str {
    match op {
        OpCode::Ping => "PING",
        OpCode::CreateSession => "SESS",
        OpCode::Multi => "MULT",
        OpCode::MultiRead => "MLTR",
        OpCode::Create | OpCode::Create2 | OpCode::CreateTtl | OpCode::CreateContainer => "CREA",
        OpCode::Delete | OpCode::DeleteContainer => "DELE",
        OpCode::SetData => "SETD",
        OpCode::Reconfig => "RECO",
        OpCode::SetAcl => "SETA",
        OpCode::CloseSession => "CLOS",
        OpCode::Sync => "SYNC",
        OpCode::Exists => "EXIS",
        OpCode::GetData => "GETD",
        OpCode::SetWatches => "SETW",
        OpCode::SetWatches2 => "STW2",
        OpCode::AddWatch => "ADDW",
        OpCode::GetAcl => "GETA",
        OpCode::GetChildren | OpCode::GetChildren2 => "GETC",
        OpCode::GetAllChildrenNumber => "GETACN",
        OpCode::CheckWatches => "CHKW",
        OpCode::RemoveWatches => "REMW",
        OpCode::WhoAmI => "HOMI",
        OpCode::GetEphemerals => "GETE",
        _ => "NA",
    }
}

impl Core {
    pub fn new(opts: CoreOptions, tree: DataTree, now: Now) -> Self {
        let last_zxid = tree.last_processed_zxid();
        Core {
            sessions: SessionTracker::new(opts.tick_ms),
            ids: SessionIdGenerator::new(opts.server_id, now.wall_ms.max(0) as u64),
            opts,
            tree,
            watches: Watches::new(),
            overlay: Overlay::new(),
            last_zxid,
            pending: VecDeque::new(),
            conns: HashMap::new(),
            session_conn: HashMap::new(),
            applied_sessions: HashMap::new(),
            last_reap_ms: now.mono_ms,
            reaping: HashSet::new(),
            out: Vec::new(),
            stats: ServerStats::default(),
            metrics: crate::admin::metrics::ServerMetrics::new(),
            digest_log: crate::admin::DigestLog::default(),
        }
    }

    /// Re-tracks a session recovered from disk, with a full timeout from now.
    pub fn restore_session(&mut self, id: i64, timeout_ms: i32, now: Now) {
        self.sessions.add(id, timeout_ms, now.mono_ms);
        self.applied_sessions.insert(id, timeout_ms);
    }

    /// Global sessions as of the applied txns, for snapshots.
    pub fn applied_sessions(&self) -> &HashMap<i64, i32> {
        &self.applied_sessions
    }

    pub fn take_outputs(&mut self) -> Vec<Output> {
        std::mem::take(&mut self.out)
    }

    pub fn tree(&self) -> &DataTree {
        &self.tree
    }

    pub fn sessions(&self) -> &SessionTracker {
        &self.sessions
    }

    pub fn watches(&self) -> &Watches {
        &self.watches
    }

    pub fn conns(&self) -> &HashMap<ConnId, Conn> {
        &self.conns
    }

    pub fn options(&self) -> &CoreOptions {
        &self.opts
    }

    /// Requests prepared but not yet applied.
    pub fn outstanding(&self) -> usize {
        self.pending.len()
    }

    pub fn conn_outstanding(&self, conn: ConnId) -> usize {
        self.conns.get(&conn).map_or(0, |c| c.outstanding())
    }

    /// `crst`: resets every connection's statistics (`ServerCnxn.resetStats`).
    pub fn reset_conn_stats(&mut self) {
        for c in self.conns.values_mut() {
            let established_ms = c.stats.established_ms;
            let established_wall_ms = c.stats.established_wall_ms;
            c.stats = ConnStats {
                last_op: "NA",
                last_cxid: -1,
                last_zxid: -1,
                min_latency_ms: u64::MAX,
                established_ms,
                established_wall_ms,
                ..ConnStats::default()
            };
        }
    }

    fn send(&mut self, conn: ConnId, bytes: Bytes) {
        if let Some(c) = self.conns.get_mut(&conn) {
            c.stats.packets_sent += 1;
            self.stats.packets_sent += 1;
            self.stats
                .client_response
                .record(bytes.len().saturating_sub(4) as i64);
            self.metrics.count("response_bytes", bytes.len() as u64);
            self.out.push(Output::Send(conn, bytes));
        }
    }

    fn close(&mut self, conn: ConnId) {
        if let Some(c) = self.conns.get_mut(&conn) {
            if !c.closing {
                c.closing = true;
                self.out.push(Output::Close(conn));
            }
        }
    }

    /// A new client connection.
    pub fn accept(&mut self, conn: ConnId, peer: SocketAddr, now: Now) {
        let auth = vec![AuthId::new("ip", client_ip_id(&peer))];
        self.conns.insert(
            conn,
            Conn {
                peer,
                session: None,
                established: false,
                timeout_ms: 0,
                old_client: false,
                auth,
                pre: VecDeque::new(),
                queue: VecDeque::new(),
                closing: false,
                stats: ConnStats {
                    established_ms: now.mono_ms,
                    established_wall_ms: now.wall_ms,
                    min_latency_ms: u64::MAX,
                    ..Default::default()
                },
            },
        );
    }

    /// The connection went away (client closed, error, or our own close completed).
    pub fn closed(&mut self, conn: ConnId) {
        if let Some(c) = self.conns.remove(&conn) {
            if let Some(s) = c.session {
                if self.session_conn.get(&s) == Some(&conn) {
                    self.session_conn.remove(&s);
                }
            }
        }
        self.watches.remove_conn(conn);
    }

    fn connect_response(&mut self, conn: ConnId, valid: bool) {
        let Some(c) = self.conns.get(&conn) else { return };
        let (timeout_ms, session_id, passwd) = match (valid, c.session) {
            (true, Some(s)) => (c.timeout_ms, s, Bytes::copy_from_slice(&session_password(s))),
            _ => (0, 0, Bytes::from_static(&[0; 16])),
        };
        let resp = ConnectResponse {
            protocol_version: 0,
            timeout_ms,
            session_id,
            passwd,
            read_only: if c.old_client { None } else { Some(false) },
        };
        let mut out = BytesMut::new();
        let mut w = FrameWriter::begin(&mut out);
        resp.encode(w.buf());
        w.finish();
        self.send(conn, out.freeze());
    }

    /// The connection's first frame.
    pub fn connect(&mut self, conn: ConnId, req: ConnectRequest, now: Now) {
        let last_processed = self.tree.last_processed_zxid();
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        // ZooKeeper counts the ConnectRequest as a received packet.
        c.stats.packets_received += 1;
        self.stats.packets_received += 1;
        let connect_len = 4 + 28 + req.passwd.len() + usize::from(req.read_only.is_some());
        self.metrics.count("bytes_received_count", connect_len as u64);
        self.metrics.count("connection_request_count", 1);
        c.old_client = req.read_only.is_none();
        if req.last_zxid_seen > last_processed {
            // The client has seen a newer state than ours: it must try another server.
            tracing::info!(
                "Refusing session request for client {} as it has seen zxid 0x{:x} our last zxid is 0x{:x}",
                c.peer,
                req.last_zxid_seen,
                last_processed
            );
            self.close(conn);
            return;
        }
        let timeout = req.timeout_ms.clamp(
            self.opts.min_session_timeout_ms,
            self.opts
                .max_session_timeout_ms
                .max(self.opts.min_session_timeout_ms),
        );
        c.timeout_ms = timeout;
        if req.session_id == 0 {
            let id = self.ids.next();
            c.session = Some(id);
            self.sessions.add(id, timeout, now.mono_ms);
            self.session_conn.insert(id, conn);
            tracing::debug!("creating new session 0x{id:x} for {}", c.peer);
            self.submit(
                Origin {
                    session_id: id,
                    cxid: 0,
                    auth: &[],
                },
                Write::CreateSession { timeout_ms: timeout },
                PendingKind::CreateSession { conn },
                now,
            );
            return;
        }
        let id = req.session_id;
        self.metrics.count("connection_revalidate_count", 1);
        // ZooKeeper first drops any other connection of the session, then checks the password.
        if let Some(&other) = self.session_conn.get(&id) {
            if other != conn {
                self.close(other);
                self.session_conn.remove(&id);
            }
        }
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        c.session = Some(id);
        let valid = check_password(id, &req.passwd) && self.sessions.touch(id, now.mono_ms);
        if !valid {
            tracing::info!("Invalid session 0x{id:x} for client {}, probably expired", c.peer);
            self.connect_response(conn, false);
            self.close(conn);
            return;
        }
        self.session_conn.insert(id, conn);
        self.establish(conn, now);
    }

    fn establish(&mut self, conn: ConnId, now: Now) {
        self.connect_response(conn, true);
        let pre = match self.conns.get_mut(&conn) {
            Some(c) => {
                c.established = true;
                std::mem::take(&mut c.pre)
            }
            None => return,
        };
        for p in pre {
            self.handle_packet(conn, p, now);
        }
    }

    /// A request frame (after the ConnectRequest): its header and raw body.
    pub fn packet(&mut self, conn: ConnId, xid: i32, op: OpCode, body: Bytes, now: Now) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        c.stats.packets_received += 1;
        self.stats.packets_received += 1;
        self.metrics.count("bytes_received_count", 12 + body.len() as u64);
        let p = Packet {
            xid,
            op,
            body,
            received_ms: now.mono_ms,
        };
        if !c.established {
            if c.pre.len() >= self.opts.max_pre_session_packets {
                self.close(conn);
            } else {
                c.pre.push_back(p);
            }
            return;
        }
        self.handle_packet(conn, p, now);
    }

    fn handle_packet(&mut self, conn: ConnId, p: Packet, now: Now) {
        let Some(c) = self.conns.get(&conn) else { return };
        if c.closing {
            return;
        }
        let Some(session) = c.session else { return };
        match p.op {
            OpCode::Auth => return self.auth(conn, &p),
            OpCode::Sasl => {
                // No SASL server is configured. ZooKeeper 3.8 then answers a token with an empty
                // challenge (err 0, null token) and keeps the connection; a null token makes it drop the
                // connection without a reply.
                let token = SaslToken::decode(&mut Reader::with_limit(
                    p.body.clone(),
                    self.opts.max_record_bytes,
                ));
                match token {
                    Ok(SaslToken { token: Some(_) }) => {
                        let h = ReplyHeader {
                            xid: p.xid,
                            zxid: 0,
                            err: ErrorCode::Ok,
                        };
                        self.send(conn, frame(&h, |b| SaslToken { token: None }.encode(b)));
                    }
                    _ => self.close(conn),
                }
                return;
            }
            _ => {}
        }
        // Ref: AuthenticationHelper.enforceAuthentication, checked after auth/sasl, before anything else.
        if let Some(schemes) = &self.opts.enforce_auth_schemes {
            let authenticated = self
                .conns
                .get(&conn)
                .is_some_and(|c| c.auth.iter().any(|id| schemes.contains(&id.scheme)));
            if !authenticated {
                tracing::error!(
                    "Client authentication scheme(s) do not match with any of the expected authentication scheme {schemes:?}, closing session."
                );
                let h = ReplyHeader {
                    xid: p.xid,
                    zxid: 0,
                    err: ErrorCode::SessionClosedRequireSaslAuth,
                };
                self.send(conn, frame(&h, |_| {}));
                self.close(conn);
                return;
            }
        }
        let valid = matches!(
            p.op,
            OpCode::CloseSession
                | OpCode::CreateSession
                | OpCode::Create
                | OpCode::Create2
                | OpCode::CreateTtl
                | OpCode::CreateContainer
                | OpCode::Delete
                | OpCode::DeleteContainer
                | OpCode::Exists
                | OpCode::GetAcl
                | OpCode::GetChildren
                | OpCode::GetAllChildrenNumber
                | OpCode::GetChildren2
                | OpCode::GetData
                | OpCode::GetEphemerals
                | OpCode::Multi
                | OpCode::MultiRead
                | OpCode::Ping
                | OpCode::Reconfig
                | OpCode::SetAcl
                | OpCode::SetData
                | OpCode::SetWatches
                | OpCode::SetWatches2
                | OpCode::Sync
                | OpCode::CheckWatches
                | OpCode::RemoveWatches
                | OpCode::AddWatch
                | OpCode::WhoAmI
        );
        // Every packet touches its session; one for a session that is gone or closing is dropped.
        if !self.sessions.touch(session, now.mono_ms) {
            return;
        }
        if !valid {
            tracing::warn!("Received packet at server of unknown type {}", p.op.raw());
            let h = ReplyHeader {
                xid: p.xid,
                zxid: -1,
                err: ErrorCode::Unimplemented,
            };
            self.send(conn, frame(&h, |_| {}));
            self.close(conn);
            return;
        }
        if p.op.is_write() {
            let decoded = if p.op == OpCode::CloseSession {
                None
            } else {
                decode_request(p.op, &p.body, self.opts.max_record_bytes).ok()
            };
            let auth = self.conns.get(&conn).map(|c| c.auth.clone()).unwrap_or_default();
            let origin = Origin {
                session_id: session,
                cxid: p.xid,
                auth: &auth,
            };
            let write = match p.op {
                OpCode::CloseSession => Write::CloseSession,
                // ZooKeeper reads a client's deleteContainer path from the whole frame, header included,
                // so the path is never valid: BADARGUMENTS, as a failed txn. Only the server's own
                // reaper deletes containers.
                OpCode::DeleteContainer => Write::Rejected(p.op, ErrorCode::BadArguments),
                _ => Write::Client(p.op, decoded.as_ref()),
            };
            let kind = PendingKind::Request {
                conn,
                xid: p.xid,
                op: p.op,
                received_ms: p.received_ms,
            };
            let zxid = self.submit(origin, write, kind, now);
            if let Some(c) = self.conns.get_mut(&conn) {
                c.queue.push_back(Queued::Write(zxid));
            }
            return;
        }
        let busy = self.conns.get(&conn).is_some_and(|c| !c.queue.is_empty());
        if busy {
            if let Some(c) = self.conns.get_mut(&conn) {
                c.queue.push_back(Queued::Read(p));
            }
        } else {
            self.answer_read(conn, p, now);
        }
    }

    fn auth(&mut self, conn: ConnId, p: &Packet) {
        let pkt = AuthPacket::decode(&mut Reader::with_limit(
            p.body.clone(),
            self.opts.max_record_bytes,
        ));
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        let ok = match &pkt {
            Ok(AuthPacket {
                scheme,
                auth: Some(data),
                ..
            }) if scheme == "digest" && self.opts.request.providers.digest_enabled => {
                let id = digest_id_from_auth_data(self.opts.digest_alg, data);
                if is_super(&id, self.opts.super_digest.as_deref()) {
                    let s = AuthId::new("super", "");
                    if !c.auth.contains(&s) {
                        c.auth.push(s);
                    }
                }
                let d = AuthId::new("digest", id);
                if !c.auth.contains(&d) {
                    c.auth.push(d);
                }
                true
            }
            Ok(a) if a.scheme == "ip" => {
                let d = AuthId::new("ip", client_ip_id(&c.peer));
                if !c.auth.contains(&d) {
                    c.auth.push(d);
                }
                true
            }
            _ => false,
        };
        if ok {
            let h = ReplyHeader {
                xid: p.xid,
                zxid: 0,
                err: ErrorCode::Ok,
            };
            self.send(conn, frame(&h, |_| {}));
        } else {
            self.stats.auth_failed += 1;
            let scheme = pkt.map(|a| a.scheme).unwrap_or_default();
            tracing::warn!("No authentication provider for scheme: {scheme}");
            let h = ReplyHeader {
                xid: p.xid,
                zxid: 0,
                err: ErrorCode::AuthFailed,
            };
            self.send(conn, frame(&h, |_| {}));
            self.close(conn);
        }
    }

    /// Prepares a write, queues it for durability; returns its zxid.
    fn submit(&mut self, origin: Origin<'_>, write: Write<'_>, kind: PendingKind, now: Now) -> i64 {
        self.last_zxid += 1;
        let zxid = self.last_zxid;
        if let Write::CloseSession = write {
            self.sessions.set_closing(origin.session_id);
        }
        let mut prep = Prep {
            opts: &self.opts.request,
            tree: &self.tree,
            overlay: &mut self.overlay,
            sessions: &self.sessions,
        };
        let entry = prep.prepare(origin, write, zxid, now.wall_ms);
        self.out.push(Output::Persist(entry.clone()));
        self.pending.push_back(Pending { entry, kind });
        zxid
    }

    /// Everything up to `zxid` is durable: apply it, in order, and reply.
    pub fn durable(&mut self, zxid: i64, now: Now) {
        while self.pending.front().is_some_and(|p| p.entry.header.zxid <= zxid) {
            if let Some(p) = self.pending.pop_front() {
                self.apply(p, now);
            }
        }
    }

    fn apply(&mut self, p: Pending, now: Now) {
        let mut changes = Vec::new();
        let h = &p.entry.header;
        let rc = self.tree.apply(h, &p.entry.body, &mut changes);
        let digest = self.tree.digest().value();
        self.digest_log.applied(h.zxid, digest);
        self.overlay.applied(h.zxid);
        let session = h.client_id;
        if let TxnBody::CreateSession(t) = &p.entry.body {
            self.applied_sessions.insert(session, t.timeout_ms);
        }
        if let TxnBody::CloseSession(_) = p.entry.body {
            self.applied_sessions.remove(&session);
            self.sessions.remove(session);
            tracing::debug!("closed session 0x{session:x}");
        }
        self.deliver(changes);
        let zxid = self.tree.last_processed_zxid();
        match p.kind {
            PendingKind::CreateSession { conn } => {
                if self.conns.get(&conn).is_some_and(|c| c.session == Some(session)) {
                    self.establish(conn, now);
                }
            }
            PendingKind::Request {
                conn,
                xid,
                op,
                received_ms,
            } => {
                let bound = self.conns.get(&conn).is_some_and(|c| c.session == Some(session));
                if bound {
                    let err = rc.err;
                    let reply = if p.entry.header.txn_type == OpCode::Error
                        || (err != ErrorCode::Ok && op != OpCode::Multi)
                    {
                        frame(&ReplyHeader { xid, zxid, err }, |_| {})
                    } else {
                        let resp = write_response(op, &rc);
                        frame(
                            &ReplyHeader {
                                xid,
                                zxid,
                                err: ErrorCode::Ok,
                            },
                            |b| resp.encode(b),
                        )
                    };
                    self.record_latency(conn, op, xid, zxid, received_ms, now);
                    self.send(conn, reply);
                    if let Some(c) = self.conns.get_mut(&conn) {
                        if let Some(Queued::Write(z)) = c.queue.front() {
                            if *z == p.entry.header.zxid {
                                c.queue.pop_front();
                            }
                        }
                    }
                    if op == OpCode::CloseSession {
                        self.close(conn);
                    } else {
                        self.drain(conn, now);
                    }
                }
            }
            PendingKind::Internal => {}
            PendingKind::Reap(path) => {
                self.reaping.remove(&path);
            }
        }
        if let TxnBody::CloseSession(_) = p.entry.body {
            if let Some(conn) = self.session_conn.remove(&session) {
                self.close(conn);
            }
        }
    }

    /// Answers the reads queued behind a connection's completed writes.
    fn drain(&mut self, conn: ConnId, now: Now) {
        loop {
            let next = match self.conns.get_mut(&conn) {
                Some(c) => match c.queue.front() {
                    Some(Queued::Read(_)) => c.queue.pop_front(),
                    _ => None,
                },
                None => None,
            };
            match next {
                Some(Queued::Read(p)) => self.answer_read(conn, p, now),
                _ => break,
            }
        }
    }

    fn record_latency(&mut self, conn: ConnId, op: OpCode, xid: i32, zxid: i64, received_ms: u64, now: Now) {
        let lat = now.mono_ms.saturating_sub(received_ms);
        let which = if op.is_write() {
            "updatelatency"
        } else {
            "readlatency"
        };
        self.metrics.observe(which, lat as i64);
        let s = &mut self.stats;
        s.count += 1;
        s.total_latency_ms += lat;
        s.max_latency_ms = s.max_latency_ms.max(lat);
        s.min_latency_ms = if s.count == 1 {
            lat
        } else {
            s.min_latency_ms.min(lat)
        };
        if let Some(c) = self.conns.get_mut(&conn) {
            let cs = &mut c.stats;
            cs.last_op = op_name(op);
            // Special xids (ping, auth) do not replace the client's last real cxid.
            if xid >= 0 {
                cs.last_cxid = xid;
            }
            cs.last_zxid = zxid;
            cs.last_response_ms = now.mono_ms;
            cs.last_latency_ms = lat;
            cs.count += 1;
            cs.total_latency_ms += lat;
            cs.max_latency_ms = cs.max_latency_ms.max(lat);
            cs.min_latency_ms = cs.min_latency_ms.min(lat);
        }
    }

    fn answer_read(&mut self, conn: ConnId, p: Packet, now: Now) {
        let Some(c) = self.conns.get(&conn) else { return };
        let Some(session) = c.session else { return };
        let auth = c.auth.clone();
        let zxid = self.tree.last_processed_zxid();
        let reply_xid = match p.op {
            OpCode::Ping => xid::PING,
            _ => p.xid,
        };
        let decoded = if p.op == OpCode::Ping || p.op == OpCode::WhoAmI {
            Ok(if p.op == OpCode::Ping {
                Request::Ping
            } else {
                Request::WhoAmI
            })
        } else {
            decode_request(p.op, &p.body, self.opts.max_record_bytes)
        };
        let (result, events, error_body) = match decoded {
            Ok(req) => {
                let mut ctx = ReadCtx {
                    opts: &self.opts.request,
                    tree: &self.tree,
                    watches: &mut self.watches,
                    conn,
                    session_id: session,
                    auth: &auth,
                };
                let o = ctx.read(&req);
                if let Ok(resp) = &o.result {
                    crate::admin::record_read(&mut self.metrics, &req, resp);
                }
                (o.result, o.events, o.error_body)
            }
            Err(e) => {
                tracing::error!("Failed to process {} request: {e}", p.op);
                (Err(ErrorCode::MarshallingError), Vec::new(), None)
            }
        };
        for (ty, path) in events {
            self.send(conn, notification(ty, &path));
        }
        let bytes = match result {
            Ok(resp) => frame(
                &ReplyHeader {
                    xid: reply_xid,
                    zxid,
                    err: ErrorCode::Ok,
                },
                |b| resp.encode(b),
            ),
            Err(err) => frame(
                &ReplyHeader {
                    xid: reply_xid,
                    zxid,
                    err,
                },
                |b| {
                    if let Some(body) = error_body {
                        body.encode(b)
                    }
                },
            ),
        };
        self.record_latency(conn, p.op, p.xid, zxid, p.received_ms, now);
        self.send(conn, bytes);
    }

    /// Sends the watch events of applied changes to the connections that may read the nodes.
    fn deliver(&mut self, changes: Vec<Change>) {
        for ch in changes {
            let mut d: Deliveries = Vec::new();
            crate::admin::record_change(&mut self.metrics, &self.tree, &ch);
            let (acl, parent_acl) = match &ch {
                Change::Created {
                    path,
                    parent,
                    acl,
                    parent_acl,
                } => {
                    self.watches.node_created(path, parent, &mut d);
                    (acl.clone(), parent_acl.clone())
                }
                Change::Deleted {
                    path,
                    parent,
                    acl,
                    parent_acl,
                } => {
                    self.watches.node_deleted(path, parent, &mut d);
                    (acl.clone(), parent_acl.clone())
                }
                Change::DataChanged { path, acl } => {
                    self.watches.data_changed(path, &mut d);
                    (acl.clone(), acl.clone())
                }
            };
            for (ty, path, conns) in d {
                crate::admin::record_watch_fired(&mut self.metrics, ty, conns.len());
                let acl = if ty == EventType::NodeChildrenChanged {
                    &parent_acl
                } else {
                    &acl
                };
                let mut targets: Vec<ConnId> = conns.into_iter().collect();
                targets.sort_unstable();
                for conn in targets {
                    let allowed = self
                        .conns
                        .get(&conn)
                        .is_some_and(|c| permits(&self.opts.request, acl, perms::READ, &c.auth));
                    if allowed {
                        self.send(conn, notification(ty, &path));
                    }
                }
            }
        }
    }

    /// Expires sessions whose deadline passed, and reaps containers and TTL nodes; call every tick.
    pub fn tick(&mut self, now: Now) {
        if now.mono_ms.saturating_sub(self.last_reap_ms) >= self.opts.reaper.check_interval_ms {
            self.last_reap_ms = now.mono_ms;
            let due = reaper::candidates(&self.tree, now.wall_ms, &self.opts.reaper);
            let budget = reaper::budget(&self.opts.reaper);
            let due: Vec<String> = due
                .into_iter()
                .filter(|p| !self.reaping.contains(p))
                .take(budget)
                .collect();
            for path in due {
                tracing::info!("Attempting to delete candidate container: {path}");
                self.reaping.insert(path.clone());
                let req = Request::DeleteContainer(path.clone());
                let origin = Origin {
                    session_id: 0,
                    cxid: 0,
                    auth: &[],
                };
                self.submit(
                    origin,
                    Write::Client(OpCode::DeleteContainer, Some(&req)),
                    PendingKind::Reap(path),
                    now,
                );
            }
        }
        for id in self.sessions.expire(now.mono_ms) {
            self.metrics.count("stale_sessions_expired", 1);
            let timeout = self.sessions.get(id).map_or(0, |s| s.timeout_ms);
            tracing::info!("Expiring session 0x{id:x}, timeout of {timeout}ms exceeded");
            self.submit(
                Origin {
                    session_id: id,
                    cxid: 0,
                    auth: &[],
                },
                Write::CloseSession,
                PendingKind::Internal,
                now,
            );
        }
    }
}

/// The response body of an applied write.
fn write_response(op: OpCode, rc: &ApplyResult) -> Response {
    let path = rc.path.clone().unwrap_or_default();
    match op {
        OpCode::Create => Response::Create(CreateResponse { path }),
        OpCode::Create2 | OpCode::CreateContainer | OpCode::CreateTtl => Response::Create2(Create2Response {
            path,
            stat: rc.stat.clone().unwrap_or_default(),
        }),
        OpCode::SetData | OpCode::SetAcl => Response::stat(rc.stat.clone().unwrap_or_default()),
        OpCode::Multi => Response::Multi(rc.multi.iter().map(multi_result).collect()),
        _ => Response::Empty,
    }
}

fn multi_result(r: &ApplyResult) -> OpResult {
    let path = r.path.clone().unwrap_or_default();
    match r.txn_type {
        OpCode::Check => OpResult::Check,
        OpCode::Create => OpResult::Create(CreateResponse { path }),
        OpCode::Create2 | OpCode::CreateTtl | OpCode::CreateContainer => OpResult::Create2(Create2Response {
            path,
            stat: r.stat.clone().unwrap_or_default(),
        }),
        OpCode::Delete | OpCode::DeleteContainer => OpResult::Delete,
        OpCode::SetData => OpResult::SetData(StatResponse {
            stat: r.stat.clone().unwrap_or_default(),
        }),
        _ => OpResult::Error(r.err),
    }
}
