//! Bringing a runner from whatever exists to complete: host, host set-up, connection,
//! handshake, project, webhook. Create starts from nothing; update and the apply after a
//! failed create start from the first missing piece, so an authorized connection is never
//! made again.

use std::time::Duration;

use tokio::time::Instant;

use crate::aws::waiter::{poll, Backoff, Probe, WaitError};
use crate::aws::{codebuild, connections, AwsError, Clients};
use crate::framework::{CallContext, Diagnostics};
use crate::log_info;
use crate::runner::errors::{aws_failure, aws_failure_then, Piece, RECOVERY, RETRY_UPDATE};
use crate::runner::model::{authorization_url, Computed, RunnerConfig};
use crate::runner::readiness::{
    wait_connection_available, wait_host_ready, wait_project_visible, MissingHost, HOST_SETTING_UP,
};

/// How long CreateProject is retried while IAM has not yet propagated a new service role.
pub const IAM_PROPAGATION_WINDOW: Duration = Duration::from_secs(120);
const IAM_BACKOFF: Backoff = Backoff {
    initial: Duration::from_secs(2),
    max: Duration::from_secs(10),
};

/// Everything one converge run needs.
pub struct Converge<'a> {
    /// AWS clients.
    pub clients: &'a Clients,
    /// Cancellation.
    pub ctx: &'a CallContext,
    /// What the user asked for.
    pub config: &'a RunnerConfig,
    /// When the operation's timeout runs out.
    pub deadline: Instant,
    /// The timeout, for messages.
    pub timeout: Duration,
    /// The project as the prior state describes it; when it differs from what the
    /// configuration asks for, the existing project is updated before the webhook is made.
    pub previous: Option<codebuild::ProjectSpec>,
    /// The webhook as the prior state describes it; a difference in filters or build type
    /// is sent with UpdateWebhook.
    pub previous_webhook: Option<codebuild::WebhookSpec>,
}

impl Converge<'_> {
    /// Runs every missing step in order; stops at the first failure with an error diagnostic.
    /// `computed` always reflects what exists, also on failure.
    pub async fn run(&self, computed: &mut Computed, diags: &mut Diagnostics) {
        let steps_ok = self.ensure_host(computed, diags).await
            && self.ensure_connection(computed, diags).await
            && self.ensure_available(computed, diags).await
            && self.ensure_project(computed, diags).await;
        if steps_ok {
            self.ensure_webhook(computed, diags).await;
        }
    }

    async fn ensure_host(&self, c: &mut Computed, diags: &mut Diagnostics) -> bool {
        if !self.config.manages_connection() {
            c.host_arn = None;
            c.host_status = None;
            return true;
        }
        let arn = match &c.host_arn {
            // An unknown status follows a host update: wait until AWS has applied it.
            Some(_)
                if c.host_status
                    .as_deref()
                    .is_some_and(|s| !HOST_SETTING_UP.contains(&s)) =>
            {
                return true
            }
            Some(arn) => arn.clone(),
            None => {
                let cfg = self.config;
                let created = connections::create_host(
                    self.clients,
                    &self.ctx.cancel,
                    &cfg.host_name,
                    &cfg.gitlab_url,
                    cfg.vpc.as_ref(),
                    &cfg.tags,
                )
                .await;
                match created {
                    Ok(arn) => {
                        log_info!("host created", host_arn = arn.clone());
                        c.host_arn = Some(arn.clone());
                        c.host_status = Some("PENDING".into());
                        arn
                    }
                    Err(e) => {
                        let context = format!(
                            "Could not create the host \"{}\" for {}.",
                            cfg.host_name, cfg.gitlab_url
                        );
                        aws_failure(diags, Piece::Host, "Creating", &context, &e);
                        return false;
                    }
                }
            }
        };
        let missing = MissingHost::NotVisibleYet;
        match wait_host_ready(self.clients, self.ctx, &arn, self.deadline, missing).await {
            Ok(status) => {
                c.host_status = Some(status);
                true
            }
            Err(e) => {
                self.wait_failed(diags, Piece::Host, &arn, e, |status, timeout| {
                    format!(
                    "The host {arn} was still {status} when the timeout of {timeout} ran out. AWS \
                     is building the host's VPC attachment; this can take several minutes. \
                     Raise `timeouts.create` if it regularly takes longer.\n\n{RECOVERY}"
                )
                });
                false
            }
        }
    }

    async fn ensure_connection(&self, c: &mut Computed, diags: &mut Diagnostics) -> bool {
        if let Some(shared) = &self.config.shared_connection_arn {
            if c.connection_arn.as_ref() != Some(shared) {
                c.connection_status = None;
            }
            c.connection_arn = Some(shared.clone());
            c.authorization_url = authorization_url(shared);
            return true;
        }
        if c.connection_arn.is_some() {
            return true;
        }
        let Some(host_arn) = c.host_arn.clone() else {
            return false;
        };
        let cfg = self.config;
        let created = connections::create_connection(
            self.clients,
            &self.ctx.cancel,
            &cfg.connection_name,
            &host_arn,
            &cfg.tags,
        )
        .await;
        match created {
            Ok(arn) => {
                log_info!("connection created", connection_arn = arn.clone());
                c.authorization_url = authorization_url(&arn);
                c.connection_arn = Some(arn);
                c.connection_status = Some("PENDING".into());
                true
            }
            Err(e) => {
                let context = format!(
                    "Could not create the connection \"{}\" on host {host_arn}.",
                    cfg.connection_name
                );
                aws_failure(diags, Piece::Connection, "Creating", &context, &e);
                false
            }
        }
    }

    async fn ensure_available(&self, c: &mut Computed, diags: &mut Diagnostics) -> bool {
        if c.connection_status.as_deref() == Some("AVAILABLE") {
            return true;
        }
        let Some(arn) = c.connection_arn.clone() else {
            return false;
        };
        let url = c.authorization_url.clone();
        if !self.config.wait_for_connection {
            return self.check_available(c, &arn, url.as_deref(), diags).await;
        }
        let waited =
            wait_connection_available(self.clients, self.ctx, &arn, url.as_deref(), self.deadline);
        match waited.await {
            Ok(()) => {
                c.connection_status = Some("AVAILABLE".into());
                if c.host_arn.is_some() {
                    c.host_status = Some("AVAILABLE".into());
                }
                true
            }
            Err(e) => {
                let url = url.unwrap_or_else(|| "the AWS console".into());
                if let WaitError::TimedOut(Some(s)) | WaitError::Cancelled(Some(s)) = &e {
                    if matches!(s.as_str(), "PENDING" | "ERROR") {
                        c.connection_status = Some(s.clone());
                    }
                }
                self.wait_failed(diags, Piece::Connection, &arn, e, |status, timeout| {
                    let error_note = if status == "ERROR" {
                        " The connection is in ERROR; AWS retries such connections by itself and \
                         may still recover it, otherwise update it in the console."
                    } else {
                        ""
                    };
                    format!(
                        "The connection {arn} was still {status} when the timeout of {timeout} \
                         ran out.{error_note}\n\nA person has to complete the handshake: open \
                         {url}, choose \"Update pending connection\", and sign in to GitLab with \
                         a user who has rights on the project or group, using a personal access \
                         token with the `api` scope.\n\n{RECOVERY}"
                    )
                });
                false
            }
        }
    }

    /// One look at the connection, for `wait_for_connection = false`: not yet available
    /// ends the run with a warning, not an error, so create succeeds.
    async fn check_available(
        &self,
        c: &mut Computed,
        arn: &str,
        url: Option<&str>,
        diags: &mut Diagnostics,
    ) -> bool {
        match connections::find_connection(self.clients, &self.ctx.cancel, arn).await {
            Ok(Some(found)) if found.status == "AVAILABLE" => {
                c.connection_status = Some(found.status);
                true
            }
            Ok(found) => {
                c.connection_status = found.map(|f| f.status);
                let url = url.unwrap_or("the AWS console");
                diags.warning(
                    "Connection Not Authorized Yet",
                    format!(
                        "The connection {arn} is not AVAILABLE yet, and wait_for_connection is \
                         false, so the project and the webhook are not created now. Complete the \
                         handshake at {url} (GitLab personal access token with the `api` \
                         scope), then run `terraform apply` again."
                    ),
                );
                false
            }
            Err(e) => {
                aws_failure(
                    diags,
                    Piece::Connection,
                    "Reading",
                    &format!("Connection {arn}."),
                    &e,
                );
                false
            }
        }
    }

    async fn ensure_project(&self, c: &mut Computed, diags: &mut Diagnostics) -> bool {
        let Some(connection_arn) = c.connection_arn.clone() else {
            return false;
        };
        let spec = self.config.project_spec(&connection_arn);
        if c.project_arn.is_some() {
            let synced = self.sync_project(&spec, diags).await;
            if synced {
                c.source_connection_arn = Some(connection_arn);
            }
            return synced;
        }
        let iam_deadline = self.deadline.min(Instant::now() + IAM_PROPAGATION_WINDOW);
        let created = poll(&self.ctx.cancel, iam_deadline, IAM_BACKOFF, |_| async {
            match codebuild::create_project(self.clients, &self.ctx.cancel, &spec).await {
                Ok(arn) => Ok(Probe::Ready(arn)),
                Err(e) if is_iam_propagation(&e) => Ok(Probe::Pending(e.describe())),
                Err(e) => Err(e),
            }
        })
        .await;
        let context = format!(
            "Could not create the project \"{}\" (source GITLAB_SELF_MANAGED {}, connection \
             {connection_arn}, service role {}).",
            spec.name, spec.source_location, spec.service_role_arn
        );
        let created = match created {
            Ok(arn) => Ok(arn),
            Err(WaitError::Failed(e)) => Err(e),
            Err(WaitError::Cancelled(_)) => Err(AwsError::Cancelled),
            Err(WaitError::TimedOut(last)) => Err(AwsError::Service {
                code: "InvalidInputException".into(),
                message: last.unwrap_or_default(),
                request_id: None,
            }),
        };
        match created {
            Ok(arn) => {
                log_info!("project created", project_arn = arn.clone());
                c.project_arn = Some(arn);
                c.source_connection_arn = Some(connection_arn);
                self.confirm_visible(diags).await
            }
            Err(e) => {
                let Some(arn) = self.find_own_project(&connection_arn, &e).await else {
                    let next = self.next_step();
                    aws_failure_then(diags, Piece::Project, "Creating", &context, &e, next);
                    return false;
                };
                c.project_arn = Some(arn);
                c.source_connection_arn = Some(connection_arn);
                if e.code() == Some("ResourceAlreadyExistsException") {
                    // Left by an earlier run of this runner: adopt it and carry on.
                    log_info!("adopted the runner's existing project", project = spec.name);
                    return self.sync_project(&spec, diags).await;
                }
                let context = format!(
                    "{context} The project exists on AWS anyway and uses this runner's \
                     connection, so it is recorded in the state; the next apply continues with \
                     the webhook."
                );
                aws_failure(diags, Piece::Project, "Creating", &context, &e);
                false
            }
        }
    }

    /// Waits out AWS's read-after-create delay, so the next refresh sees the project.
    async fn confirm_visible(&self, diags: &mut Diagnostics) -> bool {
        let name = &self.config.name;
        match wait_project_visible(self.clients, self.ctx, name, self.deadline).await {
            Ok(_) => true,
            Err(e) => {
                let context = format!("Reading back the project \"{name}\" just created.");
                aws_failure(diags, Piece::Project, "Reading", &context, &e);
                false
            }
        }
    }

    /// After a failed CreateProject, looks for a project that exists anyway: the call may
    /// have succeeded behind an unreadable answer, or an earlier run of this runner created
    /// it. Only a project that uses this runner's connection counts as ours; any other one is
    /// left alone (the error says how to import it).
    async fn find_own_project(&self, connection_arn: &str, err: &AwsError) -> Option<String> {
        let uncertain = matches!(err, AwsError::Malformed(_) | AwsError::Transport(_))
            || err.code() == Some("ResourceAlreadyExistsException");
        if !uncertain {
            return None;
        }
        let name = &self.config.name;
        let found = codebuild::find_project(self.clients, &self.ctx.cancel, name).await;
        let project = found.ok().flatten()?;
        (project.spec.connection_arn == connection_arn).then_some(project.arn)
    }

    /// Updates an existing project when the configuration (or its connection) changed.
    async fn sync_project(&self, spec: &codebuild::ProjectSpec, diags: &mut Diagnostics) -> bool {
        if self
            .previous
            .as_ref()
            .is_none_or(|previous| previous == spec)
        {
            return true;
        }
        match codebuild::update_project(self.clients, &self.ctx.cancel, spec).await {
            Ok(()) => true,
            Err(e) => {
                let context = format!("Updating project \"{}\".", spec.name);
                aws_failure(diags, Piece::Project, "Updating", &context, &e);
                false
            }
        }
    }

    async fn ensure_webhook(&self, c: &mut Computed, diags: &mut Diagnostics) -> bool {
        let name = &self.config.name;
        let spec = &self.config.webhook;
        if c.has_webhook() {
            return self.sync_webhook(diags).await;
        }
        match codebuild::create_webhook(self.clients, &self.ctx.cancel, name, spec).await {
            Ok(hook) => {
                log_info!("webhook created", project = name.clone());
                c.webhook_url = hook.url;
                c.webhook_payload_url = hook.payload_url;
                c.webhook_secret = hook.secret;
                true
            }
            Err(e) => {
                let project = self.config.project_spec("");
                let target = match &spec.scope {
                    Some(scope) => {
                        format!(
                            "GitLab group \"{}\" on {}",
                            scope.name, self.config.gitlab_url
                        )
                    }
                    None => format!("GitLab project {}", project.source_location),
                };
                let context = format!(
                    "Could not create the webhook of project \"{name}\" for the {target} \
                     (source GITLAB_SELF_MANAGED {}, event {}, connection {} in status {} as \
                     last seen, authorization page {}, service role {}).",
                    project.source_location,
                    codebuild::RUNNER_EVENT,
                    c.connection_arn.as_deref().unwrap_or("-"),
                    c.connection_status.as_deref().unwrap_or("unknown"),
                    c.authorization_url.as_deref().unwrap_or("-"),
                    project.service_role_arn,
                );
                let next = self.next_step();
                aws_failure_then(diags, Piece::Webhook, "Creating", &context, &e, next);
                false
            }
        }
    }

    /// Sends changed filters or build type to the existing webhook.
    async fn sync_webhook(&self, diags: &mut Diagnostics) -> bool {
        let spec = &self.config.webhook;
        if self
            .previous_webhook
            .as_ref()
            .is_none_or(|previous| previous == spec)
        {
            return true;
        }
        let name = &self.config.name;
        match codebuild::update_webhook(self.clients, &self.ctx.cancel, name, spec).await {
            Ok(()) => true,
            Err(e) => {
                let context = format!("Updating the webhook of project \"{name}\".");
                aws_failure(diags, Piece::Webhook, "Updating", &context, &e);
                false
            }
        }
    }

    /// How to carry on after a failed step: a failed create leaves the runner tainted, a
    /// failed update does not.
    fn next_step(&self) -> Option<&'static str> {
        Some(if self.previous.is_none() {
            RECOVERY
        } else {
            RETRY_UPDATE
        })
    }

    /// Reports a wait that ended without success.
    fn wait_failed(
        &self,
        diags: &mut Diagnostics,
        piece: Piece,
        arn: &str,
        err: WaitError<AwsError>,
        timed_out: impl FnOnce(&str, &str) -> String,
    ) {
        let what = match piece {
            Piece::Host => "Host",
            _ => "Connection",
        };
        match err {
            WaitError::Failed(e) => aws_failure(
                diags,
                piece,
                "Waiting For",
                &format!("While waiting for {arn}."),
                &e,
            ),
            WaitError::TimedOut(status) => {
                let status = status.unwrap_or_else(|| "unknown".into());
                let timeout = format_duration(self.timeout);
                diags.error(
                    format!("Timed Out Waiting For The {what}"),
                    timed_out(&status, &timeout),
                );
            }
            WaitError::Cancelled(_) => diags.error(
                "Interrupted",
                format!(
                    "Terraform was interrupted while waiting for {arn}. What exists is recorded \
                     in the state.\n\n{RECOVERY}"
                ),
            ),
        }
    }
}

/// CodeBuild's answer while a fresh service role is not visible to it yet.
fn is_iam_propagation(e: &AwsError) -> bool {
    e.code() == Some("InvalidInputException")
        && (e.message().contains("ot authorized to perform")
            || e.message().contains("Invalid service role"))
}

/// Formats a duration the way users wrote it: "1h0m0s", "2m0s", "30s".
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    match (secs / 3600, (secs / 60) % 60, secs % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, m, s) => format!("{h}h{m}m{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_go() {
        assert_eq!(format_duration(Duration::from_secs(60)), "1m0s");
        assert_eq!(format_duration(Duration::from_secs(30)), "30s");
        assert_eq!(format_duration(Duration::from_secs(5400)), "1h30m0s");
    }

    #[test]
    fn iam_propagation_is_recognised() {
        let e = AwsError::Service {
            code: "InvalidInputException".into(),
            message: "CodeBuild is not authorized to perform: sts:AssumeRole on x".into(),
            request_id: None,
        };
        assert!(is_iam_propagation(&e));
        let other = AwsError::Service {
            code: "InvalidInputException".into(),
            message: "bad".into(),
            request_id: None,
        };
        assert!(!is_iam_propagation(&other));
    }
}
