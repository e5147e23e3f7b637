// Apache Curator 5.4 (Debian) recipes against the server under test. Each test works under its own
// top-level node (/curator/<test name>), uses two or more independent CuratorFramework clients
// (separate sessions) where contention matters, and checks outcomes with deadlines.

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.api.transaction.OperationType;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.barriers.DistributedBarrier;
import org.apache.curator.framework.recipes.barriers.DistributedDoubleBarrier;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.cache.TreeCache;
import org.apache.curator.framework.recipes.cache.TreeCacheEvent;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderSelector;
import org.apache.curator.framework.recipes.leader.LeaderSelectorListenerAdapter;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.recipes.nodes.PersistentTtlNode;
import org.apache.curator.framework.recipes.queue.SimpleDistributedQueue;
import org.apache.curator.framework.recipes.shared.SharedCount;
import org.apache.curator.framework.recipes.shared.SharedCountListener;
import org.apache.curator.framework.recipes.shared.SharedCountReader;
import org.apache.curator.framework.recipes.shared.VersionedValue;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.x.discovery.ServiceCache;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.ServiceCacheListener;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

public final class CuratorTests extends CompatMain {

    static List<CompatMain.Test> tests() {
        CuratorTests t = new CuratorTests();
        return List.of(
                new CompatMain.Test("curatorBasics", t::curatorBasics),
                new CompatMain.Test("curatorTransaction", t::curatorTransaction),
                new CompatMain.Test("curatorInterProcessMutex", t::interProcessMutex),
                new CompatMain.Test("curatorSemaphoreV2", t::semaphoreV2),
                new CompatMain.Test("curatorReadWriteLock", t::readWriteLock),
                new CompatMain.Test("curatorLeaderLatch", t::leaderLatch),
                new CompatMain.Test("curatorLeaderSelector", t::leaderSelector),
                new CompatMain.Test("curatorBarrier", t::barrier),
                new CompatMain.Test("curatorDoubleBarrier", t::doubleBarrier),
                new CompatMain.Test("curatorDistributedAtomicLong", t::distributedAtomicLong),
                new CompatMain.Test("curatorSharedCount", t::sharedCount),
                new CompatMain.Test("curatorSimpleQueue", t::simpleQueue),
                new CompatMain.Test("curatorCuratorCache", t::curatorCache),
                new CompatMain.Test("curatorTreeCache", t::treeCache),
                new CompatMain.Test("curatorPathChildrenCache", t::pathChildrenCache),
                new CompatMain.Test("curatorNodeCache", t::nodeCache),
                new CompatMain.Test("curatorPersistentWatcher", t::persistentWatcher),
                new CompatMain.Test("curatorGroupMember", t::groupMember),
                new CompatMain.Test("curatorDistributedQueue", t::distributedQueue),
                new CompatMain.Test("curatorMultiLockAndSemaphoreMutex", t::multiLockAndSemaphoreMutex),
                new CompatMain.Test("curatorPersistentNode", t::persistentNode),
                new CompatMain.Test("curatorPersistentNodeAfterSessionLoss", t::persistentNodeAfterSessionLoss),
                new CompatMain.Test("curatorPersistentTtlNode", t::persistentTtlNode),
                new CompatMain.Test("curatorPersistentTtlNodeGoneAfterClose", t::persistentTtlNodeGoneAfterClose),
                new CompatMain.Test("curatorServiceDiscovery", t::serviceDiscovery));
    }

    static String root(CuratorFramework cf, String name) throws Exception {
        String r = "/curator/" + name;
        if (cf.checkExists().forPath(r) != null) cf.delete().deletingChildrenIfNeeded().forPath(r);
        cf.create().creatingParentsIfNeeded().forPath(r);
        return r;
    }

    static ExecutorService pool(int n) {
        ExecutorService ex = Executors.newFixedThreadPool(n);
        track(ex::shutdownNow);
        return ex;
    }

    static void joinAll(List<Future<?>> fs, long timeoutMs) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        for (Future<?> f : fs) f.get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------ framework basics

    void curatorBasics() throws Exception {
        CuratorFramework cf = curator();
        String r = root(cf, "basics");
        // creatingParentContainersIfNeeded makes the parents containers (createContainer).
        cf.create().creatingParentContainersIfNeeded().forPath(r + "/p1/p2/leaf", b("leaf"));
        eq(0L, cf.checkExists().forPath(r + "/p1/p2").getEphemeralOwner(), "container parent's ephemeralOwner as clients see it");
        eqBytes(b("leaf"), cf.getData().forPath(r + "/p1/p2/leaf"), "data");
        Stat st = cf.setData().withVersion(0).forPath(r + "/p1/p2/leaf", b("v2"));
        eq(1, st.getVersion(), "version after setData");
        expectCode(KeeperException.Code.BADVERSION, "stale version",
                () -> cf.setData().withVersion(0).forPath(r + "/p1/p2/leaf", b("v3")));
        String seq = cf.create().withProtection().withMode(CreateMode.EPHEMERAL_SEQUENTIAL).forPath(r + "/prot-", b("x"));
        check(seq.startsWith(r + "/_c_") && seq.matches(".*-prot-\\d{10}$"), "protected sequential name: " + seq);
        eq(cf.getZookeeperClient().getZooKeeper().getSessionId(), cf.checkExists().forPath(seq).getEphemeralOwner(), "owner");

        // Background operations and watchers.
        CountDownLatch bg = new CountDownLatch(1);
        List<String> bgResult = new ArrayList<>();
        cf.getChildren().inBackground((client, event) -> {
            bgResult.add(event.getType() + " " + event.getResultCode() + " " + new java.util.TreeSet<>(event.getChildren()));
            bg.countDown();
        }).forPath(r);
        await(bg, "background getChildren");
        eq("CHILDREN 0 [" + seq.substring(r.length() + 1) + ", p1]", bgResult.get(0), "background result");

        LinkedBlockingQueue<WatchedEvent> q = new LinkedBlockingQueue<>();
        cf.getData().usingWatcher((org.apache.zookeeper.Watcher) q::add).forPath(r + "/p1/p2/leaf");
        CuratorFramework other = curator();
        other.setData().forPath(r + "/p1/p2/leaf", b("v3"));
        WatchedEvent e = q.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        check(e != null, "watch event from the Curator watcher");
        eq(org.apache.zookeeper.Watcher.Event.EventType.NodeDataChanged, e.getType(), "event type");

        // Curator's persistent recursive watch API.
        LinkedBlockingQueue<String> rq = new LinkedBlockingQueue<>();
        cf.watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE)
                .usingWatcher((org.apache.zookeeper.Watcher) ev -> rq.add(ev.getType() + " " + ev.getPath()))
                .forPath(r + "/p1");
        other.create().forPath(r + "/p1/p2/new", b("n"));
        eq("NodeCreated " + r + "/p1/p2/new", rq.poll(WAIT_MS, TimeUnit.MILLISECONDS), "recursive watch event");
        other.delete().deletingChildrenIfNeeded().forPath(r + "/p1");
        Set<String> dels = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            String ev = rq.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            check(ev != null, "recursive delete events: only " + dels);
            dels.add(ev);
        }
        eq(Set.of("NodeDeleted " + r + "/p1", "NodeDeleted " + r + "/p1/p2", "NodeDeleted " + r + "/p1/p2/leaf",
                "NodeDeleted " + r + "/p1/p2/new"), dels, "recursive delete events");
    }

    void curatorTransaction() throws Exception {
        CuratorFramework cf = curator();
        String r = root(cf, "transaction");
        CuratorOp c1 = cf.transactionOp().create().forPath(r + "/a", b("a"));
        CuratorOp c2 = cf.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(r + "/s-", b("s"));
        CuratorOp set = cf.transactionOp().setData().withVersion(0).forPath(r + "/a", b("a2"));
        CuratorOp chk = cf.transactionOp().check().withVersion(1).forPath(r + "/a");
        List<CuratorTransactionResult> res = cf.transaction().forOperations(c1, c2, set, chk);
        eq(4, res.size(), "results");
        eq(OperationType.CREATE, res.get(0).getType(), "type 0");
        eq(r + "/s-0000000001", res.get(1).getResultPath(), "sequential path in a transaction");
        eq(1, res.get(2).getResultStat().getVersion(), "setData stat in a transaction");
        eqBytes(b("a2"), cf.getData().forPath(r + "/a"), "data");

        CuratorOp bad1 = cf.transactionOp().create().forPath(r + "/b");
        CuratorOp bad2 = cf.transactionOp().delete().withVersion(42).forPath(r + "/a");
        expectCode(KeeperException.Code.BADVERSION, "failing transaction", () -> cf.transaction().forOperations(bad1, bad2));
        eq(null, cf.checkExists().forPath(r + "/b"), "rolled back create");
    }

    // ------------------------------------------------------------------ locks

    void interProcessMutex() throws Exception {
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "mutex");
        String lockPath = r + "/lock";

        // Contention between two sessions, two threads each.
        AtomicInteger inside = new AtomicInteger(), maxInside = new AtomicInteger(), done = new AtomicInteger();
        ExecutorService ex = pool(4);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            CuratorFramework cf = t % 2 == 0 ? a : b;
            fs.add(ex.submit(() -> {
                InterProcessMutex m = new InterProcessMutex(cf, lockPath);
                for (int i = 0; i < 8; i++) {
                    check(m.acquire(20, TimeUnit.SECONDS), "acquire within 20 s");
                    try {
                        int now = inside.incrementAndGet();
                        maxInside.accumulateAndGet(now, Math::max);
                        cf.setData().forPath(r, b("holder"));   // some work while holding the lock
                        inside.decrementAndGet();
                        done.incrementAndGet();
                    } finally {
                        m.release();
                    }
                }
                return null;
            }));
        }
        joinAll(fs, 50_000);
        eq(32, done.get(), "critical sections completed");
        eq(1, maxInside.get(), "maximum holders at once");
        eq(List.of(), a.getChildren().forPath(lockPath), "lock nodes left behind");

        // Re-entrancy, and a timed acquire that must fail while the other session holds the lock.
        InterProcessMutex ma = new InterProcessMutex(a, lockPath), mb = new InterProcessMutex(b, lockPath);
        check(ma.acquire(10, TimeUnit.SECONDS), "a acquires");
        check(ma.acquire(10, TimeUnit.SECONDS), "a re-enters");
        check(!mb.acquire(300, TimeUnit.MILLISECONDS), "b must not acquire while a holds the lock");
        eq(1, a.getChildren().forPath(lockPath).size(), "one lock node for a re-entrant holder");
        ma.release();
        check(!mb.acquire(300, TimeUnit.MILLISECONDS), "b must not acquire while a still holds once");
        ma.release();
        check(mb.acquire(10, TimeUnit.SECONDS), "b acquires once a released");
        check(mb.isOwnedByCurrentThread(), "b owns it");
        mb.release();
    }

    void semaphoreV2() throws Exception {
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "semaphore");
        String p = r + "/sem";
        InterProcessSemaphoreV2 sa = new InterProcessSemaphoreV2(a, p, 2);
        InterProcessSemaphoreV2 sb = new InterProcessSemaphoreV2(b, p, 2);
        Collection<Lease> two = sa.acquire(2, 10, TimeUnit.SECONDS);
        check(two != null && two.size() == 2, "a takes both leases");
        eq(null, sb.acquire(300, TimeUnit.MILLISECONDS), "b gets no lease while both are taken");
        Lease first = two.iterator().next();
        sa.returnLease(first);
        Lease lb = sb.acquire(10, TimeUnit.SECONDS);
        check(lb != null, "b gets the returned lease");
        eq(null, sa.acquire(300, TimeUnit.MILLISECONDS), "no third lease");
        for (Lease l : two) if (l != first) sa.returnLease(l);
        sb.returnLease(lb);

        // Many threads: never more than 2 holders at once.
        AtomicInteger holders = new AtomicInteger(), max = new AtomicInteger(), done = new AtomicInteger();
        ExecutorService ex = pool(6);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            InterProcessSemaphoreV2 s = new InterProcessSemaphoreV2(t % 2 == 0 ? a : b, p, 2);
            CuratorFramework cf = t % 2 == 0 ? a : b;
            fs.add(ex.submit(() -> {
                for (int i = 0; i < 4; i++) {
                    Lease l = s.acquire(20, TimeUnit.SECONDS);
                    check(l != null, "lease within 20 s");
                    try {
                        max.accumulateAndGet(holders.incrementAndGet(), Math::max);
                        cf.checkExists().forPath(p);
                        holders.decrementAndGet();
                        done.incrementAndGet();
                    } finally {
                        s.returnLease(l);
                    }
                }
                return null;
            }));
        }
        joinAll(fs, 50_000);
        eq(24, done.get(), "leases used");
        check(max.get() <= 2, "at most 2 holders at once, saw " + max.get());
    }

    void readWriteLock() throws Exception {
        CuratorFramework a = curator(), b = curator(), c = curator();
        String r = root(a, "rwlock");
        String p = r + "/lock";
        InterProcessReadWriteLock la = new InterProcessReadWriteLock(a, p);
        InterProcessReadWriteLock lb = new InterProcessReadWriteLock(b, p);
        InterProcessReadWriteLock lc = new InterProcessReadWriteLock(c, p);
        check(la.readLock().acquire(10, TimeUnit.SECONDS), "reader a");
        check(lb.readLock().acquire(10, TimeUnit.SECONDS), "reader b concurrently");
        check(!lc.writeLock().acquire(300, TimeUnit.MILLISECONDS), "writer must wait for the readers");
        la.readLock().release();
        check(!lc.writeLock().acquire(300, TimeUnit.MILLISECONDS), "writer must wait for the last reader");
        lb.readLock().release();
        check(lc.writeLock().acquire(10, TimeUnit.SECONDS), "writer once the readers left");
        check(!la.readLock().acquire(300, TimeUnit.MILLISECONDS), "reader must wait for the writer");
        check(!lb.writeLock().acquire(300, TimeUnit.MILLISECONDS), "second writer must wait");
        // A writer may take the read lock (downgrade).
        check(lc.readLock().acquire(10, TimeUnit.SECONDS), "writer takes the read lock too");
        lc.writeLock().release();
        check(la.readLock().acquire(10, TimeUnit.SECONDS), "reader a alongside the downgraded writer");
        lc.readLock().release();
        la.readLock().release();
        check(lb.writeLock().acquire(10, TimeUnit.SECONDS), "writer b once everything was released");
        lb.writeLock().release();
        eq(List.of(), a.getChildren().forPath(p), "lock nodes left behind");
    }

    // ------------------------------------------------------------------ leader election

    void leaderLatch() throws Exception {
        List<CuratorFramework> cfs = List.of(curator(), curator(), curator());
        String r = root(cfs.get(0), "leaderlatch");
        String p = r + "/latch";
        List<LeaderLatch> latches = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            LeaderLatch l = new LeaderLatch(cfs.get(i), p, "id" + i);
            track(() -> {
                if (l.getState() == LeaderLatch.State.STARTED) l.close();
            });
            latches.add(l);
            l.start();
        }
        LeaderLatch leader = onlyLeader(latches);
        for (LeaderLatch l : latches) eq(leader.getId(), l.getLeader().getId(), "leader as seen by " + l.getId());
        eq(3, leader.getParticipants().size(), "participants");

        // Leadership moves when the leader closes; still exactly one.
        leader.close();
        List<LeaderLatch> rest = new ArrayList<>(latches);
        rest.remove(leader);
        LeaderLatch second = onlyLeader(rest);
        check(second != leader, "a new leader");
        second.close();
        rest.remove(second);
        LeaderLatch third = onlyLeader(rest);
        check(third.await(1, TimeUnit.SECONDS), "await() on the last latch");
        third.close();
    }

    /** Waits until exactly one latch has leadership, and checks it stays alone for a while. */
    static LeaderLatch onlyLeader(List<LeaderLatch> latches) throws Exception {
        waitFor("a leader among " + latches.size(), WAIT_MS, () -> latches.stream().anyMatch(LeaderLatch::hasLeadership));
        List<String> leaders = new ArrayList<>();
        for (LeaderLatch l : latches) if (l.hasLeadership()) leaders.add(l.getId());
        eq(1, leaders.size(), "number of leaders " + leaders);
        for (LeaderLatch l : latches) if (l.hasLeadership()) return l;
        throw new AssertionError("leader vanished");
    }

    void leaderSelector() throws Exception {
        String r = root(curator(), "leaderselector");
        String p = r + "/sel";
        AtomicInteger leadersNow = new AtomicInteger(), maxLeaders = new AtomicInteger();
        LinkedBlockingQueue<Integer> took = new LinkedBlockingQueue<>();
        Map<Integer, CountDownLatch> release = new ConcurrentHashMap<>();
        List<LeaderSelector> sels = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            final int id = i;
            release.put(id, new CountDownLatch(1));
            LeaderSelector s = new LeaderSelector(curator(), p, new LeaderSelectorListenerAdapter() {
                @Override
                public void takeLeadership(CuratorFramework client) throws Exception {
                    maxLeaders.accumulateAndGet(leadersNow.incrementAndGet(), Math::max);
                    try {
                        took.add(id);
                        release.get(id).await();
                    } finally {
                        leadersNow.decrementAndGet();
                    }
                }
            });
            s.setId("sel" + i);
            s.autoRequeue();
            track(s::close);
            sels.add(s);
            s.start();
        }
        Integer first = took.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        check(first != null, "a first leader");
        waitFor("leader visible to all", WAIT_MS, () -> {
            try {
                return sels.get(0).getLeader().getId().equals("sel" + first);
            } catch (Exception e) {
                return false;
            }
        });
        waitFor("3 participants", WAIT_MS, () -> {
            try {
                return sels.get(0).getParticipants().size() == 3;
            } catch (Exception e) {
                return false;
            }
        });
        // Relinquish by returning from takeLeadership: someone else (or the requeued one) leads next.
        release.get(first).countDown();
        Integer second = took.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        check(second != null, "a second leader after the first relinquished");
        release.put(first, new CountDownLatch(1));
        // Leadership moves when the leader's selector closes.
        sels.get(second).close();
        Integer third = took.poll(WAIT_MS, TimeUnit.MILLISECONDS);
        check(third != null, "a leader after the leader closed");
        check(!third.equals(second), "closed selector " + second + " must not lead again");
        eq(1, maxLeaders.get(), "maximum simultaneous leaders");
        for (CountDownLatch l : release.values()) l.countDown();
    }

    // ------------------------------------------------------------------ barriers

    void barrier() throws Exception {
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "barrier");
        String p = r + "/b";
        DistributedBarrier ba = new DistributedBarrier(a, p);
        ba.setBarrier();
        DistributedBarrier bb = new DistributedBarrier(b, p);
        check(!bb.waitOnBarrier(300, TimeUnit.MILLISECONDS), "waitOnBarrier must time out while the barrier is set");
        ExecutorService ex = pool(2);
        List<Future<Boolean>> waiters = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            DistributedBarrier w = new DistributedBarrier(i == 0 ? a : b, p);
            waiters.add(ex.submit(() -> w.waitOnBarrier(30, TimeUnit.SECONDS)));
        }
        waitFor("waiters blocked", WAIT_MS, () -> waiters.stream().noneMatch(Future::isDone));
        ba.removeBarrier();
        for (Future<Boolean> f : waiters) check(f.get(WAIT_MS, TimeUnit.MILLISECONDS), "waiter released by removeBarrier");
        check(bb.waitOnBarrier(1, TimeUnit.SECONDS), "no barrier: returns at once");
    }

    void doubleBarrier() throws Exception {
        CuratorFramework a = curator(), b = curator(), c = curator();
        String r = root(a, "doublebarrier");
        String p = r + "/db";
        List<CuratorFramework> cfs = List.of(a, b, c);
        ExecutorService ex = pool(3);
        AtomicInteger entered = new AtomicInteger();
        DistributedDoubleBarrier lone = new DistributedDoubleBarrier(a, r + "/lonely", 2);
        check(!lone.enter(300, TimeUnit.MILLISECONDS), "enter alone into a barrier of 2 must time out");
        List<Future<Boolean>> fs = new ArrayList<>();
        for (CuratorFramework cf : cfs) {
            fs.add(ex.submit(() -> {
                DistributedDoubleBarrier d = new DistributedDoubleBarrier(cf, p, 3);
                boolean in = d.enter(30, TimeUnit.SECONDS);
                if (!in) return false;
                entered.incrementAndGet();
                return d.leave(30, TimeUnit.SECONDS);
            }));
        }
        for (Future<Boolean> f : fs) check(f.get(40, TimeUnit.SECONDS), "enter and leave");
        eq(3, entered.get(), "members that entered");
    }

    // ------------------------------------------------------------------ shared values

    void distributedAtomicLong() throws Exception {
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "atomiclong");
        String p = r + "/counter";
        ExecutorService ex = pool(4);
        List<Future<?>> fs = new ArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        for (int t = 0; t < 4; t++) {
            CuratorFramework cf = t % 2 == 0 ? a : b;
            fs.add(ex.submit(() -> {
                DistributedAtomicLong dal = new DistributedAtomicLong(cf, p, new RetryNTimes(50, 5));
                for (int i = 0; i < 25; i++) {
                    long deadline = System.currentTimeMillis() + 20_000;
                    while (true) {
                        attempts.incrementAndGet();
                        AtomicValue<Long> v = dal.increment();
                        if (v.succeeded()) {
                            check(v.postValue() == v.preValue() + 1, "post = pre + 1: " + v.preValue() + " -> " + v.postValue());
                            break;
                        }
                        check(System.currentTimeMillis() < deadline, "increment did not succeed within 20 s");
                    }
                }
                return null;
            }));
        }
        joinAll(fs, 50_000);
        DistributedAtomicLong dal = new DistributedAtomicLong(a, p, new RetryNTimes(3, 10));
        AtomicValue<Long> v = dal.get();
        check(v.succeeded(), "get succeeded");
        eq(100L, v.postValue(), "sum of 4 x 25 concurrent increments");
        AtomicValue<Long> cas = dal.compareAndSet(99L, 5L);
        check(!cas.succeeded(), "compareAndSet with a wrong expected value must fail");
        cas = dal.compareAndSet(100L, 5L);
        check(cas.succeeded(), "compareAndSet with the right expected value");
        eq(5L, dal.get().postValue(), "value after compareAndSet");
        eq(12L, dal.add(7L).postValue(), "add");
    }

    void sharedCount() throws Exception {
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "sharedcount");
        String p = r + "/count";
        SharedCount ca = new SharedCount(a, p, 0), cb = new SharedCount(b, p, 0);
        track(ca::close);
        track(cb::close);
        LinkedBlockingQueue<Integer> seen = new LinkedBlockingQueue<>();
        cb.addListener(new SharedCountListener() {
            @Override
            public void countHasChanged(SharedCountReader reader, int newCount) {
                seen.add(newCount);
            }

            @Override
            public void stateChanged(CuratorFramework client, ConnectionState newState) {
            }
        });
        ca.start();
        cb.start();
        eq(0, cb.getCount(), "initial count");
        ca.setCount(5);
        eq(5, seen.poll(WAIT_MS, TimeUnit.MILLISECONDS), "count seen by the other client");
        VersionedValue<Integer> stale = cb.getVersionedValue();
        eq(5, stale.getValue(), "versioned value");
        ca.setCount(6);
        eq(6, seen.poll(WAIT_MS, TimeUnit.MILLISECONDS), "second change seen");
        check(!cb.trySetCount(stale, 7), "trySetCount with a stale version must fail");
        check(cb.trySetCount(cb.getVersionedValue(), 7), "trySetCount with the current version");
        waitFor("a sees 7", WAIT_MS, () -> ca.getCount() == 7);
        eq(7, cb.getCount(), "b's own value");
    }

    void simpleQueue() throws Exception {
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "queue");
        String p = r + "/q";
        SimpleDistributedQueue qa = new SimpleDistributedQueue(a, p), qb = new SimpleDistributedQueue(b, p);
        for (int i = 0; i < 5; i++) check(qa.offer(b("item" + i)), "offer");
        for (int i = 0; i < 5; i++) eqBytes(b("item" + i), qb.poll(5, TimeUnit.SECONDS), "FIFO order");
        eq(null, qb.poll(300, TimeUnit.MILLISECONDS), "empty queue");
        ExecutorService ex = pool(1);
        Future<byte[]> taker = ex.submit(() -> qb.take());
        waitFor("taker blocked", WAIT_MS, () -> !taker.isDone());
        qa.offer(b("late"));
        eqBytes(b("late"), taker.get(WAIT_MS, TimeUnit.MILLISECONDS), "blocked take gets the new item");
    }

    // ------------------------------------------------------------------ caches

    void curatorCache() throws Exception {
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "curatorcache");
        String p = r + "/cc";
        a.create().forPath(p, b("root"));
        a.create().forPath(p + "/pre", b("pre"));
        LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
        CountDownLatch init = new CountDownLatch(1);
        CuratorCache cache = CuratorCache.build(a, p);
        track(cache::close);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreates(n -> q.add("create " + n.getPath() + " " + s(n.getData())))
                .forChanges((old, n) -> q.add("change " + n.getPath() + " " + s(old.getData()) + "->" + s(n.getData())))
                .forDeletes(old -> q.add("delete " + old.getPath()))
                .forInitialized(init::countDown)
                .build());
        cache.start();
        await(init, "CuratorCache initialized");
        Set<String> initial = new HashSet<>();
        q.drainTo(initial);
        eq(Set.of("create " + p + " root", "create " + p + "/pre pre"), initial, "initial events");

        b.create().forPath(p + "/a", b("1"));
        eq("create " + p + "/a 1", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "event for a create");
        b.create().forPath(p + "/a/deep", b("2"));
        eq("create " + p + "/a/deep 2", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "event for a grandchild create");
        b.setData().forPath(p + "/a", b("3"));
        eq("change " + p + "/a 1->3", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "event for an update");
        b.delete().forPath(p + "/a/deep");
        eq("delete " + p + "/a/deep", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "event for a delete");
        b.delete().forPath(p + "/pre");
        eq("delete " + p + "/pre", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "event for a delete");
        b.setData().forPath(p, b("root2"));
        eq("change " + p + " root->root2", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "event for an update of the root");
        eqBytes(b("3"), cache.get(p + "/a").map(ChildData::getData).orElse(null), "cached data");
        eq(2, cache.size(), "cache size");
    }

    void treeCache() throws Exception {
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "treecache");
        String p = r + "/tc";
        a.create().forPath(p, b("root"));
        a.create().forPath(p + "/pre", b("pre"));
        LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
        TreeCache cache = TreeCache.newBuilder(a, p).setCacheData(true).build();
        track(cache::close);
        cache.getListenable().addListener((client, ev) -> {
            if (ev.getType() == TreeCacheEvent.Type.INITIALIZED) {
                q.add("INITIALIZED");
            } else if (ev.getData() != null) {
                q.add(ev.getType() + " " + ev.getData().getPath() + " " + s(ev.getData().getData()));
            }
        });
        cache.start();
        Set<String> initial = new HashSet<>();
        while (true) {
            String e = q.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            check(e != null, "TreeCache initialization; saw " + initial);
            if (e.equals("INITIALIZED")) break;
            initial.add(e);
        }
        eq(Set.of("NODE_ADDED " + p + " root", "NODE_ADDED " + p + "/pre pre"), initial, "initial events");
        b.create().forPath(p + "/a", b("1"));
        eq("NODE_ADDED " + p + "/a 1", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "event for a create");
        b.create().forPath(p + "/a/deep", b("2"));
        eq("NODE_ADDED " + p + "/a/deep 2", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "event for a grandchild create");
        b.setData().forPath(p + "/a", b("3"));
        eq("NODE_UPDATED " + p + "/a 3", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "event for an update");
        b.delete().forPath(p + "/a/deep");
        eq("NODE_REMOVED " + p + "/a/deep 2", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "event for a delete");
        eqBytes(b("3"), cache.getCurrentData(p + "/a").getData(), "cached data");
        eq(Set.of("a", "pre"), cache.getCurrentChildren(p).keySet(), "cached children");
    }

    @SuppressWarnings("deprecation")
    void pathChildrenCache() throws Exception {
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "pathchildrencache");
        String p = r + "/pcc";
        a.create().forPath(p);
        a.create().forPath(p + "/pre", b("pre"));
        org.apache.curator.framework.recipes.cache.PathChildrenCache cache =
                new org.apache.curator.framework.recipes.cache.PathChildrenCache(a, p, true);
        track(cache);
        LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
        cache.getListenable().addListener((client, ev) -> {
            if (ev.getData() != null) q.add(ev.getType() + " " + ev.getData().getPath() + " " + s(ev.getData().getData()));
            else q.add(ev.getType().toString());
        });
        cache.start(org.apache.curator.framework.recipes.cache.PathChildrenCache.StartMode.BUILD_INITIAL_CACHE);
        eq(1, cache.getCurrentData().size(), "initial cache");
        eqBytes(b("pre"), cache.getCurrentData(p + "/pre").getData(), "initial data");
        b.create().forPath(p + "/a", b("1"));
        eq("CHILD_ADDED " + p + "/a 1", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "event for a create");
        b.setData().forPath(p + "/a", b("2"));
        eq("CHILD_UPDATED " + p + "/a 2", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "event for an update");
        b.create().withMode(CreateMode.EPHEMERAL).forPath(p + "/e", b("e"));
        eq("CHILD_ADDED " + p + "/e e", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "event for an ephemeral create");
        b.delete().forPath(p + "/a");
        eq("CHILD_REMOVED " + p + "/a 2", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "event for a delete");
        b.close();   // the ephemeral goes with b's session
        eq("CHILD_REMOVED " + p + "/e e", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "event for an ephemeral removed by a session close");
        eq(List.of(p + "/pre"), cache.getCurrentData().stream().map(ChildData::getPath).toList(), "cache contents");
    }

    @SuppressWarnings("deprecation")
    void nodeCache() throws Exception {
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "nodecache");
        String p = r + "/node";
        org.apache.curator.framework.recipes.cache.NodeCache cache = new org.apache.curator.framework.recipes.cache.NodeCache(a, p);
        track(cache);
        LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
        cache.getListenable().addListener(() -> {
            ChildData d = cache.getCurrentData();
            q.add(d == null ? "gone" : s(d.getData()));
        });
        cache.start(true);
        eq(null, cache.getCurrentData(), "no node yet");
        b.create().forPath(p, b("v1"));
        eq("v1", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "after create");
        b.setData().forPath(p, b("v2"));
        eq("v2", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "after update");
        b.delete().forPath(p);
        eq("gone", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "after delete");
        b.create().forPath(p, b("v3"));
        eq("v3", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "after re-create");
    }

    void persistentWatcher() throws Exception {
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "persistentwatcher");
        String p = r + "/w";
        org.apache.curator.framework.recipes.watch.PersistentWatcher pw =
                new org.apache.curator.framework.recipes.watch.PersistentWatcher(a, p, true);
        track(pw);
        LinkedBlockingQueue<String> q = new LinkedBlockingQueue<>();
        CountDownLatch reset = new CountDownLatch(1);
        pw.getResetListenable().addListener(reset::countDown);
        pw.getListenable().addListener(ev -> {
            if (ev.getPath() != null) q.add(ev.getType() + " " + ev.getPath());
        });
        pw.start();
        await(reset, "PersistentWatcher set");
        b.create().creatingParentsIfNeeded().forPath(p + "/x/y", b("1"));
        eq("NodeCreated " + p, q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "parent created");
        eq("NodeCreated " + p + "/x", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "child created");
        eq("NodeCreated " + p + "/x/y", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "grandchild created");
        b.setData().forPath(p + "/x/y", b("2"));
        eq("NodeDataChanged " + p + "/x/y", q.poll(WAIT_MS, TimeUnit.MILLISECONDS), "grandchild changed");
        b.delete().deletingChildrenIfNeeded().forPath(p);
        Set<String> dels = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            String e = q.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            check(e != null, "deletes: only " + dels);
            dels.add(e);
        }
        eq(Set.of("NodeDeleted " + p, "NodeDeleted " + p + "/x", "NodeDeleted " + p + "/x/y"), dels, "deletes");
    }

    void groupMember() throws Exception {
        CuratorFramework a = curator(), b = curator(), c = curator();
        String r = root(a, "groupmember");
        String p = r + "/group";
        List<org.apache.curator.framework.recipes.nodes.GroupMember> members = new ArrayList<>();
        List<CuratorFramework> cfs = List.of(a, b, c);
        for (int i = 0; i < 3; i++) {
            org.apache.curator.framework.recipes.nodes.GroupMember m =
                    new org.apache.curator.framework.recipes.nodes.GroupMember(cfs.get(i), p, "m" + i, b("data" + i));
            track(m);
            members.add(m);
            m.start();
        }
        waitFor("3 members seen by m0", WAIT_MS, () -> members.get(0).getCurrentMembers().size() == 3);
        Map<String, byte[]> cur = members.get(0).getCurrentMembers();
        eq(Set.of("m0", "m1", "m2"), cur.keySet(), "member ids");
        eqBytes(b("data1"), cur.get("m1"), "member data");
        members.get(2).setThisData(b("new2"));
        waitFor("m0 sees m2's new data", WAIT_MS, () -> "new2".equals(s(members.get(0).getCurrentMembers().get("m2"))));
        members.get(1).close();
        waitFor("m1 gone", WAIT_MS, () -> members.get(0).getCurrentMembers().keySet().equals(Set.of("m0", "m2")));
    }

    void distributedQueue() throws Exception {
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "distqueue");
        String p = r + "/queue";
        org.apache.curator.framework.recipes.queue.QueueSerializer<String> ser =
                new org.apache.curator.framework.recipes.queue.QueueSerializer<>() {
                    @Override
                    public byte[] serialize(String item) {
                        return b(item);
                    }

                    @Override
                    public String deserialize(byte[] bytes) {
                        return s(bytes);
                    }
                };
        List<String> consumed = java.util.Collections.synchronizedList(new ArrayList<>());
        org.apache.curator.framework.recipes.queue.QueueConsumer<String> consumer =
                new org.apache.curator.framework.recipes.queue.QueueConsumer<>() {
                    @Override
                    public void consumeMessage(String message) {
                        consumed.add(message);
                    }

                    @Override
                    public void stateChanged(CuratorFramework client, ConnectionState newState) {
                    }
                };
        org.apache.curator.framework.recipes.queue.DistributedQueue<String> cq =
                org.apache.curator.framework.recipes.queue.QueueBuilder.builder(a, consumer, ser, p)
                        .lockPath(r + "/lock").buildQueue();
        track(cq);
        cq.start();
        org.apache.curator.framework.recipes.queue.DistributedQueue<String> pq =
                org.apache.curator.framework.recipes.queue.QueueBuilder.builder(b, null, ser, p).buildQueue();
        track(pq);
        pq.start();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add("msg-" + i);
            pq.put("msg-" + i);
        }
        waitFor("20 messages consumed", 20_000, () -> consumed.size() >= 20);
        eq(sent, new ArrayList<>(consumed), "messages in order, each once");
        waitFor("queue drained", WAIT_MS, () -> {
            try {
                return a.getChildren().forPath(p).isEmpty();
            } catch (Exception e) {
                return false;
            }
        });
    }

    void multiLockAndSemaphoreMutex() throws Exception {
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "multilock");
        List<String> paths = List.of(r + "/l1", r + "/l2");
        org.apache.curator.framework.recipes.locks.InterProcessMultiLock ma =
                new org.apache.curator.framework.recipes.locks.InterProcessMultiLock(a, paths);
        check(ma.acquire(10, TimeUnit.SECONDS), "multi-lock acquired");
        InterProcessMutex l2b = new InterProcessMutex(b, r + "/l2");
        check(!l2b.acquire(300, TimeUnit.MILLISECONDS), "one of the multi-locked paths must be held");
        ma.release();
        check(l2b.acquire(10, TimeUnit.SECONDS), "free after the multi-lock's release");
        l2b.release();

        org.apache.curator.framework.recipes.locks.InterProcessSemaphoreMutex sa =
                new org.apache.curator.framework.recipes.locks.InterProcessSemaphoreMutex(a, r + "/sm");
        org.apache.curator.framework.recipes.locks.InterProcessSemaphoreMutex sb =
                new org.apache.curator.framework.recipes.locks.InterProcessSemaphoreMutex(b, r + "/sm");
        check(sa.acquire(10, TimeUnit.SECONDS), "semaphore mutex acquired");
        check(!sa.acquire(300, TimeUnit.MILLISECONDS), "not re-entrant");
        check(!sb.acquire(300, TimeUnit.MILLISECONDS), "held by a");
        sa.release();
        check(sb.acquire(10, TimeUnit.SECONDS), "b acquires after a released");
        sb.release();
    }

    // ------------------------------------------------------------------ nodes

    void persistentNode() throws Exception {
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "persistentnode");
        String p = r + "/node";
        PersistentNode pn = new PersistentNode(a, CreateMode.EPHEMERAL, false, p, b("hello"));
        track(pn);
        pn.start();
        check(pn.waitForInitialCreate(10, TimeUnit.SECONDS), "initial create");
        eqBytes(b("hello"), b.getData().forPath(p), "data");
        eq(a.getZookeeperClient().getZooKeeper().getSessionId(), b.checkExists().forPath(p).getEphemeralOwner(), "owner");
        // Deleted by someone else: recreated.
        b.delete().forPath(p);
        waitFor("node recreated", WAIT_MS, () -> exists(b, p));
        pn.setData(b("bye"));
        waitFor("data updated", WAIT_MS, () -> "bye".equals(s(getData(b, p))));
        pn.close();
        eq(null, b.checkExists().forPath(p), "node after close");
    }

    void persistentNodeAfterSessionLoss() throws Exception {
        // The session of the node's client is closed by a second handle with the same id/password:
        // Curator sees LOST, makes a new session and the PersistentNode recreates its ephemeral.
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "persistentnodeloss");
        String p = r + "/node";
        LinkedBlockingQueue<ConnectionState> states = new LinkedBlockingQueue<>();
        a.getConnectionStateListenable().addListener((client, st) -> states.add(st));
        PersistentNode pn = new PersistentNode(a, CreateMode.EPHEMERAL, false, p, b("x"));
        track(pn);
        pn.start();
        check(pn.waitForInitialCreate(10, TimeUnit.SECONDS), "initial create");
        ZooKeeper zk = a.getZookeeperClient().getZooKeeper();
        long oldSid = zk.getSessionId();
        Events ev = new Events("dup");
        ZooKeeper dup = new ZooKeeper(connectString, 10_000, ev, oldSid, zk.getSessionPasswd());
        track(dup::close);
        ev.expectState(org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected, WAIT_MS);
        dup.close();
        long deadline = System.currentTimeMillis() + 30_000;
        List<ConnectionState> seen = new ArrayList<>();
        while (!seen.contains(ConnectionState.LOST) || seen.get(seen.size() - 1) != ConnectionState.RECONNECTED) {
            ConnectionState st = states.poll(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            check(st != null, "LOST then RECONNECTED within 30 s; saw " + seen);
            seen.add(st);
        }
        long newSid = a.getZookeeperClient().getZooKeeper().getSessionId();
        check(newSid != oldSid, "a new session after LOST");
        waitFor("ephemeral recreated by the new session", WAIT_MS, () -> {
            try {
                Stat st = b.checkExists().forPath(p);
                return st != null && st.getEphemeralOwner() == newSid;
            } catch (Exception e) {
                return false;
            }
        });
    }

    void persistentTtlNode() throws Exception {
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "ttlnode");
        String p = r + "/node";
        PersistentTtlNode tn = new PersistentTtlNode(a, p, 2_000, b("ttl-data"));
        track(tn::close);
        tn.start();
        check(tn.waitForInitialCreate(10, TimeUnit.SECONDS), "initial create");
        Stat st = b.checkExists().forPath(p);
        check(st != null, "node exists");
        eq(0L, st.getEphemeralOwner(), "ephemeralOwner of the (container) node as clients see it");
        eqBytes(b("ttl-data"), b.getData().forPath(p), "data");
        String touch = p + "/" + PersistentTtlNode.DEFAULT_CHILD_NODE_NAME;
        waitFor("touch child", WAIT_MS, () -> exists(b, touch));
        Stat ts = b.checkExists().forPath(touch);
        eq(0L, ts.getEphemeralOwner(), "ephemeralOwner of the (TTL) touch child as clients see it");
        // The touch node is refreshed (mzxid grows) every ttl/2.
        long mz = ts.getMzxid();
        waitFor("touch refreshed", 10_000, () -> {
            try {
                return b.checkExists().forPath(touch).getMzxid() > mz;
            } catch (Exception e) {
                return false;
            }
        });
        tn.setData(b("new"));
        waitFor("data updated", WAIT_MS, () -> "new".equals(s(getData(b, p))));
    }

    void persistentTtlNodeGoneAfterClose() throws Exception {
        // Needs the server's container/TTL reaper (-Dznode.container.checkIntervalMs=1000).
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "ttlnodeclose");
        String p = r + "/node";
        PersistentTtlNode tn = new PersistentTtlNode(a, p, 1_000, b("d"));
        tn.start();
        check(tn.waitForInitialCreate(10, TimeUnit.SECONDS), "initial create");
        waitFor("touch child", WAIT_MS, () -> exists(b, p + "/" + PersistentTtlNode.DEFAULT_CHILD_NODE_NAME));
        try {
            tn.close();
        } catch (RuntimeException e) {
            // close() cannot delete the container while its TTL child exists; the reaper does it.
        }
        waitFor("TTL child and container reaped after close", 20_000, () -> !exists(b, p));
    }

    void serviceDiscovery() throws Exception {
        CuratorFramework a = curator(), b = curator();
        String r = root(a, "discovery");
        ServiceDiscovery<String> sa = ServiceDiscoveryBuilder.builder(String.class).client(a).basePath(r).build();
        track(sa);
        sa.start();
        ServiceInstance<String> i1 = ServiceInstance.<String>builder().name("svc").address("127.0.0.1").port(1111)
                .payload("one").build();
        sa.registerService(i1);

        ServiceDiscovery<String> sb = ServiceDiscoveryBuilder.builder(String.class).client(b).basePath(r).build();
        track(sb);
        sb.start();
        eq(List.of("svc"), new ArrayList<>(sb.queryForNames()), "service names");
        Collection<ServiceInstance<String>> found = sb.queryForInstances("svc");
        eq(1, found.size(), "instances");
        ServiceInstance<String> f = found.iterator().next();
        eq(i1.getId(), f.getId(), "instance id");
        eq(1111, f.getPort(), "port");
        eq("one", f.getPayload(), "payload");
        eq(i1.getId(), sb.queryForInstance("svc", i1.getId()).getId(), "queryForInstance");

        ServiceCache<String> cache = sb.serviceCacheBuilder().name("svc").build();
        track(cache);
        AtomicInteger changes = new AtomicInteger();
        cache.addListener(new ServiceCacheListener() {
            @Override
            public void cacheChanged() {
                changes.incrementAndGet();
            }

            @Override
            public void stateChanged(CuratorFramework client, ConnectionState newState) {
            }
        });
        cache.start();
        eq(1, cache.getInstances().size(), "cache after start");
        ServiceInstance<String> i2 = ServiceInstance.<String>builder().name("svc").address("127.0.0.1").port(2222)
                .payload("two").build();
        sa.registerService(i2);
        waitFor("cache sees the second instance", WAIT_MS, () -> cache.getInstances().size() == 2);
        waitFor("cacheChanged called", WAIT_MS, () -> changes.get() >= 1);
        sa.unregisterService(i1);
        waitFor("cache drops the unregistered instance", WAIT_MS, () -> cache.getInstances().size() == 1);
        eq(2222, cache.getInstances().get(0).getPort(), "remaining instance");
        eq(Long.valueOf(a.getZookeeperClient().getZooKeeper().getSessionId()),
                Long.valueOf(b.checkExists().forPath(r + "/svc/" + i2.getId()).getEphemeralOwner()),
                "instances are ephemeral nodes of the registering session");
        // The registering client goes away: its instances go with its session.
        a.close();
        waitFor("instances gone with the session", WAIT_MS, () -> cache.getInstances().isEmpty());
        eq(0, sb.queryForInstances("svc").size(), "instances after the session closed");
    }

    static boolean exists(CuratorFramework cf, String p) {
        try {
            return cf.checkExists().forPath(p) != null;
        } catch (Exception e) {
            return false;
        }
    }

    static byte[] getData(CuratorFramework cf, String p) {
        try {
            return cf.getData().forPath(p);
        } catch (Exception e) {
            return null;
        }
    }
}
