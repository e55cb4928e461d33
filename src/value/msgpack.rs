//! MessagePack codec for `DynamicValue.msgpack`, byte-compatible with go-cty.
//!
//! Hand-rolled because the subset is small and go-cty's choices (compact ints,
//! float64 only when exact, ext 0 for unknown, strict objects) need exact control.
//! The decoder is type-driven and never trusts a length prefix beyond the bytes
//! that remain, so arbitrary input yields `Err`, never a panic or huge allocation.

use std::collections::BTreeMap;

use crate::value::error::CodecError;
use crate::value::path::{AttributePath, PathStep};
use crate::value::ty::Type;
use crate::value::value::{mismatch, Number, Value};
use crate::value::MAX_DEPTH;

/// Encode `v` as a value of type `ty`.
///
/// Object values may omit attributes (they are written as nil); attributes the type
/// lacks are an error. Unknowns become ext type 0 (`d4 00 00`), as Terraform writes.
pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut enc = Encoder {
        out: Vec::new(),
        path: Vec::new(),
        depth: 0,
    };
    enc.value(v, ty)?;
    Ok(enc.out)
}

/// Decode bytes holding a value of type `ty`.
///
/// Any extension type (plain ext 0 or refined ext 12) decodes as `Value::Unknown`;
/// refinements are dropped. Objects must carry exactly the type's attributes.
/// Empty input is an error: callers map an empty `DynamicValue` to null themselves.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut dec = Decoder {
        buf: bytes,
        pos: 0,
        path: Vec::new(),
        depth: 0,
    };
    let v = dec.value(ty)?;
    if dec.pos != bytes.len() {
        return Err(dec.malformed(format!(
            "{} trailing bytes after the value",
            bytes.len() - dec.pos
        )));
    }
    Ok(v)
}

static NULL: Value = Value::Null;

/// A step of the path being walked, borrowed from the input. The codecs turn the steps into
/// an [`AttributePath`] only when an error needs one: an owned step per attribute cost an
/// allocation per attribute on every call.
#[derive(Clone, Copy)]
enum Step<'a> {
    Attr(&'a str),
    Key(&'a str),
    Index(i64),
}

fn owned(steps: &[Step<'_>]) -> AttributePath {
    AttributePath {
        steps: steps
            .iter()
            .map(|s| match *s {
                Step::Attr(n) => PathStep::Attribute(n.to_string()),
                Step::Key(k) => PathStep::ElementKeyString(k.to_string()),
                Step::Index(i) => PathStep::ElementKeyInt(i),
            })
            .collect(),
    }
}

/// The first name of `given` that `attrs` lacks; both iterate in the same (bytewise) order,
/// so one pass over each finds it.
fn first_extra<'g, V>(
    given: &'g BTreeMap<String, V>,
    attrs: &BTreeMap<String, Type>,
) -> Option<&'g String> {
    let mut names = attrs.keys().peekable();
    given.keys().find(|k| {
        while names.next_if(|n| n < k).is_some() {}
        names.next_if(|n| n == k).is_none()
    })
}

struct Encoder<'a> {
    out: Vec<u8>,
    path: Vec<Step<'a>>,
    depth: usize,
}

impl<'a> Encoder<'a> {
    fn path(&self) -> AttributePath {
        owned(&self.path)
    }

    fn value(&mut self, v: &'a Value, ty: &'a Type) -> Result<(), CodecError> {
        if self.depth > MAX_DEPTH {
            return Err(CodecError::TooDeep {
                path: self.path(),
                limit: MAX_DEPTH,
            });
        }
        if *ty == Type::Dynamic {
            return match v {
                Value::Null => {
                    self.out.push(0xc0);
                    Ok(())
                }
                Value::Unknown => {
                    self.unknown();
                    Ok(())
                }
                // go-cty wraps every typed value in a dynamic slot as [type JSON, value].
                Value::Dynamic(t, inner) => {
                    self.array_len(2)?;
                    self.bin(t.to_json().as_bytes())?;
                    self.nested(|e| e.value(inner, t))
                }
                other => Err(mismatch(&self.path(), ty, other)),
            };
        }
        match (ty, v) {
            (_, Value::Unknown) => self.unknown(),
            (_, Value::Null) => self.out.push(0xc0),
            (_, Value::Dynamic(t, inner)) if t == ty => return self.value(inner, ty),
            (Type::Bool, Value::Bool(b)) => self.out.push(if *b { 0xc3 } else { 0xc2 }),
            (Type::Number, Value::Number(n)) => self.number(n)?,
            (Type::String, Value::String(s)) => self.str(s)?,
            (Type::List(et), Value::List(items)) | (Type::Set(et), Value::Set(items)) => {
                self.array_len(items.len())?;
                self.nested(|e| e.seq(items, |_| et))?;
            }
            (Type::Tuple(ets), Value::Tuple(items)) => {
                if ets.len() != items.len() {
                    return Err(CodecError::TupleLength {
                        path: self.path(),
                        expected: ets.len(),
                        found: items.len(),
                    });
                }
                self.array_len(items.len())?;
                self.nested(|e| e.seq(items, |i| &ets[i]))?;
            }
            (Type::Map(et), Value::Map(entries)) => {
                self.map_len(entries.len())?;
                self.nested(|e| {
                    for (k, item) in entries {
                        e.str(k)?;
                        e.path.push(Step::Key(k));
                        e.value(item, et)?;
                        e.path.pop();
                    }
                    Ok(())
                })?;
            }
            (Type::Object { attrs, .. }, Value::Object(given)) => {
                if let Some(extra) = first_extra(given, attrs) {
                    return Err(CodecError::UnsupportedAttribute {
                        path: self.path(),
                        name: extra.clone(),
                    });
                }
                // Terraform decodes objects strictly, so every attribute is written,
                // in BTreeMap (bytewise) order as go-cty sorts them. `given` is a subset in
                // the same order: walk the two together instead of looking each name up.
                self.map_len(attrs.len())?;
                self.nested(|e| {
                    let mut given = given.iter().peekable();
                    for (name, aty) in attrs {
                        let item = given.next_if(|(k, _)| *k == name).map_or(&NULL, |(_, v)| v);
                        e.str(name)?;
                        e.path.push(Step::Attr(name));
                        e.value(item, aty)?;
                        e.path.pop();
                    }
                    Ok(())
                })?;
            }
            (ty, v) => return Err(mismatch(&self.path(), ty, v)),
        }
        Ok(())
    }

    fn nested(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<(), CodecError>,
    ) -> Result<(), CodecError> {
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn seq(
        &mut self,
        items: &'a [Value],
        ety: impl Fn(usize) -> &'a Type,
    ) -> Result<(), CodecError> {
        for (i, item) in items.iter().enumerate() {
            self.path.push(Step::Index(i as i64));
            self.value(item, ety(i))?;
            self.path.pop();
        }
        Ok(())
    }

    fn unknown(&mut self) {
        // fixext1, ext type 0, one zero payload byte: exactly what go-cty writes.
        self.out.extend_from_slice(&[0xd4, 0x00, 0x00]);
    }

    /// go-cty's rule: int64 if exact, else float64 if exact, else decimal string.
    fn number(&mut self, n: &Number) -> Result<(), CodecError> {
        if let Some(i) = n.as_i64() {
            self.int(i);
        } else if let Some(f) = n.exact_f64() {
            self.out.push(0xcb);
            self.out.extend_from_slice(&f.to_bits().to_be_bytes());
        } else {
            self.str(n.as_str())?;
        }
        Ok(())
    }

    /// Smallest encoding, as go-cty's compact encoder picks (unsigned forms for >= 0).
    fn int(&mut self, i: i64) {
        let out = &mut self.out;
        if (0..=0x7f).contains(&i) || (-32..0).contains(&i) {
            out.push(i as u8);
        } else if i >= 0 {
            let u = i as u64;
            if u <= u64::from(u8::MAX) {
                out.extend_from_slice(&[0xcc, u as u8]);
            } else if u <= u64::from(u16::MAX) {
                out.push(0xcd);
                out.extend_from_slice(&(u as u16).to_be_bytes());
            } else if u <= u64::from(u32::MAX) {
                out.push(0xce);
                out.extend_from_slice(&(u as u32).to_be_bytes());
            } else {
                out.push(0xcf);
                out.extend_from_slice(&u.to_be_bytes());
            }
        } else if i >= i64::from(i8::MIN) {
            out.extend_from_slice(&[0xd0, i as i8 as u8]);
        } else if i >= i64::from(i16::MIN) {
            out.push(0xd1);
            out.extend_from_slice(&(i as i16).to_be_bytes());
        } else if i >= i64::from(i32::MIN) {
            out.push(0xd2);
            out.extend_from_slice(&(i as i32).to_be_bytes());
        } else {
            out.push(0xd3);
            out.extend_from_slice(&i.to_be_bytes());
        }
    }

    fn str(&mut self, s: &str) -> Result<(), CodecError> {
        let len = s.len();
        if len < 32 {
            self.out.push(0xa0 | len as u8);
        } else {
            self.len_header(len, [0xd9, 0xda, 0xdb])?;
        }
        self.out.extend_from_slice(s.as_bytes());
        Ok(())
    }

    fn bin(&mut self, b: &[u8]) -> Result<(), CodecError> {
        self.len_header(b.len(), [0xc4, 0xc5, 0xc6])?;
        self.out.extend_from_slice(b);
        Ok(())
    }

    fn array_len(&mut self, len: usize) -> Result<(), CodecError> {
        if len < 16 {
            self.out.push(0x90 | len as u8);
            Ok(())
        } else {
            self.len_header(len, [0, 0xdc, 0xdd])
        }
    }

    fn map_len(&mut self, len: usize) -> Result<(), CodecError> {
        if len < 16 {
            self.out.push(0x80 | len as u8);
            Ok(())
        } else {
            self.len_header(len, [0, 0xde, 0xdf])
        }
    }

    /// Writes an 8/16/32-bit length header; a zero marker means "no 8-bit form".
    fn len_header(&mut self, len: usize, markers: [u8; 3]) -> Result<(), CodecError> {
        if markers[0] != 0 && len <= usize::from(u8::MAX) {
            self.out.extend_from_slice(&[markers[0], len as u8]);
        } else if len <= usize::from(u16::MAX) {
            self.out.push(markers[1]);
            self.out.extend_from_slice(&(len as u16).to_be_bytes());
        } else if let Ok(l) = u32::try_from(len) {
            self.out.push(markers[2]);
            self.out.extend_from_slice(&l.to_be_bytes());
        } else {
            return Err(CodecError::Malformed {
                path: self.path(),
                message: format!("length {len} exceeds msgpack's 32-bit limit"),
            });
        }
        Ok(())
    }
}

struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Attribute names and map keys borrow from `buf`.
    path: Vec<Step<'a>>,
    depth: usize,
}

fn is_ext(marker: u8) -> bool {
    matches!(marker, 0xd4..=0xd8 | 0xc7..=0xc9)
}

/// What a marker byte introduces, for "X is required, found Y" messages.
fn describe(marker: u8) -> &'static str {
    match marker {
        0x00..=0x7f | 0xe0..=0xff | 0xcc..=0xd3 => "integer",
        0x80..=0x8f | 0xde | 0xdf => "map",
        0x90..=0x9f | 0xdc | 0xdd => "array",
        0xa0..=0xbf | 0xd9..=0xdb => "string",
        0xc0 => "nil",
        0xc2 | 0xc3 => "bool",
        0xc4..=0xc6 => "binary",
        0xca | 0xcb => "float",
        0xc7..=0xc9 | 0xd4..=0xd8 => "extension",
        0xc1 => "reserved byte 0xc1",
    }
}

impl<'a> Decoder<'a> {
    fn path(&self) -> AttributePath {
        owned(&self.path)
    }

    fn malformed(&self, message: String) -> CodecError {
        CodecError::Malformed {
            path: self.path(),
            message,
        }
    }

    fn expected(&self, ty: &Type, marker: u8) -> CodecError {
        CodecError::TypeMismatch {
            path: self.path(),
            expected: ty.friendly_name(),
            found: describe(marker).to_string(),
        }
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn peek(&self) -> Result<u8, CodecError> {
        self.buf
            .get(self.pos)
            .copied()
            .ok_or_else(|| self.malformed(format!("unexpected end of input at byte {}", self.pos)))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        if n > self.remaining() {
            return Err(self.malformed(format!(
                "need {n} bytes at byte {} but only {} remain",
                self.pos,
                self.remaining()
            )));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn byte(&mut self) -> Result<u8, CodecError> {
        Ok(self.take(1)?[0])
    }

    /// Big-endian unsigned integer of `n` (1, 2, 4 or 8) bytes.
    fn uint(&mut self, n: usize) -> Result<u64, CodecError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    fn value(&mut self, ty: &Type) -> Result<Value, CodecError> {
        let marker = self.peek()?;
        // go-cty treats every extension as an unknown, whatever its type code.
        if is_ext(marker) {
            self.skip_ext()?;
            return Ok(Value::Unknown);
        }
        if *ty == Type::Dynamic {
            return self.dynamic();
        }
        if marker == 0xc0 {
            self.pos += 1;
            return Ok(Value::Null);
        }
        match ty {
            Type::Bool => match self.byte()? {
                0xc2 => Ok(Value::Bool(false)),
                0xc3 => Ok(Value::Bool(true)),
                m => Err(self.expected(ty, m)),
            },
            Type::Number => self.number(ty).map(Value::Number),
            Type::String => match self.str_or_bin()? {
                Some(b) => self.utf8(b).map(|s| Value::String(s.to_string())),
                None => Err(self.expected(ty, marker)),
            },
            Type::List(et) => self.seq(ty, |_| Some(et)).map(Value::List),
            Type::Set(et) => self.seq(ty, |_| Some(et)).map(Value::Set),
            Type::Tuple(ets) => self.seq(ty, |i| ets.get(i)).map(Value::Tuple),
            Type::Map(et) => self.map(ty, et),
            Type::Object { attrs, .. } => self.object(ty, attrs),
            Type::Dynamic => unreachable!("handled above"),
        }
    }

    fn enter(&mut self) -> Result<(), CodecError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(CodecError::TooDeep {
                path: self.path(),
                limit: MAX_DEPTH,
            });
        }
        Ok(())
    }

    fn skip_ext(&mut self) -> Result<(), CodecError> {
        let marker = self.byte()?;
        let payload = match marker {
            0xd4 => 1,
            0xd5 => 2,
            0xd6 => 4,
            0xd7 => 8,
            0xd8 => 16,
            0xc7 => self.uint(1)? as usize,
            0xc8 => self.uint(2)? as usize,
            _ => self.uint(4)? as usize,
        };
        // One byte of extension type code precedes the payload.
        self.take(1 + payload)?;
        Ok(())
    }

    fn number(&mut self, ty: &Type) -> Result<Number, CodecError> {
        let marker = self.byte()?;
        let n = match marker {
            0x00..=0x7f => Number::from_i64(i64::from(marker)),
            0xe0..=0xff => Number::from_i64(i64::from(marker as i8)),
            0xcc => Number::from_i64(self.uint(1)? as i64),
            0xcd => Number::from_i64(self.uint(2)? as i64),
            0xce => Number::from_i64(self.uint(4)? as i64),
            0xcf => {
                let u = self.uint(8)?;
                match i64::try_from(u) {
                    Ok(i) => Number::from_i64(i),
                    Err(_) => Number::parse(&u.to_string()).map_err(|e| e.at_path(&self.path()))?,
                }
            }
            0xd0 => Number::from_i64(i64::from(self.uint(1)? as u8 as i8)),
            0xd1 => Number::from_i64(i64::from(self.uint(2)? as u16 as i16)),
            0xd2 => Number::from_i64(i64::from(self.uint(4)? as u32 as i32)),
            0xd3 => Number::from_i64(self.uint(8)? as i64),
            0xca => {
                let f = f32::from_bits(self.uint(4)? as u32);
                self.float(f64::from(f))?
            }
            0xcb => {
                let f = f64::from_bits(self.uint(8)?);
                self.float(f)?
            }
            _ => {
                // Too big or too precise for int/float: go-cty sends decimal text.
                self.pos -= 1;
                let Some(b) = self.str_or_bin()? else {
                    return Err(self.expected(ty, marker));
                };
                let s = self.utf8(b)?;
                Number::parse(s).map_err(|e| e.at_path(&self.path()))?
            }
        };
        Ok(n)
    }

    fn float(&self, f: f64) -> Result<Number, CodecError> {
        Number::from_f64(f).ok_or_else(|| CodecError::InvalidNumber {
            path: self.path(),
            text: "NaN".into(),
            reason: "NaN is not a number cty can hold".into(),
        })
    }

    /// Bytes of a str or bin item (go-cty accepts either where it wants a string);
    /// `None`, consuming nothing, if the next item is neither.
    fn str_or_bin(&mut self) -> Result<Option<&'a [u8]>, CodecError> {
        let marker = self.peek()?;
        let len = match marker {
            0xa0..=0xbf => {
                self.pos += 1;
                usize::from(marker & 0x1f)
            }
            0xd9 | 0xc4 => {
                self.pos += 1;
                self.uint(1)? as usize
            }
            0xda | 0xc5 => {
                self.pos += 1;
                self.uint(2)? as usize
            }
            0xdb | 0xc6 => {
                self.pos += 1;
                self.uint(4)? as usize
            }
            _ => return Ok(None),
        };
        self.take(len).map(Some)
    }

    fn utf8(&self, b: &'a [u8]) -> Result<&'a str, CodecError> {
        std::str::from_utf8(b).map_err(|e| self.malformed(format!("string is not UTF-8: {e}")))
    }

    /// Reads an array header; checks the count against the bytes left before
    /// anyone allocates for it (every element takes at least one byte).
    fn array_len(&mut self, ty: &Type) -> Result<usize, CodecError> {
        let marker = self.byte()?;
        let n = match marker {
            0x90..=0x9f => usize::from(marker & 0x0f),
            0xdc => self.uint(2)? as usize,
            0xdd => self.uint(4)? as usize,
            m => return Err(self.expected(ty, m)),
        };
        if n > self.remaining() {
            return Err(self.malformed(format!(
                "array claims {n} elements but only {} bytes remain",
                self.remaining()
            )));
        }
        Ok(n)
    }

    /// Map header; each entry takes at least two bytes.
    fn map_len(&mut self, ty: &Type) -> Result<usize, CodecError> {
        let marker = self.byte()?;
        let n = match marker {
            0x80..=0x8f => usize::from(marker & 0x0f),
            0xde => self.uint(2)? as usize,
            0xdf => self.uint(4)? as usize,
            m => return Err(self.expected(ty, m)),
        };
        if n > self.remaining() / 2 {
            return Err(self.malformed(format!(
                "map claims {n} entries but only {} bytes remain",
                self.remaining()
            )));
        }
        Ok(n)
    }

    fn seq<'t>(
        &mut self,
        ty: &Type,
        ety: impl Fn(usize) -> Option<&'t Type>,
    ) -> Result<Vec<Value>, CodecError> {
        let n = self.array_len(ty)?;
        if let Type::Tuple(ets) = ty {
            if ets.len() != n {
                return Err(CodecError::TupleLength {
                    path: self.path(),
                    expected: ets.len(),
                    found: n,
                });
            }
        }
        self.enter()?;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let et = ety(i).ok_or_else(|| self.malformed("tuple index out of range".into()))?;
            self.path.push(Step::Index(i as i64));
            out.push(self.value(et)?);
            self.path.pop();
        }
        self.depth -= 1;
        Ok(out)
    }

    fn key(&mut self, what: &str) -> Result<&'a str, CodecError> {
        match self.str_or_bin()? {
            Some(b) => self.utf8(b),
            None => {
                let m = self.peek()?;
                Err(self.malformed(format!(
                    "{what} keys must be strings, found {}",
                    describe(m)
                )))
            }
        }
    }

    fn map(&mut self, ty: &Type, et: &Type) -> Result<Value, CodecError> {
        let n = self.map_len(ty)?;
        self.enter()?;
        let mut out = BTreeMap::new();
        for _ in 0..n {
            let k = self.key("map")?;
            self.path.push(Step::Key(k));
            let v = self.value(et)?;
            self.path.pop();
            out.insert(k.to_string(), v);
        }
        self.depth -= 1;
        Ok(Value::Map(out))
    }

    fn object(&mut self, ty: &Type, attrs: &BTreeMap<String, Type>) -> Result<Value, CodecError> {
        let n = self.map_len(ty)?;
        // Strict like go-cty: Terraform's own decoder rejects any other count.
        if n != attrs.len() {
            return Err(CodecError::AttributeCount {
                path: self.path(),
                expected: attrs.len(),
                found: n,
            });
        }
        self.enter()?;
        // go-cty writes attributes in the type's (bytewise) order. While they come in that
        // order, each key is checked against the next expected name alone; after a key out
        // of order, names are looked up, and the pairs are sorted and checked for repeats at
        // the end. The map is then built from sorted pairs in one go.
        let mut expected = attrs.iter();
        let mut in_order = true;
        let mut pairs: Vec<(&String, Value)> = Vec::with_capacity(n);
        for _ in 0..n {
            let k = self.key("object")?;
            let next = expected.next().filter(|(name, _)| in_order && *name == k);
            let (name, aty) = match next {
                Some(pair) => pair,
                None => {
                    in_order = false;
                    attrs
                        .get_key_value(k)
                        .ok_or_else(|| CodecError::UnsupportedAttribute {
                            path: self.path(),
                            name: k.to_string(),
                        })?
                }
            };
            self.path.push(Step::Attr(k));
            let v = self.value(aty)?;
            self.path.pop();
            pairs.push((name, v));
        }
        if !in_order {
            pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
            if let Some(w) = pairs.windows(2).find(|w| w[0].0 == w[1].0) {
                return Err(self.malformed(format!("duplicate attribute {:?}", w[0].0)));
            }
        }
        self.depth -= 1;
        Ok(Value::Object(
            pairs.into_iter().map(|(k, v)| (k.clone(), v)).collect(),
        ))
    }

    /// `[type JSON (bin or str), value]`, or nil for a null of unknown type.
    fn dynamic(&mut self) -> Result<Value, CodecError> {
        if self.peek()? == 0xc0 {
            self.pos += 1;
            return Ok(Value::Null);
        }
        let n = self.array_len(&Type::Dynamic)?;
        if n != 2 {
            return Err(self.malformed(format!(
                "dynamic value array must have exactly two elements, found {n}"
            )));
        }
        self.enter()?;
        let Some(type_json) = self.str_or_bin()? else {
            let m = self.peek()?;
            return Err(self.malformed(format!(
                "dynamic value type must be bin or str, found {}",
                describe(m)
            )));
        };
        let t = Type::from_json(type_json).map_err(|e| e.at_path(&self.path()))?;
        let v = self.value(&t)?;
        self.depth -= 1;
        Ok(Value::Dynamic(t, Box::new(v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::testutil::{arb_type, arb_typed_value};
    use proptest::prelude::*;

    fn hex(b: &[u8]) -> String {
        b.iter()
            .map(|x| format!("{x:02x}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn enc(v: &Value, ty: &Type) -> String {
        hex(&encode(v, ty).unwrap())
    }

    fn num(s: &str) -> Value {
        Value::Number(Number::parse(s).unwrap())
    }

    #[test]
    fn golden_null_and_unknown() {
        assert_eq!(enc(&Value::Unknown, &Type::String), "d4 00 00");
        assert_eq!(enc(&Value::Null, &Type::String), "c0");
        assert_eq!(enc(&Value::Null, &Type::Dynamic), "c0");
        assert_eq!(enc(&Value::Unknown, &Type::Dynamic), "d4 00 00");
        assert_eq!(
            decode(&[0xc0], &Type::list(Type::String)).unwrap(),
            Value::Null
        );
        assert_eq!(
            decode(&[0xd4, 0, 0], &Type::Number).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn any_extension_decodes_as_unknown() {
        // Refined unknown (ext 12) with payload {1: true} as Terraform >= 1.6 sends it.
        let refined = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3];
        assert_eq!(decode(&refined, &Type::String).unwrap(), Value::Unknown);
        assert_eq!(decode(&refined, &Type::Dynamic).unwrap(), Value::Unknown);
        for ext in [
            &[0xd5, 0x07, 1, 2][..],
            &[0xd6, 0x01, 1, 2, 3, 4],
            &[0xd7, 0x00, 0, 0, 0, 0, 0, 0, 0, 0],
            &[0xd8, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            &[0xc8, 0x00, 0x01, 0x0c, 0xc0],
            &[0xc9, 0x00, 0x00, 0x00, 0x00, 0x0c],
        ] {
            assert_eq!(
                decode(ext, &Type::Bool).unwrap(),
                Value::Unknown,
                "{}",
                hex(ext)
            );
        }
        assert!(
            decode(&[0xc7, 0x05, 0x0c, 0x80], &Type::Bool).is_err(),
            "truncated ext"
        );
    }

    #[test]
    fn golden_object_sorted_and_complete() {
        let ty = Type::object([("b", Type::String), ("a", Type::Number), ("aa", Type::Bool)]);
        let v = Value::object([("a", Value::number_i64(1)), ("b", Value::string("x"))]);
        // {"a":1,"aa":nil,"b":"x"}: all attributes present, bytewise key order.
        assert_eq!(enc(&v, &ty), "83 a1 61 01 a2 61 61 c0 a1 62 a1 78");
        let back = decode(&encode(&v, &ty).unwrap(), &ty).unwrap();
        assert_eq!(back, v.conform(&ty).unwrap());
        // Bytewise order puts uppercase and "_" before lowercase, "é" after.
        let ty = Type::object([("é", Type::Bool), ("z", Type::Bool), ("Z", Type::Bool)]);
        assert_eq!(
            enc(&Value::object(Vec::<(String, Value)>::new()), &ty),
            "83 a1 5a c0 a1 7a c0 a2 c3 a9 c0"
        );
    }

    #[test]
    fn golden_numbers() {
        let cases = [
            ("0", "00"),
            ("127", "7f"),
            ("128", "cc 80"),
            ("256", "cd 01 00"),
            ("65536", "ce 00 01 00 00"),
            ("4294967296", "cf 00 00 00 01 00 00 00 00"),
            ("-1", "ff"),
            ("-32", "e0"),
            ("-33", "d0 df"),
            ("-129", "d1 ff 7f"),
            ("-32769", "d2 ff ff 7f ff"),
            ("-9223372036854775808", "d3 80 00 00 00 00 00 00 00"),
            ("0.5", "cb 3f e0 00 00 00 00 00 00"),
            // 2^63 and 2^70 are not int64 but are exact float64 values: go-cty sends floats.
            ("9223372036854775808", "cb 43 e0 00 00 00 00 00 00"),
            ("1180591620717411303424", "cb 44 50 00 00 00 00 00 00"),
            ("+Inf", "cb 7f f0 00 00 00 00 00 00"),
            ("-Inf", "cb ff f0 00 00 00 00 00 00"),
        ];
        for (text, bytes) in cases {
            assert_eq!(enc(&num(text), &Type::Number), bytes, "{text}");
            assert_eq!(
                decode(&encode(&num(text), &Type::Number).unwrap(), &Type::Number).unwrap(),
                num(text)
            );
        }
        // Not exactly representable as int64 or float64: decimal string, like go-cty.
        let s = |t: &str| {
            let mut b = vec![0xa0 | t.len() as u8];
            b.extend_from_slice(t.as_bytes());
            hex(&b)
        };
        for text in [
            "0.1",
            "1180591620717411303425",
            "9223372036854775809",
            "-0.8",
        ] {
            assert_eq!(enc(&num(text), &Type::Number), s(text), "{text}");
        }
    }

    #[test]
    fn decodes_every_number_form() {
        let cases: [(&[u8], &str); 12] = [
            (&[0x05], "5"),
            (&[0xf0], "-16"),
            (&[0xcc, 0xff], "255"),
            (&[0xcd, 0xff, 0xff], "65535"),
            (&[0xce, 0xff, 0xff, 0xff, 0xff], "4294967295"),
            (
                &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                "18446744073709551615",
            ),
            (&[0xd0, 0x80], "-128"),
            (&[0xd1, 0x80, 0x00], "-32768"),
            (&[0xd2, 0x80, 0, 0, 0], "-2147483648"),
            (&[0xca, 0x3f, 0xc0, 0, 0], "1.5"),
            (
                &[0xcb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a],
                "0.1",
            ),
            (&[0xa4, b'1', b'e', b'2', b'0'], "100000000000000000000"),
        ];
        for (bytes, want) in cases {
            assert_eq!(
                decode(bytes, &Type::Number).unwrap(),
                num(want),
                "{}",
                hex(bytes)
            );
        }
        // bin is accepted wherever go-cty accepts str.
        assert_eq!(decode(&[0xc4, 1, b'7'], &Type::Number).unwrap(), num("7"));
        assert_eq!(
            decode(&[0xc4, 1, b'x'], &Type::String).unwrap(),
            Value::string("x")
        );
        let nan = [0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0];
        assert!(matches!(
            decode(&nan, &Type::Number),
            Err(CodecError::InvalidNumber { .. })
        ));
        let err = decode(&[0xa3, b'a', b'b', b'c'], &Type::Number).unwrap_err();
        assert!(err.to_string().contains("invalid number \"abc\""), "{err}");
    }

    #[test]
    fn golden_dynamic() {
        let v = Value::Dynamic(Type::String, Box::new(Value::string("hi")));
        // [bin("\"string\""), "hi"]
        assert_eq!(
            enc(&v, &Type::Dynamic),
            "92 c4 08 22 73 74 72 69 6e 67 22 a2 68 69"
        );
        assert_eq!(
            decode(&encode(&v, &Type::Dynamic).unwrap(), &Type::Dynamic).unwrap(),
            v
        );
        // Typed null and typed unknown keep their type wrapper.
        let tn = Value::Dynamic(Type::Number, Box::new(Value::Null));
        assert_eq!(
            enc(&tn, &Type::Dynamic),
            "92 c4 08 22 6e 75 6d 62 65 72 22 c0"
        );
        let tu = Value::Dynamic(Type::Bool, Box::new(Value::Unknown));
        assert_eq!(
            enc(&tu, &Type::Dynamic),
            "92 c4 06 22 62 6f 6f 6c 22 d4 00 00"
        );
        // The type JSON may also arrive as str.
        let as_str = [
            0x92, 0xa8, b'"', b's', b't', b'r', b'i', b'n', b'g', b'"', 0xa2, b'h', b'i',
        ];
        assert_eq!(decode(&as_str, &Type::Dynamic).unwrap(), v);
        let ty = Type::object([("d", Type::Dynamic)]);
        let bad = [0x81, 0xa1, b'd', 0x93, 0xc0, 0xc0, 0xc0];
        let err = decode(&bad, &ty).unwrap_err();
        assert!(err.to_string().contains("exactly two elements"), "{err}");
        let bad_type = [0x81, 0xa1, b'd', 0x92, 0xa1, b'x', 0xc0];
        let err = decode(&bad_type, &ty).unwrap_err();
        assert!(matches!(err, CodecError::InvalidType { .. }), "{err}");
        assert_eq!(err.path().to_string(), "d");
        // A plain value in a dynamic slot carries no type: refuse rather than guess.
        assert!(encode(&Value::string("x"), &Type::Dynamic).is_err());
    }

    #[test]
    fn strict_object_decode() {
        let ty = Type::object([("a", Type::String), ("b", Type::String)]);
        let err = decode(&[0x81, 0xa1, b'a', 0xc0], &ty).unwrap_err();
        assert_eq!(
            err.to_string(),
            "at root: an object with 2 attributes is required (1 given)"
        );
        let err = decode(&[0x80], &ty).unwrap_err();
        assert!(matches!(
            err,
            CodecError::AttributeCount {
                expected: 2,
                found: 0,
                ..
            }
        ));
        let err = decode(&[0x82, 0xa1, b'a', 0xc0, 0xa1, b'z', 0xc0], &ty).unwrap_err();
        assert_eq!(err.to_string(), "at root: unsupported attribute \"z\"");
        let err = decode(&[0x82, 0xa1, b'a', 0xc0, 0xa1, b'a', 0xc0], &ty).unwrap_err();
        assert!(err.to_string().contains("duplicate attribute"), "{err}");
        let err = decode(&[0x82, 0x01, 0xc0, 0xa1, b'a', 0xc0], &ty).unwrap_err();
        assert!(err.to_string().contains("keys must be strings"), "{err}");
        // Keys out of the type's order decode alike; a repeat after them is still caught.
        let three = Type::object([
            ("a", Type::String),
            ("b", Type::String),
            ("c", Type::String),
        ]);
        let out_of_order = [
            0x83, 0xa1, b'c', 0xa1, b'z', 0xa1, b'a', 0xc0, 0xa1, b'b', 0xc0,
        ];
        assert_eq!(
            decode(&out_of_order, &three).unwrap(),
            Value::object([
                ("a", Value::Null),
                ("b", Value::Null),
                ("c", Value::string("z"))
            ])
        );
        let repeat = [0x83, 0xa1, b'a', 0xc0, 0xa1, b'c', 0xc0, 0xa1, b'c', 0xc0];
        let err = decode(&repeat, &three).unwrap_err();
        assert!(err.to_string().contains("duplicate attribute"), "{err}");
        // Encoding names the attribute the type lacks, wherever it sorts.
        for extra in ["0", "ab", "d"] {
            let v = Value::object([("a", Value::Null), (extra, Value::Null)]);
            let err = encode(&v, &three).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("at root: unsupported attribute \"{extra}\"")
            );
        }
        // Nested errors carry the path.
        let outer = Type::object([("rules", Type::list(ty.clone()))]);
        let bytes = [
            0x81, 0xa5, b'r', b'u', b'l', b'e', b's', 0x91, 0x82, 0xa1, b'a', 0x01, 0xa1, b'b',
            0xc0,
        ];
        let err = decode(&bytes, &outer).unwrap_err();
        assert_eq!(
            err.to_string(),
            "at rules[0].a: string is required, found integer"
        );
        // Empty object type accepts an empty map.
        let empty = Type::object(Vec::<(String, Type)>::new());
        assert_eq!(
            decode(&[0x80], &empty).unwrap(),
            Value::Object(Default::default())
        );
    }

    #[test]
    fn encode_errors_name_the_path() {
        let ty = Type::object([("tags", Type::map(Type::String))]);
        let v = Value::object([(
            "tags",
            Value::Map([("env".into(), Value::Bool(true))].into()),
        )]);
        let err = encode(&v, &ty).unwrap_err();
        assert_eq!(
            err.to_string(),
            "at tags[\"env\"]: string is required, found bool"
        );
        let err = encode(&Value::object([("nope", Value::Null)]), &ty).unwrap_err();
        assert!(matches!(err, CodecError::UnsupportedAttribute { .. }));
        let tup = Type::tuple([Type::String]);
        assert!(encode(&Value::Tuple(vec![]), &tup).is_err());
    }

    #[test]
    fn malformed_input_is_rejected() {
        let t = Type::list(Type::String);
        for bad in [
            &[][..],
            &[0xc1],
            &[0x91],
            &[0xdd, 0xff, 0xff, 0xff, 0xff],
            &[0xa5, b'a'],
            &[0xdb, 0xff, 0xff, 0xff, 0xff],
            &[0x91, 0xa1, 0xff],
            &[0x90, 0x00],
            &[0x80],
        ] {
            assert!(decode(bad, &t).is_err(), "{}", hex(bad));
        }
        let err = decode(&[0x90, 0x00], &t).unwrap_err();
        assert!(err.to_string().contains("trailing"), "{err}");
        let map = Type::map(Type::String);
        assert!(decode(&[0xdf, 0xff, 0xff, 0xff, 0xff, 0xa0], &map).is_err());
    }

    #[test]
    fn deep_nesting_is_an_error() {
        // Each level is a dynamic wrapper carrying type "dynamic".
        let level = [
            0x92, 0xc4, 0x09, b'"', b'd', b'y', b'n', b'a', b'm', b'i', b'c', b'"',
        ];
        let mut bytes = level.repeat(100_000);
        bytes.push(0xc0);
        let err = decode(&bytes, &Type::Dynamic).unwrap_err();
        assert!(matches!(err, CodecError::TooDeep { .. }), "{err}");
        let ok = [level.repeat(10), vec![0xc0]].concat();
        assert!(decode(&ok, &Type::Dynamic).is_ok());
    }

    #[test]
    fn large_strings_and_collections_use_wide_headers() {
        let long = "x".repeat(70_000);
        let b = encode(&Value::string(long.clone()), &Type::String).unwrap();
        assert_eq!(&b[..5], &[0xdb, 0x00, 0x01, 0x11, 0x70]);
        let b = encode(&Value::string("y".repeat(40)), &Type::String).unwrap();
        assert_eq!(&b[..2], &[0xd9, 40]);
        let items: Vec<Value> = (0..20).map(Value::number_i64).collect();
        let b = encode(&Value::List(items.clone()), &Type::list(Type::Number)).unwrap();
        assert_eq!(&b[..3], &[0xdc, 0x00, 20]);
        assert_eq!(
            decode(&b, &Type::list(Type::Number)).unwrap(),
            Value::List(items)
        );
        assert_eq!(
            decode(
                &encode(&Value::string(long.clone()), &Type::String).unwrap(),
                &Type::String
            )
            .unwrap(),
            Value::string(long)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn round_trip((ty, v) in arb_typed_value(true)) {
            let bytes = encode(&v, &ty).unwrap();
            let back = decode(&bytes, &ty).unwrap();
            prop_assert_eq!(&back, &v);
            // Re-encoding is byte-stable.
            prop_assert_eq!(encode(&back, &ty).unwrap(), bytes);
        }

        #[test]
        fn random_bytes_never_panic(
            ty in arb_type(),
            bytes in prop::collection::vec(any::<u8>(), 0..256),
        ) {
            let _ = decode(&bytes, &ty);
        }

        #[test]
        fn mutated_encodings_never_panic(
            (ty, v) in arb_typed_value(true),
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = encode(&v, &ty).unwrap();
            for (at, b) in edits {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
            let _ = decode(&bytes, &ty);
            let keep = cut.index(bytes.len() + 1);
            let _ = decode(&bytes[..keep], &ty);
        }
    }
}
