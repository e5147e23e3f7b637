// Test runner and helpers for the Java client / Curator compatibility suite (see ../run.sh).
//
// Usage: java CompatMain <host:port> [test name ...]
// System properties: compat.testTimeoutS (per-test timeout), compat.ctl and compat.work (how to
// restart the server under test: `<compat.ctl> --ctl <compat.work> restart`), compat.server (label).
//
// Each test is a method; it runs in its own thread with a timeout. Anything a test opens through
// track() is closed after it, pass or fail. Output: one PASS/FAIL line per test and a final
// `N passed, M failed` line; the exit status is 1 when anything failed.

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZKUtil;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooKeeper;

public class CompatMain {
    static String connectString;
    static final long WAIT_MS = 15_000;          // default deadline for an expected event/condition
    static final int SESSION_TIMEOUT_MS = 30_000;

    interface Body { void run() throws Exception; }
    record Test(String name, Body body) {}

    // ------------------------------------------------------------------ runner

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: CompatMain <host:port> [test ...]");
            System.exit(2);
        }
        connectString = args[0];
        long timeoutS = Long.getLong("compat.testTimeoutS", 60);
        List<Test> all = new ArrayList<>();
        all.addAll(ZkApiTests.tests());
        all.addAll(CuratorTests.tests());
        List<String> only = Arrays.asList(args).subList(1, args.length);
        List<Test> tests = new ArrayList<>();
        for (Test t : all) if (only.isEmpty() || only.contains(t.name())) tests.add(t);
        for (String n : only) {
            if (all.stream().noneMatch(t -> t.name().equals(n))) {
                System.err.println("unknown test: " + n);
                System.exit(2);
            }
        }

        int passed = 0, failed = 0;
        List<String> failures = new ArrayList<>();
        String version = "?";
        try {
            version = fourLetterWord("srvr").lines().findFirst().orElse("?");
        } catch (Exception e) {
            version = "srvr failed: " + e;
        }
        System.out.println("running " + tests.size() + " tests against " + System.getProperty("compat.server", "?")
                + " at " + connectString + " (" + version + ")");
        for (Test t : tests) {
            String err = runOne(t, timeoutS);
            if (err == null) {
                passed++;
            } else {
                failed++;
                failures.add(t.name());
            }
        }
        if (!failures.isEmpty()) System.out.println("failed: " + String.join(" ", failures));
        System.out.println(passed + " passed, " + failed + " failed");
        System.out.flush();
        System.exit(failed == 0 ? 0 : 1);
    }

    static final List<AutoCloseable> resources = Collections.synchronizedList(new ArrayList<>());

    static String runOne(Test t, long timeoutS) {
        resources.clear();
        final Throwable[] thrown = new Throwable[1];
        Thread th = new Thread(() -> {
            try {
                t.body().run();
            } catch (Throwable e) {
                thrown[0] = e;
            }
        }, "test-" + t.name());
        th.setDaemon(true);
        long t0 = System.nanoTime();
        th.start();
        String err = null;
        try {
            th.join(timeoutS * 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (th.isAlive()) {
            StringBuilder sb = new StringBuilder("timed out after " + timeoutS + "s; test thread stack:");
            for (StackTraceElement el : th.getStackTrace()) sb.append("\n        at ").append(el);
            err = sb.toString();
            th.interrupt();
        } else if (thrown[0] != null) {
            err = describe(thrown[0]);
        }
        closeAll();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (err == null) {
            System.out.printf("PASS %s (%d ms)%n", t.name(), ms);
        } else {
            System.out.printf("FAIL %s (%d ms): %s%n", t.name(), ms, err);
        }
        System.out.flush();
        return err;
    }

    static String describe(Throwable e) {
        StringWriter sw = new StringWriter();
        e.printStackTrace(new PrintWriter(sw));
        // Keep the message and the frames inside the tests; drop the library noise.
        StringBuilder sb = new StringBuilder();
        String[] lines = sw.toString().split("\n");
        int kept = 0;
        for (String l : lines) {
            boolean frame = l.trim().startsWith("at ");
            boolean ours = l.contains("ZkApiTests") || l.contains("CuratorTests") || l.contains("CompatMain");
            if (!frame || (ours && kept < 6)) {
                if (sb.length() > 0) sb.append("\n    ");
                sb.append(l.trim());
                if (frame) kept++;
            }
        }
        return sb.toString();
    }

    /** Closes (in reverse order) everything the test registered, each with a time bound. */
    static void closeAll() {
        List<AutoCloseable> rs;
        synchronized (resources) {
            rs = new ArrayList<>(resources);
            resources.clear();
        }
        Collections.reverse(rs);
        for (AutoCloseable r : rs) {
            Thread c = new Thread(() -> {
                try {
                    r.close();
                } catch (Throwable ignored) {
                    // best effort
                }
            }, "closer");
            c.setDaemon(true);
            c.start();
            try {
                c.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static <T extends AutoCloseable> T track(T r) {
        resources.add(r);
        return r;
    }

    // ------------------------------------------------------------------ assertions

    static void fail(String msg) {
        throw new AssertionError(msg);
    }

    static void check(boolean cond, String msg) {
        if (!cond) throw new AssertionError(msg);
    }

    static void eq(Object expected, Object actual, String what) {
        if (!Objects.equals(expected, actual)) {
            throw new AssertionError(what + ": expected <" + expected + "> but got <" + actual + ">");
        }
    }

    static void eqBytes(byte[] expected, byte[] actual, String what) {
        if (!Arrays.equals(expected, actual)) {
            throw new AssertionError(what + ": expected " + show(expected) + " but got " + show(actual));
        }
    }

    static String show(byte[] b) {
        if (b == null) return "null";
        if (b.length > 64) return "<" + b.length + " bytes>";
        return "\"" + new String(b, StandardCharsets.UTF_8) + "\"";
    }

    /** Runs body, which must fail with a KeeperException of the given code; returns it. */
    static KeeperException expectCode(KeeperException.Code code, String what, Body body) throws Exception {
        try {
            body.run();
        } catch (KeeperException e) {
            if (e.code() != code) {
                throw new AssertionError(what + ": expected KeeperException " + code + " but got " + e.code()
                        + " (" + e.getMessage() + ")", e);
            }
            return e;
        }
        throw new AssertionError(what + ": expected KeeperException " + code + " but the call succeeded");
    }

    /** Waits (polling every 20 ms) until cond holds; fails after timeoutMs. */
    static void waitFor(String what, long timeoutMs, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out after " + timeoutMs + " ms waiting for " + what);
            Thread.sleep(20);
        }
    }

    static void await(CountDownLatch l, String what) throws InterruptedException {
        if (!l.await(WAIT_MS, TimeUnit.MILLISECONDS)) fail("timed out after " + WAIT_MS + " ms waiting for " + what);
    }

    static byte[] b(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ ZooKeeper helpers

    /** A watcher that queues node events and connection states separately. */
    static final class Events implements Watcher {
        final LinkedBlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<KeeperState> states = new LinkedBlockingQueue<>();
        final String name;

        Events(String name) {
            this.name = name;
        }

        @Override
        public void process(WatchedEvent e) {
            if (e.getType() == EventType.None) {
                states.add(e.getState());
            } else {
                events.add(e);
            }
        }

        WatchedEvent next(long timeoutMs) throws InterruptedException {
            return events.poll(timeoutMs, TimeUnit.MILLISECONDS);
        }

        /** The next node event must be (type, path) and arrive within the deadline. */
        void expect(EventType type, String path) throws InterruptedException {
            WatchedEvent e = next(WAIT_MS);
            if (e == null) fail(name + ": no event within " + WAIT_MS + " ms; expected " + type + " " + path);
            if (e.getType() != type || !path.equals(e.getPath())) {
                fail(name + ": expected event " + type + " " + path + " but got " + e.getType() + " " + e.getPath());
            }
        }

        /** Waits for the given connection state, skipping others. */
        void expectState(KeeperState want, long timeoutMs) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutMs * 1_000_000;
            List<KeeperState> seen = new ArrayList<>();
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                KeeperState st = left > 0 ? states.poll(left, TimeUnit.MILLISECONDS) : null;
                if (st == null) fail(name + ": state " + want + " not reached within " + timeoutMs + " ms; saw " + seen);
                seen.add(st);
                if (st == want) return;
            }
        }

        /**
         * Asserts that no node event is pending for this watcher: sets an exists watch (with this
         * watcher) on a fresh node under barrierDir and creates it; the server delivers events to a
         * session in order, so the next event must be that NodeCreated.
         */
        void assertQuiet(ZooKeeper zk, String barrierDir) throws Exception {
            String p = barrierDir + "/barrier-" + BARRIER.incrementAndGet();
            check(zk.exists(p, this) == null, "barrier node " + p + " already exists");
            zk.create(p, null, Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            WatchedEvent e = next(WAIT_MS);
            if (e == null) fail(name + ": barrier event for " + p + " not delivered within " + WAIT_MS + " ms");
            if (e.getType() != EventType.NodeCreated || !p.equals(e.getPath())) {
                fail(name + ": unexpected event " + e.getType() + " " + e.getPath() + " (expected no event before the barrier)");
            }
        }
    }

    static final AtomicInteger BARRIER = new AtomicInteger();

    /** Connects a tracked client (closed after the test) and waits for SyncConnected. */
    static ZooKeeper connect(Events ev) throws Exception {
        return connect(ev, SESSION_TIMEOUT_MS);
    }

    static ZooKeeper connect(Events ev, int sessionTimeoutMs) throws Exception {
        ZooKeeper zk = new ZooKeeper(connectString, sessionTimeoutMs, ev);
        track(zk::close);
        ev.expectState(KeeperState.SyncConnected, WAIT_MS);
        return zk;
    }

    static ZooKeeper connect() throws Exception {
        return connect(new Events("default"));
    }

    static String mk(ZooKeeper zk, String path, String data) throws Exception {
        return zk.create(path, b(data), Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    /** A fresh (empty) persistent node at path, for a test's own use. */
    static void freshRoot(ZooKeeper zk, String path) throws Exception {
        if (zk.exists(path, false) != null) ZKUtil.deleteRecursive(zk, path);
        mk(zk, path, null);
    }

    static CuratorFramework curator() throws Exception {
        CuratorFramework cf = CuratorFrameworkFactory.newClient(connectString, 20_000, 10_000, new RetryNTimes(30, 200));
        track(cf::close);
        cf.start();
        check(cf.blockUntilConnected((int) (WAIT_MS / 1000), TimeUnit.SECONDS), "Curator client did not connect");
        return cf;
    }

    /**
     * A TCP proxy in front of the server, on 127.0.0.1 and a port of its own, so a test can cut a
     * client off (pause: open connections are closed, new ones are closed on accept) and let it
     * back (resume) while the server keeps running.
     */
    static final class TcpProxy implements AutoCloseable {
        final java.net.ServerSocket listener;
        final int port;
        volatile boolean paused;
        final List<java.net.Socket> open = Collections.synchronizedList(new ArrayList<>());

        TcpProxy() throws Exception {
            listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
            port = listener.getLocalPort();
            String[] hp = connectString.split(":");
            String host = hp[0];
            int target = Integer.parseInt(hp[1]);
            Thread acceptor = new Thread(() -> {
                while (!listener.isClosed()) {
                    try {
                        java.net.Socket c = listener.accept();
                        if (paused) {
                            c.close();
                            continue;
                        }
                        java.net.Socket s = new java.net.Socket(host, target);
                        open.add(c);
                        open.add(s);
                        pump(c, s);
                        pump(s, c);
                    } catch (Exception e) {
                        // listener closed, or the server refused: the client sees a closed socket
                    }
                }
            }, "proxy-accept-" + port);
            acceptor.setDaemon(true);
            acceptor.start();
        }

        static void pump(java.net.Socket from, java.net.Socket to) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[65536];
                try {
                    java.io.InputStream in = from.getInputStream();
                    java.io.OutputStream out = to.getOutputStream();
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (Exception ignored) {
                    // either side closed
                } finally {
                    try {
                        from.close();
                    } catch (Exception ignored) {
                    }
                    try {
                        to.close();
                    } catch (Exception ignored) {
                    }
                }
            }, "proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        String connectString() {
            return "127.0.0.1:" + port;
        }

        /** Cuts every proxied connection and refuses new ones until resume(). */
        void pause() {
            paused = true;
            synchronized (open) {
                for (java.net.Socket s : open) {
                    try {
                        s.close();
                    } catch (Exception ignored) {
                    }
                }
                open.clear();
            }
        }

        void resume() {
            paused = false;
        }

        @Override
        public void close() throws Exception {
            pause();
            listener.close();
        }
    }

    /** Connects a tracked client through a proxy and waits for SyncConnected. */
    static ZooKeeper connectVia(TcpProxy proxy, Events ev, int sessionTimeoutMs) throws Exception {
        ZooKeeper zk = new ZooKeeper(proxy.connectString(), sessionTimeoutMs, ev);
        track(zk::close);
        ev.expectState(KeeperState.SyncConnected, WAIT_MS);
        return zk;
    }

    /** Sends a four-letter word to the server under test and returns its answer. */
    static String fourLetterWord(String cmd) throws Exception {
        String[] hp = connectString.split(":");
        try (java.net.Socket sock = new java.net.Socket()) {
            sock.connect(new java.net.InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 5_000);
            sock.setSoTimeout(5_000);
            sock.getOutputStream().write(cmd.getBytes(StandardCharsets.US_ASCII));
            sock.getOutputStream().flush();
            return new String(sock.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The ZooKeeper version the server reports in `srvr` ("3.8.0-..." gives {3, 8, 0}). */
    static int[] serverVersion() throws Exception {
        String srvr = fourLetterWord("srvr");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Zookeeper version: (\\d+)\\.(\\d+)\\.(\\d+)").matcher(srvr);
        check(m.find(), "no version in srvr output: " + srvr);
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
    }

    static boolean serverAtLeast(int major, int minor, int patch) throws Exception {
        int[] v = serverVersion();
        return Arrays.compare(v, new int[] {major, minor, patch}) >= 0;
    }

    /** Restarts the server under test (same port, same dataDir) through run.sh --ctl. */
    static void restartServer() throws Exception {
        String ctl = System.getProperty("compat.ctl");
        String work = System.getProperty("compat.work");
        check(ctl != null && work != null, "compat.ctl / compat.work not set (run through run.sh)");
        ProcessBuilder pb = new ProcessBuilder(ctl, "--ctl", work, "restart");
        File out = new File(work, "ctl.log");
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(out));
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroy();
            fail("server restart did not finish within 120 s (see " + out + ")");
        }
        eq(0, p.exitValue(), "exit status of the server restart (see " + out + ")");
    }
}
