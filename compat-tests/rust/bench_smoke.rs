//! A short smoke run of every `rzk bench` mode against an in-process server: each completes with
//! operations done and no errors (throughput itself belongs to scripts/bench.sh, not to tests).

mod common;

use common::TestServer;
use rzk::bench::{run, BenchArgs, Mode};
use rzk::server::ServerOptions;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bench_mode_runs_clean() {
    let s = TestServer::start(ServerOptions {
        max_client_cnxns: 0,
        ..ServerOptions::default()
    })
    .await;
    for mode in [
        Mode::Get,
        Mode::Set,
        Mode::Create,
        Mode::Mixed,
        Mode::ConnectStorm,
        Mode::WatchFanout,
        Mode::BigTree,
    ] {
        let args = BenchArgs {
            server: s.addr,
            mode,
            sessions: 8,
            depth: 4,
            duration: 0.3,
            nodes: 2000,
            server_pid: Some(std::process::id()),
            label: "smoke".into(),
        };
        let doc = run(args).await.unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        assert!(doc["ops"].as_u64().unwrap() > 0, "{mode:?}: {doc}");
        assert_eq!(doc["errors"].as_u64(), Some(0), "{mode:?}: {doc}");
        assert!(doc["p50_us"].as_u64().unwrap() > 0, "{mode:?}: {doc}");
        assert!(doc["server_rss_kib"].as_u64().unwrap() > 0, "{mode:?}: {doc}");
    }
}
