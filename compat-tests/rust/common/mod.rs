//! A minimal raw ZooKeeper client and an in-process server for integration tests.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use jute::proto::*;
use jute::{FrameWriter, Jute, OpCode, Reader, Request};
use rzk::server::{self, ServerOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

pub const DEADLINE: Duration = Duration::from_secs(10);

/// A server on 127.0.0.1:0, stopped when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    pub async fn start(opts: ServerOptions) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(server::serve(listener, opts, async move {
            let _ = rx.await;
        }));
        TestServer {
            addr,
            stop: Some(tx),
            task,
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

pub fn frame(payload: &[u8]) -> Vec<u8> {
    let mut v = (payload.len() as i32).to_be_bytes().to_vec();
    v.extend_from_slice(payload);
    v
}

pub struct Client {
    pub stream: TcpStream,
    buf: BytesMut,
    pub session_id: i64,
    next_xid: i32,
}

impl Client {
    /// A raw connection that has sent nothing yet (no session).
    pub fn wrap(stream: TcpStream) -> Client {
        Client {
            stream,
            buf: BytesMut::new(),
            session_id: 0,
            next_xid: 1,
        }
    }

    pub async fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut c = Client {
            stream,
            buf: BytesMut::new(),
            session_id: 0,
            next_xid: 1,
        };
        let req = ConnectRequest {
            protocol_version: 0,
            last_zxid_seen: 0,
            timeout_ms: 10_000,
            session_id: 0,
            passwd: Bytes::from_static(&[0; 16]),
            read_only: Some(false),
        };
        c.send_record(&req).await;
        let resp = ConnectResponse::from_bytes(c.read_frame().await.expect("connect response")).unwrap();
        assert!(resp.timeout_ms > 0);
        c.session_id = resp.session_id;
        c
    }

    pub async fn send_record(&mut self, r: &impl Jute) {
        let mut out = BytesMut::new();
        let mut w = FrameWriter::begin(&mut out);
        r.encode(w.buf());
        w.finish();
        self.stream.write_all(&out).await.unwrap();
    }

    pub async fn send(&mut self, req: &Request) -> i32 {
        let xid = self.next_xid;
        self.next_xid += 1;
        let mut out = BytesMut::new();
        let mut w = FrameWriter::begin(&mut out);
        RequestHeader { xid, op: req.op() }.encode(w.buf());
        req.encode(w.buf());
        w.finish();
        self.stream.write_all(&out).await.unwrap();
        xid
    }

    /// The next frame, or `None` when the server closed the connection.
    pub async fn read_frame(&mut self) -> Option<Bytes> {
        tokio::time::timeout(DEADLINE, async {
            loop {
                if let Ok(Some(f)) = jute::decode_frame(&mut self.buf, usize::MAX >> 1) {
                    return Some(f);
                }
                match self.stream.read_buf(&mut self.buf).await {
                    Ok(0) | Err(_) => return None,
                    Ok(_) => {}
                }
            }
        })
        .await
        .expect("no frame within the deadline")
    }

    /// The reply to `xid` (skipping notifications).
    pub async fn reply(&mut self, xid: i32) -> (ReplyHeader, Bytes) {
        loop {
            let f = self
                .read_frame()
                .await
                .expect("connection closed before the reply");
            let mut r = Reader::new(f);
            let h = ReplyHeader::decode(&mut r).unwrap();
            if h.xid == xid {
                return (h, r.take_rest());
            }
        }
    }

    pub async fn call(&mut self, req: &Request) -> (ReplyHeader, Bytes) {
        let xid = self.send(req).await;
        self.reply(xid).await
    }

    /// Whether the server closes the connection (EOF) within the deadline.
    pub async fn closed_by_server(&mut self) -> bool {
        while let Some(_f) = self.read_frame().await {}
        true
    }
}

pub fn create(path: &str, data: &[u8]) -> Request {
    Request::Create(CreateRequest {
        path: path.into(),
        data: Some(Bytes::copy_from_slice(data)),
        acl: Some(jute::Acl::open_unsafe()),
        flags: 0,
    })
}

pub fn get_data(path: &str) -> Request {
    Request::GetData(PathWatchRequest {
        path: path.into(),
        watch: false,
    })
}

pub fn op(req: &Request) -> OpCode {
    req.op()
}
