//! Fast leader election against real Java ZooKeeper 3.8 peers: two Java servers (Debian's 3.8.0
//! `QuorumPeerMain`) plus rzk's election port (`net::election`) as the third member, all on 127.0.0.1
//! with ports picked by the test.
//!
//! * `rzk_with_the_best_vote_is_elected_by_two_looking_java_peers`: both Java peers are LOOKING and
//!   cannot reach each other (each one's config points the other's election port at a closed port), so
//!   every vote must go through rzk. rzk has the best vote: it must LEAD, and each Java peer must follow it
//!   — seen in their notifications and in the FOLLOWERINFO each one then sends to rzk's quorum port (the
//!   test listens there; nothing answers, so Java gives up after initLimit, which is fine).
//! * `a_java_peer_with_newer_history_wins_over_rzk`: Java server 2 has a data dir with epoch 1 (from the
//!   golden capture), server 1 is down. rzk (highest sid, empty history) must adopt 2's vote and follow it,
//!   and Java 2 must lead with rzk's support.
//! * `rzk_joins_an_established_java_ensemble`: Java 1 and 2 elect and sync first (2 leads); rzk then
//!   starts with a better vote than either and must still learn the existing leader from their
//!   FOLLOWING/LEADING answers.
//!
//! Java's decisions are observed three ways: the notifications rzk receives, a *probe* (the test connects
//! to a Java election port as a non-voting sid and sends a LOOKING vote; Java answers a non-voter at once
//! with its current vote and state — `FastLeaderElection.WorkerReceiver`), and `srvr`'s `Mode:` line once
//! a Java ensemble really serves. A Java peer that decided to follow rzk, or leads with rzk as its only
//! supporter, gives up after initLimit (rzk does not speak ZAB yet), so probes happen right after rzk
//! decides and initLimit is long enough for that.
//!
//! Java processes are started with their own data dirs and stopped by PID (kill + wait) when the test ends,
//! also on failure. Every wait has a deadline. Without Java (`/usr/share/java/zookeeper.jar` and `java`)
//! the tests print why and pass, unless `RZK_REQUIRE_JAVA=1`.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jute::quorum::{LearnerInfo, Notification};
use jute::{Jute, PacketType, ServerState};
use rzk::config::HostPort;
use rzk::net::election::{ElectionNetConfig, ElectionService, Received};
use rzk::zab::election::decode_notification;
use rzk::zab::{Elected, Election, ElectionConfig, QuorumVerifier};
use tokio::net::TcpListener;
use tokio::sync::broadcast;

const ZK_JAR: &str = "/usr/share/java/zookeeper.jar";
const DEADLINE: Duration = Duration::from_secs(60);
const TICK_MS: u32 = 200;
/// initLimit in ticks: 2 s, so that a Java peer stuck following (or leading for) rzk gives up soon;
/// long enough to probe it first.
const INIT_LIMIT: u32 = 10;

/// One scenario at a time: each starts two JVMs.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn java_available() -> bool {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RZK_LOG").unwrap_or_else(|_| "rzk=debug".into()),
        )
        .with_test_writer()
        .try_init();
    let ok = Path::new(ZK_JAR).exists()
        && Command::new("java")
            .arg("-version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var_os("RZK_REQUIRE_JAVA").is_some() {
            panic!("Java ZooKeeper is required (RZK_REQUIRE_JAVA) but {ZK_JAR} or java is missing");
        }
        eprintln!("skipping: Java ZooKeeper 3.8 ({ZK_JAR}) or java not installed");
    }
    ok
}

/// `n` distinct free ports (all bound at once, then released, so that none repeats).
fn free_ports(n: usize) -> Vec<u16> {
    let held: Vec<std::net::TcpListener> = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}")))
        .collect();
    held.iter()
        .map(|l| l.local_addr().unwrap_or_else(|e| panic!("{e}")).port())
        .collect()
}

/// A scratch directory, removed at the end unless `RZK_KEEP=1`.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("rzk-election-java-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::env::var_os("RZK_KEEP").is_none() && !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        } else {
            eprintln!("kept {}", self.0.display());
        }
    }
}

/// Ports of one member.
#[derive(Clone, Copy)]
struct Ports {
    client: u16,
    quorum: u16,
    election: u16,
}

/// A Java `QuorumPeerMain`, killed (by PID) and reaped on drop.
struct JavaServer {
    sid: i64,
    child: Child,
    client_port: u16,
    log: PathBuf,
}

impl JavaServer {
    /// Starts server `sid` whose `server.N` lines are `servers`; `seed` is copied into its data dir.
    fn start(
        dir: &Path,
        sid: i64,
        client_port: u16,
        servers: &BTreeMap<i64, (u16, u16)>,
        seed: Option<&Path>,
    ) -> Self {
        let data = dir.join(format!("data{sid}"));
        std::fs::create_dir_all(data.join("version-2")).unwrap_or_else(|e| panic!("{e}"));
        if let Some(seed) = seed {
            for f in std::fs::read_dir(seed)
                .unwrap_or_else(|e| panic!("{}: {e}", seed.display()))
                .flatten()
            {
                std::fs::copy(f.path(), data.join("version-2").join(f.file_name()))
                    .unwrap_or_else(|e| panic!("{e}"));
            }
        }
        std::fs::write(data.join("myid"), format!("{sid}\n")).unwrap_or_else(|e| panic!("{e}"));
        let mut cfg = format!(
            "tickTime={TICK_MS}\ninitLimit={INIT_LIMIT}\nsyncLimit=5\ndataDir={}\nclientPort={client_port}\n\
             clientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=*\n",
            data.display()
        );
        for (s, (q, e)) in servers {
            cfg.push_str(&format!("server.{s}=127.0.0.1:{q}:{e}\n"));
        }
        let cfg_path = dir.join(format!("zoo{sid}.cfg"));
        std::fs::write(&cfg_path, cfg).unwrap_or_else(|e| panic!("{e}"));
        let log = dir.join(format!("java{sid}.log"));
        let out = std::fs::File::create(&log).unwrap_or_else(|e| panic!("{e}"));
        let err = out.try_clone().unwrap_or_else(|e| panic!("{e}"));
        let mut cp = format!("/etc/zookeeper/conf:{ZK_JAR}:/usr/share/java/netty-codec.jar");
        if Path::new("/usr/share/java/slf4j-simple.jar").exists() {
            cp.push_str(":/usr/share/java/slf4j-simple.jar");
        }
        let child = Command::new("java")
            .args([
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-cp",
                &cp,
                "org.apache.zookeeper.server.quorum.QuorumPeerMain",
            ])
            .arg(&cfg_path)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("java: {e}"));
        JavaServer {
            sid,
            child,
            client_port,
            log,
        }
    }

    /// The `srvr` answer, if the client port answers.
    fn srvr(&self) -> Option<String> {
        let addr: SocketAddr = ([127, 0, 0, 1], self.client_port).into();
        let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        s.write_all(b"srvr").ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        Some(out)
    }

    /// `leader` / `follower` from `srvr`'s `Mode:` line (None while LOOKING or not serving).
    fn mode(&self) -> Option<String> {
        let out = self.srvr()?;
        out.lines()
            .find_map(|l| l.strip_prefix("Mode: "))
            .map(|m| m.trim().to_string())
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.contains("Processing srvr command"))
            .collect();
        let from = lines.len().saturating_sub(40);
        format!(
            "---- java server {} log (tail) ----\n{}",
            self.sid,
            lines[from..].join("\n")
        )
    }
}

impl Drop for JavaServer {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("{}", self.log_tail());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `f` every 100 ms until it returns Some, or panics with `what` at the deadline.
async fn wait_for<T>(what: &str, deadline: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let end = Instant::now() + deadline;
    loop {
        if let Some(v) = f() {
            return v;
        }
        if Instant::now() > end {
            panic!("timed out after {deadline:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the Java peer runs and answers that it is not serving (it is in leader election).
async fn wait_looking(j: &JavaServer) {
    wait_for(&format!("java {} to start looking", j.sid), DEADLINE, || {
        j.srvr()
            .filter(|s| s.contains("not currently serving"))
            .map(|_| ())
    })
    .await;
}

fn config_string(servers: &BTreeMap<i64, (u16, u16)>) -> String {
    let mut s = String::new();
    for (sid, (q, e)) in servers {
        s.push_str(&format!("server.{sid}=127.0.0.1:{q}:{e}:participant\n"));
    }
    s.push_str("version=0");
    s
}

/// rzk as server 3 with the true ports of everyone.
fn start_rzk(
    listener: TcpListener,
    servers: &BTreeMap<i64, (u16, u16)>,
    zxid: i64,
    epoch: i64,
) -> ElectionService {
    let qv =
        QuorumVerifier::from_config_string(&config_string(servers), false).unwrap_or_else(|e| panic!("{e}"));
    let election = Election::new(ElectionConfig::new(3, qv), zxid, epoch);
    let addr = |sid: i64| vec![HostPort::new("127.0.0.1", servers[&sid].1)];
    let net = ElectionNetConfig {
        my_sid: 3,
        my_addrs: addr(3),
        peers: [(1, addr(1)), (2, addr(2))].into_iter().collect(),
        connect_timeout: Duration::from_secs(5),
        handshake_timeout: Duration::from_millis(u64::from(TICK_MS) * 5),
        multi_address: false,
    };
    ElectionService::start(listener, net, election)
}

async fn rzk_decision(rzk: &mut ElectionService) -> Elected {
    match tokio::time::timeout(DEADLINE, rzk.elect()).await {
        Ok(Ok(d)) => d,
        other => panic!("rzk did not decide: {other:?}"),
    }
}

/// Collects what rzk heard until `done` holds for the per-sender last notifications, or the deadline.
async fn heard_until(
    sub: &mut broadcast::Receiver<Received>,
    seen: &mut BTreeMap<i64, Vec<Notification>>,
    what: &str,
    done: impl Fn(&BTreeMap<i64, Vec<Notification>>) -> bool,
) {
    let end = tokio::time::Instant::now() + DEADLINE;
    while !done(seen) {
        match tokio::time::timeout_at(end, sub.recv()).await {
            Ok(Ok(r)) => seen.entry(r.from).or_default().push(r.notification),
            Ok(Err(broadcast::error::RecvError::Lagged(_))) => {}
            Ok(Err(e)) => panic!("{what}: {e}"),
            Err(_) => panic!("timed out waiting for {what}; heard {seen:#?}"),
        }
    }
}

/// Probes until the peer is no longer LOOKING (it decides up to finalizeWait after rzk does).
async fn decided_vote(election_port: u16) -> Notification {
    let end = Instant::now() + Duration::from_secs(5);
    loop {
        let n = probe(election_port).await;
        if n.state != ServerState::Looking || Instant::now() > end {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Asks a Java peer for its current vote as a non-voting sid (99, larger than every member, so Java keeps
/// the link): Java answers a non-voter at once with (state, current vote).
async fn probe(election_port: u16) -> Notification {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", election_port))
        .await
        .unwrap_or_else(|e| panic!("probe connect {election_port}: {e}"));
    let addr = b"127.0.0.1:1";
    let mut hello = Vec::new();
    hello.extend_from_slice(&(-65536i64).to_be_bytes());
    hello.extend_from_slice(&99i64.to_be_bytes());
    hello.extend_from_slice(&(addr.len() as i32).to_be_bytes());
    hello.extend_from_slice(addr);
    // A 40-byte LOOKING vote (peer epoch, no config).
    let vote = Notification {
        state: ServerState::Looking,
        leader: 99,
        zxid: 0,
        election_epoch: 1,
        peer_epoch: Some(0),
        version: Some(0),
        config: None,
    }
    .to_bytes();
    hello.extend_from_slice(&(vote.len() as i32).to_be_bytes());
    hello.extend_from_slice(&vote);
    s.write_all(&hello)
        .await
        .unwrap_or_else(|e| panic!("probe write: {e}"));
    let reply = tokio::time::timeout(Duration::from_secs(10), async {
        let len = s.read_i32().await.ok()?;
        if !(1..=512 * 1024).contains(&len) {
            return None;
        }
        let mut body = vec![0u8; len as usize];
        s.read_exact(&mut body).await.ok()?;
        decode_notification(&body)
    })
    .await;
    match reply {
        Ok(Some(n)) => n,
        other => panic!("no answer to the probe on {election_port}: {other:?}"),
    }
}

fn voted(seen: &BTreeMap<i64, Vec<Notification>>, from: i64, state: ServerState, leader: i64) -> bool {
    seen.get(&from)
        .is_some_and(|v| v.iter().any(|n| n.state == state && n.leader == leader))
}

/// Reads the first quorum packet of a learner connection: (type, zxid, LearnerInfo).
fn read_learner_hello(s: &mut TcpStream) -> (PacketType, i64, LearnerInfo) {
    s.set_read_timeout(Some(DEADLINE))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut head = [0u8; 16];
    s.read_exact(&mut head)
        .unwrap_or_else(|e| panic!("learner packet: {e}"));
    let ty = PacketType::from_raw(i32::from_be_bytes([head[0], head[1], head[2], head[3]]));
    let zxid = i64::from_be_bytes(head[4..12].try_into().unwrap_or([0; 8]));
    let len = i32::from_be_bytes([head[12], head[13], head[14], head[15]]);
    assert!((0..=1024).contains(&len), "LearnerInfo length {len}");
    let mut data = vec![0u8; len as usize];
    s.read_exact(&mut data).unwrap_or_else(|e| panic!("{e}"));
    let info = LearnerInfo::from_bytes(data.into()).unwrap_or_else(|e| panic!("LearnerInfo: {e}"));
    (ty, zxid, info)
}

struct Topology {
    ports: BTreeMap<i64, Ports>,
    /// Java 1 and 2 each see the other's election port as this closed port.
    dead: u16,
}

impl Topology {
    fn new() -> Topology {
        let p = free_ports(10);
        let mut ports = BTreeMap::new();
        for sid in 1..=3i64 {
            let i = (sid as usize - 1) * 3;
            ports.insert(
                sid,
                Ports {
                    client: p[i],
                    quorum: p[i + 1],
                    election: p[i + 2],
                },
            );
        }
        Topology { ports, dead: p[9] }
    }

    fn truth(&self) -> BTreeMap<i64, (u16, u16)> {
        self.ports
            .iter()
            .map(|(s, p)| (*s, (p.quorum, p.election)))
            .collect()
    }

    /// Server `sid`'s view, with the other Java server's election port closed when `separated`.
    fn view_of(&self, sid: i64, separated: bool) -> BTreeMap<i64, (u16, u16)> {
        let mut v = self.truth();
        if separated {
            let other = if sid == 1 { 2 } else { 1 };
            if let Some(e) = v.get_mut(&other) {
                e.1 = self.dead;
            }
        }
        v
    }
}

async fn bind(port: u16) -> TcpListener {
    TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap_or_else(|e| panic!("bind {port}: {e}"))
}

#[tokio::test]
async fn rzk_with_the_best_vote_is_elected_by_two_looking_java_peers() {
    if !java_available() {
        return;
    }
    let _serial = SERIAL.lock().await;
    let dir = Scratch::new("a");
    let t = Topology::new();
    let rzk_election = bind(t.ports[&3].election).await;
    let rzk_quorum =
        std::net::TcpListener::bind(("127.0.0.1", t.ports[&3].quorum)).unwrap_or_else(|e| panic!("{e}"));
    let j1 = JavaServer::start(&dir.0, 1, t.ports[&1].client, &t.view_of(1, true), None);
    let j2 = JavaServer::start(&dir.0, 2, t.ports[&2].client, &t.view_of(2, true), None);
    wait_looking(&j1).await;
    wait_looking(&j2).await;

    // rzk: zxid 0x100000005, epoch 1 — better than the empty Java peers.
    let started = Instant::now();
    let mut rzk = start_rzk(rzk_election, &t.truth(), 0x1_0000_0005, 1);
    let mut sub = rzk.subscribe();
    let d = rzk_decision(&mut rzk).await;
    assert_eq!((d.leader, d.state), (3, ServerState::Leading), "{d:?}");
    assert_eq!((d.zxid, d.peer_epoch), (0x1_0000_0005, 1));

    // Both Java peers adopted rzk's vote (they could only learn it from rzk).
    let mut seen = BTreeMap::new();
    heard_until(&mut sub, &mut seen, "both Java peers voting for 3", |s| {
        [1, 2]
            .iter()
            .all(|j| voted(s, *j, ServerState::Looking, 3) || voted(s, *j, ServerState::Following, 3))
    })
    .await;
    println!(
        "rzk led after {:?}; heard {:?}",
        started.elapsed(),
        seen.keys().collect::<Vec<_>>()
    );
    // Each Java peer says it is FOLLOWING 3 (until initLimit runs out).
    for sid in [1, 2] {
        let n = decided_vote(t.ports[&sid].election).await;
        assert_eq!(
            (n.state, n.leader),
            (ServerState::Following, 3),
            "java {sid}: {n:?}"
        );
    }

    // And both decided to follow rzk: each connects to rzk's quorum port with FOLLOWERINFO.
    let mut followers = Vec::new();
    let deadline = Instant::now() + DEADLINE;
    rzk_quorum.set_nonblocking(true).unwrap_or_else(|e| panic!("{e}"));
    while followers.len() < 2 {
        match rzk_quorum.accept() {
            Ok((mut s, _)) => {
                s.set_nonblocking(false).unwrap_or_else(|e| panic!("{e}"));
                let (ty, zxid, info) = read_learner_hello(&mut s);
                assert_eq!(ty, PacketType::FollowerInfo);
                assert_eq!(zxid, 0, "acceptedEpoch 0 << 32");
                assert_eq!(info.protocol_version, Some(0x10000));
                if !followers.contains(&info.server_id) {
                    followers.push(info.server_id);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                assert!(
                    Instant::now() < deadline,
                    "Java peers never followed rzk: {followers:?}"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("{e}"),
        }
    }
    followers.sort_unstable();
    assert_eq!(followers, vec![1, 2]);
    rzk.shutdown().await;
    drop((j1, j2));
}

#[tokio::test]
async fn a_java_peer_with_newer_history_wins_over_rzk() {
    if !java_available() {
        return;
    }
    let _serial = SERIAL.lock().await;
    let dir = Scratch::new("b");
    let t = Topology::new();
    let rzk_election = bind(t.ports[&3].election).await;
    let seed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("compat-tests/golden/fixtures/quorum/datadir-leader2/version-2");
    // Server 1 stays down: every quorum is {2, 3}, so 2's vote is always in it (no race).
    let j2 = JavaServer::start(&dir.0, 2, t.ports[&2].client, &t.view_of(2, false), Some(&seed));
    wait_looking(&j2).await;

    // rzk has the highest sid but an empty history: server 2 (epoch 1) must win.
    let mut rzk = start_rzk(rzk_election, &t.truth(), 0, 0);
    let mut sub = rzk.subscribe();
    let d = rzk_decision(&mut rzk).await;
    assert_eq!((d.leader, d.state), (2, ServerState::Following), "{d:?}");
    assert_eq!(d.peer_epoch, 1);
    assert_eq!(
        d.zxid >> 32,
        1,
        "server 2's zxid from the golden data dir: {:#x}",
        d.zxid
    );
    // Java 2 leads, with rzk's vote as its quorum.
    let n = decided_vote(t.ports[&2].election).await;
    assert_eq!((n.state, n.leader), (ServerState::Leading, 2), "{n:?}");
    assert_eq!(n.zxid, d.zxid);
    let mut seen = BTreeMap::new();
    heard_until(&mut sub, &mut seen, "2's vote with its config", |s| {
        s.get(&2).is_some_and(|v| {
            v.iter()
                .any(|n| n.leader == 2 && n.version == Some(2) && n.config.is_some())
        })
    })
    .await;
    rzk.shutdown().await;
    drop(j2);
}

#[tokio::test]
async fn rzk_joins_an_established_java_ensemble() {
    if !java_available() {
        return;
    }
    let _serial = SERIAL.lock().await;
    let dir = Scratch::new("c");
    let t = Topology::new();
    let rzk_election = bind(t.ports[&3].election).await;
    let j1 = JavaServer::start(&dir.0, 1, t.ports[&1].client, &t.view_of(1, false), None);
    let j2 = JavaServer::start(&dir.0, 2, t.ports[&2].client, &t.view_of(2, false), None);
    let (m1, m2) = wait_for("the Java ensemble (1 follows 2)", DEADLINE, || {
        match (j1.mode(), j2.mode()) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        }
    })
    .await;
    assert_eq!((m1.as_str(), m2.as_str()), ("follower", "leader"));

    // rzk's own vote (epoch 5) beats both, yet an established ensemble is joined, not overturned.
    let mut rzk = start_rzk(rzk_election, &t.truth(), 0x5_0000_0000, 5);
    let mut sub = rzk.subscribe();
    let d = rzk_decision(&mut rzk).await;
    assert_eq!((d.leader, d.state), (2, ServerState::Following), "{d:?}");
    assert_eq!(
        d.peer_epoch, 1,
        "the ensemble's epoch (QuorumPeer.updateElectionVote)"
    );
    let mut seen = BTreeMap::new();
    heard_until(&mut sub, &mut seen, "FOLLOWING from 1 and LEADING from 2", |s| {
        voted(s, 1, ServerState::Following, 2) && voted(s, 2, ServerState::Leading, 2)
    })
    .await;
    // rzk answers a LOOKING peer (our probe is a non-voter) with its vote: FOLLOWING 2.
    let n = decided_vote(t.ports[&3].election).await;
    assert_eq!((n.state, n.leader), (ServerState::Following, 2), "{n:?}");
    // The Java ensemble is undisturbed.
    assert_eq!(j1.mode().as_deref(), Some("follower"));
    assert_eq!(j2.mode().as_deref(), Some("leader"));
    rzk.shutdown().await;
    drop((j1, j2));
}
