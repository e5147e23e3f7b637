//! Configuration errors. Every message names the file (or flag source), the line when known, and the key:
//! `zoo.cfg:12: tickTime: invalid number "abc"`.

use std::fmt;
use std::path::PathBuf;

/// Where a setting came from: `file:line: key`, or `file: key` when there is no line (a missing key, a
/// `-D` flag whose "file" is `SERVER_JVMFLAGS`, `JVMFLAGS` or `command line`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: Option<usize>,
    pub key: String,
}

impl Location {
    pub fn new(file: impl Into<String>, line: Option<usize>, key: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            line,
            key: key.into(),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.key),
            None => write!(f, "{}: {}", self.file, self.key),
        }
    }
}

/// A fatal configuration problem (ZooKeeper refuses to start on the same conditions).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The `.properties` syntax is broken (only a bad `\uXXXX` escape can do that).
    #[error("{file}:{line}: {message}")]
    Syntax {
        file: String,
        line: usize,
        message: String,
    },
    /// A number was expected.
    #[error("{at}: invalid number \"{value}\"")]
    InvalidNumber { at: Location, value: String },
    /// `true` or `false` was expected.
    #[error("{at}: invalid boolean \"{value}\" (expected true or false)")]
    InvalidBoolean { at: Location, value: String },
    /// The value is well-formed but not acceptable.
    #[error("{at}: {message}")]
    InvalidValue { at: Location, message: String },
    /// A required setting is absent.
    #[error("{at}: {message}")]
    Missing { at: Location, message: String },
    /// Two settings contradict each other.
    #[error("{at}: {message}")]
    Conflict { at: Location, message: String },
}

impl ConfigError {
    pub(crate) fn number(at: Location, value: &str) -> Self {
        ConfigError::InvalidNumber {
            at,
            value: value.to_string(),
        }
    }

    pub(crate) fn invalid(at: Location, message: impl Into<String>) -> Self {
        ConfigError::InvalidValue {
            at,
            message: message.into(),
        }
    }

    pub(crate) fn missing(at: Location, message: impl Into<String>) -> Self {
        ConfigError::Missing {
            at,
            message: message.into(),
        }
    }

    pub(crate) fn conflict(at: Location, message: impl Into<String>) -> Self {
        ConfigError::Conflict {
            at,
            message: message.into(),
        }
    }

    /// The location the error points at, when it has one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            ConfigError::InvalidNumber { at, .. }
            | ConfigError::InvalidBoolean { at, .. }
            | ConfigError::InvalidValue { at, .. }
            | ConfigError::Missing { at, .. }
            | ConfigError::Conflict { at, .. } => Some(at),
            ConfigError::Read { .. } | ConfigError::Syntax { .. } => None,
        }
    }
}
