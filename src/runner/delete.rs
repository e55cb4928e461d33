//! Delete: webhook, project, connection, host — in that order, so CodeBuild can still clean up
//! the GitLab-side hook through the connection. Each step accepts "already gone".

use std::time::Duration;

use tokio::time::Instant;

use crate::aws::waiter::WaitError;
use crate::aws::{codebuild, connections, AwsError, Clients};
use crate::framework::timeouts::timeout_for;
use crate::framework::{CallContext, Diagnostics};
use crate::log_info;
use crate::runner::converge::format_duration;
use crate::runner::errors::{aws_failure, Piece};
use crate::runner::model::{Computed, RunnerConfig};
use crate::runner::readiness::{wait_host_gone, wait_host_ready, MissingHost, HOST_GONE};
use crate::value::Value;

/// Default delete timeout: VPC hosts take minutes to tear down.
pub const DEFAULT_DELETE_TIMEOUT: Duration = Duration::from_secs(20 * 60);

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

    match project_owner(clients, cancel, &c, &name).await {
        // The webhook is deleted even when state does not know it: an earlier failed run may
        // have left one behind on the project (or, on AWS, without it).
        Ok(Owner::Runner | Owner::Nobody) => {
            if let Err(e) = codebuild::delete_webhook(clients, cancel, &name).await {
                fail(
                    diags,
                    Piece::Webhook,
                    &format!("Webhook of project \"{name}\"."),
                    &e,
                );
                return left(&c);
            }
            c.clear_webhook();
            if let Err(e) = codebuild::delete_project(clients, cancel, &name).await {
                fail(diags, Piece::Project, &format!("Project \"{name}\"."), &e);
                return left(&c);
            }
        }
        Ok(Owner::Someone) => {
            log_info!(
                "left alone a project of the same name that is not this runner's",
                project = name.clone()
            );
            c.clear_webhook();
        }
        Err(e) => {
            fail(diags, Piece::Project, &format!("Project \"{name}\"."), &e);
            return left(&c);
        }
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
        let timeout = timeout_for(prior, "delete", DEFAULT_DELETE_TIMEOUT);
        match delete_host(clients, ctx, &arn, timeout).await {
            Ok(()) => {}
            Err(HostNotDeleted::Waiting(message)) => {
                diags.error("Deleting CodeConnections Host Failed", message);
                return left(&c);
            }
            // Through `fail`, so AWS's refusal comes with the usual fix (a missing permission).
            Err(HostNotDeleted::Refused(e)) => {
                fail(diags, Piece::Host, &format!("Host {arn}."), &e);
                return left(&c);
            }
        }
    }
    None
}

/// Why a host is still there after `delete_host`.
enum HostNotDeleted {
    /// A wait before or after DeleteHost ended without success; the message says which.
    Waiting(String),
    /// DeleteHost itself failed.
    Refused(AwsError),
}

/// Deletes a host: AWS refuses while its VPC attachment is still being set up, so that is
/// waited out first; a VPC host then passes through `VPC_CONFIG_DELETING`, waited out too,
/// so a destroy that returns has really removed it (and its GitLab URL is free again).
async fn delete_host(
    clients: &Clients,
    ctx: &CallContext,
    arn: &str,
    timeout: Duration,
) -> Result<(), HostNotDeleted> {
    let deadline = Instant::now() + timeout;
    let waited = |e: WaitError<AwsError>, what: &str| match e {
        WaitError::Failed(e) => format!("Host {arn}: {}", e.describe()),
        WaitError::TimedOut(status) => format!(
            "The host {arn} was still {} {what} when the delete timeout of {} ran out. Run \
             `terraform destroy` again later, or raise `timeouts.delete`.",
            status.unwrap_or_else(|| "unknown".into()),
            format_duration(timeout)
        ),
        WaitError::Cancelled(_) => format!(
            "Terraform was interrupted while deleting the host {arn}; it stays in the state. Run \
             `terraform destroy` again to finish."
        ),
    };
    match wait_host_ready(clients, ctx, arn, deadline, MissingHost::Gone).await {
        // Gone already (deleted outside Terraform): nothing to delete, and no reason to wait.
        Ok(status) if status == HOST_GONE => return Ok(()),
        Ok(_) => {}
        Err(e) => return Err(HostNotDeleted::Waiting(waited(e, "setting up"))),
    }
    connections::delete_host(clients, &ctx.cancel, arn)
        .await
        .map_err(HostNotDeleted::Refused)?;
    wait_host_gone(clients, ctx, arn, deadline)
        .await
        .map_err(|e| HostNotDeleted::Waiting(waited(e, "being deleted")))
}

/// Who the project named like the runner belongs to.
enum Owner {
    /// This runner: the state records it, or it uses the runner's connection.
    Runner,
    /// There is no such project.
    Nobody,
    /// Someone else: a project of the same name this runner never made (its create failed
    /// with "already exists"); destroy must not touch it.
    Someone,
}

async fn project_owner(
    clients: &Clients,
    cancel: &tokio_util::sync::CancellationToken,
    c: &Computed,
    name: &str,
) -> Result<Owner, AwsError> {
    if c.project_arn.is_some() {
        return Ok(Owner::Runner);
    }
    let Some(project) = codebuild::find_project(clients, cancel, name).await? else {
        return Ok(Owner::Nobody);
    };
    let ours = c.connection_arn.as_deref() == Some(project.spec.connection_arn.as_str());
    Ok(if ours { Owner::Runner } else { Owner::Someone })
}

fn fail(diags: &mut Diagnostics, piece: Piece, context: &str, e: &AwsError) {
    let context = format!(
        "{context} The pieces not yet deleted stay in the state; run `terraform destroy` again \
         after fixing the cause."
    );
    aws_failure(diags, piece, "Deleting", &context, e);
}
