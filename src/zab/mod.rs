//! ZAB: leader election and (to come) discovery, synchronisation and broadcast, as sans-IO state machines
//! that are byte-compatible with Java ZooKeeper 3.8 peers.
//!
//! * [`quorum`]: quorum verifiers (majority, hierarchical groups and weights).
//! * [`election`]: fast leader election; the tokio shell that carries its notifications is
//!   `net::election`.

pub mod election;
pub mod quorum;

#[cfg(test)]
mod sim;

pub use election::{Action, Elected, ElectedVia, Election, ElectionConfig, Vote};
pub use quorum::{QuorumVerifier, Sid};
