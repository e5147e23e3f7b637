//! The jute binary encoding (big-endian, no tags):
//!
//! ```text
//! boolean  = u8 (0 or 1 written; any non-zero reads as true)
//! int      = i32 BE            long = i64 BE
//! buffer   = int len, len bytes        len = -1 means null
//! ustring  = int len, len UTF-8 bytes  len = -1 means null
//! vector   = int count, count elements count = -1 means null
//! record   = its fields in schema order
//! ```
//!
//! Decoding reads from a [`Reader`] over a [`Bytes`]: buffers are zero-copy slices of the input, and every
//! length is checked against both the configured limit and the bytes actually present before anything is
//! allocated, so a claimed 2 GiB length costs nothing. Vectors never pre-allocate more elements than the
//! remaining input could hold (every element is at least one byte).
//!
//! Null handling: fields where ZooKeeper distinguishes null from empty (node data, quorum packet payloads,
//! optional strings, request ACL lists) are `Option<_>`. A null in a plain `String` or `Vec` field is a
//! decoding error (Java would fail on it with a NullPointerException, which ZooKeeper answers with
//! MARSHALLINGERROR); a plain `Bytes` field reads a null as empty.

use bytes::{Buf, BufMut, Bytes, BytesMut};

use crate::error::{Error, Result};

/// ZooKeeper's default `jute.maxbuffer` (0xfffff, 1 MiB - 1).
pub const DEFAULT_MAX_BUFFER: usize = 0xfffff;

/// A cursor over encoded bytes with a per-buffer length limit.
#[derive(Debug, Clone)]
pub struct Reader {
    buf: Bytes,
    limit: usize,
}

impl Reader {
    /// A reader whose buffers and strings may be as long as `2 × DEFAULT_MAX_BUFFER`, ZooKeeper's default
    /// `jute.maxbuffer + jute.maxbuffer.extrasize`.
    pub fn new(buf: Bytes) -> Self {
        Self::with_limit(buf, 2 * DEFAULT_MAX_BUFFER)
    }

    /// A reader whose buffers and strings may be at most `limit` bytes long.
    pub fn with_limit(buf: Bytes, limit: usize) -> Self {
        Self { buf, limit }
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    pub fn remaining(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The unread bytes, without consuming them.
    pub fn peek(&self) -> &[u8] {
        &self.buf
    }

    /// Takes the rest of the input.
    pub fn take_rest(&mut self) -> Bytes {
        self.buf.split_off(0)
    }

    fn need(&self, n: usize) -> Result<()> {
        if self.buf.len() < n {
            Err(Error::UnexpectedEof {
                needed: n,
                remaining: self.buf.len(),
            })
        } else {
            Ok(())
        }
    }

    pub fn read_u8(&mut self) -> Result<u8> {
        self.need(1)?;
        Ok(self.buf.get_u8())
    }

    pub fn read_bool(&mut self) -> Result<bool> {
        Ok(self.read_u8()? != 0)
    }

    pub fn read_i32(&mut self) -> Result<i32> {
        self.need(4)?;
        Ok(self.buf.get_i32())
    }

    pub fn read_i64(&mut self) -> Result<i64> {
        self.need(8)?;
        Ok(self.buf.get_i64())
    }

    /// Takes exactly `n` raw bytes (no length prefix).
    pub fn read_raw(&mut self, n: usize) -> Result<Bytes> {
        self.need(n)?;
        Ok(self.buf.split_to(n))
    }

    /// Reads a length prefix: `None` for -1, an error for other negatives, over-limit or over-input lengths.
    fn read_len(&mut self) -> Result<Option<usize>> {
        let len = self.read_i32()?;
        if len == -1 {
            return Ok(None);
        }
        if len < 0 {
            return Err(Error::NegativeLength(len));
        }
        let len = len as usize;
        if len > self.limit {
            return Err(Error::TooLong {
                len,
                limit: self.limit,
            });
        }
        self.need(len)?;
        Ok(Some(len))
    }

    /// A jute `buffer`; `None` for null.
    pub fn read_buffer(&mut self) -> Result<Option<Bytes>> {
        match self.read_len()? {
            None => Ok(None),
            Some(len) => Ok(Some(self.buf.split_to(len))),
        }
    }

    /// A jute `ustring`; `None` for null. Invalid UTF-8 is replaced by U+FFFD, as Java's decoder does.
    pub fn read_ustring(&mut self) -> Result<Option<String>> {
        match self.read_len()? {
            None => Ok(None),
            Some(len) => {
                let raw = self.buf.split_to(len);
                Ok(Some(java_utf8_lossy(&raw)))
            }
        }
    }

    /// A vector count; `None` for null. Counts are not bounded by the limit (Java does not bound them
    /// either) but by the input: each element takes at least one byte.
    pub fn read_count(&mut self) -> Result<Option<usize>> {
        let n = self.read_i32()?;
        if n == -1 {
            return Ok(None);
        }
        if n < 0 {
            // Java's reader loops `for i < count`: any other negative count is an empty vector.
            return Ok(Some(0));
        }
        let n = n as usize;
        if n > self.buf.len() {
            return Err(Error::UnexpectedEof {
                needed: n,
                remaining: self.buf.len(),
            });
        }
        Ok(Some(n))
    }

    /// Errors unless the whole input has been consumed.
    pub fn finish(&self) -> Result<()> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(Error::TrailingBytes(self.buf.len()))
        }
    }
}

/// A value with a jute encoding.
pub trait Jute: Sized {
    fn encode(&self, out: &mut BytesMut);
    fn decode(r: &mut Reader) -> Result<Self>;

    /// Encodes into a fresh buffer.
    fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::new();
        self.encode(&mut out);
        out.freeze()
    }

    /// Decodes one value that must span all of `buf`.
    fn from_bytes(buf: Bytes) -> Result<Self> {
        let mut r = Reader::new(buf);
        let v = Self::decode(&mut r)?;
        r.finish()?;
        Ok(v)
    }
}

impl Jute for bool {
    fn encode(&self, out: &mut BytesMut) {
        out.put_u8(u8::from(*self));
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        r.read_bool()
    }
}

impl Jute for u8 {
    fn encode(&self, out: &mut BytesMut) {
        out.put_u8(*self);
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        r.read_u8()
    }
}

impl Jute for i32 {
    fn encode(&self, out: &mut BytesMut) {
        out.put_i32(*self);
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        r.read_i32()
    }
}

impl Jute for i64 {
    fn encode(&self, out: &mut BytesMut) {
        out.put_i64(*self);
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        r.read_i64()
    }
}

pub(crate) fn put_len(out: &mut BytesMut, len: usize) {
    // Lengths beyond i32 cannot be represented; a record that large is a bug upstream of the codec.
    let len = i32::try_from(len).expect("jute length exceeds i32::MAX");
    out.put_i32(len);
}

impl Jute for Bytes {
    fn encode(&self, out: &mut BytesMut) {
        put_len(out, self.len());
        out.put_slice(self);
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        Ok(r.read_buffer()?.unwrap_or_default())
    }
}

impl Jute for Option<Bytes> {
    fn encode(&self, out: &mut BytesMut) {
        match self {
            None => out.put_i32(-1),
            Some(b) => b.encode(out),
        }
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        r.read_buffer()
    }
}

/// Decodes UTF-8 as Java's decoder does: an encoded surrogate (`ED A0..BF 80..BF`, what Java's own
/// writer produces for characters above U+FFFF) is one U+FFFD; other invalid bytes are replaced as
/// usual.
pub fn java_utf8_lossy(raw: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(raw) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (valid, bad) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{fffd}');
                let skip = match bad {
                    [0xed, b1, b2, ..] if (0xa0..=0xbf).contains(b1) && (0x80..=0xbf).contains(b2) => 3,
                    _ => e.error_len().unwrap_or(bad.len()),
                };
                rest = &bad[skip.min(bad.len())..];
            }
        }
    }
}

/// Encodes as Java's jute writer does: UTF-8, except that characters above U+FFFF are written as their
/// two UTF-16 surrogates, 3 bytes each (CESU-8), as Java encodes each UTF-16 unit separately.
fn put_java_string(out: &mut BytesMut, s: &str) {
    if s.chars().all(|c| (c as u32) <= 0xffff) {
        put_len(out, s.len());
        out.put_slice(s.as_bytes());
        return;
    }
    let mut buf = Vec::with_capacity(s.len() + 8);
    for c in s.chars() {
        let mut units = [0u16; 2];
        if (c as u32) <= 0xffff {
            let mut tmp = [0u8; 4];
            buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
        } else {
            for u in c.encode_utf16(&mut units).iter().map(|u| *u as u32) {
                buf.extend_from_slice(&[
                    0xe0 | (u >> 12) as u8,
                    0x80 | ((u >> 6) & 0x3f) as u8,
                    0x80 | (u & 0x3f) as u8,
                ]);
            }
        }
    }
    put_len(out, buf.len());
    out.put_slice(&buf);
}

impl Jute for String {
    fn encode(&self, out: &mut BytesMut) {
        put_java_string(out, self);
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        r.read_ustring()?.ok_or(Error::UnexpectedNull("ustring"))
    }
}

impl Jute for Option<String> {
    fn encode(&self, out: &mut BytesMut) {
        match self {
            None => out.put_i32(-1),
            Some(s) => s.encode(out),
        }
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        r.read_ustring()
    }
}

fn decode_elems<T: Jute>(r: &mut Reader, n: usize) -> Result<Vec<T>> {
    let mut v = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        v.push(T::decode(r)?);
    }
    Ok(v)
}

impl<T: Jute> Jute for Vec<T> {
    fn encode(&self, out: &mut BytesMut) {
        put_len(out, self.len());
        for e in self {
            e.encode(out);
        }
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        match r.read_count()? {
            None => Err(Error::UnexpectedNull("vector")),
            Some(n) => decode_elems(r, n),
        }
    }
}

impl<T: Jute> Jute for Option<Vec<T>> {
    fn encode(&self, out: &mut BytesMut) {
        match self {
            None => out.put_i32(-1),
            Some(v) => v.encode(out),
        }
    }
    fn decode(r: &mut Reader) -> Result<Self> {
        match r.read_count()? {
            None => Ok(None),
            Some(n) => decode_elems(r, n).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_and_empty_buffers_are_distinct() {
        let null: Option<Bytes> = None;
        let empty: Option<Bytes> = Some(Bytes::new());
        assert_eq!(&null.to_bytes()[..], &[0xff, 0xff, 0xff, 0xff]);
        assert_eq!(&empty.to_bytes()[..], &[0, 0, 0, 0]);
        assert_eq!(Option::<Bytes>::from_bytes(null.to_bytes()).unwrap(), None);
        assert_eq!(
            Option::<Bytes>::from_bytes(empty.to_bytes()).unwrap(),
            Some(Bytes::new())
        );
    }

    #[test]
    fn claimed_two_gib_lengths_are_rejected_without_allocating() {
        // 0x7fffffff claimed bytes, 3 present: rejected by the limit check.
        let input = Bytes::from_static(&[0x7f, 0xff, 0xff, 0xff, 1, 2, 3]);
        let err = Option::<Bytes>::decode(&mut Reader::new(input.clone())).unwrap_err();
        assert!(matches!(err, Error::TooLong { len: 0x7fff_ffff, .. }), "{err:?}");
        // With no limit, it is rejected because the input is shorter than claimed.
        let err = Option::<Bytes>::decode(&mut Reader::with_limit(input.clone(), usize::MAX)).unwrap_err();
        assert!(matches!(err, Error::UnexpectedEof { .. }), "{err:?}");
        // A 2 GiB vector count is bounded by the input, not pre-allocated.
        let err = Vec::<String>::decode(&mut Reader::new(input)).unwrap_err();
        assert!(matches!(err, Error::UnexpectedEof { .. }), "{err:?}");
    }

    #[test]
    fn negative_lengths_other_than_null_are_errors() {
        let input = Bytes::from_static(&[0xff, 0xff, 0xff, 0xfe]);
        assert_eq!(
            String::decode(&mut Reader::new(input.clone())),
            Err(Error::NegativeLength(-2))
        );
        assert_eq!(
            Vec::<i32>::decode(&mut Reader::new(input)),
            Ok(Vec::new()),
            "Java reads a vector count of -2 as empty"
        );
    }

    #[test]
    fn characters_above_the_bmp_travel_as_java_writes_and_reads_them() {
        // Ref: reference §1.2: Java writes 😀 as two 3-byte surrogates and reads each back as U+FFFD.
        let bytes = "a\u{1F600}".to_owned().to_bytes();
        assert_eq!(
            &bytes[..],
            &[0, 0, 0, 7, b'a', 0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]
        );
        assert_eq!(
            String::decode(&mut Reader::new(bytes)).unwrap(),
            "a\u{fffd}\u{fffd}"
        );
        let lone = Bytes::from_static(&[0, 0, 0, 4, b'x', 0xed, 0xa0, 0x80]);
        assert_eq!(String::decode(&mut Reader::new(lone)).unwrap(), "x\u{fffd}");
    }

    #[test]
    fn invalid_utf8_is_replaced_like_java() {
        let input = Bytes::from_static(&[0, 0, 0, 2, 0xc3, 0x28]);
        assert_eq!(String::decode(&mut Reader::new(input)).unwrap(), "\u{fffd}(");
    }

    #[test]
    fn booleans_read_any_nonzero_as_true() {
        assert!(bool::decode(&mut Reader::new(Bytes::from_static(&[7]))).unwrap());
        assert_eq!(&true.to_bytes()[..], &[1]);
    }
}
