//! The `gitlab-codebuild` provider: its configuration block (region, profile, endpoints,
//! retries) and the resource types it offers.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;

use crate::aws::{self, AwsSettings, Clients};
use crate::framework::{
    Attribute, Block, DataSource, Diagnostics, NestedBlock, Provider, Resource, Schema,
};
use crate::runner::validate;
use crate::runner::RunnerResource;
use crate::value::{AttributePath, Type, Value};

/// What configure produced, shared by every resource of this provider process.
pub struct ProviderData {
    /// AWS clients.
    pub clients: Clients,
    /// Tags every resource of this provider carries, under its own `tags`.
    pub default_tags: BTreeMap<String, String>,
}

/// Holds the provider data once ConfigureProvider has run.
#[derive(Default)]
pub struct Configured(RwLock<Option<Arc<ProviderData>>>);

impl Configured {
    /// The provider data, or an error diagnostic when the provider could not be configured.
    pub fn require(&self, diags: &mut Diagnostics) -> Option<Arc<ProviderData>> {
        let data = self.0.read().ok().and_then(|d| d.clone());
        if data.is_none() {
            diags.error(
                "Provider Not Configured",
                "The provider block could not be used to set up AWS clients (an earlier error \
                 says why, or the configuration depends on values not known yet). Fix the \
                 provider block and run the command again.",
            );
        }
        data
    }

    /// The provider data when configured; `None` (without a diagnostic) otherwise, e.g. at
    /// plan time before the provider block is known.
    pub fn get(&self) -> Option<Arc<ProviderData>> {
        self.0.read().ok().and_then(|d| d.clone())
    }

    fn set(&self, data: ProviderData) {
        if let Ok(mut slot) = self.0.write() {
            *slot = Some(Arc::new(data));
        }
    }
}

/// The provider.
#[derive(Default)]
pub struct GitlabCodebuildProvider {
    configured: Arc<Configured>,
}

#[async_trait]
impl Provider for GitlabCodebuildProvider {
    fn schema(&self) -> Schema {
        let endpoints =
            Block::new("Custom service endpoints, e.g. VPC endpoints or a local emulator.")
                .attribute(
                    Attribute::optional("codebuild", Type::String, "CodeBuild endpoint URL.")
                        .validate(validate::url_like(
                            "https://codebuild.us-east-1.amazonaws.com",
                        )),
                )
                .attribute(
                    Attribute::optional(
                        "codeconnections",
                        Type::String,
                        "CodeConnections endpoint URL.",
                    )
                    .validate(validate::url_like(
                        "https://codeconnections.us-east-1.amazonaws.com",
                    )),
                );
        Schema {
            version: 0,
            block: Block::new("Manages CodeBuild-hosted GitLab runners for GitLab Self-Managed.")
                .attribute(
                    Attribute::optional(
                        "region",
                        Type::String,
                        "AWS region. Defaults to AWS_REGION or the profile's region.",
                    )
                    .validate(region),
                )
                .attribute(
                    Attribute::optional(
                        "profile",
                        Type::String,
                        "Shared-config profile for credentials and region.",
                    )
                    .validate(validate::length_between(1, 128)),
                )
                .attribute(
                    Attribute::optional(
                        "max_retries",
                        Type::Number,
                        "How many times one AWS call is retried after throttling or a transient \
                     failure (default 4), with exponential backoff. An error that retrying \
                     cannot fix (access denied, invalid input) is reported at once.",
                    )
                    .validate(|v, p, d| {
                        if v.as_i64().is_none_or(|n| !(0..=25).contains(&n)) {
                            d.attribute_error(
                                p.clone(),
                                "Invalid Retry Count",
                                "max_retries must be a whole number from 0 to 25.",
                            );
                        }
                    }),
                )
                .block(NestedBlock::single("endpoints", endpoints))
                .block(NestedBlock::single(
                    "default_tags",
                    Block::new(
                        "Tags for every runner's host, connection and project; a resource's own \
                     `tags` win on the same key. The result is the resource's `tags_all`.",
                    )
                    .attribute(
                        Attribute::optional("tags", Type::map(Type::String), "The tags.")
                            .validate(validate::tags),
                    ),
                )),
        }
    }

    async fn configure(&self, config: &Value, _terraform_version: &str, diags: &mut Diagnostics) {
        if !config.is_wholly_known() {
            // Plan-time configuration may depend on resources not created yet; configure
            // again later with known values.
            return;
        }
        let text = |v: &Value| v.as_str().map(str::to_string);
        let endpoints = config.attr("endpoints");
        let settings = AwsSettings {
            region: text(config.attr("region")),
            profile: text(config.attr("profile")),
            codebuild_endpoint: text(endpoints.attr("codebuild")),
            codeconnections_endpoint: text(endpoints.attr("codeconnections")),
            max_attempts: config.attr("max_retries").as_i64().map(|n| n as u32 + 1),
        };
        match aws::clients::build(&settings).await {
            Ok(clients) => {
                let default_tags =
                    crate::runner::model::string_map(config.attr("default_tags").attr("tags"));
                self.configured.set(ProviderData {
                    clients,
                    default_tags,
                })
            }
            Err(e) => diags.error("Cannot Configure AWS", e.to_string()),
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(RunnerResource::new(self.configured.clone()))]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(crate::runner_tags::RunnerTags)]
    }
}

/// An AWS region name such as `eu-west-1` or `us-gov-west-1`.
fn region(value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    let Some(name) = value.as_str() else { return };
    let parts: Vec<&str> = name.split('-').collect();
    let ok = parts.len() >= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit());
    if !ok {
        diags.attribute_error(
            path.clone(),
            "Invalid AWS Region",
            format!("\"{name}\" is not an AWS region name. Write it like \"eu-west-1\"."),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names_are_checked() {
        for (name, ok) in [
            ("eu-west-1", true),
            ("us-gov-west-1", true),
            ("", false),
            ("eu-west", false),
            ("EU-west-1", false),
            ("us east 1", false),
        ] {
            let mut d = Diagnostics::default();
            region(
                &Value::string(name),
                &AttributePath::root().attr("region"),
                &mut d,
            );
            assert_eq!(!d.has_errors(), ok, "{name}");
        }
    }
}
