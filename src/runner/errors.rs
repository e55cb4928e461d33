//! Turning AWS failures into diagnostics that name the piece of the runner, carry AWS's own
//! words, and say what to do next.

use crate::aws::AwsError;
use crate::framework::Diagnostics;

/// The four AWS objects a runner is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece {
    /// CodeConnections host.
    Host,
    /// CodeConnections connection.
    Connection,
    /// CodeBuild project.
    Project,
    /// CodeBuild webhook.
    Webhook,
}

impl Piece {
    fn title(self) -> &'static str {
        match self {
            Piece::Host => "CodeConnections Host",
            Piece::Connection => "CodeConnections Connection",
            Piece::Project => "CodeBuild Project",
            Piece::Webhook => "CodeBuild Webhook",
        }
    }
}

/// How to get going again after an update failed part-way: nothing is tainted.
pub const RETRY_UPDATE: &str = "What exists is recorded in the state. After fixing the cause, \
    run `terraform apply` again: it continues from the first missing piece.";

/// How to get going again after a create failed part-way.
pub const RECOVERY: &str = "Everything created so far is recorded in the state, so nothing is \
    orphaned. Terraform marks the runner tainted; after fixing the cause, run \
    `terraform untaint <address>` and `terraform apply` to continue from the first missing \
    piece without recreating an authorized connection (or `terraform destroy` to remove it).";

/// Adds an error for a failed AWS call: `action` is e.g. "Creating", `context` names the
/// object (an ARN or name) and anything else that helps.
pub fn aws_failure(
    diags: &mut Diagnostics,
    piece: Piece,
    action: &str,
    context: &str,
    err: &AwsError,
) {
    aws_failure_then(diags, piece, action, context, err, None);
}

/// As [`aws_failure`], with `next` (how to carry on once the cause is fixed) after the hint.
pub fn aws_failure_then(
    diags: &mut Diagnostics,
    piece: Piece,
    action: &str,
    context: &str,
    err: &AwsError,
    next: Option<&str>,
) {
    let summary = format!("{action} {} Failed", piece.title());
    let mut detail = format!("{context}\n\nAWS said: {}", err.describe());
    for part in [hint(piece, err).as_deref(), next].into_iter().flatten() {
        detail.push_str("\n\n");
        detail.push_str(part);
    }
    diags.error(summary, detail);
}

/// The likely fix for well-known failures.
fn hint(piece: Piece, err: &AwsError) -> Option<String> {
    let message = err.message();
    let hint = match (piece, err.code()) {
        (_, None) if matches!(err, AwsError::Cancelled) => {
            "Terraform was interrupted. Run `terraform apply` again to continue.".to_string()
        }
        (_, None) => "Check the provider's `region` and `endpoints` settings and the network \
            path to AWS, then run the command again."
            .to_string(),
        (Piece::Connection, Some(_)) if message.contains("already exists") => "Connection \
            names are unique in the account, and the default name is the first 32 characters \
            of `name`, so two runners with long, similar names collide. Set `connection_name` \
            to a name of your own."
            .to_string(),
        (_, Some(_)) if err.is_throttling() => "AWS kept throttling the requests after \
            every retry. Raise `max_retries` in the provider block or lower \
            `terraform apply -parallelism`, then run the command again."
            .to_string(),
        (_, Some("AccessDeniedException")) => "The credentials Terraform runs with are not \
            allowed to do this. Grant the missing `codebuild:*` or `codeconnections:*` action \
            named above to the calling identity."
            .to_string(),
        (Piece::Host, Some("ConflictException" | "LimitExceededException")) => "AWS allows one \
            host per GitLab URL. If another runner already manages a host and connection for \
            this GitLab, set `connection_arn` to that runner's connection instead."
            .to_string(),
        (Piece::Host, Some("UnsupportedOperationException")) => "AWS changes a host's GitLab \
            URL or VPC settings only in some states (the console allows it while the host is \
            PENDING). Revert the change, or replace the runner with `terraform apply \
            -replace=<address>` and authorize the new connection."
            .to_string(),
        (Piece::Project, Some("ResourceAlreadyExistsException")) => "A CodeBuild project with \
            this name already exists in the account and region, and it does not use this \
            runner's connection, so the provider leaves it alone. Choose another `name`. To \
            manage that project as this runner instead, run `terraform destroy \
            -target=<address>` (it removes only what this runner created, never the other \
            project), then `terraform import <address> <name>`."
            .to_string(),
        (_, Some(_)) if message.contains("sts:AssumeRole") => "CodeBuild could not assume the \
            service role. Its trust policy must allow the principal `codebuild.amazonaws.com` \
            to call sts:AssumeRole. A role created moments ago can need a minute before AWS \
            accepts it."
            .to_string(),
        (_, Some(_)) if message.contains("Access denied to connection") => "The project's \
            service role (`service_role_arn`) may not use the connection. Add a statement to \
            its IAM policy that allows `codeconnections:GetConnectionToken`, \
            `codeconnections:GetConnection` and `codeconnections:UseConnection` on the \
            connection ARN (for a connection ARN that starts with `arn:aws:codestar-connections`, \
            the same actions with the `codestar-connections:` prefix)."
            .to_string(),
        (Piece::Webhook, Some(_)) if is_not_available(message) => "The connection is not \
            authorized (any more): it must be AVAILABLE before CodeBuild can register a \
            webhook through it. Open the `authorization_url` in the AWS console, choose \
            \"Update pending connection\" and authorize with a GitLab personal access token \
            with the `api` scope; check `connection_status` with `terraform refresh`."
            .to_string(),
        (Piece::Webhook, Some("OAuthProviderException"))
            if message.contains("not found") || message.contains("permission denied") =>
        {
            "GitLab, asked through the connection, did not show CodeBuild the repository or \
             group. Check that `source_location` is the project's web address on the GitLab \
             instance (`<gitlab_url>/<group>/<project>`, without `.git`), or that \
             `webhook.scope.name` is the group's path; and that the GitLab user who \
             authorized the connection is a Maintainer (or Owner) there, since adding a \
             webhook needs that role."
                .to_string()
        }
        (Piece::Webhook, Some("OAuthProviderException")) => "GitLab refused the webhook. Make \
            sure the GitLab user who authorized the connection can manage webhooks on the \
            project or group (Maintainer or Owner), that the repository exists, and that \
            stale CodeBuild hooks are removed from it if GitLab's hook limit is reached."
            .to_string(),
        (Piece::Webhook, Some("InvalidInputException")) => "CodeBuild only accepts a runner \
            webhook on a project whose source is GITLAB_SELF_MANAGED with an AVAILABLE \
            connection. Check `connection_status` and `source_location`, and the service \
            role's permissions on the connection."
            .to_string(),
        _ => return None,
    };
    Some(hint)
}

/// CodeBuild's words for a webhook asked of a connection that is not AVAILABLE.
fn is_not_available(message: &str) -> bool {
    message.contains("not in AVAILABLE state") || message.contains("PENDING")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(code: &str, message: &str) -> AwsError {
        AwsError::Service {
            code: code.into(),
            message: message.into(),
            request_id: Some("r-1".into()),
        }
    }

    #[test]
    fn diagnostic_names_piece_and_carries_aws_words() {
        let mut d = Diagnostics::default();
        aws_failure(
            &mut d,
            Piece::Project,
            "Creating",
            "Project \"p\".",
            &service(
                "InvalidInputException",
                "CodeBuild is not authorized to perform: sts:AssumeRole",
            ),
        );
        let diag = &d.0[0];
        assert_eq!(diag.summary, "Creating CodeBuild Project Failed");
        assert!(diag.detail.contains("request id r-1"));
        assert!(diag.detail.contains("codebuild.amazonaws.com"));
    }

    #[test]
    fn host_conflict_suggests_sharing_a_connection() {
        let mut d = Diagnostics::default();
        aws_failure(
            &mut d,
            Piece::Host,
            "Creating",
            "",
            &service("ConflictException", "exists"),
        );
        assert!(d.0[0].detail.contains("connection_arn"));
    }

    #[test]
    fn webhook_failures_say_what_to_do() {
        let cases = [
            (
                "InvalidInputException",
                "Access denied to connection arn:x",
                "UseConnection",
            ),
            (
                "InvalidInputException",
                "Connection arn:x is not in AVAILABLE state",
                "pending",
            ),
            (
                "OAuthProviderException",
                "Repository not found or permission denied",
                "Maintainer",
            ),
            ("ThrottlingException", "Rate exceeded", "max_retries"),
        ];
        for (code, message, expected) in cases {
            let mut d = Diagnostics::default();
            aws_failure_then(
                &mut d,
                Piece::Webhook,
                "Creating",
                "",
                &service(code, message),
                Some(RECOVERY),
            );
            let detail = &d.0[0].detail;
            assert!(detail.contains(expected), "{code}: {detail}");
            assert!(detail.ends_with(RECOVERY), "{code}: {detail}");
        }
    }
}
