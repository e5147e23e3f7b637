//! Golden bytes: every frame, log record, snapshot stream and quorum packet captured from the real Java
//! ZooKeeper 3.8.0 server and clients (compat-tests/golden, `capture.sh`) decodes, and re-encodes to
//! exactly the captured bytes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bytes::{Bytes, BytesMut};
use jute::proto::*;
use jute::quorum::*;
use jute::snapshot::SnapNode;
use jute::txn::{FileHeader, TxnEntry, TXNLOG_MAGIC};
use jute::{Jute, OpCode, PacketType, Reader, Request, Response};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../compat-tests/golden/fixtures")
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .collect();
    v.sort();
    v
}

/// Decodes one connection's frames like a client and a server would, checking each re-encodes exactly.
fn check_conversation(path: &Path) -> (usize, usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let mut ops: HashMap<i32, OpCode> = HashMap::new();
    let (mut c_seen, mut s_seen) = (false, false);
    let (mut requests, mut replies) = (0, 0);
    let mut mismatches = 0;
    for (lineno, line) in text.lines().enumerate() {
        let at = format!("{name}:{}", lineno + 1);
        let Some((dir, payload)) = line.split_once(' ') else {
            continue;
        };
        if dir != "C" && dir != "S" {
            continue;
        }
        let bytes = Bytes::from(hex(payload));
        let mut r = Reader::new(bytes.clone());
        let mut out = BytesMut::new();
        if dir == "C" {
            if !c_seen {
                c_seen = true;
                let req = ConnectRequest::decode(&mut r).unwrap_or_else(|e| panic!("{at}: {e}"));
                req.encode(&mut out);
            } else {
                let h = RequestHeader::decode(&mut r).unwrap_or_else(|e| panic!("{at}: {e}"));
                h.encode(&mut out);
                ops.insert(h.xid, h.op);
                match Request::decode(h.op, &mut r) {
                    Ok(req) => {
                        requests += 1;
                        req.encode(&mut out);
                        // Deliberately broken requests (truncated bodies, mixed multis) fail to decode
                        // above; whatever decoded must be exactly what was sent.
                        assert!(
                            r.is_empty(),
                            "{at}: {} trailing bytes after {:?}",
                            r.remaining(),
                            h.op
                        );
                    }
                    Err(_) => continue,
                }
            }
        } else if !s_seen {
            s_seen = true;
            let resp = ConnectResponse::decode(&mut r).unwrap_or_else(|e| panic!("{at}: {e}"));
            resp.encode(&mut out);
        } else {
            let h = ReplyHeader::decode(&mut r).unwrap_or_else(|e| panic!("{at}: {e}"));
            h.encode(&mut out);
            replies += 1;
            if h.xid == xid::NOTIFICATION {
                WatcherEvent::decode(&mut r)
                    .unwrap_or_else(|e| panic!("{at}: {e}"))
                    .encode(&mut out);
            } else if h.err.raw() != 0 {
                assert!(r.is_empty(), "{at}: error replies carry no body");
            } else if let Some(op) = ops.get(&h.xid).copied() {
                let resp = Response::decode(op, &mut r).unwrap_or_else(|e| panic!("{at}: {op:?}: {e}"));
                resp.encode(&mut out);
            }
            assert!(r.is_empty(), "{at}: {} trailing bytes", r.remaining());
        }
        if out[..] != bytes[..] {
            eprintln!(
                "{at}: re-encoding differs\n  got  {:02x?}\n  want {:02x?}",
                &out[..],
                &bytes[..]
            );
            mismatches += 1;
        }
    }
    assert_eq!(
        mismatches, 0,
        "{name}: frames that did not re-encode byte-identically"
    );
    (requests, replies)
}

#[test]
fn every_captured_client_frame_round_trips() {
    let mut total = (0, 0);
    let list = files(&fixtures().join("client"), ".frames");
    assert!(
        list.len() >= 40,
        "expected the captured conversations, found {}",
        list.len()
    );
    for f in list {
        let (a, b) = check_conversation(&f);
        total.0 += a;
        total.1 += b;
    }
    assert!(total.0 > 300 && total.1 > 300, "decoded {total:?}");
}

#[test]
fn every_captured_txn_log_record_round_trips() {
    let mut records = 0;
    let mut types = std::collections::BTreeSet::new();
    for dir in [
        "datadir",
        "datadir-gz",
        "quorum/datadir-leader2",
        "quorum/datadir-follower1",
    ] {
        for f in files(&fixtures().join(dir).join("version-2"), "") {
            if !f.file_name().unwrap().to_string_lossy().starts_with("log.") {
                continue;
            }
            let data = std::fs::read(&f).unwrap();
            let mut r = Reader::new(Bytes::from(data));
            let h = FileHeader::decode(&mut r).unwrap();
            assert_eq!(h.magic, TXNLOG_MAGIC);
            loop {
                let crc = r.read_i64().unwrap();
                let txn = Option::<Bytes>::decode(&mut r).unwrap().unwrap_or_default();
                if txn.is_empty() {
                    break;
                }
                assert_eq!(r.read_u8().unwrap(), b'B');
                let mut a = 1u32;
                let mut b = 0u32;
                for byte in txn.iter() {
                    a = (a + *byte as u32) % 65521;
                    b = (b + a) % 65521;
                }
                assert_eq!(crc as u64, ((b << 16) | a) as u64, "{}: checksum", f.display());
                let e = TxnEntry::from_bytes(txn.clone()).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
                types.insert(e.header.txn_type.raw());
                assert_eq!(e.to_bytes(), txn, "{}: zxid {:#x}", f.display(), e.header.zxid);
                records += 1;
            }
        }
    }
    assert!(records > 100, "{records} records");
    for t in [-10, -11, -1, 1, 2, 5, 7, 14, 15, 19, 20, 21] {
        assert!(
            types.contains(&t),
            "no txn of type {t} in the fixtures: {types:?}"
        );
    }
}

#[test]
fn every_captured_snapshot_node_round_trips() {
    let mut nodes = 0;
    for f in files(&fixtures().join("datadir/version-2"), "") {
        if !f.file_name().unwrap().to_string_lossy().starts_with("snapshot.") {
            continue;
        }
        let data = Bytes::from(std::fs::read(&f).unwrap());
        let mut r = Reader::new(data.clone());
        FileHeader::decode(&mut r).unwrap();
        let n = r.read_i32().unwrap();
        for _ in 0..n {
            r.read_i64().unwrap();
            r.read_i32().unwrap();
        }
        let n = r.read_i32().unwrap();
        for _ in 0..n {
            jute::snapshot::SnapAclEntry::decode(&mut r).unwrap();
        }
        loop {
            let before = data.len() - r.remaining();
            let path: String = Jute::decode(&mut r.clone()).unwrap();
            if path == "/" {
                break;
            }
            let node = SnapNode::decode(&mut r).unwrap();
            let after = data.len() - r.remaining();
            assert_eq!(
                node.to_bytes(),
                data.slice(before..after),
                "{}: node {}",
                f.display(),
                node.path
            );
            nodes += 1;
        }
    }
    assert!(nodes > 100, "{nodes} nodes");
}

/// The bytes of one direction of a raw capture.
fn raw_stream(path: &Path, label: &str) -> Bytes {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix(label).and_then(|l| l.strip_prefix(' ')) {
            out.extend(hex(h));
        }
    }
    Bytes::from(out)
}

#[test]
fn every_captured_quorum_packet_round_trips() {
    let mut packets = 0;
    let mut seen = std::collections::BTreeSet::new();
    for f in files(&fixtures().join("quorum"), ".raw") {
        if !f.file_name().unwrap().to_string_lossy().starts_with("quorum-") {
            continue;
        }
        for label in ["F", "L"] {
            let data = raw_stream(&f, label);
            let mut r = Reader::new(data.clone());
            while !r.is_empty() {
                let start = data.len() - r.remaining();
                let p =
                    QuorumPacket::decode(&mut r).unwrap_or_else(|e| panic!("{} {label}: {e}", f.display()));
                let end = data.len() - r.remaining();
                assert_eq!(
                    p.to_bytes(),
                    data.slice(start..end),
                    "{} {label}: {:?}",
                    f.display(),
                    p.packet_type
                );
                seen.insert(p.packet_type.raw());
                packets += 1;
                match p.packet_type {
                    PacketType::FollowerInfo | PacketType::ObserverInfo => {
                        let li = LearnerInfo::from_bytes(p.data.clone().unwrap()).unwrap();
                        assert_eq!(li.to_bytes(), p.data.unwrap());
                    }
                    PacketType::Proposal => {
                        let e = TxnEntry::from_bytes(p.data.clone().unwrap()).unwrap();
                        assert_eq!(e.to_bytes(), p.data.unwrap());
                    }
                    PacketType::Request => {
                        let lr = LearnerRequest::from_bytes(p.data.clone().unwrap()).unwrap();
                        assert_eq!(lr.to_bytes(), p.data.unwrap());
                    }
                    PacketType::Snap => {
                        // The serialized tree follows the SNAP packet, then "BenWasHere".
                        let n = r.read_i32().unwrap();
                        for _ in 0..n {
                            SessionTouch::decode(&mut r).unwrap();
                        }
                        let n = r.read_i32().unwrap();
                        for _ in 0..n {
                            jute::snapshot::SnapAclEntry::decode(&mut r).unwrap();
                        }
                        loop {
                            let path: String = Jute::decode(&mut r.clone()).unwrap();
                            if path == "/" {
                                let _: String = Jute::decode(&mut r).unwrap();
                                break;
                            }
                            SnapNode::decode(&mut r).unwrap();
                        }
                        let trailer: String = Jute::decode(&mut r).unwrap();
                        assert_eq!(trailer, SNAP_TRAILER);
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(packets > 20, "{packets} packets");
    for t in [1, 2, 3, 4, 5, 10, 11, 12, 13, 15, 17, 18] {
        assert!(seen.contains(&t), "no packet of type {t}: {seen:?}");
    }
}

#[test]
fn every_captured_election_message_round_trips() {
    let mut notifications = 0;
    for f in files(&fixtures().join("quorum"), ".raw") {
        if !f.file_name().unwrap().to_string_lossy().starts_with("election-") {
            continue;
        }
        for label in ["C", "S"] {
            let data = raw_stream(&f, label);
            let mut r = Reader::new(data.clone());
            if label == "C" {
                let start = 0;
                let m = InitialMessage::decode(&mut r).unwrap();
                let end = data.len() - r.remaining();
                assert_eq!(m.to_bytes(), data.slice(start..end));
            }
            while r.remaining() >= 4 {
                let len = r.read_i32().unwrap() as usize;
                assert!(len <= MAX_ELECTION_FRAME);
                let body = r.read_raw(len).unwrap();
                let n =
                    Notification::from_bytes(body.clone()).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
                assert_eq!(n.to_bytes(), body);
                assert_eq!(n.version, Some(2));
                notifications += 1;
            }
        }
    }
    assert!(notifications >= 3, "{notifications} notifications");
}
