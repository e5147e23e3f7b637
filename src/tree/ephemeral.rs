//! What a stored `ephemeralOwner` means.
//!
//! Ref: `EphemeralType` (branch-3.8). Stored values:
//! - `0`: persistent;
//! - `0x8000000000000000` (Long.MIN_VALUE): container;
//! - with extended types enabled, top byte `0xFF`: an extended type; feature id in bits 40..56
//!   (0 = TTL), TTL in the low 40 bits;
//! - anything else: the owning session (a normal ephemeral).

/// `EphemeralType.CONTAINER_EPHEMERAL_OWNER`.
pub const CONTAINER_OWNER: i64 = i64::MIN;
const EXTENDED_MASK: i64 = 0xff00_0000_0000_0000_u64 as i64;
const EXTENDED_FEATURE_MASK: i64 = 0x00ff_ff00_0000_0000;
/// Largest TTL a TTL node may have, in ms (40 bits).
pub const MAX_TTL_MS: i64 = 0x0000_00ff_ffff_ffff;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EphemeralType {
    /// Persistent (owner 0).
    Void,
    /// Owned by a session.
    Normal,
    Container,
    Ttl,
    /// An extended type this server does not know (Java refuses these).
    UnknownExtended,
}

impl EphemeralType {
    pub fn of(owner: i64, extended_types_enabled: bool) -> EphemeralType {
        if extended_types_enabled && owner & EXTENDED_MASK == EXTENDED_MASK {
            return if owner & EXTENDED_FEATURE_MASK == 0 {
                EphemeralType::Ttl
            } else {
                EphemeralType::UnknownExtended
            };
        }
        if owner == CONTAINER_OWNER {
            EphemeralType::Container
        } else if owner == 0 {
            EphemeralType::Void
        } else {
            EphemeralType::Normal
        }
    }
}

/// The stored owner of a TTL node, or `None` when the TTL is out of range (BADARGUMENTS).
pub fn ttl_owner(ttl_ms: i64) -> Option<i64> {
    if ttl_ms <= 0 || ttl_ms > MAX_TTL_MS {
        None
    } else {
        Some(EXTENDED_MASK | ttl_ms)
    }
}

/// The TTL of a TTL node's stored owner.
pub fn ttl_of(owner: i64) -> i64 {
    owner & MAX_TTL_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(EphemeralType::of(0, true), EphemeralType::Void);
        assert_eq!(
            EphemeralType::of(0x0100_0000_0000_0001, true),
            EphemeralType::Normal
        );
        assert_eq!(EphemeralType::of(i64::MIN, false), EphemeralType::Container);
        let owner = ttl_owner(5000).unwrap();
        assert_eq!(owner as u64, 0xff00_0000_0000_1388);
        assert_eq!(EphemeralType::of(owner, true), EphemeralType::Ttl);
        // Without extended types, the same value reads as a session id.
        assert_eq!(EphemeralType::of(owner, false), EphemeralType::Normal);
        assert_eq!(ttl_of(owner), 5000);
        assert_eq!(ttl_owner(0), None);
        assert_eq!(ttl_owner(MAX_TTL_MS + 1), None);
    }
}
