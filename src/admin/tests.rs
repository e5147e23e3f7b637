//! The admin views rendered from a constructed core, compared with what the real Java ZooKeeper 3.8.0
//! answered (compat-tests/golden/fixtures/4lw, compat-tests/admin/fixtures): the same lines, keys,
//! separators and trailing newlines; values may differ.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;

use bytes::{Bytes, BytesMut};
use jute::proto::*;
use jute::{Acl, Id, OpCode, Request};

use super::json::Json;
use super::*;
use crate::server::core::{Core, CoreOptions, Now, Output};
use crate::tree::{DataTree, TreeOptions};

const NOW: Now = Now {
    wall_ms: 1_795_318_500_000,
    mono_ms: 5_000,
};

fn golden(dir: &str, name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir).join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn golden_4lw(word: &str) -> String {
    golden("compat-tests/golden/fixtures/4lw", &format!("{word}.txt"))
}

fn flush(core: &mut Core) {
    loop {
        let outs = core.take_outputs();
        if outs.is_empty() {
            break;
        }
        for o in outs {
            if let Output::Persist(e) = o {
                core.durable(e.header.zxid, NOW);
            }
        }
    }
}

fn packet(core: &mut Core, conn: u64, xid: i32, op: OpCode, req: Request) {
    let mut b = BytesMut::new();
    req.encode(&mut b);
    core.packet(conn, xid, op, b.freeze(), NOW);
    flush(core);
}

/// The state the golden capture had open: one session with an ephemeral, data/child/exist watches
/// and a persistent-recursive watch (the `raw-4lw` scenario).
fn scenario() -> Core {
    let mut core = Core::new(CoreOptions::default(), DataTree::new(TreeOptions::default()), NOW);
    let peer: SocketAddr = "127.0.0.1:35346".parse().unwrap();
    core.accept(1, peer, NOW);
    core.connect(
        1,
        ConnectRequest {
            protocol_version: 0,
            last_zxid_seen: 0,
            timeout_ms: 30000,
            session_id: 0,
            passwd: Bytes::from_static(&[0; 16]),
            read_only: Some(false),
        },
        NOW,
    );
    flush(&mut core);
    let open = vec![Acl {
        perms: 31,
        id: Id {
            scheme: "world".into(),
            id: "anyone".into(),
        },
    }];
    let create = |path: &str, flags: i32| {
        Request::Create(CreateRequest {
            path: path.into(),
            data: Some(Bytes::from_static(b"x")),
            acl: Some(open.clone()),
            flags,
        })
    };
    let pw = |path: &str| PathWatchRequest {
        path: path.into(),
        watch: true,
    };
    packet(&mut core, 1, 1, OpCode::Create, create("/raw-4lw", 0));
    packet(&mut core, 1, 2, OpCode::Create, create("/raw-4lw/eph", 1));
    packet(&mut core, 1, 3, OpCode::GetData, Request::GetData(pw("/raw-4lw")));
    packet(
        &mut core,
        1,
        4,
        OpCode::GetChildren,
        Request::GetChildren(pw("/raw-4lw")),
    );
    packet(
        &mut core,
        1,
        5,
        OpCode::Exists,
        Request::Exists(pw("/raw-4lw/missing")),
    );
    packet(
        &mut core,
        1,
        6,
        OpCode::AddWatch,
        Request::AddWatch(AddWatchRequest {
            path: "/raw-4lw".into(),
            mode: 1,
        }),
    );
    core
}

/// A data dir with one 1000-byte file, for `dirs` / `conf` (made once per test process).
fn data_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir()
            .join(format!("rzk-admin-test-{}", std::process::id()))
            .join("version-2");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("log.1"), [0u8; 1000]).unwrap();
        d
    })
    .clone()
}

fn ctx() -> AdminContext {
    let mut c = AdminContext {
        four_letter_whitelist: None,
        ..AdminContext::default()
    };
    c.conf.client_port = 2181;
    c.conf.snap_dir = Some(data_dir());
    c.conf.log_dir = Some(data_dir());
    c
}

fn run(core: &mut Core, word: &str, arg: Option<i64>) -> String {
    let me = FourLetterConn {
        peer: "127.0.0.1:35392".parse().unwrap(),
        accepted_ms: NOW.mono_ms,
    };
    four_letter(
        word,
        arg,
        core,
        &ctx(),
        &mut AdminState::default(),
        NOW,
        Some(&me),
    )
}

/// A line with its values replaced by placeholders.
fn shape(line: &str) -> String {
    let mut s = line.to_owned();
    if let Some(rest) = s.strip_prefix("Zookeeper version: ") {
        assert!(rest.contains(", built on "), "{line}");
        return "Zookeeper version: V".to_owned();
    }
    // Dates (`Sun Nov 22 03:35:35 UTC 2026`).
    let words: Vec<&str> = s.split(' ').collect();
    for i in 0..words.len().saturating_sub(5) {
        let w = &words[i..i + 6];
        if w[0].len() == 3 && w[1].len() == 3 && w[3].len() == 8 && w[3].matches(':').count() == 2 {
            let date = w.join(" ");
            let date = date.trim_end_matches(':');
            s = s.replace(date, "DATE");
            break;
        }
    }
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '0' && chars.peek() == Some(&'x') {
            chars.next();
            while chars.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                chars.next();
            }
            out.push_str("0xH");
        } else if c.is_ascii_digit() {
            while chars.peek().is_some_and(|c| c.is_ascii_digit()) {
                chars.next();
            }
            out.push('N');
        } else {
            out.push(c);
        }
    }
    // Operation names and paths are values too.
    if let Some(i) = out.find("lop=") {
        let end = out[i..].find(',').map_or(out.len(), |e| i + e);
        out.replace_range(i..end, "lop=OP");
    }
    if out.starts_with('\t') && !out.starts_with("\t0xH") && !out.starts_with("\tip:") {
        return "\tPATH".to_owned();
    }
    if out.starts_with('/') && !out.contains(' ') {
        return "PATH".to_owned();
    }
    // `key=/some/path` (conf).
    if let Some((k, v)) = out.split_once('=') {
        if v.starts_with('/') && !k.contains('(') {
            return format!("{k}=PATH");
        }
    }
    out
}

/// Shapes with runs of equal shapes collapsed (a list of 3 connections ~ a list of 1), and whether
/// the text ends with a newline.
fn shapes(text: &str) -> (Vec<String>, bool) {
    let mut v: Vec<String> = Vec::new();
    for l in text.lines() {
        let s = shape(l);
        if v.last() != Some(&s) {
            v.push(s);
        }
    }
    (v, text.ends_with('\n'))
}

fn assert_same_shape(word: &str, ours: &str) {
    let want = golden_4lw(word);
    assert_eq!(
        shapes(ours),
        shapes(&want),
        "{word}:\n--- rzk\n{ours}--- java\n{want}"
    );
}

#[test]
fn four_letter_words_have_javas_shape() {
    let mut core = scenario();
    for word in [
        "ruok", "isro", "gtmk", "srvr", "stat", "cons", "conf", "dirs", "wchs", "wchc", "wchp", "crst",
        "srst",
    ] {
        let out = run(&mut core, word, None);
        assert_same_shape(word, &out);
    }
    assert_eq!(run(&mut core, "stmk", Some(0x102)), golden_4lw("stmk"));
    assert_eq!(run(&mut core, "gtmk", None), "306", "stmk in a fresh state");
    assert_eq!(
        run(&mut core, "dirs", None),
        "datadir_size: 1000\nlogdir_size: 1000\n",
        "real sizes"
    );
}

#[test]
fn exact_fixed_answers() {
    let mut core = scenario();
    for word in ["ruok", "isro", "crst", "srst", "gtmk"] {
        assert_eq!(run(&mut core, word, None), golden_4lw(word), "{word}");
    }
}

#[test]
fn dump_has_javas_shape() {
    let mut core = scenario();
    // A second session, without a connection, in an earlier bucket (as in the capture).
    core.restore_session(0x100001795460017, 4000, NOW);
    let ours = run(&mut core, "dump", None);
    // Java keeps emptied expiry buckets ("0 expire at …:") until they are due; rzk drops them.
    let golden: String = golden_4lw("dump")
        .lines()
        .filter(|l| !l.starts_with("0 expire at "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(shapes(&ours), shapes(&golden), "{ours}");
    assert!(ours.contains("\t/raw-4lw/eph\n"), "{ours}");
    assert!(ours.contains("ip: /127.0.0.1:35392 sessionId: 0x0\n"), "{ours}");
}

#[test]
fn envi_and_conf_keys_match() {
    let mut core = scenario();
    let keys = |t: &str| -> Vec<String> {
        t.lines()
            .map(|l| l.split_once('=').map_or(l, |(k, _)| k).to_owned())
            .collect()
    };
    assert_eq!(keys(&run(&mut core, "envi", None)), keys(&golden_4lw("envi")));
    assert_eq!(keys(&run(&mut core, "conf", None)), keys(&golden_4lw("conf")));
}

fn mntr_pairs(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(|l| {
            let (k, v) = l.split_once('\t').unwrap_or_else(|| panic!("no tab: {l:?}"));
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

#[test]
fn mntr_has_every_key_of_java_with_the_same_kind_of_value() {
    let mut core = scenario();
    let ours = run(&mut core, "mntr", None);
    assert!(ours.ends_with('\n'));
    let ours = mntr_pairs(&ours);
    let golden = mntr_pairs(&golden_4lw("mntr"));
    let kind = |v: &str| {
        if v.parse::<i64>().is_ok() {
            "int"
        } else if v.parse::<f64>().is_ok() {
            "double"
        } else {
            "text"
        }
    };
    let mut order = Vec::new();
    for (k, v) in &golden {
        if k.contains("_per_namespace") {
            continue; // keyed by the namespaces the capture's workload used
        }
        let Some((_, ov)) = ours.iter().find(|(ok, _)| ok == k) else {
            panic!("mntr lacks {k}");
        };
        assert_eq!(kind(ov), kind(v), "{k}: rzk {ov:?}, java {v:?}");
        order.push(k.clone());
    }
    let our_order: Vec<&String> = ours
        .iter()
        .map(|(k, _)| k)
        .filter(|k| order.contains(k))
        .collect();
    assert_eq!(our_order, order.iter().collect::<Vec<_>>(), "same order as Java");
    let get = |k: &str| ours.iter().find(|(ok, _)| ok == k).unwrap().1.clone();
    assert_eq!(get("zk_version"), version_string());
    assert_eq!(get("zk_server_state"), "standalone");
    assert_eq!(get("zk_ephemerals_count"), "1");
    assert_eq!(get("zk_num_alive_connections"), "2", "the 4lw connection counts");
    assert_eq!(get("zk_watch_count"), "3");
    assert_eq!(get("zk_cnt_node_created_watch_count"), "0");
    assert_eq!(get("zk_connection_request_count"), "1");
    assert_eq!(get("zk_cnt_updatelatency"), "2", "two creates");
    assert_eq!(
        get("zk_cnt_readlatency"),
        "4",
        "getData, getChildren, exists, addWatch"
    );
    assert!(ours.iter().any(|(k, _)| k == "zk_avg_raw-4lw_read_per_namespace"));
    assert!(ours
        .iter()
        .any(|(k, _)| k == "zk_avg_raw-4lw_write_per_namespace"));
}

#[test]
fn stat_resets_really_reset() {
    let mut core = scenario();
    let srvr = run(&mut core, "srvr", None);
    assert!(
        srvr.contains("Received: 8\n"),
        "connect + 6 requests + this srvr:\n{srvr}"
    );
    run(&mut core, "srst", None);
    let srvr = run(&mut core, "srvr", None);
    // srst's own packet was counted before the reset, its answer after.
    assert!(srvr.contains("Received: 1\nSent: 1\n"), "{srvr}");
    assert!(srvr.contains("Latency min/avg/max: 0/0.0/0\n"), "{srvr}");
    let cons = run(&mut core, "cons", None);
    assert!(cons.contains("recved=7,sent=7,"), "{cons}");
    run(&mut core, "crst", None);
    let cons = run(&mut core, "cons", None);
    assert!(cons.contains("(queued=0,recved=0,sent=0,sid=0x"), "{cons}");
    assert!(cons.contains(",lop=NA,"), "{cons}");
    assert!(!cons.contains("lcxid"), "lcxid is omitted after a reset: {cons}");
}

#[test]
fn trace_mask_round_trips() {
    let mut core = scenario();
    let mut st = AdminState::default();
    let c = ctx();
    assert_eq!(
        four_letter("gtmk", None, &mut core, &c, &mut st, NOW, None),
        "306"
    );
    assert_eq!(
        four_letter("stmk", Some(258), &mut core, &c, &mut st, NOW, None),
        "258"
    );
    assert_eq!(
        four_letter("gtmk", None, &mut core, &c, &mut st, NOW, None),
        "258"
    );
}

#[test]
fn disabled_words_answer_like_zookeeper() {
    let mut core = scenario();
    let out = four_letter(
        "cons",
        None,
        &mut core,
        &AdminContext::default(),
        &mut AdminState::default(),
        NOW,
        None,
    );
    assert_eq!(out, "cons is not executed because it is not in the whitelist.\n");
}

#[test]
fn hash_lists_the_digest_every_128_zxids() {
    let mut core = scenario();
    assert_eq!(run(&mut core, "hash", None), "");
    let mut log = DigestLog::default();
    log.applied(0x7f, 1);
    log.applied(0x80, 83564066573);
    core.digest_log = log;
    assert_eq!(run(&mut core, "hash", None), golden_4lw("hash"));
}

// ---------------------------------------------------------------------------------------------------
// AdminServer JSON, against compat-tests/admin/fixtures (Java 3.8.0 with admin.enableServer=true)

fn golden_admin(name: &str) -> String {
    golden("compat-tests/admin/fixtures", &format!("{name}.json"))
}

fn command(core: &mut Core, name: &str, args: &[(&str, &str)]) -> String {
    let args: Vec<(String, String)> = args.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    commands::run(name, &args, core, &ctx(), &mut AdminState::default(), NOW).pretty()
}

/// The JSON text with every value replaced: keys, nesting, separators and layout remain.
fn json_shape(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in text.lines() {
        let s = match l.split_once(" : ") {
            Some((k, v)) => {
                let v = v.trim_end_matches(',');
                let kind = if v.starts_with('"') {
                    "S"
                } else if v == "true" || v == "false" {
                    "B"
                } else if v == "null" {
                    "null"
                } else if v.starts_with('[') || v.starts_with('{') {
                    &v[..1]
                } else if v.contains('.') {
                    "D"
                } else {
                    "N"
                };
                // Map keys that are values (session ids, times, paths) are normalised too.
                let k = if k.trim_start().starts_with("\"/")
                    || k.trim().trim_matches('"').parse::<i64>().is_ok()
                {
                    "KEY".to_owned()
                } else {
                    k.to_owned()
                };
                format!("{k} : {kind}{}", if l.ends_with(',') { "," } else { "" })
            }
            None => l.to_owned(),
        };
        if out.last() != Some(&s) {
            out.push(s);
        }
    }
    out
}

#[test]
fn admin_commands_have_javas_json_shape() {
    let mut core = scenario();
    for name in [
        "configuration",
        "conf",
        "connections",
        "dirs",
        "dump",
        "get_trace_mask",
        "is_read_only",
        "last_snapshot",
        "leader",
        "observer_connection_stat_reset",
        "ruok",
        "set_trace_mask",
        "server_stats",
        "stats",
        "stat_reset",
        "observers",
        "voting_view",
        "watches",
        "watches_by_path",
        "watch_summary",
        "zabstate",
        "hash",
        "no_such_command",
        "connection_stat_reset",
        "environment",
        "initial_configuration",
    ] {
        let ours = command(&mut core, name, &[]);
        let want = golden_admin(name);
        assert_eq!(
            json_shape(&ours),
            json_shape(&want),
            "{name}:\n--- rzk\n{ours}\n--- java\n{want}"
        );
        assert!(!ours.ends_with('\n'));
    }
    let ours = command(&mut core, "stmk", &[("traceMask", "306")]);
    assert_eq!(ours, golden_admin("set_trace_mask_traceMask_306"));
    let ours = command(&mut core, "stmk", &[("traceMask", "abc")]);
    assert_eq!(ours, golden_admin("stmk_traceMask_abc"));
    assert_eq!(command(&mut core, "ruok", &[]), golden_admin("ruok"));
    assert_eq!(command(&mut core, "lead", &[]), golden_admin("leader"));
    assert_eq!(
        command(&mut core, "no_such_command", &[]),
        golden_admin("no_such_command")
    );
    assert_eq!(
        command(&mut core, "voting_view", &[]),
        golden_admin("voting_view")
    );
    assert_eq!(command(&mut core, "zabstate", &[]), golden_admin("zabstate"));
    assert_eq!(command(&mut core, "obsr", &[]), golden_admin("observers"));
    assert_eq!(
        commands::command_links("/commands"),
        golden("compat-tests/admin/fixtures", "root.json")
    );
}

#[test]
fn monitor_has_the_keys_of_mntr() {
    let mut core = scenario();
    let json = command(&mut core, "monitor", &[]);
    let want: HashSet<String> = json_shape(&golden_admin("monitor"))
        .into_iter()
        .filter(|l| !l.contains("_per_namespace"))
        .collect();
    let ours: HashSet<String> = json_shape(&json).into_iter().collect();
    let missing: Vec<&String> = want.difference(&ours).collect();
    assert!(missing.is_empty(), "missing or different: {missing:?}");
}

#[test]
fn json_values_are_typed_as_java() {
    let mut core = scenario();
    let Json::Obj(fields) = commands::run("wchs", &[], &mut core, &ctx(), &mut AdminState::default(), NOW)
    else {
        panic!()
    };
    assert_eq!(fields[0], ("num_connections".to_owned(), Json::Int(1)));
    assert_eq!(fields[1], ("num_paths".to_owned(), Json::Int(2)));
}
