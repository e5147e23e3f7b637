//! A seeded, single-threaded simulator for fast leader election (VOPR style).
//!
//! Each run builds 3 or 5 servers (sometimes with an observer, sometimes hierarchical), gives them random
//! zxids/epochs (with ties), and drives their [`Election`]s over a simulated network in virtual time:
//!
//! 1. **Faults** (a few virtual seconds): messages are dropped, duplicated, delayed (beyond finalizeWait,
//!    so rounds overlap) and reordered; the network partitions and heals; servers crash (losing all
//!    election state, keeping their zxid and epoch) and restart. A reconnecting link re-sends the last
//!    notification sent over it, as `QuorumCnxManager` does.
//! 2. **Liveness**: faults off, every server up, delays below finalizeWait. Within a bound every live
//!    server follows (or observes) one established leader.
//! 3. **Clean election**: every server restarts at once (within 50 ms). All must elect the best
//!    `(peer epoch, zxid, sid)` among the voters — every one can talk to every other.
//!
//! After an election a crude stand-in for ZAB discovery runs (ZAB itself is not built yet): a leader is
//! *established* once a quorum (itself included) follows it within initLimit; it then takes epoch
//! `max(epochs) + 1`, its followers sync to its zxid, and everybody's election vote gets the new peer epoch
//! (`update_vote_peer_epoch`). A leader that loses its quorum, or a follower whose leader is gone, elects
//! again (`look_again`). Established leaders write now and then, so zxids move between elections.
//!
//! Invariants checked on every step (all phases):
//! * a decision by LOOKING quorum is backed by a quorum of voters that really sent that exact vote
//!   (leader, zxid, round, peer epoch); a decision by ensemble is backed by the leader itself having said
//!   LEADING (or being us);
//! * the elected leader is a voter of weight > 0, and a LOOKING-quorum decision is for a vote some
//!   incarnation of that leader really started a round with, at least as good as the decider's own;
//! * a server's logical clock never goes back within one incarnation, except when it joins an
//!   established ensemble (it then takes that ensemble's round, possibly older);
//! * established epochs strictly increase (one established leader per epoch, Zab.tla);
//! * phase 3: everyone agrees on the best voter.
//!
//! `RZK_SIM_SEEDS=n` changes the seed count; `RZK_SIM_SEED=s` replays one seed with a trace.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashSet};
use std::fmt::Write as _;

use jute::quorum::Notification;
use jute::ServerState;

use super::election::{Action, Elected, ElectedVia, Election, ElectionConfig};
use super::quorum::{QuorumVerifier, Sid};

/// splitmix64: small, seedable, good enough to pick faults.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn pct(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
}

#[derive(Debug, Clone, Copy)]
struct Net {
    drop_pct: u64,
    dup_pct: u64,
    min_delay_ms: u64,
    max_delay_ms: u64,
}

const BENIGN: Net = Net {
    drop_pct: 0,
    dup_pct: 0,
    min_delay_ms: 1,
    max_delay_ms: 50,
};
const INIT_LIMIT_MS: u64 = 2_000;
/// Messages one link carries at once. Java's links hold one queued message plus what TCP has in flight;
/// the bound matters because FLE has a message loop: a LOOKING observer answers a LOOKING voter whose
/// round is older than its own with its proposal, and the voter answers any non-voter at once with its
/// current vote and (older) round — a ping-pong at network speed while both look (ZooKeeper 3.8 does the
/// same). With random duplication every bounce can fork, so unbounded links grow it exponentially.
const MAX_IN_FLIGHT: u64 = 4;
const ZAB_TICK_MS: u64 = 100;
const LIVENESS_BOUND_MS: u64 = 200_000;
const CLEAN_BOUND_MS: u64 = 10_000;

#[derive(Debug, Clone)]
enum Ev {
    Start(usize),
    Deliver {
        from: usize,
        to: usize,
        to_inc: u32,
        /// Position on the (from, to) link; older than the link's `oldest_live` means dropped.
        seq: u64,
        n: Notification,
    },
    Timer {
        node: usize,
        inc: u32,
        at: u64,
    },
    ZabTick,
    Crash(usize),
    Restart(usize),
    Partition,
    Heal,
    EndFaults,
}

struct Queued {
    at: u64,
    seq: u64,
    ev: Ev,
}

impl PartialEq for Queued {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Queued {
    // Min-heap on (time, sequence).
    fn cmp(&self, o: &Self) -> Ordering {
        (o.at, o.seq).cmp(&(self.at, self.seq))
    }
}

/// Messages on one directed link.
#[derive(Debug, Default, Clone, Copy)]
struct LinkState {
    next_seq: u64,
    in_flight: u64,
    oldest_live: u64,
}

#[derive(Debug, Clone, PartialEq)]
enum Role {
    Looking,
    Leading {
        since: u64,
        followers: BTreeSet<usize>,
        established: bool,
    },
    /// Following or observing `leader`.
    Learning {
        leader: usize,
        since: u64,
        joined: bool,
    },
}

struct Node {
    sid: Sid,
    observer: bool,
    alive: bool,
    inc: u32,
    e: Option<Election>,
    zxid: i64,
    epoch: i64,
    role: Role,
    scheduled: Option<u64>,
    last_clock: i64,
    /// (peer epoch, zxid) this incarnation started its current round with.
    round_init: (i64, i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Faults,
    Liveness {
        since: u64,
    },
    /// Everyone restarted at `since`; `best` is the (epoch, zxid, sid) that must win.
    Clean {
        since: u64,
        best: (i64, i64, Sid),
    },
    Done,
}

/// What a run observed, summed over seeds.
#[derive(Debug, Default, Clone, Copy)]
struct Stats {
    decisions: u64,
    conflicting_rounds: u64,
    establishments: u64,
    messages: u64,
    liveness_ms_max: u64,
    /// The run with the most messages: (messages, seed).
    busiest: (u64, u64),
}

struct Sim {
    rng: Rng,
    now: u64,
    seq: u64,
    queue: BinaryHeap<Queued>,
    nodes: Vec<Node>,
    qv: QuorumVerifier,
    net: Net,
    /// Partition side of each node (all 0 = connected).
    side: Vec<u8>,
    /// The last notification sent on each (from, to) link, re-sent when the link reconnects.
    last_sent: BTreeMap<(usize, usize), Notification>,
    links: BTreeMap<(usize, usize), LinkState>,
    /// Every LOOKING vote ever broadcast: (from sid, leader, zxid, round, peer epoch).
    looking_sent: HashSet<(Sid, Sid, i64, i64, i64)>,
    /// (from sid, leader) for every notification with a leader field ever sent, and LEADING claims.
    voted_for: HashSet<(Sid, Sid)>,
    leading_claims: HashSet<Sid>,
    /// (sid, peer epoch, zxid) of every round start.
    round_starts: HashSet<(Sid, i64, i64)>,
    /// Decisions by LOOKING quorum per round, to count rounds that split.
    round_leaders: BTreeMap<i64, BTreeSet<Sid>>,
    last_established_epoch: i64,
    phase: Phase,
    /// Phase 3: decisions of the fresh incarnations.
    clean_decisions: BTreeMap<usize, Elected>,
    stats: Stats,
    trace: Option<String>,
}

type Check = Result<(), String>;

impl Sim {
    fn new(seed: u64, five: bool) -> Sim {
        let mut rng = Rng(seed);
        let n_voters: i64 = if five { 5 } else { 3 };
        let observers: i64 = if rng.pct(25) { 1 } else { 0 };
        let mut text = String::new();
        for sid in 1..=n_voters + observers {
            let role = if sid > n_voters { "observer" } else { "participant" };
            let _ = writeln!(
                text,
                "server.{sid}=127.0.0.1:{}:{}:{role}",
                2000 + sid,
                3000 + sid
            );
        }
        if five && rng.pct(30) {
            // Hierarchical: groups {1,2,3} and {4,5}; sometimes a zero-weight server.
            text.push_str("group.1=1:2:3\ngroup.2=4:5\n");
            if rng.pct(50) {
                let _ = writeln!(text, "weight.{}=0", rng.range(1, 5));
            }
        }
        text.push_str("version=0");
        let qv = match QuorumVerifier::from_config_string(&text, false) {
            Ok(qv) => qv,
            Err(e) => panic!("sim config: {e}\n{text}"),
        };
        // A reachable ZAB history: the newest epoch is held by a quorum (it was established by one), the
        // others are older. Few distinct values, so that ties (broken by sid) are common.
        let mut epochs: Vec<i64> = (0..n_voters + observers)
            .map(|_| rng.range(0, 2) as i64)
            .collect();
        let newest = epochs.iter().copied().max().unwrap_or(0);
        loop {
            let holders: BTreeSet<Sid> = (1..=n_voters)
                .filter(|s| epochs[*s as usize - 1] == newest)
                .collect();
            if qv.contains_quorum(&holders) {
                break;
            }
            epochs[rng.below(n_voters as u64) as usize] = newest;
        }
        let mut nodes = Vec::new();
        for sid in 1..=n_voters + observers {
            // The zxid's own epoch may lag currentEpoch (an epoch established without writes yet).
            let epoch = epochs[sid as usize - 1];
            let zxid_epoch = epoch - rng.range(0, 1).min(epoch as u64) as i64;
            let zxid = (zxid_epoch << 32) | rng.range(0, 3) as i64;
            nodes.push(Node {
                sid,
                observer: sid > n_voters,
                alive: false,
                inc: 0,
                e: None,
                zxid,
                epoch,
                role: Role::Looking,
                scheduled: None,
                last_clock: 0,
                round_init: (0, 0),
            });
        }
        let net = Net {
            drop_pct: rng.range(0, 30),
            dup_pct: rng.range(0, 20),
            min_delay_ms: 1,
            max_delay_ms: rng.range(20, 600),
        };
        let n = nodes.len();
        Sim {
            rng,
            now: 0,
            seq: 0,
            queue: BinaryHeap::new(),
            nodes,
            qv,
            net,
            side: vec![0; n],
            last_sent: BTreeMap::new(),
            links: BTreeMap::new(),
            looking_sent: HashSet::new(),
            voted_for: HashSet::new(),
            leading_claims: HashSet::new(),
            round_starts: HashSet::new(),
            round_leaders: BTreeMap::new(),
            last_established_epoch: i64::MIN,
            phase: Phase::Faults,
            clean_decisions: BTreeMap::new(),
            stats: Stats::default(),
            trace: None,
        }
    }

    fn log(&mut self, f: impl FnOnce() -> String) {
        if let Some(t) = &mut self.trace {
            let line = f();
            let _ = writeln!(t, "{:>8} {line}", self.now);
        }
    }

    fn push(&mut self, at: u64, ev: Ev) {
        self.seq += 1;
        self.queue.push(Queued {
            at,
            seq: self.seq,
            ev,
        });
    }

    fn connected(&self, a: usize, b: usize) -> bool {
        self.nodes[a].alive && self.nodes[b].alive && self.side[a] == self.side[b]
    }

    fn run(&mut self) -> Check {
        let fault_ms = self.rng.range(3_000, 12_000);
        for i in 0..self.nodes.len() {
            let at = self.rng.range(0, 300);
            self.push(at, Ev::Start(i));
        }
        // Fault schedule.
        let mut t = 0;
        while t < fault_ms {
            t += self.rng.range(200, 2_000);
            let ev = match self.rng.below(4) {
                0 => Ev::Crash(self.rng.below(self.nodes.len() as u64) as usize),
                1 => Ev::Restart(self.rng.below(self.nodes.len() as u64) as usize),
                2 => Ev::Partition,
                _ => Ev::Heal,
            };
            if t < fault_ms {
                self.push(t, ev);
            }
        }
        self.push(fault_ms, Ev::EndFaults);
        self.push(ZAB_TICK_MS, Ev::ZabTick);

        while let Some(q) = self.queue.pop() {
            self.now = q.at;
            self.step(q.ev)?;
            if self.phase == Phase::Done {
                return Ok(());
            }
        }
        Err("event queue ran dry".into())
    }

    fn step(&mut self, ev: Ev) -> Check {
        match ev {
            Ev::Start(i) => self.restart(i),
            Ev::Deliver {
                from,
                to,
                to_inc,
                seq,
                n,
            } => {
                let link = self.links.entry((from, to)).or_default();
                link.in_flight = link.in_flight.saturating_sub(1);
                if seq < link.oldest_live || !self.connected(from, to) || self.nodes[to].inc != to_inc {
                    return Ok(());
                }
                let from_sid = self.nodes[from].sid;
                self.log(|| format!("{} <- {from_sid}: {}", to + 1, show(&n)));
                let now = self.now;
                let actions = match self.nodes[to].e.as_mut() {
                    Some(e) => e.receive(from_sid, n, now),
                    None => return Ok(()),
                };
                self.apply(to, actions)
            }
            Ev::Timer { node, inc, at } => {
                let nd = &self.nodes[node];
                if !nd.alive || nd.inc != inc || nd.scheduled != Some(at) {
                    return Ok(());
                }
                self.nodes[node].scheduled = None;
                let now = self.now;
                let actions = match self.nodes[node].e.as_mut() {
                    Some(e) => e.tick(now),
                    None => return Ok(()),
                };
                self.apply(node, actions)
            }
            Ev::ZabTick => {
                self.zab_tick()?;
                self.check_phase()?;
                self.push(self.now + ZAB_TICK_MS, Ev::ZabTick);
                Ok(())
            }
            Ev::Crash(i) => {
                if self.phase == Phase::Faults {
                    self.crash(i);
                }
                Ok(())
            }
            Ev::Restart(i) => {
                if !self.nodes[i].alive {
                    self.restart(i)?;
                }
                Ok(())
            }
            Ev::Partition => {
                if self.phase == Phase::Faults {
                    let before = self.side.clone();
                    for s in self.side.iter_mut() {
                        *s = (self.rng.next() & 1) as u8;
                    }
                    self.log(|| "partition".to_string());
                    self.reconnected(&before);
                }
                Ok(())
            }
            Ev::Heal => {
                let before = self.side.clone();
                self.side.iter_mut().for_each(|s| *s = 0);
                self.reconnected(&before);
                Ok(())
            }
            Ev::EndFaults => {
                self.log(|| "---- faults off ----".to_string());
                self.net = BENIGN;
                let before = self.side.clone();
                self.side.iter_mut().for_each(|s| *s = 0);
                self.reconnected(&before);
                for i in 0..self.nodes.len() {
                    if !self.nodes[i].alive {
                        self.restart(i)?;
                    }
                }
                self.phase = Phase::Liveness { since: self.now };
                Ok(())
            }
        }
    }

    /// Links that came back re-send their last notification (QuorumCnxManager's SendWorker).
    fn reconnected(&mut self, before: &[u8]) {
        let n = self.nodes.len();
        for a in 0..n {
            for b in 0..n {
                if a != b && before[a] != before[b] && self.connected(a, b) {
                    self.resend_last(a, b);
                }
            }
        }
    }

    fn resend_last(&mut self, from: usize, to: usize) {
        if let Some(n) = self.last_sent.get(&(from, to)).cloned() {
            self.transmit(from, to, n, false);
        }
    }

    fn crash(&mut self, i: usize) {
        if !self.nodes[i].alive {
            return;
        }
        self.log(|| format!("crash {}", i + 1));
        let nd = &mut self.nodes[i];
        nd.alive = false;
        nd.e = None;
        nd.inc += 1;
        nd.role = Role::Looking;
        nd.scheduled = None;
        self.last_sent.retain(|(from, _), _| *from != i);
    }

    fn restart(&mut self, i: usize) -> Check {
        let mut cfg = ElectionConfig::new(self.nodes[i].sid, self.qv.clone());
        cfg.is_observer = self.nodes[i].observer;
        let nd = &mut self.nodes[i];
        nd.alive = true;
        nd.inc += 1;
        nd.last_clock = 0;
        nd.role = Role::Looking;
        let mut e = Election::new(cfg, nd.zxid, nd.epoch);
        let actions = e.start(self.now);
        nd.round_init = (nd.epoch, nd.zxid);
        nd.e = Some(e);
        let (sid, epoch, zxid) = (nd.sid, nd.epoch, nd.zxid);
        self.round_starts.insert((sid, epoch, zxid));
        self.log(|| format!("start {sid} (epoch {epoch}, zxid {zxid:#x})"));
        // New connections: every peer re-sends its last notification to us.
        for p in 0..self.nodes.len() {
            if p != i && self.connected(p, i) {
                self.resend_last(p, i);
            }
        }
        self.apply(i, actions)
    }

    fn look_again(&mut self, i: usize) -> Check {
        let now = self.now;
        let nd = &mut self.nodes[i];
        nd.role = Role::Looking;
        nd.round_init = (nd.epoch, nd.zxid);
        let (sid, epoch, zxid) = (nd.sid, nd.epoch, nd.zxid);
        let actions = match nd.e.as_mut() {
            Some(e) => e.look_again(now, zxid, epoch),
            None => return Ok(()),
        };
        self.round_starts.insert((sid, epoch, zxid));
        self.log(|| format!("{sid} looks again (epoch {epoch}, zxid {zxid:#x})"));
        self.apply(i, actions)
    }

    fn transmit(&mut self, from: usize, to: usize, n: Notification, record: bool) {
        if record {
            self.last_sent.insert((from, to), n.clone());
        }
        if !self.connected(from, to) {
            return;
        }
        self.stats.messages += 1;
        let net = self.net;
        if self.rng.pct(net.drop_pct) {
            return;
        }
        let copies = if self.rng.pct(net.dup_pct) { 2 } else { 1 };
        for _ in 0..copies {
            let at = self.now + self.rng.range(net.min_delay_ms, net.max_delay_ms);
            let to_inc = self.nodes[to].inc;
            // Bounded links, like QuorumCnxManager's send queues: past MAX_IN_FLIGHT the oldest message
            // still in flight is lost. (Without this, duplicates feed exponential message storms, see
            // `MAX_IN_FLIGHT`.)
            let link = self.links.entry((from, to)).or_default();
            let seq = link.next_seq;
            link.next_seq += 1;
            link.in_flight += 1;
            if link.in_flight > MAX_IN_FLIGHT {
                link.oldest_live = link.oldest_live.max(seq + 1 - MAX_IN_FLIGHT);
            }
            self.push(
                at,
                Ev::Deliver {
                    from,
                    to,
                    to_inc,
                    seq,
                    n: n.clone(),
                },
            );
        }
    }

    fn index_of(&self, sid: Sid) -> Option<usize> {
        self.nodes.iter().position(|n| n.sid == sid)
    }

    fn apply(&mut self, i: usize, actions: Vec<Action>) -> Check {
        let sid = self.nodes[i].sid;
        // The clock only goes back when joining an established ensemble (it adopts that ensemble's round).
        let joined_ensemble = actions
            .iter()
            .any(|a| matches!(a, Action::Elected(d) if d.via == ElectedVia::Ensemble));
        for a in actions {
            match a {
                Action::Send { to, notification } => {
                    self.record_sent(sid, &notification);
                    if let Some(t) = self.index_of(to) {
                        self.transmit(i, t, notification, true);
                    }
                }
                Action::Broadcast { to, notification } => {
                    self.record_sent(sid, &notification);
                    for t in to {
                        if let Some(t) = self.index_of(t) {
                            self.transmit(i, t, notification.clone(), true);
                        }
                    }
                }
                Action::Elected(d) => self.on_elected(i, d)?,
                Action::Reconfig { .. } => return Err("unexpected reconfig".into()),
            }
        }
        // Clock monotonicity and timer.
        let nd = &mut self.nodes[i];
        if let Some(e) = &nd.e {
            if e.logical_clock() < nd.last_clock && !joined_ensemble {
                return Err(format!(
                    "server {sid}: logical clock went back from {} to {}",
                    nd.last_clock,
                    e.logical_clock()
                ));
            }
            nd.last_clock = e.logical_clock();
            if let Some(d) = e.next_deadline() {
                if nd.scheduled != Some(d) {
                    nd.scheduled = Some(d);
                    let inc = nd.inc;
                    self.push(d, Ev::Timer { node: i, inc, at: d });
                }
            }
        }
        Ok(())
    }

    fn record_sent(&mut self, from: Sid, n: &Notification) {
        let pe = n.peer_epoch.unwrap_or(n.zxid >> 32);
        if n.state == ServerState::Looking {
            self.looking_sent
                .insert((from, n.leader, n.zxid, n.election_epoch, pe));
        }
        self.voted_for.insert((from, n.leader));
        if n.state == ServerState::Leading && n.leader == from {
            self.leading_claims.insert(from);
        }
    }

    fn on_elected(&mut self, i: usize, d: Elected) -> Check {
        self.stats.decisions += 1;
        let me = self.nodes[i].sid;
        self.log(|| format!("{me} ELECTED {d:?}"));
        if !self.qv.is_voter(d.leader) || self.qv.weight(d.leader) == 0 {
            return Err(format!(
                "server {me} elected {}, not a voter of weight > 0",
                d.leader
            ));
        }
        let expected_state = if d.leader == me {
            ServerState::Leading
        } else if self.nodes[i].observer {
            ServerState::Observing
        } else {
            ServerState::Following
        };
        if d.state != expected_state {
            return Err(format!("server {me}: state {:?} for {d:?}", d.state));
        }
        match d.via {
            ElectedVia::LookingQuorum => {
                let backers: BTreeSet<Sid> = self
                    .qv
                    .voters()
                    .iter()
                    .copied()
                    .filter(|v| {
                        self.looking_sent
                            .contains(&(*v, d.leader, d.zxid, d.election_epoch, d.peer_epoch))
                    })
                    .collect();
                if !self.qv.contains_quorum(&backers) {
                    return Err(format!(
                        "server {me} decided {d:?} but only {backers:?} ever sent that vote"
                    ));
                }
                // Observers are answered with voters' *current* votes (state LOOKING, last decision, peer
                // epoch updated by discovery), so a quorum of identical stale answers can make an observer
                // "elect" a leader with a vote nobody started a round with (Java does the same; the
                // observer then fails to connect and looks again). Voters only ever see proposals.
                if !self.nodes[i].observer && !self.round_starts.contains(&(d.leader, d.peer_epoch, d.zxid)) {
                    return Err(format!(
                        "server {me} decided {d:?}: no incarnation of {} ever voted (epoch {}, zxid {:#x})",
                        d.leader, d.peer_epoch, d.zxid
                    ));
                }
                let (my_epoch, my_zxid) = self.nodes[i].round_init;
                if !self.nodes[i].observer && (d.peer_epoch, d.zxid, d.leader) < (my_epoch, my_zxid, me) {
                    return Err(format!(
                        "server {me} (epoch {my_epoch}, zxid {my_zxid:#x}) decided a worse vote {d:?}"
                    ));
                }
                let leaders = self.round_leaders.entry(d.election_epoch).or_default();
                if leaders.insert(d.leader) && leaders.len() == 2 {
                    self.stats.conflicting_rounds += 1;
                }
            }
            ElectedVia::Ensemble => {
                if d.leader != me && !self.leading_claims.contains(&d.leader) {
                    return Err(format!(
                        "server {me} joined {} which never said LEADING",
                        d.leader
                    ));
                }
                let backers: BTreeSet<Sid> = self
                    .qv
                    .voters()
                    .iter()
                    .copied()
                    .filter(|v| self.voted_for.contains(&(*v, d.leader)))
                    .collect();
                if !self.qv.contains_quorum(&backers) {
                    return Err(format!("server {me} joined {d:?} backed only by {backers:?}"));
                }
            }
        }
        if let Phase::Clean { .. } = self.phase {
            self.clean_decisions.insert(i, d);
        }
        let leader = self.index_of(d.leader).ok_or("leader index")?;
        self.nodes[i].role = if leader == i {
            Role::Leading {
                since: self.now,
                followers: BTreeSet::new(),
                established: false,
            }
        } else {
            Role::Learning {
                leader,
                since: self.now,
                joined: false,
            }
        };
        Ok(())
    }

    /// The stand-in for ZAB discovery/sync/broadcast.
    fn zab_tick(&mut self) -> Check {
        let n = self.nodes.len();
        for i in 0..n {
            if !self.nodes[i].alive {
                continue;
            }
            match self.nodes[i].role.clone() {
                Role::Looking => {}
                Role::Learning {
                    leader,
                    since,
                    joined,
                } => {
                    let leader_ok =
                        self.connected(i, leader) && matches!(self.nodes[leader].role, Role::Leading { .. });
                    if !joined {
                        let established = matches!(
                            self.nodes[leader].role,
                            Role::Leading {
                                established: true,
                                ..
                            }
                        );
                        // Ref: Leader.waitForEpochAck / LearnerHandler: a learner whose (currentEpoch,
                        // lastZxid) is newer than the leader's is refused; during discovery the leader
                        // itself gives up ("Follower is ahead of the leader") and elects again.
                        let ahead = (self.nodes[i].epoch, self.nodes[i].zxid)
                            > (self.nodes[leader].epoch, self.nodes[leader].zxid);
                        if leader_ok && ahead && !established {
                            self.log(|| format!("{} is ahead of leader {}", i + 1, leader + 1));
                            self.look_again(leader)?;
                        } else if leader_ok && !ahead {
                            self.nodes[i].role = Role::Learning {
                                leader,
                                since,
                                joined: true,
                            };
                            if let Role::Leading { followers, .. } = &mut self.nodes[leader].role {
                                followers.insert(i);
                            }
                            if established {
                                let (epoch, zxid) = (self.nodes[leader].epoch, self.nodes[leader].zxid);
                                self.sync(i, epoch, zxid);
                            }
                        } else if self.now - since > INIT_LIMIT_MS {
                            self.look_again(i)?;
                        }
                    } else {
                        let still = leader_ok
                            && matches!(&self.nodes[leader].role,
                                Role::Leading { followers, .. } if followers.contains(&i));
                        if !still {
                            self.look_again(i)?;
                        }
                    }
                }
                Role::Leading {
                    since,
                    mut followers,
                    established,
                } => {
                    followers.retain(|f| {
                        self.connected(i, *f)
                            && matches!(self.nodes[*f].role,
                                Role::Learning { leader, joined: true, .. } if leader == i)
                    });
                    let mut acks: BTreeSet<Sid> = followers.iter().map(|f| self.nodes[*f].sid).collect();
                    acks.insert(self.nodes[i].sid);
                    let quorum = self.qv.contains_quorum(&acks);
                    if established {
                        self.nodes[i].role = Role::Leading {
                            since,
                            followers: followers.clone(),
                            established,
                        };
                        if !quorum {
                            self.look_again(i)?;
                        } else if self.rng.pct(30) {
                            self.write(i, &followers);
                        }
                    } else if quorum {
                        self.establish(i, followers)?;
                    } else if self.now - since > INIT_LIMIT_MS {
                        self.look_again(i)?;
                    } else {
                        self.nodes[i].role = Role::Leading {
                            since,
                            followers,
                            established,
                        };
                    }
                }
            }
        }
        Ok(())
    }

    fn establish(&mut self, i: usize, followers: BTreeSet<usize>) -> Check {
        let mut new_epoch = self.nodes[i].epoch;
        for f in &followers {
            new_epoch = new_epoch.max(self.nodes[*f].epoch);
        }
        new_epoch += 1;
        if new_epoch <= self.last_established_epoch {
            return Err(format!(
                "server {} established epoch {new_epoch} after epoch {} was established",
                self.nodes[i].sid, self.last_established_epoch
            ));
        }
        self.last_established_epoch = new_epoch;
        self.stats.establishments += 1;
        // Followers sync to the leader's history; the new epoch has no txn yet (its first write will be
        // `new_epoch << 32 | 1`), so currentEpoch runs ahead of the zxid's epoch until then.
        let zxid = self.nodes[i].zxid;
        self.log(|| format!("{} ESTABLISHED epoch {new_epoch} with {followers:?}", i + 1));
        self.sync(i, new_epoch, zxid);
        for f in &followers {
            self.sync(*f, new_epoch, zxid);
        }
        self.nodes[i].role = Role::Leading {
            since: self.now,
            followers,
            established: true,
        };
        Ok(())
    }

    fn sync(&mut self, i: usize, epoch: i64, zxid: i64) {
        let nd = &mut self.nodes[i];
        nd.epoch = epoch;
        nd.zxid = zxid;
        if let Some(e) = nd.e.as_mut() {
            e.update_vote_peer_epoch(epoch);
        }
    }

    /// A committed write: the leader and each follower that has everything so far (usually) log it.
    fn write(&mut self, i: usize, followers: &BTreeSet<usize>) {
        let before = self.nodes[i].zxid;
        let epoch = self.nodes[i].epoch;
        self.nodes[i].zxid = if before >> 32 < epoch {
            (epoch << 32) | 1
        } else {
            before + 1
        };
        let after = self.nodes[i].zxid;
        for f in followers {
            if self.nodes[*f].zxid == before && self.rng.pct(80) {
                self.nodes[*f].zxid = after;
            }
        }
    }

    fn check_phase(&mut self) -> Check {
        match self.phase {
            Phase::Faults | Phase::Done => Ok(()),
            Phase::Liveness { since } => {
                if self.stable() {
                    self.stats.liveness_ms_max = self.now - since;
                    self.log(|| "---- stable; clean restart ----".to_string());
                    let best = self
                        .nodes
                        .iter()
                        .filter(|n| self.qv.is_voter(n.sid) && self.qv.weight(n.sid) > 0)
                        .map(|n| (n.epoch, n.zxid, n.sid))
                        .max()
                        .ok_or("no candidate")?;
                    for i in 0..self.nodes.len() {
                        self.crash(i);
                    }
                    for i in 0..self.nodes.len() {
                        let at = self.now + self.rng.range(0, 50);
                        self.push(at, Ev::Start(i));
                    }
                    self.phase = Phase::Clean {
                        since: self.now,
                        best,
                    };
                    Ok(())
                } else if self.now - since > LIVENESS_BOUND_MS {
                    Err(format!(
                        "no stable leader {LIVENESS_BOUND_MS} ms after faults stopped: {}",
                        self.describe()
                    ))
                } else {
                    Ok(())
                }
            }
            Phase::Clean { since, best } => {
                if self.clean_decisions.len() == self.nodes.len() {
                    for (i, d) in &self.clean_decisions {
                        // A late joiner (observer, weight-0 voter) learns the leader from FOLLOWING/LEADING
                        // votes whose peer epoch may already be the new one.
                        let wrong = match d.via {
                            ElectedVia::LookingQuorum => (d.peer_epoch, d.zxid, d.leader) != best,
                            ElectedVia::Ensemble => d.leader != best.2,
                        };
                        if wrong {
                            return Err(format!(
                                "clean election: server {} decided {d:?}, best is {best:?}",
                                i + 1
                            ));
                        }
                    }
                    self.phase = Phase::Done;
                    Ok(())
                } else if self.now - since > CLEAN_BOUND_MS {
                    Err(format!(
                        "clean election undecided after {CLEAN_BOUND_MS} ms: {:?}",
                        self.clean_decisions
                    ))
                } else {
                    Ok(())
                }
            }
        }
    }

    fn stable(&self) -> bool {
        let Some(l) = self.nodes.iter().position(|n| {
            matches!(
                n.role,
                Role::Leading {
                    established: true,
                    ..
                }
            )
        }) else {
            return false;
        };
        self.nodes.iter().enumerate().all(|(i, n)| {
            n.alive
                && (i == l || matches!(n.role, Role::Learning { leader, joined: true, .. } if leader == l))
        })
    }

    fn describe(&self) -> String {
        let mut s = String::new();
        for n in &self.nodes {
            let _ = write!(
                s,
                "\n  {} alive={} epoch={} zxid={:#x} role={:?} clock={} state={:?} proposal={:?}",
                n.sid,
                n.alive,
                n.epoch,
                n.zxid,
                n.role,
                n.e.as_ref().map_or(0, |e| e.logical_clock()),
                n.e.as_ref().map(|e| e.state()),
                n.e.as_ref().map(|e| e.proposal())
            );
        }
        s
    }
}

fn show(n: &Notification) -> String {
    format!(
        "{:?} leader={} zxid={:#x} round={} peerEpoch={}",
        n.state,
        n.leader,
        n.zxid,
        n.election_epoch,
        n.peer_epoch.unwrap_or(-1)
    )
}

fn run_seed(seed: u64, five: bool, trace: bool) -> (Check, Stats, Option<String>) {
    let mut sim = Sim::new(seed, five);
    if trace {
        sim.trace = Some(String::new());
    }
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let r = sim.run();
        (r, sim.stats, sim.trace.take())
    }));
    match r {
        Ok(v) => v,
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            (Err(format!("panic: {msg}")), Stats::default(), None)
        }
    }
}

fn run_many(five: bool, default_seeds: u64) {
    let size = if five { 5 } else { 3 };
    let test = if five { "five_servers" } else { "three_servers" };
    if let Ok(s) = std::env::var("RZK_SIM_SEED") {
        let seed: u64 = s
            .parse()
            .unwrap_or_else(|_| panic!("RZK_SIM_SEED={s} is not a number"));
        let (r, stats, trace) = run_seed(seed, five, true);
        println!("{}", trace.unwrap_or_default());
        println!("seed {seed}: {stats:?}");
        if let Err(e) = r {
            panic!("seed {seed} ({size} servers): {e}");
        }
        return;
    }
    let seeds: u64 = std::env::var("RZK_SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_seeds);
    let base: u64 = if five { 5_000_000 } else { 3_000_000 };
    let mut total = Stats::default();
    let started = std::time::Instant::now();
    for seed in base..base + seeds {
        let (r, s, _) = run_seed(seed, five, false);
        if let Err(e) = r {
            panic!(
                "simulation failed with seed {seed} ({size} servers): {e}\n\
                 replay: RZK_SIM_SEED={seed} cargo test --lib zab::sim::{test} -- --nocapture"
            );
        }
        total.decisions += s.decisions;
        total.conflicting_rounds += s.conflicting_rounds;
        total.establishments += s.establishments;
        total.messages += s.messages;
        total.liveness_ms_max = total.liveness_ms_max.max(s.liveness_ms_max);
        total.busiest = total.busiest.max((s.messages, seed));
    }
    println!(
        "{seeds} seeds, {size} servers, {:?}: {} decisions, {} rounds split by faults, {} establishments, \
         {} messages (busiest: seed {} with {}), slowest convergence after faults {} ms (virtual)",
        started.elapsed(),
        total.decisions,
        total.conflicting_rounds,
        total.establishments,
        total.messages,
        total.busiest.1,
        total.busiest.0,
        total.liveness_ms_max
    );
}

#[test]
fn three_servers() {
    run_many(false, 2_000);
}

#[test]
fn five_servers() {
    run_many(true, 1_000);
}

#[test]
fn the_same_seed_replays_the_same_run() {
    for five in [false, true] {
        let (r1, _, t1) = run_seed(42, five, true);
        let (r2, _, t2) = run_seed(42, five, true);
        assert_eq!(r1, r2);
        assert_eq!(t1, t2);
        assert!(t1.is_some_and(|t| t.contains("ELECTED")));
    }
}
