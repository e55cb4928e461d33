//! The go-plugin handshake: the magic-cookie check, choosing the protocol version Terraform
//! offered, and the single line on stdout that tells Terraform where to connect.

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;

/// Environment variable go-plugin uses to prove the binary was started by Terraform.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The value Terraform puts in it; it has never changed.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// Message printed to stderr when someone runs the binary by hand.
pub const NOT_A_COMMAND: &str = "\
This binary is a Terraform provider plugin. Terraform starts it by itself; running it by
hand does nothing useful. Add the provider to a configuration's required_providers block
and run terraform instead (or start it with --debug to attach Terraform to it).";

/// Plugin protocol major versions this binary speaks.
pub const SUPPORTED_VERSIONS: [u32; 2] = [6, 5];

/// True when the environment carries Terraform's magic cookie.
pub fn cookie_present(value: Option<&str>) -> bool {
    value == Some(MAGIC_COOKIE_VALUE)
}

/// Picks the highest protocol version offered in `PLUGIN_PROTOCOL_VERSIONS` (a comma list in
/// random order) that we support and that `allowed` permits. `None` when there is no overlap.
pub fn negotiate_version(offered: Option<&str>, allowed: &[u32]) -> Option<u32> {
    let offered: Vec<u32> = match offered {
        Some(list) => list
            .split(',')
            .filter_map(|v| v.trim().parse().ok())
            .collect(),
        // go-plugin clients too old to send the list speak only the original version.
        None => vec![5],
    };
    SUPPORTED_VERSIONS
        .iter()
        .copied()
        .filter(|v| offered.contains(v) && allowed.contains(v))
        .max()
}

/// Formats `CORE|APP|NETWORK|ADDR|grpc|CERT`. The certificate is base64 without padding,
/// as Go's `RawStdEncoding`; an empty field means plaintext.
pub fn handshake_line(version: u32, network: &str, addr: &str, cert_der: Option<&[u8]>) -> String {
    let cert = cert_der
        .map(|der| STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!("1|{version}|{network}|{addr}|grpc|{cert}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_highest_common_version_in_any_order() {
        assert_eq!(negotiate_version(Some("5,6"), &[5, 6]), Some(6));
        assert_eq!(negotiate_version(Some("6,5"), &[5, 6]), Some(6));
        assert_eq!(negotiate_version(Some("5"), &[5, 6]), Some(5));
        assert_eq!(negotiate_version(Some("5,6"), &[5]), Some(5));
        assert_eq!(negotiate_version(Some("4"), &[5, 6]), None);
        assert_eq!(negotiate_version(None, &[5, 6]), Some(5));
    }

    #[test]
    fn line_has_unpadded_certificate() {
        let line = handshake_line(6, "unix", "/tmp/s", Some(&[1, 2, 3, 4]));
        assert_eq!(line, "1|6|unix|/tmp/s|grpc|AQIDBA\n");
        assert_eq!(
            handshake_line(5, "tcp", "127.0.0.1:1", None),
            "1|5|tcp|127.0.0.1:1|grpc|\n"
        );
    }

    #[test]
    fn cookie_must_match_exactly() {
        assert!(cookie_present(Some(MAGIC_COOKIE_VALUE)));
        assert!(!cookie_present(Some("x")));
        assert!(!cookie_present(None));
    }
}
