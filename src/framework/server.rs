//! The protocol-independent provider engine. Both protocol adapters (v5 and v6) call these
//! methods with raw dynamic values; the engine decodes them with the right schema, runs the
//! provider's code, checks the invariants Terraform enforces, and encodes the answers.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

use crate::framework::diagnostics::Diagnostics;
use crate::framework::plan;
use crate::framework::schema::Schema;
use crate::framework::traits::{CallContext, DataSource, PlanRequest, Provider, Resource};
use crate::value::{self, AttributePath, Type, Value};

/// A value as it travels on the wire: msgpack or JSON bytes (both empty means null).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DynamicValue {
    /// MessagePack encoding (what Terraform sends).
    pub msgpack: Vec<u8>,
    /// JSON encoding (accepted from Terraform; never produced by us).
    pub json: Vec<u8>,
}

/// Answer to PlanResourceChange.
#[derive(Debug, Default)]
pub struct PlanOutcome {
    /// The planned new state.
    pub planned_state: Option<DynamicValue>,
    /// Attributes whose change forces replacement.
    pub requires_replace: Vec<AttributePath>,
    /// Opaque data carried to apply.
    pub planned_private: Vec<u8>,
    /// Problems and warnings.
    pub diagnostics: Diagnostics,
}

/// Answer to ApplyResourceChange, ReadResource and ReadDataSource.
#[derive(Debug, Default)]
pub struct StateOutcome {
    /// The resulting state (None = null).
    pub state: Option<DynamicValue>,
    /// Opaque data stored beside the state.
    pub private: Vec<u8>,
    /// Problems and warnings.
    pub diagnostics: Diagnostics,
}

/// A resource, data source or the provider itself with its schema and the cty type that
/// schema implies. The type is built once: every call decodes and encodes with it, and
/// rebuilding it per call cost about a tenth of a call's CPU (docs/performance.md).
struct Registered<H: ?Sized> {
    handler: Arc<H>,
    schema: Schema,
    ty: Type,
}

impl<H: ?Sized> Registered<H> {
    fn new(handler: Arc<H>, schema: Schema) -> Self {
        let ty = schema.block.implied_type();
        Self {
            handler,
            schema,
            ty,
        }
    }
}

/// The engine behind both protocol versions.
pub struct ProviderServer {
    provider: Registered<dyn Provider>,
    resources: BTreeMap<String, Registered<dyn Resource>>,
    data_sources: BTreeMap<String, Registered<dyn DataSource>>,
    stop: Mutex<CancellationToken>,
}

impl ProviderServer {
    /// Collects schemas once; they are served many times per Terraform command.
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| {
                (
                    r.type_name().to_string(),
                    Registered::new(r.clone(), r.schema()),
                )
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| {
                (
                    d.type_name().to_string(),
                    Registered::new(d.clone(), d.schema()),
                )
            })
            .collect();
        let schema = provider.schema();
        Self {
            provider: Registered::new(provider, schema),
            resources,
            data_sources,
            stop: Mutex::new(CancellationToken::new()),
        }
    }

    /// The provider block's schema.
    pub fn provider_schema(&self) -> &Schema {
        &self.provider.schema
    }

    /// Resource schemas by type name.
    pub fn resource_schemas(&self) -> impl Iterator<Item = (&str, &Schema)> {
        self.resources.iter().map(|(k, r)| (k.as_str(), &r.schema))
    }

    /// Data source schemas by type name.
    pub fn data_source_schemas(&self) -> impl Iterator<Item = (&str, &Schema)> {
        self.data_sources
            .iter()
            .map(|(k, d)| (k.as_str(), &d.schema))
    }

    /// A context whose cancellation follows StopProvider.
    fn context(&self) -> CallContext {
        let token = self.stop.lock().map(|t| t.clone()).unwrap_or_default();
        CallContext { cancel: token }
    }

    /// StopProvider: cancels every operation in flight. Later calls get a fresh token, so a
    /// provider process reused after a stop still works.
    pub fn stop(&self) {
        if let Ok(mut token) = self.stop.lock() {
            token.cancel();
            *token = CancellationToken::new();
        }
    }

    /// ValidateProviderConfig / PrepareProviderConfig.
    pub fn validate_provider_config(&self, config: &DynamicValue) -> Diagnostics {
        let mut diags = Diagnostics::default();
        let provider = &self.provider;
        if let Some(config) = decode(config, &provider.ty, "provider configuration", &mut diags) {
            plan::validate_config(
                &provider.schema.block,
                &config,
                &AttributePath::root(),
                &mut diags,
            );
            provider.handler.validate(&config, &mut diags);
        }
        diags
    }

    /// ConfigureProvider / Configure.
    pub async fn configure(&self, terraform_version: &str, config: &DynamicValue) -> Diagnostics {
        let mut diags = Diagnostics::default();
        let ty = &self.provider.ty;
        if let Some(config) = decode(config, ty, "provider configuration", &mut diags) {
            self.provider
                .handler
                .configure(&config, terraform_version, &mut diags)
                .await;
        }
        diags
    }

    /// ValidateResourceConfig / ValidateResourceTypeConfig.
    pub fn validate_resource_config(&self, type_name: &str, config: &DynamicValue) -> Diagnostics {
        let mut diags = Diagnostics::default();
        let Some(Registered {
            handler: resource,
            schema,
            ty,
        }) = self.resource(type_name, &mut diags)
        else {
            return diags;
        };
        if let Some(config) = decode(config, ty, "resource configuration", &mut diags) {
            plan::validate_config(&schema.block, &config, &AttributePath::root(), &mut diags);
            resource.validate(&config, &mut diags);
        }
        diags
    }

    /// ValidateDataResourceConfig / ValidateDataSourceConfig.
    pub fn validate_data_source_config(
        &self,
        type_name: &str,
        config: &DynamicValue,
    ) -> Diagnostics {
        let mut diags = Diagnostics::default();
        let Some(Registered {
            handler: source,
            schema,
            ty,
        }) = self.data_source(type_name, &mut diags)
        else {
            return diags;
        };
        if let Some(config) = decode(config, ty, "data source configuration", &mut diags) {
            plan::validate_config(&schema.block, &config, &AttributePath::root(), &mut diags);
            source.validate(&config, &mut diags);
        }
        diags
    }

    /// UpgradeResourceState: called for every stored object in every command.
    pub fn upgrade_resource_state(
        &self,
        type_name: &str,
        version: i64,
        raw_json: &[u8],
    ) -> (Option<DynamicValue>, Diagnostics) {
        let mut diags = Diagnostics::default();
        let Some(Registered {
            handler: resource,
            schema,
            ty,
        }) = self.resource(type_name, &mut diags)
        else {
            return (None, diags);
        };
        if version > schema.version {
            diags.error(
                "Resource State Is Newer Than This Provider",
                format!(
                    "The stored state has schema version {version}, but this provider only knows \
                     up to {}. Upgrade the provider to the version that wrote the state.",
                    schema.version
                ),
            );
            return (None, diags);
        }
        let parsed: serde_json::Value = match serde_json::from_slice(raw_json) {
            Ok(v) => v,
            Err(e) => {
                diags.error(
                    "Unreadable Stored State",
                    format!("The stored state is not JSON: {e}"),
                );
                return (None, diags);
            }
        };
        let upgraded = resource.upgrade_state(version, parsed, &mut diags);
        let trimmed = drop_unknown_attributes(upgraded, ty);
        let bytes = serde_json::to_vec(&trimmed).unwrap_or_default();
        let value = match value::json::decode(&bytes, ty) {
            Ok(v) => v,
            Err(e) => {
                diags.error(
                    "Stored State Does Not Match The Schema",
                    format!("The stored state could not be read with the current schema: {e}"),
                );
                return (None, diags);
            }
        };
        (encode(&value, ty, &mut diags), diags)
    }

    /// ReadResource.
    pub async fn read_resource(
        &self,
        type_name: &str,
        current: &DynamicValue,
        private: Vec<u8>,
    ) -> StateOutcome {
        let mut out = StateOutcome {
            private,
            ..Default::default()
        };
        let Some(Registered {
            handler: resource,
            ty,
            ..
        }) = self.resource(type_name, &mut out.diagnostics)
        else {
            return out;
        };
        let Some(state) = decode(current, ty, "current state", &mut out.diagnostics) else {
            return out;
        };
        if state.is_null() {
            return out;
        }
        match resource
            .read(&self.context(), &state, &mut out.diagnostics)
            .await
        {
            Some(new_state) => {
                let new_state = finish_state(new_state, ty, "read", &mut out.diagnostics);
                out.state = encode(&new_state, ty, &mut out.diagnostics);
            }
            // Keep the object when reading failed: "gone" must never be a guess.
            None if out.diagnostics.has_errors() => out.state = Some(current.clone()),
            None => {}
        }
        out
    }

    /// PlanResourceChange.
    pub async fn plan_resource_change(
        &self,
        type_name: &str,
        prior: &DynamicValue,
        proposed: &DynamicValue,
        config: &DynamicValue,
        prior_private: Vec<u8>,
    ) -> PlanOutcome {
        let mut out = PlanOutcome {
            planned_private: prior_private,
            ..Default::default()
        };
        let diags = &mut out.diagnostics;
        let Some(Registered {
            handler: resource,
            schema,
            ty,
        }) = self.resource(type_name, diags)
        else {
            return out;
        };
        let (Some(prior), Some(proposed), Some(config)) = (
            decode(prior, ty, "prior state", diags),
            decode(proposed, ty, "proposed new state", diags),
            decode(config, ty, "configuration", diags),
        ) else {
            return out;
        };
        if proposed.is_null() {
            // Planning a destroy: nothing to decide.
            out.planned_state = encode(&Value::Null, ty, diags);
            return out;
        }

        let mut planned = plan::plan_object(&schema.block, &prior, &proposed, &config);
        let mut replace = plan::requires_replace(&schema.block, &prior, &planned, &config);
        let request = PlanRequest {
            prior: &prior,
            config: &config,
        };
        resource
            .modify_plan(request, &mut planned, &mut replace, diags)
            .await;

        out.planned_state = encode(&planned, ty, diags);
        out.requires_replace = if prior.is_null() { Vec::new() } else { replace };
        out
    }

    /// ApplyResourceChange: create, update or delete, decided by which side is null.
    pub async fn apply_resource_change(
        &self,
        type_name: &str,
        prior: &DynamicValue,
        planned: &DynamicValue,
        config: &DynamicValue,
        planned_private: Vec<u8>,
    ) -> StateOutcome {
        let mut out = StateOutcome {
            private: planned_private,
            ..Default::default()
        };
        let diags = &mut out.diagnostics;
        let Some(Registered {
            handler: resource,
            ty,
            ..
        }) = self.resource(type_name, diags)
        else {
            return out;
        };
        let (Some(prior), Some(planned), Some(config)) = (
            decode(prior, ty, "prior state", diags),
            decode(planned, ty, "planned state", diags),
            decode(config, ty, "configuration", diags),
        ) else {
            return out;
        };
        let ctx = self.context();

        let result = if planned.is_null() {
            resource.delete(&ctx, &prior, diags).await
        } else if prior.is_null() {
            Some(resource.create(&ctx, &planned, &config, diags).await)
        } else {
            Some(
                resource
                    .update(&ctx, &prior, &planned, &config, diags)
                    .await,
            )
        };

        if let Some(state) = result {
            let state = finish_state(state, ty, "apply", diags);
            out.state = encode(&state, ty, diags);
        }
        out
    }

    /// ImportResourceState.
    pub async fn import_resource_state(
        &self,
        type_name: &str,
        id: &str,
    ) -> (Option<DynamicValue>, Diagnostics) {
        let mut diags = Diagnostics::default();
        let Some(Registered {
            handler: resource,
            ty,
            ..
        }) = self.resource(type_name, &mut diags)
        else {
            return (None, diags);
        };
        let state = resource.import(&self.context(), id, &mut diags).await;
        let encoded = state.and_then(|s| {
            let s = finish_state(s, ty, "import", &mut diags);
            encode(&s, ty, &mut diags)
        });
        (encoded, diags)
    }

    /// ReadDataSource.
    pub async fn read_data_source(&self, type_name: &str, config: &DynamicValue) -> StateOutcome {
        let mut out = StateOutcome::default();
        let diags = &mut out.diagnostics;
        let Some(Registered {
            handler: source,
            ty,
            ..
        }) = self.data_source(type_name, diags)
        else {
            return out;
        };
        let Some(config) = decode(config, ty, "data source configuration", diags) else {
            return out;
        };
        let state = source.read(&self.context(), &config, diags).await;
        if !diags.has_errors() {
            let state = finish_state(state, ty, "read", diags);
            out.state = encode(&state, ty, diags);
        }
        out
    }

    fn resource(
        &self,
        type_name: &str,
        diags: &mut Diagnostics,
    ) -> Option<&Registered<dyn Resource>> {
        let found = self.resources.get(type_name);
        if found.is_none() {
            diags.error(
                "Unknown Resource Type",
                format!("This provider has no resource type \"{type_name}\"."),
            );
        }
        found
    }

    fn data_source(
        &self,
        type_name: &str,
        diags: &mut Diagnostics,
    ) -> Option<&Registered<dyn DataSource>> {
        let found = self.data_sources.get(type_name);
        if found.is_none() {
            diags.error(
                "Unknown Data Source Type",
                format!("This provider has no data source \"{type_name}\"."),
            );
        }
        found
    }
}

/// Guards what goes back to Terraform: the value must fit the schema type and be wholly
/// known. A leftover unknown is a provider bug; it is reported, not saved.
fn finish_state(state: Value, ty: &Type, operation: &str, diags: &mut Diagnostics) -> Value {
    let state = if state.is_wholly_known() {
        state
    } else {
        if !diags.has_errors() {
            diags.error(
                "Provider Bug: Unknown Value In State",
                format!(
                    "After {operation}, the provider left a value unknown. It was saved as null. \
                     Please report this; running the same command again usually settles it."
                ),
            );
        }
        plan::unknowns_to_null(state)
    };
    match state.clone().conform(ty) {
        Ok(v) => v,
        Err(e) => {
            diags.error("Provider Bug: State Does Not Fit The Schema", e.to_string());
            state
        }
    }
}

fn decode(raw: &DynamicValue, ty: &Type, what: &str, diags: &mut Diagnostics) -> Option<Value> {
    let result = if !raw.msgpack.is_empty() {
        value::msgpack::decode(&raw.msgpack, ty)
    } else if !raw.json.is_empty() {
        value::json::decode(&raw.json, ty)
    } else {
        return Some(Value::Null);
    };
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            diags.error(
                "Invalid Value From Terraform",
                format!("The {what} Terraform sent could not be decoded: {e}"),
            );
            None
        }
    }
}

fn encode(v: &Value, ty: &Type, diags: &mut Diagnostics) -> Option<DynamicValue> {
    match value::msgpack::encode(v, ty) {
        Ok(msgpack) => Some(DynamicValue {
            msgpack,
            json: Vec::new(),
        }),
        Err(e) => {
            diags.error("Provider Bug: Unencodable Value", e.to_string());
            None
        }
    }
}

/// Drops top-level keys the current schema no longer has, so a state written by an older
/// version still decodes after its attributes were removed.
fn drop_unknown_attributes(state: serde_json::Value, ty: &Type) -> serde_json::Value {
    match (state, ty) {
        (serde_json::Value::Object(map), Type::Object { attrs, .. }) => serde_json::Value::Object(
            map.into_iter()
                .filter(|(k, _)| attrs.contains_key(k))
                .collect(),
        ),
        (other, _) => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::test_provider::Fake;

    fn server() -> ProviderServer {
        ProviderServer::new(Arc::new(Fake))
    }

    #[test]
    fn a_version_0_state_fixture_is_upgraded_to_the_current_schema() {
        let fixture = br#"{"id":"r-1","label":"runner-a","dropped_since":"x"}"#;
        let (state, diags) = server().upgrade_resource_state("test_renamed", 0, fixture);
        assert!(!diags.has_errors(), "{diags:?}");
        let ty = server().resources["test_renamed"].ty.clone();
        let value = value::msgpack::decode(&state.expect("a state").msgpack, &ty).unwrap();
        assert_eq!(
            value,
            Value::object([
                ("id", Value::string("r-1")),
                ("name", Value::string("runner-a"))
            ])
        );
    }

    #[test]
    fn a_state_newer_than_the_schema_is_refused() {
        let (state, diags) = server().upgrade_resource_state("test_renamed", 2, b"{}");
        assert!(state.is_none() && diags.has_errors());
    }

    #[tokio::test]
    async fn apply_never_returns_unknowns_and_says_so() {
        let server = server();
        let ty = server.resources["test_renamed"].ty.clone();
        let planned = Value::object([("id", Value::Unknown), ("name", Value::string("a"))]);
        let encoded = DynamicValue {
            msgpack: value::msgpack::encode(&planned, &ty).unwrap(),
            json: vec![],
        };
        let out = server
            .apply_resource_change(
                "test_renamed",
                &DynamicValue::default(),
                &encoded,
                &encoded,
                Vec::new(),
            )
            .await;
        assert!(out.diagnostics.has_errors());
        let state = value::msgpack::decode(&out.state.unwrap().msgpack, &ty).unwrap();
        assert!(state.is_wholly_known());
        assert_eq!(state.attr("id"), &Value::Null);
    }

    #[test]
    fn stop_cancels_the_running_context_and_later_calls_get_a_fresh_one() {
        let server = server();
        let before = server.context();
        server.stop();
        assert!(before.cancel.is_cancelled());
        assert!(!server.context().cancel.is_cancelled());
    }
}
