//! Arbitrary-precision cty numbers, stored as canonical decimal text.
//!
//! go-cty compares numbers by their shortest decimal rendering, so keeping the
//! decimal text (rather than an f64) is both lossless and faithful to Terraform's
//! notion of equality. This file also decides which msgpack form a number takes.

use std::fmt;

use crate::value::error::CodecError;
use crate::value::path::AttributePath;

/// Longest canonical text we accept. Bounds memory for inputs like `1e999999999`;
/// the widest exactly-representable f64 (the smallest subnormal) needs ~1080.
const MAX_TEXT: usize = 4096;

const POS_INF: &str = "+Inf";
const NEG_INF: &str = "-Inf";

/// Arbitrary-precision number kept as its canonical decimal text.
///
/// Canonical form: optional `-`, no leading zeros, no exponent, no trailing
/// fractional zeros (`1.50e1` → `15`, `-0` → `0`); infinities are `+Inf` / `-Inf`
/// as go-cty prints them. Equality compares this form, so `1.0 == 1 == 1e0`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Number(String);

impl Number {
    /// Exact integer.
    pub fn from_i64(i: i64) -> Self {
        Number(i.to_string())
    }

    /// From a float; `None` for NaN (cty has no NaN).
    ///
    /// Integral floats keep their exact binary value (go-cty treats those as
    /// integers); others take the shortest decimal that round-trips, which is what
    /// go-cty compares by.
    pub fn from_f64(f: f64) -> Option<Self> {
        if f.is_nan() {
            return None;
        }
        if f.is_infinite() {
            let s = if f > 0.0 { POS_INF } else { NEG_INF };
            return Some(Number(s.to_string()));
        }
        if f == f.trunc() {
            return Some(Number(exact_decimal(f)));
        }
        // Display for f64 is the shortest round-trip form without an exponent.
        Number::parse(&format!("{f}")).ok()
    }

    /// Parse decimal text: `-12`, `0.5`, `.5`, `1e3`, `2.5E-7`, `+4`, or `inf`/`Inf`
    /// with optional sign. Hex, NaN and empty strings are rejected.
    pub fn parse(s: &str) -> Result<Self, CodecError> {
        parse_canonical(s)
            .map(Number)
            .map_err(|reason| CodecError::InvalidNumber {
                path: AttributePath::root(),
                text: shorten(s),
                reason,
            })
    }

    /// The value as `i64` when it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        if self.0.contains('.') || self.is_infinite() {
            return None;
        }
        self.0.parse().ok()
    }

    /// Nearest `f64` (rounding; huge values become infinity).
    pub fn as_f64(&self) -> f64 {
        match self.0.as_str() {
            POS_INF => f64::INFINITY,
            NEG_INF => f64::NEG_INFINITY,
            // Canonical text is always valid float syntax.
            s => s.parse().unwrap_or(f64::NAN),
        }
    }

    /// The canonical decimal text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for `+Inf` / `-Inf`.
    pub fn is_infinite(&self) -> bool {
        self.0 == POS_INF || self.0 == NEG_INF
    }

    /// The `f64` with exactly this value, if there is one. Infinities map to themselves.
    ///
    /// This is go-cty's test for encoding a non-int64 number as msgpack float64.
    pub fn exact_f64(&self) -> Option<f64> {
        if self.is_infinite() {
            return Some(self.as_f64());
        }
        // An exact f64 has at most ~1075 significant digits; skip the bignum work
        // for text that cannot qualify.
        if self.0.len() > 1100 {
            return None;
        }
        let f: f64 = self.0.parse().ok()?;
        if !f.is_finite() {
            return None;
        }
        (exact_decimal(f) == self.0).then_some(f)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Self {
        Number::from_i64(i)
    }
}

fn shorten(s: &str) -> String {
    if s.len() <= 64 {
        return s.to_string();
    }
    let mut end = 64;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

fn parse_canonical(s: &str) -> Result<String, String> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        return Ok(if neg { NEG_INF } else { POS_INF }.to_string());
    }
    let (mantissa, exp_text) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int_part, frac_part) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() && frac_part.is_empty() {
        return Err("no digits".into());
    }
    if !all_digits(int_part) || !all_digits(frac_part) {
        return Err("not a decimal number".into());
    }
    let mut exp: i64 = match exp_text {
        None => 0,
        Some(t) => parse_exponent(t)?,
    };
    // value = digits × 10^exp
    let mut digits: String = format!("{int_part}{frac_part}");
    exp -= frac_part.len() as i64;
    let lead = digits.bytes().take_while(|&b| b == b'0').count();
    digits.drain(..lead);
    if digits.is_empty() {
        return Ok("0".into());
    }
    let trail = digits.bytes().rev().take_while(|&b| b == b'0').count();
    digits.truncate(digits.len() - trail);
    exp += trail as i64;
    // Estimate rendered size before building it, so huge exponents fail cheaply.
    let rendered = digits.len() as i64 + exp.abs() + 2;
    if rendered > MAX_TEXT as i64 {
        return Err(format!(
            "more than {MAX_TEXT} digits when written out in full"
        ));
    }
    let mut out = String::with_capacity(rendered as usize + 1);
    if neg {
        out.push('-');
    }
    if exp >= 0 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', exp as usize));
    } else {
        let k = (-exp) as usize;
        if digits.len() > k {
            let (i, f) = digits.split_at(digits.len() - k);
            out.push_str(i);
            out.push('.');
            out.push_str(f);
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', k - digits.len()));
            out.push_str(&digits);
        }
    }
    Ok(out)
}

fn parse_exponent(t: &str) -> Result<i64, String> {
    let (neg, d) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
        return Err("malformed exponent".into());
    }
    // Saturate: anything this large is rejected by the size check later anyway
    // (unless the mantissa is zero, where the exponent is irrelevant).
    let mut v: i64 = 0;
    for b in d.bytes() {
        v = (v * 10 + i64::from(b - b'0')).min(1_000_000_000_000);
    }
    Ok(if neg { -v } else { v })
}

/// The exact decimal value of a finite f64, in canonical form.
fn exact_decimal(f: f64) -> String {
    let bits = f.to_bits();
    let neg = bits >> 63 == 1;
    let exp_bits = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    let (mut m, mut e) = if exp_bits == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), exp_bits - 1075)
    };
    if m == 0 {
        return "0".into();
    }
    while m & 1 == 0 && e < 0 {
        m >>= 1;
        e += 1;
    }
    let mut big = BigDec::from_u64(m);
    let text = if e >= 0 {
        big.mul_pow(2, e as u32);
        big.to_string()
    } else {
        // m / 2^k == m·5^k / 10^k; m is odd so the result has no trailing zeros.
        let k = (-e) as usize;
        big.mul_pow(5, k as u32);
        let d = big.to_string();
        if d.len() > k {
            format!("{}.{}", &d[..d.len() - k], &d[d.len() - k..])
        } else {
            format!("0.{}{}", "0".repeat(k - d.len()), d)
        }
    };
    if neg {
        format!("-{text}")
    } else {
        text
    }
}

/// Minimal unsigned bignum in base 10^9, just enough for exact f64 expansion.
struct BigDec(Vec<u64>);

const BASE: u64 = 1_000_000_000;

impl BigDec {
    fn from_u64(mut v: u64) -> Self {
        let mut limbs = Vec::new();
        while v > 0 {
            limbs.push(v % BASE);
            v /= BASE;
        }
        BigDec(limbs)
    }

    fn mul_small(&mut self, x: u64) {
        let mut carry = 0u64;
        for limb in &mut self.0 {
            let t = *limb * x + carry;
            *limb = t % BASE;
            carry = t / BASE;
        }
        while carry > 0 {
            self.0.push(carry % BASE);
            carry /= BASE;
        }
    }

    /// Multiply by base^n in chunks whose product with a limb fits in u64.
    fn mul_pow(&mut self, base: u64, mut n: u32) {
        let chunk = if base == 2 { 30 } else { 13 };
        while n > 0 {
            let step = n.min(chunk);
            self.mul_small(base.pow(step));
            n -= step;
        }
    }
}

impl fmt::Display for BigDec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.split_last() {
            None => f.write_str("0"),
            Some((top, rest)) => {
                write!(f, "{top}")?;
                for limb in rest.iter().rev() {
                    write!(f, "{limb:09}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    #[test]
    fn canonical_forms() {
        for (input, want) in [
            ("0", "0"),
            ("-0", "0"),
            ("+0.000", "0"),
            ("1.0", "1"),
            ("1e0", "1"),
            ("1.50e1", "15"),
            ("007", "7"),
            (".5", "0.5"),
            ("5.", "5"),
            ("-2.5E-3", "-0.0025"),
            ("1e3", "1000"),
            ("123.456e1", "1234.56"),
            ("0e999999999999999", "0"),
            ("Inf", "+Inf"),
            ("-inf", "-Inf"),
            ("+Infinity", "+Inf"),
            ("1180591620717411303424", "1180591620717411303424"),
        ] {
            assert_eq!(n(input).as_str(), want, "{input}");
        }
        assert_eq!(n("1.0"), n("1"));
        assert_eq!(n("1e0"), Number::from_i64(1));
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "", "-", ".", "e5", "1e", "1e+", "0x10", "NaN", "1.2.3", "1 ", " 1", "١",
        ] {
            assert!(Number::parse(bad).is_err(), "{bad:?}");
        }
        let err = Number::parse("1e999999999").unwrap_err();
        assert!(err.to_string().contains("digits"), "{err}");
    }

    #[test]
    fn conversions() {
        assert_eq!(n("42").as_i64(), Some(42));
        assert_eq!(n("42.5").as_i64(), None);
        assert_eq!(n("9223372036854775808").as_i64(), None);
        assert_eq!(n("-9223372036854775808").as_i64(), Some(i64::MIN));
        assert_eq!(n("0.25").as_f64(), 0.25);
        assert_eq!(n("-Inf").as_f64(), f64::NEG_INFINITY);
        assert_eq!(Number::from_f64(f64::NAN), None);
        assert_eq!(Number::from_f64(0.1).unwrap().as_str(), "0.1");
        assert_eq!(Number::from_f64(-1.5).unwrap().as_str(), "-1.5");
        assert_eq!(Number::from_f64(-0.0).unwrap().as_str(), "0");
        assert_eq!(Number::from_f64(f64::INFINITY).unwrap().as_str(), "+Inf");
        // Integral floats keep their exact value, as go-cty treats them as integers.
        assert_eq!(
            Number::from_f64(1e20).unwrap().as_str(),
            "100000000000000000000"
        );
        assert_eq!(
            Number::from_f64(1e23).unwrap().as_str(),
            "99999999999999991611392"
        );
        assert_eq!(format!("{}", n("-3.50")), "-3.5");
    }

    #[test]
    fn exact_f64_detection() {
        assert_eq!(n("0.5").exact_f64(), Some(0.5));
        assert_eq!(n("0.1").exact_f64(), None);
        assert_eq!(
            n("0.1000000000000000055511151231257827021181583404541015625").exact_f64(),
            Some(0.1)
        );
        assert_eq!(n("1180591620717411303424").exact_f64(), Some(2f64.powi(70)));
        assert_eq!(n("1180591620717411303425").exact_f64(), None);
        assert_eq!(n("+Inf").exact_f64(), Some(f64::INFINITY));
        let tiny = Number(exact_decimal(f64::from_bits(1)));
        assert_eq!(tiny.exact_f64(), Some(f64::from_bits(1)));
        let max = Number::from_f64(f64::MAX).unwrap();
        assert_eq!(max.exact_f64(), Some(f64::MAX));
        assert_eq!(max.as_str().len(), 309);
    }
}
