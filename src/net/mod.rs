//! Client connections (framing, four-letter-word detection, back-pressure, the writer half) and the
//! election port (`election`).

pub mod conn;
pub mod election;
