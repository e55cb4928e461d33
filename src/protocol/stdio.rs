//! go-plugin's GRPCStdio service. Our log lines already reach Terraform through the stderr
//! pipe, so the stream carries no data: it stays open until the plugin shuts down, which
//! tells the host the plugin is alive without it logging an "unimplemented" error.

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::protocol::generated::plugin;

/// Answers StreamStdio with an empty stream that ends at shutdown.
pub struct Stdio {
    shutdown: CancellationToken,
}

impl Stdio {
    /// A stdio service whose streams end when `shutdown` is cancelled.
    pub fn new(shutdown: CancellationToken) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl plugin::grpc_stdio_server::GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _: Request<()>,
    ) -> Result<Response<tonic::codegen::BoxStream<plugin::StdioData>>, Status> {
        let (sender, receiver) = mpsc::channel::<Result<plugin::StdioData, Status>>(1);
        let shutdown = self.shutdown.clone();
        // Holding the sender keeps the stream open; dropping it at shutdown ends it.
        tokio::spawn(async move {
            shutdown.cancelled().await;
            drop(sender);
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(receiver))))
    }
}
