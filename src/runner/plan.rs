//! Plan: decide what apply will change. Values known now (the id, the runner tag, default
//! names, merged tags) are planned as known; pieces that apply will create or recreate make
//! their attributes unknown, so Terraform shows an in-place update that repairs them. A
//! create plan warns that apply waits for a person to complete the connection handshake.

use std::collections::BTreeMap;

use crate::framework::timeouts::timeout_for;
use crate::framework::{Diagnostics, PlanRequest};
use crate::runner::converge::format_duration;
use crate::runner::create::DEFAULT_CREATE_TIMEOUT;
use crate::runner::model::{authorization_url, merge_tags, string_map, Computed, RunnerConfig};
use crate::runner::settings::webhook_from_value;
use crate::runner::tag::runner_tag;
use crate::runner::validate;
use crate::value::{AttributePath, Value};

/// Adjusts the framework's plan for a runner. `default_tags` is `None` while the provider
/// block is not known yet.
pub fn modify_plan(
    request: &PlanRequest<'_>,
    planned: &mut Value,
    requires_replace: &mut Vec<AttributePath>,
    default_tags: Option<&BTreeMap<String, String>>,
    diags: &mut Diagnostics,
) {
    let config = request.config;
    let Value::Object(attrs) = planned else {
        return;
    };
    let shared = !config.attr("connection_arn").is_null();
    plan_known_values(attrs, config, shared);
    plan_tags(attrs, config, default_tags);
    let waits = config.attr("wait_for_connection").as_bool() != Some(false);

    if request.prior.is_null() {
        if shared {
            set(attrs, &["host_arn", "host_status"], Value::Null);
        } else {
            warn_handshake(config, attrs, waits, diags);
        }
        return;
    }

    // A managed connection and someone else's are different objects with different owners:
    // moving between them replaces the runner.
    let prior_shared = request.prior.attr("connection_name").is_null();
    if shared != prior_shared {
        requires_replace.push(AttributePath::root().attr("connection_arn"));
    }

    let prior = Computed::from_value(request.prior);
    let mut repairs = Repairs::needed(&prior, shared, waits);
    let planned_connection = attrs.get("connection_arn").unwrap_or(&Value::Null);
    if shared && planned_connection != request.prior.attr("connection_arn") {
        repairs.switch_connection();
        let url = planned_connection.as_str().and_then(authorization_url);
        attrs.insert(
            "authorization_url".into(),
            url.map(Value::string).unwrap_or(Value::Unknown),
        );
    }
    let (old_hook, new_hook) = (
        webhook_from_value(request.prior),
        webhook_from_value(config),
    );
    if config.attr("webhook").is_wholly_known() && old_hook.needs_recreate(&new_hook) {
        repairs.new_webhook = true;
    }
    repairs.host_update = !shared && host_changes(request.prior, config);
    repairs.mark_unknown(attrs);
    plan_source_connection(attrs);
    if repairs.new_connection && !shared {
        warn_handshake(config, attrs, waits, diags);
    } else if !waits {
        warn_still_pending(&prior, diags);
    }
}

/// With `wait_for_connection = false`, a plan whose connection is still not AVAILABLE says
/// why the project and webhook are not planned, and where to authorize.
fn warn_still_pending(prior: &Computed, diags: &mut Diagnostics) {
    let (Some(arn), Some(status)) = (&prior.connection_arn, &prior.connection_status) else {
        return;
    };
    if status == "AVAILABLE" || (prior.project_arn.is_some() && prior.has_webhook()) {
        return;
    }
    let url = prior
        .authorization_url
        .as_deref()
        .unwrap_or("the AWS console");
    diags.warning(
        "Connection Not Authorized Yet",
        format!(
            "The connection {arn} is still {status}, and wait_for_connection is false, so the \
             project and the webhook are not created yet (a webhook cannot be registered \
             through a connection that is not AVAILABLE). Complete the handshake at {url} \
             (\"Update pending connection\", GitLab personal access token with the `api` \
             scope); the next `terraform apply` then creates them as an in-place update."
        ),
    );
}

/// Values the plan can already know: they depend only on the name.
fn plan_known_values(attrs: &mut BTreeMap<String, Value>, config: &Value, shared: bool) {
    let Some(name) = attrs
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return;
    };
    attrs.insert("id".into(), Value::string(name.clone()));
    attrs.insert("runner_tag".into(), Value::string(runner_tag(&name)));

    let defaults = RunnerConfig::from_value(&Value::object([("name", Value::string(name))]));
    let names = [
        ("host_name", defaults.host_name),
        ("connection_name", defaults.connection_name),
    ];
    for (key, default) in names {
        if config.attr(key).is_null() {
            let value = if shared {
                Value::Null
            } else {
                Value::string(default)
            };
            attrs.insert(key.into(), value);
        }
    }
}

/// `tags_all`: the provider's defaults under the resource's tags, when both are known.
fn plan_tags(
    attrs: &mut BTreeMap<String, Value>,
    config: &Value,
    default_tags: Option<&BTreeMap<String, String>>,
) {
    let own = config.attr("tags");
    let value = match default_tags {
        Some(defaults) if own.is_wholly_known() => {
            let all = merge_tags(defaults, &string_map(own));
            Value::Map(
                all.into_iter()
                    .map(|(k, v)| (k, Value::string(v)))
                    .collect(),
            )
        }
        _ => Value::Unknown,
    };
    attrs.insert("tags_all".into(), value);
}

/// After apply, the project's source uses the runner's connection (when a project exists).
fn plan_source_connection(attrs: &mut BTreeMap<String, Value>) {
    if attrs.get("project_arn").is_none_or(Value::is_null) {
        return;
    }
    let value = match attrs.get("connection_arn") {
        Some(Value::String(arn)) => Value::string(arn),
        _ => Value::Unknown,
    };
    attrs.insert("source_connection_arn".into(), value);
}

/// True when the GitLab URL or the host's VPC settings change (UpdateHost).
fn host_changes(prior: &Value, config: &Value) -> bool {
    let url = config.attr("gitlab_url");
    let vpc = config.attr("vpc_configuration");
    let moved = match (url.as_str(), prior.attr("gitlab_url").as_str()) {
        (Some(new), Some(old)) => !validate::same_endpoint(new, old),
        _ => url.is_known() && url != prior.attr("gitlab_url"),
    };
    moved || (vpc.is_wholly_known() && !same_vpc(prior.attr("vpc_configuration"), vpc))
}

fn same_vpc(prior: &Value, config: &Value) -> bool {
    let prior = RunnerConfig::from_value(&Value::object([("vpc_configuration", prior.clone())]));
    let config = RunnerConfig::from_value(&Value::object([("vpc_configuration", config.clone())]));
    prior.vpc == config.vpc
}

/// Which pieces apply must create again, judged from the refreshed prior state.
struct Repairs {
    new_host: bool,
    host_update: bool,
    new_connection: bool,
    wait_connection: bool,
    new_project: bool,
    new_webhook: bool,
}

impl Repairs {
    fn needed(prior: &Computed, shared: bool, waits: bool) -> Self {
        let new_host = !shared && prior.host_arn.is_none();
        let new_connection = new_host || (!shared && prior.connection_arn.is_none());
        let available = prior.connection_status.as_deref() == Some("AVAILABLE");
        let wait_connection = new_connection || !available;
        // Without waiting, the project follows in the first apply after the handshake; until
        // then the plan stays clean.
        let reachable = waits || available || new_connection;
        let new_project = prior.project_arn.is_none() && reachable;
        Self {
            new_host,
            host_update: false,
            new_connection,
            wait_connection: wait_connection && reachable,
            new_project,
            new_webhook: (new_project || new_connection || !prior.has_webhook()) && reachable,
        }
    }

    fn switch_connection(&mut self) {
        self.wait_connection = true;
        self.new_webhook = true;
    }

    fn mark_unknown(&self, attrs: &mut BTreeMap<String, Value>) {
        if self.new_host {
            set(attrs, &["host_arn", "host_status"], Value::Unknown);
        }
        if self.host_update {
            // UpdateHost keeps the host; only its status moves.
            set(attrs, &["host_status"], Value::Unknown);
        }
        if self.new_connection {
            set(
                attrs,
                &["connection_arn", "authorization_url"],
                Value::Unknown,
            );
        }
        if self.wait_connection {
            set(attrs, &["connection_status"], Value::Unknown);
            if attrs.get("host_arn").is_some_and(|v| !v.is_null()) {
                set(attrs, &["host_status"], Value::Unknown);
            }
        }
        if self.new_project {
            set(attrs, &["project_arn"], Value::Unknown);
        }
        if self.new_webhook {
            set(
                attrs,
                &["webhook_url", "webhook_payload_url", "webhook_secret"],
                Value::Unknown,
            );
        }
    }
}

fn set(attrs: &mut BTreeMap<String, Value>, keys: &[&str], value: Value) {
    for key in keys {
        attrs.insert((*key).to_string(), value.clone());
    }
}

/// Tells the user, before apply, that a person must complete the handshake and how long
/// apply will wait for it (or that it will not wait).
fn warn_handshake(
    config: &Value,
    attrs: &BTreeMap<String, Value>,
    waits: bool,
    diags: &mut Diagnostics,
) {
    let timeout = format_duration(timeout_for(config, "create", DEFAULT_CREATE_TIMEOUT));
    let connection = attrs
        .get("connection_name")
        .and_then(Value::as_str)
        .unwrap_or("(new)");
    let how = "open the AWS console (Developer Tools > Settings > Connections, or the \
        `authorization_url` attribute once known), choose \"Update pending connection\" and \
        authorize with a GitLab personal access token with the `api` scope";
    if !waits {
        diags.warning(
            "The Connection Will Need A Handshake",
            format!(
                "AWS creates the CodeConnections connection \"{connection}\" as PENDING. With \
                 wait_for_connection = false, apply does not wait: afterwards a person must \
                 {how}. The next `terraform apply` then creates the project and the webhook."
            ),
        );
        return;
    }
    diags.warning(
        "Apply Will Wait For The Connection Handshake",
        format!(
            "AWS creates the CodeConnections connection \"{connection}\" as PENDING. During \
             apply, a person must {how}. Apply waits up to {timeout} (timeouts.create) and \
             continues as soon as the connection is AVAILABLE; Ctrl-C stops the wait and \
             keeps what exists."
        ),
    );
}
