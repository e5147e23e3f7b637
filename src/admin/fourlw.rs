//! The four-letter words, byte for byte in ZooKeeper 3.8's layout (`server/command/*Command.java`,
//! `ServerCnxn.dumpConnectionInfo`, `ServerStats.toString`, `ExpiryQueue.dump`,
//! `WatchManager.dumpWatches`, `Environment.list`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::json::Json;
use super::{java, AdminContext, AdminState, FourLetterConn};
use crate::server::core::{Core, Now};

/// Answers a four-letter word on connection `fourlw` (which ZooKeeper counts like any other: one
/// packet received before the answer, one sent after it). `arg` is `stmk`'s mask.
pub fn four_letter(
    word: &str,
    arg: Option<i64>,
    core: &mut Core,
    ctx: &AdminContext,
    state: &mut AdminState,
    now: Now,
    fourlw: Option<&FourLetterConn>,
) -> String {
    core.stats.packets_received += 1;
    core.metrics.count("bytes_received_count", 4);
    let out = answer(word, arg, core, ctx, state, now, fourlw);
    core.stats.packets_sent += 1;
    out
}

fn answer(
    word: &str,
    arg: Option<i64>,
    core: &mut Core,
    ctx: &AdminContext,
    state: &mut AdminState,
    now: Now,
    fourlw: Option<&FourLetterConn>,
) -> String {
    let enabled = match &ctx.four_letter_whitelist {
        None => true,
        Some(set) => set.contains(word),
    };
    if !enabled {
        return format!("{word} is not executed because it is not in the whitelist.\n");
    }
    match word {
        "ruok" => "imok".to_owned(),
        "isro" => if ctx.read_only { "ro" } else { "rw" }.to_owned(),
        "gtmk" => state.trace_mask.to_string(),
        "stmk" => {
            state.trace_mask = arg.unwrap_or(0);
            state.trace_mask.to_string()
        }
        "srvr" => stat(core, ctx, now, fourlw, false),
        "stat" => stat(core, ctx, now, fourlw, true),
        "cons" => {
            let mut out = connections(core, fourlw, false);
            out.push('\n');
            out
        }
        "crst" => {
            super::reset_connection_stats(core);
            "Connection stats reset.\n".to_owned()
        }
        "srst" => {
            super::reset_server_stats(core);
            "Server stats reset.\n".to_owned()
        }
        "conf" => conf(ctx),
        "envi" => {
            let mut out = String::from("Environment:\n");
            for (k, v) in environment() {
                let _ = writeln!(out, "{k}={v}");
            }
            out
        }
        "dirs" => format!(
            "datadir_size: {}\nlogdir_size: {}\n",
            super::data_dir_size(ctx),
            super::log_dir_size(ctx)
        ),
        "wchs" => {
            let w = &core.watches().data;
            let total: usize = w.by_path().values().map(|m| m.len()).sum();
            format!(
                "{} connections watching {} paths\nTotal watches:{}\n",
                w.connections().count(),
                w.by_path().len(),
                total
            )
        }
        "wchc" => watches_by_session(core),
        "wchp" => watches_by_path(core),
        "dump" => dump(core, now, fourlw),
        "mntr" => {
            let mut out = String::new();
            for (k, v) in monitor(core, ctx, state, now, fourlw) {
                let _ = writeln!(out, "zk_{k}\t{}", mntr_value(&v));
            }
            out
        }
        "hash" => {
            let mut out = String::new();
            for (zxid, digest) in &core.digest_log.entries {
                let _ = writeln!(out, "{}: {digest}", java::hex(*zxid));
            }
            out
        }
        _ => String::new(),
    }
}

/// `MonitorCommand.print`: integers as such, other numbers through `doubleValue()`.
fn mntr_value(v: &Json) -> String {
    match v {
        Json::Int(i) => i.to_string(),
        Json::Double(d) => java::double(*d),
        Json::Str(s) => s.clone(),
        Json::Bool(b) => b.to_string(),
        Json::Null => "null".to_owned(),
        other => other.pretty(),
    }
}

/// `mntr` / `monitor`: version and state, the server's gauges, then the metrics provider's dump.
pub fn monitor(
    core: &mut Core,
    ctx: &AdminContext,
    state: &AdminState,
    now: Now,
    fourlw: Option<&FourLetterConn>,
) -> Vec<(String, Json)> {
    let mut out = vec![
        ("version".to_owned(), Json::from(super::version_string())),
        ("server_state".to_owned(), Json::from(ctx.mode.clone())),
    ];
    let gauges = super::gauges(core, fourlw, now);
    let sets = super::quota_gauge_sets(core);
    let process = if core.metrics.is_prometheus() && ctx.export_process_metrics {
        super::metrics::process_families(state.start_wall_ms as f64 / 1000.0)
    } else {
        Vec::new()
    };
    core.metrics.dump(&gauges, &sets, &process, &mut out);
    out
}

/// `srvr` and `stat` (`StatCommand`).
fn stat(core: &Core, ctx: &AdminContext, now: Now, fourlw: Option<&FourLetterConn>, clients: bool) -> String {
    let mut out = format!("Zookeeper version: {}\n", super::version_string());
    if ctx.read_only {
        out.push_str("READ-ONLY mode; serving only read-only clients\n");
    }
    if clients {
        out.push_str("Clients:\n");
        out.push_str(&connections(core, fourlw, true));
        out.push('\n');
    }
    let (min, avg, max) = super::latency(core);
    let _ = writeln!(out, "Latency min/avg/max: {min}/{}/{max}", java::double(avg));
    let _ = writeln!(out, "Received: {}", core.stats.packets_received);
    let _ = writeln!(out, "Sent: {}", core.stats.packets_sent);
    let _ = writeln!(out, "Connections: {}", super::alive_connections(core, fourlw));
    let _ = writeln!(out, "Outstanding: {}", core.outstanding());
    let _ = writeln!(out, "Zxid: 0x{}", java::hex(core.tree().last_processed_zxid()));
    let _ = writeln!(out, "Mode: {}", ctx.mode);
    let _ = writeln!(out, "Node count: {}", super::node_count(core));
    let _ = now;
    out
}

/// One `dumpConnectionInfo` line per connection (each followed by a newline).
fn connections(core: &Core, fourlw: Option<&FourLetterConn>, brief: bool) -> String {
    let mut out = String::new();
    let mut conns: Vec<_> = core.conns().iter().collect();
    conns.sort_by_key(|(id, _)| **id);
    for (_, c) in conns {
        let st = &c.stats;
        let _ = write!(
            out,
            " {}[1](queued={},recved={},sent={}",
            super::java_socket_address(&c.peer),
            c.outstanding(),
            st.packets_received,
            st.packets_sent
        );
        if !brief {
            if let Some(sid) = c.session.filter(|s| *s != 0) {
                let _ = write!(
                    out,
                    ",sid=0x{},lop={},est={},to={}",
                    java::hex(sid),
                    if st.last_op.is_empty() { "NA" } else { st.last_op },
                    st.established_wall_ms,
                    c.timeout_ms
                );
                if st.last_cxid >= 0 {
                    let _ = write!(out, ",lcxid=0x{}", java::hex(i64::from(st.last_cxid)));
                }
                let avg = st.total_latency_ms.checked_div(st.count).unwrap_or(0);
                let min = if st.count == 0 { 0 } else { st.min_latency_ms };
                let _ = write!(
                    out,
                    ",lzxid=0x{},lresp={},llat={},minlat={min},avglat={avg},maxlat={}",
                    java::hex(st.last_zxid),
                    st.last_response_ms,
                    st.last_latency_ms,
                    st.max_latency_ms
                );
            }
        }
        out.push_str(")\n");
    }
    if let Some(f) = fourlw {
        let _ = writeln!(
            out,
            " {}[0](queued=0,recved=1,sent=0)",
            super::java_socket_address(&f.peer)
        );
    }
    out
}

/// `conf` (`ZooKeeperServer.dumpConf`).
fn conf(ctx: &AdminContext) -> String {
    let c = &ctx.conf;
    let dir = |p: &Option<std::path::PathBuf>| p.as_ref().map_or(String::new(), |p| p.display().to_string());
    let mut out = String::new();
    let _ = writeln!(out, "clientPort={}", c.client_port);
    let _ = writeln!(out, "secureClientPort={}", c.secure_client_port);
    let _ = writeln!(out, "dataDir={}", dir(&c.snap_dir));
    let _ = writeln!(out, "dataDirSize={}", super::data_dir_size(ctx));
    let _ = writeln!(out, "dataLogDir={}", dir(&c.log_dir));
    let _ = writeln!(out, "dataLogSize={}", super::log_dir_size(ctx));
    let _ = writeln!(out, "tickTime={}", c.tick_time);
    let _ = writeln!(out, "maxClientCnxns={}", c.max_client_cnxns);
    let _ = writeln!(out, "minSessionTimeout={}", c.min_session_timeout);
    let _ = writeln!(out, "maxSessionTimeout={}", c.max_session_timeout);
    let _ = writeln!(out, "clientPortListenBacklog={}", c.client_port_listen_backlog);
    let _ = writeln!(out, "serverId={}", c.server_id);
    out
}

/// Session id of a watching connection (ZooKeeper's watchers are connections).
fn conn_session(core: &Core, conn: u64) -> i64 {
    core.conns().get(&conn).and_then(|c| c.session).unwrap_or(0)
}

/// `wchc`: data watches by session, then a blank line.
fn watches_by_session(core: &Core) -> String {
    let mut out = String::new();
    for (sid, paths) in watched_paths_by_session(core) {
        let _ = writeln!(out, "0x{}", java::hex(sid));
        for p in paths {
            let _ = writeln!(out, "\t{p}");
        }
    }
    out.push('\n');
    out
}

/// `wchp`: data watches by path, then a blank line.
fn watches_by_path(core: &Core) -> String {
    let mut out = String::new();
    for (path, sids) in watching_sessions_by_path(core) {
        let _ = writeln!(out, "{path}");
        for sid in sids {
            let _ = writeln!(out, "\t0x{}", java::hex(sid));
        }
    }
    out.push('\n');
    out
}

/// The data-watch table (what ZooKeeper's `wchc`/`wchp`/`wchs` show) by session, sorted.
pub fn watched_paths_by_session(core: &Core) -> Vec<(i64, Vec<String>)> {
    let w = &core.watches().data;
    let mut conns: Vec<u64> = w.connections().collect();
    conns.sort_unstable();
    conns
        .into_iter()
        .map(|c| {
            let mut paths: Vec<String> = w.paths_of(c).cloned().collect();
            paths.sort();
            (conn_session(core, c), paths)
        })
        .collect()
}

/// The data-watch table by path, sorted.
pub fn watching_sessions_by_path(core: &Core) -> Vec<(String, Vec<i64>)> {
    let by_path: BTreeMap<&String, _> = core.watches().data.by_path().iter().collect();
    by_path
        .into_iter()
        .map(|(p, m)| {
            let mut conns: Vec<u64> = m.keys().copied().collect();
            conns.sort_unstable();
            (
                p.clone(),
                conns.into_iter().map(|c| conn_session(core, c)).collect(),
            )
        })
        .collect()
}

/// Sessionless connections expire after this long, in buckets of this size
/// (`zookeeper.nio.sessionlessCnxnTimeout`).
const CNXN_EXPIRY_MS: u64 = 10_000;

fn round_to_interval(t: u64, interval: u64) -> u64 {
    (t / interval + 1) * interval
}

/// `dump`: session expiry buckets, ephemerals per session, connection expiry buckets.
fn dump(core: &Core, now: Now, fourlw: Option<&FourLetterConn>) -> String {
    let to_wall = |mono: u64| now.wall_ms - now.mono_ms as i64 + mono as i64;
    let mut out = String::from("SessionTracker dump:\n");
    let buckets = core.sessions().buckets();
    let total: usize = buckets.values().map(|s| s.len()).sum();
    let _ = writeln!(out, "Session Sets ({})/({total}):", buckets.len());
    for (at, ids) in buckets {
        let _ = writeln!(out, "{} expire at {}:", ids.len(), java::date(to_wall(*at)));
        let mut ids: Vec<i64> = ids.iter().copied().collect();
        ids.sort_unstable();
        for id in ids {
            let _ = writeln!(out, "\t0x{}", java::hex(id));
        }
    }
    out.push_str("ephemeral nodes dump:\n");
    let eph = core.tree().ephemerals();
    let mut sids: Vec<&i64> = eph.keys().collect();
    sids.sort_unstable();
    let _ = writeln!(out, "Sessions with Ephemerals ({}):", sids.len());
    for sid in sids {
        let _ = writeln!(out, "0x{}:", java::hex(*sid));
        for p in &eph[sid] {
            let _ = writeln!(out, "\t{p}");
        }
    }
    out.push_str("Connections dump:\n");
    let mut cbuckets: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    let mut conns: Vec<_> = core.conns().iter().collect();
    conns.sort_by_key(|(id, _)| **id);
    for (_, c) in conns {
        let sid = c.session.unwrap_or(0);
        let at = match c.session.and_then(|s| core.sessions().get(s)) {
            Some(s) => round_to_interval(s.expire_at_ms, CNXN_EXPIRY_MS),
            None => round_to_interval(c.stats.established_ms + CNXN_EXPIRY_MS, CNXN_EXPIRY_MS),
        };
        cbuckets.entry(at).or_default().push(format!(
            "ip: {} sessionId: 0x{}",
            super::java_socket_address(&c.peer),
            java::hex(sid)
        ));
    }
    if let Some(f) = fourlw {
        let at = round_to_interval(f.accepted_ms + CNXN_EXPIRY_MS, CNXN_EXPIRY_MS);
        cbuckets.entry(at).or_default().push(format!(
            "ip: {} sessionId: 0x0",
            super::java_socket_address(&f.peer)
        ));
    }
    let total: usize = cbuckets.values().map(Vec::len).sum();
    let _ = writeln!(out, "Connections Sets ({})/({total}):", cbuckets.len());
    for (at, items) in cbuckets {
        let _ = writeln!(out, "{} expire at {}:", items.len(), java::date(to_wall(at)));
        for i in items {
            let _ = writeln!(out, "\t{i}");
        }
    }
    out
}

/// `Environment.list()`, with rzk's equivalents for the JVM's entries: rzk is native code, so
/// `java.version`, `java.home` and `java.compiler` are `<NA>` (ZooKeeper's own marker for a missing
/// value), `java.vendor` is `rzk`, `java.class.path` is the rzk executable, `java.library.path` is
/// `LD_LIBRARY_PATH`, and `os.memory.*` describe the machine and this process instead of a JVM heap:
/// `free` = the memory available on the machine, `max` = physical memory, `total` = rzk's resident
/// set.
pub fn environment() -> Vec<(&'static str, String)> {
    let na = || "<NA>".to_owned();
    let uts = uname();
    let (user, home) = user_info();
    let mb = |bytes: u64| format!("{}MB", bytes / (1024 * 1024));
    vec![
        ("zookeeper.version", super::version_string()),
        ("host.name", host_name()),
        ("java.version", na()),
        ("java.vendor", "rzk".to_owned()),
        ("java.home", na()),
        (
            "java.class.path",
            std::env::current_exe().map_or_else(|_| na(), |p| p.display().to_string()),
        ),
        (
            "java.library.path",
            std::env::var("LD_LIBRARY_PATH").unwrap_or_else(|_| na()),
        ),
        ("java.io.tmpdir", std::env::temp_dir().display().to_string()),
        ("java.compiler", na()),
        ("os.name", uts.0),
        ("os.arch", java_arch().to_owned()),
        ("os.version", uts.1),
        ("user.name", user),
        ("user.home", home),
        (
            "user.dir",
            std::env::current_dir().map_or_else(|_| na(), |p| p.display().to_string()),
        ),
        ("os.memory.free", mb(meminfo("MemAvailable:"))),
        ("os.memory.max", mb(meminfo("MemTotal:"))),
        ("os.memory.total", mb(resident_bytes())),
    ]
}

/// `os.arch` as the JVM names it.
fn java_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "x86" => "i386",
        other => other,
    }
}

fn cstr(buf: &[libc::c_char]) -> String {
    let bytes: Vec<u8> = buf.iter().take_while(|c| **c != 0).map(|c| *c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// (sysname, release) as `os.name` / `os.version`.
fn uname() -> (String, String) {
    // SAFETY: uname fills the struct we pass.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut u) } != 0 {
        return (std::env::consts::OS.to_owned(), String::new());
    }
    (cstr(&u.sysname), cstr(&u.release))
}

fn host_name() -> String {
    let mut buf = [0 as libc::c_char; 256];
    // SAFETY: gethostname writes at most len bytes into buf.
    if unsafe { libc::gethostname(buf.as_mut_ptr(), buf.len()) } == 0 {
        let h = cstr(&buf);
        if !h.is_empty() {
            return h;
        }
    }
    "localhost".to_owned()
}

/// (user.name, user.home) from the password database, else $USER / $HOME.
fn user_info() -> (String, String) {
    // SAFETY: getpwuid returns a pointer into static storage or null; we copy out at once.
    unsafe {
        let pw = libc::getpwuid(libc::geteuid());
        if !pw.is_null() {
            let name = std::ffi::CStr::from_ptr((*pw).pw_name)
                .to_string_lossy()
                .into_owned();
            let home = std::ffi::CStr::from_ptr((*pw).pw_dir)
                .to_string_lossy()
                .into_owned();
            return (name, home);
        }
    }
    (
        std::env::var("USER").unwrap_or_else(|_| "?".to_owned()),
        std::env::var("HOME").unwrap_or_else(|_| "?".to_owned()),
    )
}

/// A /proc/meminfo value in bytes (0 when unknown).
fn meminfo(key: &str) -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        // SAFETY: sysconf has no memory effects.
        .map_or(0, |pages| {
            pages * unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(0) as u64
        })
}
