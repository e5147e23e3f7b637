//! ZooKeeper's transaction log files, `version-2/log.<hex zxid of the first txn>`.
//!
//! ```text
//! file    = FileHeader(magic "ZKLG", version 2, dbid 0) record* zero-padding
//! record  = long checksum   Adler-32 of txn, zero-extended
//!           int  length     N
//!           byte txn[N]     TxnHeader body [TxnDigest]
//!           byte 'B'        end of record
//! ```
//!
//! Files are preallocated in `preAllocSize` steps and zero-filled, so a length of 0 marks the end.
//! Reading stops at the first record that is incomplete (short, no `B`) or zero: that is the end of the
//! file (a torn final write). A checksum mismatch is corruption: in the newest file it is treated as a
//! torn tail and truncated by recovery (logged); in an older file it stops recovery (ZooKeeper refuses to
//! start too).
//!
//! Writing appends into a memory-mapped, preallocated (fallocate'd) segment and makes a batch durable
//! with msync of the written range (fdatasync semantics); see `LogWriter`.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use memmap2::{Mmap, MmapMut};

pub const LOG_PREFIX: &str = "log";
pub const SNAPSHOT_PREFIX: &str = "snapshot";
const HEADER_LEN: usize = 16;
/// ZooKeeper extends a log when fewer than this many bytes remain.
const PAD_SLACK: u64 = 4096;

pub fn adler32(bytes: &[u8]) -> u32 {
    let mut a = simd_adler32::Adler32::new();
    a.write(bytes);
    a.finish()
}

/// `<prefix>.<lower-case hex zxid>` as Java's `Long.toHexString` writes it.
pub fn file_name(prefix: &str, zxid: i64) -> String {
    format!("{prefix}.{:x}", zxid as u64)
}

/// The zxid in a file name (`log.1a`, `snapshot.0.gz`), or `None` for other files.
pub fn zxid_of(name: &str, prefix: &str) -> Option<i64> {
    let rest = name.strip_prefix(prefix)?.strip_prefix('.')?;
    let hex = rest.split('.').next()?;
    if hex.is_empty() || hex.len() > 16 {
        return None;
    }
    u64::from_str_radix(hex, 16).ok().map(|v| v as i64)
}

/// Files of one kind in `dir`, sorted by zxid ascending.
pub fn list(dir: &Path, prefix: &str) -> io::Result<Vec<(i64, PathBuf)>> {
    let mut out = Vec::new();
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for entry in rd {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some(z) = zxid_of(name, prefix) {
            out.push((z, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// Encodes one log record around `txn`.
pub fn encode_record(txn: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&(adler32(txn) as u64).to_be_bytes());
    out.extend_from_slice(&(txn.len() as i32).to_be_bytes());
    out.extend_from_slice(txn);
    out.push(jute::txn::END_OF_RECORD);
}

pub fn record_len(txn_len: usize) -> usize {
    8 + 4 + txn_len + 1
}

/// How a scan of one file ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tail {
    /// Zero padding or the end of the file after the last record.
    Clean,
    /// An incomplete record (crash during a write).
    Torn(String),
    /// A record whose checksum does not match, or an impossible length.
    Corrupt(String),
}

/// A log file read into memory (mapped), scanned record by record.
pub struct LogScan {
    map: Option<Mmap>,
    pos: usize,
    tail: Option<Tail>,
    max_record: usize,
}

impl LogScan {
    /// Opens a log file and checks its header. `max_record` bounds a record's length (jute.maxbuffer +
    /// extrasize, as ZooKeeper's reader).
    pub fn open(path: &Path, max_record: usize) -> io::Result<LogScan> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        if len < HEADER_LEN as u64 {
            return Ok(LogScan {
                map: None,
                pos: 0,
                tail: Some(Tail::Torn(format!("{} bytes, shorter than the file header", len))),
                max_record,
            });
        }
        // SAFETY: the file is only read; rzk never truncates a log it is reading (recovery runs before the
        // writer starts), and another process modifying it would be an operator error as with ZooKeeper.
        let map = unsafe { Mmap::map(&file)? };
        if map[..HEADER_LEN].iter().all(|b| *b == 0) {
            // Created and preallocated, then the process died before the header reached the disk: a log
            // that never held a durable record.
            return Ok(LogScan {
                map: None,
                pos: 0,
                tail: Some(Tail::Torn("no file header (created just before a crash)".into())),
                max_record,
            });
        }
        let magic = i32::from_be_bytes([map[0], map[1], map[2], map[3]]);
        if magic != jute::txn::TXNLOG_MAGIC {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("Invalid magic number {magic:#x} for {}", path.display()),
            ));
        }
        Ok(LogScan {
            map: Some(map),
            pos: HEADER_LEN,
            tail: None,
            max_record,
        })
    }

    /// The next record's txn bytes and the file offset just past it; `None` at the end (see `tail`).
    pub fn next_record(&mut self) -> Option<(&[u8], usize)> {
        if self.tail.is_some() {
            return None;
        }
        let map = self.map.as_ref()?;
        let data: &[u8] = map;
        let rest = &data[self.pos..];
        if rest.len() < 12 {
            self.tail = Some(if rest.iter().all(|b| *b == 0) {
                Tail::Clean
            } else {
                Tail::Torn("short record header".into())
            });
            return None;
        }
        let crc = u64::from_be_bytes(rest[0..8].try_into().unwrap_or([0; 8]));
        let len = i32::from_be_bytes(rest[8..12].try_into().unwrap_or([0; 4]));
        if len == 0 {
            self.tail = Some(Tail::Clean);
            return None;
        }
        if len < 0 || len as usize > self.max_record {
            self.tail = Some(Tail::Corrupt(format!("impossible record length {len}")));
            return None;
        }
        let len = len as usize;
        if rest.len() < 12 + len + 1 {
            self.tail = Some(Tail::Torn(format!("record of {len} bytes cut short")));
            return None;
        }
        let txn = &rest[12..12 + len];
        if rest[12 + len] != jute::txn::END_OF_RECORD {
            self.tail = Some(Tail::Torn(
                "last transaction was partial (no end-of-record byte)".into(),
            ));
            return None;
        }
        if crc != adler32(txn) as u64 {
            self.tail = Some(Tail::Corrupt("CRC check failed".into()));
            return None;
        }
        let start = self.pos;
        self.pos += 12 + len + 1;
        let end = self.pos;
        Some((&data[start + 12..start + 12 + len], end))
    }

    /// Offset just past the last good record.
    pub fn good_end(&self) -> usize {
        self.pos
    }

    /// Why the scan stopped (after `next_record` returned `None`).
    pub fn tail(&self) -> Option<&Tail> {
        self.tail.as_ref()
    }
}

/// Whether `[from..]` of the file holds anything but zeros (something after a torn/corrupt record).
pub fn has_data_after(path: &Path, from: u64) -> io::Result<bool> {
    let data = std::fs::read(path)?;
    Ok(data
        .get(from as usize..)
        .is_some_and(|rest| rest.iter().any(|b| *b != 0)))
}

/// The appending side: one open segment at a time.
pub struct LogWriter {
    dir: PathBuf,
    prealloc: u64,
    force_sync: bool,
    seg: Option<Segment>,
}

struct Segment {
    path: PathBuf,
    file: File,
    map: MmapMut,
    pos: usize,
    synced: usize,
}

fn allocate(file: &File, len: u64) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    // Real blocks (not a sparse hole), so writing through the mapping cannot fail with SIGBUS on a full
    // disk; fall back to a sparse extension where the filesystem cannot allocate.
    // SAFETY: plain syscall on an open descriptor.
    let rc = unsafe { libc::posix_fallocate(file.as_raw_fd(), 0, len as libc::off_t) };
    if rc == 0 {
        return Ok(());
    }
    if rc == libc::EOPNOTSUPP || rc == libc::EINVAL {
        return file.set_len(len);
    }
    Err(io::Error::from_raw_os_error(rc))
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

impl LogWriter {
    /// `prealloc_bytes`: preAllocSize (ZooKeeper: 64 MiB). `force_sync`: forceSync (msync before ack).
    pub fn new(dir: &Path, prealloc_bytes: u64, force_sync: bool) -> Self {
        Self {
            dir: dir.to_path_buf(),
            prealloc: prealloc_bytes.max(PAD_SLACK * 2),
            force_sync,
            seg: None,
        }
    }

    /// The file being written, if any.
    pub fn current_path(&self) -> Option<&Path> {
        self.seg.as_ref().map(|s| s.path.as_path())
    }

    fn open_segment(&mut self, zxid: i64) -> io::Result<()> {
        let path = self.dir.join(file_name(LOG_PREFIX, zxid));
        if path.exists() {
            // Only recovery leaves a file with the next txn's name: it cut a torn *first* record, so the
            // file holds the header alone and the next txn reuses that zxid. ZooKeeper writes over such a
            // file (FileTxnLog.append opens it with a truncating stream); we replace it too, but never
            // one that still holds a transaction.
            let mut scan = LogScan::open(&path, usize::MAX)?;
            if scan.next_record().is_some() {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "{} already holds transactions; not overwriting it",
                        path.display()
                    ),
                ));
            }
            drop(scan);
            std::fs::remove_file(&path)?;
        }
        // The file appears under its name only with its header written and synced (temp name + rename),
        // so no crash can leave a headerless log that ZooKeeper would refuse to read.
        let tmp = self.dir.join(format!(".{}.tmp", file_name(LOG_PREFIX, zxid)));
        let _ = std::fs::remove_file(&tmp);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        {
            use std::io::Write;
            let mut header = [0u8; HEADER_LEN];
            header[0..4].copy_from_slice(&jute::txn::TXNLOG_MAGIC.to_be_bytes());
            header[4..8].copy_from_slice(&jute::txn::FORMAT_VERSION.to_be_bytes());
            file.write_all(&header)?;
        }
        let size = HEADER_LEN as u64 + self.prealloc;
        allocate(&file, size)?;
        file.sync_data()?;
        std::fs::rename(&tmp, &path)?;
        sync_dir(&self.dir);
        // SAFETY: the mapping is private to this writer; the file was just created by us and is only
        // grown (never shrunk) while mapped.
        let map = unsafe { MmapMut::map_mut(&file)? };
        self.seg = Some(Segment {
            path,
            file,
            map,
            pos: 0,
            synced: 0,
        });
        if let Some(s) = self.seg.as_mut() {
            s.pos = HEADER_LEN;
        }
        Ok(())
    }

    /// Appends one txn (its encoded bytes) with zxid `zxid`; opens a new file named after it if none is
    /// open. Not durable until `commit`.
    pub fn append(&mut self, zxid: i64, txn: &[u8]) -> io::Result<()> {
        if self.seg.is_none() {
            self.open_segment(zxid)?;
        }
        let prealloc = self.prealloc;
        let Some(seg) = self.seg.as_mut() else {
            return Err(io::Error::other("no log segment"));
        };
        let need = (seg.pos + record_len(txn.len())) as u64;
        let mut size = seg.map.len() as u64;
        if need + PAD_SLACK >= size {
            // Commit what is written before remapping, then grow in preAllocSize steps.
            seg.map.flush_range(seg.synced, seg.pos - seg.synced)?;
            seg.synced = seg.pos;
            while need + PAD_SLACK >= size {
                size += prealloc;
            }
            allocate(&seg.file, size)?;
            // SAFETY: as in open_segment.
            seg.map = unsafe { MmapMut::map_mut(&seg.file)? };
        }
        let at = seg.pos;
        let m = &mut seg.map[at..at + record_len(txn.len())];
        m[0..8].copy_from_slice(&(adler32(txn) as u64).to_be_bytes());
        m[8..12].copy_from_slice(&(txn.len() as i32).to_be_bytes());
        m[12..12 + txn.len()].copy_from_slice(txn);
        m[12 + txn.len()] = jute::txn::END_OF_RECORD;
        seg.pos += record_len(txn.len());
        Ok(())
    }

    /// Makes everything appended so far durable (unless forceSync=no); returns how long it took.
    pub fn commit(&mut self) -> io::Result<Duration> {
        let started = Instant::now();
        if let Some(seg) = self.seg.as_mut() {
            if seg.pos > seg.synced {
                if self.force_sync {
                    seg.map.flush_range(seg.synced, seg.pos - seg.synced)?;
                }
                seg.synced = seg.pos;
            }
        }
        Ok(started.elapsed())
    }

    /// Closes the current file (after committing it); the next append starts a new one.
    pub fn roll(&mut self) -> io::Result<()> {
        self.commit()?;
        self.seg = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("rzk-txnlog-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_log_created_just_before_a_crash_reads_as_torn_and_empty() {
        let d = tmpdir("headerless");
        let path = d.join("log.4a7");
        std::fs::write(&path, vec![0u8; 4096]).unwrap();
        let mut scan = LogScan::open(&path, 1 << 20).unwrap();
        assert!(scan.next_record().is_none());
        assert!(matches!(scan.tail(), Some(Tail::Torn(_))));
        assert_eq!(scan.good_end(), 0);
        // A non-zero wrong magic is still an error.
        std::fs::write(&path, [1u8; 32]).unwrap();
        assert!(LogScan::open(&path, 1 << 20).is_err());
    }

    #[test]
    fn names_match_java_hex() {
        assert_eq!(file_name(LOG_PREFIX, 0x100000001), "log.100000001");
        assert_eq!(file_name(SNAPSHOT_PREFIX, 0), "snapshot.0");
        assert_eq!(zxid_of("snapshot.1a.gz", SNAPSHOT_PREFIX), Some(0x1a));
        assert_eq!(zxid_of("log.zz", LOG_PREFIX), None);
        assert_eq!(zxid_of("logx.1", LOG_PREFIX), None);
    }

    #[test]
    fn write_then_scan_across_preallocation_boundaries() {
        let d = tmpdir("grow");
        let mut w = LogWriter::new(&d, 8192, true);
        let mut expected = Vec::new();
        for i in 1..=200i64 {
            let txn: Vec<u8> = (0..(i as usize * 37 % 3000)).map(|b| b as u8).collect();
            w.append(i, &txn).unwrap();
            expected.push(txn);
            if i % 7 == 0 {
                w.commit().unwrap();
            }
        }
        w.roll().unwrap();
        let files = list(&d, LOG_PREFIX).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, 1);
        let len = std::fs::metadata(&files[0].1).unwrap().len();
        assert!(
            len > 8192 && (len - 16) % 8192 == 0,
            "grown in preAllocSize steps: {len}"
        );
        let mut scan = LogScan::open(&files[0].1, 1 << 20).unwrap();
        let mut got = Vec::new();
        while let Some((txn, _)) = scan.next_record() {
            got.push(txn.to_vec());
        }
        assert_eq!(scan.tail(), Some(&Tail::Clean));
        assert_eq!(got, expected);
    }

    #[test]
    fn a_log_emptied_by_recovery_is_reused_for_the_same_zxid() {
        // Recovery cut a torn first record of log.1 down to the header; the next txn is zxid 1 again and
        // must be writable (ZooKeeper's FileTxnLog.append overwrites the file of that name).
        let d = tmpdir("reuse");
        let mut w = LogWriter::new(&d, 65536, true);
        w.append(1, b"torn").unwrap();
        w.roll().unwrap();
        let path = d.join("log.1");
        let f = OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(HEADER_LEN as u64).unwrap();
        drop(f);
        let mut w = LogWriter::new(&d, 65536, true);
        w.append(1, b"again").unwrap();
        w.append(2, b"more").unwrap();
        w.roll().unwrap();
        let mut scan = LogScan::open(&path, 1 << 20).unwrap();
        assert_eq!(scan.next_record().unwrap().0, b"again");
        assert_eq!(scan.next_record().unwrap().0, b"more");
        assert!(scan.next_record().is_none());
        // A file that still holds a transaction is never overwritten.
        let mut w = LogWriter::new(&d, 65536, true);
        assert!(w.append(1, b"clobber").is_err());
        let mut scan = LogScan::open(&path, 1 << 20).unwrap();
        assert_eq!(scan.next_record().unwrap().0, b"again");
    }

    #[test]
    fn torn_and_corrupt_tails_are_detected() {
        let d = tmpdir("tail");
        let mut w = LogWriter::new(&d, 65536, true);
        w.append(1, b"first").unwrap();
        w.append(2, b"second").unwrap();
        w.roll().unwrap();
        let path = d.join("log.1");
        let good_end = 16 + record_len(5) + record_len(6);
        // Torn: cut the second record short.
        let mut bytes = std::fs::read(&path).unwrap();
        let torn: Vec<u8> = bytes[..16 + record_len(5) + 10].to_vec();
        std::fs::write(&path, &torn).unwrap();
        let mut scan = LogScan::open(&path, 1 << 20).unwrap();
        assert!(scan.next_record().is_some());
        assert!(scan.next_record().is_none());
        assert!(matches!(scan.tail(), Some(Tail::Torn(_))));
        assert_eq!(scan.good_end(), 16 + record_len(5));
        // Corrupt: flip a bit inside the second txn.
        bytes[16 + record_len(5) + 12] ^= 0x40;
        std::fs::write(&path, &bytes).unwrap();
        let mut scan = LogScan::open(&path, 1 << 20).unwrap();
        assert!(scan.next_record().is_some());
        assert!(scan.next_record().is_none());
        assert!(matches!(scan.tail(), Some(Tail::Corrupt(_))));
        assert!(good_end > scan.good_end());
    }
}
