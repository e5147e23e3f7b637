#!/usr/bin/env bash
# Side-by-side benchmark of rzk and Java ZooKeeper 3.8 (Debian) on this machine, in one run.
#
#   scripts/bench.sh [seconds-per-run]      (default 10)
#
# Both servers get the same zoo.cfg (tickTime 2000, forceSync on, maxClientCnxns 0, dataDir on the same
# disk), each benchmark alternates Java and rzk (A/B/A/B) so drift hits both, and the table reports
# rzk/Java ratios (throughput: higher is better; CPU/op, latency, RSS, start time: lower is better).
# Numbers are only comparable within one run on one machine. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-10}"
SESSIONS="${BENCH_SESSIONS:-64}"
DEPTH="${BENCH_DEPTH:-16}"
BIG_NODES="${BENCH_BIG_NODES:-200000}"
scripts/install-test-deps.sh >/dev/null
cargo build --release --quiet
RZK=target/release/rzk
WORK="$(mktemp -d /tmp/rzk-bench.XXXXXX)"
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
JAVA_CP="/etc/zookeeper/conf:/usr/share/java/zookeeper.jar:/usr/share/java/netty-codec.jar"

now_ms() { date +%s%3N; }

# start <impl> <dir>: prints "pid port start_ms_to_first_session"
start() {
  local impl=$1 dir=$2 port; port=$(free_port)
  mkdir -p "$dir/data"
  cat >"$dir/zoo.cfg" <<CFG
tickTime=2000
dataDir=$dir/data
clientPort=$port
clientPortAddress=127.0.0.1
maxClientCnxns=0
4lw.commands.whitelist=*
admin.enableServer=false
CFG
  local t0; t0=$(now_ms)
  if [[ $impl == java ]]; then
    java -Xmx2g -cp "$JAVA_CP" -Dzookeeper.root.logger=WARN,CONSOLE org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zoo.cfg" >"$dir/log" 2>&1 &
  else
    RZK_LOG=warn "$RZK" server "$dir/zoo.cfg" >"$dir/log" 2>&1 &
  fi
  local pid=$!; PIDS+=("$pid")
  # Time to the first established session.
  local deadline=$(( $(now_ms) + 60000 ))
  until python3 - "$port" <<'PY' 2>/dev/null
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
req = struct.pack(">iqiqi", 0, 0, 30000, 0, 16) + b"\0" * 16 + b"\0"
s.sendall(struct.pack(">i", len(req)) + req)
n = struct.unpack(">i", s.recv(4))[0]
body = s.recv(n)
sys.exit(0 if struct.unpack(">i", body[4:8])[0] > 0 else 1)
PY
  do
    (( $(now_ms) < deadline )) || { echo "server did not start" >&2; cat "$dir/log" >&2; exit 1; }
  done
  echo "$pid $port $(( $(now_ms) - t0 ))"
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

RESULTS="$WORK/results.jsonl"; SCALARS="$WORK/scalars.txt"
run_bench() { # impl mode sessions extra-args...
  local impl=$1 mode=$2 sessions=$3; shift 3
  local dir="$WORK/$impl-$mode"; rm -rf "$dir"
  read -r pid port startms < <(start "$impl" "$dir")
  local idle_rss; idle_rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
  local out; out=$("$RZK" bench --server "127.0.0.1:$port" --mode "$mode" --sessions "$sessions" --depth "$DEPTH" \
      --duration "$SECS" --server-pid "$pid" --label "$impl" "$@")
  echo "$out"
  echo "$out" >>"$RESULTS"
  echo "$impl start_ms $startms" >>"$SCALARS"
  echo "$impl idle_rss $idle_rss" >>"$SCALARS"
stop "$pid"
}

for mode in get set create mixed; do
  for impl in java rzk java rzk; do run_bench "$impl" "$mode" "$SESSIONS"; done
done
for impl in java rzk; do run_bench "$impl" connect-storm 2000; done
for impl in java rzk; do run_bench "$impl" watch-fanout 1000; done
for impl in java rzk; do run_bench "$impl" big-tree "$SESSIONS" --nodes "$BIG_NODES"; done

# Recovery of the same (Java-written) big data dir by each implementation.
dir="$WORK/recovery"; mkdir -p "$dir"
read -r pid port _ < <(start java "$dir")
"$RZK" bench --server "127.0.0.1:$port" --mode big-tree --nodes "$BIG_NODES" >/dev/null
stop "$pid"
for impl in java rzk; do
  read -r pid port ms < <(start "$impl" "$dir")
  echo "$impl recover_ms $ms" >>"$SCALARS"
  stop "$pid"
done

python3 - "$RESULTS" "$SCALARS" <<'PY'
import json, sys, statistics
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
scal = {}
for line in open(sys.argv[2]):
    impl, key, val = line.split()
    scal.setdefault((impl, key), []).append(float(val))
def mean(impl, mode, key):
    vals = [r[key] for r in runs if r["label"] == impl and r["mode"] == mode and key in r]
    return statistics.mean(vals) if vals else None
def fmt(v):
    return "-" if v is None else (f"{v:.0f}" if abs(v) >= 100 else f"{v:.2f}")
def ratio(a, b):
    return "-" if a is None or b in (None, 0) else f"{a / b:.2f}"
rows = []
for mode in ["get", "set", "create", "mixed", "connectstorm", "watchfanout", "bigtree"]:
    for key in ["ops_per_s", "server_cpu_us_per_op", "p99_us", "p999_us"] + (["server_rss_kib"] if mode == "bigtree" else []):
        a, b = mean("rzk", mode, key), mean("java", mode, key)
        if a is not None or b is not None:
            rows.append((mode, key, a, b))
for key, label in [("start_ms", "start to first session (ms)"), ("idle_rss", "idle RSS (KiB)"), ("recover_ms", "start on a big Java data dir (ms)")]:
    a = statistics.mean(scal[("rzk", key)]) if ("rzk", key) in scal else None
    b = statistics.mean(scal[("java", key)]) if ("java", key) in scal else None
    rows.append(("server", label, a, b))
print()
print("| benchmark | metric | rzk | Java 3.8.0 | rzk/Java |")
print("| --- | --- | --- | --- | --- |")
for m, k, a, b in rows:
    print(f"| {m} | {k} | {fmt(a)} | {fmt(b)} | {ratio(a, b)} |")
PY
