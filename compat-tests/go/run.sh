#!/usr/bin/env bash
# Runs go-zookeeper's own test suite (github.com/samuel/go-zookeeper/zk as Debian ships it in
# golang-github-samuel-go-zookeeper-dev) against rzk, offline, in GOPATH mode. Its harness
# (zk/server_help.go, zk/server_java.go) writes a zoo.cfg per server and runs
# `java -jar <fat jar> server <zoo.cfg>`, stopping it with SIGKILL; a `java` stand-in first on PATH
# (bin/java) runs `$RZK_BIN server <zoo.cfg>` in its place (same PID).
#
#   compat-tests/go/run.sh [REGEX]          against rzk ($RZK_BIN, default target/release/rzk)
#   compat-tests/go/run.sh --java [REGEX]   against Java ZooKeeper 3.8.0 (Debian's jars)
#
# REGEX selects tests by name (as go test -run; default: all). The test binary is built once
# (go test -c); each test then runs in a process of its own.
#
# One change to the harness, on a scratch copy of the package: its start-up probe (waitForStart)
# parses `srvr` with the 3.4-era FLWSrvr, which fails on every 3.5+ server's version line (Java 3.8's
# too); run.sh points it at compat_probe.go, which waits for `srvr` to show a serving mode. The
# library and the tests are unchanged.
#
# Exit status: 0 iff every test passed, or failed as listed (with the listed failure text) in
# known-failures.txt (fails against Java 3.8.0 as well) or, against rzk, in rzk-known-failures.txt.
#
# Environment: RZK_BIN, KEEP_WORK=1 (keep the scratch directory: go-test.log, server logs),
# GO_TEST_TIMEOUT (-test.timeout of each test, default 5m).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PKG=github.com/samuel/go-zookeeper
SRC=/usr/share/gocode/src/$PKG

log() { printf '[go-compat %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 2; }

MODE=rzk
if [[ "${1:-}" == "--java" ]]; then MODE=java; shift; fi

# ------------------------------------------------------------------ dependencies
if ! command -v go >/dev/null || [[ ! -f $SRC/zk/server_help.go ]]; then
    log "go or go-zookeeper's source missing, running scripts/install-test-deps.sh"
    "$ROOT/scripts/install-test-deps.sh"
fi
command -v go >/dev/null || die "go not found (Debian package golang-go)"
[[ -f $SRC/zk/server_help.go ]] || die "$SRC missing (Debian package golang-github-samuel-go-zookeeper-dev)"
command -v python3 >/dev/null || die "python3 not found"

if [[ $MODE == rzk ]]; then
    RZK_BIN="${RZK_BIN:-$ROOT/target/release/rzk}"
    [[ "$RZK_BIN" == /* ]] || RZK_BIN="$PWD/$RZK_BIN"
    [[ -x "$RZK_BIN" ]] || die "rzk binary not found: $RZK_BIN (cargo build --release, or set RZK_BIN)"
    export RZK_BIN
    export RUST_LOG="${RUST_LOG:-info}"
else
    GOZK_REAL_JAVA="$(command -v java || true)"
    [[ -n "$GOZK_REAL_JAVA" && -f /usr/share/java/zookeeper.jar ]] ||
        die "--java needs java and Debian's zookeeper jars (scripts/install-test-deps.sh)"
    export GOZK_REAL_JAVA
fi
export GOZK_SHIM_MODE=$MODE

# ------------------------------------------------------------------ scratch space and cleanup
WORK="$(mktemp -d "${TMPDIR:-/tmp}/rzk-go-compat.XXXXXX")"
export GOZK_PID_DIR="$WORK/pids" GOZK_LOG_DIR="$WORK/logs"
mkdir -p "$GOZK_PID_DIR" "$GOZK_LOG_DIR" "$WORK/tmp"
GO_PID=""

is_alive() {   # a live, non-zombie process
    local st
    st=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ "$st" != Z && "$st" != X ]]
}

stop_pid() {   # stop_pid <pid> [group]: SIGTERM (to the process group with `group`), SIGKILL after 20s
    local pid="$1" target="$1"
    [[ "${2:-}" == group ]] && target="-$1"
    is_alive "$pid" || return 0
    kill -TERM -- "$target" 2>/dev/null || true
    local deadline=$((SECONDS + 20))
    while is_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
    if is_alive "$pid"; then
        log "pid $pid ignored SIGTERM for 20s, killing it"
        kill -KILL -- "$target" 2>/dev/null || true
    fi
}

cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    [[ -n "$GO_PID" ]] && stop_pid "$GO_PID" group
    # servers the harness started (recorded by bin/java) and did not stop
    for f in "$GOZK_PID_DIR"/*; do
        [[ -e "$f" ]] && stop_pid "$(basename "$f")"
    done
    if [[ $rc -ne 0 || "${KEEP_WORK:-0}" == 1 ]]; then
        log "scratch directory kept: $WORK (go-test.log, logs/server-<port>.log)"
    else
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ the package, with the probe fix
GP="$WORK/gopath"
mkdir -p "$GP/src/${PKG%/*}"
cp -r "$SRC" "$GP/src/$PKG"
chmod -R u+w "$GP/src/$PKG"
cp "$HERE/compat_probe.go" "$GP/src/$PKG/zk/"
probe='_, ok := FLWSrvr(serverAddrs, time.Second)'
grep -qF "$probe" "$GP/src/$PKG/zk/server_help.go" ||
    die "zk/server_help.go has no '$probe' to redirect (package changed?)"
sed -i "s/_, ok := FLWSrvr(serverAddrs, time.Second)/ok := compatServing(serverAddrs, time.Second)/" \
    "$GP/src/$PKG/zk/server_help.go"

# The harness wants a fat jar (ZOOKEEPER_PATH/contrib/fatjar/zookeeper-*-fatjar.jar) to pass to
# java -jar: an empty stand-in; bin/java ignores it.
mkdir -p "$WORK/zookeeper/contrib/fatjar"
: >"$WORK/zookeeper/contrib/fatjar/zookeeper-3.8.0-fatjar.jar"
export ZOOKEEPER_PATH="$WORK/zookeeper"

# Offline GOPATH build: no modules, no proxy, no cgo. The build cache is kept between runs.
export GO111MODULE=off GOPATH="$GP" GOPROXY=off GOFLAGS="" CGO_ENABLED=0
if [[ -z "${GOCACHE:-}" ]]; then
    if [[ -n "${HOME:-}" && -w "${HOME:-/nonexistent}" ]]; then
        export GOCACHE="$HOME/.cache/go-build"
    else
        export GOCACHE="${TMPDIR:-/tmp}/rzk-go-build-cache"
    fi
fi

# ------------------------------------------------------------------ build, then one process per test
# Each test runs in its own process of the compiled test binary: one that panics (see
# known-failures.txt) cannot take the others down with it.
log "mode=$MODE work=$WORK: building the test binary"
(cd "$GP/src/$PKG/zk" && go test -c -o "$WORK/zk.test" "$PKG/zk") >"$WORK/build.log" 2>&1 || {
    cat "$WORK/build.log" >&2
    die "go test -c failed"
}
mapfile -t TESTS < <("$WORK/zk.test" -test.list "${1:-.}" | grep '^Test' || true)
((${#TESTS[@]})) || die "no test matches '${1:-.}'"
log "${#TESTS[@]} tests"

: >"$WORK/go-test.log"
ANY_RC=0
for t in "${TESTS[@]}"; do
    (
        cd "$GP/src/$PKG/zk"
        export TMPDIR="$WORK/tmp"   # the harness's per-cluster directories (ioutil.TempDir)
        exec env PATH="$HERE/bin:$PATH" setsid -w "$WORK/zk.test" -test.v -test.count=1 \
            -test.timeout "${GO_TEST_TIMEOUT:-5m}" -test.run "^${t}\$"
    ) >"$WORK/one.log" 2>&1 &
    GO_PID=$!
    set +e
    wait "$GO_PID"
    rc=$?
    set -e
    GO_PID=""
    cat "$WORK/one.log" >>"$WORK/go-test.log"
    result=$(grep -E "^--- (PASS|FAIL|SKIP): $t " "$WORK/one.log" | head -n1 || true)
    if [[ -z "$result" ]]; then result="--- ??? : $t (no result line; exit code $rc)"; fi
    printf '%s\n' "$result"
    ((rc == 0)) || ANY_RC=1
    # servers the test's harness left running (bin/java records them)
    for f in "$GOZK_PID_DIR"/*; do
        [[ -e "$f" ]] || continue
        stop_pid "$(basename "$f")"
        rm -f "$f"
    done
done

lists=("$HERE/known-failures.txt")
[[ $MODE == rzk ]] && lists+=("$HERE/rzk-known-failures.txt")
python3 "$HERE/verdict.py" "$WORK/go-test.log" "$ANY_RC" "${lists[@]}"
