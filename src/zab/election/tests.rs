//! Table-driven tests, one rule each. "Ref:" names the FastLeaderElection (3.8) code path being checked.

use super::*;
use bytes::BytesMut;
use jute::Jute;

const T0: u64 = 10_000;

fn voters(n: Sid) -> QuorumVerifier {
    QuorumVerifier::majority(1..=n)
}

fn election(sid: Sid, qv: QuorumVerifier, zxid: i64, epoch: i64) -> Election {
    Election::new(ElectionConfig::new(sid, qv), zxid, epoch)
}

fn started(sid: Sid, n: Sid, zxid: i64, epoch: i64) -> (Election, Vec<Action>) {
    let mut e = election(sid, voters(n), zxid, epoch);
    let a = e.start(T0);
    (e, a)
}

fn note(state: ServerState, leader: Sid, zxid: i64, ee: i64, pe: i64) -> Notification {
    Notification {
        state,
        leader,
        zxid,
        election_epoch: ee,
        peer_epoch: Some(pe),
        version: Some(2),
        config: None,
    }
}

fn looking(leader: Sid, zxid: i64, ee: i64, pe: i64) -> Notification {
    note(ServerState::Looking, leader, zxid, ee, pe)
}

fn following(leader: Sid, zxid: i64, ee: i64, pe: i64) -> Notification {
    note(ServerState::Following, leader, zxid, ee, pe)
}

fn leading(leader: Sid, zxid: i64, ee: i64, pe: i64) -> Notification {
    note(ServerState::Leading, leader, zxid, ee, pe)
}

/// (state, leader, zxid, electionEpoch, peerEpoch) of a notification.
type Fields = (ServerState, Sid, i64, i64, i64);

fn fields(n: &Notification) -> Fields {
    (
        n.state,
        n.leader,
        n.zxid,
        n.election_epoch,
        n.peer_epoch.unwrap_or(i64::MIN),
    )
}

/// Every notification sent, as (to, fields), broadcasts expanded.
fn sent(actions: &[Action]) -> Vec<(Sid, Fields)> {
    let mut v = Vec::new();
    for a in actions {
        match a {
            Action::Send { to, notification } => v.push((*to, fields(notification))),
            Action::Broadcast { to, notification } => {
                v.extend(to.iter().map(|t| (*t, fields(notification))));
            }
            _ => {}
        }
    }
    v
}

fn broadcasts(actions: &[Action]) -> Vec<(Vec<Sid>, Fields)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Broadcast { to, notification } => Some((to.clone(), fields(notification))),
            _ => None,
        })
        .collect()
}

fn elected(actions: &[Action]) -> Option<Elected> {
    actions.iter().find_map(|a| match a {
        Action::Elected(e) => Some(*e),
        _ => None,
    })
}

use ServerState::{Following as F, Leading as L, Looking as K};

#[test]
fn start_votes_for_itself_and_tells_every_other_voter() {
    // Ref: lookForLeader: logicalclock.incrementAndGet(); updateProposal(getInitId(),
    // getInitLastLoggedZxid(), getPeerEpoch()); sendNotifications() — to every voter, ourselves through
    // the loopback.
    let (e, a) = started(2, 3, 0x1_0000_0005, 1);
    assert_eq!(e.logical_clock(), 1);
    assert_eq!(e.state(), K);
    assert_eq!(broadcasts(&a), vec![(vec![1, 3], (K, 2, 0x1_0000_0005, 1, 1))]);
    let Some(Action::Broadcast { notification, .. }) = a.first() else {
        panic!("{a:?}");
    };
    assert_eq!(notification.version, Some(2), "we send format version 2");
    assert_eq!(
        notification.config.as_deref(),
        Some(voters(3).config_string().as_bytes()),
        "with our config string"
    );
    assert_eq!(
        e.next_deadline(),
        Some(T0 + 200),
        "first poll timeout is minNotificationInterval"
    );
    assert!(elected(&a).is_none());
}

#[test]
fn observers_vote_long_min_value_and_do_not_count_themselves() {
    // Ref: getInitId / getInitLastLoggedZxid / getPeerEpoch: non-participants use Long.MIN_VALUE; they
    // send to voters only (getCurrentAndNextConfigVoters), so no loopback vote either.
    let qv = QuorumVerifier::from_config_string(
        "server.1=h:1:2\nserver.2=h:3:4\nserver.3=h:5:6\nserver.4=h:7:8:observer\nversion=0",
        false,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut e = Election::new(ElectionConfig::new(4, qv), 0x5, 1);
    let a = e.start(T0);
    let m = OBSERVER_VOTE;
    assert_eq!(broadcasts(&a), vec![(vec![1, 2, 3], (K, m, m, 1, m))]);
    // Two voters' LOOKING votes for 3 in round 1 are a quorum of voters: the observer ends OBSERVING.
    let mut all = e.receive(1, looking(3, 0, 1, 0), T0);
    all.extend(e.receive(3, looking(3, 0, 1, 0), T0));
    all.extend(e.tick(T0 + 200));
    let d = elected(&all).unwrap_or_else(|| panic!("{all:?}"));
    assert_eq!((d.leader, d.state), (3, ServerState::Observing));
}

#[test]
fn total_order_is_epoch_then_zxid_then_sid_and_weight_zero_never_wins() {
    // Ref: totalOrderPredicate.
    let maj = voters(3);
    type Candidate = (Sid, i64, i64);
    let table: &[(Candidate, Candidate, bool)] = &[
        // (id, zxid, epoch) new vs cur
        ((1, 0, 2), (3, 100, 1), true), // higher peer epoch wins over zxid and sid
        ((3, 100, 1), (1, 0, 2), false), // lower epoch loses
        ((1, 101, 1), (3, 100, 1), true), // same epoch: higher zxid
        ((3, 100, 1), (1, 101, 1), false),
        ((3, 100, 1), (2, 100, 1), true), // same epoch and zxid: higher sid
        ((2, 100, 1), (3, 100, 1), false),
        ((2, 100, 1), (2, 100, 1), false), // equal is not better
        ((1, 0, 0), (i64::MIN, i64::MIN, i64::MIN), true), // anything beats an observer's vote
    ];
    for (new, cur, want) in table {
        assert_eq!(total_order(&maj, *new, *cur), *want, "{new:?} vs {cur:?}");
    }
    let hier = QuorumVerifier::hierarchical(&[&[1, 2, 3]], &[(3, 0)]);
    assert!(!total_order(&hier, (3, 999, 9), (1, 0, 0)), "weight 0 never wins");
    assert!(total_order(&hier, (2, 0, 0), (1, 0, 0)));
}

#[test]
fn looking_votes_by_round() {
    // Ref: lookForLeader, case LOOKING. Server 2 (zxid 0x100000005, epoch 1) in round 1, proposing itself.
    struct Case {
        what: &'static str,
        n: Notification,
        clock: i64,
        proposal: (Sid, i64, i64),
        broadcast: bool,
        reply: bool,
    }
    let me = (2, 0x1_0000_0005, 1);
    let cases = [
        Case {
            what: "newer round, better vote: adopt the round and the vote",
            n: looking(3, 0x1_0000_0009, 4, 1),
            clock: 4,
            proposal: (3, 0x1_0000_0009, 1),
            broadcast: true,
            reply: false,
        },
        Case {
            what: "newer round, worse vote: adopt the round, propose our own vote again",
            n: looking(1, 0x1_0000_0001, 4, 1),
            clock: 4,
            proposal: me,
            broadcast: true,
            reply: false,
        },
        Case {
            what: "older round: ignored, but the lagging sender gets our proposal",
            n: looking(3, 0x9_0000_0000, 0, 9),
            clock: 1,
            proposal: me,
            broadcast: false,
            reply: true,
        },
        Case {
            what: "same round, better vote: adopt and re-broadcast",
            n: looking(1, 0x1_0000_0000, 1, 2),
            clock: 1,
            proposal: (1, 0x1_0000_0000, 2),
            broadcast: true,
            reply: false,
        },
        Case {
            what: "same round, worse vote: keep ours, say nothing",
            n: looking(3, 0x1_0000_0004, 1, 1),
            clock: 1,
            proposal: me,
            broadcast: false,
            reply: false,
        },
    ];
    for c in cases {
        let (mut e, _) = started(2, 3, 0x1_0000_0005, 1);
        let from = if c.n.leader == 1 { 1 } else { 3 };
        let a = e.receive(from, c.n.clone(), T0 + 1);
        assert_eq!(e.logical_clock(), c.clock, "{}", c.what);
        let p = e.proposal();
        assert_eq!((p.leader, p.zxid, p.peer_epoch), c.proposal, "{}", c.what);
        assert_eq!(!broadcasts(&a).is_empty(), c.broadcast, "{}: {a:?}", c.what);
        let replies: Vec<_> = a.iter().filter(|a| matches!(a, Action::Send { .. })).collect();
        assert_eq!(!replies.is_empty(), c.reply, "{}: {a:?}", c.what);
        if c.reply {
            assert_eq!(sent(&a), vec![(from, (K, 2, 0x1_0000_0005, 1, 1))], "{}", c.what);
        }
        assert!(elected(&a).is_none(), "{}", c.what);
    }
}

#[test]
fn quorum_then_finalize_wait_then_decide() {
    // Ref: lookForLeader: voteSet.hasAllQuorums() → poll(finalizeWait) until nothing better arrives.
    let (mut e, _) = started(1, 3, 0, 0);
    let a = e.receive(2, looking(2, 0, 1, 0), T0 + 10);
    assert_eq!(broadcasts(&a), vec![(vec![2, 3], (K, 2, 0, 1, 0))], "adopts 2");
    // recvset = {1: 2, 2: 2} is a quorum of 3 → finalizing.
    assert_eq!(e.next_deadline(), Some(T0 + 10 + 200));
    assert!(e.tick(T0 + 209).is_empty(), "not before finalizeWait");
    let a = e.tick(T0 + 210);
    let d = elected(&a).unwrap_or_else(|| panic!("{a:?}"));
    assert_eq!(
        d,
        Elected {
            leader: 2,
            zxid: 0,
            election_epoch: 1,
            peer_epoch: 0,
            state: F,
            via: ElectedVia::LookingQuorum,
        }
    );
    assert_eq!(e.state(), F);
    assert_eq!(e.next_deadline(), None);
}

#[test]
fn the_winner_leads() {
    let (mut e, _) = started(3, 3, 0, 0);
    e.receive(1, looking(1, 0, 1, 0), T0);
    assert!(e.next_deadline() == Some(T0 + 200), "poll, not finalizing yet");
    e.receive(2, looking(3, 0, 1, 0), T0 + 5);
    let a = e.tick(T0 + 205);
    assert_eq!(elected(&a).map(|d| (d.leader, d.state)), Some((3, L)));
}

#[test]
fn finalize_wait_drops_worse_votes_and_reopens_for_better_ones() {
    // Ref: lookForLeader: inside the finalizeWait loop a vote that is not better is consumed (dropped)
    // and the wait restarts; a better one is put back and the round goes on.
    let (mut e, _) = started(1, 5, 0, 0);
    e.receive(2, looking(3, 0, 1, 0), T0);
    e.receive(3, looking(3, 0, 1, 0), T0);
    e.receive(4, looking(3, 0, 1, 0), T0);
    assert_eq!(
        e.next_deadline(),
        Some(T0 + 200),
        "{{1,2,3}} agree on 3 → finalizing"
    );
    // A worse vote at +150: dropped, the wait restarts.
    let a = e.receive(5, looking(2, 0, 1, 0), T0 + 150);
    assert!(a.is_empty(), "{a:?}");
    assert_eq!(e.next_deadline(), Some(T0 + 350));
    assert!(elected(&e.tick(T0 + 349)).is_none());
    // A better one at +300: adopted, broadcast, and a new quorum is needed.
    let a = e.receive(5, looking(5, 0, 1, 0), T0 + 300);
    assert_eq!(broadcasts(&a), vec![(vec![2, 3, 4, 5], (K, 5, 0, 1, 0))]);
    assert_eq!(e.next_deadline(), Some(T0 + 300 + 200), "polling again");
    assert!(
        elected(&e.tick(T0 + 600)).is_none(),
        "poll timeout, not a decision"
    );
    e.receive(2, looking(5, 0, 1, 0), T0 + 601);
    let a = e.tick(T0 + 801);
    assert_eq!(elected(&a).map(|d| d.leader), Some(5));
}

#[test]
fn poll_timeout_rebroadcasts_with_exponential_backoff() {
    // Ref: lookForLeader: poll(notTimeout) returned nothing → sendNotifications();
    // notTimeout = min(notTimeout << 1, maxNotificationInterval).
    let (mut e, _) = started(1, 3, 0, 0);
    let mut now = T0;
    let mut intervals = Vec::new();
    for _ in 0..12 {
        let deadline = e
            .next_deadline()
            .unwrap_or_else(|| panic!("looking has a deadline"));
        intervals.push(deadline - now);
        now = deadline;
        let a = e.tick(now);
        assert_eq!(broadcasts(&a), vec![(vec![2, 3], (K, 1, 0, 1, 0))]);
    }
    assert_eq!(
        intervals,
        vec![200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000, 60000]
    );
    // Any notification polled (even one from an older round, ignored) restarts the wait at the same
    // interval.
    e.receive(2, looking(2, 0, 0, 0), now + 7);
    assert_eq!(e.next_deadline(), Some(now + 7 + 60000));
    // A new round starts from the minimum again.
    let mut f = election(1, voters(3), 0, 0);
    f.start(0);
    assert_eq!(f.next_deadline(), Some(200));
}

#[test]
fn joining_an_established_ensemble() {
    // Ref: receivedFollowingNotification: outofelection needs a quorum following the same leader AND
    // the leader itself reporting LEADING (checkLeader); then we adopt its round.
    struct Case {
        what: &'static str,
        msgs: Vec<(Sid, Notification)>,
        want: Option<(Sid, ServerState, i64)>,
    }
    let cases = [
        Case {
            what: "follower + leader of round 7",
            msgs: vec![
                (1, following(2, 0x3_0000_0001, 7, 3)),
                (2, leading(2, 0x3_0000_0001, 7, 3)),
            ],
            want: Some((2, F, 7)),
        },
        Case {
            what: "a quorum follows 2 but 2 itself does not say LEADING",
            msgs: vec![
                (1, following(2, 0x3_0000_0001, 7, 3)),
                (2, following(2, 0x3_0000_0001, 7, 3)),
            ],
            want: None,
        },
        Case {
            what: "the leader alone is not a quorum",
            msgs: vec![(2, leading(2, 0x3_0000_0001, 7, 3))],
            want: None,
        },
        Case {
            what: "followers' zxids and rounds may differ (ZOOKEEPER-1732); version>0 on both sides → \
                   leader and peer epoch must match",
            msgs: vec![
                (1, following(2, 0x3_0000_0009, 5, 3)),
                (2, leading(2, 0x3_0000_0001, 7, 3)),
            ],
            want: Some((2, F, 7)),
        },
        Case {
            what: "peer epochs disagree between two versioned votes: no quorum",
            msgs: vec![
                (1, following(2, 0x3_0000_0001, 7, 2)),
                (2, leading(2, 0x3_0000_0001, 7, 3)),
            ],
            want: None,
        },
    ];
    for c in cases {
        // Server 3 of 3 in round 1 with a better zxid than anyone: an established ensemble still wins.
        let mut e = election(3, voters(3), 0x9_0000_0000, 9);
        e.start(T0);
        let mut all = Vec::new();
        for (from, n) in c.msgs {
            all.extend(e.receive(from, n, T0 + 1));
        }
        let got = elected(&all).map(|d| (d.leader, d.state, e.logical_clock()));
        assert_eq!(got, c.want, "{}: {all:?}", c.what);
        if c.want.is_none() {
            assert_eq!(e.state(), K, "{}", c.what);
        }
    }
}

#[test]
fn following_votes_of_our_own_round_count_with_looking_ones() {
    // Ref: receivedFollowingNotification, n.electionEpoch == logicalclock: recvset (LOOKING and
    // FOLLOWING votes together) — a LOOKING vote equals only if zxid and rounds match too.
    let (mut e, _) = started(3, 3, 0, 0);
    // 1 voted LOOKING for 2 in round 1, 2 says LEADING in round 1.
    e.receive(1, looking(2, 0, 1, 0), T0);
    let a = e.receive(2, leading(2, 0, 1, 0), T0);
    // Vote(LEADING, v2) vs recvset[1] (LOOKING): all four fields equal → 1 counts. Quorum {1,2} + 2 LEADING.
    let d = elected(&a).unwrap_or_else(|| panic!("{a:?}"));
    assert_eq!((d.leader, d.state, d.via), (2, F, ElectedVia::Ensemble));
}

#[test]
fn we_lead_only_a_round_that_is_ours() {
    // Ref: checkLeader: if the leader is us, the notifications' round must equal our logical clock.
    let (mut e, _) = started(2, 3, 0, 0);
    // Followers of "2" from an older round 5 while we are in round 1: quorum but not ours → stay looking.
    let mut a = e.receive(1, following(2, 0, 5, 1), T0);
    a.extend(e.receive(3, following(2, 0, 5, 1), T0));
    assert!(elected(&a).is_none(), "{a:?}");
    // Same round: lead.
    let (mut e, _) = started(2, 3, 0, 0);
    let mut a = e.receive(1, following(2, 0, 1, 0), T0);
    a.extend(e.receive(3, following(2, 0, 1, 0), T0));
    assert_eq!(elected(&a).map(|d| d.state), Some(L));
}

#[test]
fn decided_servers_answer_looking_peers_with_their_vote_and_state() {
    // Ref: WorkerReceiver, not LOOKING: a LOOKING sender gets currentVote (its election epoch) and our
    // state; a non-LOOKING sender gets nothing.
    let (mut e, _) = started(1, 3, 0, 0);
    e.receive(2, looking(2, 0, 1, 0), T0);
    let d = elected(&e.tick(T0 + 200)).unwrap_or_else(|| panic!("decides"));
    assert_eq!(d.state, F);
    let a = e.receive(3, looking(3, 0x7, 1, 0), T0 + 300);
    assert_eq!(sent(&a), vec![(3, (F, 2, 0, 1, 0))]);
    assert!(e.receive(3, following(2, 0, 1, 0), T0 + 301).is_empty());
    assert!(e.tick(T0 + 100_000).is_empty(), "no timers once decided");
    // After discovery, the peer epoch of our vote is the new epoch (QuorumPeer.updateElectionVote).
    e.update_vote_peer_epoch(1);
    let a = e.receive(3, looking(3, 0x7, 2, 0), T0 + 400);
    assert_eq!(sent(&a), vec![(3, (F, 2, 0, 1, 1))]);
}

#[test]
fn non_voters_get_our_current_vote_and_are_otherwise_ignored() {
    // Ref: WorkerReceiver: !validVoter(response.sid) → reply with getCurrentVote(), logicalclock and our
    // state; the notification never reaches lookForLeader.
    let (mut e, _) = started(1, 3, 0x5, 2);
    let a = e.receive(9, looking(9, 0x99, 1, 9), T0);
    // currentVote before any decision is our own vote (QuorumPeer.startLeaderElection).
    assert_eq!(sent(&a), vec![(9, (K, 1, 0x5, 1, 2))]);
    assert_eq!(e.proposal().leader, 1, "not adopted");
    // A vote *for* a non-voter from a voter is ignored too.
    let a = e.receive(2, looking(9, 0x99, 1, 9), T0);
    assert!(a.is_empty(), "{a:?}");
    assert_eq!(e.proposal().leader, 1);
}

#[test]
fn ignored_notifications() {
    // Ref: lookForLeader: n.zxid == -1 is ignored; an unknown state is dropped by WorkerReceiver;
    // OBSERVING notifications are ignored.
    let (mut e, _) = started(1, 3, 0, 0);
    let cases = [
        looking(3, -1, 1, 9),
        note(ServerState::Unknown(7), 3, 5, 1, 9),
        note(ServerState::Observing, 3, 5, 1, 9),
    ];
    for n in cases {
        let a = e.receive(3, n.clone(), T0);
        assert!(a.is_empty(), "{n:?}: {a:?}");
        assert_eq!(e.proposal().leader, 1, "{n:?}");
    }
    // Our own zxid -1: LOOKING votes are ignored altogether.
    let (mut e, _) = started(1, 3, -1, 0);
    assert!(e.receive(3, looking(3, 5, 1, 9), T0).is_empty());
    assert_eq!(e.proposal().leader, 1);
}

#[test]
fn notifications_before_start_are_kept_for_the_first_round() {
    // Ref: the receiver queues into recvqueue as soon as the FLE object starts; lookForLeader polls
    // them after its own first broadcast.
    let mut e = election(1, voters(3), 0, 0);
    assert!(e.receive(3, looking(3, 0, 1, 0), T0).is_empty());
    let a = e.start(T0);
    assert_eq!(
        broadcasts(&a),
        vec![(vec![2, 3], (K, 1, 0, 1, 0)), (vec![2, 3], (K, 3, 0, 1, 0))]
    );
    assert_eq!(
        e.next_deadline(),
        Some(T0 + 200),
        "{{1,3}} agree on 3: finalizing"
    );
}

#[test]
fn look_again_starts_a_new_round_with_new_state() {
    let (mut e, _) = started(1, 3, 0, 0);
    e.receive(2, looking(2, 0, 1, 0), T0);
    e.tick(T0 + 200);
    assert_eq!(e.state(), F);
    let a = e.look_again(T0 + 1000, 0x1_0000_0003, 1);
    assert_eq!(e.state(), K);
    assert_eq!(e.logical_clock(), 2);
    assert_eq!(broadcasts(&a), vec![(vec![2, 3], (K, 1, 0x1_0000_0003, 2, 1))]);
    // Non-voters still get the last decision as current vote while we look again.
    let a = e.receive(7, looking(7, 0, 1, 0), T0 + 1001);
    assert_eq!(sent(&a), vec![(7, (K, 2, 0, 2, 0))]);
}

#[test]
fn vote_equality_follows_zookeeper() {
    // Ref: Vote.equals.
    let v = |state, version, leader, zxid, ee, pe| Vote {
        leader,
        zxid,
        election_epoch: ee,
        peer_epoch: pe,
        state,
        version,
    };
    let table = [
        (v(K, 0, 1, 5, 1, 1), v(K, 2, 1, 5, 1, 1), true),
        (v(K, 0, 1, 5, 1, 1), v(F, 2, 1, 5, 2, 1), false), // LOOKING: election epoch matters
        (v(K, 0, 1, 5, 1, 1), v(F, 2, 1, 6, 1, 1), false), // LOOKING: zxid matters
        (v(F, 0, 1, 5, 1, 1), v(L, 2, 1, 9, 4, 7), true),  // version 0 vs 2: leader only
        (v(F, 2, 1, 5, 1, 1), v(L, 2, 1, 9, 4, 1), true),  // both versioned: leader + peer epoch
        (v(F, 2, 1, 5, 1, 1), v(L, 2, 1, 5, 1, 2), false),
        (v(F, 0, 1, 5, 1, 1), v(L, 0, 1, 9, 4, 2), false), // both unversioned: leader + peer epoch
        (v(F, 2, 1, 5, 1, 1), v(L, 2, 2, 5, 1, 1), false),
    ];
    for (a, b, want) in table {
        assert_eq!(a.matches(&b), want, "{a:?} vs {b:?}");
        assert_eq!(b.matches(&a), want, "symmetric: {b:?} vs {a:?}");
    }
}

#[test]
fn hierarchical_quorums_decide_by_groups() {
    // Ref: getVoteTracker → QuorumHierarchical.containsQuorum. Groups {1,2,3} and {4,5}: votes from
    // 1,2 (majority of group 1 only) are not enough; 1,2,4,5 are.
    let qv = QuorumVerifier::hierarchical(&[&[1, 2, 3], &[4, 5]], &[]);
    let mut e = election(5, qv, 0, 0);
    e.start(T0);
    let mut a = e.receive(1, looking(5, 0, 1, 0), T0);
    a.extend(e.receive(2, looking(5, 0, 1, 0), T0));
    assert_eq!(e.next_deadline(), Some(T0 + 200), "polling (not finalizing)");
    assert!(elected(&e.tick(T0 + 200)).is_none());
    e.receive(4, looking(5, 0, 1, 0), T0 + 201);
    let a = e.tick(T0 + 401);
    assert_eq!(elected(&a).map(|d| d.state), Some(L));
}

#[test]
fn a_weight_zero_server_is_never_adopted() {
    let qv = QuorumVerifier::hierarchical(&[&[1, 2, 3]], &[(3, 0)]);
    let mut e = election(1, qv, 0, 0);
    e.start(T0);
    let a = e.receive(3, looking(3, 0x9, 1, 9), T0);
    assert!(broadcasts(&a).is_empty(), "{a:?}");
    assert_eq!(e.proposal().leader, 1);
}

#[test]
fn a_newer_config_restarts_the_election() {
    // Ref: WorkerReceiver: rqv.getVersion() > curQV.getVersion() while LOOKING → processReconfig; if the
    // config differs, the election restarts (a new FastLeaderElection: logical clock from 0).
    let old = QuorumVerifier::from_config_string(
        "server.1=h:1:2\nserver.2=h:3:4\nserver.3=h:5:6\nversion=0",
        false,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let newer = "server.1=h:1:2\nserver.2=h:3:4\nserver.3=h:5:6\nserver.4=h:7:8\nversion=100000000";
    let same = "server.1=h:1:2\nserver.2=h:3:4\nserver.3=h:5:6\nversion=100000000";
    for (text, reconfig_enabled, restart) in [(newer, true, true), (same, true, false), (newer, false, true)]
    {
        let mut cfg = ElectionConfig::new(1, old.clone());
        cfg.reconfig_enabled = reconfig_enabled;
        let mut e = Election::new(cfg, 0, 0);
        e.start(T0);
        e.receive(2, looking(2, 0, 3, 0), T0);
        assert_eq!(e.logical_clock(), 3);
        let mut n = looking(3, 0, 3, 0);
        n.config = Some(Bytes::from(text));
        let a = e.receive(3, n, T0 + 1);
        let Some(Action::Reconfig {
            installed, restarted, ..
        }) = a.first()
        else {
            panic!("{a:?}");
        };
        assert_eq!((*installed, *restarted), (reconfig_enabled, restart), "{text}");
        if restart {
            assert_eq!(e.logical_clock(), 1, "new election object");
            let to = if reconfig_enabled {
                vec![2, 3, 4]
            } else {
                vec![2, 3]
            };
            assert_eq!(broadcasts(&a), vec![(to, (K, 1, 0, 1, 0))]);
        } else {
            assert_eq!(e.verifier().version(), 0x1_0000_0000, "installed");
            assert_eq!(e.proposal().leader, 3, "and the vote was processed");
        }
    }
}

#[test]
fn decode_accepts_what_java_accepts() {
    // Ref: WorkerReceiver message parsing (capacity 28 / 40 / other).
    let mut base = BytesMut::new();
    looking(3, 0x2_0000_0001, 5, 7).encode(&mut base);
    // Without a config our encoder stops after the version: exactly 40 bytes, read as "no version".
    let forty = base.to_vec();
    assert_eq!(forty.len(), 40);
    assert_eq!(decode_notification(&forty).map(|d| d.version), Some(Some(0)));

    let mut n = looking(3, 0x2_0000_0001, 5, 7);
    n.config = Some(Bytes::from_static(b"version=0"));
    let full = n.to_bytes().to_vec();
    let d = decode_notification(&full).unwrap_or_else(|| panic!("decodes"));
    assert_eq!(d, n);
    // Trailing garbage after the config is ignored.
    let mut longer = full.clone();
    longer.extend_from_slice(&[1, 2, 3]);
    assert_eq!(decode_notification(&longer), Some(n.clone()));

    let d28 = decode_notification(&full[..28]).unwrap_or_else(|| panic!("28 bytes"));
    assert_eq!(
        (d28.peer_epoch, d28.version, d28.config.clone()),
        (Some(2), Some(0), None)
    );
    let mut forty = full[..36].to_vec();
    forty.extend_from_slice(&7i32.to_be_bytes());
    let d40 = decode_notification(&forty).unwrap_or_else(|| panic!("40 bytes"));
    assert_eq!(
        (d40.peer_epoch, d40.version),
        (Some(7), Some(0)),
        "the 40-byte trailing int is ignored"
    );
    let mut v1 = full[..40].to_vec();
    v1[36..40].copy_from_slice(&1i32.to_be_bytes());
    v1.extend_from_slice(&[0; 8]);
    assert_eq!(decode_notification(&v1).map(|d| d.version), Some(Some(1)));

    for bad_len in [0, 27, 29, 35, 36, 39, 41, 43] {
        assert!(decode_notification(&full[..bad_len]).is_none(), "{bad_len} bytes");
    }
    let mut neg = full.clone();
    neg[40..44].copy_from_slice(&(-1i32).to_be_bytes());
    assert!(decode_notification(&neg).is_none(), "negative configLength");
    let mut huge = full.clone();
    huge[40..44].copy_from_slice(&1000i32.to_be_bytes());
    assert!(
        decode_notification(&huge).is_none(),
        "configLength beyond the message"
    );
}

/// The frames of one direction of a golden election capture: the initial message (if this side dialled)
/// and the length-prefixed notifications.
fn golden(text: &str, side: char) -> Vec<Vec<u8>> {
    let mut stream = Vec::new();
    for line in text.lines() {
        if let Some(hex) = line.strip_prefix(side).and_then(|l| l.strip_prefix(' ')) {
            for i in (0..hex.len()).step_by(2) {
                stream.push(u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or_else(|e| panic!("{e}")));
            }
        }
    }
    let mut frames = Vec::new();
    let mut at = 0;
    if stream.len() >= 8 && stream[..8] == (-65536i64).to_be_bytes() {
        let len = i32::from_be_bytes([stream[16], stream[17], stream[18], stream[19]]) as usize;
        at = 20 + len;
    }
    while at + 4 <= stream.len() {
        let len = i32::from_be_bytes([stream[at], stream[at + 1], stream[at + 2], stream[at + 3]]) as usize;
        frames.push(stream[at + 4..at + 4 + len].to_vec());
        at += 4 + len;
    }
    frames
}

const SERVER1_CONFIG: &str =
    "server.1=127.0.0.1:33741:56451:participant\nserver.2=127.0.0.1:41071:35715:participant\n\
                              server.3=127.0.0.1:47489:35715:participant\nversion=0";

fn encode(n: &Notification) -> Vec<u8> {
    n.to_bytes().to_vec()
}

fn only_notification(a: &[Action]) -> Notification {
    match a {
        [Action::Broadcast { notification, .. }] | [Action::Send { notification, .. }] => {
            notification.clone()
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn golden_java_election_2_to_1_is_reproduced_byte_for_byte() {
    // compat-tests/golden: Java server 1 first sent its own vote, then adopted server 2's.
    let text = include_str!("../../../compat-tests/golden/fixtures/quorum/election-2to1-1.raw");
    let from1 = golden(text, 'S');
    let from2 = golden(text, 'C');
    let qv = QuorumVerifier::from_config_string(SERVER1_CONFIG, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(qv.config_string(), SERVER1_CONFIG);
    let mut e = election(1, qv, 0, 0);
    let first = only_notification(&e.start(T0));
    assert_eq!(encode(&first), from1[0]);
    let two = decode_notification(&from2[0]).unwrap_or_else(|| panic!("decodes"));
    let second = only_notification(&e.receive(2, two, T0 + 1));
    assert_eq!(encode(&second), from1[1]);
}

#[test]
fn golden_java_follower_answer_to_a_late_peer_is_reproduced_byte_for_byte() {
    // compat-tests/golden: follower 1 (leader 2, new epoch 1) answered late server 3's LOOKING vote with
    // FOLLOWING (2, zxid 0, round 1, peer epoch 1) — after first re-sending its stale LOOKING vote.
    let text = include_str!("../../../compat-tests/golden/fixtures/quorum/election-3to1-1.raw");
    let from1 = golden(text, 'S');
    let from3 = golden(text, 'C');
    let qv = QuorumVerifier::from_config_string(SERVER1_CONFIG, false).unwrap_or_else(|e| panic!("{e}"));
    let mut e = election(1, qv, 0, 0);
    e.start(T0);
    let adopted = only_notification(&e.receive(2, looking(2, 0, 1, 0), T0));
    assert_eq!(
        encode(&adopted),
        from1[0],
        "the stale last message is the adopted LOOKING vote"
    );
    assert_eq!(elected(&e.tick(T0 + 200)).map(|d| d.leader), Some(2));
    e.update_vote_peer_epoch(1);
    let late = decode_notification(&from3[0]).unwrap_or_else(|| panic!("decodes"));
    assert_eq!(fields(&late), (K, 3, 0, 1, 0));
    let answer = only_notification(&e.receive(3, late, T0 + 5000));
    assert_eq!(encode(&answer), from1[1]);
}
