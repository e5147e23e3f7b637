#!/usr/bin/env python3
"""Small helpers for capture.sh (standard library only).

  goldutil.py free-ports N                 print N distinct free TCP ports on 127.0.0.1
  goldutil.py wait-ruok PORT SECONDS       poll "ruok" until the answer is "imok"
  goldutil.py wait-port PORT SECONDS       poll until 127.0.0.1:PORT accepts connections
  goldutil.py wait-mode PORT MODE SECONDS [PID]
                                           poll "srvr" until its "Mode:" line is MODE
                                           (MODE may be "leader|follower"); with PID, exit 3
                                           as soon as that process is gone.  (ruok is not
                                           enough: it answers "imok" while the data dir is
                                           still loading)
  goldutil.py wait-text FILE TEXT SECONDS  poll until FILE contains TEXT
  goldutil.py wait-exit PID SECONDS        wait until process PID is gone (exit 1 on timeout)
  goldutil.py wait-snapshots DIR SECONDS   wait until every snapshot in DIR is complete and
                                           no file in DIR changed for 1 s
  goldutil.py ctl PORT CMD [CMD...]        send proxy control commands, print the replies;
                                           exit 1 unless every reply starts with "ok"
  goldutil.py copy-datadir SRC DST         copy SRC/version-2/{log.*,snapshot.*,*Epoch} to DST/version-2,
                                           trimming the zero padding of the log files
  goldutil.py trim-log SRC DST             trim one txn log file
"""

import os
import shutil
import socket
import struct
import sys
import time

KEEP_ZEROS = 20   # zero bytes kept after the last record of a trimmed log


def free_ports(n):
    socks, ports = [], []
    try:
        while len(ports) < n:
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def four_letter(port, cmd, timeout=2.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(cmd.encode())
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out.decode(errors="replace")
            out += chunk


def poll(fn, seconds, what):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            if fn():
                return True
        except OSError as e:
            last = e
        time.sleep(0.1)
    print(f"timeout after {seconds}s waiting for {what} (last error: {last})", file=sys.stderr)
    return False


def log_end(data):
    """Offset just past the last complete record of a txn log (file header is 16 bytes)."""
    magic, version = struct.unpack_from(">ii", data, 0)
    if magic != 0x5A4B4C47:
        raise ValueError("not a ZooKeeper txn log (bad magic)")
    pos = 16
    while pos + 12 <= len(data):
        length = struct.unpack_from(">i", data, pos + 8)[0]
        if length == 0:
            break                      # the zero padding: end of log
        if length < 0 or pos + 12 + length + 1 > len(data):
            raise ValueError(f"bad record length {length} at offset {pos}")
        if data[pos + 12 + length] != 0x42:
            raise ValueError(f"record at offset {pos} does not end with 'B'")
        pos += 12 + length + 1
    return pos


def trim_log(src, dst):
    with open(src, "rb") as f:
        data = f.read()
    end = log_end(data)
    keep = min(len(data), end + KEEP_ZEROS)
    if any(data[end:keep]):
        raise ValueError(f"{src}: non-zero bytes after the last record")
    with open(dst, "wb") as f:
        f.write(data[:keep])
    return end, keep


def snapshot_complete(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".gz"):
        import gzip
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            return False
    return len(data) >= 10 and data[-5:] == b"\x00\x00\x00\x01/"


def snapshots_settled(d):
    names = [n for n in os.listdir(d) if n.startswith("snapshot.")]
    if not names:
        return False
    if not all(snapshot_complete(os.path.join(d, n)) for n in names):
        return False
    newest = max(os.path.getmtime(os.path.join(d, n)) for n in os.listdir(d))
    return time.time() - newest > 1.0


def copy_datadir(src, dst):
    s2 = os.path.join(src, "version-2")
    d2 = os.path.join(dst, "version-2")
    os.makedirs(d2, exist_ok=True)
    for name in sorted(os.listdir(s2)):
        sp, dp = os.path.join(s2, name), os.path.join(d2, name)
        if name.startswith("log."):
            end, keep = trim_log(sp, dp)
            print(f"  {name}: {os.path.getsize(sp)} bytes -> {keep} (records end at {end})")
        elif name.startswith("snapshot."):
            if not snapshot_complete(sp):
                print(f"  {name}: incomplete snapshot, skipped")
                continue
            shutil.copyfile(sp, dp)
            print(f"  {name}: {os.path.getsize(sp)} bytes")
        elif name in ("acceptedEpoch", "currentEpoch"):
            shutil.copyfile(sp, dp)
            print(f"  {name}: {open(sp).read()!r}")


def process_gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:      # a zombie (exited child of the calling shell) counts as gone
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(") ", 1)[-1].startswith("Z")
    except OSError:
        return True


def main(argv):
    cmd = argv[0] if argv else ""
    if cmd == "free-ports":
        print(" ".join(map(str, free_ports(int(argv[1])))))
    elif cmd == "wait-ruok":
        port, secs = int(argv[1]), float(argv[2])
        return 0 if poll(lambda: four_letter(port, "ruok") == "imok", secs, f"ruok on {port}") else 1
    elif cmd == "wait-port":
        port, secs = int(argv[1]), float(argv[2])

        def up():
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        return 0 if poll(up, secs, f"port {port}") else 1
    elif cmd == "wait-mode":
        port, modes, secs = int(argv[1]), argv[2].split("|"), float(argv[3])
        pid = int(argv[4]) if len(argv) > 4 else None
        state = {"exited": False}

        def mode():
            if pid is not None and process_gone(pid):
                state["exited"] = True
                return True
            for line in four_letter(port, "srvr").splitlines():
                if line.startswith("Mode: "):
                    return line[6:].strip() in modes
            return False
        ok = poll(mode, secs, f"mode {argv[2]} on {port}")
        return 3 if state["exited"] else (0 if ok else 1)
    elif cmd == "wait-text":
        path, text, secs = argv[1], argv[2], float(argv[3])

        def found():
            with open(path, errors="replace") as f:
                return text in f.read()
        return 0 if poll(found, secs, f"'{text}' in {path}") else 1
    elif cmd == "wait-exit":
        pid, secs = int(argv[1]), float(argv[2])
        return 0 if poll(lambda: process_gone(pid), secs, f"pid {pid} to exit") else 1
    elif cmd == "wait-snapshots":
        d, secs = argv[1], float(argv[2])
        return 0 if poll(lambda: snapshots_settled(d), secs, f"snapshots in {d}") else 1
    elif cmd == "ctl":
        ok = True
        with socket.create_connection(("127.0.0.1", int(argv[1])), timeout=120) as s:
            f = s.makefile("rw", encoding="utf-8", newline="\n")
            for c in argv[2:]:
                f.write(c + "\n")
                f.flush()
                reply = f.readline().strip()
                print(f"{c} -> {reply}")
                ok = ok and reply.startswith("ok")
        return 0 if ok else 1
    elif cmd == "copy-datadir":
        copy_datadir(argv[1], argv[2])
    elif cmd == "trim-log":
        print(trim_log(argv[1], argv[2]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
