//! Authentication providers and ACL matching.
