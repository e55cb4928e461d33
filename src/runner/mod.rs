//! The `gitlab_codebuild_runner` resource: a CodeConnections host and connection, a CodeBuild
//! project and its webhook, managed as one runner.

pub mod converge;
pub mod create;
pub mod delete;
pub mod errors;
pub mod import;
pub mod model;
pub mod plan;
pub mod read;
pub mod readiness;
pub mod schema;
pub mod tag;
pub mod update;
pub mod validate;

use std::sync::Arc;

use async_trait::async_trait;

use crate::framework::{CallContext, Diagnostics, PlanRequest, Resource, Schema};
use crate::provider::Configured;
use crate::value::{AttributePath, Value};

/// The resource type.
pub struct RunnerResource {
    configured: Arc<Configured>,
}

impl RunnerResource {
    /// A resource that uses the provider's clients once configured.
    pub fn new(configured: Arc<Configured>) -> Self {
        Self { configured }
    }
}

#[async_trait]
impl Resource for RunnerResource {
    fn type_name(&self) -> &'static str {
        "gitlab_codebuild_runner"
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let (url, source) = (config.attr("gitlab_url"), config.attr("source_location"));
        if let (Some(url), Some(source)) = (url.as_str(), source.as_str()) {
            let (a, b) = (validate::url_host(url), validate::url_host(source));
            if a.is_some() && b.is_some() && a != b {
                diags.attribute_error(
                    AttributePath::root().attr("source_location"),
                    "Repository Is Not On The GitLab Instance",
                    format!(
                        "source_location \"{source}\" is not on the host of gitlab_url \
                         \"{url}\". The connection only reaches repositories of that instance."
                    ),
                );
            }
        }
    }

    async fn modify_plan(
        &self,
        request: PlanRequest<'_>,
        planned: &mut Value,
        _requires_replace: &mut Vec<AttributePath>,
        diags: &mut Diagnostics,
    ) {
        plan::modify_plan(&request, planned, diags);
    }

    async fn create(&self, ctx: &CallContext, planned: &Value, config: &Value,
        diags: &mut Diagnostics) -> Value {
        let Some(data) = self.configured.require(diags) else { return Value::Null };
        create::create(&data.clients, ctx, planned, config, diags).await
    }

    async fn read(&self, ctx: &CallContext, state: &Value, diags: &mut Diagnostics)
        -> Option<Value> {
        let data = self.configured.require(diags)?;
        read::read(&data.clients, ctx, state, diags).await
    }

    async fn update(&self, ctx: &CallContext, prior: &Value, planned: &Value, config: &Value,
        diags: &mut Diagnostics) -> Value {
        let Some(data) = self.configured.require(diags) else { return prior.clone() };
        update::update(&data.clients, ctx, prior, planned, config, diags).await
    }

    async fn delete(&self, ctx: &CallContext, prior: &Value, diags: &mut Diagnostics)
        -> Option<Value> {
        let Some(data) = self.configured.require(diags) else { return Some(prior.clone()) };
        delete::delete(&data.clients, ctx, prior, diags).await
    }

    async fn import(&self, ctx: &CallContext, id: &str, diags: &mut Diagnostics)
        -> Option<Value> {
        let data = self.configured.require(diags)?;
        import::import(&data.clients, ctx, id, diags).await
    }
}
