//! Operator views of the running server, in ZooKeeper 3.8's formats so existing monitoring parses them
//! unchanged: the four-letter words (`fourlw`), the AdminServer's JSON commands (`commands`, served
//! over HTTP by `http`) and the Prometheus `/metrics` text (`metrics`).
//!
//! Everything here renders from the core task's state (`Core`, its `ServerMetrics`, the static
//! `AdminContext` and the mutable `AdminState`); the HTTP listeners only forward requests to the core
//! task and wait for the answer, so nothing touches the core from another thread.

pub mod commands;
pub mod fourlw;
pub mod http;
pub mod java;
pub mod json;
pub mod metrics;

use std::collections::{BTreeSet, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use crate::server::core::{Core, Now};

pub use fourlw::four_letter;

/// The ZooKeeper version whose protocol rzk speaks, with rzk's own version appended (clients parse the
/// leading `major.minor.patch` for feature detection).
pub fn version_string() -> String {
    format!(
        "3.8.5-rzk-{}, built on 1970-01-01 00:00 UTC",
        env!("CARGO_PKG_VERSION")
    )
}

/// The trace mask a fresh ZooKeeper reports (`ZooTrace`'s default text trace level).
pub const DEFAULT_TRACE_MASK: i64 = 306;

/// What `conf` / `configuration` print.
#[derive(Debug, Clone, Default)]
pub struct ConfFacts {
    /// `clientPort`, -1 when none.
    pub client_port: i64,
    pub secure_client_port: i64,
    /// `<dataDir>/version-2` (snapshots); None when running in memory.
    pub snap_dir: Option<PathBuf>,
    /// `<dataLogDir>/version-2` (txn logs).
    pub log_dir: Option<PathBuf>,
    pub tick_time: i64,
    pub max_client_cnxns: i64,
    pub min_session_timeout: i64,
    pub max_session_timeout: i64,
    pub client_port_listen_backlog: i64,
    /// 0 on a standalone server, as ZooKeeper prints it.
    pub server_id: i64,
}

/// Static facts the admin views print.
#[derive(Debug, Clone)]
pub struct AdminContext {
    /// Enabled four-letter words; `None` = all (`*`).
    pub four_letter_whitelist: Option<BTreeSet<String>>,
    pub conf: ConfFacts,
    pub mode: String,
    pub read_only: bool,
    /// The zoo.cfg text (`initial_configuration`).
    pub initial_configuration: String,
    /// The system properties rzk resolved (`-D` flags and zoo.cfg's `zookeeper.*`), sorted.
    pub system_properties: Vec<(String, String)>,
    /// `metricsProvider.exportJvmInfo`: add the process_* families to Prometheus.
    pub export_process_metrics: bool,
    /// The AdminServer listener, when `admin.enableServer` is not false.
    pub admin_server: Option<AdminServerOptions>,
    /// `host:port` of the Prometheus `/metrics` listener, when that provider is configured.
    pub prometheus: Option<String>,
    /// Where the HTTP listeners actually bound (port 0 in tests).
    pub bound: BoundAddrs,
}

/// The addresses the HTTP listeners bound, by endpoint (`"admin"`, `"prometheus"`).
#[derive(Debug, Clone, Default)]
pub struct BoundAddrs(std::sync::Arc<std::sync::Mutex<Vec<(&'static str, SocketAddr)>>>);

impl BoundAddrs {
    pub fn record(&self, what: &'static str, addr: SocketAddr) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((what, addr));
    }

    pub fn get(&self, what: &str) -> Option<SocketAddr> {
        let v = self.0.lock().unwrap_or_else(|p| p.into_inner());
        v.iter().find(|(w, _)| *w == what).map(|(_, a)| *a)
    }
}

/// Where the AdminServer listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminServerOptions {
    /// `host:port` (`admin.serverAddress`, `admin.serverPort`).
    pub address: String,
    /// `admin.commandURL`.
    pub command_url: String,
}

/// `host:port`, bracketing an IPv6 host.
pub fn host_port(host: &str, port: u16) -> String {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

impl Default for AdminContext {
    fn default() -> Self {
        Self {
            four_letter_whitelist: Some(["srvr".to_owned()].into_iter().collect()),
            conf: ConfFacts {
                client_port: -1,
                secure_client_port: -1,
                tick_time: 2000,
                max_client_cnxns: 60,
                min_session_timeout: 4000,
                max_session_timeout: 40000,
                client_port_listen_backlog: -1,
                ..ConfFacts::default()
            },
            mode: "standalone".to_owned(),
            read_only: false,
            initial_configuration: String::new(),
            system_properties: Vec::new(),
            export_process_metrics: true,
            admin_server: None,
            prometheus: None,
            bound: BoundAddrs::default(),
        }
    }
}

/// Mutable server-wide admin state, owned by the core task.
#[derive(Debug, Clone)]
pub struct AdminState {
    /// `gtmk` / `stmk` (ZooKeeper's `ZooTrace` text trace level).
    pub trace_mask: i64,
    /// Wall-clock ms when the server started (Prometheus `process_start_time_seconds`).
    pub start_wall_ms: i64,
}

impl Default for AdminState {
    fn default() -> Self {
        Self {
            trace_mask: DEFAULT_TRACE_MASK,
            start_wall_ms: 0,
        }
    }
}

/// `BufferStats` (last/min/max client response size; -1 until the first response).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferStats {
    pub last: i64,
    pub min: i64,
    pub max: i64,
}

impl Default for BufferStats {
    fn default() -> Self {
        Self {
            last: -1,
            min: -1,
            max: -1,
        }
    }
}

impl BufferStats {
    pub fn record(&mut self, size: i64) {
        self.last = size;
        if self.min == -1 || size < self.min {
            self.min = size;
        }
        if size > self.max {
            self.max = size;
        }
    }

    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

/// ZooKeeper's digest history (`DataTree.digestLog`): the tree digest after every 128th zxid, the last
/// 1024 kept; the `hash` 4lw and command list it.
#[derive(Debug, Clone, Default)]
pub struct DigestLog {
    pub entries: VecDeque<(i64, i64)>,
}

impl DigestLog {
    pub const INTERVAL: i64 = 128;
    pub const LIMIT: usize = 1024;

    /// Called with each applied txn's zxid and the tree digest after it.
    pub fn applied(&mut self, zxid: i64, digest: i64) {
        if zxid % Self::INTERVAL == 0 {
            self.entries.push_back((zxid, digest));
            if self.entries.len() > Self::LIMIT {
                self.entries.pop_front();
            }
        }
    }
}

/// The top-level path component (`PathUtils.getTopNamespace`), None for `/`.
pub fn top_namespace(path: &str) -> Option<&str> {
    let mut parts = path.split('/');
    parts.next()?;
    parts.next().filter(|_| path.len() > 1)
}

/// `DataTree.STAT_OVERHEAD_BYTES`.
const STAT_OVERHEAD_BYTES: i64 = 6 * 8 + 5 * 4;

/// `read_per_namespace` for a successful getData / getChildren(2) (`DataTree.updateReadStat`).
pub fn record_read(m: &mut metrics::ServerMetrics, req: &jute::Request, resp: &jute::Response) {
    use jute::{Request as Q, Response as R};
    let (path, bytes) = match (req, resp) {
        (Q::GetData(r), R::GetData(d)) => (&r.path, d.data.as_ref().map_or(0, |b| b.len())),
        (Q::GetChildren(r), R::GetChildren(c)) => (&r.path, c.children.iter().map(String::len).sum()),
        (Q::GetChildren2(r), R::GetChildren2(c)) => (&r.path, c.children.iter().map(String::len).sum()),
        _ => return,
    };
    if let Some(ns) = top_namespace(path) {
        let total = path.len() as i64 + bytes as i64 + STAT_OVERHEAD_BYTES;
        m.observe_set("read_per_namespace", ns, total);
    }
}

/// `write_per_namespace` for an applied create / delete / setData (`DataTree.updateWriteStat`).
pub fn record_write(m: &mut metrics::ServerMetrics, path: &str, data_bytes: usize) {
    if let Some(ns) = top_namespace(path) {
        m.observe_set("write_per_namespace", ns, (path.len() + data_bytes) as i64);
    }
}

/// `write_per_namespace` for an applied tree change.
pub fn record_change(m: &mut metrics::ServerMetrics, tree: &crate::tree::DataTree, ch: &crate::tree::Change) {
    use crate::tree::Change;
    match ch {
        Change::Created { path, .. } | Change::DataChanged { path, .. } => {
            let len = tree.get(path).map_or(0, |n| n.data_len());
            record_write(m, path, len);
        }
        Change::Deleted { path, .. } => record_write(m, path, 0),
    }
}

/// `node_*_watch_count`: how many watchers one trigger reached (ZooKeeper skips empty triggers).
pub fn record_watch_fired(m: &mut metrics::ServerMetrics, ty: jute::EventType, n: usize) {
    use jute::EventType as E;
    if n == 0 {
        return;
    }
    let name = match ty {
        E::NodeCreated => "node_created_watch_count",
        E::NodeDeleted => "node_deleted_watch_count",
        E::NodeDataChanged => "node_changed_watch_count",
        E::NodeChildrenChanged => "node_children_watch_count",
        _ => return,
    };
    m.observe(name, n as i64);
}

/// Java's `InetSocketAddress.toString()` for an unresolved peer: `/127.0.0.1:5000`,
/// `/[0:0:0:0:0:0:0:1]:5000`.
pub fn java_socket_address(a: &SocketAddr) -> String {
    format!("/{}", jackson_socket_address(a))
}

/// Jackson's `InetSocketAddressSerializer`: `127.0.0.1:5000`, `[0:0:0:0:0:0:0:1]:5000`.
pub fn jackson_socket_address(a: &SocketAddr) -> String {
    match a.ip() {
        IpAddr::V4(ip) => format!("{ip}:{}", a.port()),
        IpAddr::V6(ip) => {
            let segs: Vec<String> = ip.segments().iter().map(|s| format!("{s:x}")).collect();
            format!("[{}]:{}", segs.join(":"), a.port())
        }
    }
}

/// Recursive size of a directory's files (`ZooKeeperServer.getDirSize`), 0 when missing.
pub fn dir_size(path: &Path) -> u64 {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => std::fs::read_dir(path)
            .map(|rd| rd.flatten().map(|e| dir_size(&e.path())).sum())
            .unwrap_or(0),
        Ok(m) => m.len(),
        Err(_) => 0,
    }
}

/// `ZooKeeperServer.getDataDirSize()`. As in ZooKeeper 3.8 this is the size of the *txn log*
/// directory (`FileTxnSnapLog.getDataDir()`), and `log_dir_size` that of the snapshot directory;
/// the two are equal when dataLogDir is not set.
pub fn data_dir_size(ctx: &AdminContext) -> u64 {
    ctx.conf.log_dir.as_deref().map_or(0, dir_size)
}

/// `ZooKeeperServer.getLogDirSize()` (the snapshot directory; see `data_dir_size`).
pub fn log_dir_size(ctx: &AdminContext) -> u64 {
    ctx.conf.snap_dir.as_deref().map_or(0, dir_size)
}

/// The four-letter-word connection being answered, which ZooKeeper counts and lists like any other
/// connection (it has received its 4 bytes and sent nothing yet).
#[derive(Debug, Clone, Copy)]
pub struct FourLetterConn {
    pub peer: SocketAddr,
    /// Mono ms when it was accepted.
    pub accepted_ms: u64,
}

/// Connections as ZooKeeper's factory lists them: the core's client connections by id, then the
/// four-letter-word connection.
pub fn alive_connections(core: &Core, fourlw: Option<&FourLetterConn>) -> usize {
    core.conns().len() + usize::from(fourlw.is_some())
}

/// The gauges ZooKeeperServer registers, in `mntr` order.
pub fn gauges(core: &Core, fourlw: Option<&FourLetterConn>, now: Now) -> Vec<(&'static str, json::Json)> {
    use json::Json;
    let s = &core.stats;
    let t = core.tree();
    let (min, avg, max) = latency(core);
    let mut out = Vec::with_capacity(metrics::GAUGES.len());
    for name in metrics::GAUGES {
        let v = match *name {
            "ephemerals_count" => Json::from(t.ephemeral_count()),
            "num_alive_connections" => Json::from(alive_connections(core, fourlw)),
            "avg_latency" => Json::Double(avg),
            "outstanding_requests" => Json::from(core.outstanding()),
            "znode_count" => Json::from(node_count(core)),
            "global_sessions" => Json::from(core.sessions().len()),
            "non_mtls_remote_conn_count" | "non_mtls_local_conn_count" => Json::Int(0),
            "last_client_response_size" => Json::Int(s.client_response.last),
            "max_client_response_size" => Json::Int(s.client_response.max),
            "min_client_response_size" => Json::Int(s.client_response.min),
            "packets_sent" => Json::from(s.packets_sent),
            "packets_received" => Json::from(s.packets_received),
            "connection_drop_probability" => Json::Double(0.0),
            "watch_count" => Json::from(core.watches().watch_count()),
            "auth_failed_count" => Json::from(s.auth_failed),
            "min_latency" => Json::Int(min),
            "max_latency" => Json::Int(max),
            "max_file_descriptor_count" => Json::Int(metrics::max_fds()),
            "open_file_descriptor_count" => Json::Int(metrics::open_fds()),
            "approximate_data_size" => Json::from(t.approximate_data_size()),
            "local_sessions" => Json::Int(0),
            "uptime" => Json::from(now.mono_ms),
            "outstanding_tls_handshake" => Json::Int(0),
            _ => Json::Int(0),
        };
        out.push((*name, v));
    }
    out
}

/// Per-namespace quota limits and usage (`QuotaMetricsUtils`), from `/zookeeper/quota`.
pub fn quota_gauge_sets(core: &Core) -> Vec<(&'static str, Vec<(String, i64)>)> {
    let t = core.tree();
    let mut sets: Vec<(&'static str, Vec<(String, i64)>)> =
        metrics::GAUGE_SETS.iter().map(|n| (*n, Vec::new())).collect();
    let mut add = |i: usize, ns: &str, v: i64| {
        let set = &mut sets[i].1;
        match set.iter_mut().find(|(k, _)| k == ns) {
            Some(e) => e.1 += v,
            None => set.push((ns.to_owned(), v)),
        }
    };
    // Leaves under /zookeeper/quota named zookeeper_limits / zookeeper_stats, as ZooKeeper walks them.
    let mut stack = vec!["/zookeeper/quota".to_owned()];
    while let Some(p) = stack.pop() {
        let Some(node) = t.get(&p) else { continue };
        if !node.children.is_empty() {
            stack.extend(node.children.iter().map(|c| format!("{p}/{c}")));
            continue;
        }
        let Some((_, kind)) = crate::tree::quota::quota_node_target(&p) else {
            continue;
        };
        let trimmed = crate::tree::quota::trim_quota_path(&p).unwrap_or_default();
        let Some(ns) = top_namespace(trimmed) else {
            continue;
        };
        let Some(data) = node.data.as_ref() else { continue };
        let Ok(st) = crate::tree::quota::StatsTrack::parse_bytes(data) else {
            continue;
        };
        let hard_or = |hard: i64, soft: i64| if hard > -1 { hard } else { soft };
        match kind {
            crate::tree::quota::QuotaNode::Limits => {
                add(0, ns, hard_or(st.count_hard_limit(), st.count()));
                add(1, ns, hard_or(st.byte_hard_limit(), st.bytes()));
            }
            crate::tree::quota::QuotaNode::Stats => {
                add(2, ns, st.count());
                add(3, ns, st.bytes());
            }
        }
    }
    sets
}

/// ZooKeeper's node count (its node map holds the root twice, as "" and "/").
pub fn node_count(core: &Core) -> usize {
    core.tree().node_count() + 1
}

/// min, avg (4 decimals), max request latency (`ServerStats`).
pub fn latency(core: &Core) -> (i64, f64, i64) {
    let s = &core.stats;
    if s.count == 0 {
        return (0, 0.0, 0);
    }
    (
        s.min_latency_ms as i64,
        java::avg4(s.total_latency_ms as i64, s.count),
        s.max_latency_ms as i64,
    )
}

/// `srst`: `ServerStats.reset()` (latency, packet counters, response sizes, all metrics).
pub fn reset_server_stats(core: &mut Core) {
    let s = &mut core.stats;
    s.packets_received = 0;
    s.packets_sent = 0;
    s.min_latency_ms = 0;
    s.max_latency_ms = 0;
    s.total_latency_ms = 0;
    s.count = 0;
    s.client_response.reset();
    core.metrics.reset();
}

/// `crst`: every connection's statistics.
pub fn reset_connection_stats(core: &mut Core) {
    core.reset_conn_stats();
}

#[cfg(test)]
mod tests;
