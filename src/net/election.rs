//! The election port: `QuorumCnxManager`-compatible links that carry fast-leader-election notifications
//! between this server and its peers, driving the sans-IO [`Election`].
//!
//! ```text
//! connection  = InitialMessage Frame*                  (InitialMessage only from the dialling side)
//! InitialMessage = long -65536 (or -65535 with multiAddress), long sid, int n (1..=2048), n bytes "host:port"
//!                | long sid (>= 0, pre-3.5 peers)
//! Frame       = int length (1..=524288), Notification   (see zab::election)
//! ```
//!
//! Rules kept from ZooKeeper, so that Java 3.8 peers and rzk interoperate:
//! * **One link per pair, from the larger sid.** A dialler with the smaller sid sends its initial message
//!   and hangs up; the listener with the larger sid then dials back (to the address in that message). A
//!   listener that gets a connection from a larger sid keeps it (replacing any older link to that peer).
//! * **Send queue of one per peer**: a new notification replaces one not yet written. When a link (re)opens
//!   and nothing is queued, the last notification written to that peer is written again first.
//! * Connect timeout `zookeeper.cnxTimeout` (5 s); the initial message must arrive within the socket
//!   timeout (`quorumCnxnTimeoutMs`, else syncLimit × tickTime); once established, reads do not time out.
//! * A frame length outside 1..=512 KiB, an unknown protocol version or a bad address closes the link;
//!   a notification body Java would drop (see `decode_notification`) is dropped.
//!
//! Not supported yet: quorum SASL and TLS (`quorum.auth.enableSasl`, `sslQuorum`).

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use jute::quorum::{
    Notification, ELECTION_PROTOCOL_V1, ELECTION_PROTOCOL_V2, MAX_ELECTION_ADDR_LEN, MAX_ELECTION_FRAME,
};
use jute::Jute;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, mpsc, watch, Notify, Semaphore};
use tokio::task::{AbortHandle, JoinSet};
use tokio::time::Instant;

use crate::config::{Config, HostPort};
use crate::zab::election::{decode_notification, Action, Elected, Election};
use crate::zab::quorum::Sid;

/// `QuorumPeer.OBSERVER_ID`: the sid very old observers announce; replaced by a local negative id.
const LEGACY_OBSERVER_ID: i64 = i64::MAX;
/// Initial-message handshakes in progress at once.
const MAX_HANDSHAKES: usize = 64;
/// Frames and connection events waiting for the core.
const EVENT_QUEUE: usize = 256;
/// Peers we keep link state for (members, plus non-voters that talked to us).
const MAX_LINKS: usize = 1024;

/// How to reach the other members and what to tell them about us.
#[derive(Debug, Clone)]
pub struct ElectionNetConfig {
    pub my_sid: Sid,
    /// Our election address(es) as announced in the initial message (`host:port`, joined with `|` in V2).
    pub my_addrs: Vec<HostPort>,
    /// Election addresses of every other member (voters and observers).
    pub peers: BTreeMap<Sid, Vec<HostPort>>,
    /// `zookeeper.cnxTimeout`.
    pub connect_timeout: Duration,
    /// How long a new connection may take to send its initial message.
    pub handshake_timeout: Duration,
    /// `multiAddress.enabled`: announce protocol version -65535 with every address.
    pub multi_address: bool,
}

impl ElectionNetConfig {
    /// From a parsed zoo.cfg (None in standalone mode or when this server is not listed).
    pub fn from_config(cfg: &Config) -> Option<ElectionNetConfig> {
        let me = cfg.my_server()?;
        let my_sid = me.id as Sid;
        let peers = cfg
            .quorum
            .servers
            .values()
            .filter(|s| s.id != me.id)
            .map(|s| (s.id as Sid, s.addresses.iter().map(|a| a.election()).collect()))
            .collect();
        let handshake_ms = if cfg.quorum_cnxn_timeout_ms > 0 {
            cfg.quorum_cnxn_timeout_ms as u64
        } else {
            u64::from(cfg.tick_time_ms) * u64::from(cfg.sync_limit_ticks)
        };
        Some(ElectionNetConfig {
            my_sid,
            my_addrs: me.addresses.iter().map(|a| a.election()).collect(),
            peers,
            connect_timeout: Duration::from_millis(cfg.cnx_timeout_ms.max(1) as u64),
            handshake_timeout: Duration::from_millis(handshake_ms.max(1)),
            multi_address: cfg.multi_address_enabled,
        })
    }

    fn initial_message(&self) -> Bytes {
        let addrs = if self.multi_address {
            self.my_addrs
                .iter()
                .map(HostPort::to_string)
                .collect::<Vec<_>>()
                .join("|")
        } else {
            self.my_addrs.first().map(HostPort::to_string).unwrap_or_default()
        };
        let mut out = BytesMut::new();
        out.put_i64(if self.multi_address {
            ELECTION_PROTOCOL_V2
        } else {
            ELECTION_PROTOCOL_V1
        });
        out.put_i64(self.my_sid);
        out.put_i32(addrs.len() as i32);
        out.put_slice(addrs.as_bytes());
        out.freeze()
    }
}

/// Why `elect` returned without a leader.
#[derive(Debug, thiserror::Error)]
pub enum ElectionError {
    #[error("the election service stopped")]
    Stopped,
}

/// A notification as received (for observers of the election, e.g. tests and metrics).
#[derive(Debug, Clone)]
pub struct Received {
    pub from: Sid,
    pub notification: Notification,
}

enum Command {
    LookAgain { last_zxid: i64, current_epoch: i64 },
    UpdatePeerEpoch(i64),
}

/// A running election port: listener, links and the election state machine.
pub struct ElectionService {
    commands: mpsc::Sender<Command>,
    decisions: watch::Receiver<Option<(u64, Elected)>>,
    seen: u64,
    received: broadcast::Sender<Received>,
    task: tokio::task::JoinHandle<()>,
}

impl ElectionService {
    /// Starts serving `listener` (already bound to our election address) and starts the first round.
    pub fn start(listener: TcpListener, net: ElectionNetConfig, election: Election) -> ElectionService {
        let (cmd_tx, cmd_rx) = mpsc::channel(16);
        let (dec_tx, dec_rx) = watch::channel(None);
        let (recv_tx, _) = broadcast::channel(1024);
        let core = Core::new(net, election, dec_tx, recv_tx.clone());
        let task = tokio::spawn(core.run(listener, cmd_rx));
        ElectionService {
            commands: cmd_tx,
            decisions: dec_rx,
            seen: 0,
            received: recv_tx,
            task,
        }
    }

    /// Waits for the next decision (the first call returns the first one, even if it came earlier).
    pub async fn elect(&mut self) -> Result<Elected, ElectionError> {
        let seen = self.seen;
        let got = self
            .decisions
            .wait_for(|d| d.is_some_and(|(n, _)| n > seen))
            .await
            .map_err(|_| ElectionError::Stopped)?;
        let (n, elected) = got.ok_or(ElectionError::Stopped)?;
        self.seen = n;
        Ok(elected)
    }

    /// Leading or following ended: look for a leader again with our current zxid and epoch.
    pub async fn look_again(&self, last_zxid: i64, current_epoch: i64) -> Result<(), ElectionError> {
        self.commands
            .send(Command::LookAgain {
                last_zxid,
                current_epoch,
            })
            .await
            .map_err(|_| ElectionError::Stopped)
    }

    /// Discovery settled on `epoch`: tell LOOKING peers (`QuorumPeer.updateElectionVote`).
    pub async fn update_vote_peer_epoch(&self, epoch: i64) -> Result<(), ElectionError> {
        self.commands
            .send(Command::UpdatePeerEpoch(epoch))
            .await
            .map_err(|_| ElectionError::Stopped)
    }

    /// Every notification received from now on (lagging receivers lose the oldest).
    pub fn subscribe(&self) -> broadcast::Receiver<Received> {
        self.received.subscribe()
    }

    /// Stops the listener and closes every link.
    pub async fn shutdown(mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
    }
}

impl Drop for ElectionService {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The capacity-1 send queue of one peer plus the last message written to it.
#[derive(Default)]
struct Slot {
    inner: Mutex<SlotInner>,
    ready: Notify,
}

#[derive(Default)]
struct SlotInner {
    queued: Option<Bytes>,
    last_sent: Option<Bytes>,
}

impl Slot {
    fn put(&self, frame: Bytes) {
        if let Ok(mut g) = self.inner.lock() {
            g.queued = Some(frame);
        }
        self.ready.notify_one();
    }

    /// The next frame to write. On a fresh link with nothing queued, the last frame written to this peer
    /// goes again first (the peer may have lost it with the old link; duplicates are harmless).
    async fn next(&self, fresh: bool) -> Bytes {
        if fresh {
            if let Ok(g) = self.inner.lock() {
                if g.queued.is_none() {
                    if let Some(f) = g.last_sent.clone() {
                        return f;
                    }
                }
            }
        }
        loop {
            if let Ok(mut g) = self.inner.lock() {
                if let Some(f) = g.queued.take() {
                    g.last_sent = Some(f.clone());
                    return f;
                }
            }
            self.ready.notified().await;
        }
    }
}

struct Conn {
    id: u64,
    reader: AbortHandle,
    writer: AbortHandle,
}

#[derive(Default)]
struct Link {
    slot: Arc<Slot>,
    conn: Option<Conn>,
    dialing: bool,
}

enum Event {
    /// A peer with a larger sid connected to us.
    Inbound {
        sid: Sid,
        stream: TcpStream,
    },
    /// A peer with a smaller sid connected to us: dial it back (at `addrs` if it told us).
    CallBack {
        sid: Sid,
        addrs: Vec<HostPort>,
    },
    /// Our dial to a smaller sid succeeded.
    Dialed {
        sid: Sid,
        stream: TcpStream,
    },
    /// Our dial ended without a link (failed, or the peer has the larger sid and will call back).
    DialDone {
        sid: Sid,
    },
    Frame {
        sid: Sid,
        conn: u64,
        body: Bytes,
    },
    Closed {
        sid: Sid,
        conn: u64,
    },
}

struct Core {
    net: ElectionNetConfig,
    initial: Bytes,
    election: Election,
    started: Instant,
    links: BTreeMap<Sid, Link>,
    next_conn: u64,
    decisions_made: u64,
    decisions: watch::Sender<Option<(u64, Elected)>>,
    received: broadcast::Sender<Received>,
    events_tx: mpsc::Sender<Event>,
    events_rx: Option<mpsc::Receiver<Event>>,
    tasks: JoinSet<()>,
    pending: VecDeque<Action>,
}

impl Core {
    fn new(
        net: ElectionNetConfig,
        election: Election,
        decisions: watch::Sender<Option<(u64, Elected)>>,
        received: broadcast::Sender<Received>,
    ) -> Core {
        let (events_tx, events_rx) = mpsc::channel(EVENT_QUEUE);
        Core {
            initial: net.initial_message(),
            net,
            election,
            started: Instant::now(),
            links: BTreeMap::new(),
            next_conn: 0,
            decisions_made: 0,
            decisions,
            received,
            events_tx,
            events_rx: Some(events_rx),
            tasks: JoinSet::new(),
            pending: VecDeque::new(),
        }
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    async fn run(mut self, listener: TcpListener, mut commands: mpsc::Receiver<Command>) {
        let Some(mut events) = self.events_rx.take() else {
            return;
        };
        self.tasks.spawn(accept_loop(
            listener,
            self.net.my_sid,
            self.net.handshake_timeout,
            self.events_tx.clone(),
        ));
        let actions = self.election.start(self.now_ms());
        self.execute(actions);
        loop {
            while self.tasks.try_join_next().is_some() {}
            let deadline = self
                .election
                .next_deadline()
                .map(|ms| self.started + Duration::from_millis(ms));
            tokio::select! {
                ev = events.recv() => match ev {
                    Some(ev) => self.on_event(ev),
                    None => return,
                },
                cmd = commands.recv() => match cmd {
                    Some(Command::LookAgain { last_zxid, current_epoch }) => {
                        let actions = self.election.look_again(self.now_ms(), last_zxid, current_epoch);
                        self.execute(actions);
                    }
                    Some(Command::UpdatePeerEpoch(e)) => self.election.update_vote_peer_epoch(e),
                    None => return,
                },
                _ = sleep_until(deadline) => {
                    let actions = self.election.tick(self.now_ms());
                    self.execute(actions);
                }
            }
        }
    }

    fn execute(&mut self, actions: Vec<Action>) {
        self.pending.extend(actions);
        while let Some(a) = self.pending.pop_front() {
            match a {
                Action::Send { to, notification } => {
                    let frame = frame_of(&notification);
                    self.send(to, frame);
                }
                Action::Broadcast { to, notification } => {
                    let frame = frame_of(&notification);
                    for sid in to {
                        self.send(sid, frame.clone());
                    }
                }
                Action::Elected(e) => {
                    self.decisions_made += 1;
                    let n = self.decisions_made;
                    self.decisions.send_replace(Some((n, e)));
                }
                Action::Reconfig {
                    verifier,
                    installed,
                    restarted,
                } => {
                    tracing::warn!(
                        version = format_args!("{:x}", verifier.version()),
                        installed,
                        restarted,
                        "newer config received during election (not persisted by the election service)"
                    );
                    if restarted {
                        // A new QuorumCnxManager: every link goes.
                        let sids: Vec<Sid> = self.links.keys().copied().collect();
                        for sid in sids {
                            self.drop_conn(sid);
                        }
                    }
                }
            }
        }
    }

    /// `QuorumCnxManager.toSend`: queue (replacing) and make sure a link is coming.
    fn send(&mut self, sid: Sid, frame: Bytes) {
        if sid == self.net.my_sid || (!self.links.contains_key(&sid) && self.links.len() >= MAX_LINKS) {
            return;
        }
        self.links.entry(sid).or_default().slot.put(frame);
        self.connect(sid, None);
    }

    /// `connectOne`: dial unless a link exists or a dial is in progress.
    fn connect(&mut self, sid: Sid, addrs: Option<Vec<HostPort>>) {
        if !self.links.contains_key(&sid) && self.links.len() >= MAX_LINKS {
            return;
        }
        let link = self.links.entry(sid).or_default();
        if link.conn.is_some() || link.dialing {
            return;
        }
        let addrs = match addrs.filter(|a| !a.is_empty()) {
            Some(a) => a,
            None => match self.net.peers.get(&sid) {
                Some(a) => a.clone(),
                None => {
                    tracing::debug!(sid, "no election address for this server id");
                    return;
                }
            },
        };
        link.dialing = true;
        self.tasks.spawn(dial(
            sid,
            self.net.my_sid,
            addrs,
            self.initial.clone(),
            self.net.connect_timeout,
            self.events_tx.clone(),
        ));
    }

    fn on_event(&mut self, ev: Event) {
        match ev {
            Event::Inbound { sid, stream } => self.install(sid, stream),
            Event::CallBack { sid, addrs } => {
                // The peer may still think its old link is up: drop ours, then dial back.
                self.drop_conn(sid);
                self.connect(sid, Some(addrs));
            }
            Event::Dialed { sid, stream } => {
                self.links.entry(sid).or_default().dialing = false;
                self.install(sid, stream);
            }
            Event::DialDone { sid } => {
                self.links.entry(sid).or_default().dialing = false;
            }
            Event::Frame { sid, conn, body } => {
                let current = self.links.get(&sid).and_then(|l| l.conn.as_ref()).map(|c| c.id);
                if current != Some(conn) {
                    tracing::debug!(sid, conn, ?current, "dropping a frame from a replaced link");
                    return;
                }
                let Some(n) = decode_notification(&body) else {
                    tracing::debug!(sid, len = body.len(), "dropping a malformed notification");
                    return;
                };
                tracing::debug!(
                    sid,
                    conn,
                    state = ?n.state,
                    leader = n.leader,
                    round = n.election_epoch,
                    "notification received"
                );
                let _ = self.received.send(Received {
                    from: sid,
                    notification: n.clone(),
                });
                let actions = self.election.receive(sid, n, self.now_ms());
                self.execute(actions);
            }
            Event::Closed { sid, conn } => {
                let current = self.links.get(&sid).and_then(|l| l.conn.as_ref()).map(|c| c.id);
                if current == Some(conn) {
                    self.drop_conn(sid);
                }
            }
        }
    }

    fn drop_conn(&mut self, sid: Sid) {
        if let Some(c) = self.links.get_mut(&sid).and_then(|l| l.conn.take()) {
            tracing::debug!(sid, conn = c.id, "election link closed");
            c.reader.abort();
            c.writer.abort();
        }
    }

    fn install(&mut self, sid: Sid, stream: TcpStream) {
        if !self.links.contains_key(&sid) && self.links.len() >= MAX_LINKS {
            tracing::warn!(sid, "too many election peers; refusing a link");
            return;
        }
        self.drop_conn(sid);
        self.next_conn += 1;
        let id = self.next_conn;
        let (rd, wr) = stream.into_split();
        let slot = self.links.entry(sid).or_default().slot.clone();
        let writer = self
            .tasks
            .spawn(write_loop(sid, id, wr, slot, self.events_tx.clone()));
        let reader = self.tasks.spawn(read_loop(sid, id, rd, self.events_tx.clone()));
        tracing::debug!(sid, conn = id, "election link up");
        self.links.entry(sid).or_default().conn = Some(Conn { id, reader, writer });
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

fn frame_of(n: &Notification) -> Bytes {
    let body = n.to_bytes();
    let mut out = BytesMut::with_capacity(4 + body.len());
    out.put_i32(body.len() as i32);
    out.put_slice(&body);
    out.freeze()
}

async fn write_loop(
    sid: Sid,
    conn: u64,
    mut wr: OwnedWriteHalf,
    slot: Arc<Slot>,
    events: mpsc::Sender<Event>,
) {
    let mut fresh = true;
    loop {
        let frame = slot.next(fresh).await;
        fresh = false;
        if let Err(e) = wr.write_all(&frame).await {
            tracing::debug!(sid, "election link write failed: {e}");
            break;
        }
    }
    let _ = events.send(Event::Closed { sid, conn }).await;
}

async fn read_loop(sid: Sid, conn: u64, mut rd: OwnedReadHalf, events: mpsc::Sender<Event>) {
    while let Ok(len) = rd.read_i32().await {
        if len <= 0 || len as usize > MAX_ELECTION_FRAME {
            tracing::warn!(
                sid,
                len,
                "election frame with an invalid length; closing the link"
            );
            break;
        }
        let mut body = vec![0u8; len as usize];
        if rd.read_exact(&mut body).await.is_err() {
            break;
        }
        let body = Bytes::from(body);
        if events.send(Event::Frame { sid, conn, body }).await.is_err() {
            return;
        }
    }
    let _ = events.send(Event::Closed { sid, conn }).await;
}

/// `initiateConnection` + `startConnection`.
async fn dial(
    sid: Sid,
    my_sid: Sid,
    addrs: Vec<HostPort>,
    initial: Bytes,
    connect_timeout: Duration,
    events: mpsc::Sender<Event>,
) {
    let mut linked = None;
    for a in &addrs {
        let attempt =
            tokio::time::timeout(connect_timeout, TcpStream::connect((a.host.as_str(), a.port))).await;
        match attempt {
            Ok(Ok(s)) => {
                linked = Some(s);
                break;
            }
            Ok(Err(e)) => tracing::debug!(sid, addr = %a, "cannot open an election link: {e}"),
            Err(_) => tracing::debug!(sid, addr = %a, "election connect timed out"),
        }
    }
    if let Some(mut stream) = linked {
        let _ = stream.set_nodelay(true);
        let sent = stream.write_all(&initial).await.is_ok() && stream.flush().await.is_ok();
        if sent && sid < my_sid {
            let _ = events.send(Event::Dialed { sid, stream }).await;
            return;
        }
        // sid > ours: we lose the tie-break; the peer calls back.
    }
    let _ = events.send(Event::DialDone { sid }).await;
}

async fn accept_loop(
    listener: TcpListener,
    my_sid: Sid,
    handshake_timeout: Duration,
    events: mpsc::Sender<Event>,
) {
    let limit = Arc::new(Semaphore::new(MAX_HANDSHAKES));
    let mut handshakes = JoinSet::new();
    let mut observer_ids = -1i64;
    loop {
        while handshakes.try_join_next().is_some() {}
        let (stream, peer) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                tracing::warn!("election listener: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(permit) = limit.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "too many election handshakes in progress; closing");
            continue;
        };
        let events = events.clone();
        let observer_id = observer_ids;
        observer_ids -= 1;
        handshakes.spawn(async move {
            let _permit = permit;
            let _ = stream.set_nodelay(true);
            let mut stream = stream;
            match tokio::time::timeout(handshake_timeout, read_initial(&mut stream)).await {
                Ok(Ok((sid, addrs))) => {
                    let sid = if sid == LEGACY_OBSERVER_ID {
                        observer_id
                    } else {
                        sid
                    };
                    if sid < my_sid {
                        // Only links from the larger sid survive: hang up and call back.
                        drop(stream);
                        let _ = events.send(Event::CallBack { sid, addrs }).await;
                    } else if sid == my_sid {
                        tracing::warn!(%peer, "election connection claiming our own server id");
                    } else {
                        let _ = events.send(Event::Inbound { sid, stream }).await;
                    }
                }
                Ok(Err(e)) => tracing::warn!(%peer, "bad election initial message: {e}"),
                Err(_) => tracing::warn!(%peer, "no election initial message in time"),
            }
        });
    }
}

/// Reads `InitialMessage`: (sid, announced addresses without wildcards).
async fn read_initial(stream: &mut TcpStream) -> std::io::Result<(Sid, Vec<HostPort>)> {
    let bad = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidData, m);
    let first = stream.read_i64().await?;
    if first >= 0 {
        return Ok((first, Vec::new()));
    }
    if first != ELECTION_PROTOCOL_V1 && first != ELECTION_PROTOCOL_V2 {
        return Err(bad(format!("unrecognised protocol version {first}")));
    }
    let sid = stream.read_i64().await?;
    let len = stream.read_i32().await?;
    if len <= 0 || len as usize > MAX_ELECTION_ADDR_LEN {
        return Err(bad(format!("unreasonable address length {len}")));
    }
    let mut raw = vec![0u8; len as usize];
    stream.read_exact(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw);
    let mut addrs = Vec::new();
    for a in text.split('|') {
        let hp = parse_host_port(a).ok_or_else(|| bad(format!("badly formed address {a:?}")))?;
        if !hp.is_wildcard() {
            addrs.push(hp);
        }
    }
    Ok((sid, addrs))
}

/// `host:port` or `[v6]:port`.
fn parse_host_port(s: &str) -> Option<HostPort> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (h, p) = rest.split_once("]:")?;
        (h, p)
    } else {
        let (h, p) = s.rsplit_once(':')?;
        if h.contains(':') {
            return None;
        }
        (h, p)
    };
    if host.is_empty() {
        return None;
    }
    Some(HostPort::new(host, port.parse().ok()?))
}

#[cfg(test)]
mod tests;
