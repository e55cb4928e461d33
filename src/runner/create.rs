//! Create: every piece in order, from nothing. The state returned names whatever exists,
//! also when a step fails.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::aws::Clients;
use crate::framework::timeouts::timeout_for;
use crate::framework::{CallContext, Diagnostics};
use crate::runner::converge::Converge;
use crate::runner::model::{Computed, RunnerConfig};
use crate::value::Value;

/// Default create timeout: mostly time for a person to complete the handshake.
pub const DEFAULT_CREATE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Creates the runner described by `planned`.
pub async fn create(
    clients: &Clients,
    ctx: &CallContext,
    planned: &Value,
    config: &Value,
    default_tags: &BTreeMap<String, String>,
    diags: &mut Diagnostics,
) -> Value {
    let runner = RunnerConfig::from_values(planned, config, default_tags);
    let timeout = timeout_for(config, "create", DEFAULT_CREATE_TIMEOUT);
    let mut computed = Computed::default();

    let converge = Converge {
        clients,
        ctx,
        config: &runner,
        deadline: tokio::time::Instant::now() + timeout,
        timeout,
        previous: None,
        previous_webhook: None,
    };
    converge.run(&mut computed, diags).await;

    computed.into_state(planned, &runner)
}
