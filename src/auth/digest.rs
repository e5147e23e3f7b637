//! The `digest` authentication scheme.
//!
//! Ref: `server.auth.DigestAuthenticationProvider` (branch-3.8).
//!
//! * Authentication: the client sends `user:password`; the connection gets the id
//!   `user:` + base64(H(`user:password`)), where `user` is everything before the first `:`
//!   (the whole input when there is none) and H is SHA-1 unless
//!   `zookeeper.DigestAuthenticationProvider.digestAlg` names another algorithm. The auth
//!   bytes are decoded as UTF-8 (Java's default charset) and hashed re-encoded as UTF-8.
//! * If that id equals `zookeeper.DigestAuthenticationProvider.superDigest` exactly, the
//!   connection also gets `super:` (empty id).
//! * ACL ids are valid when Java's `id.split(":")` has exactly two pieces (trailing empty pieces
//!   dropped, so `a:b:` is valid, `a:` and `::b` are not).
//! * Matching is plain string equality; digest ids count as "authenticated" for `auth` ACLs.

use base64::Engine as _;
use sha1::Digest as _;

use super::javacompat;

/// The scheme name.
pub const SCHEME: &str = "digest";

/// Hash algorithms accepted for `zookeeper.DigestAuthenticationProvider.digestAlg`: the
/// SHA family that OpenJDK 17 ships (MD2/MD5 and third-party providers are not supported).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DigestAlgorithm {
    /// `SHA1` (the default), also `SHA-1`, `SHA`.
    #[default]
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sha512_224,
    Sha512_256,
    Sha3_224,
    Sha3_256,
    Sha3_384,
    Sha3_512,
}

impl DigestAlgorithm {
    /// Parses a `java.security.MessageDigest` algorithm name (case-insensitive, with the JDK's
    /// aliases such as `SHA256` for `SHA-256` and the object identifiers, optionally prefixed
    /// `OID.`). `None` for anything else.
    pub fn from_java_name(name: &str) -> Option<Self> {
        use DigestAlgorithm::*;
        let upper = name.to_ascii_uppercase();
        let upper = upper.strip_prefix("OID.").unwrap_or(&upper);
        Some(match upper {
            "SHA" | "SHA1" | "SHA-1" | "1.3.14.3.2.26" => Sha1,
            "SHA-224" | "SHA224" | "2.16.840.1.101.3.4.2.4" => Sha224,
            "SHA-256" | "SHA256" | "2.16.840.1.101.3.4.2.1" => Sha256,
            "SHA-384" | "SHA384" | "2.16.840.1.101.3.4.2.2" => Sha384,
            "SHA-512" | "SHA512" | "2.16.840.1.101.3.4.2.3" => Sha512,
            "SHA-512/224" | "SHA512/224" | "2.16.840.1.101.3.4.2.5" => Sha512_224,
            "SHA-512/256" | "SHA512/256" | "2.16.840.1.101.3.4.2.6" => Sha512_256,
            "SHA3-224" | "2.16.840.1.101.3.4.2.7" => Sha3_224,
            "SHA3-256" | "2.16.840.1.101.3.4.2.8" => Sha3_256,
            "SHA3-384" | "2.16.840.1.101.3.4.2.9" => Sha3_384,
            "SHA3-512" | "2.16.840.1.101.3.4.2.10" => Sha3_512,
            _ => return None,
        })
    }

    /// `MessageDigest.getInstance(alg).digest(bytes)`.
    pub fn hash(self, bytes: &[u8]) -> Vec<u8> {
        use DigestAlgorithm::*;
        match self {
            Sha1 => sha1::Sha1::digest(bytes).to_vec(),
            Sha224 => sha2::Sha224::digest(bytes).to_vec(),
            Sha256 => sha2::Sha256::digest(bytes).to_vec(),
            Sha384 => sha2::Sha384::digest(bytes).to_vec(),
            Sha512 => sha2::Sha512::digest(bytes).to_vec(),
            Sha512_224 => sha2::Sha512_224::digest(bytes).to_vec(),
            Sha512_256 => sha2::Sha512_256::digest(bytes).to_vec(),
            Sha3_224 => sha3::Sha3_224::digest(bytes).to_vec(),
            Sha3_256 => sha3::Sha3_256::digest(bytes).to_vec(),
            Sha3_384 => sha3::Sha3_384::digest(bytes).to_vec(),
            Sha3_512 => sha3::Sha3_512::digest(bytes).to_vec(),
        }
    }
}

/// `generateDigest` with SHA-1: `u:p` → `u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ=`.
pub fn digest_id(user_password: &str) -> String {
    digest_id_with(DigestAlgorithm::Sha1, user_password)
}

/// `generateDigest` with the configured algorithm.
pub fn digest_id_with(alg: DigestAlgorithm, user_password: &str) -> String {
    let user = user_password
        .split_once(':')
        .map_or(user_password, |(user, _)| user);
    let hash = alg.hash(user_password.as_bytes());
    format!(
        "{user}:{}",
        base64::engine::general_purpose::STANDARD.encode(hash)
    )
}

/// The id a connection gets from an `auth` packet's raw bytes (decoded like Java's
/// `new String(authData)` with a UTF-8 default charset).
pub fn digest_id_from_auth_data(alg: DigestAlgorithm, auth_data: &[u8]) -> String {
    digest_id_with(alg, &javacompat::utf8_lossy(auth_data))
}

/// `isValid`: `id.split(":")` yields exactly two pieces.
pub fn is_valid_digest_id(id: &str) -> bool {
    javacompat::split(id, ":", 0).len() == 2
}

/// `matches`: string equality.
pub fn digest_matches(client_id: &str, acl_id: &str) -> bool {
    client_id == acl_id
}

/// `getUserName`: the first piece of `id.split(":")` (empty when there is none).
pub fn user_name(id: &str) -> &str {
    javacompat::split(id, ":", 0).first().copied().unwrap_or("")
}

/// Whether a freshly generated digest id is the configured super digest
/// (`zookeeper.DigestAuthenticationProvider.superDigest`, e.g. `super:<base64>`); such a
/// connection also gets the id `super:""`.
pub fn is_super(digest_id: &str, super_digest_config: Option<&str>) -> bool {
    super_digest_config == Some(digest_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `DigestAuthenticationProvider.generateDigest` from zookeeper-3.8.0.jar on OpenJDK 17.
    const JAVA_DIGESTS: &[(&str, &str)] = &[
        ("u:p", "u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ="),
        ("super:secret", "super:lK75jTNcA+U9vtVEw5vB51mj/w4="),
        ("abc", "abc:qZk+NkcGgWq6PiVxeFDCbJzQ2J0="),
        ("", ":2jmj7l5rSw0yVb/vlWAYkK/YBwk="),
        ("a:b:c", "a:cLzgnoJ6mP5qz3w+mwvPE2vDgu0="),
        (":x", ":57b19mLA2vMhI/edHul/TytWqWE="),
        ("user:", "user:kd7q5xGKLW+18xQTfO8iqRaFvsM="),
        ("\u{fc}:\u{f1}", "\u{fc}:NILaspvZVs53gHxy9P2ykNsXaEA="),
        ("bob:pa:ss", "bob:ZLnpyJBWh1VZxyRoQkI2cRg/9PM="),
        ("\u{1F600}:x", "\u{1F600}:REqPFl+hNWT76jWOnLhc6nLqmrk="),
    ];

    #[test]
    fn sha1_digests_match_java() {
        for (input, want) in JAVA_DIGESTS {
            assert_eq!(digest_id(input), *want, "{input:?}");
        }
    }

    #[test]
    fn other_algorithms_match_java() {
        // MessageDigest.getInstance(name).digest("u:p") in Base64, OpenJDK 17.
        let cases = [
            ("SHA-224", "buY2RDLG1qb161QWn3zO7zdHv1Jw5JzOzvoq8w=="),
            ("SHA256", "/Y8xRBngpX5duYn15uUqIRaIaCviy5TEwSk419hCwuA="),
            ("sha-256", "/Y8xRBngpX5duYn15uUqIRaIaCviy5TEwSk419hCwuA="),
            (
                "SHA-384",
                "joW9fAMExHHjPTquSoLHR7yNt+hmUQSWOdXLQ1YgEw4t89oJD5tqLNcOJbpOm3hr",
            ),
            (
                "SHA-512",
                "JuOwXdmk4f1omXNJj7k4ILDOHOlc+8PMyEaxl9nrWl6OmV83jKYivSqJWsp5PsMTda6BtnipueoU1r5DtBd7CA==",
            ),
            ("SHA-512/224", "uQhd9bjKXP6GHJndVVZ2qIjzcJFAYrjzPmzxOg=="),
            ("SHA512/256", "GahcuEqKVDomB4u/ebwuUp9/SoZ9jjQVdblytNb5wPo="),
            ("SHA3-224", "VetFxgqKhf3M+E8Pj5X4NLMXFF7lPCr+KjMt9g=="),
            ("sha3-256", "3+U94Pf1dSrKR/q5qu/huTFf1Fha6TtpdtpSdhWvIS0="),
            (
                "SHA3-384",
                "d4zgobLcJSLRER2rxMYl64bQqLziPCVxzKEWJoX+pEfq/zm0wPI8ZyXDgZrO/jZl",
            ),
            (
                "SHA3-512",
                "CxK7PYZe5JmbxbczQTl9zOaNZXrjA0kC+0x9tzWMsGKrpYRMUAdSUKhye+ylfkRhhXm3ReL68pT1mUct81OUyQ==",
            ),
            ("SHA", "Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ="),
            ("Sha-1", "Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ="),
            (
                "2.16.840.1.101.3.4.2.1",
                "/Y8xRBngpX5duYn15uUqIRaIaCviy5TEwSk419hCwuA=",
            ),
            (
                "oid.2.16.840.1.101.3.4.2.8",
                "3+U94Pf1dSrKR/q5qu/huTFf1Fha6TtpdtpSdhWvIS0=",
            ),
            ("OID.1.3.14.3.2.26", "Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ="),
        ];
        for (name, want) in cases {
            let alg = DigestAlgorithm::from_java_name(name).expect(name);
            assert_eq!(digest_id_with(alg, "u:p"), format!("u:{want}"), "{name}");
        }
        for name in [
            "SHA3256",
            "SHA-3-256",
            "SHA2",
            "RipeMD160",
            "",
            "MD5",
            "2.16.840.1.101.3.4.2.11",
        ] {
            assert_eq!(DigestAlgorithm::from_java_name(name), None, "{name}");
        }
        assert_eq!(DigestAlgorithm::default(), DigestAlgorithm::Sha1);
    }

    #[test]
    fn auth_data_decoding_matches_java() {
        // generateDigest(new String(bytes, UTF_8)) on OpenJDK 17.
        let cases: [(&[u8], &str); 3] = [
            (b"\xff:p", "\u{fffd}:CF2aQmKhCpl6NRwvXg6ky6/tkEA="),
            (b"a\xe2\x82:p", "a\u{fffd}:LO+xTCVXTePWoz5qqBv+Eqt4XuQ="),
            (b"\xed\xa0\x80:x", "\u{fffd}:MRJvuUNgOr/X35TrsstivNIZKtg="),
        ];
        for (bytes, want) in cases {
            assert_eq!(
                digest_id_from_auth_data(DigestAlgorithm::Sha1, bytes),
                want,
                "{bytes:?}"
            );
        }
        assert_eq!(
            digest_id_from_auth_data(DigestAlgorithm::Sha1, b"u:p"),
            "u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ="
        );
    }

    #[test]
    fn validity_matches_java() {
        // DigestAuthenticationProvider.isValid, zookeeper-3.8.0.jar.
        let cases = [
            ("a:b", true),
            ("a:", false),
            ("a:b:", true),
            (":b", true),
            (":", false),
            ("", false),
            ("a", false),
            ("a::", false),
            ("a:b::", true),
            ("::b", false),
            ("a:b:c", false),
            ("a:b::c", false),
            (":::", false),
            ("x:y:", true),
        ];
        for (id, want) in cases {
            assert_eq!(is_valid_digest_id(id), want, "{id:?}");
        }
        assert!(is_valid_digest_id(&digest_id("u:p")));
    }

    #[test]
    fn matching_and_super() {
        let id = digest_id("u:p");
        assert!(digest_matches(&id, "u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ="));
        assert!(!digest_matches(&id, "u:jq7wMyA/w2Vd5WIDAKdu4OIIFEQ="));
        assert!(!digest_matches(&id, "U:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ="));
        let sup = digest_id("super:secret");
        assert!(is_super(&sup, Some("super:lK75jTNcA+U9vtVEw5vB51mj/w4=")));
        assert!(!is_super(&sup, None));
        assert!(!is_super(&id, Some("super:lK75jTNcA+U9vtVEw5vB51mj/w4=")));
        assert!(!is_super(&sup, Some("super:lK75jTNcA+U9vtVEw5vB51mj/w4= ")));
        assert_eq!(user_name("u:abc"), "u");
        assert_eq!(user_name(":abc"), "");
        assert_eq!(user_name(""), "");
    }
}
