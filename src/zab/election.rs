//! Fast leader election (ZooKeeper's `FastLeaderElection`), sans-IO.
//!
//! Wire grammar of what goes in and out (the shell frames it as `int length` + body, see
//! `net::election`):
//!
//! ```text
//! Notification = int state (0 LOOKING, 1 FOLLOWING, 2 LEADING, 3 OBSERVING), long leader, long zxid,
//!                long electionEpoch                                        -- 28 bytes: peerEpoch := zxid >> 32
//!                [long peerEpoch [int version]]                            -- 40 bytes: version ignored (0)
//!                [int configLength, config bytes]                          -- only when version > 1
//! ```
//!
//! We always send version 2 with our config string (`QuorumVerifier.toString()`), as 3.5+ peers do.
//! [`decode_notification`] accepts exactly what a Java 3.8 peer accepts (and drops what it drops).
//!
//! Time enters as `now_ms` (any monotonic millisecond clock); nothing here reads a clock, sleeps or does
//! I/O. Every input returns the [`Action`]s to perform.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use bytes::Bytes;
use jute::quorum::Notification;
use jute::ServerState;

use super::quorum::{QuorumVerifier, Sid};

/// `finalizeWait`: how long a quorum must stand unchallenged before the election ends.
pub const FINALIZE_WAIT_MS: u64 = 200;
/// Default `zookeeper.fastleader.minNotificationInterval`.
pub const MIN_NOTIFICATION_INTERVAL_MS: u64 = 200;
/// Default `zookeeper.fastleader.maxNotificationInterval`.
pub const MAX_NOTIFICATION_INTERVAL_MS: u64 = 60_000;
/// The notification format version we send.
pub const NOTIFICATION_VERSION: i32 = 2;
/// The id, zxid and epoch an observer votes with.
pub const OBSERVER_VOTE: i64 = i64::MIN;
/// Notifications waiting to be looked at (before `start`, or queued internally); older ones are dropped.
const MAX_INBOX: usize = 1024;

/// The static inputs of an election.
#[derive(Debug, Clone)]
pub struct ElectionConfig {
    pub my_sid: Sid,
    /// This server's role (`peerType` / `:observer`): observers vote `Long.MIN_VALUE` and end OBSERVING.
    pub is_observer: bool,
    /// The committed configuration.
    pub verifier: QuorumVerifier,
    /// A proposed configuration (`zoo.cfg.dynamic.next`): its voters are also talked to, and while its
    /// version is newer than the committed one a decision needs a quorum of both.
    pub next_verifier: Option<QuorumVerifier>,
    /// `reconfigEnabled`: whether a newer config received in a notification is adopted.
    pub reconfig_enabled: bool,
    /// `multiAddress.enabled`, for parsing received config strings.
    pub multi_address_enabled: bool,
    pub min_notification_interval_ms: u64,
    pub max_notification_interval_ms: u64,
    pub finalize_wait_ms: u64,
}

impl ElectionConfig {
    /// Defaults for everything but the identity and the configuration.
    pub fn new(my_sid: Sid, verifier: QuorumVerifier) -> ElectionConfig {
        let is_observer = verifier.is_observer(my_sid);
        ElectionConfig {
            my_sid,
            is_observer,
            verifier,
            next_verifier: None,
            reconfig_enabled: false,
            multi_address_enabled: false,
            min_notification_interval_ms: MIN_NOTIFICATION_INTERVAL_MS,
            max_notification_interval_ms: MAX_NOTIFICATION_INTERVAL_MS,
            finalize_wait_ms: FINALIZE_WAIT_MS,
        }
    }

    /// From a parsed zoo.cfg (None in standalone mode or without `myid`).
    pub fn from_config(cfg: &crate::config::Config) -> Option<ElectionConfig> {
        let my_sid = cfg.server_id? as Sid;
        let verifier = QuorumVerifier::new(&cfg.quorum);
        let mut e = ElectionConfig::new(my_sid, verifier);
        e.is_observer = cfg.peer_type == crate::config::LearnerType::Observer;
        e.next_verifier = cfg.last_seen_quorum.as_ref().map(QuorumVerifier::new);
        e.reconfig_enabled = cfg.reconfig_enabled;
        e.multi_address_enabled = cfg.multi_address_enabled;
        if cfg.fast_leader_min_notification_interval_ms > 0 {
            e.min_notification_interval_ms = cfg.fast_leader_min_notification_interval_ms as u64;
        }
        if cfg.fast_leader_max_notification_interval_ms > 0 {
            e.max_notification_interval_ms = cfg.fast_leader_max_notification_interval_ms as u64;
        }
        Some(e)
    }
}

/// A vote as ZooKeeper's `Vote` holds it. `state` and `version` only matter to [`Vote::matches`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vote {
    pub leader: Sid,
    pub zxid: i64,
    pub election_epoch: i64,
    pub peer_epoch: i64,
    pub state: ServerState,
    /// The notification format version the vote arrived with (0 when built locally).
    pub version: i32,
}

impl Vote {
    fn looking(leader: Sid, zxid: i64, election_epoch: i64, peer_epoch: i64) -> Vote {
        Vote {
            leader,
            zxid,
            election_epoch,
            peer_epoch,
            state: ServerState::Looking,
            version: 0,
        }
    }

    /// ZooKeeper's `Vote.equals`, which decides whose votes count toward a quorum: if either side is
    /// LOOKING, leader, zxid, election epoch and peer epoch must agree; between two non-LOOKING votes
    /// only the leader must agree when exactly one of them came in a versioned (> 0) notification, and
    /// the leader and peer epoch otherwise (ZOOKEEPER-1732: followers' zxids and election epochs differ).
    pub fn matches(&self, other: &Vote) -> bool {
        if self.state == ServerState::Looking || other.state == ServerState::Looking {
            self.leader == other.leader
                && self.zxid == other.zxid
                && self.election_epoch == other.election_epoch
                && self.peer_epoch == other.peer_epoch
        } else if (self.version > 0) ^ (other.version > 0) {
            self.leader == other.leader
        } else {
            self.leader == other.leader && self.peer_epoch == other.peer_epoch
        }
    }
}

/// How an election ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElectedVia {
    /// A quorum of LOOKING votes agreed with ours and no better vote came within finalizeWait.
    LookingQuorum,
    /// A quorum reported FOLLOWING/LEADING the same leader, which itself reported LEADING (or is us).
    Ensemble,
}

/// The outcome of an election round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elected {
    pub leader: Sid,
    /// The zxid the leader was elected with.
    pub zxid: i64,
    /// The logical clock of the round that decided.
    pub election_epoch: i64,
    /// The leader's epoch as voted (the epoch ZAB discovery starts from).
    pub peer_epoch: i64,
    /// LEADING, FOLLOWING or OBSERVING.
    pub state: ServerState,
    pub via: ElectedVia,
}

/// What the state machine asks its shell to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Send one notification to one peer.
    Send { to: Sid, notification: Notification },
    /// Send the same notification to each of `to` (our voters, us excluded).
    Broadcast {
        to: Vec<Sid>,
        notification: Notification,
    },
    /// The round is over: lead, follow or observe.
    Elected(Elected),
    /// A newer configuration arrived in a notification while looking. `installed` when reconfig is
    /// enabled and it became our committed config (persist it); `restarted` when it differs from the
    /// old one, in which case the election was reset (new logical clock from 0, as a new
    /// `FastLeaderElection` would be) and started over — the shell may drop its election connections.
    Reconfig {
        verifier: QuorumVerifier,
        installed: bool,
        restarted: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Constructed, `start` not called yet: notifications are queued.
    Idle,
    /// `lookForLeader` polling for notifications; re-broadcast at `poll_deadline`.
    Looking { poll_deadline: u64 },
    /// A quorum agreed with our proposal; it wins if nothing better arrives before `deadline`.
    Finalizing { deadline: u64 },
    /// Leading, following or observing (the peer state says which).
    Decided,
}

/// Fast leader election for one server.
///
/// ```text
///                 start / look_again
///     Idle ───────────────────────────► Looking ◄─────────────────────────┐
///                                      │   ▲  │ quorum of LOOKING votes   │ a better vote arrives
///   poll timeout: re-broadcast,        │   │  │ equal to our proposal     │ (it is then processed
///   interval doubles (200 ms → 60 s) ──┘   │  ▼                           │  as a normal vote)
///                                      │  Finalizing ──────────────────────┘
///                                      │   │ finalizeWait (200 ms) without a better vote
///       quorum FOLLOWING/LEADING the   │   ▼
///       same leader, which is LEADING  └─► Decided(LEADING | FOLLOWING | OBSERVING)
///                                           │ look_again (leader lost, sync failed …)
///                                           └────────────────────────────► Looking
/// ```
///
/// In every phase the receiver half answers: a non-voter gets our current vote; a LOOKING voter gets
/// our proposal if its logical clock is behind ours (while we look) or our current vote and state
/// (once decided).
#[derive(Debug)]
pub struct Election {
    cfg: ElectionConfig,
    verifier: QuorumVerifier,
    next_verifier: Option<QuorumVerifier>,
    config_bytes: Bytes,
    last_zxid: i64,
    current_epoch: i64,
    /// `logicalclock`: the election round.
    logical_clock: i64,
    proposed_leader: Sid,
    proposed_zxid: i64,
    proposed_epoch: i64,
    /// `QuorumPeer.currentVote`: the last decision (or our own vote before the first one).
    current_vote: Vote,
    /// `QuorumPeer.state`.
    peer_state: ServerState,
    phase: Phase,
    not_timeout_ms: u64,
    /// LOOKING votes of this round.
    recvset: BTreeMap<Sid, Vote>,
    /// FOLLOWING/LEADING votes of any round.
    outofelection: BTreeMap<Sid, Vote>,
    /// `recvqueue`: notifications from voters waiting for the lookForLeader loop (including our own).
    inbox: VecDeque<(Sid, Notification)>,
}

impl Election {
    /// A server with last logged zxid `last_zxid` and current epoch `current_epoch`, in state LOOKING.
    pub fn new(cfg: ElectionConfig, last_zxid: i64, current_epoch: i64) -> Election {
        let verifier = cfg.verifier.clone();
        let next_verifier = cfg.next_verifier.clone();
        let config_bytes = Bytes::from(verifier.config_string());
        let not_timeout_ms = cfg.min_notification_interval_ms;
        let current_vote = Vote {
            leader: cfg.my_sid,
            zxid: last_zxid,
            election_epoch: -1,
            peer_epoch: current_epoch,
            state: ServerState::Looking,
            version: 0,
        };
        Election {
            cfg,
            verifier,
            next_verifier,
            config_bytes,
            last_zxid,
            current_epoch,
            logical_clock: 0,
            proposed_leader: -1,
            proposed_zxid: -1,
            proposed_epoch: 0,
            current_vote,
            peer_state: ServerState::Looking,
            phase: Phase::Idle,
            not_timeout_ms,
            recvset: BTreeMap::new(),
            outofelection: BTreeMap::new(),
            inbox: VecDeque::new(),
        }
    }

    pub fn my_sid(&self) -> Sid {
        self.cfg.my_sid
    }

    /// LOOKING, FOLLOWING, LEADING or OBSERVING.
    pub fn state(&self) -> ServerState {
        self.peer_state
    }

    pub fn logical_clock(&self) -> i64 {
        self.logical_clock
    }

    /// Our proposal in the current round (leader, zxid, peer epoch; election epoch = logical clock).
    pub fn proposal(&self) -> Vote {
        Vote::looking(
            self.proposed_leader,
            self.proposed_zxid,
            self.logical_clock,
            self.proposed_epoch,
        )
    }

    /// `QuorumPeer.currentVote`: what we tell LOOKING peers once decided.
    pub fn current_vote(&self) -> Vote {
        self.current_vote
    }

    pub fn verifier(&self) -> &QuorumVerifier {
        &self.verifier
    }

    /// The latest time by which `tick` must be called (None: nothing is timed).
    pub fn next_deadline(&self) -> Option<u64> {
        match self.phase {
            Phase::Looking { poll_deadline } => Some(poll_deadline),
            Phase::Finalizing { deadline } => Some(deadline),
            Phase::Idle | Phase::Decided => None,
        }
    }

    /// Voters of the committed and the proposed configuration (`getCurrentAndNextConfigVoters`).
    pub fn voters(&self) -> BTreeSet<Sid> {
        let mut v = self.verifier.voters().clone();
        if let Some(next) = &self.next_verifier {
            v.extend(next.voters().iter().copied());
        }
        v
    }

    /// Starts the first round (`lookForLeader`).
    pub fn start(&mut self, now_ms: u64) -> Vec<Action> {
        let mut out = Vec::new();
        self.look_for_leader(now_ms, &mut out);
        out
    }

    /// Back to LOOKING after leading/following ended, with the zxid and epoch we now have.
    pub fn look_again(&mut self, now_ms: u64, last_zxid: i64, current_epoch: i64) -> Vec<Action> {
        self.last_zxid = last_zxid;
        self.current_epoch = current_epoch;
        self.peer_state = ServerState::Looking;
        let mut out = Vec::new();
        self.look_for_leader(now_ms, &mut out);
        out
    }

    /// `QuorumPeer.updateElectionVote`: once discovery settled on `new_epoch`, answer LOOKING peers with
    /// it as the peer epoch (ZOOKEEPER-1732).
    pub fn update_vote_peer_epoch(&mut self, new_epoch: i64) {
        self.current_vote.peer_epoch = new_epoch;
    }

    /// A notification from `from` (already decoded; see [`decode_notification`]).
    pub fn receive(&mut self, from: Sid, n: Notification, now_ms: u64) -> Vec<Action> {
        let mut out = Vec::new();
        self.receive_into(from, n, now_ms, &mut out);
        self.drain(now_ms, &mut out);
        out
    }

    /// Time passed: poll timeouts and the end of finalizeWait.
    pub fn tick(&mut self, now_ms: u64) -> Vec<Action> {
        let mut out = Vec::new();
        match self.phase {
            Phase::Finalizing { deadline } if now_ms >= deadline => {
                let vote = self.proposal();
                self.decide(vote, self.proposed_leader, ElectedVia::LookingQuorum, &mut out);
            }
            Phase::Looking { poll_deadline } if now_ms >= poll_deadline => {
                // Ref: FastLeaderElection.lookForLeader: no notification within notTimeout → send our
                // vote again (the shell reconnects as needed) and back off exponentially.
                self.send_notifications(&mut out);
                self.not_timeout_ms = (self.not_timeout_ms * 2).min(self.cfg.max_notification_interval_ms);
                self.phase = Phase::Looking {
                    poll_deadline: now_ms + self.not_timeout_ms,
                };
                self.drain(now_ms, &mut out);
            }
            _ => {}
        }
        out
    }

    // ---- lookForLeader ----

    fn look_for_leader(&mut self, now_ms: u64, out: &mut Vec<Action>) {
        self.recvset.clear();
        self.outofelection.clear();
        self.not_timeout_ms = self.cfg.min_notification_interval_ms;
        self.logical_clock += 1;
        self.proposed_leader = self.init_id();
        self.proposed_zxid = self.init_zxid();
        self.proposed_epoch = self.init_epoch();
        tracing::debug!(
            sid = self.cfg.my_sid,
            clock = self.logical_clock,
            zxid = format_args!("{:#x}", self.proposed_zxid),
            "new election round"
        );
        self.phase = Phase::Looking {
            poll_deadline: now_ms + self.not_timeout_ms,
        };
        self.send_notifications(out);
        self.drain(now_ms, out);
    }

    fn init_id(&self) -> Sid {
        if self.verifier.is_voter(self.cfg.my_sid) {
            self.cfg.my_sid
        } else {
            OBSERVER_VOTE
        }
    }

    fn init_zxid(&self) -> i64 {
        if self.cfg.is_observer {
            OBSERVER_VOTE
        } else {
            self.last_zxid
        }
    }

    fn init_epoch(&self) -> i64 {
        if self.cfg.is_observer {
            OBSERVER_VOTE
        } else {
            self.current_epoch
        }
    }

    fn learning_state(&self) -> ServerState {
        if self.cfg.is_observer {
            ServerState::Observing
        } else {
            ServerState::Following
        }
    }

    fn is_valid_voter(&self, sid: Sid) -> bool {
        self.verifier.is_voter(sid) || self.next_verifier.as_ref().is_some_and(|n| n.is_voter(sid))
    }

    fn notification(
        &self,
        state: ServerState,
        leader: Sid,
        zxid: i64,
        election_epoch: i64,
        peer_epoch: i64,
    ) -> Notification {
        Notification {
            state,
            leader,
            zxid,
            election_epoch,
            peer_epoch: Some(peer_epoch),
            version: Some(NOTIFICATION_VERSION),
            config: Some(self.config_bytes.clone()),
        }
    }

    /// `sendNotifications`: our proposal to every voter; our own copy goes straight to the inbox.
    fn send_notifications(&mut self, out: &mut Vec<Action>) {
        let n = self.notification(
            ServerState::Looking,
            self.proposed_leader,
            self.proposed_zxid,
            self.logical_clock,
            self.proposed_epoch,
        );
        let me = self.cfg.my_sid;
        let voters = self.voters();
        let to: Vec<Sid> = voters.iter().copied().filter(|s| *s != me).collect();
        if voters.contains(&me) {
            self.push_inbox(me, n.clone());
        }
        if !to.is_empty() {
            out.push(Action::Broadcast { to, notification: n });
        }
    }

    fn push_inbox(&mut self, from: Sid, n: Notification) {
        if self.inbox.len() >= MAX_INBOX {
            self.inbox.pop_front();
        }
        self.inbox.push_back((from, n));
    }

    /// `totalOrderPredicate`: is (id, zxid, epoch) a better leader than the current one?
    fn total_order(
        &self,
        new_id: Sid,
        new_zxid: i64,
        new_epoch: i64,
        cur_id: Sid,
        cur_zxid: i64,
        cur_epoch: i64,
    ) -> bool {
        total_order(
            &self.verifier,
            (new_id, new_zxid, new_epoch),
            (cur_id, cur_zxid, cur_epoch),
        )
    }

    /// `getVoteTracker(...).hasAllQuorums()`: do the votes equal to `target` form a quorum of the
    /// committed config (and of the proposed one, while it is newer)?
    fn has_all_quorums(&self, votes: &BTreeMap<Sid, Vote>, target: &Vote) -> bool {
        let acks: BTreeSet<Sid> = votes
            .iter()
            .filter(|(_, v)| target.matches(v))
            .map(|(sid, _)| *sid)
            .collect();
        let quorum_of = |qv: &QuorumVerifier| {
            let mine: BTreeSet<Sid> = acks.iter().copied().filter(|s| qv.is_voter(*s)).collect();
            qv.contains_quorum(&mine)
        };
        if !quorum_of(&self.verifier) {
            return false;
        }
        match &self.next_verifier {
            Some(next) if next.version() > self.verifier.version() => quorum_of(next),
            _ => true,
        }
    }

    /// `checkLeader`: a leader other than us must itself have said LEADING; we may only lead a round
    /// that is ours.
    fn check_leader(&self, votes: &BTreeMap<Sid, Vote>, leader: Sid, election_epoch: i64) -> bool {
        if leader != self.cfg.my_sid {
            votes
                .get(&leader)
                .is_some_and(|v| v.state == ServerState::Leading)
        } else {
            self.logical_clock == election_epoch
        }
    }

    // ---- WorkerReceiver ----

    fn receive_into(&mut self, from: Sid, mut n: Notification, now_ms: u64, out: &mut Vec<Action>) {
        // Normalise the older shapes: 28 bytes has no peer epoch; no version means 0.
        if n.peer_epoch.is_none() {
            n.peer_epoch = Some(n.zxid >> 32);
        }
        let version = *n.version.get_or_insert(0);
        if version <= 1 {
            n.config = None;
        }

        if let Some(config) = &n.config {
            if self.consider_config(config, now_ms, out) {
                // The election restarted: this notification belonged to the old one.
                return;
            }
        }

        if !self.is_valid_voter(from) {
            // Ref: FastLeaderElection.WorkerReceiver: a non-voter (observer) gets our current vote at once.
            let cv = self.current_vote;
            let reply = self.notification(
                self.peer_state,
                cv.leader,
                cv.zxid,
                self.logical_clock,
                cv.peer_epoch,
            );
            out.push(Action::Send {
                to: from,
                notification: reply,
            });
            return;
        }
        if matches!(n.state, ServerState::Unknown(_)) {
            return;
        }

        if self.peer_state == ServerState::Looking {
            let lagging = n.state == ServerState::Looking && n.election_epoch < self.logical_clock;
            self.push_inbox(from, n);
            if lagging {
                // A LOOKING peer behind our round learns our proposal.
                let reply = self.notification(
                    ServerState::Looking,
                    self.proposed_leader,
                    self.proposed_zxid,
                    self.logical_clock,
                    self.proposed_epoch,
                );
                out.push(Action::Send {
                    to: from,
                    notification: reply,
                });
            }
        } else if n.state == ServerState::Looking {
            // Decided: tell a LOOKING peer what we think the leader is, and our state.
            let cv = self.current_vote;
            let reply = self.notification(
                self.peer_state,
                cv.leader,
                cv.zxid,
                cv.election_epoch,
                cv.peer_epoch,
            );
            out.push(Action::Send {
                to: from,
                notification: reply,
            });
        }
    }

    /// A config string in a notification: newer than ours while looking → reconfig. Returns true when
    /// the election was restarted.
    fn consider_config(&mut self, config: &Bytes, now_ms: u64, out: &mut Vec<Action>) -> bool {
        let Ok(text) = std::str::from_utf8(config) else {
            return false;
        };
        // Cheap check first: most notifications carry a config no newer than ours.
        let version = text
            .rsplit('\n')
            .find_map(|line| line.trim().strip_prefix("version="))
            .and_then(|v| u64::from_str_radix(v.trim(), 16).ok());
        if version.is_some_and(|v| v <= self.verifier.version()) || self.peer_state != ServerState::Looking {
            return false;
        }
        let received = match QuorumVerifier::from_config_string(text, self.cfg.multi_address_enabled) {
            Ok(qv) => qv,
            Err(e) => {
                tracing::warn!("ignoring an unparsable config in a notification: {e}");
                return false;
            }
        };
        if received.version() <= self.verifier.version() || self.peer_state != ServerState::Looking {
            return false;
        }
        let previous = self.verifier.clone();
        let installed = self.cfg.reconfig_enabled;
        if installed {
            self.install_verifier(received.clone());
        }
        let restarted = !received.same_config(&previous);
        out.push(Action::Reconfig {
            verifier: received,
            installed,
            restarted,
        });
        if restarted {
            // Ref: WorkerReceiver: "restarting leader election" — a new FastLeaderElection (logical clock
            // from 0) and currentVote reset to our own vote (QuorumPeer.startLeaderElection).
            tracing::info!(
                sid = self.cfg.my_sid,
                "config changed: restarting leader election"
            );
            self.logical_clock = 0;
            self.inbox.clear();
            self.current_vote = Vote {
                leader: self.cfg.my_sid,
                zxid: self.last_zxid,
                election_epoch: -1,
                peer_epoch: self.current_epoch,
                state: ServerState::Looking,
                version: 0,
            };
            self.look_for_leader(now_ms, out);
        }
        restarted
    }

    fn install_verifier(&mut self, qv: QuorumVerifier) {
        if self
            .next_verifier
            .as_ref()
            .is_some_and(|n| n.version() <= qv.version())
        {
            self.next_verifier = None;
        }
        self.config_bytes = Bytes::from(qv.config_string());
        self.cfg.is_observer = qv.is_observer(self.cfg.my_sid);
        self.verifier = qv;
    }

    // ---- lookForLeader's loop body ----

    fn drain(&mut self, now_ms: u64, out: &mut Vec<Action>) {
        while matches!(self.phase, Phase::Looking { .. } | Phase::Finalizing { .. }) {
            let Some((from, n)) = self.inbox.pop_front() else {
                break;
            };
            self.process(from, n, now_ms, out);
        }
    }

    fn process(&mut self, from: Sid, n: Notification, now_ms: u64, out: &mut Vec<Action>) {
        let peer_epoch = n.peer_epoch.unwrap_or(n.zxid >> 32);
        if let Phase::Finalizing { .. } = self.phase {
            // Ref: lookForLeader: while waiting finalizeWait, a better vote reopens the round (it goes back
            // to the queue); anything else is dropped and the wait starts again.
            if self.total_order(
                n.leader,
                n.zxid,
                peer_epoch,
                self.proposed_leader,
                self.proposed_zxid,
                self.proposed_epoch,
            ) {
                self.phase = Phase::Looking {
                    poll_deadline: now_ms + self.not_timeout_ms,
                };
                self.inbox.push_back((from, n));
            } else {
                self.phase = Phase::Finalizing {
                    deadline: now_ms + self.cfg.finalize_wait_ms,
                };
            }
            return;
        }
        self.phase = Phase::Looking {
            poll_deadline: now_ms + self.not_timeout_ms,
        };
        if !(self.is_valid_voter(from) && self.is_valid_voter(n.leader)) {
            tracing::debug!(from, leader = n.leader, "ignoring a vote for or from a non-voter");
            return;
        }
        let version = n.version.unwrap_or(0);
        match n.state {
            ServerState::Looking => self.process_looking(from, &n, peer_epoch, now_ms, out),
            ServerState::Following | ServerState::Leading => {
                let vote = Vote {
                    leader: n.leader,
                    zxid: n.zxid,
                    election_epoch: n.election_epoch,
                    peer_epoch,
                    state: n.state,
                    version,
                };
                self.process_ensemble(from, vote, out);
            }
            ServerState::Observing | ServerState::Unknown(_) => {}
        }
    }

    fn process_looking(
        &mut self,
        from: Sid,
        n: &Notification,
        peer_epoch: i64,
        now_ms: u64,
        out: &mut Vec<Action>,
    ) {
        if self.init_zxid() == -1 || n.zxid == -1 {
            return;
        }
        if n.election_epoch > self.logical_clock {
            // Ref: lookForLeader LOOKING: a newer round — join it, forget this round's votes, and propose
            // the better of the sender's vote and our own.
            self.logical_clock = n.election_epoch;
            self.recvset.clear();
            let (id, zxid, epoch) = (self.init_id(), self.init_zxid(), self.init_epoch());
            if self.total_order(n.leader, n.zxid, peer_epoch, id, zxid, epoch) {
                self.update_proposal(n.leader, n.zxid, peer_epoch);
            } else {
                self.update_proposal(id, zxid, epoch);
            }
            self.send_notifications(out);
        } else if n.election_epoch < self.logical_clock {
            return;
        } else if self.total_order(
            n.leader,
            n.zxid,
            peer_epoch,
            self.proposed_leader,
            self.proposed_zxid,
            self.proposed_epoch,
        ) {
            self.update_proposal(n.leader, n.zxid, peer_epoch);
            self.send_notifications(out);
        }
        self.recvset.insert(
            from,
            Vote::looking(n.leader, n.zxid, n.election_epoch, peer_epoch),
        );
        if self.has_all_quorums(&self.recvset, &self.proposal()) {
            self.phase = Phase::Finalizing {
                deadline: now_ms + self.cfg.finalize_wait_ms,
            };
        }
    }

    /// `receivedFollowingNotification` / `receivedLeadingNotification` (no oracle).
    fn process_ensemble(&mut self, from: Sid, vote: Vote, out: &mut Vec<Action>) {
        if vote.election_epoch == self.logical_clock {
            // Same round: these count together with the LOOKING votes (stored without version).
            self.recvset.insert(from, Vote { version: 0, ..vote });
            if self.has_all_quorums(&self.recvset, &vote)
                && self.check_leader(&self.recvset, vote.leader, vote.election_epoch)
            {
                self.decide(vote, vote.leader, ElectedVia::Ensemble, out);
                return;
            }
        }
        // Joining an established ensemble: a quorum must follow the same leader (any round).
        self.outofelection.insert(from, vote);
        if self.has_all_quorums(&self.outofelection, &vote)
            && self.check_leader(&self.outofelection, vote.leader, vote.election_epoch)
        {
            self.logical_clock = vote.election_epoch;
            self.decide(vote, vote.leader, ElectedVia::Ensemble, out);
        }
    }

    fn update_proposal(&mut self, leader: Sid, zxid: i64, epoch: i64) {
        self.proposed_leader = leader;
        self.proposed_zxid = zxid;
        self.proposed_epoch = epoch;
    }

    fn decide(&mut self, vote: Vote, leader: Sid, via: ElectedVia, out: &mut Vec<Action>) {
        let state = if leader == self.cfg.my_sid {
            ServerState::Leading
        } else {
            self.learning_state()
        };
        self.peer_state = state;
        self.current_vote = Vote::looking(leader, vote.zxid, vote.election_epoch, vote.peer_epoch);
        self.phase = Phase::Decided;
        self.inbox.clear();
        tracing::info!(
            sid = self.cfg.my_sid,
            leader,
            ?state,
            clock = vote.election_epoch,
            zxid = format_args!("{:#x}", vote.zxid),
            peer_epoch = vote.peer_epoch,
            "election decided"
        );
        out.push(Action::Elected(Elected {
            leader,
            zxid: vote.zxid,
            election_epoch: vote.election_epoch,
            peer_epoch: vote.peer_epoch,
            state,
            via,
        }));
    }
}

/// `totalOrderPredicate`: `new` beats `cur` on (peer epoch, zxid, sid), in that order, unless `new`'s
/// candidate weighs 0.
pub fn total_order(qv: &QuorumVerifier, new: (Sid, i64, i64), cur: (Sid, i64, i64)) -> bool {
    let (new_id, new_zxid, new_epoch) = new;
    let (cur_id, cur_zxid, cur_epoch) = cur;
    if qv.weight(new_id) == 0 {
        return false;
    }
    (new_epoch, new_zxid, new_id) > (cur_epoch, cur_zxid, cur_id)
}

/// Decodes a notification body the way a Java 3.8 peer does (`WorkerReceiver`), or None where it drops
/// the message: < 28 bytes; 29–39 bytes other than 28/40 (short read); a config length < 0 or beyond the
/// message. Exactly 40 bytes means "peer epoch, no version" whatever the trailing int says; trailing bytes
/// after the config are ignored. The result always has `peer_epoch` and `version`.
pub fn decode_notification(body: &[u8]) -> Option<Notification> {
    let len = body.len();
    if len < 28 {
        return None;
    }
    let int = |at: usize| -> Option<i32> { Some(i32::from_be_bytes(body.get(at..at + 4)?.try_into().ok()?)) };
    let long =
        |at: usize| -> Option<i64> { Some(i64::from_be_bytes(body.get(at..at + 8)?.try_into().ok()?)) };
    let state = ServerState::from_raw(int(0)?);
    let leader = long(4)?;
    let zxid = long(12)?;
    let election_epoch = long(20)?;
    let (peer_epoch, version) = if len == 28 {
        (zxid >> 32, 0)
    } else if len == 40 {
        (long(28)?, 0)
    } else {
        (long(28)?, int(36)?)
    };
    let config = if version > 1 {
        let config_len = int(40)?;
        if config_len < 0 || config_len as usize > len {
            return None;
        }
        Some(Bytes::copy_from_slice(body.get(44..44 + config_len as usize)?))
    } else {
        None
    };
    Some(Notification {
        state,
        leader,
        zxid,
        election_epoch,
        peer_epoch: Some(peer_epoch),
        version: Some(version),
        config,
    })
}

#[cfg(test)]
mod tests;
