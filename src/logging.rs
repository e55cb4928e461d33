//! Logging in the form Terraform's plugin host reads: one hclog JSON object per stderr line
//! (`@level`, `@message`, `@module`, `@timestamp` with exactly six fractional digits, plus
//! structured fields). The level follows `TF_LOG_PROVIDER`, else `TF_LOG`; nothing is written
//! when neither is set, which is also when Terraform would discard the lines.
//!
//! Callers pass only values that are safe to show: ARNs, names, request ids, statuses. Webhook
//! secrets, credentials and tokens are never handed to this module.

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value as Json};

/// Log levels, most verbose first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Wire-level detail.
    Trace = 1,
    /// Decisions and waiter polls.
    Debug = 2,
    /// Lifecycle steps.
    Info = 3,
    /// Something the user may need to act on.
    Warn = 4,
    /// A failure.
    Error = 5,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }

    /// Parses a `TF_LOG` value. Terraform treats any unrecognised non-empty value as TRACE.
    pub fn from_env_value(value: &str) -> Option<Level> {
        match value.trim().to_ascii_uppercase().as_str() {
            "" | "OFF" => None,
            "DEBUG" => Some(Level::Debug),
            "INFO" => Some(Level::Info),
            "WARN" => Some(Level::Warn),
            "ERROR" => Some(Level::Error),
            _ => Some(Level::Trace),
        }
    }
}

/// 0 means "off".
static MAX_LEVEL: AtomicU8 = AtomicU8::new(0);

/// Sets the level from the environment. Call once at start-up.
pub fn init_from_env() {
    let value = std::env::var("TF_LOG_PROVIDER")
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| std::env::var("TF_LOG").ok());
    let level = value.as_deref().and_then(Level::from_env_value);
    MAX_LEVEL.store(level.map_or(0, |l| l as u8), Ordering::Relaxed);
}

/// True when a line at `level` would be written.
pub fn enabled(level: Level) -> bool {
    let max = MAX_LEVEL.load(Ordering::Relaxed);
    max != 0 && level as u8 >= max
}

tokio::task_local! {
    /// Fields every line logged inside one RPC carries (RPC name, request id, resource type),
    /// so a resource's own log calls need not repeat them.
    static CONTEXT: Vec<(&'static str, Json)>;
}

/// Runs `work` with `fields` added to every line it logs.
pub async fn with_context<F: std::future::Future>(
    fields: Vec<(&'static str, Json)>,
    work: F,
) -> F::Output {
    CONTEXT.scope(fields, work).await
}

/// Writes one log line. Prefer the `log_*!` macros.
pub fn emit(level: Level, module: &str, message: &str, fields: &[(&str, Json)]) {
    if !enabled(level) {
        return;
    }
    let mut all: Vec<(&str, Json)> = CONTEXT
        .try_with(|context| context.iter().map(|(k, v)| (*k, v.clone())).collect())
        .unwrap_or_default();
    all.extend(fields.iter().map(|(k, v)| (*k, v.clone())));
    let line = format_line(level, module, message, &all, SystemTime::now());
    // A closed stderr must not take the provider down; the line is simply lost.
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

fn format_line(
    level: Level,
    module: &str,
    message: &str,
    fields: &[(&str, Json)],
    now: SystemTime,
) -> String {
    let mut object = Map::new();
    object.insert("@level".into(), Json::from(level.as_str()));
    object.insert("@message".into(), Json::from(message));
    object.insert("@module".into(), Json::from(format!("provider.{module}")));
    object.insert("@timestamp".into(), Json::from(timestamp(now)));
    for (key, value) in fields {
        object.insert((*key).to_string(), value.clone());
    }
    let mut line = Json::Object(object).to_string();
    line.push('\n');
    line
}

/// Formats `YYYY-MM-DDTHH:MM:SS.ffffffZ`, the only shape hclog's parser accepts.
fn timestamp(now: SystemTime) -> String {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60,
        since.subsec_micros()
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Logs at a level: `log_at!(Level::Info, "message", key = value, ...)`.
#[macro_export]
macro_rules! log_at {
    ($level:expr, $msg:expr $(, $key:ident = $value:expr)* $(,)?) => {
        if $crate::logging::enabled($level) {
            $crate::logging::emit(
                $level,
                module_path!().trim_start_matches("terraform_provider_gitlab_codebuild::"),
                &$msg,
                &[$((stringify!($key), ::serde_json::json!($value))),*],
            )
        }
    };
}

/// Logs at TRACE.
#[macro_export]
macro_rules! log_trace {
    ($($t:tt)*) => { $crate::log_at!($crate::logging::Level::Trace, $($t)*) };
}
/// Logs at DEBUG.
#[macro_export]
macro_rules! log_debug {
    ($($t:tt)*) => { $crate::log_at!($crate::logging::Level::Debug, $($t)*) };
}
/// Logs at INFO.
#[macro_export]
macro_rules! log_info {
    ($($t:tt)*) => { $crate::log_at!($crate::logging::Level::Info, $($t)*) };
}
/// Logs at WARN.
#[macro_export]
macro_rules! log_warn {
    ($($t:tt)*) => { $crate::log_at!($crate::logging::Level::Warn, $($t)*) };
}
/// Logs at ERROR.
#[macro_export]
macro_rules! log_error {
    ($($t:tt)*) => { $crate::log_at!($crate::logging::Level::Error, $($t)*) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamp_has_six_fraction_digits() {
        let t = UNIX_EPOCH + Duration::from_micros(1_627_000_000_123_456);
        assert_eq!(timestamp(t), "2021-07-23T00:26:40.123456Z");
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
    }

    #[test]
    fn line_is_hclog_json_with_fields() {
        let line = format_line(
            Level::Warn,
            "runner",
            "waiting",
            &[("arn", Json::from("arn:x"))],
            UNIX_EPOCH,
        );
        let parsed: Json = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed["@level"], "warn");
        assert_eq!(parsed["@message"], "waiting");
        assert_eq!(parsed["@module"], "provider.runner");
        assert_eq!(parsed["arn"], "arn:x");
        assert!(line.ends_with('\n'));
    }

    #[tokio::test]
    async fn context_fields_reach_every_line_inside_the_scope() {
        let fields = vec![("tf_rpc", Json::from("ReadResource"))];
        let seen = with_context(fields, async {
            CONTEXT.with(|c| c.iter().map(|(k, _)| *k).collect::<Vec<_>>())
        })
        .await;
        assert_eq!(seen, vec!["tf_rpc"]);
        assert!(CONTEXT.try_with(|_| ()).is_err());
    }

    #[test]
    fn levels_follow_terraform_names() {
        assert_eq!(Level::from_env_value("debug"), Some(Level::Debug));
        assert_eq!(Level::from_env_value("JSON"), Some(Level::Trace));
        assert_eq!(Level::from_env_value(""), None);
        assert_eq!(Level::from_env_value("off"), None);
    }
}
