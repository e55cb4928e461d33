//! Delete: webhook, project, connection, host — in that order, so CodeBuild can still clean up
//! the GitLab-side hook through the connection. Each step accepts "already gone".

use crate::aws::{codebuild, connections, AwsError, Clients};
use crate::framework::{CallContext, Diagnostics};
use crate::runner::errors::{aws_failure, Piece};
use crate::runner::model::{Computed, RunnerConfig};
use crate::value::Value;

/// Deletes every piece; on failure returns the state of what is left.
pub async fn delete(
    clients: &Clients,
    ctx: &CallContext,
    prior: &Value,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let runner = RunnerConfig::from_value(prior);
    let mut c = Computed::from_value(prior);
    let cancel = &ctx.cancel;
    let name = runner.name.clone();
    let left = |c: &Computed| Some(c.into_state(prior, &runner));

    // The webhook is deleted even when state does not know it: an earlier failed run may have
    // left one behind on the project.
    if let Err(e) = codebuild::delete_webhook(clients, cancel, &name).await {
        fail(diags, Piece::Webhook, &format!("Webhook of project \"{name}\"."), &e);
        return left(&c);
    }
    c.clear_webhook();

    if let Err(e) = codebuild::delete_project(clients, cancel, &name).await {
        fail(diags, Piece::Project, &format!("Project \"{name}\"."), &e);
        return left(&c);
    }
    c.project_arn = None;

    // A shared connection belongs to someone else: only managed ones (with a host) go.
    if let (Some(_), Some(arn)) = (&c.host_arn, c.connection_arn.clone()) {
        if let Err(e) = connections::delete_connection(clients, cancel, &arn).await {
            fail(diags, Piece::Connection, &format!("Connection {arn}."), &e);
            return left(&c);
        }
        c.clear_connection();
    }

    if let Some(arn) = c.host_arn.clone() {
        if let Err(e) = connections::delete_host(clients, cancel, &arn).await {
            fail(diags, Piece::Host, &format!("Host {arn}."), &e);
            return left(&c);
        }
    }
    None
}

fn fail(diags: &mut Diagnostics, piece: Piece, context: &str, e: &AwsError) {
    let context = format!(
        "{context} The pieces not yet deleted stay in the state; run `terraform destroy` again \
         after fixing the cause."
    );
    aws_failure(diags, piece, "Deleting", &context, e);
}
