#!/usr/bin/env bash
# ZooKeeper's own C client test suite (cppunit `zktest-mt`, from Debian's zookeeper 3.8.0 source
# package) against rzk. Opt-in: it builds the C client and its tests (a few minutes on 2 cores, kept
# in a cache afterwards), so it only runs with RZK_C_SUITE=1 (or --java / suite names given).
#
#   RZK_C_SUITE=1 compat-tests/c/run.sh [SUITE...]   against rzk ($RZK_BIN, default target/release/rzk)
#   compat-tests/c/run.sh --java [SUITE...]          against Java ZooKeeper 3.8.0 (Debian)
#
# SUITE: cppunit suite names (Zookeeper_simpleSystem, Zookeeper_multi, ...; default: all). Each runs
# in a process of its own (zktest-mt <SUITE>), with its own server start.
#
# Build (once per cache): `apt-get source zookeeper=<installed version>` through a private apt
# configuration whose deb-src lines mirror the system's deb lines (the system's apt configuration is
# not touched); jute C code generated with Debian's zookeeper-jute.jar; autoreconf, configure
# --without-sasl, make zktest-mt, with two flags for gcc 12 and OpenSSL 3 (`-include time.h` for the
# tests, `-include openssl3-compat.h` for FIPS_mode()). Nothing in the source is edited.
#
# The tests start and stop their server through tests/zkServer.sh (and, for the quorum tests,
# $ZKROOT/bin/zkServer.sh): both are this directory's zkServer.sh, which runs rzk (or Java). The
# tests hard-code their ports (22181, secure 22281, quorum 4001-4003 / 2001-2003 / 3001-3003) and
# read TLS material from /tmp/certs (made with the suite's ssl/gencerts.sh); servers listen on
# 127.0.0.1 only.
#
# Exit status: 0 iff every test passed or failed as listed in known-failures.txt (both servers) or,
# against rzk, rzk-known-failures.txt.
#
# Environment: RZK_BIN, RZK_C_SUITE=1, RZK_C_CACHE (build cache, default /var/tmp/rzk-c-suite),
# KEEP_WORK=1, C_SUITE_TIMEOUT (seconds per suite, default 1200).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

log() { printf '[c-compat %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 2; }

MODE=rzk
if [[ "${1:-}" == "--java" ]]; then MODE=java; shift; fi
if [[ $MODE == rzk && "${RZK_C_SUITE:-0}" != 1 && $# -eq 0 ]]; then
    log "skipped: the C client suite is opt-in (RZK_C_SUITE=1 $0)"
    exit 0
fi
ALL_SUITES=(Zookeeper_operations Zookeeper_watchers Zookeeper_close Zookeeper_init Zookeeper_reconfig
    Zookeeper_simpleSystem Zookeeper_clientretry Zookeeper_logClientEnv Zookeeper_multi
    Zookeeper_readOnly TestReconfigServer Zookeeper_SASLAuth)
if (($#)); then SUITES=("$@"); else SUITES=("${ALL_SUITES[@]}"); fi

if [[ $MODE == rzk ]]; then
    RZK_BIN="${RZK_BIN:-$ROOT/target/release/rzk}"
    [[ "$RZK_BIN" == /* ]] || RZK_BIN="$PWD/$RZK_BIN"
    [[ -x "$RZK_BIN" ]] || die "rzk binary not found: $RZK_BIN (cargo build --release, or set RZK_BIN)"
    export RZK_BIN
    export RUST_LOG="${RUST_LOG:-info}"
fi

# ------------------------------------------------------------------ build dependencies
DEPS=(zookeeper libzookeeper-java dpkg-dev autoconf automake libtool pkg-config g++ make libssl-dev
    libcppunit-dev openssl)
missing=()
for p in "${DEPS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    log "apt-get install ${missing[*]}"
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v keytool >/dev/null || die "keytool (a JRE) not found"

# ------------------------------------------------------------------ build (cached)
ZK_VERSION="$(dpkg-query -W -f='${Version}' zookeeper)"
KEY="$(printf '%s\n' "$ZK_VERSION" "$(cat "$HERE/openssl3-compat.h")" "build-v1" | sha1sum | cut -c1-12)"
CACHE="${RZK_C_CACHE:-/var/tmp/rzk-c-suite}/$KEY"
CDIR="$CACHE/src/zookeeper-client/zookeeper-client-c"
if [[ ! -x "$CACHE/zktest-mt" ]]; then
    log "building zktest-mt from Debian's zookeeper $ZK_VERSION source into $CACHE (once)"
    rm -rf "$CACHE"
    mkdir -p "$CACHE/apt/lists/partial" "$CACHE/dl"
    # deb-src twins of the system's deb lines (one-line and deb822 formats)
    python3 - "$CACHE/apt/sources.list" <<'PYEOF'
import glob, re, sys
out = []
def add(uri, suite, comps, signed):
    opt = " [signed-by=%s]" % signed if signed else ""
    line = "deb-src%s %s %s %s" % (opt, uri, suite, " ".join(comps))
    if line not in out:
        out.append(line)
for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for l in lines:
        l = l.split("#", 1)[0].strip()
        m = re.match(r"^deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)$", l)
        if m:
            signed = re.search(r"signed-by=(\S+?)[\s\]]", m.group(1) or "")
            add(m.group(2), m.group(3), m.group(4).split(), signed.group(1) if signed else None)
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    for stanza in re.split(r"\n\s*\n", open(path).read()):
        f = {}
        for l in stanza.splitlines():
            if l.startswith("#") or ":" not in l:
                continue
            k, v = l.split(":", 1)
            f[k.strip().lower()] = v.strip()
        if "deb" not in f.get("types", "").split() or f.get("enabled", "yes") == "no":
            continue
        for uri in f.get("uris", "").split():
            for suite in f.get("suites", "").split():
                add(uri, suite, f.get("components", "main").split(), f.get("signed-by"))
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PYEOF
    APT=(-o Dir::Etc::SourceList="$CACHE/apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent
        -o Dir::State::Lists="$CACHE/apt/lists" -o Dir::Cache="$CACHE/apt/cache")
    apt-get "${APT[@]}" update -qq >"$CACHE/apt.log" 2>&1 || { cat "$CACHE/apt.log" >&2; die "apt-get update (deb-src) failed"; }
    (cd "$CACHE/dl" && apt-get "${APT[@]}" source --download-only "zookeeper=$ZK_VERSION") >>"$CACHE/apt.log" 2>&1 ||
        { tail -n 20 "$CACHE/apt.log" >&2; die "apt-get source zookeeper=$ZK_VERSION failed"; }
    dpkg-source --no-check -x "$CACHE"/dl/zookeeper_*.dsc "$CACHE/src" >"$CACHE/extract.log" 2>&1 ||
        { tail -n 20 "$CACHE/extract.log" >&2; die "dpkg-source -x failed"; }
    mkdir -p "$CDIR/generated"
    (cd "$CDIR/generated" && java -cp /usr/share/java/zookeeper-jute.jar org.apache.jute.compiler.generated.Rcc \
        -l c "$CACHE/src/zookeeper-jute/src/main/resources/zookeeper.jute") >"$CACHE/build.log" 2>&1
    cp "$HERE/openssl3-compat.h" "$CACHE/openssl3-compat.h"
    (
        cd "$CDIR"
        autoreconf -if
        CFLAGS="-g -O2 -D_GNU_SOURCE" CXXFLAGS="-g -O2 -include time.h" ./configure --without-sasl
        # (make-time CFLAGS: the forced include would upset configure's own checks)
        nice make -j"$(nproc)" zktest-mt \
            CFLAGS="-g -O2 -D_GNU_SOURCE -Wno-error=deprecated-declarations -include $CACHE/openssl3-compat.h"
    ) >>"$CACHE/build.log" 2>&1 || { tail -n 40 "$CACHE/build.log" >&2; die "build failed (log: $CACHE/build.log)"; }
    cp "$CDIR/zktest-mt" "$CACHE/zktest-mt"
    log "built $CACHE/zktest-mt"
fi

# ------------------------------------------------------------------ scratch space and cleanup
WORK="$(mktemp -d "${TMPDIR:-/tmp}/rzk-c-compat.XXXXXX")"
export RZK_C_STATE="$WORK/state" RZK_C_MODE="$MODE" RZK_C_TESTS_DIR="$CDIR/tests"
export ZKROOT="$WORK/zkroot"
mkdir -p "$RZK_C_STATE" "$WORK/run/tests" "$ZKROOT/bin"
cp "$HERE/zkServer.sh" "$WORK/run/tests/zkServer.sh"
cp "$HERE/zkServer.sh" "$ZKROOT/bin/zkServer.sh"
SUITE_PID=""

is_alive() {
    local st
    st=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ "$st" != Z && "$st" != X ]]
}
stop_servers() { # every server zkServer.sh started and did not stop
    local f pid
    for f in "$RZK_C_STATE"/*.pid; do
        [[ -e "$f" ]] || continue
        pid=$(cat "$f")
        if [[ -n "$pid" ]] && is_alive "$pid"; then
            kill -9 "$pid" 2>/dev/null || true
            while is_alive "$pid"; do sleep 0.05; done
        fi
        rm -f "$f"
    done
}
cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    if [[ -n "$SUITE_PID" ]] && is_alive "$SUITE_PID"; then
        kill -KILL -- "-$SUITE_PID" 2>/dev/null
    fi
    stop_servers
    if [[ $rc -ne 0 || "${KEEP_WORK:-0}" == 1 ]]; then
        log "scratch directory kept: $WORK (<suite>.out, state/zk.log, run/TEST-*.txt)"
    else
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# the tests' fixed ports must be free
if ! python3 - <<'PYEOF'; then
import socket, sys
for port in [22181, 22281, 4001, 4002, 4003, 2001, 2002, 2003, 3001, 3002, 3003, 22881, 33881]:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
    except OSError as e:
        sys.exit("port %d on 127.0.0.1 is in use (%s): the C suite's ports are fixed" % (port, e))
    finally:
        s.close()
PYEOF
    exit 2
fi

# TLS material where the tests look for it, made as the original tests/zkServer.sh makes it
log "generating /tmp/certs (ssl/gencerts.sh)"
rm -rf /tmp/certs
mkdir -p /tmp/certs
cp "$CDIR/ssl/gencerts.sh" /tmp/certs/
(cd /tmp/certs && ./gencerts.sh >gencerts.stdout 2>gencerts.stderr) || die "gencerts.sh failed (/tmp/certs/gencerts.stderr)"

# ------------------------------------------------------------------ run, one process per suite
log "mode=$MODE work=$WORK suites: ${SUITES[*]}"
for s in "${SUITES[@]}"; do
    log "suite $s"
    (
        cd "$WORK/run"
        exec setsid -w timeout -k 10 "${C_SUITE_TIMEOUT:-1200}" "$CACHE/zktest-mt" "$s"
    ) >"$WORK/$s.out" 2>&1 &
    SUITE_PID=$!
    set +e
    wait "$SUITE_PID"
    rc=$?
    set -e
    SUITE_PID=""
    echo "$rc" >"$WORK/$s.rc"
    stop_servers
    python3 "$HERE/verdict.py" --brief "$CDIR/tests" "$WORK/$s.out" "$rc" || true
    # a suite whose process died (a crash or an abort in one test ends the whole process): its other
    # tests, and the failed ones (whose details only come at the end), each in a process of its own
    mapfile -t again < <(python3 "$HERE/verdict.py" --rerun "$CDIR/tests" "$s" "$WORK/$s.out" "$rc")
    for t in "${again[@]+"${again[@]}"}"; do
        (
            cd "$WORK/run"
            exec setsid -w timeout -k 10 "${C_SUITE_TIMEOUT:-1200}" "$CACHE/zktest-mt" "$t"
        ) >"$WORK/$s@${t#*::}.out" 2>&1 &
        SUITE_PID=$!
        set +e
        wait "$SUITE_PID"
        rc=$?
        set -e
        SUITE_PID=""
        echo "$rc" >"$WORK/$s@${t#*::}.rc"
        stop_servers
        python3 "$HERE/verdict.py" --brief "$CDIR/tests" "$WORK/$s@${t#*::}.out" "$rc" | sed 's/^/  (alone)/' || true
    done
done

lists=("$HERE/known-failures.txt")
[[ $MODE == rzk ]] && lists+=("$HERE/rzk-known-failures.txt")
python3 "$HERE/verdict.py" --final "$CDIR/tests" "$WORK" "${lists[@]}" -- "${SUITES[@]}"
