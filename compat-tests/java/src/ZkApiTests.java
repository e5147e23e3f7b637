// The raw ZooKeeper 3.8 client API against the server under test. Each test works under its own
// top-level node (/<test name>) and asserts real outcomes: values read back, events received within
// a deadline, KeeperException codes.

import static org.apache.zookeeper.ZooDefs.Ids.CREATOR_ALL_ACL;
import static org.apache.zookeeper.ZooDefs.Ids.OPEN_ACL_UNSAFE;
import static org.apache.zookeeper.ZooDefs.Ids.READ_ACL_UNSAFE;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.KeeperException.Code;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.Watcher.WatcherType;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.StatsTrack;
import org.apache.zookeeper.ZKUtil;
import org.apache.zookeeper.cli.SetQuotaCommand;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

public final class ZkApiTests extends CompatMain {

    static List<CompatMain.Test> tests() {
        ZkApiTests t = new ZkApiTests();
        return List.of(
                new CompatMain.Test("createModes", t::createModes),
                new CompatMain.Test("createErrors", t::createErrors),
                new CompatMain.Test("containerAndTtlReaped", t::containerAndTtlReaped),
                new CompatMain.Test("dataAndOneShotWatches", t::dataAndOneShotWatches),
                new CompatMain.Test("deleteAndVersions", t::deleteAndVersions),
                new CompatMain.Test("watchEventBeforeOwnWriteReply", t::watchEventBeforeOwnWriteReply),
                new CompatMain.Test("ephemeralsDeletedOnCloseFireWatches", t::ephemeralsDeletedOnCloseFireWatches),
                new CompatMain.Test("manyChildren", t::manyChildren),
                new CompatMain.Test("multiSuccess", t::multiSuccess),
                new CompatMain.Test("multiFailure", t::multiFailure),
                new CompatMain.Test("multiRead", t::multiRead),
                new CompatMain.Test("multiCreateModes", t::multiCreateModes),
                new CompatMain.Test("systemNodes", t::systemNodes),
                new CompatMain.Test("quotaStats", t::quotaStats),
                new CompatMain.Test("aclDigestAuth", t::aclDigestAuth),
                new CompatMain.Test("aclIpAndSetAcl", t::aclIpAndSetAcl),
                new CompatMain.Test("authFailedUnknownScheme", t::authFailedUnknownScheme),
                new CompatMain.Test("getEphemerals", t::getEphemerals),
                new CompatMain.Test("getAllChildrenNumber", t::getAllChildrenNumber),
                new CompatMain.Test("persistentWatch", t::persistentWatch),
                new CompatMain.Test("persistentRecursiveWatch", t::persistentRecursiveWatch),
                new CompatMain.Test("removeWatches", t::removeWatches),
                new CompatMain.Test("recursiveWatchAclFiltered", t::recursiveWatchAclFiltered),
                new CompatMain.Test("syncAndWhoAmI", t::syncAndWhoAmI),
                new CompatMain.Test("sessionExpiredByDuplicateClose", t::sessionExpiredByDuplicateClose),
                new CompatMain.Test("sessionWrongPassword", t::sessionWrongPassword),
                new CompatMain.Test("sessionTimeoutNegotiation", t::sessionTimeoutNegotiation),
                new CompatMain.Test("sessionExpiresAfterTimeout", t::sessionExpiresAfterTimeout),
                new CompatMain.Test("watchesRestoredAfterReconnect", t::watchesRestoredAfterReconnect),
                new CompatMain.Test("oversizedRequestDropsConnection", t::oversizedRequestDropsConnection),
                new CompatMain.Test("chroot", t::chroot),
                new CompatMain.Test("sessionSurvivesServerRestart", t::sessionSurvivesServerRestart));
    }

    // ------------------------------------------------------------------ create

    void createModes() throws Exception {
        String r = "/createModes";
        ZooKeeper zk = connect();
        freshRoot(zk, r);
        long sid = zk.getSessionId();

        Stat st = new Stat();
        eq(r + "/p", zk.create(r + "/p", b("v"), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, st), "created path");
        eq(0, st.getVersion(), "version of a new node");
        eq(0, st.getCversion(), "cversion of a new node");
        eq(1, st.getDataLength(), "dataLength");
        eq(0, st.getNumChildren(), "numChildren");
        eq(0L, st.getEphemeralOwner(), "ephemeralOwner of a persistent node");
        eq(st.getCzxid(), st.getMzxid(), "mzxid == czxid");
        eq(st.getCzxid(), st.getPzxid(), "pzxid == czxid");
        eq(st.getCtime(), st.getMtime(), "mtime == ctime");
        eqBytes(b("v"), zk.getData(r + "/p", false, null), "data read back");

        // Sequence numbers come from the parent's cversion: /p was its first child.
        eq(r + "/seq-0000000001", zk.create(r + "/seq-", b("1"), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL), "first sequential");
        eq(r + "/seq-0000000002", zk.create(r + "/seq-", b("2"), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL), "second sequential");

        eq(r + "/e", zk.create(r + "/e", b("e"), OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL), "ephemeral path");
        eq(sid, zk.exists(r + "/e", false).getEphemeralOwner(), "ephemeralOwner of an ephemeral");
        String es = zk.create(r + "/es-", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
        eq(r + "/es-0000000004", es, "ephemeral sequential path");
        eq(sid, zk.exists(es, false).getEphemeralOwner(), "ephemeralOwner of an ephemeral sequential");

        // Containers and TTL nodes are stored with a special ephemeralOwner (0x8000000000000000,
        // 0xFF << 56 | ttl) but clients are shown 0 (DataNode.copyStat).
        zk.create(r + "/c", b("c"), OPEN_ACL_UNSAFE, CreateMode.CONTAINER, st);
        eq(0L, st.getEphemeralOwner(), "ephemeralOwner of a container as clients see it");
        eq(st, zk.exists(r + "/c", false), "exists stat of the container equals the create2 stat");

        // TTL nodes (zookeeper.extendedTypesEnabled=true).
        zk.create(r + "/ttl", b("t"), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, st, 60_000);
        eq(0L, st.getEphemeralOwner(), "ephemeralOwner of a TTL node as clients see it");
        eq(st, zk.exists(r + "/ttl", false), "exists stat of the TTL node equals the create2 stat");
        eqBytes(b("t"), zk.getData(r + "/ttl", false, null), "TTL node data");
        String ts = zk.create(r + "/ttls-", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, st, 5_000);
        eq(r + "/ttls-0000000007", ts, "TTL sequential path");
        eq(0L, st.getEphemeralOwner(), "ephemeralOwner of a sequential TTL node as clients see it");

        Stat parent = new Stat();
        List<String> kids = zk.getChildren(r, false, parent);
        eq(new TreeSet<>(List.of("p", "seq-0000000001", "seq-0000000002", "e", "es-0000000004", "c", "ttl", "ttls-0000000007")),
                new TreeSet<>(kids), "children");
        eq(8, parent.getNumChildren(), "numChildren of the parent");
        eq(8, parent.getCversion(), "cversion of the parent");

        // A second session sees them; closing the first removes its ephemerals, nothing else.
        ZooKeeper zk2 = connect();
        check(zk2.exists(r + "/e", false) != null, "other session sees the ephemeral");
        zk.close();
        eq(null, zk2.exists(r + "/e", false), "ephemeral after its session closed");
        eq(null, zk2.exists(es, false), "ephemeral sequential after its session closed");
        eq(6, zk2.getChildren(r, false).size(), "children left after the session closed");
    }

    void createErrors() throws Exception {
        String r = "/createErrors";
        ZooKeeper zk = connect();
        freshRoot(zk, r);
        mk(zk, r + "/a", "a");
        expectCode(Code.NODEEXISTS, "create existing", () -> mk(zk, r + "/a", "again"));
        expectCode(Code.NONODE, "create under missing parent", () -> mk(zk, r + "/missing/x", "x"));
        zk.create(r + "/eph", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        expectCode(Code.NOCHILDRENFOREPHEMERALS, "create under an ephemeral", () -> mk(zk, r + "/eph/x", "x"));
        expectCode(Code.NOCHILDRENFOREPHEMERALS, "sequential under an ephemeral",
                () -> zk.create(r + "/eph/x", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL));
        expectCode(Code.INVALIDACL, "create with an empty ACL list",
                () -> zk.create(r + "/noacl", null, new ArrayList<>(), CreateMode.PERSISTENT));
        eqBytes(b("a"), zk.getData(r + "/a", false, null), "existing node untouched");
        // Data and a null payload round-trip; a large value too.
        mk(zk, r + "/null", null);
        eqBytes(null, zk.getData(r + "/null", false, null), "null data read back");
        eq(0, zk.exists(r + "/null", false).getDataLength(), "dataLength of null data");
        byte[] big = new byte[512 * 1024];
        for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31 + 7);
        zk.create(r + "/big", big, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        eqBytes(big, zk.getData(r + "/big", false, null), "512 KiB value read back");
    }

    void containerAndTtlReaped() throws Exception {
        // Server started with -Dznode.container.checkIntervalMs=1000.
        String r = "/containerAndTtlReaped";
        Events ev = new Events("reaper");
        ZooKeeper zk = connect(ev);
        freshRoot(zk, r);
        zk.create(r + "/c", null, OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
        mk(zk, r + "/c/child", "x");
        zk.create(r + "/ttl", b("t"), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, new Stat(), 500);
        check(zk.exists(r + "/c", true) != null, "container exists");
        check(zk.exists(r + "/ttl", true) != null, "TTL node exists");
        zk.delete(r + "/c/child", -1);
        // Both must go: the container once emptied, the TTL node once its TTL has passed unmodified.
        Set<String> deleted = new HashSet<>();
        long deadline = System.currentTimeMillis() + 20_000;
        while (deleted.size() < 2) {
            WatchedEvent e = ev.next(Math.max(1, deadline - System.currentTimeMillis()));
            if (e == null) {
                fail("not reaped within 20 s: container " + (zk.exists(r + "/c", false) != null ? "still exists" : "gone")
                        + ", TTL node " + (zk.exists(r + "/ttl", false) != null ? "still exists" : "gone"));
            }
            eq(EventType.NodeDeleted, e.getType(), "event type for " + e.getPath());
            deleted.add(e.getPath());
        }
        eq(Set.of(r + "/c", r + "/ttl"), deleted, "deleted nodes");
    }

    // ------------------------------------------------------------------ reads, writes, watches

    void dataAndOneShotWatches() throws Exception {
        String r = "/dataAndOneShotWatches";
        Events ev = new Events("watcher");
        ZooKeeper zk = connect(ev);
        ZooKeeper w = connect();
        freshRoot(w, r);
        mk(w, r + "/barriers", null);
        String a = r + "/a";

        eq(null, zk.exists(a, true), "exists on a missing node");
        mk(w, a, "1");
        ev.expect(EventType.NodeCreated, a);

        Stat st = new Stat();
        eqBytes(b("1"), zk.getData(a, true, st), "getData");
        eq(0, st.getVersion(), "version");
        Stat st2 = w.setData(a, b("2"), 0);
        ev.expect(EventType.NodeDataChanged, a);
        eq(1, st2.getVersion(), "version after setData");
        check(st2.getMzxid() > st2.getCzxid(), "mzxid advanced");
        eqBytes(b("2"), zk.getData(a, false, st), "data after setData");
        eq(st2, st, "stat from getData equals the setData stat");
        expectCode(Code.BADVERSION, "setData with a stale version", () -> w.setData(a, b("x"), 0));
        expectCode(Code.NONODE, "setData on a missing node", () -> w.setData(r + "/missing", b("x"), -1));

        // One-shot: the watch fired above and was not set again.
        w.setData(a, b("3"), -1);
        ev.assertQuiet(zk, r + "/barriers");

        // Child watch.
        Stat ps = new Stat();
        eq(List.of("a", "barriers"), sorted(zk.getChildren(r, true, ps)), "children");
        eq(2, ps.getNumChildren(), "numChildren from getChildren2");
        mk(w, r + "/b", null);
        ev.expect(EventType.NodeChildrenChanged, r);
        w.setData(r, b("parent data"), -1);   // no child watch left, no data watch on r
        ev.assertQuiet(zk, r + "/barriers");

        // Delete fires the node's data watch and the parent's child watch.
        zk.getData(a, true, null);
        zk.getChildren(r, true);
        w.delete(a, -1);
        Set<String> got = new HashSet<>();
        for (int i = 0; i < 2; i++) {
            WatchedEvent e = ev.next(WAIT_MS);
            check(e != null, "delete: only " + got + " within " + WAIT_MS + " ms");
            got.add(e.getType() + " " + e.getPath());
        }
        eq(Set.of("NodeDeleted " + a, "NodeChildrenChanged " + r), got, "events for a delete");

        // A watch object other than the default one, via exists on an existing node.
        Events other = new Events("other");
        check(zk.exists(r + "/b", other) != null, "exists");
        w.setData(r + "/b", b("b"), -1);
        other.expect(EventType.NodeDataChanged, r + "/b");
        ev.assertQuiet(zk, r + "/barriers");
    }

    void deleteAndVersions() throws Exception {
        String r = "/deleteAndVersions";
        ZooKeeper zk = connect();
        freshRoot(zk, r);
        mk(zk, r + "/a", "a");
        mk(zk, r + "/a/child", "c");
        expectCode(Code.NOTEMPTY, "delete a node with children", () -> zk.delete(r + "/a", -1));
        expectCode(Code.BADVERSION, "delete with a wrong version", () -> zk.delete(r + "/a/child", 5));
        zk.setData(r + "/a/child", b("c2"), 0);
        zk.delete(r + "/a/child", 1);
        expectCode(Code.NONODE, "delete a missing node", () -> zk.delete(r + "/a/child", -1));
        Stat st = zk.exists(r + "/a", false);
        eq(0, st.getNumChildren(), "numChildren after the delete");
        eq(2, st.getCversion(), "cversion after create + delete of a child");
        zk.delete(r + "/a", 0);
        eq(null, zk.exists(r + "/a", false), "deleted");
        expectCode(Code.BADARGUMENTS, "delete the root", () -> zk.delete("/", -1));
    }

    void watchEventBeforeOwnWriteReply() throws Exception {
        // The server sends the watch event a write triggers before that write's reply, so the
        // client's event thread runs the watcher before the write's callback.
        String r = "/watchEventBeforeOwnWriteReply";
        ZooKeeper zk = connect();
        freshRoot(zk, r);
        mk(zk, r + "/x", "0");
        for (int i = 0; i < 20; i++) {
            AtomicInteger fired = new AtomicInteger();
            zk.getData(r + "/x", e -> fired.incrementAndGet(), null);
            CountDownLatch done = new CountDownLatch(1);
            AtomicReference<String> seen = new AtomicReference<>();
            zk.setData(r + "/x", b("v" + i), -1, (rc, path, ctx, stat) -> {
                seen.set("rc=" + rc + " watcher calls before the reply=" + fired.get());
                done.countDown();
            }, null);
            await(done, "setData callback");
            eq("rc=0 watcher calls before the reply=1", seen.get(), "round " + i);
        }
    }

    void ephemeralsDeletedOnCloseFireWatches() throws Exception {
        String r = "/ephemeralsDeletedOnCloseFireWatches";
        Events ev = new Events("observer");
        ZooKeeper w = connect(ev);
        freshRoot(w, r);
        ZooKeeper owner = connect();
        owner.create(r + "/e1", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        owner.create(r + "/e2", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        w.exists(r + "/e1", true);
        w.getData(r + "/e2", true, null);
        w.getChildren(r, true);
        owner.close();
        Set<String> got = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            WatchedEvent e = ev.next(WAIT_MS);
            check(e != null, "after the owner closed only " + got + " within " + WAIT_MS + " ms");
            got.add(e.getType() + " " + e.getPath());
        }
        eq(Set.of("NodeDeleted " + r + "/e1", "NodeDeleted " + r + "/e2", "NodeChildrenChanged " + r), got,
                "events for ephemerals removed by closeSession");
        Stat st = w.exists(r, false);
        eq(0, st.getNumChildren(), "children left");
        eq(4, st.getCversion(), "cversion after 2 creates and 2 deletes");
    }

    void manyChildren() throws Exception {
        String r = "/manyChildren";
        ZooKeeper zk = connect();
        freshRoot(zk, r);
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ops.add(Op.create(r + "/child-with-a-longish-name-" + i, b("data-" + i), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        }
        eq(1000, zk.multi(ops).size(), "results of a 1000-op multi");
        Stat st = new Stat();
        List<String> kids = zk.getChildren(r, false, st);
        eq(1000, kids.size(), "children");
        eq(1000, st.getNumChildren(), "numChildren");
        eq(1000, zk.getAllChildrenNumber(r), "getAllChildrenNumber");
        check(kids.contains("child-with-a-longish-name-999"), "last child listed");
        eqBytes(b("data-500"), zk.getData(r + "/child-with-a-longish-name-500", false, null), "a child's data");
        // All share the multi's zxid.
        eq(zk.exists(r + "/child-with-a-longish-name-0", false).getCzxid(), st.getPzxid(), "pzxid = the multi's zxid");
        List<Op> dels = new ArrayList<>();
        for (String k : kids) dels.add(Op.delete(r + "/" + k, -1));
        zk.multi(dels);
        eq(0, zk.exists(r, false).getNumChildren(), "children after the delete multi");
    }

    // ------------------------------------------------------------------ multi

    void multiSuccess() throws Exception {
        String r = "/multiSuccess";
        ZooKeeper zk = connect();
        freshRoot(zk, r);
        mk(zk, r + "/old", "o");
        List<OpResult> res = zk.multi(Arrays.asList(
                Op.create(r + "/a", b("x"), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.create(r + "/s-", b("s"), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL),
                Op.setData(r + "/a", b("y"), 0),
                Op.check(r + "/a", 1),
                Op.delete(r + "/old", 0)));
        eq(5, res.size(), "number of results");
        eq(r + "/a", ((OpResult.CreateResult) res.get(0)).getPath(), "result 0 path");
        eq(r + "/s-0000000002", ((OpResult.CreateResult) res.get(1)).getPath(), "result 1 (sequential) path");
        Stat st = ((OpResult.SetDataResult) res.get(2)).getStat();
        eq(1, st.getVersion(), "result 2 stat version");
        check(res.get(3) instanceof OpResult.CheckResult, "result 3 is a CheckResult: " + res.get(3));
        check(res.get(4) instanceof OpResult.DeleteResult, "result 4 is a DeleteResult: " + res.get(4));
        eqBytes(b("y"), zk.getData(r + "/a", false, null), "data written by the multi");
        eq(null, zk.exists(r + "/old", false), "node deleted by the multi");
        // All ops of a multi share one zxid.
        Stat sa = zk.exists(r + "/a", false), ss = zk.exists(r + "/s-0000000002", false);
        eq(sa.getCzxid(), ss.getCzxid(), "czxid of the two nodes created by one multi");
        eq(sa.getCzxid(), sa.getMzxid(), "mzxid of the node created then set in one multi");

        // The Transaction builder and an empty multi.
        List<OpResult> tr = zk.transaction().create(r + "/t", b("t"), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)
                .setData(r + "/t", b("t2"), 0).commit();
        eq(2, tr.size(), "transaction results");
        eqBytes(b("t2"), zk.getData(r + "/t", false, null), "transaction data");
        eq(0, zk.multi(new ArrayList<>()).size(), "results of an empty multi");
    }

    void multiFailure() throws Exception {
        String r = "/multiFailure";
        ZooKeeper zk = connect();
        freshRoot(zk, r);
        mk(zk, r + "/a", "y");
        Stat before = zk.exists(r, false);
        KeeperException e = expectCode(Code.BADVERSION, "multi with a bad setData version", () -> zk.multi(Arrays.asList(
                Op.create(r + "/c", b("c"), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.setData(r + "/a", b("z"), 99),
                Op.create(r + "/d", b("d"), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))));
        List<OpResult> res = e.getResults();
        check(res != null, "per-op results attached to the exception");
        eq(3, res.size(), "number of results");
        eq(List.of(Code.OK.intValue(), Code.BADVERSION.intValue(), Code.RUNTIMEINCONSISTENCY.intValue()), errs(res),
                "per-op error codes");
        eq(null, zk.exists(r + "/c", false), "create before the failing op rolled back");
        eq(null, zk.exists(r + "/d", false), "create after the failing op not applied");
        eqBytes(b("y"), zk.getData(r + "/a", false, null), "data untouched");
        eq(before, zk.exists(r, false), "parent stat untouched by the failed multi");

        e = expectCode(Code.NONODE, "multi deleting a missing node", () -> zk.multi(Arrays.asList(
                Op.check(r + "/a", 0),
                Op.delete(r + "/missing", -1))));
        eq(List.of(Code.OK.intValue(), Code.NONODE.intValue()), errs(e.getResults()), "per-op error codes");
        e = expectCode(Code.NODEEXISTS, "multi creating a node twice", () -> zk.multi(Arrays.asList(
                Op.create(r + "/dup", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.create(r + "/dup", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))));
        eq(List.of(Code.OK.intValue(), Code.NODEEXISTS.intValue()), errs(e.getResults()), "per-op error codes");
        eq(null, zk.exists(r + "/dup", false), "first create rolled back");
        e = expectCode(Code.BADVERSION, "multi with a failing check", () -> zk.multi(Arrays.asList(
                Op.check(r + "/a", 7),
                Op.setData(r + "/a", b("w"), -1))));
        eq(List.of(Code.BADVERSION.intValue(), Code.RUNTIMEINCONSISTENCY.intValue()), errs(e.getResults()), "per-op error codes");
        eqBytes(b("y"), zk.getData(r + "/a", false, null), "data untouched");
    }

    static List<Integer> errs(List<OpResult> res) {
        List<Integer> out = new ArrayList<>();
        for (OpResult o : res) {
            check(o instanceof OpResult.ErrorResult, "expected only ErrorResults but got " + o);
            out.add(((OpResult.ErrorResult) o).getErr());
        }
        return out;
    }

    void multiRead() throws Exception {
        String r = "/multiRead";
        ZooKeeper zk = connect();
        freshRoot(zk, r);
        mk(zk, r + "/a", "A");
        mk(zk, r + "/b", "B");
        List<OpResult> res = zk.multi(Arrays.asList(Op.getData(r + "/a"), Op.getChildren(r), Op.getData(r + "/b")));
        eq(3, res.size(), "results");
        OpResult.GetDataResult d = (OpResult.GetDataResult) res.get(0);
        eqBytes(b("A"), d.getData(), "getData in multiRead");
        eq(zk.exists(r + "/a", false), d.getStat(), "stat in multiRead");
        eq(List.of("a", "b"), sorted(((OpResult.GetChildrenResult) res.get(1)).getChildren()), "getChildren in multiRead");
        eqBytes(b("B"), ((OpResult.GetDataResult) res.get(2)).getData(), "second getData in multiRead");

        // A failing read op fails alone: an ErrorResult in its place, no exception.
        List<OpResult> er = zk.multi(Arrays.asList(Op.getData(r + "/a"), Op.getData(r + "/missing"), Op.getChildren(r)));
        eq(3, er.size(), "results of the failing multiRead");
        eqBytes(b("A"), ((OpResult.GetDataResult) er.get(0)).getData(), "result 0 of the failing multiRead");
        eq(Code.NONODE.intValue(), ((OpResult.ErrorResult) er.get(1)).getErr(), "result 1 of the failing multiRead");
        eq(List.of("a", "b"), sorted(((OpResult.GetChildrenResult) er.get(2)).getChildren()), "result 2 of the failing multiRead");
    }

    void multiCreateModes() throws Exception {
        // In a multi, plain/ephemeral creates answer a path only (create), TTL and container creates
        // answer a path and a stat (create2-style results).
        String r = "/multiCreateModes";
        ZooKeeper zk = connect();
        freshRoot(zk, r);
        List<OpResult> res = zk.multi(Arrays.asList(
                Op.create(r + "/plain", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.create(r + "/ttl", b("t"), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, 60_000),
                Op.create(r + "/cont", null, OPEN_ACL_UNSAFE, CreateMode.CONTAINER),
                Op.create(r + "/eph", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL)));
        eq(List.of(1, 15, 15, 1), types(res), "op types of the results (1 create, 15 create2)");
        eq(null, ((OpResult.CreateResult) res.get(0)).getStat(), "no stat for a plain create");
        Stat ttl = ((OpResult.CreateResult) res.get(1)).getStat();
        eq(zk.exists(r + "/ttl", false), ttl, "stat returned for the TTL create");
        eq(1, ttl.getDataLength(), "dataLength in that stat");
        eq(zk.exists(r + "/cont", false), ((OpResult.CreateResult) res.get(2)).getStat(), "stat returned for the container create");
        eq(null, ((OpResult.CreateResult) res.get(3)).getStat(), "no stat for an ephemeral create");
        eq(zk.getSessionId(), zk.exists(r + "/eph", false).getEphemeralOwner(), "owner of the ephemeral created in a multi");
    }

    static List<Integer> types(List<OpResult> res) {
        List<Integer> out = new ArrayList<>();
        for (OpResult o : res) out.add(o.getType());
        return out;
    }

    void systemNodes() throws Exception {
        ZooKeeper zk = connect();
        eq(List.of("config", "quota"), sorted(zk.getChildren("/zookeeper", false)), "children of /zookeeper");
        Stat st = new Stat();
        eqBytes(new byte[0], zk.getConfig(false, st), "getConfig of a standalone server");
        eq("0,0,0,0,0,0,-1,0,0,0,0", st.toString().trim(), "stat of /zookeeper/config (aversion -1 in ZooKeeper)");
        eq(acls(new ACL(Perms.READ, new Id("world", "anyone"))), zk.getACL("/zookeeper/config", new Stat()), "ACL of /zookeeper/config");
        eq(OPEN_ACL_UNSAFE, zk.getACL("/zookeeper", new Stat()), "ACL of /zookeeper");
        expectCode(Code.NOAUTH, "setData on /zookeeper/config", () -> zk.setData("/zookeeper/config", b("x"), -1));
        expectCode(Code.BADARGUMENTS, "delete /zookeeper", () -> zk.delete("/zookeeper", -1));
        expectCode(Code.BADARGUMENTS, "delete /zookeeper/quota", () -> zk.delete("/zookeeper/quota", -1));
        check(zk.getAllChildrenNumber("/zookeeper") >= 2, "getAllChildrenNumber(/zookeeper)");
    }

    void quotaStats() throws Exception {
        // Quotas are not enforced by default, but the server keeps zookeeper_stats up to date.
        String r = "/quotaStats";
        ZooKeeper zk = connect();
        String qroot = "/zookeeper/quota" + r;
        if (zk.exists(qroot, false) != null) ZKUtil.deleteRecursive(zk, qroot);
        freshRoot(zk, r);
        String q = r + "/q";
        mk(zk, q, "12345");
        StatsTrack limits = new StatsTrack();
        limits.setCount(3);
        limits.setBytes(1000);
        check(SetQuotaCommand.createQuota(zk, q, limits), "createQuota");
        try {
            String sp = "/zookeeper/quota" + q + "/zookeeper_stats";
            String lp = "/zookeeper/quota" + q + "/zookeeper_limits";
            eq("count=3,bytes=1000", s(zk.getData(lp, false, null)), "limits");
            eq("count=1,bytes=5", s(zk.getData(sp, false, null)), "stats of the quota root alone");
            mk(zk, q + "/a", "abc");
            eq("count=2,bytes=8", s(zk.getData(sp, false, null)), "stats after a create");
            zk.setData(q + "/a", b("abcdef"), -1);
            eq("count=2,bytes=11", s(zk.getData(sp, false, null)), "stats after a setData");
            for (int i = 0; i < 4; i++) mk(zk, q + "/a/b" + i, null);
            eq("count=6,bytes=11", s(zk.getData(sp, false, null)), "stats past the (soft) count limit");
            zk.delete(q + "/a/b0", -1);
            eq("count=5,bytes=11", s(zk.getData(sp, false, null)), "stats after a delete");
            mk(zk, r + "/outside", "not counted");
            eq("count=5,bytes=11", s(zk.getData(sp, false, null)), "a node outside the quota path");
        } finally {
            ZKUtil.deleteRecursive(zk, qroot);
        }
    }

    // ------------------------------------------------------------------ ACLs and auth

    void aclDigestAuth() throws Exception {
        String r = "/aclDigestAuth";
        ZooKeeper alice = connect();
        alice.addAuthInfo("digest", b("alice:secret"));
        freshRoot(alice, r);
        String p = r + "/priv";
        alice.create(p, b("p"), CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        String digest = DigestAuthenticationProvider.generateDigest("alice:secret");
        Stat st = new Stat();
        List<ACL> acl = alice.getACL(p, st);
        eq(acls(new ACL(Perms.ALL, new Id("digest", digest))), acl, "ACL of a CREATOR_ALL_ACL node");
        eq(0, st.getAversion(), "aversion");
        eqBytes(b("p"), alice.getData(p, false, null), "owner reads");

        ZooKeeper anon = connect();
        expectCode(Code.NOAUTH, "getData without auth", () -> anon.getData(p, false, null));
        expectCode(Code.NOAUTH, "setData without auth", () -> anon.setData(p, b("x"), -1));
        expectCode(Code.NOAUTH, "getChildren without auth", () -> anon.getChildren(p, false));
        expectCode(Code.NOAUTH, "create a child without auth", () -> mk(anon, p + "/c", null));
        expectCode(Code.NOAUTH, "getACL without READ or ADMIN", () -> anon.getACL(p, new Stat()));
        // exists checks READ (on an existing node) since ZOOKEEPER-2590, in 3.8.4 and 3.9.2;
        // before, it needed no permission. Expect what the version the server reports does.
        int[] v = serverVersion();
        boolean existsChecksRead = serverAtLeast(3, 9, 2) || (v[0] == 3 && v[1] == 8 && v[2] >= 4);
        if (existsChecksRead) {
            expectCode(Code.NOAUTH, "exists without READ (server " + Arrays.toString(v) + " has ZOOKEEPER-2590)",
                    () -> anon.exists(p, false));
        } else {
            check(anon.exists(p, false) != null, "exists needs no permission (server " + Arrays.toString(v) + ")");
        }
        eq(null, anon.exists(p + "/missing", false), "exists on a missing child of a protected node");
        expectCode(Code.INVALIDACL, "CREATOR_ALL_ACL without any auth", () -> anon.create(r + "/x", null, CREATOR_ALL_ACL, CreateMode.PERSISTENT));

        ZooKeeper wrong = connect();
        wrong.addAuthInfo("digest", b("alice:wrong"));
        expectCode(Code.NOAUTH, "getData with the wrong password", () -> wrong.getData(p, false, null));

        anon.addAuthInfo("digest", b("alice:secret"));
        eqBytes(b("p"), anon.getData(p, false, null), "reads after adding the right credentials");
        anon.setData(p, b("q"), -1);
        eqBytes(b("q"), alice.getData(p, false, null), "write by the second authenticated session");

        // READ for everyone, ALL for alice: others can read the ACL, with digests redacted.
        String ro = r + "/ro";
        List<ACL> mixed = acls(new ACL(Perms.READ, new Id("world", "anyone")), new ACL(Perms.ALL, new Id("digest", digest)));
        alice.create(ro, b("r"), mixed, CreateMode.PERSISTENT);
        eq(mixed, alice.getACL(ro, new Stat()), "ACL as seen by an ADMIN");
        eq(acls(new ACL(Perms.READ, new Id("world", "anyone")), new ACL(Perms.ALL, new Id("digest", "alice:x"))),
                wrong.getACL(ro, new Stat()), "ACL as seen with READ only (digest redacted)");
        eqBytes(b("r"), wrong.getData(ro, false, null), "world-readable data");
        expectCode(Code.NOAUTH, "setData with READ only", () -> wrong.setData(ro, b("x"), -1));
    }

    void aclIpAndSetAcl() throws Exception {
        String r = "/aclIpAndSetAcl";
        ZooKeeper zk = connect();
        freshRoot(zk, r);
        zk.create(r + "/lo", b("lo"), acls(new ACL(Perms.ALL, new Id("ip", "127.0.0.1"))), CreateMode.PERSISTENT);
        zk.create(r + "/net", b("net"), acls(new ACL(Perms.ALL, new Id("ip", "127.0.0.0/8"))), CreateMode.PERSISTENT);
        zk.create(r + "/far", b("far"), acls(new ACL(Perms.ALL, new Id("ip", "10.0.0.0/8"))), CreateMode.PERSISTENT);
        eqBytes(b("lo"), zk.getData(r + "/lo", false, null), "ip:127.0.0.1 from 127.0.0.1");
        eqBytes(b("net"), zk.getData(r + "/net", false, null), "ip:127.0.0.0/8 from 127.0.0.1");
        expectCode(Code.NOAUTH, "ip:10.0.0.0/8 from 127.0.0.1", () -> zk.getData(r + "/far", false, null));

        mk(zk, r + "/n", "n");
        expectCode(Code.BADVERSION, "setACL with a wrong aversion", () -> zk.setACL(r + "/n", READ_ACL_UNSAFE, 3));
        Stat st = zk.setACL(r + "/n", READ_ACL_UNSAFE, 0);
        eq(1, st.getAversion(), "aversion after setACL");
        eq(0, st.getVersion(), "data version after setACL");
        eq(READ_ACL_UNSAFE, zk.getACL(r + "/n", new Stat()), "ACL after setACL");
        expectCode(Code.NOAUTH, "setData on a read-only node", () -> zk.setData(r + "/n", b("x"), -1));
        expectCode(Code.NOAUTH, "setACL without ADMIN", () -> zk.setACL(r + "/n", OPEN_ACL_UNSAFE, -1));
        expectCode(Code.NOAUTH, "setACL without ADMIN and a stale aversion (ACL checked first)",
                () -> zk.setACL(r + "/n", OPEN_ACL_UNSAFE, 0));
        eqBytes(b("n"), zk.getData(r + "/n", false, null), "read-only node still readable");
        expectCode(Code.NONODE, "setACL on a missing node", () -> zk.setACL(r + "/missing", OPEN_ACL_UNSAFE, -1));
        expectCode(Code.INVALIDACL, "setACL with an invalid ip ACL",
                () -> zk.setACL(r + "/lo", acls(new ACL(Perms.ALL, new Id("ip", "not-an-ip/99"))), -1));
    }

    void authFailedUnknownScheme() throws Exception {
        Events ev = new Events("auth");
        ZooKeeper zk = connect(ev);
        zk.addAuthInfo("nosuchscheme", b("whatever"));
        ev.expectState(KeeperState.AuthFailed, WAIT_MS);
        expectCode(Code.AUTHFAILED, "request after AuthFailed", () -> zk.exists("/", false));
    }

    // ------------------------------------------------------------------ getEphemerals, getAllChildrenNumber

    void getEphemerals() throws Exception {
        String r = "/getEphemerals";
        ZooKeeper zk = connect();
        ZooKeeper other = connect();
        freshRoot(zk, r);
        mk(zk, r + "/a", null);
        mk(zk, r + "/a/b", null);
        for (String p : List.of(r + "/e1", r + "/a/e2", r + "/a/b/e3", r + "/ab")) {
            zk.create(p, null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        }
        other.create(r + "/other", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        eq(List.of(r + "/a/b/e3", r + "/a/e2", r + "/ab", r + "/e1"), sorted(zk.getEphemerals(r)), "getEphemerals(root)");
        // The prefix is a string prefix: "/a" also matches "/ab".
        eq(List.of(r + "/a/b/e3", r + "/a/e2", r + "/ab"), sorted(zk.getEphemerals(r + "/a")), "getEphemerals(prefix /a)");
        eq(List.of(r + "/a/b/e3"), sorted(zk.getEphemerals(r + "/a/b")), "getEphemerals(prefix /a/b)");
        eq(List.of(r + "/a/b/e3", r + "/a/e2", r + "/ab", r + "/e1"), sorted(zk.getEphemerals()), "getEphemerals()");
        eq(List.of(r + "/other"), other.getEphemerals("/"), "getEphemerals(\"/\") of the other session");
        eq(List.of(), zk.getEphemerals(r + "/zzz"), "no match");
        ZooKeeper none = connect();
        eq(List.of(), none.getEphemerals(), "a session without ephemerals");
    }

    void getAllChildrenNumber() throws Exception {
        String r = "/getAllChildrenNumber";
        ZooKeeper zk = connect();
        freshRoot(zk, r);
        for (String p : List.of("/a", "/a/b", "/a/b/c", "/d", "/ab")) mk(zk, r + p, null);
        zk.create(r + "/d/e", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        eq(6, zk.getAllChildrenNumber(r), "all descendants of the root");
        eq(2, zk.getAllChildrenNumber(r + "/a"), "descendants of /a (not /ab)");
        eq(0, zk.getAllChildrenNumber(r + "/a/b/c"), "descendants of a leaf");
        expectCode(Code.NONODE, "getAllChildrenNumber on a missing node", () -> zk.getAllChildrenNumber(r + "/missing"));
    }

    // ------------------------------------------------------------------ addWatch / removeWatches

    void persistentWatch() throws Exception {
        String r = "/persistentWatch";
        ZooKeeper zk = connect();
        ZooKeeper w = connect();
        freshRoot(w, r);
        mk(w, r + "/barriers", null);
        String n = r + "/node";
        Events ev = new Events("persistent");
        zk.addWatch(n, ev, AddWatchMode.PERSISTENT);
        mk(w, n, "0");
        ev.expect(EventType.NodeCreated, n);
        w.setData(n, b("1"), -1);
        ev.expect(EventType.NodeDataChanged, n);
        w.setData(n, b("2"), -1);
        ev.expect(EventType.NodeDataChanged, n);
        mk(w, n + "/child", null);
        ev.expect(EventType.NodeChildrenChanged, n);
        w.setData(n + "/child", b("x"), -1);      // not recursive: nothing
        w.delete(n + "/child", -1);
        ev.expect(EventType.NodeChildrenChanged, n);
        w.delete(n, -1);
        ev.expect(EventType.NodeDeleted, n);
        mk(w, n, "again");
        ev.expect(EventType.NodeCreated, n);
        ev.assertQuiet(zk, r + "/barriers");

        // (Not tested: a one-shot watch on the same path from the same session. Java 3.8.0 then
        // turns the persistent watch into a one-shot one, ZOOKEEPER-4466, fixed in 3.9.)

        zk.removeWatches(n, ev, WatcherType.Any, false);
        WatchedEvent removed = ev.next(WAIT_MS);
        check(removed != null, "no event for the removed persistent watch");
        eq(n, removed.getPath(), "path of the watch-removed event");
        w.setData(n, b("5"), -1);
        ev.assertQuiet(zk, r + "/barriers");
        expectCode(Code.NOWATCHER, "removing the removed watch again", () -> zk.removeWatches(n, ev, WatcherType.Any, false));
    }

    void persistentRecursiveWatch() throws Exception {
        String r = "/persistentRecursiveWatch";
        ZooKeeper zk = connect();
        ZooKeeper w = connect();
        freshRoot(w, r);
        mk(w, r + "/barriers", null);
        String n = r + "/tree";
        Events ev = new Events("recursive");
        zk.addWatch(n, ev, AddWatchMode.PERSISTENT_RECURSIVE);
        mk(w, n, "0");
        ev.expect(EventType.NodeCreated, n);
        mk(w, n + "/a", null);
        ev.expect(EventType.NodeCreated, n + "/a");    // recursive watches get no NodeChildrenChanged
        mk(w, n + "/a/b", null);
        ev.expect(EventType.NodeCreated, n + "/a/b");
        w.setData(n + "/a/b", b("x"), -1);
        ev.expect(EventType.NodeDataChanged, n + "/a/b");
        w.setData(n, b("y"), -1);
        ev.expect(EventType.NodeDataChanged, n);
        w.delete(n + "/a/b", -1);
        ev.expect(EventType.NodeDeleted, n + "/a/b");
        // Path boundary: /treeX is not under /tree.
        mk(w, n + "X", null);
        w.setData(n + "X", b("z"), -1);
        ev.assertQuiet(zk, r + "/barriers");
        List<OpResult> res = w.multi(Arrays.asList(
                Op.create(n + "/m1", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.setData(n + "/a", b("m"), -1),
                Op.delete(n + "/m1", -1)));
        eq(3, res.size(), "multi results");
        ev.expect(EventType.NodeCreated, n + "/m1");
        ev.expect(EventType.NodeDataChanged, n + "/a");
        ev.expect(EventType.NodeDeleted, n + "/m1");

        zk.removeAllWatches(n, WatcherType.Any, false);
        WatchedEvent removed = ev.next(WAIT_MS);
        check(removed != null, "no event for the removed recursive watch");
        eq(n, removed.getPath(), "path of the watch-removed event");
        mk(w, n + "/after", null);
        ev.assertQuiet(zk, r + "/barriers");
    }

    void removeWatches() throws Exception {
        String r = "/removeWatches";
        Events ev = new Events("rw");
        ZooKeeper zk = connect();
        ZooKeeper w = connect();
        freshRoot(w, r);
        mk(w, r + "/barriers", null);
        String a = r + "/a";
        mk(w, a, "a");
        zk.getData(a, ev, null);
        zk.getChildren(r, ev);
        zk.removeWatches(a, ev, WatcherType.Data, false);
        ev.expect(EventType.DataWatchRemoved, a);
        w.setData(a, b("b"), -1);
        ev.assertQuiet(zk, r + "/barriers");
        expectCode(Code.NOWATCHER, "removing a data watch that is gone", () -> zk.removeWatches(a, ev, WatcherType.Data, false));
        expectCode(Code.NOWATCHER, "removing a child watch that was never set", () -> zk.removeWatches(a, ev, WatcherType.Children, false));

        // The child watch on r survived (the barrier creates were under r/barriers, not r).
        zk.removeAllWatches(r, WatcherType.Children, false);
        ev.expect(EventType.ChildWatchRemoved, r);
        mk(w, r + "/c", null);
        ev.assertQuiet(zk, r + "/barriers");

        // Removing an exists watch on a node that does not exist yet.
        String m = r + "/missing";
        eq(null, zk.exists(m, ev), "exists");
        zk.removeWatches(m, ev, WatcherType.Any, false);
        ev.expect(EventType.DataWatchRemoved, m);
        mk(w, m, null);
        ev.assertQuiet(zk, r + "/barriers");
    }

    void recursiveWatchAclFiltered() throws Exception {
        // CVE-2024-23944 (fixed in 3.8.4 and 3.9.2, and in Debian's 3.8.0-11+deb12u2 used as the
        // reference here): a persistent recursive watch must not reveal nodes the watcher cannot READ.
        String r = "/recursiveWatchAclFiltered";
        ZooKeeper owner = connect();
        owner.addAuthInfo("digest", b("alice:secret"));
        freshRoot(owner, r);
        mk(owner, r + "/barriers", null);
        mk(owner, r + "/tree", null);
        ZooKeeper anon = connect();
        Events ev = new Events("anon-recursive");
        anon.addWatch(r + "/tree", ev, AddWatchMode.PERSISTENT_RECURSIVE);
        Events ownerEv = new Events("owner-recursive");
        owner.addWatch(r + "/tree", ownerEv, AddWatchMode.PERSISTENT_RECURSIVE);

        owner.create(r + "/tree/secret", b("s"), CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        owner.setData(r + "/tree/secret", b("s2"), -1);
        mk(owner, r + "/tree/public", "p");
        ev.expect(EventType.NodeCreated, r + "/tree/public");
        owner.delete(r + "/tree/secret", -1);
        owner.setData(r + "/tree/public", b("p2"), -1);
        ev.expect(EventType.NodeDataChanged, r + "/tree/public");
        ev.assertQuiet(anon, r + "/barriers");
        // One-shot watches: an exists watch on a node that is then created unreadable, and a data
        // watch on a readable node whose ACL then changes to unreadable.
        Events one = new Events("anon-oneshot");
        eq(null, anon.exists(r + "/secret2", one), "exists");
        owner.create(r + "/secret2", b("x"), CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        mk(owner, r + "/open", "o");
        anon.getData(r + "/open", one, null);
        owner.setACL(r + "/open", CREATOR_ALL_ACL, -1);
        owner.setData(r + "/open", b("o2"), -1);
        one.assertQuiet(anon, r + "/barriers");   // neither event reaches a watcher without READ
        // The owner, who may READ it, sees everything.
        ownerEv.expect(EventType.NodeCreated, r + "/tree/secret");
        ownerEv.expect(EventType.NodeDataChanged, r + "/tree/secret");
        ownerEv.expect(EventType.NodeCreated, r + "/tree/public");
        ownerEv.expect(EventType.NodeDeleted, r + "/tree/secret");
        ownerEv.expect(EventType.NodeDataChanged, r + "/tree/public");
    }

    // ------------------------------------------------------------------ sync, whoAmI

    void syncAndWhoAmI() throws Exception {
        String r = "/syncAndWhoAmI";
        ZooKeeper zk = connect();
        freshRoot(zk, r);
        for (String p : List.of("/", r)) {
            CountDownLatch done = new CountDownLatch(1);
            AtomicInteger rc = new AtomicInteger(Integer.MIN_VALUE);
            AtomicReference<String> path = new AtomicReference<>();
            zk.sync(p, (code, pth, ctx) -> {
                rc.set(code);
                path.set(pth);
                done.countDown();
            }, null);
            await(done, "sync callback for " + p);
            eq(0, rc.get(), "sync rc for " + p);
            eq(p, path.get(), "sync path");
        }

        List<ClientInfo> who = zk.whoAmI();
        eq(List.of("ip:127.0.0.1"), describe(who), "whoAmI without credentials");
        zk.addAuthInfo("digest", b("bob:pw"));
        Set<String> who2 = new HashSet<>(describe(zk.whoAmI()));
        eq(Set.of("ip:127.0.0.1", "digest:bob"), who2, "whoAmI after digest auth");
    }

    static List<String> describe(List<ClientInfo> infos) {
        List<String> out = new ArrayList<>();
        for (ClientInfo i : infos) out.add(i.getAuthScheme() + ":" + i.getUser());
        return out;
    }

    // ------------------------------------------------------------------ sessions

    void sessionExpiredByDuplicateClose() throws Exception {
        String r = "/sessionExpiredByDuplicateClose";
        Events ev1 = new Events("first");
        ZooKeeper zk1 = connect(ev1, 10_000);
        freshRoot(zk1, r);
        long sid = zk1.getSessionId();
        zk1.create(r + "/e1", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);

        Events ev2 = new Events("duplicate");
        ZooKeeper zk2 = new ZooKeeper(connectString, 10_000, ev2, sid, zk1.getSessionPasswd());
        track(zk2::close);
        ev2.expectState(KeeperState.SyncConnected, WAIT_MS);
        eq(sid, zk2.getSessionId(), "session id of the second handle");
        zk2.create(r + "/e2", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        eq(sid, zk2.exists(r + "/e2", false).getEphemeralOwner(), "owner of an ephemeral made through the second handle");
        zk2.close();

        ev1.expectState(KeeperState.Expired, 30_000);
        expectCode(Code.SESSIONEXPIRED, "request on the expired handle", () -> zk1.exists("/", false));
        ZooKeeper zk3 = connect();
        eq(null, zk3.exists(r + "/e1", false), "ephemeral of the closed session");
        eq(null, zk3.exists(r + "/e2", false), "ephemeral of the closed session (second handle)");
    }

    void sessionWrongPassword() throws Exception {
        ZooKeeper zk1 = connect();
        byte[] bad = zk1.getSessionPasswd().clone();
        bad[0] ^= 0x5a;
        Events ev = new Events("wrongpw");
        ZooKeeper zk2 = new ZooKeeper(connectString, 10_000, ev, zk1.getSessionId(), bad);
        track(zk2::close);
        ev.expectState(KeeperState.Expired, WAIT_MS);
        // The real owner's session is unaffected. (Java 3.8 drops its connection when the
        // impostor attaches; it reconnects to the same session.)
        long sid = zk1.getSessionId();
        waitFor("original session usable again", WAIT_MS, () -> {
            try {
                return zk1.exists("/", false) != null;
            } catch (KeeperException.ConnectionLossException e) {
                return false;
            } catch (Exception e) {
                throw new AssertionError("original session: " + e, e);
            }
        });
        eq(sid, zk1.getSessionId(), "original session id");
    }

    void sessionTimeoutNegotiation() throws Exception {
        // tickTime=2000: the server clamps to [2 * tickTime, 20 * tickTime].
        int[][] cases = {{1_000, 4_000}, {10_000, 10_000}, {100_000, 40_000}};
        for (int[] c : cases) {
            ZooKeeper zk = connect(new Events("timeout" + c[0]), c[0]);
            eq(c[1], zk.getSessionTimeout(), "negotiated timeout for a request of " + c[0] + " ms");
        }
    }

    void sessionExpiresAfterTimeout() throws Exception {
        // A client cut off from the server (a proxy in between) stops pinging: its session
        // expires after the negotiated timeout, its ephemerals go, and it is told Expired when it
        // can reach the server again.
        String r = "/sessionExpiresAfterTimeout";
        ZooKeeper w = connect();
        freshRoot(w, r);
        TcpProxy proxy = track(new TcpProxy());
        Events ev = new Events("cut-off");
        ZooKeeper zk = connectVia(proxy, ev, 4_000);
        eq(4_000, zk.getSessionTimeout(), "negotiated timeout");
        zk.create(r + "/e", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        Events wev = new Events("observer");
        check(w.exists(r + "/e", wev) != null, "ephemeral exists");
        long t0 = System.nanoTime();
        proxy.pause();
        ev.expectState(KeeperState.Disconnected, WAIT_MS);
        WatchedEvent e = wev.next(20_000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        check(e != null, "ephemeral not deleted within 20 s of cutting the client off (timeout 4 s)");
        eq(EventType.NodeDeleted + " " + r + "/e", e.getType() + " " + e.getPath(), "event");
        // The last ping was at most timeout/3 before the cut; allow for that.
        check(ms >= 2_000, "session expired " + ms + " ms after the cut, before its 4 s timeout could have passed");
        proxy.resume();
        ev.expectState(KeeperState.Expired, WAIT_MS);
        expectCode(Code.SESSIONEXPIRED, "request on the expired handle", () -> zk.exists("/", false));
    }

    void watchesRestoredAfterReconnect() throws Exception {
        // Watches set before a disconnection are re-sent (SetWatches with the last zxid seen); the
        // server fires at once those whose node changed meanwhile.
        String r = "/watchesRestoredAfterReconnect";
        ZooKeeper w = connect();
        freshRoot(w, r);
        for (String n : List.of("/a", "/c", "/kids", "/p", "/quiet")) mk(w, r + n, "0");
        mk(w, r + "/barriers", null);
        TcpProxy proxy = track(new TcpProxy());
        Events ev = new Events("reconnecting");
        ZooKeeper zk = connectVia(proxy, ev, 30_000);
        long sid = zk.getSessionId();
        zk.getData(r + "/a", true, null);
        eq(null, zk.exists(r + "/b", true), "exists /b");
        zk.exists(r + "/c", true);
        zk.getChildren(r + "/kids", true);
        zk.getData(r + "/quiet", true, null);
        Events pev = new Events("persistent");
        zk.addWatch(r + "/p", pev, AddWatchMode.PERSISTENT);

        proxy.pause();
        ev.expectState(KeeperState.Disconnected, WAIT_MS);
        w.setData(r + "/a", b("1"), -1);
        mk(w, r + "/b", "b");
        w.delete(r + "/c", -1);
        mk(w, r + "/kids/k", null);
        proxy.resume();
        ev.expectState(KeeperState.SyncConnected, 30_000);
        eq(sid, zk.getSessionId(), "same session after the reconnect");

        Set<String> got = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            WatchedEvent e = ev.next(WAIT_MS);
            check(e != null, "after the reconnect only " + got + " within " + WAIT_MS + " ms");
            got.add(e.getType() + " " + e.getPath());
        }
        eq(Set.of("NodeDataChanged " + r + "/a", "NodeCreated " + r + "/b", "NodeDeleted " + r + "/c",
                "NodeChildrenChanged " + r + "/kids"), got, "events for changes made while disconnected");
        ev.assertQuiet(zk, r + "/barriers");
        // The untouched node's watch is still armed, and so is the persistent one.
        w.setData(r + "/quiet", b("1"), -1);
        ev.expect(EventType.NodeDataChanged, r + "/quiet");
        w.setData(r + "/p", b("1"), -1);
        pev.expect(EventType.NodeDataChanged, r + "/p");
        w.setData(r + "/p", b("2"), -1);
        pev.expect(EventType.NodeDataChanged, r + "/p");
    }

    void oversizedRequestDropsConnection() throws Exception {
        // A request larger than jute.maxbuffer (default 1 MiB - 1) makes the server close the
        // connection; the session survives and the client reconnects to it.
        String r = "/oversizedRequestDropsConnection";
        Events ev = new Events("oversized");
        ZooKeeper zk = connect(ev);
        freshRoot(zk, r);
        long sid = zk.getSessionId();
        byte[] big = new byte[2 * 1024 * 1024];
        expectCode(Code.CONNECTIONLOSS, "create with 2 MiB of data",
                () -> zk.create(r + "/big", big, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        ev.expectState(KeeperState.Disconnected, WAIT_MS);
        ev.expectState(KeeperState.SyncConnected, WAIT_MS);
        eq(sid, zk.getSessionId(), "same session after the reconnect");
        eq(null, zk.exists(r + "/big", false), "oversized create not applied");
        byte[] ok = new byte[1024 * 1024 - 1024];
        zk.create(r + "/justfits", ok, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        eq(ok.length, zk.exists(r + "/justfits", false).getDataLength(), "a value just under the limit");
    }

    void chroot() throws Exception {
        String r = "/chroot";
        ZooKeeper w = connect();
        freshRoot(w, r);
        Events ev = new Events("chrooted");
        ZooKeeper zc = new ZooKeeper(connectString + r, SESSION_TIMEOUT_MS, ev);
        track(zc::close);
        ev.expectState(KeeperState.SyncConnected, WAIT_MS);
        eq("/a", zc.create("/a", b("a"), OPEN_ACL_UNSAFE, CreateMode.PERSISTENT), "path returned under a chroot");
        eqBytes(b("a"), w.getData(r + "/a", false, null), "node created under the chroot");
        eq("/s-0000000001", zc.create("/s-", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL), "sequential under a chroot");
        eq(List.of("a", "s-0000000001"), sorted(zc.getChildren("/", false)), "children of the chroot");
        eq(null, zc.exists("/b", true), "exists");
        mk(w, r + "/b", null);
        ev.expect(EventType.NodeCreated, "/b");
        Events rec = new Events("chrooted-recursive");
        zc.addWatch("/", rec, AddWatchMode.PERSISTENT_RECURSIVE);
        mk(w, r + "/c", null);
        rec.expect(EventType.NodeCreated, "/c");
        List<OpResult> res = zc.multi(Arrays.asList(Op.create("/m", null, OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.setData("/a", b("a2"), 0)));
        // The 3.8.0 client does not strip the chroot from multi create results (client-side).
        String mp = ((OpResult.CreateResult) res.get(0)).getPath();
        check(mp.equals("/m") || mp.equals(r + "/m"), "multi create path under a chroot: " + mp);
        rec.expect(EventType.NodeCreated, "/m");
        rec.expect(EventType.NodeDataChanged, "/a");
        eq(5, zc.getAllChildrenNumber("/"), "getAllChildrenNumber of the chroot");
    }

    void sessionSurvivesServerRestart() throws Exception {
        String r = "/sessionSurvivesServerRestart";
        Events ev = new Events("survivor");
        ZooKeeper zk = connect(ev, 30_000);
        freshRoot(zk, r);
        long sid = zk.getSessionId();
        zk.create(r + "/eph", b("e"), OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        mk(zk, r + "/data", "before");
        Stat before = zk.exists(r + "/data", false);
        zk.getData(r + "/data", true, null);      // must be re-registered after the reconnect
        zk.exists(r + "/later", true);
        zk.getChildren(r, true);

        restartServer();

        ev.expectState(KeeperState.Disconnected, WAIT_MS);
        ev.expectState(KeeperState.SyncConnected, 30_000);
        eq(sid, zk.getSessionId(), "session id after the reconnect");
        Stat eph = zk.exists(r + "/eph", false);
        check(eph != null, "ephemeral survived the restart");
        eq(sid, eph.getEphemeralOwner(), "ephemeral owner after the restart");
        eq(before, zk.exists(r + "/data", false), "stat after the restart");

        ZooKeeper w = connect();
        w.setData(r + "/data", b("after"), -1);
        ev.expect(EventType.NodeDataChanged, r + "/data");
        mk(w, r + "/later", null);
        // /later's creation fires both the exists watch on it and the child watch on r.
        Set<String> got = new HashSet<>();
        for (int i = 0; i < 2; i++) {
            WatchedEvent e = ev.next(WAIT_MS);
            check(e != null, "after the restart only " + got + " within " + WAIT_MS + " ms");
            got.add(e.getType() + " " + e.getPath());
        }
        eq(Set.of("NodeCreated " + r + "/later", "NodeChildrenChanged " + r), got, "watches re-registered after the restart");
        check(w.exists(r + "/later", false).getCzxid() > before.getCzxid(), "zxids keep increasing across the restart");

        // The session still owns its ephemerals: closing it removes them.
        zk.close();
        eq(null, w.exists(r + "/eph", false), "ephemeral after closing the restored session");
    }

    static List<ACL> acls(ACL... a) {
        return new ArrayList<>(Arrays.asList(a));   // the client calls contains(null): no List.of
    }

    static List<String> sorted(List<String> l) {
        List<String> c = new ArrayList<>(l);
        Collections.sort(c);
        return c;
    }
}
