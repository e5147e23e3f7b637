//! Election links over real loopback sockets, rzk to rzk and against a hand-driven raw peer.

use super::*;
use crate::zab::election::ElectionConfig;
use crate::zab::quorum::QuorumVerifier;
use jute::ServerState;

const DEADLINE: Duration = Duration::from_secs(10);

struct Member {
    sid: Sid,
    listener: Option<TcpListener>,
    port: u16,
}

async fn members(n: Sid) -> Vec<Member> {
    let mut v = Vec::new();
    for sid in 1..=n {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let port = listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("{e}"));
        v.push(Member {
            sid,
            listener: Some(listener),
            port,
        });
    }
    v
}

fn config_text(ms: &[Member]) -> String {
    let mut s = String::new();
    for m in ms {
        s.push_str(&format!(
            "server.{}=127.0.0.1:{}:{}:participant\n",
            m.sid, 1, m.port
        ));
    }
    s.push_str("version=0");
    s
}

fn net(ms: &[Member], me: Sid) -> ElectionNetConfig {
    let addr = |m: &Member| vec![HostPort::new("127.0.0.1", m.port)];
    ElectionNetConfig {
        my_sid: me,
        my_addrs: ms.iter().filter(|m| m.sid == me).flat_map(addr).collect(),
        peers: ms
            .iter()
            .filter(|m| m.sid != me)
            .map(|m| (m.sid, addr(m)))
            .collect(),
        connect_timeout: Duration::from_secs(5),
        handshake_timeout: Duration::from_secs(5),
        multi_address: false,
    }
}

fn start(ms: &mut [Member], me: Sid, zxid: i64, epoch: i64) -> ElectionService {
    let qv = QuorumVerifier::from_config_string(&config_text(ms), false).unwrap_or_else(|e| panic!("{e}"));
    let election = Election::new(ElectionConfig::new(me, qv), zxid, epoch);
    let cfg = net(ms, me);
    let listener = ms[me as usize - 1]
        .listener
        .take()
        .unwrap_or_else(|| panic!("listener taken"));
    ElectionService::start(listener, cfg, election)
}

async fn elect(s: &mut ElectionService) -> Elected {
    match tokio::time::timeout(DEADLINE, s.elect()).await {
        Ok(Ok(e)) => e,
        other => panic!("no decision: {other:?}"),
    }
}

#[tokio::test]
async fn three_rzk_servers_elect_the_best_vote() {
    let mut ms = members(3).await;
    // Server 1 has the newest history, so it wins over higher sids.
    let mut s1 = start(&mut ms, 1, 0x2_0000_0004, 2);
    let mut s2 = start(&mut ms, 2, 0x2_0000_0001, 2);
    let mut s3 = start(&mut ms, 3, 0x1_0000_0009, 1);
    let (a, b, c) = (elect(&mut s1).await, elect(&mut s2).await, elect(&mut s3).await);
    assert_eq!((a.leader, a.state), (1, ServerState::Leading));
    assert_eq!((b.leader, b.state), (1, ServerState::Following));
    assert_eq!((c.leader, c.state), (1, ServerState::Following));
    assert_eq!(a.zxid, 0x2_0000_0004);
    // Leader lost: the two others elect again without it.
    s1.shutdown().await;
    s2.look_again(0x2_0000_0004, 2)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    s3.look_again(0x2_0000_0004, 2)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (b, c) = (elect(&mut s2).await, elect(&mut s3).await);
    assert_eq!(
        (b.leader, b.state),
        (3, ServerState::Following),
        "same zxid: higher sid"
    );
    assert_eq!((c.leader, c.state), (3, ServerState::Leading));
}

#[tokio::test]
async fn a_late_server_learns_the_established_leader() {
    let mut ms = members(3).await;
    let mut s1 = start(&mut ms, 1, 0, 0);
    let mut s2 = start(&mut ms, 2, 0, 0);
    assert_eq!(elect(&mut s1).await.leader, 2);
    assert_eq!(elect(&mut s2).await.leader, 2);
    // Even with the best vote, 3 joins the ensemble that is already there.
    let mut s3 = start(&mut ms, 3, 0x7_0000_0000, 7);
    let d = elect(&mut s3).await;
    assert_eq!((d.leader, d.state), (2, ServerState::Following));
}

fn initial(sid: i64, addr: &str) -> Vec<u8> {
    let mut v = (-65536i64).to_be_bytes().to_vec();
    v.extend_from_slice(&sid.to_be_bytes());
    v.extend_from_slice(&(addr.len() as i32).to_be_bytes());
    v.extend_from_slice(addr.as_bytes());
    v
}

/// Accepts links until one sends `want_initial` and then a notification.
async fn live_link(listener: &TcpListener, want_initial: &[u8]) -> (TcpStream, Notification) {
    loop {
        let (mut s, _) = tokio::time::timeout(DEADLINE, listener.accept())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut hdr = vec![0u8; want_initial.len()];
        if s.read_exact(&mut hdr).await.is_err() {
            continue;
        }
        assert_eq!(hdr, want_initial, "initial message");
        if let Some(n) = read_frame(&mut s).await {
            return (s, n);
        }
    }
}

async fn read_frame(s: &mut TcpStream) -> Option<Notification> {
    let len = tokio::time::timeout(DEADLINE, s.read_i32()).await.ok()?.ok()?;
    let mut body = vec![0; len as usize];
    s.read_exact(&mut body).await.ok()?;
    decode_notification(&body)
}

#[tokio::test]
async fn a_smaller_sid_is_called_back_at_the_address_it_announced() {
    // Ref: QuorumCnxManager.handleConnection: sid < self → close, connectOne(sid, electionAddr).
    let mut ms = members(3).await;
    let peer1 = ms[0].listener.take().unwrap_or_else(|| panic!("listener"));
    let peer1_port = ms[0].port;
    let mut s3 = start(&mut ms, 3, 0x5, 0);
    // Our fake server 1 dials 3 and announces its real election address.
    let mut c = TcpStream::connect(("127.0.0.1", ms[2].port))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    c.write_all(&initial(1, &format!("127.0.0.1:{peer1_port}")))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut buf = [0u8; 1];
    let closed = tokio::time::timeout(DEADLINE, c.read(&mut buf)).await;
    assert!(
        matches!(closed, Ok(Ok(0)) | Ok(Err(_))),
        "3 hangs up on the smaller sid: {closed:?}"
    );
    // 3 calls back: initial message, then its vote. (It may have dialled us once already at start; the
    // call-back drops that link first, as QuorumCnxManager does, so take the link that stays up.)
    let addr = format!("127.0.0.1:{}", ms[2].port);
    let (mut back, n) = live_link(&peer1, &initial(3, &addr)).await;
    assert_eq!(
        (n.state, n.leader, n.zxid, n.election_epoch),
        (ServerState::Looking, 3, 0x5, 1)
    );
    // Our LOOKING vote for 3 in round 1 makes a quorum {1, 3}: 3 leads after finalizeWait.
    let mut mine = Notification { leader: 3, ..n };
    mine.state = ServerState::Looking;
    back.write_all(&frame_of(&mine))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let d = elect(&mut s3).await;
    assert_eq!((d.leader, d.state), (3, ServerState::Leading));
    // Now decided, 3 answers a LOOKING vote with LEADING.
    let again = Notification {
        leader: 1,
        election_epoch: 2,
        ..mine
    };
    back.write_all(&frame_of(&again))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let reply = loop {
        let n = read_frame(&mut back).await.unwrap_or_else(|| panic!("a reply"));
        if n.state != ServerState::Looking {
            break n;
        }
    };
    assert_eq!((reply.state, reply.leader), (ServerState::Leading, 3));
}

#[tokio::test]
async fn a_larger_sid_keeps_its_link_and_gets_the_queued_vote_then_the_last_one_again() {
    // Ref: receiveConnection (sid > self: keep); SendWorker.run re-sends lastMessageSent on a new link.
    let mut ms = members(3).await;
    let mut s1 = start(&mut ms, 1, 0x9, 0);
    let mut sub = s1.subscribe();
    let port1 = ms[0].port;
    let dial3 = || async move {
        let mut c = TcpStream::connect(("127.0.0.1", port1))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        c.write_all(&initial(3, "127.0.0.1:1"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        c
    };
    let mut c = dial3().await;
    let n = read_frame(&mut c).await.unwrap_or_else(|| panic!("queued vote"));
    assert_eq!((n.state, n.leader, n.zxid), (ServerState::Looking, 1, 0x9));
    assert_eq!(n.version, Some(2));
    // A vote from 3 arrives at the election.
    let v3 = Notification {
        leader: 1,
        ..n.clone()
    };
    c.write_all(&frame_of(&v3))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let got = tokio::time::timeout(DEADLINE, sub.recv())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.map(|r| r.from).ok(), Some(3));
    assert_eq!(elect(&mut s1).await.state, ServerState::Leading);
    // The link breaks; on the next one 1 re-sends the last notification it wrote (its LOOKING vote).
    drop(c);
    let mut c = dial3().await;
    let again = read_frame(&mut c).await.unwrap_or_else(|| panic!("re-sent"));
    assert_eq!(again, n);
}

#[tokio::test]
async fn bad_frames_and_handshakes_close_the_link_only() {
    let mut ms = members(3).await;
    let mut s1 = start(&mut ms, 1, 0, 0);
    let port1 = ms[0].port;
    let cases: Vec<Vec<u8>> = vec![
        // Unknown protocol version.
        (-7i64).to_be_bytes().to_vec(),
        // Address length 0 and too long.
        {
            let mut v = initial(3, "x:1")[..16].to_vec();
            v.extend_from_slice(&0i32.to_be_bytes());
            v
        },
        {
            let mut v = initial(3, "x:1")[..16].to_vec();
            v.extend_from_slice(&4096i32.to_be_bytes());
            v
        },
        // Unparsable address.
        initial(3, "no-port-here"),
        // Frame lengths 0, negative and over 512 KiB after a good handshake.
        [initial(3, "127.0.0.1:1"), 0i32.to_be_bytes().to_vec()].concat(),
        [initial(3, "127.0.0.1:1"), (-1i32).to_be_bytes().to_vec()].concat(),
        [
            initial(3, "127.0.0.1:1"),
            (512 * 1024 + 1i32).to_be_bytes().to_vec(),
        ]
        .concat(),
    ];
    for bytes in cases {
        let mut c = TcpStream::connect(("127.0.0.1", port1))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        c.write_all(&bytes).await.unwrap_or_else(|e| panic!("{e}"));
        // Drain whatever 1 writes (its queued vote) until it closes.
        let mut sink = vec![0u8; 4096];
        let closed = tokio::time::timeout(DEADLINE, async {
            loop {
                match c.read(&mut sink).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "link closed for {bytes:02x?}");
    }
    // A short (28-byte) notification is still understood (peer epoch from the zxid).
    let mut c = TcpStream::connect(("127.0.0.1", port1))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    c.write_all(&initial(3, "127.0.0.1:1"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut body = Vec::new();
    body.extend_from_slice(&0i32.to_be_bytes());
    body.extend_from_slice(&1i64.to_be_bytes());
    body.extend_from_slice(&0i64.to_be_bytes());
    body.extend_from_slice(&1i64.to_be_bytes());
    c.write_all(&(body.len() as i32).to_be_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    c.write_all(&body).await.unwrap_or_else(|e| panic!("{e}"));
    let d = elect(&mut s1).await;
    assert_eq!((d.leader, d.state), (1, ServerState::Leading));
}

#[test]
fn host_port_parsing() {
    assert_eq!(
        parse_host_port("127.0.0.1:3888"),
        Some(HostPort::new("127.0.0.1", 3888))
    );
    assert_eq!(parse_host_port("[::1]:3888"), Some(HostPort::new("::1", 3888)));
    assert_eq!(
        parse_host_port("zk1.example:1"),
        Some(HostPort::new("zk1.example", 1))
    );
    for bad in ["", "host", ":1", "h:x", "::1:3888", "[::1]", "h:70000"] {
        assert_eq!(parse_host_port(bad), None, "{bad}");
    }
}

#[test]
fn initial_message_bytes_match_java() {
    // [LIVE] bytes of a 3.8 peer with sid 3 at 127.0.0.1:23983 (reference §3.2).
    let cfg = ElectionNetConfig {
        my_sid: 3,
        my_addrs: vec![HostPort::new("127.0.0.1", 23983)],
        peers: BTreeMap::new(),
        connect_timeout: Duration::from_secs(5),
        handshake_timeout: Duration::from_secs(5),
        multi_address: false,
    };
    let hex: String = cfg.initial_message().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "ffffffffffff0000\
         0000000000000003\
         0000000f\
         3132372e302e302e313a3233393833"
    );
}

#[test]
fn settings_come_from_zoo_cfg() {
    let dir = std::env::temp_dir().join(format!("rzk-election-cfg-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("data")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("data/myid"), "2\n").unwrap_or_else(|e| panic!("{e}"));
    let text = format!(
        "tickTime=100\ninitLimit=5\nsyncLimit=4\ndataDir={}\nclientPort=2181\n\
         server.1=10.0.0.1:2888:3888\nserver.2=10.0.0.2:2888:3889\nserver.3=10.0.0.3:2888:3888\n\
         server.4=10.0.0.4:2888:3888:observer\n",
        dir.join("data").display()
    );
    let args = vec![
        "-Dzookeeper.cnxTimeout=1234".to_string(),
        "-Dzookeeper.fastleader.minNotificationInterval=50".to_string(),
    ];
    let sys = crate::config::SystemProps::from_env_and_args(|_| None, &args);
    let cfg = Config::parse_str(&text, "zoo.cfg", &dir, &sys).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&dir);

    let net = ElectionNetConfig::from_config(&cfg).unwrap_or_else(|| panic!("quorum mode"));
    assert_eq!(net.my_sid, 2);
    assert_eq!(net.my_addrs, vec![HostPort::new("10.0.0.2", 3889)]);
    assert_eq!(
        net.peers.keys().copied().collect::<Vec<_>>(),
        vec![1, 3, 4],
        "observers too"
    );
    assert_eq!(net.connect_timeout, Duration::from_millis(1234));
    assert_eq!(
        net.handshake_timeout,
        Duration::from_millis(400),
        "syncLimit x tickTime"
    );
    let hex: String = net.initial_message().iter().map(|b| format!("{b:02x}")).collect();
    assert!(hex.ends_with(
        &"10.0.0.2:3889"
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    ));

    let e = ElectionConfig::from_config(&cfg).unwrap_or_else(|| panic!("quorum mode"));
    assert_eq!(e.my_sid, 2);
    assert!(!e.is_observer);
    assert_eq!(
        e.verifier.voters().iter().copied().collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(
        (e.min_notification_interval_ms, e.max_notification_interval_ms),
        (50, 60_000)
    );
}
