//! Quorum verifiers: which sets of voters form a quorum.
//!
//! Two rules, as ZooKeeper's `QuorumMaj` and `QuorumHierarchical` decide them:
//!
//! ```text
//! majority      quorum(S) <=> |S ∩ voters| > floor(|voters| / 2)
//! hierarchical  g(S, G)   <=> sum of weight(s) for s in S ∩ G  >  floor(weight(G) / 2)
//!               quorum(S) <=> S non-empty and #{G : g(S, G)} > floor(#nonzero-weight groups / 2)
//! ```
//!
//! Weights only matter to the hierarchical rule (a majority verifier weighs every server 1). A server of
//! weight 0 still belongs to its group but never tips a group's majority, and fast leader election never
//! elects it. Groups whose total weight is 0 are left out of the group count.
//!
//! Ids are `i64` here, as on the wire (`Long`); configuration ids (`u64`) always fit.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::quorum::{build_members, MemberEntry};
use crate::config::{ConfigError, Location, Properties, QuorumMembers};

/// A server id as the quorum protocols carry it.
pub type Sid = i64;

/// How a verifier counts.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    /// A strict majority of the voters.
    Majority,
    /// A majority (by weight) in a majority of the groups.
    Hierarchical {
        group_of: BTreeMap<Sid, u64>,
        weight: BTreeMap<Sid, u64>,
        group_weight: BTreeMap<u64, u64>,
        /// Groups with a non-zero total weight.
        counted_groups: usize,
    },
}

/// A configuration's quorum rule plus its membership and version (ZooKeeper's `QuorumVerifier`).
#[derive(Debug, Clone, PartialEq)]
pub struct QuorumVerifier {
    members: QuorumMembers,
    voters: BTreeSet<Sid>,
    observers: BTreeSet<Sid>,
    rule: Rule,
}

impl QuorumVerifier {
    /// The verifier of a parsed membership: hierarchical when the configuration has any `group`/`weight`
    /// key, majority otherwise.
    pub fn new(members: &QuorumMembers) -> QuorumVerifier {
        let voters: BTreeSet<Sid> = members.voting_members().map(|s| s.id as Sid).collect();
        let observers: BTreeSet<Sid> = members.observers().map(|s| s.id as Sid).collect();
        let rule = if members.hierarchical {
            let mut group_of = BTreeMap::new();
            let mut weight = BTreeMap::new();
            let mut group_weight: BTreeMap<u64, u64> = BTreeMap::new();
            for (gid, sids) in &members.groups {
                group_weight.entry(*gid).or_insert(0);
                for sid in sids {
                    let w = members.weight(*sid);
                    group_of.insert(*sid as Sid, *gid);
                    weight.insert(*sid as Sid, w);
                    *group_weight.entry(*gid).or_insert(0) += w;
                }
            }
            for v in &voters {
                weight.entry(*v).or_insert_with(|| members.weight(*v as u64));
            }
            let counted_groups = group_weight.values().filter(|w| **w > 0).count();
            Rule::Hierarchical {
                group_of,
                weight,
                group_weight,
                counted_groups,
            }
        } else {
            Rule::Majority
        };
        QuorumVerifier {
            members: members.clone(),
            voters,
            observers,
            rule,
        }
    }

    /// A majority verifier over voters `sids` (tests and simulations).
    pub fn majority(sids: impl IntoIterator<Item = Sid>) -> QuorumVerifier {
        let mut members = QuorumMembers::default();
        for sid in sids {
            members.servers.insert(sid as u64, placeholder_server(sid));
        }
        QuorumVerifier::new(&members)
    }

    /// A hierarchical verifier (tests and simulations): `groups` of voter ids, `weights` for the servers
    /// that do not weigh 1.
    pub fn hierarchical(groups: &[&[Sid]], weights: &[(Sid, u64)]) -> QuorumVerifier {
        let mut members = QuorumMembers {
            hierarchical: true,
            ..QuorumMembers::default()
        };
        for (i, group) in groups.iter().enumerate() {
            for sid in group.iter() {
                members.servers.insert(*sid as u64, placeholder_server(*sid));
                members.weights.insert(*sid as u64, 1);
            }
            members
                .groups
                .insert(i as u64 + 1, group.iter().map(|s| *s as u64).collect());
        }
        for (sid, w) in weights {
            members.weights.insert(*sid as u64, *w);
        }
        QuorumVerifier::new(&members)
    }

    /// True when `acks` holds a quorum. Ids that are not voters of this configuration count for nothing.
    pub fn contains_quorum(&self, acks: &BTreeSet<Sid>) -> bool {
        match &self.rule {
            Rule::Majority => acks.iter().filter(|s| self.voters.contains(s)).count() > self.voters.len() / 2,
            Rule::Hierarchical {
                group_of,
                weight,
                group_weight,
                counted_groups,
            } => {
                if acks.is_empty() {
                    return false;
                }
                let mut got: BTreeMap<u64, u64> = BTreeMap::new();
                for sid in acks {
                    if let Some(gid) = group_of.get(sid) {
                        *got.entry(*gid).or_insert(0) += weight.get(sid).copied().unwrap_or(0);
                    }
                }
                let majority_groups = got
                    .iter()
                    .filter(|(gid, w)| **w > group_weight.get(gid).copied().unwrap_or(0) / 2)
                    .count();
                majority_groups > counted_groups / 2
            }
        }
    }

    /// The vote weight of `sid`: always 1 for a majority verifier (ZooKeeper does not check membership
    /// there); the configured weight for a hierarchical one, 0 for an id it does not know.
    pub fn weight(&self, sid: Sid) -> u64 {
        match &self.rule {
            Rule::Majority => 1,
            Rule::Hierarchical { weight, .. } => weight.get(&sid).copied().unwrap_or(0),
        }
    }

    pub fn is_voter(&self, sid: Sid) -> bool {
        self.voters.contains(&sid)
    }

    pub fn is_observer(&self, sid: Sid) -> bool {
        self.observers.contains(&sid)
    }

    /// Participants, in id order.
    pub fn voters(&self) -> &BTreeSet<Sid> {
        &self.voters
    }

    /// Every member (participants and observers), in id order.
    pub fn all_members(&self) -> impl Iterator<Item = Sid> + '_ {
        self.members.servers.keys().map(|s| *s as Sid)
    }

    pub fn members(&self) -> &QuorumMembers {
        &self.members
    }

    /// The config version (`version=` hex).
    pub fn version(&self) -> u64 {
        self.members.version
    }

    /// `QuorumVerifier.toString()`: what notifications (format version 2) and NEWLEADER carry.
    pub fn config_string(&self) -> String {
        self.members.config_string()
    }

    /// ZooKeeper's `QuorumVerifier.equals`: the same version, or the same members (and, for hierarchical
    /// verifiers, the same groups and weights).
    pub fn same_config(&self, other: &QuorumVerifier) -> bool {
        if self.version() == other.version() {
            return true;
        }
        self.members.servers == other.members.servers && self.rule == other.rule
    }

    /// Parses a config string as notifications and NEWLEADER carry it (`server.N=…` lines, optional
    /// `group`/`weight` lines, `version=<hex>`), like `QuorumPeer.configFromString`.
    pub fn from_config_string(
        text: &str,
        multi_address_enabled: bool,
    ) -> Result<QuorumVerifier, ConfigError> {
        let props = Properties::parse(text).map_err(|e| ConfigError::Syntax {
            file: "config string".into(),
            line: e.line,
            message: "malformed \\uXXXX escape".into(),
        })?;
        let entries: Vec<MemberEntry<'_>> = props
            .iter()
            .map(|p| {
                let key = p.key.trim();
                MemberEntry {
                    key,
                    value: &p.value,
                    at: Location::new("config string", Some(p.line), key),
                }
            })
            .collect();
        let members = build_members(&entries, multi_address_enabled)?;
        Ok(QuorumVerifier::new(&members))
    }
}

/// A participant on 127.0.0.1 with ports derived from the id, for verifiers built without a config file.
fn placeholder_server(sid: Sid) -> crate::config::QuorumServer {
    let port = 20000u16.wrapping_add((sid as u16).wrapping_mul(2));
    crate::config::QuorumServer {
        id: sid as u64,
        addresses: vec![crate::config::QuorumAddress {
            host: "127.0.0.1".into(),
            quorum_port: port,
            election_port: port.wrapping_add(1),
        }],
        learner_type: crate::config::LearnerType::Participant,
        client_address: None,
        client_address_from_static: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[Sid]) -> BTreeSet<Sid> {
        ids.iter().copied().collect()
    }

    #[test]
    fn majority_needs_more_than_half_of_the_voters() {
        // Ref: QuorumMaj.containsQuorum: ackSet.size() > half, half = votingMembers / 2.
        let table: &[(&[Sid], &[Sid], bool)] = &[
            (&[1, 2, 3], &[1, 2], true),
            (&[1, 2, 3], &[3], false),
            (&[1, 2, 3], &[], false),
            (&[1, 2, 3, 4], &[1, 2], false),
            (&[1, 2, 3, 4], &[1, 2, 4], true),
            (&[1, 2, 3, 4, 5], &[1, 4, 5], true),
            (&[1, 2, 3, 4, 5], &[2, 5], false),
            (&[1], &[1], true),
            // Ids outside the voting view count for nothing.
            (&[1, 2, 3], &[1, 7, 8], false),
        ];
        for (voters, acks, want) in table {
            let qv = QuorumVerifier::majority(voters.iter().copied());
            assert_eq!(
                qv.contains_quorum(&set(acks)),
                *want,
                "voters {voters:?} acks {acks:?}"
            );
            assert_eq!(qv.weight(99), 1, "QuorumMaj.getWeight is 1 for anyone");
        }
    }

    #[test]
    fn hierarchical_needs_a_weighted_majority_of_groups() {
        // Ref: QuorumHierarchical.containsQuorum / computeGroupWeight.
        // Three groups of three: a quorum is a majority in two groups.
        let qv = QuorumVerifier::hierarchical(&[&[1, 2, 3], &[4, 5, 6], &[7, 8, 9]], &[]);
        let table: &[(&[Sid], bool)] = &[
            (&[1, 2, 4, 5], true),
            (&[1, 2, 3], false),
            (&[1, 2, 4, 7], false),
            (&[1, 2, 4, 5, 7], true),
            (&[], false),
            (&[1, 2, 3, 4, 5, 6, 7, 8, 9], true),
        ];
        for (acks, want) in table {
            assert_eq!(qv.contains_quorum(&set(acks)), *want, "acks {acks:?}");
        }
    }

    #[test]
    fn hierarchical_weights_and_zero_weight_groups() {
        // Server 1 weighs 3 in group {1,2,3} (total 5): it alone is a group majority (3 > 5/2).
        let qv = QuorumVerifier::hierarchical(&[&[1, 2, 3], &[4, 5]], &[(1, 3)]);
        assert_eq!(qv.weight(1), 3);
        assert_eq!(qv.weight(2), 1);
        assert!(
            !qv.contains_quorum(&set(&[1])),
            "one group of two is not a majority of groups"
        );
        assert!(qv.contains_quorum(&set(&[1, 4, 5])));
        assert!(!qv.contains_quorum(&set(&[2, 3, 4, 5])), "2+3 weigh 2, not > 5/2");
        // A group whose total weight is 0 is not counted: with groups {1,2} and {3} (weight 0), a majority
        // of group {1,2} is enough (1 > 1/2).
        let qv = QuorumVerifier::hierarchical(&[&[1, 2], &[3]], &[(3, 0)]);
        assert_eq!(qv.weight(3), 0);
        assert!(qv.contains_quorum(&set(&[1, 2])));
        assert!(!qv.contains_quorum(&set(&[1])));
        assert!(!qv.contains_quorum(&set(&[3])));
        assert!(
            qv.is_voter(3),
            "weight 0 is still a voter (it just never counts or wins)"
        );
    }

    #[test]
    fn from_config_string_round_trips_the_notification_config() {
        let text = "server.1=127.0.0.1:33741:56451:participant\nserver.2=127.0.0.1:41071:35715:participant\n\
                    server.3=127.0.0.1:47489:35716:participant\nserver.4=127.0.0.1:1:2:observer\nversion=100000000";
        let qv = QuorumVerifier::from_config_string(text, false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(qv.voters(), &set(&[1, 2, 3]));
        assert!(qv.is_observer(4));
        assert_eq!(qv.version(), 0x1_0000_0000);
        assert_eq!(qv.config_string(), text);
        assert!(qv.contains_quorum(&set(&[2, 3])));

        let hier = "server.1=a:1:2:participant\nserver.2=b:1:2:participant\nserver.3=c:1:2:participant\n\
                    group.1=1:2\ngroup.2=3\nweight.1=1\nweight.2=1\nweight.3=1\nversion=0";
        let qv = QuorumVerifier::from_config_string(hier, false).unwrap_or_else(|e| panic!("{e}"));
        assert!(qv.contains_quorum(&set(&[1, 2, 3])));
        assert!(
            !qv.contains_quorum(&set(&[1, 2])),
            "one of two groups is not a majority of groups"
        );
        assert!(
            !qv.contains_quorum(&set(&[1, 3])),
            "1 alone is no majority of group {{1,2}}"
        );
        assert!(QuorumVerifier::from_config_string("server.1=nonsense", false).is_err());
    }

    #[test]
    fn same_config_is_java_equals() {
        let a = QuorumVerifier::from_config_string("server.1=a:1:2\nserver.2=b:1:2\nversion=1", false);
        let b = QuorumVerifier::from_config_string("server.1=a:1:2\nserver.2=b:1:2\nversion=2", false);
        let c = QuorumVerifier::from_config_string("server.1=a:1:2\nserver.3=b:1:2\nversion=3", false);
        let d = QuorumVerifier::from_config_string("server.1=x:1:2\nversion=1", false);
        let (a, b, c, d) = match (a, b, c, d) {
            (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
            other => panic!("{other:?}"),
        };
        assert!(a.same_config(&b), "same members, different version");
        assert!(!a.same_config(&c));
        assert!(
            a.same_config(&d),
            "same version is equal whatever the members (QuorumMaj.equals)"
        );
    }
}
