#!/usr/bin/env bash
# zkServer.sh-compatible control script for rzk.
#
#   scripts/zkServer.sh {start|start-foreground|stop|restart|status|version} [zoo.cfg]
#
# Like ZooKeeper's: the config defaults to $ZOOCFGDIR/$ZOOCFG (conf/zoo.cfg), the pid file is
# dataDir/zookeeper_server.pid, the log goes to $ZOO_LOG_DIR/zookeeper.out. The -D options in
# $SERVER_JVMFLAGS and $JVMFLAGS are honoured (rzk reads them itself). The binary is $RZK_BIN, or
# target/release/rzk (built on first use).
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
CMD="${1:-}"
ZOOCFGDIR="${ZOOCFGDIR:-$HERE/conf}"
ZOOCFG="${2:-$ZOOCFGDIR/${ZOOCFG:-zoo.cfg}}"
ZOO_LOG_DIR="${ZOO_LOG_DIR:-.}"
RZK_BIN="${RZK_BIN:-$HERE/target/release/rzk}"

usage() { echo "Usage: $0 {start|start-foreground|stop|restart|status|version} [zoo.cfg]" >&2; exit 1; }
[[ -n "$CMD" ]] || usage

cfg_value() { # key → last value in zoo.cfg (Java properties: key=value or key: value)
  sed -n -E "s/^[[:space:]]*$1[[:space:]]*[=:][[:space:]]*//p" "$ZOOCFG" | tail -n 1 | tr -d '\r'
}

ensure_bin() {
  if [[ ! -x "$RZK_BIN" ]]; then
    echo "building rzk (cargo build --release)" >&2
    (cd "$HERE" && cargo build --release --quiet)
  fi
}

DATADIR="$(cfg_value dataDir)"
PIDFILE="${ZOOPIDFILE:-${DATADIR:-/tmp}/zookeeper_server.pid}"

srvr() { # host port → srvr output
  exec 3<>"/dev/tcp/$1/$2" || return 1
  printf 'srvr' >&3
  cat <&3
  exec 3<&-
}

case "$CMD" in
  start-foreground)
    ensure_bin
    echo "Using config: $ZOOCFG" >&2
    exec "$RZK_BIN" server "$ZOOCFG"
    ;;
  start)
    ensure_bin
    echo "Using config: $ZOOCFG" >&2
    if [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      echo "already running as process $(cat "$PIDFILE")."; exit 1
    fi
    mkdir -p "$(dirname "$PIDFILE")" "$ZOO_LOG_DIR"
    nohup "$RZK_BIN" server "$ZOOCFG" >"$ZOO_LOG_DIR/zookeeper.out" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    # Wait (bounded) until it answers or dies.
    port="$(cfg_value clientPort)"; host="$(cfg_value clientPortAddress)"; host="${host:-127.0.0.1}"
    for _ in $(seq 1 100); do
      if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then echo "FAILED TO START"; cat "$ZOO_LOG_DIR/zookeeper.out" >&2; exit 1; fi
      if [[ -z "$port" ]] || srvr "$host" "$port" >/dev/null 2>&1; then echo STARTED; exit 0; fi
      sleep 0.1
    done
    echo "STARTED (not answering yet)"
    ;;
  stop)
    if [[ ! -f "$PIDFILE" ]]; then echo "no zookeeper to stop (could not find file $PIDFILE)"; exit 0; fi
    pid="$(cat "$PIDFILE")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$PIDFILE"
    echo STOPPED
    ;;
  restart)
    "$0" stop "$ZOOCFG"; "$0" start "$ZOOCFG"
    ;;
  status)
    port="$(cfg_value clientPort)"; host="$(cfg_value clientPortAddress)"; host="${host:-127.0.0.1}"
    [[ "$host" == "0.0.0.0" ]] && host=127.0.0.1
    echo "Client port found: $port. Client address: $host."
    if out="$(srvr "$host" "$port" 2>/dev/null)" && grep -q '^Mode:' <<<"$out"; then
      grep '^Mode:' <<<"$out"; exit 0
    fi
    echo "Error contacting service. It is probably not running."; exit 1
    ;;
  version)
    ensure_bin
    "$RZK_BIN" --version
    ;;
  *) usage ;;
esac
