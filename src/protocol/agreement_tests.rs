//! Protocol 5 and 6 must answer alike: every request is encoded once, decoded as both
//! versions' message, sent to both services on one engine, and the answers are compared after
//! re-decoding each as the other version's message (the shared messages have the same field
//! numbers, so equal answers decode to equal values both ways).

use std::sync::Arc;

use prost::Message;
use tonic::Request;

use crate::framework::server::ProviderServer;
use crate::protocol::generated::{tfplugin5 as pb5, tfplugin6 as pb6};
use crate::protocol::{v5::V5, v6::V6};
use crate::provider::GitlabCodebuildProvider;
use crate::value::{self, Type, Value};
use pb5::provider_server::Provider as _;
use pb6::provider_server::Provider as _;

const RUNNER: &str = "gitlab_codebuild_runner";

fn services() -> (V5, V6, Arc<ProviderServer>) {
    let engine = Arc::new(ProviderServer::new(Arc::new(
        GitlabCodebuildProvider::default(),
    )));
    (V5::new(engine.clone()), V6::new(engine.clone()), engine)
}

/// Sends `$request` (a v6 message) to both versions and returns the v6 answer after
/// checking that the v5 answer carries the same content.
macro_rules! agree {
    (
        $v5:expr, $v6:expr, $m5:ident / $m6:ident,
        $req5:ty, $resp5:ty, $resp6:ty, $request:expr
    ) => {{
        let bytes = $request.encode_to_vec();
        let request5 = <$req5>::decode(bytes.as_slice()).expect("v5 request decodes");
        let answer6 = $v6
            .$m6(Request::new($request))
            .await
            .expect("v6 answers")
            .into_inner();
        let answer5 = $v5
            .$m5(Request::new(request5))
            .await
            .expect("v5 answers")
            .into_inner();
        let as6 = <$resp6>::decode(answer5.encode_to_vec().as_slice()).expect("v5 as v6");
        let as5 = <$resp5>::decode(answer6.encode_to_vec().as_slice()).expect("v6 as v5");
        assert_eq!(
            as6, answer6,
            concat!(stringify!($m5), " and ", stringify!($m6), " differ")
        );
        assert_eq!(
            as5, answer5,
            concat!(stringify!($m6), " and ", stringify!($m5), " differ")
        );
        answer6
    }};
}

fn runner_type(engine: &ProviderServer) -> Type {
    let (_, schema) = engine
        .resource_schemas()
        .find(|(n, _)| *n == RUNNER)
        .expect("runner");
    schema.block.implied_type()
}

/// A runner configuration with every attribute null except the ones given.
fn runner_value(ty: &Type, set: &[(&str, Value)]) -> Value {
    let mut value = Value::all_null(ty);
    if let Value::Object(attrs) = &mut value {
        for (name, v) in set {
            attrs.insert((*name).to_string(), v.clone());
        }
    }
    value
}

fn base(ty: &Type, name: &str) -> Value {
    runner_value(
        ty,
        &[
            ("name", Value::string(name)),
            (
                "gitlab_url",
                Value::string("https://gitlab.example.internal"),
            ),
            (
                "source_location",
                Value::string("https://gitlab.example.internal/platform/app"),
            ),
            (
                "service_role_arn",
                Value::string("arn:aws:iam::123456789012:role/cb-runner"),
            ),
        ],
    )
}

fn dynamic(v: &Value, ty: &Type) -> pb6::DynamicValue {
    pb6::DynamicValue {
        msgpack: value::msgpack::encode(v, ty).expect("encodes"),
        json: vec![],
    }
}

fn errors(diags: &[pb6::Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity == 1)
        .map(|d| d.summary.clone())
        .collect()
}

#[tokio::test]
async fn schema_metadata_and_functions_agree() {
    let (v5, v6, _) = services();
    let schema = agree!(
        v5,
        v6,
        get_schema / get_provider_schema,
        pb5::get_provider_schema::Request,
        pb5::get_provider_schema::Response,
        pb6::get_provider_schema::Response,
        pb6::get_provider_schema::Request {}
    );
    assert!(schema.provider.is_some() && schema.resource_schemas.contains_key(RUNNER));
    assert!(schema.server_capabilities.is_some_and(|c| c.plan_destroy));

    let metadata = agree!(
        v5,
        v6,
        get_metadata / get_metadata,
        pb5::get_metadata::Request,
        pb5::get_metadata::Response,
        pb6::get_metadata::Response,
        pb6::get_metadata::Request {}
    );
    assert_eq!(metadata.resources.len(), schema.resource_schemas.len());

    agree!(
        v5,
        v6,
        get_functions / get_functions,
        pb5::get_functions::Request,
        pb5::get_functions::Response,
        pb6::get_functions::Response,
        pb6::get_functions::Request {}
    );
    let call = agree!(
        v5,
        v6,
        call_function / call_function,
        pb5::call_function::Request,
        pb5::call_function::Response,
        pb6::call_function::Response,
        pb6::call_function::Request {
            name: "nope".into(),
            arguments: vec![]
        }
    );
    assert!(call.error.is_some());

    let moved = agree!(
        v5,
        v6,
        move_resource_state / move_resource_state,
        pb5::move_resource_state::Request,
        pb5::move_resource_state::Response,
        pb6::move_resource_state::Response,
        pb6::move_resource_state::Request {
            target_type_name: RUNNER.into(),
            ..Default::default()
        }
    );
    assert_eq!(errors(&moved.diagnostics).len(), 1);
}

#[tokio::test]
async fn validation_agrees_on_good_and_bad_configurations() {
    let (v5, v6, engine) = services();
    let ty = runner_type(&engine);
    let mut bad = base(&ty, "-bad name");
    if let Value::Object(attrs) = &mut bad {
        attrs.insert("host_arn".into(), Value::string("arn:set-by-user"));
    }
    for (config, expect_errors) in [(base(&ty, "runner-a"), false), (bad, true)] {
        let answer = agree!(
            v5,
            v6,
            validate_resource_type_config / validate_resource_config,
            pb5::validate_resource_type_config::Request,
            pb5::validate_resource_type_config::Response,
            pb6::validate_resource_config::Response,
            pb6::validate_resource_config::Request {
                type_name: RUNNER.into(),
                config: Some(dynamic(&config, &ty)),
            }
        );
        assert_eq!(
            !errors(&answer.diagnostics).is_empty(),
            expect_errors,
            "{answer:?}"
        );
    }

    let provider_ty = engine.provider_schema().block.implied_type();
    let provider_config = runner_value(&provider_ty, &[("max_retries", Value::number_i64(99))]);
    let answer = agree!(
        v5,
        v6,
        prepare_provider_config / validate_provider_config,
        pb5::prepare_provider_config::Request,
        pb5::prepare_provider_config::Response,
        pb6::validate_provider_config::Response,
        pb6::validate_provider_config::Request {
            config: Some(dynamic(&provider_config, &provider_ty)),
        }
    );
    assert_eq!(
        errors(&answer.diagnostics),
        vec!["Invalid Retry Count".to_string()]
    );

    let unknown = agree!(
        v5,
        v6,
        validate_data_source_config / validate_data_resource_config,
        pb5::validate_data_source_config::Request,
        pb5::validate_data_source_config::Response,
        pb6::validate_data_resource_config::Response,
        pb6::validate_data_resource_config::Request {
            type_name: "no_such_thing".into(),
            config: None,
        }
    );
    assert_eq!(errors(&unknown.diagnostics).len(), 1);
}

#[tokio::test]
async fn planning_agrees_on_create_and_on_a_replacing_update() {
    let (v5, v6, engine) = services();
    let ty = runner_type(&engine);
    let config = base(&ty, "runner-a");
    let create = agree!(
        v5,
        v6,
        plan_resource_change / plan_resource_change,
        pb5::plan_resource_change::Request,
        pb5::plan_resource_change::Response,
        pb6::plan_resource_change::Response,
        pb6::plan_resource_change::Request {
            type_name: RUNNER.into(),
            prior_state: Some(dynamic(&Value::Null, &ty)),
            proposed_new_state: Some(dynamic(&config, &ty)),
            config: Some(dynamic(&config, &ty)),
            ..Default::default()
        }
    );
    assert!(errors(&create.diagnostics).is_empty(), "{create:?}");
    let planned = create.planned_state.expect("a plan");
    let planned = value::msgpack::decode(&planned.msgpack, &ty).expect("decodes");
    assert_eq!(planned.attr("host_arn"), &Value::Unknown);

    // The prior state: the plan with its unknowns filled, then the name changed.
    let prior = crate::framework::plan::unknowns_to_null(planned);
    let renamed = base(&ty, "runner-b");
    let mut proposed = prior.clone();
    if let Value::Object(attrs) = &mut proposed {
        attrs.insert("name".into(), Value::string("runner-b"));
    }
    let update = agree!(
        v5,
        v6,
        plan_resource_change / plan_resource_change,
        pb5::plan_resource_change::Request,
        pb5::plan_resource_change::Response,
        pb6::plan_resource_change::Response,
        pb6::plan_resource_change::Request {
            type_name: RUNNER.into(),
            prior_state: Some(dynamic(&prior, &ty)),
            proposed_new_state: Some(dynamic(&proposed, &ty)),
            config: Some(dynamic(&renamed, &ty)),
            prior_private: b"opaque".to_vec(),
            ..Default::default()
        }
    );
    let replace: Vec<_> = update
        .requires_replace
        .iter()
        .map(|p| format!("{p:?}"))
        .collect();
    assert!(
        replace.iter().any(|p| p.contains("\"name\"")),
        "{replace:?}"
    );
}

#[tokio::test]
async fn state_upgrade_read_and_stop_agree() {
    let (v5, v6, engine) = services();
    let ty = runner_type(&engine);
    let state = serde_json::json!({"name": "runner-a", "gitlab_url": "https://g.example",
        "no_longer_in_schema": true});
    let upgraded = agree!(
        v5,
        v6,
        upgrade_resource_state / upgrade_resource_state,
        pb5::upgrade_resource_state::Request,
        pb5::upgrade_resource_state::Response,
        pb6::upgrade_resource_state::Response,
        pb6::upgrade_resource_state::Request {
            type_name: RUNNER.into(),
            version: 0,
            raw_state: Some(pb6::RawState {
                json: state.to_string().into_bytes(),
                flatmap: Default::default()
            }),
        }
    );
    assert!(errors(&upgraded.diagnostics).is_empty(), "{upgraded:?}");
    let value = value::msgpack::decode(&upgraded.upgraded_state.unwrap().msgpack, &ty).unwrap();
    assert_eq!(value.attr("name"), &Value::string("runner-a"));

    let newer = agree!(
        v5,
        v6,
        upgrade_resource_state / upgrade_resource_state,
        pb5::upgrade_resource_state::Request,
        pb5::upgrade_resource_state::Response,
        pb6::upgrade_resource_state::Response,
        pb6::upgrade_resource_state::Request {
            type_name: RUNNER.into(),
            version: 99,
            raw_state: None
        }
    );
    assert_eq!(errors(&newer.diagnostics).len(), 1);

    // A null current state reads as gone without asking AWS.
    let read = agree!(
        v5,
        v6,
        read_resource / read_resource,
        pb5::read_resource::Request,
        pb5::read_resource::Response,
        pb6::read_resource::Response,
        pb6::read_resource::Request {
            type_name: RUNNER.into(),
            current_state: Some(dynamic(&Value::Null, &ty)),
            ..Default::default()
        }
    );
    assert!(read.new_state.is_none() && read.diagnostics.is_empty());

    agree!(
        v5,
        v6,
        stop / stop_provider,
        pb5::stop::Request,
        pb5::stop::Response,
        pb6::stop_provider::Response,
        pb6::stop_provider::Request {}
    );
}
