//! Ensemble membership: `server.N`, `group.N`, `weight.N` and `version`.
//!
//! ```text
//! server.<sid>=<addr>[|<addr>…][;<client>]
//!   <addr>   = <host>:<quorumPort>:<electionPort>[:participant|:observer]
//!   <client> = <clientPort> | <clientHost>:<clientPort>          (host defaults to 0.0.0.0)
//!   <host>   = name | IPv4 literal | [IPv6 literal]
//! group.<gid>=<sid>[:<sid>…]        hierarchical quorums: groups are disjoint and cover every voter
//! weight.<sid>=<w>                  hierarchical quorums: default 1, 0 = never counts
//! version=<hex>                     config version (only from zoo.cfg; a dynamic file takes it from its name)
//! ```
//!
//! More than one `|`-separated address needs `multiAddress.enabled=true`; all addresses of one server must
//! agree on the role; the quorum port must differ from the election port.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::error::{ConfigError, Location};
use super::java;

/// A participant votes; an observer only follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LearnerType {
    #[default]
    Participant,
    Observer,
}

impl LearnerType {
    /// `participant` / `observer`, any case, surrounding blanks ignored.
    pub fn parse(s: &str) -> Option<LearnerType> {
        let t = java::java_trim(s);
        if t.eq_ignore_ascii_case("participant") {
            Some(LearnerType::Participant)
        } else if t.eq_ignore_ascii_case("observer") {
            Some(LearnerType::Observer)
        } else {
            None
        }
    }

    /// The number the `conf` four-letter word prints for `peerType` (0 participant, 1 observer).
    pub fn as_int(self) -> i32 {
        match self {
            LearnerType::Participant => 0,
            LearnerType::Observer => 1,
        }
    }
}

impl fmt::Display for LearnerType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LearnerType::Participant => "participant",
            LearnerType::Observer => "observer",
        })
    }
}

/// A host (name or IP literal, stored without brackets) and a port. Displays as `host:port`, with IPv6
/// literals bracketed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostPort {
    pub host: String,
    pub port: u16,
}

impl HostPort {
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        HostPort {
            host: host.into(),
            port,
        }
    }

    /// True for `0.0.0.0` and `::` (listen on every interface).
    pub fn is_wildcard(&self) -> bool {
        is_wildcard_host(&self.host)
    }
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

pub(crate) fn is_wildcard_host(host: &str) -> bool {
    host.parse::<Ipv4Addr>().is_ok_and(|a| a.is_unspecified())
        || host.parse::<Ipv6Addr>().is_ok_and(|a| a.is_unspecified())
}

/// A host as Java's `InetSocketAddress.getHostString()` shows it after `QuorumPeer.delimitedHostString`:
/// names unchanged, IPv6 literals uncompressed (`0:0:0:0:0:0:0:1`) and bracketed.
pub fn java_host_string(host: &str) -> String {
    match host.parse::<Ipv6Addr>() {
        Ok(a) => {
            let groups: Vec<String> = a.segments().iter().map(|s| format!("{s:x}")).collect();
            format!("[{}]", groups.join(":"))
        }
        Err(_) if host.contains(':') => format!("[{host}]"),
        Err(_) => host.to_string(),
    }
}

/// One `host:quorumPort:electionPort` triple of a server line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QuorumAddress {
    pub host: String,
    pub quorum_port: u16,
    pub election_port: u16,
}

impl QuorumAddress {
    pub fn quorum(&self) -> HostPort {
        HostPort::new(self.host.clone(), self.quorum_port)
    }

    pub fn election(&self) -> HostPort {
        HostPort::new(self.host.clone(), self.election_port)
    }
}

/// A member of the ensemble, from `server.<id>=…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumServer {
    pub id: u64,
    /// One entry, or several with `multiAddress.enabled`.
    pub addresses: Vec<QuorumAddress>,
    pub learner_type: LearnerType,
    /// From the `;[host:]port` suffix, or (for this server only) copied from `clientPort`/`clientPortAddress`.
    pub client_address: Option<HostPort>,
    /// True when `client_address` was copied from the static `clientPort` settings (it is then left out of
    /// the config string, as Java does).
    pub client_address_from_static: bool,
}

impl QuorumServer {
    /// Parses the value of a `server.<id>` line (the message of an error has no location).
    pub fn parse(id: u64, spec: &str, multi_address_enabled: bool) -> Result<QuorumServer, String> {
        let spec = java::java_trim(spec);
        let wrong_format = || {
            format!(
                "\"{spec}\" does not have the form host:quorumPort:electionPort[:participant|:observer]\
                 [|host:quorumPort:electionPort…][;[clientHost:]clientPort]"
            )
        };
        let server_client = java::split(spec, ';');
        if server_client.len() > 2 || server_client.is_empty() {
            return Err(wrong_format());
        }
        let client_address = match server_client.get(1) {
            Some(client) => {
                let parts = host_and_port(client)?;
                let (host, port) = match parts.as_slice() {
                    [port] => ("0.0.0.0".to_string(), port.as_str()),
                    [host, port] => (host.clone(), port.as_str()),
                    _ => return Err(wrong_format()),
                };
                let port = parse_port(port).map_err(|m| format!("client port {m}"))?;
                Some(HostPort {
                    host: nonempty_host(host)?,
                    port,
                })
            }
            None => None,
        };

        let server_parts = java::split(server_client[0], '|');
        if server_parts.len() > 1 && !multi_address_enabled {
            return Err(format!(
                "multiple addresses given for server {id} but multiAddress.enabled is not true"
            ));
        }
        let mut addresses = Vec::with_capacity(server_parts.len());
        let mut role: Option<LearnerType> = None;
        for part in server_parts {
            let fields = host_and_port(part)?;
            if fields.len() < 3 || fields.len() > 4 {
                return Err(wrong_format());
            }
            let host = nonempty_host(fields[0].clone())?;
            let quorum_port = parse_port(&fields[1]).map_err(|m| format!("quorum port {m}"))?;
            let election_port = parse_port(&fields[2]).map_err(|m| format!("election port {m}"))?;
            if quorum_port == election_port {
                return Err(format!(
                    "quorum port and election port must be different (both are {quorum_port})"
                ));
            }
            if let Some(r) = fields.get(3) {
                let r = LearnerType::parse(r).ok_or_else(|| format!("unknown peer type \"{r}\""))?;
                match role {
                    Some(prev) if prev != r => {
                        return Err(format!(
                            "all addresses of one server must have the same role ({prev} vs {r})"
                        ))
                    }
                    _ => role = Some(r),
                }
            }
            addresses.push(QuorumAddress {
                host,
                quorum_port,
                election_port,
            });
        }
        if addresses.is_empty() {
            return Err(wrong_format());
        }
        Ok(QuorumServer {
            id,
            addresses,
            learner_type: role.unwrap_or_default(),
            client_address,
            client_address_from_static: false,
        })
    }

    /// The first (primary) address.
    pub fn primary(&self) -> &QuorumAddress {
        // `parse` never builds a server without addresses.
        &self.addresses[0]
    }

    pub fn is_participant(&self) -> bool {
        self.learner_type == LearnerType::Participant
    }
}

/// The value part of a config-string line, as Java writes it:
/// `host:q:e[|host:q:e…]:role[;clientHost:clientPort]`.
impl fmt::Display for QuorumServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut addrs: Vec<&QuorumAddress> = self.addresses.iter().collect();
        addrs.sort_by_key(|a| java_host_string(&a.host));
        for (i, a) in addrs.iter().enumerate() {
            if i > 0 {
                f.write_str("|")?;
            }
            write!(
                f,
                "{}:{}:{}",
                java_host_string(&a.host),
                a.quorum_port,
                a.election_port
            )?;
        }
        write!(f, ":{}", self.learner_type)?;
        if let Some(c) = &self.client_address {
            if !self.client_address_from_static {
                write!(f, ";{}:{}", java_host_string(&c.host), c.port)?;
            }
        }
        Ok(())
    }
}

/// `host:port…` with a bracketed IPv6 host, split at `:` (like ZooKeeper's `ConfigUtils.getHostAndPort`).
fn host_and_port(s: &str) -> Result<Vec<String>, String> {
    if let Some(rest) = s.strip_prefix('[') {
        let close = rest
            .find(']')
            .ok_or_else(|| format!("\"{s}\" starts with '[' but has no matching ']'"))?;
        let host = &rest[..close];
        let after = &rest[close + 1..];
        if after.is_empty() {
            return Ok(vec![host.to_string()]);
        }
        let tail = after
            .strip_prefix(':')
            .ok_or_else(|| format!("\"{s}\": expected ':' after ']'"))?;
        if tail.is_empty() {
            return Err(format!("\"{s}\" has no port after the colon"));
        }
        let mut parts = vec![host.to_string()];
        parts.extend(java::split(tail, ':').into_iter().map(str::to_string));
        Ok(parts)
    } else {
        Ok(java::split(s, ':').into_iter().map(str::to_string).collect())
    }
}

fn nonempty_host(host: String) -> Result<String, String> {
    if java::java_trim(&host).is_empty() {
        Err("empty host name".to_string())
    } else {
        Ok(host)
    }
}

/// A port number: `Integer.parseInt` then 0..=65535.
pub(crate) fn parse_port(s: &str) -> Result<u16, String> {
    let n = java::parse_int(s).ok_or_else(|| format!("is not a number: \"{s}\""))?;
    u16::try_from(n).map_err(|_| format!("out of range: {n}"))
}

/// The ensemble as listed in the configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuorumMembers {
    /// Every member (participants and observers), by server id.
    pub servers: BTreeMap<u64, QuorumServer>,
    /// `group.<gid>` → server ids (hierarchical quorums only).
    pub groups: BTreeMap<u64, Vec<u64>>,
    /// `weight.<sid>` (hierarchical quorums; participants default to 1).
    pub weights: BTreeMap<u64, u64>,
    /// True when any `group*`/`weight*` key is present (Java's `QuorumHierarchical`).
    pub hierarchical: bool,
    /// Config version (hex in files): `version=` in zoo.cfg, or the dynamic file name's suffix; 0 if none.
    pub version: u64,
}

impl QuorumMembers {
    /// Participants, by id.
    pub fn voting_members(&self) -> impl Iterator<Item = &QuorumServer> {
        self.servers.values().filter(|s| s.is_participant())
    }

    /// Observers, by id.
    pub fn observers(&self) -> impl Iterator<Item = &QuorumServer> {
        self.servers.values().filter(|s| !s.is_participant())
    }

    pub fn voting_count(&self) -> usize {
        self.voting_members().count()
    }

    pub fn observer_count(&self) -> usize {
        self.observers().count()
    }

    pub fn get(&self, id: u64) -> Option<&QuorumServer> {
        self.servers.get(&id)
    }

    /// The vote weight of a server: 1 for majority quorums; the configured weight (default 1) for
    /// hierarchical ones.
    pub fn weight(&self, id: u64) -> u64 {
        if self.hierarchical {
            self.weights.get(&id).copied().unwrap_or(1)
        } else {
            1
        }
    }

    /// The config string (`/zookeeper/config`, `conf` membership): `server.N=…` lines, then group and weight
    /// lines for hierarchical quorums, then `version=<hex>` (no trailing newline). Members are in id order
    /// (Java uses hash order, which for small ids is the same).
    pub fn config_string(&self) -> String {
        let mut s = String::new();
        for server in self.servers.values() {
            s.push_str(&format!("server.{}={}\n", server.id, server));
        }
        if self.hierarchical {
            for (gid, sids) in &self.groups {
                let list: Vec<String> = sids.iter().map(u64::to_string).collect();
                s.push_str(&format!("group.{gid}={}\n", list.join(":")));
            }
            for (sid, w) in &self.weights {
                s.push_str(&format!("weight.{sid}={w}\n"));
            }
        }
        s.push_str(&format!("version={:x}", self.version));
        s
    }
}

/// One membership key with its location, fed to [`build_members`].
pub(crate) struct MemberEntry<'a> {
    pub key: &'a str,
    pub value: &'a str,
    pub at: Location,
}

/// True for keys that Java's quorum verifiers read: `server.*`, `group*`, `weight*`.
pub(crate) fn is_member_key(key: &str) -> bool {
    key.starts_with("server.") || key.starts_with("group") || key.starts_with("weight")
}

/// The number after the first `.` of a `server.N`/`group.N`/`weight.N` key.
fn key_id(entry: &MemberEntry<'_>) -> Result<u64, ConfigError> {
    let id = entry.key.split_once('.').map(|(_, id)| id).unwrap_or("");
    match java::parse_long(id) {
        Some(n) if n >= 0 => Ok(n as u64),
        Some(_) => Err(ConfigError::invalid(
            entry.at.clone(),
            format!("negative id {id}"),
        )),
        None => Err(ConfigError::invalid(
            entry.at.clone(),
            format!("invalid id \"{id}\" in key"),
        )),
    }
}

/// Builds the member list from `server.*`, `group*`, `weight*` and `version` entries (callers reject
/// `version` where it is not allowed). Other keys are skipped.
pub(crate) fn build_members(
    entries: &[MemberEntry<'_>],
    multi_address_enabled: bool,
) -> Result<QuorumMembers, ConfigError> {
    let mut m = QuorumMembers::default();
    let mut group_of: BTreeMap<u64, u64> = BTreeMap::new();
    let mut server_at: BTreeMap<u64, &Location> = BTreeMap::new();
    for e in entries {
        let value = java::java_trim(e.value);
        if e.key.starts_with("server.") {
            let sid = key_id(e)?;
            let server = QuorumServer::parse(sid, value, multi_address_enabled)
                .map_err(|msg| ConfigError::invalid(e.at.clone(), msg))?;
            m.servers.insert(sid, server);
            server_at.insert(sid, &e.at);
        } else if e.key.starts_with("group") {
            m.hierarchical = true;
            let gid = key_id(e)?;
            let mut members = Vec::new();
            for s in java::split(value, ':') {
                let sid = match java::parse_long(s) {
                    Some(n) if n >= 0 => n as u64,
                    _ => return Err(ConfigError::number(e.at.clone(), s)),
                };
                if let Some(other) = group_of.insert(sid, gid) {
                    return Err(ConfigError::invalid(
                        e.at.clone(),
                        format!("server {sid} is already in group {other}; groups must be disjoint"),
                    ));
                }
                members.push(sid);
            }
            m.groups.insert(gid, members);
        } else if e.key.starts_with("weight") {
            m.hierarchical = true;
            let sid = key_id(e)?;
            let w = match java::parse_long(value) {
                Some(w) if w >= 0 => w as u64,
                Some(_) => return Err(ConfigError::invalid(e.at.clone(), "weight must not be negative")),
                None => return Err(ConfigError::number(e.at.clone(), value)),
            };
            m.weights.insert(sid, w);
        } else if e.key == "version" {
            m.version =
                u64::from_str_radix(value, 16).map_err(|_| ConfigError::number(e.at.clone(), value))?;
        }
    }
    if m.hierarchical {
        for s in m.servers.values().filter(|s| s.is_participant()) {
            if !group_of.contains_key(&s.id) {
                let at = server_at
                    .get(&s.id)
                    .map(|l| (*l).clone())
                    .unwrap_or_else(|| Location::new(String::new(), None, format!("server.{}", s.id)));
                return Err(ConfigError::invalid(
                    at,
                    format!("server {} is not in any group (hierarchical quorum)", s.id),
                ));
            }
        }
        let participants: Vec<u64> = m.voting_members().map(|s| s.id).collect();
        for sid in participants {
            m.weights.entry(sid).or_insert(1);
        }
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(spec: &str) -> QuorumServer {
        QuorumServer::parse(1, spec, true).unwrap_or_else(|e| panic!("{spec}: {e}"))
    }

    fn err(spec: &str, multi: bool) -> String {
        match QuorumServer::parse(1, spec, multi) {
            Ok(s) => panic!("{spec} parsed: {s:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn plain() {
        let s = parse("zk1.example.com:2888:3888");
        assert_eq!(
            s.addresses,
            vec![QuorumAddress {
                host: "zk1.example.com".into(),
                quorum_port: 2888,
                election_port: 3888
            }]
        );
        assert_eq!(s.learner_type, LearnerType::Participant);
        assert_eq!(s.client_address, None);
        assert_eq!(s.to_string(), "zk1.example.com:2888:3888:participant");
    }

    #[test]
    fn roles() {
        assert_eq!(parse("h:1:2:observer").learner_type, LearnerType::Observer);
        assert_eq!(parse("h:1:2:OBSERVER").learner_type, LearnerType::Observer);
        assert_eq!(parse("h:1:2:participant").learner_type, LearnerType::Participant);
        assert_eq!(err("h:1:2:leader", false), "unknown peer type \"leader\"");
    }

    #[test]
    fn client_suffix() {
        let s = parse("h:2888:3888;2181");
        assert_eq!(s.client_address, Some(HostPort::new("0.0.0.0", 2181)));
        assert_eq!(s.to_string(), "h:2888:3888:participant;0.0.0.0:2181");
        let s = parse("h:2888:3888:observer;10.0.0.1:2181");
        assert_eq!(s.client_address, Some(HostPort::new("10.0.0.1", 2181)));
        assert_eq!(s.learner_type, LearnerType::Observer);
        assert_eq!(s.to_string(), "h:2888:3888:observer;10.0.0.1:2181");
        let s = parse("h:2888:3888;[::1]:2181");
        assert_eq!(s.client_address, Some(HostPort::new("::1", 2181)));
        // Trailing empty client part is ignored like Java's String.split.
        assert_eq!(parse("h:1:2;").client_address, None);
    }

    #[test]
    fn ipv6() {
        let s = parse("[2001:db8::1]:2888:3888:participant;[::]:2181");
        assert_eq!(s.primary().host, "2001:db8::1");
        assert_eq!(s.primary().quorum_port, 2888);
        assert_eq!(s.primary().election_port, 3888);
        assert!(s.client_address.as_ref().is_some_and(HostPort::is_wildcard));
        assert_eq!(
            s.to_string(),
            "[2001:db8:0:0:0:0:0:1]:2888:3888:participant;[0:0:0:0:0:0:0:0]:2181"
        );
        assert_eq!(s.primary().quorum().to_string(), "[2001:db8::1]:2888");
        assert_eq!(
            err("[::1:2888:3888", false),
            "\"[::1:2888:3888\" starts with '[' but has no matching ']'"
        );
        assert_eq!(err("[::1]:", false), "\"[::1]:\" has no port after the colon");
    }

    #[test]
    fn multi_address() {
        let s = parse("b.example:2888:3888|a.example:2889:3889;2181");
        assert_eq!(s.addresses.len(), 2);
        assert_eq!(s.addresses[0].host, "b.example");
        assert_eq!(s.addresses[1].quorum_port, 2889);
        // Java sorts the addresses by host in the config string.
        assert_eq!(
            s.to_string(),
            "a.example:2889:3889|b.example:2888:3888:participant;0.0.0.0:2181"
        );
        assert_eq!(parse("a:1:2:observer|b:3:4").learner_type, LearnerType::Observer);
        assert_eq!(
            err("a:1:2:observer|b:3:4:participant", true),
            "all addresses of one server must have the same role (observer vs participant)"
        );
        assert_eq!(
            err("a:1:2|b:3:4", false),
            "multiple addresses given for server 1 but multiAddress.enabled is not true"
        );
    }

    #[test]
    fn bad_specs() {
        assert!(err("h:2888", false).contains("does not have the form"));
        assert!(err("h:1:2:observer:x", false).contains("does not have the form"));
        assert!(err("h:1:2;a:b:c", false).contains("does not have the form"));
        assert!(err("h:1:2;3;4", false).contains("does not have the form"));
        assert_eq!(err("h:x:2", false), "quorum port is not a number: \"x\"");
        assert_eq!(err("h:1:70000", false), "election port out of range: 70000");
        assert_eq!(err("h:1:2;-5", false), "client port out of range: -5");
        assert_eq!(
            err("h:2888:2888", false),
            "quorum port and election port must be different (both are 2888)"
        );
        assert_eq!(err(":1:2", false), "empty host name");
    }

    fn entries<'a>(kvs: &'a [(&'a str, &'a str)]) -> Vec<MemberEntry<'a>> {
        kvs.iter()
            .enumerate()
            .map(|(i, (k, v))| MemberEntry {
                key: k,
                value: v,
                at: Location::new("zoo.cfg", Some(i + 1), *k),
            })
            .collect()
    }

    #[test]
    fn hierarchical() {
        let kvs = [
            ("server.1", "a:1:2"),
            ("server.2", "b:1:2"),
            ("server.3", "c:1:2"),
            ("server.4", "d:1:2:observer"),
            ("group.1", "1:2"),
            ("group.2", "3"),
            ("weight.1", "2"),
            ("weight.3", "0"),
            ("version", "100000000"),
        ];
        let m = build_members(&entries(&kvs), false).unwrap_or_else(|e| panic!("{e}"));
        assert!(m.hierarchical);
        assert_eq!(m.voting_count(), 3);
        assert_eq!(m.observer_count(), 1);
        assert_eq!(m.groups.get(&1), Some(&vec![1, 2]));
        assert_eq!(m.weight(1), 2);
        assert_eq!(m.weight(2), 1);
        assert_eq!(m.weight(3), 0);
        assert_eq!(m.version, 0x1_0000_0000);
        assert_eq!(
            m.config_string(),
            "server.1=a:1:2:participant\nserver.2=b:1:2:participant\nserver.3=c:1:2:participant\n\
             server.4=d:1:2:observer\ngroup.1=1:2\ngroup.2=3\nweight.1=2\nweight.2=1\nweight.3=0\n\
             version=100000000"
        );
    }

    #[test]
    fn hierarchical_errors() {
        let kvs = [("server.1", "a:1:2"), ("server.2", "b:1:2"), ("group.1", "1")];
        let e = build_members(&entries(&kvs), false)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            e,
            Err("zoo.cfg:2: server.2: server 2 is not in any group (hierarchical quorum)".into())
        );
        let kvs = [("server.1", "a:1:2"), ("group.1", "1"), ("group.2", "1")];
        let e = build_members(&entries(&kvs), false)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            e,
            Err("zoo.cfg:3: group.2: server 1 is already in group 1; groups must be disjoint".into())
        );
        let kvs = [("group.1", "1:x")];
        let e = build_members(&entries(&kvs), false)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(e, Err("zoo.cfg:1: group.1: invalid number \"x\"".into()));
        let kvs = [("weight.1", "-1")];
        let e = build_members(&entries(&kvs), false)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(e, Err("zoo.cfg:1: weight.1: weight must not be negative".into()));
        let kvs = [("server.x", "a:1:2")];
        let e = build_members(&entries(&kvs), false)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(e, Err("zoo.cfg:1: server.x: invalid id \"x\" in key".into()));
        let kvs = [("version", "xyz")];
        let e = build_members(&entries(&kvs), false)
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(e, Err("zoo.cfg:1: version: invalid number \"xyz\"".into()));
    }
}
