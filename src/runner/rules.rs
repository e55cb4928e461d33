//! Rules that involve more than one attribute, checked at validate time on known values:
//! where the repository lives, what a runner webhook must listen to, what a group scope and
//! a cache need. Each diagnostic points at the attribute to change.

use crate::aws::codebuild::RUNNER_EVENT;
use crate::framework::Diagnostics;
use crate::runner::validate::url_host;
use crate::value::{AttributePath, Value};

/// Runs every rule.
pub fn check(config: &Value, diags: &mut Diagnostics) {
    source_on_instance(config, diags);
    source_or_scope(config, diags);
    scope_domain(config, diags);
    runner_event(config, diags);
    cache_needs(config, diags);
    shared_connection_alone(config, diags);
}

fn root(name: &str) -> AttributePath {
    AttributePath::root().attr(name)
}

fn source_on_instance(config: &Value, diags: &mut Diagnostics) {
    let (url, source) = (config.attr("gitlab_url"), config.attr("source_location"));
    let (Some(url), Some(source)) = (url.as_str(), source.as_str()) else {
        return;
    };
    let (Some(instance), Some(repository)) = (url_host(url), url_host(source)) else {
        return;
    };
    // Hosts only, never the URLs: a URL may carry a password (refused on its own).
    if instance != repository {
        diags.attribute_error(
            root("source_location"),
            "Repository Is Not On The GitLab Instance",
            format!(
                "source_location is on host \"{repository}\", but gitlab_url is on \
                 \"{instance}\". The connection only reaches repositories of that instance."
            ),
        );
    }
}

fn source_or_scope(config: &Value, diags: &mut Diagnostics) {
    let webhook = config.attr("webhook");
    let (source, scope) = (config.attr("source_location"), webhook.attr("scope"));
    if !source.is_known() || !webhook.is_known() || !scope.is_known() {
        return;
    }
    match (source.is_null(), scope.is_null()) {
        (false, false) => diags.attribute_error(
            root("source_location"),
            "Repository Set With A Group Scope",
            "A webhook scoped to a GitLab group serves every project of the group; AWS then \
             requires its default-location placeholder as the source. Remove source_location, \
             or remove webhook.scope to serve only this repository.",
        ),
        (true, true) => diags.attribute_error(
            root("source_location"),
            "Missing Repository",
            "Set source_location to the GitLab repository URL the runner serves, or add \
             webhook { scope { name = \"<group>\" domain = \"<gitlab host>\" } } to serve a \
             whole group.",
        ),
        _ => {}
    }
}

fn scope_domain(config: &Value, diags: &mut Diagnostics) {
    let scope = config.attr("webhook").attr("scope");
    let (Some(domain), Some(url)) = (
        scope.attr("domain").as_str(),
        config.attr("gitlab_url").as_str(),
    ) else {
        return;
    };
    let Some(host) = url_host(url) else { return };
    if domain.to_ascii_lowercase() != host {
        diags.attribute_error(
            root("webhook").attr("scope").attr("domain"),
            "Group Domain Is Not The GitLab Instance",
            format!(
                "domain \"{domain}\" is not the host of gitlab_url. For GitLab Self-Managed \
                 the group scope's domain is the instance's host name: \"{host}\"."
            ),
        );
    }
}

/// CodeBuild starts runner builds only on the job-queued event: a group without it never
/// runs a job, which looks like a working runner that gets nothing.
fn runner_event(config: &Value, diags: &mut Diagnostics) {
    let groups = config.attr("webhook").attr("filter_group");
    for (i, group) in groups.elements().iter().enumerate() {
        let filters = group.attr("filter");
        if !filters.is_wholly_known() {
            continue;
        }
        let listens = filters.elements().iter().any(|f| {
            f.attr("type").as_str() == Some("EVENT")
                && f.attr("exclude_matched_pattern").as_bool() != Some(true)
                && f.attr("pattern")
                    .as_str()
                    .is_some_and(|p| p.split(',').any(|e| e.trim() == RUNNER_EVENT))
        });
        if !listens {
            diags.attribute_error(
                root("webhook").attr("filter_group").index(i as i64),
                "Runner Webhook Without WORKFLOW_JOB_QUEUED",
                format!(
                    "A runner webhook must include the {RUNNER_EVENT} event: CodeBuild starts \
                     GitLab runner builds only for queued jobs, so this filter group would never \
                     run a job. Add filter {{ type = \"EVENT\" pattern = \"{RUNNER_EVENT}\" }} to \
                     it."
                ),
            );
        }
    }
}

fn cache_needs(config: &Value, diags: &mut Diagnostics) {
    let cache = config.attr("cache");
    let at = root("cache");
    match cache.attr("type").as_str() {
        Some("S3") if cache.attr("location").is_null() => diags.attribute_error(
            at.attr("location"),
            "S3 Cache Without Location",
            "An S3 cache needs location = \"<bucket>/<prefix>\".",
        ),
        Some("LOCAL") if cache.attr("modes").is_null() => diags.attribute_error(
            at.attr("modes"),
            "Local Cache Without Modes",
            "A LOCAL cache needs at least one of LOCAL_DOCKER_LAYER_CACHE, LOCAL_SOURCE_CACHE, \
             LOCAL_CUSTOM_CACHE in modes.",
        ),
        _ => {}
    }
}

fn shared_connection_alone(config: &Value, diags: &mut Diagnostics) {
    if config.attr("connection_arn").is_null() || !config.attr("connection_arn").is_known() {
        return;
    }
    for name in ["host_name", "connection_name", "vpc_configuration"] {
        if config.attr(name).is_known() && !config.attr(name).is_null() {
            diags.attribute_error(
                root(name),
                "Setting Ignored With An Existing Connection",
                format!(
                    "With connection_arn the runner uses an existing connection and manages no \
                     host or connection, so {name} has no effect. Remove it, or remove \
                     connection_arn to let the runner manage its own."
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(kind: &str, pattern: &str) -> Value {
        Value::object([
            ("type", Value::string(kind)),
            ("pattern", Value::string(pattern)),
        ])
    }

    fn with_groups(groups: Vec<Value>) -> Value {
        let groups = groups
            .into_iter()
            .map(|f| Value::object([("filter", Value::List(vec![f]))]));
        Value::object([(
            "webhook",
            Value::object([("filter_group", Value::List(groups.collect()))]),
        )])
    }

    #[test]
    fn a_group_without_the_job_event_is_refused_at_its_path() {
        let mut d = Diagnostics::default();
        runner_event(&with_groups(vec![filter("EVENT", "PUSH")]), &mut d);
        let path = root("webhook").attr("filter_group").index(0);
        assert_eq!(d.0[0].attribute, Some(path));
        let mut ok = Diagnostics::default();
        runner_event(
            &with_groups(vec![filter("EVENT", "PUSH, WORKFLOW_JOB_QUEUED")]),
            &mut ok,
        );
        assert!(!ok.has_errors());
    }

    #[test]
    fn a_repository_on_another_host_is_named_by_hosts_not_urls() {
        let config = Value::object([
            (
                "gitlab_url",
                Value::string("https://root:s3cret@gitlab.example.com"),
            ),
            (
                "source_location",
                Value::string("https://other.example.com/g/p"),
            ),
        ]);
        let mut d = Diagnostics::default();
        check(&config, &mut d);
        let found =
            d.0.iter()
                .find(|x| x.summary == "Repository Is Not On The GitLab Instance");
        let detail = &found.expect("the mismatch is reported").detail;
        assert!(
            detail.contains("\"other.example.com\"") && detail.contains("\"gitlab.example.com\"")
        );
        assert!(!detail.contains("s3cret"), "{detail}");
    }

    #[test]
    fn group_scope_domain_must_be_the_instance() {
        let config = Value::object([
            ("gitlab_url", Value::string("https://gitlab.example.com")),
            (
                "webhook",
                Value::object([(
                    "scope",
                    Value::object([
                        ("name", Value::string("platform")),
                        ("domain", Value::string("other.example.com")),
                    ]),
                )]),
            ),
        ]);
        let mut d = Diagnostics::default();
        check(&config, &mut d);
        assert!(d
            .0
            .iter()
            .any(|x| x.summary == "Group Domain Is Not The GitLab Instance"));
    }
}
