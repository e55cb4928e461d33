//! The traits a provider, its resources and data sources implement. They see typed values and
//! diagnostics only; the protocol layer and the codecs stay out of sight.

use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::framework::diagnostics::Diagnostics;
use crate::framework::schema::Schema;
use crate::value::Value;

/// What every operation that talks to the outside world receives.
#[derive(Clone, Debug)]
pub struct CallContext {
    /// Cancelled when Terraform calls StopProvider (first Ctrl-C): long waits must end.
    pub cancel: CancellationToken,
}

/// The provider: its own configuration and the resource types it offers.
#[async_trait]
pub trait Provider: Send + Sync {
    /// Schema of the `provider` block.
    fn schema(&self) -> Schema;

    /// Checks the provider block (values may be unknown).
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Prepares clients from a wholly known or partly unknown configuration.
    async fn configure(&self, config: &Value, terraform_version: &str, diags: &mut Diagnostics);

    /// Managed resource types.
    fn resources(&self) -> Vec<Arc<dyn Resource>>;

    /// Data source types.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;
}

/// What a resource's plan step sees. The framework has already filled defaults and marked
/// provider-set attributes unknown on create.
pub struct PlanRequest<'a> {
    /// State before the change (null on create).
    pub prior: &'a Value,
    /// Configuration (may hold unknowns).
    pub config: &'a Value,
}

/// A managed resource type.
#[async_trait]
pub trait Resource: Send + Sync {
    /// Type name, e.g. `gitlab_codebuild_runner`.
    fn type_name(&self) -> &'static str;

    /// Schema, including `timeouts`.
    fn schema(&self) -> Schema;

    /// Checks beyond per-attribute validators (cross-attribute rules). Values may be unknown.
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Adjusts the framework's plan: marks values apply will change as unknown and adds
    /// replace paths or warnings.
    async fn modify_plan(
        &self,
        _request: PlanRequest<'_>,
        _planned: &mut Value,
        _requires_replace: &mut Vec<crate::value::AttributePath>,
        _diags: &mut Diagnostics,
    ) {
    }

    /// Creates the remote objects. Returns the state to record, also on failure: whatever was
    /// created must be in it, with null for what was not.
    async fn create(
        &self,
        ctx: &CallContext,
        planned: &Value,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Value;

    /// Refreshes state. `None` means the remote objects are gone.
    async fn read(
        &self,
        ctx: &CallContext,
        state: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value>;

    /// Applies an in-place change. Returns the new state, also on failure.
    async fn update(
        &self,
        ctx: &CallContext,
        prior: &Value,
        planned: &Value,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Value;

    /// Deletes the remote objects. Returns the state that still exists when it fails part-way.
    async fn delete(
        &self,
        ctx: &CallContext,
        prior: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value>;

    /// Finds an existing object by its import id; returns a state for `read` to complete.
    async fn import(&self, ctx: &CallContext, id: &str, diags: &mut Diagnostics) -> Option<Value>;

    /// Migrates stored state from an older schema version (JSON as saved by Terraform) to the
    /// current one. The default keeps it as it is.
    fn upgrade_state(
        &self,
        _version: i64,
        state: serde_json::Value,
        _diags: &mut Diagnostics,
    ) -> serde_json::Value {
        state
    }
}

/// A data source type.
#[async_trait]
pub trait DataSource: Send + Sync {
    /// Type name.
    fn type_name(&self) -> &'static str;

    /// Schema.
    fn schema(&self) -> Schema;

    /// Cross-attribute checks (values may be unknown).
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Computes the data source's value from a wholly known configuration.
    async fn read(&self, ctx: &CallContext, config: &Value, diags: &mut Diagnostics) -> Value;
}
