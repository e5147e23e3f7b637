//! Glue between the wire's `Acl` records and the `auth` module's checks.

use jute::{Acl, ErrorCode, Id};

use super::RequestOptions;
use crate::auth::{acl_permits, fixup_acl as fixup, AclEntry, AclRef, AuthId};

impl<'a> From<&'a Acl> for AclRef<'a> {
    fn from(a: &'a Acl) -> Self {
        AclRef {
            perms: a.perms,
            scheme: &a.id.scheme,
            id: &a.id.id,
        }
    }
}

impl From<AclEntry> for Acl {
    fn from(e: AclEntry) -> Self {
        Acl::new(e.perms, Id::new(e.scheme, e.id))
    }
}

/// `checkACL`: `Ok` or NOAUTH.
pub fn check(opts: &RequestOptions, acl: &[Acl], perm: i32, ids: &[AuthId]) -> Result<(), ErrorCode> {
    if acl_permits(acl, perm, ids, opts.skip_acl, &opts.providers) {
        Ok(())
    } else {
        Err(ErrorCode::NoAuth)
    }
}

/// Whether the ids may `perm` (for watch delivery filtering).
pub fn permits(opts: &RequestOptions, acl: &[Acl], perm: i32, ids: &[AuthId]) -> bool {
    acl_permits(acl, perm, ids, opts.skip_acl, &opts.providers)
}

/// `fixupACL`: the validated, expanded list or INVALIDACL.
pub fn fixup_acl(opts: &RequestOptions, acl: &[Acl], ids: &[AuthId]) -> Result<Vec<Acl>, ErrorCode> {
    fixup(acl, ids, &opts.providers)
        .map(|v| v.into_iter().map(Acl::from).collect())
        .map_err(|_| ErrorCode::InvalidAcl)
}
