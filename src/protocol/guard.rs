//! Catches a panic in each RPC, so a panic in one resource operation becomes an error
//! diagnostic for that operation instead of taking down the plugin and every call in flight.
//! Also the one place that logs each RPC with its name, request id and duration; every line
//! logged while the RPC runs carries the same fields.

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Instant;

use serde_json::Value as Json;
use tonic::{Response, Status};

use crate::framework::Diagnostics;
use crate::logging::{self, with_context, Level};
use crate::{log_debug, log_error};

/// Numbers the RPCs of this process; with the pid it tells apart the calls of one command.
static NEXT_REQUEST: AtomicU64 = AtomicU64::new(1);

/// What a call is about, for its log lines.
pub(crate) struct Call {
    /// RPC name as Terraform's docs spell it.
    pub rpc: &'static str,
    /// Resource or data source type, when the request names one and logging is on.
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
            // Only the log lines use the name: no copy per call when nothing is logged.
            type_name: logging::enabled(Level::Error).then(|| type_name.to_string()),
        }
    }

    fn fields(&self) -> Vec<(&'static str, Json)> {
        let id = NEXT_REQUEST.fetch_add(1, Ordering::Relaxed);
        let mut fields = vec![
            ("tf_rpc", Json::from(self.rpc)),
            ("tf_req_id", Json::from(format!("{:x}-{id:06x}", pid()))),
        ];
        if let Some(type_name) = &self.type_name {
            fields.push(("tf_resource_type", Json::from(type_name.as_str())));
        }
        fields
    }
}

/// The process id, asked of the kernel once (each `std::process::id` is a system call).
fn pid() -> u32 {
    static PID: OnceLock<u32> = OnceLock::new();
    *PID.get_or_init(std::process::id)
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
    // With logging off (Terraform's default) no line is written, so no fields are built.
    let fields = if logging::enabled(Level::Error) {
        call.fields()
    } else {
        Vec::new()
    };
    // Caught in place rather than on a task of its own: a spawned task per call cost an
    // allocation and two extra wake-ups (docs/performance.md).
    let work = std::pin::pin!(async move {
        let started = Instant::now();
        log_debug!("RPC started");
        let answer = work.await;
        log_debug!(
            "RPC finished",
            tf_req_duration_ms = started.elapsed().as_millis() as u64
        );
        answer
    });
    let caught = with_context(fields.clone(), CatchUnwind(work)).await;
    let answer = match caught {
        Ok(answer) => answer,
        Err(payload) => {
            let message = panic_message(payload.as_ref());
            with_context(fields, async {
                log_error!("RPC failed internally", error = message.clone());
            })
            .await;
            let mut diags = Diagnostics::default();
            diags.error(
                "Provider Bug: Internal Error",
                format!(
                    "The provider failed inside {rpc} (panic: {message}). Other resources are \
                     not affected. Please report this with the output of TF_LOG=debug. During \
                     an apply, objects made before the failure may be missing from the state: \
                     check AWS for them (or import them) before applying again."
                ),
            );
            on_panic(diags)
        }
    };
    Ok(Response::new(answer))
}

/// Polls a future and turns a panic during any poll into an `Err` with the panic's payload.
/// The future is never polled again after it panicked, only dropped.
struct CatchUnwind<'a, F>(Pin<&'a mut F>);

impl<F: Future> Future for CatchUnwind<'_, F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Ready(answer)) => Poll::Ready(Ok(answer)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}

/// The text a panic was raised with, when it was a string (as `panic!` makes it).
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "no message".to_string()
    }
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
        assert!(
            answer.0[0].detail.contains("boom"),
            "{}",
            answer.0[0].detail
        );
    }

    #[tokio::test]
    async fn a_panic_after_the_first_await_is_caught_too() {
        let answer = guarded(
            Call::new("ApplyResourceChange"),
            async {
                tokio::task::yield_now().await;
                panic!("later");
            },
            |d: Diagnostics| d,
        )
        .await
        .expect("guarded never fails the RPC")
        .into_inner();
        assert!(
            answer.0[0].detail.contains("later"),
            "{}",
            answer.0[0].detail
        );
    }

    /// When Terraform goes away the transport drops the handler's future; the work must stop
    /// with it rather than go on creating AWS objects that no state records.
    #[tokio::test(start_paused = true)]
    async fn dropping_the_rpc_stops_its_work() {
        use std::sync::atomic::AtomicBool;
        use std::sync::Arc;
        use std::time::Duration;

        let done = Arc::new(AtomicBool::new(false));
        let flag = done.clone();
        let call = guarded(
            Call::on("ApplyResourceChange", "x"),
            async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                flag.store(true, Ordering::SeqCst);
            },
            |_d: Diagnostics| (),
        );
        assert!(tokio::time::timeout(Duration::from_millis(50), call)
            .await
            .is_err());

        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(
            !done.load(Ordering::SeqCst),
            "the work went on after its RPC was dropped"
        );
    }

    #[test]
    fn request_ids_differ_per_call() {
        let (a, b) = (Call::new("A").fields(), Call::new("A").fields());
        assert_ne!(a[1].1, b[1].1);
    }
}
