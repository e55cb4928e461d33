//! The project and webhook settings in both directions: from the resource's values (planned
//! or prior state) to the AWS layer's specs, and from what AWS reports back into state, with
//! server-side defaults and additions compared by meaning rather than as text.

use std::collections::BTreeMap;

use crate::aws::codebuild::{
    CacheSpec, EnvVar, EnvironmentSpec, FilterSpec, LogsSpec, ProjectSpec, ProjectVpc, ScopeSpec,
    WebhookSpec, DEFAULT_BUILD_TIMEOUT, DEFAULT_QUEUED_TIMEOUT, SERVER_ADDED_VARIABLE,
};
use crate::runner::model::{opt_string as text, strings, DEFAULT_SOURCE_LOCATION};
use crate::runner::schema::{DEFAULT_COMPUTE_TYPE, DEFAULT_ENVIRONMENT_TYPE, DEFAULT_IMAGE};
use crate::value::Value;

fn int(v: &Value) -> Option<i32> {
    v.as_i64().and_then(|n| i32::try_from(n).ok())
}

fn list(items: &[String]) -> Value {
    Value::List(items.iter().map(Value::string).collect())
}

fn opt(v: &Option<String>) -> Value {
    v.as_ref().map(Value::string).unwrap_or(Value::Null)
}

fn opt_int(v: Option<i32>) -> Value {
    v.map(|n| Value::number_i64(n.into()))
        .unwrap_or(Value::Null)
}

/// The project settings a resource value asks for. Name, connection and tags are filled by
/// the caller.
pub fn project_from_value(v: &Value) -> ProjectSpec {
    let env = v.attr("environment");
    let cache = v.attr("cache");
    let logs = v.attr("logs");
    let vpc = v.attr("vpc_config");
    let group_scope = !v.attr("webhook").attr("scope").is_null();
    ProjectSpec {
        name: String::new(),
        description: text(v.attr("description")),
        source_location: match text(v.attr("source_location")) {
            Some(location) if !group_scope => location,
            _ => DEFAULT_SOURCE_LOCATION.to_string(),
        },
        connection_arn: String::new(),
        buildspec: text(v.attr("buildspec")),
        git_clone_depth: int(v.attr("git_clone_depth")).unwrap_or(1),
        service_role_arn: text(v.attr("service_role_arn")).unwrap_or_default(),
        environment: EnvironmentSpec {
            environment_type: text(env.attr("type"))
                .unwrap_or_else(|| DEFAULT_ENVIRONMENT_TYPE.into()),
            image: text(env.attr("image")).unwrap_or_else(|| DEFAULT_IMAGE.into()),
            compute_type: text(env.attr("compute_type"))
                .unwrap_or_else(|| DEFAULT_COMPUTE_TYPE.into()),
            privileged_mode: env.attr("privileged_mode").as_bool().unwrap_or(false),
            fleet_arn: text(env.attr("fleet_arn")),
            variables: env
                .attr("variable")
                .elements()
                .iter()
                .map(|e| EnvVar {
                    name: text(e.attr("name")).unwrap_or_default(),
                    value: text(e.attr("value")).unwrap_or_default(),
                    var_type: text(e.attr("type")).unwrap_or_else(|| "PLAINTEXT".into()),
                })
                .collect(),
        },
        build_timeout: int(v.attr("build_timeout")),
        queued_timeout: int(v.attr("queued_timeout")),
        concurrent_build_limit: int(v.attr("concurrent_build_limit")),
        cache: (!cache.is_null()).then(|| CacheSpec {
            cache_type: text(cache.attr("type")).unwrap_or_default(),
            location: text(cache.attr("location")),
            modes: strings(cache.attr("modes")),
        }),
        logs: (!logs.is_null()).then(|| {
            let (cw, s3) = (logs.attr("cloudwatch"), logs.attr("s3"));
            LogsSpec {
                cloudwatch_status: text(cw.attr("status")).unwrap_or_else(|| "ENABLED".into()),
                group_name: text(cw.attr("group_name")),
                stream_name: text(cw.attr("stream_name")),
                s3_status: text(s3.attr("status")).unwrap_or_else(|| "DISABLED".into()),
                s3_location: text(s3.attr("location")),
            }
        }),
        vpc_config: (!vpc.is_null()).then(|| ProjectVpc {
            vpc_id: text(vpc.attr("vpc_id")).unwrap_or_default(),
            subnets: strings(vpc.attr("subnets")),
            security_group_ids: strings(vpc.attr("security_group_ids")),
        }),
        tags: BTreeMap::new(),
    }
}

/// The webhook a resource value asks for; no block means the runner default.
pub fn webhook_from_value(v: &Value) -> WebhookSpec {
    let hook = v.attr("webhook");
    let default = WebhookSpec::runner_default();
    if hook.is_null() {
        return default;
    }
    let groups: Vec<Vec<FilterSpec>> = hook
        .attr("filter_group")
        .elements()
        .iter()
        .map(|g| {
            g.attr("filter")
                .elements()
                .iter()
                .map(|f| FilterSpec {
                    filter_type: text(f.attr("type")).unwrap_or_default(),
                    pattern: text(f.attr("pattern")).unwrap_or_default(),
                    exclude_matched_pattern: f
                        .attr("exclude_matched_pattern")
                        .as_bool()
                        .unwrap_or(false),
                })
                .collect()
        })
        .collect();
    let scope = hook.attr("scope");
    WebhookSpec {
        build_type: text(hook.attr("build_type")).unwrap_or(default.build_type),
        filter_groups: if groups.is_empty() {
            default.filter_groups
        } else {
            groups
        },
        scope: (!scope.is_null()).then(|| ScopeSpec {
            scope_type: text(scope.attr("type")).unwrap_or_else(|| "GITLAB_GROUP".into()),
            name: text(scope.attr("name")).unwrap_or_default(),
            domain: text(scope.attr("domain")),
        }),
        manual_creation: hook.attr("manual_creation").as_bool().unwrap_or(false),
    }
}

/// Reads AWS's report of a project in the terms of `prior` (what state says): values AWS
/// fills by itself when nothing is configured count as "not configured", and the variable
/// CodeBuild adds to new projects is not a user's change.
pub fn normalise_project(mut remote: ProjectSpec, prior: &ProjectSpec) -> ProjectSpec {
    if prior.build_timeout.is_none() && remote.build_timeout == Some(DEFAULT_BUILD_TIMEOUT) {
        remote.build_timeout = None;
    }
    if prior.queued_timeout.is_none() && remote.queued_timeout == Some(DEFAULT_QUEUED_TIMEOUT) {
        remote.queued_timeout = None;
    }
    if remote.concurrent_build_limit.is_some_and(|n| n < 1) {
        remote.concurrent_build_limit = None;
    }
    if prior.logs.is_none()
        && remote
            .logs
            .as_ref()
            .is_none_or(|l| *l == LogsSpec::service_default())
    {
        remote.logs = None;
    }
    let prior_has = |name: &str| prior.environment.variables.iter().any(|v| v.name == name);
    if !prior_has(SERVER_ADDED_VARIABLE) {
        remote
            .environment
            .variables
            .retain(|v| v.name != SERVER_ADDED_VARIABLE);
    }
    if prior.source_location == DEFAULT_SOURCE_LOCATION && remote.source_location.is_empty() {
        remote.source_location = DEFAULT_SOURCE_LOCATION.into();
    }
    remote
}

/// Writes the project settings AWS reports into state, field by field, where they differ
/// from what state holds; so the next plan shows drift as a change back to configuration.
pub fn write_project(
    attrs: &mut BTreeMap<String, Value>,
    remote: &ProjectSpec,
    prior: &ProjectSpec,
) {
    let mut put = |key: &str, value: Value| {
        attrs.insert(key.to_string(), value);
    };
    if remote.description != prior.description {
        put("description", opt(&remote.description));
    }
    if remote.source_location != prior.source_location {
        let location = Some(remote.source_location.clone())
            .filter(|l| l != DEFAULT_SOURCE_LOCATION && !l.is_empty());
        put("source_location", opt(&location));
    }
    if remote.buildspec != prior.buildspec {
        put("buildspec", opt(&remote.buildspec));
    }
    if remote.git_clone_depth != prior.git_clone_depth {
        put(
            "git_clone_depth",
            Value::number_i64(remote.git_clone_depth.into()),
        );
    }
    if remote.service_role_arn != prior.service_role_arn {
        put("service_role_arn", Value::string(&remote.service_role_arn));
    }
    if remote.environment != prior.environment {
        put("environment", environment_value(&remote.environment));
    }
    if remote.build_timeout != prior.build_timeout {
        put("build_timeout", opt_int(remote.build_timeout));
    }
    if remote.queued_timeout != prior.queued_timeout {
        put("queued_timeout", opt_int(remote.queued_timeout));
    }
    if remote.concurrent_build_limit != prior.concurrent_build_limit {
        put(
            "concurrent_build_limit",
            opt_int(remote.concurrent_build_limit),
        );
    }
    if remote.cache != prior.cache {
        put(
            "cache",
            remote
                .cache
                .as_ref()
                .map(cache_value)
                .unwrap_or(Value::Null),
        );
    }
    if remote.logs != prior.logs {
        put(
            "logs",
            remote.logs.as_ref().map(logs_value).unwrap_or(Value::Null),
        );
    }
    if remote.vpc_config != prior.vpc_config {
        put(
            "vpc_config",
            remote
                .vpc_config
                .as_ref()
                .map(vpc_value)
                .unwrap_or(Value::Null),
        );
    }
}

fn environment_value(e: &EnvironmentSpec) -> Value {
    let variables = e
        .variables
        .iter()
        .map(|v| {
            Value::object([
                ("name", Value::string(&v.name)),
                ("value", Value::string(&v.value)),
                ("type", Value::string(&v.var_type)),
            ])
        })
        .collect();
    Value::object([
        ("type", Value::string(&e.environment_type)),
        ("image", Value::string(&e.image)),
        ("compute_type", Value::string(&e.compute_type)),
        ("privileged_mode", Value::Bool(e.privileged_mode)),
        ("fleet_arn", opt(&e.fleet_arn)),
        ("variable", Value::List(variables)),
    ])
}

fn cache_value(c: &CacheSpec) -> Value {
    Value::object([
        ("type", Value::string(&c.cache_type)),
        ("location", opt(&c.location)),
        (
            "modes",
            if c.modes.is_empty() {
                Value::Null
            } else {
                list(&c.modes)
            },
        ),
    ])
}

fn logs_value(l: &LogsSpec) -> Value {
    Value::object([
        (
            "cloudwatch",
            Value::object([
                ("status", Value::string(&l.cloudwatch_status)),
                ("group_name", opt(&l.group_name)),
                ("stream_name", opt(&l.stream_name)),
            ]),
        ),
        (
            "s3",
            Value::object([
                ("status", Value::string(&l.s3_status)),
                ("location", opt(&l.s3_location)),
            ]),
        ),
    ])
}

fn vpc_value(v: &ProjectVpc) -> Value {
    Value::object([
        ("vpc_id", Value::string(&v.vpc_id)),
        ("subnets", list(&v.subnets)),
        ("security_group_ids", list(&v.security_group_ids)),
    ])
}

/// Writes the webhook AWS reports into state when it differs from what state asks for.
pub fn write_webhook(
    attrs: &mut BTreeMap<String, Value>,
    remote: &WebhookSpec,
    prior: &WebhookSpec,
) {
    if remote == prior {
        return;
    }
    let groups = remote
        .filter_groups
        .iter()
        .map(|g| {
            let filters = g
                .iter()
                .map(|f| {
                    Value::object([
                        ("type", Value::string(&f.filter_type)),
                        ("pattern", Value::string(&f.pattern)),
                        (
                            "exclude_matched_pattern",
                            Value::Bool(f.exclude_matched_pattern),
                        ),
                    ])
                })
                .collect();
            Value::object([("filter", Value::List(filters))])
        })
        .collect();
    let scope = remote.scope.as_ref().map(|s| {
        Value::object([
            ("type", Value::string(&s.scope_type)),
            ("name", Value::string(&s.name)),
            ("domain", opt(&s.domain)),
        ])
    });
    attrs.insert(
        "webhook".into(),
        Value::object([
            ("build_type", Value::string(&remote.build_type)),
            ("manual_creation", Value::Bool(remote.manual_creation)),
            ("filter_group", Value::List(groups)),
            ("scope", scope.unwrap_or(Value::Null)),
        ]),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ProjectSpec {
        project_from_value(&Value::object([
            ("source_location", Value::string("https://g/x/y")),
            (
                "service_role_arn",
                Value::string("arn:aws:iam::123456789012:role/r"),
            ),
        ]))
    }

    #[test]
    fn server_defaults_and_additions_are_not_drift() {
        let prior = base();
        let mut remote = prior.clone();
        remote.build_timeout = Some(60);
        remote.queued_timeout = Some(480);
        remote.logs = Some(LogsSpec::service_default());
        remote.environment.variables.push(EnvVar {
            name: SERVER_ADDED_VARIABLE.into(),
            value: "true".into(),
            var_type: "PLAINTEXT".into(),
        });
        assert_eq!(normalise_project(remote, &prior), prior);
    }

    #[test]
    fn a_real_change_is_written_back_and_nothing_else() {
        let prior = base();
        let mut remote = prior.clone();
        remote.environment.image = "other".into();
        let mut attrs = BTreeMap::new();
        write_project(&mut attrs, &remote, &prior);
        assert_eq!(attrs.len(), 1);
        assert_eq!(attrs["environment"].attr("image").as_str(), Some("other"));
    }

    #[test]
    fn round_trip_of_the_webhook_block() {
        let spec = WebhookSpec {
            build_type: "BUILD_BATCH".into(),
            ..WebhookSpec::runner_default()
        };
        let mut attrs = BTreeMap::new();
        write_webhook(&mut attrs, &spec, &WebhookSpec::runner_default());
        let back = webhook_from_value(&Value::Object(attrs));
        assert_eq!(back, spec);
    }
}
