//! Runs each RPC on its own task, so a panic in one resource operation becomes an error
//! diagnostic for that operation instead of taking down the plugin and every call in flight.
//! Also the one place that logs each RPC with its name and duration.

use std::future::Future;
use std::time::Instant;

use tonic::{Response, Status};

use crate::framework::Diagnostics;
use crate::{log_debug, log_error};

/// Runs `work`; if it panics, answers with `on_panic` built from an error diagnostic.
pub(crate) async fn guarded<T, F>(
    rpc: &'static str,
    work: F,
    on_panic: impl FnOnce(Diagnostics) -> T,
) -> Result<Response<T>, Status>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let started = Instant::now();
    log_debug!("RPC started", tf_rpc = rpc);
    let answer = match tokio::spawn(work).await {
        Ok(answer) => answer,
        Err(e) => {
            log_error!("RPC failed internally", tf_rpc = rpc, error = e.to_string());
            let mut diags = Diagnostics::default();
            diags.error(
                "Provider Bug: Internal Error",
                format!(
                    "The provider failed inside {rpc} ({e}). Other resources are not affected. \
                     Please report this with the output of TF_LOG=debug; running the command \
                     again is safe: what was created is recorded."
                ),
            );
            on_panic(diags)
        }
    };
    log_debug!(
        "RPC finished",
        tf_rpc = rpc,
        tf_req_duration_ms = started.elapsed().as_millis() as u64
    );
    Ok(Response::new(answer))
}
