//! Ordered JSON values printed the way ZooKeeper's AdminServer prints them: Jackson's default pretty
//! printer (2-space object indentation, `"key" : value`, arrays inline as `[ a, b ]`, empty
//! containers as `{ }` / `[ ]`, no trailing newline) and Java's number formats.

use super::java;

#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Int(i64),
    /// Printed with Java's `Double.toString` (`0.0`, `2.3333`).
    Double(f64),
    Str(String),
    Arr(Vec<Json>),
    /// Fields in insertion order.
    Obj(Vec<(String, Json)>),
}

impl From<i64> for Json {
    fn from(v: i64) -> Self {
        Json::Int(v)
    }
}
impl From<u64> for Json {
    fn from(v: u64) -> Self {
        Json::Int(v as i64)
    }
}
impl From<i32> for Json {
    fn from(v: i32) -> Self {
        Json::Int(i64::from(v))
    }
}
impl From<usize> for Json {
    fn from(v: usize) -> Self {
        Json::Int(v as i64)
    }
}
impl From<bool> for Json {
    fn from(v: bool) -> Self {
        Json::Bool(v)
    }
}
impl From<f64> for Json {
    fn from(v: f64) -> Self {
        Json::Double(v)
    }
}
impl From<&str> for Json {
    fn from(v: &str) -> Self {
        Json::Str(v.to_owned())
    }
}
impl From<String> for Json {
    fn from(v: String) -> Self {
        Json::Str(v)
    }
}

/// An object being built; `put` replaces an existing key in place (Java's LinkedHashMap).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Obj(pub Vec<(String, Json)>);

impl Obj {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn put(&mut self, key: impl Into<String>, value: impl Into<Json>) {
        let key = key.into();
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Json> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl From<Obj> for Json {
    fn from(o: Obj) -> Self {
        Json::Obj(o.0)
    }
}

impl Json {
    /// Jackson `INDENT_OUTPUT` text.
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        write_value(&mut out, self, 0);
        out
    }
}

fn newline_indent(out: &mut String, level: usize) {
    out.push('\n');
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn write_value(out: &mut String, v: &Json, level: usize) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Int(i) => out.push_str(&i.to_string()),
        Json::Double(d) => out.push_str(&java::double(*d)),
        Json::Str(s) => write_string(out, s),
        Json::Arr(items) => {
            if items.is_empty() {
                out.push_str("[ ]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                out.push_str(if i == 0 { " " } else { ", " });
                write_value(out, item, level);
            }
            out.push_str(" ]");
        }
        Json::Obj(fields) => {
            if fields.is_empty() {
                out.push_str("{ }");
                return;
            }
            out.push('{');
            for (i, (k, val)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline_indent(out, level + 1);
                write_string(out, k);
                out.push_str(" : ");
                write_value(out, val, level + 1);
            }
            newline_indent(out, level);
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jackson_pretty_printer_layout() {
        let mut inner = Obj::new();
        inner.put("remote_socket_address", "127.0.0.1:50902");
        inner.put("interest_ops", 1i64);
        let mut o = Obj::new();
        o.put("connections", Json::Arr(vec![inner.clone().into(), inner.into()]));
        o.put("secure_connections", Json::Arr(vec![]));
        o.put("current_config", Obj::new());
        o.put("paths", Json::Arr(vec!["/a".into(), "/b".into()]));
        o.put("avg", 0.0);
        o.put("command", "connections");
        o.put("error", Json::Null);
        let want = "{\n  \"connections\" : [ {\n    \"remote_socket_address\" : \"127.0.0.1:50902\",\n    \"interest_ops\" : 1\n  }, {\n    \"remote_socket_address\" : \"127.0.0.1:50902\",\n    \"interest_ops\" : 1\n  } ],\n  \"secure_connections\" : [ ],\n  \"current_config\" : { },\n  \"paths\" : [ \"/a\", \"/b\" ],\n  \"avg\" : 0.0,\n  \"command\" : \"connections\",\n  \"error\" : null\n}";
        assert_eq!(Json::from(o).pretty(), want);
    }

    #[test]
    fn strings_are_escaped_as_jackson() {
        assert_eq!(Json::from("a\nb\"c\u{1}/").pretty(), "\"a\\nb\\\"c\\u0001/\"");
    }

    #[test]
    fn put_replaces_in_place() {
        let mut o = Obj::new();
        o.put("error", "x");
        o.put("command", "leader");
        o.put("error", "y");
        assert_eq!(
            Json::from(o).pretty(),
            "{\n  \"error\" : \"y\",\n  \"command\" : \"leader\"\n}"
        );
    }
}
