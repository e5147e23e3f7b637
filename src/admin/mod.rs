//! Four-letter words (and, later, the AdminServer): text views of the running server, in ZooKeeper's
//! formats so existing monitoring parses them.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::server::core::{Core, Now};

/// The ZooKeeper version whose protocol rzk speaks, with rzk's own version appended (clients parse the
/// leading `major.minor.patch` for feature detection).
pub fn version_string() -> String {
    format!(
        "3.8.5-rzk-{}, built on 1970-01-01 00:00 UTC",
        env!("CARGO_PKG_VERSION")
    )
}

/// Static facts the admin views print.
#[derive(Debug, Clone)]
pub struct AdminContext {
    /// Enabled four-letter words; `None` = all (`*`).
    pub four_letter_whitelist: Option<BTreeSet<String>>,
    /// `key=value` lines of the `conf` command.
    pub conf_lines: Vec<(String, String)>,
    pub mode: String,
    pub read_only: bool,
}

impl Default for AdminContext {
    fn default() -> Self {
        Self {
            four_letter_whitelist: Some(["srvr".to_owned()].into_iter().collect()),
            conf_lines: Vec::new(),
            mode: "standalone".to_owned(),
            read_only: false,
        }
    }
}

/// Java's `Double.toString` for the small non-negative values latency averages take.
fn java_double(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e7 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}

fn latency_line(core: &Core) -> String {
    let s = &core.stats;
    let avg = if s.count == 0 {
        0.0
    } else {
        (s.total_latency_ms as f64 / s.count as f64 * 10000.0).round() / 10000.0
    };
    format!(
        "Latency min/avg/max: {}/{}/{}\n",
        if s.count == 0 { 0 } else { s.min_latency_ms },
        java_double(avg),
        s.max_latency_ms
    )
}

fn server_stats(core: &Core, ctx: &AdminContext) -> String {
    let mut out = latency_line(core);
    let _ = writeln!(out, "Received: {}", core.stats.packets_received);
    let _ = writeln!(out, "Sent: {}", core.stats.packets_sent);
    let _ = writeln!(out, "Connections: {}", core.conns().len());
    let _ = writeln!(out, "Outstanding: {}", core.outstanding());
    let _ = writeln!(out, "Zxid: 0x{:x}", core.tree().last_processed_zxid());
    let _ = writeln!(out, "Mode: {}", ctx.mode);
    // ZooKeeper's node map holds the root twice ("" and "/").
    let _ = writeln!(out, "Node count: {}", core.tree().node_count() + 1);
    out
}

fn connection_lines(core: &Core, brief: bool, now: Now) -> String {
    let mut out = String::new();
    let mut conns: Vec<_> = core.conns().iter().collect();
    conns.sort_by_key(|(id, _)| **id);
    for (_, c) in conns {
        let st = &c.stats;
        let _ = write!(
            out,
            " /{}[1](queued={},recved={},sent={}",
            c.peer,
            c.outstanding(),
            st.packets_received,
            st.packets_sent
        );
        if !brief {
            if let Some(s) = c.session {
                let _ = write!(
                    out,
                    ",sid=0x{s:x},lop={},est={},to={}",
                    if st.last_op.is_empty() { "NA" } else { st.last_op },
                    st.established_ms,
                    c.timeout_ms
                );
                let _ = write!(out, ",lcxid=0x{:x},lzxid=0x{:x}", st.last_cxid, st.last_zxid);
                let avg = st.total_latency_ms.checked_div(st.count).unwrap_or(0);
                let min = if st.count == 0 { 0 } else { st.min_latency_ms };
                let _ = write!(
                    out,
                    ",lresp={},llat={},minlat={},avglat={},maxlat={}",
                    st.last_response_ms, st.last_latency_ms, min, avg, st.max_latency_ms
                );
            }
        }
        let _ = writeln!(out, ")");
        let _ = now;
    }
    out
}

/// Answers a four-letter word.
pub fn four_letter(word: &str, arg: Option<i64>, core: &Core, ctx: &AdminContext, now: Now) -> String {
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
        "srvr" => format!(
            "Zookeeper version: {}\n{}",
            version_string(),
            server_stats(core, ctx)
        ),
        "stat" => {
            let mut out = format!("Zookeeper version: {}\nClients:\n", version_string());
            for line in connection_lines(core, true, now).lines() {
                let _ = writeln!(out, "{line}\n");
            }
            out.push('\n');
            out.push_str(&server_stats(core, ctx));
            out
        }
        "cons" => {
            let mut out = String::new();
            for line in connection_lines(core, false, now).lines() {
                let _ = writeln!(out, "{line}\n");
            }
            out.push('\n');
            out
        }
        "conf" => {
            let mut out = String::new();
            for (k, v) in &ctx.conf_lines {
                let _ = writeln!(out, "{k}={v}");
            }
            out
        }
        "envi" => {
            let mut out = String::from("Environment:\n");
            let _ = writeln!(out, "zookeeper.version={}", version_string());
            let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".to_owned());
            let _ = writeln!(out, "host.name={host}");
            let _ = writeln!(out, "os.name={}", std::env::consts::OS);
            let _ = writeln!(out, "os.arch={}", std::env::consts::ARCH);
            if let Ok(dir) = std::env::current_dir() {
                let _ = writeln!(out, "user.dir={}", dir.display());
            }
            out
        }
        "crst" => "Connection stats reset.\n".to_owned(),
        "srst" => "Server stats reset.\n".to_owned(),
        "gtmk" | "stmk" => format!("{}\n", arg.unwrap_or(0)),
        "wchs" => {
            let w = core.watches();
            let conns: BTreeSet<u64> = w.data.connections().chain(w.child.connections()).collect();
            let paths: BTreeSet<&String> = w.data.by_path().keys().chain(w.child.by_path().keys()).collect();
            format!(
                "{} connections watching {} paths\nTotal watches:{}\n",
                conns.len(),
                paths.len(),
                w.watch_count()
            )
        }
        "dirs" => "datadir_size: 0\nlogdir_size: 0\n".to_owned(),
        "mntr" => {
            let t = core.tree();
            let s = &core.stats;
            let avg = if s.count == 0 {
                0.0
            } else {
                s.total_latency_ms as f64 / s.count as f64
            };
            let mut out = String::new();
            let mut kv = |k: &str, v: String| {
                let _ = writeln!(out, "zk_{k}\t{v}");
            };
            kv("version", version_string());
            kv("server_state", ctx.mode.clone());
            kv("avg_latency", java_double(avg));
            kv("max_latency", s.max_latency_ms.to_string());
            kv(
                "min_latency",
                if s.count == 0 {
                    "0".into()
                } else {
                    s.min_latency_ms.to_string()
                },
            );
            kv("packets_received", s.packets_received.to_string());
            kv("packets_sent", s.packets_sent.to_string());
            kv("num_alive_connections", core.conns().len().to_string());
            kv("outstanding_requests", core.outstanding().to_string());
            kv("znode_count", (t.node_count() + 1).to_string());
            kv("watch_count", core.watches().watch_count().to_string());
            kv("ephemerals_count", t.ephemeral_count().to_string());
            kv("approximate_data_size", t.approximate_data_size().to_string());
            kv("global_sessions", core.sessions().len().to_string());
            kv("local_sessions", "0".into());
            kv("auth_failed_count", s.auth_failed.to_string());
            out
        }
        "hash" => format!(
            "{:x}: {}\n",
            core.tree().last_processed_zxid(),
            core.tree().digest().value()
        ),
        "wchc" | "wchp" | "dump" => String::new(),
        _ => String::new(),
    }
}
