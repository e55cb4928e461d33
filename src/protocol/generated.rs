//! Code generated from `proto/` at build time. Only the protocol layer uses these types.

#![allow(missing_docs, clippy::all, clippy::pedantic)]

/// Protocol version 5.
pub mod tfplugin5 {
    tonic::include_proto!("tfplugin5");
}

/// Protocol version 6.
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's own services (controller, stdio, broker).
pub mod plugin {
    tonic::include_proto!("plugin");
}
