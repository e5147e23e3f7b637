#!/usr/bin/env bash
# Golden-bytes capture: run the real Java ZooKeeper 3.8.0 server (Debian) and real
# clients (Java client API, a raw-socket Python client, kazoo) through the recording
# proxy and (re)write compat-tests/golden/fixtures/.  See README.md.
#
#   compat-tests/golden/capture.sh            full capture
#   QUORUM=0 compat-tests/golden/capture.sh   skip the 3-node quorum capture (keeps the old one)
#   RUNS="main quorum" ...                    debugging: only these runs, fixtures/ untouched
#   KEEP_WORK=1 ...                           keep the scratch directory (logs, data dirs)
#
# Everything runs on 127.0.0.1 with ports chosen at run time; every process this script
# starts is stopped by PID on exit.  The fixtures are only replaced when every step
# succeeded.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FIXTURES="$HERE/fixtures"
QUORUM="${QUORUM:-1}"
ALL_RUNS="main gz check13 quorum"
RUNS="${RUNS:-$ALL_RUNS}"     # a subset (debugging) leaves fixtures/ alone and keeps the scratch dir
[ "$QUORUM" = 1 ] || RUNS="${RUNS/quorum/}"
PY="${PYTHON:-python3}"
U="$PY $HERE/goldutil.py"

log() { printf '[capture %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------------------ dependencies
ensure_deps() {
    local pkgs="zookeeper zookeeper-bin libzookeeper-java libcurator-framework-java libcurator-recipes-java"
    local missing=""
    for p in $pkgs; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    if ! command -v javac >/dev/null 2>&1; then missing="$missing default-jdk-headless"; fi
    if [ -n "$missing" ]; then
        log "installing Debian packages:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get -o DPkg::Lock::Timeout=900 update -q
        # shellcheck disable=SC2086
        apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends $missing
    fi
    if ! $PY -c 'import kazoo, sys; sys.exit(kazoo.version.__version__ != "2.11.0")' 2>/dev/null; then
        log "installing kazoo 2.11.0"
        $PY -m pip install -q "kazoo==2.11.0" \
            || $PY -m pip install -q --break-system-packages "kazoo==2.11.0"   # Debian's PEP 668 python
    fi
    [ -f /usr/share/java/zookeeper.jar ] || die "/usr/share/java/zookeeper.jar missing"
}

# ------------------------------------------------------------------ processes
PIDS=()
start_bg() {   # start_bg <logfile> <cmd...>; sets BG_PID
    local logfile="$1"; shift
    "$@" >"$logfile" 2>&1 &
    BG_PID=$!
    PIDS+=("$BG_PID")
}

stop_pid() {
    local pid="$1"
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        if ! $U wait-exit "$pid" 20 2>/dev/null; then
            log "pid $pid ignored SIGTERM, killing"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    wait "$pid" 2>/dev/null || true
    local rest=()
    for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || rest+=("$p"); done
    PIDS=("${rest[@]+"${rest[@]}"}")
}

cleanup() {
    local rc=$?
    set +e
    for pid in "${PIDS[@]+"${PIDS[@]}"}"; do stop_pid "$pid"; done
    if [ -n "${WORK:-}" ] && [ -d "$WORK" ]; then
        if [ "${KEEP_WORK:-0}" = 1 ] || [ $rc -ne 0 ]; then
            log "scratch directory kept: $WORK"
        else
            rm -rf "$WORK"
        fi
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ Java
ZK_CP="/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar"
# zookeeper.jar's manifest Class-Path names the other Debian jars it needs (jute, netty, ...)

start_zk() {   # start_zk <name> <cfgfile> [java opts...]; sets ZK_PID
    local name="$1" cfg="$2"; shift 2
    start_bg "$WORK/$name.server.log" java -Xmx512m \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=info \
        -Dorg.slf4j.simpleLogger.showDateTime=true \
        -Dzookeeper.admin.enableServer=false \
        -Djava.net.preferIPv4Stack=true \
        "$@" -cp "$ZK_CP" org.apache.zookeeper.server.quorum.QuorumPeerMain "$cfg"
    ZK_PID=$BG_PID
}

write_standalone_cfg() {   # <file> <datadir> <port> [extra lines...]
    local file="$1" data="$2" port="$3"; shift 3
    mkdir -p "$data"
    {
        echo "tickTime=2000"
        echo "initLimit=10"
        echo "syncLimit=5"
        echo "dataDir=$data"
        echo "clientPort=$port"
        echo "clientPortAddress=127.0.0.1"
        echo "maxClientCnxns=0"
        echo "admin.enableServer=false"
        echo "4lw.commands.whitelist=*"
        for l in "$@"; do echo "$l"; done
    } >"$file"
}

start_proxy() {   # start_proxy <name> <listen> <target> <control> <out> [extra args]; sets PROXY_PID
    local name="$1" listen="$2" target="$3" control="$4" out="$5"; shift 5
    start_bg "$WORK/$name.proxy.log" $PY -u "$HERE/proxy.py" --listen-port "$listen" \
        --target-port "$target" --control-port "$control" --out "$out" "$@"
    PROXY_PID=$BG_PID
    # (no probing connection: it would be recorded)
    $U wait-text "$WORK/$name.proxy.log" "proxy listening" 20 || die "proxy $name did not start"
}

# ------------------------------------------------------------------ main
ensure_deps
WORK="$(mktemp -d "${TMPDIR:-/tmp}/rzk-golden.XXXXXX")"
cd "$WORK"     # servers and clients run here (user.dir in envi, any stray files)
OUT="$WORK/fixtures"
mkdir -p "$OUT/client" "$OUT/4lw"
log "scratch directory $WORK"

log "compiling GoldenClient.java"
mkdir -p "$WORK/classes"
javac -nowarn -d "$WORK/classes" -cp /usr/share/java/zookeeper.jar "$HERE/GoldenClient.java"

# ---- run 1: standalone server, every client scenario, then its data dir
run_main() {
    local zk px ctl
    read -r zk px ctl <<<"$($U free-ports 3)"
    local data="$WORK/main-data"
    write_standalone_cfg "$WORK/main.cfg" "$data" "$zk" "snapCount=20"
    start_zk main "$WORK/main.cfg" -Dzookeeper.extendedTypesEnabled=true \
        -Dznode.container.checkIntervalMs=1000
    local zkpid=$ZK_PID
    $U wait-mode "$zk" standalone 60 "$zkpid" || { tail -50 "$WORK/main.server.log" >&2; die "server did not start"; }
    log "java server on 127.0.0.1:$zk (pid $zkpid), proxy on $px (control $ctl)"
    start_proxy main "$px" "$zk" "$ctl" "$OUT/client" --fourlw-out "$OUT/4lw"
    local pxpid=$PROXY_PID

    log "Java client scenarios"
    java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
        -cp "$WORK/classes:$ZK_CP" GoldenClient "127.0.0.1:$px" "$ctl" ${JAVA_SCENARIOS:-} \
        | tee "$WORK/main.java.log" >&2
    log "raw client scenarios"
    $PY -u "$HERE/rawclient.py" --port "$px" --control-port "$ctl" ${RAW_SCENARIOS:-} | tee "$WORK/main.raw.log" >&2
    log "kazoo scenarios"
    $PY -u "$HERE/kazooclient.py" --port "$px" --control-port "$ctl" | tee "$WORK/main.kazoo.log" >&2

    $U wait-snapshots "$data/version-2" 30 || die "snapshots did not settle"
    stop_pid "$pxpid"
    stop_pid "$zkpid"
    log "copying the data dir"
    $U copy-datadir "$data" "$OUT/datadir" >&2
}
case " $RUNS " in *" main "*) run_main ;; esac

# ---- run 2: gzip-compressed snapshots
run_gz() {
    local zk px ctl
    read -r zk px ctl <<<"$($U free-ports 3)"
    local data="$WORK/gz-data"
    write_standalone_cfg "$WORK/gz.cfg" "$data" "$zk" "snapCount=20"
    start_zk gz "$WORK/gz.cfg" -Dzookeeper.snapshot.compression.method=gz
    local zkpid=$ZK_PID
    $U wait-mode "$zk" standalone 60 "$zkpid" || { tail -50 "$WORK/gz.server.log" >&2; die "gz server did not start"; }
    start_proxy gz "$px" "$zk" "$ctl" "$WORK/gz-frames"
    local pxpid=$PROXY_PID
    $PY -u "$HERE/rawclient.py" --port "$px" --control-port "$ctl" raw-workload >&2
    $U wait-snapshots "$data/version-2" 30 || die "gz snapshots did not settle"
    stop_pid "$pxpid"
    stop_pid "$zkpid"
    log "copying the gz data dir"
    $U copy-datadir "$data" "$OUT/datadir-gz" >&2
}
case " $RUNS " in *" gz "*) run_gz ;; esac

# ---- run 3: top-level check (op 13) on its own server: Java 3.8.0 logs a type-13 txn
# it cannot read back; keep that data dir and note whether Java reloads it
run_check13() {
    local zk px ctl
    read -r zk px ctl <<<"$($U free-ports 3)"
    local data="$WORK/check13-data"
    write_standalone_cfg "$WORK/check13.cfg" "$data" "$zk"
    start_zk check13 "$WORK/check13.cfg"
    local zkpid=$ZK_PID
    $U wait-mode "$zk" standalone 60 "$zkpid" || die "check13 server did not start"
    start_proxy check13 "$px" "$zk" "$ctl" "$OUT/client" --fourlw-out "$WORK/check13-4lw"
    local pxpid=$PROXY_PID
    $PY -u "$HERE/rawclient.py" --port "$px" --control-port "$ctl" raw-check-toplevel >&2
    stop_pid "$pxpid"
    stop_pid "$zkpid"
    $U copy-datadir "$data" "$OUT/datadir-check13" >&2
    # does Java 3.8.0 load its own data dir again?
    start_zk check13-reload "$WORK/check13.cfg"
    local rpid=$ZK_PID result rc=0
    $U wait-mode "$zk" standalone 60 "$rpid" 2>/dev/null || rc=$?
    case $rc in
        0) result="Java 3.8.0 restarted on this data dir: loaded fine, serving" ;;
        3) result="Java 3.8.0 restarted on this data dir: exited while loading"
           if grep -q "Unsupported Txn" "$WORK/check13-reload.server.log"; then
               result="$result ($(grep -o 'IOException: Unsupported Txn.*' "$WORK/check13-reload.server.log" | head -1))"
           fi ;;
        *) result="Java 3.8.0 restarted on this data dir: still not serving after 60 s" ;;
    esac
    stop_pid "$rpid"
    log "$result"
    echo "$result" >"$OUT/datadir-check13/RELOAD.txt"
}
case " $RUNS " in *" check13 "*) run_check13 ;; esac

# ---- run 4: 3-node quorum; every peer-to-peer connection goes through a recording proxy
run_quorum() {
    local ports
    read -r -a ports <<<"$($U free-ports 23)"
    # ports[0..2] client, [3..5] quorum, [6..8] election of servers 1..3; [9] stays closed;
    # [10] proxy control; [11..] proxy listeners: quorum i->j (all pairs) and election i->j (i > j only)
    local -A C Q E PQ PE
    local i j k=11 routes=() closed=${ports[9]} ctl=${ports[10]}
    for i in 1 2 3; do
        C[$i]=${ports[$((i - 1))]}; Q[$i]=${ports[$((i + 2))]}; E[$i]=${ports[$((i + 5))]}
    done
    for i in 1 2 3; do
        for j in 1 2 3; do
            [ "$i" = "$j" ] && continue
            # quorum: F = learner (connecting side), L = leader
            PQ[$i$j]=${ports[$k]}; k=$((k + 1))
            routes+=(--route "quorum-${i}to${j}:${PQ[$i$j]}:${Q[$j]}:F:L")
            if [ "$i" -gt "$j" ]; then
                # election: C = connecting peer (the larger sid), S = the listening peer
                PE[$i$j]=${ports[$k]}; k=$((k + 1))
                routes+=(--route "election-${i}to${j}:${PE[$i$j]}:${E[$j]}:C:S")
            else
                # Java peers keep only larger->smaller election connections: a smaller sid's
                # dial is answered by closing it and calling back at the address in its
                # initial message (the real port, bypassing the proxy).  Give smaller sids a
                # closed port for larger peers, so every election link is dialled by the
                # larger sid at its configured, proxied address.
                PE[$i$j]=$closed
            fi
        done
    done
    for i in 1 2 3; do
        local data="$WORK/q$i-data"
        mkdir -p "$data"
        echo "$i" >"$data/myid"
        write_standalone_cfg "$WORK/q$i.cfg" "$data" "${C[$i]}"
        for j in 1 2 3; do
            if [ "$i" = "$j" ]; then
                echo "server.$j=127.0.0.1:${Q[$j]}:${E[$j]}" >>"$WORK/q$i.cfg"
            else
                echo "server.$j=127.0.0.1:${PQ[$i$j]}:${PE[$i$j]}" >>"$WORK/q$i.cfg"
            fi
        done
    done
    start_proxy quorum 0 0 "$ctl" "$OUT/quorum" --mode raw "${routes[@]}"
    local pxpid=$PROXY_PID
    # 1 and 2 start first and elect 2 (same zxid and epoch, higher sid); 3 then follows 2.
    start_zk q1 "$WORK/q1.cfg"; local pid1=$ZK_PID
    # 2 must find 1 listening on its first dial, or it backs off for many seconds
    $U wait-port "${E[1]}" 60 || die "server 1 election port"
    start_zk q2 "$WORK/q2.cfg"; local pid2=$ZK_PID
    $U wait-mode "${C[2]}" leader 90 "$pid2" || { tail -30 "$WORK/q2.server.log" >&2; die "server 2 not leading"; }
    $U wait-mode "${C[1]}" follower 90 "$pid1" || die "server 1 not following"
    start_zk q3 "$WORK/q3.cfg"; local pid3=$ZK_PID
    $U wait-mode "${C[3]}" follower 90 "$pid3" || { tail -30 "$WORK/q3.server.log" >&2; die "server 3 not following"; }
    log "quorum up: leader 2, followers 1 and 3; client traffic via follower 1"
    $PY -u "$HERE/rawclient.py" --port "${C[1]}" --leader-port "${C[2]}" raw-quorum-workload >&2
    # leader PINGs (every tickTime/2) and the learners' answers with their session tables
    $U ctl "$ctl" "scenario quorum-1to2" "wait L 00000005 10" "wait F 00000005 10" >&2 \
        || log "no PING seen on quorum-1to2 within 10 s"
    # followers first, so the leader records their disconnects; then the leader
    stop_pid "$pid1"
    stop_pid "$pid3"
    stop_pid "$pid2"
    stop_pid "$pxpid"
    $U copy-datadir "$WORK/q1-data" "$OUT/quorum/datadir-follower1" >&2
    $U copy-datadir "$WORK/q2-data" "$OUT/quorum/datadir-leader2" >&2
    for i in 1 2 3; do cp "$WORK/q$i.cfg" "$OUT/quorum/zoo-$i.cfg.txt"; done
}
case " $RUNS " in *" quorum "*) run_quorum ;; esac

log "fixtures written to $OUT"
if [ "$RUNS" != "$ALL_RUNS" ] && [ "$RUNS" != "main gz check13 " ]; then
    KEEP_WORK=1
    log "partial run ($RUNS): fixtures/ left unchanged"
    exit 0
fi
if [ "$QUORUM" != 1 ] && [ -d "$FIXTURES/quorum" ]; then
    cp -r "$FIXTURES/quorum" "$OUT/quorum"      # keep the previous quorum capture
fi
rm -rf "$FIXTURES.new"
cp -r "$OUT" "$FIXTURES.new"
rm -rf "$FIXTURES"
mv "$FIXTURES.new" "$FIXTURES"
log "done: $(find "$FIXTURES" -type f | wc -l) fixture files in $FIXTURES"
