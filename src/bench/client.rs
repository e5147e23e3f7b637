//! A pipelining ZooKeeper client for load generation: one connection, up to D requests in flight, replies
//! matched by xid (replies come back in order on a connection).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use jute::proto::{ConnectRequest, ConnectResponse, ReplyHeader, RequestHeader, WatcherEvent};
use jute::{decode_frame, FrameWriter, Jute, Reader, Request};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct BenchClient {
    stream: TcpStream,
    rbuf: BytesMut,
    wbuf: BytesMut,
    next_xid: i32,
    in_flight: VecDeque<(i32, Instant)>,
    pub session_id: i64,
}

/// What came back for one request.
pub struct Completed {
    pub err: i32,
    pub started: Instant,
    pub body: Bytes,
}

pub enum Incoming {
    Reply(Completed),
    Event(WatcherEvent),
}

impl BenchClient {
    pub async fn connect(addr: SocketAddr, timeout_ms: i32) -> std::io::Result<BenchClient> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let mut c = BenchClient {
            stream,
            rbuf: BytesMut::with_capacity(64 * 1024),
            wbuf: BytesMut::with_capacity(64 * 1024),
            next_xid: 1,
            in_flight: VecDeque::new(),
            session_id: 0,
        };
        let req = ConnectRequest {
            protocol_version: 0,
            last_zxid_seen: 0,
            timeout_ms,
            session_id: 0,
            passwd: Bytes::from_static(&[0; 16]),
            read_only: Some(false),
        };
        let mut w = FrameWriter::begin(&mut c.wbuf);
        req.encode(w.buf());
        w.finish();
        c.flush().await?;
        let f = c.read_frame().await?;
        let resp = ConnectResponse::from_bytes(f).map_err(std::io::Error::other)?;
        if resp.timeout_ms <= 0 {
            return Err(std::io::Error::other("session refused"));
        }
        c.session_id = resp.session_id;
        Ok(c)
    }

    /// Queues a request (sent on the next `flush`).
    pub fn queue(&mut self, req: &Request) {
        let xid = self.next_xid;
        self.next_xid = if self.next_xid == i32::MAX {
            1
        } else {
            self.next_xid + 1
        };
        let mut w = FrameWriter::begin(&mut self.wbuf);
        RequestHeader { xid, op: req.op() }.encode(w.buf());
        req.encode(w.buf());
        w.finish();
        self.in_flight.push_back((xid, Instant::now()));
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    pub async fn flush(&mut self) -> std::io::Result<()> {
        if !self.wbuf.is_empty() {
            self.stream.write_all(&self.wbuf).await?;
            self.wbuf.clear();
        }
        Ok(())
    }

    async fn read_frame(&mut self) -> std::io::Result<Bytes> {
        loop {
            if let Some(f) = decode_frame(&mut self.rbuf, 64 << 20).map_err(std::io::Error::other)? {
                return Ok(f);
            }
            if self.stream.read_buf(&mut self.rbuf).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// The next reply or watch event.
    pub async fn next(&mut self) -> std::io::Result<Incoming> {
        let f = self.read_frame().await?;
        let mut r = Reader::new(f);
        let h = ReplyHeader::decode(&mut r).map_err(std::io::Error::other)?;
        if h.xid == -1 {
            return Ok(Incoming::Event(
                WatcherEvent::decode(&mut r).map_err(std::io::Error::other)?,
            ));
        }
        let (xid, started) = self
            .in_flight
            .pop_front()
            .ok_or_else(|| std::io::Error::other("unexpected reply"))?;
        if xid != h.xid {
            return Err(std::io::Error::other(format!(
                "reply for xid {} while waiting for {xid}",
                h.xid
            )));
        }
        Ok(Incoming::Reply(Completed {
            err: h.err.raw(),
            started,
            body: r.take_rest(),
        }))
    }

    pub async fn close(mut self) {
        self.queue(&Request::CloseSession);
        let _ = self.flush().await;
        let _ = self.next().await;
    }
}
