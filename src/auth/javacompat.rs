//! Java-compatible string helpers used where ZooKeeper's behaviour depends on
//! `java.lang` semantics that Rust's standard library does not share.
//!
//! * [`split`] / [`split_runs`]: `String.split(regex, limit)` for a literal separator (or a
//!   run of separator characters, as in the regex `[,;]+`): a leading empty piece is kept,
//!   `limit > 0` caps the number of pieces, `limit == 0` drops trailing empty pieces, and an
//!   input with no separator at all comes back whole (so `""` gives `[""]`).
//! * [`digit`]: `Character.digit(char, radix)`, which also accepts every Unicode decimal-digit
//!   block of the Basic Multilingual Plane and the full-width Latin letters. Java parses
//!   UTF-16 code units, so characters outside the BMP (surrogate pairs) are never digits.
//! * [`parse_int`] / [`parse_long`]: `Integer.parseInt` / `Long.parseLong`: one optional
//!   leading `+` or `-`, then at least one digit as above, no whitespace, overflow rejected.
//! * [`utf8_lossy`]: `new String(bytes, UTF_8)`: malformed input becomes U+FFFD like Rust's
//!   `from_utf8_lossy`, except that an encoded surrogate (`ED A0..BF`, plus one continuation
//!   byte when present) becomes a single U+FFFD in Java rather than one per byte.
//!
//! The digit table was produced by enumerating `Character.digit(c, 16)` over every BMP
//! code unit on OpenJDK 17 (Unicode 13); every non-ASCII decimal block is a run of ten
//! code points whose first one is zero.

/// First code point of each non-ASCII run of ten decimal digits in the BMP (values 0..=9).
const DECIMAL_ZEROS: [u32; 36] = [
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6,
    0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0,
    0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
];

/// `Character.digit(c, radix)` for `2 <= radix <= 36`; `None` where Java returns -1.
pub(crate) fn digit(c: char, radix: u32) -> Option<u32> {
    let cp = c as u32;
    let value = match c {
        '0'..='9' => cp - '0' as u32,
        'a'..='z' => cp - 'a' as u32 + 10,
        'A'..='Z' => cp - 'A' as u32 + 10,
        // Full-width Latin capital and small letters.
        '\u{FF21}'..='\u{FF3A}' => cp - 0xFF21 + 10,
        '\u{FF41}'..='\u{FF5A}' => cp - 0xFF41 + 10,
        _ => DECIMAL_ZEROS
            .iter()
            .find(|&&zero| cp >= zero && cp < zero + 10)
            .map(|&zero| cp - zero)?,
    };
    (value < radix).then_some(value)
}

/// `new String(bytes, StandardCharsets.UTF_8)`.
pub(crate) fn utf8_lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                out.push_str(valid);
                break;
            }
            Err(e) => {
                let (valid, bad) = rest.split_at(e.valid_up_to());
                // `valid` is valid UTF-8 by construction of `valid_up_to`.
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{FFFD}');
                let skip = match bad {
                    [0xED, 0xA0..=0xBF, 0x80..=0xBF, ..] => 3,
                    [0xED, 0xA0..=0xBF, ..] => 2,
                    _ => e.error_len().unwrap_or(bad.len()),
                };
                rest = &bad[skip..];
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Java's `Long.parseLong`-style parse bounded to `[min, max]`.
fn parse_bounded(s: &str, radix: u32, min: i128, max: i128) -> Option<i128> {
    let mut chars = s.chars().peekable();
    let first = *chars.peek()?;
    let mut negative = false;
    if first < '0' {
        match first {
            '-' => negative = true,
            '+' => {}
            _ => return None,
        }
        chars.next();
        // A lone sign is not a number.
        chars.peek()?;
    }
    let mut magnitude: i128 = 0;
    for c in chars {
        let d = digit(c, radix)?;
        magnitude = magnitude * i128::from(radix) + i128::from(d);
        if magnitude > max + 1 {
            return None;
        }
    }
    let value = if negative { -magnitude } else { magnitude };
    (min..=max).contains(&value).then_some(value)
}

/// `Integer.parseInt(s, radix)`; `None` where Java throws `NumberFormatException`.
pub(crate) fn parse_int(s: &str, radix: u32) -> Option<i32> {
    parse_bounded(s, radix, i128::from(i32::MIN), i128::from(i32::MAX)).and_then(|v| i32::try_from(v).ok())
}

/// `Long.parseLong(s, radix)`; `None` where Java throws `NumberFormatException`.
pub(crate) fn parse_long(s: &str, radix: u32) -> Option<i64> {
    parse_bounded(s, radix, i128::from(i64::MIN), i128::from(i64::MAX)).and_then(|v| i64::try_from(v).ok())
}

/// Shared engine of [`split`] and [`split_runs`]: `find(s, from)` returns the byte range of
/// the next separator match starting at or after `from`.
fn split_with(s: &str, limit: i32, mut find: impl FnMut(&str, usize) -> Option<(usize, usize)>) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut matched = false;
    while limit <= 0 || pieces.len() + 1 < limit as usize {
        let Some((m_start, m_end)) = find(s, start) else {
            break;
        };
        matched = true;
        pieces.push(&s[start..m_start]);
        start = m_end;
    }
    if !matched {
        return vec![s];
    }
    pieces.push(&s[start..]);
    if limit == 0 {
        while pieces.last().is_some_and(|p| p.is_empty()) {
            pieces.pop();
        }
    }
    pieces
}

/// `s.split(Pattern.quote(sep), limit)` for a non-empty literal separator.
pub(crate) fn split<'a>(s: &'a str, sep: &str, limit: i32) -> Vec<&'a str> {
    if sep.is_empty() {
        return vec![s];
    }
    split_with(s, limit, |s, from| {
        s[from..].find(sep).map(|i| (from + i, from + i + sep.len()))
    })
}

/// `s.split("[chars]+", limit)`: separators are maximal runs of characters from `seps`.
pub(crate) fn split_runs<'a>(s: &'a str, seps: &[char], limit: i32) -> Vec<&'a str> {
    split_with(s, limit, |s, from| {
        let rest = &s[from..];
        let begin = rest.find(seps)?;
        let run = &rest[begin..];
        let len = run.find(|c: char| !seps.contains(&c)).unwrap_or(run.len());
        Some((from + begin, from + begin + len))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_matches_java() {
        // (input, sep, limit, Java's result)
        let cases: &[(&str, &str, i32, &[&str])] = &[
            ("a:b", ":", 0, &["a", "b"]),
            ("a:", ":", 0, &["a"]),
            ("a:b:", ":", 0, &["a", "b"]),
            (":b", ":", 0, &["", "b"]),
            (":", ":", 0, &[]),
            ("", ":", 0, &[""]),
            ("a::", ":", 0, &["a"]),
            ("::b", ":", 0, &["", "", "b"]),
            ("a:b:c", ":", 2, &["a", "b:c"]),
            ("abc", ":", 2, &["abc"]),
            ("1.2.3.4.", ".", -1, &["1", "2", "3", "4", ""]),
            ("::", "::", -1, &["", ""]),
            (":::1", "::", -1, &["", ":1"]),
            ("1::2::3", "::", -1, &["1", "2", "3"]),
            ("1.2.3.4/", "/", 2, &["1.2.3.4", ""]),
            ("1.2.3.4/8/9", "/", 2, &["1.2.3.4", "8/9"]),
        ];
        for (s, sep, limit, want) in cases {
            assert_eq!(split(s, sep, *limit), *want, "{s:?}.split({sep:?}, {limit})");
        }
    }

    #[test]
    fn split_runs_matches_java() {
        let seps = &[',', ';'];
        let cases: &[(&str, &[&str])] = &[
            ("count=1,,;;bytes=2", &["count=1", "bytes=2"]),
            (";;", &[]),
            ("count=1;", &["count=1"]),
            (",count=1", &["", "count=1"]),
            ("", &[""]),
            ("x", &["x"]),
        ];
        for (s, want) in cases {
            assert_eq!(split_runs(s, seps, 0), *want, "{s:?}");
        }
    }

    #[test]
    fn digits_like_character_digit() {
        assert_eq!(digit('7', 10), Some(7));
        assert_eq!(digit('a', 10), None);
        assert_eq!(digit('f', 16), Some(15));
        assert_eq!(digit('F', 16), Some(15));
        assert_eq!(digit('g', 16), None);
        assert_eq!(digit('\u{0661}', 10), Some(1)); // ARABIC-INDIC DIGIT ONE
        assert_eq!(digit('\u{FF11}', 10), Some(1)); // FULLWIDTH DIGIT ONE
        assert_eq!(digit('\u{FF21}', 16), Some(10)); // FULLWIDTH LATIN CAPITAL A
        assert_eq!(digit('\u{FF46}', 16), Some(15)); // FULLWIDTH LATIN SMALL F
        assert_eq!(digit('\u{FF47}', 16), None);
        assert_eq!(digit('\u{00B2}', 10), None); // SUPERSCRIPT TWO is not Nd
        assert_eq!(digit('\u{1D7CE}', 10), None); // outside the BMP: a surrogate pair in Java
    }

    #[test]
    fn utf8_decoding_like_java() {
        // (input hex, UTF-16 code units of Java's `new String(bytes, UTF_8)`), OpenJDK 17.
        let cases = [
            ("ff3a70", "fffd 003a 0070"),
            ("61e2823a70", "0061 fffd 003a 0070"),
            ("eda0803a78", "fffd 003a 0078"),
            ("f09f983a78", "fffd 003a 0078"),
            ("c0803a78", "fffd fffd 003a 0078"),
            ("f49080803a78", "fffd fffd fffd fffd 003a 0078"),
            ("61e282", "0061 fffd"),
            ("f09f98", "fffd"),
            ("f09f", "fffd"),
            ("e0808041", "fffd fffd fffd 0041"),
            ("e1804141", "fffd 0041 0041"),
            ("edbfbf", "fffd"),
            ("ed9fbf", "d7ff"),
            ("eda0", "fffd"),
            ("eda041", "fffd 0041"),
            ("f8888080", "fffd fffd fffd fffd"),
            ("c2", "fffd"),
            ("c241", "fffd 0041"),
            ("f0808080", "fffd fffd fffd fffd"),
            ("e080", "fffd fffd"),
            ("80", "fffd"),
            ("efbfbf", "ffff"),
            ("f4908080", "fffd fffd fffd fffd"),
            ("f09f9880", "d83d de00"),
        ];
        for (hex, want) in cases {
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            let units: Vec<String> = utf8_lossy(&bytes)
                .encode_utf16()
                .map(|u| format!("{u:04x}"))
                .collect();
            assert_eq!(units.join(" "), want, "{hex}");
        }
    }

    #[test]
    fn parse_like_java() {
        assert_eq!(parse_int("0", 10), Some(0));
        assert_eq!(parse_int("+8", 10), Some(8));
        assert_eq!(parse_int("-0", 10), Some(0));
        assert_eq!(parse_int("007", 10), Some(7));
        assert_eq!(parse_int("\u{0668}", 10), Some(8));
        assert_eq!(parse_int("2147483647", 10), Some(i32::MAX));
        assert_eq!(parse_int("-2147483648", 10), Some(i32::MIN));
        assert_eq!(parse_int("2147483648", 10), None);
        assert_eq!(parse_int("99999999999999999999999999999999999999999", 10), None);
        assert_eq!(parse_int("", 10), None);
        assert_eq!(parse_int("+", 10), None);
        assert_eq!(parse_int("-", 10), None);
        assert_eq!(parse_int(" 1", 10), None);
        assert_eq!(parse_int("1 ", 10), None);
        assert_eq!(parse_int("1_0", 10), None);
        assert_eq!(parse_int("-fff", 16), Some(-0xfff));
        assert_eq!(parse_int("FFFF", 16), Some(0xffff));
        assert_eq!(parse_long("9223372036854775807", 10), Some(i64::MAX));
        assert_eq!(parse_long("-9223372036854775808", 10), Some(i64::MIN));
        assert_eq!(parse_long("9223372036854775808", 10), None);
    }
}
