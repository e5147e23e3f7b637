//! Request processing, sans-IO: preparing writes into txns (`prep`), answering reads (`read`), and
//! the outstanding-change overlay between the two (`overlay`). The server core (`crate::server::core`)
//! drives them: prepare → log → apply → reply.

pub mod acl;
pub mod decode;
pub mod overlay;
pub mod prep;
pub mod read;

use crate::auth::{AuthId, AuthProviders};

/// The settings request processing reads.
#[derive(Debug, Clone)]
pub struct RequestOptions {
    pub skip_acl: bool,
    pub extended_types: bool,
    pub digest_enabled: bool,
    pub close_session_txn_enabled: bool,
    pub reconfig_enabled: bool,
    pub standalone: bool,
    pub providers: AuthProviders,
    /// `enforceQuota`: hard quota limits refuse writes (QUOTAEXCEEDED).
    pub enforce_quota: bool,
}

impl Default for RequestOptions {
    fn default() -> Self {
        Self {
            skip_acl: false,
            extended_types: false,
            digest_enabled: true,
            close_session_txn_enabled: true,
            reconfig_enabled: false,
            standalone: true,
            providers: AuthProviders::default(),
            enforce_quota: false,
        }
    }
}

/// Who sent a request: its session and the identities its connection holds.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub session_id: i64,
    pub cxid: i32,
    pub auth: &'a [AuthId],
}
