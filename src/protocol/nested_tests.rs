//! Nested attributes over the wire: protocol 6 describes them as `Schema.Object`s and carries
//! their values through validation and planning; protocol 5, which has no such message,
//! answers the schema request with an error naming the attribute.

use std::sync::Arc;

use tonic::Request;

use crate::framework::server::ProviderServer;
use crate::framework::test_provider::{nested_schema, Fake, NESTED, RENAMED};
use crate::protocol::generated::{tfplugin5 as pb5, tfplugin6 as pb6};
use crate::protocol::{v5::V5, v6::V6};
use crate::value::{self, Type, Value};
use pb5::provider_server::Provider as _;
use pb6::attribute_path::step::Selector;
use pb6::provider_server::Provider as _;

fn engine() -> Arc<ProviderServer> {
    Arc::new(ProviderServer::new(Arc::new(Fake)))
}

fn ty() -> Type {
    nested_schema().implied_type()
}

fn dynamic(v: &Value) -> Option<pb6::DynamicValue> {
    Some(pb6::DynamicValue {
        msgpack: value::msgpack::encode(v, &ty()).expect("encodes"),
        json: vec![],
    })
}

fn endpoint(host: &str, port: i64) -> Value {
    Value::object([
        ("host", Value::string(host)),
        ("port", Value::number_i64(port)),
        ("arn", Value::Null),
        ("zone", Value::Null),
        ("token", Value::string("secret")),
    ])
}

/// A configuration with one object in each nested attribute.
fn config(host: &str, port: i64) -> Value {
    Value::object([
        ("one", endpoint(host, port)),
        ("many", Value::List(vec![endpoint(host, port)])),
        ("unique", Value::Set(vec![endpoint(host, port)])),
        (
            "named",
            Value::Map([("web".to_string(), endpoint(host, port))].into()),
        ),
        ("derived", Value::Null),
    ])
}

/// A wire path as `a["k"][0].b` text, to compare with the framework's rendering.
fn render(path: &pb6::AttributePath) -> String {
    let mut out = String::new();
    for step in &path.steps {
        match step.selector.as_ref().expect("a selector") {
            Selector::AttributeName(n) if out.is_empty() => out.push_str(n),
            Selector::AttributeName(n) => out.push_str(&format!(".{n}")),
            Selector::ElementKeyString(k) => out.push_str(&format!("[{k:?}]")),
            Selector::ElementKeyInt(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

#[tokio::test]
async fn protocol_6_describes_each_nested_attribute_as_an_object() {
    use pb6::schema::object::NestingMode;

    let answer = V6::new(engine())
        .get_provider_schema(Request::new(pb6::get_provider_schema::Request {}))
        .await
        .expect("answers")
        .into_inner();
    assert!(answer.diagnostics.is_empty(), "{:?}", answer.diagnostics);
    assert!(answer.resource_schemas.contains_key(RENAMED));
    let block = answer.resource_schemas[NESTED]
        .block
        .clone()
        .expect("a block");
    let modes = [
        ("one", NestingMode::Single, true),
        ("many", NestingMode::List, true),
        ("unique", NestingMode::Set, true),
        ("named", NestingMode::Map, true),
        ("derived", NestingMode::List, false),
    ];
    for (name, nesting, optional) in modes {
        let attribute = block
            .attributes
            .iter()
            .find(|a| a.name == name)
            .expect("declared");
        assert!(
            attribute.r#type.is_empty(),
            "{name} has a type and a nested type"
        );
        assert_eq!(
            (attribute.optional, attribute.computed),
            (optional, !optional)
        );
        let object = attribute.nested_type.as_ref().expect("a nested type");
        assert_eq!(object.nesting, nesting as i32, "{name}");
        #[allow(deprecated)]
        let limits = (object.min_items, object.max_items);
        assert_eq!(limits, (0, 0));
        let inner: Vec<_> = object
            .attributes
            .iter()
            .map(|a| {
                let flags = (a.required, a.optional, a.computed, a.sensitive);
                (
                    a.name.as_str(),
                    String::from_utf8_lossy(&a.r#type).into_owned(),
                    flags,
                )
            })
            .collect();
        let s = || "\"string\"".to_string();
        assert_eq!(
            inner,
            vec![
                ("host", s(), (true, false, false, false)),
                ("port", "\"number\"".into(), (false, true, false, false)),
                ("arn", s(), (false, false, true, false)),
                ("zone", s(), (false, true, true, false)),
                ("token", s(), (false, true, false, true)),
            ]
        );
    }
}

#[tokio::test]
async fn protocol_5_refuses_the_schema_naming_the_nested_attribute() {
    let answer = V5::new(engine())
        .get_schema(Request::new(pb5::get_provider_schema::Request {}))
        .await
        .expect("answers")
        .into_inner();
    assert!(answer.provider.is_none() && answer.resource_schemas.is_empty());
    let errors: Vec<_> = answer
        .diagnostics
        .iter()
        .filter(|d| d.severity == pb5::diagnostic::Severity::Error as i32)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].summary,
        "Schema Not Supported By This Protocol Version"
    );
    let detail = &errors[0].detail;
    assert!(
        detail.contains(&format!("resource type \"{NESTED}\"")) && detail.contains("\"one\""),
        "{detail}"
    );
    // The way out names the protocol and the first Terraform that plans nested attributes.
    assert!(
        detail.contains("protocol 6") && detail.contains("Terraform 1.0.9 or later"),
        "{detail}"
    );
}

#[tokio::test]
async fn protocol_6_validates_nested_values_with_element_paths() {
    let mut bad = config("ok", 1);
    if let Value::Object(attrs) = &mut bad {
        let web = [("web".to_string(), endpoint("bad", 1))];
        attrs.insert("named".into(), Value::Map(web.into()));
        let mut computed = endpoint("ok", 1);
        if let Value::Object(e) = &mut computed {
            e.insert("arn".into(), Value::string("set by user"));
        }
        attrs.insert(
            "many".into(),
            Value::List(vec![endpoint("ok", 1), computed]),
        );
    }
    let v6 = V6::new(engine());
    for (value, expected) in [
        (config("ok", 1), vec![]),
        (bad, vec!["many[1].arn", "named[\"web\"].host"]),
    ] {
        let answer = v6
            .validate_resource_config(Request::new(pb6::validate_resource_config::Request {
                type_name: NESTED.into(),
                config: dynamic(&value),
            }))
            .await
            .expect("answers")
            .into_inner();
        let paths: Vec<_> = answer
            .diagnostics
            .iter()
            .map(|d| render(d.attribute.as_ref().expect("a path")))
            .collect();
        assert_eq!(paths, expected);
    }
}

#[tokio::test]
async fn protocol_6_plans_nested_values_and_names_replacing_changes() {
    let v6 = V6::new(engine());
    let plan = |prior: Value, config: Value| {
        let request = pb6::plan_resource_change::Request {
            type_name: NESTED.into(),
            prior_state: dynamic(&prior),
            proposed_new_state: dynamic(&config),
            config: dynamic(&config),
            ..Default::default()
        };
        v6.plan_resource_change(Request::new(request))
    };
    let created = plan(Value::Null, config("a", 1))
        .await
        .expect("answers")
        .into_inner();
    assert!(created.diagnostics.is_empty(), "{:?}", created.diagnostics);
    let msgpack = created.planned_state.expect("a plan").msgpack;
    let planned = value::msgpack::decode(&msgpack, &ty()).expect("decodes");
    let mut expected = endpoint("a", 1);
    if let Value::Object(e) = &mut expected {
        e.insert("arn".into(), Value::Unknown);
        e.insert("zone".into(), Value::Unknown);
    }
    assert_eq!(planned.attr("one"), &expected);
    assert_eq!(planned.attr("many").elements(), [expected.clone()]);
    assert_eq!(planned.attr("unique").elements(), [expected.clone()]);
    assert_eq!(planned.attr("named").as_map().unwrap()["web"], expected);
    assert_eq!(planned.attr("derived"), &Value::Unknown);

    let prior = crate::framework::plan::unknowns_to_null(planned);
    let updated = plan(prior, config("a", 2))
        .await
        .expect("answers")
        .into_inner();
    let mut paths: Vec<_> = updated.requires_replace.iter().map(render).collect();
    paths.sort();
    // No path can name a set element: the change inside one replaces at the set's path.
    assert_eq!(
        paths,
        vec!["many[0].port", "named[\"web\"].port", "one.port", "unique"]
    );
}
