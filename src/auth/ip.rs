//! The `ip` authentication scheme.
//!
//! Ref: `server.auth.IPAuthenticationProvider` (branch-3.8, and branch-3.9 from 3.9.4 which
//! added IPv6, ZOOKEEPER-4240).
//!
//! * Every connection holds the id `ip:<client address>` in Java's
//!   `InetAddress.getHostAddress()` form ([`host_address`]). It is not "authenticated", so an
//!   `auth` ACL never expands to it.
//! * An ACL id is `addr` or `addr/bits`, split at the first `/`. An address containing `:` is
//!   IPv6, else one containing `.` is IPv4, else invalid. IPv4 is exactly four `.`-separated
//!   `Integer.parseInt` values in 0..=255 (so `+1`, `007` and non-ASCII decimal digits pass,
//!   spaces do not). IPv6 has at most one `::`; without it exactly eight groups, with it at
//!   most seven explicit ones; each group is 1..=4 characters parsed by
//!   `Integer.parseInt(group, 16)` and stored as its low 16 bits (so `-1` means `ffff`);
//!   embedded IPv4 and `%zone` suffixes are invalid. `bits` is an `Integer.parseInt` value in
//!   0..=32 (IPv4) or 0..=128 (IPv6); anything else makes the id invalid and never matching.
//! * Matching masks both addresses to `bits` (default: all) and compares them; an IPv4 client
//!   never matches an IPv6 ACL or vice versa, and an unparsable client address matches nothing.
//!
//! ZooKeeper 3.8.x and 3.9.0–3.9.3 know only IPv4 ([`IpAclRules::Ipv4Only`]): there every
//! IPv6 id is invalid and IPv6 clients match no `ip` ACL. The 3.9.4+ rules
//! ([`IpAclRules::Ipv4AndIpv6`], the default) accept a superset and agree on every IPv4 case.

use std::net::{IpAddr, SocketAddr};

use super::javacompat;

/// The scheme name.
pub const SCHEME: &str = "ip";

/// Which upstream generation of the address syntax to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IpAclRules {
    /// ZooKeeper 3.8.x and 3.9.0–3.9.3: the default, as rzk follows 3.8 (IPv6 ids are INVALIDACL and
    /// IPv6 clients match no ip ACL).
    #[default]
    Ipv4Only,
    /// ZooKeeper 3.9.4 and later.
    Ipv4AndIpv6,
}

/// A parsed address: 4 or 16 significant bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AddrBytes {
    bytes: [u8; 16],
    len: usize,
}

impl AddrBytes {
    fn bits(&self) -> i32 {
        self.len as i32 * 8
    }

    /// Keeps the first `bits` bits (`IPAuthenticationProvider.mask`).
    fn mask(&mut self, bits: i32) {
        let bits = bits.max(0) as usize;
        let mut start = bits / 8;
        let mut start_mask: u8 = !((1u16 << (8 - bits % 8)) - 1) as u8;
        while start < self.len {
            self.bytes[start] &= start_mask;
            start_mask = 0;
            start += 1;
        }
    }

    fn significant(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

fn parse_v4(addr: &str) -> Option<AddrBytes> {
    let parts = javacompat::split(addr, ".", -1);
    if parts.len() != 4 {
        return None;
    }
    let mut out = AddrBytes {
        bytes: [0; 16],
        len: 4,
    };
    for (slot, part) in out.bytes.iter_mut().zip(parts) {
        let v = javacompat::parse_int(part, 10)?;
        *slot = u8::try_from(v).ok()?;
    }
    Some(out)
}

fn parse_v6_groups(out: &mut [u8; 16], mut at: usize, groups: &[&str]) -> Option<()> {
    for group in groups {
        let units = group.encode_utf16().count();
        if units == 0 || units > 4 {
            return None;
        }
        let v = javacompat::parse_int(group, 16)?;
        out[at] = (v >> 8) as u8;
        out[at + 1] = v as u8;
        at += 2;
    }
    Some(())
}

fn parse_v6(addr: &str) -> Option<AddrBytes> {
    let halves = javacompat::split(addr, "::", -1);
    let (head, tail): (Vec<&str>, Vec<&str>) = match halves.as_slice() {
        [whole] => {
            let groups = javacompat::split(whole, ":", -1);
            if groups.len() != 8 {
                return None;
            }
            (groups, Vec::new())
        }
        [before, after] => {
            let (head, tail) = (split_groups(before), split_groups(after));
            if head.len() + tail.len() >= 8 {
                return None;
            }
            (head, tail)
        }
        _ => return None,
    };
    let mut out = AddrBytes {
        bytes: [0; 16],
        len: 16,
    };
    parse_v6_groups(&mut out.bytes, 0, &head)?;
    parse_v6_groups(&mut out.bytes, 16 - 2 * tail.len(), &tail)?;
    Some(out)
}

/// The `:`-separated groups on one side of `::` (none when that side is empty).
fn split_groups(s: &str) -> Vec<&str> {
    if s.is_empty() {
        Vec::new()
    } else {
        javacompat::split(s, ":", -1)
    }
}

/// `addr2Bytes`.
fn parse_addr(addr: &str, rules: IpAclRules) -> Option<AddrBytes> {
    match rules {
        IpAclRules::Ipv4Only => parse_v4(addr),
        IpAclRules::Ipv4AndIpv6 => {
            if addr.contains(':') {
                parse_v6(addr)
            } else if addr.contains('.') {
                parse_v4(addr)
            } else {
                None
            }
        }
    }
}

/// Parses `addr[/bits]`, returning the address and the prefix length.
fn parse_acl(acl_id: &str, rules: IpAclRules) -> Option<(AddrBytes, i32)> {
    let parts = javacompat::split(acl_id, "/", 2);
    let addr = parse_addr(parts.first()?, rules)?;
    let bits = match parts.get(1) {
        Some(bits) => {
            let bits = javacompat::parse_int(bits, 10)?;
            if bits < 0 || bits > addr.bits() {
                return None;
            }
            bits
        }
        None => addr.bits(),
    };
    Some((addr, bits))
}

/// `isValid` under the 3.9.4+ rules.
pub fn is_valid_ip_id(id: &str) -> bool {
    is_valid_ip_id_with(IpAclRules::default(), id)
}

/// `isValid` under the given rules.
pub fn is_valid_ip_id_with(rules: IpAclRules, id: &str) -> bool {
    parse_acl(id, rules).is_some()
}

/// `matches(clientIp, aclId)` under the 3.9.4+ rules.
pub fn ip_matches(client_ip: &str, acl_id: &str) -> bool {
    ip_matches_with(IpAclRules::default(), client_ip, acl_id)
}

/// `matches(clientIp, aclId)` under the given rules.
pub fn ip_matches_with(rules: IpAclRules, client_ip: &str, acl_id: &str) -> bool {
    let Some((mut acl, bits)) = parse_acl(acl_id, rules) else {
        return false;
    };
    acl.mask(bits);
    let Some(mut remote) = parse_addr(client_ip, rules) else {
        return false;
    };
    remote.mask(bits);
    remote.len == acl.len && remote.significant() == acl.significant()
}

/// `InetAddress.getHostAddress()`: dotted IPv4; IPv4-mapped IPv6 addresses are IPv4 in Java;
/// other IPv6 addresses as eight lower-case hex groups without zero compression
/// (`0:0:0:0:0:0:0:1`).
pub fn host_address(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6
                .segments()
                .iter()
                .map(|g| format!("{g:x}"))
                .collect::<Vec<_>>()
                .join(":"),
        },
    }
}

/// The `ip` id of a connection from `peer`: [`host_address`], plus `%<scope id>` for a
/// scoped (link-local) IPv6 peer. Java appends a zone there too (numeric or interface name);
/// either way such an id matches no ACL, since `%` makes the address unparsable.
pub fn client_ip_id(peer: &SocketAddr) -> String {
    match peer {
        SocketAddr::V6(v6) if v6.scope_id() != 0 && v6.ip().to_ipv4_mapped().is_none() => {
            format!("{}%{}", host_address(IpAddr::V6(*v6.ip())), v6.scope_id())
        }
        _ => host_address(peer.ip()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV6};

    /// `IPAuthenticationProvider.isValid` from zookeeper-3.8.0.jar (IPv4-only), OpenJDK 17.
    const JAVA38_VALID: &[(&str, bool)] = &[
        ("1.2.3.4", true),
        ("1.2.3.4/8", true),
        ("1.2.3.4/0", true),
        ("1.2.3.4/32", true),
        ("1.2.3.4/33", false),
        ("1.2.3.4/-1", false),
        ("1.2.3.4/", false),
        ("1.2.3.4/8/9", false),
        ("256.1.1.1", false),
        ("1.2.3", false),
        ("1.2.3.4.", false),
        ("+1.2.3.4", true),
        ("-0.2.3.4", true),
        ("01.02.03.004", true),
        ("\u{0661}.2.3.4", true),
        ("\u{FF11}.2.3.4", true),
        ("1.2.3.4/+8", true),
        ("1.2.3.4/\u{0668}", true),
        ("", false),
        ("/8", false),
        ("::1", false),
        ("localhost", false),
        ("1..3.4", false),
        (" 1.2.3.4", false),
        ("1.2.3.4 ", false),
        ("1.2.3.99999999999", false),
    ];

    /// `IPAuthenticationProvider.matches(client, acl)`, zookeeper-3.8.0.jar.
    const JAVA38_MATCHES: &[(&str, &str, bool)] = &[
        ("10.0.0.1", "10.0.0.0/8", true),
        ("11.0.0.1", "10.0.0.0/8", false),
        ("10.0.0.1", "10.0.0.1", true),
        ("10.0.0.2", "10.0.0.1", false),
        ("192.168.1.77", "192.168.1.64/26", true),
        ("192.168.1.200", "192.168.1.64/26", false),
        ("1.2.3.4", "0.0.0.0/0", true),
        ("1.2.3.4", "9.9.9.9/0", true),
        ("1.2.3.4", "1.2.3.5/31", true),
        ("1.2.3.4", "1.2.3.6/31", false),
        ("0:0:0:0:0:0:0:1", "::1", false),
        ("1.2.3.4", "1.2.3.4/33", false),
        ("1.2.3.4", "1.2.3.4/x", false),
        ("garbage", "1.2.3.4/0", false),
        ("1.2.3.4", "1.2.3.255/29", false),
        ("1.2.3.4", "1.2.3.7/30", true),
    ];

    /// `isValid` of the branch-3.9 class (3.9.4+, with IPv6), run on OpenJDK 17.
    const JAVA39_VALID: &[(&str, bool)] = &[
        ("::1", true),
        ("::", true),
        ("::/0", true),
        ("::1/128", true),
        ("::1/129", false),
        ("1:2:3:4:5:6:7:8", true),
        ("1:2:3:4:5:6:7", false),
        ("1:2:3:4:5:6:7:8:9", false),
        ("1::2::3", false),
        (":::1", false),
        ("1:2:3:4:5:6:7::", true),
        ("1:2:3:4:5:6:7:8::", false),
        ("::1:2:3:4:5:6:7", true),
        ("::1:2:3:4:5:6:7:8", false),
        ("fe80::1%eth0", false),
        ("::ffff:1.2.3.4", false),
        ("12345::1", false),
        ("-1::1", true),
        ("+f::1", true),
        ("\u{FF21}::1", true),
        ("\u{0661}::1", true),
        ("g::1", false),
        ("1:2:3:4:5:6:7:", false),
        ("::1/-0", true),
        ("ABCD::ef01", true),
        ("0:0:0:0:0:0:0:1", true),
        ("1.2.3.4", true),
        ("1.2.3.4/24", true),
        ("localhost", false),
        ("", false),
        (":", false),
        ("::::", false),
        ("1:::2", false),
        ("2001:db8::/32", true),
        ("-fff::", true),
        ("1::/", false),
        (":1:2:3:4:5:6:7", false),
    ];

    /// `matches` of the branch-3.9 class.
    const JAVA39_MATCHES: &[(&str, &str, bool)] = &[
        ("0:0:0:0:0:0:0:1", "::1", true),
        ("::1", "0:0:0:0:0:0:0:1", true),
        ("2001:db8:0:0:0:0:0:5", "2001:db8::/32", true),
        ("2001:db9:0:0:0:0:0:5", "2001:db8::/32", false),
        ("1.2.3.4", "::/0", false),
        ("::1", "0.0.0.0/0", false),
        ("fe80:0:0:0:0:0:0:1%eth0", "fe80::/10", false),
        ("ffff:0:0:0:0:0:0:1", "-1::1", true),
        ("febf:0:0:0:0:0:0:1", "fe80::/10", true),
        ("fec0:0:0:0:0:0:0:1", "fe80::/10", false),
        ("0:0:0:0:0:0:0:1", "::1/128", true),
        ("0:0:0:0:0:0:0:2", "::1/127", false),
        ("0:0:0:0:0:0:0:2", "::3/127", true),
        ("1.2.3.4", "1.2.3.0/24", true),
    ];

    #[test]
    fn ipv4_only_matches_java_38() {
        for &(id, want) in JAVA38_VALID {
            assert_eq!(is_valid_ip_id_with(IpAclRules::Ipv4Only, id), want, "{id:?}");
        }
        for &(client, acl, want) in JAVA38_MATCHES {
            assert_eq!(
                ip_matches_with(IpAclRules::Ipv4Only, client, acl),
                want,
                "{client:?} vs {acl:?}"
            );
        }
    }

    #[test]
    fn ipv4_cases_agree_under_39_rules() {
        for &(id, want) in JAVA38_VALID {
            if !id.contains(':') {
                assert_eq!(is_valid_ip_id(id), want, "{id:?}");
            }
        }
        for &(client, acl, want) in JAVA38_MATCHES {
            if !client.contains(':') && !acl.contains(':') {
                assert_eq!(ip_matches(client, acl), want, "{client:?} vs {acl:?}");
            }
        }
    }

    #[test]
    fn ipv6_matches_java_39() {
        let v6 = IpAclRules::Ipv4AndIpv6;
        for &(id, want) in JAVA39_VALID {
            assert_eq!(is_valid_ip_id_with(v6, id), want, "{id:?}");
        }
        for &(client, acl, want) in JAVA39_MATCHES {
            assert_eq!(ip_matches_with(v6, client, acl), want, "{client:?} vs {acl:?}");
        }
    }

    #[test]
    fn the_default_follows_38_which_refuses_ipv6() {
        assert!(!is_valid_ip_id("::1"));
        assert!(!ip_matches("0:0:0:0:0:0:0:1", "::1"));
        assert!(is_valid_ip_id("10.0.0.0/8"));
    }

    #[test]
    fn mask_edges() {
        let mut a = parse_addr("255.255.255.255", IpAclRules::Ipv4Only).unwrap();
        a.mask(0);
        assert_eq!(a.significant(), &[0, 0, 0, 0]);
        let mut a = parse_addr("255.255.255.255", IpAclRules::Ipv4Only).unwrap();
        a.mask(8);
        assert_eq!(a.significant(), &[255, 0, 0, 0]);
        let mut a = parse_addr("255.255.255.255", IpAclRules::Ipv4Only).unwrap();
        a.mask(12);
        assert_eq!(a.significant(), &[255, 0xF0, 0, 0]);
        let mut a = parse_addr("255.255.255.255", IpAclRules::Ipv4Only).unwrap();
        a.mask(32);
        assert_eq!(a.significant(), &[255; 4]);
        let mut a = parse_addr("ffff::ffff", IpAclRules::Ipv4AndIpv6).unwrap();
        a.mask(127);
        assert_eq!(a.bytes[15], 0xfe);
        assert_eq!(a.bytes[0], 0xff);
    }

    #[test]
    fn host_address_like_java() {
        assert_eq!(host_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1))), "127.0.0.1");
        assert_eq!(host_address(IpAddr::V6(Ipv6Addr::LOCALHOST)), "0:0:0:0:0:0:0:1");
        assert_eq!(
            host_address("2001:db8::ab:1".parse().unwrap()),
            "2001:db8:0:0:0:0:ab:1"
        );
        assert_eq!(host_address("::ffff:10.1.2.3".parse().unwrap()), "10.1.2.3");
        let scoped = SocketAddr::V6(SocketAddrV6::new("fe80::1".parse().unwrap(), 2181, 0, 3));
        assert_eq!(client_ip_id(&scoped), "fe80:0:0:0:0:0:0:1%3");
        let plain: SocketAddr = "[::1]:2181".parse().unwrap();
        assert_eq!(client_ip_id(&plain), "0:0:0:0:0:0:0:1");
        let v4: SocketAddr = "10.0.0.7:5000".parse().unwrap();
        assert_eq!(client_ip_id(&v4), "10.0.0.7");
        // The id of a local client matches the usual ACLs (IPv6 ones with the 3.9.4 rules).
        assert!(ip_matches_with(
            IpAclRules::Ipv4AndIpv6,
            &client_ip_id(&plain),
            "::1"
        ));
        assert!(ip_matches(&client_ip_id(&v4), "10.0.0.0/8"));
    }
}
