//! Sessions: ids, passwords, expiry.
