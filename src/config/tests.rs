//! Tests of zoo.cfg parsing as a whole (the parts have their own tests in their files).

use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A scratch directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("rzk-config-test-{}-{n}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
        TempDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
        }
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
        p
    }

    /// `dataDir=<tmp>/data` line.
    fn data_dir_line(&self) -> String {
        format!("dataDir={}", self.0.join("data").display())
    }

    fn myid(&self, text: &str) {
        self.write("data/myid", text);
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn no_sys() -> SystemProps {
    SystemProps::new()
}

fn cli(flags: &[&str]) -> SystemProps {
    let args: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
    SystemProps::from_env_and_args(|_| None, &args)
}

fn parse_with(dir: &TempDir, text: &str, sys: &SystemProps) -> Config {
    Config::parse_str(text, "zoo.cfg", dir.path(), sys)
        .unwrap_or_else(|e| panic!("parse failed: {e}\n{text}"))
}

fn parse(dir: &TempDir, text: &str) -> Config {
    parse_with(dir, text, &no_sys())
}

fn parse_err_with(dir: &TempDir, text: &str, sys: &SystemProps) -> String {
    match Config::parse_str(text, "zoo.cfg", dir.path(), sys) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn parse_err(dir: &TempDir, text: &str) -> String {
    parse_err_with(dir, text, &no_sys())
}

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/config/testdata")
        .join(name)
}

const THREE_NODES: &str = "server.1=zk1:2888:3888\nserver.2=zk2:2888:3888\nserver.3=zk3:2888:3888\n";

// ---------------------------------------------------------------------------------------------------
// Defaults and basic keys
// ---------------------------------------------------------------------------------------------------

#[test]
fn minimal_standalone_defaults() {
    let d = TempDir::new();
    let c = parse(&d, &format!("{}\nclientPort=2181\n", d.data_dir_line()));
    assert!(c.is_standalone());
    assert!(!c.is_distributed());
    assert_eq!(c.data_dir, d.path().join("data"));
    assert_eq!(c.data_log_dir, c.data_dir);
    assert_eq!(c.client_port, Some(2181));
    assert_eq!(c.client_address, Some(HostPort::new("0.0.0.0", 2181)));
    assert_eq!(c.secure_client_address, None);
    assert_eq!(c.tick_time_ms, 3000);
    assert_eq!(c.min_session_timeout_ms, 6000);
    assert_eq!(c.max_session_timeout_ms, 60000);
    assert_eq!(c.init_limit_ticks, 0);
    assert_eq!(c.sync_limit_ticks, 0);
    assert_eq!(c.max_client_cnxns, 60);
    assert_eq!(c.max_cnxns, 0);
    assert_eq!(c.client_port_listen_backlog, -1);
    assert_eq!(c.election_alg, 3);
    assert_eq!(c.peer_type, LearnerType::Participant);
    assert_eq!(c.server_id, None);
    assert!(c.quorum.servers.is_empty());
    assert_eq!(c.autopurge_snap_retain_count, 3);
    assert_eq!(c.autopurge_purge_interval_hours, 0);
    assert!(c.standalone_enabled);
    assert!(!c.reconfig_enabled);
    assert!(c.sync_enabled);
    assert!(!c.local_sessions_enabled);
    assert_eq!(c.quorum_cnxn_threads_size, 20);
    assert!(!c.multi_address_enabled);
    assert!(c.multi_address_reachability_check_enabled);
    assert_eq!(c.multi_address_reachability_check_timeout_ms, 1000);
    assert_eq!(
        c.quorum_sasl,
        QuorumSaslConfig {
            enable_sasl: false,
            server_require_sasl: false,
            learner_require_sasl: false,
            learner_login_context: "QuorumLearner".into(),
            server_login_context: "QuorumServer".into(),
            kerberos_service_principal: "zkquorum/localhost".into(),
        }
    );
    assert_eq!(
        c.jvm_pause,
        JvmPauseConfig {
            enabled: false,
            info_threshold_ms: 1000,
            warn_threshold_ms: 10000,
            sleep_time_ms: 500
        }
    );
    // System-property-backed defaults.
    assert_eq!(c.snap_count, 100_000);
    assert_eq!(c.snap_size_limit_kb, 4_194_304);
    assert_eq!(c.txn_log_size_limit_kb, -1);
    assert_eq!(c.pre_alloc_size_kb, 65536);
    assert!(c.force_sync);
    assert_eq!(c.fsync_warning_threshold_ms, 1000);
    assert_eq!(c.commit_log_count, 500);
    assert_eq!(c.snapshot_size_factor, 0.33);
    assert_eq!(c.snapshot_compression, SnapshotCompression::None);
    assert!(!c.snapshot_trust_empty);
    assert!(c.digest_enabled);
    assert!(c.close_session_txn_enabled);
    assert!(!c.serialize_last_processed_zxid_enabled);
    assert!(c.db_autocreate && c.datadir_autocreate);
    assert_eq!(c.global_outstanding_limit, 1000);
    assert_eq!(c.max_response_cache_size, 400);
    assert_eq!(c.max_get_children_response_cache_size, 400);
    assert!(!c.extended_types_enabled && !c.emulate_353_ttl_nodes);
    assert_eq!(c.jute_max_buffer_bytes, 0xfffff);
    assert_eq!(c.jute_max_buffer_extra_size_bytes, 0xfffff);
    assert!(!c.read_only_mode_enabled);
    assert_eq!(
        c.container,
        ContainerConfig {
            check_interval_ms: 60_000,
            max_per_minute: 10_000,
            max_never_used_interval_ms: 0
        }
    );
    assert_eq!(c.four_letter_words, BTreeSet::from(["srvr".to_string()]));
    assert!(c.is_four_letter_word_enabled("srvr"));
    assert!(!c.is_four_letter_word_enabled("ruok"));
    assert!(c.leader_serves);
    assert_eq!(c.cnx_timeout_ms, 5000);
    assert_eq!(c.quorum_cnxn_timeout_ms, -1);
    assert_eq!(c.election_port_bind_retry, 3);
    assert_eq!(c.fast_leader_min_notification_interval_ms, 200);
    assert_eq!(c.fast_leader_max_notification_interval_ms, 60000);
    assert_eq!(c.leader_max_time_to_wait_for_epoch_ms, -1);
    assert_eq!(c.leader_max_concurrent_snap_syncs, 10);
    assert_eq!(c.leader_max_concurrent_diff_syncs, 100);
    assert_eq!(c.observer_reconnect_delay_ms, 0);
    assert_eq!(c.observer_election_delay_ms, 200);
    assert_eq!(c.large_request_max_bytes, 104_857_600);
    assert_eq!(c.large_request_threshold_bytes, -1);
    assert_eq!(c.flush_delay_ms, 0);
    assert_eq!(c.max_write_queue_poll_time_ms, 0);
    assert_eq!(c.max_batch_size, 1000);
    assert_eq!(
        c.admin,
        AdminServerConfig {
            enabled: true,
            server_address: "0.0.0.0".into(),
            server_port: 8080,
            command_url: "/commands".into(),
            idle_timeout_ms: 30000,
            http_version: 11,
            port_unification: false,
            force_https: false,
            need_client_auth: false,
        }
    );
    assert_eq!(
        c.auth,
        AuthConfig {
            skip_acl: false,
            providers: BTreeMap::new(),
            digest_enabled: true,
            super_digest: None,
            digest_alg: "SHA1".into(),
            super_user: None,
            x509_super_user: None,
            enforce_auth_enabled: false,
            enforce_auth_schemes: vec![],
            session_require_client_sasl_auth: false,
            enforce_quota: false,
            enable_eager_acl_check: false,
        }
    );
    assert_eq!(c.metrics.class_name, DEFAULT_METRICS_PROVIDER);
    assert_eq!(c.metrics.http_host, "0.0.0.0");
    assert_eq!(c.metrics.http_port, 7000);
    assert!(c.metrics.export_jvm_info);
    assert!(!c.metrics.is_prometheus());
    assert!(c.ssl.is_empty());
    assert_eq!(c.server_cnxn_factory, None);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert_eq!(
        c.initial_configuration(),
        format!("{}\nclientPort=2181\n", d.data_dir_line())
    );
}

#[test]
fn all_consumed_keys() {
    let d = TempDir::new();
    let text = format!(
        "{}
dataLogDir={}/log
clientPort=2181
clientPortAddress=127.0.0.1
secureClientPort=2281
secureClientPortAddress=10.0.0.1
observerMasterPort=2191
clientPortListenBacklog=128
tickTime=2000
maxClientCnxns=0
minSessionTimeout=1000
maxSessionTimeout=100000
initLimit=10
syncLimit=5
connectToLearnerMasterLimit=7
electionAlg=3
quorumListenOnAllIPs=TRUE
peerType=participant
syncEnabled=false
autopurge.snapRetainCount=5
autopurge.purgeInterval=24
standaloneEnabled=true
reconfigEnabled=true
localSessionsEnabled=true
localSessionsUpgradingEnabled=true
sslQuorum=true
portUnification=true
sslQuorumReloadCertFiles=true
quorum.auth.enableSasl=true
quorum.auth.serverRequireSasl=true
quorum.auth.learnerRequireSasl=true
quorum.auth.learner.saslLoginContext=L
quorum.auth.server.saslLoginContext=S
quorum.auth.kerberos.servicePrincipal=zk/_HOST
quorum.cnxn.threads.size=40
jvm.pause.monitor=true
jvm.pause.info-threshold.ms=2000
jvm.pause.warn-threshold.ms=20000
jvm.pause.sleep.time.ms=700
metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider
metricsProvider.httpHost=127.0.0.1
metricsProvider.httpPort=7001
metricsProvider.exportJvmInfo=false
metricsProvider.numWorkerThreads=4
multiAddress.enabled=true
multiAddress.reachabilityCheckTimeoutMs=500
multiAddress.reachabilityCheckEnabled=false
oraclePath=oracle
",
        d.data_dir_line(),
        d.path().display()
    );
    let c = parse(&d, &text);
    assert_eq!(c.data_log_dir, d.path().join("log"));
    assert_eq!(c.client_address, Some(HostPort::new("127.0.0.1", 2181)));
    assert_eq!(c.client_port_address.as_deref(), Some("127.0.0.1"));
    assert_eq!(c.secure_client_port, Some(2281));
    assert_eq!(c.secure_client_address, Some(HostPort::new("10.0.0.1", 2281)));
    assert_eq!(c.observer_master_port, Some(2191));
    assert_eq!(c.client_port_listen_backlog, 128);
    assert_eq!(c.tick_time_ms, 2000);
    assert_eq!(c.max_client_cnxns, 0);
    assert_eq!(
        (c.min_session_timeout_ms, c.max_session_timeout_ms),
        (1000, 100000)
    );
    assert_eq!((c.init_limit_ticks, c.sync_limit_ticks), (10, 5));
    assert_eq!(c.connect_to_learner_master_limit_ticks, 7);
    assert_eq!(c.effective_connect_to_learner_master_limit_ticks(), 7);
    assert!(c.quorum_listen_on_all_ips);
    assert!(!c.sync_enabled);
    assert_eq!(c.autopurge_snap_retain_count, 5);
    assert_eq!(c.autopurge_purge_interval_hours, 24);
    assert!(c.reconfig_enabled);
    assert!(c.local_sessions_enabled && c.local_sessions_upgrading_enabled);
    assert!(c.ssl_quorum && c.port_unification && c.ssl_quorum_reload_cert_files);
    assert_eq!(
        c.quorum_sasl,
        QuorumSaslConfig {
            enable_sasl: true,
            server_require_sasl: true,
            learner_require_sasl: true,
            learner_login_context: "L".into(),
            server_login_context: "S".into(),
            kerberos_service_principal: "zk/_HOST".into(),
        }
    );
    assert_eq!(c.quorum_cnxn_threads_size, 40);
    assert_eq!(
        c.jvm_pause,
        JvmPauseConfig {
            enabled: true,
            info_threshold_ms: 2000,
            warn_threshold_ms: 20000,
            sleep_time_ms: 700
        }
    );
    assert!(c.metrics.is_prometheus());
    assert_eq!(c.metrics.http_host, "127.0.0.1");
    assert_eq!(c.metrics.http_port, 7001);
    assert!(!c.metrics.export_jvm_info);
    assert_eq!(
        c.metrics
            .provider_properties
            .get("numWorkerThreads")
            .map(String::as_str),
        Some("4")
    );
    assert!(c.multi_address_enabled);
    assert!(!c.multi_address_reachability_check_enabled);
    assert_eq!(c.multi_address_reachability_check_timeout_ms, 500);
    assert_eq!(c.oracle_path, Some(d.path().join("oracle")));
    // Consumed keys are not system properties; the secure port implied the x509 provider.
    assert_eq!(c.system_property("zookeeper.tickTime"), None);
    assert_eq!(c.system_property("zookeeper.metricsProvider.httpPort"), None);
    assert_eq!(
        c.auth.providers.get("x509").map(String::as_str),
        Some(X509_AUTH_PROVIDER)
    );
    assert_eq!(
        c.system_property_entry("zookeeper.authProvider.x509")
            .map(|p| &p.origin),
        Some(&Origin::Implied)
    );
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn session_timeouts_follow_tick_time() {
    let d = TempDir::new();
    let c = parse(
        &d,
        &format!("{}\ntickTime=1000\nminSessionTimeout=-1\n", d.data_dir_line()),
    );
    assert_eq!(
        (c.min_session_timeout_ms, c.max_session_timeout_ms),
        (2000, 20000)
    );
    let c = parse(
        &d,
        &format!("{}\ntickTime=1000\nmaxSessionTimeout=5000\n", d.data_dir_line()),
    );
    assert_eq!((c.min_session_timeout_ms, c.max_session_timeout_ms), (2000, 5000));
}

#[test]
fn lenient_values_like_java() {
    let d = TempDir::new();
    let c = parse(
        &d,
        &format!(
            "{}\nautopurge.snapRetainCount=1\nmaxClientCnxns=-5\nquorum.cnxn.threads.size=3\n",
            d.data_dir_line()
        ),
    );
    assert_eq!(c.autopurge_snap_retain_count, 3);
    assert_eq!(c.max_client_cnxns, 0);
    assert_eq!(c.quorum_cnxn_threads_size, 20);
    assert_eq!(
        c.warnings,
        vec![
            "zoo.cfg:2: autopurge.snapRetainCount: must be at least 3; using 3",
            "zoo.cfg:3: maxClientCnxns: negative value -5 means unlimited; using 0",
            "zoo.cfg: no clientPort or secureClientPort: clients cannot connect",
        ]
    );
}

// ---------------------------------------------------------------------------------------------------
// Properties syntax through zoo.cfg
// ---------------------------------------------------------------------------------------------------

#[test]
fn properties_syntax_in_zoo_cfg() {
    let d = TempDir::new();
    let text = format!(
        "# comment line\n\
         ! bang comment\n\
         {}\n\
         tickTime : 2500\n\
         initLimit   7\n\
         sync\\\n    Limit=4\n\
         clientPort=2181   \n\
         4lw.commands.whitelist=ruok,\\\n    stat,\\\n    conf\n\
         DigestAuthenticationProvider.superDigest=super\\:abc\\u003D\n\
         tickTime=2600\n",
        d.data_dir_line()
    );
    let c = parse(&d, &text);
    assert_eq!(c.tick_time_ms, 2600); // last duplicate wins
    assert_eq!(c.init_limit_ticks, 7);
    assert_eq!(c.sync_limit_ticks, 4);
    assert_eq!(c.client_port, Some(2181)); // trailing blanks trimmed
    assert_eq!(
        c.four_letter_words,
        ["conf", "ruok", "srvr", "stat"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    assert_eq!(c.auth.super_digest.as_deref(), Some("super:abc="));
    assert_eq!(c.properties.entry("syncLimit").map(|p| p.line), Some(6));
    assert_eq!(c.properties.entry("tickTime").map(|p| p.line), Some(13));
    assert_eq!(c.properties.get("clientPort"), Some("2181   "));
}

#[test]
fn load_reads_latin1_and_keeps_raw_text() {
    let d = TempDir::new();
    let mut bytes = format!("{}\nclientPort=2181\nsuperUser=caf", d.data_dir_line()).into_bytes();
    bytes.push(0xe9);
    bytes.push(b'\n');
    let path = d.path().join("zoo.cfg");
    std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let c = Config::load(&path, &no_sys()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.auth.super_user.as_deref(), Some("café"));
    assert_eq!(c.raw_text, String::from_utf8_lossy(&bytes));
    assert_eq!(c.config_path.as_deref(), Some(path.as_path()));
    assert_eq!(c.config_file, path.display().to_string());
}

// ---------------------------------------------------------------------------------------------------
// Fatal errors: exact messages
// ---------------------------------------------------------------------------------------------------

#[test]
fn error_messages() {
    let d = TempDir::new();
    let dd = d.data_dir_line();
    let cases: Vec<(String, String)> = vec![
        ("clientPort=2181\n".into(), "zoo.cfg: dataDir: is not set".into()),
        (format!("{dd}\ntickTime=abc\n"), "zoo.cfg:2: tickTime: invalid number \"abc\"".into()),
        (format!("{dd}\ntickTime=0\n"), "zoo.cfg:2: tickTime: must not be 0".into()),
        (format!("{dd}\ntickTime=-5\n"), "zoo.cfg:2: tickTime: must be positive: -5".into()),
        (format!("{dd}\ntickTime=2147483648\n"), "zoo.cfg:2: tickTime: invalid number \"2147483648\"".into()),
        (format!("{dd}\n\n\n  initLimit = ten \n"), "zoo.cfg:4: initLimit: invalid number \"ten\"".into()),
        (format!("{dd}\nclientPortAddress=127.0.0.1\n"), "zoo.cfg:2: clientPortAddress: is set but clientPort is not set".into()),
        (
            format!("{dd}\nsecureClientPortAddress=127.0.0.1\n"),
            "zoo.cfg:2: secureClientPortAddress: is set but secureClientPort is not set".into(),
        ),
        (format!("{dd}\nelectionAlg=1\n"), "zoo.cfg:2: electionAlg: only 3 is supported, got 1".into()),
        (
            format!("{dd}\ntickTime=2000\nminSessionTimeout=5000\nmaxSessionTimeout=4000\n"),
            "zoo.cfg:3: minSessionTimeout: minSessionTimeout (5000 ms) must not be larger than maxSessionTimeout (4000 ms)".into(),
        ),
        (
            format!("{dd}\ntickTime=2000\nmaxSessionTimeout=3000\n"),
            "zoo.cfg:3: maxSessionTimeout: minSessionTimeout (4000 ms) must not be larger than maxSessionTimeout (3000 ms)".into(),
        ),
        (format!("{dd}\nsyncEnabled=yes\n"), "zoo.cfg:2: syncEnabled: invalid boolean \"yes\" (expected true or false)".into()),
        (format!("{dd}\npeerType=leader\n"), "zoo.cfg:2: peerType: unknown peer type \"leader\" (participant or observer)".into()),
        (format!("{dd}\nclientPort=70000\n"), "zoo.cfg:2: clientPort: port out of range: 70000".into()),
        (format!("{dd}\nsuperUser=\\u00zz\n"), "zoo.cfg:2: malformed \\uXXXX escape".into()),
        (format!("{dd}\ndataDir=\n"), "zoo.cfg:2: dataDir: must not be empty".into()),
        (format!("{dd}\ninitLimit=-1\n"), "zoo.cfg:2: initLimit: must not be negative: -1".into()),
        (
            format!("{dd}\ndynamicConfigFile=dyn\nserver.1=a:1:2\n"),
            "zoo.cfg:3: server.1: membership keys must be in the dynamic config file when dynamicConfigFile is set".into(),
        ),
        (
            format!("{dd}\ngroup.1=1\ndynamicConfigFile=dyn\n"),
            "zoo.cfg:2: group.1: membership keys must be in the dynamic config file when dynamicConfigFile is set".into(),
        ),
        (
            format!("{dd}\nquorum.auth.serverRequireSasl=true\nquorum.auth.learnerRequireSasl=true\n"),
            "zoo.cfg:2: quorum.auth.serverRequireSasl: cannot be true while quorum.auth.enableSasl is false".into(),
        ),
        (
            format!("{dd}\nquorum.auth.enableSasl=true\nquorum.auth.serverRequireSasl=true\n"),
            "zoo.cfg:3: quorum.auth.serverRequireSasl: cannot be true while quorum.auth.learnerRequireSasl is false".into(),
        ),
        (
            format!("{dd}\nquorum.auth.learnerRequireSasl=true\n"),
            "zoo.cfg:2: quorum.auth.learnerRequireSasl: cannot be true while quorum.auth.enableSasl is false".into(),
        ),
        (
            format!("{dd}\n{THREE_NODES}server.2=zk2:2888:2888\n"),
            "zoo.cfg:5: server.2: quorum port and election port must be different (both are 2888)".into(),
        ),
        (
            format!("{dd}\nserver.1=zk1:2888\n"),
            "zoo.cfg:2: server.1: \"zk1:2888\" does not have the form host:quorumPort:electionPort[:participant|:observer][|host:quorumPort:electionPort…][;[clientHost:]clientPort]".into(),
        ),
        (
            format!("{dd}\nserver.1=a:1:2|b:3:4\nserver.2=c:1:2\n"),
            "zoo.cfg:2: server.1: multiple addresses given for server 1 but multiAddress.enabled is not true".into(),
        ),
        (
            format!("{dd}\nstandaloneEnabled=false\n"),
            "zoo.cfg:2: standaloneEnabled: is false, so at least one participant server.N line is required".into(),
        ),
        (
            format!("{dd}\nserver.1=a:1:2:observer\n"),
            "zoo.cfg: server.*: observers without participants is an invalid configuration".into(),
        ),
        (
            format!("{dd}\nserver.1=a:1:2\nserver.2=b:1:2:observer\n"),
            "zoo.cfg: server.*: observers without a quorum is an invalid configuration".into(),
        ),
        (
            format!("{dd}\nmetricsProvider.httpPort=http\n"),
            "zoo.cfg:2: metricsProvider.httpPort: port is not a number: \"http\"".into(),
        ),
        (format!("{dd}\nadmin.serverPort=99999\n"), "zoo.cfg:2: admin.serverPort: port out of range: 99999".into()),
        (
            format!("{dd}\nenforce.auth.enabled=true\n"),
            "zoo.cfg:2: enforce.auth.enabled: is true, so enforce.auth.schemes must be set".into(),
        ),
        (
            format!("{dd}\nsecureClientPort=2281\nssl.authProvider=custom\n"),
            "zoo.cfg:3: ssl.authProvider: no auth provider configured for the SSL authentication scheme \"custom\" (set authProvider.custom=<class>)".into(),
        ),
    ];
    for (text, want) in cases {
        assert_eq!(parse_err(&d, &text), want, "config:\n{text}");
    }
}

#[test]
fn quorum_mode_requirements() {
    let d = TempDir::new();
    let dd = d.data_dir_line();
    assert_eq!(
        parse_err(&d, &format!("{dd}\nsyncLimit=5\n{THREE_NODES}")),
        "zoo.cfg: initLimit: is not set (required in quorum mode)"
    );
    assert_eq!(
        parse_err(&d, &format!("{dd}\ninitLimit=5\n{THREE_NODES}")),
        "zoo.cfg: syncLimit: is not set (required in quorum mode)"
    );
    assert_eq!(
        parse_err(&d, &format!("{dd}\ninitLimit=5\nsyncLimit=0\n{THREE_NODES}")),
        "zoo.cfg:3: syncLimit: is not set (required in quorum mode)"
    );
    assert_eq!(
        parse_err(&d, &format!("{dd}\ninitLimit=5\nsyncLimit=2\n{THREE_NODES}")),
        format!(
            "zoo.cfg:1: dataDir: no myid file at {} (required in quorum mode)",
            d.path().join("data/myid").display()
        )
    );
}

#[test]
fn read_error_names_the_file() {
    let d = TempDir::new();
    let missing = d.path().join("nope.cfg");
    match Config::load(&missing, &no_sys()) {
        Ok(_) => panic!("loaded a missing file"),
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.starts_with(&format!("{}: cannot read: ", missing.display())),
                "{msg}"
            );
            assert!(matches!(e, ConfigError::Read { .. }));
        }
    }
}

#[test]
fn error_location_accessor() {
    let d = TempDir::new();
    match Config::parse_str(
        &format!("{}\ntickTime=x\n", d.data_dir_line()),
        "zoo.cfg",
        d.path(),
        &no_sys(),
    ) {
        Ok(_) => panic!("accepted"),
        Err(e) => assert_eq!(e.location(), Some(&Location::new("zoo.cfg", Some(2), "tickTime"))),
    }
}

// ---------------------------------------------------------------------------------------------------
// myid
// ---------------------------------------------------------------------------------------------------

#[test]
fn myid_rules() {
    let d = TempDir::new();
    let p = d.write("myid", "3\n");
    assert_eq!(read_myid(&p).ok().flatten(), Some(3));
    d.write("myid", "3\r\nextra\n");
    assert_eq!(read_myid(&p).ok().flatten(), Some(3));
    d.write("myid", "17");
    assert_eq!(read_myid(&p).ok().flatten(), Some(17));
    assert_eq!(read_myid(&d.path().join("absent")).ok().flatten(), None);
    let err = |text: &str| {
        d.write("myid", text);
        read_myid(&p).map(|_| ()).map_err(|e| e.to_string())
    };
    assert_eq!(
        err("3 \n"),
        Err(format!("{}:1: myid: invalid number \"3 \"", p.display()))
    );
    assert_eq!(
        err(" 3\n"),
        Err(format!("{}:1: myid: invalid number \" 3\"", p.display()))
    );
    assert_eq!(
        err(""),
        Err(format!("{}:1: myid: invalid number \"\"", p.display()))
    );
    assert_eq!(
        err("-1\n"),
        Err(format!(
            "{}:1: myid: server id must not be negative: -1",
            p.display()
        ))
    );
}

#[test]
fn bad_myid_is_fatal_in_quorum_mode_only() {
    let d = TempDir::new();
    let dd = d.data_dir_line();
    let myid = d.path().join("data/myid");
    d.myid("one\n");
    let standalone = parse(&d, &format!("{dd}\nclientPort=2181\n"));
    assert_eq!(standalone.server_id, None);
    assert_eq!(
        standalone.warnings,
        vec![format!(
            "{}:1: myid: invalid number \"one\" (ignored in standalone mode)",
            myid.display()
        )]
    );
    assert_eq!(
        parse_err(&d, &format!("{dd}\ninitLimit=5\nsyncLimit=2\n{THREE_NODES}")),
        format!("{}:1: myid: invalid number \"one\"", myid.display())
    );
}

// ---------------------------------------------------------------------------------------------------
// server.N, modes, client addresses, roles
// ---------------------------------------------------------------------------------------------------

#[test]
fn three_node_quorum() {
    let d = TempDir::new();
    d.myid("2\n");
    let c = parse(
        &d,
        &format!(
            "{}\ntickTime=2000\ninitLimit=10\nsyncLimit=5\nclientPort=2181\n{THREE_NODES}",
            d.data_dir_line()
        ),
    );
    assert!(c.is_distributed());
    assert!(!c.is_standalone());
    assert_eq!(c.server_id, Some(2));
    assert_eq!(c.peer_type, LearnerType::Participant);
    assert_eq!(c.members().map(|s| s.id).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(c.quorum.voting_count(), 3);
    assert_eq!(c.quorum.version, 0);
    let me = c.my_server().unwrap_or_else(|| panic!("no own entry"));
    assert_eq!(me.primary().host, "zk2");
    // The static client port is copied into this server's entry but not into the config string.
    assert_eq!(me.client_address, Some(HostPort::new("0.0.0.0", 2181)));
    assert!(me.client_address_from_static);
    assert_eq!(
        c.quorum.config_string(),
        "server.1=zk1:2888:3888:participant\nserver.2=zk2:2888:3888:participant\n\
         server.3=zk3:2888:3888:participant\nversion=0"
    );
    assert_eq!(c.client_address, Some(HostPort::new("0.0.0.0", 2181)));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    // Java also turns server lines into system properties.
    assert_eq!(c.system_property("zookeeper.server.1"), Some("zk1:2888:3888"));
}

#[test]
fn client_port_from_server_line() {
    let d = TempDir::new();
    let dd = d.data_dir_line();
    d.myid("1");
    let base = format!("{dd}\ninitLimit=5\nsyncLimit=2\n");
    // Port only: host defaults to 0.0.0.0.
    let c = parse(
        &d,
        &format!("{base}server.1=a:2888:3888;2181\nserver.2=b:2888:3888;2181\n"),
    );
    assert_eq!(c.client_port, None);
    assert_eq!(c.client_address, Some(HostPort::new("0.0.0.0", 2181)));
    // Host and port.
    let c = parse(
        &d,
        &format!("{base}server.1=a:2888:3888;10.1.1.1:2182\nserver.2=b:2888:3888;2181\n"),
    );
    assert_eq!(c.client_address, Some(HostPort::new("10.1.1.1", 2182)));
    assert_eq!(
        c.quorum.config_string().lines().next(),
        Some("server.1=a:2888:3888:participant;10.1.1.1:2182")
    );
    // A wildcard clientPort with the same port agrees.
    let c = parse(
        &d,
        &format!("{base}clientPort=2182\nserver.1=a:2888:3888;10.1.1.1:2182\nserver.2=b:2888:3888\n"),
    );
    assert_eq!(c.client_address, Some(HostPort::new("10.1.1.1", 2182)));
    // A different port conflicts.
    assert_eq!(
        parse_err(&d, &format!("{base}clientPort=2181\nserver.1=a:2888:3888;2182\nserver.2=b:2888:3888\n")),
        "zoo.cfg:4: clientPort: client address 0.0.0.0:2181 differs from 0.0.0.0:2182 given for this server (server.1) in zoo.cfg"
    );
    // A specific clientPortAddress must match the host too.
    assert_eq!(
        parse_err(
            &d,
            &format!("{base}clientPort=2181\nclientPortAddress=127.0.0.1\nserver.1=a:2888:3888;10.0.0.1:2181\nserver.2=b:1:2\n")
        ),
        "zoo.cfg:4: clientPort: client address 127.0.0.1:2181 differs from 10.0.0.1:2181 given for this server (server.1) in zoo.cfg"
    );
}

#[test]
fn observers_and_peer_type() {
    let d = TempDir::new();
    let dd = d.data_dir_line();
    let base = format!(
        "{dd}\ninitLimit=5\nsyncLimit=2\nclientPort=2181\n{THREE_NODES}server.4=zk4:2888:3888:observer\n"
    );
    d.myid("4");
    let c = parse(&d, &base);
    assert_eq!(c.peer_type, LearnerType::Observer);
    assert_eq!(c.quorum.observer_count(), 1);
    assert_eq!(c.quorum.voting_count(), 3);
    assert_eq!(c.warnings, vec!["zoo.cfg: peerType: peerType participant does not match the server list (observer); using the server list"]);
    let c = parse(&d, &format!("{base}peerType=observer\n"));
    assert_eq!(c.peer_type, LearnerType::Observer);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    // The server list wins over peerType.
    d.myid("1");
    let c = parse(&d, &format!("{base}peerType=observer\n"));
    assert_eq!(c.peer_type, LearnerType::Participant);
    assert_eq!(
        c.warnings,
        vec!["zoo.cfg:9: peerType: peerType observer does not match the server list (participant); using the server list"]
    );
}

#[test]
fn ipv6_servers() {
    let d = TempDir::new();
    d.myid("1");
    let c = parse(
        &d,
        &format!(
            "{}\ninitLimit=5\nsyncLimit=2\nserver.1=[fe80::1]:2888:3888;[::1]:2181\nserver.2=[2001:db8::2]:2888:3888:participant\nserver.3=[2001:db8::3]:2888:3888\n",
            d.data_dir_line()
        ),
    );
    let me = c.my_server().unwrap_or_else(|| panic!("no own entry"));
    assert_eq!(me.primary().host, "fe80::1");
    assert_eq!(c.client_address, Some(HostPort::new("::1", 2181)));
    assert_eq!(
        c.client_address.as_ref().map(ToString::to_string).as_deref(),
        Some("[::1]:2181")
    );
    assert_eq!(
        c.quorum.config_string().lines().next(),
        Some("server.1=[fe80:0:0:0:0:0:0:1]:2888:3888:participant;[0:0:0:0:0:0:0:1]:2181")
    );
}

#[test]
fn multi_address_needs_the_switch() {
    let d = TempDir::new();
    d.myid("1");
    let text = format!(
        "{}\ninitLimit=5\nsyncLimit=2\nserver.1=a1:2888:3888|a2:2889:3889\nserver.2=b1:2888:3888|b2:2889:3889:participant\nserver.3=c:2888:3888\n",
        d.data_dir_line()
    );
    assert_eq!(
        parse_err(&d, &text),
        "zoo.cfg:4: server.1: multiple addresses given for server 1 but multiAddress.enabled is not true"
    );
    let c = parse(&d, &format!("{text}multiAddress.enabled=true\n"));
    assert_eq!(c.my_server().map(|s| s.addresses.len()), Some(2));
    assert!(c.multi_address_enabled);
    // The Java system property also enables it.
    let c = parse_with(&d, &text, &cli(&["-Dzookeeper.multiAddress.enabled=true"]));
    assert_eq!(c.quorum.get(2).map(|s| s.addresses.len()), Some(2));
    assert!(c.multi_address_enabled);
    // zoo.cfg's consumed key beats the flag.
    assert!(parse_err_with(
        &d,
        &format!("{text}multiAddress.enabled=false\n"),
        &cli(&["-Dzookeeper.multiAddress.enabled=true"])
    )
    .contains("multiAddress.enabled is not true"));
}

#[test]
fn mode_decision() {
    let d = TempDir::new();
    let dd = d.data_dir_line();
    // A single server line is ignored: standalone.
    let c = parse(
        &d,
        &format!("{dd}\nclientPort=2181\nserver.1=localhost:2888:3888\n"),
    );
    assert!(c.is_standalone());
    assert_eq!(c.quorum.voting_count(), 1);
    assert_eq!(
        c.warnings,
        vec!["zoo.cfg: only one server listed and standaloneEnabled=true: running standalone, server line ignored"]
    );
    // One matching myid and no peers: still standalone, but the server line's client port applies.
    d.myid("1");
    let c = parse(&d, &format!("{dd}\nserver.1=localhost:2888:3888;2191\n"));
    assert!(c.is_standalone());
    assert_eq!(c.server_id, Some(1));
    assert_eq!(c.client_address, Some(HostPort::new("0.0.0.0", 2191)));
    // standaloneEnabled=false with one voter: quorum mode.
    let c = parse(
        &d,
        &format!("{dd}\nclientPort=2181\nstandaloneEnabled=false\ninitLimit=5\nsyncLimit=2\nserver.1=localhost:2888:3888\n"),
    );
    assert!(c.is_distributed());
    assert!(!c.standalone_enabled);
    assert_eq!(
        c.warnings,
        vec!["zoo.cfg: 1 participant(s): no server failure will be tolerated; use at least 3"]
    );
    // Two voters: quorum mode.
    let c = parse(
        &d,
        &format!("{dd}\nclientPort=2181\ninitLimit=5\nsyncLimit=2\nserver.1=a:1:2\nserver.2=b:1:2\n"),
    );
    assert!(c.is_distributed());
    // Four voters: even-number warning.
    let c = parse(
        &d,
        &format!("{dd}\nclientPort=2181\ninitLimit=5\nsyncLimit=2\n{THREE_NODES}server.4=d:1:2\n"),
    );
    assert_eq!(
        c.warnings,
        vec!["zoo.cfg: 4 participants: an odd number is better"]
    );
    // Not listed: a warning.
    d.myid("9");
    let c = parse(
        &d,
        &format!("{dd}\nclientPort=2181\ninitLimit=5\nsyncLimit=2\n{THREE_NODES}"),
    );
    assert_eq!(
        c.warnings,
        vec![format!(
            "{}: this server's id 9 is not in the server list",
            d.path().join("data/myid").display()
        )]
    );
}

#[test]
fn groups_and_weights() {
    let d = TempDir::new();
    d.myid("1");
    let c = parse(
        &d,
        &format!(
            "{}\nclientPort=2181\ninitLimit=5\nsyncLimit=2\n{THREE_NODES}server.4=zk4:2888:3888\n\
             group.1=1:2\ngroup.2=3:4\nweight.1=1\nweight.2=1\nweight.3=2\nweight.4=0\n",
            d.data_dir_line()
        ),
    );
    assert!(c.quorum.hierarchical);
    assert_eq!(
        c.quorum.groups,
        BTreeMap::from([(1, vec![1, 2]), (2, vec![3, 4])])
    );
    assert_eq!(c.quorum.weight(3), 2);
    assert_eq!(c.quorum.weight(4), 0);
    assert!(c.config_string_has_groups());
    assert_eq!(
        parse_err(
            &d,
            &format!(
                "{}\ninitLimit=5\nsyncLimit=2\n{THREE_NODES}group.1=1:2\n",
                d.data_dir_line()
            )
        ),
        "zoo.cfg:6: server.3: server 3 is not in any group (hierarchical quorum)"
    );
}

impl Config {
    fn config_string_has_groups(&self) -> bool {
        self.quorum
            .config_string()
            .contains("\ngroup.1=1:2\ngroup.2=3:4\nweight.1=1\nweight.2=1\nweight.3=2\nweight.4=0\nversion=0")
    }
}

#[test]
fn version_in_zoo_cfg() {
    let d = TempDir::new();
    let c = parse(
        &d,
        &format!(
            "{}\nclientPort=2181\nserver.1=a:1:2\nversion=1a\n",
            d.data_dir_line()
        ),
    );
    assert_eq!(c.quorum.version, 0x1a);
}

// ---------------------------------------------------------------------------------------------------
// Dynamic config file
// ---------------------------------------------------------------------------------------------------

#[test]
fn dynamic_config_file() {
    let d = TempDir::new();
    d.myid("3");
    d.write(
        "zoo.cfg.dynamic.100000000",
        "server.1=zk1:2888:3888:participant;0.0.0.0:2181\nserver.2=zk2:2888:3888:participant;2181\n\
         server.3=zk3:2888:3888:observer;2181\nserver.4=zk4:2888:3888;2181\n",
    );
    let zoo = format!(
        "{}\ntickTime=2000\ninitLimit=5\nsyncLimit=2\nreconfigEnabled=true\ndynamicConfigFile=zoo.cfg.dynamic.100000000\n",
        d.data_dir_line()
    );
    let path = d.write("zoo.cfg", &zoo);
    let c = parse(&d, &zoo);
    assert!(c.is_distributed());
    assert_eq!(c.quorum.version, 0x1_0000_0000);
    assert_eq!(c.quorum.servers.len(), 4);
    assert_eq!(c.peer_type, LearnerType::Observer);
    assert_eq!(c.client_address, Some(HostPort::new("0.0.0.0", 2181)));
    assert_eq!(
        c.dynamic_config_file,
        Some(d.path().join("zoo.cfg.dynamic.100000000"))
    );
    let dynamic = c
        .dynamic_config
        .as_ref()
        .unwrap_or_else(|| panic!("no dynamic config"));
    assert_eq!(dynamic.properties.len(), 4);
    assert!(dynamic.raw_text.starts_with("server.1=zk1"));
    assert_eq!(c.last_seen_quorum, None);
    assert!(c.quorum.config_string().ends_with("version=100000000"));

    // With load(), <zoo.cfg>.dynamic.next is read too. Relative paths come from the working directory, so
    // use an absolute dynamicConfigFile here.
    let abs = zoo.replace(
        "dynamicConfigFile=zoo.cfg.dynamic.100000000",
        &format!(
            "dynamicConfigFile={}",
            d.path().join("zoo.cfg.dynamic.100000000").display()
        ),
    );
    std::fs::write(&path, &abs).unwrap_or_else(|e| panic!("{e}"));
    d.write(
        "zoo.cfg.dynamic.next",
        "server.1=zk1:2888:3888\nserver.2=zk2:2888:3888\nversion=200000000\n",
    );
    let c = Config::load(&path, &no_sys()).unwrap_or_else(|e| panic!("{e}"));
    let next = c
        .last_seen_quorum
        .as_ref()
        .unwrap_or_else(|| panic!("no .dynamic.next"));
    assert_eq!(next.version, 0x2_0000_0000);
    assert_eq!(next.servers.len(), 2);
}

#[test]
fn dynamic_file_version_from_name() {
    assert_eq!(
        version_from_file_name(Path::new("/etc/zk/zoo.cfg.dynamic.100000000")),
        0x1_0000_0000
    );
    assert_eq!(version_from_file_name(Path::new("zoo.cfg.dynamic.0")), 0);
    assert_eq!(version_from_file_name(Path::new("zoo.cfg.dynamic")), 0);
    assert_eq!(version_from_file_name(Path::new("zoo_dynamic")), 0);
    assert_eq!(version_from_file_name(Path::new("/a.1/zoo_dynamic")), 0);
    assert_eq!(version_from_file_name(Path::new("zoo.cfg.dynamic.abc")), 0xabc);
}

#[test]
fn dynamic_file_errors() {
    let d = TempDir::new();
    let zoo = format!("{}\ndynamicConfigFile=dyn.cfg.dynamic\n", d.data_dir_line());
    let dyn_path = d.path().join("dyn.cfg.dynamic");
    d.write("dyn.cfg.dynamic", "server.1=a:1:2\nversion=5\n");
    assert_eq!(
        parse_err(&d, &zoo),
        format!(
            "{}:2: version: not allowed in a dynamic config file (the version comes from the file name suffix)",
            dyn_path.display()
        )
    );
    d.write("dyn.cfg.dynamic", "server.1=a:1:2\n\ntickTime=5\n");
    assert_eq!(
        parse_err(&d, &zoo),
        format!(
            "{}:3: tickTime: unrecognised parameter (a dynamic config file may only hold server.N, group.N and weight.N)",
            dyn_path.display()
        )
    );
    d.write("dyn.cfg.dynamic", "server.1=a:1:1\n");
    assert_eq!(
        parse_err(&d, &zoo),
        format!(
            "{}:1: server.1: quorum port and election port must be different (both are 1)",
            dyn_path.display()
        )
    );
    std::fs::remove_file(&dyn_path).unwrap_or_else(|e| panic!("{e}"));
    assert!(parse_err(&d, &zoo).starts_with(&format!("{}: cannot read: ", dyn_path.display())));
    // Single server in the dynamic file: standalone with a warning naming the dynamic file.
    d.write("dyn.cfg.dynamic", "server.1=a:1:2;2181\n");
    let c = parse(&d, &zoo);
    assert!(c.is_standalone());
    assert_eq!(c.quorum.version, 0);
    assert!(c
        .warnings
        .iter()
        .any(|w| w.starts_with(&format!("{}: only one server listed", dyn_path.display()))));
}

// ---------------------------------------------------------------------------------------------------
// System properties
// ---------------------------------------------------------------------------------------------------

#[test]
fn zoo_cfg_beats_jvm_flags_which_beat_defaults() {
    let d = TempDir::new();
    let sys = cli(&[
        "-Dzookeeper.snapCount=5000",
        "-Dzookeeper.globalOutstandingLimit=77",
        "-Dzookeeper.tickTime=9999",
        "-Dsome.other.prop=x",
    ]);
    let c = parse_with(
        &d,
        &format!("{}\nclientPort=2181\nsnapCount=20000\n", d.data_dir_line()),
        &sys,
    );
    assert_eq!(c.snap_count, 20000);
    assert_eq!(c.global_outstanding_limit, 77);
    // Consumed keys are never read from system properties.
    assert_eq!(c.tick_time_ms, 3000);
    assert_eq!(c.system_property("zookeeper.snapCount"), Some("20000"));
    assert_eq!(
        c.system_property_entry("zookeeper.snapCount").map(|p| &p.origin),
        Some(&Origin::ConfigFile {
            line: 3,
            key: "snapCount".into()
        })
    );
    assert_eq!(
        c.system_property_entry("zookeeper.globalOutstandingLimit")
            .map(|p| &p.origin),
        Some(&Origin::SystemProperty(PropSource::CommandLine))
    );
    assert_eq!(c.system_property("some.other.prop"), Some("x"));
    assert_eq!(c.system_property("zookeeper.nothing"), None);
    assert!(c.system_properties().any(|(k, _)| k == "zookeeper.tickTime"));
}

#[test]
fn env_flags_reach_the_config() {
    let d = TempDir::new();
    let sys = SystemProps::from_env_and_args(
        |k| match k {
            "JVMFLAGS" => {
                Some("-Xmx1g -Dzookeeper.DigestAuthenticationProvider.superDigest=super:AAA=".into())
            }
            "SERVER_JVMFLAGS" => Some(
                "-Djute.maxbuffer=0x400000 \"-Dzookeeper.superUser=zk admin\" -Dreadonlymode.enabled=true"
                    .into(),
            ),
            _ => None,
        },
        &["-Dzookeeper.4lw.commands.whitelist=ruok".to_string()],
    );
    let c = parse_with(&d, &format!("{}\nclientPort=2181\n", d.data_dir_line()), &sys);
    assert_eq!(c.auth.super_digest.as_deref(), Some("super:AAA="));
    assert_eq!(
        c.system_property("zookeeper.DigestAuthenticationProvider.superDigest"),
        Some("super:AAA=")
    );
    assert_eq!(c.jute_max_buffer_bytes, 0x40_0000);
    assert_eq!(c.jute_max_buffer_extra_size_bytes, 0x40_0000);
    assert_eq!(c.auth.super_user.as_deref(), Some("zk admin"));
    assert!(c.read_only_mode_enabled);
    assert_eq!(
        c.four_letter_words,
        ["isro", "ruok", "srvr"].iter().map(|s| s.to_string()).collect()
    );
}

#[test]
fn jvm_only_keys_accepted_in_zoo_cfg() {
    let d = TempDir::new();
    let text = format!(
        "{}\nclientPort=2181\njute.maxbuffer=4194304\nreadonlymode.enabled=true\nznode.container.checkIntervalMs=1000\n\
         znode.container.maxPerMinute=50\nznode.container.maxNeverUsedIntervalMs=86400000\n",
        d.data_dir_line()
    );
    let c = parse(&d, &text);
    assert_eq!(c.jute_max_buffer_bytes, 4_194_304);
    assert!(c.read_only_mode_enabled);
    assert!(c.is_four_letter_word_enabled("isro"));
    assert_eq!(
        c.container,
        ContainerConfig {
            check_interval_ms: 1000,
            max_per_minute: 50,
            max_never_used_interval_ms: 86_400_000
        }
    );
    // Java's name for it is kept too.
    assert_eq!(c.system_property("zookeeper.jute.maxbuffer"), Some("4194304"));
    assert_eq!(c.system_property("jute.maxbuffer"), Some("4194304"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);

    // zoo.cfg wins over a disagreeing flag, with a warning.
    let c = parse_with(&d, &text, &cli(&["-Djute.maxbuffer=1000000"]));
    assert_eq!(c.jute_max_buffer_bytes, 4_194_304);
    assert_eq!(
        c.warnings,
        vec!["zoo.cfg:3: jute.maxbuffer: overrides -Djute.maxbuffer=1000000 from command line (rzk reads jute.maxbuffer from zoo.cfg; Java ZooKeeper would use the flag)"]
    );
    // A flag alone works.
    let c = parse_with(
        &d,
        &format!("{}\nclientPort=2181\n", d.data_dir_line()),
        &cli(&["-Djute.maxbuffer=2000000"]),
    );
    assert_eq!(c.jute_max_buffer_bytes, 2_000_000);
    // extrasize has a floor of 1024.
    let c = parse(
        &d,
        &format!(
            "{}\nclientPort=2181\njute.maxbuffer.extrasize=10\n",
            d.data_dir_line()
        ),
    );
    assert_eq!(c.jute_max_buffer_extra_size_bytes, 1024);
}

#[test]
fn bad_system_property_values_warn_and_use_defaults() {
    let d = TempDir::new();
    let sys = SystemProps::from_env_and_args(
        |k| (k == "SERVER_JVMFLAGS").then(|| "-Dzookeeper.globalOutstandingLimit=lots".to_string()),
        &[],
    );
    let c = parse_with(
        &d,
        &format!(
            "{}\nclientPort=2181\nsnapCount=many\ndigest.enabled=yes\nforceSync=maybe\ncommitLogCount=10\nsnapshotSizeFactor=2\nsnapshot.compression.method=lz4\n",
            d.data_dir_line()
        ),
        &sys,
    );
    assert_eq!(c.snap_count, 100_000);
    assert!(!c.digest_enabled); // Boolean.parseBoolean("yes") is false
    assert!(c.force_sync);
    assert_eq!(c.commit_log_count, 500);
    assert_eq!(c.snapshot_size_factor, 0.33);
    assert_eq!(c.snapshot_compression, SnapshotCompression::None);
    assert_eq!(c.global_outstanding_limit, 1000);
    assert_eq!(
        c.warnings,
        vec![
            "zoo.cfg:3: snapCount: invalid number \"many\"; using the default 100000",
            "zoo.cfg:5: forceSync: \"maybe\" is not yes or no; treated as yes",
            "zoo.cfg:6: commitLogCount: 10 is below the minimum 500; using 500",
            "zoo.cfg:7: snapshotSizeFactor: 2 is above 1; using 0.33",
            "zoo.cfg:8: snapshot.compression.method: unknown method \"lz4\" (gz, snappy or empty); snapshots are not compressed",
            "zoo.cfg:4: digest.enabled: \"yes\" is not true or false; treated as false (as ZooKeeper does)",
            "SERVER_JVMFLAGS: -Dzookeeper.globalOutstandingLimit: invalid number \"lots\"; using the default 1000",
        ]
    );
}

#[test]
fn passthrough_key_families() {
    let d = TempDir::new();
    let text = format!(
        "{}
clientPort=2181
snapCount=2
snapSizeLimitInKb=-1
txnLogSizeLimitInKb=1024
preAllocSize=16384
forceSync=no
fsync.warningthresholdms=50
globalOutstandingLimit=0x10
maxCnxns=100
skipACL=yes
leaderServes=no
commitLogCount=1000
snapshotSizeFactor=-1
4lw.commands.whitelist=*
admin.enableServer=false
admin.serverAddress=127.0.0.1
admin.serverPort=9090
admin.commandURL=/cmd
admin.idleTimeout=1000
admin.portUnification=true
admin.forceHttps=true
admin.needClientAuth=true
extendedTypesEnabled=true
emulate353TTLNodes=true
digest.enabled=false
closeSessionTxn.enabled=false
serializeLastProcessedZxid.enabled=true
snapshot.compression.method=SNAPPY
snapshot.trust.empty=true
db.autocreate=false
datadir.autocreate=false
authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider
authProvider.sasl2=com.example.Other
DigestAuthenticationProvider.enabled=false
DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=
DigestAuthenticationProvider.digestAlg=SHA-256
superUser=admin
X509AuthenticationProvider.superUser=CN=admin
enforce.auth.enabled=true
enforce.auth.schemes=sasl, digest
enforceQuota=true
enableEagerACLCheck=true
ssl.keyStore.location=/k.jks
ssl.keyStore.password=secret
ssl.quorum.trustStore.location=/t.jks
serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory
maxResponseCacheSize=0
maxGetChildrenResponseCacheSize=10
flushDelay=30
maxBatchSize=500
largeRequestMaxBytes=1000
largeRequestThreshold=100
cnxTimeout=2000
quorumCnxnTimeoutMs=3000
tcpKeepAlive=true
clientTcpKeepAlive=true
electionPortBindRetry=0
fastleader.minNotificationInterval=100
fastleader.maxNotificationInterval=1000
leader.maxTimeToWaitForEpoch=500
leader.maxConcurrentSnapSyncs=2
leader.maxConcurrentDiffSyncs=3
observer.reconnectDelayMs=100
observer.election.DelayMs=50
audit.enable=true
jute.maxbuffer.extrasize=2048
",
        d.data_dir_line()
    );
    let c = parse(&d, &text);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert_eq!(c.snap_count, 2);
    assert_eq!(c.snap_size_limit_kb, -1);
    assert_eq!(c.txn_log_size_limit_kb, 1024);
    assert_eq!(c.pre_alloc_size_kb, 16384);
    assert!(!c.force_sync);
    assert_eq!(c.fsync_warning_threshold_ms, 50);
    assert_eq!(c.global_outstanding_limit, 16); // Integer.getInteger decodes hex
    assert_eq!(c.max_cnxns, 100);
    assert!(c.auth.skip_acl);
    assert!(!c.leader_serves);
    assert_eq!(c.commit_log_count, 1000);
    assert_eq!(c.snapshot_size_factor, -1.0);
    assert_eq!(c.four_letter_words.len(), FOUR_LETTER_WORDS.len());
    assert_eq!(
        c.admin,
        AdminServerConfig {
            enabled: false,
            server_address: "127.0.0.1".into(),
            server_port: 9090,
            command_url: "/cmd".into(),
            idle_timeout_ms: 1000,
            http_version: 11,
            port_unification: true,
            force_https: true,
            need_client_auth: true,
        }
    );
    assert!(c.extended_types_enabled && c.emulate_353_ttl_nodes);
    assert!(!c.digest_enabled && !c.close_session_txn_enabled);
    assert!(c.serialize_last_processed_zxid_enabled);
    assert_eq!(c.snapshot_compression, SnapshotCompression::Snappy);
    assert!(c.snapshot_trust_empty);
    assert!(!c.db_autocreate && !c.datadir_autocreate);
    assert_eq!(
        c.auth,
        AuthConfig {
            skip_acl: true,
            providers: BTreeMap::from([
                (
                    "1".to_string(),
                    "org.apache.zookeeper.server.auth.SASLAuthenticationProvider".to_string()
                ),
                ("sasl2".to_string(), "com.example.Other".to_string()),
            ]),
            digest_enabled: false,
            super_digest: Some("super:D/InIHSb7yEEbrWz8b9l71RjZJU=".into()),
            digest_alg: "SHA-256".into(),
            super_user: Some("admin".into()),
            x509_super_user: Some("CN=admin".into()),
            enforce_auth_enabled: true,
            enforce_auth_schemes: vec!["sasl".into(), "digest".into()],
            session_require_client_sasl_auth: false,
            enforce_quota: true,
            enable_eager_acl_check: true,
        }
    );
    assert_eq!(
        c.ssl,
        BTreeMap::from([
            ("ssl.keyStore.location".to_string(), "/k.jks".to_string()),
            ("ssl.keyStore.password".to_string(), "secret".to_string()),
            ("ssl.quorum.trustStore.location".to_string(), "/t.jks".to_string()),
        ])
    );
    assert_eq!(
        c.server_cnxn_factory.as_deref(),
        Some("org.apache.zookeeper.server.NettyServerCnxnFactory")
    );
    assert_eq!(
        (c.max_response_cache_size, c.max_get_children_response_cache_size),
        (0, 10)
    );
    assert_eq!(
        (c.flush_delay_ms, c.max_write_queue_poll_time_ms, c.max_batch_size),
        (30, 10, 500)
    );
    assert_eq!(
        (c.large_request_max_bytes, c.large_request_threshold_bytes),
        (1000, 100)
    );
    assert_eq!((c.cnx_timeout_ms, c.quorum_cnxn_timeout_ms), (2000, 3000));
    assert!(c.tcp_keep_alive && c.client_tcp_keep_alive);
    assert_eq!(c.election_port_bind_retry, 0);
    assert_eq!(
        (
            c.fast_leader_min_notification_interval_ms,
            c.fast_leader_max_notification_interval_ms
        ),
        (100, 1000)
    );
    assert_eq!(c.leader_max_time_to_wait_for_epoch_ms, 500);
    assert_eq!(
        (
            c.leader_max_concurrent_snap_syncs,
            c.leader_max_concurrent_diff_syncs
        ),
        (2, 3)
    );
    assert_eq!(
        (c.observer_reconnect_delay_ms, c.observer_election_delay_ms),
        (100, 50)
    );
    assert!(c.audit_enabled);
    assert_eq!(c.jute_max_buffer_extra_size_bytes, 2048);
}

#[test]
fn session_require_client_sasl_auth_forces_sasl() {
    let d = TempDir::new();
    let c = parse(
        &d,
        &format!(
            "{}\nclientPort=2181\nsessionRequireClientSASLAuth=true\nenforce.auth.schemes=digest\n",
            d.data_dir_line()
        ),
    );
    assert!(c.auth.session_require_client_sasl_auth);
    assert!(c.auth.enforce_auth_enabled);
    assert_eq!(c.auth.enforce_auth_schemes, vec!["sasl".to_string()]);
}

#[test]
fn four_letter_word_lists() {
    let d = TempDir::new();
    let dd = d.data_dir_line();
    let words = |c: &Config| c.four_letter_words.iter().cloned().collect::<Vec<_>>();
    let c = parse(
        &d,
        &format!("{dd}\nclientPort=2181\n4lw.commands.whitelist=stat, ruok ,,conf\n"),
    );
    assert_eq!(words(&c), vec!["conf", "ruok", "srvr", "stat"]);
    let c = parse(
        &d,
        &format!("{dd}\nclientPort=2181\n4lw.commands.whitelist=ruok, *\n"),
    );
    assert_eq!(c.four_letter_words.len(), FOUR_LETTER_WORDS.len());
    let c = parse(&d, &format!("{dd}\nclientPort=2181\n4lw.commands.whitelist=\n"));
    assert_eq!(words(&c), vec!["srvr"]);
    let c = parse(
        &d,
        &format!("{dd}\nclientPort=2181\n4lw.commands.whitelist=ruok,bogus\n"),
    );
    assert_eq!(words(&c), vec!["bogus", "ruok", "srvr"]);
    assert_eq!(
        c.warnings,
        vec!["zoo.cfg:3: 4lw.commands.whitelist: unknown four-letter word \"bogus\""]
    );
    let c = parse_with(
        &d,
        &format!("{dd}\nclientPort=2181\n"),
        &cli(&["-Dreadonlymode.enabled=true"]),
    );
    assert_eq!(words(&c), vec!["isro", "srvr"]);
}

#[test]
fn unknown_keys_only_warn() {
    let d = TempDir::new();
    let c = parse(
        &d,
        &format!(
            "{}\nclientPort=2181\nfooBar=1\nzookeeper.snapCount=5\nsnapCount=7\n",
            d.data_dir_line()
        ),
    );
    assert_eq!(c.snap_count, 7);
    assert_eq!(
        c.warnings,
        vec![
            "zoo.cfg:3: fooBar: unknown key (kept as system property zookeeper.fooBar)",
            "zoo.cfg:4: zookeeper.snapCount: zoo.cfg keys get the \"zookeeper.\" prefix automatically; write \"snapCount\" instead (ignored)",
        ]
    );
    assert_eq!(c.system_property("zookeeper.fooBar"), Some("1"));
    assert_eq!(c.system_property("zookeeper.zookeeper.snapCount"), Some("5"));
}

#[test]
fn observer_sync_enabled_system_property_overrides() {
    let d = TempDir::new();
    let c = parse_with(
        &d,
        &format!("{}\nclientPort=2181\nsyncEnabled=true\n", d.data_dir_line()),
        &cli(&["-Dzookeeper.observer.syncEnabled=false"]),
    );
    assert!(!c.sync_enabled);
}

#[test]
fn fsync_threshold_falls_back_to_unprefixed_flag() {
    let d = TempDir::new();
    let c = parse_with(
        &d,
        &format!("{}\nclientPort=2181\n", d.data_dir_line()),
        &cli(&["-Dfsync.warningthresholdms=5"]),
    );
    assert_eq!(c.fsync_warning_threshold_ms, 5);
}

// ---------------------------------------------------------------------------------------------------
// Debian's sample files
// ---------------------------------------------------------------------------------------------------

#[test]
fn debian_sample_zoo_cfg() {
    let path = testdata("debian-zoo.cfg");
    let c = Config::load(&path, &no_sys()).unwrap_or_else(|e| panic!("{e}"));
    assert!(c.is_standalone());
    assert_eq!(c.tick_time_ms, 2000);
    assert_eq!(c.init_limit_ticks, 10);
    assert_eq!(c.sync_limit_ticks, 5);
    assert_eq!(c.data_dir, PathBuf::from("/tmp/zookeeper"));
    assert_eq!(c.data_log_dir, PathBuf::from("/tmp/zookeeper"));
    assert_eq!(c.client_port, Some(2181));
    assert_eq!(c.client_address, Some(HostPort::new("0.0.0.0", 2181)));
    assert_eq!(
        (c.min_session_timeout_ms, c.max_session_timeout_ms),
        (4000, 40000)
    );
    assert_eq!(c.max_client_cnxns, 60);
    assert_eq!(c.autopurge_snap_retain_count, 3);
    assert_eq!(c.autopurge_purge_interval_hours, 0);
    assert_eq!(c.metrics.class_name, DEFAULT_METRICS_PROVIDER);
    assert_eq!(c.properties.len(), 5);
    assert_eq!(c.properties.entry("dataDir").map(|p| p.line), Some(12));
    let raw = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.initial_configuration(), raw);
    // Only a possible stray /tmp/zookeeper/myid on this machine could warn.
    assert!(c.warnings.iter().all(|w| w.contains("myid")), "{:?}", c.warnings);
}

#[test]
fn debian_placeholder_myid_is_rejected() {
    let path = testdata("debian-myid");
    assert_eq!(
        read_myid(&path).map_err(|e| e.to_string()),
        Err(format!(
            "{}:1: myid: invalid number \"replace this text with the cluster-unique zookeeper's instance id (1-255)\"",
            path.display()
        ))
    );
}

#[test]
fn debian_sample_properties_files() {
    let read = |name: &str| {
        let bytes = std::fs::read(testdata(name)).unwrap_or_else(|e| panic!("{e}"));
        Properties::parse_latin1(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let p = read("debian-zooinspector-defaultConnectionSettings.cfg");
    assert_eq!(p.get("hosts"), Some("localhost:2181"));
    assert_eq!(p.get("timeout"), Some("5000"));
    assert_eq!(p.get("authScheme"), Some(""));
    assert_eq!(p.get("authData"), Some(""));
    assert_eq!(p.len(), 5);
    let p = read("debian-log4j.properties");
    assert_eq!(p.get("log4j.rootLogger"), Some("${zookeeper.root.logger}"));
    assert_eq!(
        p.get("log4j.appender.TRACEFILE.layout.ConversionPattern"),
        Some("%d{ISO8601} - %-5p [%t:%C{1}@%L][%x] - %m%n")
    );
    assert_eq!(p.get("log4j.appender.ROLLINGFILE.MaxFileSize"), Some("10MB"));
    assert!(!p.contains_key("log4j.appender.ROLLINGFILE.MaxBackupIndex"));
}
