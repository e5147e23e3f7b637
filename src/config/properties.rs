//! A reader for Java `.properties` files with the semantics of `java.util.Properties.load`.
//!
//! Grammar (one *logical line* per entry):
//!
//! * Natural lines end at `\n`, `\r` or `\r\n`. Leading blanks (space, tab, form feed) are skipped; lines that
//!   are then empty are ignored.
//! * A line whose first non-blank character is `#` or `!` is a comment (a trailing backslash does not
//!   continue a comment).
//! * A line ending in an odd number of backslashes continues on the next natural line: the backslash and the
//!   line terminator are dropped, and so are the blanks that start the next line. A trailing backslash at the
//!   end of the input is dropped.
//! * The key runs up to the first unescaped `=`, `:` or blank. Blanks after the key are skipped, then at most
//!   one `=` or `:`, then blanks again; the rest of the logical line, trailing blanks included, is the value.
//!   So `key=value`, `key: value`, `key value` and `key` (empty value) are all valid.
//! * Escapes in keys and values: `\t`, `\n`, `\r`, `\f`, `\uXXXX` (exactly four hex digits, UTF-16 code
//!   units, so surrogate pairs are written as two escapes); a backslash before any other character stands for
//!   that character (`\:`, `\=`, `\ `, `\#`, `\\`). A bad `\u` escape is the only syntax error.
//! * Byte input is ISO-8859-1 ([`decode_latin1`]): every byte is the character with the same code point.
//! * Duplicate keys: the last one wins (its value and its line number are kept; its position in
//!   [`Properties::iter`] is that of the first occurrence).
//!
//! Unlike the Java class, every entry remembers the natural line (1-based) on which its logical line starts,
//! for error messages.

use std::collections::HashMap;

/// One `key=value` entry of a `.properties` file, after unescaping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    pub key: String,
    /// The value exactly as Java reads it: leading blanks removed, trailing blanks kept.
    pub value: String,
    /// 1-based line number of the start of the logical line that defined this entry.
    pub line: usize,
}

/// The only syntax error a `.properties` file can have: a malformed `\uXXXX` escape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: malformed \\uXXXX escape")]
pub struct PropertiesError {
    pub line: usize,
}

/// An ordered `.properties` map (see the module docs for the grammar).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Properties {
    entries: Vec<Property>,
    index: HashMap<String, usize>,
}

/// Decodes ISO-8859-1 bytes (the encoding `Properties.load(InputStream)` uses): byte `b` becomes `U+00bb`.
pub fn decode_latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

impl Properties {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses text that is already decoded (like `Properties.load(Reader)`).
    pub fn parse(text: &str) -> Result<Self, PropertiesError> {
        let mut props = Properties::new();
        for logical in logical_lines(text) {
            let (key, value) = split_key_value(&logical.chars, logical.line)?;
            props.insert(key, value, logical.line);
        }
        Ok(props)
    }

    /// Parses raw file bytes as ISO-8859-1 (like `Properties.load(InputStream)`).
    pub fn parse_latin1(bytes: &[u8]) -> Result<Self, PropertiesError> {
        Self::parse(&decode_latin1(bytes))
    }

    /// Sets `key` (last one wins).
    pub fn insert(&mut self, key: String, value: String, line: usize) {
        match self.index.get(&key) {
            Some(&i) => {
                let entry = &mut self.entries[i];
                entry.value = value;
                entry.line = line;
            }
            None => {
                self.index.insert(key.clone(), self.entries.len());
                self.entries.push(Property { key, value, line });
            }
        }
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entry(key).map(|p| p.value.as_str())
    }

    /// The whole entry for `key`, if present.
    pub fn entry(&self, key: &str) -> Option<&Property> {
        self.index.get(key).map(|&i| &self.entries[i])
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.index.contains_key(key)
    }

    /// Entries in order of first appearance.
    pub fn iter(&self) -> impl Iterator<Item = &Property> {
        self.entries.iter()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\x0c'
}

struct LogicalLine {
    chars: Vec<char>,
    line: usize,
}

/// Splits the input into logical lines (comments and blank lines dropped, continuations joined).
fn logical_lines(text: &str) -> Vec<LogicalLine> {
    let mut out = Vec::new();
    let mut buf: Vec<char> = Vec::new();
    let mut line_no = 1usize; // natural line of the character being read
    let mut start_line = 1usize;
    let mut skip_blanks = true;
    let mut continuation_start = false;
    let mut new_line = true;
    let mut comment = false;
    let mut odd_backslashes = false;
    let mut after_cr = false;

    for c in text.chars() {
        // Count natural lines: "\r\n" is one terminator.
        let this_line = line_no;
        if c == '\n' && after_cr {
            after_cr = false;
            continue;
        }
        after_cr = c == '\r';
        if c == '\n' || c == '\r' {
            line_no += 1;
        }

        if skip_blanks {
            if is_blank(c) {
                continue;
            }
            if !continuation_start && (c == '\n' || c == '\r') {
                continue;
            }
            skip_blanks = false;
            continuation_start = false;
        }
        if new_line {
            new_line = false;
            start_line = this_line;
            if c == '#' || c == '!' {
                comment = true;
                continue;
            }
        }
        if c != '\n' && c != '\r' {
            if !comment {
                buf.push(c);
            }
            odd_backslashes = c == '\\' && !odd_backslashes;
            continue;
        }
        // End of a natural line.
        if comment || buf.is_empty() {
            comment = false;
            new_line = true;
            skip_blanks = true;
            odd_backslashes = false;
            buf.clear();
            continue;
        }
        if odd_backslashes {
            buf.pop();
            skip_blanks = true;
            continuation_start = true;
            odd_backslashes = false;
        } else {
            out.push(LogicalLine {
                chars: std::mem::take(&mut buf),
                line: start_line,
            });
            new_line = true;
            skip_blanks = true;
        }
    }
    if !comment && !buf.is_empty() {
        if odd_backslashes {
            buf.pop();
        }
        out.push(LogicalLine {
            chars: buf,
            line: start_line,
        });
    }
    out
}

/// Splits a logical line into its unescaped key and value.
fn split_key_value(chars: &[char], line: usize) -> Result<(String, String), PropertiesError> {
    let len = chars.len();
    let mut key_len = 0;
    let mut value_start = len;
    let mut has_separator = false;
    let mut escaped = false;
    while key_len < len {
        let c = chars[key_len];
        if !escaped && (c == '=' || c == ':') {
            value_start = key_len + 1;
            has_separator = true;
            break;
        }
        if !escaped && is_blank(c) {
            value_start = key_len + 1;
            break;
        }
        escaped = c == '\\' && !escaped;
        key_len += 1;
    }
    while value_start < len {
        let c = chars[value_start];
        if !is_blank(c) {
            if !has_separator && (c == '=' || c == ':') {
                has_separator = true;
            } else {
                break;
            }
        }
        value_start += 1;
    }
    let key = unescape(&chars[..key_len], line)?;
    let value = unescape(&chars[value_start..], line)?;
    Ok((key, value))
}

/// Resolves backslash escapes; `\uXXXX` yields UTF-16 code units (paired surrogates combine).
fn unescape(chars: &[char], line: usize) -> Result<String, PropertiesError> {
    let mut units: Vec<u16> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '\\' {
            let mut tmp = [0u16; 2];
            units.extend_from_slice(c.encode_utf16(&mut tmp));
            continue;
        }
        let Some(&e) = chars.get(i) else {
            // A lone trailing backslash cannot survive line joining; drop it if it ever does.
            break;
        };
        i += 1;
        let decoded = match e {
            'u' => {
                let digits = chars.get(i..i + 4).ok_or(PropertiesError { line })?;
                let mut unit: u16 = 0;
                for d in digits {
                    let v = d.to_digit(16).ok_or(PropertiesError { line })?;
                    // to_digit(16) < 16, so this cannot overflow after 4 digits.
                    unit = (unit << 4) | v as u16;
                }
                i += 4;
                units.push(unit);
                continue;
            }
            't' => '\t',
            'r' => '\r',
            'n' => '\n',
            'f' => '\x0c',
            other => other,
        };
        let mut tmp = [0u16; 2];
        units.extend_from_slice(decoded.encode_utf16(&mut tmp));
    }
    Ok(String::from_utf16_lossy(&units))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(text: &str) -> Vec<(String, String, usize)> {
        match Properties::parse(text) {
            Ok(p) => p
                .iter()
                .map(|e| (e.key.clone(), e.value.clone(), e.line))
                .collect(),
            Err(e) => panic!("parse failed: {e}"),
        }
    }

    fn one(k: &str, v: &str, line: usize) -> (String, String, usize) {
        (k.to_string(), v.to_string(), line)
    }

    #[test]
    fn separators() {
        assert_eq!(
            kv("a=1\nb: 2\nc 3\nd\t=\t4\ne   :5\nf\ng=\nh:=x\ni==y\n"),
            vec![
                one("a", "1", 1),
                one("b", "2", 2),
                one("c", "3", 3),
                one("d", "4", 4),
                one("e", "5", 5),
                one("f", "", 6),
                one("g", "", 7),
                one("h", "=x", 8),
                one("i", "=y", 9),
            ]
        );
    }

    #[test]
    fn separator_after_blank_key_end() {
        // "key   =  value": blanks, then one separator, then blanks.
        assert_eq!(kv("k   =  v"), vec![one("k", "v", 1)]);
        // A second separator belongs to the value.
        assert_eq!(kv("k = = v"), vec![one("k", "= v", 1)]);
        // Blank then ':' then value.
        assert_eq!(kv("k : v"), vec![one("k", "v", 1)]);
    }

    #[test]
    fn trailing_blanks_kept_in_value_leading_dropped() {
        assert_eq!(kv("   key = value  \t"), vec![one("key", "value  \t", 1)]);
    }

    #[test]
    fn comments_and_blank_lines() {
        let text = "# comment\n! also comment\n   # indented comment\n\n   \t\nk=v # not a comment\n";
        assert_eq!(kv(text), vec![one("k", "v # not a comment", 6)]);
    }

    #[test]
    fn comment_lines_do_not_continue() {
        assert_eq!(kv("# comment \\\nk=v\n"), vec![one("k", "v", 2)]);
    }

    #[test]
    fn continuation() {
        let text = "k = one, \\\n     two, \\\n\tthree\nnext=1\n";
        assert_eq!(
            kv(text),
            vec![one("k", "one, two, three", 1), one("next", "1", 4)]
        );
        // A continued line starting with '#' is not a comment.
        assert_eq!(kv("k=a\\\n#b\n"), vec![one("k", "a#b", 1)]);
        // Even number of backslashes: no continuation, the pair is one escaped backslash.
        assert_eq!(kv("k=a\\\\\nj=b\n"), vec![one("k", "a\\", 1), one("j", "b", 2)]);
        // Continuation into an empty line ends the logical line.
        assert_eq!(kv("k=a\\\n\nj=b"), vec![one("k", "a", 1), one("j", "b", 3)]);
        // A backslash at end of input is dropped.
        assert_eq!(kv("k=a\\"), vec![one("k", "a", 1)]);
        // Continuation inside the key.
        assert_eq!(kv("ke\\\n  y=v"), vec![one("key", "v", 1)]);
    }

    #[test]
    fn line_terminators() {
        assert_eq!(
            kv("a=1\r\nb=2\rc=3\n\r\nd=4\\\r\n  5\r\ne=6"),
            vec![
                one("a", "1", 1),
                one("b", "2", 2),
                one("c", "3", 3),
                one("d", "45", 5),
                one("e", "6", 7)
            ]
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(
            kv(r"k=a\tb\nc\rd\fe\\f\qg"),
            vec![one("k", "a\tb\nc\rd\x0ce\\fqg", 1)]
        );
        assert_eq!(kv(r"k=\u0041\u00e9\u20AC"), vec![one("k", "Aé€", 1)]);
        // Surrogate pair from two escapes.
        assert_eq!(kv(r"k=\ud83d\ude00"), vec![one("k", "😀", 1)]);
        // Escaped separators and blanks in keys.
        assert_eq!(kv(r"a\=b\:c\ d=v"), vec![one("a=b:c d", "v", 1)]);
        assert_eq!(
            kv(r"hosts=localhost\:2181"),
            vec![one("hosts", "localhost:2181", 1)]
        );
        // Escaped leading blank in a value is kept.
        assert_eq!(kv(r"k=\  v"), vec![one("k", "  v", 1)]);
        // Escaped '#' at start of line makes a key, not a comment.
        assert_eq!(kv(r"\#k=v"), vec![one("#k", "v", 1)]);
    }

    #[test]
    fn malformed_unicode_escape() {
        assert_eq!(
            Properties::parse("a=1\nk=\\u12"),
            Err(PropertiesError { line: 2 })
        );
        assert_eq!(
            Properties::parse("a=1\n\nk=\\u12zz"),
            Err(PropertiesError { line: 3 })
        );
        assert_eq!(
            Properties::parse("k=\\u12").map_err(|e| e.to_string()),
            Err("line 1: malformed \\uXXXX escape".to_string())
        );
    }

    #[test]
    fn duplicates_last_wins() {
        let p = Properties::parse("a=1\nb=2\na=3\n").unwrap_or_default();
        assert_eq!(p.get("a"), Some("3"));
        assert_eq!(p.entry("a").map(|e| e.line), Some(3));
        assert_eq!(
            p.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(),
            vec!["a", "b"]
        );
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn latin1_bytes() {
        let p = Properties::parse_latin1(b"k=caf\xe9\nd=/tmp/\xc3\xa9").unwrap_or_default();
        assert_eq!(p.get("k"), Some("café"));
        // UTF-8 bytes are read as two Latin-1 characters, as Java does.
        assert_eq!(p.get("d"), Some("/tmp/Ã©"));
    }

    #[test]
    fn empty_key() {
        assert_eq!(kv("=v"), vec![one("", "v", 1)]);
        assert_eq!(kv(": v"), vec![one("", "v", 1)]);
    }
}
