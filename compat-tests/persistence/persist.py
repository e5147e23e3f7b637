#!/usr/bin/env python3
"""Persistence interop and crash-safety tests: rzk and Java ZooKeeper 3.8 read each other's data
directories, rzk survives kill -9 under load, and handles torn or corrupt log tails.

    persist.py --rzk PATH --work DIR [--only NAME ...] [--crash-rounds N]

Roles used internally (child processes the driver can kill -9):
    persist.py holder --port P --timeout-ms T --paths /a,/b      session owning ephemerals
    persist.py crash-writer --port P --id K --round R --out FILE  sequential writes, ack log

Every server and client runs on 127.0.0.1 with ports picked at run time; every process started is
recorded in WORK/pids and stopped by PID. All waits poll a condition under a deadline.
"""

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback
from collections import namedtuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import zkfiles  # noqa: E402

ZK_CP = "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar"
USER, PASSWORD = "alice", "secret"


def log(msg):
    print(f"[persist {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


# ---------------------------------------------------------------- processes and waiting

def free_port():
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def wait_for(fn, seconds, what, interval=0.05):
    deadline = time.monotonic() + seconds
    last = None
    while True:
        try:
            v = fn()
            if v:
                return v
        except Exception as e:  # noqa: BLE001 - polled condition
            last = e
        if time.monotonic() >= deadline:
            raise Failure(f"timed out after {seconds}s waiting for {what} (last error: {last!r})")
        time.sleep(interval)


def four_letter(port, cmd, timeout=2.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(cmd.encode())
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out.decode(errors="replace")
            out += chunk


def srvr_zxid(port):
    m = re.search(r"Zxid: 0x([0-9a-f]+)", four_letter(port, "srvr"))
    if not m:
        raise Failure(f"no Zxid in srvr output on port {port}")
    return int(m.group(1), 16)


class Procs:
    def __init__(self, work):
        self.pidfile = os.path.join(work, "pids")
        self.live = {}

    def start(self, name, argv, logpath, **kw):
        f = open(logpath, "ab")
        p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **kw)
        f.close()
        p.name = name
        p.logpath = logpath
        self.live[p.pid] = p
        with open(self.pidfile, "a") as pf:
            pf.write(f"{p.pid}\n")
        return p

    def wait_exit(self, p, seconds):
        try:
            rc = p.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return None
        self.live.pop(p.pid, None)
        return rc

    def stop(self, p, seconds=20):
        """SIGTERM, wait, SIGKILL if it does not go; returns the exit code."""
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            if self.wait_exit(p, seconds) is None:
                log(f"{p.name} (pid {p.pid}) ignored SIGTERM; killing")
                p.kill()
        rc = p.wait()
        self.live.pop(p.pid, None)
        return rc

    def kill9(self, p):
        if p.poll() is None:
            p.kill()
        rc = p.wait()
        self.live.pop(p.pid, None)
        return rc

    def cleanup(self):
        for p in list(self.live.values()):
            try:
                self.stop(p, 10)
            except Exception:  # noqa: BLE001
                pass


class Env:
    def __init__(self, args):
        self.rzk = args.rzk
        self.work = args.work
        self.procs = Procs(args.work)
        self.seq = 0

    def newdir(self, name):
        self.seq += 1
        d = os.path.join(self.work, f"{self.seq:02d}-{name}")
        os.makedirs(d)
        return d

    def write_cfg(self, d, data_dir, port, extra=()):
        cfg = os.path.join(d, f"zoo-{port}.cfg")
        lines = [
            "tickTime=1000", "initLimit=10", "syncLimit=5", f"dataDir={data_dir}", f"clientPort={port}",
            "clientPortAddress=127.0.0.1", "maxClientCnxns=0", "admin.enableServer=false",
            "4lw.commands.whitelist=*", "maxSessionTimeout=120000",
        ]
        if data_dir in LOG_DIRS:
            lines.append(f"dataLogDir={LOG_DIRS[data_dir]}")
        lines += list(extra)
        with open(cfg, "w") as f:
            f.write("\n".join(lines) + "\n")
        return cfg


class Server:
    def __init__(self, kind, proc, port, logpath, data_dir):
        self.kind, self.proc, self.port, self.logpath, self.data_dir = kind, proc, port, logpath, data_dir

    @property
    def hosts(self):
        return f"127.0.0.1:{self.port}"

    def log_text(self):
        with open(self.logpath, "rb") as f:
            return f.read().decode(errors="replace")


def wait_ready(env, srv, seconds=60):
    def ready():
        if srv.proc.poll() is not None:
            raise Failure(f"{srv.kind} exited with {srv.proc.returncode} while starting; log tail:\n"
                          + tail(srv.logpath))
        try:
            return "Mode: standalone" in four_letter(srv.port, "srvr")
        except OSError:
            return False
    try:
        wait_for(ready, seconds, f"{srv.kind} on port {srv.port} to serve")
    except Failure as e:
        if "exited with" in str(e):
            raise
        raise Failure(f"{e}; log tail:\n{tail(srv.logpath)}") from None
    return srv


def tail(path, n=25):
    try:
        with open(path, "rb") as f:
            lines = f.read().decode(errors="replace").splitlines()
        return "\n".join(lines[-n:])
    except OSError:
        return "(no log)"


def start_java(env, d, data_dir, name, props=(), cfg_extra=()):
    port = free_port()
    cfg = env.write_cfg(d, data_dir, port, cfg_extra)
    logpath = os.path.join(d, f"{name}.log")
    argv = ["java", "-Xmx256m", "-XX:+UseSerialGC", "-Dzookeeper.admin.enableServer=false",
            "-Djava.net.preferIPv4Stack=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
            "-Dorg.slf4j.simpleLogger.showDateTime=true"]
    argv += [f"-D{p}" for p in props]
    argv += ["-cp", ZK_CP, "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg]
    p = env.procs.start(name, argv, logpath, cwd=d)
    return wait_ready(env, Server("java", p, port, logpath, data_dir))


def start_rzk(env, d, data_dir, name, props=(), cfg_extra=(), wait=True):
    port = free_port()
    cfg = env.write_cfg(d, data_dir, port, cfg_extra)
    logpath = os.path.join(d, f"{name}.log")
    argv = [env.rzk, "server", cfg]
    for p in props:
        argv += ["-D", p]
    p = env.procs.start(name, argv, logpath, cwd=d, env=dict(os.environ, RZK_LOG="info", NO_COLOR="1"))
    srv = Server("rzk", p, port, logpath, data_dir)
    return wait_ready(env, srv) if wait else srv


def java_tool(env, d, name, cls, *args, seconds=60):
    logpath = os.path.join(d, f"{name}.log")
    p = env.procs.start(name, ["java", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                               "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", ZK_CP, cls, *args],
                        logpath, cwd=d)
    rc = env.procs.wait_exit(p, seconds)
    if rc is None:
        env.procs.kill9(p)
        raise Failure(f"{cls} on {args} did not finish in {seconds}s")
    with open(logpath, "rb") as f:
        return rc, f.read().decode(errors="replace")


# ---------------------------------------------------------------- kazoo helpers

def client(hosts, timeout=30.0, auth=True):
    from kazoo.client import KazooClient
    from kazoo.retry import KazooRetry
    c = KazooClient(hosts=hosts, timeout=timeout, connection_retry=KazooRetry(max_tries=3, delay=0.1),
                    command_retry=None)
    c.start(timeout=15)
    if auth:
        c.add_auth("digest", f"{USER}:{PASSWORD}")
    return c


def stop_client(c):
    try:
        c.stop()
        c.close()
    except Exception:  # noqa: BLE001
        pass


def _acl_bytes(acl):
    import struct
    b = bytearray(struct.pack(">i", len(acl)))
    for a in acl:
        b += struct.pack(">i", a.perms)
        for s in (a.id.scheme, a.id.id):
            e = s.encode()
            b += struct.pack(">i", len(e)) + e
    return b


def _extended_requests():
    import struct
    from kazoo.protocol.serialization import Create2, write_buffer, write_string

    class CreateContainer(namedtuple("CreateContainer", "path data acl flags")):
        type = 19

        def serialize(self):
            return (write_string(self.path) + write_buffer(self.data) + _acl_bytes(self.acl)
                    + struct.pack(">i", self.flags))

        deserialize = Create2.deserialize

    class CreateTTL(namedtuple("CreateTTL", "path data acl flags ttl")):
        type = 21

        def serialize(self):
            return (write_string(self.path) + write_buffer(self.data) + _acl_bytes(self.acl)
                    + struct.pack(">iq", self.flags, self.ttl))

        deserialize = Create2.deserialize

    return CreateContainer, CreateTTL


def create_container(c, path, data=b""):
    from kazoo.security import OPEN_ACL_UNSAFE
    CreateContainer, _ = _extended_requests()
    a = c.handler.async_result()
    c._call(CreateContainer(path, data, OPEN_ACL_UNSAFE, 4), a)
    return a.get(timeout=15)


def create_ttl(c, path, ttl_ms, data=b"", sequential=False):
    from kazoo.security import OPEN_ACL_UNSAFE
    _, CreateTTL = _extended_requests()
    a = c.handler.async_result()
    c._call(CreateTTL(path, data, OPEN_ACL_UNSAFE, 6 if sequential else 5, ttl_ms), a)
    return a.get(timeout=15)


STAT_FIELDS = ["czxid", "mzxid", "ctime", "mtime", "version", "cversion", "aversion", "ephemeralOwner",
               "dataLength", "numChildren", "pzxid"]


def walk(hosts):
    """Every node: data, ACL list and every Stat field, via a fresh authenticated session."""
    c = client(hosts)
    try:
        out = {}
        todo = ["/"]
        while todo:
            p = todo.pop()
            data, st = c.get(p)
            acls, st2 = c.get_acls(p)
            kids = c.get_children(p)
            out[p] = {
                "data": None if data is None else data.hex(),
                "acl": sorted([a.perms, a.id.scheme, a.id.id] for a in acls),
                "stat": {f: getattr(st, f) for f in STAT_FIELDS},
                "children": sorted(kids),
            }
            check(st == st2, f"{p}: getData and getACL stats differ")
            for k in kids:
                todo.append(("/" if p == "/" else p + "/") + k)
        return out
    finally:
        stop_client(c)


def diff_walks(a, b, an="a", bn="b", limit=12):
    diffs = []
    for p in sorted(set(a) | set(b)):
        if p not in a:
            diffs.append(f"{p}: only in {bn}")
        elif p not in b:
            diffs.append(f"{p}: only in {an}")
        elif a[p] != b[p]:
            for k in a[p]:
                if a[p][k] != b[p][k]:
                    if k == "stat":
                        for f in STAT_FIELDS:
                            if a[p][k][f] != b[p][k][f]:
                                diffs.append(f"{p}: {f} {an}={a[p][k][f]} {bn}={b[p][k][f]}")
                    else:
                        diffs.append(f"{p}: {k} {an}={a[p][k]} {bn}={b[p][k]}")
    if len(diffs) > limit:
        diffs = diffs[:limit] + [f"... {len(diffs) - limit} more"]
    return diffs


def assert_same_walk(a, b, an, bn):
    d = diff_walks(a, b, an, bn)
    check(not d, f"trees differ ({len(a)} vs {len(b)} nodes):\n  " + "\n  ".join(d))


# ---------------------------------------------------------------- the workload

def start_holder(env, d, srv, name, timeout_ms, paths):
    """A client process owning ephemerals; prints READY <session id> once they exist."""
    logpath = os.path.join(d, f"{name}.log")
    p = env.procs.start(name, [sys.executable, "-u", os.path.abspath(__file__), "holder", "--port",
                               str(srv.port), "--timeout-ms", str(timeout_ms), "--paths", ",".join(paths)],
                        logpath)

    def ready():
        if p.poll() is not None:
            raise Failure(f"holder {name} exited: {tail(logpath)}")
        with open(logpath) as f:
            m = re.search(r"READY ([0-9a-f]+)", f.read())
        return m and int(m.group(1), 16)
    sid = wait_for(ready, 30, f"holder {name}")
    return p, sid


def run_holder(args):
    c = client(f"127.0.0.1:{args.port}", timeout=args.timeout_ms / 1000.0)
    for p in args.paths.split(","):
        c.create(p, b"held by " + p.encode(), ephemeral=True, sequence=p.endswith("-"))
    print(f"READY {c.client_id[0]:x}", flush=True)
    while True:
        time.sleep(3600)


def workload(env, d, srv, reaper):
    """Produces every txn type. `reaper`: the server deletes empty containers and expired TTL nodes
    (Java with a short znode.container.checkIntervalMs), so wait for those deleteContainer txns."""
    from kazoo.exceptions import BadVersionError, NodeExistsError, NoNodeError, RolledBackError
    from kazoo.security import ACL, CREATOR_ALL_ACL, Id, OPEN_ACL_UNSAFE, Permissions, make_digest_acl

    c = client(srv.hosts, timeout=30)
    n_bulk = [0]

    def bulk(k=7):
        # plain txns between the steps so that snapshots (snapCount=20) land all over the workload
        for _ in range(k):
            i = n_bulk[0]
            n_bulk[0] += 1
            if i % 2 == 0:
                c.create(f"/bulk/n{i:04d}", f"bulk {i}".encode() * (1 + i % 5))
            else:
                c.set("/bulk", f"round {i}".encode())

    c.create("/bulk", b"")
    # creates of every mode
    c.create("/app", b"application root")
    c.create("/app/empty", b"")
    c.create("/app/null", None)
    c.create("/app/big", bytes(range(256)) * 40)
    for i in range(5):
        c.create(f"/app/p{i}", f"value {i}".encode())
    bulk()
    c.create("/app/seq-", b"s", sequence=True)
    c.create("/app/seq-", b"s", sequence=True)
    c.create("/app/create2", b"c2", include_data=True)          # create2
    c.create("/app/eph-main", b"e", ephemeral=True)              # goes with main's closeSession
    c.create("/app/ephseq-", b"es", ephemeral=True, sequence=True)
    create_container(c, "/app/cont", b"container")
    c.create("/app/cont/child", b"kid")
    create_container(c, "/app/cont2")
    c.create("/app/cont2/child")
    create_ttl(c, "/app/ttl", 3_600_000, b"ttl node")
    create_ttl(c, "/app/ttlseq-", 3_600_000, b"ttl seq", sequential=True)
    if reaper:
        create_ttl(c, "/app/ttl-short", 1, b"expires")
    bulk()
    # setData, versions
    for i in range(4):
        c.set("/app/p0", f"p0 v{i + 1}".encode())
    c.set("/app/p1", b"p1 v1", version=0)
    c.set("/app/null", None)
    # ACLs (digest after add_auth)
    digest = make_digest_acl(USER, PASSWORD, all=True)
    c.create("/secure", b"secret data", acl=[digest])
    c.create("/secure/auth", b"auth scheme", acl=CREATOR_ALL_ACL)   # auth scheme, null id on the wire
    c.set_acls("/app/p1", [digest, ACL(Permissions.READ, Id("world", "anyone"))])
    c.set_acls("/app/p2", [digest])
    c.set_acls("/app/p2", [make_digest_acl(USER, PASSWORD, read=True, write=True, admin=True)])
    c.set_acls("/app/p3", OPEN_ACL_UNSAFE)
    bulk()
    # a quota (its stats node is maintained by the server)
    c.create("/zookeeper/quota/app", b"", makepath=True)
    c.create("/zookeeper/quota/app/zookeeper_limits", b"count=1000,bytes=100000")
    c.create("/zookeeper/quota/app/zookeeper_stats", b"count=0,bytes=0")
    c.create("/app/quota-child", b"counted")
    # multi: successful, then a failed one (error sub-txns)
    c.create("/multi", b"")
    t = c.transaction()
    t.create("/multi/a", b"ma")
    t.create("/multi/b", b"mb")
    t.set_data("/app/p0", b"from multi")
    t.delete("/app/p3")
    t.check("/app/p4", 0)
    res = t.commit()
    check(res[:2] == ["/multi/a", "/multi/b"], f"multi results {res}")
    t = c.transaction()
    t.create("/multi/c", b"never")
    t.check("/app/p4", 99)
    t.set_data("/app/p0", b"never")
    res = t.commit()
    check(isinstance(res[1], BadVersionError) and isinstance(res[0], RolledBackError),
          f"failed multi results {res}")
    check(c.exists("/multi/c") is None, "failed multi left /multi/c")
    bulk()
    # failed single writes (error txns)
    for fn in (lambda: c.create("/app", b"x"), lambda: c.delete("/app/nothing"),
               lambda: c.set("/app/p1", b"x", version=42)):
        try:
            fn()
            raise Failure("a write that must fail succeeded")
        except (NodeExistsError, NoNodeError, BadVersionError):
            pass
    # deletes
    c.delete("/app/p4")
    c.create("/tree/a/b/c", b"deep", makepath=True)
    c.create("/tree/a/b/d", b"deep")
    c.delete("/tree/a", recursive=True)
    c.delete("/app/cont2/child")            # empty container: the reaper deletes it
    bulk()
    # sessions opened and closed (closeSession deletes their ephemerals)
    for i in range(3):
        s = client(srv.hosts, timeout=10)
        s.create(f"/app/short-{i}", b"short lived", ephemeral=True)
        s.create("/app/short-seq-", b"", ephemeral=True, sequence=True)
        stop_client(s)
    check(not any(k.startswith("short") for k in c.get_children("/app")), "closed sessions' ephemerals")
    # a session left to expire (kill -9 the client; 2 s timeout)
    hp, _ = start_holder(env, d, srv, "expiring", 2000, ["/app/exp-1", "/app/exp-2", "/app/exp-seq-"])
    env.procs.kill9(hp)
    bulk()
    wait_for(lambda: not any(k.startswith("exp") for k in c.get_children("/app")), 30,
             "the expired session's ephemerals to go")
    if reaper:
        wait_for(lambda: c.exists("/app/cont2") is None and c.exists("/app/ttl-short") is None, 30,
                 "the container/TTL reaper (deleteContainer txns)")
    bulk()
    # sessions still alive when the server stops (their ephemerals survive the restart)
    holder, _ = start_holder(env, d, srv, "alive", 90000, ["/app/alive-1", "/app/alive-seq-", "/bulk/alive"])
    c.set("/app/p0", b"last write")
    stop_client(c)      # closes main's session: /app/eph-main and /app/ephseq-* go
    env.procs.kill9(holder)     # the session stays alive on the server (90 s)
    return n_bulk[0]


# ---------------------------------------------------------------- checks on logs and files

DIGEST_RE = re.compile(r"digest mismatch|digests are not matching", re.I)


def check_clean_log(text, who):
    bad = [l for l in text.splitlines() if DIGEST_RE.search(l) or re.search(r"CRC", l)
           or re.search(r"problem reading snap", l, re.I)]
    check(not bad, f"{who} log mentions digest/CRC problems:\n  " + "\n  ".join(bad[:8]))


LOG_DIRS = {}   # dataDir -> dataLogDir, for the scenarios that keep logs apart


def logs_of(data_dir):
    return zkfiles.list_files(version2(LOG_DIRS.get(data_dir, data_dir)), "log")


def version2(data_dir):
    return os.path.join(data_dir, "version-2")


def count_txns(data_dir):
    n = 0
    for _, p in logs_of(data_dir):
        recs, how = zkfiles.read_log(p)
        check(how == "clean", f"{p}: {how}")
        n += len(recs)
    return n


def check_txn_types(data_dir, who):
    types = set()
    for _, p in logs_of(data_dir):
        recs, _ = zkfiles.read_log(p)
        types |= {r.type_name for r in recs}
    want = {"createSession", "closeSession", "error", "create", "create2", "delete", "setData", "setACL", "multi",
            "createContainer", "deleteContainer", "createTTL"}
    check(want <= types, f"{who}'s log lacks txn types {sorted(want - types)}")


def toolkit_checks(env, d, data_dir, all_files=True):
    """Debian's TxnLogToolkit and SnapshotFormatter must read rzk's files without checksum errors; our own
    reader must verify every snapshot seal."""
    v2 = version2(data_dir)
    logs = logs_of(data_dir)
    snaps = zkfiles.list_files(v2, "snapshot")
    check(logs and snaps, f"{v2}: no logs or snapshots")
    for _, p in snaps:
        try:
            zkfiles.verify_snapshot(p)
        except Exception as e:  # noqa: BLE001
            raise Failure(f"{p}: {e}") from None
    if not all_files:
        logs, snaps = logs[-1:], snaps[-2:]
    for z, p in logs:
        recs, how = zkfiles.read_log(p)
        check(how == "clean", f"{p}: {how}")
        rc, out = java_tool(env, d, f"txnlogtoolkit-{z:x}", "org.apache.zookeeper.server.persistence.TxnLogToolkit", p)
        check(rc == 0, f"TxnLogToolkit {p}: exit {rc}\n{out[-2000:]}")
        check("CRC ERROR" not in out and "Exception" not in out, f"TxnLogToolkit {p}:\n{out[-2000:]}")
        check(f"EOF reached after {len(recs)} txns." in out,
              f"TxnLogToolkit {p}: expected {len(recs)} txns:\n{out[-800:]}")
    for z, p in snaps:
        rc, out = java_tool(env, d, f"snapformatter-{z:x}", "org.apache.zookeeper.server.SnapshotFormatter", p)
        check(rc == 0 and "Exception" not in out and "Last zxid" in out,
              f"SnapshotFormatter {p}: exit {rc}\n{out[-2000:]}")
    return len(logs), len(snaps)


# ---------------------------------------------------------------- scenarios

def java_to_rzk(env, compression="", log_dir=False):
    tag = compression or "plain"
    d = env.newdir(f"java-to-rzk-{tag}")
    data = os.path.join(d, "data")
    if log_dir:
        LOG_DIRS[data] = os.path.join(d, "txnlog")
    props = ["zookeeper.extendedTypesEnabled=true", "znode.container.checkIntervalMs=500"]
    rprops = ["zookeeper.extendedTypesEnabled=true", "znode.container.checkIntervalMs=600000"]
    if compression:
        props.append(f"zookeeper.snapshot.compression.method={compression}")
    java = start_java(env, d, data, "java", props, ["snapCount=20"])
    n = workload(env, d, java, reaper=True)
    before = walk(java.hosts)
    zxid = srvr_zxid(java.port)
    env.procs.stop(java.proc)
    check_clean_log(java.log_text(), "Java")
    if not compression and data not in LOG_DIRS:
        env.java_dir = copy_data(data, os.path.join(env.work, "java-datadir"))   # for fuzzy-replay
    snaps = zkfiles.list_files(version2(data), "snapshot")
    logs = logs_of(data)
    check(len(snaps) >= 4 and len(logs) >= 4, f"expected several snapshots and logs, got {len(snaps)}/{len(logs)}")
    check(data not in LOG_DIRS or not zkfiles.list_files(version2(data), "log"), "logs written to dataDir, not dataLogDir")
    suffix = {"": "", "gz": ".gz", "snappy": ".snappy"}[compression]
    check(all(p.endswith(str(f"{z:x}") + suffix) for z, p in snaps[1:]), f"snapshot names {snaps}")
    check_txn_types(data, "Java")
    rzk = start_rzk(env, d, data, "rzk", rprops)
    rz = srvr_zxid(rzk.port)
    check(rz == zxid, f"rzk resumed at zxid {rz:#x}, Java stopped at {zxid:#x}")
    after = walk(rzk.hosts)
    env.procs.stop(rzk.proc)
    check(f"Reading snapshot {snaps[-1][1]}" in rzk.log_text(), f"rzk did not load Java's newest snapshot {snaps[-1][1]}")
    assert_same_walk(before, after, "java", "rzk")
    check_clean_log(rzk.log_text(), "rzk")
    check(any("/app/alive-1" == p for p in after), "live session's ephemeral missing")
    return f"{len(after)} nodes, {len(snaps)} snapshots, {len(logs)} logs, {n} bulk txns, zxid {zxid:#x}"


def rzk_to_java(env, compression="", tools=True, log_dir=False):
    tag = compression or "plain"
    d = env.newdir(f"rzk-to-java-{tag}")
    data = os.path.join(d, "data")
    if log_dir:
        LOG_DIRS[data] = os.path.join(d, "txnlog")
    props = ["zookeeper.extendedTypesEnabled=true", "znode.container.checkIntervalMs=500"]
    jprops = ["zookeeper.extendedTypesEnabled=true", "znode.container.checkIntervalMs=600000"]
    if compression:
        props.append(f"zookeeper.snapshot.compression.method={compression}")
    rzk = start_rzk(env, d, data, "rzk", props, ["snapCount=20"])
    workload(env, d, rzk, reaper=True)
    before = walk(rzk.hosts)
    zxid = srvr_zxid(rzk.port)
    rc = env.procs.stop(rzk.proc)
    check(rc == 0, f"rzk exited with {rc} on SIGTERM")
    check_clean_log(rzk.log_text(), "rzk")
    v2 = version2(data)
    snaps = zkfiles.list_files(v2, "snapshot")
    logs = logs_of(data)
    check(len(snaps) >= 4 and len(logs) >= 4, f"expected several snapshots and logs, got {len(snaps)}/{len(logs)}")
    check(data not in LOG_DIRS or not zkfiles.list_files(version2(data), "log"), "logs written to dataDir, not dataLogDir")
    suffix = {"": "", "gz": ".gz", "snappy": ".snappy"}[compression]
    check(all(p.endswith(suffix) for _, p in snaps), f"snapshot names {snaps}")
    ntx = count_txns(data)
    check_txn_types(data, "rzk")
    nl, ns = toolkit_checks(env, d, data, all_files=tools)
    newest = snaps[-1][1]
    java = start_java(env, d, data, "java", jprops)
    jz = srvr_zxid(java.port)
    check(jz == zxid, f"Java resumed at zxid {jz:#x}, rzk stopped at {zxid:#x}")
    after = walk(java.hosts)
    mntr = four_letter(java.port, "mntr")
    env.procs.stop(java.proc)
    text = java.log_text()
    check_clean_log(text, "Java")
    check(f"Reading snapshot {newest}" in text, f"Java did not load rzk's newest snapshot {newest}")
    m = re.search(r"zk_digest_mismatches_count\s+(\d+)", mntr)
    check(m and m.group(1) == "0", f"Java's digest mismatch count: {m and m.group(1)}")
    assert_same_walk(before, after, "rzk", "java")
    check(any("/app/alive-1" == p for p in after), "live session's ephemeral missing")
    return f"{len(after)} nodes, {len(snaps)} snapshots, {len(logs)} logs ({ntx} txns); toolkits read {nl} logs, {ns} snapshots"


# ---- crash safety

OP_TIMEOUT = 5   # kazoo keeps requests it had not sent across reconnects: never wait on them for long


def run_crash_writer(args):
    from kazoo.client import KazooClient
    c = KazooClient(hosts=f"127.0.0.1:{args.port}", timeout=10)
    c.start(timeout=15)
    out = open(args.out + ".tmp", "a", buffering=1)
    os.rename(args.out + ".tmp", args.out)
    k, r = args.id, args.round
    out.write("started\n")
    i = 0
    try:
        while True:
            i += 1
            kind = ("set", "create", "multi")[i % 3]
            val = f"r{r}-i{i}"
            out.write(f"try {kind} {val}\n")
            if kind == "set":
                st = c.set_async(f"/crash/w{k}", val.encode()).get(timeout=OP_TIMEOUT)
                z = st.mzxid
            elif kind == "create":
                _, st = c.create_async(f"/crash/c/w{k}-{val}", val.encode(), include_data=True).get(
                    timeout=OP_TIMEOUT)
                z = st.czxid
            else:
                t = c.transaction()
                t.create(f"/crash/m/w{k}-{val}-a", b"a")
                t.set_data(f"/crash/mc{k}", val.encode())
                t.create(f"/crash/m/w{k}-{val}-b", b"b")
                res = t.commit_async().get(timeout=OP_TIMEOUT)
                if any(isinstance(x, Exception) for x in res):
                    raise RuntimeError(f"multi failed: {res}")
                z = 0
            out.write(f"ack {kind} {val} {z}\n")
    except Exception as e:  # noqa: BLE001 - the server was killed
        out.write(f"err {type(e).__name__}\n")
    out.close()
    os._exit(0)


def parse_writer(path):
    acks, tries = [], []
    with open(path) as f:
        for line in f:
            p = line.split()
            if p and p[0] == "ack":
                acks.append((p[1], p[2], int(p[3])))
            elif p and p[0] == "try":
                tries.append((p[1], p[2]))
    inflight = tries[-1] if tries and (not acks or tries[-1][1] != acks[-1][1]) else None
    return acks, inflight


def crash_safety(env, rounds, seed, kinds=("rzk",)):
    """kill -9 under load, `rounds` times; round r runs on kinds[r % len(kinds)] (rzk, or alternating
    Java and rzk: each must recover what the other acknowledged before it was killed)."""
    rnd = random.Random(seed)
    d = env.newdir("crash-" + "-".join(kinds))

    def start(r, name):
        kind = kinds[r % len(kinds)]
        fn = start_rzk if kind == "rzk" else start_java
        return fn(env, d, data, f"{kind}-{name}", props, cfg)
    data = os.path.join(d, "data")
    props = ["zookeeper.extendedTypesEnabled=true"]
    cfg = ["snapCount=60", "preAllocSize=16"]     # frequent snapshots, log rolls and preallocation growth
    writers = 3
    all_creates = set()
    max_acked = 0
    last_values = {}
    history = []
    srv = start(0, "r00")
    c = client(srv.hosts, auth=False)
    for k in range(writers):
        c.create(f"/crash/w{k}", b"init", makepath=True)
        c.create(f"/crash/mc{k}", b"init")
    c.create("/crash/c")
    c.create("/crash/m")
    stop_client(c)
    prev = None   # (per-writer results) of the previous round
    for r in range(1, rounds + 1):
        # --- load, then kill -9 at a random point
        outs = [os.path.join(d, f"w{k}-r{r:02d}.acks") for k in range(writers)]
        ws = [env.procs.start(f"writer{k}", [sys.executable, "-u", os.path.abspath(__file__), "crash-writer",
                                              "--port", str(srv.port), "--id", str(k), "--round", str(r),
                                              "--out", outs[k]], os.path.join(d, f"w{k}-r{r:02d}.log"))
              for k in range(writers)]
        target = rnd.randint(5, 120)

        def acked():
            for w in ws:
                if w.poll() is not None:
                    raise Failure(f"writer exited early: {tail(w.logpath)}")
            if not all(os.path.exists(o) for o in outs):
                return False     # every writer connected (kill -9 during a connect only costs time)
            return sum(len(parse_writer(o)[0]) for o in outs) >= target
        wait_for(acked, 60, f"{target} acknowledged writes in round {r}")
        if r == 1:
            # a session that is alive at the crash (its client gone too): restored with its ephemeral, then
            # expires after the restart, and stays expired
            hp, held_sid = start_holder(env, d, srv, "held", 6000, ["/crash/held"])
            env.procs.kill9(hp)
        env.procs.kill9(srv.proc)
        for w in ws:
            if env.procs.wait_exit(w, 30) is None:
                env.procs.kill9(w)
                raise Failure(f"writer {w.pid} did not notice the server dying")
        results = [parse_writer(o) for o in outs]
        # --- restart and verify
        srv = start(r, f"r{r:02d}")
        z0 = srvr_zxid(srv.port)
        round_max = max([z for acks, _ in results for *_, z in acks] + [0])
        check(z0 >= round_max, f"round {r}: restarted at zxid {z0:#x} < acknowledged {round_max:#x}")
        check(z0 >= max_acked, f"round {r}: zxid went back to {z0:#x} (had {max_acked:#x})")
        c = client(srv.hosts, auth=False)
        try:
            if r == 1:
                st = c.exists("/crash/held")
                check(st and st.ephemeralOwner == held_sid, f"round 1: the live session's ephemeral: {st}")
            creates = set(c.get_children("/crash/c"))
            multis = set(c.get_children("/crash/m"))
            for k, (acks, inflight) in enumerate(results):
                if prev is not None:
                    check(all(z > prev for *_, z in acks if z),
                          f"round {r}: writer {k}'s zxids do not continue after {prev:#x}")
                sets = [v for kind, v, _ in acks if kind == "set"]
                allowed = {sets[-1] if sets else last_values.get(("set", k), "init")}
                if inflight and inflight[0] == "set":
                    allowed.add(inflight[1])
                v, st = c.get(f"/crash/w{k}")
                check(v.decode() in allowed, f"round {r}: /crash/w{k} = {v!r}, expected one of {allowed}")
                if sets and v.decode() == sets[-1]:
                    set_z = [z for kind, vv, z in acks if kind == "set"][-1]
                    check(st.mzxid == set_z, f"round {r}: /crash/w{k} mzxid {st.mzxid:#x} != acked {set_z:#x}")
                last_values[("set", k)] = v.decode()
                for kind, val, z in acks:
                    if kind == "create":
                        name = f"w{k}-{val}"
                        check(name in creates, f"round {r}: acknowledged create /crash/c/{name} lost")
                        all_creates.add(name)
                        if z:
                            _, st = c.get(f"/crash/c/{name}")
                            check(st.czxid == z, f"round {r}: /crash/c/{name} czxid {st.czxid:#x} != {z:#x}")
                    elif kind == "multi":
                        name = f"w{k}-{val}"
                        check(f"{name}-a" in multis and f"{name}-b" in multis,
                              f"round {r}: acknowledged multi {name} lost")
                mvals = [v for kind, v, _ in acks if kind == "multi"]
                mc, _ = c.get(f"/crash/mc{k}")
                allowed = {mvals[-1] if mvals else last_values.get(("multi", k), "init")}
                if inflight and inflight[0] == "multi":
                    allowed.add(inflight[1])
                check(mc.decode() in allowed, f"round {r}: /crash/mc{k} = {mc!r}, expected one of {allowed}")
                last_values[("multi", k)] = mc.decode()
                if inflight and inflight[0] == "multi" and mc.decode() == inflight[1]:
                    check(f"w{k}-{inflight[1]}-a" in multis, f"round {r}: in-flight multi half applied")
            missing = all_creates - creates
            check(not missing, f"round {r}: earlier acknowledged creates lost: {sorted(missing)[:5]}")
            stems = {}
            for m in multis:
                stems.setdefault(m[:-2], set()).add(m[-1])
            half = [s for s, v in stems.items() if v != {"a", "b"}]
            check(not half, f"round {r}: half-applied multis {half[:5]}")
            for k in range(writers):
                mc, _ = c.get(f"/crash/mc{k}")
                if mc != b"init":
                    check(f"w{k}-{mc.decode()}" in stems, f"round {r}: /crash/mc{k}={mc!r} without its creates")
        finally:
            stop_client(c)
        max_acked = max(max_acked, round_max, z0)
        prev = z0
        n_acks = sum(len(a) for a, _ in results)
        history.append(n_acks)
        m = re.search(r"Snapshot loaded: zxid 0x([0-9a-f]+), (\d+) txns replayed", srv.log_text())
        log(f"round {r}: killed after {n_acks} acks (in flight: "
            f"{', '.join(f'{x[0]} {x[1]}' for _, x in results if x) or 'none'}); restarted at zxid {z0:#x}"
            + (f", {m.group(2)} txns replayed" if m else ""))
        check_clean_log(srv.log_text(), f"round {r}: {srv.kind}")
    env.procs.stop(srv.proc)
    # The data dir after all the crashes must still be readable by Java with the same content.
    srv = start_rzk(env, d, data, "rzk-final", props, cfg)
    c = client(srv.hosts, auth=False)
    try:
        wait_for(lambda: c.exists("/crash/held") is None, 60, "the restored session to expire")
    finally:
        stop_client(c)
    env.procs.stop(srv.proc)
    srv = start_rzk(env, d, data, "rzk-final-2", props, cfg)
    mine = walk(srv.hosts)
    check("/crash/held" not in mine, "an expired session's ephemeral came back")
    env.procs.stop(srv.proc)
    java = start_java(env, d, data, "java-final", ["zookeeper.extendedTypesEnabled=true"])
    theirs = walk(java.hosts)
    env.procs.stop(java.proc)
    check_clean_log(java.log_text(), "Java")
    assert_same_walk(mine, theirs, "rzk", "java")
    return (f"{rounds} kill -9 rounds on {'/'.join(kinds)} (seed {seed}), {sum(history)} acknowledged writes, all present; "
            f"zxid {max_acked:#x}; Java reads the result")


# ---- replay over a snapshot that already holds later txns

def fuzzy_replay(env):
    """ZooKeeper snapshots are fuzzy: taken while txns apply, so they may hold effects of txns after their
    zxid, and recovery replays those txns again over them. The extreme case: the newest snapshot (zxid Y)
    renamed to an early zxid X, so every txn X+1..Y is replayed over a tree that already has it. Java and
    rzk must end with the same tree, and rzk must not report digest mismatches while the tree is fuzzy
    (ZooKeeper compares digests only from the snapshot's digest zxid on)."""
    d = env.newdir("fuzzy-replay")
    src = getattr(env, "java_dir", None)
    if src is None:
        src = os.path.join(d, "java-data")
        java = start_java(env, d, src, "java-workload",
                          ["zookeeper.extendedTypesEnabled=true", "znode.container.checkIntervalMs=500"],
                          ["snapCount=20"])
        workload(env, d, java, reaper=True)
        env.procs.stop(java.proc)
    base = copy_data(src, os.path.join(d, "base"))
    snaps = zkfiles.list_files(version2(base), "snapshot")
    check(len(snaps) >= 4, f"too few snapshots: {snaps}")
    (x, _), (y, newest) = snaps[1], snaps[-1]
    for z, p in snaps[1:]:
        if p != newest:
            os.remove(p)
    os.rename(newest, os.path.join(version2(base), f"snapshot.{x:x}"))
    props = ["zookeeper.extendedTypesEnabled=true", "znode.container.checkIntervalMs=600000"]
    jd = copy_data(base, os.path.join(d, "for-java"))
    java = start_java(env, d, jd, "java", props)
    wj = walk(java.hosts)
    env.procs.stop(java.proc)
    rd = copy_data(base, os.path.join(d, "for-rzk"))
    rzk = start_rzk(env, d, rd, "rzk", props)
    wr = walk(rzk.hosts)
    env.procs.stop(rzk.proc)
    assert_same_walk(wj, wr, "java", "rzk")
    java_mismatch = DIGEST_RE.search(java.log_text())
    check(java_mismatch or not DIGEST_RE.search(rzk.log_text()),
          "rzk reported digest mismatches replaying over a fuzzy snapshot; Java did not:\n  "
          + "\n  ".join(l for l in rzk.log_text().splitlines() if DIGEST_RE.search(l))[:1500])
    return f"snapshot 0x{y:x} loaded as 0x{x:x}: {y - x} txns replayed over it, {len(wr)} nodes alike"


# ---- records larger than the preallocation step

def big_records(env):
    """Txns near jute.maxbuffer with preAllocSize=16 KiB: every append grows the file by many steps."""
    d = env.newdir("big-records")
    data = os.path.join(d, "data")
    props = ["zookeeper.extendedTypesEnabled=true"]
    cfg = ["snapCount=6", "preAllocSize=16"]
    srv = start_rzk(env, d, data, "rzk", props, cfg)
    c = client(srv.hosts, auth=False)
    sizes = [900_000, 1, 700_000, 1_000_000, 16_000, 500_000, 1_040_000, 3]
    try:
        for i, n in enumerate(sizes):
            c.create(f"/big{i}", bytes([i]) * n)
            c.set(f"/big{i}", bytes([i + 100]) * n)
    finally:
        stop_client(c)
    mine = walk(srv.hosts)
    env.procs.kill9(srv.proc)
    srv = start_rzk(env, d, data, "rzk-2", props, cfg)
    again = walk(srv.hosts)
    env.procs.stop(srv.proc)
    assert_same_walk(mine, again, "before kill -9", "after")
    for i, n in enumerate(sizes):
        check(again[f"/big{i}"]["stat"]["dataLength"] == n, f"/big{i} length")
    count_txns(data)
    java = start_java(env, d, data, "java", props)
    theirs = walk(java.hosts)
    env.procs.stop(java.proc)
    check_clean_log(java.log_text(), "Java")
    assert_same_walk(again, theirs, "rzk", "java")
    return f"{len(sizes)} nodes up to {max(sizes)} bytes, written, set, kill -9'd and read back by rzk and Java"


# ---- torn and corrupt tails

def copy_data(src, dst):
    shutil.copytree(src, dst)
    return dst


def last_log(data):
    logs = logs_of(data)
    return logs[-1][1]


def flip_bit(path, offset, bit=0x10):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([b ^ bit]))


def tails(env):
    d = env.newdir("tails")
    base = os.path.join(d, "base")
    props = ["zookeeper.extendedTypesEnabled=true"]
    srv = start_rzk(env, d, base, "rzk-base", props)
    c = client(srv.hosts, auth=False)
    c.create("/t", b"")
    for i in range(30):
        c.create(f"/t/n{i:02d}", f"node {i}".encode() * 3)
    env.procs.stop(srv.proc)     # the client's session stays open: the last record is the last create
    stop_client(c)
    recs, how = zkfiles.read_log(last_log(base))
    check(how == "clean" and recs[-1].path() == "/t/n29", f"unexpected base log: {how}, last {recs[-1].type_name}")
    results = []

    def starts_and_truncates(name, mutate, lost):
        dd = copy_data(base, os.path.join(d, name))
        lp = last_log(dd)
        mutate(lp, zkfiles.read_log(lp)[0])
        s = start_rzk(env, d, dd, f"rzk-{name}", props)
        check(re.search(r"truncat", s.log_text(), re.I), f"{name}: rzk did not log a truncation")
        cl = client(s.hosts, auth=False)
        try:
            kids = set(cl.get_children("/t"))
            want = {f"n{i:02d}" for i in range(30)} - set(lost)
            check(want <= kids, f"{name}: lost {sorted(want - kids)}")
            check(not (set(lost) & kids), f"{name}: the damaged record was applied: {sorted(set(lost) & kids)}")
            cl.create("/t/after", b"written after recovery")
        finally:
            stop_client(cl)
        env.procs.stop(s.proc)
        # and again: the repaired log plus the new writes load, in rzk and in Java
        s = start_rzk(env, d, dd, f"rzk-{name}-2", props)
        w1 = walk(s.hosts)
        env.procs.stop(s.proc)
        check("/t/after" in w1, f"{name}: the write after recovery was lost")
        check_clean_log(s.log_text(), "rzk")
        return dd, w1

    # a) the last record cut in the middle
    def torn(lp, recs):
        r = recs[-1]
        os.truncate(lp, r.offset + 12 + r.length // 2)
    dd, w = starts_and_truncates("torn", torn, ["n29"])
    java = start_java(env, d, dd, "java-torn", props)
    wj = walk(java.hosts)
    env.procs.stop(java.proc)
    check_clean_log(java.log_text(), "Java")
    assert_same_walk(w, wj, "rzk", "java")
    results.append("torn last record")

    # b) a bit flipped inside the last record
    def flipped(lp, recs):
        r = recs[-1]
        flip_bit(lp, r.offset + 12 + r.length // 2)
    starts_and_truncates("flip-last", flipped, ["n29"])
    results.append("flipped bit in last record")

    # c) the only record of the newest log file is torn (crash right after a log roll): the next txn
    # reuses that file's name
    dd = copy_data(base, os.path.join(d, "one-record-base"))
    s = start_rzk(env, d, dd, "rzk-one-record", props)
    cl = client(s.hosts, auth=False)       # createSession: the only record of a new log file
    env.procs.stop(s.proc)
    stop_client(cl)
    lp = last_log(dd)
    recs, _ = zkfiles.read_log(lp)
    check(len(recs) == 1 and recs[0].type_name == "createSession", f"{lp}: {[r.type_name for r in recs]}")
    os.truncate(lp, recs[0].offset + 20)
    s = start_rzk(env, d, dd, "rzk-one-record-2", props)
    check(re.search(r"truncat", s.log_text(), re.I), "one-record: rzk did not log a truncation")
    cl = client(s.hosts, auth=False)
    try:
        cl.create("/t/after-roll", b"x")
    finally:
        stop_client(cl)
    check(s.proc.poll() is None, f"rzk died after writing into a repaired log: {tail(s.logpath)}")
    env.procs.stop(s.proc)
    s = start_rzk(env, d, dd, "rzk-one-record-3", props)
    w = walk(s.hosts)
    env.procs.stop(s.proc)
    check("/t/after-roll" in w and "/t/n29" in w, "one-record: writes lost")
    results.append("torn only record of the newest file")

    # d) a bit flipped in an earlier record, with more records after it: refuse to start
    def refuses(name, mutate):
        dd = copy_data(base, os.path.join(d, name))
        lp = mutate(dd)
        with open(lp, "rb") as f:
            before = f.read()
        s = start_rzk(env, d, dd, f"rzk-{name}", props, wait=False)
        rc = env.procs.wait_exit(s.proc, 30)
        if rc is None:
            env.procs.stop(s.proc)
            raise Failure(f"{name}: rzk started on a log corrupted in the middle")
        check(rc != 0, f"{name}: rzk exited with 0")
        text = s.log_text()
        check(os.path.basename(lp) in text and re.search(r"corrupt|CRC|checksum", text, re.I),
              f"{name}: unclear message:\n{tail(s.logpath, 8)}")
        with open(lp, "rb") as f:
            check(f.read() == before, f"{name}: rzk modified the corrupt log")
        return text

    def flip_middle(dd):
        lp = last_log(dd)
        recs, _ = zkfiles.read_log(lp)
        r = next(r for r in recs if r.path() == "/t/n10")
        flip_bit(lp, r.offset + 12 + r.length // 2)
        return lp
    refuses("flip-middle", flip_middle)
    results.append("flipped bit mid-log refused")

    # e) a bit flipped in the last record of an older log file, newer files following: refuse as well
    def flip_older_file(dd):
        s = start_rzk(env, d, dd, "rzk-newer-file", props)
        cl = client(s.hosts, auth=False)
        cl.create("/t/newer", b"in a newer log file")
        stop_client(cl)
        env.procs.stop(s.proc)
        logs = logs_of(dd)
        check(len(logs) >= 2, "expected two log files")
        lp = logs[-2][1]
        recs, _ = zkfiles.read_log(lp)
        r = recs[-1]
        flip_bit(lp, r.offset + 12 + r.length // 2)
        # the snapshots taken at startup cover the older file; without them (lost, say) it must be replayed
        for z, p in zkfiles.list_files(version2(dd), "snapshot"):
            if z > 0:
                os.remove(p)
        return lp
    refuses("flip-older-file", flip_older_file)
    results.append("flipped bit at the end of an older file refused")
    return ", ".join(results)


# ---------------------------------------------------------------- main

SCENARIOS = [
    ("java-to-rzk", lambda env, a: java_to_rzk(env)),
    ("rzk-to-java", lambda env, a: rzk_to_java(env)),
    ("java-to-rzk-gz", lambda env, a: java_to_rzk(env, "gz")),
    ("rzk-to-java-gz", lambda env, a: rzk_to_java(env, "gz", tools=False)),
    # (the snappy runs also keep their logs in a separate dataLogDir)
    ("java-to-rzk-snappy", lambda env, a: java_to_rzk(env, "snappy", log_dir=True)),
    ("rzk-to-java-snappy", lambda env, a: rzk_to_java(env, "snappy", tools=False, log_dir=True)),
    ("fuzzy-replay", lambda env, a: fuzzy_replay(env)),
    ("crash-kill9", lambda env, a: crash_safety(env, a.crash_rounds, a.seed)),
    ("crash-kill9-java-rzk", lambda env, a: crash_safety(env, 6, a.seed, ("java", "rzk"))),
    ("big-records", lambda env, a: big_records(env)),
    ("torn-corrupt-tails", lambda env, a: tails(env)),
]


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="role")
    h = sub.add_parser("holder")
    h.add_argument("--port", type=int, required=True)
    h.add_argument("--timeout-ms", type=int, required=True)
    h.add_argument("--paths", required=True)
    w = sub.add_parser("crash-writer")
    w.add_argument("--port", type=int, required=True)
    w.add_argument("--id", type=int, required=True)
    w.add_argument("--round", type=int, required=True)
    w.add_argument("--out", required=True)
    ap.add_argument("--rzk")
    ap.add_argument("--work")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--crash-rounds", type=int, default=20)
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    args = ap.parse_args()
    if args.role == "holder":
        return run_holder(args)
    if args.role == "crash-writer":
        return run_crash_writer(args)

    import logging
    logging.basicConfig(level=logging.CRITICAL)   # kazoo's reconnect chatter
    env = Env(args)

    def on_signal(signum, _frame):
        env.procs.cleanup()
        sys.exit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    passed = failed = 0
    try:
        for name, fn in SCENARIOS:
            if args.only and name not in args.only:
                continue
            t0 = time.monotonic()
            log(f"--- {name}")
            try:
                detail = fn(env, args)
                passed += 1
                print(f"PASS {name} ({time.monotonic() - t0:.1f}s): {detail}", flush=True)
            except Exception as e:  # noqa: BLE001
                failed += 1
                msg = str(e) if isinstance(e, Failure) else traceback.format_exc()
                print(f"FAIL {name} ({time.monotonic() - t0:.1f}s): {msg}", flush=True)
            finally:
                env.procs.cleanup()
    finally:
        env.procs.cleanup()
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main() or 0)
