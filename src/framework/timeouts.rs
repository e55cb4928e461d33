//! The `timeouts` block and Go duration strings ("30s", "1h30m", "2.5m"), as users know them
//! from every other provider.

use std::time::Duration;

use crate::framework::diagnostics::Diagnostics;
use crate::framework::schema::{Attribute, Block, NestedBlock};
use crate::value::{AttributePath, Type, Value};

/// A `timeouts` block offering the given operations (e.g. `["create", "update", "delete"]`).
pub fn timeouts_block(operations: &[&str], defaults: &str) -> NestedBlock {
    let mut block = Block::new(&format!("Time limits for operations. {defaults}"));
    for op in operations {
        block = block.attribute(
            Attribute::optional(
                op,
                Type::String,
                &format!("How long {op} may take, as a Go duration such as \"30m\" or \"1h\"."),
            )
            .validate(validate_duration),
        );
    }
    NestedBlock::single("timeouts", block)
}

fn validate_duration(value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    if let Some(text) = value.as_str() {
        if let Err(e) = parse_go_duration(text) {
            diags.attribute_error(
                path.clone(),
                "Invalid Timeout",
                format!("{e}. Use a Go duration such as \"90s\", \"30m\" or \"1h30m\"."),
            );
        }
    }
}

/// Reads `timeouts.<operation>` from a resource value, falling back to `default`.
pub fn timeout_for(resource: &Value, operation: &str, default: Duration) -> Duration {
    resource
        .attr("timeouts")
        .attr(operation)
        .as_str()
        .and_then(|text| parse_go_duration(text).ok())
        .unwrap_or(default)
}

/// Parses a Go duration: a sequence of decimal numbers with units ns, us, µs, ms, s, m, h.
/// Negative durations are refused (a timeout cannot be negative).
pub fn parse_go_duration(text: &str) -> Result<Duration, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("the duration is empty".into());
    }
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.starts_with('-') {
        return Err(format!("\"{text}\" is negative"));
    }
    let s = s.strip_prefix('+').unwrap_or(s);
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number_len == 0 {
            return Err(format!("\"{text}\" is not a duration: expected a number"));
        }
        let number: f64 = rest[..number_len]
            .parse()
            .map_err(|_| format!("\"{text}\" is not a duration: bad number"))?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds_per_unit = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "" => return Err(format!("\"{text}\" is not a duration: missing unit")),
            unit => {
                return Err(format!(
                    "\"{text}\" is not a duration: unknown unit \"{unit}\""
                ))
            }
        };
        total += number * seconds_per_unit;
        rest = &rest[unit_len..];
    }
    // Go keeps durations in signed 64-bit nanoseconds (about 292 years); anything longer is
    // refused as Go refuses it, and would overflow a deadline computed from it.
    if total > MAX_GO_DURATION_SECONDS {
        return Err(format!(
            "\"{text}\" is longer than a Go duration can be (2562047h47m16s, about 292 years)"
        ));
    }
    Duration::try_from_secs_f64(total).map_err(|_| format!("\"{text}\" is out of range"))
}

/// The longest Go duration, 2^63-1 nanoseconds, in seconds.
const MAX_GO_DURATION_SECONDS: f64 = i64::MAX as f64 / 1e9;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse_go_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_go_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_go_duration("2.5m"), Ok(Duration::from_secs(150)));
        assert_eq!(parse_go_duration("150ms"), Ok(Duration::from_millis(150)));
        assert_eq!(parse_go_duration("0"), Ok(Duration::ZERO));
    }

    #[test]
    fn rejects_malformed_durations() {
        for bad in ["", "10", "m", "1x", "-5s", "1.2.3s", "5 m"] {
            assert!(parse_go_duration(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn refuses_durations_longer_than_go_allows() {
        for bad in [
            "10000000000000000000s",
            "2562048h",
            "300000000000000000000ns",
        ] {
            let error = parse_go_duration(bad).unwrap_err();
            assert!(
                error.contains("longer than a Go duration"),
                "{bad}: {error}"
            );
        }
        let longest = parse_go_duration("2562047h").unwrap();
        assert!(std::time::Instant::now().checked_add(longest).is_some());
    }

    #[test]
    fn reads_from_resource_value_with_default() {
        let v = Value::object([("timeouts", Value::object([("create", Value::string("2m"))]))]);
        assert_eq!(
            timeout_for(&v, "create", Duration::from_secs(1)),
            Duration::from_secs(120)
        );
        assert_eq!(
            timeout_for(&v, "delete", Duration::from_secs(7)),
            Duration::from_secs(7)
        );
    }
}
