//! One client connection, as two tasks: the reader turns frames into core events, the writer drains the
//! connection's outgoing queue into the socket.
//!
//! Limits: a frame longer than `jute.maxbuffer` (or negative) closes the connection without a reply, as
//! ZooKeeper does ("Len error"). The reader stops reading while the connection has too many requests
//! without a reply or too many bytes queued for a client that does not read (back-pressure, never
//! unbounded memory); a connection whose queue passes a hard byte limit is closed.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::{Buf, Bytes, BytesMut};
use jute::proto::{ConnectRequest, RequestHeader};
use jute::{decode_frame, Jute, Reader};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Notify};

use crate::server::Event;
use crate::watch::ConnId;

/// Connection limits.
#[derive(Debug, Clone)]
pub struct ConnLimits {
    /// jute.maxbuffer: the largest frame accepted.
    pub max_frame: usize,
    /// Requests without a reply before the reader pauses.
    pub max_outstanding: usize,
    /// Bytes queued for the client before the reader pauses.
    pub max_queued_bytes: usize,
    /// Bytes queued for the client before the connection is dropped.
    pub hard_queued_bytes: usize,
}

impl Default for ConnLimits {
    fn default() -> Self {
        Self {
            max_frame: jute::DEFAULT_MAX_BUFFER,
            max_outstanding: 1000,
            max_queued_bytes: 16 << 20,
            hard_queued_bytes: 128 << 20,
        }
    }
}

pub enum WriterMsg {
    Data(Bytes),
    Close,
}

/// The core's handle on a connection.
#[derive(Clone)]
pub struct ConnHandle {
    tx: mpsc::UnboundedSender<WriterMsg>,
    shared: Arc<Shared>,
}

struct Shared {
    outstanding: AtomicUsize,
    queued_bytes: AtomicUsize,
    closed: AtomicBool,
    wake_reader: Notify,
    limits: ConnLimits,
}

impl ConnHandle {
    /// Queues bytes for the client. `is_reply` frames release one outstanding request.
    pub fn send(&self, bytes: Bytes, is_reply: bool) {
        let queued = self.shared.queued_bytes.fetch_add(bytes.len(), Ordering::AcqRel) + bytes.len();
        if is_reply {
            let _ = self
                .shared
                .outstanding
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| Some(n.saturating_sub(1)));
            self.shared.wake_reader.notify_one();
        }
        if queued > self.shared.limits.hard_queued_bytes {
            tracing::warn!("closing a connection whose client does not read ({queued} bytes queued)");
            self.close();
            return;
        }
        let _ = self.tx.send(WriterMsg::Data(bytes));
    }

    pub fn close(&self) {
        self.shared.closed.store(true, Ordering::Release);
        self.shared.wake_reader.notify_one();
        let _ = self.tx.send(WriterMsg::Close);
    }
}

/// Whether a frame is a reply to a request (not a notification): its xid is not -1.
pub fn is_reply(frame: &[u8]) -> bool {
    frame.len() >= 8 && frame[4..8] != [0xff, 0xff, 0xff, 0xff]
}

/// The four-letter words ZooKeeper knows, by their first 4 bytes.
pub fn four_letter_word(first: [u8; 4]) -> Option<&'static str> {
    const WORDS: &[&str] = &[
        "conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "ruok", "stmk", "srst", "srvr", "stat",
        "wchc", "wchp", "wchs", "mntr", "isro", "hash",
    ];
    WORDS.iter().copied().find(|w| w.as_bytes() == first)
}

/// Serves one accepted connection until it closes.
pub async fn serve(
    conn: ConnId,
    stream: TcpStream,
    peer: SocketAddr,
    events: mpsc::Sender<Event>,
    limits: ConnLimits,
) {
    let _ = stream.set_nodelay(true);
    let (rd, wr) = stream.into_split();
    let (tx, rx) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        outstanding: AtomicUsize::new(0),
        queued_bytes: AtomicUsize::new(0),
        closed: AtomicBool::new(false),
        wake_reader: Notify::new(),
        limits: limits.clone(),
    });
    let handle = ConnHandle {
        tx,
        shared: shared.clone(),
    };
    let writer = tokio::spawn(write_loop(wr, rx, shared.clone()));
    let reader_result = read_loop(conn, rd, peer, &events, handle, &shared).await;
    if let Err(e) = reader_result {
        tracing::debug!("connection {peer}: {e}");
    }
    // The writer ends on Close or when every sender is gone.
    shared.closed.store(true, Ordering::Release);
    let _ = events.send(Event::Closed { conn }).await;
    let _ = writer.await;
}

async fn write_loop(mut wr: OwnedWriteHalf, mut rx: mpsc::UnboundedReceiver<WriterMsg>, shared: Arc<Shared>) {
    let mut buf = BytesMut::new();
    'outer: while let Some(msg) = rx.recv().await {
        let mut close = false;
        match msg {
            WriterMsg::Data(b) => buf.extend_from_slice(&b),
            WriterMsg::Close => close = true,
        }
        // Batch whatever else is ready.
        while !close && buf.len() < 256 * 1024 {
            match rx.try_recv() {
                Ok(WriterMsg::Data(b)) => buf.extend_from_slice(&b),
                Ok(WriterMsg::Close) => close = true,
                Err(_) => break,
            }
        }
        let n = buf.len();
        if n > 0 {
            if wr.write_all(&buf).await.is_err() {
                break 'outer;
            }
            buf.clear();
            shared.queued_bytes.fetch_sub(n, Ordering::AcqRel);
            shared.wake_reader.notify_one();
        }
        if close {
            break;
        }
    }
    let _ = wr.shutdown().await;
    shared.closed.store(true, Ordering::Release);
    shared.wake_reader.notify_one();
}

#[derive(Debug, thiserror::Error)]
enum ConnError {
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Frame(#[from] jute::FrameError),
    #[error("malformed frame: {0}")]
    Decode(#[from] jute::Error),
    #[error("closed")]
    Closed,
}

async fn read_loop(
    conn: ConnId,
    mut rd: OwnedReadHalf,
    peer: SocketAddr,
    events: &mpsc::Sender<Event>,
    handle: ConnHandle,
    shared: &Shared,
) -> Result<(), ConnError> {
    let limits = &shared.limits;
    let mut buf = BytesMut::with_capacity(4096);
    // Four-letter words are recognised from the first 4 bytes of a fresh connection.
    while buf.len() < 4 {
        if rd.read_buf(&mut buf).await? == 0 {
            return Ok(());
        }
    }
    let first = [buf[0], buf[1], buf[2], buf[3]];
    if let Some(word) = four_letter_word(first) {
        let mut arg = None;
        if word == "stmk" {
            while buf.len() < 12 {
                if rd.read_buf(&mut buf).await? == 0 {
                    return Ok(());
                }
            }
            arg = Some((&buf[4..12]).get_i64());
        }
        let _ = events
            .send(Event::FourLetter {
                conn,
                word,
                arg,
                peer,
                handle,
            })
            .await;
        return Ok(());
    }
    let _ = events.send(Event::Accept { conn, peer, handle }).await;
    let mut connected = false;
    loop {
        while let Some(frame) = decode_frame(&mut buf, limits.max_frame)? {
            if shared.closed.load(Ordering::Acquire) {
                return Err(ConnError::Closed);
            }
            shared.outstanding.fetch_add(1, Ordering::AcqRel);
            let event = if !connected {
                connected = true;
                let req = ConnectRequest::decode(&mut Reader::with_limit(frame, limits.max_frame))?;
                Event::Connect { conn, req }
            } else {
                let mut r = Reader::with_limit(frame, limits.max_frame);
                let h = RequestHeader::decode(&mut r)?;
                Event::Packet {
                    conn,
                    xid: h.xid,
                    op: h.op,
                    body: r.take_rest(),
                }
            };
            if events.send(event).await.is_err() {
                return Err(ConnError::Closed);
            }
        }
        // Back-pressure: wait while too much is in flight for this connection.
        loop {
            if shared.closed.load(Ordering::Acquire) {
                return Err(ConnError::Closed);
            }
            let busy = shared.outstanding.load(Ordering::Acquire) >= limits.max_outstanding
                || shared.queued_bytes.load(Ordering::Acquire) >= limits.max_queued_bytes;
            if !busy {
                break;
            }
            let notified = shared.wake_reader.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let busy = shared.outstanding.load(Ordering::Acquire) >= limits.max_outstanding
                || shared.queued_bytes.load(Ordering::Acquire) >= limits.max_queued_bytes;
            if !busy || shared.closed.load(Ordering::Acquire) {
                continue;
            }
            notified.await;
        }
        // read_buf is cancel-safe: a wake-up (reply sent, close requested) loses no input.
        tokio::select! {
            r = rd.read_buf(&mut buf) => {
                if r? == 0 {
                    return Ok(());
                }
            }
            _ = shared.wake_reader.notified() => {}
        }
    }
}
