//! The server: the sans-IO `core` and the tokio shell that runs it.
//!
//! One task owns the core and feeds it events from every connection; connection tasks do the socket
//! I/O (`crate::net::conn`). The entry point takes an already-bound listener and a shutdown future, so
//! tests bind port 0 and stop the server when they are done.

pub mod core;
pub mod options;
pub mod reaper;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use jute::proto::ConnectRequest;
use jute::OpCode;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use self::core::{Core, CoreOptions, Now, Output};
use crate::admin::{self, AdminContext};
use crate::net::conn::{self, is_reply, ConnHandle, ConnLimits};
use crate::storage::{self, Committer, LogEvent, StorageOptions};
use crate::tree::{DataTree, TreeOptions};
use crate::watch::ConnId;

/// What connection tasks tell the core task.
pub enum Event {
    Accept {
        conn: ConnId,
        peer: SocketAddr,
        handle: ConnHandle,
    },
    Connect {
        conn: ConnId,
        req: ConnectRequest,
    },
    Packet {
        conn: ConnId,
        xid: i32,
        op: OpCode,
        body: Bytes,
    },
    Closed {
        conn: ConnId,
    },
    FourLetter {
        conn: ConnId,
        word: &'static str,
        arg: Option<i64>,
        peer: SocketAddr,
        handle: ConnHandle,
    },
    Log(LogEvent),
    SnapshotWritten(Result<std::path::PathBuf, String>),
    /// An AdminServer or Prometheus HTTP request, answered from the core task's state.
    Admin {
        query: admin::http::AdminQuery,
        reply: tokio::sync::oneshot::Sender<admin::http::AdminReply>,
    },
}

/// Everything the running server needs.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub core: CoreOptions,
    pub limits: ConnLimits,
    /// Connections allowed per client IP (0 = unlimited).
    pub max_client_cnxns: u32,
    pub admin: AdminContext,
    /// `None`: keep everything in memory (tests); otherwise the data and log directories.
    pub storage: Option<StorageOptions>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            core: CoreOptions::default(),
            limits: ConnLimits::default(),
            max_client_cnxns: 60,
            admin: AdminContext::default(),
            storage: None,
        }
    }
}

struct Clock {
    start: Instant,
}

impl Clock {
    fn now(&self) -> Now {
        let wall_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        Now {
            wall_ms,
            mono_ms: self.start.elapsed().as_millis() as u64,
        }
    }
}

/// Serves clients on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    opts: ServerOptions,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let clock = Clock {
        start: Instant::now(),
    };
    let (tx, rx) = mpsc::channel::<Event>(4096);
    let tree_opts = TreeOptions {
        extended_types: opts.core.request.extended_types,
    };
    let mut committer = None;
    let db_init = Instant::now();
    let mut core = match &opts.storage {
        None => Core::new(opts.core.clone(), DataTree::new(tree_opts), clock.now()),
        Some(st) => {
            let mut st = st.clone();
            st.tree = tree_opts;
            let rec = storage::recover(&st).map_err(std::io::Error::other)?;
            if rec.needs_snapshot {
                let path =
                    storage::write_snapshot(&st, &rec.tree, &rec.sessions).map_err(std::io::Error::other)?;
                tracing::info!(
                    "Snapshotting: 0x{:x} to {}",
                    rec.tree.last_processed_zxid(),
                    path.display()
                );
            }
            let mut core = Core::new(opts.core.clone(), rec.tree, clock.now());
            for (id, timeout) in rec.sessions {
                core.restore_session(id, timeout, clock.now());
            }
            if st.autopurge_interval_hours > 0 {
                let (snap_dir, log_dir, retain) =
                    (st.snap_dir.clone(), st.log_dir.clone(), st.autopurge_retain);
                let every = std::time::Duration::from_secs(u64::from(st.autopurge_interval_hours) * 3600);
                tracing::info!(
                    "autopurge.snapRetainCount set to {retain}, purgeInterval {}h",
                    st.autopurge_interval_hours
                );
                tokio::spawn(async move {
                    let mut t = tokio::time::interval(every);
                    loop {
                        t.tick().await;
                        let (s, l) = (snap_dir.clone(), log_dir.clone());
                        match tokio::task::spawn_blocking(move || storage::purge::purge(&s, &l, retain)).await
                        {
                            Ok(Ok(p)) => tracing::info!(
                                "Purge task completed: {} snapshots and {} logs removed",
                                p.snapshots.len(),
                                p.logs.len()
                            ),
                            Ok(Err(e)) => tracing::warn!("purge failed: {e}"),
                            Err(_) => {}
                        }
                    }
                });
            }
            let log_tx = tx.clone();
            committer = Some(Committer::start(&st, move |ev| {
                let _ = log_tx.blocking_send(Event::Log(ev));
            }));
            core
        }
    };
    core.metrics
        .observe("dbinittime", db_init.elapsed().as_millis() as i64);
    core.metrics.set_prometheus(opts.admin.prometheus.is_some());
    let http_tasks = admin::http::start(&opts.admin, &tx).await;
    let local = listener.local_addr()?;
    tracing::info!("binding to port {local}");
    let per_ip: Arc<Mutex<HashMap<IpAddr, u32>>> = Arc::default();
    let accept = {
        let tx = tx.clone();
        let opts = opts.clone();
        tokio::spawn(async move {
            let mut next_conn: ConnId = 1;
            loop {
                let (stream, peer) = match listener.accept().await {
                    Ok(x) => x,
                    Err(e) => {
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                        continue;
                    }
                };
                if opts.max_client_cnxns > 0 {
                    let mut m = per_ip.lock().unwrap_or_else(|p| p.into_inner());
                    let n = m.entry(peer.ip()).or_insert(0);
                    if *n >= opts.max_client_cnxns {
                        tracing::warn!(
                            "Too many connections from {} - max is {}",
                            peer.ip(),
                            opts.max_client_cnxns
                        );
                        drop(stream);
                        continue;
                    }
                    *n += 1;
                }
                let conn = next_conn;
                next_conn += 1;
                let tx = tx.clone();
                let limits = opts.limits.clone();
                let per_ip = per_ip.clone();
                let limited = opts.max_client_cnxns > 0;
                tokio::spawn(async move {
                    conn::serve(conn, stream, peer, tx, limits).await;
                    if limited {
                        let mut m = per_ip.lock().unwrap_or_else(|p| p.into_inner());
                        if let Some(n) = m.get_mut(&peer.ip()) {
                            *n = n.saturating_sub(1);
                            if *n == 0 {
                                m.remove(&peer.ip());
                            }
                        }
                    }
                });
            }
        })
    };
    let result = run_core(core, rx, tx, clock, opts, committer.as_ref(), shutdown).await;
    accept.abort();
    for t in http_tasks {
        t.abort();
    }
    if let Some(c) = committer {
        tokio::task::spawn_blocking(move || c.shutdown())
            .await
            .map_err(std::io::Error::other)?;
    }
    result
}

/// The core task's state besides the core.
struct Shell<'a> {
    handles: HashMap<ConnId, ConnHandle>,
    committer: Option<&'a Committer>,
    /// A snapshot is being written (one at a time, as ZooKeeper).
    snapshotting: bool,
    failed: Option<String>,
    events: mpsc::Sender<Event>,
    /// Trace mask and other state of the admin views.
    admin: admin::AdminState,
    /// When the snapshot being written was started (`snapshottime`).
    snapshot_started: Option<Instant>,
    /// A snapshot being serialized a slice per loop turn, between requests.
    snapshot_job: Option<(storage::snapshot::FuzzySnapshot, StorageOptions)>,
}

/// Nodes serialized per core-loop turn while a snapshot is in progress.
const SNAPSHOT_SLICE: usize = 10_000;

async fn run_core(
    mut core: Core,
    mut rx: mpsc::Receiver<Event>,
    events: mpsc::Sender<Event>,
    clock: Clock,
    opts: ServerOptions,
    committer: Option<&Committer>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut sh = Shell {
        handles: HashMap::new(),
        committer,
        snapshotting: false,
        failed: None,
        events,
        admin: admin::AdminState {
            start_wall_ms: clock.now().wall_ms,
            ..admin::AdminState::default()
        },
        snapshot_started: None,
        snapshot_job: None,
    };
    let tick_every = std::time::Duration::from_millis(opts.core.tick_ms.clamp(1, 50));
    let mut tick = tokio::time::interval(tick_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    let mut closing: HashSet<ConnId> = HashSet::new();
    loop {
        tokio::select! {
            ev = rx.recv() => {
                let Some(ev) = ev else { break };
                handle_event(&mut core, &mut sh, &clock, &opts, ev);
                for _ in 0..1024 {
                    match rx.try_recv() {
                        Ok(ev) => handle_event(&mut core, &mut sh, &clock, &opts, ev),
                        Err(_) => break,
                    }
                }
            }
            _ = tick.tick() => core.tick(clock.now()),
            _ = &mut shutdown => break,
            // Keep turning while a snapshot is being serialized.
            _ = tokio::task::yield_now(), if sh.snapshot_job.is_some() => {}
        }
        flush(&mut core, &mut sh, &mut closing, &clock);
        snapshot_slice(&core, &mut sh);
        if let Some(msg) = sh.failed.take() {
            tracing::error!("{msg}; stopping");
            for h in sh.handles.values() {
                h.close();
            }
            return Err(std::io::Error::other(msg));
        }
    }
    tracing::info!("shutting down");
    for h in sh.handles.values() {
        h.close();
    }
    Ok(())
}

fn handle_event(core: &mut Core, sh: &mut Shell<'_>, clock: &Clock, opts: &ServerOptions, ev: Event) {
    let now = clock.now();
    let handles = &mut sh.handles;
    match ev {
        Event::Accept { conn, peer, handle } => {
            handles.insert(conn, handle);
            core.accept(conn, peer, now);
        }
        Event::Connect { conn, req } => core.connect(conn, req, now),
        Event::Packet { conn, xid, op, body } => core.packet(conn, xid, op, body, now),
        Event::Closed { conn } => {
            handles.remove(&conn);
            core.closed(conn);
        }
        Event::FourLetter {
            conn: _,
            word,
            arg,
            peer,
            handle,
        } => {
            let me = admin::FourLetterConn {
                peer,
                accepted_ms: now.mono_ms,
            };
            let text = admin::four_letter(word, arg, core, &opts.admin, &mut sh.admin, now, Some(&me));
            handle.send(Bytes::from(text), false);
            handle.close();
        }
        Event::Log(LogEvent::Durable(zxid)) => core.durable(zxid, now),
        Event::Log(LogEvent::Failed(msg)) => sh.failed = Some(msg),
        Event::Log(LogEvent::SnapshotDue) => {
            let Some(st) = opts.storage.clone() else { return };
            if sh.snapshotting {
                tracing::warn!("Too busy to snap, skipping");
                return;
            }
            sh.snapshotting = true;
            sh.snapshot_started = Some(Instant::now());
            // A fuzzy snapshot: serialized a slice per loop turn (snapshot_slice), written on a thread.
            let mut sessions: Vec<(i64, i32)> =
                core.applied_sessions().iter().map(|(k, v)| (*k, *v)).collect();
            sessions.sort_unstable();
            let job = storage::snapshot::FuzzySnapshot::start(core.tree(), sessions, st.digest_enabled);
            tracing::info!("Creating snapshot 0x{:x}", job.zxid());
            sh.snapshot_job = Some((job, st));
        }
        Event::Admin { query, reply } => {
            let _ = reply.send(admin::http::answer(query, core, &opts.admin, &mut sh.admin, now));
        }
        Event::SnapshotWritten(r) => {
            sh.snapshotting = false;
            if let (Some(t), Ok(_)) = (sh.snapshot_started.take(), &r) {
                core.metrics
                    .observe("snapshottime", t.elapsed().as_millis() as i64);
            }
            match r {
                Ok(p) => tracing::info!("Snapshot written: {}", p.display()),
                Err(e) => tracing::error!("snapshot failed: {e}"),
            }
        }
    }
}

/// Serializes the next slice of a snapshot in progress; hands a finished one to a writer thread.
fn snapshot_slice(core: &Core, sh: &mut Shell<'_>) {
    let Some((job, _)) = sh.snapshot_job.as_mut() else {
        return;
    };
    if !job.step(core.tree(), SNAPSHOT_SLICE) {
        return;
    }
    let Some((job, st)) = sh.snapshot_job.take() else {
        return;
    };
    let (zxid, bytes) = job.finish(core.tree());
    let events = sh.events.clone();
    std::thread::spawn(move || {
        let r = storage::snapshot::write_file(&st.snap_dir, zxid, &bytes, st.compression)
            .map_err(|e| e.to_string());
        let _ = events.blocking_send(Event::SnapshotWritten(r));
    });
}

/// Executes the core's outputs. Until the txn log lands, txns are durable as soon as they are handed
/// over (an in-memory log), so applying follows immediately.
fn flush(core: &mut Core, sh: &mut Shell<'_>, closing: &mut HashSet<ConnId>, clock: &Clock) {
    let handles = &mut sh.handles;
    loop {
        let outputs = core.take_outputs();
        if outputs.is_empty() {
            break;
        }
        let mut durable = None;
        for o in outputs {
            match o {
                Output::Send(conn, bytes) => {
                    if let Some(h) = handles.get(&conn) {
                        let reply = is_reply(&bytes);
                        h.send(bytes, reply);
                    }
                }
                Output::Close(conn) => {
                    if let Some(h) = handles.get(&conn) {
                        h.close();
                    }
                    closing.insert(conn);
                }
                Output::Persist(entry) => match sh.committer {
                    Some(c) => c.append(entry),
                    None => durable = Some(entry.header.zxid),
                },
            }
        }
        if let Some(z) = durable {
            core.durable(z, clock.now());
        }
    }
    closing.retain(|c| handles.contains_key(c));
}
