#![no_main]
//! Txn log records and snapshot records.
use bytes::Bytes;
use jute::snapshot::{SnapAclEntry, SnapNode, ZxidDigest};
use jute::txn::TxnEntry;
use jute::{Jute, Reader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let bytes = Bytes::copy_from_slice(data);
    if let Ok(e) = TxnEntry::from_bytes(bytes.clone()) {
        // Anything accepted must survive a round trip.
        let again = TxnEntry::from_bytes(e.to_bytes()).expect("re-decoding an encoded txn");
        assert_eq!(again, e);
    }
    let _ = SnapNode::decode(&mut Reader::new(bytes.clone()));
    let _ = SnapAclEntry::decode(&mut Reader::new(bytes.clone()));
    let _ = ZxidDigest::decode(&mut Reader::new(bytes));
});
