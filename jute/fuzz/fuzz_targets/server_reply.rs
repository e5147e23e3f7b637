#![no_main]
//! Server frames: ReplyHeader + the response body of every opcode, and watch events.
use bytes::Bytes;
use jute::proto::{ConnectResponse, ReplyHeader, WatcherEvent};
use jute::{Jute, OpCode, Reader, Response};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let bytes = Bytes::copy_from_slice(data);
    let _ = ConnectResponse::from_bytes(bytes.clone());
    let mut r = Reader::new(bytes);
    if ReplyHeader::decode(&mut r).is_ok() {
        let _ = WatcherEvent::decode(&mut r.clone());
        for op in OpCode::ALL {
            let _ = Response::decode(*op, &mut r.clone());
        }
    }
});
