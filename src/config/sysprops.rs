//! JVM-style `-Dname=value` system properties.
//!
//! ZooKeeper reads many settings from JVM system properties, which `zkServer.sh` passes from the environment
//! variables `JVMFLAGS` and `SERVER_JVMFLAGS`. rzk reads the same variables (and `-D` arguments on its own
//! command line) so existing deployments keep working.
//!
//! * Each variable is split into words like a POSIX shell would split a quoted string: blanks separate
//!   words; `'…'` is literal; `"…"` allows `\"`, `\\`, `\$` and `` \` `` escapes; a backslash outside quotes
//!   escapes the next character. An unterminated quote falls back to plain blank splitting (with a warning).
//! * A word `-Dname=value` sets `name` (value may be empty or contain `=`); `-Dname` sets it to `""`; every
//!   other word (`-Xmx1g`, `-server`, …) is ignored.
//! * Later flags override earlier ones. Precedence between sources, as zkServer.sh's
//!   `java $SERVER_JVMFLAGS $JVMFLAGS` gives it: command line > `JVMFLAGS` > `SERVER_JVMFLAGS`.

use std::collections::BTreeMap;
use std::fmt;

/// Where a system property came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PropSource {
    /// The `JVMFLAGS` environment variable.
    JvmFlags,
    /// The `SERVER_JVMFLAGS` environment variable.
    ServerJvmFlags,
    /// rzk's own command line.
    CommandLine,
}

impl fmt::Display for PropSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PropSource::JvmFlags => "JVMFLAGS",
            PropSource::ServerJvmFlags => "SERVER_JVMFLAGS",
            PropSource::CommandLine => "command line",
        })
    }
}

/// One system property and where it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SysProp {
    pub value: String,
    pub source: PropSource,
}

/// The `-D` system properties given to rzk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemProps {
    props: BTreeMap<String, SysProp>,
    warnings: Vec<String>,
}

impl SystemProps {
    /// No properties at all.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads `SERVER_JVMFLAGS` and `JVMFLAGS` (which wins) through `env`, then the `-D` words of `args`.
    pub fn from_env_and_args(env: impl Fn(&str) -> Option<String>, args: &[String]) -> Self {
        let mut sys = SystemProps::new();
        for (var, source) in [
            // zkServer.sh runs `java $SERVER_JVMFLAGS $JVMFLAGS ...` and the JVM keeps the last -D, so
            // JVMFLAGS overrides SERVER_JVMFLAGS.
            ("SERVER_JVMFLAGS", PropSource::ServerJvmFlags),
            ("JVMFLAGS", PropSource::JvmFlags),
        ] {
            if let Some(flags) = env(var) {
                let words = match split_shell_words(&flags) {
                    Ok(words) => words,
                    Err(msg) => {
                        sys.warnings
                            .push(format!("{var}: {msg}; splitting at blanks only"));
                        flags.split_whitespace().map(str::to_string).collect()
                    }
                };
                sys.add_flags(words.iter().map(String::as_str), source);
            }
        }
        sys.add_flags(args.iter().map(String::as_str), PropSource::CommandLine);
        sys
    }

    /// [`SystemProps::from_env_and_args`] with the real process environment.
    pub fn from_process_env(args: &[String]) -> Self {
        Self::from_env_and_args(
            |name| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned()),
            args,
        )
    }

    /// Applies the `-Dname[=value]` words among `words`, later ones overriding earlier ones.
    pub fn add_flags<'a>(&mut self, words: impl IntoIterator<Item = &'a str>, source: PropSource) {
        for word in words {
            if let Some((name, value)) = parse_define(word) {
                self.set(name, value, source);
            }
        }
    }

    /// Sets one property.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>, source: PropSource) {
        self.props.insert(
            name.into(),
            SysProp {
                value: value.into(),
                source,
            },
        );
    }

    /// The value of a property.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.props.get(name).map(|p| p.value.as_str())
    }

    /// A property with its source.
    pub fn get_prop(&self, name: &str) -> Option<&SysProp> {
        self.props.get(name)
    }

    /// All properties, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &SysProp)> {
        self.props.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.props.len()
    }

    pub fn is_empty(&self) -> bool {
        self.props.is_empty()
    }

    /// Problems met while reading the flags (for the caller to log).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

/// `-Dname=value` → `(name, value)`; `-Dname` → `(name, "")`; anything else → `None`.
pub fn parse_define(word: &str) -> Option<(&str, &str)> {
    let rest = word.strip_prefix("-D")?;
    let (name, value) = rest.split_once('=').unwrap_or((rest, ""));
    if name.is_empty() {
        None
    } else {
        Some((name, value))
    }
}

/// Splits a string into words like a POSIX shell (quotes and backslashes; no expansions).
pub fn split_shell_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unterminated single quote".to_string()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(e @ ('"' | '\\' | '$' | '`')) => word.push(e),
                            Some('\n') => {}
                            Some(other) => {
                                word.push('\\');
                                word.push(other);
                            }
                            None => return Err("unterminated double quote".to_string()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("unterminated double quote".to_string()),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(e) => {
                    in_word = true;
                    word.push(e);
                }
                None => {
                    in_word = true;
                    word.push('\\');
                }
            },
            other => {
                in_word = true;
                word.push(other);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn words(s: &str) -> Vec<String> {
        split_shell_words(s).unwrap_or_else(|e| panic!("split failed: {e}"))
    }

    #[test]
    fn shell_words() {
        assert_eq!(words("  -Xmx1g   -Da=b\t-Dc "), vec!["-Xmx1g", "-Da=b", "-Dc"]);
        assert_eq!(
            words(r#"-Dx="a b" -Dy='c "d"' -Dz=e\ f"#),
            vec!["-Dx=a b", r#"-Dy=c "d""#, "-Dz=e f"]
        );
        assert_eq!(words(r#""-Dq=\"\\\$\n""#), vec![r#"-Dq="\$\n"#]);
        assert_eq!(words("''"), vec![""]);
        assert_eq!(words(""), Vec::<String>::new());
        assert!(split_shell_words("-Dx='abc").is_err());
        assert!(split_shell_words("-Dx=\"abc").is_err());
    }

    #[test]
    fn defines() {
        assert_eq!(parse_define("-Da=b=c"), Some(("a", "b=c")));
        assert_eq!(parse_define("-Da"), Some(("a", "")));
        assert_eq!(parse_define("-Da="), Some(("a", "")));
        assert_eq!(parse_define("-D"), None);
        assert_eq!(parse_define("-D=x"), None);
        assert_eq!(parse_define("-Xmx1g"), None);
        assert_eq!(parse_define("Da=b"), None);
    }

    #[test]
    fn precedence_cli_over_jvmflags_over_server_jvmflags() {
        let env: HashMap<&str, &str> = HashMap::from([
            ("JVMFLAGS", "-Dall=jvm -Djvm.only=1 -Dserver=jvm -Dcli=jvm"),
            (
                "SERVER_JVMFLAGS",
                "-Xmx512m -Dall=server -Dserver=server -Dcli=server -Dserver.only",
            ),
        ]);
        let args = vec![
            "-Dall=cli".to_string(),
            "-Dcli=cli".to_string(),
            "zoo.cfg".to_string(),
        ];
        let sys = SystemProps::from_env_and_args(|k| env.get(k).map(|v| v.to_string()), &args);
        assert_eq!(sys.get("all"), Some("cli"));
        assert_eq!(sys.get("cli"), Some("cli"));
        assert_eq!(sys.get("server"), Some("jvm"));
        assert_eq!(sys.get("jvm.only"), Some("1"));
        assert_eq!(sys.get("server.only"), Some(""));
        assert_eq!(sys.get("Xmx512m"), None);
        assert_eq!(
            sys.get_prop("server").map(|p| p.source),
            Some(PropSource::JvmFlags)
        );
        assert_eq!(
            sys.get_prop("server.only").map(|p| p.source),
            Some(PropSource::ServerJvmFlags)
        );
        assert_eq!(
            sys.get_prop("jvm.only").map(|p| p.source),
            Some(PropSource::JvmFlags)
        );
        assert_eq!(
            sys.get_prop("all").map(|p| p.source),
            Some(PropSource::CommandLine)
        );
        assert_eq!(sys.len(), 5);
        assert!(sys.warnings().is_empty());
    }

    #[test]
    fn later_flag_wins_within_a_source() {
        let sys = SystemProps::from_env_and_args(
            |k| (k == "SERVER_JVMFLAGS").then(|| "-Da=1 -Da=2".to_string()),
            &[],
        );
        assert_eq!(sys.get("a"), Some("2"));
    }

    #[test]
    fn quoted_values_and_bad_quotes() {
        let sys = SystemProps::from_env_and_args(
            |k| match k {
                "SERVER_JVMFLAGS" => Some(r#"-Dzookeeper.superUser="super user" -Dp='a;b'"#.to_string()),
                "JVMFLAGS" => Some("-Dx='oops -Dy=2".to_string()),
                _ => None,
            },
            &[],
        );
        assert_eq!(sys.get("zookeeper.superUser"), Some("super user"));
        assert_eq!(sys.get("p"), Some("a;b"));
        assert_eq!(sys.get("x"), Some("'oops"));
        assert_eq!(sys.get("y"), Some("2"));
        assert_eq!(
            sys.warnings(),
            ["JVMFLAGS: unterminated single quote; splitting at blanks only"]
        );
    }
}
