//! The provider binary: flag handling, then the plugin server. Terraform starts it; people
//! run it only for `--version` or `--debug`.

use std::process::ExitCode;
use std::sync::Arc;

use provider::framework::server::ProviderServer;
use provider::plugin::handshake;
use provider::plugin::serve::{serve, ServeOptions};
use provider::protocol::Services;
use terraform_provider_gitlab_codebuild as provider;

/// Every argument the binary accepts (Terraform passes none).
const KNOWN_FLAGS: [&str; 5] = ["--version", "-v", "--debug", "--help", "-h"];

/// What `--help` prints.
const USAGE: &str = "\
Usage: terraform-provider-gitlab-codebuild [--version | --debug | --help]

Terraform starts this provider by itself. The flags are for people:
  --version  print the version and exit
  --debug    serve without Terraform and print the TF_REATTACH_PROVIDERS value that points
             Terraform at this process (Ctrl-C stops it)
  --help     print this text";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(unknown) = args.iter().find(|a| !KNOWN_FLAGS.contains(&a.as_str())) {
        eprintln!("unknown argument \"{unknown}\"\n\n{USAGE}");
        return ExitCode::from(2);
    }
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if args.iter().any(|a| a == "--version" || a == "-v") {
        println!("terraform-provider-gitlab-codebuild {}", provider::VERSION);
        return ExitCode::SUCCESS;
    }
    let debug = args.iter().any(|a| a == "--debug");
    let cookie = std::env::var(handshake::MAGIC_COOKIE_KEY).ok();
    if !debug && !handshake::cookie_present(cookie.as_deref()) {
        eprintln!("{}", handshake::NOT_A_COMMAND);
        return ExitCode::from(1);
    }

    provider::logging::init_from_env();
    provider::plugin::tls::install_crypto_provider();
    // One thread: every RPC waits on the network, never on the CPU, and handing calls between
    // worker threads cost more CPU per call than the calls themselves (docs/performance.md).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("could not start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };

    let options = ServeOptions {
        allowed_versions: allowed_versions(),
        debug,
        provider_address: provider::PROVIDER_ADDRESS.to_string(),
    };
    let engine = Arc::new(ProviderServer::new(Arc::new(
        provider::provider::GitlabCodebuildProvider::default(),
    )));
    match runtime.block_on(serve(options, &Services::new(engine))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("terraform-provider-gitlab-codebuild: {e}");
            ExitCode::from(1)
        }
    }
}

/// `TF_GITLAB_CODEBUILD_PROTOCOL=5` (or 6) limits the protocol this process accepts, so tests
/// can run the suite once per protocol version.
fn allowed_versions() -> Vec<u32> {
    match std::env::var("TF_GITLAB_CODEBUILD_PROTOCOL")
        .ok()
        .as_deref()
    {
        Some("5") => vec![5],
        Some("6") => vec![6],
        _ => vec![5, 6],
    }
}
