// Golden-bytes capture driver: exercises the Java ZooKeeper 3.8 client API
// against a real Java server reached through compat-tests/golden/proxy.py.
//
// Usage: java GoldenClient <host:port of the proxy> <proxy control port> [scenario ...]
//
// Every scenario tells the proxy its name first ("scenario <name>"), so each
// TCP connection it opens is recorded as fixtures/client/<name>-<n>.frames,
// and ends by waiting until the proxy has seen all of its connections close
// ("settle").  A scenario that does not behave as expected makes the program
// exit non-zero, so a capture never silently records something different.
//
// Written for rzk; it only uses the public client API.

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.Watcher.WatcherType;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.admin.ZooKeeperAdmin;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

public class GoldenClient {
    static String hostPort;
    static Socket ctlSock;
    static BufferedReader ctlIn;
    static OutputStream ctlOut;
    static final int TIMEOUT_MS = 30000;
    static final long WAIT_S = 20;

    interface Body {
        void run() throws Exception;
    }

    // ---------------------------------------------------------------- proxy control
    static synchronized String ctl(String cmd) throws IOException {
        ctlOut.write((cmd + "\n").getBytes(StandardCharsets.UTF_8));
        ctlOut.flush();
        String r = ctlIn.readLine();
        if (r == null) {
            throw new IOException("proxy control connection closed");
        }
        return r;
    }

    static void ctlOk(String cmd) throws IOException {
        String r = ctl(cmd);
        if (!r.startsWith("ok")) {
            throw new IllegalStateException("proxy: '" + cmd + "' -> " + r);
        }
    }

    // ---------------------------------------------------------------- watchers
    /** Records every event it receives; tests wait for specific ones. */
    static class Events implements Watcher {
        final String name;
        final BlockingQueue<WatchedEvent> q = new LinkedBlockingQueue<>();

        Events(String name) {
            this.name = name;
        }

        @Override
        public void process(WatchedEvent e) {
            log("  [" + name + "] event " + e.getType() + " " + e.getState() + " " + e.getPath());
            q.add(e);
        }

        /** Events taken off the queue by the test thread but not matched yet (test thread only). */
        final List<WatchedEvent> pending = new ArrayList<>();

        WatchedEvent expect(EventType type, String path) throws InterruptedException {
            for (int i = 0; i < pending.size(); i++) {
                WatchedEvent e = pending.get(i);
                if (e.getType() == type && (path == null || path.equals(e.getPath()))) {
                    return pending.remove(i);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (true) {
                long left = deadline - System.nanoTime();
                WatchedEvent e = left > 0 ? q.poll(left, TimeUnit.NANOSECONDS) : null;
                if (e == null) {
                    throw new IllegalStateException("[" + name + "] no event " + type + " " + path
                        + " within " + WAIT_S + "s (pending " + pending.size() + ")");
                }
                if (e.getType() == type && (path == null || path.equals(e.getPath()))) {
                    return e;
                }
                pending.add(e);
            }
        }

        void expectState(KeeperState state) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (true) {
                long left = deadline - System.nanoTime();
                WatchedEvent e = left > 0 ? q.poll(left, TimeUnit.NANOSECONDS) : null;
                if (e == null) {
                    throw new IllegalStateException("[" + name + "] no state " + state);
                }
                if (e.getType() == EventType.None && e.getState() == state) {
                    return;
                }
                if (e.getType() != EventType.None) {
                    pending.add(e);
                }
            }
        }
    }

    static ZooKeeper connect(Events w) throws Exception {
        return connect(w, TIMEOUT_MS);
    }

    static ZooKeeper connect(Events w, int timeout) throws Exception {
        ZooKeeper zk = track(new ZooKeeper(hostPort, timeout, w));
        w.expectState(KeeperState.SyncConnected);
        return zk;
    }

    /** Handles opened by the running scenario; all are closed when it ends, even on failure. */
    static final List<ZooKeeper> HANDLES = new ArrayList<>();

    static <T extends ZooKeeper> T track(T zk) {
        HANDLES.add(zk);
        return zk;
    }

    static void closeAll() {
        for (ZooKeeper zk : HANDLES) {
            try {
                zk.close();
            } catch (Exception e) {
                log("  close: " + e);
            }
        }
        HANDLES.clear();
    }

    static void dropSession(ZooKeeper zk) throws IOException {
        ctlOk("drop-session " + Long.toHexString(zk.getSessionId()));
    }

    // ---------------------------------------------------------------- helpers
    static void log(String s) {
        System.out.println(s);
        System.out.flush();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    interface Call {
        void run() throws Exception;
    }

    /** Runs call and requires it to fail with the given server error code. */
    static void expectErr(Code code, Call call) throws Exception {
        try {
            call.run();
        } catch (KeeperException e) {
            if (e.code() != code) {
                throw new IllegalStateException("expected " + code + " got " + e.code(), e);
            }
            log("  got expected " + code);
            return;
        }
        throw new IllegalStateException("expected " + code + " but the call succeeded");
    }

    static void check(boolean cond, String what) {
        if (!cond) {
            throw new IllegalStateException("check failed: " + what);
        }
    }

    static List<ACL> acl(int perms, String scheme, String id) {
        return new ArrayList<>(Collections.singletonList(new ACL(perms, new Id(scheme, id))));
    }

    static String digest(String userPass) throws Exception {
        return DigestAuthenticationProvider.generateDigest(userPass);
    }

    // ---------------------------------------------------------------- scenarios
    static final Map<String, Body> SCENARIOS = new LinkedHashMap<>();

    static void def(String name, Body body) {
        SCENARIOS.put(name, body);
    }

    static {
        def("connect-close", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            zk.close();
        });

        def("create-modes", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            List<ACL> open = Ids.OPEN_ACL_UNSAFE;
            zk.create("/cm", b("root"), open, CreateMode.PERSISTENT);
            zk.create("/cm/persistent", b("p"), open, CreateMode.PERSISTENT);
            zk.create("/cm/ephemeral", b("e"), open, CreateMode.EPHEMERAL);
            zk.create("/cm/pseq-", b("ps"), open, CreateMode.PERSISTENT_SEQUENTIAL);
            zk.create("/cm/pseq-", b("ps"), open, CreateMode.PERSISTENT_SEQUENTIAL);
            zk.create("/cm/eseq-", b("es"), open, CreateMode.EPHEMERAL_SEQUENTIAL);
            zk.create("/cm/container", b("c"), open, CreateMode.CONTAINER);            // op 19
            zk.create("/cm/ttl", b("t"), open, CreateMode.PERSISTENT_WITH_TTL, null, 3600000L); // op 21
            zk.create("/cm/ttlseq-", b("ts"), open, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, null, 7200000L);
            zk.create("/cm/empty", new byte[0], open, CreateMode.PERSISTENT);
            zk.close();
        });

        def("create2-modes", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            List<ACL> open = Ids.OPEN_ACL_UNSAFE;
            Stat st = new Stat();
            zk.create("/c2", b("root2"), open, CreateMode.PERSISTENT, st);                   // op 15
            zk.create("/c2/persistent", b("p"), open, CreateMode.PERSISTENT, st);
            zk.create("/c2/ephemeral", b("e"), open, CreateMode.EPHEMERAL, st);
            zk.create("/c2/pseq-", b("ps"), open, CreateMode.PERSISTENT_SEQUENTIAL, st);
            zk.create("/c2/eseq-", b("es"), open, CreateMode.EPHEMERAL_SEQUENTIAL, st);
            zk.create("/c2/container", b("c"), open, CreateMode.CONTAINER, st);              // op 19
            zk.create("/c2/ttl", b("t"), open, CreateMode.PERSISTENT_WITH_TTL, st, 1000000L); // op 21
            zk.close();
        });

        def("create-errors", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            List<ACL> open = Ids.OPEN_ACL_UNSAFE;
            zk.create("/ce", b("x"), open, CreateMode.PERSISTENT);
            zk.create("/ce/eph", b("x"), open, CreateMode.EPHEMERAL);
            expectErr(Code.NODEEXISTS, () -> zk.create("/ce", b("x"), open, CreateMode.PERSISTENT));
            expectErr(Code.NONODE, () -> zk.create("/ce/missing/child", b("x"), open, CreateMode.PERSISTENT));
            expectErr(Code.NOCHILDRENFOREPHEMERALS, () -> zk.create("/ce/eph/child", b("x"), open, CreateMode.PERSISTENT));
            expectErr(Code.NODEEXISTS, () -> zk.create("/ce", b("x"), open, CreateMode.PERSISTENT, new Stat()));
            expectErr(Code.INVALIDACL, () -> zk.create("/ce/badacl", b("x"), acl(31, "digest", "nocolon"), CreateMode.PERSISTENT));
            expectErr(Code.INVALIDACL, () -> zk.create("/ce/authacl", b("x"), Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT));
            expectErr(Code.BADARGUMENTS, () -> zk.delete("/zookeeper", -1));
            expectErr(Code.NOAUTH, () -> zk.setData("/zookeeper/config", b("x"), -1));
            zk.close();
        });

        def("null-data", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            zk.create("/nd", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            Stat st = new Stat();
            byte[] d = zk.getData("/nd", false, st);
            check(d == null, "null data round trip");
            zk.setData("/nd", new byte[0], -1);
            d = zk.getData("/nd", false, st);
            check(d != null && d.length == 0, "empty data");
            zk.setData("/nd", null, -1);
            check(zk.getData("/nd", false, st) == null, "null again");
            zk.create("/nd/child", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, st);
            zk.close();
        });

        def("large-data", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            byte[] big = new byte[500 * 1024];
            for (int i = 0; i < big.length; i++) {
                big[i] = (byte) (i * 31 + (i >> 8));
            }
            zk.create("/large", big, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            byte[] back = zk.getData("/large", false, null);
            check(Arrays.equals(big, back), "large data round trip");
            zk.delete("/large", -1);
            zk.close();
        });

        def("delete", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            List<ACL> open = Ids.OPEN_ACL_UNSAFE;
            zk.create("/del", b("d"), open, CreateMode.PERSISTENT);
            zk.create("/del/a", b("a"), open, CreateMode.PERSISTENT);
            zk.delete("/del/a", -1);
            zk.create("/del/b", b("b"), open, CreateMode.PERSISTENT);
            zk.setData("/del/b", b("b1"), 0);
            expectErr(Code.BADVERSION, () -> zk.delete("/del/b", 0));
            zk.delete("/del/b", 1);
            expectErr(Code.NONODE, () -> zk.delete("/del/b", -1));
            zk.create("/del/c", b("c"), open, CreateMode.PERSISTENT);
            expectErr(Code.NOTEMPTY, () -> zk.delete("/del", -1));
            zk.close();
        });

        def("exists", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            check(zk.exists("/", false) != null, "root exists");
            check(zk.exists("/ex", true) == null, "missing");            // watch on a missing node
            zk.create("/ex", b("x"), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            w.expect(EventType.NodeCreated, "/ex");
            check(zk.exists("/ex", true) != null, "present");
            zk.delete("/ex", -1);
            w.expect(EventType.NodeDeleted, "/ex");
            zk.close();
        });

        def("getdata", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            zk.create("/gd", b("v0"), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            Stat st = new Stat();
            zk.getData("/gd", true, st);
            zk.setData("/gd", b("v1"), st.getVersion());
            w.expect(EventType.NodeDataChanged, "/gd");
            zk.getData("/gd", false, st);
            expectErr(Code.NONODE, () -> zk.getData("/gd-missing", true, null));
            zk.getData("/zookeeper/config", false, st);
            zk.close();
        });

        def("setdata", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            zk.create("/sd", b("v0"), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            zk.setData("/sd", b("v1"), -1);
            zk.setData("/sd", b("v2"), 1);
            expectErr(Code.BADVERSION, () -> zk.setData("/sd", b("v3"), 1));
            expectErr(Code.NONODE, () -> zk.setData("/sd-missing", b("x"), -1));
            zk.close();
        });

        def("children", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            List<ACL> open = Ids.OPEN_ACL_UNSAFE;
            zk.create("/ch", b("p"), open, CreateMode.PERSISTENT);
            zk.create("/ch/a", b("a"), open, CreateMode.PERSISTENT);
            zk.create("/ch/b", b("b"), open, CreateMode.PERSISTENT);
            zk.getChildren("/ch", false);                                   // op 8
            zk.getChildren("/ch", true);                                    // op 8 + watch
            zk.create("/ch/c", b("c"), open, CreateMode.PERSISTENT);
            w.expect(EventType.NodeChildrenChanged, "/ch");
            Stat st = new Stat();
            zk.getChildren("/ch", true, st);                                // op 12
            zk.delete("/ch/c", -1);
            w.expect(EventType.NodeChildrenChanged, "/ch");
            zk.getChildren("/ch/a", true);                                  // child watch on a leaf
            zk.delete("/ch/a", -1);
            w.expect(EventType.NodeDeleted, "/ch/a");
            expectErr(Code.NONODE, () -> zk.getChildren("/ch-missing", false));
            expectErr(Code.NONODE, () -> zk.getChildren("/ch-missing", false, new Stat()));
            zk.getChildren("/", false, st);
            zk.close();
        });

        def("watch-events", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            List<ACL> open = Ids.OPEN_ACL_UNSAFE;
            zk.create("/we", b("p"), open, CreateMode.PERSISTENT);
            zk.exists("/we/n", true);
            zk.getChildren("/we", true);
            zk.create("/we/n", b("0"), open, CreateMode.PERSISTENT);
            w.expect(EventType.NodeCreated, "/we/n");
            w.expect(EventType.NodeChildrenChanged, "/we");
            zk.getData("/we/n", true, null);
            zk.setData("/we/n", b("1"), -1);
            w.expect(EventType.NodeDataChanged, "/we/n");
            zk.getData("/we/n", true, null);
            zk.getChildren("/we", true);
            zk.delete("/we/n", -1);
            w.expect(EventType.NodeDeleted, "/we/n");
            w.expect(EventType.NodeChildrenChanged, "/we");
            zk.close();
        });

        def("watch-other-session", () -> {
            // connection 1 watches, connection 2 writes: notifications arrive unsolicited on 1
            Events wa = new Events("watcher");
            Events wb = new Events("writer");
            ZooKeeper a = connect(wa);
            ZooKeeper bzk = connect(wb);
            List<ACL> open = Ids.OPEN_ACL_UNSAFE;
            a.exists("/wo", true);
            bzk.create("/wo", b("0"), open, CreateMode.PERSISTENT);
            wa.expect(EventType.NodeCreated, "/wo");
            a.getData("/wo", true, null);
            a.getChildren("/wo", true);
            bzk.setData("/wo", b("1"), -1);
            wa.expect(EventType.NodeDataChanged, "/wo");
            bzk.create("/wo/k", null, open, CreateMode.EPHEMERAL);
            wa.expect(EventType.NodeChildrenChanged, "/wo");
            a.exists("/wo/k", true);
            bzk.close();                                                    // ephemeral goes away
            wa.expect(EventType.NodeDeleted, "/wo/k");
            a.close();
        });

        def("acl", () -> {
            Events wa = new Events("auth");
            ZooKeeper a = connect(wa);
            a.addAuthInfo("digest", b("u:p"));
            String dig = digest("u:p");
            a.create("/acl-creator", b("c"), Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
            a.create("/acl-creator/child", b("c"), Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
            List<ACL> mixed = new ArrayList<>();
            mixed.add(new ACL(ZooDefs.Perms.ALL, new Id("digest", dig)));
            mixed.add(new ACL(ZooDefs.Perms.READ, Ids.ANYONE_ID_UNSAFE));
            a.create("/acl-digest", b("d"), mixed, CreateMode.PERSISTENT);
            List<ACL> ipAcl = new ArrayList<>();
            ipAcl.add(new ACL(ZooDefs.Perms.ALL, new Id("ip", "127.0.0.1")));
            ipAcl.add(new ACL(ZooDefs.Perms.READ | ZooDefs.Perms.ADMIN, new Id("ip", "10.0.0.0/8")));
            a.create("/acl-ip", b("i"), ipAcl, CreateMode.PERSISTENT);
            a.create("/acl-open", b("o"), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            Stat st = new Stat();
            a.getACL("/acl-creator", st);
            a.getACL("/acl-digest", st);
            a.getACL("/acl-ip", st);
            a.setACL("/acl-open", Ids.READ_ACL_UNSAFE, 0);
            expectErr(Code.BADVERSION, () -> a.setACL("/acl-digest", Ids.OPEN_ACL_UNSAFE, 5));
            a.getACL("/acl-open", st);

            Events wb = new Events("anon");
            ZooKeeper bzk = connect(wb);
            expectErr(Code.NOAUTH, () -> bzk.getData("/acl-creator", false, null));
            expectErr(Code.NOAUTH, () -> bzk.getACL("/acl-creator", new Stat()));
            bzk.getData("/acl-digest", false, null);
            bzk.getACL("/acl-digest", new Stat());                          // digest id masked (no ADMIN)
            expectErr(Code.NOAUTH, () -> bzk.setData("/acl-digest", b("x"), -1));
            expectErr(Code.NOAUTH, () -> bzk.setACL("/acl-digest", Ids.OPEN_ACL_UNSAFE, -1));
            expectErr(Code.NOAUTH, () -> bzk.create("/acl-open/child", null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            expectErr(Code.NOAUTH, () -> bzk.delete("/acl-creator/child", -1));   // DELETE on the parent
            bzk.close();
            a.close();
        });

        def("sync", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            CountDownLatch done = new CountDownLatch(2);
            AtomicInteger rcs = new AtomicInteger();
            zk.sync("/", (rc, path, ctx) -> {
                rcs.addAndGet(Math.abs(rc));
                done.countDown();
            }, null);
            zk.sync("/sync-missing", (rc, path, ctx) -> {
                rcs.addAndGet(Math.abs(rc));
                done.countDown();
            }, null);
            check(done.await(WAIT_S, TimeUnit.SECONDS), "sync callbacks");
            log("  sync rc sum " + rcs.get());
            zk.close();
        });

        def("multi", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            List<ACL> open = Ids.OPEN_ACL_UNSAFE;
            zk.create("/mu", b("m"), open, CreateMode.PERSISTENT);
            List<OpResult> ok = zk.multi(Arrays.asList(
                Op.create("/mu/a", b("a"), open, CreateMode.PERSISTENT),
                Op.create("/mu/s-", b("s"), open, CreateMode.PERSISTENT_SEQUENTIAL),
                Op.create("/mu/c", b("c"), open, CreateMode.CONTAINER),
                Op.create("/mu/t", b("t"), open, CreateMode.PERSISTENT_WITH_TTL, 600000L),
                Op.setData("/mu/a", b("a1"), 0),
                Op.check("/mu/a", 1),
                Op.create("/mu/d", null, open, CreateMode.EPHEMERAL),
                Op.delete("/mu/d", 0)));
            log("  multi ok results " + ok.size());
            // failing multi: create ok, delete missing, setData -> 0, -101, -2
            try {
                zk.multi(Arrays.asList(
                    Op.create("/mu/x", b("x"), open, CreateMode.PERSISTENT),
                    Op.delete("/mu/missing", -1),
                    Op.setData("/mu/a", b("a2"), -1)));
                throw new IllegalStateException("failing multi succeeded");
            } catch (KeeperException e) {
                check(e.code() == Code.NONODE, "multi failure code " + e.code());
                for (OpResult r : e.getResults()) {
                    log("  result " + r.getType() + " " + (r instanceof OpResult.ErrorResult ? ((OpResult.ErrorResult) r).getErr() : 0));
                }
            }
            // failing check
            try {
                zk.multi(Arrays.asList(Op.check("/mu/a", 7), Op.setData("/mu/a", b("a3"), -1)));
                throw new IllegalStateException("failing check multi succeeded");
            } catch (KeeperException e) {
                check(e.code() == Code.BADVERSION, "check failure code " + e.code());
            }
            // transaction() builder, same opcode
            zk.transaction().create("/mu/tx", b("tx"), open, CreateMode.PERSISTENT).delete("/mu/tx", 0).commit();
            // empty multi
            List<OpResult> none = zk.multi(Collections.emptyList());
            log("  empty multi results " + none.size());
            zk.close();
        });

        def("multiread", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            List<ACL> open = Ids.OPEN_ACL_UNSAFE;
            zk.create("/mr", b("m"), open, CreateMode.PERSISTENT);
            zk.create("/mr/a", b("a"), open, CreateMode.PERSISTENT);
            zk.create("/mr/b", null, open, CreateMode.PERSISTENT);
            List<OpResult> rs = zk.multi(Arrays.asList(
                Op.getData("/mr"), Op.getChildren("/mr"), Op.getData("/mr/b")));
            log("  multiRead results " + rs.size());
            rs = zk.multi(Arrays.asList(
                Op.getData("/mr/a"), Op.getData("/mr/missing"), Op.getChildren("/mr/missing"), Op.getChildren("/mr")));
            for (OpResult r : rs) {
                log("  result " + r.getType() + " " + (r instanceof OpResult.ErrorResult ? ((OpResult.ErrorResult) r).getErr() : 0));
            }
            zk.close();
        });

        def("ephemerals", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            List<ACL> open = Ids.OPEN_ACL_UNSAFE;
            zk.create("/eph", b("p"), open, CreateMode.PERSISTENT);
            zk.create("/eph/a", b("a"), open, CreateMode.EPHEMERAL);
            zk.create("/eph/b-", b("b"), open, CreateMode.EPHEMERAL_SEQUENTIAL);
            zk.create("/eph-other", b("o"), open, CreateMode.EPHEMERAL);
            log("  all " + zk.getEphemerals());                           // op 103, prefix "/"
            log("  /eph " + zk.getEphemerals("/eph"));
            log("  /nothing " + zk.getEphemerals("/nothing"));
            zk.close();
        });

        def("allchildren", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            List<ACL> open = Ids.OPEN_ACL_UNSAFE;
            zk.create("/acn", null, open, CreateMode.PERSISTENT);
            zk.create("/acn/a", null, open, CreateMode.PERSISTENT);
            zk.create("/acn/a/b", null, open, CreateMode.PERSISTENT);
            zk.create("/acn/c", null, open, CreateMode.PERSISTENT);
            check(zk.getAllChildrenNumber("/acn") == 3, "all children 3");
            check(zk.getAllChildrenNumber("/acn/c") == 0, "leaf 0");
            expectErr(Code.NONODE, () -> zk.getAllChildrenNumber("/acn-missing"));
            zk.close();
        });

        def("whoami", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            for (ClientInfo ci : zk.whoAmI()) {
                log("  " + ci.getAuthScheme() + " " + ci.getUser());
            }
            zk.addAuthInfo("digest", b("u:p"));
            zk.addAuthInfo("digest", b("other:pw"));
            for (ClientInfo ci : zk.whoAmI()) {
                log("  " + ci.getAuthScheme() + " " + ci.getUser());
            }
            zk.close();
        });

        def("auth-good", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            zk.addAuthInfo("digest", b("u:p"));
            zk.exists("/", false);            // make sure the auth reply has arrived
            zk.close();
        });

        def("auth-bad", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            zk.addAuthInfo("bogus", b("whatever"));
            w.expectState(KeeperState.AuthFailed);
            zk.close();
        });

        def("auth-before-connect", () -> {
            // addAuthInfo right after construction: the auth packet is pipelined behind the ConnectRequest
            Events w = new Events("a");
            ZooKeeper zk = track(new ZooKeeper(hostPort, TIMEOUT_MS, w));
            zk.addAuthInfo("digest", b("u:p"));
            w.expectState(KeeperState.SyncConnected);
            zk.exists("/", false);
            zk.close();
        });

        def("addwatch", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            List<ACL> open = Ids.OPEN_ACL_UNSAFE;
            zk.addWatch("/aw", AddWatchMode.PERSISTENT);
            zk.addWatch("/awr", AddWatchMode.PERSISTENT_RECURSIVE);
            zk.create("/aw", b("0"), open, CreateMode.PERSISTENT);
            w.expect(EventType.NodeCreated, "/aw");
            zk.create("/aw/c", b("0"), open, CreateMode.PERSISTENT);
            w.expect(EventType.NodeChildrenChanged, "/aw");
            zk.setData("/aw", b("1"), -1);
            w.expect(EventType.NodeDataChanged, "/aw");
            zk.setData("/aw", b("2"), -1);                                  // persistent: fires again
            w.expect(EventType.NodeDataChanged, "/aw");
            zk.create("/awr", b("0"), open, CreateMode.PERSISTENT);
            w.expect(EventType.NodeCreated, "/awr");
            zk.create("/awr/a", b("0"), open, CreateMode.PERSISTENT);
            w.expect(EventType.NodeCreated, "/awr/a");
            zk.create("/awr/a/b", b("0"), open, CreateMode.PERSISTENT);
            w.expect(EventType.NodeCreated, "/awr/a/b");
            zk.setData("/awr/a/b", b("1"), -1);
            w.expect(EventType.NodeDataChanged, "/awr/a/b");
            zk.delete("/awr/a/b", -1);
            w.expect(EventType.NodeDeleted, "/awr/a/b");
            zk.delete("/aw/c", -1);
            w.expect(EventType.NodeChildrenChanged, "/aw");
            zk.removeAllWatches("/aw", WatcherType.Any, false);
            zk.removeAllWatches("/awr", WatcherType.Any, false);
            zk.setData("/aw", b("3"), -1);                                  // no event any more
            zk.close();
        });

        def("removewatches", () -> {
            Events w = new Events("a");
            Events other = new Events("other");
            ZooKeeper zk = connect(w);
            List<ACL> open = Ids.OPEN_ACL_UNSAFE;
            zk.create("/rw", b("0"), open, CreateMode.PERSISTENT);
            zk.getData("/rw", other, null);
            zk.getChildren("/rw", other);
            zk.exists("/rw", true);
            // a specific watcher -> checkWatches (17)
            zk.removeWatches("/rw", other, WatcherType.Data, false);
            other.expect(EventType.DataWatchRemoved, "/rw");
            // all watchers of a type -> removeWatches (18)
            zk.removeAllWatches("/rw", WatcherType.Children, false);
            zk.removeAllWatches("/rw", WatcherType.Any, false);
            // nothing left: client-side NoWatcher (nothing may be sent)
            expectErr(Code.NOWATCHER, () -> zk.removeAllWatches("/rw", WatcherType.Any, false));
            // local=true on a missing watch
            zk.getData("/rw", true, null);
            zk.removeAllWatches("/rw", WatcherType.Data, true);
            zk.close();
        });

        def("reconnect-setwatches", () -> {
            // connection 1: client A sets watches; connection 2: writer B;
            // the proxy then kills connection 1 and holds A's reconnect (3) until B has
            // changed things, so SetWatches (101) gets immediate events; then the same
            // again with a persistent watch so SetWatches2 (105) is sent on connection 4.
            Events wa = new Events("A");
            Events wb = new Events("B");
            ZooKeeper a = connect(wa);
            List<ACL> open = Ids.OPEN_ACL_UNSAFE;
            a.create("/rsw", b("p"), open, CreateMode.PERSISTENT);
            a.create("/rsw/data", b("0"), open, CreateMode.PERSISTENT);
            a.create("/rsw/still", b("0"), open, CreateMode.PERSISTENT);
            a.getData("/rsw/data", true, null);
            a.getData("/rsw/still", true, null);
            a.exists("/rsw/missing", true);
            a.getChildren("/rsw", true);
            a.exists("/rsw/never", true);
            ZooKeeper bzk = connect(wb);
            long sid = a.getSessionId();
            ctlOk("hold");
            dropSession(a);
            wa.expectState(KeeperState.Disconnected);
            bzk.setData("/rsw/data", b("1"), -1);
            bzk.create("/rsw/missing", b("m"), open, CreateMode.PERSISTENT);
            ctlOk("release");
            wa.expectState(KeeperState.SyncConnected);
            check(a.getSessionId() == sid, "same session after reconnect");
            wa.expect(EventType.NodeDataChanged, "/rsw/data");
            wa.expect(EventType.NodeCreated, "/rsw/missing");
            wa.expect(EventType.NodeChildrenChanged, "/rsw");
            a.setData("/rsw/still", b("1"), -1);                            // still armed after SetWatches
            wa.expect(EventType.NodeDataChanged, "/rsw/still");
            a.addWatch("/rsw", AddWatchMode.PERSISTENT_RECURSIVE);
            a.addWatch("/rsw/data", AddWatchMode.PERSISTENT);
            a.getData("/rsw/data", true, null);
            ctlOk("hold");
            dropSession(a);
            wa.expectState(KeeperState.Disconnected);
            bzk.setData("/rsw/data", b("2"), -1);
            ctlOk("release");
            wa.expectState(KeeperState.SyncConnected);
            wa.expect(EventType.NodeDataChanged, "/rsw/data");
            bzk.close();
            a.close();
        });

        def("session-takeover", () -> {
            // A (1) is taken over by B (2) using A's id and password; A's reconnect (3)
            // is held until B has closed the session, so A finds it expired.
            Events wa = new Events("A");
            Events wb = new Events("B");
            ZooKeeper a = connect(wa);
            a.create("/st", b("x"), Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            a.exists("/st", true);
            ctlOk("hold");
            ZooKeeper bzk = track(new ZooKeeper(hostPort, TIMEOUT_MS, wb, a.getSessionId(), a.getSessionPasswd()));
            ctlOk("release-one 10");
            wb.expectState(KeeperState.SyncConnected);
            wa.expectState(KeeperState.Disconnected);
            check(bzk.getSessionId() == a.getSessionId(), "B took over A's session");
            bzk.getData("/st", false, null);
            bzk.close();                                                    // closeSession
            ctlOk("release");
            wa.expectState(KeeperState.Expired);
            a.close();
        });

        def("reconfig", () -> {
            Events w = new Events("a");
            ZooKeeperAdmin adm = track(new ZooKeeperAdmin(hostPort, TIMEOUT_MS, w));
            w.expectState(KeeperState.SyncConnected);
            Stat st = new Stat();
            byte[] cfg = adm.getConfig(false, st);
            log("  config '" + new String(cfg, StandardCharsets.UTF_8) + "'");
            try {
                adm.reconfigure("server.5=127.0.0.1:12345:12346:participant;127.0.0.1:12347", null, null, -1, st);
                log("  reconfig succeeded?!");
            } catch (KeeperException e) {
                log("  reconfig error " + e.code() + " (" + e.code().intValue() + ")");
            }
            try {
                adm.reconfigure(null, "5", null, -1, st);
            } catch (KeeperException e) {
                log("  reconfig(leaving) error " + e.code() + " (" + e.code().intValue() + ")");
            }
            adm.close();
        });

        def("ping", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w, 4000);       // negotiated 4000 ms: a ping every ~1.3 s when idle
            ctlOk("wait C fffffffe0000000b 15");
            ctlOk("wait S fffffffe 15");
            zk.close();
        });

        def("container-reaper", () -> {
            // server runs with -Dznode.container.checkIntervalMs=1000: the reaper deletes the
            // emptied container and the expired TTL node (deleteContainer txns, op 20)
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            List<ACL> open = Ids.OPEN_ACL_UNSAFE;
            zk.create("/reap-c", null, open, CreateMode.CONTAINER);
            zk.create("/reap-c/child", null, open, CreateMode.PERSISTENT);
            zk.delete("/reap-c/child", -1);
            zk.create("/reap-t", null, open, CreateMode.PERSISTENT_WITH_TTL, null, 1L);
            // the reaper may strike before the watch is set: then there is nothing to wait for
            for (String p : new String[] {"/reap-c", "/reap-t"}) {
                if (zk.exists(p, true) != null) {
                    w.expect(EventType.NodeDeleted, p);
                }
            }
            check(zk.exists("/reap-c", false) == null && zk.exists("/reap-t", false) == null, "reaped");
            zk.close();
        });

        def("misc-errors", () -> {
            Events w = new Events("a");
            ZooKeeper zk = connect(w);
            expectErr(Code.BADARGUMENTS, () -> zk.delete("/zookeeper/quota", -1));
            expectErr(Code.BADARGUMENTS, () -> zk.delete("/zookeeper/config", -1));
            expectErr(Code.NOAUTH, () -> zk.setACL("/zookeeper/config", Ids.OPEN_ACL_UNSAFE, -1));
            zk.getACL("/zookeeper/config", new Stat());
            zk.getACL("/", new Stat());
            zk.getChildren("/zookeeper", false, new Stat());
            zk.close();
        });
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: GoldenClient <host:port> <control port> [scenario ...]");
            System.exit(2);
        }
        hostPort = args[0];
        ctlSock = new Socket("127.0.0.1", Integer.parseInt(args[1]));
        ctlIn = new BufferedReader(new InputStreamReader(ctlSock.getInputStream(), StandardCharsets.UTF_8));
        ctlOut = ctlSock.getOutputStream();
        List<String> names = args.length > 2 ? Arrays.asList(args).subList(2, args.length) : new ArrayList<>(SCENARIOS.keySet());
        int failed = 0;
        for (String name : names) {
            Body body = SCENARIOS.get(name);
            if (body == null) {
                throw new IllegalArgumentException("unknown scenario " + name);
            }
            log("== " + name);
            ctlOk("scenario " + name);
            try {
                body.run();
            } catch (Exception e) {
                failed++;
                System.out.println("!! scenario " + name + " failed: " + e);
                e.printStackTrace(System.out);
                ctl("release");
            }
            closeAll();
            String r = ctl("settle 30");
            if (!r.equals("ok")) {
                failed++;
                System.out.println("!! scenario " + name + ": connections still open after 30 s: " + r);
                ctl("drop");
            }
        }
        ctl("scenario idle-java");
        System.out.println(failed == 0 ? "all Java scenarios done" : failed + " Java scenario(s) failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
