#!/usr/bin/env python3
"""Capture the real Java ZooKeeper 3.8.0 AdminServer answers (and 4lw answers taken at
the same moment) into compat-tests/admin/fixtures/.

usage: capture.py [--keep] [--rzk BINARY OUTDIR]
       (needs the Debian zookeeper 3.8.0 package and kazoo; with --rzk, runs that rzk binary
        instead of Java and writes to OUTDIR, to diff against the Java fixtures)

Starts a standalone server with admin.enableServer=true on free 127.0.0.1 ports, opens a
kazoo session with data, child and exist watches and an ephemeral,
then GETs /commands, /commands/ and every command name and alias of Commands.java 3.8
(plus an unknown name, set_trace_mask with and without an argument).  Each answer is
stored verbatim as fixtures/<name>.json (body) and fixtures/<name>.head (status line and
the Content-Type header).  Written for rzk from the protocol facts in
shared/docs/zookeeper-reference.md §5; standard library + kazoo only.
"""

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
CP = ("/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar:"
      "/usr/share/java/servlet-api.jar")   # Jetty (AdminServer) needs javax.servlet

NAMES = [
    "", "/", "connection_stat_reset", "crst", "configuration", "conf", "config", "connections", "cons",
    "hash", "dirs", "dump", "environment", "env", "envi", "get_trace_mask", "gtmk",
    "initial_configuration", "icfg", "is_read_only", "isro", "last_snapshot", "lsnp", "leader", "lead",
    "monitor", "mntr", "observer_connection_stat_reset", "orst", "ruok", "set_trace_mask",
    "set_trace_mask?traceMask=306", "stmk?traceMask=abc", "server_stats", "srvr", "stats", "stat",
    "stat_reset", "srst", "observers", "obsr", "system_properties", "sysp", "voting_view", "watches",
    "wchc", "watches_by_path", "wchp", "watch_summary", "wchs", "zabstate", "no_such_command",
]


def free_ports(n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def four_letter(port, cmd):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(cmd.encode())
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk


def wait(fn, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if fn():
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"timeout waiting for {what}")


def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    head = f"HTTP {r.status}\nContent-Type: {r.getheader('Content-Type')}\n"
    c.close()
    return head, body


def safe(name):
    return name.replace("/", "slash").replace("?", "_").replace("=", "_") or "root"


def main():
    from kazoo.client import KazooClient
    keep = "--keep" in sys.argv
    rzk = None
    out_dir = OUT
    if "--rzk" in sys.argv:
        i = sys.argv.index("--rzk")
        rzk, out_dir = os.path.abspath(sys.argv[i + 1]), os.path.abspath(sys.argv[i + 2])
    work = tempfile.mkdtemp(prefix="rzk-admin-capture.")
    client_port, admin_port = free_ports(2)
    cfg = os.path.join(work, "zoo.cfg")
    with open(cfg, "w") as f:
        f.write(f"tickTime=2000\ndataDir={work}/data\nclientPort={client_port}\n"
                f"clientPortAddress=127.0.0.1\n4lw.commands.whitelist=*\n"
                f"admin.serverAddress=127.0.0.1\nadmin.serverPort={admin_port}\n")
    log = open(os.path.join(work, "server.log"), "w")
    if rzk:
        cmd = [rzk, "-D", "zookeeper.admin.enableServer=true", "server", cfg]
    else:
        cmd = ["java", "-Xmx256m", "-Dzookeeper.admin.enableServer=true", "-Djava.net.preferIPv4Stack=true",
               "-cp", CP, "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    try:
        wait(lambda: b"Mode: standalone" in four_letter(client_port, "srvr"), 60, "server")
        wait(lambda: get(admin_port, "/commands/ruok")[0].startswith("HTTP 200"), 30, "admin server")
        zk = KazooClient(hosts=f"127.0.0.1:{client_port}")
        zk.start()
        zk.create("/adm", b"x")
        zk.create("/adm/eph", b"x", ephemeral=True)
        zk.get("/adm", watch=lambda e: None)
        zk.get_children("/adm", watch=lambda e: None)
        zk.exists("/adm/missing", watch=lambda e: None)
        os.makedirs(out_dir, exist_ok=True)
        for name in NAMES:
            path = "/commands" + ("" if name == "" else "/" + name.lstrip("/") if name != "/" else "/")
            head, body = get(admin_port, path)
            with open(os.path.join(out_dir, safe(name) + ".head"), "w") as f:
                f.write(head)
            with open(os.path.join(out_dir, safe(name) + ".json"), "wb") as f:
                f.write(body)
            print(f"  {path}: {len(body)} bytes")
        for word in ["srvr", "stat", "cons", "conf", "envi", "mntr", "wchs", "wchc", "wchp", "dump", "dirs",
                     "isro", "gtmk", "hash", "ruok"]:
            with open(os.path.join(out_dir, word + ".4lw"), "wb") as f:
                f.write(four_letter(client_port, word))
        zk.stop()
        zk.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if keep:
            print("work dir:", work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
