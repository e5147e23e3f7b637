//! Authentication providers and ACL matching.
//!
//! Ref: `ZooKeeperServer.checkACL`, `PrepRequestProcessor.fixupACL`, `auth.ProviderRegistry`
//! and the providers `IPAuthenticationProvider`, `DigestAuthenticationProvider`,
//! `SASLAuthenticationProvider`, `X509AuthenticationProvider` (branch-3.8).
//!
//! Providers: `ip` and `digest` are registered by default (`digest` unless
//! `zookeeper.DigestAuthenticationProvider.enabled=false`); `sasl` and `x509` only when
//! configured (`authProvider.N=...SASLAuthenticationProvider`, TLS client auth). There is no
//! provider for `world`, `auth` or `super`: they are handled specially below and are otherwise
//! unknown schemes. See [`AuthProviders`].
//!
//! Permission check ([`acl_permits`], `checkACL`): allowed when ACLs are skipped, when the
//! node's ACL list is empty, or when the connection holds any `super` id; otherwise allowed
//! when some ACL entry grants the wanted permission bit and either is `world:anyone` or has a
//! registered provider for which some id of the connection with the same scheme matches.
//!
//! ACL fix-up on create/setACL ([`fixup_acl`], `fixupACL`): duplicates removed (first kept);
//! an empty list is invalid; `world:anyone` is kept; an `auth` entry (its id is ignored) is
//! replaced, with the same permissions, by every id of the connection whose provider is
//! registered and "authenticated" (`digest`, `sasl`, `x509`; not `ip`, and not `super`, which
//! has no provider), and is invalid when there is none; any other entry needs a registered
//! provider whose `isValid(id)` holds. Entries created by expansion are not de-duplicated again.

pub mod digest;
pub mod ip;
pub(crate) mod javacompat;

use std::fmt;

pub use ip::IpAclRules;

/// Permission bits (`ZooDefs.Perms`).
pub mod perms {
    pub const READ: i32 = 1;
    pub const WRITE: i32 = 2;
    pub const CREATE: i32 = 4;
    pub const DELETE: i32 = 8;
    pub const ADMIN: i32 = 16;
    pub const ALL: i32 = READ | WRITE | CREATE | DELETE | ADMIN;
}

/// Scheme of the identity that bypasses every ACL.
pub const SUPER_SCHEME: &str = "super";
/// Scheme of `world:anyone`.
pub const WORLD_SCHEME: &str = "world";
/// The only valid `world` id.
pub const ANYONE_ID: &str = "anyone";
/// Pseudo-scheme expanded to the connection's authenticated ids by [`fixup_acl`].
pub const AUTH_SCHEME: &str = "auth";

/// An identity a connection holds (`org.apache.zookeeper.data.Id`), e.g. `ip:127.0.0.1`,
/// `digest:u:Jq7w...`, `super:`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AuthId {
    pub scheme: String,
    pub id: String,
}

impl AuthId {
    pub fn new(scheme: impl Into<String>, id: impl Into<String>) -> Self {
        AuthId {
            scheme: scheme.into(),
            id: id.into(),
        }
    }

    /// Whether this is a `super` identity.
    pub fn is_super(&self) -> bool {
        self.scheme == SUPER_SCHEME
    }
}

impl fmt::Display for AuthId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.scheme, self.id)
    }
}

/// One ACL entry (`org.apache.zookeeper.data.ACL`), owned.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AclEntry {
    pub perms: i32,
    pub scheme: String,
    pub id: String,
}

impl AclEntry {
    pub fn new(perms: i32, scheme: impl Into<String>, id: impl Into<String>) -> Self {
        AclEntry {
            perms,
            scheme: scheme.into(),
            id: id.into(),
        }
    }

    /// `(31, world:anyone)`, i.e. `Ids.OPEN_ACL_UNSAFE`'s entry.
    pub fn open() -> Self {
        AclEntry::new(perms::ALL, WORLD_SCHEME, ANYONE_ID)
    }

    pub fn as_ref(&self) -> AclRef<'_> {
        AclRef {
            perms: self.perms,
            scheme: &self.scheme,
            id: &self.id,
        }
    }
}

/// One ACL entry, borrowed (for checking ACLs stored in another representation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AclRef<'a> {
    pub perms: i32,
    pub scheme: &'a str,
    pub id: &'a str,
}

impl<'a> From<&'a AclEntry> for AclRef<'a> {
    fn from(e: &'a AclEntry) -> Self {
        e.as_ref()
    }
}

impl<'a> From<(i32, &'a str, &'a str)> for AclRef<'a> {
    fn from((perms, scheme, id): (i32, &'a str, &'a str)) -> Self {
        AclRef { perms, scheme, id }
    }
}

/// A registered authentication provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Ip,
    Digest,
    Sasl,
    X509,
}

/// Which providers are registered, and the settings their checks read. The default is
/// ZooKeeper's out-of-the-box registry: `ip` and `digest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthProviders {
    /// `zookeeper.DigestAuthenticationProvider.enabled` (default true).
    pub digest_enabled: bool,
    /// `SASLAuthenticationProvider` registered (`authProvider.N=...`).
    pub sasl_enabled: bool,
    /// `X509AuthenticationProvider` registered (TLS with client authentication).
    pub x509_enabled: bool,
    /// Which `ip` address syntax to accept.
    pub ip_rules: IpAclRules,
    /// `zookeeper.X509AuthenticationProvider.superUser`: an x509 id equal to it matches every
    /// x509 ACL entry.
    pub x509_superuser: Option<String>,
    /// `zookeeper.letAnySaslUserDoX`: a sasl ACL entry with this id matches any sasl user.
    pub let_any_sasl_user_do_x: Option<String>,
}

impl Default for AuthProviders {
    fn default() -> Self {
        AuthProviders {
            digest_enabled: true,
            sasl_enabled: false,
            x509_enabled: false,
            ip_rules: IpAclRules::default(),
            x509_superuser: None,
            let_any_sasl_user_do_x: None,
        }
    }
}

impl AuthProviders {
    /// `ProviderRegistry.getServerProvider(scheme)`.
    pub fn provider(&self, scheme: &str) -> Option<Provider> {
        match scheme {
            ip::SCHEME => Some(Provider::Ip),
            digest::SCHEME if self.digest_enabled => Some(Provider::Digest),
            sasl::SCHEME if self.sasl_enabled => Some(Provider::Sasl),
            x509::SCHEME if self.x509_enabled => Some(Provider::X509),
            _ => None,
        }
    }

    /// `isAuthenticated()` of the scheme's provider; false without one.
    pub fn is_authenticated(&self, scheme: &str) -> bool {
        matches!(
            self.provider(scheme),
            Some(Provider::Digest | Provider::Sasl | Provider::X509)
        )
    }

    /// `isValid(id)` of the scheme's provider; false without one.
    pub fn is_valid(&self, scheme: &str, id: &str) -> bool {
        match self.provider(scheme) {
            Some(Provider::Ip) => ip::is_valid_ip_id_with(self.ip_rules, id),
            Some(Provider::Digest) => digest::is_valid_digest_id(id),
            Some(Provider::Sasl) => sasl::is_valid_sasl_id(id),
            Some(Provider::X509) => x509::is_valid_x509_id(id),
            None => false,
        }
    }

    /// `matches(clientId, aclId)` of the scheme's provider; false without one.
    pub fn matches(&self, scheme: &str, client_id: &str, acl_id: &str) -> bool {
        match self.provider(scheme) {
            Some(Provider::Ip) => ip::ip_matches_with(self.ip_rules, client_id, acl_id),
            Some(Provider::Digest) => digest::digest_matches(client_id, acl_id),
            Some(Provider::Sasl) => {
                sasl::sasl_matches(client_id, acl_id, self.let_any_sasl_user_do_x.as_deref())
            }
            Some(Provider::X509) => x509::x509_matches(client_id, acl_id, self.x509_superuser.as_deref()),
            None => false,
        }
    }
}

/// `checkACL`: whether a connection holding `ids` may perform an operation needing
/// `wanted_perm` on a node whose ACL is `acls`.
pub fn acl_permits<'a, I>(
    acls: I,
    wanted_perm: i32,
    ids: &[AuthId],
    skip_acl: bool,
    providers: &AuthProviders,
) -> bool
where
    I: IntoIterator,
    I::Item: Into<AclRef<'a>>,
{
    if skip_acl {
        return true;
    }
    // An empty ACL list and a super id both allow everything; the order does not matter.
    if ids.iter().any(AuthId::is_super) {
        return true;
    }
    let mut empty = true;
    for acl in acls {
        empty = false;
        let acl: AclRef<'a> = acl.into();
        if acl.perms & wanted_perm == 0 {
            continue;
        }
        if acl.scheme == WORLD_SCHEME && acl.id == ANYONE_ID {
            return true;
        }
        if providers.provider(acl.scheme).is_none() {
            continue;
        }
        if ids
            .iter()
            .any(|id| id.scheme == acl.scheme && providers.matches(acl.scheme, &id.id, acl.id))
        {
            return true;
        }
    }
    empty
}

/// Why [`fixup_acl`] refused an ACL list; every case is `InvalidACL` (-114) on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidAcl {
    /// The list is empty.
    Empty,
    /// An `auth` entry, but the connection holds no authenticated id.
    NoAuthenticatedId,
    /// No registered provider for the scheme (includes `world` with an id other than
    /// `anyone`, and `super`).
    UnknownScheme { scheme: String },
    /// The provider rejects the id.
    InvalidId { scheme: String, id: String },
}

impl fmt::Display for InvalidAcl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidAcl::Empty => f.write_str("empty ACL"),
            InvalidAcl::NoAuthenticatedId => {
                f.write_str("auth ACL without an authenticated id on the connection")
            }
            InvalidAcl::UnknownScheme { scheme } => write!(f, "unknown ACL scheme {scheme:?}"),
            InvalidAcl::InvalidId { scheme, id } => {
                write!(f, "invalid {scheme} ACL id {id:?}")
            }
        }
    }
}

impl std::error::Error for InvalidAcl {}

/// `fixupACL`: validates and expands the ACL of a create or setACL request made by a
/// connection holding `auth_info`.
pub fn fixup_acl<'a, I>(
    acls: I,
    auth_info: &[AuthId],
    providers: &AuthProviders,
) -> Result<Vec<AclEntry>, InvalidAcl>
where
    I: IntoIterator,
    I::Item: Into<AclRef<'a>>,
{
    let mut unique: Vec<AclRef<'a>> = Vec::new();
    for acl in acls {
        let acl = acl.into();
        if !unique.contains(&acl) {
            unique.push(acl);
        }
    }
    if unique.is_empty() {
        return Err(InvalidAcl::Empty);
    }
    let mut fixed = Vec::with_capacity(unique.len());
    for acl in unique {
        if acl.scheme == WORLD_SCHEME && acl.id == ANYONE_ID {
            fixed.push(AclEntry::new(acl.perms, acl.scheme, acl.id));
        } else if acl.scheme == AUTH_SCHEME {
            let before = fixed.len();
            fixed.extend(
                auth_info
                    .iter()
                    .filter(|cid| providers.is_authenticated(&cid.scheme))
                    .map(|cid| AclEntry::new(acl.perms, cid.scheme.as_str(), cid.id.as_str())),
            );
            if fixed.len() == before {
                return Err(InvalidAcl::NoAuthenticatedId);
            }
        } else if providers.provider(acl.scheme).is_none() {
            return Err(InvalidAcl::UnknownScheme {
                scheme: acl.scheme.to_owned(),
            });
        } else if !providers.is_valid(acl.scheme, acl.id) {
            return Err(InvalidAcl::InvalidId {
                scheme: acl.scheme.to_owned(),
                id: acl.id.to_owned(),
            });
        } else {
            fixed.push(AclEntry::new(acl.perms, acl.scheme, acl.id));
        }
    }
    Ok(fixed)
}

/// `super` detection for digest authentication: the generated id equals the configured
/// `zookeeper.DigestAuthenticationProvider.superDigest` (see [`digest::is_super`]).
pub fn is_super(digest_id: &str, super_digest_config: Option<&str>) -> bool {
    digest::is_super(digest_id, super_digest_config)
}

/// The `sasl` scheme (`SASLAuthenticationProvider`).
pub mod sasl {
    /// The scheme name.
    pub const SCHEME: &str = "sasl";

    /// `isValid`: `new KerberosName(id)` succeeds, i.e. the id has no `@`, or it is
    /// `service[/host]@realm` with no further `/` or `@` (every part may be empty).
    pub fn is_valid_sasl_id(id: &str) -> bool {
        let Some((principal, realm)) = id.split_once('@') else {
            return true;
        };
        if realm.contains(['/', '@']) {
            return false;
        }
        match principal.split_once('/') {
            Some((_, host)) => !host.contains('/'),
            None => true,
        }
    }

    /// `matches`: the client id is `super`, equals the ACL id, or the ACL id equals
    /// `zookeeper.letAnySaslUserDoX`.
    pub fn sasl_matches(client_id: &str, acl_id: &str, let_any_user_do_x: Option<&str>) -> bool {
        client_id == "super" || client_id == acl_id || let_any_user_do_x == Some(acl_id)
    }
}

/// The `x509` scheme (`X509AuthenticationProvider`).
pub mod x509 {
    /// The scheme name.
    pub const SCHEME: &str = "x509";

    /// `matches`: equality, or the client id is the configured
    /// `zookeeper.X509AuthenticationProvider.superUser`.
    pub fn x509_matches(client_id: &str, acl_id: &str, superuser: Option<&str>) -> bool {
        client_id == acl_id || superuser == Some(client_id)
    }

    /// `isValid`: `new X500Principal(id)` succeeds. This is an approximation of the JDK's
    /// RFC 1779/2253 distinguished-name parser: RDNs separated by `,` or `;`, attribute
    /// values joined by `+`, each `type=value` with `type` a JDK keyword (`CN`, `C`, `L`, `S`,
    /// `ST`, `O`, `OU`, `T`, `IP`, `STREET`, `DC`, `DNQUALIFIER`, `DNQ`, `SURNAME`,
    /// `GIVENNAME`, `INITIALS`, `GENERATION`, `EMAIL`, `EMAILADDRESS`, `UID`, `SERIALNUMBER`,
    /// any case) or a dotted OID (optionally `OID.`-prefixed) and `value` a plain string
    /// (escapes `\,` etc. or `\hh`; no bare `"`, `<`, `>`), a quoted string, or `#` + the hex
    /// of one DER element. The empty string is the empty name. Unusual inputs may be judged
    /// differently from the JDK.
    pub fn is_valid_x509_id(id: &str) -> bool {
        if id.is_empty() {
            return true;
        }
        match split_unquoted(id, &[',', ';']) {
            Some(rdns) => rdns.into_iter().all(is_valid_rdn),
            None => false,
        }
    }

    const KEYWORDS: &[&str] = &[
        "CN",
        "C",
        "L",
        "S",
        "ST",
        "O",
        "OU",
        "T",
        "IP",
        "STREET",
        "DC",
        "DNQUALIFIER",
        "DNQ",
        "SURNAME",
        "GIVENNAME",
        "INITIALS",
        "GENERATION",
        "EMAIL",
        "EMAILADDRESS",
        "UID",
        "SERIALNUMBER",
    ];

    const SPECIAL: &[char] = &[',', '=', '+', '<', '>', '#', ';', '"', '\\', ' '];

    fn is_blank(c: char) -> bool {
        matches!(c, ' ' | '\t' | '\n' | '\r')
    }

    /// Splits at separators outside quotes and not escaped; `None` for an unterminated quote.
    fn split_unquoted<'s>(s: &'s str, seps: &[char]) -> Option<Vec<&'s str>> {
        let mut parts = Vec::new();
        let mut start = 0;
        let mut quoted = false;
        let mut escaped = false;
        for (i, c) in s.char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                quoted = !quoted;
            } else if !quoted && seps.contains(&c) {
                parts.push(&s[start..i]);
                start = i + c.len_utf8();
            }
        }
        if quoted {
            return None;
        }
        parts.push(&s[start..]);
        Some(parts)
    }

    fn is_valid_rdn(rdn: &str) -> bool {
        match split_unquoted(rdn, &['+']) {
            Some(avas) => avas.into_iter().all(is_valid_ava),
            None => false,
        }
    }

    fn is_valid_keyword(keyword: &str) -> bool {
        if KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(keyword)) {
            return true;
        }
        let oid = match keyword.get(..4) {
            Some(prefix) if prefix.eq_ignore_ascii_case("OID.") => &keyword[4..],
            _ => keyword,
        };
        let arcs: Vec<&str> = oid.split('.').collect();
        arcs.len() >= 2
            && arcs
                .iter()
                .all(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()))
    }

    fn is_valid_ava(ava: &str) -> bool {
        let Some((keyword, value)) = ava.split_once('=') else {
            return false;
        };
        is_valid_keyword(keyword.trim_matches(is_blank)) && is_valid_value(value)
    }

    fn is_valid_value(value: &str) -> bool {
        let value = value.trim_start_matches(is_blank);
        if let Some(hex) = value.strip_prefix('#') {
            return is_der_hex(hex.trim_end_matches(is_blank));
        }
        if let Some(rest) = value.strip_prefix('"') {
            let mut escaped = false;
            for (i, c) in rest.char_indices() {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    return rest[i + 1..].chars().all(is_blank);
                }
            }
            return false;
        }
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some(e) if SPECIAL.contains(&e) => {}
                    Some(h) if h.is_ascii_hexdigit() => {
                        if !chars.next().is_some_and(|l| l.is_ascii_hexdigit()) {
                            return false;
                        }
                    }
                    _ => return false,
                },
                '"' | '<' | '>' => return false,
                _ => {}
            }
        }
        true
    }

    /// Hex of exactly one DER element (tag, definite length, contents).
    fn is_der_hex(hex: &str) -> bool {
        if hex.is_empty() || hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return false;
        }
        let bytes: Vec<u8> = hex
            .as_bytes()
            .chunks(2)
            .filter_map(|pair| std::str::from_utf8(pair).ok())
            .filter_map(|pair| u8::from_str_radix(pair, 16).ok())
            .collect();
        let Some((&first_len, rest)) = bytes.get(1..).and_then(|b| b.split_first()) else {
            return false;
        };
        let (len, contents) = if first_len < 0x80 {
            (usize::from(first_len), rest)
        } else {
            let n = usize::from(first_len & 0x7f);
            if n == 0 || n > 4 || rest.len() < n {
                return false;
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            (len, &rest[n..])
        };
        contents.len() == len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[(&str, &str)]) -> Vec<AuthId> {
        list.iter().map(|(s, i)| AuthId::new(*s, *i)).collect()
    }

    const U_P: &str = "u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ=";

    #[test]
    fn check_acl_rules() {
        let p = AuthProviders::default();
        let open = [AclEntry::open()];
        let read_only = [AclEntry::new(perms::READ, "world", "anyone")];
        let digest_all = [AclEntry::new(perms::ALL, "digest", U_P)];
        let anon = ids(&[("ip", "127.0.0.1")]);
        let user = ids(&[("ip", "127.0.0.1"), ("digest", U_P)]);
        let sup = ids(&[("ip", "127.0.0.1"), ("super", "")]);

        assert!(acl_permits(&open, perms::WRITE, &anon, false, &p));
        assert!(acl_permits(&read_only, perms::READ, &anon, false, &p));
        assert!(!acl_permits(&read_only, perms::WRITE, &anon, false, &p));
        assert!(!acl_permits(&read_only, perms::WRITE, &user, false, &p));
        // super and skipACL bypass everything.
        assert!(acl_permits(&read_only, perms::WRITE, &sup, false, &p));
        assert!(acl_permits(&read_only, perms::ADMIN, &anon, true, &p));
        // Empty ACL allows everything.
        assert!(acl_permits(&[] as &[AclEntry], perms::DELETE, &anon, false, &p));
        // digest: equality of the whole id.
        assert!(acl_permits(&digest_all, perms::DELETE, &user, false, &p));
        assert!(!acl_permits(&digest_all, perms::DELETE, &anon, false, &p));
        // Disabled digest provider: never matches.
        let no_digest = AuthProviders {
            digest_enabled: false,
            ..AuthProviders::default()
        };
        assert!(!acl_permits(&digest_all, perms::READ, &user, false, &no_digest));
        // ip ranges.
        let ip_acl = [AclEntry::new(perms::READ, "ip", "127.0.0.0/8")];
        assert!(acl_permits(&ip_acl, perms::READ, &anon, false, &p));
        assert!(!acl_permits(
            &ip_acl,
            perms::READ,
            &ids(&[("ip", "10.0.0.1")]),
            false,
            &p
        ));
        // Scheme must be the same: a digest id equal to the ip ACL id does not count.
        assert!(!acl_permits(
            &ip_acl,
            perms::READ,
            &ids(&[("digest", "127.0.0.0/8")]),
            false,
            &p
        ));
        // world with another id, unknown schemes and super entries never match.
        let odd = [
            AclEntry::new(perms::ALL, "world", "everyone"),
            AclEntry::new(perms::ALL, "foo", "bar"),
            AclEntry::new(perms::ALL, "super", ""),
        ];
        assert!(!acl_permits(
            &odd,
            perms::READ,
            &ids(&[("world", "everyone"), ("foo", "bar")]),
            false,
            &p
        ));
        // Any matching entry among several; perms are a bit test.
        let mixed = [
            AclEntry::new(perms::READ, "digest", "x:y"),
            AclEntry::new(perms::WRITE | perms::CREATE, "digest", U_P),
        ];
        assert!(acl_permits(&mixed, perms::CREATE, &user, false, &p));
        assert!(!acl_permits(&mixed, perms::READ, &user, false, &p));
        // Tuple input.
        let tuples = [(perms::READ, "ip", "127.0.0.1")];
        assert!(acl_permits(tuples, perms::READ, &anon, false, &p));
    }

    #[test]
    fn sasl_and_x509_matching() {
        let p = AuthProviders {
            sasl_enabled: true,
            x509_enabled: true,
            x509_superuser: Some("CN=admin".into()),
            let_any_sasl_user_do_x: Some("anyuser".into()),
            ..AuthProviders::default()
        };
        let sasl_acl = [AclEntry::new(perms::READ, "sasl", "alice")];
        assert!(acl_permits(
            &sasl_acl,
            perms::READ,
            &ids(&[("sasl", "alice")]),
            false,
            &p
        ));
        assert!(!acl_permits(
            &sasl_acl,
            perms::READ,
            &ids(&[("sasl", "bob")]),
            false,
            &p
        ));
        assert!(acl_permits(
            &sasl_acl,
            perms::READ,
            &ids(&[("sasl", "super")]),
            false,
            &p
        ));
        let any = [AclEntry::new(perms::READ, "sasl", "anyuser")];
        assert!(acl_permits(
            &any,
            perms::READ,
            &ids(&[("sasl", "bob")]),
            false,
            &p
        ));
        let x_acl = [AclEntry::new(perms::READ, "x509", "CN=client")];
        assert!(acl_permits(
            &x_acl,
            perms::READ,
            &ids(&[("x509", "CN=client")]),
            false,
            &p
        ));
        assert!(acl_permits(
            &x_acl,
            perms::READ,
            &ids(&[("x509", "CN=admin")]),
            false,
            &p
        ));
        assert!(!acl_permits(
            &x_acl,
            perms::READ,
            &ids(&[("x509", "CN=other")]),
            false,
            &p
        ));
        // Unregistered providers never match.
        let d = AuthProviders::default();
        assert!(!acl_permits(
            &sasl_acl,
            perms::READ,
            &ids(&[("sasl", "alice")]),
            false,
            &d
        ));
        assert!(!acl_permits(
            &x_acl,
            perms::READ,
            &ids(&[("x509", "CN=client")]),
            false,
            &d
        ));
    }

    #[test]
    fn fixup_rules() {
        let p = AuthProviders::default();
        let user = ids(&[("ip", "127.0.0.1"), ("digest", U_P)]);
        let anon = ids(&[("ip", "127.0.0.1")]);

        // auth:"" becomes the digest id (live: CREATOR_ALL_ACL by a digest user).
        let creator_all = [AclEntry::new(perms::ALL, "auth", "")];
        assert_eq!(
            fixup_acl(&creator_all, &user, &p),
            Ok(vec![AclEntry::new(perms::ALL, "digest", U_P)])
        );
        // ip ids are not authenticated: nothing to expand to.
        assert_eq!(
            fixup_acl(&creator_all, &anon, &p),
            Err(InvalidAcl::NoAuthenticatedId)
        );
        // super has no provider, so it is not expanded either.
        assert_eq!(
            fixup_acl(&creator_all, &ids(&[("super", ""), ("ip", "1.2.3.4")]), &p),
            Err(InvalidAcl::NoAuthenticatedId)
        );
        // Digest disabled: a digest id on the connection is not authenticated any more.
        let no_digest = AuthProviders {
            digest_enabled: false,
            ..AuthProviders::default()
        };
        assert_eq!(
            fixup_acl(&creator_all, &user, &no_digest),
            Err(InvalidAcl::NoAuthenticatedId)
        );
        // Every authenticated id, with the auth entry's perms; the auth id is ignored.
        let two = ids(&[("digest", U_P), ("ip", "1.1.1.1"), ("digest", "v:xyz=")]);
        assert_eq!(
            fixup_acl(&[AclEntry::new(perms::READ, "auth", "ignored")], &two, &p),
            Ok(vec![
                AclEntry::new(perms::READ, "digest", U_P),
                AclEntry::new(perms::READ, "digest", "v:xyz="),
            ])
        );
        // Duplicates removed before expansion, not after.
        let dup = [
            AclEntry::open(),
            AclEntry::open(),
            AclEntry::new(perms::ALL, "digest", U_P),
            AclEntry::new(perms::ALL, "auth", ""),
        ];
        assert_eq!(
            fixup_acl(&dup, &user, &p),
            Ok(vec![
                AclEntry::open(),
                AclEntry::new(perms::ALL, "digest", U_P),
                AclEntry::new(perms::ALL, "digest", U_P),
            ])
        );
        // Same id with different perms is not a duplicate.
        let perms_differ = [
            AclEntry::new(perms::READ, "world", "anyone"),
            AclEntry::new(perms::WRITE, "world", "anyone"),
        ];
        assert_eq!(fixup_acl(&perms_differ, &anon, &p).map(|v| v.len()), Ok(2));
        // Empty.
        assert_eq!(fixup_acl(&[] as &[AclEntry], &user, &p), Err(InvalidAcl::Empty));
        // Validation by provider.
        let cases: &[(&str, &str, bool)] = &[
            ("world", "anyone", true),
            ("world", "everyone", false),
            ("world", "", false),
            ("digest", "u:abc", true),
            ("digest", "u", false),
            ("digest", "a:b:c", false),
            ("ip", "10.0.0.0/8", true),
            ("ip", "::1", false), // 3.8 rules (the default): IPv4 only
            ("ip", "10.0.0.0/33", false),
            ("ip", "host.example", false),
            ("super", "", false),
            ("sasl", "alice", false),
            ("x509", "CN=a", false),
            ("nope", "x", false),
        ];
        for &(scheme, id, ok) in cases {
            let got = fixup_acl(&[AclEntry::new(perms::READ, scheme, id)], &anon, &p);
            assert_eq!(got.is_ok(), ok, "{scheme}:{id} -> {got:?}");
        }
        assert_eq!(
            fixup_acl(&[AclEntry::new(1, "nope", "x")], &anon, &p),
            Err(InvalidAcl::UnknownScheme {
                scheme: "nope".into()
            })
        );
        assert_eq!(
            fixup_acl(&[AclEntry::new(1, "digest", "x")], &anon, &p),
            Err(InvalidAcl::InvalidId {
                scheme: "digest".into(),
                id: "x".into()
            })
        );
        // ip under 3.8 rules.
        let v38 = AuthProviders {
            ip_rules: IpAclRules::Ipv4Only,
            ..AuthProviders::default()
        };
        assert!(fixup_acl(&[AclEntry::new(1, "ip", "::1")], &anon, &v38).is_err());
        // One bad entry spoils the list.
        let mixed = [AclEntry::open(), AclEntry::new(1, "digest", "bad")];
        assert!(fixup_acl(&mixed, &user, &p).is_err());
    }

    #[test]
    fn fixup_with_sasl_and_x509() {
        let p = AuthProviders {
            sasl_enabled: true,
            x509_enabled: true,
            ..AuthProviders::default()
        };
        let conn = ids(&[
            ("ip", "1.2.3.4"),
            ("x509", "CN=client,O=org"),
            ("sasl", "zk/host@REALM"),
            ("super", ""),
        ]);
        assert_eq!(
            fixup_acl(&[AclEntry::new(perms::ALL, "auth", "")], &conn, &p),
            Ok(vec![
                AclEntry::new(perms::ALL, "x509", "CN=client,O=org"),
                AclEntry::new(perms::ALL, "sasl", "zk/host@REALM"),
            ])
        );
        assert!(fixup_acl(&[AclEntry::new(1, "sasl", "a@b@c")], &conn, &p).is_err());
        assert!(fixup_acl(&[AclEntry::new(1, "x509", "XYZ=foo")], &conn, &p).is_err());
        assert!(fixup_acl(&[AclEntry::new(1, "x509", "CN=foo, O=bar")], &conn, &p).is_ok());
    }

    #[test]
    fn kerberos_names_like_java() {
        // `new KerberosName(id)` in zookeeper-3.8.0.jar.
        let cases = [
            ("zk/host@REALM", true),
            ("zk@REALM", true),
            ("zk", true),
            ("a/b/c", true),
            ("a@b@c", false),
            ("a/b/c@R", false),
            ("@", true),
            ("", true),
            ("zk/host@", true),
            ("/@", true),
            ("a@b/c", false),
            ("zk/@R", true),
        ];
        for (id, want) in cases {
            assert_eq!(sasl::is_valid_sasl_id(id), want, "{id:?}");
        }
    }

    #[test]
    fn x500_names_like_java() {
        // `new javax.security.auth.x500.X500Principal(id)` on OpenJDK 17.
        let cases = [
            ("", true),
            ("CN=foo", true),
            ("CN=foo,O=bar", true),
            ("cn=foo, o=bar", true),
            ("CN=foo;O=bar", true),
            ("foo", false),
            ("CN=", true),
            ("CN=a+OU=b", true),
            ("2.5.4.3=foo", true),
            ("OID.2.5.4.3=foo", true),
            ("XYZ=foo", false),
            ("CN=\"a,b\"", true),
            ("CN=a\\,b", true),
            ("CN=#0403666f6f", true),
            ("CN=foo,", false),
            ("CN=foo,,O=x", false),
            (" CN = foo ", true),
            ("EMAILADDRESS=a@b", true),
            ("UID=x", true),
            ("DC=com", true),
            ("STREET=x", true),
            ("SERIALNUMBER=1", true),
            ("E=v", false),
            ("SN=v", false),
            ("NAME=v", false),
            ("OID=v", false),
            ("OID.=v", false),
            ("0.1=v", true),
            ("1=v", false),
            ("2.5=v", true),
            ("OID.2.5=v", true),
            ("2.5.=v", false),
            ("2..5=v", false),
            ("02.5=v", true),
            ("A1=v", false),
            ("1A=x", false),
            ("CN=a\\", false),
            ("CN=\"a", false),
            ("CN=\"a\"b", false),
            ("CN=\"a\" ", true),
            ("CN=a\"b", false),
            ("CN=#", false),
            ("CN=#0", false),
            ("CN=#zz", false),
            ("CN=#04", false),
            ("CN=#0403666f6f,O=x", true),
            ("CN=a\\2cb", true),
            ("CN=a\\zb", false),
            ("CN=a\\ b", true),
            ("CN=a=b", true),
            ("CN=a+", false),
            ("+CN=a", false),
            ("CN=a+O=b,OU=c", true),
            ("CN=a,O=b;OU=c", true),
            ("CN=a ,O=b", true),
            ("CN=a< b", false),
            ("CN=a>b", false),
            ("CN=a#b", true),
            ("CN= #04", false),
            ("CN=a;", false),
            ("CN=a\\;b", true),
            (";", false),
            ("=a", false),
            ("CN", false),
            ("CN =a", true),
            ("CN\t=a", true),
            ("CN=\u{e9}", true),
            ("CN=a\nb", true),
            ("CN=a\u{0}b", true),
            ("CN=  ", true),
            ("CN=a\\\\", true),
            (" ", false),
            ("  ,", false),
            ("CN=a, ", false),
            ("CN=\"\"", true),
            ("CN=a\\\"b", true),
            ("CN=\"a\\\"b\"", true),
            ("1.2.3.4=#0101ff", true),
            ("1.2.3.4=x", true),
            ("OID.1.2=x", true),
            ("oid.1.2=x", true),
            ("CN=a,  O=b", true),
            ("cn=a,o=b,ou=c,c=us,l=x,st=y", true),
            ("CN=a++O=b", false),
            ("CN=a+ O=b", true),
        ];
        for (id, want) in cases {
            assert_eq!(x509::is_valid_x509_id(id), want, "{id:?}");
        }
    }

    #[test]
    fn provider_registry() {
        let p = AuthProviders::default();
        assert_eq!(p.provider("ip"), Some(Provider::Ip));
        assert_eq!(p.provider("digest"), Some(Provider::Digest));
        for s in ["sasl", "x509", "world", "auth", "super", "Digest", ""] {
            assert_eq!(p.provider(s), None, "{s}");
        }
        assert!(p.is_authenticated("digest"));
        assert!(!p.is_authenticated("ip"));
        assert!(!p.is_authenticated("super"));
        assert!(is_super(U_P, Some(U_P)));
        assert!(!is_super(U_P, None));
        assert_eq!(AuthId::new("digest", U_P).to_string(), format!("digest:{U_P}"));
    }
}
