//! `terraform-provider-gitlab-codebuild`: a Terraform provider that runs a CodeBuild-hosted
//! GitLab runner for GitLab Self-Managed as one resource.
//!
//! Layers, each only using the one below: [`plugin`] (go-plugin host) → [`protocol`]
//! (tfplugin5/6) → [`framework`] (schema, plan, engine) → [`runner`] (the resource) →
//! [`aws`] (SDK clients). [`value`] is the cty value model every layer shares.

pub mod aws;
pub mod framework;
pub mod logging;
pub mod plugin;
pub mod protocol;
pub mod provider;
pub mod runner;
pub mod runner_tags;
pub mod value;

/// The provider's registry address. The namespace is a placeholder until one is registered.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/example/gitlab-codebuild";

/// The provider version, from Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
