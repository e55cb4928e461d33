//! Runs each RPC on its own task, so a panic in one resource operation becomes an error
//! diagnostic for that operation instead of taking down the plugin and every call in flight.
//! Also the one place that logs each RPC with its name, request id and duration; every line
//! logged while the RPC runs carries the same fields.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use serde_json::Value as Json;
use tonic::{Response, Status};

use crate::framework::Diagnostics;
use crate::logging::with_context;
use crate::{log_debug, log_error};

/// Numbers the RPCs of this process; with the pid it tells apart the calls of one command.
static NEXT_REQUEST: AtomicU64 = AtomicU64::new(1);

/// What a call is about, for its log lines.
pub(crate) struct Call {
    /// RPC name as Terraform's docs spell it.
    pub rpc: &'static str,
    /// Resource or data source type, when the request names one.
    pub type_name: Option<String>,
}

impl Call {
    /// A call that names no resource type.
    pub fn new(rpc: &'static str) -> Self {
        Self {
            rpc,
            type_name: None,
        }
    }

    /// A call about one resource or data source type.
    pub fn on(rpc: &'static str, type_name: &str) -> Self {
        Self {
            rpc,
            type_name: Some(type_name.to_string()),
        }
    }

    fn fields(&self) -> Vec<(&'static str, Json)> {
        let id = NEXT_REQUEST.fetch_add(1, Ordering::Relaxed);
        let mut fields = vec![
            ("tf_rpc", Json::from(self.rpc)),
            (
                "tf_req_id",
                Json::from(format!("{:x}-{id:06x}", std::process::id())),
            ),
        ];
        if let Some(type_name) = &self.type_name {
            fields.push(("tf_resource_type", Json::from(type_name.as_str())));
        }
        fields
    }
}

/// Runs `work`; if it panics, answers with `on_panic` built from an error diagnostic.
pub(crate) async fn guarded<T, F>(
    call: Call,
    work: F,
    on_panic: impl FnOnce(Diagnostics) -> T,
) -> Result<Response<T>, Status>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let rpc = call.rpc;
    let fields = call.fields();
    let task = tokio::spawn(with_context(fields.clone(), async move {
        let started = Instant::now();
        log_debug!("RPC started");
        let answer = work.await;
        log_debug!(
            "RPC finished",
            tf_req_duration_ms = started.elapsed().as_millis() as u64
        );
        answer
    }));
    let answer = match task.await {
        Ok(answer) => answer,
        Err(e) => {
            with_context(fields, async {
                log_error!("RPC failed internally", error = e.to_string());
            })
            .await;
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
    Ok(Response::new(answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_an_error_diagnostic() {
        let answer = guarded(
            Call::on("ReadResource", "x"),
            async { panic!("boom") },
            |d: Diagnostics| d,
        )
        .await
        .expect("guarded never fails the RPC")
        .into_inner();
        assert!(answer.has_errors());
        assert!(answer.0[0].detail.contains("ReadResource"));
    }

    #[test]
    fn request_ids_differ_per_call() {
        let (a, b) = (Call::new("A").fields(), Call::new("A").fields());
        assert_ne!(a[1].1, b[1].1);
    }
}
