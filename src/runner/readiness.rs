//! Waiting for the pieces that become ready outside our control: the host while AWS builds
//! its VPC attachment, and the connection until a person completes the handshake.

use std::time::Duration;

use tokio::time::Instant;

use crate::aws::waiter::{poll, Backoff, Probe, WaitError};
use crate::aws::{connections, AwsError, Clients};
use crate::framework::CallContext;
use crate::{log_info, log_warn};

/// Probe delays for the connection: an authorization is noticed within five seconds.
const CONNECTION_BACKOFF: Backoff =
    Backoff { initial: Duration::from_secs(1), max: Duration::from_secs(5) };
/// Probe delays for the host's VPC set-up, which takes minutes on AWS.
const HOST_BACKOFF: Backoff =
    Backoff { initial: Duration::from_secs(1), max: Duration::from_secs(10) };
/// How often the authorization URL is repeated in the log while waiting.
const REMIND_EVERY: u32 = 12;

/// Host statuses that mean "AWS is still setting the host up".
pub const HOST_SETTING_UP: &[&str] = &["VPC_CONFIG_INITIALIZING"];

/// Waits until the host leaves its set-up states; returns the status it settled in.
/// A host not visible yet right after creation counts as still setting up.
pub async fn wait_host_ready(
    clients: &Clients,
    ctx: &CallContext,
    host_arn: &str,
    deadline: Instant,
) -> Result<String, WaitError<AwsError>> {
    poll(&ctx.cancel, deadline, HOST_BACKOFF, |_| async {
        match connections::find_host(clients, &ctx.cancel, host_arn).await? {
            None => Ok(Probe::Pending("NOT_FOUND".into())),
            Some(h) if HOST_SETTING_UP.contains(&h.status.as_str()) => Ok(Probe::Pending(h.status)),
            Some(h) => Ok(Probe::Ready(h.status)),
        }
    })
    .await
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
    let url = authorization_url.unwrap_or("the AWS console (Developer Tools > Settings > Connections)");
    log_info!(
        "waiting for the connection handshake",
        connection_arn = connection_arn,
        authorization_url = url
    );
    poll(&ctx.cancel, deadline, CONNECTION_BACKOFF, |attempt| async move {
        let found = connections::find_connection(clients, &ctx.cancel, connection_arn).await?;
        let status = found.map(|c| c.status).unwrap_or_else(|| "NOT_FOUND".into());
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
    })
    .await
}
