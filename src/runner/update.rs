//! Update: repair whatever is missing (the plan said so), move the host to a new GitLab URL
//! or VPC, sync tags, and bring the project and webhook in line with the configuration. Each
//! change sends only the calls it needs. Nothing here replaces the runner; what cannot change
//! in place was marked for replacement in the plan.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::aws::{codebuild, connections, Clients};
use crate::framework::timeouts::timeout_for;
use crate::framework::{CallContext, Diagnostics};
use crate::runner::converge::Converge;
use crate::runner::errors::{aws_failure, Piece};
use crate::runner::model::{Computed, RunnerConfig};
use crate::runner::validate;
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
    default_tags: &BTreeMap<String, String>,
    diags: &mut Diagnostics,
) -> Value {
    let runner = RunnerConfig::from_values(planned, config, default_tags);
    let before = RunnerConfig::from_value(prior);
    let mut computed = Computed::from_value(prior);
    let prior_source = computed
        .source_connection_arn
        .clone()
        .or_else(|| computed.connection_arn.clone())
        .unwrap_or_default();

    // A webhook the plan marked unknown is recreated: its connection, scope or manual mode
    // changed, which UpdateWebhook cannot do.
    if planned.attr("webhook_payload_url").is_unknown() && computed.has_webhook() {
        if let Err(e) = codebuild::delete_webhook(clients, &ctx.cancel, &runner.name).await {
            let context = format!("Replacing the webhook of project \"{}\".", runner.name);
            aws_failure(diags, Piece::Webhook, "Deleting", &context, &e);
            return computed.into_state(prior, &before);
        }
        computed.clear_webhook();
    }
    if planned.attr("connection_status").is_unknown() {
        computed.connection_status = None;
    }
    if runner.manages_connection()
        && !update_host_and_tags(clients, ctx, &before, &runner, &mut computed, diags).await
    {
        return computed.into_state(prior, &before);
    }

    let timeout = timeout_for(config, "update", DEFAULT_UPDATE_TIMEOUT);
    let converge = Converge {
        clients,
        ctx,
        config: &runner,
        deadline: tokio::time::Instant::now() + timeout,
        timeout,
        previous: Some(before.project_spec(&prior_source)),
        previous_webhook: Some(before.webhook.clone()),
    };
    converge.run(&mut computed, diags).await;
    computed.into_state(planned, &runner)
}

/// UpdateHost for a new GitLab URL or VPC (the connection and its authorization stay), and
/// TagResource/UntagResource for changed tags on the host and connection. False on failure.
async fn update_host_and_tags(
    clients: &Clients,
    ctx: &CallContext,
    before: &RunnerConfig,
    runner: &RunnerConfig,
    c: &mut Computed,
    diags: &mut Diagnostics,
) -> bool {
    let cancel = &ctx.cancel;
    if let Some(host) = c.host_arn.clone() {
        let moved = !validate::same_endpoint(&before.gitlab_url, &runner.gitlab_url);
        if moved || before.vpc != runner.vpc {
            let sent = connections::update_host(
                clients,
                cancel,
                &host,
                &runner.gitlab_url,
                runner.vpc.as_ref(),
            )
            .await;
            if let Err(e) = sent {
                let what = match (moved, before.vpc != runner.vpc) {
                    (true, true) => "a new GitLab URL and VPC settings",
                    (true, false) => "a new GitLab URL",
                    _ => "new VPC settings",
                };
                let context = format!(
                    "Could not update host {host} with {what} ({}).",
                    runner.gitlab_url
                );
                aws_failure(diags, Piece::Host, "Updating", &context, &e);
                return false;
            }
            // Converge waits while AWS applies it.
            c.host_status = None;
        }
    }
    if before.tags == runner.tags {
        return true;
    }
    let pieces = [
        (Piece::Host, c.host_arn.clone()),
        (Piece::Connection, c.connection_arn.clone()),
    ];
    for (piece, arn) in pieces {
        let Some(arn) = arn else { continue };
        if let Err(e) =
            connections::sync_tags(clients, cancel, &arn, &before.tags, &runner.tags).await
        {
            aws_failure(diags, piece, "Tagging", &format!("Tags of {arn}."), &e);
            return false;
        }
    }
    true
}
