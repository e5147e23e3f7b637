//! Offline tools on data directories, like ZooKeeper's zkTxnLogToolkit.sh (`rzk log-dump`),
//! zkSnapShotToolkit.sh (`rzk snap-dump`) and zkCleanup.sh (`rzk purge`).

use std::fmt::Write as _;
use std::path::Path;

use bytes::Bytes;
use jute::txn::{TxnBody, TxnEntry};
use jute::{Acl, Reader};

use crate::storage::snapshot;
use crate::storage::txnlog::{zxid_of, LogScan, Tail, SNAPSHOT_PREFIX};
use crate::tree::TreeOptions;

fn acl_str(acl: &[Acl]) -> String {
    let parts: Vec<String> = acl
        .iter()
        .map(|a| format!("{}:{}:{}", a.id.scheme, a.id.id, a.perms))
        .collect();
    format!("[{}]", parts.join(","))
}

fn data_str(d: &Option<Bytes>) -> String {
    d.as_ref()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

fn body_str(b: &TxnBody) -> String {
    match b {
        TxnBody::CreateSession(t) => t.timeout_ms.to_string(),
        TxnBody::CloseSession(Some(t)) => format!("[{}]", t.paths_to_delete.join(",")),
        TxnBody::CloseSession(None) => String::new(),
        TxnBody::Error(t) => t.err.raw().to_string(),
        TxnBody::Create(t) => {
            format!(
                "{},{},{},{},{}",
                t.path,
                data_str(&t.data),
                acl_str(&t.acl),
                t.ephemeral,
                t.parent_cversion
            )
        }
        TxnBody::CreateV0(t) => format!(
            "{},{},{},{}",
            t.path,
            data_str(&t.data),
            acl_str(&t.acl),
            t.ephemeral
        ),
        TxnBody::CreateContainer(t) => {
            format!(
                "{},{},{},{}",
                t.path,
                data_str(&t.data),
                acl_str(&t.acl),
                t.parent_cversion
            )
        }
        TxnBody::CreateTtl(t) => {
            format!(
                "{},{},{},{},{}",
                t.path,
                data_str(&t.data),
                acl_str(&t.acl),
                t.parent_cversion,
                t.ttl
            )
        }
        TxnBody::Delete(t) => t.path.clone(),
        TxnBody::SetData(t) => format!("{},{},{}", t.path, data_str(&t.data), t.version),
        TxnBody::SetAcl(t) => format!("{},{},{}", t.path, acl_str(&t.acl), t.version),
        TxnBody::Check(t) => format!("{},{}", t.path, t.version),
        TxnBody::Multi(subs) => {
            let parts: Vec<String> = subs
                .iter()
                .map(|s| format!("{}:{}", s.txn_type.name(), body_str(&s.body)))
                .collect();
            parts.join("; ")
        }
    }
}

/// Prints a txn log the way zkTxnLogToolkit does; returns the number of bad records (checksum or
/// undecodable) found, so `--verify` can fail on them.
pub fn log_dump(path: &Path, out: &mut String) -> std::io::Result<usize> {
    let mut scan = LogScan::open(path, usize::MAX >> 1)?;
    let _ = writeln!(
        out,
        "ZooKeeper Transactional Log File with dbid 0 txnlog format version 2"
    );
    let mut count = 0;
    let mut bad = 0;
    while let Some((txn, _)) = scan.next_record() {
        match TxnEntry::decode(&mut Reader::new(Bytes::copy_from_slice(txn))) {
            Ok(e) => {
                let h = &e.header;
                let _ = write!(
                    out,
                    "{} session 0x{:x} cxid 0x{:x} zxid 0x{:x} {} {}",
                    h.time,
                    h.client_id,
                    h.cxid,
                    h.zxid,
                    h.txn_type.name(),
                    body_str(&e.body)
                );
                if let Some(d) = e.digest {
                    let _ = write!(out, " digest {:x}", d.tree_digest);
                }
                out.push('\n');
            }
            Err(e) => {
                bad += 1;
                let _ = writeln!(out, "UNDECODABLE - {e}");
            }
        }
        count += 1;
    }
    match scan.tail() {
        Some(Tail::Corrupt(m)) => {
            bad += 1;
            let _ = writeln!(out, "CRC ERROR - {m} at offset {}", scan.good_end());
        }
        Some(Tail::Torn(m)) => {
            let _ = writeln!(
                out,
                "Last transaction was partial: {m} at offset {}",
                scan.good_end()
            );
        }
        _ => {}
    }
    let _ = writeln!(out, "EOF reached after {count} txns.");
    Ok(bad)
}

/// Prints a snapshot like zkSnapShotToolkit (text), or as JSON.
pub fn snap_dump(path: &Path, json: bool, out: &mut String) -> Result<(), String> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let zxid = zxid_of(name, SNAPSHOT_PREFIX).unwrap_or(0);
    let raw = snapshot::read_file(path, u64::MAX).map_err(|e| e.to_string())?;
    let l = snapshot::parse(raw, zxid, TreeOptions { extended_types: true }, usize::MAX >> 1)?;
    let t = &l.tree;
    if json {
        let nodes: Vec<serde_json::Value> = t
            .walk()
            .iter()
            .filter_map(|p| {
                let n = t.get(p)?;
                let s = &n.stat;
                Some(serde_json::json!({
                    "path": p, "data": n.data.as_ref().map(|d| String::from_utf8_lossy(d).into_owned()),
                    "acl": t.acl_of(n).iter().map(|a| serde_json::json!({"perms": a.perms, "scheme": a.id.scheme, "id": a.id.id})).collect::<Vec<_>>(),
                    "czxid": s.czxid, "mzxid": s.mzxid, "pzxid": s.pzxid, "ctime": s.ctime, "mtime": s.mtime,
                    "version": s.version, "cversion": s.cversion, "aversion": s.aversion,
                    "ephemeralOwner": s.ephemeral_owner, "dataLength": n.data_len(), "numChildren": n.children.len(),
                }))
            })
            .collect();
        let sessions: Vec<serde_json::Value> = l
            .sessions
            .iter()
            .map(|(id, to)| serde_json::json!({"id": format!("0x{id:x}"), "timeout": to}))
            .collect();
        let doc = serde_json::json!({
            "zxid": format!("0x{zxid:x}"), "digest": format!("{:x}", t.digest().value()),
            "sessions": sessions, "nodes": nodes,
        });
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return Ok(());
    }
    let _ = writeln!(out, "ZNode Details (count={}):", t.node_count());
    for p in t.walk() {
        let Some(n) = t.get(&p) else { continue };
        let s = &n.stat;
        let _ = writeln!(out, "----\n{p}");
        let _ = writeln!(
            out,
            "  cZxid = 0x{:014x}\n  ctime = {}\n  mZxid = 0x{:014x}\n  mtime = {}",
            s.czxid, s.ctime, s.mzxid, s.mtime
        );
        let _ = writeln!(
            out,
            "  pZxid = 0x{:014x}\n  cversion = {}\n  dataVersion = {}\n  aclVersion = {}",
            s.pzxid, s.cversion, s.version, s.aversion
        );
        let _ = writeln!(
            out,
            "  ephemeralOwner = 0x{:014x}\n  dataLength = {}",
            s.ephemeral_owner,
            n.data_len()
        );
    }
    let _ = writeln!(out, "----\nSession Details (sid, timeout, ephemeralCount):");
    for (id, to) in &l.sessions {
        let _ = writeln!(out, "0x{id:x}, {to}, {}", t.ephemerals_of(*id).count());
    }
    let _ = writeln!(out, "----\nLast zxid: 0x{zxid:x}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn golden(dir: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("compat-tests/golden/fixtures")
            .join(dir)
            .join("version-2")
    }

    #[test]
    fn dumps_java_logs_and_snapshots() {
        let logs = crate::storage::txnlog::list(&golden("datadir"), "log").unwrap();
        let mut out = String::new();
        assert_eq!(log_dump(&logs[0].1, &mut out).unwrap(), 0);
        assert!(out.contains("createSession"), "{out}");
        assert!(out.contains("EOF reached after"), "{out}");
        let snaps = crate::storage::txnlog::list(&golden("datadir"), "snapshot").unwrap();
        let mut out = String::new();
        snap_dump(&snaps.last().unwrap().1, false, &mut out).unwrap();
        assert!(out.starts_with("ZNode Details (count="), "{out}");
        let mut out = String::new();
        snap_dump(&snaps.last().unwrap().1, true, &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert!(v["nodes"].as_array().unwrap().len() > 4);
    }
}
