//! Sessions: ids, passwords, expiry.

pub mod id;
pub mod password;
pub mod tracker;
