//! go-plugin's GRPCController: Terraform calls Shutdown when it is done with the process;
//! answering and exiting promptly saves every provider close a two-second wait and a SIGKILL.

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::protocol::generated::plugin;

/// Cancels `shutdown` when Terraform asks the plugin to exit.
pub struct Controller {
    shutdown: CancellationToken,
}

impl Controller {
    /// A controller that signals `shutdown`.
    pub fn new(shutdown: CancellationToken) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl plugin::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _: Request<plugin::Empty>) -> Result<Response<plugin::Empty>, Status> {
        crate::log_debug!("shutdown requested by Terraform");
        self.shutdown.cancel();
        Ok(Response::new(plugin::Empty {}))
    }
}
