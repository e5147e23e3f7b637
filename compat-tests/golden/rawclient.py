#!/usr/bin/env python3
"""Raw-socket ZooKeeper client for the golden-bytes capture.

Sends what the Java client never sends (a ConnectRequest without the readOnly
byte, a top-level check, unknown opcodes, oversized frames, a reconnect with a
wrong password, malformed requests, four-letter words) through proxy.py, which
records the bytes.  Written from the protocol facts in the rzk reference doc
(shared/docs/zookeeper-reference.md, section 1); standard library only.

usage: rawclient.py --port <proxy port> --control-port <proxy control port> [scenario ...]

Scenarios are named raw-*; with no names the default list (everything except
the ones in SEPARATE_RUN) is run.  Every scenario checks the server's answers
and the program exits non-zero when something unexpected happens.
"""

import argparse
import socket
import struct
import sys
import time

# opcodes
CREATE, DELETE, EXISTS, GETDATA, SETDATA, GETACL, SETACL, GETCHILDREN, SYNC = 1, 2, 3, 4, 5, 6, 7, 8, 9
PING, GETCHILDREN2, CHECK, MULTI, CREATE2, RECONFIG = 11, 12, 13, 14, 15, 16
CHECKWATCHES, REMOVEWATCHES, CREATECONTAINER, CREATETTL, MULTIREAD = 17, 18, 19, 21, 22
AUTH, SETWATCHES, SASL, GETEPHEMERALS, GETALLCHILDRENNUMBER, SETWATCHES2 = 100, 101, 102, 103, 104, 105
ADDWATCH, WHOAMI, CLOSESESSION = 106, 107, -11

FOUR_LETTER_WORDS = ["ruok", "srvr", "stat", "conf", "cons", "envi", "mntr", "wchs", "wchc",
                     "wchp", "dump", "dirs", "isro", "gtmk", "hash", "crst", "srst"]

WAIT = 20.0


class Fail(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Fail(what)


# ---------------------------------------------------------------- jute encoders
def i32(v):
    return struct.pack(">i", v)


def i64(v):
    return struct.pack(">q", v)


def boolean(v):
    return b"\x01" if v else b"\x00"


def buf(v):
    return i32(-1) if v is None else i32(len(v)) + v


def ustr(v):
    return buf(None if v is None else v.encode())


def vec(items, enc):
    if items is None:
        return i32(-1)
    return i32(len(items)) + b"".join(enc(x) for x in items)


def acl_list(acls):
    return vec(acls, lambda a: i32(a[0]) + ustr(a[1]) + ustr(a[2]))


OPEN_ACL = [(31, "world", "anyone")]


class Reader:
    def __init__(self, data):
        self.d = data
        self.p = 0

    def i32(self):
        (v,) = struct.unpack_from(">i", self.d, self.p)
        self.p += 4
        return v

    def i64(self):
        (v,) = struct.unpack_from(">q", self.d, self.p)
        self.p += 8
        return v

    def buf(self):
        n = self.i32()
        if n < 0:
            return None
        v = self.d[self.p:self.p + n]
        self.p += n
        return v

    def ustr(self):
        v = self.buf()
        return None if v is None else v.decode()

    def rest(self):
        return self.d[self.p:]


# ---------------------------------------------------------------- connection
class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        self.xid = 0
        self.events = []

    def send_raw(self, data):
        self.sock.sendall(data)

    def send_frame(self, payload):
        self.sock.sendall(i32(len(payload)) + payload)

    def _read_exact(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                return None
            out += chunk
        return out

    def recv_frame(self):
        """Next frame payload, or None when the server closed the connection."""
        try:
            head = self._read_exact(4)
            if head is None:
                return None
            (n,) = struct.unpack(">i", head)
            return self._read_exact(n)
        except ConnectionResetError:
            return None

    def expect_closed(self):
        """Server must close without sending anything more."""
        data = self.recv_frame()
        expect(data is None, f"expected the server to close, got {data!r}")

    def connect(self, session_id=0, passwd=b"\0" * 16, timeout=30000, last_zxid=0, read_only=False,
                send_readonly_byte=True):
        payload = i32(0) + i64(last_zxid) + i32(timeout) + i64(session_id) + buf(passwd)
        if send_readonly_byte:
            payload += boolean(read_only)
        self.send_frame(payload)
        return self.read_connect_response()

    def read_connect_response(self):
        resp = self.recv_frame()
        if resp is None:
            return None
        r = Reader(resp)
        proto, to, sid, pw = r.i32(), r.i32(), r.i64(), r.buf()
        return {"len": len(resp), "proto": proto, "timeout": to, "session": sid, "passwd": pw,
                "rest": r.rest()}

    def next_xid(self):
        self.xid += 1
        return self.xid

    def send_request(self, op, body=b"", xid=None):
        if xid is None:
            xid = self.next_xid()
        self.send_frame(i32(xid) + i32(op) + body)
        return xid

    def read_reply(self, want_xid):
        """Reply for want_xid; notifications (xid -1) seen before it are collected in self.events."""
        while True:
            data = self.recv_frame()
            if data is None:
                return None
            r = Reader(data)
            xid, zxid, err = r.i32(), r.i64(), r.i32()
            if xid == -1:
                typ, state, path = r.i32(), r.i32(), r.ustr()
                self.events.append((typ, state, path))
                continue
            expect(xid == want_xid, f"reply xid {xid}, expected {want_xid}")
            return {"xid": xid, "zxid": zxid, "err": err, "body": r.rest()}

    def call(self, op, body=b"", xid=None):
        xid = self.send_request(op, body, xid)
        rep = self.read_reply(xid)
        expect(rep is not None, f"connection closed instead of answering op {op}")
        return rep

    def close_session(self):
        rep = self.call(CLOSESESSION)
        expect(rep["err"] == 0, f"closeSession err {rep['err']}")
        self.expect_closed()
        self.sock.close()

    def close(self):
        self.sock.close()


def create_body(path, data, acls=OPEN_ACL, flags=0):
    return ustr(path) + buf(data) + acl_list(acls) + i32(flags)


# ---------------------------------------------------------------- control
class Control:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.f = self.sock.makefile("rw", encoding="utf-8", newline="\n")

    def cmd(self, line):
        self.f.write(line + "\n")
        self.f.flush()
        reply = self.f.readline().strip()
        return reply

    def ok(self, line):
        reply = self.cmd(line)
        expect(reply.startswith("ok"), f"proxy: {line!r} -> {reply!r}")
        return reply


class NoControl:
    """Stand-in when no proxy is in front of the server."""

    def cmd(self, line):
        return "ok"

    def ok(self, line):
        return "ok"


# ---------------------------------------------------------------- scenarios
SCENARIOS = {}
# raw-check-toplevel poisons the data dir of Java 3.8.0 and raw-workload only feeds the
# compressed-snapshot run: both run against their own servers
SEPARATE_RUN = {"raw-check-toplevel", "raw-workload", "raw-quorum-workload"}


def scenario(fn):
    SCENARIOS[fn.__name__.replace("_", "-")] = fn
    return fn


def new_session(port, **kw):
    c = Conn(port)
    resp = c.connect(**kw)
    expect(resp is not None and resp["timeout"] > 0, f"session not established: {resp}")
    return c, resp


@scenario
def raw_connect_noreadonly(port, ctl):
    """44-byte ConnectRequest (pre-3.4 client, no readOnly byte) -> 36-byte response."""
    c = Conn(port)
    resp = c.connect(send_readonly_byte=False)
    expect(resp["len"] == 36 and resp["rest"] == b"", f"36-byte response expected: {resp}")
    rep = c.call(EXISTS, ustr("/") + boolean(False))
    expect(rep["err"] == 0, "exists /")
    c.close_session()


@scenario
def raw_connect_readonly(port, ctl):
    """45-byte ConnectRequest with readOnly=1 on a read-write server -> 37-byte response, readOnly 0."""
    c = Conn(port)
    resp = c.connect(read_only=True)
    expect(resp["len"] == 37 and resp["rest"] == b"\x00", f"37-byte response expected: {resp}")
    c.close_session()


@scenario
def raw_timeouts(port, ctl):
    """Requested session timeouts below min and above max are clamped."""
    for requested in (1, 10_000_000):
        c = Conn(port)
        resp = c.connect(timeout=requested)
        expect(resp["timeout"] in (4000, 40000), f"negotiated {resp['timeout']}")
        c.close_session()


@scenario
def raw_ping(port, ctl):
    c, _ = new_session(port)
    for _ in range(2):
        rep = c.call(PING, xid=-2)
        expect(rep["err"] == 0 and rep["body"] == b"", f"ping reply {rep}")
    c.close_session()


@scenario
def raw_pipelined(port, ctl):
    """ConnectRequest, auth and two requests in one TCP write before reading anything."""
    c = Conn(port)
    connect = i32(0) + i64(0) + i32(30000) + i64(0) + buf(b"\0" * 16) + boolean(False)
    auth = i32(-4) + i32(AUTH) + i32(0) + ustr("digest") + buf(b"u:p")
    req1 = i32(1) + i32(EXISTS) + ustr("/") + boolean(False)
    req2 = i32(2) + i32(WHOAMI)
    c.send_raw(b"".join(i32(len(p)) + p for p in (connect, auth, req1, req2)))
    resp = c.read_connect_response()
    expect(resp["timeout"] > 0, "connected")
    rep = c.read_reply(-4)
    expect(rep["err"] == 0 and rep["zxid"] == 0, f"auth reply {rep}")
    expect(c.read_reply(1)["err"] == 0, "exists")
    expect(c.read_reply(2)["err"] == 0, "whoami")
    c.xid = 2
    c.close_session()


@scenario
def raw_unknown_opcode(port, ctl):
    """Opcode 99 -> (xid, -1, -6) and the connection is closed."""
    c, _ = new_session(port)
    rep = c.call(99, b"")
    expect(rep["err"] == -6 and rep["zxid"] == -1, f"unknown op reply {rep}")
    c.expect_closed()
    c.close()


@scenario
def raw_opcode_zero(port, ctl):
    c, _ = new_session(port)
    xid = c.send_request(0, b"")
    rep = c.read_reply(xid)
    print(f"  op 0 -> {rep}")
    if rep is not None:
        c.expect_closed()
    c.close()


@scenario
def raw_check_toplevel(port, ctl):
    """Top-level check (op 13).  Java 3.8.0 logs it as a type-13 txn, then hits a
    NullPointerException building the reply ("Destruction averted"): no reply at all, the
    connection stays usable (a ping and closeSession afterwards are answered)."""
    c, _ = new_session(port)
    rep = c.call(CREATE, create_body("/chk", b"x"))
    expect(rep["err"] == 0, "create /chk")
    xid = c.send_request(CHECK, ustr("/chk") + i32(0))
    c.sock.settimeout(3.0)
    try:
        rep = c.read_reply(xid)
        print(f"  top-level check -> {rep}")
    except socket.timeout:
        print("  top-level check: no reply within 3 s")
        rep = "none"
    c.sock.settimeout(WAIT)
    if rep is None:
        c.close()
        return
    if rep == "none":
        rep = c.call(PING, xid=-2)
        print(f"  ping after the unanswered check -> {rep}")
    c.close_session()


@scenario
def raw_oversized_frame(port, ctl):
    """A frame length above jute.maxbuffer (0xfffff): the server closes without a reply."""
    c, _ = new_session(port)
    c.send_raw(i32(0x100000) + i32(1) + i32(GETDATA))     # length header + the start of a request
    c.expect_closed()
    c.close()


@scenario
def raw_negative_frame(port, ctl):
    """A negative frame length: closed without a reply."""
    c, _ = new_session(port)
    c.send_raw(i32(-5))
    c.expect_closed()
    c.close()


@scenario
def raw_wrong_password(port, ctl):
    """Reconnect with a wrong password: invalid response (timeout 0) + close, and the
    legitimate connection (1) is kicked too; then a correct reconnect (3) succeeds."""
    c1, resp = new_session(port)
    sid, pw = resp["session"], resp["passwd"]
    c1.call(EXISTS, ustr("/") + boolean(False))
    bad = bytes(b ^ 0xFF for b in pw)
    c2 = Conn(port)
    r2 = c2.connect(session_id=sid, passwd=bad)
    expect(r2["timeout"] == 0 and r2["session"] == 0, f"invalid session response expected: {r2}")
    c2.expect_closed()
    c2.close()
    c1.expect_closed()          # the quirk: kicked although the password was wrong
    c1.close()
    c3 = Conn(port)
    r3 = c3.connect(session_id=sid, passwd=pw)
    expect(r3["timeout"] > 0 and r3["session"] == sid, f"resume failed: {r3}")
    c3.close_session()


@scenario
def raw_session_resume(port, ctl):
    """Reconnect with the right id/password and lastZxidSeen: the old connection is closed."""
    c1, resp = new_session(port)
    sid, pw = resp["session"], resp["passwd"]
    rep = c1.call(CREATE, create_body("/raw-resume", b"r", flags=1))    # ephemeral
    expect(rep["err"] == 0, "create ephemeral")
    c2 = Conn(port)
    r2 = c2.connect(session_id=sid, passwd=pw, last_zxid=rep["zxid"])
    expect(r2["session"] == sid and r2["passwd"] == pw, "resumed")
    c1.expect_closed()
    c1.close()
    rep = c2.call(GETEPHEMERALS, ustr("/"))
    expect(rep["err"] == 0, "getEphemerals")
    c2.close_session()
    # the session is gone now: resuming it again gives the invalid response
    c3 = Conn(port)
    r3 = c3.connect(session_id=sid, passwd=pw, last_zxid=rep["zxid"])
    expect(r3["timeout"] == 0, f"expired session expected: {r3}")
    c3.expect_closed()
    c3.close()


@scenario
def raw_zxid_ahead(port, ctl):
    """lastZxidSeen beyond the server's: closed without a ConnectResponse."""
    c = Conn(port)
    resp = c.connect(last_zxid=0x7FFF_0000_0000_0000)
    expect(resp is None, f"expected close, got {resp}")
    c.close()


@scenario
def raw_bad_requests(port, ctl):
    """Malformed or invalid requests a Java client would refuse to send."""
    c, _ = new_session(port)
    cases = [
        ("no leading slash", CREATE, create_body("noslash", b"x"), None),
        ("trailing slash", CREATE, create_body("/raw-bad/", b"x"), None),
        ("empty component", CREATE, create_body("/a//b", b"x"), None),
        ("dot component", CREATE, create_body("/raw-bad/./x", b"x"), None),
        ("control char", CREATE, create_body("/raw-bad\x01", b"x"), None),
        ("flags 9", CREATE, create_body("/raw-flags9", b"x", flags=9), -8),
        ("empty acl", CREATE, create_body("/raw-emptyacl", b"x", acls=[]), -114),
        ("null acl", CREATE, ustr("/raw-nullacl") + buf(b"x") + i32(-1) + i32(0), -114),
        ("unknown acl scheme", CREATE, create_body("/raw-badscheme", b"x", acls=[(31, "nosuch", "x")]), -114),
        ("ttl mode via create", CREATE, create_body("/raw-ttlmode", b"x", flags=5), None),
        ("createTTL ttl 0", CREATETTL, create_body("/raw-ttl0", b"x", flags=5) + i64(0), -8),
        ("createTTL non-ttl mode", CREATETTL, create_body("/raw-ttlp", b"x", flags=0) + i64(1000), -8),
        ("createTTL ok", CREATETTL, create_body("/raw-ttlok", b"x", flags=5) + i64(100000), 0),
        ("create2 ok", CREATE2, create_body("/raw-c2", None), 0),
        ("createContainer ok", CREATECONTAINER, create_body("/raw-cont", b"c", flags=4), 0),
        ("delete root", DELETE, ustr("/") + i32(-1), -8),
        ("setData bad path", SETDATA, ustr("/x/") + buf(b"x") + i32(-1), None),
        ("getData empty path", GETDATA, ustr("") + boolean(False), None),
        ("null path exists", EXISTS, ustr(None) + boolean(False), None),
        ("check in multi missing", MULTI,
         i32(CHECK) + boolean(False) + i32(-1) + ustr("/raw-missing") + i32(0)
         + i32(-1) + boolean(True) + i32(-1), 0),
        ("multi with create2/createContainer/createTTL sub-ops", MULTI,
         i32(CREATE2) + boolean(False) + i32(-1) + create_body("/raw-m2", b"x")
         + i32(CREATECONTAINER) + boolean(False) + i32(-1) + create_body("/raw-mc", b"x", flags=4)
         + i32(CREATETTL) + boolean(False) + i32(-1) + create_body("/raw-mt", b"x", flags=5) + i64(60000)
         + i32(-1) + boolean(True) + i32(-1), 0),
        ("multi mixing read and write", MULTI,
         i32(GETDATA) + boolean(False) + i32(-1) + ustr("/") + boolean(False)
         + i32(-1) + boolean(True) + i32(-1), None),
        ("truncated create body", CREATE, ustr("/raw-trunc"), None),
    ]
    for name, op, body, want in cases:
        xid = c.send_request(op, body)
        rep = c.read_reply(xid)
        if rep is None:
            print(f"  {name}: connection closed")
            expect(want is None, f"{name}: connection closed unexpectedly")
            c.close()
            c, _ = new_session(port)
            continue
        print(f"  {name}: err {rep['err']} zxid {rep['zxid']:#x} body {rep['body'].hex()[:80]}")
        if want is not None:
            expect(rep["err"] == want, f"{name}: err {rep['err']}, expected {want}")
    c.close_session()


@scenario
def raw_nowatcher(port, ctl):
    """checkWatches / removeWatches with nothing registered -> -121; then with a watch -> 0."""
    c, _ = new_session(port)
    for op in (CHECKWATCHES, REMOVEWATCHES):
        for wtype in (1, 2, 3):
            rep = c.call(op, ustr("/") + i32(wtype))
            expect(rep["err"] == -121, f"op {op} type {wtype}: err {rep['err']}")
    c.call(GETDATA, ustr("/") + boolean(True))
    rep = c.call(CHECKWATCHES, ustr("/") + i32(2))
    expect(rep["err"] == 0, f"checkWatches with a watch: {rep}")
    rep = c.call(REMOVEWATCHES, ustr("/") + i32(3))
    expect(rep["err"] == 0, f"removeWatches with a watch: {rep}")
    c.call(ADDWATCH, ustr("/") + i32(1))
    rep = c.call(REMOVEWATCHES, ustr("/") + i32(3))
    print(f"  removeWatches(any) on a persistent-recursive watch: err {rep['err']}")
    c.close_session()


@scenario
def raw_setwatches(port, ctl):
    """SetWatches (101) and SetWatches2 (105) on a fresh session, relativeZxid 0:
    immediate events for changed/created/deleted nodes come before the -8 reply."""
    c, _ = new_session(port)
    rep = c.call(CREATE, create_body("/raw-sw", b"x"))
    expect(rep["err"] == 0, "create")
    rep = c.call(CREATE, create_body("/raw-sw/kid", b"x"))
    sw = (i64(0) + vec(["/raw-sw", "/raw-sw-gone"], ustr) + vec(["/raw-sw", "/raw-sw-nope"], ustr)
          + vec(["/raw-sw", "/raw-sw-gone2"], ustr))
    rep = c.call(SETWATCHES, sw, xid=-8)
    print(f"  setWatches reply {rep} events {c.events}")
    c.events = []
    sw2 = (i64(rep["zxid"]) + vec(["/raw-sw/kid"], ustr) + vec([], ustr) + vec([], ustr)
           + vec(["/raw-sw"], ustr) + vec(["/raw-sw/kid"], ustr))
    rep = c.call(SETWATCHES2, sw2, xid=-8)
    print(f"  setWatches2 reply {rep} events {c.events}")
    c.events = []
    rep = c.call(SETDATA, ustr("/raw-sw/kid") + buf(b"y") + i32(-1))
    print(f"  setData -> events {c.events}")
    c.close_session()


@scenario
def raw_auth(port, ctl):
    """Auth packets: digest ok (reply zxid 0), whoAmI, then an unknown scheme -> -115 and close."""
    c, _ = new_session(port)
    rep = c.call(AUTH, i32(0) + ustr("digest") + buf(b"u:p"), xid=-4)
    expect(rep["err"] == 0 and rep["zxid"] == 0, f"digest {rep}")
    rep = c.call(WHOAMI)
    expect(rep["err"] == 0, "whoami")
    rep = c.call(AUTH, i32(0) + ustr("nosuch") + buf(b"x"), xid=-4)
    expect(rep["err"] == -115, f"bad scheme {rep}")
    c.expect_closed()
    c.close()


@scenario
def raw_sasl(port, ctl):
    """A SASL token (op 102) on a server without SASL configured."""
    c, _ = new_session(port)
    xid = c.send_request(SASL, buf(b"\x00\x01garbage"))
    rep = c.read_reply(xid)
    print(f"  sasl -> {rep}")
    expect(rep is not None, "no reply to sasl")
    c.close_session()


@scenario
def raw_all_reads(port, ctl):
    """Every read opcode on one connection, incl. the ones only newer clients send."""
    c, _ = new_session(port)
    c.call(CREATE, create_body("/raw-r", b"data"))
    c.call(CREATE, create_body("/raw-r/a", None))
    for op, body in [
        (EXISTS, ustr("/raw-r") + boolean(False)),
        (GETDATA, ustr("/raw-r") + boolean(False)),
        (GETACL, ustr("/raw-r")),
        (GETCHILDREN, ustr("/raw-r") + boolean(False)),
        (GETCHILDREN2, ustr("/raw-r") + boolean(False)),
        (SYNC, ustr("/raw-r")),
        (GETEPHEMERALS, ustr("")),
        (GETEPHEMERALS, ustr(None)),
        (GETALLCHILDRENNUMBER, ustr("/raw-r")),
        (WHOAMI, b""),
        (MULTIREAD, i32(GETDATA) + boolean(False) + i32(-1) + ustr("/raw-r") + boolean(False)
         + i32(GETCHILDREN) + boolean(False) + i32(-1) + ustr("/raw-r") + boolean(False)
         + i32(-1) + boolean(True) + i32(-1)),
        (MULTIREAD, i32(-1) + boolean(True) + i32(-1)),
        (MULTI, i32(-1) + boolean(True) + i32(-1)),
        (SETACL, ustr("/raw-r") + acl_list(OPEN_ACL) + i32(0)),
        (DELETE, ustr("/raw-r/a") + i32(0)),
        (RECONFIG, ustr(None) + ustr(None) + ustr("server.9=127.0.0.1:1:2") + i64(-1)),
    ]:
        rep = c.call(op, body)
        print(f"  op {op}: err {rep['err']} body {rep['body'].hex()[:60]}")
    c.close_session()


@scenario
def raw_workload(port, ctl):
    """~60 mixed write txns on one session (feeds the snapshot/log fixtures)."""
    c, _ = new_session(port)
    c.call(CREATE, create_body("/wl", b"workload"))
    for i in range(30):
        rep = c.call(CREATE, create_body(f"/wl/n{i:02d}", f"value {i}".encode() * (i + 1)))
        expect(rep["err"] == 0, "create")
    for i in range(0, 30, 2):
        c.call(SETDATA, ustr(f"/wl/n{i:02d}") + buf(b"changed") + i32(-1))
    for i in range(0, 30, 3):
        c.call(DELETE, ustr(f"/wl/n{i:02d}") + i32(-1))
    c.call(CREATE, create_body("/wl/eph", None, flags=1))
    c.call(SETACL, ustr("/wl") + acl_list([(1, "world", "anyone")]) + i32(-1))
    c.call(MULTI, i32(CREATE) + boolean(False) + i32(-1) + create_body("/wl/m", b"m")
           + i32(DELETE) + boolean(False) + i32(-1) + ustr("/wl/nope") + i32(-1)
           + i32(-1) + boolean(True) + i32(-1))
    c.close_session()


@scenario
def raw_4lw(port, ctl):
    """Every four-letter word on its own connection; the proxy stores the answers.
    A session with a few watches and an ephemeral stays open meanwhile, so that
    cons/wchs/wchc/wchp/dump have something to show."""
    s, _ = new_session(port)
    s.call(CREATE, create_body("/raw-4lw", b"x"))
    s.call(CREATE, create_body("/raw-4lw/eph", b"x", flags=1))
    s.call(GETDATA, ustr("/raw-4lw") + boolean(True))
    s.call(GETCHILDREN, ustr("/raw-4lw") + boolean(True))
    s.call(EXISTS, ustr("/raw-4lw/missing") + boolean(True))
    s.call(ADDWATCH, ustr("/raw-4lw") + i32(1))
    for cmd in FOUR_LETTER_WORDS:
        c = Conn(port)
        c.send_raw(cmd.encode())
        out = b""
        while True:
            chunk = c.sock.recv(65536)
            if not chunk:
                break
            out += chunk
        c.close()
        print(f"  {cmd}: {len(out)} bytes")
        expect(len(out) > 0, f"{cmd}: empty answer")
    # stmk takes an 8-byte trace mask after the command
    c = Conn(port)
    c.send_raw(b"stmk" + i64(0x102))
    out = b""
    while True:
        chunk = c.sock.recv(65536)
        if not chunk:
            break
        out += chunk
    c.close()
    print(f"  stmk: {out!r}")
    s.close_session()


@scenario
def raw_quorum_workload(port, ctl, leader_port=None):
    """Client traffic against a follower (port) so the quorum stream carries REQUEST,
    PROPOSAL, COMMIT, SYNC and REVALIDATE packets; leader_port = the leader's client port."""
    c, resp = new_session(port)
    expect(c.call(CREATE, create_body("/q", b"quorum"))["err"] == 0, "create /q")
    expect(c.call(SETDATA, ustr("/q") + buf(b"quorum1") + i32(-1))["err"] == 0, "setData /q")
    expect(c.call(CREATE, create_body("/q/eph", None, flags=1))["err"] == 0, "create ephemeral")
    expect(c.call(SYNC, ustr("/q"))["err"] == 0, "sync")
    expect(c.call(GETDATA, ustr("/q") + boolean(True))["err"] == 0, "getData")
    expect(c.call(CREATE, create_body("/q", b"again"))["err"] == -110, "NODEEXISTS write (error txn)")
    rep = c.call(MULTI, i32(CREATE) + boolean(False) + i32(-1) + create_body("/q/m", b"m")
                 + i32(SETDATA) + boolean(False) + i32(-1) + ustr("/q") + buf(b"quorum2") + i32(-1)
                 + i32(-1) + boolean(True) + i32(-1))
    expect(rep["err"] == 0, "multi")
    expect(c.call(DELETE, ustr("/q/m") + i32(-1))["err"] == 0, "delete")
    if leader_port:
        # a session made on the leader, then resumed on the follower -> REVALIDATE
        l, lresp = new_session(leader_port)
        expect(l.call(CREATE, create_body("/q/leader-eph", b"l", flags=1))["err"] == 0, "create on leader")
        f = Conn(port)
        fresp = f.connect(session_id=lresp["session"], passwd=lresp["passwd"], last_zxid=0)
        expect(fresp["timeout"] > 0 and fresp["session"] == lresp["session"], f"revalidate: {fresp}")
        l.close()     # (the leader only notices the move at this connection's next request)
        expect(f.call(EXISTS, ustr("/q/leader-eph") + boolean(False))["err"] == 0, "exists via follower")
        f.close_session()
    c.close_session()


DEFAULT = [n for n in SCENARIOS if n not in SEPARATE_RUN]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--control-port", type=int, default=0, help="0 = no proxy control")
    ap.add_argument("--leader-port", type=int, default=0, help="raw-quorum-workload: leader client port")
    ap.add_argument("scenarios", nargs="*")
    args = ap.parse_args()
    names = args.scenarios or DEFAULT
    ctl = Control(args.control_port) if args.control_port else NoControl()
    failed = 0
    for name in names:
        fn = SCENARIOS[name]
        print(f"== {name}", flush=True)
        ctl.ok(f"scenario {name}")
        try:
            if name == "raw-quorum-workload":
                fn(args.port, ctl, args.leader_port)
            else:
                fn(args.port, ctl)
        except (Fail, OSError, struct.error) as e:
            failed += 1
            print(f"!! {name} failed: {e!r}", flush=True)
            ctl.cmd("drop")
        r = ctl.cmd("settle 30")
        if r != "ok":
            failed += 1
            print(f"!! {name}: connections still open: {r}", flush=True)
            ctl.cmd("drop")
    ctl.ok("scenario idle-raw")
    print("all raw scenarios done" if not failed else f"{failed} raw scenario(s) failed", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
