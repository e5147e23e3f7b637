#![no_main]
//! Framing: arbitrary byte streams split into frames never panic or allocate past the limit.
use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut buf = BytesMut::from(data);
    while let Ok(Some(frame)) = jute::decode_frame(&mut buf, 0xfffff) {
        assert!(frame.len() <= 0xfffff);
    }
});
