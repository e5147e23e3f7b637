"""Independent readers for ZooKeeper's on-disk files (standard library only), used by the persistence
suite to locate records in txn logs and to verify snapshot checksums without trusting rzk's code.

Written from the format description in shared/docs/zookeeper-reference.md section 2.
"""

import gzip
import os
import struct
import zlib

LOG_MAGIC = 0x5A4B4C47
SNAP_MAGIC = 0x5A4B534E
SNAPPY_MAGIC = b"\x82SNAPPY\x00"

TXN_TYPES = {
    -10: "createSession", -11: "closeSession", -1: "error", 1: "create", 2: "delete", 5: "setData",
    7: "setACL", 13: "check", 14: "multi", 15: "create2", 16: "reconfig", 19: "createContainer",
    20: "deleteContainer", 21: "createTTL",
}


def zxid_of(name, prefix):
    """zxid in `log.1a` / `snapshot.1a.gz`, or None."""
    parts = name.split(".")
    if len(parts) < 2 or parts[0] != prefix:
        return None
    try:
        return int(parts[1], 16)
    except ValueError:
        return None


def list_files(d, prefix):
    """[(zxid, path)] ascending."""
    out = []
    if not os.path.isdir(d):
        return out
    for n in os.listdir(d):
        z = zxid_of(n, prefix)
        if z is not None:
            out.append((z, os.path.join(d, n)))
    out.sort()
    return out


class Record:
    def __init__(self, offset, length, txn):
        self.offset = offset          # file offset of the checksum field
        self.length = length          # N (txn bytes)
        self.txn = txn
        self.client_id, self.cxid, self.zxid, self.time, self.type = struct.unpack_from(">qiqqi", txn, 0)

    @property
    def end(self):
        return self.offset + 12 + self.length + 1

    @property
    def type_name(self):
        return TXN_TYPES.get(self.type, str(self.type))

    def path(self):
        """The path of a create/delete/setData/setACL body (None for other types)."""
        if self.type in (1, 2, 5, 7, 15, 19, 20, 21):
            (n,) = struct.unpack_from(">i", self.txn, 32)
            return self.txn[36:36 + n].decode()
        return None


def read_log(path):
    """(records, how) where how is 'clean', 'torn: ...' or 'crc: ...' (stops at the first bad record)."""
    with open(path, "rb") as f:
        data = f.read()
    magic, version = struct.unpack_from(">ii", data, 0)
    if magic != LOG_MAGIC:
        raise ValueError(f"{path}: bad magic {magic:#x}")
    pos, recs = 16, []
    while True:
        if pos + 12 > len(data):
            return recs, ("clean" if not any(data[pos:]) else "torn: short header")
        crc, n = struct.unpack_from(">qi", data, pos)
        if n == 0:
            return recs, "clean"
        if n < 0 or pos + 12 + n + 1 > len(data):
            return recs, f"torn: record of {n} bytes at {pos} cut short"
        txn = data[pos + 12:pos + 12 + n]
        if data[pos + 12 + n] != 0x42:
            return recs, f"torn: no end-of-record byte at {pos}"
        if crc != zlib.adler32(txn):
            return recs, f"crc: checksum mismatch at {pos}"
        recs.append(Record(pos, n, txn))
        pos += 12 + n + 1


# ---------------------------------------------------------------- snapshots

def snappy_raw_decompress(buf):
    pos, n, shift = 0, 0, 0
    while True:
        b = buf[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            break
    out = bytearray()
    while pos < len(buf):
        tag = buf[pos]
        pos += 1
        t = tag & 3
        if t == 0:
            ln = tag >> 2
            if ln < 60:
                ln += 1
            else:
                nb = ln - 59
                ln = int.from_bytes(buf[pos:pos + nb], "little") + 1
                pos += nb
            out += buf[pos:pos + ln]
            pos += ln
            continue
        if t == 1:
            ln = ((tag >> 2) & 7) + 4
            off = ((tag >> 5) << 8) | buf[pos]
            pos += 1
        elif t == 2:
            ln = (tag >> 2) + 1
            off = int.from_bytes(buf[pos:pos + 2], "little")
            pos += 2
        else:
            ln = (tag >> 2) + 1
            off = int.from_bytes(buf[pos:pos + 4], "little")
            pos += 4
        if off <= 0 or off > len(out):
            raise ValueError("bad snappy copy offset")
        start = len(out) - off
        for i in range(ln):
            out.append(out[start + i])
    if len(out) != n:
        raise ValueError(f"snappy block: {len(out)} bytes, header says {n}")
    return bytes(out)


def snapshot_bytes(path):
    with open(path, "rb") as f:
        raw = f.read()
    if path.endswith(".gz"):
        if raw[:2] != b"\x1f\x8b":
            raise ValueError("not gzip")
        return gzip.decompress(raw)
    if path.endswith(".snappy"):
        if raw[:8] != SNAPPY_MAGIC:
            raise ValueError("not a snappy-java stream")
        pos, out = 16, bytearray()
        while pos < len(raw):
            (n,) = struct.unpack_from(">i", raw, pos)
            pos += 4
            out += snappy_raw_decompress(raw[pos:pos + n])
            pos += n
        return bytes(out)
    return raw


class _R:
    def __init__(self, b):
        self.b, self.p = b, 0

    def i(self):
        (v,) = struct.unpack_from(">i", self.b, self.p)
        self.p += 4
        return v

    def q(self):
        (v,) = struct.unpack_from(">q", self.b, self.p)
        self.p += 8
        return v

    def buf(self):
        n = self.i()
        if n < 0:
            return None
        v = self.b[self.p:self.p + n]
        if len(v) != n:
            raise ValueError("short buffer")
        self.p += n
        return v

    def s(self):
        v = self.buf()
        return None if v is None else v.decode()


def verify_snapshot(path):
    """Parses a snapshot and checks both seals. Returns a summary dict; raises ValueError on any error."""
    b = snapshot_bytes(path)
    r = _R(b)
    magic, version, _dbid = r.i(), r.i(), r.q()
    if magic != SNAP_MAGIC or version != 2:
        raise ValueError(f"bad header {magic:#x}/{version}")
    nsess = r.i()
    for _ in range(nsess):
        r.q(), r.i()
    nacl = r.i()
    for _ in range(nacl):
        r.q()
        n = r.i()
        for _ in range(n):
            r.i(), r.s(), r.s()
    nodes = 0
    while True:
        p = r.s()
        if p == "/":
            break
        r.buf()
        r.q()
        r.p += 60  # StatPersisted
        nodes += 1

    def seal(which):
        expected = zlib.adler32(b[:r.p])
        got = r.q() & 0xFFFFFFFFFFFFFFFF
        if got != expected:
            raise ValueError(f"seal {which}: stored {got:#x}, computed {expected:#x}")
        if r.s() != "/":
            raise ValueError(f"seal {which}: no '/' after the checksum")

    seal(1)
    digest = None
    if r.p < len(b):
        zxid, dver, dig = r.q(), r.i(), r.q()
        seal(2)
        digest = (zxid, dver, dig)
    return {"sessions": nsess, "acls": nacl, "nodes": nodes, "digest": digest, "trailing": len(b) - r.p}
