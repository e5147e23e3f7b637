#![no_main]
//! Quorum packets, learner info, election handshakes and notifications.
use bytes::Bytes;
use jute::quorum::{InitialMessage, LearnerInfo, Notification, QuorumAuthPacket, QuorumPacket};
use jute::{Jute, Reader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let bytes = Bytes::copy_from_slice(data);
    let mut r = Reader::new(bytes.clone());
    while let Ok(p) = QuorumPacket::decode(&mut r) {
        let _ = p.to_bytes();
    }
    let _ = LearnerInfo::from_bytes(bytes.clone());
    let _ = InitialMessage::decode(&mut Reader::new(bytes.clone()));
    let _ = QuorumAuthPacket::decode(&mut Reader::new(bytes.clone()));
    if let Ok(n) = Notification::from_bytes(bytes) {
        assert_eq!(Notification::from_bytes(n.to_bytes()).expect("round trip"), n);
    }
});
