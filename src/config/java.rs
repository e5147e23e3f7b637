//! How Java turns property strings into numbers and booleans. ZooKeeper uses several parsers with different
//! rules; each key in `mod.rs` uses the one its Java counterpart uses.

/// `Integer.parseInt` / `Long.parseLong`: optional `+`/`-`, then decimal digits; nothing else.
pub(crate) fn parse_long(s: &str) -> Option<i64> {
    // Rust's integer FromStr has exactly these rules (sign, ASCII digits, no blanks, overflow = error).
    s.parse::<i64>().ok()
}

/// `Integer.parseInt`.
pub(crate) fn parse_int(s: &str) -> Option<i32> {
    s.parse::<i32>().ok()
}

/// `Long.decode` (used by `Long.getLong`): optional sign, then `0x`/`0X`/`#` for hex, a leading `0` for
/// octal, else decimal. No blanks.
pub(crate) fn decode_long(s: &str) -> Option<i64> {
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(r) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        (16, r)
    } else if let Some(r) = rest.strip_prefix('#') {
        (16, r)
    } else if rest.len() > 1 && rest.starts_with('0') {
        (8, &rest[1..])
    } else {
        (10, rest)
    };
    if digits.is_empty() || digits.starts_with('+') || digits.starts_with('-') {
        return None;
    }
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

/// `Integer.decode` (used by `Integer.getInteger`).
pub(crate) fn decode_int(s: &str) -> Option<i32> {
    decode_long(s).and_then(|v| i32::try_from(v).ok())
}

/// `Boolean.parseBoolean` / `Boolean.getBoolean`: `true` in any case is true, everything else is false.
pub(crate) fn parse_boolean_lenient(s: &str) -> bool {
    s.eq_ignore_ascii_case("true")
}

/// `QuorumPeerConfig.parseBoolean`: `true`/`false` in any case, anything else is an error.
pub(crate) fn parse_boolean_strict(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// `Double.parseDouble`: surrounding control/blank characters ignored, optional `f`/`d` suffix.
pub(crate) fn parse_double(s: &str) -> Option<f64> {
    let t = java_trim(s);
    let t = t.strip_suffix(['f', 'F', 'd', 'D']).unwrap_or(t);
    match t {
        "NaN" => Some(f64::NAN),
        "Infinity" | "+Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ if t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')) =>
        {
            t.parse().ok()
        }
        _ => None,
    }
}

/// `String.trim`: removes leading and trailing characters `<= U+0020`.
pub(crate) fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Java's `String.split(sep)` for a literal one-character separator: trailing empty strings are removed
/// (but an input without the separator is returned whole, even if empty).
pub(crate) fn split(s: &str, sep: char) -> Vec<&str> {
    let mut parts: Vec<&str> = s.split(sep).collect();
    if parts.len() > 1 {
        while parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
        if parts.len() == 1 && parts[0].is_empty() {
            // "::" splits to nothing in Java.
            parts.clear();
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_like_java() {
        assert_eq!(decode_long("42"), Some(42));
        assert_eq!(decode_long("-42"), Some(-42));
        assert_eq!(decode_long("+42"), Some(42));
        assert_eq!(decode_long("0x10"), Some(16));
        assert_eq!(decode_long("0X1f"), Some(31));
        assert_eq!(decode_long("#ff"), Some(255));
        assert_eq!(decode_long("-0x10"), Some(-16));
        assert_eq!(decode_long("010"), Some(8));
        assert_eq!(decode_long("0"), Some(0));
        assert_eq!(decode_long("09"), None);
        assert_eq!(decode_long(""), None);
        assert_eq!(decode_long("0x"), None);
        assert_eq!(decode_long("0x-1"), None);
        assert_eq!(decode_long(" 1"), None);
        assert_eq!(decode_long("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(decode_long("9223372036854775808"), None);
        assert_eq!(decode_int("2147483648"), None);
        assert_eq!(decode_int("0xfffff"), Some(0xfffff));
    }

    #[test]
    fn parse_like_java() {
        assert_eq!(parse_int("+7"), Some(7));
        assert_eq!(parse_int("-7"), Some(-7));
        assert_eq!(parse_int("0x7"), None);
        assert_eq!(parse_int("7 "), None);
        assert_eq!(parse_int(""), None);
        assert_eq!(parse_long("0010"), Some(10));
    }

    #[test]
    fn booleans() {
        assert!(parse_boolean_lenient("TRUE"));
        assert!(!parse_boolean_lenient("yes"));
        assert_eq!(parse_boolean_strict("False"), Some(false));
        assert_eq!(parse_boolean_strict("yes"), None);
    }

    #[test]
    fn doubles() {
        assert_eq!(parse_double("0.33"), Some(0.33));
        assert_eq!(parse_double(" 1e-1d "), Some(0.1));
        assert_eq!(parse_double("-1"), Some(-1.0));
        assert_eq!(parse_double("abc"), None);
        assert_eq!(parse_double("inf"), None);
        assert!(parse_double("NaN").is_some_and(f64::is_nan));
    }

    #[test]
    fn java_split() {
        assert_eq!(split("a:b:", ':'), vec!["a", "b"]);
        assert_eq!(split("a::b", ':'), vec!["a", "", "b"]);
        assert_eq!(split("", ':'), vec![""]);
        assert_eq!(split("::", ':'), Vec::<&str>::new());
        assert_eq!(split("a", ':'), vec!["a"]);
    }
}
