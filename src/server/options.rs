//! From a parsed zoo.cfg to the running server's options.

use std::net::SocketAddr;

use crate::admin::{host_port, AdminContext, AdminServerOptions, ConfFacts};
use crate::auth::digest::DigestAlgorithm;
use crate::auth::AuthProviders;
use crate::config::{Config, SnapshotCompression};
use crate::net::conn::ConnLimits;
use crate::request::RequestOptions;
use crate::storage::snapshot::Compression;
use crate::storage::StorageOptions;

use super::core::CoreOptions;
use super::reaper::ReaperOptions;
use super::ServerOptions;

/// The client address to bind: `server.N=...;[host:]port` for this server, else
/// `clientPortAddress:clientPort` (wildcard host by default).
pub fn client_bind_addr(cfg: &Config) -> Option<SocketAddr> {
    let (host, port) = match (&cfg.client_address, cfg.client_port) {
        (Some(hp), _) => (hp.host.clone(), hp.port),
        (None, Some(port)) => (
            cfg.client_port_address
                .clone()
                .unwrap_or_else(|| "0.0.0.0".to_owned()),
            port,
        ),
        (None, None) => return None,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
    let joined = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    use std::net::ToSocketAddrs;
    joined.to_socket_addrs().ok()?.next()
}

pub fn server_options(cfg: &Config) -> ServerOptions {
    let providers = AuthProviders {
        digest_enabled: cfg.auth.digest_enabled,
        ..AuthProviders::default()
    };
    let request = RequestOptions {
        skip_acl: cfg.auth.skip_acl,
        extended_types: cfg.extended_types_enabled,
        digest_enabled: cfg.digest_enabled,
        close_session_txn_enabled: cfg.close_session_txn_enabled,
        reconfig_enabled: cfg.reconfig_enabled,
        standalone: cfg.is_standalone(),
        providers,
        enforce_quota: cfg.auth.enforce_quota,
    };
    let max_buffer = cfg.jute_max_buffer_bytes as usize;
    let core = CoreOptions {
        // Standalone servers use 1 in the session-id high byte, as ZooKeeper does.
        server_id: if cfg.is_standalone() {
            1
        } else {
            cfg.server_id.unwrap_or(1) as i64
        },
        tick_ms: cfg.tick_time_ms as u64,
        min_session_timeout_ms: cfg.min_session_timeout_ms as i32,
        max_session_timeout_ms: cfg.max_session_timeout_ms as i32,
        max_record_bytes: max_buffer + cfg.jute_max_buffer_extra_size_bytes as usize,
        super_digest: cfg.auth.super_digest.clone(),
        digest_alg: DigestAlgorithm::from_java_name(&cfg.auth.digest_alg).unwrap_or_default(),
        max_pre_session_packets: 1000,
        request,
        reaper: ReaperOptions {
            check_interval_ms: cfg.container.check_interval_ms.max(1) as u64,
            max_per_minute: cfg.container.max_per_minute.max(1) as u64,
            max_never_used_ms: cfg.container.max_never_used_interval_ms,
        },
        enforce_auth_schemes: cfg
            .auth
            .enforce_auth_enabled
            .then(|| cfg.auth.enforce_auth_schemes.clone()),
    };
    let conf = ConfFacts {
        client_port: cfg.client_port.map_or(-1, i64::from),
        secure_client_port: cfg.secure_client_port.map_or(-1, i64::from),
        snap_dir: Some(cfg.data_dir.join("version-2")),
        log_dir: Some(cfg.data_log_dir.join("version-2")),
        tick_time: i64::from(cfg.tick_time_ms),
        max_client_cnxns: i64::from(cfg.max_client_cnxns),
        min_session_timeout: i64::from(cfg.min_session_timeout_ms),
        max_session_timeout: i64::from(cfg.max_session_timeout_ms),
        client_port_listen_backlog: i64::from(cfg.client_port_listen_backlog),
        // ZooKeeper prints 0 for a standalone server.
        server_id: if cfg.is_standalone() {
            0
        } else {
            cfg.server_id.unwrap_or(0) as i64
        },
    };
    let admin_server = cfg.admin.enabled.then(|| AdminServerOptions {
        address: host_port(&cfg.admin.server_address, cfg.admin.server_port),
        command_url: cfg.admin.command_url.clone(),
    });
    let prometheus = cfg
        .metrics
        .is_prometheus()
        .then(|| host_port(&cfg.metrics.http_host, cfg.metrics.http_port));
    let all = crate::config::FOUR_LETTER_WORDS
        .iter()
        .all(|w| cfg.four_letter_words.contains(*w));
    ServerOptions {
        core,
        limits: ConnLimits {
            max_frame: max_buffer,
            ..ConnLimits::default()
        },
        max_client_cnxns: cfg.max_client_cnxns,
        admin: AdminContext {
            four_letter_whitelist: if all {
                None
            } else {
                Some(cfg.four_letter_words.clone())
            },
            conf,
            mode: "standalone".to_owned(),
            read_only: false,
            initial_configuration: cfg.initial_configuration().to_owned(),
            system_properties: cfg
                .system_properties()
                .map(|(k, v)| (k.to_owned(), v.value.clone()))
                .collect(),
            export_process_metrics: cfg.metrics.export_jvm_info,
            admin_server,
            prometheus,
            bound: Default::default(),
        },
        storage: Some(storage_options(cfg)),
    }
}

pub fn storage_options(cfg: &Config) -> StorageOptions {
    let mut st = StorageOptions::new(&cfg.data_dir, &cfg.data_log_dir);
    st.prealloc_bytes = (cfg.pre_alloc_size_kb.max(1) as u64) * 1024;
    st.force_sync = cfg.force_sync;
    st.fsync_warning_ms = cfg.fsync_warning_threshold_ms.max(0) as u64;
    st.snap_count = cfg.snap_count as u64;
    st.snap_size_limit_bytes = cfg.snap_size_limit_kb.saturating_mul(1024);
    st.compression = match cfg.snapshot_compression {
        SnapshotCompression::None => Compression::None,
        SnapshotCompression::Gzip => Compression::Gzip,
        SnapshotCompression::Snappy => Compression::Snappy,
    };
    st.digest_enabled = cfg.digest_enabled;
    st.trust_empty_snapshot = cfg.snapshot_trust_empty;
    st.autocreate = cfg.datadir_autocreate;
    st.max_record = (cfg.jute_max_buffer_bytes + cfg.jute_max_buffer_extra_size_bytes) as usize;
    st.autopurge_retain = cfg.autopurge_snap_retain_count as usize;
    st.autopurge_interval_hours = cfg.autopurge_purge_interval_hours;
    st
}
