#!/usr/bin/env bash
# Runs kazoo's own test suite (kazoo 2.11.0, `kazoo.tests` as shipped on PyPI) against a standalone
# server, with kazoo's unmodified harness (kazoo.testing): the harness writes a zoo.cfg per server and
# runs `java ... QuorumPeerMain <zoo.cfg>`; a `java` stand-in first on PATH (bin/java) runs rzk instead.
#
#   compat-tests/kazoo/run.sh [pytest args...]          against rzk ($RZK_BIN)
#   compat-tests/kazoo/run.sh --java [pytest args...]   against Java ZooKeeper 3.8 (Debian's jars)
#
# Extra arguments go to pytest (e.g. -k test_lock, or node ids as the lists name them:
# kazoo/tests/test_lock.py::TestKazooLock::test_lock).
#
# Exit status: 0 iff every test that passes against Java standalone passed, i.e. every failure is listed
# in java-standalone-failures.txt (those are deselected in rzk mode and listed in README.md) or, in rzk
# mode, in rzk-known-failures.txt (temporary allow-list; the goal is to keep it empty).
#
# Environment:
#   RZK_BIN                 server binary (default: target/release/rzk of this repository)
#   KAZOO_PORT_OFFSET       first port (default 20000; the suite uses offset..offset+4 on 127.0.0.1)
#   KAZOO_TEST_TIMEOUT      per-test timeout in seconds (default 180)
#   KAZOO_SUITE_TIMEOUT     deadline for the whole pytest run in seconds (default 1800)
#   KEEP_WORK=1             keep the scratch directory (server logs, junit.xml) even on success
#   PYTHON                  python interpreter (default python3)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
MODE=rzk
if [[ "${1:-}" == --java ]]; then
  MODE=java
  shift
fi
PY="${PYTHON:-python3}"
PORT_OFFSET="${KAZOO_PORT_OFFSET:-20000}"
TIMEOUT="${KAZOO_TEST_TIMEOUT:-180}"
SUITE_TIMEOUT="${KAZOO_SUITE_TIMEOUT:-1800}"

log() { printf 'kazoo-compat: %s\n' "$*" >&2; }

# ------------------------------------------------------------------ dependencies (idempotent, pinned)
PIP_PKGS=(
  "kazoo==2.11.0" "pytest==8.3.5" "pytest-timeout==2.3.1" "pyjks==20.0.0" "pyopenssl==24.2.1"
  "gevent==24.11.1" "eventlet==0.39.1" "pure-sasl==0.6.2" "objgraph==3.6.2"
)
if ! "$PY" - "${PIP_PKGS[@]}" <<'PYEOF' 2>/dev/null; then
import sys
from importlib.metadata import version
for spec in sys.argv[1:]:
    name, want = spec.split("==")
    if version(name) != want:
        sys.exit(1)
PYEOF
  log "pip install ${PIP_PKGS[*]}"
  "$PY" -m pip install -q --disable-pip-version-check "${PIP_PKGS[@]}"
fi
SITE="$("$PY" -c 'import os, kazoo; print(os.path.dirname(os.path.dirname(kazoo.__file__)))')"

# ------------------------------------------------------------------ server under test
if [[ $MODE == rzk ]]; then
  RZK_BIN="${RZK_BIN:-$ROOT/target/release/rzk}"
  [[ "$RZK_BIN" == /* ]] || RZK_BIN="$PWD/$RZK_BIN"
  if [[ ! -x "$RZK_BIN" ]]; then
    log "RZK_BIN=$RZK_BIN is not an executable (build it: cargo build --release)"
    exit 2
  fi
  export RZK_BIN
  export RZK_LOG="${RZK_LOG:-info}"
  # The harness needs a classpath or an install path; the stand-in ignores it.
  export ZOOKEEPER_CLASSPATH="$RZK_BIN"
else
  REAL_JAVA="$(command -v java || true)"
  if [[ -z "$REAL_JAVA" || ! -f /usr/share/java/zookeeper.jar ]]; then
    log "--java needs java and Debian's zookeeper jars (scripts/install-test-deps.sh)"
    exit 2
  fi
  export KAZOO_REAL_JAVA="$REAL_JAVA"
  # zookeeper.jar's manifest Class-Path names jute, netty, jetty...; the harness's zoo.cfg selects the
  # Netty connection factory (netty-codec) and its log4j.properties (log4j 1.2 behind slf4j).
  export ZOOKEEPER_CLASSPATH="/usr/share/java/zookeeper.jar:/usr/share/java/netty-codec.jar:/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar"
fi
export KAZOO_SHIM_MODE="$MODE"
# The version the server reports (`envi`); kazoo gates features on it and TestBuildEnvironment compares.
if [[ $MODE == rzk ]]; then
  # rzk reports the ZooKeeper release whose protocol it speaks (src/admin/mod.rs, version_string).
  ZOOKEEPER_VERSION="$(grep -o -m1 '"3\.[0-9]*\.[0-9]*-rzk' "$ROOT/src/admin/mod.rs" | tr -d '"' | sed 's/-rzk//' || true)"
  export ZOOKEEPER_VERSION="${ZOOKEEPER_VERSION:-3.8.5}"
else
  export ZOOKEEPER_VERSION=3.8.0 # Debian bookworm's zookeeper
fi
export ZOOKEEPER_CLUSTER_SIZE=1
export ZOOKEEPER_PORT_OFFSET="$PORT_OFFSET"
# kazoo's TestBuildEnvironment only runs when CI is set: always run it, so every run counts the same.
export CI=true

# ------------------------------------------------------------------ scratch space and cleanup
WORK="$(mktemp -d "${TMPDIR:-/tmp}/rzk-kazoo.XXXXXX")"
export KAZOO_PID_DIR="$WORK/pids" KAZOO_LOG_DIR="$WORK/logs"
mkdir -p "$KAZOO_PID_DIR" "$KAZOO_LOG_DIR" "$WORK/tmp"
PYTEST_PID=""

wait_gone() { # wait_gone <pid> <seconds>: 0 once the process is gone
  local pid="$1" deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    # a zombie child of ours counts as gone
    [[ "$(ps -o stat= -p "$pid" 2>/dev/null)" == Z* ]] && return 0
    sleep 0.1
  done
}

stop_pid() { # SIGTERM, then SIGKILL after a deadline
  local pid="$1"
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_gone "$pid" 20; then
    log "pid $pid ignored SIGTERM for 20s, killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  [[ -n "$PYTEST_PID" ]] && stop_pid "$PYTEST_PID"
  # Servers the harness started (recorded by bin/java) and did not stop.
  for f in "$KAZOO_PID_DIR"/*; do
    [[ -e "$f" ]] || continue
    stop_pid "$(basename "$f")"
  done
  if [[ "${KEEP_WORK:-0}" == 1 || $rc -ne 0 ]]; then
    log "scratch directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ ports
if ! "$PY" - "$PORT_OFFSET" <<'PYEOF'; then
import socket, sys
base = int(sys.argv[1])
for port in range(base, base + 5):
    s = socket.socket()
    # As a server binds (SO_REUSEADDR): connections of an earlier run in TIME_WAIT do not count.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        s.listen(1)
    except OSError as e:
        sys.exit("port %d on 127.0.0.1 is in use (%s); set KAZOO_PORT_OFFSET" % (port, e))
    finally:
        s.close()
PYEOF
  exit 2
fi

# ------------------------------------------------------------------ run
lists() { # the node ids of a list file (first field; '#' starts a comment)
  sed -e 's/#.*//' -e 's/[[:space:]].*//' "$1" | grep -v '^$' || true
}
args=(-p no:cacheprovider -p quiet_exit --timeout="$TIMEOUT" -o junit_family=xunit2 --junitxml="$WORK/junit.xml" -rfE
  --rootdir="$SITE")
if [[ $MODE == rzk ]]; then
  while read -r id; do args+=(--deselect "$id"); done < <(lists "$HERE/java-standalone-failures.txt")
fi
# Node ids and files may be given as kazoo/tests/... (as the lists name them) or as paths; with none,
# the whole suite runs.
paths=0
for a in "$@"; do
  case "$a" in
    kazoo/tests*) args+=("$SITE/$a"); paths=1 ;;
    /*.py | /*.py::* | /*/kazoo/tests*) args+=("$a"); paths=1 ;;
    *) args+=("$a") ;;
  esac
done
((paths)) || args+=("$SITE/kazoo/tests")

log "mode=$MODE port offset=$PORT_OFFSET work=$WORK"
(
  cd "$WORK"
  export TMPDIR="$WORK/tmp" # the harness's per-server directories (mkdtemp)
  export PYTHONPATH="$HERE${PYTHONPATH:+:$PYTHONPATH}" # quiet_exit.py
  # A deadline for the whole suite too (a normal run takes 3-5 minutes); past it pytest gets SIGTERM.
  exec env PATH="$HERE/bin:$PATH" timeout --kill-after=30 "$SUITE_TIMEOUT" "$PY" -m pytest "${args[@]}"
) &
PYTEST_PID=$!
set +e
wait "$PYTEST_PID"
PYTEST_RC=$?
set -e
PYTEST_PID=""
log "pytest exited with $PYTEST_RC"

allow=("$HERE/java-standalone-failures.txt")
[[ $MODE == rzk ]] && allow+=("$HERE/rzk-known-failures.txt")
"$PY" "$HERE/verdict.py" "$WORK/junit.xml" "$PYTEST_RC" "${allow[@]}"
