//! Bad input gets ZooKeeper's answer — an error code, or a closed connection for a malformed or oversized
//! frame — and never a crash, a hang or unbounded memory; other sessions are unaffected.

mod common;

use common::*;
use jute::proto::RequestHeader;
use jute::{ErrorCode, Jute, OpCode};
use rzk::server::ServerOptions;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

async fn server() -> TestServer {
    TestServer::start(ServerOptions {
        max_client_cnxns: 0,
        ..ServerOptions::default()
    })
    .await
}

/// The server still serves a fresh session correctly.
async fn still_serving(s: &TestServer) {
    let mut c = Client::connect(s.addr).await;
    let path = format!("/alive-{}", c.session_id);
    let (h, _) = c.call(&create(&path, b"x")).await;
    assert_eq!(h.err, ErrorCode::Ok);
    let (h, body) = c.call(&get_data(&path)).await;
    assert_eq!(h.err, ErrorCode::Ok);
    assert!(!body.is_empty());
}

async fn raw(s: &TestServer, bytes: &[u8]) -> Client {
    let mut stream = TcpStream::connect(s.addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    Client::wrap(stream)
}

#[tokio::test]
async fn a_frame_claiming_two_gib_closes_the_connection_without_a_reply() {
    // Ref: NIOServerCnxn.readLength: len < 0 || len > jute.maxbuffer → "Len error", close, no reply.
    let s = server().await;
    let mut c = raw(&s, &[0x7f, 0xff, 0xff, 0xff, 1, 2, 3, 4]).await;
    assert!(c.read_frame().await.is_none(), "closed without any reply");
    let mut c = raw(&s, &[0xff, 0xff, 0xff, 0xfb]).await;
    assert!(c.read_frame().await.is_none());
    // The same after a session is established.
    let mut c = Client::connect(s.addr).await;
    c.stream.write_all(&[0x00, 0x10, 0x00, 0x00]).await.unwrap();
    assert!(
        c.read_frame().await.is_none(),
        "1 MiB frame (over 0xfffff) closes the session's connection"
    );
    still_serving(&s).await;
}

#[tokio::test]
async fn garbage_and_truncated_frames_do_not_hurt_the_server() {
    let s = server().await;
    for garbage in [
        &b"GET / HTTP/1.1\r\n\r\n"[..],
        &[0, 0, 0, 3, 1, 2, 3],
        &[0, 0, 0, 45, 0, 0],
        &[0u8; 3],
    ] {
        let mut c = raw(&s, garbage).await;
        drop(c.stream.shutdown().await);
        let _ = c.read_frame().await;
    }
    still_serving(&s).await;
}

#[tokio::test]
async fn an_unknown_opcode_is_unimplemented_and_closes() {
    // Ref: reference §1.17 [LIVE op 99]: reply (xid, zxid -1, -6), then close.
    let s = server().await;
    let mut c = Client::connect(s.addr).await;
    let mut payload = Vec::new();
    let mut b = bytes::BytesMut::new();
    RequestHeader {
        xid: 7,
        op: OpCode::from_raw(99),
    }
    .encode(&mut b);
    payload.extend_from_slice(&b);
    c.stream.write_all(&frame(&payload)).await.unwrap();
    let (h, body) = c.reply(7).await;
    assert_eq!((h.zxid, h.err), (-1, ErrorCode::Unimplemented));
    assert!(body.is_empty());
    assert!(c.read_frame().await.is_none(), "then closed");
    still_serving(&s).await;
}

#[tokio::test]
async fn a_request_instead_of_a_connect_request_is_refused() {
    let s = server().await;
    // A getData frame as the very first frame: not a valid ConnectRequest.
    let mut b = bytes::BytesMut::new();
    RequestHeader {
        xid: 1,
        op: OpCode::GetData,
    }
    .encode(&mut b);
    let mut c = raw(&s, &frame(&b)).await;
    assert!(c.read_frame().await.is_none());
    still_serving(&s).await;
}

#[tokio::test]
async fn a_thousand_abrupt_disconnects_mid_request() {
    let s = server().await;
    let mut setup = Client::connect(s.addr).await;
    let (h, _) = setup.call(&create("/big", &vec![7u8; 100_000])).await;
    assert_eq!(h.err, ErrorCode::Ok);
    for i in 0..1000 {
        let mut c = Client::connect(s.addr).await;
        if i % 2 == 0 {
            // A request whose reply is never read.
            c.send(&get_data("/big")).await;
        } else {
            // Half a frame.
            c.stream.write_all(&[0, 0, 0, 100, 0, 0, 0]).await.unwrap();
        }
        drop(c);
    }
    still_serving(&s).await;
}

#[tokio::test]
async fn a_client_that_never_reads_is_paused_not_buffered_without_bound() {
    let s = server().await;
    let mut setup = Client::connect(s.addr).await;
    let (h, _) = setup.call(&create("/blob", &vec![1u8; 1_000_000])).await;
    assert_eq!(h.err, ErrorCode::Ok);
    let rss_before = rss_kib();
    // Up to 200k reads of a 1 MB node = 200 GB of replies if the server buffered them all.
    let mut c = Client::connect(s.addr).await;
    let req = get_data("/blob");
    let writer = tokio::spawn(async move {
        let mut batch = bytes::BytesMut::new();
        for _ in 0..1000 {
            let mut w = jute::FrameWriter::begin(&mut batch);
            RequestHeader {
                xid: 1,
                op: OpCode::GetData,
            }
            .encode(w.buf());
            req.encode(w.buf());
            w.finish();
        }
        for _ in 0..200 {
            if tokio::time::timeout(std::time::Duration::from_millis(500), c.stream.write_all(&batch))
                .await
                .is_err()
            {
                // The server stopped reading from us: back-pressure.
                return true;
            }
        }
        false
    });
    let paused = writer.await.unwrap();
    assert!(
        paused,
        "the server kept reading although its replies were not read"
    );
    still_serving(&s).await;
    let grown_mib = (rss_kib().saturating_sub(rss_before)) / 1024;
    assert!(grown_mib < 512, "memory grew by {grown_mib} MiB");
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
