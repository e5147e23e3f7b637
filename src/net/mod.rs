//! Client connections: framing, four-letter-word detection, back-pressure, and the writer half.

pub mod conn;
pub mod election;
