//! `rzk bench`: a load generator speaking the client protocol, to compare rzk with Java ZooKeeper on the
//! same machine (see scripts/bench.sh). Each run prints one JSON line: throughput, latency percentiles,
//! errors, and — given the server's pid — its CPU time and RSS from /proc.
//!
//! Modes: `get` (1 KiB values over 1000 znodes), `set` (100 B), `create` (sequential nodes, removed
//! afterwards), `mixed` (90% get / 10% set), `connect-storm` (open N sessions as fast as possible),
//! `watch-fanout` (N sessions watch one znode; time until all N got the event), `big-tree` (create many
//! znodes, report server RSS).

pub mod client;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use jute::proto::{CreateRequest, DeleteRequest, PathWatchRequest, SetDataRequest};
use jute::{Acl, Request};

use self::client::{BenchClient, Incoming};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    Get,
    Set,
    Create,
    Mixed,
    ConnectStorm,
    WatchFanout,
    BigTree,
}

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// host:port of the server.
    #[arg(long, default_value = "127.0.0.1:2181")]
    pub server: SocketAddr,
    #[arg(long, value_enum, default_value_t = Mode::Get)]
    pub mode: Mode,
    /// Client sessions (connections).
    #[arg(long, default_value_t = 64)]
    pub sessions: usize,
    /// Outstanding requests per session.
    #[arg(long, default_value_t = 16)]
    pub depth: usize,
    /// How long to run (get/set/create/mixed/watch-fanout), in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub duration: f64,
    /// Nodes to create in big-tree mode.
    #[arg(long, default_value_t = 1_000_000)]
    pub nodes: usize,
    /// The server's pid, to report its CPU time and RSS.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// A label copied into the JSON output (e.g. "rzk" or "java").
    #[arg(long, default_value = "")]
    pub label: String,
}

const ROOT: &str = "/rzk-bench";

fn open_acl() -> Option<Vec<Acl>> {
    Some(Acl::open_unsafe())
}

fn create_req(path: String, data: Bytes, flags: i32) -> Request {
    Request::Create(CreateRequest {
        path,
        data: Some(data),
        acl: open_acl(),
        flags,
    })
}

/// /proc/<pid>: (cpu seconds, rss KiB).
pub fn proc_usage(pid: u32) -> Option<(f64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(((utime + stime) / ticks.max(1.0), rss))
}

/// Makes `path` and its ancestors exist (ignoring NODEEXISTS).
async fn ensure(c: &mut BenchClient, path: &str, data: Bytes) -> std::io::Result<()> {
    let mut prefix = String::new();
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for (i, part) in parts.iter().enumerate() {
        prefix.push('/');
        prefix.push_str(part);
        let d = if i + 1 == parts.len() {
            data.clone()
        } else {
            Bytes::new()
        };
        c.queue(&create_req(prefix.clone(), d, 0));
        c.flush().await?;
        while c.in_flight() > 0 {
            c.next().await?;
        }
    }
    Ok(())
}

/// Runs requests from `make` on one session with `depth` in flight until `deadline`.
async fn drive(
    addr: SocketAddr,
    depth: usize,
    deadline: Instant,
    seed: u64,
    make: Arc<dyn Fn(u64) -> Request + Send + Sync>,
) -> std::io::Result<(Histogram<u64>, u64, u64)> {
    let mut c = BenchClient::connect(addr, 30_000).await?;
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).map_err(std::io::Error::other)?;
    let (mut ops, mut errors) = (0u64, 0u64);
    let mut rng = seed | 1;
    let next = |r: &mut u64| {
        *r ^= *r << 13;
        *r ^= *r >> 7;
        *r ^= *r << 17;
        *r
    };
    while c.in_flight() < depth {
        c.queue(&make(next(&mut rng)));
    }
    c.flush().await?;
    loop {
        if let Incoming::Reply(done) = c.next().await? {
            let us = done.started.elapsed().as_micros() as u64;
            let _ = hist.record(us.max(1));
            ops += 1;
            if done.err != 0 {
                errors += 1;
            }
            if Instant::now() < deadline {
                c.queue(&make(next(&mut rng)));
                c.flush().await?;
            } else if c.in_flight() == 0 {
                break;
            }
        }
    }
    c.close().await;
    Ok((hist, ops, errors))
}

struct Report {
    hist: Histogram<u64>,
    ops: u64,
    errors: u64,
    elapsed: Duration,
    extra: serde_json::Map<String, serde_json::Value>,
}

fn render(args: &BenchArgs, r: Report, usage_before: Option<(f64, u64)>) -> serde_json::Value {
    let secs = r.elapsed.as_secs_f64().max(1e-9);
    let mut doc = serde_json::json!({
        "label": args.label, "mode": format!("{:?}", args.mode).to_lowercase(),
        "sessions": args.sessions, "depth": args.depth,
        "seconds": (secs * 1000.0).round() / 1000.0, "ops": r.ops, "errors": r.errors,
        "ops_per_s": (r.ops as f64 / secs).round(),
        "p50_us": r.hist.value_at_quantile(0.5), "p99_us": r.hist.value_at_quantile(0.99),
        "p999_us": r.hist.value_at_quantile(0.999), "max_us": r.hist.max(),
    });
    if let (Some(pid), Some((cpu0, _))) = (args.server_pid, usage_before) {
        if let Some((cpu1, rss)) = proc_usage(pid) {
            let cpu = cpu1 - cpu0;
            doc["server_cpu_s"] = serde_json::json!((cpu * 1000.0).round() / 1000.0);
            doc["server_rss_kib"] = serde_json::json!(rss);
            if r.ops > 0 {
                doc["server_cpu_us_per_op"] =
                    serde_json::json!(((cpu * 1e6 / r.ops as f64) * 100.0).round() / 100.0);
            }
        }
    }
    if let serde_json::Value::Object(m) = &mut doc {
        m.extend(r.extra);
    }
    doc
}

/// Runs one benchmark; returns its JSON report.
pub async fn run(args: BenchArgs) -> Result<serde_json::Value, String> {
    let e = |e: std::io::Error| e.to_string();
    let addr = args.server;
    let usage_before = args.server_pid.and_then(proc_usage);
    let mut setup = BenchClient::connect(addr, 30_000).await.map_err(e)?;
    let duration = Duration::from_secs_f64(args.duration);
    let value_1k = Bytes::from(vec![b'x'; 1024]);
    let value_100 = Bytes::from(vec![b'y'; 100]);
    let report = match args.mode {
        Mode::Get | Mode::Set | Mode::Mixed | Mode::Create => {
            let dir = format!("{ROOT}/{}", format!("{:?}", args.mode).to_lowercase());
            ensure(&mut setup, &dir, Bytes::new()).await.map_err(e)?;
            if args.mode != Mode::Create {
                for i in 0..1000 {
                    setup.queue(&create_req(format!("{dir}/n{i}"), value_1k.clone(), 0));
                }
                setup.flush().await.map_err(e)?;
                while setup.in_flight() > 0 {
                    setup.next().await.map_err(e)?;
                }
            }
            let mode = args.mode;
            let (d, v) = (dir.clone(), value_100.clone());
            let make: Arc<dyn Fn(u64) -> Request + Send + Sync> = Arc::new(move |r| {
                let node = format!("{d}/n{}", r % 1000);
                let get = || {
                    Request::GetData(PathWatchRequest {
                        path: node.clone(),
                        watch: false,
                    })
                };
                let set = || {
                    Request::SetData(SetDataRequest {
                        path: node.clone(),
                        data: Some(v.clone()),
                        version: -1,
                    })
                };
                match mode {
                    Mode::Get => get(),
                    Mode::Set => set(),
                    Mode::Mixed if r % 10 == 0 => set(),
                    Mode::Mixed => get(),
                    _ => create_req(format!("{d}/c-"), v.clone(), 2),
                }
            });
            let started = Instant::now();
            let deadline = started + duration;
            let tasks: Vec<_> = (0..args.sessions)
                .map(|i| {
                    tokio::spawn(drive(
                        addr,
                        args.depth,
                        deadline,
                        i as u64 * 7919 + 1,
                        make.clone(),
                    ))
                })
                .collect();
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).map_err(|e| e.to_string())?;
            let (mut ops, mut errors) = (0, 0);
            for t in tasks {
                let (h, o, er) = t.await.map_err(|e| e.to_string())?.map_err(e)?;
                let _ = hist.add(&h);
                ops += o;
                errors += er;
            }
            let elapsed = started.elapsed();
            if args.mode == Mode::Create {
                cleanup_children(&mut setup, &dir).await.map_err(e)?;
            }
            Report {
                hist,
                ops,
                errors,
                elapsed,
                extra: Default::default(),
            }
        }
        Mode::ConnectStorm => {
            let started = Instant::now();
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).map_err(|e| e.to_string())?;
            let mut clients = Vec::with_capacity(args.sessions);
            let mut errors = 0;
            let mut pending = tokio::task::JoinSet::new();
            let mut launched = 0;
            let parallel = args.depth.max(1) * 16;
            while launched < args.sessions || !pending.is_empty() {
                while launched < args.sessions && pending.len() < parallel {
                    launched += 1;
                    pending.spawn(async move {
                        let t = Instant::now();
                        (BenchClient::connect(addr, 30_000).await, t.elapsed())
                    });
                }
                if let Some(Ok((res, took))) = pending.join_next().await {
                    let _ = hist.record((took.as_micros() as u64).max(1));
                    match res {
                        Ok(c) => clients.push(c),
                        Err(_) => errors += 1,
                    }
                }
            }
            let elapsed = started.elapsed();
            let ops = clients.len() as u64;
            for c in clients {
                c.close().await;
            }
            Report {
                hist,
                ops,
                errors,
                elapsed,
                extra: Default::default(),
            }
        }
        Mode::WatchFanout => {
            let node = format!("{ROOT}/fanout");
            ensure(&mut setup, &node, Bytes::new()).await.map_err(e)?;
            let mut watchers = Vec::with_capacity(args.sessions);
            for _ in 0..args.sessions {
                watchers.push(BenchClient::connect(addr, 30_000).await.map_err(e)?);
            }
            let mut hist = Histogram::<u64>::new_with_bounds(1, 600_000_000, 3).map_err(|e| e.to_string())?;
            let started = Instant::now();
            let mut rounds = 0u64;
            while rounds == 0 || started.elapsed() < duration {
                for w in watchers.iter_mut() {
                    w.queue(&Request::Exists(PathWatchRequest {
                        path: node.clone(),
                        watch: true,
                    }));
                    w.flush().await.map_err(e)?;
                    w.next().await.map_err(e)?;
                }
                let t = Instant::now();
                setup.queue(&Request::SetData(SetDataRequest {
                    path: node.clone(),
                    data: None,
                    version: -1,
                }));
                setup.flush().await.map_err(e)?;
                let waits = watchers.into_iter().map(|mut w| {
                    tokio::spawn(async move {
                        loop {
                            match w.next().await {
                                Ok(Incoming::Event(_)) => return Ok(w),
                                Ok(_) => {}
                                Err(e) => return Err(e),
                            }
                        }
                    })
                });
                let mut back = Vec::with_capacity(args.sessions);
                for j in waits.collect::<Vec<_>>() {
                    back.push(j.await.map_err(|e| e.to_string())?.map_err(e)?);
                }
                watchers = back;
                let _ = hist.record((t.elapsed().as_micros() as u64).max(1));
                setup.next().await.map_err(e)?;
                rounds += 1;
            }
            let elapsed = started.elapsed();
            for w in watchers {
                w.close().await;
            }
            let mut extra = serde_json::Map::new();
            extra.insert("rounds".into(), rounds.into());
            Report {
                hist,
                ops: rounds * args.sessions as u64,
                errors: 0,
                elapsed,
                extra,
            }
        }
        Mode::BigTree => {
            let dir = format!("{ROOT}/big");
            ensure(&mut setup, &dir, Bytes::new()).await.map_err(e)?;
            let started = Instant::now();
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).map_err(|e| e.to_string())?;
            let (mut ops, mut errors) = (0u64, 0u64);
            let buckets = args.nodes.div_ceil(1000);
            for b in 0..buckets {
                setup.queue(&create_req(format!("{dir}/b{b}"), Bytes::new(), 0));
            }
            let mut i = 0;
            loop {
                while setup.in_flight() < args.depth.max(1) * 8 && i < args.nodes {
                    setup.queue(&create_req(
                        format!("{dir}/b{}/n{i}", i / 1000),
                        value_100.clone(),
                        0,
                    ));
                    i += 1;
                }
                setup.flush().await.map_err(e)?;
                if setup.in_flight() == 0 {
                    break;
                }
                if let Incoming::Reply(d) = setup.next().await.map_err(e)? {
                    let _ = hist.record((d.started.elapsed().as_micros() as u64).max(1));
                    ops += 1;
                    if d.err != 0 {
                        errors += 1;
                    }
                }
            }
            Report {
                hist,
                ops,
                errors,
                elapsed: started.elapsed(),
                extra: Default::default(),
            }
        }
    };
    let doc = render(&args, report, usage_before);
    setup.close().await;
    Ok(doc)
}

/// Deletes the children of `dir` (pipelined).
async fn cleanup_children(c: &mut BenchClient, dir: &str) -> std::io::Result<()> {
    c.queue(&Request::GetChildren(PathWatchRequest {
        path: dir.to_owned(),
        watch: false,
    }));
    c.flush().await?;
    let children = loop {
        if let Incoming::Reply(d) = c.next().await? {
            let r = jute::Response::decode(jute::OpCode::GetChildren, &mut jute::Reader::new(d.body))
                .map_err(std::io::Error::other)?;
            match r {
                jute::Response::GetChildren(g) => break g.children,
                _ => break Vec::new(),
            }
        }
    };
    for (i, ch) in children.iter().enumerate() {
        c.queue(&Request::Delete(DeleteRequest {
            path: format!("{dir}/{ch}"),
            version: -1,
        }));
        if i % 256 == 255 {
            c.flush().await?;
            while c.in_flight() > 64 {
                c.next().await?;
            }
        }
    }
    c.flush().await?;
    while c.in_flight() > 0 {
        c.next().await?;
    }
    Ok(())
}
