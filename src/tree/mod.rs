//! The data tree.

pub mod digest;
pub mod path;
pub mod quota;
