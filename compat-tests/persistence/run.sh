#!/usr/bin/env bash
# Persistence interop and crash-safety suite (see README.md):
#   Java 3.8 data dir -> rzk, rzk data dir -> Java 3.8 (plain, gz, snappy snapshots; Debian's TxnLogToolkit
#   and SnapshotFormatter on rzk's files), kill -9 under load, torn and corrupt log tails.
#
#   RZK_BIN=/path/to/rzk compat-tests/persistence/run.sh [--only NAME ...] [--crash-rounds N] [--seed N]
#
# Installs nothing itself except through scripts/install-test-deps.sh when Java ZooKeeper or kazoo is
# missing. Everything listens on 127.0.0.1 on ports picked at run time; every process started is stopped
# by PID. The last line is "N passed, M failed"; the exit status is non-zero on any failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY="${PYTHON:-python3}"
RZK_BIN="${RZK_BIN:-$ROOT/target/release/rzk}"

if [[ ! -f /usr/share/java/zookeeper.jar ]] || ! command -v java >/dev/null 2>&1 \
    || ! $PY -c 'import kazoo' 2>/dev/null; then
  "$ROOT/scripts/install-test-deps.sh"
fi
if [[ ! -x "$RZK_BIN" ]]; then
  echo "rzk binary not found: $RZK_BIN (set RZK_BIN)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/rzk-persist.XXXXXX")"
DRIVER_PID=""

cleanup() {
  local rc=$?
  set +e
  if [[ -n "$DRIVER_PID" ]] && kill -0 "$DRIVER_PID" 2>/dev/null; then
    kill -TERM "$DRIVER_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$DRIVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DRIVER_PID" 2>/dev/null
  fi
  # Backstop: anything the driver started and did not stop (it records every PID it starts).
  if [[ -f "$WORK/pids" ]]; then
    while read -r pid; do
      if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; fi
    done <"$WORK/pids"
  fi
  # (a failed run keeps $WORK, named on the first line; nothing is printed after the summary line)
  if [[ $rc -eq 0 && "${KEEP_WORK:-0}" != 1 ]]; then
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "persistence suite: rzk=$RZK_BIN work=$WORK (kept if anything fails)"
"$PY" -u "$HERE/persist.py" --rzk "$RZK_BIN" --work "$WORK" "$@" &
DRIVER_PID=$!
set +e
wait "$DRIVER_PID"
rc=$?
set -e
DRIVER_PID=""
if [[ $rc -ne 0 && $rc -ne 1 ]]; then
  # the driver died before printing its summary
  echo "persistence driver exited with status $rc"
  echo "0 passed, 1 failed"
fi
exit $rc
