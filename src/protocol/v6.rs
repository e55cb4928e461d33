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
