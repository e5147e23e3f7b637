//! zoo.cfg, `myid`, the dynamic config file and `-D` system properties, read the way Apache ZooKeeper 3.8
//! reads them.
//!
//! # Files
//!
//! * **zoo.cfg** is a Java `.properties` file (grammar in [`properties`]: `key=value`, `key: value` or
//!   `key value`; `#`/`!` comments; backslash continuation; `\uXXXX` and `\t \n \r \f` escapes; ISO-8859-1
//!   bytes; last duplicate wins). Keys and values are then trimmed of blanks, as `QuorumPeerConfig` does.
//! * **Keys ZooKeeper's `QuorumPeerConfig` consumes** (`dataDir`, `tickTime`, `initLimit`, `clientPort`, …;
//!   see `QPC_KEYS`) become the typed fields of [`Config`]. A malformed value is fatal.
//! * **Every other key `k` is the system property `zookeeper.k`** (`snapCount` → `zookeeper.snapCount`,
//!   `4lw.commands.whitelist` → `zookeeper.4lw.commands.whitelist`, `ssl.keyStore.location` →
//!   `zookeeper.ssl.keyStore.location`). A zoo.cfg value overrides a `-Dzookeeper.k=…` flag (Java calls
//!   `System.setProperty` after the JVM started); a flag applies when zoo.cfg does not set the key. Bad
//!   values of these keys fall back to the default with a warning, as the Java code reading them does.
//! * **rzk improvement**: the settings Java reads only under an unprefixed JVM name — `jute.maxbuffer`,
//!   `readonlymode.enabled`, `znode.container.checkIntervalMs`, `znode.container.maxPerMinute`,
//!   `znode.container.maxNeverUsedIntervalMs` — may also be written in zoo.cfg under that same name (zoo.cfg
//!   then wins over `-Djute.maxbuffer`, with a warning when both disagree).
//! * Unknown keys never fail: they are kept (as `zookeeper.k`) and reported in [`Config::warnings`].
//! * **Membership**: `server.N`, `group.N`, `weight.N`, `version` (grammar in [`quorum`]), either in zoo.cfg
//!   or — when `dynamicConfigFile=path` is set — only in that file, whose version is the hex suffix after the
//!   last `.` of its name (none → 0). With a dynamic file, membership keys in zoo.cfg are fatal, and the
//!   dynamic file may hold nothing else (not even `version`).
//! * **myid**: `<dataDir>/myid`, first line, a decimal number with no blanks allowed. Read whenever it
//!   exists; required in quorum mode.
//! * **Mode**: quorum (distributed) iff at least two participants are listed, or at least one with
//!   `standaloneEnabled=false`; otherwise standalone (a single `server.N` line is ignored with a warning).
//!
//! # System properties
//!
//! [`SystemProps`] holds the `-D` flags from `JVMFLAGS`, `SERVER_JVMFLAGS` and the command line.
//! [`Config::system_property`] answers any property name with its resolved value (zoo.cfg or flag), e.g.
//! `zookeeper.DigestAuthenticationProvider.superDigest`.
//!
//! # Deliberate differences from Java (all more lenient or more helpful)
//!
//! * Java parses multi-address server lines only when the *system property*
//!   `zookeeper.multiAddress.enabled` is true, even if zoo.cfg says `multiAddress.enabled=true`; rzk
//!   accepts either.
//! * Trailing blanks after a server line are ignored (Java fails on them).
//! * A malformed `myid` in standalone mode is a warning (Java fails even though it does not need it).
//! * Negative values for counts and times that cannot be negative (`tickTime`, `initLimit`, ports, …) are
//!   rejected instead of producing a broken server.
//! * `serializeLastProcessedZxid.enabled` defaults to false (Java 3.9: true), so snapshots keep the 3.8
//!   layout that both 3.8 and 3.9 read.

mod error;
mod java;
pub mod properties;
pub mod quorum;
mod sysprops;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

pub use error::{ConfigError, Location};
pub use properties::{decode_latin1, Properties, PropertiesError, Property};
pub use quorum::{java_host_string, HostPort, LearnerType, QuorumAddress, QuorumMembers, QuorumServer};
pub use sysprops::{parse_define, split_shell_words, PropSource, SysProp, SystemProps};

use quorum::MemberEntry;

/// Prefix ZooKeeper puts before unconsumed zoo.cfg keys to make system properties.
pub const SYSPROP_PREFIX: &str = "zookeeper.";

/// Settings Java reads only from unprefixed JVM properties; rzk also accepts them in zoo.cfg.
pub const JVM_ONLY_KEYS: &[&str] = &[
    "jute.maxbuffer",
    "readonlymode.enabled",
    "znode.container.checkIntervalMs",
    "znode.container.maxPerMinute",
    "znode.container.maxNeverUsedIntervalMs",
];

/// Every four-letter word (what `4lw.commands.whitelist=*` enables).
pub const FOUR_LETTER_WORDS: &[&str] = &[
    "conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "ruok", "stmk", "srst", "srvr", "stat", "wchc",
    "wchp", "wchs", "mntr", "isro", "hash",
];

/// Default `metricsProvider.className`.
pub const DEFAULT_METRICS_PROVIDER: &str = "org.apache.zookeeper.metrics.impl.DefaultMetricsProvider";
/// The Prometheus metrics provider class name.
pub const PROMETHEUS_METRICS_PROVIDER: &str =
    "org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider";
const X509_AUTH_PROVIDER: &str = "org.apache.zookeeper.server.auth.X509AuthenticationProvider";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Long,
    Bool,
    Str,
}

/// Keys consumed by `QuorumPeerConfig.parseProperties` (3.8 and 3.9), with the parser Java applies.
/// `metricsProvider.*` is consumed too.
const QPC_KEYS: &[(&str, Kind)] = &[
    ("dataDir", Kind::Str),
    ("dataLogDir", Kind::Str),
    ("clientPort", Kind::Int),
    ("localSessionsEnabled", Kind::Bool),
    ("localSessionsUpgradingEnabled", Kind::Bool),
    ("clientPortAddress", Kind::Str),
    ("secureClientPort", Kind::Int),
    ("secureClientPortAddress", Kind::Str),
    ("observerMasterPort", Kind::Int),
    ("clientPortListenBacklog", Kind::Int),
    ("tickTime", Kind::Int),
    ("maxClientCnxns", Kind::Int),
    ("minSessionTimeout", Kind::Int),
    ("maxSessionTimeout", Kind::Int),
    ("initLimit", Kind::Int),
    ("syncLimit", Kind::Int),
    ("connectToLearnerMasterLimit", Kind::Int),
    ("electionAlg", Kind::Int),
    ("quorumListenOnAllIPs", Kind::Bool),
    ("peerType", Kind::Str),
    ("syncEnabled", Kind::Bool),
    ("dynamicConfigFile", Kind::Str),
    ("autopurge.snapRetainCount", Kind::Int),
    ("autopurge.purgeInterval", Kind::Int),
    ("standaloneEnabled", Kind::Bool),
    ("reconfigEnabled", Kind::Bool),
    ("sslQuorum", Kind::Bool),
    ("portUnification", Kind::Bool),
    ("sslQuorumReloadCertFiles", Kind::Bool),
    ("quorum.auth.enableSasl", Kind::Bool),
    ("quorum.auth.serverRequireSasl", Kind::Bool),
    ("quorum.auth.learnerRequireSasl", Kind::Bool),
    ("quorum.auth.learner.saslLoginContext", Kind::Str),
    ("quorum.auth.server.saslLoginContext", Kind::Str),
    ("quorum.auth.kerberos.servicePrincipal", Kind::Str),
    ("quorum.cnxn.threads.size", Kind::Int),
    ("jvm.pause.info-threshold.ms", Kind::Long),
    ("jvm.pause.warn-threshold.ms", Kind::Long),
    ("jvm.pause.sleep.time.ms", Kind::Long),
    ("jvm.pause.monitor", Kind::Bool),
    ("metricsProvider.className", Kind::Str),
    ("multiAddress.enabled", Kind::Bool),
    ("multiAddress.reachabilityCheckTimeoutMs", Kind::Int),
    ("multiAddress.reachabilityCheckEnabled", Kind::Bool),
    ("oraclePath", Kind::Str),
];

/// zoo.cfg keys (without `zookeeper.`) that some ZooKeeper 3.8/3.9 code reads as `zookeeper.<key>`, plus
/// the rzk-only unprefixed ones; used only to decide which keys deserve an "unknown key" warning.
const KNOWN_SYSPROP_KEYS: &[&str] = &[
    "4lw.commands.whitelist",
    "DigestAuthenticationProvider.digestAlg",
    "DigestAuthenticationProvider.enabled",
    "DigestAuthenticationProvider.superDigest",
    "IPAuthenticationProvider.usexforwardedfor",
    "SASLAuthenticationProvider.superPassword",
    "X509AuthenticationProvider.superUser",
    "allowSaslFailedClients",
    "audit.enable",
    "audit.impl.class",
    "bitHashCacheSize",
    "clientTcpKeepAlive",
    "closeSessionTxn.enabled",
    "cnxTimeout",
    "commitLogCount",
    "datadir.autocreate",
    "db.autocreate",
    "digest.enabled",
    "disableAutoWatchReset",
    "electionPortBindRetry",
    "emulate353TTLNodes",
    "enableEagerACLCheck",
    "enforce.auth.enabled",
    "enforce.auth.schemes",
    "enforceQuota",
    "ensembleAuthName",
    "extendedTypesEnabled",
    "fips-mode",
    "flushDelay",
    "forceSnapshotSync",
    "forceSync",
    "forward_learner_requests_to_commit_processor_disabled",
    "fsync.warningthresholdms",
    "globalOutstandingLimit",
    "intBufferStartingSizeBytes",
    "jute.maxbuffer.extrasize",
    "kinit",
    "largeRequestMaxBytes",
    "largeRequestThreshold",
    "leaderConnectDelayDuringRetryMs",
    "leaderServes",
    "letAnySaslUserDoX",
    "maxBatchSize",
    "maxCnxns",
    "maxGetChildrenResponseCacheSize",
    "maxInProcessingDeadWatchers",
    "maxResponseCacheSize",
    "maxWriteQueuePollTime",
    "preAllocSize",
    "quorumCnxnTimeoutMs",
    "request_stale_connection_check",
    "request_stale_latency_check",
    "request_throttle_drop_stale",
    "request_throttle_max_requests",
    "request_throttle_stall_time",
    "requireKerberosConfig",
    "serializeLastProcessedZxid.enabled",
    "serverCnxnFactory",
    "sessionRequireClientSASLAuth",
    "skipACL",
    "snapCount",
    "snapSizeLimitInKb",
    "snapshot.compression.method",
    "snapshot.trust.empty",
    "snapshotSizeFactor",
    "superUser",
    "tcpKeepAlive",
    "throttled_op_wait_time",
    "txnLogSizeLimitInKb",
    "version",
    "watchManagerName",
    "watcherCleanIntervalInSeconds",
    "watcherCleanThreadsNum",
    "watcherCleanThreshold",
];

/// Families of pass-through keys (see [`KNOWN_SYSPROP_KEYS`]).
const KNOWN_SYSPROP_PREFIXES: &[&str] = &[
    "admin.",
    "authProvider.",
    "commitProcessor.",
    "connection_throttle_",
    "fastleader.",
    "follower.",
    "jmx.",
    "kerberos.",
    "leader.",
    "learner.",
    "messageTracker.",
    "netty.",
    "nio.",
    "observer.",
    "observerMaster.",
    "pathStats.",
    "request.",
    "request_throttler.",
    "sasl.",
    "security.",
    "server.",
    "ssl.",
    "group",
    "weight",
];

/// Where a resolved system property came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A zoo.cfg line; `key` is the key as written there (without `zookeeper.`).
    ConfigFile { line: usize, key: String },
    /// A `-D` flag.
    SystemProperty(PropSource),
    /// Set implicitly, as ZooKeeper does (e.g. the x509 auth provider when a secure client port is set).
    Implied,
}

/// A system property after merging zoo.cfg and the `-D` flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedProperty {
    pub value: String,
    pub origin: Origin,
}

/// The separate membership file named by `dynamicConfigFile`.
#[derive(Debug, Clone, PartialEq)]
pub struct DynamicConfigFile {
    /// The path as resolved (relative paths are taken from the base directory).
    pub path: PathBuf,
    pub raw_text: String,
    pub properties: Properties,
}

/// Snapshot stream format (`snapshot.compression.method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SnapshotCompression {
    /// `""`: plain, checksummed stream.
    #[default]
    None,
    /// `gz`.
    Gzip,
    /// `snappy` (snappy-java stream format).
    Snappy,
}

/// `quorum.auth.*`: SASL between servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuorumSaslConfig {
    pub enable_sasl: bool,
    pub server_require_sasl: bool,
    pub learner_require_sasl: bool,
    pub learner_login_context: String,
    pub server_login_context: String,
    pub kerberos_service_principal: String,
}

/// `jvm.pause.*`: rzk has no JVM, but keeps the settings for the pause monitor equivalent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JvmPauseConfig {
    pub enabled: bool,
    pub info_threshold_ms: u64,
    pub warn_threshold_ms: u64,
    pub sleep_time_ms: u64,
}

/// `metricsProvider.*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsConfig {
    pub class_name: String,
    /// Every `metricsProvider.<x>` other than `className`, keyed by `<x>`.
    pub provider_properties: BTreeMap<String, String>,
    /// `metricsProvider.httpHost` (Prometheus), default `0.0.0.0`.
    pub http_host: String,
    /// `metricsProvider.httpPort` (Prometheus), default 7000.
    pub http_port: u16,
    /// `metricsProvider.exportJvmInfo`, default true.
    pub export_jvm_info: bool,
}

impl MetricsConfig {
    pub fn is_prometheus(&self) -> bool {
        self.class_name == PROMETHEUS_METRICS_PROVIDER
    }
}

/// `admin.*`: the AdminServer (HTTP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminServerConfig {
    /// `admin.enableServer`: anything but exactly `false` enables.
    pub enabled: bool,
    pub server_address: String,
    pub server_port: u16,
    pub command_url: String,
    pub idle_timeout_ms: i32,
    pub http_version: i32,
    pub port_unification: bool,
    pub force_https: bool,
    /// 3.9.
    pub need_client_auth: bool,
}

/// Authentication and authorization settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfig {
    /// `skipACL=yes`.
    pub skip_acl: bool,
    /// `authProvider.<n>` → class name (the `<n>` is only a label).
    pub providers: BTreeMap<String, String>,
    /// `DigestAuthenticationProvider.enabled` (default true).
    pub digest_enabled: bool,
    /// `DigestAuthenticationProvider.superDigest` (`super:<base64 digest>`).
    pub super_digest: Option<String>,
    /// `DigestAuthenticationProvider.digestAlg` (default `SHA1`).
    pub digest_alg: String,
    /// `superUser` (SASL super user).
    pub super_user: Option<String>,
    /// `X509AuthenticationProvider.superUser`.
    pub x509_super_user: Option<String>,
    /// `enforce.auth.enabled`, forced on by `sessionRequireClientSASLAuth`.
    pub enforce_auth_enabled: bool,
    /// `enforce.auth.schemes` (comma-separated), `["sasl"]` with `sessionRequireClientSASLAuth`.
    pub enforce_auth_schemes: Vec<String>,
    pub session_require_client_sasl_auth: bool,
    pub enforce_quota: bool,
    pub enable_eager_acl_check: bool,
}

/// `znode.container.*`: the container/TTL node reaper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerConfig {
    pub check_interval_ms: i32,
    pub max_per_minute: i32,
    pub max_never_used_interval_ms: i64,
}

/// The whole server configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    // ---- where it came from ----
    /// The file name used in messages (the path as given to [`Config::load`]).
    pub config_file: String,
    /// The file path, when loaded from disk.
    pub config_path: Option<PathBuf>,
    /// The whole zoo.cfg text (AdminServer `initial_configuration`, `conf`).
    pub raw_text: String,
    /// zoo.cfg as parsed (values untrimmed, as Java's `Properties` holds them).
    pub properties: Properties,
    /// The `dynamicConfigFile`, if any.
    pub dynamic_config: Option<DynamicConfigFile>,
    /// Non-fatal problems, for the caller to log.
    pub warnings: Vec<String>,

    // ---- storage ----
    pub data_dir: PathBuf,
    pub data_log_dir: PathBuf,
    /// `autopurge.snapRetainCount` (minimum 3).
    pub autopurge_snap_retain_count: u32,
    /// `autopurge.purgeInterval`; 0 = never.
    pub autopurge_purge_interval_hours: u32,
    pub snap_count: u32,
    /// ≤ 0 disables the size trigger.
    pub snap_size_limit_kb: i64,
    /// ≤ 0 disables rolling by size.
    pub txn_log_size_limit_kb: i64,
    /// ≤ 0 disables preallocation.
    pub pre_alloc_size_kb: i64,
    /// `forceSync` (anything but `no` is true).
    pub force_sync: bool,
    pub fsync_warning_threshold_ms: i64,
    pub commit_log_count: u32,
    /// Negative disables the log-vs-snapshot comparison.
    pub snapshot_size_factor: f64,
    pub snapshot_compression: SnapshotCompression,
    pub snapshot_trust_empty: bool,
    pub digest_enabled: bool,
    pub close_session_txn_enabled: bool,
    pub serialize_last_processed_zxid_enabled: bool,
    pub db_autocreate: bool,
    pub datadir_autocreate: bool,
    pub flush_delay_ms: i64,
    pub max_write_queue_poll_time_ms: i64,
    pub max_batch_size: i32,

    // ---- client listeners ----
    /// `clientPort` (None when unset or 0).
    pub client_port: Option<u16>,
    pub client_port_address: Option<String>,
    /// The plain client listener: from `clientPort`/`clientPortAddress`, or this server's `;[host:]port`
    /// suffix; None = no plaintext listener.
    pub client_address: Option<HostPort>,
    pub secure_client_port: Option<u16>,
    pub secure_client_port_address: Option<String>,
    /// The TLS client listener.
    pub secure_client_address: Option<HostPort>,
    /// -1 = OS default.
    pub client_port_listen_backlog: i32,
    /// Per client IP; 0 = unlimited.
    pub max_client_cnxns: u32,
    /// Per listener; 0 = unlimited.
    pub max_cnxns: u32,
    pub port_unification: bool,
    pub server_cnxn_factory: Option<String>,
    pub client_tcp_keep_alive: bool,

    // ---- time ----
    pub tick_time_ms: u32,
    pub min_session_timeout_ms: u32,
    pub max_session_timeout_ms: u32,
    /// 0 when unset (only valid in standalone mode).
    pub init_limit_ticks: u32,
    pub sync_limit_ticks: u32,
    /// 0 = use `init_limit_ticks`.
    pub connect_to_learner_master_limit_ticks: u32,

    // ---- quorum ----
    pub quorum: QuorumMembers,
    /// Membership from `<zoo.cfg>.dynamic.next` (a reconfig proposed but not yet activated).
    pub last_seen_quorum: Option<QuorumMembers>,
    /// From `<dataDir>/myid`.
    pub server_id: Option<u64>,
    /// This server's role (the server list wins over `peerType`).
    pub peer_type: LearnerType,
    pub election_alg: u32,
    pub quorum_listen_on_all_ips: bool,
    pub observer_master_port: Option<u16>,
    pub sync_enabled: bool,
    pub standalone_enabled: bool,
    pub reconfig_enabled: bool,
    pub dynamic_config_file: Option<PathBuf>,
    pub local_sessions_enabled: bool,
    pub local_sessions_upgrading_enabled: bool,
    pub ssl_quorum: bool,
    pub ssl_quorum_reload_cert_files: bool,
    pub quorum_sasl: QuorumSaslConfig,
    /// At least 20.
    pub quorum_cnxn_threads_size: u32,
    pub multi_address_enabled: bool,
    pub multi_address_reachability_check_enabled: bool,
    pub multi_address_reachability_check_timeout_ms: u32,
    pub oracle_path: Option<PathBuf>,
    pub leader_serves: bool,
    pub cnx_timeout_ms: i32,
    pub quorum_cnxn_timeout_ms: i32,
    pub tcp_keep_alive: bool,
    pub election_port_bind_retry: i32,
    pub fast_leader_min_notification_interval_ms: i32,
    pub fast_leader_max_notification_interval_ms: i32,
    pub leader_max_time_to_wait_for_epoch_ms: i32,
    pub leader_max_concurrent_snap_syncs: i32,
    pub leader_max_concurrent_diff_syncs: i32,
    pub observer_reconnect_delay_ms: i64,
    pub observer_election_delay_ms: i64,

    // ---- requests ----
    pub global_outstanding_limit: i32,
    pub max_response_cache_size: i32,
    pub max_get_children_response_cache_size: i32,
    pub extended_types_enabled: bool,
    pub emulate_353_ttl_nodes: bool,
    /// `jute.maxbuffer` (default 0xfffff).
    pub jute_max_buffer_bytes: u32,
    /// `jute.maxbuffer.extrasize` (default = jute.maxbuffer, at least 1024).
    pub jute_max_buffer_extra_size_bytes: u32,
    pub large_request_max_bytes: i32,
    /// -1 = off.
    pub large_request_threshold_bytes: i32,
    pub throttled_op_wait_time_ms: i32,
    pub read_only_mode_enabled: bool,
    pub container: ContainerConfig,
    /// Enabled four-letter words (always contains `srvr`).
    pub four_letter_words: BTreeSet<String>,
    pub admin: AdminServerConfig,
    pub auth: AuthConfig,
    pub metrics: MetricsConfig,
    pub jvm_pause: JvmPauseConfig,
    pub audit_enabled: bool,
    /// Every `ssl.*` setting (client `ssl.<x>` and quorum `ssl.quorum.<x>`), keyed as in zoo.cfg.
    pub ssl: BTreeMap<String, String>,

    distributed: bool,
    resolved: BTreeMap<String, ResolvedProperty>,
}

impl Config {
    /// Reads zoo.cfg (ISO-8859-1, like Java). Relative paths inside it are taken from the current
    /// directory, as Java does.
    pub fn load(path: &Path, sys: &SystemProps) -> Result<Config, ConfigError> {
        let bytes = std::fs::read(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let base_dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let text = decode_latin1(&bytes);
        let raw_text = String::from_utf8_lossy(&bytes).into_owned();
        let file = path.display().to_string();
        parse(&text, raw_text, &file, &base_dir, Some(path), sys)
    }

    /// Parses zoo.cfg text. `file_name` is used in messages; relative paths (dataDir, dynamicConfigFile, …)
    /// are resolved against `base_dir`.
    pub fn parse_str(
        text: &str,
        file_name: &str,
        base_dir: &Path,
        sys: &SystemProps,
    ) -> Result<Config, ConfigError> {
        parse(text, text.to_string(), file_name, base_dir, None, sys)
    }

    /// True when this server runs alone (no quorum protocol).
    pub fn is_standalone(&self) -> bool {
        !self.distributed
    }

    /// True in quorum mode.
    pub fn is_distributed(&self) -> bool {
        self.distributed
    }

    /// Every listed member (participants and observers), by id.
    pub fn members(&self) -> impl Iterator<Item = &QuorumServer> {
        self.quorum.servers.values()
    }

    /// This server's entry in the member list.
    pub fn my_server(&self) -> Option<&QuorumServer> {
        self.server_id.and_then(|id| self.quorum.get(id))
    }

    /// `connectToLearnerMasterLimit`, or `initLimit` when it is 0.
    pub fn effective_connect_to_learner_master_limit_ticks(&self) -> u32 {
        if self.connect_to_learner_master_limit_ticks == 0 {
            self.init_limit_ticks
        } else {
            self.connect_to_learner_master_limit_ticks
        }
    }

    /// The zoo.cfg text as read (AdminServer `initial_configuration`).
    pub fn initial_configuration(&self) -> &str {
        &self.raw_text
    }

    /// Any system property by name (`zookeeper.snapCount`, `jute.maxbuffer`, …) with its resolved value.
    pub fn system_property(&self, name: &str) -> Option<&str> {
        self.resolved.get(name).map(|p| p.value.as_str())
    }

    /// A system property with its origin.
    pub fn system_property_entry(&self, name: &str) -> Option<&ResolvedProperty> {
        self.resolved.get(name)
    }

    /// Every resolved system property, sorted by name.
    pub fn system_properties(&self) -> impl Iterator<Item = (&str, &ResolvedProperty)> {
        self.resolved.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// True if four-letter word `cmd` is enabled.
    pub fn is_four_letter_word_enabled(&self, cmd: &str) -> bool {
        self.four_letter_words.contains(cmd)
    }
}

// ------------------------------------------------------------------------------------------------------
// Parsing
// ------------------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Typed {
    Int(i64),
    Bool(bool),
    Str(String),
}

/// State shared by the parsing steps.
struct Ctx<'a> {
    file: &'a str,
    base_dir: &'a Path,
    /// Consumed keys: key → (typed value, line).
    consumed: HashMap<&'static str, (Typed, usize)>,
    resolved: BTreeMap<String, ResolvedProperty>,
    warnings: Vec<String>,
}

impl Ctx<'_> {
    fn at(&self, key: &str) -> Location {
        let line = self.consumed.get(key).map(|(_, l)| *l);
        Location::new(self.file, line, key)
    }

    fn int(&self, key: &str) -> Option<i64> {
        match self.consumed.get(key) {
            Some((Typed::Int(v), _)) => Some(*v),
            _ => None,
        }
    }

    fn boolean(&self, key: &str) -> Option<bool> {
        match self.consumed.get(key) {
            Some((Typed::Bool(v), _)) => Some(*v),
            _ => None,
        }
    }

    fn string(&self, key: &str) -> Option<String> {
        match self.consumed.get(key) {
            Some((Typed::Str(v), _)) => Some(v.clone()),
            _ => None,
        }
    }

    /// A consumed integer that must be ≥ 0 and fit in u32.
    fn non_negative(&self, key: &str, default: u32) -> Result<u32, ConfigError> {
        match self.int(key) {
            None => Ok(default),
            Some(v) => u32::try_from(v)
                .map_err(|_| ConfigError::invalid(self.at(key), format!("must not be negative: {v}"))),
        }
    }

    fn non_negative_u64(&self, key: &str, default: u64) -> Result<u64, ConfigError> {
        match self.int(key) {
            None => Ok(default),
            Some(v) => u64::try_from(v)
                .map_err(|_| ConfigError::invalid(self.at(key), format!("must not be negative: {v}"))),
        }
    }

    /// A consumed port: None when unset or 0, else it must be in 1..=65535.
    fn port(&self, key: &str) -> Result<Option<u16>, ConfigError> {
        match self.int(key) {
            None | Some(0) => Ok(None),
            Some(v) => u16::try_from(v)
                .map(Some)
                .map_err(|_| ConfigError::invalid(self.at(key), format!("port out of range: {v}"))),
        }
    }

    fn path(&self, value: &str) -> PathBuf {
        self.base_dir.join(value)
    }

    // ---- system properties ----

    fn prop(&self, name: &str) -> Option<&str> {
        self.resolved.get(name).map(|p| p.value.as_str())
    }

    fn prop_at(&self, name: &str) -> Location {
        match self.resolved.get(name).map(|p| &p.origin) {
            Some(Origin::ConfigFile { line, key }) => Location::new(self.file, Some(*line), key.clone()),
            Some(Origin::SystemProperty(src)) => Location::new(src.to_string(), None, format!("-D{name}")),
            Some(Origin::Implied) | None => Location::new("(implied)", None, name),
        }
    }

    fn zk(name: &str) -> String {
        format!("{SYSPROP_PREFIX}{name}")
    }

    /// Reads a property with `parse`; a bad value warns and yields `default`.
    fn sys_num<T: Copy + std::fmt::Display>(
        &mut self,
        name: &str,
        default: T,
        parse: impl Fn(&str) -> Option<T>,
    ) -> T {
        let Some(v) = self.prop(name) else { return default };
        match parse(v) {
            Some(n) => n,
            None => {
                let msg = format!(
                    "{}: invalid number \"{v}\"; using the default {default}",
                    self.prop_at(name)
                );
                self.warnings.push(msg);
                default
            }
        }
    }

    /// `Integer.getInteger(name, default)`.
    fn get_integer(&mut self, name: &str, default: i32) -> i32 {
        self.sys_num(name, default, java::decode_int)
    }

    /// `Long.getLong(name, default)`.
    fn get_long(&mut self, name: &str, default: i64) -> i64 {
        self.sys_num(name, default, java::decode_long)
    }

    /// `Integer.parseInt(System.getProperty(name, default))` with a fallback on error.
    fn parse_int_prop(&mut self, name: &str, default: i32) -> i32 {
        self.sys_num(name, default, java::parse_int)
    }

    /// `Boolean.parseBoolean(System.getProperty(name, default))`; values other than true/false warn.
    fn get_bool(&mut self, name: &str, default: bool) -> bool {
        let Some(v) = self.prop(name).map(str::to_string) else {
            return default;
        };
        if java::parse_boolean_strict(&v).is_none() {
            let msg = format!(
                "{}: \"{v}\" is not true or false; treated as false (as ZooKeeper does)",
                self.prop_at(name)
            );
            self.warnings.push(msg);
        }
        java::parse_boolean_lenient(&v)
    }

    /// `yes`/`no` switches: true iff the value is exactly `yes` (`skipACL`).
    fn yes_only(&mut self, name: &str) -> bool {
        let Some(v) = self.prop(name).map(str::to_string) else {
            return false;
        };
        if v != "yes" && v != "no" {
            let msg = format!("{}: \"{v}\" is not yes or no; treated as no", self.prop_at(name));
            self.warnings.push(msg);
        }
        v == "yes"
    }

    /// `yes`/`no` switches: false iff the value is exactly `no` (`forceSync`, `leaderServes`).
    fn unless_no(&mut self, name: &str) -> bool {
        let Some(v) = self.prop(name).map(str::to_string) else {
            return true;
        };
        if v != "yes" && v != "no" {
            let msg = format!("{}: \"{v}\" is not yes or no; treated as yes", self.prop_at(name));
            self.warnings.push(msg);
        }
        v != "no"
    }

    fn nonneg_u32(&mut self, name: &str, value: i64, default: u32, what: &str) -> u32 {
        match u32::try_from(value) {
            Ok(v) => v,
            Err(_) => {
                let msg = format!(
                    "{}: {value} is not a valid {what}; using {default}",
                    self.prop_at(name)
                );
                self.warnings.push(msg);
                default
            }
        }
    }
}

fn parse(
    text: &str,
    raw_text: String,
    file: &str,
    base_dir: &Path,
    config_path: Option<&Path>,
    sys: &SystemProps,
) -> Result<Config, ConfigError> {
    let properties = Properties::parse(text).map_err(|e| ConfigError::Syntax {
        file: file.to_string(),
        line: e.line,
        message: "malformed \\uXXXX escape".to_string(),
    })?;

    let mut ctx = Ctx {
        file,
        base_dir,
        consumed: HashMap::new(),
        resolved: BTreeMap::new(),
        warnings: Vec::new(),
    };
    for (name, p) in sys.iter() {
        ctx.resolved.insert(
            name.to_string(),
            ResolvedProperty {
                value: p.value.clone(),
                origin: Origin::SystemProperty(p.source),
            },
        );
    }

    // ---- pass 1: every zoo.cfg entry, in file order ----
    let has_dynamic_file = properties
        .iter()
        .any(|p| java::java_trim(&p.key) == "dynamicConfigFile");
    let mut metrics_props: BTreeMap<String, String> = BTreeMap::new();
    let mut member_lines: Vec<(String, String, usize)> = Vec::new();
    for p in properties.iter() {
        let key = java::java_trim(&p.key);
        let value = java::java_trim(&p.value);
        let at = Location::new(file, Some(p.line), key);
        if let Some(&(name, kind)) = QPC_KEYS.iter().find(|(k, _)| *k == key) {
            let typed = match kind {
                Kind::Int => Typed::Int(i64::from(
                    java::parse_int(value).ok_or_else(|| ConfigError::number(at.clone(), value))?,
                )),
                Kind::Long => {
                    Typed::Int(java::parse_long(value).ok_or_else(|| ConfigError::number(at.clone(), value))?)
                }
                Kind::Bool => Typed::Bool(java::parse_boolean_strict(value).ok_or_else(|| {
                    ConfigError::InvalidBoolean {
                        at: at.clone(),
                        value: value.to_string(),
                    }
                })?),
                Kind::Str => Typed::Str(value.to_string()),
            };
            if name == "electionAlg" && !matches!(typed, Typed::Int(3)) {
                return Err(ConfigError::invalid(
                    at,
                    format!("only 3 is supported, got {value}"),
                ));
            }
            if name == "peerType" && LearnerType::parse(value).is_none() {
                return Err(ConfigError::invalid(
                    at,
                    format!("unknown peer type \"{value}\" (participant or observer)"),
                ));
            }
            ctx.consumed.insert(name, (typed, p.line));
            continue;
        }
        if let Some(sub) = key.strip_prefix("metricsProvider.") {
            metrics_props.insert(sub.to_string(), value.to_string());
            continue;
        }
        if quorum::is_member_key(key) {
            if has_dynamic_file {
                return Err(ConfigError::conflict(
                    at,
                    "membership keys must be in the dynamic config file when dynamicConfigFile is set",
                ));
            }
            member_lines.push((key.to_string(), p.value.clone(), p.line));
        } else if key == "version" {
            member_lines.push((key.to_string(), p.value.clone(), p.line));
        } else if !is_known_passthrough(key) {
            let msg = if let Some(bare) = key.strip_prefix(SYSPROP_PREFIX) {
                format!("{at}: zoo.cfg keys get the \"zookeeper.\" prefix automatically; write \"{bare}\" instead (ignored)")
            } else {
                format!("{at}: unknown key (kept as system property {SYSPROP_PREFIX}{key})")
            };
            ctx.warnings.push(msg);
        }
        // Everything not consumed becomes `zookeeper.<key>`, overriding a -D flag (Java's setProperty).
        let origin = Origin::ConfigFile {
            line: p.line,
            key: key.to_string(),
        };
        ctx.resolved.insert(
            Ctx::zk(key),
            ResolvedProperty {
                value: value.to_string(),
                origin: origin.clone(),
            },
        );
        // rzk improvement: the JVM-only names also work from zoo.cfg.
        if JVM_ONLY_KEYS.contains(&key) {
            if let Some(flag) = sys.get_prop(key) {
                if flag.value != value {
                    ctx.warnings.push(format!(
                        "{at}: overrides -D{key}={} from {} (rzk reads {key} from zoo.cfg; Java ZooKeeper would use the flag)",
                        flag.value, flag.source
                    ));
                }
            }
            ctx.resolved.insert(
                key.to_string(),
                ResolvedProperty {
                    value: value.to_string(),
                    origin,
                },
            );
        }
    }

    // ---- pass 2: QuorumPeerConfig settings ----
    let quorum_sasl = QuorumSaslConfig {
        enable_sasl: ctx.boolean("quorum.auth.enableSasl").unwrap_or(false),
        server_require_sasl: ctx.boolean("quorum.auth.serverRequireSasl").unwrap_or(false),
        learner_require_sasl: ctx.boolean("quorum.auth.learnerRequireSasl").unwrap_or(false),
        learner_login_context: ctx
            .string("quorum.auth.learner.saslLoginContext")
            .unwrap_or_else(|| "QuorumLearner".into()),
        server_login_context: ctx
            .string("quorum.auth.server.saslLoginContext")
            .unwrap_or_else(|| "QuorumServer".into()),
        kerberos_service_principal: ctx
            .string("quorum.auth.kerberos.servicePrincipal")
            .unwrap_or_else(|| "zkquorum/localhost".into()),
    };
    if !quorum_sasl.enable_sasl && quorum_sasl.server_require_sasl {
        return Err(ConfigError::conflict(
            ctx.at("quorum.auth.serverRequireSasl"),
            "cannot be true while quorum.auth.enableSasl is false",
        ));
    }
    if !quorum_sasl.enable_sasl && quorum_sasl.learner_require_sasl {
        return Err(ConfigError::conflict(
            ctx.at("quorum.auth.learnerRequireSasl"),
            "cannot be true while quorum.auth.enableSasl is false",
        ));
    }
    if !quorum_sasl.learner_require_sasl && quorum_sasl.server_require_sasl {
        return Err(ConfigError::conflict(
            ctx.at("quorum.auth.serverRequireSasl"),
            "cannot be true while quorum.auth.learnerRequireSasl is false",
        ));
    }

    let mut autopurge_snap_retain_count = match ctx.int("autopurge.snapRetainCount") {
        None => 3,
        Some(v) => u32::try_from(v).unwrap_or(0),
    };
    if autopurge_snap_retain_count < 3 {
        let msg = format!(
            "{}: must be at least 3; using 3",
            ctx.at("autopurge.snapRetainCount")
        );
        ctx.warnings.push(msg);
        autopurge_snap_retain_count = 3;
    }
    let autopurge_purge_interval_hours = ctx
        .int("autopurge.purgeInterval")
        .map_or(0, |v| u32::try_from(v).unwrap_or(0));

    let data_dir_value = ctx
        .string("dataDir")
        .ok_or_else(|| ConfigError::missing(Location::new(file, None, "dataDir"), "is not set"))?;
    if data_dir_value.is_empty() {
        return Err(ConfigError::invalid(ctx.at("dataDir"), "must not be empty"));
    }
    let data_log_dir_value = ctx.string("dataLogDir").filter(|s| !s.is_empty());
    for (key, v) in [
        ("dataDir", Some(&data_dir_value)),
        ("dataLogDir", data_log_dir_value.as_ref()),
    ] {
        if let Some(v) = v {
            if Path::new(v).is_relative() {
                let msg = format!(
                    "{}: \"{v}\" is a relative path; prepend / for an absolute path",
                    ctx.at(key)
                );
                ctx.warnings.push(msg);
            }
        }
    }
    let data_dir = ctx.path(&data_dir_value);
    let data_log_dir = data_log_dir_value
        .as_deref()
        .map_or_else(|| data_dir.clone(), |v| ctx.path(v));

    let client_port = ctx.port("clientPort")?;
    let client_port_address = ctx.string("clientPortAddress");
    let static_client_address = match (client_port, &client_port_address) {
        (None, Some(_)) => {
            return Err(ConfigError::missing(
                ctx.at("clientPortAddress"),
                "is set but clientPort is not set",
            ))
        }
        (None, None) => None,
        (Some(port), Some(host)) => Some(HostPort::new(host.clone(), port)),
        (Some(port), None) => Some(HostPort::new("0.0.0.0", port)),
    };
    let secure_client_port = ctx.port("secureClientPort")?;
    let secure_client_port_address = ctx.string("secureClientPortAddress");
    let secure_client_address = match (secure_client_port, &secure_client_port_address) {
        (None, Some(_)) => {
            return Err(ConfigError::missing(
                ctx.at("secureClientPortAddress"),
                "is set but secureClientPort is not set",
            ))
        }
        (None, None) => None,
        (Some(port), Some(host)) => Some(HostPort::new(host.clone(), port)),
        (Some(port), None) => Some(HostPort::new("0.0.0.0", port)),
    };
    let observer_master_port = match ctx.int("observerMasterPort") {
        Some(v) if v > 0 => ctx.port("observerMasterPort")?,
        _ => None,
    };

    let tick_time_ms = match ctx.int("tickTime") {
        None => 3000,
        Some(0) => return Err(ConfigError::invalid(ctx.at("tickTime"), "must not be 0")),
        Some(v) => u32::try_from(v)
            .map_err(|_| ConfigError::invalid(ctx.at("tickTime"), format!("must be positive: {v}")))?,
    };
    let session_timeout = |ctx: &Ctx<'_>, key: &str, factor: u64| -> Result<u32, ConfigError> {
        match ctx.int(key) {
            None | Some(-1) => Ok(u32::try_from(u64::from(tick_time_ms) * factor).unwrap_or(u32::MAX)),
            Some(v) => u32::try_from(v).map_err(|_| {
                ConfigError::invalid(
                    ctx.at(key),
                    format!("must not be negative (except -1 = default): {v}"),
                )
            }),
        }
    };
    let min_session_timeout_ms = session_timeout(&ctx, "minSessionTimeout", 2)?;
    let max_session_timeout_ms = session_timeout(&ctx, "maxSessionTimeout", 20)?;
    if min_session_timeout_ms > max_session_timeout_ms {
        let key = if ctx.int("minSessionTimeout").is_some() {
            "minSessionTimeout"
        } else {
            "maxSessionTimeout"
        };
        return Err(ConfigError::conflict(
            ctx.at(key),
            format!(
                "minSessionTimeout ({min_session_timeout_ms} ms) must not be larger than maxSessionTimeout ({max_session_timeout_ms} ms)"
            ),
        ));
    }
    let init_limit_ticks = ctx.non_negative("initLimit", 0)?;
    let sync_limit_ticks = ctx.non_negative("syncLimit", 0)?;
    let connect_to_learner_master_limit_ticks = ctx.non_negative("connectToLearnerMasterLimit", 0)?;
    let max_client_cnxns = match ctx.int("maxClientCnxns") {
        None => 60,
        Some(v) => u32::try_from(v).unwrap_or_else(|_| {
            let msg = format!(
                "{}: negative value {v} means unlimited; using 0",
                ctx.at("maxClientCnxns")
            );
            ctx.warnings.push(msg);
            0
        }),
    };
    let client_port_listen_backlog = ctx.int("clientPortListenBacklog").map_or(-1, |v| v as i32);
    let quorum_cnxn_threads_size = ctx
        .int("quorum.cnxn.threads.size")
        .map_or(20, |v| v.clamp(20, i64::from(i32::MAX)) as u32);
    let jvm_pause = JvmPauseConfig {
        enabled: ctx.boolean("jvm.pause.monitor").unwrap_or(false),
        info_threshold_ms: ctx.non_negative_u64("jvm.pause.info-threshold.ms", 1000)?,
        warn_threshold_ms: ctx.non_negative_u64("jvm.pause.warn-threshold.ms", 10000)?,
        sleep_time_ms: ctx.non_negative_u64("jvm.pause.sleep.time.ms", 500)?,
    };

    let standalone_enabled = ctx.boolean("standaloneEnabled").unwrap_or(true);
    let reconfig_enabled = ctx.boolean("reconfigEnabled").unwrap_or(false);
    // Java's own default for these comes from the system properties.
    let sys_multi = ctx.get_bool("zookeeper.multiAddress.enabled", false);
    let multi_address_enabled = ctx.boolean("multiAddress.enabled").unwrap_or(sys_multi);
    let sys_reach = ctx.get_bool("zookeeper.multiAddress.reachabilityCheckEnabled", true);
    let multi_address_reachability_check_enabled = ctx
        .boolean("multiAddress.reachabilityCheckEnabled")
        .unwrap_or(sys_reach);
    let sys_reach_timeout = ctx.parse_int_prop("zookeeper.multiAddress.reachabilityCheckTimeoutMs", 1000);
    let multi_address_reachability_check_timeout_ms = ctx.non_negative(
        "multiAddress.reachabilityCheckTimeoutMs",
        u32::try_from(sys_reach_timeout).unwrap_or(1000),
    )?;

    // ---- metrics ----
    let metrics_class = ctx
        .string("metricsProvider.className")
        .unwrap_or_else(|| DEFAULT_METRICS_PROVIDER.into());
    let metrics = MetricsConfig {
        http_host: metrics_props
            .get("httpHost")
            .cloned()
            .unwrap_or_else(|| "0.0.0.0".into()),
        http_port: match metrics_props.get("httpPort") {
            None => 7000,
            Some(v) => {
                let at = Location::new(
                    file,
                    properties.entry("metricsProvider.httpPort").map(|p| p.line),
                    "metricsProvider.httpPort",
                );
                quorum::parse_port(v).map_err(|m| ConfigError::invalid(at, format!("port {m}")))?
            }
        },
        export_jvm_info: metrics_props
            .get("exportJvmInfo")
            .map_or(true, |v| java::parse_boolean_lenient(v)),
        class_name: metrics_class,
        provider_properties: metrics_props,
    };
    if metrics.class_name != DEFAULT_METRICS_PROVIDER
        && !metrics.is_prometheus()
        && metrics.class_name != "org.apache.zookeeper.metrics.impl.NullMetricsProvider"
    {
        let msg = format!(
            "{}: rzk cannot load Java class \"{}\"; using the default metrics provider",
            ctx.at("metricsProvider.className"),
            metrics.class_name
        );
        ctx.warnings.push(msg);
    }

    // ---- membership ----
    let dynamic_config_file = ctx.string("dynamicConfigFile").map(|v| ctx.path(&v));
    let mut dynamic_config = None;
    let mut last_seen_quorum = None;
    let quorum_members = match &dynamic_config_file {
        Some(path) => {
            let (dynamic, members) = read_dynamic_file(path, multi_address_enabled)?;
            dynamic_config = Some(dynamic);
            if let Some(cfg_path) = config_path {
                let mut next = cfg_path.as_os_str().to_owned();
                next.push(".dynamic.next");
                let next = PathBuf::from(next);
                if next.is_file() {
                    last_seen_quorum = Some(read_next_dynamic_file(&next, multi_address_enabled)?);
                }
            }
            members
        }
        None => {
            let entries: Vec<MemberEntry<'_>> = member_lines
                .iter()
                .map(|(k, v, line)| MemberEntry {
                    key: k,
                    value: v,
                    at: Location::new(file, Some(*line), k.clone()),
                })
                .collect();
            quorum::build_members(&entries, multi_address_enabled)?
        }
    };
    let membership_file = dynamic_config
        .as_ref()
        .map_or_else(|| file.to_string(), |d| d.path.display().to_string());
    let voters = quorum_members.voting_count();
    let observers = quorum_members.observer_count();
    let mode_at = Location::new(membership_file.clone(), None, "server.*");
    if voters == 0 {
        if !standalone_enabled {
            return Err(ConfigError::missing(
                ctx.at("standaloneEnabled"),
                "is false, so at least one participant server.N line is required",
            ));
        }
        if observers > 0 {
            return Err(ConfigError::invalid(
                mode_at,
                "observers without participants is an invalid configuration",
            ));
        }
    } else if voters == 1 && standalone_enabled {
        if observers > 0 {
            return Err(ConfigError::invalid(
                mode_at,
                "observers without a quorum is an invalid configuration",
            ));
        }
        ctx.warnings.push(format!(
            "{membership_file}: only one server listed and standaloneEnabled=true: running standalone, server line ignored"
        ));
    } else if voters <= 2 {
        ctx.warnings.push(format!(
            "{membership_file}: {voters} participant(s): no server failure will be tolerated; use at least 3"
        ));
    } else if voters % 2 == 0 {
        ctx.warnings.push(format!(
            "{membership_file}: {voters} participants: an odd number is better"
        ));
    }
    let distributed = voters >= 2 || (voters >= 1 && !standalone_enabled);

    // ---- myid ----
    let myid_path = data_dir.join("myid");
    let server_id = match read_myid(&myid_path) {
        Ok(id) => id,
        Err(e) if !distributed => {
            ctx.warnings.push(format!("{e} (ignored in standalone mode)"));
            None
        }
        Err(e) => return Err(e),
    };

    // ---- this server's client address and role ----
    let mut quorum_members = quorum_members;
    let mut client_address = static_client_address.clone();
    if let Some(me) = server_id.and_then(|id| quorum_members.servers.get_mut(&id)) {
        match (&static_client_address, &me.client_address) {
            (Some(stat), Some(line)) => {
                let differs = if stat.is_wildcard() {
                    stat.port != line.port
                } else {
                    !stat.host.eq_ignore_ascii_case(&line.host) || stat.port != line.port
                };
                if differs {
                    return Err(ConfigError::conflict(
                        ctx.at("clientPort"),
                        format!(
                            "client address {stat} differs from {line} given for this server (server.{}) in {membership_file}",
                            me.id
                        ),
                    ));
                }
                client_address = Some(line.clone());
            }
            (None, Some(line)) => client_address = Some(line.clone()),
            (Some(stat), None) => {
                me.client_address = Some(stat.clone());
                me.client_address_from_static = true;
            }
            (None, None) => {}
        }
    }
    let configured_peer_type = ctx
        .string("peerType")
        .and_then(|v| LearnerType::parse(&v))
        .unwrap_or_default();
    let listed_role = match server_id.and_then(|id| quorum_members.get(id)) {
        Some(s) => s.learner_type,
        None => LearnerType::Participant,
    };
    if listed_role != configured_peer_type {
        let msg = format!(
            "{}: peerType {configured_peer_type} does not match the server list ({listed_role}); using the server list",
            ctx.at("peerType")
        );
        ctx.warnings.push(msg);
    }
    let peer_type = listed_role;

    // ---- quorum-mode requirements ----
    if distributed {
        if init_limit_ticks == 0 {
            return Err(ConfigError::missing(
                ctx.at("initLimit"),
                "is not set (required in quorum mode)",
            ));
        }
        if sync_limit_ticks == 0 {
            return Err(ConfigError::missing(
                ctx.at("syncLimit"),
                "is not set (required in quorum mode)",
            ));
        }
        match server_id {
            None => {
                return Err(ConfigError::missing(
                    ctx.at("dataDir"),
                    format!(
                        "no myid file at {} (required in quorum mode)",
                        myid_path.display()
                    ),
                ))
            }
            Some(id) if quorum_members.get(id).is_none() => {
                ctx.warnings.push(format!(
                    "{}: this server's id {id} is not in the server list",
                    myid_path.display()
                ));
            }
            Some(_) => {}
        }
    }
    if client_address.is_none() && secure_client_address.is_none() {
        ctx.warnings.push(format!(
            "{file}: no clientPort or secureClientPort: clients cannot connect"
        ));
    }

    // ---- secure client port implies the x509 auth provider (QuorumPeerConfig.configureSSLAuth) ----
    if secure_client_address.is_some() {
        let scheme = ctx
            .prop("zookeeper.ssl.authProvider")
            .unwrap_or("x509")
            .to_string();
        let key = format!("zookeeper.authProvider.{scheme}");
        if !ctx.resolved.contains_key(&key) && scheme != "x509" {
            return Err(ConfigError::missing(
                ctx.prop_at("zookeeper.ssl.authProvider"),
                format!(
                    "no auth provider configured for the SSL authentication scheme \"{scheme}\" \
                     (set authProvider.{scheme}=<class>)"
                ),
            ));
        }
        ctx.resolved.entry(key).or_insert_with(|| ResolvedProperty {
            value: X509_AUTH_PROVIDER.into(),
            origin: Origin::Implied,
        });
    }

    // ---- system-property settings ----
    let snap_count = {
        let v = ctx.get_integer("zookeeper.snapCount", 100_000);
        if v < 2 {
            let msg = format!(
                "{}: snapCount must be 2 or more; using 2",
                ctx.prop_at("zookeeper.snapCount")
            );
            ctx.warnings.push(msg);
            2
        } else {
            v as u32
        }
    };
    let snap_size_limit_kb = ctx.get_long("zookeeper.snapSizeLimitInKb", 4_194_304);
    let txn_log_size_limit_kb = ctx.get_long("zookeeper.txnLogSizeLimitInKb", -1);
    let pre_alloc_size_kb = ctx.sys_num("zookeeper.preAllocSize", 65536, java::parse_long);
    let force_sync = ctx.unless_no("zookeeper.forceSync");
    let fsync_warning_threshold_ms = match ctx
        .prop("zookeeper.fsync.warningthresholdms")
        .and_then(java::decode_long)
    {
        Some(v) => v,
        None => ctx.get_long("fsync.warningthresholdms", 1000),
    };
    let commit_log_count = {
        let v = ctx.parse_int_prop("zookeeper.commitLogCount", 500);
        if v < 500 {
            let msg = format!(
                "{}: {v} is below the minimum 500; using 500",
                ctx.prop_at("zookeeper.commitLogCount")
            );
            ctx.warnings.push(msg);
            500
        } else {
            v as u32
        }
    };
    let snapshot_size_factor = {
        let v = ctx.sys_num("zookeeper.snapshotSizeFactor", 0.33, java::parse_double);
        if v > 1.0 || v.is_nan() {
            let msg = format!(
                "{}: {v} is above 1; using 0.33",
                ctx.prop_at("zookeeper.snapshotSizeFactor")
            );
            ctx.warnings.push(msg);
            0.33
        } else {
            v
        }
    };
    let snapshot_compression = match ctx.prop("zookeeper.snapshot.compression.method") {
        None => SnapshotCompression::None,
        Some("") => SnapshotCompression::None,
        Some(v) if v.eq_ignore_ascii_case("gz") => SnapshotCompression::Gzip,
        Some(v) if v.eq_ignore_ascii_case("snappy") => SnapshotCompression::Snappy,
        Some(v) => {
            let msg = format!(
                "{}: unknown method \"{v}\" (gz, snappy or empty); snapshots are not compressed",
                ctx.prop_at("zookeeper.snapshot.compression.method")
            );
            ctx.warnings.push(msg);
            SnapshotCompression::None
        }
    };
    let snapshot_trust_empty = ctx.get_bool("zookeeper.snapshot.trust.empty", false);
    let digest_enabled = ctx.get_bool("zookeeper.digest.enabled", true);
    let close_session_txn_enabled = ctx.get_bool("zookeeper.closeSessionTxn.enabled", true);
    let serialize_last_processed_zxid_enabled =
        ctx.get_bool("zookeeper.serializeLastProcessedZxid.enabled", false);
    let db_autocreate = ctx.get_bool("zookeeper.db.autocreate", true);
    let datadir_autocreate = ctx.get_bool("zookeeper.datadir.autocreate", true);
    let flush_delay_ms = ctx.get_long("zookeeper.flushDelay", 0);
    let max_write_queue_poll_time_ms = ctx.get_long("zookeeper.maxWriteQueuePollTime", flush_delay_ms / 3);
    let max_batch_size = ctx.get_integer("zookeeper.maxBatchSize", 1000);

    let max_cnxns = {
        let v = ctx.get_integer("zookeeper.maxCnxns", 0);
        u32::try_from(v).unwrap_or(0)
    };
    let server_cnxn_factory = ctx.prop("zookeeper.serverCnxnFactory").map(str::to_string);
    let client_tcp_keep_alive = ctx.get_bool("zookeeper.clientTcpKeepAlive", false);
    let sync_enabled = match ctx.prop("zookeeper.observer.syncEnabled") {
        Some(v) => java::parse_boolean_lenient(v),
        None => ctx.boolean("syncEnabled").unwrap_or(true),
    };

    let leader_serves = ctx.unless_no("zookeeper.leaderServes");
    let cnx_timeout_ms = ctx.parse_int_prop("zookeeper.cnxTimeout", 5000);
    let quorum_cnxn_timeout_ms = ctx.get_integer("zookeeper.quorumCnxnTimeoutMs", -1);
    let tcp_keep_alive = ctx.get_bool("zookeeper.tcpKeepAlive", false);
    let election_port_bind_retry = ctx.get_integer("zookeeper.electionPortBindRetry", 3);
    let fast_leader_min_notification_interval_ms =
        ctx.get_integer("zookeeper.fastleader.minNotificationInterval", 200);
    let fast_leader_max_notification_interval_ms =
        ctx.get_integer("zookeeper.fastleader.maxNotificationInterval", 60000);
    let leader_max_time_to_wait_for_epoch_ms = ctx.get_integer("zookeeper.leader.maxTimeToWaitForEpoch", -1);
    let leader_max_concurrent_snap_syncs = ctx.get_integer("zookeeper.leader.maxConcurrentSnapSyncs", 10);
    let leader_max_concurrent_diff_syncs = ctx.get_integer("zookeeper.leader.maxConcurrentDiffSyncs", 100);
    let observer_reconnect_delay_ms = ctx.get_long("zookeeper.observer.reconnectDelayMs", 0);
    let observer_election_delay_ms = ctx.get_long("zookeeper.observer.election.DelayMs", 200);

    let global_outstanding_limit = ctx.get_integer("zookeeper.globalOutstandingLimit", 1000);
    let max_response_cache_size = ctx.get_integer("zookeeper.maxResponseCacheSize", 400);
    let max_get_children_response_cache_size =
        ctx.get_integer("zookeeper.maxGetChildrenResponseCacheSize", 400);
    let extended_types_enabled = ctx.get_bool("zookeeper.extendedTypesEnabled", false);
    let emulate_353_ttl_nodes = ctx.get_bool("zookeeper.emulate353TTLNodes", false);
    let jute_max_buffer_bytes = {
        let v = ctx.get_integer("jute.maxbuffer", 0xfffff);
        ctx.nonneg_u32("jute.maxbuffer", i64::from(v), 0xfffff, "buffer size")
    };
    let jute_max_buffer_extra_size_bytes = {
        let default = i32::try_from(jute_max_buffer_bytes).unwrap_or(i32::MAX);
        let v = ctx.get_integer("zookeeper.jute.maxbuffer.extrasize", default);
        u32::try_from(v.max(1024)).unwrap_or(1024)
    };
    let large_request_max_bytes = ctx.get_integer("zookeeper.largeRequestMaxBytes", 100 * 1024 * 1024);
    let large_request_threshold_bytes = ctx.get_integer("zookeeper.largeRequestThreshold", -1);
    let throttled_op_wait_time_ms = ctx.get_integer("zookeeper.throttled_op_wait_time", 0);
    let read_only_mode_enabled = ctx.get_bool("readonlymode.enabled", false);
    let container = ContainerConfig {
        check_interval_ms: ctx.get_integer("znode.container.checkIntervalMs", 60_000),
        max_per_minute: ctx.get_integer("znode.container.maxPerMinute", 10_000),
        max_never_used_interval_ms: ctx.get_long("znode.container.maxNeverUsedIntervalMs", 0),
    };
    let audit_enabled = ctx.get_bool("zookeeper.audit.enable", false);

    // ---- four-letter words ----
    let mut four_letter_words = BTreeSet::new();
    if let Some(list) = ctx.prop("zookeeper.4lw.commands.whitelist").map(str::to_string) {
        for cmd in list.split(',').map(java::java_trim) {
            if cmd == "*" {
                four_letter_words.extend(FOUR_LETTER_WORDS.iter().map(|c| c.to_string()));
                break;
            }
            if cmd.is_empty() {
                continue;
            }
            if !FOUR_LETTER_WORDS.contains(&cmd) {
                let msg = format!(
                    "{}: unknown four-letter word \"{cmd}\"",
                    ctx.prop_at("zookeeper.4lw.commands.whitelist")
                );
                ctx.warnings.push(msg);
            }
            four_letter_words.insert(cmd.to_string());
        }
    }
    if read_only_mode_enabled {
        four_letter_words.insert("isro".to_string());
    }
    four_letter_words.insert("srvr".to_string());

    // ---- admin server ----
    let admin_port = ctx.get_integer("zookeeper.admin.serverPort", 8080);
    let admin = AdminServerConfig {
        enabled: ctx.prop("zookeeper.admin.enableServer") != Some("false"),
        server_address: ctx
            .prop("zookeeper.admin.serverAddress")
            .unwrap_or("0.0.0.0")
            .to_string(),
        server_port: u16::try_from(admin_port).map_err(|_| {
            ConfigError::invalid(
                ctx.prop_at("zookeeper.admin.serverPort"),
                format!("port out of range: {admin_port}"),
            )
        })?,
        command_url: ctx
            .prop("zookeeper.admin.commandURL")
            .unwrap_or("/commands")
            .to_string(),
        idle_timeout_ms: ctx.get_integer("zookeeper.admin.idleTimeout", 30000),
        http_version: ctx.get_integer("zookeeper.admin.httpVersion", 11),
        port_unification: ctx.get_bool("zookeeper.admin.portUnification", false),
        force_https: ctx.get_bool("zookeeper.admin.forceHttps", false),
        need_client_auth: ctx.get_bool("zookeeper.admin.needClientAuth", false),
    };

    // ---- auth ----
    let providers: BTreeMap<String, String> = ctx
        .resolved
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("zookeeper.authProvider.")
                .map(|n| (n.to_string(), v.value.clone()))
        })
        .collect();
    let session_require_client_sasl_auth = ctx.get_bool("zookeeper.sessionRequireClientSASLAuth", false);
    let (enforce_auth_enabled, enforce_auth_schemes) = if session_require_client_sasl_auth {
        (true, vec!["sasl".to_string()])
    } else {
        let enabled = ctx.get_bool("zookeeper.enforce.auth.enabled", false);
        let schemes: Vec<String> = ctx
            .prop("zookeeper.enforce.auth.schemes")
            .map(|s| {
                s.split(',')
                    .map(|x| java::java_trim(x).to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        (enabled, schemes)
    };
    if enforce_auth_enabled && enforce_auth_schemes.is_empty() {
        return Err(ConfigError::missing(
            ctx.prop_at("zookeeper.enforce.auth.enabled"),
            "is true, so enforce.auth.schemes must be set",
        ));
    }
    let auth = AuthConfig {
        skip_acl: ctx.yes_only("zookeeper.skipACL"),
        providers,
        digest_enabled: ctx.get_bool("zookeeper.DigestAuthenticationProvider.enabled", true),
        super_digest: ctx
            .prop("zookeeper.DigestAuthenticationProvider.superDigest")
            .map(str::to_string),
        digest_alg: ctx
            .prop("zookeeper.DigestAuthenticationProvider.digestAlg")
            .unwrap_or("SHA1")
            .to_string(),
        super_user: ctx.prop("zookeeper.superUser").map(str::to_string),
        x509_super_user: ctx
            .prop("zookeeper.X509AuthenticationProvider.superUser")
            .map(str::to_string),
        enforce_auth_enabled,
        enforce_auth_schemes,
        session_require_client_sasl_auth,
        enforce_quota: ctx.get_bool("zookeeper.enforceQuota", false),
        enable_eager_acl_check: ctx.get_bool("zookeeper.enableEagerACLCheck", false),
    };

    let ssl: BTreeMap<String, String> = ctx
        .resolved
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix(SYSPROP_PREFIX)
                .filter(|s| s.starts_with("ssl."))
                .map(|s| (s.to_string(), v.value.clone()))
        })
        .collect();

    let oracle_path = ctx.string("oraclePath").map(|v| ctx.path(&v));

    let mut warnings = sys.warnings().to_vec();
    warnings.append(&mut ctx.warnings);

    Ok(Config {
        config_file: file.to_string(),
        config_path: config_path.map(Path::to_path_buf),
        raw_text,
        properties,
        dynamic_config,
        warnings,
        data_dir,
        data_log_dir,
        autopurge_snap_retain_count,
        autopurge_purge_interval_hours,
        snap_count,
        snap_size_limit_kb,
        txn_log_size_limit_kb,
        pre_alloc_size_kb,
        force_sync,
        fsync_warning_threshold_ms,
        commit_log_count,
        snapshot_size_factor,
        snapshot_compression,
        snapshot_trust_empty,
        digest_enabled,
        close_session_txn_enabled,
        serialize_last_processed_zxid_enabled,
        db_autocreate,
        datadir_autocreate,
        flush_delay_ms,
        max_write_queue_poll_time_ms,
        max_batch_size,
        client_port,
        client_port_address,
        client_address,
        secure_client_port,
        secure_client_port_address,
        secure_client_address,
        client_port_listen_backlog,
        max_client_cnxns,
        max_cnxns,
        port_unification: ctx.boolean("portUnification").unwrap_or(false),
        server_cnxn_factory,
        client_tcp_keep_alive,
        tick_time_ms,
        min_session_timeout_ms,
        max_session_timeout_ms,
        init_limit_ticks,
        sync_limit_ticks,
        connect_to_learner_master_limit_ticks,
        quorum: quorum_members,
        last_seen_quorum,
        server_id,
        peer_type,
        election_alg: 3,
        quorum_listen_on_all_ips: ctx.boolean("quorumListenOnAllIPs").unwrap_or(false),
        observer_master_port,
        sync_enabled,
        standalone_enabled,
        reconfig_enabled,
        dynamic_config_file,
        local_sessions_enabled: ctx.boolean("localSessionsEnabled").unwrap_or(false),
        local_sessions_upgrading_enabled: ctx.boolean("localSessionsUpgradingEnabled").unwrap_or(false),
        ssl_quorum: ctx.boolean("sslQuorum").unwrap_or(false),
        ssl_quorum_reload_cert_files: ctx.boolean("sslQuorumReloadCertFiles").unwrap_or(false),
        quorum_sasl,
        quorum_cnxn_threads_size,
        multi_address_enabled,
        multi_address_reachability_check_enabled,
        multi_address_reachability_check_timeout_ms,
        oracle_path,
        leader_serves,
        cnx_timeout_ms,
        quorum_cnxn_timeout_ms,
        tcp_keep_alive,
        election_port_bind_retry,
        fast_leader_min_notification_interval_ms,
        fast_leader_max_notification_interval_ms,
        leader_max_time_to_wait_for_epoch_ms,
        leader_max_concurrent_snap_syncs,
        leader_max_concurrent_diff_syncs,
        observer_reconnect_delay_ms,
        observer_election_delay_ms,
        global_outstanding_limit,
        max_response_cache_size,
        max_get_children_response_cache_size,
        extended_types_enabled,
        emulate_353_ttl_nodes,
        jute_max_buffer_bytes,
        jute_max_buffer_extra_size_bytes,
        large_request_max_bytes,
        large_request_threshold_bytes,
        throttled_op_wait_time_ms,
        read_only_mode_enabled,
        container,
        four_letter_words,
        admin,
        auth,
        metrics,
        jvm_pause,
        audit_enabled,
        ssl,
        distributed,
        resolved: ctx.resolved,
    })
}

fn is_known_passthrough(key: &str) -> bool {
    KNOWN_SYSPROP_KEYS.contains(&key)
        || JVM_ONLY_KEYS.contains(&key)
        || KNOWN_SYSPROP_PREFIXES.iter().any(|p| key.starts_with(p))
}

/// The config version encoded in a dynamic file name: the hex digits after the last `.`; 0 if none.
pub fn version_from_file_name(path: &Path) -> u64 {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .and_then(|name| name.rsplit_once('.').map(|(_, suffix)| suffix.to_string()))
        .and_then(|suffix| u64::from_str_radix(&suffix, 16).ok())
        .unwrap_or(0)
}

fn read_properties_file(path: &Path) -> Result<(String, Properties), ConfigError> {
    let bytes = std::fs::read(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let props = Properties::parse_latin1(&bytes).map_err(|e| ConfigError::Syntax {
        file: path.display().to_string(),
        line: e.line,
        message: "malformed \\uXXXX escape".to_string(),
    })?;
    Ok((String::from_utf8_lossy(&bytes).into_owned(), props))
}

fn member_entries<'a>(file: &str, props: &'a Properties) -> Vec<MemberEntry<'a>> {
    props
        .iter()
        .map(|p| {
            let key = java::java_trim(&p.key);
            MemberEntry {
                key,
                value: &p.value,
                at: Location::new(file, Some(p.line), key),
            }
        })
        .collect()
}

fn read_dynamic_file(
    path: &Path,
    multi_address: bool,
) -> Result<(DynamicConfigFile, QuorumMembers), ConfigError> {
    let (raw_text, properties) = read_properties_file(path)?;
    let file = path.display().to_string();
    let entries = member_entries(&file, &properties);
    for e in &entries {
        if e.key == "version" {
            return Err(ConfigError::invalid(
                e.at.clone(),
                "not allowed in a dynamic config file (the version comes from the file name suffix)",
            ));
        }
        if !quorum::is_member_key(e.key) {
            return Err(ConfigError::invalid(
                e.at.clone(),
                "unrecognised parameter (a dynamic config file may only hold server.N, group.N and weight.N)",
            ));
        }
    }
    let mut members = quorum::build_members(&entries, multi_address)?;
    members.version = version_from_file_name(path);
    Ok((
        DynamicConfigFile {
            path: path.to_path_buf(),
            raw_text,
            properties,
        },
        members,
    ))
}

/// `<zoo.cfg>.dynamic.next`: a proposed configuration (may carry `version=`).
fn read_next_dynamic_file(path: &Path, multi_address: bool) -> Result<QuorumMembers, ConfigError> {
    let (_, properties) = read_properties_file(path)?;
    let file = path.display().to_string();
    quorum::build_members(&member_entries(&file, &properties), multi_address)
}

/// Reads `<dataDir>/myid`: None if there is no such file; the first line must be a decimal number (no
/// blanks), like Java's `Long.parseLong(readLine())`.
pub fn read_myid(path: &Path) -> Result<Option<u64>, ConfigError> {
    if !path.is_file() {
        return Ok(None);
    }
    let bytes = std::fs::read(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let first = text.split(['\n', '\r']).next().unwrap_or("");
    let at = Location::new(path.display().to_string(), Some(1), "myid");
    match java::parse_long(first) {
        Some(id) => u64::try_from(id)
            .map(Some)
            .map_err(|_| ConfigError::invalid(at, format!("server id must not be negative: {id}"))),
        None => Err(ConfigError::number(at, first)),
    }
}
