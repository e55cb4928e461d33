//! Serving the provider the way go-plugin expects: a Unix socket in a private temporary
//! directory, AutoMTLS when Terraform asks for it, the handshake line, SIGINT ignored (Terraform
//! cancels work through StopProvider), and exit when the controller says Shutdown.

use std::io::Write;
use std::path::PathBuf;

use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;

use super::handshake;
use super::tls::{self, ServerIdentity, TlsSetupError};
use crate::{log_debug, log_info, log_warn};

/// Why the plugin could not serve.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Terraform offered no protocol version we accept.
    #[error(
        "Terraform offered plugin protocol versions {offered:?}; this provider speaks {allowed:?}"
    )]
    NoCommonVersion {
        /// What `PLUGIN_PROTOCOL_VERSIONS` said.
        offered: Option<String>,
        /// What we accept.
        allowed: Vec<u32>,
    },
    /// TLS could not be set up.
    #[error(transparent)]
    Tls(#[from] TlsSetupError),
    /// Socket or stdout trouble.
    #[error("plugin transport: {0}")]
    Io(#[from] std::io::Error),
    /// The gRPC server stopped with an error.
    #[error("gRPC server: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// How to serve.
pub struct ServeOptions {
    /// Protocol versions this run may negotiate (a setting can limit it to one).
    pub allowed_versions: Vec<u32>,
    /// Debug mode: no Terraform parent; print `TF_REATTACH_PROVIDERS` and serve plaintext.
    pub debug: bool,
    /// The provider's registry address, for the reattach line.
    pub provider_address: String,
}

/// Builds the gRPC routes for a negotiated protocol version; `shutdown` is cancelled when
/// Terraform calls GRPCController.Shutdown.
pub trait RouteFactory {
    /// Returns every service to register.
    fn routes(&self, version: u32, shutdown: CancellationToken) -> Routes;
}

/// Runs the plugin until Terraform shuts it down.
pub async fn serve(options: ServeOptions, factory: &dyn RouteFactory) -> Result<(), ServeError> {
    let version = if options.debug {
        *options.allowed_versions.iter().max().unwrap_or(&6)
    } else {
        let offered = std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok();
        handshake::negotiate_version(offered.as_deref(), &options.allowed_versions).ok_or(
            ServeError::NoCommonVersion {
                offered,
                allowed: options.allowed_versions.clone(),
            },
        )?
    };

    let socket = SocketDir::create()?;
    let listener = UnixListener::bind(&socket.path)?;
    let shutdown = CancellationToken::new();
    let routes = factory.routes(version, shutdown.clone());
    ignore_interrupts(shutdown.clone(), options.debug);

    let client_cert = std::env::var("PLUGIN_CLIENT_CERT")
        .ok()
        .filter(|c| !c.is_empty());
    let addr = socket.path.display().to_string();
    let result = match client_cert.filter(|_| !options.debug) {
        Some(pem) => {
            let identity = ServerIdentity::generate()?;
            let config = tls::server_config(&identity, tls::parse_client_cert(&pem)?)?;
            announce(&handshake::handshake_line(
                version,
                "unix",
                &addr,
                Some(&identity.cert_der),
            ))?;
            let incoming = tls_incoming(listener, TlsAcceptor::from(config), shutdown.clone());
            serve_incoming(routes, incoming, shutdown).await
        }
        None => {
            if options.debug {
                announce(&reattach_text(&options.provider_address, version, &addr))?;
            } else {
                announce(&handshake::handshake_line(version, "unix", &addr, None))?;
            }
            let incoming = plain_incoming(listener, shutdown.clone());
            serve_incoming(routes, incoming, shutdown).await
        }
    };
    match super::usage::cpu_time() {
        Some((user, system)) => log_debug!(
            "plugin server stopped",
            cpu_user_ms = user.as_millis() as u64,
            cpu_system_ms = system.as_millis() as u64
        ),
        None => log_debug!("plugin server stopped"),
    }
    result
}

async fn serve_incoming<IO>(
    routes: Routes,
    incoming: ReceiverStream<Result<IO, std::io::Error>>,
    shutdown: CancellationToken,
) -> Result<(), ServeError>
where
    IO: tokio::io::AsyncRead
        + tokio::io::AsyncWrite
        + tonic::transport::server::Connected
        + Send
        + Unpin
        + 'static,
{
    tonic::transport::Server::builder()
        .add_routes(routes)
        .serve_with_incoming_shutdown(incoming, shutdown.cancelled_owned())
        .await?;
    Ok(())
}

/// Writes the handshake (or reattach text) as the first and only stdout output.
fn announce(text: &str) -> Result<(), std::io::Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn reattach_text(address: &str, version: u32, socket: &str) -> String {
    let config = serde_json::json!({
        address: {
            "Protocol": "grpc",
            "ProtocolVersion": version,
            "Pid": std::process::id(),
            // Without Test=true Terraform kills the process on close and assumes protocol 5.
            "Test": true,
            "Addr": { "Network": "unix", "String": socket },
        }
    });
    format!(
        "Provider started in debug mode. In another shell, run Terraform with:\n\n\
         \texport TF_REATTACH_PROVIDERS='{config}'\n\nPress Ctrl-C to stop the provider.\n"
    )
}

fn tls_incoming(
    listener: UnixListener,
    acceptor: TlsAcceptor,
    shutdown: CancellationToken,
) -> ReceiverStream<Result<tokio_rustls::server::TlsStream<UnixStream>, std::io::Error>> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let stream = tokio::select! {
                _ = shutdown.cancelled() => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => { log_warn!("accept failed", error = e.to_string()); continue; }
                },
            };
            // Handshakes run on their own task so one slow client cannot stall the rest.
            let (acceptor, tx) = (acceptor.clone(), tx.clone());
            tokio::spawn(async move {
                match acceptor.accept(stream).await {
                    Ok(tls) => {
                        let _ = tx.send(Ok(tls)).await;
                    }
                    // rustls reports a refused certificate as InvalidData; anything else is
                    // the client going away mid-handshake, which Terraform's gRPC client does
                    // when it reconnects while closing the plugin.
                    Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                        log_warn!("TLS handshake refused", error = e.to_string())
                    }
                    Err(e) => log_debug!(
                        "connection closed during the TLS handshake",
                        error = e.to_string()
                    ),
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

fn plain_incoming(
    listener: UnixListener,
    shutdown: CancellationToken,
) -> ReceiverStream<Result<UnixStream, std::io::Error>> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => { let _ = tx.send(Ok(stream)).await; }
                    Err(e) => log_warn!("accept failed", error = e.to_string()),
                },
            }
        }
    });
    ReceiverStream::new(rx)
}

/// Terraform shares our process group, so a Ctrl-C reaches us too; go-plugin servers ignore
/// it and let StopProvider end the work. In debug mode there is no Terraform: Ctrl-C stops us.
fn ignore_interrupts(shutdown: CancellationToken, debug: bool) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut interrupts) = signal(SignalKind::interrupt()) else {
        log_warn!("could not install the SIGINT handler");
        return;
    };
    // SIGTERM (a kill, a process manager) ends the server cleanly, so the socket is removed.
    if let Ok(mut terminations) = signal(SignalKind::terminate()) {
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            if terminations.recv().await.is_some() {
                shutdown.cancel();
            }
        });
    }
    tokio::spawn(async move {
        while interrupts.recv().await.is_some() {
            if debug {
                shutdown.cancel();
                break;
            }
            log_info!("interrupt received; waiting for Terraform to stop the provider");
        }
    });
}

/// A private directory holding the socket, removed when dropped.
struct SocketDir {
    dir: PathBuf,
    path: PathBuf,
}

impl SocketDir {
    fn create() -> Result<Self, std::io::Error> {
        let base = std::env::temp_dir();
        let pid = std::process::id();
        for attempt in 0..100u32 {
            let dir = base.join(format!("tfprovider-gcb-{pid}-{attempt}"));
            match std::fs::create_dir(&dir) {
                Ok(()) => {
                    set_private(&dir)?;
                    let path = dir.join("plugin.sock");
                    return Ok(Self { dir, path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(std::io::Error::other(
            "no free temporary directory for the plugin socket",
        ))
    }
}

fn set_private(dir: &std::path::Path) -> Result<(), std::io::Error> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

impl Drop for SocketDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = std::fs::remove_dir(&self.dir);
    }
}
