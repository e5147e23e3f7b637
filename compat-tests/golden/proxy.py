#!/usr/bin/env python3
"""Recording TCP proxy for the golden-bytes capture.

Listens on 127.0.0.1:<listen-port>, forwards every connection byte-for-byte to
<target-host>:<target-port> and records what it saw, one fixture file per TCP
connection.

Modes
-----
``frames`` (ZooKeeper client port)
    Each direction is split into frames (4-byte big-endian length + payload).
    The fixture file ``<out>/<scenario>-<n>.frames`` holds one line per frame,
    in the order the proxy received them (both directions interleaved)::

        # <scenario>
        C <lowercase hex payload>      client -> server
        S <lowercase hex payload>      server -> client
        # <free comment>

    A connection whose first 4 client bytes are a four-letter word is not
    framed: the server's answer is stored verbatim in
    ``<fourlw-out>/<cmd>.txt``.

``raw`` (quorum / election ports, which have no outer length prefix)
    Every chunk read from a socket becomes one line ``<label> <hex>`` in
    ``<out>/<scenario>-<n>.raw``; the labels of the two directions are given
    with ``--up-label`` (connecting side -> target) and ``--down-label``.

Control port
------------
A line protocol on 127.0.0.1:<control-port> lets the capture drivers label
connections and synchronise with the proxy (one command per line, one reply
line each):

    scenario <name>            connections accepted from now on belong to <name>
                               (numbered 1, 2, ... in the order their first byte
                               arrives; connections without any data get no file) -> "ok"
    settle <seconds>           wait until every connection of the current
                               scenario is closed and written -> "ok" | "timeout <open>"
    drop [<n>]                 abort every open connection of the current scenario
                               (or only connection <n>; both sockets) -> "ok <count>"
    drop-session <hex id>      abort the open connections whose ConnectResponse carried
                               that session id (any scenario)       -> "ok <count>"
    hold                       connections accepted from now on are held: accepted,
                               but not connected to the target and not read -> "ok"
    release                    stop holding; let every held connection proceed -> "ok <count>"
    release-one [<seconds>]    wait for a held connection and let the oldest one
                               proceed (holding stays on)           -> "ok" | "timeout"
    wait <C|S> <hexprefix> <seconds>
                               wait until a frame of that direction whose payload
                               starts with <hexprefix> was recorded in the current
                               scenario (``-`` = any payload)       -> "ok" | "timeout"
    count                      number of connections accepted in the current
                               scenario                             -> "ok <n>"

SIGTERM/SIGINT: still-open connections are written out, then the proxy exits.
Only the standard library is used.
"""

import argparse
import asyncio
import os
import signal
import struct
import sys

FOUR_LETTER_WORDS = {
    b"conf", b"cons", b"crst", b"dirs", b"dump", b"envi", b"gtmk", b"ruok",
    b"stmk", b"srst", b"srvr", b"stat", b"wchc", b"wchp", b"wchs", b"mntr",
    b"isro", b"hash", b"hmmm",
}


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class Recording:
    """Everything recorded about one proxied TCP connection."""

    def __init__(self, proxy, scenario, labels=None):
        self.proxy = proxy
        self.labels = labels or (proxy.up_label, proxy.down_label)
        self.scenario = scenario
        self.index = None         # assigned when the first byte arrives (see number())
        self.lines = []          # (label, bytes) or ("#", text)
        self.buf = {"C": b"", "S": b""}
        self.first = b""          # first client bytes, for 4lw detection
        self.fourlw = None        # command bytes when the connection is a 4lw exchange
        self.raw_client = b""
        self.raw_server = b""
        self.decided = proxy.mode == "raw"
        self.done = asyncio.Event()
        self.writers = []
        self.written = False
        self.session = None       # session id from the ConnectResponse (frames mode)

    # -- recording ---------------------------------------------------------
    def number(self):
        """Connections are numbered per scenario in the order their first byte arrives, so
        probes and connections the target refused (no data) leave no gaps."""
        if self.index is None:
            self.index = self.proxy.counters.get(self.scenario, 0) + 1
            self.proxy.counters[self.scenario] = self.index

    def feed(self, direction, data):
        """direction: 'C' (connecting side -> target) or 'S' (target -> connecting side)."""
        self.number()
        if self.proxy.mode == "raw":
            label = self.labels[0] if direction == "C" else self.labels[1]
            self.lines.append((label, data))
            self.proxy.notify()
            return
        if not self.decided:
            if direction == "C":
                self.first += data
                if len(self.first) >= 4:
                    self.decided = True
                    if self.first[:4] in FOUR_LETTER_WORDS:
                        self.fourlw = self.first[:4]
                        self.raw_client = self.first
                    else:
                        pending, self.first = self.first, b""
                        self._frames("C", pending)
                return
            # server talking first (never happens with ZooKeeper): frame it anyway
            self.decided = True
            if self.first:
                pending, self.first = self.first, b""
                self._frames("C", pending)
        if self.fourlw is not None:
            if direction == "C":
                self.raw_client += data
            else:
                self.raw_server += data
            return
        self._frames(direction, data)

    def _frames(self, direction, data):
        buf = self.buf[direction] + data
        while len(buf) >= 4:
            (length,) = struct.unpack(">i", buf[:4])
            if length < 0:
                self.comment(f"{direction} negative frame length {length}; rest of this direction recorded as comments")
                self.comment(f"{direction}-bytes {buf.hex()}")
                buf = b""
                break
            if len(buf) < 4 + length:
                break
            payload = buf[4:4 + length]
            if direction == "S" and self.session is None and len(payload) >= 16:
                self.session = struct.unpack(">Q", payload[8:16])[0]   # ConnectResponse.sessionId
            self.lines.append((direction, payload))
            buf = buf[4 + length:]
        self.buf[direction] = buf
        self.proxy.notify()

    def comment(self, text):
        self.lines.append(("#", text))

    def eof(self, direction, how):
        side = "client" if direction == "C" else "server"
        if self.fourlw is None:
            self.comment(f"{side} {how}")

    # -- output ------------------------------------------------------------
    def finish(self):
        if self.written:
            return
        self.written = True
        proxy = self.proxy
        if self.fourlw is not None:
            cmd = self.fourlw.decode()
            os.makedirs(proxy.fourlw_out, exist_ok=True)
            k = proxy.fourlw_seen.get(cmd, 0) + 1
            proxy.fourlw_seen[cmd] = k
            name = f"{cmd}.txt" if k == 1 else f"{cmd}-{k}.txt"
            write_atomic(os.path.join(proxy.fourlw_out, name), self.raw_server)
            self.done.set()
            proxy.notify()
            return
        for d in ("C", "S"):
            rest = self.buf[d]
            if rest:
                if len(rest) >= 4:
                    (length,) = struct.unpack(">i", rest[:4])
                    self.comment(f"{d} incomplete frame: length field {length}, "
                                 f"{len(rest) - 4} payload bytes received before close; "
                                 f"first bytes {rest[:64].hex()}")
                else:
                    self.comment(f"{d} trailing bytes (shorter than a length field): {rest.hex()}")
        if not self.decided and self.first:
            self.comment(f"C trailing bytes (shorter than a length field): {self.first.hex()}")
        if (all(label == "#" for label, _ in self.lines) and self.fourlw is None
                and not self.first and not any(self.buf.values())):
            # nothing was sent either way (a port probe): no fixture
            self.done.set()
            proxy.notify()
            return
        out = [f"# {self.scenario}\n"]
        for label, payload in self.lines:
            if label == "#":
                out.append(f"# {payload}\n")
            else:
                out.append(f"{label} {payload.hex()}\n")
        ext = "raw" if proxy.mode == "raw" else "frames"
        os.makedirs(proxy.out, exist_ok=True)
        path = os.path.join(proxy.out, f"{self.scenario}-{self.index}.{ext}")
        write_atomic(path, "".join(out).encode())
        self.done.set()
        proxy.notify()


class Proxy:
    def __init__(self, args):
        self.args = args
        self.mode = args.mode
        self.out = args.out
        self.fourlw_out = args.fourlw_out or os.path.join(os.path.dirname(os.path.abspath(args.out)), "4lw")
        self.up_label = args.up_label
        self.down_label = args.down_label
        self.target = (args.target_host, args.target_port)
        self.scenario = args.scenario
        self.counters = {}
        self.recordings = []
        self.fourlw_seen = {}
        self.holding = False
        self.held = []
        self.changed = asyncio.Condition()

    def notify(self):
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self):
        async with self.changed:
            self.changed.notify_all()

    async def wait_for(self, predicate, timeout):
        async def waiter():
            async with self.changed:
                await self.changed.wait_for(predicate)
        try:
            await asyncio.wait_for(waiter(), timeout)
            return True
        except asyncio.TimeoutError:
            return False

    def current(self):
        return [r for r in self.recordings if r.scenario == self.scenario]

    # -- data path -----------------------------------------------------------
    async def handle(self, creader, cwriter, route=None):
        """route: None for the main listener, else (name, target port, up label, down label)."""
        name = self.scenario if route is None else route[0]
        target = self.target if route is None else (self.args.target_host, route[1])
        rec = Recording(self, name, None if route is None else (route[2], route[3]))
        self.recordings.append(rec)
        if self.holding:
            rec.held = asyncio.Event()
            self.held.append(rec)
            self.notify()
            await rec.held.wait()
        try:
            sreader, swriter = await asyncio.open_connection(*target)
        except OSError as e:
            rec.comment(f"proxy could not connect to target: {e}")
            cwriter.close()
            rec.finish()
            return
        rec.writers = [cwriter, swriter]
        await asyncio.gather(
            self.pump(rec, "C", creader, swriter),
            self.pump(rec, "S", sreader, cwriter),
        )
        for w in (cwriter, swriter):
            try:
                w.close()
            except Exception:
                pass
        rec.finish()

    async def pump(self, rec, direction, reader, writer):
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    rec.eof(direction, "closed the connection (EOF)")
                    try:
                        if writer.can_write_eof():
                            writer.write_eof()
                    except (OSError, RuntimeError):
                        pass
                    return
                rec.feed(direction, data)
                writer.write(data)
                await writer.drain()
        except (ConnectionResetError, BrokenPipeError, ConnectionAbortedError) as e:
            rec.eof(direction, f"connection reset ({type(e).__name__})")
            for w in rec.writers:
                try:
                    w.transport.abort()
                except Exception:
                    pass
        except OSError as e:
            rec.eof(direction, f"socket error ({e})")
            for w in rec.writers:
                try:
                    w.transport.abort()
                except Exception:
                    pass

    # -- control -------------------------------------------------------------
    async def control(self, reader, writer):
        while True:
            line = await reader.readline()
            if not line:
                break
            parts = line.decode().split()
            if not parts:
                continue
            cmd, args = parts[0], parts[1:]
            reply = "error unknown command"
            if cmd == "scenario" and len(args) == 1:
                self.scenario = args[0]
                reply = "ok"
            elif cmd == "settle":
                timeout = float(args[0]) if args else 10.0
                ok = await self.wait_for(lambda: all(r.done.is_set() for r in self.current()), timeout)
                reply = "ok" if ok else f"timeout {sum(not r.done.is_set() for r in self.current())}"
            elif cmd == "hold":
                self.holding = True
                reply = "ok"
            elif cmd == "release":
                self.holding = False
                for r in self.held:
                    r.held.set()
                reply = f"ok {len(self.held)}"
                self.held = []
            elif cmd == "release-one":
                timeout = float(args[0]) if args else 10.0
                if await self.wait_for(lambda: bool(self.held), timeout):
                    r = self.held.pop(0)
                    r.held.set()
                    reply = "ok"
                else:
                    reply = "timeout"
            elif cmd in ("drop", "drop-session"):
                count = 0
                for r in self.recordings:
                    if cmd == "drop-session":
                        if not args or r.session != int(args[0], 16):
                            continue
                    elif r.scenario != self.scenario or (args and r.index != int(args[0])):
                        continue
                    if not r.done.is_set() and r.writers:
                        r.comment("proxy dropped the connection (both sockets aborted)")
                        for w in r.writers:
                            w.transport.abort()
                        count += 1
                reply = f"ok {count}"
            elif cmd == "wait" and len(args) == 3:
                direction, prefix, timeout = args[0], args[1].lower(), float(args[2])
                if prefix == "-":
                    prefix = ""

                def seen():
                    for r in self.current():
                        for label, payload in r.lines:
                            if label == direction and payload.hex().startswith(prefix):
                                return True
                    return False
                reply = "ok" if await self.wait_for(seen, timeout) else "timeout"
            elif cmd == "count":
                reply = f"ok {len(self.current())}"
            writer.write((reply + "\n").encode())
            await writer.drain()
        writer.close()

    def flush_all(self):
        for r in self.recordings:
            if not r.done.is_set():
                r.comment("proxy shut down while the connection was open")
                r.finish()


async def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen-port", type=int, default=0, help="main listener (0 = none)")
    ap.add_argument("--target-host", default="127.0.0.1")
    ap.add_argument("--target-port", type=int, default=0)
    ap.add_argument("--route", action="append", default=[], metavar="NAME:LISTEN:TARGET[:UP:DOWN]",
                    help="extra listener whose connections are recorded as <NAME>-<n>.<ext> "
                         "(raw mode: with their own direction labels); repeatable")
    ap.add_argument("--control-port", type=int, default=0, help="0 = no control port")
    ap.add_argument("--out", required=True, help="directory for the per-connection fixture files")
    ap.add_argument("--fourlw-out", default=None, help="directory for 4lw answers (default: <out>/../4lw)")
    ap.add_argument("--mode", choices=["frames", "raw"], default="frames")
    ap.add_argument("--up-label", default="C", help="raw mode: label of connecting side -> target")
    ap.add_argument("--down-label", default="S", help="raw mode: label of target -> connecting side")
    ap.add_argument("--scenario", default="unnamed", help="initial scenario name")
    args = ap.parse_args()

    proxy = Proxy(args)
    servers = []
    if args.listen_port:
        servers.append(await asyncio.start_server(proxy.handle, "127.0.0.1", args.listen_port))
    for spec in args.route:
        parts = spec.split(":")
        route = (parts[0], int(parts[2]), parts[3] if len(parts) > 3 else args.up_label,
                 parts[4] if len(parts) > 4 else args.down_label)

        def make(route):
            return lambda r, w: proxy.handle(r, w, route)
        servers.append(await asyncio.start_server(make(route), "127.0.0.1", int(parts[1])))
    if args.control_port:
        servers.append(await asyncio.start_server(proxy.control, "127.0.0.1", args.control_port))

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"proxy listening on 127.0.0.1:{args.listen_port} -> {args.target_host}:{args.target_port}"
          f" (control {args.control_port or 'off'}; {len(args.route)} routes)", flush=True)
    await stop.wait()
    for srv in servers:
        srv.close()
    proxy.flush_all()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
