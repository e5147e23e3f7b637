#!/usr/bin/env bash
# Java client and Apache Curator compatibility suite.
#
#   compat-tests/java/run.sh              test rzk ($RZK_BIN, default target/release/rzk)
#   compat-tests/java/run.sh --java       the same tests against Java ZooKeeper 3.8.0 (Debian)
#   compat-tests/java/run.sh [--java] NAME...   only the named tests (debugging)
#
# Compiles the tests (src/*.java) against Debian's ZooKeeper 3.8 client and Curator 5.4 jars into a
# scratch directory, starts the server under test on 127.0.0.1 on a free port with a fresh dataDir,
# waits (with a deadline) until it answers `srvr`, runs every test (each with its own timeout), stops
# the server by PID and prints `N passed, M failed`. Exits non-zero on any failure; the scratch
# directory (server log, client log) is kept then.
#
# Environment: RZK_BIN (rzk binary), KEEP_WORK=1 (keep the scratch directory), TEST_TIMEOUT_S
# (per-test timeout, default 60).
#
# Internal: `run.sh --ctl <workdir> start|stop|restart` is how the session-restart test restarts the
# server (same port, same dataDir).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
J=/usr/share/java

log() { printf '[java-compat %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------------------ server control
# A scratch directory holds server.env (MODE, RZK_BIN, PORT, CFG), server.pid and server.log.

is_alive() {   # a live, non-zombie process
    local pid="$1"
    [[ -r /proc/$pid/stat ]] || return 1
    local st
    st=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
    [[ "$st" != Z && "$st" != X ]]
}

srvr_ok() {   # srvr_ok <port>: the server answers the srvr four-letter word
    timeout 3 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf srvr >&3
        out=$(cat <&3) || exit 1
        [[ "$out" == *"Zookeeper version"* ]]' _ "$1" 2>/dev/null
}

server_start() {   # server_start <workdir>
    local work="$1"
    # shellcheck disable=SC1091
    source "$work/server.env"
    local props=(zookeeper.extendedTypesEnabled=true znode.container.checkIntervalMs=1000)
    if [[ $MODE == java ]]; then
        local jprops=()
        for p in "${props[@]}"; do jprops+=("-D$p"); done
        java -Xmx512m -Djava.net.preferIPv4Stack=true -Dzookeeper.admin.enableServer=false \
            -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.showDateTime=true \
            "${jprops[@]}" \
            -cp "/etc/zookeeper/conf:$J/zookeeper.jar:$J/netty-codec.jar:$J/slf4j-simple.jar" \
            org.apache.zookeeper.server.quorum.QuorumPeerMain "$CFG" >>"$work/server.log" 2>&1 &
    else
        local rprops=()
        for p in "${props[@]}"; do rprops+=(-D "$p"); done
        RUST_LOG="${RUST_LOG:-info}" "$RZK_BIN" "${rprops[@]}" server "$CFG" >>"$work/server.log" 2>&1 &
    fi
    local pid=$!
    echo "$pid" >"$work/server.pid"
    local deadline=$((SECONDS + 60))
    until srvr_ok "$PORT"; do
        if ! is_alive "$pid"; then
            tail -n 30 "$work/server.log" >&2 || true
            die "server (pid $pid) exited during startup; log: $work/server.log"
        fi
        ((SECONDS < deadline)) || die "server (pid $pid) not answering srvr on 127.0.0.1:$PORT within 60s"
        sleep 0.2
    done
    log "server up: $MODE pid $pid on 127.0.0.1:$PORT"
}

server_stop() {   # server_stop <workdir>: SIGTERM, then SIGKILL after 20s
    local work="$1" pid
    [[ -f "$work/server.pid" ]] || return 0
    pid=$(cat "$work/server.pid")
    if is_alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        local deadline=$((SECONDS + 20))
        while is_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
        if is_alive "$pid"; then
            log "server pid $pid ignored SIGTERM for 20s, killing"
            kill -KILL "$pid" 2>/dev/null || true
            while is_alive "$pid"; do sleep 0.1; done
        fi
    fi
    wait "$pid" 2>/dev/null || true
    rm -f "$work/server.pid"
    log "server pid $pid stopped"
}

if [[ "${1:-}" == "--ctl" ]]; then
    work="$2"
    case "$3" in
        start) server_start "$work" ;;
        stop) server_stop "$work" ;;
        restart) server_stop "$work"; server_start "$work" ;;
        *) die "--ctl: unknown action $3" ;;
    esac
    exit 0
fi

# ------------------------------------------------------------------ main
MODE=rzk
if [[ "${1:-}" == "--java" ]]; then MODE=java; shift; fi
ONLY=("$@")
RZK_BIN="${RZK_BIN:-$ROOT/target/release/rzk}"

JARS=(curator-recipes curator-framework curator-client curator-x-discovery zookeeper zookeeper-jute)
need_deps=0
for j in "${JARS[@]}"; do [[ -f "$J/$j.jar" ]] || need_deps=1; done
command -v javac >/dev/null || die "javac (JDK 17) not found"
if ((need_deps)); then
    log "jars missing, running scripts/install-test-deps.sh"
    "$ROOT/scripts/install-test-deps.sh"
fi
for j in "${JARS[@]}"; do [[ -f "$J/$j.jar" ]] || die "$J/$j.jar missing"; done
if [[ $MODE == rzk ]]; then
    [[ -x "$RZK_BIN" ]] || die "rzk binary not found: $RZK_BIN (cargo build --release, or set RZK_BIN)"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rzk-java-compat.XXXXXX")
JPID=""
cleanup() {
    local rc=$?
    set +e
    if [[ -n "$JPID" ]] && is_alive "$JPID"; then
        kill -TERM "$JPID" 2>/dev/null
        wait "$JPID" 2>/dev/null
    fi
    server_stop "$WORK"
    if [[ $rc -ne 0 || "${KEEP_WORK:-0}" == 1 ]]; then
        log "scratch directory kept: $WORK (server.log, client.log)"
    else
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Client classpath: each Debian jar's manifest Class-Path names its own dependencies (guava,
# jackson, slf4j-api, zookeeper-jute, ...).
CP=""
for j in "${JARS[@]}" slf4j-simple; do CP="$CP${CP:+:}$J/$j.jar"; done

log "compiling tests"
mkdir -p "$WORK/classes"
javac -nowarn -XDsuppressNotes -encoding UTF-8 -d "$WORK/classes" -cp "$CP" "$HERE"/src/*.java

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
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=*
EOF
printf 'MODE=%q\nRZK_BIN=%q\nPORT=%q\nCFG=%q\n' "$MODE" "$RZK_BIN" "$PORT" "$CFG" >"$WORK/server.env"
server_start "$WORK"

log "running tests against $MODE (client log: $WORK/client.log)"
set +e
java -Xmx512m -Djava.net.preferIPv4Stack=true \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.showDateTime=true \
    -Dorg.slf4j.simpleLogger.logFile="$WORK/client.log" \
    -Dcompat.server="$MODE" -Dcompat.testTimeoutS="${TEST_TIMEOUT_S:-60}" \
    -Dcompat.ctl="$HERE/run.sh" -Dcompat.work="$WORK" \
    -cp "$WORK/classes:$CP" CompatMain "127.0.0.1:$PORT" "${ONLY[@]+"${ONLY[@]}"}" &
JPID=$!
wait "$JPID"
rc=$?
JPID=""
set -e
exit $rc
