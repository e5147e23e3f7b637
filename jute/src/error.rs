//! Decoding errors. Encoding is infallible: every record can be written.

/// Why a jute record or frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The input ended inside a record.
    #[error("unexpected end of input: needed {needed} more bytes, {remaining} left")]
    UnexpectedEof { needed: usize, remaining: usize },
    /// A length or count prefix was negative (other than -1 = null).
    #[error("negative length {0}")]
    NegativeLength(i32),
    /// A buffer or string length exceeds the configured limit (jute.maxbuffer + extrasize).
    #[error("length {len} exceeds the limit of {limit} bytes")]
    TooLong { len: usize, limit: usize },
    /// A -1 (null) where the record does not allow one.
    #[error("unexpected null in field {0}")]
    UnexpectedNull(&'static str),
    /// A value that the record's grammar does not allow (an unknown multi op, a bad magic number...).
    #[error("invalid {what}: {value}")]
    Invalid { what: &'static str, value: i64 },
    /// A record was followed by bytes that should not be there.
    #[error("{0} trailing bytes after the record")]
    TrailingBytes(usize),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
