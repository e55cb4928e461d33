//! Protocol version 6 (Terraform 1.0 and later).

crate::protocol::service::provider_service!(
    V6, tfplugin6,
    get_schema: get_provider_schema = "GetProviderSchema",
    validate_provider: validate_provider_config / validate_provider_config
        = "ValidateProviderConfig",
    validate_resource: validate_resource_config / validate_resource_config
        = "ValidateResourceConfig",
    validate_data: validate_data_resource_config / validate_data_resource_config
        = "ValidateDataResourceConfig",
    configure: configure_provider / configure_provider = "ConfigureProvider",
    stop: stop_provider / stop_provider,
);

/// A nested attribute is sent as a `Schema.Object` in place of a type. The object's item
/// limits are left zero: Terraform ignores them since protocol 6.1.
fn nested_type(
    wire: &mut pb::schema::Attribute,
    nested: &crate::framework::NestedAttributes,
    at: &AttributePath,
) -> Result<(), Unrepresentable> {
    use crate::framework::ObjectNesting;
    use pb::schema::object::NestingMode;

    let nesting = match nested.nesting() {
        ObjectNesting::Single => NestingMode::Single,
        ObjectNesting::List => NestingMode::List,
        ObjectNesting::Set => NestingMode::Set,
        ObjectNesting::Map => NestingMode::Map,
    };
    let attributes = nested.attributes().iter().map(|a| attribute(a, at));
    wire.r#type = Vec::new();
    wire.nested_type = Some(pb::schema::Object {
        attributes: attributes.collect::<Result<_, _>>()?,
        nesting: nesting as i32,
        ..Default::default()
    });
    Ok(())
}
