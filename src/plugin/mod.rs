//! The plugin host: everything go-plugin expects of a process before any provider RPC —
//! handshake, AutoMTLS, socket, signals, shutdown. It knows tonic, not Terraform's messages.

pub mod handshake;
pub mod serve;
pub mod tls;
pub mod usage;
