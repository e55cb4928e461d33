//! Plan: decide what apply will change. Values known now (the id, the runner tag, default
//! names) are planned as known; pieces that apply will create or recreate make their
//! attributes unknown, so Terraform shows an in-place update that repairs them. A create plan
//! warns that apply waits for a person to complete the connection handshake.

use std::collections::BTreeMap;

use crate::framework::timeouts::timeout_for;
use crate::framework::{Diagnostics, PlanRequest};
use crate::runner::converge::format_duration;
use crate::runner::create::DEFAULT_CREATE_TIMEOUT;
use crate::runner::model::{Computed, RunnerConfig};
use crate::runner::tag::runner_tag;
use crate::value::Value;

/// Adjusts the framework's plan for a runner.
pub fn modify_plan(request: &PlanRequest<'_>, planned: &mut Value, diags: &mut Diagnostics) {
    let Value::Object(attrs) = planned else { return };
    let shared = !request.config.attr("connection_arn").is_null();
    plan_known_values(attrs, request.config, shared);

    if request.prior.is_null() {
        if shared {
            set(attrs, &["host_arn", "host_status"], Value::Null);
        } else {
            warn_handshake(request.config, attrs, diags);
        }
        return;
    }

    let prior = Computed::from_value(request.prior);
    let repairs = Repairs::needed(&prior, shared);
    repairs.mark_unknown(attrs);
    if repairs.new_connection && !shared {
        warn_handshake(request.config, attrs, diags);
    }
}

/// Values the plan can already know: they depend only on the name.
fn plan_known_values(attrs: &mut BTreeMap<String, Value>, config: &Value, shared: bool) {
    let Some(name) = attrs.get("name").and_then(Value::as_str).map(str::to_string) else {
        return;
    };
    attrs.insert("id".into(), Value::string(name.clone()));
    attrs.insert("runner_tag".into(), Value::string(runner_tag(&name)));

    let defaults = RunnerConfig::from_value(&Value::object([("name", Value::string(name))]));
    let names = [("host_name", defaults.host_name), ("connection_name", defaults.connection_name)];
    for (key, default) in names {
        if config.attr(key).is_null() {
            let value = if shared { Value::Null } else { Value::string(default) };
            attrs.insert(key.into(), value);
        }
    }
}

/// Which pieces apply must create again, judged from the refreshed prior state.
struct Repairs {
    new_host: bool,
    new_connection: bool,
    wait_connection: bool,
    new_project: bool,
    new_webhook: bool,
}

impl Repairs {
    fn needed(prior: &Computed, shared: bool) -> Self {
        let new_host = !shared && prior.host_arn.is_none();
        let new_connection = new_host || (!shared && prior.connection_arn.is_none());
        let wait_connection =
            new_connection || prior.connection_status.as_deref() != Some("AVAILABLE");
        let new_project = prior.project_arn.is_none();
        Self {
            new_host,
            new_connection,
            wait_connection,
            new_project,
            new_webhook: new_project || new_connection || !prior.has_webhook(),
        }
    }

    fn mark_unknown(&self, attrs: &mut BTreeMap<String, Value>) {
        if self.new_host {
            set(attrs, &["host_arn", "host_status"], Value::Unknown);
        }
        if self.new_connection {
            set(attrs, &["connection_arn", "authorization_url"], Value::Unknown);
        }
        if self.wait_connection {
            set(attrs, &["connection_status", "host_status"], Value::Unknown);
        }
        if self.new_project {
            set(attrs, &["project_arn"], Value::Unknown);
        }
        if self.new_webhook {
            set(attrs, &["webhook_url", "webhook_payload_url", "webhook_secret"], Value::Unknown);
        }
    }
}

fn set(attrs: &mut BTreeMap<String, Value>, keys: &[&str], value: Value) {
    for key in keys {
        attrs.insert((*key).to_string(), value.clone());
    }
}

/// Tells the user, before apply, that a person must complete the handshake and how long
/// apply will wait for it.
fn warn_handshake(config: &Value, attrs: &BTreeMap<String, Value>, diags: &mut Diagnostics) {
    let timeout = format_duration(timeout_for(config, "create", DEFAULT_CREATE_TIMEOUT));
    let connection = attrs.get("connection_name").and_then(Value::as_str).unwrap_or("(new)");
    diags.warning(
        "Apply Will Wait For The Connection Handshake",
        format!(
            "AWS creates the CodeConnections connection \"{connection}\" as PENDING. During \
             apply, a person must open the AWS console (Developer Tools > Settings > \
             Connections, or the `authorization_url` attribute once known), choose \"Update \
             pending connection\" and authorize with a GitLab personal access token with the \
             `api` scope. Apply waits up to {timeout} (timeouts.create) and continues as soon \
             as the connection is AVAILABLE; Ctrl-C stops the wait and keeps what exists."
        ),
    );
}
