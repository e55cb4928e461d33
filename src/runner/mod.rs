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
pub mod rules;
pub mod schema;
pub mod settings;
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
        rules::check(config, diags);
    }

    async fn modify_plan(
        &self,
        request: PlanRequest<'_>,
        planned: &mut Value,
        requires_replace: &mut Vec<AttributePath>,
        diags: &mut Diagnostics,
    ) {
        let data = self.configured.get();
        let defaults = data.as_ref().map(|d| &d.default_tags);
        plan::modify_plan(&request, planned, requires_replace, defaults, diags);
    }

    async fn create(
        &self,
        ctx: &CallContext,
        planned: &Value,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let Some(data) = self.configured.require(diags) else {
            return Value::Null;
        };
        create::create(
            &data.clients,
            ctx,
            planned,
            config,
            &data.default_tags,
            diags,
        )
        .await
    }

    async fn read(
        &self,
        ctx: &CallContext,
        state: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let data = self.configured.require(diags)?;
        read::read(&data.clients, ctx, state, diags).await
    }

    async fn update(
        &self,
        ctx: &CallContext,
        prior: &Value,
        planned: &Value,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let Some(data) = self.configured.require(diags) else {
            return prior.clone();
        };
        update::update(
            &data.clients,
            ctx,
            prior,
            planned,
            config,
            &data.default_tags,
            diags,
        )
        .await
    }

    async fn delete(
        &self,
        ctx: &CallContext,
        prior: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let Some(data) = self.configured.require(diags) else {
            return Some(prior.clone());
        };
        delete::delete(&data.clients, ctx, prior, diags).await
    }

    async fn import(&self, ctx: &CallContext, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let data = self.configured.require(diags)?;
        import::import(&data.clients, ctx, id, diags).await
    }
}
