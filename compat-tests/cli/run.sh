#!/usr/bin/env bash
# Command-line client compatibility suite: scripted checks with the C client's shell `cli_mt`
# (Debian zookeeper-bin) and the Java client's `zkCli.sh` (Debian zookeeper), each check parsing the
# tool's output and comparing it with what ZooKeeper 3.8 prints (checks.py).
#
#   compat-tests/cli/run.sh [NAME...]          against rzk ($RZK_BIN, default target/release/rzk)
#   compat-tests/cli/run.sh --java [NAME...]   the same checks against Java ZooKeeper 3.8.0 (Debian)
#
# Starts the server on 127.0.0.1 on a free port with a fresh dataDir, waits (with a deadline) until
# it answers `srvr`, runs the checks, stops the server by PID and prints `N passed, M failed`. Exits
# non-zero on any failure; the scratch directory (server.log) is kept then.
#
# Environment: RZK_BIN, KEEP_WORK=1 (keep the scratch directory), CLI_TIMEOUT (seconds to wait for
# one answer, default 20).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
J=/usr/share/java

log() { printf '[cli-compat %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

MODE=rzk
if [[ "${1:-}" == "--java" ]]; then MODE=java; shift; fi
RZK_BIN="${RZK_BIN:-$ROOT/target/release/rzk}"
[[ "$RZK_BIN" == /* ]] || RZK_BIN="$PWD/$RZK_BIN"

# ------------------------------------------------------------------ tools
find_cli_mt() { dpkg -L zookeeper-bin 2>/dev/null | grep -m1 '/cli_mt$' || true; }
ZKCLI=/usr/share/zookeeper/bin/zkCli.sh
CLI_MT="$(find_cli_mt)"
if [[ -z "$CLI_MT" || ! -x "$ZKCLI" || ! -f $J/zookeeper.jar ]]; then
    log "cli_mt or zkCli.sh missing, running scripts/install-test-deps.sh"
    "$ROOT/scripts/install-test-deps.sh"
    CLI_MT="$(find_cli_mt)"
fi
[[ -x "$CLI_MT" ]] || die "cli_mt not found (Debian package zookeeper-bin)"
[[ -x "$ZKCLI" ]] || die "$ZKCLI not found (Debian package zookeeper)"
command -v python3 >/dev/null || die "python3 not found"
if [[ $MODE == rzk ]]; then
    [[ -x "$RZK_BIN" ]] || die "rzk binary not found: $RZK_BIN (cargo build --release, or set RZK_BIN)"
fi

# ------------------------------------------------------------------ server
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rzk-cli-compat.XXXXXX")
SERVER_PID=""

is_alive() {   # a live, non-zombie process
    local st
    st=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ "$st" != Z && "$st" != X ]]
}

srvr_ok() {   # srvr_ok <port>: the server answers the srvr four-letter word
    timeout 3 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf srvr >&3
        out=$(cat <&3) || exit 1
        [[ "$out" == *"Zookeeper version"* ]]' _ "$1" 2>/dev/null
}

server_stop() {   # SIGTERM, then SIGKILL after 20s
    [[ -n "$SERVER_PID" ]] || return 0
    local pid=$SERVER_PID
    SERVER_PID=""
    if is_alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + 20))
        while is_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
        if is_alive "$pid"; then
            log "server pid $pid ignored SIGTERM for 20s, killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    server_stop
    if [[ $rc -ne 0 || "${KEEP_WORK:-0}" == 1 ]]; then
        log "scratch directory kept: $WORK (server.log)"
    else
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK/data"
CFG="$WORK/zoo.cfg"
cat >"$CFG" <<EOF
tickTime=2000
initLimit=10
syncLimit=5
dataDir=$WORK/data
clientPort=$PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=*
EOF

if [[ $MODE == java ]]; then
    java -Xmx512m -Djava.net.preferIPv4Stack=true -Dzookeeper.admin.enableServer=false \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.showDateTime=true \
        -cp "/etc/zookeeper/conf:$J/zookeeper.jar:$J/netty-codec.jar:$J/slf4j-simple.jar" \
        org.apache.zookeeper.server.quorum.QuorumPeerMain "$CFG" >>"$WORK/server.log" 2>&1 &
else
    RUST_LOG="${RUST_LOG:-info}" "$RZK_BIN" server "$CFG" >>"$WORK/server.log" 2>&1 &
fi
SERVER_PID=$!
deadline=$((SECONDS + 60))
until srvr_ok "$PORT"; do
    if ! is_alive "$SERVER_PID"; then
        tail -n 30 "$WORK/server.log" >&2 || true
        die "server (pid $SERVER_PID) exited during startup; log: $WORK/server.log"
    fi
    ((SECONDS < deadline)) || die "server (pid $SERVER_PID) not answering srvr on 127.0.0.1:$PORT within 60s"
    sleep 0.2
done
log "server up: $MODE pid $SERVER_PID on 127.0.0.1:$PORT"

# ------------------------------------------------------------------ checks
# zkCli.sh's JVM: small heap, its log (slf4j NOP in Debian) nowhere.
export CLIENT_JVMFLAGS="-Xmx128m -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true"
export CLI_MT ZKCLI
set +e
python3 "$HERE/checks.py" "127.0.0.1:$PORT" "$@"
rc=$?
set -e
exit $rc
