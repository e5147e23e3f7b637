//! The server: the sans-IO `core` and the tokio shell that runs it.
//!
//! One task owns the core and feeds it events from every connection; connection tasks do the socket
//! I/O (`crate::net::conn`). The entry point takes an already-bound listener and a shutdown future, so
//! tests bind port 0 and stop the server when they are done.

pub mod core;
pub mod options;

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
}

/// Everything the running server needs.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub core: CoreOptions,
    pub limits: ConnLimits,
    /// Connections allowed per client IP (0 = unlimited).
    pub max_client_cnxns: u32,
    pub admin: AdminContext,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            core: CoreOptions::default(),
            limits: ConnLimits::default(),
            max_client_cnxns: 60,
            admin: AdminContext::default(),
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
    let tree = DataTree::new(TreeOptions {
        extended_types: opts.core.request.extended_types,
    });
    let core = Core::new(opts.core.clone(), tree, clock.now());
    let (tx, rx) = mpsc::channel::<Event>(4096);
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
    drop(tx);
    let result = run_core(core, rx, clock, opts, shutdown).await;
    accept.abort();
    result
}

async fn run_core(
    mut core: Core,
    mut rx: mpsc::Receiver<Event>,
    clock: Clock,
    opts: ServerOptions,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut handles: HashMap<ConnId, ConnHandle> = HashMap::new();
    let tick_every = std::time::Duration::from_millis(opts.core.tick_ms.clamp(1, 50));
    let mut tick = tokio::time::interval(tick_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    let mut closing: HashSet<ConnId> = HashSet::new();
    loop {
        tokio::select! {
            ev = rx.recv() => {
                let Some(ev) = ev else { break };
                handle_event(&mut core, &mut handles, &clock, &opts, ev);
                for _ in 0..1024 {
                    match rx.try_recv() {
                        Ok(ev) => handle_event(&mut core, &mut handles, &clock, &opts, ev),
                        Err(_) => break,
                    }
                }
            }
            _ = tick.tick() => core.tick(clock.now()),
            _ = &mut shutdown => break,
        }
        flush(&mut core, &mut handles, &mut closing, &clock);
    }
    tracing::info!("shutting down");
    for h in handles.values() {
        h.close();
    }
    Ok(())
}

fn handle_event(
    core: &mut Core,
    handles: &mut HashMap<ConnId, ConnHandle>,
    clock: &Clock,
    opts: &ServerOptions,
    ev: Event,
) {
    let now = clock.now();
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
            peer: _,
            handle,
        } => {
            let text = admin::four_letter(word, arg, core, &opts.admin, now);
            handle.send(Bytes::from(text), false);
            handle.close();
        }
    }
}

/// Executes the core's outputs. Until the txn log lands, txns are durable as soon as they are handed
/// over (an in-memory log), so applying follows immediately.
fn flush(
    core: &mut Core,
    handles: &mut HashMap<ConnId, ConnHandle>,
    closing: &mut HashSet<ConnId>,
    clock: &Clock,
) {
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
                Output::Persist(entry) => durable = Some(entry.header.zxid),
            }
        }
        if let Some(z) = durable {
            core.durable(z, clock.now());
        }
    }
    closing.retain(|c| handles.contains_key(c));
}
