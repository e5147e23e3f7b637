#!/usr/bin/env python3
"""Scripted checks of ZooKeeper's two command-line clients against a running server.

    checks.py HOST:PORT [NAME...]

  * cli_mt  -- the C client's shell (Debian zookeeper-bin), driven through its stdin;
  * zkCli.sh -- the Java client's shell (Debian zookeeper), driven through its stdin (JLine is off when
    stdin is not a terminal) or with one command on its command line.

Every check parses what the tool printed and compares it with the values ZooKeeper 3.8 gives (the
same checks pass against Java ZooKeeper 3.8.0: `run.sh --java`). Prints one PASS/FAIL line per
check, the details of each failure, and a closing `N passed, M failed` line; exits 1 on a failure.

Environment: CLI_MT, ZKCLI (tool paths), CLI_TIMEOUT (seconds to wait for one answer, default 20).
"""
import base64
import hashlib
import os
import queue
import re
import subprocess
import sys
import threading
import time
import traceback

HOSTPORT = sys.argv[1]
ONLY = set(sys.argv[2:])
CLI_MT = os.environ.get("CLI_MT", "/usr/lib/zookeeper/bin/cli_mt")
ZKCLI = os.environ.get("ZKCLI", "/usr/share/zookeeper/bin/zkCli.sh")
TIMEOUT = float(os.environ.get("CLI_TIMEOUT", "20"))
RUN_ID = "%x" % (int(time.time() * 1000) & 0xFFFFFF)

ZNONODE, ZNODEEXISTS, ZNOAUTH, ZNOTEMPTY = -101, -110, -102, -111


class CheckFailed(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise CheckFailed(what)


def expect_eq(got, want, what):
    if got != want:
        raise CheckFailed("%s: expected %r, got %r" % (what, want, got))


def digest(user, password):
    """The id a digest ACL stores for user:password (DigestAuthenticationProvider)."""
    h = hashlib.sha1(("%s:%s" % (user, password)).encode()).digest()
    return "%s:%s" % (user, base64.b64encode(h).decode())


# ------------------------------------------------------------------ interactive process driver


class Shell:
    """A client shell on a pipe: stdout and stderr merged, read line by line by a thread.

    run(cmd) writes the command and then a marker command whose answer is known, and returns the
    lines printed between the two; both shells answer their commands in order, so everything the
    command printed comes before the marker's answer (watch events excepted: wait_for them)."""

    marker_cmd = None  # format with the marker path
    marker_re = None  # format with the marker path (re-escaped)
    ignore = re.compile(r"^SLF4J: ")

    def __init__(self, argv, name):
        self.name = name
        self.argv = argv
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            bufsize=0, start_new_session=True)
        self.lines = []  # every line read so far
        self.pos = 0  # lines before pos have been consumed
        self.cond = threading.Condition()
        self.eof = False
        self.nmark = 0
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        buf = b""
        while True:
            chunk = self.proc.stdout.read(4096)
            if not chunk:
                break
            buf += chunk
            *done, buf = buf.split(b"\n")
            with self.cond:
                for raw in done:
                    line = raw.decode("utf-8", "replace").rstrip("\r")
                    if not self.ignore.match(line):
                        self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            if buf:
                self.lines.append(buf.decode("utf-8", "replace"))
            self.eof = True
            self.cond.notify_all()

    def send(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def wait_for(self, pattern, timeout=TIMEOUT, what=None):
        """Waits for a line matching pattern (after pos); returns (lines before it, match) and
        consumes through it."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            i = self.pos
            while True:
                while i < len(self.lines):
                    m = rx.search(self.lines[i])
                    if m:
                        before = self.lines[self.pos:i]
                        self.pos = i + 1
                        return before, m
                    i += 1
                left = deadline - time.monotonic()
                if self.eof or left <= 0:
                    raise CheckFailed("%s: no line matching /%s/ within %gs%s; it printed:\n%s" % (
                        self.name, pattern, timeout, " (it exited)" if self.eof else "",
                        "\n".join("    | " + l for l in self.lines[self.pos:]) or "    (nothing)"))
                self.cond.wait(min(left, 0.5))

    def pending(self):
        with self.cond:
            return list(self.lines[self.pos:])

    def run(self, cmd, timeout=TIMEOUT):
        self.nmark += 1
        mark = "/zk-cli-mark-%s-%d" % (RUN_ID, self.nmark)
        self.send(cmd)
        self.send(self.marker_cmd.format(mark))
        out, _ = self.wait_for(self.marker_re.format(re.escape(mark)), timeout)
        return out

    def close(self, cmd="quit"):
        if self.proc.poll() is None:
            try:
                self.send(cmd)
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def all_output(self):
        with self.cond:
            return "\n".join(self.lines)


class CliMt(Shell):
    """cli_mt: answers go to stderr; `delete <missing path>` answers `<path>: rc = -101`."""

    marker_cmd = "delete {}"
    marker_re = r"^{}: rc = -101$"

    def __init__(self, name="cli_mt"):
        super().__init__([CLI_MT, "-h", HOSTPORT], name)
        _, m = self.wait_for(r"^Got a new session id: 0x([0-9a-f]+)$")
        self.session = int(m.group(1), 16)
        # the first event is CONNECTED
        with self.cond:
            expect(any("Watcher SESSION_EVENT state = CONNECTED_STATE" in l for l in self.lines),
                   "cli_mt: no CONNECTED_STATE session event before the session id")


class ZkCli(Shell):
    """zkCli.sh reading commands from its stdin; `ls <missing path>` answers
    `Node does not exist: <path>`."""

    marker_cmd = "ls {}"
    marker_re = r"^Node does not exist: {}$"

    def __init__(self, name="zkCli.sh"):
        super().__init__([ZKCLI, "-server", HOSTPORT], name)
        self.wait_for(r"^WatchedEvent state:SyncConnected type:None path:null$")


def zkcli_once(*args):
    """zkCli.sh with one command on its command line: (exit code, output lines less the connection
    banner). The banner ("Connecting to ...", then the watcher's "", "WATCHER::", "" and the
    SyncConnected event) is printed by another thread: the command's output may come in between,
    and the process may exit before the event is printed."""
    p = subprocess.run([ZKCLI, "-server", HOSTPORT, *args], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT * 3)
    lines = [l for l in p.stdout.decode("utf-8", "replace").splitlines()
             if not l.startswith("SLF4J: ")]
    full = list(lines)

    def drop(seq):
        for i in range(len(lines) - len(seq) + 1):
            if lines[i:i + len(seq)] == seq:
                del lines[i:i + len(seq)]
                return True
        return False

    # The watcher prints "\nWATCHER::\n" and a newline in two writes to stdout, the command's
    # messages go to stderr: a line of the command can land between the two writes, and zkCli.sh
    # may exit before its event thread prints anything at all.
    if "WATCHER::" in lines:
        i = lines.index("WATCHER::")
        after = [j for j in range(i + 1, len(lines)) if lines[j] == ""]
        for j in sorted(([after[0]] if after else []) + [i] + ([i - 1] if i > 0 and lines[i - 1] == "" else []),
                        reverse=True):
            del lines[j]
    drop(["WatchedEvent state:SyncConnected type:None path:null"])
    if not drop(["Connecting to " + HOSTPORT]):
        raise CheckFailed("zkCli.sh %s: never connected; it printed:\n%s" % (
            " ".join(args), "\n".join("    | " + l for l in full)))
    return p.returncode, lines


def cli_mt_batch(cmd):
    """cli_mt -c CMD (batch mode: one command, exits after its answer): its output lines."""
    p = subprocess.run([CLI_MT, "-h", HOSTPORT, "-c", cmd], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT * 3)
    return p.returncode, p.stdout.decode("utf-8", "replace").splitlines()


# ------------------------------------------------------------------ output parsers

def parse_c_stat(lines, what):
    """cli_mt's dumpStat block -> dict (czxid, mzxid, version, aversion, ephemeralOwner: ints;
    ctime, mtime: strings)."""
    text = "\n".join(lines)
    m = re.search(
        r"\tctime = (?P<ctime>.*)\n\tczxid=(?P<czxid>[0-9a-f]+)\n\tmtime=(?P<mtime>.*)\n"
        r"\tmzxid=(?P<mzxid>[0-9a-f]+)\n\tversion=(?P<version>[0-9a-f]+)\taversion=(?P<aversion>[0-9a-f]+)\n"
        r"\tephemeralOwner = (?P<owner>[0-9a-f]+)", text)
    expect(m, "%s: no Stat block in:\n%s" % (what, text))
    d = m.groupdict()
    st = {k: int(d[k], 16) for k in ("czxid", "mzxid", "version", "aversion", "owner")}
    st["ctime"], st["mtime"] = d["ctime"], d["mtime"]
    return st


def c_time_ok(s):
    """cli_mt prints ctime_r(): 'Sun Nov 22 03:50:56 2026'; true if within a day of now."""
    try:
        t = time.mktime(time.strptime(s.strip(), "%a %b %d %H:%M:%S %Y"))
    except ValueError:
        return False
    return abs(t - time.time()) < 86400


def c_rc(lines, label, what):
    """The rc of the answer line '<label>: rc = N' (label as printed: a path or [path])."""
    rx = re.compile(r"^%s: rc = (-?\d+)" % re.escape(label))
    for l in lines:
        m = rx.match(l)
        if m:
            return int(m.group(1))
    raise CheckFailed("%s: no '%s: rc = N' line in:\n%s" % (what, label, "\n".join(lines)))


def c_children(lines, path):
    """The children listed after '<path>: rc = 0' (one per line, tab-indented)."""
    out, on = [], False
    for l in lines:
        if l.startswith("%s: rc = " % path):
            on = True
            continue
        if on:
            if l.startswith("\t") and not l.startswith("\tctime"):
                out.append(l[1:])
            else:
                break
    return out


def c_create(shell, flags, path, what):
    """cli_mt `create [+flags] path` -> (rc, created name or None)."""
    cmd = "create %s%s" % ("+%s " % flags if flags else "", path)
    out = shell.run(cmd)
    rc = c_rc(out, "[%s]" % path, what)
    name = None
    for l in out:
        if l.startswith("\tname = "):
            name = l[len("\tname = "):]
    if rc == 0:
        expect(name is not None, "%s: rc 0 but no name line in:\n%s" % (what, "\n".join(out)))
    return rc, name


def c_get(shell, path, what):
    """cli_mt `get path` -> (rc, value or None, stat dict or None)."""
    out = shell.run("get %s" % path)
    rc = c_rc(out, path, what)
    if rc != 0:
        return rc, None, None
    text = "\n".join(out)
    m = re.search(r"\n value_len = (\d+)\n", "\n" + text)
    expect(m, "%s: no value_len in:\n%s" % (what, text))
    n = int(m.group(1))
    rest = ("\n" + text)[m.end():]
    # the value is written raw, then "\nStat:\n"
    value, sep, _ = rest.partition("\nStat:")
    expect(sep, "%s: no Stat: after the value in:\n%s" % (what, text))
    expect_eq(len(value.encode()), n, "%s: value_len vs the value printed" % what)
    return rc, value, parse_c_stat(out, what)


def parse_java_stat(lines, what):
    """zkCli's stat block: the 11 'key = value' lines, in ZooKeeper's order."""
    keys = ["cZxid", "ctime", "mZxid", "mtime", "pZxid", "cversion", "dataVersion", "aclVersion",
            "ephemeralOwner", "dataLength", "numChildren"]
    st, order = {}, []
    for l in lines:
        m = re.match(r"^(\w+) = (.*)$", l)
        if m and m.group(1) in keys:
            st[m.group(1)] = m.group(2)
            order.append(m.group(1))
    expect_eq(order, keys, "%s: the stat lines (in order)" % what)
    for k in ("cZxid", "mZxid", "pZxid", "ephemeralOwner"):
        expect(re.match(r"^0x[0-9a-f]+$", st[k]), "%s: %s = %r is not 0x<hex>" % (what, k, st[k]))
        st[k] = int(st[k], 16)
    for k in ("cversion", "dataVersion", "aclVersion", "dataLength", "numChildren"):
        expect(re.match(r"^-?\d+$", st[k]), "%s: %s = %r is not a number" % (what, k, st[k]))
        st[k] = int(st[k])
    return st


def java_time_ok(s):
    """zkCli prints java.util.Date: 'Sun Nov 22 03:50:36 UTC 2026'."""
    m = re.match(r"^\w{3} (\w{3} \d\d \d\d:\d\d:\d\d) \w+ (\d{4})$", s)
    if not m:
        return False
    t = time.mktime(time.strptime(m.group(1) + " " + m.group(2), "%b %d %H:%M:%S %Y"))
    return abs(t - time.time()) < 2 * 86400


def java_list(line, what):
    """'[a, b, c]' -> ['a', 'b', 'c']."""
    m = re.match(r"^\[(.*)\]$", line)
    expect(m, "%s: %r is not a [list]" % (what, line))
    return [x for x in m.group(1).split(", ") if x != ""]


def only_line(out, what):
    expect_eq(len(out), 1, "%s: number of lines printed (%r)" % (what, out))
    return out[0]


# ------------------------------------------------------------------ checks

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


P = "/cli-c-" + RUN_ID  # cli_mt checks' root
J = "/cli-j-" + RUN_ID  # zkCli.sh checks' root


@check
def c_create_get_set_delete():
    sh = CliMt()
    try:
        rc, name = c_create(sh, "", P, "create")
        expect_eq((rc, name), (0, P), "create %s (rc, name)" % P)
        rc, _ = c_create(sh, "", P, "create again")
        expect_eq(rc, ZNODEEXISTS, "create of an existing node: rc")
        rc, value, st = c_get(sh, P, "get")
        expect_eq((rc, value), (0, "new"), "get (rc, value): cli_mt creates with data 'new'")
        expect_eq((st["version"], st["aversion"], st["owner"]), (0, 0, 0),
                  "get: (version, aversion, ephemeralOwner)")
        expect_eq(st["mzxid"], st["czxid"], "get: mzxid of a new node")
        expect(c_time_ok(st["ctime"]), "get: ctime %r is not now" % st["ctime"])
        expect_eq(st["mtime"], st["ctime"], "get: mtime of a new node")
        czxid = st["czxid"]
        out = sh.run("set %s newdata" % P)
        expect_eq(c_rc(out, P, "set"), 0, "set: rc")
        st = parse_c_stat(out, "set")
        expect_eq((st["version"], st["czxid"]), (1, czxid), "set: (version, czxid)")
        expect(st["mzxid"] > czxid, "set: mzxid %x not above czxid %x" % (st["mzxid"], czxid))
        rc, value, st2 = c_get(sh, P, "get after set")
        expect_eq((rc, value, st2["version"], st2["mzxid"]), (0, "newdata", 1, st["mzxid"]),
                  "get after set: (rc, value, version, mzxid)")
        out = sh.run("sync %s" % P)
        expect_eq(c_rc(out, "[%s]" % P, "sync"), 0, "sync: rc")
        expect("\tname = %s" % P in out, "sync: no 'name = %s' in %r" % (P, out))
        rc, _, _ = c_get(sh, P + "/missing", "get missing")
        expect_eq(rc, ZNONODE, "get of a missing node: rc")
        rc, name = c_create(sh, "", P + "/child", "create child")
        expect_eq(rc, 0, "create child: rc")
        out = sh.run("delete %s" % P)
        expect_eq(c_rc(out, P, "delete"), ZNOTEMPTY, "delete of a node with a child: rc")
        out = sh.run("delete %s/child" % P)
        expect_eq(c_rc(out, P + "/child", "delete child"), 0, "delete child: rc")
        out = sh.run("delete %s" % P)
        expect_eq(c_rc(out, P, "delete"), 0, "delete: rc")
        rc, _, _ = c_get(sh, P, "get deleted")
        expect_eq(rc, ZNONODE, "get of a deleted node: rc")
    finally:
        sh.close()


@check
def c_ephemeral_and_sequential():
    sh = CliMt()
    try:
        base = P + "-es"
        expect_eq(c_create(sh, "", base, "create")[0], 0, "create %s: rc" % base)
        rc, name = c_create(sh, "e", base + "/eph", "create +e")
        expect_eq((rc, name), (0, base + "/eph"), "create +e (rc, name)")
        rc, _, st = c_get(sh, base + "/eph", "get eph")
        expect_eq(st["owner"], sh.session, "ephemeralOwner of the ephemeral node vs the session id")
        # sequence numbers count the parent's child creations (cversion): eph was the 1st
        rc, n1 = c_create(sh, "s", base + "/seq-", "create +s")
        rc2, n2 = c_create(sh, "s", base + "/seq-", "create +s")
        expect_eq((rc, n1, rc2, n2), (0, base + "/seq-0000000001", 0, base + "/seq-0000000002"),
                  "two create +s (rc, name)")
        out = sh.run("create2 +es %s/es-" % base)
        expect_eq(c_rc(out, "[%s/es-]" % base, "create2 +es"), 0, "create2 +es: rc")
        expect("\tname = %s/es-0000000003" % base in out,
               "create2 +es: name %s/es-0000000003 not in %r" % (base, out))
        st = parse_c_stat(out, "create2 +es")
        expect_eq((st["owner"], st["version"]), (sh.session, 0),
                  "create2 +es: stat (ephemeralOwner, version)")
        out = sh.run("ls %s" % base)
        expect_eq(c_rc(out, base, "ls"), 0, "ls: rc")
        kids = c_children(out, base)
        expect_eq(sorted(kids), ["eph", "es-0000000003", "seq-0000000001", "seq-0000000002"],
                  "ls: children")
        out = sh.run("ls2 %s" % base)
        expect_eq(sorted(c_children(out, base)), sorted(kids), "ls2: children")
        st = parse_c_stat(out, "ls2")
        expect_eq(st["owner"], 0, "ls2: parent's ephemeralOwner")
    finally:
        sh.close()
    # the session is closed: its ephemerals are gone, the sequential persistent nodes stay
    sh = CliMt("cli_mt (2nd session)")
    try:
        out = sh.run("ls %s" % base)
        expect_eq(sorted(c_children(out, base)), ["seq-0000000001", "seq-0000000002"],
                  "ls after the creating session closed (ephemerals gone)")
    finally:
        sh.close()


@check
def c_watches():
    a = CliMt("cli_mt A")
    try:
        base = P + "-w"
        expect_eq(c_create(a, "", base, "create")[0], 0, "create: rc")
        expect_eq(c_get(a, base, "get")[0], 0, "get (sets a data watch): rc")
        out = a.run("ls %s" % base)  # sets a child watch
        expect_eq(c_rc(out, base, "ls"), 0, "ls (sets a child watch): rc")
        a.run("wexists %s/later" % base)  # exists watch on a missing node
        rc, out = cli_mt_batch("set %s changed" % base)
        expect(any(l.startswith("%s: rc = 0" % base) for l in out),
               "cli_mt -c 'set' (another session): %r" % out)
        a.wait_for(r"^Watcher CHANGED_EVENT state = CONNECTED_STATE for path %s$" % re.escape(base),
                   what="data watch")
        rc, out = cli_mt_batch("create %s/later" % base)
        expect(any(l.startswith("[%s/later]: rc = 0" % base) for l in out),
               "cli_mt -c 'create' (another session): %r" % out)
        # both the exists watch (CREATED) and the child watch (CHILD) fire, in either order
        got = set()
        for _ in range(2):
            _, m = a.wait_for(r"^Watcher (CREATED_EVENT|CHILD_EVENT) state = CONNECTED_STATE "
                              r"for path (\S+)$", what="create watches")
            got.add((m.group(1), m.group(2)))
        expect_eq(got, {("CREATED_EVENT", base + "/later"), ("CHILD_EVENT", base)},
                  "events after a create by another session")
        # a watch fires once: another change gives no second CHANGED event
        rc, out = cli_mt_batch("set %s again" % base)
        a.run("sync %s" % base)
        extra = [l for l in a.pending() if "CHANGED_EVENT" in l]
        expect_eq(extra, [], "events after a second set (the watch was one-shot)")
    finally:
        a.close()


@check
def c_acl_and_addauth():
    node = P + "-acl"
    # zkCli sets the ACL: only digest alice:secret may do anything
    rc, out = zkcli_once("create", node, "secret-data", "digest:%s:cdrwa" % digest("alice", "secret"))
    expect_eq((rc, out), (0, ["Created " + node]), "zkCli.sh create with a digest ACL (rc, output)")
    sh = CliMt()
    try:
        rc, _, _ = c_get(sh, node, "get without auth")
        expect_eq(rc, ZNOAUTH, "get of a digest-protected node without auth: rc")
        sh.send("addauth digest alice:wrong")
        rc, _, _ = c_get(sh, node, "get with a wrong password")
        expect_eq(rc, ZNOAUTH, "get after addauth with a wrong password: rc")
        sh.send("addauth digest alice:secret")
        rc, value, st = c_get(sh, node, "get with auth")
        expect_eq((rc, value), (0, "secret-data"), "get after addauth digest alice:secret (rc, value)")
        out = sh.run("set %s changed" % node)
        expect_eq(c_rc(out, node, "set with auth"), 0, "set after addauth: rc")
        out = sh.run("delete %s" % node)
        expect_eq(c_rc(out, node, "delete with auth"), 0, "delete after addauth: rc")
    finally:
        sh.close()


@check
def c_config():
    sh = CliMt()
    try:
        out = sh.run("config")
        expect_eq(c_rc(out, "/zookeeper/config", "config"), 0, "config: rc")
        text = "\n".join(out)
        expect(re.search(r"\n value_len = 0\n", "\n" + text),
               "config: standalone without dynamic config has empty /zookeeper/config:\n" + text)
        st = parse_c_stat(out, "config")
        expect_eq((st["czxid"], st["mzxid"], st["version"], st["aversion"], st["owner"]),
                  (0, 0, 0, 0xFFFFFFFF, 0),
                  "config: stat (czxid, mzxid, version, aversion (-1 as %x), ephemeralOwner)")
    finally:
        sh.close()


@check
def c_batch_mode():
    rc, out = cli_mt_batch("ls /")
    expect_eq(rc, 0, "cli_mt -c 'ls /': exit code")
    expect("Watcher SESSION_EVENT state = CONNECTED_STATE" in out, "cli_mt -c: connected: %r" % out)
    kids = c_children(out, "/")
    expect("zookeeper" in kids, "cli_mt -c 'ls /': children %r lack zookeeper" % kids)
    rc, out = cli_mt_batch("ls /zookeeper")
    expect_eq(sorted(c_children(out, "/zookeeper")), ["config", "quota"],
              "cli_mt -c 'ls /zookeeper': children")


@check
def j_create_get_set_stat():
    rc, out = zkcli_once("create", J, "hello")
    expect_eq((rc, out), (0, ["Created " + J]), "create (exit code, output)")
    rc, out = zkcli_once("create", J, "again")
    expect_eq(out, ["Node already exists: " + J], "create of an existing node: output")
    expect(rc != 0, "create of an existing node: exit code 0")
    rc, out = zkcli_once("get", J)
    expect_eq((rc, out), (0, ["hello"]), "get (exit code, output)")
    rc, out = zkcli_once("stat", J)
    expect_eq(rc, 0, "stat: exit code")
    st = parse_java_stat(out, "stat")
    expect_eq(len(out), 11, "stat: lines printed (%r)" % out)
    expect_eq((st["cversion"], st["dataVersion"], st["aclVersion"], st["ephemeralOwner"],
               st["dataLength"], st["numChildren"]), (0, 0, 0, 0, 5, 0),
              "stat of a new node (cversion, dataVersion, aclVersion, ephemeralOwner, dataLength, "
              "numChildren)")
    expect_eq((st["mZxid"], st["pZxid"]), (st["cZxid"], st["cZxid"]), "stat: (mZxid, pZxid) of a new node")
    expect(java_time_ok(st["ctime"]), "stat: ctime %r is not now" % st["ctime"])
    expect_eq(st["mtime"], st["ctime"], "stat: mtime of a new node")
    czxid = st["cZxid"]
    rc, out = zkcli_once("set", J, "world!")
    expect_eq((rc, out), (0, []), "set (exit code, output)")
    rc, out = zkcli_once("get", "-s", J)
    expect_eq(rc, 0, "get -s: exit code")
    expect_eq(out[0], "world!", "get -s: data")
    st = parse_java_stat(out[1:], "get -s")
    expect_eq((st["dataVersion"], st["dataLength"], st["cZxid"]), (1, 6, czxid),
              "get -s after set (dataVersion, dataLength, cZxid)")
    expect(st["mZxid"] > czxid, "get -s: mZxid not above cZxid")
    rc, out = zkcli_once("set", "-v", "7", J, "x")
    expect_eq(out, ["version No is not valid : " + J], "set -v with a wrong version: output")
    rc, out = zkcli_once("get", J + "/missing")
    expect_eq((rc, out), (1, ["Node does not exist: %s/missing" % J]), "get of a missing node (exit code, output)")
    rc, out = zkcli_once("ls", "/")
    expect_eq(rc, 0, "ls /: exit code")
    kids = java_list(only_line(out, "ls /"), "ls /")
    expect({"zookeeper", J[1:]} <= set(kids), "ls /: %r lacks zookeeper or %s" % (kids, J[1:]))
    expect_eq(kids, sorted(kids), "ls /: sorted")
    rc, out = zkcli_once("ls", "-s", J)
    expect_eq(java_list(out[0], "ls -s"), [], "ls -s: children")
    st = parse_java_stat(out[1:], "ls -s")
    expect_eq(st["dataVersion"], 1, "ls -s: dataVersion")
    rc, out = zkcli_once("sync", J)
    expect_eq(out, ["Sync is OK"], "sync: output")


@check
def j_delete():
    node = J + "-del"
    zkcli_once("create", node, "d")
    zkcli_once("create", node + "/kid", "k")
    rc, out = zkcli_once("delete", node)
    expect_eq(out, ["Node not empty: " + node], "delete of a node with a child: output")
    rc, out = zkcli_once("delete", "-v", "3", node + "/kid")
    expect_eq(out, ["version No is not valid : %s/kid" % node], "delete -v with a wrong version: output")
    rc, out = zkcli_once("delete", "-v", "0", node + "/kid")
    expect_eq((rc, out), (0, []), "delete -v 0: (exit code, output)")
    rc, out = zkcli_once("delete", node)
    expect_eq((rc, out), (0, []), "delete: (exit code, output)")
    rc, out = zkcli_once("stat", node)
    expect_eq(out, ["Node does not exist: " + node], "stat of a deleted node: output")


@check
def j_ephemeral_sequential():
    base = J + "-es"
    sh = ZkCli()
    try:
        expect_eq(sh.run("create %s" % base), ["Created " + base], "create")
        expect_eq(sh.run("create -e %s/eph x" % base), ["Created %s/eph" % base], "create -e")
        expect_eq(sh.run("create -s %s/seq- x" % base), ["Created %s/seq-0000000001" % base],
                  "create -s")
        expect_eq(sh.run("create -s -e %s/eseq- x" % base), ["Created %s/eseq-0000000002" % base],
                  "create -s -e")
        st = parse_java_stat(sh.run("stat %s/eph" % base), "stat eph")
        owner = st["ephemeralOwner"]
        expect(owner != 0, "ephemeralOwner of an ephemeral node is 0")
        st = parse_java_stat(sh.run("stat %s/eseq-0000000002" % base), "stat eseq")
        expect_eq(st["ephemeralOwner"], owner, "ephemeralOwner of the 2nd ephemeral (same session)")
        st = parse_java_stat(sh.run("stat %s" % base), "stat parent")
        expect_eq((st["cversion"], st["numChildren"]), (3, 3), "parent stat (cversion, numChildren)")
        out = sh.run("getEphemerals %s" % base)
        expect_eq(sorted(java_list(only_line(out, "getEphemerals"), "getEphemerals")),
                  [base + "/eph", base + "/eseq-0000000002"], "getEphemerals <path>")
        out = sh.run("getEphemerals")
        expect_eq(sorted(java_list(only_line(out, "getEphemerals"), "getEphemerals")),
                  [base + "/eph", base + "/eseq-0000000002"], "getEphemerals (all of the session's)")
        out = sh.run("getEphemerals /nothing-here")
        expect_eq(out, ["[]"], "getEphemerals with a prefix that matches nothing")
        # another session sees the ephemerals but has none of its own
        rc, out = zkcli_once("getEphemerals")
        expect_eq(out, ["[]"], "getEphemerals in another session")
        rc, out = zkcli_once("stat", base + "/eph")
        expect_eq(parse_java_stat(out, "stat eph (other session)")["ephemeralOwner"], owner,
                  "ephemeralOwner seen from another session")
        rc, out = zkcli_once("create", base + "/eph/child", "x")
        expect_eq(out, ["Ephemerals cannot have children: %s/eph/child" % base],
                  "create under an ephemeral: output")
    finally:
        sh.close()
    rc, out = zkcli_once("ls", base)
    expect_eq(java_list(only_line(out, "ls"), "ls"), ["seq-0000000001"],
              "ls after the creating session closed (ephemerals gone)")


@check
def j_watches():
    node = J + "-w"
    zkcli_once("create", node, "v0")
    sh = ZkCli()
    try:
        expect_eq(sh.run("get -w %s" % node), ["v0"], "get -w")
        expect_eq(java_list(only_line(sh.run("ls -w %s" % node), "ls -w"), "ls -w"), [], "ls -w")
        out = sh.run("stat -w %s/later" % node)
        expect_eq(out, ["Node does not exist: %s/later" % node], "stat -w of a missing node")
        zkcli_once("set", node, "v1")
        pat = r"^WatchedEvent state:SyncConnected type:(\w+) path:(\S+)$"
        before, m = sh.wait_for(pat, what="data watch")
        expect_eq((m.group(1), m.group(2)), ("NodeDataChanged", node), "event after set")
        zkcli_once("create", node + "/later", "x")
        got = set()
        for _ in range(2):
            _, m = sh.wait_for(pat, what="create watches")
            got.add((m.group(1), m.group(2)))
        expect_eq(got, {("NodeCreated", node + "/later"), ("NodeChildrenChanged", node)},
                  "events after a create by another session")
        zkcli_once("set", node, "v2")
        sh.run("sync %s" % node)
        expect_eq([l for l in sh.pending() if l.startswith("WatchedEvent")], [],
                  "events after a second set (one-shot watch)")
        # a persistent watch (addWatch) fires every time
        out = sh.run("addWatch %s" % node)
        expect_eq(out, [], "addWatch: output")
        for v in ("v3", "v4"):
            zkcli_once("set", node, v)
            _, m = sh.wait_for(pat, what="persistent watch")
            expect_eq((m.group(1), m.group(2)), ("NodeDataChanged", node),
                      "persistent watch event after set %s" % v)
    finally:
        sh.close()


@check
def j_acl_addauth_whoami():
    node = J + "-acl"
    sh = ZkCli()
    try:
        out = sh.run("whoami")
        expect_eq(out[:1], ["Auth scheme: User"], "whoami: header")
        expect_eq(sorted(out[1:]), ["ip: 127.0.0.1"], "whoami before addauth")
        expect_eq(sh.run("addauth digest alice:secret"), [], "addauth: output")
        out = sh.run("whoami")
        expect_eq(out[:1], ["Auth scheme: User"], "whoami: header")
        # (Java lists them in hash-set order: compared as a set)
        expect_eq(sorted(out[1:]), ["digest: alice", "ip: 127.0.0.1"], "whoami after addauth")
        expect_eq(sh.run("create %s data" % node), ["Created " + node], "create")
        out = sh.run("getAcl %s" % node)
        expect_eq(out, ["'world,'anyone", ": cdrwa"], "getAcl of a new node")
        expect_eq(sh.run("setAcl %s auth:alice:ignored:cdrwa" % node), [], "setAcl auth:: output")
        want = ["'digest,'" + digest("alice", "secret"), ": cdrwa"]
        expect_eq(sh.run("getAcl %s" % node), want, "getAcl after setAcl auth:")
        st = parse_java_stat(sh.run("stat %s" % node), "stat")
        expect_eq(st["aclVersion"], 1, "aclVersion after setAcl")
        out = sh.run("getAcl -s %s" % node)
        expect_eq(out[:2], want, "getAcl -s: the ACL")
        expect_eq(parse_java_stat(out[2:], "getAcl -s")["aclVersion"], 1, "getAcl -s: aclVersion")
        expect_eq(sh.run("get %s" % node), ["data"], "get with auth")
        # without the auth: NoAuth for reads, writes and getAcl (READ or ADMIN needed since 3.8)
        rc, out = zkcli_once("get", node)
        expect_eq(out, ["Insufficient permission : " + node], "get without auth: output")
        expect(rc != 0, "get without auth: exit code 0")
        rc, out = zkcli_once("set", node, "x")
        expect_eq(out, ["Insufficient permission : " + node], "set without auth: output")
        rc, out = zkcli_once("getAcl", node)
        expect_eq((rc, out), (1, ["Insufficient permission : " + node]),
                  "getAcl without auth (exit code, output)")
        # world:anyone read-only (and admin)
        out = sh.run("setAcl %s world:anyone:ra" % node)
        expect_eq(out, [], "setAcl world:anyone:ra")
        rc, out = zkcli_once("get", node)
        expect_eq((rc, out), (0, ["data"]), "get of a world-readable node (exit code, output)")
        rc, out = zkcli_once("set", node, "x")
        expect_eq(out, ["Insufficient permission : " + node], "set of a read-only node: output")
        expect_eq(sh.run("setAcl %s world:anyone:cdrwa" % node), [], "setAcl world:anyone:cdrwa")
        # a digest ACL given explicitly (scheme digest, id user:base64(sha1(user:password)))
        bob = digest("bob", "pw")
        rc, out = zkcli_once("setAcl", node, "digest:%s:cdrwa" % bob)
        expect_eq((rc, out), (0, []), "setAcl digest: (exit code, output)")
        expect_eq(sh.run("getAcl %s" % node), ["Insufficient permission : " + node],
                  "getAcl as alice of a node only bob may read")
        expect_eq(sh.run("addauth digest bob:pw"), [], "addauth digest bob:pw")
        expect_eq(sh.run("getAcl %s" % node), ["'digest,'" + bob, ": cdrwa"],
                  "getAcl as bob after setAcl digest:")
        rc, out = zkcli_once("setAcl", node, "ip:127.0.0.1:cdrwa")
        expect_eq(out, ["Insufficient permission : " + node], "setAcl without ADMIN permission")
        # deleting needs DELETE on the parent only
        rc, out = zkcli_once("delete", node)
        expect_eq((rc, out), (0, []), "delete of a node one cannot read (exit code, output)")
    finally:
        sh.close()


@check
def j_ls_r_deleteall_count():
    base = J + "-tree"
    zkcli_once("create", base)
    for p in ("/a", "/b", "/a/x", "/a/y", "/a/x/deep"):
        rc, out = zkcli_once("create", base + p, "d")
        expect_eq(out, ["Created " + base + p], "create " + p)
    rc, out = zkcli_once("ls", "-R", base)
    expect_eq(rc, 0, "ls -R: exit code")
    want = [base + p for p in ("", "/a", "/b", "/a/x", "/a/y", "/a/x/deep")]
    expect_eq(sorted(out), sorted(want), "ls -R: the paths")
    expect_eq(out[0], base, "ls -R: first line")
    depth = [p.count("/") for p in out]
    expect_eq(depth, sorted(depth), "ls -R: breadth-first order (depths %r)" % depth)
    rc, out = zkcli_once("getAllChildrenNumber", base)
    expect_eq((rc, out), (0, ["5"]), "getAllChildrenNumber (exit code, output)")
    rc, out = zkcli_once("getAllChildrenNumber", base + "/a/x/deep")
    expect_eq(out, ["0"], "getAllChildrenNumber of a leaf")
    rc, out = zkcli_once("ls", "-R", "/")
    expect_eq([l for l in out if not l.startswith("/")], [], "ls -R /: lines that are not paths")
    expect({"/", "/zookeeper", "/zookeeper/config", "/zookeeper/quota", base + "/a/x/deep"} <= set(out),
           "ls -R /: the /zookeeper nodes and the new ones")
    # every node but the root, the /zookeeper ones included
    rc2, out2 = zkcli_once("getAllChildrenNumber", "/")
    expect_eq(out2, [str(len(out) - 1)],
              "getAllChildrenNumber / (ls -R / printed %d nodes, / included)" % len(out))
    rc, out = zkcli_once("deleteall", base)
    expect_eq((rc, out), (0, []), "deleteall (exit code, output)")
    rc, out = zkcli_once("ls", base)
    expect_eq(out, ["Node does not exist: " + base], "ls after deleteall")
    rc, out = zkcli_once("ls", "/")
    expect(base[1:] not in java_list(out[0], "ls /"), "ls / after deleteall still has it")


@check
def j_config():
    rc, out = zkcli_once("config")
    expect_eq(rc, 0, "config: exit code")
    expect_eq([l for l in out if l.strip()], [],
              "config (standalone, no dynamic config: /zookeeper/config is empty)")
    rc, out = zkcli_once("config", "-s")
    st = parse_java_stat(out, "config -s")
    expect_eq((st["cZxid"], st["mZxid"], st["dataVersion"], st["aclVersion"], st["dataLength"],
               st["numChildren"], st["ctime"]),
              (0, 0, 0, -1, 0, 0, "Thu Jan 01 00:00:00 UTC 1970"),
              "config -s: stat (cZxid, mZxid, dataVersion, aclVersion, dataLength, numChildren, ctime)")
    rc, out = zkcli_once("getAcl", "/zookeeper/config")
    expect_eq(out, ["'world,'anyone", ": r"], "getAcl /zookeeper/config")


# ------------------------------------------------------------------ main

def main():
    passed = failed = 0
    for fn in CHECKS:
        if ONLY and fn.__name__ not in ONLY:
            continue
        t0 = time.monotonic()
        try:
            fn()
        except CheckFailed as e:
            failed += 1
            print("FAIL %s (%.1fs)\n%s" % (fn.__name__, time.monotonic() - t0,
                                          "\n".join("    " + l for l in str(e).splitlines())),
                  flush=True)
        except Exception:  # a bug in the check itself, or a tool that misbehaved
            failed += 1
            print("FAIL %s (%.1fs): exception\n%s" % (fn.__name__, time.monotonic() - t0,
                                                     traceback.format_exc()), flush=True)
        else:
            passed += 1
            print("PASS %s (%.1fs)" % (fn.__name__, time.monotonic() - t0), flush=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
