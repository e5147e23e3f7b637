//! Znode path rules.
//!
//! Ref: `org.apache.zookeeper.common.PathUtils.validatePath` (branch-3.8). A path is valid when
//! it is non-empty, starts with `/`, is `/` itself or does not end with `/`, and, scanning the
//! characters after the leading `/`, contains no NUL, no empty component (`//`), no `.` or `..`
//! component, and no character in U+0001–U+001F, U+007F–U+009F, U+D800–U+F8FF (surrogates and
//! the private-use area) or U+FFF0–U+FFFF. Java scans UTF-16 code units, so every character
//! outside the Basic Multilingual Plane (a surrogate pair in Java) is rejected too, and so is
//! U+FFFD, which is what Java's UTF-8 decoder makes of malformed input. Positions reported in
//! errors are UTF-16 indices, as in Java's messages.
//!
//! A sequential create validates the requested path with a `1` appended
//! (`validatePath(path, true)`), so `/a/` is an acceptable sequential prefix.
//!
//! Also: parent/basename helpers (`DataTree` splits on the last `/`) and the special nodes that
//! exist in every tree (`ZooDefs` / `Quotas` constants).

use std::fmt;

/// The root node.
pub const ROOT: &str = "/";
/// The ZooKeeper system node (`Quotas.procZookeeper`).
pub const ZOOKEEPER: &str = "/zookeeper";
/// The quota subtree (`Quotas.quotaZookeeper`).
pub const ZOOKEEPER_QUOTA: &str = "/zookeeper/quota";
/// The dynamic configuration node (`ZooDefs.CONFIG_NODE`).
pub const ZOOKEEPER_CONFIG: &str = "/zookeeper/config";
/// Prefix of everything below `/zookeeper` (`ZooDefs.ZOOKEEPER_NODE_SUBTREE`).
pub const ZOOKEEPER_SUBTREE: &str = "/zookeeper/";

/// Why a path is invalid. `Display` gives Java's `IllegalArgumentException` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// The path is empty ("Path length must be > 0").
    Empty,
    /// The path does not start with `/`.
    NotAbsolute,
    /// The path is longer than `/` and ends with `/`.
    TrailingSlash,
    /// A character or component is not allowed; `index` is the UTF-16 offset Java reports.
    Invalid {
        path: String,
        index: usize,
        reason: InvalidReason,
    },
}

/// The specific rule an [`PathError::Invalid`] path broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidReason {
    /// U+0000.
    NullCharacter,
    /// Two consecutive `/`.
    EmptyNodeName,
    /// A `.` or `..` component.
    RelativePath,
    /// A control, surrogate, private-use or U+FFF0–U+FFFF character.
    InvalidCharacter,
}

impl InvalidReason {
    fn text(self) -> &'static str {
        match self {
            InvalidReason::NullCharacter => "null character not allowed",
            InvalidReason::EmptyNodeName => "empty node name specified",
            InvalidReason::RelativePath => "relative paths not allowed",
            InvalidReason::InvalidCharacter => "invalid character",
        }
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathError::Empty => f.write_str("Path length must be > 0"),
            PathError::NotAbsolute => f.write_str("Path must start with / character"),
            PathError::TrailingSlash => f.write_str("Path must not end with / character"),
            PathError::Invalid { path, index, reason } => write!(
                f,
                "Invalid path string \"{path}\" caused by {} @{index}",
                reason.text()
            ),
        }
    }
}

impl std::error::Error for PathError {}

/// True for the characters PathUtils rejects by range (NUL is reported separately).
/// Characters above U+FFFF are surrogate pairs in Java and fall in U+D800–U+DFFF.
fn is_forbidden_char(c: char) -> bool {
    matches!(c,
        '\u{0001}'..='\u{001F}'
        | '\u{007F}'..='\u{009F}'
        | '\u{E000}'..='\u{F8FF}'
        | '\u{FFF0}'..='\u{FFFF}'
    ) || u32::from(c) > 0xFFFF
}

/// Validates a znode path exactly as `PathUtils.validatePath(String)`.
pub fn validate_path(path: &str) -> Result<(), PathError> {
    if path.is_empty() {
        return Err(PathError::Empty);
    }
    if !path.starts_with('/') {
        return Err(PathError::NotAbsolute);
    }
    if path.len() == 1 {
        return Ok(());
    }
    if path.ends_with('/') {
        return Err(PathError::TrailingSlash);
    }

    let bytes = path.as_bytes();
    // Byte offsets of the character before and after the current one are enough for the
    // `.`/`..` checks because `/` and `.` are ASCII.
    let mut utf16_index = 0usize;
    let mut last = '/';
    for (byte_index, c) in path.char_indices() {
        if byte_index == 0 {
            // The leading '/', already checked.
            utf16_index += 1;
            continue;
        }
        let next_is_end_or_slash = bytes.get(byte_index + c.len_utf8()).map_or(true, |&b| b == b'/');
        let reason = if c == '\0' {
            Some(InvalidReason::NullCharacter)
        } else if c == '/' && last == '/' {
            Some(InvalidReason::EmptyNodeName)
        } else if c == '.' && last == '.' {
            // `..` component: the character before the first dot is '/', and the component
            // ends here.
            let before_first_dot = byte_index.checked_sub(2).map(|i| bytes[i]);
            (before_first_dot == Some(b'/') && next_is_end_or_slash).then_some(InvalidReason::RelativePath)
        } else if c == '.' {
            (last == '/' && next_is_end_or_slash).then_some(InvalidReason::RelativePath)
        } else if is_forbidden_char(c) {
            Some(InvalidReason::InvalidCharacter)
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(PathError::Invalid {
                path: path.to_owned(),
                index: utf16_index,
                reason,
            });
        }
        last = c;
        utf16_index += c.len_utf16();
    }
    Ok(())
}

/// `PathUtils.validatePath(path, isSequential)`: a sequential create validates `path + "1"`
/// (the server validates again after appending the real 10-digit suffix).
pub fn validate_path_with_sequential(path: &str, is_sequential: bool) -> Result<(), PathError> {
    if is_sequential {
        let mut with_suffix = String::with_capacity(path.len() + 1);
        with_suffix.push_str(path);
        with_suffix.push('1');
        validate_path(&with_suffix)
    } else {
        validate_path(path)
    }
}

/// Validates a path received as raw bytes: Java decodes them as UTF-8, replacing malformed
/// sequences with U+FFFD, which the range check then rejects.
pub fn validate_path_bytes(path: &[u8]) -> Result<(), PathError> {
    validate_path(&crate::auth::javacompat::utf8_lossy(path))
}

/// Parent of `path`: everything before the last `/`, or `/` for a top-level node (and for `/`
/// itself). Expects a validated absolute path.
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => ROOT,
        Some(i) => &path[..i],
    }
}

/// Last component of `path` (empty for `/`). Expects a validated absolute path.
pub fn basename(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// Splits a validated path into `(parent, basename)`.
pub fn split(path: &str) -> (&str, &str) {
    (parent(path), basename(path))
}

/// `/`.
pub fn is_root(path: &str) -> bool {
    path == ROOT
}

/// `/zookeeper`, `/zookeeper/quota` or `/zookeeper/config` (nodes created at startup and never
/// by a transaction), or the root.
pub fn is_special_node(path: &str) -> bool {
    matches!(path, ROOT | ZOOKEEPER | ZOOKEEPER_QUOTA | ZOOKEEPER_CONFIG)
}

/// Whether `path` is `/zookeeper` or lies below it.
pub fn is_zookeeper_subtree(path: &str) -> bool {
    path == ZOOKEEPER || path.starts_with(ZOOKEEPER_SUBTREE)
}

/// Whether `path` is the quota subtree root or lies below it.
pub fn is_quota_subtree(path: &str) -> bool {
    path == ZOOKEEPER_QUOTA
        || path
            .strip_prefix(ZOOKEEPER_QUOTA)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// `/zookeeper/config`.
pub fn is_config_node(path: &str) -> bool {
    path == ZOOKEEPER_CONFIG
}

/// Joins a validated parent path and a child name.
pub fn join(parent: &str, child: &str) -> String {
    if parent == ROOT {
        format!("/{child}")
    } else {
        format!("{parent}/{child}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Verified against `PathUtils.validatePath` from zookeeper-3.8.0.jar on OpenJDK 17: `None` =
    /// valid, otherwise Java's exact message.
    const JAVA_CASES: &[(&str, Option<&str>)] = &[
        ("/", None),
        ("", Some("Path length must be > 0")),
        ("a", Some("Path must start with / character")),
        ("/a", None),
        ("/a/", Some("Path must not end with / character")),
        ("//", Some("Path must not end with / character")),
        (
            "/a//b",
            Some("Invalid path string \"/a//b\" caused by empty node name specified @3"),
        ),
        (
            "/.",
            Some("Invalid path string \"/.\" caused by relative paths not allowed @1"),
        ),
        (
            "/..",
            Some("Invalid path string \"/..\" caused by relative paths not allowed @2"),
        ),
        (
            "/a/.",
            Some("Invalid path string \"/a/.\" caused by relative paths not allowed @3"),
        ),
        (
            "/a/..",
            Some("Invalid path string \"/a/..\" caused by relative paths not allowed @4"),
        ),
        (
            "/a/./b",
            Some("Invalid path string \"/a/./b\" caused by relative paths not allowed @3"),
        ),
        (
            "/a/../b",
            Some("Invalid path string \"/a/../b\" caused by relative paths not allowed @4"),
        ),
        ("/...", None),
        ("/.a", None),
        ("/a.", None),
        ("/a..", None),
        ("/..a", None),
        ("/a/.b/c", None),
        (
            "/\u{0}",
            Some("Invalid path string \"/\u{0}\" caused by null character not allowed @1"),
        ),
        (
            "/a\u{0}b",
            Some("Invalid path string \"/a\u{0}b\" caused by null character not allowed @2"),
        ),
        (
            "/a\u{1}",
            Some("Invalid path string \"/a\u{1}\" caused by invalid character @2"),
        ),
        (
            "/a\u{1f}",
            Some("Invalid path string \"/a\u{1f}\" caused by invalid character @2"),
        ),
        (
            "/a\u{7f}",
            Some("Invalid path string \"/a\u{7f}\" caused by invalid character @2"),
        ),
        (
            "/a\u{9f}",
            Some("Invalid path string \"/a\u{9f}\" caused by invalid character @2"),
        ),
        ("/a\u{a0}", None),
        ("/a\u{d7ff}", None),
        (
            "/a\u{e000}",
            Some("Invalid path string \"/a\u{e000}\" caused by invalid character @2"),
        ),
        (
            "/a\u{f8ff}",
            Some("Invalid path string \"/a\u{f8ff}\" caused by invalid character @2"),
        ),
        ("/a\u{f900}", None),
        ("/a\u{ffef}", None),
        (
            "/a\u{fff0}",
            Some("Invalid path string \"/a\u{fff0}\" caused by invalid character @2"),
        ),
        (
            "/a\u{fffd}",
            Some("Invalid path string \"/a\u{fffd}\" caused by invalid character @2"),
        ),
        (
            "/a\u{ffff}",
            Some("Invalid path string \"/a\u{ffff}\" caused by invalid character @2"),
        ),
        (
            "/a\u{1f600}",
            Some("Invalid path string \"/a\u{1f600}\" caused by invalid character @2"),
        ),
        ("/z\u{fc}rich", None),
        ("/a b", None),
        ("/zookeeper", None),
        ("/a/b/c/d", None),
        (
            "/a/\u{7f}/b",
            Some("Invalid path string \"/a/\u{7f}/b\" caused by invalid character @3"),
        ),
        (
            "/\u{e9}/\u{0}",
            Some("Invalid path string \"/\u{e9}/\u{0}\" caused by null character not allowed @3"),
        ),
    ];

    #[test]
    fn validate_matches_java() {
        for (path, want) in JAVA_CASES {
            let got = validate_path(path).map_err(|e| e.to_string());
            match want {
                None => assert_eq!(got, Ok(()), "{path:?}"),
                Some(msg) => assert_eq!(got, Err((*msg).to_owned()), "{path:?}"),
            }
        }
    }

    #[test]
    fn error_variants() {
        assert_eq!(validate_path(""), Err(PathError::Empty));
        assert_eq!(validate_path("x/y"), Err(PathError::NotAbsolute));
        assert_eq!(validate_path("/x/"), Err(PathError::TrailingSlash));
        assert!(matches!(
            validate_path("/a/.."),
            Err(PathError::Invalid {
                index: 4,
                reason: InvalidReason::RelativePath,
                ..
            })
        ));
    }

    #[test]
    fn utf16_indices_after_astral_text_are_not_reached() {
        // The first astral character is itself the error, at its UTF-16 index.
        let err = validate_path("/\u{e9}\u{1f600}x").unwrap_err();
        assert!(matches!(
            err,
            PathError::Invalid {
                index: 2,
                reason: InvalidReason::InvalidCharacter,
                ..
            }
        ));
        // Index counts UTF-16 units: 'é' is one unit, so the NUL is at 3.
        let err = validate_path("/\u{e9}a\u{0}").unwrap_err();
        assert!(matches!(err, PathError::Invalid { index: 3, .. }));
    }

    #[test]
    fn sequential_validation_matches_java() {
        // Verified against PathUtils.validatePath(path, true).
        for path in ["/", "/a/", "/a", "/a/."] {
            assert_eq!(validate_path_with_sequential(path, true), Ok(()), "{path:?}");
        }
        assert!(validate_path_with_sequential("/a/", false).is_err());
        assert!(validate_path_with_sequential("/a/..", true).is_ok());
        assert!(validate_path_with_sequential("/a//", true).is_err());
        assert!(validate_path_with_sequential("", true).is_err());
        assert!(validate_path_with_sequential("a", true).is_err());
    }

    #[test]
    fn bytes_are_decoded_lossily() {
        assert_eq!(validate_path_bytes(b"/a/b"), Ok(()));
        assert!(matches!(
            validate_path_bytes(b"/a\xffb"),
            Err(PathError::Invalid {
                reason: InvalidReason::InvalidCharacter,
                ..
            })
        ));
        // CESU-8 style encoded surrogate: Java's decoder makes U+FFFD of it.
        assert!(validate_path_bytes(b"/\xed\xa0\x80").is_err());
    }

    #[test]
    fn parent_and_basename() {
        let cases = [
            ("/", "/", ""),
            ("/a", "/", "a"),
            ("/a/b", "/a", "b"),
            ("/a/b/c", "/a/b", "c"),
            ("/zookeeper/quota", "/zookeeper", "quota"),
        ];
        for (path, p, b) in cases {
            assert_eq!(parent(path), p, "parent({path:?})");
            assert_eq!(basename(path), b, "basename({path:?})");
            assert_eq!(split(path), (p, b));
        }
        assert_eq!(join("/", "a"), "/a");
        assert_eq!(join("/a", "b"), "/a/b");
    }

    #[test]
    fn special_nodes() {
        for p in ["/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"] {
            assert!(is_special_node(p), "{p}");
        }
        for p in ["/zookeeper/quota/a", "/zookeeperx", "/a", "/zookeeper/configx"] {
            assert!(!is_special_node(p), "{p}");
        }
        assert!(is_root("/"));
        assert!(!is_root("/a"));
        assert!(is_config_node("/zookeeper/config"));
        assert!(is_zookeeper_subtree("/zookeeper"));
        assert!(is_zookeeper_subtree("/zookeeper/x"));
        assert!(!is_zookeeper_subtree("/zookeeperx"));
        assert!(is_quota_subtree("/zookeeper/quota"));
        assert!(is_quota_subtree("/zookeeper/quota/a/zookeeper_limits"));
        assert!(!is_quota_subtree("/zookeeper/quotax"));
        assert!(!is_quota_subtree("/zookeeper"));
    }
}
