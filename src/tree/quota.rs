//! Quota node contents and paths.
//!
//! Ref: `org.apache.zookeeper.StatsTrack` and `org.apache.zookeeper.Quotas` (branch-3.8).
//!
//! A quota on `<path>` lives in two nodes: `/zookeeper/quota<path>/zookeeper_limits` (the
//! limits) and `/zookeeper/quota<path>/zookeeper_stats` (the current usage). Both hold a
//! [`StatsTrack`] string: `key=value` pairs separated by runs of `,` / `;`. Parsing (like Java's
//! constructor) splits each pair on `=` dropping trailing empty pieces, so `bytes=5=` reads as
//! `bytes=5`; an empty value (`count==5`) stands for -1; a pair without a value, a leading
//! separator or a non-number is an error (Java throws). Unknown keys are kept.
//!
//! Formatting (Java's `toString`) always writes `count=<c>,bytes=<b>` first (-1 when unset);
//! any other keys follow after an extra `=` (which keeps 3.4-era parsers happy), each as
//! `;key=value` in sorted key order, e.g. `count=10,bytes=100=;byteHardLimit=200;countHardLimit=20`.

use std::collections::BTreeMap;
use std::fmt;

use crate::auth::javacompat;

/// `Quotas.quotaZookeeper`.
pub const QUOTA_ZOOKEEPER: &str = "/zookeeper/quota";
/// `Quotas.limitNode`.
pub const LIMIT_NODE: &str = "zookeeper_limits";
/// `Quotas.statNode`.
pub const STAT_NODE: &str = "zookeeper_stats";

const COUNT: &str = "count";
const BYTES: &str = "bytes";
const COUNT_HARD_LIMIT: &str = "countHardLimit";
const BYTE_HARD_LIMIT: &str = "byteHardLimit";

/// `Quotas.quotaPath`: `/zookeeper/quota` + `path`.
pub fn quota_path(path: &str) -> String {
    format!("{QUOTA_ZOOKEEPER}{path}")
}

/// `Quotas.limitPath`: `/zookeeper/quota<path>/zookeeper_limits`.
pub fn limit_path(path: &str) -> String {
    format!("{QUOTA_ZOOKEEPER}{path}/{LIMIT_NODE}")
}

/// `Quotas.statPath`: `/zookeeper/quota<path>/zookeeper_stats`.
pub fn stat_path(path: &str) -> String {
    format!("{QUOTA_ZOOKEEPER}{path}/{STAT_NODE}")
}

/// `Quotas.trimQuotaPath`: strips the `/zookeeper/quota` prefix. Like Java (which callers
/// guard with `startsWith("/zookeeper/quota")`) this does not require a `/` after the
/// prefix. `None` when the prefix is absent.
pub fn trim_quota_path(quota_path: &str) -> Option<&str> {
    quota_path.strip_prefix(QUOTA_ZOOKEEPER)
}

/// Which of the two quota nodes a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaNode {
    /// `zookeeper_limits`.
    Limits,
    /// `zookeeper_stats`.
    Stats,
}

/// For `/zookeeper/quota<path>/zookeeper_limits` (or `_stats`) returns `<path>` and the kind.
pub fn quota_node_target(node_path: &str) -> Option<(&str, QuotaNode)> {
    let rest = node_path.strip_prefix(QUOTA_ZOOKEEPER)?;
    let (target, name) = rest.rsplit_once('/')?;
    if !target.starts_with('/') {
        return None;
    }
    match name {
        LIMIT_NODE => Some((target, QuotaNode::Limits)),
        STAT_NODE => Some((target, QuotaNode::Stats)),
        _ => None,
    }
}

/// A quota string that Java's `StatsTrack` constructor would refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatsParseError {
    /// A pair with no `=value` part (Java: `ArrayIndexOutOfBoundsException`).
    MissingValue { pair: String },
    /// A value that `Long.parseLong` refuses (Java: `NumberFormatException`).
    BadNumber { key: String, value: String },
}

impl fmt::Display for StatsParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatsParseError::MissingValue { pair } => {
                write!(f, "quota pair {pair:?} has no value")
            }
            StatsParseError::BadNumber { key, value } => {
                write!(f, "quota value {value:?} of {key:?} is not a number")
            }
        }
    }
}

impl std::error::Error for StatsParseError {}

/// The parsed content of a quota node (`StatsTrack`). Missing values read as -1.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsTrack {
    stats: BTreeMap<String, i64>,
}

impl StatsTrack {
    /// An empty tracker (formats as `count=-1,bytes=-1`).
    pub fn new() -> Self {
        StatsTrack::default()
    }

    /// Parses a quota string as Java's `StatsTrack(String)` does.
    pub fn parse(stat: &str) -> Result<Self, StatsParseError> {
        let mut stats = BTreeMap::new();
        if stat.is_empty() {
            return Ok(StatsTrack { stats });
        }
        for pair in javacompat::split_runs(stat, &[',', ';'], 0) {
            let kv = javacompat::split(pair, "=", 0);
            let (key, value) = match kv.as_slice() {
                [key, value, ..] => (*key, *value),
                _ => {
                    return Err(StatsParseError::MissingValue {
                        pair: pair.to_owned(),
                    })
                }
            };
            let number = if value.is_empty() {
                -1
            } else {
                javacompat::parse_long(value, 10).ok_or_else(|| StatsParseError::BadNumber {
                    key: key.to_owned(),
                    value: value.to_owned(),
                })?
            };
            stats.insert(key.to_owned(), number);
        }
        Ok(StatsTrack { stats })
    }

    /// Parses node data (`StatsTrack(byte[])`: UTF-8, malformed input replaced).
    pub fn parse_bytes(stat: &[u8]) -> Result<Self, StatsParseError> {
        Self::parse(&javacompat::utf8_lossy(stat))
    }

    /// A value by key, -1 when absent.
    pub fn get(&self, key: &str) -> i64 {
        self.stats.get(key).copied().unwrap_or(-1)
    }

    /// Sets a value by key.
    pub fn set(&mut self, key: &str, value: i64) {
        self.stats.insert(key.to_owned(), value);
    }

    /// Whether the key was present (set or parsed).
    pub fn contains(&self, key: &str) -> bool {
        self.stats.contains_key(key)
    }

    /// `count`: node count (usage in `zookeeper_stats`, soft limit in `zookeeper_limits`).
    pub fn count(&self) -> i64 {
        self.get(COUNT)
    }

    pub fn set_count(&mut self, count: i64) {
        self.set(COUNT, count);
    }

    /// `bytes`: data bytes (usage, or soft limit).
    pub fn bytes(&self) -> i64 {
        self.get(BYTES)
    }

    pub fn set_bytes(&mut self, bytes: i64) {
        self.set(BYTES, bytes);
    }

    /// `countHardLimit` (3.7+).
    pub fn count_hard_limit(&self) -> i64 {
        self.get(COUNT_HARD_LIMIT)
    }

    pub fn set_count_hard_limit(&mut self, count: i64) {
        self.set(COUNT_HARD_LIMIT, count);
    }

    /// `byteHardLimit` (3.7+).
    pub fn byte_hard_limit(&self) -> i64 {
        self.get(BYTE_HARD_LIMIT)
    }

    pub fn set_byte_hard_limit(&mut self, bytes: i64) {
        self.set(BYTE_HARD_LIMIT, bytes);
    }

    /// The node data Java writes (`getStatsBytes`).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

impl fmt::Display for StatsTrack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{COUNT}={},{BYTES}={}", self.count(), self.bytes())?;
        let mut rest: Vec<(&String, &i64)> = self
            .stats
            .iter()
            .filter(|(k, _)| k.as_str() != COUNT && k.as_str() != BYTES)
            .collect();
        if rest.is_empty() {
            return Ok(());
        }
        // Java sorts with String.compareTo, i.e. by UTF-16 code units.
        rest.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
        f.write_str("=")?;
        for (key, value) in rest {
            write!(f, ";{key}={value}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Input → Java's `new StatsTrack(input).toString()` (zookeeper-3.8.0.jar, OpenJDK 17).
    const JAVA_ROUND_TRIPS: &[(&str, &str)] = &[
        ("count=4,bytes=5", "count=4,bytes=5"),
        (
            "count=4,bytes=5=;countHardLimit=10;byteHardLimit=10",
            "count=4,bytes=5=;byteHardLimit=10;countHardLimit=10",
        ),
        ("", "count=-1,bytes=-1"),
        ("bytes=5", "count=-1,bytes=5"),
        ("count=-1,bytes=-1", "count=-1,bytes=-1"),
        ("count=1;bytes=2", "count=1,bytes=2"),
        ("count=1,,;;bytes=2", "count=1,bytes=2"),
        (";;", "count=-1,bytes=-1"),
        ("count=1;", "count=1,bytes=-1"),
        ("count==5,bytes=1", "count=-1,bytes=1"),
        ("=5", "count=-1,bytes=-1=;=5"),
        ("zzz=1,count=2,bytes=3,aaa=4", "count=2,bytes=3=;aaa=4;zzz=1"),
        ("count=1,bytes=2=", "count=1,bytes=2"),
        ("count=+7,bytes=\u{0661}", "count=7,bytes=1"),
    ];

    /// Inputs Java's constructor throws on.
    const JAVA_FAILURES: &[&str] = &[",count=1", "count", "count=", "count=x", "count=1,bytes", "="];

    #[test]
    fn round_trips_like_java() {
        for (input, want) in JAVA_ROUND_TRIPS {
            let parsed = StatsTrack::parse(input).expect(input);
            assert_eq!(parsed.to_string(), *want, "{input:?}");
            // What Java writes is a fixed point.
            let reparsed = StatsTrack::parse(want).expect(want);
            assert_eq!(reparsed.to_string(), *want, "{want:?}");
            assert_eq!(reparsed.count(), parsed.count());
            assert_eq!(reparsed.bytes(), parsed.bytes());
        }
    }

    #[test]
    fn failures_like_java() {
        for input in JAVA_FAILURES {
            assert!(StatsTrack::parse(input).is_err(), "{input:?}");
        }
        assert_eq!(
            StatsTrack::parse("count=x"),
            Err(StatsParseError::BadNumber {
                key: "count".into(),
                value: "x".into()
            })
        );
        assert_eq!(
            StatsTrack::parse("count=1,bytes"),
            Err(StatsParseError::MissingValue { pair: "bytes".into() })
        );
        assert!(StatsTrack::parse("count= 1").is_err());
        assert!(StatsTrack::parse("count=99999999999999999999").is_err());
    }

    #[test]
    fn built_like_java() {
        let mut t = StatsTrack::new();
        t.set_count(10);
        t.set_bytes(100);
        t.set_count_hard_limit(20);
        t.set_byte_hard_limit(200);
        assert_eq!(
            t.to_string(),
            "count=10,bytes=100=;byteHardLimit=200;countHardLimit=20"
        );
        assert_eq!(StatsTrack::new().to_string(), "count=-1,bytes=-1");
        let mut t = StatsTrack::new();
        t.set_byte_hard_limit(5);
        assert_eq!(t.to_string(), "count=-1,bytes=-1=;byteHardLimit=5");
        assert_eq!(t.to_bytes(), b"count=-1,bytes=-1=;byteHardLimit=5".to_vec());
    }

    #[test]
    fn accessors() {
        let t = StatsTrack::parse("count=4,bytes=5=;countHardLimit=10;byteHardLimit=11").unwrap();
        assert_eq!(t.count(), 4);
        assert_eq!(t.bytes(), 5);
        assert_eq!(t.count_hard_limit(), 10);
        assert_eq!(t.byte_hard_limit(), 11);
        assert!(t.contains("count"));
        let t = StatsTrack::parse("count=4").unwrap();
        assert_eq!(t.bytes(), -1);
        assert_eq!(t.count_hard_limit(), -1);
        assert!(!t.contains("bytes"));
        // Duplicate keys: the last one wins (HashMap.put).
        assert_eq!(StatsTrack::parse("count=1,count=2").unwrap().count(), 2);
        assert_eq!(StatsTrack::parse_bytes(b"count=3,bytes=4").unwrap().bytes(), 4);
    }

    #[test]
    fn utf16_key_order() {
        // U+FF5E sorts after U+1F600 by code point but before it by UTF-16 unit (0xD83D).
        let mut t = StatsTrack::new();
        t.set("\u{1F600}", 1);
        t.set("\u{FF5E}", 2);
        assert_eq!(t.to_string(), "count=-1,bytes=-1=;\u{1F600}=1;\u{FF5E}=2");
    }

    #[test]
    fn paths() {
        assert_eq!(quota_path("/a/b"), "/zookeeper/quota/a/b");
        assert_eq!(limit_path("/a/b"), "/zookeeper/quota/a/b/zookeeper_limits");
        assert_eq!(stat_path("/a/b"), "/zookeeper/quota/a/b/zookeeper_stats");
        assert_eq!(trim_quota_path("/zookeeper/quota/a/b"), Some("/a/b"));
        assert_eq!(trim_quota_path("/zookeeper/quota"), Some(""));
        assert_eq!(trim_quota_path("/other"), None);
        assert_eq!(
            quota_node_target("/zookeeper/quota/a/b/zookeeper_limits"),
            Some(("/a/b", QuotaNode::Limits))
        );
        assert_eq!(
            quota_node_target("/zookeeper/quota/a/zookeeper_stats"),
            Some(("/a", QuotaNode::Stats))
        );
        assert_eq!(quota_node_target("/zookeeper/quota/a/other"), None);
        assert_eq!(quota_node_target("/zookeeper/quota/zookeeper_limits"), None);
        assert_eq!(quota_node_target("/zookeeper/quotax/zookeeper_limits"), None);
        assert_eq!(quota_node_target("/a/zookeeper_limits"), None);
    }
}
