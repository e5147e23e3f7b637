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

declare -A RESULT
run_bench() { # impl mode extra-args...
  local impl=$1 mode=$2; shift 2
  local dir="$WORK/$impl-$mode"; rm -rf "$dir"
  read -r pid port startms < <(start "$impl" "$dir")
  local idle_rss; idle_rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
  local out; out=$("$RZK" bench --server "127.0.0.1:$port" --mode "$mode" --sessions "$SESSIONS" --depth "$DEPTH" \
      --duration "$SECS" --server-pid "$pid" --label "$impl" "$@")
  echo "$out"
  RESULT["$impl,$mode"]="$out"
  RESULT["$impl,start_ms"]="$startms"
  RESULT["$impl,idle_rss"]="$idle_rss"
  stop "$pid"
}

for mode in get set create mixed; do
  for impl in java rzk java rzk; do run_bench "$impl" "$mode"; done
done
for impl in java rzk; do run_bench "$impl" connect-storm --sessions 2000; done
for impl in java rzk; do run_bench "$impl" watch-fanout --sessions 1000; done
for impl in java rzk; do run_bench "$impl" big-tree --nodes "$BIG_NODES"; done

# Recovery of the same (Java-written) big data dir by each implementation.
dir="$WORK/recovery"; mkdir -p "$dir"
read -r pid port _ < <(start java "$dir")
"$RZK" bench --server "127.0.0.1:$port" --mode big-tree --nodes "$BIG_NODES" >/dev/null
stop "$pid"
for impl in java rzk; do
  read -r pid port ms < <(start "$impl" "$dir")
  RESULT["$impl,recover_ms"]=$ms
  stop "$pid"
done

python3 - "$SECS" <<'PY' "$(declare -p RESULT)"
import json, sys, re
decl = sys.argv[2]
pairs = dict(re.findall(r'\["([^"]+)"\]="((?:[^"\\]|\\.)*)"', decl))
def j(k):
    v = pairs.get(k)
    return json.loads(v.replace('\\"', '"')) if v and v.startswith("{") else v
rows = []
def ratio(a, b):
    try: return float(a) / float(b)
    except Exception: return float("nan")
for mode in ["get", "set", "create", "mixed", "connect-storm", "watch-fanout", "big-tree"]:
    r, jv = j(f"rzk,{mode}"), j(f"java,{mode}")
    if not r or not jv: continue
    rows.append((mode, "ops/s", r["ops_per_s"], jv["ops_per_s"], ratio(r["ops_per_s"], jv["ops_per_s"])))
    for k in ["p99_us", "p999_us", "server_cpu_us_per_op"]:
        if k in r and k in jv:
            rows.append((mode, k, r[k], jv[k], ratio(r[k], jv[k])))
    if mode == "big-tree":
        rows.append((mode, "server RSS KiB", r.get("server_rss_kib"), jv.get("server_rss_kib"), ratio(r.get("server_rss_kib"), jv.get("server_rss_kib"))))
for k, label in [("start_ms", "start to first session ms"), ("idle_rss", "idle RSS KiB"), ("recover_ms", "recover big data dir ms")]:
    a, b = pairs.get(f"rzk,{k}"), pairs.get(f"java,{k}")
    rows.append(("server", label, a, b, ratio(a, b)))
print()
print(f"| benchmark | metric | rzk | Java 3.8.0 | rzk/Java |")
print(f"| --- | --- | --- | --- | --- |")
for m, k, a, b, r in rows:
    print(f"| {m} | {k} | {a} | {b} | {r:.2f} |")
PY
