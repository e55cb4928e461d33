//! Plan-time checks of single attributes, with AWS's own limits, so a bad value is reported
//! at its line in the configuration before anything is created.

use crate::framework::Diagnostics;
use crate::value::{AttributePath, Value};

fn fail(diags: &mut Diagnostics, path: &AttributePath, summary: &str, detail: String) {
    diags.attribute_error(path.clone(), summary, detail);
}

/// CodeBuild project names: 2-150 characters, a letter or digit first, then letters, digits,
/// `-` and `_`.
pub fn project_name(value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    let Some(name) = value.as_str() else { return };
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let len = name.chars().count();
    if !(2..=150).contains(&len) || !first_ok || !rest_ok {
        fail(
            diags,
            path,
            "Invalid CodeBuild Project Name",
            format!(
                "\"{name}\" is not a valid CodeBuild project name. Use 2 to 150 characters: a \
                 letter or digit first, then letters, digits, '-' or '_'."
            ),
        );
    }
}

/// An `http(s)://host[...]` URL without credentials; `example` shows the expected form in
/// the error.
pub fn url_like(
    example: &'static str,
) -> impl Fn(&Value, &AttributePath, &mut Diagnostics) + Send + Sync + 'static {
    move |value, path, diags| {
        let Some(text) = value.as_str() else { return };
        // The part before an '@' may be a password: such a URL is never repeated.
        let has_at = text.contains('@');
        if has_at && !authority_is_plain(text) {
            fail(
                diags,
                path,
                "Credentials In A URL",
                format!(
                    "The URL carries a user name or password before '@'. AWS would store it as \
                     given and Terraform would show it in plans and state. Remove that part \
                     (write it like {example}); the connection authorizes GitLab in the console \
                     handshake, with a personal access token."
                ),
            );
        } else if url_host(text).is_none() {
            let shown = if has_at {
                "The value".to_string()
            } else {
                format!("\"{text}\"")
            };
            fail(
                diags,
                path,
                "Invalid URL",
                format!("{shown} is not an http(s) URL. Write it like {example}."),
            );
        }
    }
}

/// True when the text has a `scheme://authority` whose authority holds no `user@` part.
fn authority_is_plain(text: &str) -> bool {
    let authority = text
        .split_once("://")
        .and_then(|(_, rest)| rest.split(['/', '?', '#']).next());
    authority.is_some_and(|a| !a.contains('@'))
}

/// The host part of an http(s) URL (a name, an IPv4 address or a bracketed IPv6 address),
/// lower-cased; `None` when the text is not such a URL.
pub fn url_host(text: &str) -> Option<String> {
    if text.chars().any(char::is_whitespace) {
        return None;
    }
    let (scheme, rest) = text.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let (host, port) = match host_port.strip_prefix('[') {
        Some(v6) => {
            let (address, after) = v6.split_once(']')?;
            let ok = !address.is_empty()
                && address
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
            (ok.then(|| format!("[{address}]"))?, after.strip_prefix(':'))
        }
        None => match host_port.split_once(':') {
            Some((host, port)) => (host.to_string(), Some(port)),
            None => (host_port.to_string(), None),
        },
    };
    let name_ok = host.starts_with('[')
        || (!host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'));
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    (name_ok && port_ok).then(|| host.to_ascii_lowercase())
}

/// True when two GitLab URLs name the same endpoint: the scheme and host compare without
/// case and a trailing `/` does not count, so such an edit sends no UpdateHost.
pub fn same_endpoint(a: &str, b: &str) -> bool {
    fn normal(url: &str) -> String {
        let url = url.trim_end_matches('/');
        let split = url.find("://").map(|i| i + 3).unwrap_or(0);
        let authority_end = url[split..].find('/').map_or(url.len(), |i| split + i);
        format!(
            "{}{}",
            url[..authority_end].to_ascii_lowercase(),
            &url[authority_end..]
        )
    }
    normal(a) == normal(b)
}

/// An IAM role ARN.
pub fn role_arn(value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    let Some(arn) = value.as_str() else { return };
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = matches!(parts.as_slice(),
        [arn_word, partition, "iam", "", account, resource]
            if *arn_word == "arn"
            && partition.starts_with("aws")
            && account.len() == 12 && account.chars().all(|c| c.is_ascii_digit())
            && resource.strip_prefix("role/").is_some_and(|r| !r.is_empty()));
    if !ok {
        fail(
            diags,
            path,
            "Invalid Service Role ARN",
            format!(
                "\"{arn}\" is not an IAM role ARN. It looks like \
                 arn:aws:iam::123456789012:role/codebuild-runner."
            ),
        );
    }
}

/// A CodeConnections connection ARN.
pub fn connection_arn(value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    let Some(arn) = value.as_str() else { return };
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = matches!(parts.as_slice(),
        ["arn", partition, service, region, account, resource]
            if partition.starts_with("aws")
            && (*service == "codeconnections" || *service == "codestar-connections")
            && !region.is_empty()
            && account.len() == 12
            && resource.strip_prefix("connection/").is_some_and(|r| !r.is_empty()));
    if !ok {
        fail(
            diags,
            path,
            "Invalid Connection ARN",
            format!(
                "\"{arn}\" is not a CodeConnections connection ARN. It looks like \
                 arn:aws:codeconnections:us-east-1:123456789012:connection/<id>."
            ),
        );
    }
}

/// A string whose length (in characters) lies in `min..=max`.
pub fn length_between(min: usize, max: usize) -> impl Fn(&Value, &AttributePath, &mut Diagnostics) {
    move |value, path, diags| {
        let Some(text) = value.as_str() else { return };
        let len = text.chars().count();
        if len < min || len > max {
            fail(
                diags,
                path,
                "Value Has The Wrong Length",
                format!("The value has {len} characters; AWS accepts {min} to {max}."),
            );
        }
    }
}

/// Checks a value against a fixed list of AWS enum values.
pub fn one_of(
    value: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
    allowed: &[&str],
    what: &str,
) {
    let Some(text) = value.as_str() else { return };
    if !allowed.contains(&text) {
        fail(
            diags,
            path,
            &format!("Invalid {what}"),
            format!(
                "\"{text}\" is not a {what} AWS knows. Use one of: {}.",
                allowed.join(", ")
            ),
        );
    }
}

/// Checks an id with an AWS prefix, e.g. `vpc-` followed by 8 or 17 word characters.
pub fn aws_id(value: &Value, path: &AttributePath, diags: &mut Diagnostics, prefix: &str) {
    let Some(id) = value.as_str() else { return };
    let ok = id.strip_prefix(prefix).is_some_and(|rest| {
        (rest.len() == 8 || rest.len() == 17)
            && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    if !ok {
        fail(
            diags,
            path,
            "Invalid AWS Id",
            format!("\"{id}\" is not a valid id: expected \"{prefix}\" and 8 or 17 characters."),
        );
    }
}

/// A whole number in `min..=max`.
pub fn int_between(min: i64, max: i64) -> impl Fn(&Value, &AttributePath, &mut Diagnostics) {
    move |value, path, diags| {
        let ok = value.as_i64().is_some_and(|n| (min..=max).contains(&n));
        if !ok {
            fail(
                diags,
                path,
                "Value Out Of Range",
                format!("AWS accepts a whole number from {min} to {max} here."),
            );
        }
    }
}

/// Most tags a CodeBuild project takes (the host and connection take more).
const MAX_TAGS: usize = 50;

/// Tags: the limits of CodeBuild, the strictest of the three services (at most 50, keys up to
/// 127 characters, values up to 255), no `aws:` prefix (reserved by AWS).
pub fn tags(value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    let Value::Map(map) = value else { return };
    if map.len() > MAX_TAGS {
        fail(
            diags,
            path,
            "Too Many Tags",
            format!(
                "There are {} tags; a CodeBuild project takes at most {MAX_TAGS}.",
                map.len()
            ),
        );
    }
    for (key, v) in map {
        let at = path.clone().key(key);
        let len = v.as_str().map_or(0, |s| s.chars().count());
        if key.is_empty()
            || key.chars().count() > 127
            || key.to_ascii_lowercase().starts_with("aws:")
        {
            fail(
                diags,
                &at,
                "Invalid Tag Key",
                format!(
                    "Tag key \"{key}\" is not allowed: use 1 to 127 characters, not \
                    starting with \"aws:\" (reserved by AWS)."
                ),
            );
        } else if len > 255 {
            fail(
                diags,
                &at,
                "Invalid Tag Value",
                format!("The value of tag \"{key}\" has {len} characters; AWS accepts 255."),
            );
        }
    }
}

/// A list of 1 to `max` AWS ids with one prefix (`subnet-`, `sg-`); the limit is AWS's for
/// the member the list goes to.
pub fn id_list(
    prefix: &'static str,
    max: usize,
) -> impl Fn(&Value, &AttributePath, &mut Diagnostics) {
    move |value, path, diags| {
        let items = value.elements();
        if items.is_empty() || items.len() > max {
            fail(
                diags,
                path,
                "Wrong Number Of Ids",
                format!(
                    "Give 1 to {max} ids starting with \"{prefix}\"; there are {}.",
                    items.len()
                ),
            );
        }
        for (i, item) in items.iter().enumerate() {
            aws_id(item, &path.clone().index(i as i64), diags, prefix);
        }
    }
}

/// A string that must not be empty: AWS stores an empty value as absent, so `""` would show
/// as a change in every plan. Leaving the argument out says the same thing.
pub fn not_empty(value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    if value.as_str() == Some("") {
        fail(
            diags,
            path,
            "Empty Value",
            "The value is an empty string. Leave the argument out instead: AWS keeps no empty \
             value, so \"\" would never settle."
                .to_string(),
        );
    }
}

/// A CodeBuild fleet ARN.
pub fn fleet_arn(value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    let Some(arn) = value.as_str() else { return };
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = matches!(parts.as_slice(),
        ["arn", partition, "codebuild", region, account, resource]
            if partition.starts_with("aws") && !region.is_empty() && account.len() == 12
            && resource.strip_prefix("fleet/").is_some_and(|r| !r.is_empty()));
    if !ok {
        fail(
            diags,
            path,
            "Invalid Fleet ARN",
            format!(
                "\"{arn}\" is not a CodeBuild fleet ARN. It looks like \
                arn:aws:codebuild:us-east-1:123456789012:fleet/<name>:<id>."
            ),
        );
    }
}

/// Modes of a local cache.
pub fn cache_modes(value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    const MODES: &[&str] = &[
        "LOCAL_DOCKER_LAYER_CACHE",
        "LOCAL_SOURCE_CACHE",
        "LOCAL_CUSTOM_CACHE",
    ];
    for (i, mode) in value.elements().iter().enumerate() {
        one_of(
            mode,
            &path.clone().index(i as i64),
            diags,
            MODES,
            "cache mode",
        );
    }
}

/// `ENABLED` or `DISABLED`.
pub fn logs_status(value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    one_of(value, path, diags, &["ENABLED", "DISABLED"], "log status");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(check: impl Fn(&Value, &AttributePath, &mut Diagnostics), v: &str) -> bool {
        let mut d = Diagnostics::default();
        check(&Value::string(v), &AttributePath::root().attr("x"), &mut d);
        d.has_errors()
    }

    #[test]
    fn equivalent_gitlab_urls_are_the_same_endpoint() {
        assert!(same_endpoint(
            "https://gitlab.example.com",
            "https://GitLab.Example.com/"
        ));
        assert!(same_endpoint(
            "https://h.example/sub/",
            "https://h.example/sub"
        ));
        assert!(!same_endpoint(
            "https://h.example/Sub",
            "https://h.example/sub"
        ));
        assert!(!same_endpoint("https://a.example", "https://b.example"));
    }

    #[test]
    fn project_names_follow_codebuild_rules() {
        assert!(!errors(project_name, "gitlab-runner_1"));
        for bad in ["a", "-lead", "has space", "x/y", &"a".repeat(151)] {
            assert!(errors(project_name, bad), "{bad}");
        }
    }

    #[test]
    fn urls_need_scheme_and_host() {
        assert_eq!(
            url_host("https://GitLab.example.com:8443/a/b").as_deref(),
            Some("gitlab.example.com")
        );
        let url = url_like("https://gitlab.example.com");
        assert!(errors(&url, "gitlab.example.com"));
        assert!(errors(&url, "https://"));
        assert!(errors(&url, "ftp://x"));
        assert!(!errors(&url, "http://10.0.0.1"));
        assert!(!errors(&url, "https://gitlab.example.com/a@b"));
        assert!(!errors(&url, "HTTPS://gitlab.example.com"));
        assert!(!errors(&url, "http://[::1]:8080/x"));
        assert_eq!(url_host("http://[::1]:8080").as_deref(), Some("[::1]"));
        for bad in [
            "https://h.example:abc",
            "https://h.example:",
            "http://[zz]",
            "https://h x",
        ] {
            assert!(errors(&url, bad), "{bad}");
        }
    }

    #[test]
    fn no_url_error_repeats_a_password() {
        let url = url_like("https://gitlab.example.com");
        for text in [
            "https://root:s3cret@gitlab.example.com",
            "HTTPS://root:s3cret@gitlab.example.com ",
            "https://root:s3cret@gitlab_example.com",
            "https://root:s3cret@[::1]:8080",
            "https://root:s3/cret@gitlab.example.com",
            "ftp://root:s3cret@gitlab.example.com",
        ] {
            let mut d = Diagnostics::default();
            url(
                &Value::string(text),
                &AttributePath::root().attr("gitlab_url"),
                &mut d,
            );
            assert!(d.has_errors(), "{text}");
            assert!(!d.0[0].detail.contains("s3"), "{text}: {}", d.0[0].detail);
        }
    }

    #[test]
    fn urls_with_credentials_are_refused_without_repeating_them() {
        let url = url_like("https://gitlab.example.com");
        let mut d = Diagnostics::default();
        url(
            &Value::string("https://root:s3cret@gitlab.example.com/x"),
            &AttributePath::root().attr("gitlab_url"),
            &mut d,
        );
        assert!(d.has_errors());
        assert_eq!(d.0[0].summary, "Credentials In A URL");
        assert!(!d.0[0].detail.contains("s3cret"), "{}", d.0[0].detail);
    }

    #[test]
    fn arns_are_checked() {
        assert!(!errors(role_arn, "arn:aws:iam::123456789012:role/cb"));
        assert!(errors(role_arn, "arn:aws:iam::123:role/cb"));
        assert!(errors(role_arn, "arn:aws:s3:::bucket"));
        assert!(!errors(
            connection_arn,
            "arn:aws:codeconnections:us-east-1:123456789012:connection/x"
        ));
        assert!(errors(
            connection_arn,
            "arn:aws:codeconnections:us-east-1:123456789012:host/x"
        ));
    }

    #[test]
    fn lengths_and_ids() {
        assert!(errors(length_between(1, 3), "abcd"));
        assert!(!errors(length_between(1, 3), "abc"));
        assert!(!errors(|v, p, d| aws_id(v, p, d, "vpc-"), "vpc-0123abcd"));
        assert!(errors(|v, p, d| aws_id(v, p, d, "vpc-"), "vpc-1"));
    }

    #[test]
    fn ranges_and_tags() {
        let check = |v: Value, f: &dyn Fn(&Value, &AttributePath, &mut Diagnostics)| {
            let mut d = Diagnostics::default();
            f(&v, &AttributePath::root().attr("x"), &mut d);
            d.has_errors()
        };
        assert!(check(Value::number_i64(4), &int_between(5, 2160)));
        assert!(!check(Value::number_i64(60), &int_between(5, 2160)));
        let bad = Value::Map(
            [("aws:x".to_string(), Value::string("v"))]
                .into_iter()
                .collect(),
        );
        assert!(check(bad, &tags));
        let good = Value::Map(
            [("team".to_string(), Value::string("p"))]
                .into_iter()
                .collect(),
        );
        assert!(!check(good, &tags));
        let ids = Value::List(vec![Value::string("subnet-0123abcd")]);
        assert!(!check(ids, &id_list("subnet-", 10)));
        assert!(check(Value::List(vec![]), &id_list("subnet-", 10)));
        let eleven = Value::List((0..11).map(|_| Value::string("subnet-0123abcd")).collect());
        assert!(check(eleven.clone(), &id_list("subnet-", 10)));
        assert!(!check(eleven, &id_list("subnet-", 16)));
    }
}
