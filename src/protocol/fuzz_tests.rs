//! Bounded fuzzing of the protocol surface: random bytes into every RPC of both versions, and
//! random configurations and prior states through PlanResourceChange, checked against the
//! rules Terraform applies to a plan (`objchange.AssertPlanValid` in Terraform 1.0.3).
//!
//! `cargo test` runs a few dozen cases per property; `make fuzz` sets `FUZZ_CASES` for a
//! long run. Nothing here configures the provider, so no AWS client exists and no call can
//! leave the process.

use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use tonic::Request;

use crate::framework::schema::{Block, Mode, Nesting};
use crate::framework::server::{DynamicValue, ProviderServer};
use crate::protocol::generated::{tfplugin5 as pb5, tfplugin6 as pb6};
use crate::protocol::{v5::V5, v6::V6};
use crate::provider::GitlabCodebuildProvider;
use crate::value::{self, AttributePath, Number, PathStep, Type, Value};
use pb5::provider_server::Provider as _;
use pb6::provider_server::Provider as _;

const RUNNER: &str = "gitlab_codebuild_runner";
const PANIC_SUMMARY: &str = "Provider Bug: Internal Error";

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(48)
}

fn engine() -> Arc<ProviderServer> {
    Arc::new(ProviderServer::new(Arc::new(
        GitlabCodebuildProvider::default(),
    )))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        // Plausible msgpack starts: maps, arrays, ext, nil.
        (
            prop::sample::select(vec![0x80u8, 0x81, 0x8f, 0x90, 0x93, 0xc0, 0xd4, 0xde, 0xdf]),
            prop::collection::vec(any::<u8>(), 0..48)
        )
            .prop_map(|(head, mut tail)| {
                tail.insert(0, head);
                tail
            }),
    ]
}

fn no_panic6(diags: &[pb6::Diagnostic]) -> Result<(), TestCaseError> {
    prop_assert!(
        diags.iter().all(|d| d.summary != PANIC_SUMMARY),
        "{diags:?}"
    );
    Ok(())
}

fn no_panic5(diags: &[pb5::Diagnostic]) -> Result<(), TestCaseError> {
    prop_assert!(
        diags.iter().all(|d| d.summary != PANIC_SUMMARY),
        "{diags:?}"
    );
    Ok(())
}

#[test]
fn random_bytes_into_every_rpc_of_both_versions_give_diagnostics_not_panics() {
    let rt = runtime();
    let engine = engine();
    let (v5, v6) = (V5::new(engine.clone()), V6::new(engine));
    let mut runner = TestRunner::new(Config::with_cases(cases()));
    let input = (bytes(), bytes(), bytes(), prop::bool::ANY);
    runner
        .run(&input, |(a, b, c, json)| {
            let dv = |raw: &Vec<u8>| {
                let (msgpack, json_bytes) = if json {
                    (vec![], raw.clone())
                } else {
                    (raw.clone(), vec![])
                };
                Some(pb6::DynamicValue {
                    msgpack,
                    json: json_bytes,
                })
            };
            let dv5 = |raw: &Vec<u8>| {
                dv(raw).map(|d| pb5::DynamicValue {
                    msgpack: d.msgpack,
                    json: d.json,
                })
            };
            rt.block_on(async {
                let r = v6.validate_resource_config(Request::new(
                    pb6::validate_resource_config::Request {
                        type_name: RUNNER.into(),
                        config: dv(&a),
                    },
                ));
                no_panic6(&r.await.unwrap().into_inner().diagnostics)?;
                let r = v6.validate_provider_config(Request::new(
                    pb6::validate_provider_config::Request { config: dv(&b) },
                ));
                no_panic6(&r.await.unwrap().into_inner().diagnostics)?;
                let r = v6.plan_resource_change(Request::new(pb6::plan_resource_change::Request {
                    type_name: RUNNER.into(),
                    prior_state: dv(&a),
                    proposed_new_state: dv(&b),
                    config: dv(&c),
                    prior_private: c.clone(),
                    ..Default::default()
                }));
                no_panic6(&r.await.unwrap().into_inner().diagnostics)?;
                let r =
                    v5.apply_resource_change(Request::new(pb5::apply_resource_change::Request {
                        type_name: RUNNER.into(),
                        prior_state: dv5(&a),
                        planned_state: dv5(&b),
                        config: dv5(&c),
                        ..Default::default()
                    }));
                no_panic5(&r.await.unwrap().into_inner().diagnostics)?;
                let r = v5.read_resource(Request::new(pb5::read_resource::Request {
                    type_name: RUNNER.into(),
                    current_state: dv5(&a),
                    private: b.clone(),
                    ..Default::default()
                }));
                no_panic5(&r.await.unwrap().into_inner().diagnostics)?;
                let r =
                    v5.upgrade_resource_state(Request::new(pb5::upgrade_resource_state::Request {
                        type_name: RUNNER.into(),
                        version: i64::from(a.first().copied().unwrap_or(0) % 3),
                        raw_state: Some(pb5::RawState {
                            json: c.clone(),
                            ..Default::default()
                        }),
                    }));
                no_panic5(&r.await.unwrap().into_inner().diagnostics)?;
                let r = v5.configure(Request::new(pb5::configure::Request {
                    terraform_version: "1.0.3".into(),
                    // Only undecodable bytes: a decodable configuration would build clients.
                    config: Some(pb5::DynamicValue {
                        msgpack: vec![0xc1],
                        json: vec![],
                    }),
                }));
                no_panic5(&r.await.unwrap().into_inner().diagnostics)?;
                Ok(())
            })
        })
        .unwrap();
}

// ---------------------------------------------------------------------------------------
// Random configurations and prior states for the runner's real schema.
// ---------------------------------------------------------------------------------------

fn arb_string() -> BoxedStrategy<String> {
    prop_oneof![
        Just("runner-a".to_string()),
        Just("https://gitlab.example.internal".to_string()),
        Just("arn:aws:iam::123456789012:role/cb-runner".to_string()),
        Just("30m".to_string()),
        Just(String::new()),
        ".{0,10}",
    ]
    .boxed()
}

fn arb_number() -> BoxedStrategy<Number> {
    prop_oneof![
        (-5i64..500).prop_map(Number::from_i64),
        any::<i64>().prop_map(Number::from_i64),
        "-?[0-9]{1,30}(\\.[0-9]{1,20})?".prop_map(|s| Number::parse(&s).expect("number")),
    ]
    .boxed()
}

/// A value of `ty`; null allowed, unknown only with `unknowns`.
fn arb_value(ty: &Type, unknowns: bool, nullable: bool) -> BoxedStrategy<Value> {
    let concrete: BoxedStrategy<Value> = match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::String | Type::Dynamic => arb_string().prop_map(Value::String).boxed(),
        Type::List(e) => prop::collection::vec(arb_value(e, unknowns, true), 0..3)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(e) => prop::collection::vec(arb_value(e, unknowns, false), 0..3)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(e) => {
            prop::collection::btree_map("[a-z]{1,4}", arb_value(e, unknowns, true), 0..3)
                .prop_map(Value::Map)
                .boxed()
        }
        Type::Tuple(es) => es
            .iter()
            .map(|e| arb_value(e, unknowns, true))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Object { attrs, .. } => attrs
            .iter()
            .map(|(k, t)| {
                let k = k.clone();
                arb_value(t, unknowns, true).prop_map(move |v| (k.clone(), v))
            })
            .collect::<Vec<_>>()
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
            .boxed(),
    };
    match (nullable, unknowns) {
        (true, true) => prop_oneof![2 => Just(Value::Null), 1 => Just(Value::Unknown),
            6 => concrete]
        .boxed(),
        (true, false) => prop_oneof![2 => Just(Value::Null), 6 => concrete].boxed(),
        (false, true) => prop_oneof![1 => Just(Value::Unknown), 6 => concrete].boxed(),
        (false, false) => concrete,
    }
}

/// A block value as Terraform sends it: configuration (computed-only attributes null,
/// unknowns anywhere) or stored state (wholly known).
fn arb_block(block: &Block, config: bool) -> BoxedStrategy<Value> {
    let mut parts: Vec<BoxedStrategy<(String, Value)>> = Vec::new();
    for a in &block.attributes {
        let name = a.name.clone();
        let strategy = match (config, a.mode) {
            (true, Mode::Computed) => Just(Value::Null).boxed(),
            (true, Mode::Required) => arb_value(&a.ty, true, false),
            (_, _) => arb_value(&a.ty, config, true),
        };
        parts.push(strategy.prop_map(move |v| (name.clone(), v)).boxed());
    }
    for n in &block.blocks {
        let name = n.name.clone();
        let inner = arb_block(&n.block, config);
        let max = if n.max_items > 0 {
            n.max_items as usize
        } else {
            2
        };
        let strategy = match n.nesting {
            Nesting::Single => prop_oneof![Just(Value::Null), inner].boxed(),
            Nesting::List => prop::collection::vec(inner, 0..=max)
                .prop_map(Value::List)
                .boxed(),
            Nesting::Set => prop::collection::vec(inner, 0..=max)
                .prop_map(Value::Set)
                .boxed(),
            Nesting::Map => prop::collection::btree_map("[a-z]{1,3}", inner, 0..=max)
                .prop_map(Value::Map)
                .boxed(),
            Nesting::Group => inner,
        };
        parts.push(strategy.prop_map(move |v| (name.clone(), v)).boxed());
    }
    parts
        .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
        .boxed()
}

/// Terraform's proposed new state: configuration, with prior values kept for computed
/// attributes the configuration leaves null.
fn proposed_new(block: &Block, prior: &Value, config: &Value) -> Value {
    if config.is_null() || !config.is_known() {
        return config.clone();
    }
    let mut out = std::collections::BTreeMap::new();
    for a in &block.attributes {
        let c = config.attr(&a.name);
        let v = if a.is_computed() && c.is_null() {
            prior.attr(&a.name)
        } else {
            c
        };
        out.insert(a.name.clone(), v.clone());
    }
    for n in &block.blocks {
        let (p, c) = (prior.attr(&n.name), config.attr(&n.name));
        let v = match n.nesting {
            // Terraform 1.0 proposes the prior block when the configuration has none.
            Nesting::Single | Nesting::Group if c.is_null() || !c.is_known() => p.clone(),
            Nesting::Single | Nesting::Group => proposed_new(&n.block, p, c),
            Nesting::Map if c.is_known() && !c.is_null() => Value::Map(
                c.as_map()
                    .into_iter()
                    .flatten()
                    .map(|(k, e)| {
                        let prior_e = p.as_map().and_then(|m| m.get(k)).unwrap_or(e);
                        (k.clone(), proposed_new(&n.block, prior_e, e))
                    })
                    .collect(),
            ),
            Nesting::List if c.is_known() && !c.is_null() => Value::List(
                c.elements()
                    .iter()
                    .enumerate()
                    .map(|(i, e)| proposed_new(&n.block, p.elements().get(i).unwrap_or(e), e))
                    .collect(),
            ),
            _ => c.clone(),
        };
        out.insert(n.name.clone(), v);
    }
    Value::Object(out)
}

/// The checks Terraform 1.0.3 makes on a planned value; `Err` names the first violation.
fn check_plan(
    block: &Block,
    prior: &Value,
    config: &Value,
    planned: &Value,
    at: &str,
) -> Result<(), String> {
    if !planned.is_known() {
        return Err(format!("{at}: a block planned as wholly unknown"));
    }
    for a in &block.attributes {
        let (p, c, pr) = (
            planned.attr(&a.name),
            config.attr(&a.name),
            prior.attr(&a.name),
        );
        let ok = p == c
            || (!pr.is_null() && !c.is_null() && p == pr)
            || (a.is_computed() && c.is_null());
        if !ok {
            return Err(format!(
                "{at}.{}: planned {p:?}, config {c:?}, prior {pr:?}",
                a.name
            ));
        }
    }
    for n in &block.blocks {
        let (p, c, pr) = (
            planned.attr(&n.name),
            config.attr(&n.name),
            prior.attr(&n.name),
        );
        let here = format!("{at}.{}", n.name);
        match n.nesting {
            Nesting::Single | Nesting::Group => match (c.is_null(), p.is_null()) {
                (true, false) => return Err(format!("{here}: planned for existence")),
                (false, true) => return Err(format!("{here}: planned for absence")),
                (true, true) => {}
                (false, false) => check_plan(&n.block, pr, c, p, &here)?,
            },
            Nesting::Map if c.is_wholly_known() => {
                let keys = |v: &Value| v.as_map().map(|m| m.keys().cloned().collect::<Vec<_>>());
                if keys(p) != keys(c) {
                    return Err(format!("{here}: block keys changed"));
                }
                for (k, ce) in c.as_map().into_iter().flatten() {
                    let pe = p.as_map().and_then(|m| m.get(k)).unwrap_or(&Value::Null);
                    let pre = pr.as_map().and_then(|m| m.get(k)).unwrap_or(&Value::Null);
                    check_plan(&n.block, pre, ce, pe, &format!("{here}[{k:?}]"))?;
                }
            }
            Nesting::List | Nesting::Set if c.is_wholly_known() => {
                if p.elements().len() != c.elements().len() {
                    return Err(format!("{here}: block count changed"));
                }
                if n.nesting == Nesting::List {
                    for (i, (pe, ce)) in p.elements().iter().zip(c.elements()).enumerate() {
                        let pre = pr.elements().get(i).unwrap_or(&Value::Null);
                        check_plan(&n.block, pre, ce, pe, &format!("{here}[{i}]"))?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn resolves(value: &Value, path: &AttributePath) -> bool {
    let mut current = value;
    for step in &path.steps {
        current = match step {
            PathStep::Attribute(name) => match current {
                Value::Object(m) => match m.get(name) {
                    Some(v) => v,
                    None => return false,
                },
                _ => return false,
            },
            _ => return true,
        };
    }
    true
}

fn encode(v: &Value, ty: &Type) -> DynamicValue {
    DynamicValue {
        msgpack: value::msgpack::encode(v, ty).expect("encodes"),
        json: vec![],
    }
}

#[test]
fn plans_for_random_configurations_and_prior_states_are_valid_and_deterministic() {
    let rt = runtime();
    let engine = engine();
    let (_, schema) = engine
        .resource_schemas()
        .find(|(n, _)| *n == RUNNER)
        .expect("runner");
    let (block, ty) = (schema.block.clone(), schema.block.implied_type());
    let input = (
        arb_block(&block, true),
        prop_oneof![Just(None), arb_block(&block, false).prop_map(Some)],
    );
    let mut runner = TestRunner::new(Config::with_cases(cases()));
    runner
        .run(&input, |(config, prior)| {
            let prior = prior.unwrap_or(Value::Null);
            let proposed = proposed_new(&block, &prior, &config);
            let (p, n, c) = (
                encode(&prior, &ty),
                encode(&proposed, &ty),
                encode(&config, &ty),
            );
            let plan = || engine.plan_resource_change(RUNNER, &p, &n, &c, b"private".to_vec());
            let first = rt.block_on(plan());
            let second = rt.block_on(plan());
            prop_assert!(
                first.diagnostics.iter().all(|d| d.summary != PANIC_SUMMARY),
                "{:?}",
                first.diagnostics
            );
            prop_assert_eq!(
                &first.planned_state,
                &second.planned_state,
                "plan not deterministic"
            );
            prop_assert_eq!(&first.requires_replace, &second.requires_replace);
            if first.diagnostics.has_errors() {
                return Ok(());
            }
            let planned = first.planned_state.as_ref().expect("a planned state");
            let planned = value::msgpack::decode(&planned.msgpack, &ty).expect("plan decodes");
            check_plan(&block, &prior, &config, &planned, "")
                .map_err(|e| TestCaseError::fail(format!("invalid plan: {e}")))?;
            prop_assert_eq!(first.planned_private.as_slice(), b"private".as_slice());
            if prior.is_null() {
                prop_assert!(first.requires_replace.is_empty());
            }
            for path in &first.requires_replace {
                prop_assert!(
                    resolves(&prior, path) || resolves(&planned, path),
                    "{path:?}"
                );
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_plan_checker_catches_what_terraform_rejects() {
    let engine = engine();
    let (_, schema) = engine
        .resource_schemas()
        .find(|(n, _)| *n == RUNNER)
        .expect("runner");
    let block = &schema.block;
    let config = proposed_new(
        block,
        &Value::Null,
        &Value::object([
            ("name", Value::string("runner-a")),
            ("host_arn", Value::Null),
        ]),
    );
    let mut planned = config.clone();
    assert!(check_plan(block, &Value::Null, &config, &planned, "").is_ok());
    // A provider-computed attribute may take any value; a configured one may not change.
    if let Value::Object(m) = &mut planned {
        m.insert("host_arn".into(), Value::Unknown);
    }
    assert!(check_plan(block, &Value::Null, &config, &planned, "").is_ok());
    if let Value::Object(m) = &mut planned {
        m.insert("name".into(), Value::string("runner-b"));
    }
    assert!(check_plan(block, &Value::Null, &config, &planned, "").is_err());
}
