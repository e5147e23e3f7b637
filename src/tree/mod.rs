//! The data tree.

pub mod acl_cache;
pub mod datatree;
pub mod digest;
pub mod ephemeral;
pub mod path;
pub mod quota;

pub use datatree::{ApplyResult, Change, DataTree, Node, TreeOptions};
