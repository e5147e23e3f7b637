//! The server: the sans-IO `core` and the tokio shell that runs it.

pub mod core;
