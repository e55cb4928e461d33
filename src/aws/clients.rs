//! Building the two SDK clients from the provider block: region, profile, endpoint overrides
//! and retries. Credentials come from the standard AWS chain.

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};

/// Provider-level settings that shape the clients.
#[derive(Clone, Debug, Default)]
pub struct AwsSettings {
    /// AWS region; falls back to the environment and shared config when absent.
    pub region: Option<String>,
    /// Shared-config profile name.
    pub profile: Option<String>,
    /// CodeBuild endpoint override.
    pub codebuild_endpoint: Option<String>,
    /// CodeConnections endpoint override.
    pub codeconnections_endpoint: Option<String>,
    /// Attempts per call, including the first (the SDK's standard retry mode).
    pub max_attempts: Option<u32>,
}

/// The clients every resource operation uses.
#[derive(Clone, Debug)]
pub struct Clients {
    /// CodeBuild.
    pub codebuild: aws_sdk_codebuild::Client,
    /// CodeConnections.
    pub connections: aws_sdk_codeconnections::Client,
    /// The region the clients talk to.
    pub region: String,
}

/// The configuration could not produce clients.
#[derive(Debug, thiserror::Error)]
pub enum ClientSetupError {
    /// No region anywhere.
    #[error(
        "no AWS region is set: set `region` in the provider block, or AWS_REGION in the \
         environment, or a region in the selected profile"
    )]
    NoRegion,
}

/// Loads shared configuration and builds both clients.
pub async fn build(settings: &AwsSettings) -> Result<Clients, ClientSetupError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    let attempts = settings.max_attempts.unwrap_or(5).max(1);
    loader = loader.retry_config(RetryConfig::standard().with_max_attempts(attempts));
    let shared = loader.load().await;
    let region = shared
        .region()
        .map(|r| r.to_string())
        .ok_or(ClientSetupError::NoRegion)?;

    // The SDK's default retry quota is one token bucket per client, drained by throttling: with
    // many runners applied in parallel it runs dry and later calls get no retry at all, so
    // `max_retries` would not mean what it says. Each call gets its full budget instead.
    use aws_sdk_codebuild::config::retry::{RetryPartition, TokenBucket};
    let partition = |name: &'static str| {
        RetryPartition::custom(name)
            .token_bucket(TokenBucket::unlimited())
            .build()
    };
    let mut codebuild = aws_sdk_codebuild::config::Builder::from(&shared)
        .retry_partition(partition("gitlab-codebuild-codebuild"));
    if let Some(url) = &settings.codebuild_endpoint {
        codebuild = codebuild.endpoint_url(url);
    }
    let mut connections = aws_sdk_codeconnections::config::Builder::from(&shared)
        .retry_partition(partition("gitlab-codebuild-codeconnections"));
    if let Some(url) = &settings.codeconnections_endpoint {
        connections = connections.endpoint_url(url);
    }
    Ok(Clients {
        codebuild: aws_sdk_codebuild::Client::from_conf(codebuild.build()),
        connections: aws_sdk_codeconnections::Client::from_conf(connections.build()),
        region,
    })
}
