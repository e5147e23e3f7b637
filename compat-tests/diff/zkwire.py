"""Raw ZooKeeper client-protocol codec and blocking connection, for the differential suite.

Written for rzk from the protocol facts in shared/docs/zookeeper-reference.md (section 1);
no upstream code.  Standard library only (Python 3.11).

Everything is explicit on purpose: a test can send any opcode with any body (including
malformed bytes), a ConnectRequest with or without the readOnly byte, any frame length, and
every frame the server sends back is decoded into plain Python values (dicts, lists, ints,
bytes) so that two servers' answers can be compared field by field.
"""

import socket
import struct
import time

# ------------------------------------------------------------------ constants
OP = {
    "notification": 0, "create": 1, "delete": 2, "exists": 3, "getData": 4, "setData": 5,
    "getACL": 6, "setACL": 7, "getChildren": 8, "sync": 9, "ping": 11, "getChildren2": 12,
    "check": 13, "multi": 14, "create2": 15, "reconfig": 16, "checkWatches": 17,
    "removeWatches": 18, "createContainer": 19, "deleteContainer": 20, "createTTL": 21,
    "multiRead": 22, "auth": 100, "setWatches": 101, "sasl": 102, "getEphemerals": 103,
    "getAllChildrenNumber": 104, "setWatches2": 105, "addWatch": 106, "whoAmI": 107,
    "createSession": -10, "closeSession": -11, "error": -1,
}
OP_NAME = {v: k for k, v in OP.items()}

ERR = {
    0: "OK", -1: "SYSTEMERROR", -2: "RUNTIMEINCONSISTENCY", -3: "DATAINCONSISTENCY",
    -4: "CONNECTIONLOSS", -5: "MARSHALLINGERROR", -6: "UNIMPLEMENTED", -7: "OPERATIONTIMEOUT",
    -8: "BADARGUMENTS", -12: "UNKNOWNSESSION", -13: "NEWCONFIGNOQUORUM",
    -14: "RECONFIGINPROGRESS", -100: "APIERROR", -101: "NONODE", -102: "NOAUTH",
    -103: "BADVERSION", -108: "NOCHILDRENFOREPHEMERALS", -110: "NODEEXISTS", -111: "NOTEMPTY",
    -112: "SESSIONEXPIRED", -113: "INVALIDCALLBACK", -114: "INVALIDACL", -115: "AUTHFAILED",
    -118: "SESSIONMOVED", -119: "NOTREADONLY", -120: "EPHEMERALONLOCALSESSION",
    -121: "NOWATCHER", -122: "REQUESTTIMEOUT", -123: "RECONFIGDISABLED",
    -124: "SESSIONCLOSEDREQUIRESASLAUTH", -125: "QUOTAEXCEEDED", -127: "THROTTLEDOP",
}

EVENT = {-1: "None", 1: "NodeCreated", 2: "NodeDeleted", 3: "NodeDataChanged",
         4: "NodeChildrenChanged", 5: "DataWatchRemoved", 6: "ChildWatchRemoved",
         7: "PersistentWatchRemoved"}

# create modes (flags)
PERSISTENT, EPHEMERAL, PERSISTENT_SEQUENTIAL, EPHEMERAL_SEQUENTIAL = 0, 1, 2, 3
CONTAINER, PERSISTENT_WITH_TTL, PERSISTENT_SEQUENTIAL_WITH_TTL = 4, 5, 6

# watcher types for checkWatches / removeWatches; addWatch modes
WT_CHILDREN, WT_DATA, WT_ANY = 1, 2, 3
AW_PERSISTENT, AW_PERSISTENT_RECURSIVE = 0, 1

# special xids
NOTIFICATION_XID, PING_XID, AUTH_XID, SET_WATCHES_XID = -1, -2, -4, -8

# permissions
READ, WRITE, CREATE, DELETE, ADMIN, ALL = 1, 2, 4, 8, 16, 31
OPEN_ACL = [(ALL, "world", "anyone")]
READ_ACL = [(READ, "world", "anyone")]
CREATOR_ALL_ACL = [(ALL, "auth", "")]

DEFAULT_MAXBUFFER = 0xFFFFF


class Closed(Exception):
    """The server closed (or reset) the connection."""


class Timeout(Exception):
    """Nothing arrived before the deadline."""


# ------------------------------------------------------------------ encoders
def i32(v):
    return struct.pack(">i", v)


def i64(v):
    return struct.pack(">q", v)


def boolean(v):
    return b"\x01" if v else b"\x00"


def buf(v):
    return i32(-1) if v is None else i32(len(v)) + bytes(v)


def ustr(v):
    """A ustring; None = null (-1); bytes are sent verbatim (for invalid UTF-8 tests)."""
    if v is None:
        return i32(-1)
    if isinstance(v, str):
        v = v.encode("utf-8", "surrogatepass")
    return i32(len(v)) + v


def vec(items, enc):
    if items is None:
        return i32(-1)
    return i32(len(items)) + b"".join(enc(x) for x in items)


def enc_acl(a):
    perms, scheme, ident = a
    return i32(perms) + ustr(scheme) + ustr(ident)


def enc_acls(acls):
    return vec(acls, enc_acl)


def enc_strings(items):
    return vec(items, ustr)


# request records (bodies, without RequestHeader)
def enc_create(path, data, acl, flags):
    return ustr(path) + buf(data) + enc_acls(acl) + i32(flags)


def enc_create_ttl(path, data, acl, flags, ttl):
    return enc_create(path, data, acl, flags) + i64(ttl)


def enc_path_version(path, version):          # DeleteRequest, CheckVersionRequest
    return ustr(path) + i32(version)


def enc_path_watch(path, watch):               # exists/getData/getChildren(2)
    return ustr(path) + boolean(watch)


def enc_set_data(path, data, version):
    return ustr(path) + buf(data) + i32(version)


def enc_set_acl(path, acl, version):
    return ustr(path) + enc_acls(acl) + i32(version)


def enc_path(path):                            # getACL, sync, getEphemerals, getAllChildrenNumber
    return ustr(path)


def enc_path_int(path, v):                     # addWatch, checkWatches, removeWatches
    return ustr(path) + i32(v)


def enc_auth(scheme, auth, typ=0):
    return i32(typ) + ustr(scheme) + buf(auth)


def enc_set_watches(rel, data, exist, child):
    return i64(rel) + enc_strings(data) + enc_strings(exist) + enc_strings(child)


def enc_set_watches2(rel, data, exist, child, persistent, recursive):
    return (i64(rel) + enc_strings(data) + enc_strings(exist) + enc_strings(child)
            + enc_strings(persistent) + enc_strings(recursive))


def enc_reconfig(joining, leaving, new_members, cur_config_id):
    return ustr(joining) + ustr(leaving) + ustr(new_members) + i64(cur_config_id)


def enc_multi_header(typ, done, err):
    return i32(typ) + boolean(done) + i32(err)


def enc_multi(ops):
    """ops: list of (opcode, body bytes)."""
    out = b"".join(enc_multi_header(op, False, -1) + body for op, body in ops)
    return out + enc_multi_header(-1, True, -1)


def enc_connect(last_zxid=0, timeout=30000, session_id=0, passwd=b"\0" * 16, read_only=False,
                protocol_version=0):
    """read_only=None omits the trailing byte (pre-3.4 client, 44 bytes)."""
    out = i32(protocol_version) + i64(last_zxid) + i32(timeout) + i64(session_id) + buf(passwd)
    if read_only is not None:
        out += boolean(read_only)
    return out


# ------------------------------------------------------------------ decoders
class DecodeError(Exception):
    pass


class Reader:
    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def remaining(self):
        return len(self.data) - self.pos

    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise DecodeError("need %d bytes at offset %d of %d" % (n, self.pos, len(self.data)))
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def i64(self):
        return struct.unpack(">q", self.take(8))[0]

    def boolean(self):
        return self.take(1) != b"\x00"

    def buf(self):
        n = self.i32()
        return None if n == -1 else self.take(n)

    def ustr(self):
        b = self.buf()
        if b is None:
            return None
        try:
            return b.decode("utf-8")
        except UnicodeDecodeError:
            return "<not UTF-8: 0x%s>" % b.hex()

    def vec(self, dec):
        n = self.i32()
        if n == -1:
            return None
        if n < 0 or n > 10_000_000:
            raise DecodeError("bad vector count %d" % n)
        return [dec(self) for _ in range(n)]

    def stat(self):
        return {
            "czxid": self.i64(), "mzxid": self.i64(), "ctime": self.i64(), "mtime": self.i64(),
            "version": self.i32(), "cversion": self.i32(), "aversion": self.i32(),
            "ephemeralOwner": self.i64(), "dataLength": self.i32(), "numChildren": self.i32(),
            "pzxid": self.i64(),
        }

    def acl(self):
        return {"perms": self.i32(), "scheme": self.ustr(), "id": self.ustr()}


def dec_connect_response(payload):
    r = Reader(payload)
    out = {"len": len(payload), "protocolVersion": r.i32(), "timeOut": r.i32(),
           "sessionId": r.i64(), "passwd": r.buf()}
    if r.remaining() >= 1:
        out["readOnly"] = r.boolean()
    if r.remaining():
        out["trailing"] = r.take(r.remaining()).hex()
    return out


def _stat_only(r):
    return {"stat": r.stat()}


def _path_only(r):
    return {"path": r.ustr()}


def _path_stat(r):
    return {"path": r.ustr(), "stat": r.stat()}


def _data_stat(r):
    return {"data": r.buf(), "stat": r.stat()}


def _children(r):
    return {"children": r.vec(Reader.ustr)}


def _children_stat(r):
    return {"children": r.vec(Reader.ustr), "stat": r.stat()}


def _acl_stat(r):
    return {"acl": r.vec(Reader.acl), "stat": r.stat()}


def _nothing(r):
    return {}


def _int(r):
    return {"value": r.i32()}


def _strings(r):
    return {"list": r.vec(Reader.ustr)}


def _token(r):
    return {"token": r.buf()}


def _whoami(r):
    return {"clientInfo": r.vec(lambda rr: {"scheme": rr.ustr(), "user": rr.ustr()})}


def _multi(r):
    results = []
    while True:
        typ, done, err = r.i32(), r.boolean(), r.i32()
        if done:
            results.append({"end": True, "type": typ, "err": err})
            break
        res = {"type": typ, "err": err}
        if typ == 1:
            res["path"] = r.ustr()
        elif typ == 15:
            res["path"] = r.ustr()
            res["stat"] = r.stat()
        elif typ in (2, 13):
            pass
        elif typ == 5:
            res["stat"] = r.stat()
        elif typ == 4:
            res["data"] = r.buf()
            res["stat"] = r.stat()
        elif typ == 8:
            res["children"] = r.vec(Reader.ustr)
        elif typ == -1:
            res["errBody"] = r.i32()
        else:
            res["undecoded"] = r.take(r.remaining()).hex()
            results.append(res)
            break
        results.append(res)
    return {"results": results}


RESPONSE_DECODERS = {
    1: _path_only, 15: _path_stat, 19: _path_stat, 21: _path_stat,
    2: _nothing, 3: _stat_only, 4: _data_stat, 5: _stat_only, 6: _acl_stat, 7: _stat_only,
    8: _children, 9: _path_only, 11: _nothing, 12: _children_stat, 13: _nothing,
    14: _multi, 22: _multi, 16: _data_stat, 17: _nothing, 18: _nothing, 20: _nothing,
    100: _nothing, 101: _nothing, 105: _nothing, 102: _token, 103: _strings, 104: _int,
    106: _int, 107: _whoami, -11: _nothing,
}


def decode_body(op, body):
    """Decode a reply body for opcode `op`; never raises: problems are reported in the dict."""
    dec = RESPONSE_DECODERS.get(op)
    if dec is None:
        return {"raw": body.hex()} if body else {}
    r = Reader(body)
    try:
        out = dec(r)
    except DecodeError as e:
        return {"decodeError": str(e), "raw": body.hex()}
    if r.remaining():
        out["trailing"] = body[r.pos:].hex()
    return out


def java_password(session_id):
    """16 bytes of java.util.Random(sessionId ^ 0xB3415C00).nextBytes (ZooKeeper's passwords)."""
    mask = (1 << 48) - 1
    seed = ((session_id ^ 0xB3415C00) ^ 0x5DEECE66D) & mask
    out = bytearray()
    while len(out) < 16:
        seed = (seed * 0x5DEECE66D + 0xB) & mask
        r = seed >> 16
        for i in range(4):
            out.append((r >> (8 * i)) & 0xFF)
    return bytes(out[:16])


# ------------------------------------------------------------------ connection
class Conn:
    """One TCP connection to a server.  Blocking, single-threaded.

    Every frame read is handed to `sink(kind, item)` in arrival order (kind is "reply",
    "notification", "connect", "closed"), so a recorder sees replies and watch events
    interleaved exactly as the server sent them.
    """

    def __init__(self, host, port, sink=None, read_timeout=10.0):
        self.host, self.port = host, port
        self.sink = sink or (lambda kind, item: None)
        self.read_timeout = read_timeout
        self.sock = socket.create_connection((host, port), timeout=read_timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rbuf = bytearray()
        self.closed = False
        self.next_xid = 1
        self.pending = {}          # xid -> opcode, for decoding replies
        self.session_id = 0
        self.passwd = b"\0" * 16
        self.last_zxid = 0
        self.timeout = 0

    # -- raw I/O
    def send_raw(self, data):
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise Closed("send failed: %s" % e) from e

    def send_frame(self, payload):
        self.send_raw(i32(len(payload)) + payload)

    def _fill(self, n, deadline):
        while len(self.rbuf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Timeout()
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(max(65536, n - len(self.rbuf)))
            except socket.timeout:
                raise Timeout() from None
            except OSError as e:          # reset
                self._mark_closed("reset")
                raise Closed("reset: %s" % e) from e
            if not chunk:
                self._mark_closed("eof")
                raise Closed("eof")
            self.rbuf.extend(chunk)

    def _mark_closed(self, how):
        if not self.closed:
            self.closed = True
            self.sink("closed", {"how": how, "unread": len(self.rbuf)})

    def read_frame(self, timeout=None):
        deadline = time.monotonic() + (self.read_timeout if timeout is None else timeout)
        self._fill(4, deadline)
        n = struct.unpack(">i", self.rbuf[:4])[0]
        if n < 0 or n > 64 * 1024 * 1024:
            raise DecodeError("server sent frame length %d" % n)
        self._fill(4 + n, deadline)
        payload = bytes(self.rbuf[4:4 + n])
        del self.rbuf[:4 + n]
        return payload

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.closed = True

    def abort(self):
        """Close with RST (SO_LINGER 0), like a crashed client."""
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close()

    # -- session establishment
    def connect(self, timeout=30000, session_id=0, passwd=b"\0" * 16, last_zxid=0,
                read_only=False, extra=b"", wait=True):
        """Send a ConnectRequest; return the decoded ConnectResponse (or None if the server
        closed the connection without one)."""
        self.send_frame(enc_connect(last_zxid, timeout, session_id, passwd, read_only) + extra)
        if not wait:
            return None
        return self.read_connect_response()

    def read_connect_response(self, timeout=None):
        try:
            payload = self.read_frame(timeout)
        except Closed:
            return None
        resp = dec_connect_response(payload)
        self.session_id = resp["sessionId"]
        self.passwd = resp["passwd"]
        self.timeout = resp["timeOut"]
        self.sink("connect", resp)
        return resp

    # -- requests
    def send_request(self, op, body=b"", xid=None):
        if xid is None:
            xid = self.next_xid
            self.next_xid += 1
        self.pending[xid] = op
        self.send_frame(i32(xid) + i32(op) + body)
        return xid

    def read_item(self, timeout=None):
        """Read one frame; decode it as a reply or a notification and hand it to the sink."""
        payload = self.read_frame(timeout)
        r = Reader(payload)
        try:
            xid, zxid, err = r.i32(), r.i64(), r.i32()
        except DecodeError:
            item = {"kind": "garbage", "raw": payload.hex()}
            self.sink("garbage", item)
            return "garbage", item
        body = payload[16:]
        if xid == NOTIFICATION_XID:
            rr = Reader(body)
            try:
                ev = {"xid": xid, "zxid": zxid, "err": err, "type": rr.i32(), "state": rr.i32(),
                      "path": rr.ustr()}
                if rr.remaining():
                    ev["trailing"] = body[rr.pos:].hex()
            except DecodeError as e:
                ev = {"xid": xid, "zxid": zxid, "err": err, "decodeError": str(e),
                      "raw": body.hex()}
            self.sink("notification", ev)
            return "notification", ev
        op = self.pending.pop(xid, None)
        if zxid > self.last_zxid:
            self.last_zxid = zxid
        item = {"xid": xid, "zxid": zxid, "err": err}
        if op is None:
            item["unexpectedXid"] = True
            if body:
                item["raw"] = body.hex()
        elif err != 0 and (op not in (14, 22) or not body):
            if body:
                item["bodyOnError"] = body.hex()
        else:
            item["body"] = decode_body(op, body)
        self.sink("reply", item)
        return "reply", item

    def wait_reply(self, xid, timeout=None):
        """Read frames until the reply for `xid`; returns it (None if the connection closed
        or nothing came before the deadline -- the sink has recorded which)."""
        deadline = time.monotonic() + (self.read_timeout if timeout is None else timeout)
        while True:
            try:
                kind, item = self.read_item(max(0.0, deadline - time.monotonic()))
            except Closed:
                return None
            except Timeout:
                self.sink("timeout", {"waitingFor": xid})
                return None
            if kind == "reply" and item["xid"] == xid:
                return item
            if kind == "garbage":
                return None

    def call(self, op, body=b"", xid=None, timeout=None):
        try:
            xid = self.send_request(op, body, xid)
        except Closed as e:
            self._mark_closed("send: %s" % e)
            return None
        return self.wait_reply(xid, timeout)
