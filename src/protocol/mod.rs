//! Protocol adapters: tfplugin5 and tfplugin6 mapped onto one provider engine. The only layer
//! where generated protobuf types appear.

mod controller;
mod convert;
pub mod generated;
mod guard;
mod service;
mod stdio;

#[cfg(test)]
mod agreement_tests;
#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod nested_tests;
pub mod v5;
pub mod v6;

use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

use crate::framework::server::ProviderServer;
use crate::plugin::serve::RouteFactory;

/// Terraform sends whole states and configurations in one message; tonic's 4 MiB default
/// would refuse large ones. This matches what HashiCorp's own servers accept.
const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// Builds the gRPC services for a negotiated protocol version.
pub struct Services {
    engine: Arc<ProviderServer>,
}

impl Services {
    /// Serves `engine`.
    pub fn new(engine: Arc<ProviderServer>) -> Self {
        Self { engine }
    }
}

impl RouteFactory for Services {
    fn routes(&self, version: u32, shutdown: CancellationToken) -> Routes {
        use generated::plugin::grpc_controller_server::GrpcControllerServer;
        use generated::plugin::grpc_stdio_server::GrpcStdioServer;
        use generated::{tfplugin5, tfplugin6};

        let (health_reporter, health) = tonic_health::server::health_reporter();
        // go-plugin's health check asks about the service named "plugin".
        tokio::spawn(async move {
            health_reporter
                .set_service_status("plugin", tonic_health::ServingStatus::Serving)
                .await;
        });
        let controller = GrpcControllerServer::new(controller::Controller::new(shutdown.clone()));
        let stdio = GrpcStdioServer::new(stdio::Stdio::new(shutdown));
        let routes = Routes::new(health)
            .add_service(controller)
            .add_service(stdio);
        if version == 5 {
            routes.add_service(
                tfplugin5::provider_server::ProviderServer::new(v5::V5::new(self.engine.clone()))
                    .max_decoding_message_size(MAX_MESSAGE_BYTES)
                    .max_encoding_message_size(MAX_MESSAGE_BYTES),
            )
        } else {
            routes.add_service(
                tfplugin6::provider_server::ProviderServer::new(v6::V6::new(self.engine.clone()))
                    .max_decoding_message_size(MAX_MESSAGE_BYTES)
                    .max_encoding_message_size(MAX_MESSAGE_BYTES),
            )
        }
    }
}
