#!/usr/bin/env python3
"""kazoo (Python client, pinned 2.11.0) sessions for the golden-bytes capture.

usage: kazooclient.py --port <proxy port> --control-port <proxy control port>

Scenarios kazoo-basic (create/get/watch/set/children/multi/delete) and
kazoo-ephemeral-seq, each on its own connection through proxy.py.
"""

import argparse
import logging
import socket
import sys
import threading

from kazoo.client import KazooClient

WAIT = 20.0


def control(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    f = sock.makefile("rw", encoding="utf-8", newline="\n")

    def cmd(line):
        f.write(line + "\n")
        f.flush()
        return f.readline().strip()
    return cmd


def kazoo_basic(hosts):
    zk = KazooClient(hosts=hosts, timeout=30.0, connection_retry=None)
    zk.start(timeout=WAIT)
    zk.create("/kz", b"root")
    zk.create("/kz/a", b"a", makepath=True)
    fired = threading.Event()
    seen = []

    def watch(event):
        seen.append(event)
        fired.set()
    data, stat = zk.get("/kz/a", watch=watch)
    assert data == b"a"
    zk.set("/kz/a", b"a1", version=stat.version)
    assert fired.wait(WAIT), "data watch did not fire"
    fired.clear()
    zk.get_children("/kz", watch=watch)
    zk.create("/kz/b", b"b")
    assert fired.wait(WAIT), "child watch did not fire"
    zk.get_children("/kz", include_data=True)
    assert zk.exists("/kz/missing") is None
    tx = zk.transaction()
    tx.create("/kz/t", b"t")
    tx.set_data("/kz/a", b"a2")
    tx.check("/kz/b", 0)
    tx.delete("/kz/b")
    results = tx.commit()
    print(f"  transaction results {results}")
    tx = zk.transaction()
    tx.create("/kz/u", b"u")
    tx.delete("/kz/nope")
    results = tx.commit()
    print(f"  failing transaction results {results}")
    zk.sync("/kz")
    zk.delete("/kz", recursive=True)
    print(f"  events {seen}")
    zk.stop()
    zk.close()


def kazoo_ephemeral_seq(hosts):
    zk = KazooClient(hosts=hosts, timeout=30.0)
    zk.start(timeout=WAIT)
    zk.add_auth("digest", "kz:secret")
    zk.ensure_path("/kzs")
    for _ in range(3):
        print("  " + zk.create("/kzs/n-", b"", ephemeral=True, sequence=True))
    print(f"  children {sorted(zk.get_children('/kzs'))}")
    print(f"  acl {zk.get_acls('/kzs')}")
    zk.stop()
    zk.close()


SCENARIOS = {"kazoo-basic": kazoo_basic, "kazoo-ephemeral-seq": kazoo_ephemeral_seq}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--control-port", type=int, required=True)
    ap.add_argument("scenarios", nargs="*")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    ctl = control(args.control_port)
    hosts = f"127.0.0.1:{args.port}"
    failed = 0
    for name in args.scenarios or list(SCENARIOS):
        print(f"== {name}", flush=True)
        assert ctl(f"scenario {name}") == "ok"
        try:
            SCENARIOS[name](hosts)
        except Exception as e:  # noqa: BLE001 - report and go on
            failed += 1
            print(f"!! {name} failed: {e!r}", flush=True)
            ctl("drop")
        r = ctl("settle 30")
        if r != "ok":
            failed += 1
            print(f"!! {name}: connections still open: {r}", flush=True)
            ctl("drop")
    ctl("scenario idle-kazoo")
    print("all kazoo scenarios done" if not failed else f"{failed} kazoo scenario(s) failed", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
