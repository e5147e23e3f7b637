//! ZooKeeper snapshot files, `version-2/snapshot.<hex zxid>[.gz|.snappy]`.
//!
//! ```text
//! FileHeader("ZKSN", 2, dbid -1)
//! int sessionCount, { long id, int timeoutMs }*
//! int aclCount, { long aclId, vector<ACL> }*
//! { ustring path ("" = root), buffer data, long aclId, StatPersisted }*   parent before child
//! ustring "/"                                         end of tree
//! long adler32, ustring "/"                           seal 1 (checksum of every byte before it)
//! [long zxid, int digestVersion, long digest, long adler32, ustring "/"]     3.6+ (digest enabled)
//! [long lastProcessedZxid, long adler32, ustring "/"]                         3.9+
//! ```
//!
//! Checksums run over the uncompressed stream. `gz` is a gzip stream; `snappy` is snappy-java's stream
//! format (magic `82 'SNAPPY' 00`, two version ints, then `int length` + raw snappy block chunks). The
//! reader takes the format from the file name suffix, as ZooKeeper does, and accepts every trailer
//! variant; the writer writes the 3.6–3.8 layout that ZooKeeper 3.8 and 3.9 both read.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use bytes::{BufMut, Bytes, BytesMut};
use jute::snapshot::{DigestValue, SnapAclEntry, SnapNode, SnapSession, ZxidDigest};
use jute::txn::{FileHeader, FORMAT_VERSION, SNAPSHOT_MAGIC};
use jute::{Jute, Reader};

use super::txnlog::adler32;
use crate::tree::digest::DIGEST_VERSION;
use crate::tree::{DataTree, TreeOptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    #[default]
    None,
    Gzip,
    Snappy,
}

impl Compression {
    pub fn suffix(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Gzip => ".gz",
            Compression::Snappy => ".snappy",
        }
    }

    /// From `zookeeper.snapshot.compression.method` (`""`, `gz`, `snappy`).
    pub fn from_method(m: &str) -> Option<Self> {
        match m.trim() {
            "" => Some(Compression::None),
            "gz" => Some(Compression::Gzip),
            "snappy" => Some(Compression::Snappy),
            _ => None,
        }
    }

    pub fn of_path(p: &Path) -> Self {
        match p.extension().and_then(|e| e.to_str()) {
            Some("gz") => Compression::Gzip,
            Some("snappy") => Compression::Snappy,
            _ => Compression::None,
        }
    }
}

const SNAPPY_MAGIC: [u8; 8] = [0x82, b'S', b'N', b'A', b'P', b'P', b'Y', 0];
const SNAPPY_CHUNK: usize = 32 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: {msg}")]
    Invalid { path: PathBuf, msg: String },
}

/// The serialized tree of a snapshot or a SNAP sync: sessions, ACL map, nodes and the "/" end marker.
pub fn serialize_body(tree: &DataTree, sessions: &[(i64, i32)], out: &mut BytesMut) {
    out.put_i32(sessions.len() as i32);
    for &(session_id, timeout_ms) in sessions {
        SnapSession {
            session_id,
            timeout_ms,
        }
        .encode(out);
    }
    let acls = tree.acl_cache();
    out.put_i32(acls.len() as i32);
    for (acl_id, list) in acls.entries() {
        SnapAclEntry {
            acl_id,
            acls: list.to_vec(),
        }
        .encode(out);
    }
    for path in tree.walk() {
        if let Some(n) = tree.get(&path) {
            let p = if path == "/" { String::new() } else { path };
            SnapNode {
                path: p,
                data: n.data.clone(),
                acl_id: n.acl_id,
                stat: n.stat.clone(),
            }
            .encode(out);
        }
    }
    "/".to_owned().encode(out);
}

/// A whole snapshot file's uncompressed bytes: header, body and seals.
pub fn serialize(tree: &DataTree, sessions: &[(i64, i32)], digest_enabled: bool) -> Bytes {
    let mut out =
        BytesMut::with_capacity(64 + tree.approximate_data_size() as usize + tree.node_count() * 80);
    FileHeader {
        magic: SNAPSHOT_MAGIC,
        version: FORMAT_VERSION,
        dbid: -1,
    }
    .encode(&mut out);
    serialize_body(tree, sessions, &mut out);
    seal(&mut out);
    if digest_enabled {
        ZxidDigest {
            zxid: tree.last_processed_zxid(),
            digest_version: DIGEST_VERSION,
            digest: DigestValue::Long(tree.digest().value()),
        }
        .encode(&mut out);
        seal(&mut out);
    }
    out.freeze()
}

fn seal(out: &mut BytesMut) {
    let crc = adler32(out) as u64;
    out.put_u64(crc);
    "/".to_owned().encode(out);
}

/// Writes a snapshot atomically: a temporary file, fsync, rename, directory fsync.
pub fn write_file(
    dir: &Path,
    zxid: i64,
    bytes: &[u8],
    compression: Compression,
) -> Result<PathBuf, SnapshotError> {
    let name = format!(
        "{}{}",
        super::txnlog::file_name(super::txnlog::SNAPSHOT_PREFIX, zxid),
        compression.suffix()
    );
    let path = dir.join(&name);
    let tmp = dir.join(format!(".{name}.tmp"));
    let io_err = |source| SnapshotError::Io {
        path: tmp.clone(),
        source,
    };
    let file = std::fs::File::create(&tmp).map_err(io_err)?;
    let mut w = io::BufWriter::with_capacity(1 << 20, file);
    match compression {
        Compression::None => w.write_all(bytes).map_err(io_err)?,
        Compression::Gzip => {
            let mut gz = flate2::write::GzEncoder::new(&mut w, flate2::Compression::fast());
            gz.write_all(bytes).map_err(io_err)?;
            gz.finish().map_err(io_err)?;
        }
        Compression::Snappy => {
            w.write_all(&SNAPPY_MAGIC).map_err(io_err)?;
            w.write_all(&1i32.to_be_bytes()).map_err(io_err)?;
            w.write_all(&1i32.to_be_bytes()).map_err(io_err)?;
            let mut enc = snap::raw::Encoder::new();
            for chunk in bytes.chunks(SNAPPY_CHUNK) {
                let c = enc.compress_vec(chunk).map_err(|e| io_err(io::Error::other(e)))?;
                w.write_all(&(c.len() as i32).to_be_bytes()).map_err(io_err)?;
                w.write_all(&c).map_err(io_err)?;
            }
        }
    }
    let file = w.into_inner().map_err(|e| io_err(e.into_error()))?;
    file.sync_all().map_err(io_err)?;
    drop(file);
    std::fs::rename(&tmp, &path).map_err(|source| SnapshotError::Io {
        path: path.clone(),
        source,
    })?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(path)
}

/// Reads a snapshot file's uncompressed bytes.
pub fn read_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, SnapshotError> {
    let io_err = |source| SnapshotError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_err)?;
    let mut out = Vec::new();
    match Compression::of_path(path) {
        Compression::None => {
            file.take(max_bytes).read_to_end(&mut out).map_err(io_err)?;
        }
        Compression::Gzip => {
            flate2::read::GzDecoder::new(file)
                .take(max_bytes)
                .read_to_end(&mut out)
                .map_err(io_err)?;
        }
        Compression::Snappy => {
            let mut raw = Vec::new();
            file.take(max_bytes).read_to_end(&mut raw).map_err(io_err)?;
            out = snappy_java_decode(&raw, max_bytes).map_err(|msg| SnapshotError::Invalid {
                path: path.to_path_buf(),
                msg,
            })?;
        }
    }
    Ok(out)
}

/// Decodes snappy-java's stream format.
fn snappy_java_decode(raw: &[u8], max_bytes: u64) -> Result<Vec<u8>, String> {
    if raw.len() < 16 || raw[..8] != SNAPPY_MAGIC {
        return Err("not a snappy-java stream".into());
    }
    let mut pos = 16;
    let mut out = Vec::new();
    let mut dec = snap::raw::Decoder::new();
    while pos < raw.len() {
        if pos + 4 > raw.len() {
            return Err("truncated snappy chunk header".into());
        }
        let len = i32::from_be_bytes([raw[pos], raw[pos + 1], raw[pos + 2], raw[pos + 3]]);
        pos += 4;
        if len < 0 || pos + len as usize > raw.len() {
            return Err(format!("bad snappy chunk length {len}"));
        }
        let chunk = &raw[pos..pos + len as usize];
        pos += len as usize;
        let n = snap::raw::decompress_len(chunk).map_err(|e| e.to_string())?;
        if (out.len() + n) as u64 > max_bytes {
            return Err("snapshot larger than the limit".into());
        }
        let start = out.len();
        out.resize(start + n, 0);
        dec.decompress(chunk, &mut out[start..])
            .map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// A snapshot read back.
pub struct Loaded {
    pub tree: DataTree,
    pub sessions: Vec<(i64, i32)>,
    /// The digest trailer (3.6+), if present and not zero.
    pub digest: Option<ZxidDigest>,
}

/// Parses a snapshot's uncompressed bytes (checksums verified). `zxid` is the file name's zxid.
pub fn parse(bytes: Vec<u8>, zxid: i64, opts: TreeOptions, max_record: usize) -> Result<Loaded, String> {
    let all = Bytes::from(bytes);
    let mut r = Reader::with_limit(all.clone(), max_record);
    let e = |e: jute::Error| e.to_string();
    let h = FileHeader::decode(&mut r).map_err(e)?;
    if h.magic != SNAPSHOT_MAGIC {
        return Err(format!("invalid magic number {:#x}", h.magic));
    }
    let (tree, sessions) = parse_body(&mut r, zxid, opts)?;
    let check_seal = |r: &mut Reader| -> Result<(), String> {
        let consumed = all.len() - r.remaining();
        let expected = adler32(&all[..consumed]) as u64;
        let got = r.read_i64().map_err(e)? as u64;
        if got != expected {
            return Err(format!(
                "checksum mismatch: stored {got:#x}, computed {expected:#x}"
            ));
        }
        let slash: String = Jute::decode(r).map_err(e)?;
        if slash != "/" {
            return Err("missing \"/\" after the checksum".into());
        }
        Ok(())
    };
    check_seal(&mut r)?;
    let mut digest = None;
    if r.remaining() > 0 {
        let d = ZxidDigest::decode(&mut r).map_err(e)?;
        check_seal(&mut r)?;
        if d.zxid != 0 && d.zxid >= zxid {
            digest = Some(d);
        }
        // 3.9 appends lastProcessedZxid with a third seal; nothing in it is needed here.
    }
    Ok(Loaded {
        tree,
        sessions,
        digest,
    })
}

/// Parses sessions, ACLs and nodes up to the "/" marker (a snapshot body or a SNAP stream).
pub fn parse_body(
    r: &mut Reader,
    zxid: i64,
    opts: TreeOptions,
) -> Result<(DataTree, Vec<(i64, i32)>), String> {
    let e = |e: jute::Error| e.to_string();
    let n = r.read_i32().map_err(e)?;
    if n < 0 {
        return Err(format!("negative session count {n}"));
    }
    let mut sessions = Vec::with_capacity((n as usize).min(r.remaining() / 12));
    for _ in 0..n {
        let s = SnapSession::decode(r).map_err(e)?;
        sessions.push((s.session_id, s.timeout_ms));
    }
    let mut tree = DataTree::empty(opts);
    let n = r.read_i32().map_err(e)?;
    if n < 0 {
        return Err(format!("negative ACL map size {n}"));
    }
    for _ in 0..n {
        let a = SnapAclEntry::decode(r).map_err(e)?;
        tree.acl_cache_mut().insert_loaded(a.acl_id, a.acls);
    }
    loop {
        let path: String = Jute::decode(r).map_err(e)?;
        if path == "/" {
            break;
        }
        let data = Jute::decode(r).map_err(e)?;
        let acl_id = r.read_i64().map_err(e)?;
        let stat = Jute::decode(r).map_err(e)?;
        if !path.is_empty() {
            let parent = crate::tree::path::parent(&path);
            if tree.get(parent).is_none() {
                return Err(format!(
                    "Invalid Datatree, unable to find parent {parent} of {path}"
                ));
            }
        }
        if !tree.acl_cache().contains(acl_id) {
            return Err(format!(
                "node {path} refers to ACL {acl_id}, which is not in the map"
            ));
        }
        tree.insert_raw(&path, data, acl_id, stat);
    }
    if tree.get("/").is_none() {
        return Err("snapshot has no root node".into());
    }
    tree.acl_cache_mut().purge_unused();
    tree.setup_quotas();
    tree.set_last_processed_zxid(zxid);
    Ok((tree, sessions))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jute::txn::{CreateTxn, TxnBody, TxnHeader};
    use jute::{Acl, Id, OpCode};

    fn sample_tree() -> DataTree {
        let mut t = DataTree::new(TreeOptions::default());
        let nodes = [("/a", false), ("/a/b", false), ("/e", true), ("/a/c", false)];
        for (i, (p, eph)) in nodes.into_iter().enumerate() {
            let zxid = i as i64 + 1;
            let parent_cversion = t.get(crate::tree::path::parent(p)).unwrap().stat.cversion + 1;
            let acl = if p == "/a/c" {
                vec![Acl::new(31, Id::new("digest", "u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ="))]
            } else {
                Acl::open_unsafe()
            };
            let body = TxnBody::Create(CreateTxn {
                path: p.into(),
                data: if p == "/a/b" {
                    None
                } else {
                    Some(Bytes::from(format!("data of {p}")))
                },
                acl,
                ephemeral: eph,
                parent_cversion,
            });
            let h = TxnHeader {
                client_id: 0x100,
                cxid: 1,
                zxid,
                time: 1000,
                txn_type: OpCode::Create,
            };
            t.apply(&h, &body, &mut Vec::new());
        }
        t
    }

    fn tmpdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("rzk-snap-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn round_trips_every_compression() {
        let t = sample_tree();
        let sessions = vec![(0x100, 30000)];
        let bytes = serialize(&t, &sessions, true);
        assert_eq!(
            &bytes[bytes.len() - 5..],
            &[0, 0, 0, 1, b'/'],
            "ends with the seal, as isValidSnapshot wants"
        );
        let d = tmpdir("rt");
        for c in [Compression::None, Compression::Gzip, Compression::Snappy] {
            let path = write_file(&d, t.last_processed_zxid(), &bytes, c).unwrap();
            let raw = read_file(&path, u64::MAX).unwrap();
            assert_eq!(raw, bytes.to_vec(), "{c:?}");
            let l = parse(raw, t.last_processed_zxid(), TreeOptions::default(), 1 << 21).unwrap();
            assert_eq!(l.sessions, sessions);
            assert_eq!(l.tree.walk(), t.walk());
            for p in t.walk() {
                let (a, b) = (t.get(&p).unwrap(), l.tree.get(&p).unwrap());
                assert_eq!(a.data, b.data, "{p}");
                assert_eq!(a.stat, b.stat, "{p}");
                assert_eq!(t.acl_of(a), l.tree.acl_of(b), "{p}");
            }
            assert_eq!(l.tree.digest(), t.digest());
            assert_eq!(l.digest.unwrap().digest, DigestValue::Long(t.digest().value()));
            assert_eq!(l.tree.ephemerals_of(0x100).count(), 1);
        }
    }

    #[test]
    fn a_flipped_bit_fails_the_checksum() {
        let t = sample_tree();
        let mut bytes = serialize(&t, &[], true).to_vec();
        bytes[40] ^= 1;
        assert!(parse(bytes, 4, TreeOptions::default(), 1 << 21).is_err());
    }

    #[test]
    fn snappy_java_stream_matches_the_reference_bytes() {
        // Ref: reference §2.5, snappy-java 1.1.8 compressing "hello".
        let raw = [
            0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 7, 0x05, 0x10,
            0x68, 0x65, 0x6c, 0x6c, 0x6f,
        ];
        assert_eq!(snappy_java_decode(&raw, 1 << 20).unwrap(), b"hello");
    }
}

/// A fuzzy snapshot built a slice at a time, so that writes never wait for a whole tree to be
/// serialized (ZooKeeper serializes concurrently with updates too; see reference §2.5).
///
/// Nodes are visited depth first, parent before child, each serialized as it is when reached; nodes
/// created or changed after the start are covered by replaying the log from the snapshot's zxid (the
/// zxid when it started), which tolerates txns that are already reflected. The ACL map lists every id a
/// serialized node refers to plus the tree's map at the end; the digest trailer holds the zxid and
/// digest at the end, where replay checks them.
pub struct FuzzySnapshot {
    zxid: i64,
    sessions: Vec<(i64, i32)>,
    stack: Vec<Frame>,
    nodes: BytesMut,
    acls: std::collections::BTreeMap<i64, std::sync::Arc<Vec<jute::Acl>>>,
    digest_enabled: bool,
}

struct Frame {
    path: String,
    emitted: bool,
    last_child: Option<String>,
}

impl FuzzySnapshot {
    /// Starts a snapshot of `tree`, named after its last processed zxid.
    pub fn start(tree: &DataTree, sessions: Vec<(i64, i32)>, digest_enabled: bool) -> Self {
        Self {
            zxid: tree.last_processed_zxid(),
            sessions,
            stack: vec![Frame {
                path: "/".to_owned(),
                emitted: false,
                last_child: None,
            }],
            nodes: BytesMut::with_capacity(1 << 16),
            acls: Default::default(),
            digest_enabled,
        }
    }

    pub fn zxid(&self) -> i64 {
        self.zxid
    }

    /// Serializes up to `budget` more nodes; true when every node has been visited.
    pub fn step(&mut self, tree: &DataTree, mut budget: usize) -> bool {
        use std::ops::Bound::{Excluded, Unbounded};
        while budget > 0 {
            let Some(frame) = self.stack.last_mut() else {
                return true;
            };
            let Some(node) = tree.get(&frame.path) else {
                self.stack.pop();
                continue;
            };
            if !frame.emitted {
                frame.emitted = true;
                budget -= 1;
                let path = if frame.path == "/" {
                    String::new()
                } else {
                    frame.path.clone()
                };
                SnapNode {
                    path,
                    data: node.data.clone(),
                    acl_id: node.acl_id,
                    stat: node.stat.clone(),
                }
                .encode(&mut self.nodes);
                if node.acl_id != crate::tree::acl_cache::OPEN_UNSAFE_ACL_ID {
                    self.acls
                        .entry(node.acl_id)
                        .or_insert_with(|| tree.acl_of(node).clone());
                }
                continue;
            }
            let next = match &frame.last_child {
                None => node.children.iter().next(),
                Some(l) => node.children.range::<String, _>((Excluded(l), Unbounded)).next(),
            };
            match next {
                None => {
                    self.stack.pop();
                }
                Some(child) => {
                    let child = child.clone();
                    let path = crate::tree::path::join(&frame.path, &child);
                    frame.last_child = Some(child);
                    self.stack.push(Frame {
                        path,
                        emitted: false,
                        last_child: None,
                    });
                }
            }
        }
        self.stack.is_empty()
    }

    /// The whole file's uncompressed bytes (call once `step` returned true).
    pub fn finish(mut self, tree: &DataTree) -> (i64, Bytes) {
        for (id, list) in tree.acl_cache().entries() {
            self.acls.entry(id).or_insert_with(|| list.clone());
        }
        let mut out = BytesMut::with_capacity(self.nodes.len() + 4096);
        FileHeader {
            magic: SNAPSHOT_MAGIC,
            version: FORMAT_VERSION,
            dbid: -1,
        }
        .encode(&mut out);
        out.put_i32(self.sessions.len() as i32);
        for &(session_id, timeout_ms) in &self.sessions {
            SnapSession {
                session_id,
                timeout_ms,
            }
            .encode(&mut out);
        }
        out.put_i32(self.acls.len() as i32);
        for (acl_id, list) in &self.acls {
            SnapAclEntry {
                acl_id: *acl_id,
                acls: list.to_vec(),
            }
            .encode(&mut out);
        }
        out.extend_from_slice(&self.nodes);
        "/".to_owned().encode(&mut out);
        seal(&mut out);
        if self.digest_enabled {
            ZxidDigest {
                zxid: tree.last_processed_zxid(),
                digest_version: DIGEST_VERSION,
                digest: DigestValue::Long(tree.digest().value()),
            }
            .encode(&mut out);
            seal(&mut out);
        }
        (self.zxid, out.freeze())
    }
}

#[cfg(test)]
mod fuzzy_tests {
    use super::*;
    use jute::txn::{CreateTxn, DeleteTxn, SetDataTxn, TxnBody, TxnEntry, TxnHeader};
    use jute::{Acl, Id, OpCode};

    fn txn(zxid: i64, ty: OpCode, body: TxnBody) -> TxnEntry {
        TxnEntry {
            header: TxnHeader {
                client_id: 1,
                cxid: 0,
                zxid,
                time: zxid * 10,
                txn_type: ty,
            },
            body,
            digest: None,
        }
    }

    fn create(zxid: i64, p: &str, acl: Vec<Acl>) -> TxnEntry {
        txn(
            zxid,
            OpCode::Create,
            TxnBody::Create(CreateTxn {
                path: p.into(),
                data: Some(Bytes::from(format!("v{zxid}"))),
                acl,
                ephemeral: false,
                parent_cversion: -1,
            }),
        )
    }

    /// Ref: reference §2.5: a fuzzy snapshot plus replay from its zxid gives the tree at the end.
    #[test]
    fn a_snapshot_taken_while_writes_go_on_replays_to_the_same_tree() {
        let mut t = DataTree::new(TreeOptions::default());
        let mut log = Vec::new();
        let mut zxid = 0;
        for i in 0..200 {
            zxid += 1;
            let e = create(zxid, &format!("/n{i:03}"), Acl::open_unsafe());
            t.apply(&e.header, &e.body, &mut Vec::new());
            log.push(e);
        }
        let mut snap = FuzzySnapshot::start(&t, vec![], true);
        let start = snap.zxid();
        let secret = vec![Acl::new(31, Id::new("digest", "u:x"))];
        let mut round = 0;
        while !snap.step(&t, 7) {
            // Writes interleaved with the snapshot: creates (with a new ACL), deletes, setData.
            round += 1;
            let mut batch = vec![create(zxid + 1, &format!("/late{round:03}"), secret.clone())];
            batch.push(txn(
                zxid + 2,
                OpCode::Delete,
                TxnBody::Delete(DeleteTxn {
                    path: format!("/n{:03}", round * 3),
                }),
            ));
            batch.push(txn(
                zxid + 3,
                OpCode::SetData,
                TxnBody::SetData(SetDataTxn {
                    path: format!("/n{:03}", round * 3 + 1),
                    data: None,
                    version: 1,
                }),
            ));
            zxid += 3;
            for e in batch {
                t.apply(&e.header, &e.body, &mut Vec::new());
                log.push(e);
            }
        }
        assert!(round > 5, "writes happened during the snapshot");
        let (name, bytes) = snap.finish(&t);
        assert_eq!(name, start);
        let mut l = parse(bytes.to_vec(), name, TreeOptions::default(), 1 << 21).unwrap();
        for e in log.iter().filter(|e| e.header.zxid > name) {
            l.tree.apply(&e.header, &e.body, &mut Vec::new());
        }
        assert_eq!(l.tree.walk(), t.walk());
        for p in t.walk() {
            let (a, b) = (t.get(&p).unwrap(), l.tree.get(&p).unwrap());
            assert_eq!((&a.data, &a.stat), (&b.data, &b.stat), "{p}");
            assert_eq!(t.acl_of(a), l.tree.acl_of(b), "{p}");
        }
        assert_eq!(l.tree.digest(), t.digest());
        assert_eq!(l.digest.map(|d| d.zxid), Some(t.last_processed_zxid()));
    }
}
