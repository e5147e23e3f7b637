//! rzk: a drop-in replacement for Apache ZooKeeper.
//!
//! Layout (see README.md): `config` reads zoo.cfg and `-D` system properties; `auth`, `tree`, `session`,
//! `watch` and `request` are sans-IO state machines; `net` and `server` are the tokio shells around them.

pub mod admin;
pub mod auth;
pub mod bench;
pub mod config;
pub mod net;
pub mod request;
pub mod server;
pub mod session;
pub mod storage;
pub mod tools;
pub mod tree;
pub mod watch;
pub mod zab;
