//! Decoding request bodies, with Java's tolerance of null strings in ACL ids.
//!
//! Java's jute reader decodes a string of length -1 as `null` and only fails where the server later
//! dereferences it. kazoo writes every empty string as -1, so its `CREATOR_ALL_ACL`
//! (`Id("auth", "")`) arrives as `Id("auth", null)`. Java accepts it: `PrepRequestProcessor.fixupACL`
//! never reads the id of an `auth` entry (it expands to the requester's authenticated ids), and it
//! answers INVALIDACL for a null scheme before looking at anything else. `jute` rejects nulls in plain
//! string fields, so when a request with ACLs does not decode, `decode_request` rewrites exactly those
//! nulls — an `auth` entry's null id and a null scheme (with its id) — to empty strings, which lead to
//! the same outcomes (the `auth` id is ignored; the empty scheme has no provider: INVALIDACL), and
//! decodes again. Any other null still fails (Java's NullPointerException there is a
//! MARSHALLINGERROR too).

use bytes::{BufMut, Bytes, BytesMut};
use jute::{OpCode, Reader, Request};

/// `Request::decode` of `body`, retried with the null ACL strings Java tolerates made empty.
pub fn decode_request(op: OpCode, body: &Bytes, limit: usize) -> jute::Result<Request> {
    match Request::decode(op, &mut Reader::with_limit(body.clone(), limit)) {
        Ok(r) => Ok(r),
        Err(e) => match fill_null_acl_strings(op, body) {
            Some(fixed) => Request::decode(op, &mut Reader::with_limit(fixed, limit)),
            None => Err(e),
        },
    }
}

/// A copy of a request body walking its jute layout; `None` if the layout does not parse.
struct Copier<'a> {
    input: &'a [u8],
    pos: usize,
    out: BytesMut,
    changed: bool,
}

impl Copier<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.input.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    fn i32(&mut self) -> Option<i32> {
        let b = self.take(4)?;
        let v = i32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        self.out.put_i32(v);
        Some(v)
    }

    fn copy(&mut self, n: usize) -> Option<()> {
        let start = self.pos;
        self.take(n)?;
        let (input, end) = (self.input, self.pos);
        self.out.extend_from_slice(&input[start..end]);
        Some(())
    }

    /// A length-prefixed buffer or string, copied as is; `None` inside for null.
    fn bytes(&mut self) -> Option<Option<Vec<u8>>> {
        let len = self.i32()?;
        if len == -1 {
            return Some(None);
        }
        let len = usize::try_from(len).ok()?;
        let start = self.pos;
        self.copy(len)?;
        Some(Some(self.input[start..start + len].to_vec()))
    }

    /// A string that is written empty when it is null and `fill` holds.
    fn string_filled(&mut self, fill: impl FnOnce() -> bool) -> Option<Option<Vec<u8>>> {
        let at = self.out.len();
        let s = self.bytes()?;
        if s.is_none() && fill() {
            self.out.truncate(at);
            self.out.put_i32(0);
            self.changed = true;
        }
        Some(s)
    }

    /// vector<ACL>: perms, Id { scheme, id }.
    fn acl_list(&mut self) -> Option<()> {
        let count = self.i32()?;
        for _ in 0..count.max(0) {
            self.copy(4)?;
            let scheme = self.string_filled(|| true)?;
            let fill_id = match &scheme {
                None => true,
                Some(s) => s == b"auth",
            };
            self.string_filled(|| fill_id)?;
        }
        Some(())
    }

    /// The body of one (sub-)request of type `op`; `None` for a type a multi cannot hold.
    fn body(&mut self, op: i32) -> Option<()> {
        match OpCode::from_raw(op) {
            OpCode::Create | OpCode::Create2 | OpCode::CreateContainer | OpCode::CreateTtl => {
                self.bytes()?; // path
                self.bytes()?; // data
                self.acl_list()?;
                self.copy(4)?; // flags
                if OpCode::from_raw(op) == OpCode::CreateTtl {
                    self.copy(8)?;
                }
            }
            OpCode::SetAcl => {
                self.bytes()?;
                self.acl_list()?;
                self.copy(4)?;
            }
            OpCode::Delete | OpCode::Check => {
                self.bytes()?;
                self.copy(4)?;
            }
            OpCode::SetData => {
                self.bytes()?;
                self.bytes()?;
                self.copy(4)?;
            }
            _ => return None,
        }
        Some(())
    }
}

fn fill_null_acl_strings(op: OpCode, body: &Bytes) -> Option<Bytes> {
    let mut c = Copier {
        input: body,
        pos: 0,
        out: BytesMut::with_capacity(body.len()),
        changed: false,
    };
    match op {
        OpCode::Multi => loop {
            // MultiHeader { type, done, err }
            let ty = c.i32()?;
            let done = *c.take(1)?.first()?;
            c.out.put_u8(done);
            c.copy(4)?;
            if done != 0 {
                break;
            }
            c.body(ty)?;
        },
        OpCode::Create | OpCode::Create2 | OpCode::CreateContainer | OpCode::CreateTtl | OpCode::SetAcl => {
            c.body(op.raw())?
        }
        _ => return None,
    }
    let rest = body.get(c.pos..)?;
    c.out.extend_from_slice(rest);
    c.changed.then(|| c.out.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jute::proto::CreateRequest;

    /// kazoo's `Create("/x1", b"val2", CREATOR_ALL_ACL, 0)`: `Id("auth", "")` with the id written as -1.
    const KAZOO_CREATOR_ALL: &str =
        "000000032f78310000000476616c32000000010000001f0000000461757468ffffffff00000000";

    fn hex(s: &str) -> Bytes {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect::<Vec<u8>>()
            .into()
    }

    #[test]
    fn auth_entry_with_null_id_decodes() {
        // Ref: PrepRequestProcessor.fixupACL (branch-3.8): an "auth" entry's id is never read; it expands
        // to the requester's authenticated ids. Java's jute reads the null id without complaint.
        let body = hex(KAZOO_CREATOR_ALL);
        assert!(Request::decode(OpCode::Create, &mut Reader::new(body.clone())).is_err());
        let Request::Create(CreateRequest { path, acl, flags, .. }) =
            decode_request(OpCode::Create, &body, 1 << 20).unwrap()
        else {
            panic!("not a create")
        };
        assert_eq!((path.as_str(), flags), ("/x1", 0));
        let acl = acl.unwrap();
        assert_eq!(
            (acl[0].perms, acl[0].id.scheme.as_str(), acl[0].id.id.as_str()),
            (31, "auth", "")
        );
    }

    #[test]
    fn null_scheme_becomes_an_unknown_scheme_and_other_null_ids_still_fail() {
        // Ref: PrepRequestProcessor.fixupACL: a null scheme is INVALIDACL (an empty scheme has no provider
        // either); `world` with a null id throws NullPointerException there: MARSHALLINGERROR.
        let null_scheme = hex("000000032f78310000000476616c32000000010000001fffffffffffffffff00000000");
        let Request::Create(r) = decode_request(OpCode::Create, &null_scheme, 1 << 20).unwrap() else {
            panic!("not a create")
        };
        let id = &r.acl.unwrap()[0].id;
        assert_eq!((id.scheme.as_str(), id.id.as_str()), ("", ""));
        let world_null =
            hex("000000032f78310000000476616c32000000010000001f00000005776f726c64ffffffff00000000");
        assert!(decode_request(OpCode::Create, &world_null, 1 << 20).is_err());
    }

    #[test]
    fn multi_and_set_acl_are_rewritten_too() {
        // A multi of [delete /a, create /x1 with kazoo's CREATOR_ALL_ACL], then setACL.
        let create = KAZOO_CREATOR_ALL;
        let multi = format!(
            "{}{}{}{}{}",
            "0000000200ffffffff", "000000022f61ffffffff", "0000000100ffffffff", create, "ffffffff01ffffffff"
        );
        let Request::Multi(ops) = decode_request(OpCode::Multi, &hex(&multi), 1 << 20).unwrap() else {
            panic!("not a multi")
        };
        assert_eq!(ops.len(), 2);
        let set_acl = "000000032f7831000000010000001f0000000461757468ffffffff00000005";
        let Request::SetAcl(r) = decode_request(OpCode::SetAcl, &hex(set_acl), 1 << 20).unwrap() else {
            panic!("not a setACL")
        };
        assert_eq!((r.path.as_str(), r.version), ("/x1", 5));
    }
}
