//! The `rzk` command: the server (`rzk server zoo.cfg`, or `rzk zoo.cfg` as zkServer.sh calls it).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use rzk::config::{Config, SystemProps};
use rzk::server::{self, options};

#[derive(Parser)]
#[command(
    name = "rzk",
    version,
    about = "A drop-in replacement for Apache ZooKeeper",
    long_about = "rzk serves ZooKeeper clients from the same zoo.cfg, data directory and -D system \
                  properties as Apache ZooKeeper.\n\nSystem properties are read from $SERVER_JVMFLAGS, then \
                  $JVMFLAGS, then -D options on the command line (later wins), with ZooKeeper's \
                  names: e.g. -Djute.maxbuffer=4194304 -Dzookeeper.extendedTypesEnabled=true."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// zoo.cfg to serve (same as `rzk server <CONFIG>`).
    config: Option<PathBuf>,
    /// A system property, as a JVM -D option (repeatable).
    #[arg(short = 'D', value_name = "NAME=VALUE", global = true)]
    define: Vec<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve clients with the given zoo.cfg.
    Server {
        /// Path to zoo.cfg.
        config: PathBuf,
    },
    /// Parse and validate a zoo.cfg, print the warnings, and exit.
    CheckConfig { config: PathBuf },
    /// Print a txn log file (like zkTxnLogToolkit.sh); with --verify, exit 1 on a checksum error.
    LogDump {
        file: PathBuf,
        #[arg(long)]
        verify: bool,
    },
    /// Print a snapshot file (like zkSnapShotToolkit.sh), or JSON with --json.
    SnapDump {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Load generator: one JSON line of throughput, latency percentiles and server CPU/RSS.
    Bench(rzk::bench::BenchArgs),
    /// Delete old snapshots and logs, keeping the newest COUNT (>= 3) snapshots (like zkCleanup.sh).
    Purge {
        /// dataDir (snapshots; the parent of version-2).
        data_dir: PathBuf,
        /// dataLogDir (logs), when separate.
        data_log_dir: Option<PathBuf>,
        #[arg(short = 'n', long = "count", default_value_t = 3)]
        count: usize,
    },
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RZK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .init();
}

fn load(path: &Path, defines: &[String]) -> anyhow::Result<Config> {
    let args: Vec<String> = defines.iter().map(|d| format!("-D{d}")).collect();
    let sys = SystemProps::from_process_env(&args);
    for w in sys.warnings() {
        tracing::warn!("{w}");
    }
    let cfg = Config::load(path, &sys).map_err(|e| anyhow::anyhow!("{e}"))?;
    for w in &cfg.warnings {
        tracing::warn!("{w}");
    }
    Ok(cfg)
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

fn main() -> anyhow::Result<()> {
    init_logging();
    let cli = Cli::parse();
    let (path, check_only) = match (cli.command, cli.config) {
        (Some(Command::Server { config }), _) => (config, false),
        (Some(Command::CheckConfig { config }), _) => (config, true),
        (Some(Command::LogDump { file, verify }), _) => {
            let mut out = String::new();
            let bad = rzk::tools::log_dump(&file, &mut out).with_context(|| file.display().to_string())?;
            print!("{out}");
            if verify && bad > 0 {
                bail!("{}: {bad} bad records", file.display());
            }
            return Ok(());
        }
        (Some(Command::SnapDump { file, json }), _) => {
            let mut out = String::new();
            rzk::tools::snap_dump(&file, json, &mut out)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            print!("{out}");
            return Ok(());
        }
        (
            Some(Command::Purge {
                data_dir,
                data_log_dir,
                count,
            }),
            _,
        ) => {
            let log_dir = data_log_dir.unwrap_or_else(|| data_dir.clone());
            if count < 3 {
                bail!("count must be at least 3 (ZooKeeper keeps at least 3 snapshots)");
            }
            let p =
                rzk::storage::purge::purge(&data_dir.join("version-2"), &log_dir.join("version-2"), count)?;
            for f in p.snapshots.iter().chain(&p.logs) {
                println!("Removing file: {}", f.display());
            }
            return Ok(());
        }
        (Some(Command::Bench(args)), _) => {
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let doc = rt
                .block_on(rzk::bench::run(args))
                .map_err(|e| anyhow::anyhow!(e))?;
            println!("{doc}");
            return Ok(());
        }
        (None, Some(config)) => (config, false),
        (None, None) => bail!("no zoo.cfg given; see `rzk --help`"),
    };
    let cfg = load(&path, &cli.define)?;
    if check_only {
        println!(
            "{}: ok ({} mode)",
            path.display(),
            if cfg.is_standalone() {
                "standalone"
            } else {
                "quorum"
            }
        );
        return Ok(());
    }
    if !cfg.is_standalone() {
        bail!(
            "{}: quorum mode (server.N lines) is not implemented yet; run a single server",
            path.display()
        );
    }
    let addr = options::client_bind_addr(&cfg).context("no clientPort in the configuration")?;
    let opts = options::server_options(&cfg);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        server::serve(listener, opts, shutdown_signal()).await?;
        Ok(())
    })
}
