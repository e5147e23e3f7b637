//! ZooKeeper 3.8's server metrics (`ServerMetrics`): every counter, summary and summary set under its
//! ZooKeeper name, kept by the core task and shown by `mntr`, the AdminServer `monitor` command and the
//! Prometheus `/metrics` endpoint.
//!
//! Two providers, as `metricsProvider.className` selects in ZooKeeper:
//! * the default one (`DefaultMetricsProvider`): counters; summaries as `avg_/min_/max_/cnt_/sum_<name>`
//!   (plus `p50_/p95_/p99_/p999_<name>` from a 4096-sample uniform reservoir for the "advanced" ones);
//!   summary sets as the same per key (`avg_<key>_<name>` …); `srst` resets everything;
//! * Prometheus (`PrometheusMetricsProvider`, simpleclient 0.9 text format): counters as `counter`,
//!   gauges as `gauge`, summaries as `summary` with quantile 0.5 (basic) or 0.5/0.9/0.99 (advanced)
//!   over a 10-minute window, `_count` and `_sum`; `srst` resets nothing (as ZooKeeper).
//!
//! Which of these rzk actually measures is listed in `MEASURED`; the others are quorum-only or belong
//! to Java machinery rzk does not have (commit-processor thread pools, Netty buffers, JVM pauses), so
//! they stay at zero, as they do on a standalone Java server.
//!
//! The text is rendered here rather than through the `metrics` crate and an exporter: ZooKeeper's
//! format has simpleclient-0.9 details an exporter does not reproduce (`# HELP x x`, counters without
//! `_total`, `{quantile="0.5",}` with the trailing comma, `5.0` for integers, `NaN` for an empty
//! quantile), `mntr` must list the same values under ZooKeeper's key names, and every server in a
//! process (tests) needs its own registry rather than a global recorder.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use super::java;
use super::json::Json;

/// Non-metric gauges ZooKeeperServer registers, in the order a 3.8 `mntr` prints them.
pub const GAUGES: &[&str] = &[
    "ephemerals_count",
    "num_alive_connections",
    "avg_latency",
    "outstanding_requests",
    "znode_count",
    "global_sessions",
    "non_mtls_remote_conn_count",
    "last_client_response_size",
    "packets_sent",
    "packets_received",
    "max_client_response_size",
    "connection_drop_probability",
    "watch_count",
    "auth_failed_count",
    "min_latency",
    "max_file_descriptor_count",
    "approximate_data_size",
    "open_file_descriptor_count",
    "local_sessions",
    "uptime",
    "max_latency",
    "outstanding_tls_handshake",
    "min_client_response_size",
    "non_mtls_local_conn_count",
];

/// `ServerMetrics` counters, in 3.8's `mntr` order.
pub const COUNTERS: &[&str] = &[
    "proposal_count",
    "watch_bytes",
    "outstanding_changes_removed",
    "throttled_ops",
    "stale_requests_dropped",
    "large_requests_rejected",
    "insecure_admin_count",
    "connection_rejected",
    "cnxn_closed_without_zk_server_running",
    "sessionless_connections_expired",
    "looking_count",
    "dead_watchers_queued",
    "stale_requests",
    "connection_drop_count",
    "learner_proposal_received_count",
    "digest_mismatches_count",
    "dead_watchers_cleared",
    "response_packet_cache_hits",
    "bytes_received_count",
    "add_dead_watcher_stall_time",
    "request_throttle_wait_count",
    "requests_not_forwarded_to_commit_processor",
    "response_packet_cache_misses",
    "ensemble_auth_success",
    "prep_processor_request_queued",
    "learner_commit_received_count",
    "stale_replies",
    "connection_request_count",
    "response_bytes",
    "ensemble_auth_fail",
    "diff_count",
    "response_packet_get_children_cache_misses",
    "connection_revalidate_count",
    "quit_leading_due_to_disloyal_voter",
    "snap_count",
    "unrecoverable_error_count",
    "unsuccessful_handshake",
    "commit_count",
    "stale_sessions_expired",
    "response_packet_get_children_cache_hits",
    "sync_processor_request_queued",
    "outstanding_changes_queued",
    "request_commit_queued",
    "ensemble_auth_skip",
    "skip_learner_request_to_next_processor_count",
    "tls_handshake_exceeded",
    "revalidate_count",
];

/// `DetailLevel.BASIC` summaries (avg/min/max/cnt/sum), in 3.8's `mntr` order.
pub const BASIC_SUMMARIES: &[&str] = &[
    "socket_closing_time",
    "proposal_process_time",
    "leader_unavailable_time",
    "node_created_watch_count",
    "session_queues_drained",
    "write_commit_proc_req_queued",
    "connection_token_deficit",
    "read_commit_proc_req_queued",
    "node_deleted_watch_count",
    "startup_txns_load_time",
    "sync_processor_queue_size",
    "follower_sync_time",
    "prep_processor_queue_size",
    "fsynctime",
    "inflight_snap_count",
    "reads_issued_from_session_queue",
    "learner_request_processor_queue_size",
    "snapshottime",
    "unavailable_time",
    "startup_txns_loaded",
    "reads_after_write_in_session_queue",
    "requests_in_session_queue",
    "write_commit_proc_issued",
    "prep_process_time",
    "pending_session_queue_size",
    "time_waiting_empty_pool_in_commit_processor_read_ms",
    "commit_process_time",
    "dbinittime",
    "inflight_diff_count",
    "netty_queued_buffer_capacity",
    "election_time",
    "commit_commit_proc_req_queued",
    "sync_processor_batch_size",
    "node_children_watch_count",
    "write_batch_time_in_commit_processor",
    "read_commit_proc_issued",
    "concurrent_request_processing_in_commit_processor",
    "observer_sync_time",
    "node_changed_watch_count",
    "sync_process_time",
    "startup_snap_load_time",
];

/// `DetailLevel.ADVANCED` summaries (plus p50/p95/p99/p999), in 3.8's `mntr` order.
pub const SUMMARIES: &[&str] = &[
    "prep_processor_queue_time_ms",
    "jvm_pause_time_ms",
    "close_session_prep_time",
    "read_commitproc_time_ms",
    "updatelatency",
    "local_write_committed_time_ms",
    "request_throttle_queue_time_ms",
    "readlatency",
    "quorum_ack_latency",
    "om_commit_process_time_ms",
    "read_final_proc_time_ms",
    "commit_propagation_latency",
    "dead_watchers_cleaner_latency",
    "write_final_proc_time_ms",
    "proposal_ack_creation_latency",
    "proposal_latency",
    "om_proposal_process_time_ms",
    "sync_processor_queue_and_flush_time_ms",
    "propagation_latency",
    "server_write_committed_time_ms",
    "sync_processor_queue_time_ms",
    "sync_processor_queue_flush_time_ms",
    "write_commitproc_time_ms",
];

/// Summary sets (name, advanced): one summary per key (a namespace, a learner).
pub const SUMMARY_SETS: &[(&str, bool)] = &[
    ("read_per_namespace", false),
    ("write_per_namespace", false),
    ("learner_handler_qp_size", false),
    ("learner_handler_qp_time_ms", true),
    ("ack_latency", true),
];

/// Counter sets (labelled counters).
pub const COUNTER_SETS: &[&str] = &["quota_exceeded_error_per_namespace"];

/// Gauge sets ZooKeeperServer registers (per-namespace quota limits and usage).
pub const GAUGE_SETS: &[&str] = &[
    "quota_count_limit_per_namespace",
    "quota_bytes_limit_per_namespace",
    "quota_count_usage_per_namespace",
    "quota_bytes_usage_per_namespace",
];

/// The metrics rzk feeds with real measurements (the rest are zero on a standalone rzk).
pub const MEASURED: &[&str] = &[
    "bytes_received_count",
    "response_bytes",
    "connection_request_count",
    "connection_revalidate_count",
    "stale_sessions_expired",
    "readlatency",
    "updatelatency",
    "node_created_watch_count",
    "node_deleted_watch_count",
    "node_changed_watch_count",
    "node_children_watch_count",
    "snapshottime",
    "dbinittime",
    "read_per_namespace",
    "write_per_namespace",
];

const RESERVOIR: usize = 4096;
const WINDOW_BUCKETS: usize = 5;
const WINDOW_AGE: Duration = Duration::from_secs(600);
const WINDOW_CAP: usize = 2048;

/// A summary: count/sum/min/max, a uniform reservoir for `mntr` percentiles and, for Prometheus, a
/// sliding window for the quantiles.
#[derive(Debug, Clone)]
struct Summary {
    advanced: bool,
    count: u64,
    total: i64,
    min: i64,
    max: i64,
    /// Samples seen since the last reset (for the reservoir's replacement odds).
    seen: u64,
    reservoir: Vec<i64>,
    window: Option<Window>,
}

#[derive(Debug, Clone)]
struct Window {
    buckets: [Vec<i64>; WINDOW_BUCKETS],
    seen: [u64; WINDOW_BUCKETS],
    current: usize,
    rotated: Instant,
}

impl Window {
    fn new() -> Self {
        Self {
            buckets: Default::default(),
            seen: [0; WINDOW_BUCKETS],
            current: 0,
            rotated: Instant::now(),
        }
    }

    fn rotate(&mut self) {
        let step = WINDOW_AGE / WINDOW_BUCKETS as u32;
        while self.rotated.elapsed() > step {
            self.buckets[self.current].clear();
            self.seen[self.current] = 0;
            self.current = (self.current + 1) % WINDOW_BUCKETS;
            self.rotated += step;
        }
    }
}

impl Summary {
    fn new(advanced: bool) -> Self {
        Self {
            advanced,
            count: 0,
            total: 0,
            min: i64::MAX,
            max: i64::MIN,
            seen: 0,
            reservoir: Vec::new(),
            window: None,
        }
    }

    fn add(&mut self, v: i64, rng: &mut Rng, prometheus: bool) {
        self.count += 1;
        self.total = self.total.wrapping_add(v);
        self.min = self.min.min(v);
        self.max = self.max.max(v);
        if prometheus {
            let w = self.window.get_or_insert_with(Window::new);
            w.rotate();
            for i in 0..WINDOW_BUCKETS {
                w.seen[i] += 1;
                sample_into(&mut w.buckets[i], WINDOW_CAP, w.seen[i], v, rng);
            }
        } else if self.advanced {
            self.seen += 1;
            sample_into(&mut self.reservoir, RESERVOIR, self.seen, v, rng);
        }
    }

    fn reset(&mut self) {
        *self = Summary::new(self.advanced);
    }

    fn min(&self) -> i64 {
        if self.min == i64::MAX {
            0
        } else {
            self.min
        }
    }

    fn max(&self) -> i64 {
        if self.max == i64::MIN {
            0
        } else {
            self.max
        }
    }

    /// `AvgMinMaxCounter.values()` (+ the percentiles of `AvgMinMaxPercentileCounter`).
    fn mntr(&self, name: &str, out: &mut Vec<(String, Json)>) {
        let c = self.count;
        out.push((format!("avg_{name}"), Json::Double(java::avg4(self.total, c))));
        out.push((format!("min_{name}"), Json::Int(self.min())));
        out.push((format!("max_{name}"), Json::Int(self.max())));
        out.push((format!("cnt_{name}"), Json::Int(c as i64)));
        out.push((format!("sum_{name}"), Json::Int(self.total)));
        if self.advanced {
            let mut sorted = self.reservoir.clone();
            sorted.sort_unstable();
            for (label, q) in [("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("p999", 0.999)] {
                out.push((
                    format!("{label}_{name}"),
                    Json::Int(uniform_quantile(&sorted, q).round() as i64),
                ));
            }
        }
    }

    /// Prometheus samples: quantiles over the window, `_count`, `_sum`.
    fn prometheus(&mut self, name: &str, labels: &[(String, String)], out: &mut Vec<Sample>) {
        let qs: &[f64] = if self.advanced { &[0.5, 0.9, 0.99] } else { &[0.5] };
        let mut sorted = match &mut self.window {
            Some(w) => {
                w.rotate();
                w.buckets[w.current].clone()
            }
            None => Vec::new(),
        };
        sorted.sort_unstable();
        for q in qs {
            let mut l = labels.to_vec();
            l.push(("quantile".to_owned(), java::double(*q)));
            let v = if sorted.is_empty() {
                f64::NAN
            } else {
                let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
                sorted[rank - 1] as f64
            };
            out.push(Sample::new(name, l, v));
        }
        out.push(Sample::new(
            &format!("{name}_count"),
            labels.to_vec(),
            self.count as f64,
        ));
        out.push(Sample::new(
            &format!("{name}_sum"),
            labels.to_vec(),
            self.total as f64,
        ));
    }
}

/// Reservoir sampling (Vitter's R), as Dropwizard's uniform reservoir.
fn sample_into(buf: &mut Vec<i64>, cap: usize, seen: u64, v: i64, rng: &mut Rng) {
    if buf.len() < cap {
        buf.push(v);
    } else {
        let r = rng.next() % seen;
        if (r as usize) < cap {
            buf[r as usize] = v;
        }
    }
}

/// Dropwizard `UniformSnapshot.getValue(q)` on sorted values.
fn uniform_quantile(sorted: &[i64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = q * (sorted.len() as f64 + 1.0);
    let idx = pos as usize;
    if idx < 1 {
        return sorted[0] as f64;
    }
    if idx >= sorted.len() {
        return sorted[sorted.len() - 1] as f64;
    }
    let lower = sorted[idx - 1] as f64;
    let upper = sorted[idx] as f64;
    lower + (pos - pos.floor()) * (upper - lower)
}

#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// One line of Prometheus text (or one `mntr` key in Prometheus mode).
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

impl Sample {
    pub fn new(name: &str, labels: Vec<(String, String)>, value: f64) -> Self {
        Self {
            name: name.to_owned(),
            labels,
            value,
        }
    }
}

/// A metric family: `# HELP`, `# TYPE` and its samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    pub name: String,
    pub help: String,
    /// `gauge`, `counter` or `summary`.
    pub kind: &'static str,
    pub samples: Vec<Sample>,
}

/// The registry of one server.
#[derive(Debug, Clone)]
pub struct ServerMetrics {
    prometheus: bool,
    counters: Vec<u64>,
    counter_index: HashMap<&'static str, usize>,
    summaries: Vec<Summary>,
    summary_index: HashMap<&'static str, usize>,
    /// Per set: keys in first-use order.
    sets: Vec<Vec<(String, Summary)>>,
    counter_sets: Vec<Vec<(String, u64)>>,
    rng: Rng,
}

impl Default for ServerMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerMetrics {
    pub fn new() -> Self {
        let counter_index = COUNTERS.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let mut summaries = Vec::new();
        let mut summary_index = HashMap::new();
        for (i, n) in BASIC_SUMMARIES.iter().enumerate() {
            summaries.push(Summary::new(false));
            summary_index.insert(*n, i);
        }
        for n in SUMMARIES {
            summary_index.insert(*n, summaries.len());
            summaries.push(Summary::new(true));
        }
        Self {
            prometheus: false,
            counters: vec![0; COUNTERS.len()],
            counter_index,
            summaries,
            summary_index,
            sets: vec![Vec::new(); SUMMARY_SETS.len()],
            counter_sets: vec![Vec::new(); COUNTER_SETS.len()],
            rng: Rng(0x9E37_79B9_7F4A_7C15),
        }
    }

    /// Switches to the Prometheus provider's behaviour (quantile windows, no reset, sample keys).
    pub fn set_prometheus(&mut self, on: bool) {
        self.prometheus = on;
    }

    pub fn is_prometheus(&self) -> bool {
        self.prometheus
    }

    /// Adds to a counter (`ServerMetrics.X.add(n)`).
    pub fn count(&mut self, name: &str, n: u64) {
        debug_assert!(self.counter_index.contains_key(name), "unknown counter {name}");
        if let Some(&i) = self.counter_index.get(name) {
            self.counters[i] = self.counters[i].wrapping_add(n);
        }
    }

    pub fn counter(&self, name: &str) -> u64 {
        self.counter_index.get(name).map_or(0, |&i| self.counters[i])
    }

    /// Adds a data point to a summary.
    pub fn observe(&mut self, name: &str, v: i64) {
        debug_assert!(self.summary_index.contains_key(name), "unknown summary {name}");
        if let Some(&i) = self.summary_index.get(name) {
            let prom = self.prometheus;
            self.summaries[i].add(v, &mut self.rng, prom);
        }
    }

    /// `(count, sum, min, max)` of a summary.
    pub fn summary(&self, name: &str) -> Option<(u64, i64, i64, i64)> {
        let s = &self.summaries[*self.summary_index.get(name)?];
        Some((s.count, s.total, s.min(), s.max()))
    }

    /// Adds a data point to `key`'s summary in a summary set.
    pub fn observe_set(&mut self, set: &str, key: &str, v: i64) {
        let Some(si) = SUMMARY_SETS.iter().position(|(n, _)| *n == set) else {
            debug_assert!(false, "unknown summary set {set}");
            return;
        };
        let advanced = SUMMARY_SETS[si].1;
        let prom = self.prometheus;
        let entries = &mut self.sets[si];
        let idx = match entries.iter().position(|(k, _)| k == key) {
            Some(i) => i,
            None => {
                entries.push((key.to_owned(), Summary::new(advanced)));
                entries.len() - 1
            }
        };
        entries[idx].1.add(v, &mut self.rng, prom);
    }

    /// Adds to `key`'s counter in a counter set.
    pub fn count_set(&mut self, set: &str, key: &str, n: u64) {
        let Some(si) = COUNTER_SETS.iter().position(|c| *c == set) else {
            return;
        };
        let entries = &mut self.counter_sets[si];
        match entries.iter_mut().find(|(k, _)| k == key) {
            Some(e) => e.1 += n,
            None => entries.push((key.to_owned(), n)),
        }
    }

    /// `ServerMetrics.resetAll()` (`srst`): the default provider zeroes everything; Prometheus does not
    /// support it.
    pub fn reset(&mut self) {
        if self.prometheus {
            return;
        }
        self.counters.iter_mut().for_each(|c| *c = 0);
        self.summaries.iter_mut().for_each(Summary::reset);
        for set in &mut self.sets {
            for (_, s) in set.iter_mut() {
                s.reset();
            }
        }
        for set in &mut self.counter_sets {
            for (_, c) in set.iter_mut() {
                *c = 0;
            }
        }
    }

    /// The provider's `dump` for `mntr` / `monitor`, after the gauges: the default provider's keys, or
    /// in Prometheus mode every sample as `name{label="v"}`.
    pub fn dump(
        &mut self,
        gauges: &[(&str, Json)],
        gauge_sets: &[(&str, Vec<(String, i64)>)],
        process: &[Family],
        out: &mut Vec<(String, Json)>,
    ) {
        if self.prometheus {
            for f in self.families(gauges, gauge_sets, process) {
                for s in f.samples {
                    out.push((dump_key(&s), Json::Double(s.value)));
                }
            }
            return;
        }
        for (name, v) in gauges {
            out.push(((*name).to_owned(), v.clone()));
        }
        for (set, values) in gauge_sets {
            for (k, v) in values {
                out.push((format!("{k}_{set}"), Json::Int(*v)));
            }
        }
        for (i, name) in COUNTERS.iter().enumerate() {
            out.push(((*name).to_owned(), Json::Int(self.counters[i] as i64)));
        }
        for (si, set) in COUNTER_SETS.iter().enumerate() {
            for (k, v) in &self.counter_sets[si] {
                out.push((format!("{k}_{set}"), Json::Int(*v as i64)));
            }
        }
        for name in BASIC_SUMMARIES.iter().chain(SUMMARIES) {
            self.summaries[self.summary_index[name]].mntr(name, out);
        }
        // Basic sets first, then advanced ones (DefaultMetricsContext's two maps).
        for advanced in [false, true] {
            for (si, (set, adv)) in SUMMARY_SETS.iter().enumerate() {
                if *adv != advanced {
                    continue;
                }
                for (key, s) in &self.sets[si] {
                    s.mntr(&format!("{key}_{set}"), out);
                }
            }
        }
    }

    /// Every metric family as the Prometheus provider exports it.
    pub fn families(
        &mut self,
        gauges: &[(&str, Json)],
        gauge_sets: &[(&str, Vec<(String, i64)>)],
        process: &[Family],
    ) -> Vec<Family> {
        let mut out = Vec::new();
        let fam = |name: &str, kind: &'static str, samples: Vec<Sample>| Family {
            name: name.to_owned(),
            help: name.to_owned(),
            kind,
            samples,
        };
        for (name, v) in gauges {
            let value = match v {
                Json::Int(i) => *i as f64,
                Json::Double(d) => *d,
                _ => continue,
            };
            out.push(fam(name, "gauge", vec![Sample::new(name, vec![], value)]));
        }
        for (set, values) in gauge_sets {
            let samples = values
                .iter()
                .map(|(k, v)| Sample::new(set, vec![("key".to_owned(), k.clone())], *v as f64))
                .collect();
            out.push(fam(set, "gauge", samples));
        }
        for (i, name) in COUNTERS.iter().enumerate() {
            out.push(fam(
                name,
                "counter",
                vec![Sample::new(name, vec![], self.counters[i] as f64)],
            ));
        }
        for (si, set) in COUNTER_SETS.iter().enumerate() {
            let samples = self.counter_sets[si]
                .iter()
                .map(|(k, v)| Sample::new(set, vec![("key".to_owned(), k.clone())], *v as f64))
                .collect();
            out.push(fam(set, "counter", samples));
        }
        for name in BASIC_SUMMARIES.iter().chain(SUMMARIES) {
            let i = self.summary_index[name];
            let mut samples = Vec::new();
            self.summaries[i].prometheus(name, &[], &mut samples);
            out.push(fam(name, "summary", samples));
        }
        for (si, (set, _)) in SUMMARY_SETS.iter().enumerate() {
            let mut samples = Vec::new();
            for (key, s) in self.sets[si].iter_mut() {
                s.prometheus(set, &[("key".to_owned(), key.clone())], &mut samples);
            }
            out.push(fam(set, "summary", samples));
        }
        out.extend(process.iter().cloned());
        out
    }
}

/// `PrometheusMetricsProvider.buildKeyForDump`: `name{a="x",b="y"}`.
fn dump_key(s: &Sample) -> String {
    let mut k = s.name.clone();
    if !s.labels.is_empty() {
        k.push('{');
        for (i, (n, v)) in s.labels.iter().enumerate() {
            if i > 0 {
                k.push(',');
            }
            let _ = write!(k, "{n}=\"{v}\"");
        }
        k.push('}');
    }
    k
}

/// simpleclient 0.9's `TextFormat.write004`.
pub fn prometheus_text(families: &[Family]) -> String {
    let mut out = String::new();
    for f in families {
        let _ = writeln!(out, "# HELP {} {}", f.name, escape_help(&f.help));
        let _ = writeln!(out, "# TYPE {} {}", f.name, f.kind);
        for s in &f.samples {
            out.push_str(&s.name);
            if !s.labels.is_empty() {
                out.push('{');
                for (n, v) in &s.labels {
                    let _ = write!(out, "{n}=\"{}\",", escape_label(v));
                }
                out.push('}');
            }
            out.push(' ');
            out.push_str(&go_double(s.value));
            out.push('\n');
        }
    }
    out
}

/// `Collector.doubleToGoString`.
fn go_double(v: f64) -> String {
    if v == f64::INFINITY {
        "+Inf".to_owned()
    } else if v == f64::NEG_INFINITY {
        "-Inf".to_owned()
    } else {
        java::double(v)
    }
}

fn escape_help(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

fn escape_label(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n").replace('"', "\\\"")
}

/// The `process_*` families simpleclient's `StandardExports` adds when `exportJvmInfo` is true (rzk
/// has no JVM, so the `jvm_*` families are not exported), read from /proc on Linux.
pub fn process_families(start_wall_secs: f64) -> Vec<Family> {
    let mut out = Vec::new();
    let mut fam = |name: &str, help: &str, kind: &'static str, v: f64| {
        out.push(Family {
            name: name.to_owned(),
            help: help.to_owned(),
            kind,
            samples: vec![Sample::new(name, vec![], v)],
        })
    };
    let ticks = clock_ticks();
    if let Some((utime, stime, vsize, rss_pages)) = proc_stat() {
        fam(
            "process_cpu_seconds_total",
            "Total user and system CPU time spent in seconds.",
            "counter",
            (utime + stime) as f64 / ticks,
        );
        fam(
            "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
            "gauge",
            start_wall_secs,
        );
        fam(
            "process_open_fds",
            "Number of open file descriptors.",
            "gauge",
            open_fds() as f64,
        );
        fam(
            "process_max_fds",
            "Maximum number of open file descriptors.",
            "gauge",
            max_fds() as f64,
        );
        fam(
            "process_virtual_memory_bytes",
            "Virtual memory size in bytes.",
            "gauge",
            vsize as f64,
        );
        fam(
            "process_resident_memory_bytes",
            "Resident memory size in bytes.",
            "gauge",
            (rss_pages as f64) * page_size(),
        );
    }
    out
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no memory effects.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}

fn page_size() -> f64 {
    // SAFETY: sysconf has no memory effects.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 {
        p as f64
    } else {
        4096.0
    }
}

/// utime, stime (ticks), vsize (bytes), rss (pages) from /proc/self/stat.
fn proc_stat() -> Option<(u64, u64, u64, u64)> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields after "(comm)": state is index 0, utime 11, stime 12, vsize 20, rss 21.
    Some((
        f.get(11)?.parse().ok()?,
        f.get(12)?.parse().ok()?,
        f.get(20)?.parse().ok()?,
        f.get(21)?.parse().ok()?,
    ))
}

/// Open file descriptors of this process (`OSMXBean.getOpenFileDescriptorCount`).
pub fn open_fds() -> i64 {
    std::fs::read_dir("/proc/self/fd").map_or(-1, |d| d.count() as i64)
}

/// The soft RLIMIT_NOFILE (`OSMXBean.getMaxFileDescriptorCount`).
pub fn max_fds() -> i64 {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes only the struct we pass.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) } == 0 {
        r.rlim_cur as i64
    } else {
        -1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mntr_keys_of_a_summary() {
        let mut m = ServerMetrics::new();
        m.observe("readlatency", 1);
        m.observe("readlatency", 2);
        m.observe("fsynctime", 3);
        let mut out = Vec::new();
        m.dump(&[], &[], &[], &mut out);
        let get = |k: &str| out.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(get("avg_readlatency"), Some(Json::Double(1.5)));
        assert_eq!(get("cnt_readlatency"), Some(Json::Int(2)));
        assert_eq!(get("p999_readlatency"), Some(Json::Int(2)));
        assert_eq!(get("max_fsynctime"), Some(Json::Int(3)));
        assert_eq!(get("p50_fsynctime"), None, "basic summaries have no percentiles");
        assert_eq!(get("min_dbinittime"), Some(Json::Int(0)));
        m.reset();
        out.clear();
        m.dump(&[], &[], &[], &mut out);
        assert!(out
            .iter()
            .any(|(k, v)| k == "cnt_readlatency" && *v == Json::Int(0)));
    }

    #[test]
    fn summary_sets_use_key_then_name() {
        let mut m = ServerMetrics::new();
        m.observe_set("read_per_namespace", "app", 70);
        let mut out = Vec::new();
        m.dump(&[], &[], &[], &mut out);
        assert!(out.iter().any(|(k, _)| k == "avg_app_read_per_namespace"));
        assert!(out.iter().any(|(k, _)| k == "sum_app_read_per_namespace"));
    }

    #[test]
    fn prometheus_text_is_simpleclient_0_9() {
        let mut m = ServerMetrics::new();
        m.set_prometheus(true);
        m.count("bytes_received_count", 12);
        m.observe("readlatency", 4);
        m.observe_set("read_per_namespace", "app", 70);
        let fams = m.families(&[("znode_count", Json::Int(5))], &[], &[]);
        let text = prometheus_text(&fams);
        assert!(
            text.starts_with("# HELP znode_count znode_count\n# TYPE znode_count gauge\nznode_count 5.0\n")
        );
        assert!(text.contains(
            "# HELP bytes_received_count bytes_received_count\n# TYPE bytes_received_count counter\nbytes_received_count 12.0\n"
        ));
        assert!(text.contains("readlatency{quantile=\"0.5\",} 4.0\nreadlatency{quantile=\"0.9\",} 4.0\nreadlatency{quantile=\"0.99\",} 4.0\nreadlatency_count 1.0\nreadlatency_sum 4.0\n"));
        assert!(text.contains("fsynctime{quantile=\"0.5\",} NaN\nfsynctime_count 0.0\n"));
        assert!(text.contains("read_per_namespace{key=\"app\",quantile=\"0.5\",} 70.0\nread_per_namespace_count{key=\"app\",} 1.0\n"));
        assert!(
            text.ends_with("# TYPE ack_latency summary\n"),
            "a set without keys has no samples"
        );
        let mut out = Vec::new();
        m.dump(&[("znode_count", Json::Int(5))], &[], &[], &mut out);
        assert!(out.contains(&("znode_count".to_owned(), Json::Double(5.0))));
        assert!(out.iter().any(|(k, _)| k == "readlatency{quantile=\"0.5\"}"));
        m.reset();
        assert_eq!(m.counter("bytes_received_count"), 12, "Prometheus does not reset");
    }

    #[test]
    fn dropwizard_uniform_quantiles() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(uniform_quantile(&v, 0.5), 5.5);
        assert_eq!(uniform_quantile(&v, 0.999), 10.0);
        assert_eq!(uniform_quantile(&[7], 0.5), 7.0);
    }
}
