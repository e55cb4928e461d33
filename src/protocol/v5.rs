//! Protocol version 5 (Terraform 0.12 and later), served by the same provider code as v6.

crate::protocol::service::provider_service!(
    V5, tfplugin5,
    get_schema: get_schema = "GetSchema",
    validate_provider: prepare_provider_config / prepare_provider_config
        = "PrepareProviderConfig",
    validate_resource: validate_resource_type_config / validate_resource_type_config
        = "ValidateResourceTypeConfig",
    validate_data: validate_data_source_config / validate_data_source_config
        = "ValidateDataSourceConfig",
    configure: configure / configure = "Configure",
    stop: stop / stop,
);

/// Protocol 5 has no nested attributes; the schema answer becomes an error naming the
/// attribute, never a wrong schema.
fn nested_type(
    _: &mut pb::schema::Attribute,
    _: &crate::framework::NestedAttributes,
    at: &AttributePath,
) -> Result<(), Unrepresentable> {
    Err(Unrepresentable {
        path: at.clone(),
        version: 5,
    })
}
