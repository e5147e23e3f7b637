//! Persistence in ZooKeeper's own formats: `dataDir/version-2/snapshot.*` and
//! `dataLogDir/version-2/log.*`, interchangeable with Java ZooKeeper's data directories.
//!
//! - `txnlog`: log files (record format, torn-tail detection, the mmap'd preallocated writer).
//! - `snapshot`: snapshot files (tree serialization, checksums, digest trailer, gz/snappy).
//! - `recover`: newest valid snapshot + replay of later txns, as ZooKeeper's `FileTxnSnapLog.restore`.
//! - `Committer`: the log thread — group commit (every txn that arrives during an fsync goes into the
//!   next one), durable notifications, log rolls and snapshot triggers every `snapCount` txns with
//!   ZooKeeper's randomisation.

pub mod purge;
pub mod snapshot;
pub mod txnlog;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bytes::Bytes;
use jute::txn::{TxnBody, TxnEntry, TxnHeader};
use jute::{OpCode, Reader};

use self::snapshot::Compression;
use self::txnlog::{list, LogScan, LogWriter, Tail, LOG_PREFIX, SNAPSHOT_PREFIX};
use crate::tree::digest::DIGEST_VERSION;
use crate::tree::{DataTree, TreeOptions};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Snapshot(#[from] snapshot::SnapshotError),
    #[error("{0}")]
    Corrupt(String),
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> StorageError + '_ {
    move |source| StorageError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Storage settings, from zoo.cfg.
#[derive(Debug, Clone)]
pub struct StorageOptions {
    /// `dataDir/version-2`: snapshots (and epoch files).
    pub snap_dir: PathBuf,
    /// `dataLogDir/version-2`: txn logs.
    pub log_dir: PathBuf,
    pub prealloc_bytes: u64,
    pub force_sync: bool,
    pub fsync_warning_ms: u64,
    pub snap_count: u64,
    /// ≤ 0 disables the size trigger.
    pub snap_size_limit_bytes: i64,
    pub compression: Compression,
    pub digest_enabled: bool,
    pub trust_empty_snapshot: bool,
    pub autocreate: bool,
    /// Largest record accepted when reading (jute.maxbuffer + extrasize).
    pub max_record: usize,
    pub tree: TreeOptions,
    /// autopurge.snapRetainCount (at least 3).
    pub autopurge_retain: usize,
    /// autopurge.purgeInterval in hours; 0 disables.
    pub autopurge_interval_hours: u32,
}

impl StorageOptions {
    pub fn new(data_dir: &Path, data_log_dir: &Path) -> Self {
        Self {
            snap_dir: data_dir.join("version-2"),
            log_dir: data_log_dir.join("version-2"),
            prealloc_bytes: 64 << 20,
            force_sync: true,
            fsync_warning_ms: 1000,
            snap_count: 100_000,
            snap_size_limit_bytes: 4_194_304 * 1024,
            compression: Compression::None,
            digest_enabled: true,
            trust_empty_snapshot: false,
            autocreate: true,
            max_record: 2 * jute::DEFAULT_MAX_BUFFER,
            tree: TreeOptions::default(),
            autopurge_retain: 3,
            autopurge_interval_hours: 0,
        }
    }
}

/// The database as recovered from disk.
pub struct Recovered {
    pub tree: DataTree,
    /// Global sessions and their timeouts.
    pub sessions: HashMap<i64, i32>,
    pub snapshot_zxid: Option<i64>,
    pub replayed: u64,
    /// Replayed txns whose logged tree digest differed from the recomputed one (should be 0).
    pub digest_mismatches: u64,
    /// Whether a fresh snapshot should be written before serving (ZooKeeper always takes one after
    /// loading).
    pub needs_snapshot: bool,
}

/// Applies one txn to the tree and the session table, as `ZKDatabase.processTxn` does.
pub fn apply_to(tree: &mut DataTree, sessions: &mut HashMap<i64, i32>, entry: &TxnEntry) {
    match &entry.body {
        TxnBody::CreateSession(t) => {
            sessions.insert(entry.header.client_id, t.timeout_ms);
        }
        TxnBody::CloseSession(_) => {
            sessions.remove(&entry.header.client_id);
        }
        _ => {}
    }
    tree.apply(&entry.header, &entry.body, &mut Vec::new());
}

/// Loads the newest valid snapshot and replays every later txn.
pub fn recover(opts: &StorageOptions) -> Result<Recovered, StorageError> {
    for dir in [&opts.snap_dir, &opts.log_dir] {
        if !dir.exists() {
            if !opts.autocreate {
                return Err(StorageError::Corrupt(format!(
                    "{} does not exist and zookeeper.datadir.autocreate is false",
                    dir.display()
                )));
            }
            std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
    }
    let snaps = list(&opts.snap_dir, SNAPSHOT_PREFIX).map_err(io_err(&opts.snap_dir))?;
    let logs = list(&opts.log_dir, LOG_PREFIX).map_err(io_err(&opts.log_dir))?;
    let mut loaded = None;
    for (zxid, path) in snaps.iter().rev().take(100) {
        let raw = match snapshot::read_file(path, u64::MAX) {
            Ok(raw) => raw,
            Err(e) => {
                tracing::warn!(
                    "problem reading snapshot {}: {e}; trying an older one",
                    path.display()
                );
                continue;
            }
        };
        match snapshot::parse(raw, *zxid, opts.tree, opts.max_record) {
            Ok(l) => {
                tracing::info!("Reading snapshot {}", path.display());
                loaded = Some((*zxid, l));
                break;
            }
            Err(e) => tracing::warn!(
                "problem reading snapshot {}: {e}; trying an older one",
                path.display()
            ),
        }
    }
    // A digest trailer beyond the snapshot's own zxid marks a fuzzy snapshot: until that txn is replayed
    // the tree may already hold effects of later txns, so ZooKeeper compares no digest before it
    // (DataTree.compareSnapshotDigests, compareDigest), then the trailer's at that txn.
    let mut fuzzy_until: Option<(i64, Option<i64>)> = None;
    let (mut tree, mut sessions, snapshot_zxid) = match loaded {
        Some((zxid, l)) => {
            if let Some(d) = &l.digest {
                let value = match d.digest {
                    jute::snapshot::DigestValue::Long(v) if d.digest_version == DIGEST_VERSION => Some(v),
                    _ => None,
                };
                // Only a trailer past the file's zxid is checked (when replay reaches it), as ZooKeeper's
                // compareSnapshotDigests does. One at the file's own zxid is never compared: Java records
                // it after applying a txn's nodes, so a fuzzy snapshot may hold part of the next txn while
                // its trailer still names the previous one.
                if d.zxid > zxid {
                    fuzzy_until = Some((d.zxid, value));
                }
            }
            (
                l.tree,
                l.sessions.into_iter().collect::<HashMap<_, _>>(),
                Some(zxid),
            )
        }
        None if !snaps.is_empty() => {
            return Err(StorageError::Corrupt(format!(
                "Not able to find valid snapshots in {}",
                opts.snap_dir.display()
            )));
        }
        None if !logs.is_empty() && !opts.trust_empty_snapshot => {
            return Err(StorageError::Corrupt(format!(
                "No snapshot found in {}, but there are log entries in {}. Something is broken! \
                 (set zookeeper.snapshot.trust.empty=true to start from the logs alone)",
                opts.snap_dir.display(),
                opts.log_dir.display()
            )));
        }
        None => (DataTree::new(opts.tree), HashMap::new(), None),
    };
    let from = tree.last_processed_zxid() + 1;
    // The newest log starting at or before `from`, and every later one.
    let first = logs.iter().rposition(|(z, _)| *z <= from).unwrap_or(0);
    let mut replayed = 0u64;
    let mut digest_mismatches = 0u64;
    for (i, (_, path)) in logs.iter().enumerate().skip(first) {
        let mut scan = LogScan::open(path, opts.max_record).map_err(io_err(path))?;
        let mut bad = None;
        while let Some((txn, _)) = scan.next_record() {
            let entry = match TxnEntry::decode(&mut Reader::with_limit(
                Bytes::copy_from_slice(txn),
                opts.max_record,
            )) {
                Ok(e) => e,
                Err(e) => {
                    bad = Some(format!("undecodable txn: {e}"));
                    break;
                }
            };
            if entry.header.zxid <= tree.last_processed_zxid() {
                continue;
            }
            apply_to(&mut tree, &mut sessions, &entry);
            replayed += 1;
            if let Some((until, value)) = fuzzy_until {
                if entry.header.zxid != until {
                    // Still fuzzy (or that txn is missing: ZooKeeper then never compares again).
                    continue;
                }
                fuzzy_until = None;
                if let Some(v) = value.filter(|v| opts.digest_enabled && *v != tree.digest().value()) {
                    digest_mismatches += 1;
                    tracing::warn!(
                        "digest mismatch at 0x{until:x}, the fuzzy snapshot's digest point: stored {v:#x}, \
                         computed {:#x}",
                        tree.digest().value()
                    );
                }
            }
            if let Some(d) = &entry.digest {
                if opts.digest_enabled && d.tree_digest != tree.digest().value() {
                    digest_mismatches += 1;
                    if digest_mismatches <= 5 {
                        tracing::warn!(
                            "digest mismatch after txn 0x{:x}: logged {:#x}, computed {:#x}",
                            entry.header.zxid,
                            d.tree_digest,
                            tree.digest().value()
                        );
                    }
                }
            }
        }
        let good_end = scan.good_end() as u64;
        if let Some(msg) = bad {
            // The checksum matched: this is what was written, and dropping it would lose a transaction
            // that may have been acknowledged. ZooKeeper fails to load such a log too.
            return Err(StorageError::Corrupt(format!(
                "{}: record ending at offset {good_end}: {msg}; refusing to start",
                path.display()
            )));
        }
        let tail = match scan.tail() {
            Some(Tail::Clean) | None => None,
            Some(t) => Some(t.clone()),
        };
        if let Some(t) = tail {
            let (kind, msg) = match &t {
                Tail::Torn(m) => ("torn", m.clone()),
                Tail::Corrupt(m) => ("corrupt", m.clone()),
                Tail::Clean => ("clean", String::new()),
            };
            // A bad record is a tail (a write the crash interrupted) when nothing but zeros follows the
            // record it could have been; anything else is corruption in the middle, which we refuse.
            // A torn record may end an older file (ZooKeeper leaves it there and writes the next txn to
            // a new file), but a checksum failure cannot: later files mean the record was complete once,
            // so it is damage, fatal as in ZooKeeper ("CRC check failed").
            let after = good_end + record_extent(path, good_end);
            let later_records = matches!(t, Tail::Corrupt(_))
                && logs[i + 1..].iter().any(|(_, p)| {
                    LogScan::open(p, opts.max_record).is_ok_and(|mut s| s.next_record().is_some())
                });
            let is_tail = matches!(t, Tail::Torn(_))
                || (!later_records && !txnlog::has_data_after(path, after).map_err(io_err(path))?);
            if !is_tail {
                return Err(StorageError::Corrupt(format!(
                    "{}: {kind} record at offset {good_end} ({msg}) followed by more data{}; refusing to \
                     guess which transactions are valid",
                    path.display(),
                    if later_records { " in later log files" } else { "" }
                )));
            }
            tracing::warn!(
                "{}: {kind} tail at offset {good_end} ({msg}); truncating the log to its last good record",
                path.display()
            );
            if good_end == 0 {
                // No header either (created just before a crash): nothing in it was ever durable, and
                // ZooKeeper cannot read a headerless log, so it goes.
                std::fs::remove_file(path).map_err(io_err(path))?;
                continue;
            }
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(io_err(path))?;
            f.set_len(good_end).map_err(io_err(path))?;
            f.sync_all().map_err(io_err(path))?;
        }
    }
    if digest_mismatches > 0 {
        tracing::warn!("{digest_mismatches} txn digests did not match the recomputed tree digest");
    }
    // Sessions that own ephemerals but are not in the session table are dead: drop their ephemerals, as
    // ZooKeeper's loadData does.
    let dead: Vec<i64> = tree
        .ephemerals()
        .keys()
        .filter(|s| !sessions.contains_key(s))
        .copied()
        .collect();
    for s in dead {
        let z = tree.last_processed_zxid();
        let h = TxnHeader {
            client_id: s,
            cxid: 0,
            zxid: z,
            time: 0,
            txn_type: OpCode::CloseSession,
        };
        tree.apply(&h, &TxnBody::CloseSession(None), &mut Vec::new());
    }
    tracing::info!(
        "Snapshot loaded: zxid 0x{:x}, {} txns replayed, {} nodes, {} sessions",
        tree.last_processed_zxid(),
        replayed,
        tree.node_count(),
        sessions.len()
    );
    Ok(Recovered {
        tree,
        sessions,
        snapshot_zxid,
        replayed,
        digest_mismatches,
        needs_snapshot: true,
    })
}

/// The byte length a record at `offset` would have by its length field (header only when unreadable).
fn record_extent(path: &Path, offset: u64) -> u64 {
    let Ok(data) = std::fs::read(path) else { return 12 };
    let o = offset as usize;
    match data.get(o + 8..o + 12) {
        Some(b) => {
            let len = i32::from_be_bytes([b[0], b[1], b[2], b[3]]);
            if len > 0 {
                txnlog::record_len(len as usize) as u64
            } else {
                12
            }
        }
        None => 0,
    }
}

/// Writes a snapshot of `tree` named after its last processed zxid.
pub fn write_snapshot(
    opts: &StorageOptions,
    tree: &DataTree,
    sessions: &HashMap<i64, i32>,
) -> Result<PathBuf, StorageError> {
    let mut s: Vec<(i64, i32)> = sessions.iter().map(|(k, v)| (*k, *v)).collect();
    s.sort_unstable();
    let bytes = snapshot::serialize(tree, &s, opts.digest_enabled);
    Ok(snapshot::write_file(
        &opts.snap_dir,
        tree.last_processed_zxid(),
        &bytes,
        opts.compression,
    )?)
}

/// What the log thread reports.
pub enum LogEvent {
    /// Every txn up to this zxid is durable.
    Durable(i64),
    /// The log was rolled; a snapshot should be taken now.
    SnapshotDue,
    /// The log cannot be written: the node must stop.
    Failed(String),
}

/// The log thread's handle.
pub struct Committer {
    tx: crossbeam_channel::Sender<TxnEntry>,
    join: Option<std::thread::JoinHandle<()>>,
}

/// ZooKeeper's snapshot trigger: more than `snapCount/2 + rand[0, snapCount/2)` txns, or more than
/// `snapSize/2 + rand[0, snapSize/2)` bytes since the last snapshot.
struct SnapTrigger {
    count: u64,
    bytes: u64,
    roll_count: u64,
    roll_bytes: u64,
    snap_count: u64,
    snap_bytes: i64,
    rng: u64,
}

impl SnapTrigger {
    fn new(snap_count: u64, snap_bytes: i64, seed: u64) -> Self {
        let mut t = Self {
            count: 0,
            bytes: 0,
            roll_count: 0,
            roll_bytes: 0,
            snap_count,
            snap_bytes,
            rng: seed | 1,
        };
        t.reroll();
        t
    }

    fn rand(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }

    fn reroll(&mut self) {
        let half = (self.snap_count / 2).max(1);
        self.roll_count = self.rand() % half;
        if self.snap_bytes > 0 {
            let hb = (self.snap_bytes as u64 / 2).max(1);
            self.roll_bytes = self.rand() % hb;
        }
        self.count = 0;
        self.bytes = 0;
    }

    fn record(&mut self, bytes: usize) -> bool {
        self.count += 1;
        self.bytes += bytes as u64;
        let by_count = self.count > self.snap_count / 2 + self.roll_count;
        let by_size = self.snap_bytes > 0 && self.bytes > self.snap_bytes as u64 / 2 + self.roll_bytes;
        by_count || by_size
    }
}

impl Committer {
    /// Starts the log thread. `report` is called from that thread.
    pub fn start(opts: &StorageOptions, report: impl Fn(LogEvent) + Send + 'static) -> Committer {
        let (tx, rx) = crossbeam_channel::unbounded::<TxnEntry>();
        let opts = opts.clone();
        let join = std::thread::Builder::new()
            .name("rzk-txnlog".into())
            .spawn(move || {
                let seed = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(7, |d| d.as_nanos() as u64);
                let mut trigger = SnapTrigger::new(opts.snap_count.max(2), opts.snap_size_limit_bytes, seed);
                let mut w = LogWriter::new(&opts.log_dir, opts.prealloc_bytes, opts.force_sync);
                let warn = Duration::from_millis(opts.fsync_warning_ms);
                while let Ok(first) = rx.recv() {
                    let mut last = first.header.zxid;
                    let mut snapshot_due = false;
                    let mut next = Some(first);
                    let mut n = 0;
                    let result: std::io::Result<()> = (|| {
                        while let Some(entry) = next.take() {
                            let bytes = entry.to_bytes();
                            w.append(entry.header.zxid, &bytes)?;
                            last = entry.header.zxid;
                            if trigger.record(bytes.len()) {
                                trigger.reroll();
                                w.roll()?;
                                snapshot_due = true;
                            }
                            n += 1;
                            if n < 10_000 {
                                next = rx.try_recv().ok();
                            }
                        }
                        let started = Instant::now();
                        w.commit()?;
                        let took = started.elapsed();
                        if took > warn {
                            tracing::warn!(
                                "fsync-ing the write ahead log took {}ms which will adversely effect operation latency",
                                took.as_millis()
                            );
                        }
                        Ok(())
                    })();
                    if let Err(e) = result {
                        report(LogEvent::Failed(format!("txn log write failed: {e}")));
                        return;
                    }
                    report(LogEvent::Durable(last));
                    if snapshot_due {
                        report(LogEvent::SnapshotDue);
                    }
                }
                let _ = w.roll();
            })
            .expect("spawning the txn log thread");
        Committer { tx, join: Some(join) }
    }

    /// Queues a txn for the log.
    pub fn append(&self, entry: TxnEntry) {
        let _ = self.tx.send(entry);
    }

    /// Flushes and stops the log thread.
    pub fn shutdown(mut self) {
        let (dummy_tx, _) = crossbeam_channel::unbounded();
        drop(std::mem::replace(&mut self.tx, dummy_tx));
        if let Some(j) = self.join.take() {
            let _ = j.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create_entry(zxid: i64, path: &str) -> TxnEntry {
        TxnEntry {
            header: TxnHeader {
                client_id: 0x100,
                cxid: zxid as i32,
                zxid,
                time: 1000,
                txn_type: OpCode::Create,
            },
            body: TxnBody::Create(jute::txn::CreateTxn {
                path: path.into(),
                data: Some(Bytes::from_static(b"data")),
                acl: jute::Acl::open_unsafe(),
                ephemeral: false,
                parent_cversion: zxid as i32,
            }),
            digest: None,
        }
    }

    /// A data dir with log.1 (/n1../n3) and log.4 (/n4, /n5); no snapshot (trusted empty).
    fn two_logs(name: &str) -> (PathBuf, StorageOptions) {
        let d = std::env::temp_dir().join(format!("rzk-recover-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let mut opts = StorageOptions::new(&d, &d);
        opts.trust_empty_snapshot = true;
        std::fs::create_dir_all(&opts.log_dir).unwrap();
        let mut w = LogWriter::new(&opts.log_dir, 65536, true);
        for z in 1..=5 {
            w.append(z, &create_entry(z, &format!("/n{z}")).to_bytes())
                .unwrap();
            if z == 3 {
                w.roll().unwrap();
            }
        }
        w.roll().unwrap();
        (d, opts)
    }

    fn last_record_offset(path: &Path) -> (usize, usize) {
        let mut scan = LogScan::open(path, 1 << 20).unwrap();
        let mut last = (0, 0);
        let mut start = 16;
        while let Some((txn, end)) = scan.next_record() {
            last = (start, txn.len());
            start = end;
        }
        last
    }

    #[test]
    fn a_checksum_failure_at_the_end_of_an_older_log_is_fatal() {
        // ZooKeeper's FileTxnIterator throws "CRC check failed" wherever the bad record is; only the
        // newest file's tail can be a crash artefact. Later files hold records, so /n3 was complete once.
        let (d, opts) = two_logs("crc-older");
        let log1 = opts.log_dir.join("log.1");
        let (off, len) = last_record_offset(&log1);
        let mut bytes = std::fs::read(&log1).unwrap();
        bytes[off + 12 + len / 2] ^= 0x08;
        std::fs::write(&log1, &bytes).unwrap();
        let err = recover(&opts).err().expect("must refuse").to_string();
        assert!(err.contains("log.1") && err.contains("later log files"), "{err}");
        assert_eq!(
            std::fs::read(&log1).unwrap(),
            bytes,
            "the damaged log is left as it was"
        );
        // The same damage in the newest file is a torn tail: truncated, the rest served.
        let log4 = opts.log_dir.join("log.4");
        let (off, len) = last_record_offset(&log4);
        let mut b4 = std::fs::read(&log4).unwrap();
        b4[off + 12 + len / 2] ^= 0x08;
        std::fs::write(&log4, &b4).unwrap();
        std::fs::remove_file(&log1).unwrap();
        let r = recover(&opts).unwrap();
        assert!(r.tree.get("/n4").is_some() && r.tree.get("/n5").is_none());
        assert_eq!(std::fs::metadata(&log4).unwrap().len(), off as u64);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn no_digest_is_compared_before_a_fuzzy_snapshots_digest_zxid() {
        // ZooKeeper's DataTree skips compareDigest while digestFromLoadedSnapshot is set (a snapshot
        // whose digest trailer is beyond its own zxid: it already holds later txns' effects), and
        // compares the trailer's digest when that txn is replayed. Here: the tree after txn 5 saved as
        // snapshot.2, and txns 1..5 in the log with the digests they had when they were first applied.
        let d = std::env::temp_dir().join(format!("rzk-recover-fuzzy-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let opts = StorageOptions::new(&d, &d);
        std::fs::create_dir_all(&opts.snap_dir).unwrap();
        let mut tree = DataTree::new(opts.tree);
        let mut w = LogWriter::new(&opts.log_dir, 65536, true);
        for z in 1..=5 {
            let mut e = create_entry(z, &format!("/n{z}"));
            if let TxnBody::Create(c) = &mut e.body {
                c.parent_cversion = z as i32;
            }
            tree.apply(&e.header, &e.body, &mut Vec::new());
            e.digest = Some(jute::txn::TxnDigest {
                version: DIGEST_VERSION,
                tree_digest: tree.digest().value(),
            });
            w.append(z, &e.to_bytes()).unwrap();
        }
        w.roll().unwrap();
        let bytes = snapshot::serialize(&tree, &[], true);
        snapshot::write_file(&opts.snap_dir, 2, &bytes, Compression::None).unwrap();
        let r = recover(&opts).unwrap();
        assert_eq!(r.replayed, 3);
        assert_eq!(r.digest_mismatches, 0);
        assert_eq!(r.tree.digest(), tree.digest());
        // A wrong trailer is still caught, at its zxid.
        let mut bad = bytes.to_vec();
        let n = bad.len();
        // trailer layout: ... long zxid, int version, long digest, long checksum, ustring "/"
        let at = n - 5 - 8 - 8;
        bad[at + 7] ^= 1;
        let crc = txnlog::adler32(&bad[..n - 13]) as u64;
        bad[n - 13..n - 5].copy_from_slice(&crc.to_be_bytes());
        snapshot::write_file(&opts.snap_dir, 2, &bad, Compression::None).unwrap();
        let r = recover(&opts).unwrap();
        assert_eq!(r.digest_mismatches, 1);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn an_undecodable_txn_with_a_good_checksum_is_never_truncated() {
        // Its bytes are what was written (possibly an acknowledged txn of a type we do not know):
        // refuse rather than cut it off as a torn tail.
        let (d, opts) = two_logs("undecodable");
        let log4 = opts.log_dir.join("log.4");
        let mut w = LogWriter::new(&opts.log_dir, 65536, true);
        let mut txn = create_entry(6, "/n6").to_bytes().to_vec();
        txn[28..32].copy_from_slice(&99i32.to_be_bytes()); // TxnHeader.type: no such txn
        w.append(6, &txn).unwrap();
        w.roll().unwrap();
        let before = std::fs::read(opts.log_dir.join("log.6")).unwrap();
        let err = recover(&opts).err().expect("must refuse").to_string();
        assert!(err.contains("log.6") && err.contains("undecodable"), "{err}");
        assert_eq!(std::fs::read(opts.log_dir.join("log.6")).unwrap(), before);
        assert!(log4.exists());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn snapshot_trigger_fires_between_half_and_full_snap_count() {
        for seed in 1..50 {
            let mut t = SnapTrigger::new(100, -1, seed);
            let mut n = 0;
            while !t.record(10) {
                n += 1;
                assert!(n <= 100);
            }
            assert!(n >= 50, "fired after {n}");
        }
    }
}

#[cfg(test)]
mod golden_tests {
    //! Java ZooKeeper 3.8.0 data directories captured by compat-tests/golden.
    use super::*;

    fn fixture(dir: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("compat-tests/golden/fixtures")
            .join(dir)
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                copy_dir(&e.path(), &to.join(e.file_name()));
            } else {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }

    fn recover_copy(name: &str) -> Recovered {
        let tmp = std::env::temp_dir().join(format!(
            "rzk-golden-{}-{}",
            name.replace('/', "-"),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&tmp);
        copy_dir(&fixture(name), &tmp);
        let mut opts = StorageOptions::new(&tmp, &tmp);
        opts.tree = TreeOptions { extended_types: true };
        let r = recover(&opts).unwrap();
        let _ = std::fs::remove_dir_all(&tmp);
        r
    }

    #[test]
    fn every_java_snapshot_parses_with_a_matching_digest() {
        let mut n = 0;
        for dir in ["datadir", "datadir-gz"] {
            let snap_dir = fixture(dir).join("version-2");
            for (zxid, path) in list(&snap_dir, SNAPSHOT_PREFIX).unwrap() {
                let raw = snapshot::read_file(&path, u64::MAX).unwrap();
                let l = snapshot::parse(raw, zxid, TreeOptions { extended_types: true }, 1 << 21)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                // A fuzzy snapshot's trailer holds the digest at its zxid; ours must equal it when the
                // snapshot was taken at rest (Java's trailer zxid equals the file's).
                if let Some(d) = l.digest {
                    if d.zxid == zxid {
                        assert_eq!(
                            d.digest,
                            jute::snapshot::DigestValue::Long(l.tree.digest().value()),
                            "{}",
                            path.display()
                        );
                    }
                }
                n += 1;
            }
        }
        assert!(n >= 10, "{n} snapshots");
    }

    #[test]
    fn java_data_dirs_recover_with_matching_txn_digests() {
        for dir in [
            "datadir",
            "datadir-gz",
            "quorum/datadir-leader2",
            "quorum/datadir-follower1",
        ] {
            let r = recover_copy(dir);
            assert!(r.tree.node_count() > 4, "{dir}");
            assert!(r.replayed > 0, "{dir}: nothing replayed");
            assert_eq!(
                r.digest_mismatches, 0,
                "{dir}: every replayed txn's digest matches ours"
            );
            // The last logged digest must equal the recomputed one: replay recomputes every node digest.
            let log_dir = fixture(dir).join("version-2");
            let logs = list(&log_dir, LOG_PREFIX).unwrap();
            let mut last = None;
            for (_, p) in &logs {
                let mut scan = LogScan::open(p, 1 << 21).unwrap();
                while let Some((txn, _)) = scan.next_record() {
                    let e = TxnEntry::decode(&mut Reader::new(Bytes::copy_from_slice(txn))).unwrap();
                    if let Some(d) = e.digest {
                        last = Some((e.header.zxid, d.tree_digest));
                    }
                }
            }
            let (zxid, digest) = last.unwrap();
            if zxid == r.tree.last_processed_zxid() {
                assert_eq!(digest, r.tree.digest().value(), "{dir}");
            }
        }
    }

    #[test]
    fn a_java_log_with_a_top_level_check_txn_loads() {
        // Java 3.8.0 logged type-13 txns it could not reload itself (reference §1.17); rzk tolerates them.
        let r = recover_copy("datadir-check13");
        assert!(r.tree.last_processed_zxid() > 0);
    }
}
