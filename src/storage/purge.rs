//! Retention: keep the N newest valid snapshots and the txn logs needed to replay from the oldest of
//! them; delete the rest. Ref: ZooKeeper `PurgeTxnLog.retainNRecentSnapshots` (zkCleanup.sh) and
//! `DatadirCleanupManager` (autopurge). N is at least 3, as ZooKeeper insists.

use std::path::{Path, PathBuf};

use super::snapshot;
use super::txnlog::{list, LOG_PREFIX, SNAPSHOT_PREFIX};

pub const MIN_RETAIN: usize = 3;

/// What a purge removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Purged {
    pub snapshots: Vec<PathBuf>,
    pub logs: Vec<PathBuf>,
}

/// A snapshot file is usable if it ends with the seal's `"/"` (`SnapStream.isValidSnapshot`); compressed
/// files are checked after decompression.
fn is_valid_snapshot(path: &Path) -> bool {
    match snapshot::read_file(path, u64::MAX) {
        Ok(b) => b.len() >= 10 && b[b.len() - 5..] == [0, 0, 0, 1, b'/'],
        Err(_) => false,
    }
}

/// Deletes old snapshots and logs from `version-2` directories, keeping `retain` (≥ 3) snapshots.
pub fn purge(snap_dir: &Path, log_dir: &Path, retain: usize) -> std::io::Result<Purged> {
    let retain = retain.max(MIN_RETAIN);
    let snaps = list(snap_dir, SNAPSHOT_PREFIX)?;
    let valid: Vec<&(i64, PathBuf)> = snaps
        .iter()
        .rev()
        .filter(|(_, p)| is_valid_snapshot(p))
        .take(retain)
        .collect();
    let Some(&&(least, _)) = valid.last() else {
        return Ok(Purged::default());
    };
    if valid.len() < retain {
        // Fewer snapshots than we must keep: nothing is old enough to go.
        return Ok(Purged::default());
    }
    let logs = list(log_dir, LOG_PREFIX)?;
    // The newest log starting at or before `least` holds the txns after that snapshot: keep it and later.
    let keep_from = logs.iter().rposition(|(z, _)| *z <= least).map_or(0, |i| i);
    let mut out = Purged::default();
    for (i, (z, p)) in logs.iter().enumerate() {
        if i < keep_from && *z < least {
            std::fs::remove_file(p)?;
            out.logs.push(p.clone());
        }
    }
    for (z, p) in &snaps {
        if *z < least {
            std::fs::remove_file(p)?;
            out.snapshots.push(p.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{DataTree, TreeOptions};

    #[test]
    fn keeps_n_snapshots_and_the_logs_they_need() {
        let d = std::env::temp_dir().join(format!("rzk-purge-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        let t = DataTree::new(TreeOptions::default());
        let bytes = snapshot::serialize(&t, &[], true);
        for z in [0x0, 0x10, 0x20, 0x30, 0x40] {
            snapshot::write_file(&d, z, &bytes, snapshot::Compression::None).unwrap();
        }
        for z in [0x1, 0x11, 0x19, 0x21, 0x31, 0x41] {
            std::fs::write(d.join(format!("log.{z:x}")), b"x").unwrap();
        }
        // A broken newest snapshot does not count.
        std::fs::write(d.join("snapshot.50"), b"garbage").unwrap();
        let p = purge(&d, &d, 3).unwrap();
        let mut left: Vec<String> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        // Oldest kept snapshot is 0x20; log.19 holds the txns after it, so it stays.
        assert_eq!(
            left,
            [
                "log.19",
                "log.21",
                "log.31",
                "log.41",
                "snapshot.20",
                "snapshot.30",
                "snapshot.40",
                "snapshot.50"
            ]
        );
        assert_eq!(p.snapshots.len(), 2);
        assert_eq!(p.logs.len(), 2);
        let _ = std::fs::remove_dir_all(&d);
    }
}
