//! Typed AWS failures. The resource layer turns them into diagnostics; below it, callers can
//! tell "not found" from "access denied" from "the service is overloaded".

use aws_sdk_codebuild::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_codebuild::operation::RequestId;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

/// One failed AWS call.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// The service answered with an error.
    #[error("{code}: {message}")]
    Service {
        /// AWS error code, e.g. `ResourceNotFoundException`.
        code: String,
        /// AWS's message (may be empty).
        message: String,
        /// Request id, for AWS support.
        request_id: Option<String>,
    },
    /// The request never got an answer (network, DNS, TLS, endpoint).
    #[error("could not reach the AWS endpoint: {0}")]
    Transport(String),
    /// The answer could not be understood.
    #[error("AWS returned a response the provider could not read: {0}")]
    Malformed(String),
    /// The request could not be built (a provider bug or an invalid value).
    #[error("the request could not be built: {0}")]
    Request(String),
    /// Terraform asked the provider to stop.
    #[error("cancelled because Terraform is stopping")]
    Cancelled,
}

impl AwsError {
    /// The AWS error code, when the service answered.
    pub fn code(&self) -> Option<&str> {
        match self {
            AwsError::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// AWS's message, when the service answered.
    pub fn message(&self) -> &str {
        match self {
            AwsError::Service { message, .. } => message,
            _ => "",
        }
    }

    /// True for "the thing is not there".
    pub fn is_not_found(&self) -> bool {
        self.code() == Some("ResourceNotFoundException")
    }

    /// True for "slow down": the throttling codes the SDKs themselves retry.
    pub fn is_throttling(&self) -> bool {
        self.code().is_some_and(|code| {
            matches!(
                code,
                "Throttling"
                    | "ThrottlingException"
                    | "ThrottledException"
                    | "TooManyRequestsException"
                    | "RequestLimitExceeded"
                    | "RequestThrottled"
                    | "SlowDown"
            )
        })
    }

    /// True for failures that asking again later may cure: throttling, AWS-side faults and
    /// the network. Waits poll through them; one-shot calls report them.
    pub fn is_transient(&self) -> bool {
        let server_fault = self.code().is_some_and(|code| {
            matches!(
                code,
                "InternalFailure"
                    | "InternalServerError"
                    | "InternalServerException"
                    | "ServiceUnavailable"
                    | "ServiceUnavailableException"
                    | "RequestTimeout"
                    | "RequestTimeoutException"
            )
        });
        self.is_throttling() || server_fault || matches!(self, AwsError::Transport(_))
    }

    /// Text for a diagnostic detail: code, message and request id.
    pub fn describe(&self) -> String {
        match self {
            AwsError::Service {
                code,
                message,
                request_id,
            } => {
                let message = if message.is_empty() {
                    "(no message)"
                } else {
                    message
                };
                match request_id {
                    Some(id) => format!("{code}: {message} (request id {id})"),
                    None => format!("{code}: {message}"),
                }
            }
            other => other.to_string(),
        }
    }
}

/// Converts any SDK operation error.
pub fn from_sdk<E>(err: SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let request_id = err.request_id().map(str::to_string);
    match &err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            AwsError::Service {
                code: e.code().unwrap_or("UnknownError").to_string(),
                message: e.message().unwrap_or_default().to_string(),
                request_id,
            }
        }
        SdkError::ResponseError(_) => AwsError::Malformed(error_chain(&err)),
        SdkError::ConstructionFailure(_) => AwsError::Request(error_chain(&err)),
        _ => AwsError::Transport(error_chain(&err)),
    }
}

/// The error and its sources, joined: the SDK's top-level text alone is often just
/// "dispatch failure".
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Converts a builder error (a required member missing).
pub fn from_build(err: aws_smithy_types::error::operation::BuildError) -> AwsError {
    AwsError::Request(err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(code: &str) -> AwsError {
        AwsError::Service {
            code: code.into(),
            message: String::new(),
            request_id: None,
        }
    }

    #[test]
    fn transient_failures_are_told_apart_from_final_ones() {
        assert!(service("ThrottlingException").is_transient());
        assert!(service("InternalFailure").is_transient());
        assert!(AwsError::Transport("connection reset".into()).is_transient());
        assert!(!service("AccessDeniedException").is_transient());
        assert!(!service("ResourceNotFoundException").is_transient());
        assert!(!AwsError::Malformed("{}".into()).is_transient());
        assert!(!AwsError::Cancelled.is_transient());
    }
}
