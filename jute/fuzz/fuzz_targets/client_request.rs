#![no_main]
//! Client frames: a ConnectRequest, or a RequestHeader and the body of its opcode. Decoding never panics,
//! and what decodes re-encodes to something that decodes to the same request.
use bytes::Bytes;
use jute::proto::{ConnectRequest, RequestHeader};
use jute::{Jute, Reader, Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let bytes = Bytes::copy_from_slice(data);
    let _ = ConnectRequest::from_bytes(bytes.clone());
    let mut r = Reader::new(bytes);
    if let Ok(h) = RequestHeader::decode(&mut r) {
        if let Ok(req) = Request::decode(h.op, &mut r) {
            let again = Request::decode(req.op(), &mut Reader::new(req.to_bytes())).expect("re-decoding");
            assert_eq!(again, req);
        }
    }
});
