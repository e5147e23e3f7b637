//! The AdminServer and Prometheus HTTP endpoints of a running server (127.0.0.1, port 0), compared
//! with what Java ZooKeeper 3.8.0 answered (compat-tests/admin/fixtures).

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use rzk::admin::{AdminServerOptions, BoundAddrs};
use rzk::server::ServerOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("compat-tests/admin/fixtures")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn opts(admin: &str, prometheus: Option<&str>) -> ServerOptions {
    let mut o = ServerOptions::default();
    o.admin.four_letter_whitelist = None;
    o.admin.admin_server = Some(AdminServerOptions {
        address: admin.to_owned(),
        command_url: "/commands".to_owned(),
    });
    o.admin.prometheus = prometheus.map(str::to_owned);
    o
}

/// Waits (with a deadline) until the server has bound `what`.
async fn bound(b: &BoundAddrs, what: &str) -> SocketAddr {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        if let Some(a) = b.get(what) {
            return a;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what} never bound");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

struct HttpResponse {
    status: u16,
    content_type: Option<String>,
    body: String,
}

async fn http_get(addr: SocketAddr, path: &str) -> HttpResponse {
    http_request(addr, "GET", path).await
}

async fn http_request(addr: SocketAddr, method: &str, path: &str) -> HttpResponse {
    let fut = async {
        let mut s = TcpStream::connect(addr).await.unwrap();
        let req = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).await.unwrap();
        let text = String::from_utf8(raw).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let mut lines = head.lines();
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let content_type = lines
            .filter_map(|l| l.split_once(": "))
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.to_owned());
        HttpResponse {
            status,
            content_type,
            body: body.to_owned(),
        }
    };
    tokio::time::timeout(DEADLINE, fut).await.expect("HTTP deadline")
}

async fn four_letter(addr: SocketAddr, word: &[u8]) -> String {
    let fut = async {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(word).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    };
    tokio::time::timeout(DEADLINE, fut).await.expect("4lw deadline")
}

#[tokio::test]
async fn admin_server_answers_like_zookeeper_3_8() {
    let o = opts("127.0.0.1:0", Some("127.0.0.1:0"));
    let b = o.admin.bound.clone();
    let s = TestServer::start(o).await;
    let admin = bound(&b, "admin").await;
    let prom = bound(&b, "prometheus").await;
    let _c = Client::connect(s.addr).await;

    let r = http_get(admin, "/commands/ruok").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type.as_deref(), Some("application/json"));
    assert_eq!(r.body, fixture("ruok.json"));

    let r = http_get(admin, "/commands/no_such_command").await;
    assert_eq!(r.status, 200, "unknown commands are 200 too");
    assert_eq!(r.body, fixture("no_such_command.json"));

    for path in ["/commands", "/commands/"] {
        let r = http_get(admin, path).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.content_type, None, "Java sets no content type on the list");
        assert_eq!(r.body, fixture("root.json"));
    }

    let r = http_get(admin, "/commands/stat").await;
    assert!(r.body.contains("\"command\" : \"stats\""), "{}", r.body);
    assert!(
        r.body.contains("\"num_alive_client_connections\" : 1,"),
        "{}",
        r.body
    );
    assert!(r
        .body
        .contains("\"connections\" : [ {\n    \"remote_socket_address\" : \"127.0.0.1:"));

    let r = http_get(admin, "/commands/set_trace_mask?traceMask=7").await;
    assert!(r.body.starts_with("{\n  \"tracemask\" : 7,"), "{}", r.body);
    assert_eq!(
        four_letter(s.addr, b"gtmk").await,
        "7",
        "one trace mask for both views"
    );

    let r = http_get(admin, "/commands/leader").await;
    assert_eq!(r.body, fixture("leader.json"));

    let r = http_request(admin, "POST", "/commands/ruok").await;
    assert_eq!(r.status, 405, "3.8 answers GET only");
    let r = http_get(admin, "/elsewhere").await;
    assert_eq!(r.status, 404);

    let r = http_get(prom, "/metrics").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.content_type.as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert!(
        r.body
            .contains("# HELP znode_count znode_count\n# TYPE znode_count gauge\nznode_count 5.0\n"),
        "{}",
        r.body
    );
    assert!(r
        .body
        .contains("# TYPE num_alive_connections gauge\nnum_alive_connections 1.0\n"));
    assert!(r.body.contains("# TYPE fsynctime summary\nfsynctime{quantile=\"0.5\",} NaN\nfsynctime_count 0.0\nfsynctime_sum 0.0\n"));
    assert!(r
        .body
        .contains("# TYPE connection_request_count counter\nconnection_request_count 1.0\n"));
    assert!(r.body.contains("# TYPE process_open_fds gauge\n"));
    let r = http_get(prom, "/metrics?name[]=znode_count").await;
    assert_eq!(
        r.body,
        "# HELP znode_count znode_count\n# TYPE znode_count gauge\nznode_count 5.0\n"
    );

    // With the Prometheus provider, mntr lists the provider's samples (as ZooKeeper does).
    let mntr = four_letter(s.addr, b"mntr").await;
    assert!(mntr.contains("zk_znode_count\t5.0\n"), "{mntr}");
    assert!(mntr.contains("zk_fsynctime{quantile=\"0.5\"}\tNaN\n"), "{mntr}");
}

#[tokio::test]
async fn a_taken_admin_port_does_not_stop_the_server() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let o = opts(&format!("127.0.0.1:{port}"), None);
    let b = o.admin.bound.clone();
    let s = TestServer::start(o).await;
    let c = Client::connect(s.addr).await;
    assert!(c.session_id != 0);
    assert_eq!(four_letter(s.addr, b"ruok").await, "imok");
    assert_eq!(b.get("admin"), None);
}
