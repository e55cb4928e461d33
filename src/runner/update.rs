//! Update: repair whatever is missing (the plan said so) and bring the project in line with
//! the configuration. Nothing here replaces the runner; what cannot change in place was
//! marked force-new in the schema.

use std::time::Duration;

use crate::aws::{codebuild, Clients};
use crate::framework::timeouts::timeout_for;
use crate::framework::{CallContext, Diagnostics};
use crate::runner::converge::Converge;
use crate::runner::errors::{aws_failure, Piece};
use crate::runner::model::{Computed, RunnerConfig};
use crate::value::Value;

/// Default update timeout (it may include a new handshake).
pub const DEFAULT_UPDATE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Applies an in-place change from `prior` to `planned`.
pub async fn update(
    clients: &Clients,
    ctx: &CallContext,
    prior: &Value,
    planned: &Value,
    config: &Value,
    diags: &mut Diagnostics,
) -> Value {
    let runner = RunnerConfig::from_values(planned, config);
    let mut computed = Computed::from_value(prior);
    let prior_connection = computed.connection_arn.clone().unwrap_or_default();
    let previous = Some(RunnerConfig::from_value(prior).project_spec(&prior_connection));

    // A webhook the plan marked unknown is recreated: its connection changed.
    if planned.attr("webhook_payload_url").is_unknown() && computed.has_webhook() {
        if let Err(e) = codebuild::delete_webhook(clients, &ctx.cancel, &runner.name).await {
            let context = format!("Replacing the webhook of project \"{}\".", runner.name);
            aws_failure(diags, Piece::Webhook, "Deleting", &context, &e);
            return computed.into_state(planned, &runner);
        }
        computed.clear_webhook();
    }
    if planned.attr("connection_status").is_unknown() {
        computed.connection_status = None;
    }

    let timeout = timeout_for(config, "update", DEFAULT_UPDATE_TIMEOUT);
    let converge = Converge {
        clients,
        ctx,
        config: &runner,
        deadline: tokio::time::Instant::now() + timeout,
        timeout,
        previous,
    };
    converge.run(&mut computed, diags).await;
    computed.into_state(planned, &runner)
}
