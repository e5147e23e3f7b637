//! The AdminServer's commands (ZooKeeper 3.8 `server/admin/Commands.java`): JSON objects with the
//! command's fields first, then `command` (the primary name) and `error`.

use std::path::Path;

use super::json::{Json, Obj};
use super::{fourlw, java, AdminContext, AdminState};
use crate::server::core::{Core, Now};

/// (primary name, aliases, needs a running server). A standalone server answers all of them; the
/// quorum-only ones answer as a standalone ZooKeeper does.
pub const COMMANDS: &[(&str, &[&str], bool)] = &[
    ("connection_stat_reset", &["crst"], true),
    ("configuration", &["conf", "config"], true),
    ("connections", &["cons"], true),
    ("hash", &[], true),
    ("dirs", &[], true),
    ("dump", &[], true),
    ("environment", &["env", "envi"], false),
    ("get_trace_mask", &["gtmk"], false),
    ("initial_configuration", &["icfg"], true),
    ("is_read_only", &["isro"], true),
    ("last_snapshot", &["lsnp"], true),
    ("leader", &["lead"], true),
    ("monitor", &["mntr"], false),
    ("observer_connection_stat_reset", &["orst"], true),
    ("ruok", &[], true),
    ("set_trace_mask", &["stmk"], false),
    ("server_stats", &["srvr"], true),
    ("stats", &["stat"], true),
    ("stat_reset", &["srst"], true),
    ("observers", &["obsr"], true),
    ("system_properties", &["sysp"], false),
    ("voting_view", &[], true),
    ("watches", &["wchc"], true),
    ("watches_by_path", &["wchp"], true),
    ("watch_summary", &["wchs"], true),
    ("zabstate", &[], false),
];

/// The primary name of a command name or alias.
pub fn primary_name(name: &str) -> Option<&'static str> {
    COMMANDS
        .iter()
        .find(|(p, aliases, _)| *p == name || aliases.contains(&name))
        .map(|(p, _, _)| *p)
}

/// The HTML list `/commands` answers: a link to each primary name, sorted.
pub fn command_links(command_url: &str) -> String {
    let mut names: Vec<&str> = COMMANDS.iter().map(|(p, _, _)| *p).collect();
    names.sort_unstable();
    let mut out = String::new();
    for n in names {
        out.push_str(&format!("<a href=\"{command_url}/{n}\">{n}</a>\n<br/>\n"));
    }
    out
}

/// `CommandResponse.toMap()`: the fields, then `command` and `error` (an `error` field the command
/// put itself keeps its place and value).
fn finish(command: &str, data: Obj, error: Option<String>) -> Json {
    let mut m = data.clone();
    m.put("command", command);
    if data.get("error").is_none() {
        m.put("error", error.map_or(Json::Null, Json::Str));
    }
    m.into()
}

/// Runs a command (`Commands.runCommand`); `args` are the query parameters, first value of each.
pub fn run(
    name: &str,
    args: &[(String, String)],
    core: &mut Core,
    ctx: &AdminContext,
    state: &mut AdminState,
    now: Now,
) -> Json {
    let Some(primary) = primary_name(name) else {
        return finish(name, Obj::new(), Some(format!("Unknown command: {name}")));
    };
    let mut o = Obj::new();
    match primary {
        "connection_stat_reset" => super::reset_connection_stats(core),
        "configuration" => {
            let c = &ctx.conf;
            let dir = |p: &Option<std::path::PathBuf>| {
                p.as_ref().map_or(String::new(), |p| p.display().to_string())
            };
            o.put("client_port", c.client_port);
            o.put("data_dir", dir(&c.snap_dir));
            o.put("data_log_dir", dir(&c.log_dir));
            o.put("tick_time", c.tick_time);
            o.put("max_client_cnxns", c.max_client_cnxns);
            o.put("min_session_timeout", c.min_session_timeout);
            o.put("max_session_timeout", c.max_session_timeout);
            o.put("server_id", c.server_id);
            o.put("client_port_listen_backlog", c.client_port_listen_backlog);
        }
        "connections" => {
            o.put("connections", connections(core, false));
            o.put("secure_connections", Json::Arr(vec![]));
        }
        "hash" => {
            let digests = core
                .digest_log
                .entries
                .iter()
                .map(|(zxid, digest)| {
                    let mut d = Obj::new();
                    d.put("zxid", *zxid);
                    d.put("digest", *digest);
                    d.put("digest_version", 2i64);
                    Json::from(d)
                })
                .collect();
            o.put("digests", Json::Arr(digests));
        }
        "dirs" => {
            o.put("datadir_size", super::data_dir_size(ctx));
            o.put("logdir_size", super::log_dir_size(ctx));
        }
        "dump" => {
            let mut expiry = Obj::new();
            for (at, ids) in core.sessions().buckets() {
                let mut ids: Vec<i64> = ids.iter().copied().collect();
                ids.sort_unstable();
                expiry.put(
                    at.to_string(),
                    Json::Arr(ids.into_iter().map(Json::Int).collect()),
                );
            }
            o.put("expiry_time_to_session_ids", expiry);
            let mut eph = Obj::new();
            let map = core.tree().ephemerals();
            let mut sids: Vec<&i64> = map.keys().collect();
            sids.sort_unstable();
            for sid in sids {
                eph.put(
                    sid.to_string(),
                    Json::Arr(map[sid].iter().map(|p| Json::from(p.as_str())).collect()),
                );
            }
            o.put("session_id_to_ephemeral_paths", eph);
        }
        "environment" => {
            for (k, v) in fourlw::environment() {
                o.put(k, v);
            }
        }
        "get_trace_mask" => o.put("tracemask", state.trace_mask),
        "initial_configuration" => o.put("initial_configuration", ctx.initial_configuration.as_str()),
        "is_read_only" => o.put("read_only", ctx.read_only),
        "last_snapshot" => {
            let (zxid, ts) = ctx
                .conf
                .snap_dir
                .as_deref()
                .and_then(last_snapshot)
                .unwrap_or((-1, -1));
            o.put("zxid", java::hex(zxid));
            o.put("timestamp", ts);
        }
        "leader" => o.put("error", "server is not initialized"),
        "monitor" => {
            for (k, v) in fourlw::monitor(core, ctx, state, now, None) {
                o.put(k, v);
            }
        }
        "observer_connection_stat_reset" | "ruok" => {}
        "set_trace_mask" => match args.iter().find(|(k, _)| k == "traceMask") {
            None => o.put("error", "setTraceMask requires long traceMask argument"),
            Some((_, v)) => match parse_java_long(v) {
                Some(mask) => {
                    state.trace_mask = mask;
                    o.put("tracemask", mask);
                }
                None => o.put(
                    "error",
                    format!("setTraceMask requires long traceMask argument, got {v}"),
                ),
            },
        },
        "server_stats" | "stats" => {
            o.put("version", super::version_string());
            o.put("read_only", ctx.read_only);
            o.put("server_stats", server_stats(core, ctx, now));
            o.put("client_response", buffer_stats(core));
            o.put("node_count", super::node_count(core));
            if primary == "stats" {
                o.put("connections", connections(core, true));
                o.put("secure_connections", Json::Arr(vec![]));
            }
        }
        "stat_reset" => super::reset_server_stats(core),
        "observers" => {
            o.put("synced_observers", 0i64);
            o.put("observers", Json::Arr(vec![]));
        }
        "system_properties" => {
            for (k, v) in system_properties(ctx) {
                o.put(k, v);
            }
        }
        "voting_view" => o.put("current_config", Obj::new()),
        "watches" => {
            let mut m = Obj::new();
            for (sid, paths) in fourlw::watched_paths_by_session(core) {
                m.put(
                    sid.to_string(),
                    Json::Arr(paths.into_iter().map(Json::Str).collect()),
                );
            }
            o.put("session_id_to_watched_paths", m);
        }
        "watches_by_path" => {
            let mut m = Obj::new();
            for (path, sids) in fourlw::watching_sessions_by_path(core) {
                m.put(path, Json::Arr(sids.into_iter().map(Json::Int).collect()));
            }
            o.put("path_to_session_ids", m);
        }
        "watch_summary" => {
            let w = &core.watches().data;
            o.put("num_connections", w.connections().count());
            o.put("num_paths", w.by_path().len());
            o.put("num_total_watches", w.watch_count());
        }
        "zabstate" => {
            o.put("voting", false);
            o.put("zabstate", "");
        }
        _ => {}
    }
    finish(primary, o, None)
}

/// `Long.parseLong`: optional sign, decimal digits, in range.
fn parse_java_long(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The `ServerStats` bean as Jackson serializes it (snake_case, its property order).
fn server_stats(core: &Core, ctx: &AdminContext, now: Now) -> Json {
    let s = &core.stats;
    let (min, avg, max) = super::latency(core);
    let mut o = Obj::new();
    o.put("packets_sent", s.packets_sent);
    o.put("packets_received", s.packets_received);
    o.put("fsync_threshold_exceed_count", 0i64);
    o.put("client_response_stats", buffer_stats(core));
    o.put("data_dir_size", super::data_dir_size(ctx));
    o.put("log_dir_size", super::log_dir_size(ctx));
    o.put("provider_null", false);
    o.put("server_state", ctx.mode.as_str());
    o.put("last_processed_zxid", core.tree().last_processed_zxid());
    o.put("outstanding_requests", core.outstanding());
    o.put("avg_latency", Json::Double(avg));
    o.put("max_latency", max);
    o.put("min_latency", min);
    o.put("num_alive_client_connections", core.conns().len());
    o.put("uptime", now.mono_ms);
    o.put("auth_failed_count", s.auth_failed);
    o.put("non_mtlsremote_conn_count", 0i64);
    o.put("non_mtlslocal_conn_count", 0i64);
    o.into()
}

fn buffer_stats(core: &Core) -> Json {
    let b = core.stats.client_response;
    let mut o = Obj::new();
    o.put("last_buffer_size", b.last);
    o.put("min_buffer_size", b.min);
    o.put("max_buffer_size", b.max);
    o.into()
}

/// `ServerCnxn.getConnectionInfo(brief)` of every client connection.
fn connections(core: &Core, brief: bool) -> Json {
    let mut conns: Vec<_> = core.conns().iter().collect();
    conns.sort_by_key(|(id, _)| **id);
    let list = conns
        .into_iter()
        .map(|(_, c)| {
            let st = &c.stats;
            let mut o = Obj::new();
            o.put("remote_socket_address", super::jackson_socket_address(&c.peer));
            o.put("interest_ops", 1i64);
            o.put("outstanding_requests", c.outstanding());
            o.put("packets_received", st.packets_received);
            o.put("packets_sent", st.packets_sent);
            if !brief {
                let avg = st.total_latency_ms.checked_div(st.count).unwrap_or(0);
                let min = if st.count == 0 { 0 } else { st.min_latency_ms };
                o.put("session_id", c.session.unwrap_or(0));
                o.put(
                    "last_operation",
                    if st.last_op.is_empty() { "NA" } else { st.last_op },
                );
                o.put("established", st.established_wall_ms);
                o.put("session_timeout", c.timeout_ms);
                o.put("last_cxid", st.last_cxid);
                o.put("last_zxid", st.last_zxid);
                o.put("last_response_time", st.last_response_ms);
                o.put("last_latency", st.last_latency_ms);
                o.put("min_latency", min);
                o.put("avg_latency", avg);
                o.put("max_latency", st.max_latency_ms);
            }
            Json::from(o)
        })
        .collect();
    Json::Arr(list)
}

/// The newest snapshot in `dir`: (zxid from its name, modification time in seconds).
fn last_snapshot(dir: &Path) -> Option<(i64, i64)> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let hex = name.strip_prefix("snapshot.")?;
            let hex = hex.split('.').next()?;
            let zxid = u64::from_str_radix(hex, 16).ok()? as i64;
            let mtime = e
                .metadata()
                .ok()?
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_secs() as i64;
            Some((zxid, mtime))
        })
        .max_by_key(|(z, _)| *z)
}

/// `system_properties`: the properties rzk resolved (zoo.cfg's `zookeeper.*` and every `-D`) plus the
/// platform entries a JVM would have that describe the machine rather than the JVM, sorted by name.
pub fn system_properties(ctx: &AdminContext) -> Vec<(String, String)> {
    let mut m: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for (k, v) in fourlw::environment() {
        if k.starts_with("os.") && !k.starts_with("os.memory")
            || k.starts_with("user.")
            || k == "java.io.tmpdir"
        {
            m.insert(k.to_owned(), v);
        }
    }
    m.insert("file.separator".to_owned(), "/".to_owned());
    m.insert("line.separator".to_owned(), "\n".to_owned());
    m.insert("path.separator".to_owned(), ":".to_owned());
    for (k, v) in &ctx.system_properties {
        m.insert(k.clone(), v.clone());
    }
    m.into_iter().collect()
}
