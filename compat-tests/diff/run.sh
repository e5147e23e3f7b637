#!/usr/bin/env bash
# Differential suite: the same scripted client sessions against Java ZooKeeper (the reference)
# and rzk, replies compared field by field after normalisation (see README.md here).
#
#   compat-tests/diff/run.sh                  all scenarios
#   DIFF_ONLY=multi,watches compat-tests/diff/run.sh
#   RZK_BIN=/path/to/rzk  KEEP_WORK=1  DIFF_VERBOSE=1
#
# Prints a readable diff per differing scenario, then "N passed, M failed"; exits 1 on any
# difference.  Starts two server pairs (main: extended types on; aux: extended types off and
# a 1 s container reaper), each on free 127.0.0.1 ports with fresh data dirs, and stops every
# process it started by PID on exit.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
RZK_BIN="${RZK_BIN:-$ROOT/target/release/rzk}"
PY="${PYTHON:-python3}"

log() { printf '[diff] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 2; }

[[ -x "$RZK_BIN" ]] || die "rzk binary '$RZK_BIN' not found (cargo build --release, or set RZK_BIN)"
if [[ ! -f /usr/share/java/zookeeper.jar ]] || ! command -v java >/dev/null; then
    log "Java ZooKeeper missing: running scripts/install-test-deps.sh"
    "$ROOT/scripts/install-test-deps.sh"
fi
[[ -f /usr/share/java/zookeeper.jar ]] || die "/usr/share/java/zookeeper.jar missing"
ZK_CP="/usr/share/java/zookeeper.jar"
[[ -f /usr/share/java/slf4j-simple.jar ]] && ZK_CP="$ZK_CP:/usr/share/java/slf4j-simple.jar"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/rzk-diff.XXXXXX")"
RESULTS="$WORK/results"
mkdir -p "$RESULTS"
PIDS=()

cleanup() {
    local rc=$?
    local pid
    for pid in "${PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
        fi
    done
    for pid in "${PIDS[@]}"; do
        # wait up to ~5 s, then SIGKILL that one PID
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [[ -n "${KEEP_WORK:-}" || $rc -ne 0 && $rc -ne 1 ]]; then
        log "work dir kept: $WORK"
    else
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

write_cfg() {   # write_cfg <file> <dataDir> <port> [extra lines...]
    local file="$1" data="$2" port="$3"; shift 3
    mkdir -p "$data"
    {
        echo "tickTime=2000"
        echo "initLimit=10"
        echo "syncLimit=5"
        echo "dataDir=$data"
        echo "clientPort=$port"
        echo "clientPortAddress=127.0.0.1"
        echo "4lw.commands.whitelist=*"
        echo "admin.enableServer=false"
        local l
        for l in "$@"; do echo "$l"; done
    } >"$file"
}

wait_ready() {   # wait_ready <name> <pid> <port> <logfile>
    local name="$1" pid="$2" port="$3" logf="$4"
    local deadline=$((SECONDS + 60))
    while ((SECONDS < deadline)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 30 "$logf" >&2 || true
            die "$name exited during startup (log above)"
        fi
        if "$PY" "$HERE/harness.py" --wait "127.0.0.1:$port" --deadline 2 2>/dev/null; then
            return 0
        fi
    done
    tail -n 30 "$logf" >&2 || true
    die "$name did not answer ruok/srvr on port $port within 60 s"
}

# start_pair <group> <system properties...>: the same properties for both servers
JAVA_PID="" RZK_PID="" JAVA_PORT="" RZK_PORT=""
start_pair() {
    local group="$1"; shift
    local props=("$@") jprops=() rprops=() p
    for p in "${props[@]}"; do jprops+=("-D$p"); rprops+=(-D "$p"); done
    JAVA_PORT="$(free_port)"
    RZK_PORT="$(free_port)"
    while [[ "$RZK_PORT" == "$JAVA_PORT" ]]; do RZK_PORT="$(free_port)"; done
    write_cfg "$WORK/$group-java.cfg" "$WORK/$group-java-data" "$JAVA_PORT"
    write_cfg "$WORK/$group-rzk.cfg" "$WORK/$group-rzk-data" "$RZK_PORT"
    (cd "$WORK" && exec java -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
        "${jprops[@]}" -cp "$ZK_CP" org.apache.zookeeper.server.quorum.QuorumPeerMain \
        "$WORK/$group-java.cfg" >"$WORK/$group-java.log" 2>&1) &
    JAVA_PID=$!
    PIDS+=("$JAVA_PID")
    (cd "$WORK" && exec "$RZK_BIN" "${rprops[@]}" server "$WORK/$group-rzk.cfg" \
        >"$WORK/$group-rzk.log" 2>&1) &
    RZK_PID=$!
    PIDS+=("$RZK_PID")
    wait_ready "java ($group)" "$JAVA_PID" "$JAVA_PORT" "$WORK/$group-java.log"
    wait_ready "rzk ($group)" "$RZK_PID" "$RZK_PORT" "$WORK/$group-rzk.log"
    log "$group pair: java pid $JAVA_PID port $JAVA_PORT, rzk pid $RZK_PID port $RZK_PORT"
}

stop_pair() {
    local pid
    for pid in "$JAVA_PID" "$RZK_PID"; do
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}

run_group() {   # run_group <group> <system properties...>
    local group="$1"; shift
    if ! "$PY" -c "import sys; sys.path.insert(0, '$HERE'); import scenarios; \
sys.exit(0 if scenarios.group_selected('$group', '${DIFF_ONLY:-}') else 1)"; then
        return 0
    fi
    start_pair "$group" "$@"
    "$PY" "$HERE/harness.py" --java "127.0.0.1:$JAVA_PORT" --rzk "127.0.0.1:$RZK_PORT" \
        --group "$group" --out "$RESULTS" || die "harness failed for group $group"
    stop_pair
}

START=$SECONDS
# main pair: extended types (TTL) on; the container reaper effectively off, so that no
# deleteContainer txn lands at a random time in the middle of a scenario
run_group main zookeeper.extendedTypesEnabled=true znode.container.checkIntervalMs=3600000
# aux pair: extended types off (TTL -> UNIMPLEMENTED), container reaper every second
run_group aux zookeeper.extendedTypesEnabled=false znode.container.checkIntervalMs=1000
log "scenarios took $((SECONDS - START)) s; transcripts in $RESULTS"

set +e
"$PY" "$HERE/harness.py" --compare --out "$RESULTS"
rc=$?
set -e
exit $rc
