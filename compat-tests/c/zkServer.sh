#!/usr/bin/env bash
# Stand-in for the two scripts ZooKeeper's C client tests (zktest-mt) start and stop servers with;
# run.sh installs it as both:
#
#   tests/zkServer.sh  startClean|start|startCleanReadOnly|startRequireSASLAuth [jaas] [ro]|stop [host:port]
#       the suite's standalone server on 127.0.0.1:$ZOOPORT (22181; secure port 22281), config from
#       the suite's tests/zoo.cfg template as the original script makes it. Every call first kills
#       (SIGKILL, as the original) the server a previous call started; `startClean*` wipes its data.
#   $ZKROOT/bin/zkServer.sh  start|stop|status <N.conf>
#       one member of the quorum TestReconfigServer builds (config written by the test).
#
# Runs rzk ($RZK_BIN server -D name=value... <cfg>) or, with RZK_C_MODE=java, Java ZooKeeper 3.8 from
# Debian. Java system properties the tests pass (EXTRA_JVM_ARGS, SERVER_JVMFLAGS/JVMFLAGS prefixes)
# become rzk -D options. State (pid files, logs, data) lives under $RZK_C_STATE.
set -uo pipefail

STATE="${RZK_C_STATE:?RZK_C_STATE is not set}"
MODE="${RZK_C_MODE:-rzk}"
SRC_TESTS="${RZK_C_TESTS_DIR:?RZK_C_TESTS_DIR is not set}"   # the suite's tests/ (zoo.cfg template)
CERTS=/tmp/certs                                              # the tests read their certificates here
J=/usr/share/java
mkdir -p "$STATE"

is_alive() {
    local st
    st=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ "$st" != Z && "$st" != X ]]
}

kill_pidfile() { # kill_pidfile <file>: SIGKILL the server recorded there, wait until it is gone
    local f="$1" pid
    [[ -r "$f" ]] || return 0
    pid=$(cat "$f")
    if [[ -n "$pid" ]] && is_alive "$pid"; then
        kill -9 "$pid" 2>/dev/null
        local deadline=$((SECONDS + 20))
        while is_alive "$pid" && ((SECONDS < deadline)); do sleep 0.05; done
    fi
    rm -f "$f"
}

props_of() { # Java -Dname=value words in "$*" -> one name=value per line
    local w
    for w in $*; do
        case "$w" in -D*=*) printf '%s\n' "${w#-D}" ;; -D*) printf '%s=\n' "${w#-D}" ;; esac
    done
}

launch() { # launch <cfg> <log> <pidfile> <java main class> <name=value property>...
    local cfg="$1" log="$2" pidf="$3" main="$4"
    shift 4
    if [[ $MODE == java ]]; then
        local jp=() p
        for p in "$@"; do jp+=("-D$p"); done
        java -Xmx256m -Djava.net.preferIPv4Stack=true -Dzookeeper.admin.enableServer=false \
            -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.showDateTime=true \
            "${jp[@]+"${jp[@]}"}" \
            -cp "/etc/zookeeper/conf:$J/zookeeper.jar:$J/netty-codec.jar:$J/netty-resolver.jar:$J/slf4j-simple.jar" \
            "$main" "$cfg" >>"$log" 2>&1 &
    else
        local dp=() p
        for p in "$@"; do dp+=(-D "$p"); done
        "${RZK_BIN:?RZK_BIN is not set}" server "${dp[@]+"${dp[@]}"}" "$cfg" >>"$log" 2>&1 &
    fi
    echo -n $! >"$pidf"
}

srvr() { # srvr <port>: the srvr answer (empty if none)
    timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf srvr >&3 && cat <&3' _ "$1" 2>/dev/null
}

wait_up() { # wait_up <pidfile> <port> <text>: 0 once the server's srvr answer contains text
    local pid deadline=$((SECONDS + 60))
    pid=$(cat "$1")
    while ((SECONDS < deadline)); do
        is_alive "$pid" || return 1
        [[ "$(srvr "$2")" == *"$3"* ]] && return 0
        sleep 0.1
    done
    return 1
}

# ------------------------------------------------------------------ bin/zkServer.sh <cmd> <N.conf>
if [[ "${2:-}" == *.conf ]]; then
    cmd="$1" cfg="$2"
    id="$(basename "$cfg" .conf)"
    pidf="$STATE/quorum-$id.pid"
    # the client port: clientPort=, or (once Java has moved it to the dynamic config file) the
    # `;[address:]port` part of this server's server.N line
    port="$(sed -n 's/^clientPort=//p' "$cfg" | head -n1)"
    if [[ -z "$port" ]]; then
        dyn="$(sed -n 's/^dynamicConfigFile=//p' "$cfg" | head -n1)"
        line="$(grep -h "^server\.$id=" "$cfg" ${dyn:+"$dyn"} 2>/dev/null | head -n1)"
        port="${line##*[;:]}"
    fi
    case "$cmd" in
    start)
        kill_pidfile "$pidf"
        datadir="$(sed -n 's/^dataDir=//p' "$cfg" | head -n1)"
        mkdir -p "$datadir"
        grep -q '^clientPortAddress=' "$cfg" || echo "clientPortAddress=127.0.0.1" >>"$cfg"
        grep -q '^admin.enableServer=' "$cfg" || echo "admin.enableServer=false" >>"$cfg"
        grep -q '^4lw.commands.whitelist=' "$cfg" || echo "4lw.commands.whitelist=*" >>"$cfg"
        [[ -f "$datadir/myid" ]] || echo "$id" >"$datadir/myid"
        mapfile -t props < <(props_of "${SERVER_JVMFLAGS:-} ${JVMFLAGS:-}")
        printf '==== %s start %s\n' "$(date +%T)" "$cfg" >>"$STATE/quorum-$id.log"
        launch "$cfg" "$STATE/quorum-$id.log" "$pidf" org.apache.zookeeper.server.quorum.QuorumPeerMain \
            "${props[@]+"${props[@]}"}"
        # zkServer.sh start returns once the process is up; the test polls the mode itself
        ;;
    stop) kill_pidfile "$pidf" ;;
    status)
        out="$(srvr "$port")"
        mode="$(sed -n 's/^Mode: //p' <<<"$out")"
        if [[ -n "$mode" ]]; then echo "Mode: $mode"; else echo "Error contacting service. It is probably not running."; exit 1; fi
        ;;
    *) echo "unknown command $cmd" >&2; exit 2 ;;
    esac
    exit 0
fi

# ------------------------------------------------------------------ tests/zkServer.sh <cmd> [host:port]
ZOOPORT=${ZOOPORT:-22181}
ZKMAXCNXNS=${ZKMAXCNXNS:-100}
cmd="${1:-}"
[[ -n "$cmd" ]] || { echo "USAGE: $0 startClean|start|startCleanReadOnly|startRequireSASLAuth [jaasConf] [readOnly]|stop"; exit 2; }

pidf="$STATE/zk.pid"
kill_pidfile "$pidf"    # as the original: every call first stops what was running

props=(zookeeper.extendedTypesEnabled=true znode.container.checkIntervalMs=100)
mapfile -t -O ${#props[@]} props < <(props_of "${EXTRA_JVM_ARGS:-}")
read_only=""
case "$cmd" in
startRequireSASLAuth)
    props=(zookeeper.sessionRequireClientSASLAuth=true "${props[@]}"
        zookeeper.authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider)
    [[ -n "${2:-}" ]] && props+=("java.security.auth.login.config=$2")
    if [[ -n "${3:-}" ]]; then props=(readonlymode.enabled=true "${props[@]}"); read_only=1; fi
    ;;
startCleanReadOnly)
    props=(readonlymode.enabled=true "${props[@]}"); read_only=1 ;;
esac

case "$cmd" in
start | startClean | startRequireSASLAuth | startCleanReadOnly)
    tmp_dir="$STATE/standalone"
    [[ "$cmd" == startClean || "$cmd" == startCleanReadOnly ]] && rm -rf "$tmp_dir/zkdata"
    mkdir -p "$tmp_dir/zkdata"
    cfg="$tmp_dir/zoo.cfg"
    sed "s#TMPDIR#${tmp_dir}#g;s#CERTDIR#${CERTS}#g;s#MAXCLIENTCONNECTIONS#${ZKMAXCNXNS}#g;s#CLIENTPORT#${ZOOPORT}#g" \
        "$SRC_TESTS/zoo.cfg" >"$cfg"
    # only loopback, no admin server, every four-letter word
    printf '%s\n' clientPortAddress=127.0.0.1 secureClientPortAddress=127.0.0.1 \
        admin.enableServer=false '4lw.commands.whitelist=*' >>"$cfg"
    main=org.apache.zookeeper.server.ZooKeeperServerMain
    if [[ -n "$read_only" ]]; then
        # a single member of a three-server ensemble: read-only mode
        printf '%s\n' server.1=localhost:22881:33881 server.2=localhost:22882:33882 \
            server.3=localhost:22883:33883 >>"$cfg"
        echo 1 >"$tmp_dir/zkdata/myid"
        main=org.apache.zookeeper.server.quorum.QuorumPeerMain
    fi
    printf '==== %s %s (%s)\n' "$(date +%T)" "$cmd" "$MODE" >>"$STATE/zk.log"
    launch "$cfg" "$STATE/zk.log" "$pidf" "$main" "${props[@]}"
    want="Zookeeper version"
    [[ -n "$read_only" ]] && want="Mode: read-only"
    if wait_up "$pidf" "$ZOOPORT" "$want"; then
        echo -n " ZooKeeper server started"
    else
        echo -n " ZooKeeper server NOT started"
    fi
    ;;
stop) ;;
*) echo "Unknown command $cmd"; exit 2 ;;
esac
exit 0
