//! Waiting for what becomes ready outside our control: the host while AWS builds (or tears
//! down) its VPC attachment, the connection until a person completes the handshake, and a
//! fresh project until AWS's reads see it.

use std::time::Duration;

use tokio::time::Instant;

use crate::aws::waiter::{poll, Backoff, Probe, WaitError};
use crate::aws::{codebuild, connections, AwsError, Clients};
use crate::framework::CallContext;
use crate::{log_info, log_warn};

/// Probe delays for the connection: an authorization is noticed within five seconds.
const CONNECTION_BACKOFF: Backoff = Backoff {
    initial: Duration::from_secs(1),
    max: Duration::from_secs(5),
};
/// Probe delays for the host's VPC set-up, which takes minutes on AWS.
const HOST_BACKOFF: Backoff = Backoff {
    initial: Duration::from_secs(1),
    max: Duration::from_secs(10),
};
/// How often the authorization URL is repeated in the log while waiting.
const REMIND_EVERY: u32 = 12;

/// Host statuses that mean "AWS is still setting the host up".
pub const HOST_SETTING_UP: &[&str] = &["VPC_CONFIG_INITIALIZING"];

/// What a host that cannot be found means to a wait.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum MissingHost {
    /// Right after creation: AWS's reads may not see it yet, so keep waiting.
    NotVisibleYet,
    /// Before a delete: it is gone already, so the wait is over.
    Gone,
}

/// Status reported for a host that no longer exists.
pub const HOST_GONE: &str = "NOT_FOUND";

/// Waits until the host leaves its set-up states; returns the status it settled in
/// ([`HOST_GONE`] when `missing` is [`MissingHost::Gone`] and the host does not exist).
pub async fn wait_host_ready(
    clients: &Clients,
    ctx: &CallContext,
    host_arn: &str,
    deadline: Instant,
    missing: MissingHost,
) -> Result<String, WaitError<AwsError>> {
    poll(&ctx.cancel, deadline, HOST_BACKOFF, |_| async move {
        match ride_out(connections::find_host(clients, &ctx.cancel, host_arn).await)? {
            Err(transient) => Ok(Probe::Pending(transient)),
            Ok(None) if missing == MissingHost::Gone => Ok(Probe::Ready(HOST_GONE.into())),
            Ok(None) => Ok(Probe::Pending(HOST_GONE.into())),
            Ok(Some(h)) if HOST_SETTING_UP.contains(&h.status.as_str()) => {
                Ok(Probe::Pending(h.status))
            }
            Ok(Some(h)) => Ok(Probe::Ready(h.status)),
        }
    })
    .await
}

/// Lets a wait poll through a transient failure (throttling that outlasted the SDK's own
/// retries, an AWS-side fault, the network): `Ok(Err(status))` is "not yet, try again";
/// the wait's own deadline still bounds it. Anything else ends the wait.
fn ride_out<T>(result: Result<T, AwsError>) -> Result<Result<T, String>, AwsError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(e) if e.is_transient() => {
            log_warn!(
                "transient AWS failure while waiting; polling on",
                error = e.describe()
            );
            Ok(Err(e.code().unwrap_or("UNREACHABLE").to_string()))
        }
        Err(e) => Err(e),
    }
}

/// Waits until the connection is `AVAILABLE`. `ERROR` does not end the wait: AWS retries such
/// a connection by itself, so it is logged as a warning and polled on.
pub async fn wait_connection_available(
    clients: &Clients,
    ctx: &CallContext,
    connection_arn: &str,
    authorization_url: Option<&str>,
    deadline: Instant,
) -> Result<(), WaitError<AwsError>> {
    let url =
        authorization_url.unwrap_or("the AWS console (Developer Tools > Settings > Connections)");
    log_info!(
        "waiting for the connection handshake",
        connection_arn = connection_arn,
        authorization_url = url
    );
    poll(
        &ctx.cancel,
        deadline,
        CONNECTION_BACKOFF,
        |attempt| async move {
            let found = connections::find_connection(clients, &ctx.cancel, connection_arn).await;
            let status = match ride_out(found)? {
                Ok(found) => found
                    .map(|c| c.status)
                    .unwrap_or_else(|| "NOT_FOUND".into()),
                Err(transient) => return Ok(Probe::Pending(transient)),
            };
            match status.as_str() {
                "AVAILABLE" => return Ok(Probe::Ready(())),
                "ERROR" => log_warn!(
                    "the connection is in ERROR; AWS retries it by itself, still waiting",
                    connection_arn = connection_arn
                ),
                _ if attempt % REMIND_EVERY == 1 => log_info!(
                    "connection still pending: complete the handshake in the AWS console",
                    connection_arn = connection_arn,
                    authorization_url = url,
                    status = status.clone()
                ),
                _ => {}
            }
            Ok(Probe::Pending(status))
        },
    )
    .await
}

/// Probe delays while a freshly created project becomes visible to reads.
const VISIBLE_BACKOFF: Backoff = Backoff {
    initial: Duration::from_millis(500),
    max: Duration::from_secs(2),
};
/// How long a fresh project may stay invisible before we stop looking (AWS is eventually
/// consistent; the AWS provider tolerates a similar window on its own reads).
pub const VISIBILITY_WINDOW: Duration = Duration::from_secs(30);

/// Waits until a project just created shows up in BatchGetProjects, so the refresh that
/// follows the apply does not mistake a consistency delay for a deleted project. Returns the
/// project as found, or `None` when it stayed invisible for the whole window.
pub async fn wait_project_visible(
    clients: &Clients,
    ctx: &CallContext,
    name: &str,
    deadline: Instant,
) -> Result<Option<codebuild::ProjectInfo>, AwsError> {
    let window = deadline.min(Instant::now() + VISIBILITY_WINDOW);
    let found = poll(&ctx.cancel, window, VISIBLE_BACKOFF, |_| async {
        match ride_out(codebuild::find_project(clients, &ctx.cancel, name).await)? {
            Err(transient) => Ok(Probe::Pending(transient)),
            Ok(Some(project)) => Ok(Probe::Ready(project)),
            Ok(None) => Ok(Probe::Pending("NOT_FOUND".into())),
        }
    })
    .await;
    match found {
        Ok(project) => Ok(Some(project)),
        Err(WaitError::Failed(e)) => Err(e),
        Err(WaitError::Cancelled(_)) => Err(AwsError::Cancelled),
        Err(WaitError::TimedOut(_)) => Ok(None),
    }
}

/// Waits until a deleted host is gone (VPC hosts pass through `VPC_CONFIG_DELETING`).
pub async fn wait_host_gone(
    clients: &Clients,
    ctx: &CallContext,
    host_arn: &str,
    deadline: Instant,
) -> Result<(), WaitError<AwsError>> {
    poll(&ctx.cancel, deadline, HOST_BACKOFF, |_| async {
        match ride_out(connections::find_host(clients, &ctx.cancel, host_arn).await)? {
            Err(transient) => Ok(Probe::Pending(transient)),
            Ok(None) => Ok(Probe::Ready(())),
            Ok(Some(h)) => Ok(Probe::Pending(h.status)),
        }
    })
    .await
}
