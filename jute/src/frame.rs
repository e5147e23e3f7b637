//! Length-prefixed framing of the client port: `int32 length` + `length` payload bytes.

use bytes::{Buf, BufMut, Bytes, BytesMut};

/// Why a frame was refused. ZooKeeper closes the connection without a reply in both cases.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("Len error {0}")]
    BadLength(i32),
}

/// Takes one complete frame off the front of `buf`. `Ok(None)` when more input is needed. A length that
/// is negative or above `max_len` is an error, detected from the 4-byte prefix alone, before anything is
/// buffered or allocated for it.
pub fn decode_frame(buf: &mut BytesMut, max_len: usize) -> Result<Option<Bytes>, FrameError> {
    if buf.len() < 4 {
        return Ok(None);
    }
    let len = i32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]);
    if len < 0 || len as usize > max_len {
        return Err(FrameError::BadLength(len));
    }
    let len = len as usize;
    if buf.len() < 4 + len {
        buf.reserve(4 + len - buf.len());
        return Ok(None);
    }
    buf.advance(4);
    Ok(Some(buf.split_to(len).freeze()))
}

/// Writes frames whose length is only known after the payload: reserve the prefix, write, then patch.
pub struct FrameWriter<'a> {
    out: &'a mut BytesMut,
    start: usize,
}

impl<'a> FrameWriter<'a> {
    pub fn begin(out: &'a mut BytesMut) -> Self {
        let start = out.len();
        out.put_i32(0);
        Self { out, start }
    }

    pub fn buf(&mut self) -> &mut BytesMut {
        self.out
    }

    /// Patches the length prefix; returns the payload length.
    pub fn finish(self) -> usize {
        let len = self.out.len() - self.start - 4;
        let len32 = i32::try_from(len).expect("frame exceeds i32::MAX");
        self.out[self.start..self.start + 4].copy_from_slice(&len32.to_be_bytes());
        len
    }
}

/// Appends `payload` as one frame.
pub fn encode_frame(payload: &[u8], out: &mut BytesMut) {
    let len = i32::try_from(payload.len()).expect("frame exceeds i32::MAX");
    out.put_i32(len);
    out.put_slice(payload);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incomplete_input_is_not_an_error() {
        let mut b = BytesMut::from(&[0u8, 0, 0][..]);
        assert_eq!(decode_frame(&mut b, 100), Ok(None));
        let mut b = BytesMut::from(&[0u8, 0, 0, 3, 1, 2][..]);
        assert_eq!(decode_frame(&mut b, 100), Ok(None));
        b.put_u8(3);
        assert_eq!(
            decode_frame(&mut b, 100),
            Ok(Some(Bytes::from_static(&[1, 2, 3])))
        );
        assert!(b.is_empty());
    }

    #[test]
    fn over_limit_and_negative_lengths_are_refused_before_buffering() {
        // A frame claiming 2 GiB - 1.
        let mut b = BytesMut::from(&[0x7fu8, 0xff, 0xff, 0xff][..]);
        assert_eq!(
            decode_frame(&mut b, 0xfffff),
            Err(FrameError::BadLength(0x7fff_ffff))
        );
        assert!(b.capacity() < 1024, "no allocation for the claimed length");
        let mut b = BytesMut::from(&[0xffu8, 0xff, 0xff, 0xff][..]);
        assert_eq!(decode_frame(&mut b, 0xfffff), Err(FrameError::BadLength(-1)));
        // The limit itself is accepted (ZooKeeper: len > maxbuffer is refused).
        let mut b = BytesMut::new();
        b.put_i32(0xfffff);
        assert_eq!(decode_frame(&mut b, 0xfffff), Ok(None));
    }

    #[test]
    fn frame_writer_patches_the_length() {
        let mut out = BytesMut::new();
        let mut w = FrameWriter::begin(&mut out);
        w.buf().put_slice(b"hello");
        assert_eq!(w.finish(), 5);
        assert_eq!(&out[..], b"\0\0\0\x05hello");
    }
}
