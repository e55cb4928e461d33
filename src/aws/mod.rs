//! The AWS layer: SDK client set-up, typed errors, finders and actions for CodeConnections
//! and CodeBuild, and the generic waiter. Knows the SDK crates, nothing of Terraform.

pub mod clients;
pub mod codebuild;
pub mod codebuild_spec;
pub mod connections;
pub mod error;
pub mod waiter;

use std::future::Future;

use tokio_util::sync::CancellationToken;

pub use clients::{AwsSettings, Clients};
pub use error::AwsError;

/// Runs an SDK call unless Terraform stops the provider first; a stopped call is dropped,
/// which closes its connection.
pub async fn cancellable<T>(
    cancel: &CancellationToken,
    call: impl Future<Output = T>,
) -> Result<T, AwsError> {
    tokio::select! {
        _ = cancel.cancelled() => Err(AwsError::Cancelled),
        out = call => Ok(out),
    }
}
