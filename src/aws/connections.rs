//! CodeConnections calls: hosts and connections, as finders (not-found is `Ok(None)`) and
//! actions. Every call ends early when Terraform stops the provider.

use std::collections::BTreeMap;

use aws_sdk_codeconnections::types::{ConnectionStatus, ProviderType, Tag, VpcConfiguration};
use tokio_util::sync::CancellationToken;

use super::error::{from_build, from_sdk, AwsError};
use super::{cancellable, Clients};

/// VPC settings of a host.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HostVpc {
    /// VPC id.
    pub vpc_id: String,
    /// Subnets.
    pub subnet_ids: Vec<String>,
    /// Security groups.
    pub security_group_ids: Vec<String>,
    /// PEM certificate of the GitLab instance, when self-signed.
    pub tls_certificate: Option<String>,
}

/// What a host looks like on the AWS side.
#[derive(Clone, Debug, PartialEq)]
pub struct HostInfo {
    /// Host name.
    pub name: String,
    /// `PENDING`, `AVAILABLE`, `VPC_CONFIG_INITIALIZING`, ...
    pub status: String,
    /// The GitLab URL.
    pub endpoint: String,
    /// VPC settings, if any.
    pub vpc: Option<HostVpc>,
}

/// What a connection looks like on the AWS side.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectionInfo {
    /// Connection name.
    pub name: String,
    /// `PENDING`, `AVAILABLE` or `ERROR`.
    pub status: String,
    /// The host it belongs to, if any.
    pub host_arn: Option<String>,
}

fn tags(map: &BTreeMap<String, String>) -> Result<Option<Vec<Tag>>, AwsError> {
    if map.is_empty() {
        return Ok(None);
    }
    map.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(from_build))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn vpc_configuration(vpc: &HostVpc) -> Result<VpcConfiguration, AwsError> {
    VpcConfiguration::builder()
        .vpc_id(&vpc.vpc_id)
        .set_subnet_ids(Some(vpc.subnet_ids.clone()))
        .set_security_group_ids(Some(vpc.security_group_ids.clone()))
        .set_tls_certificate(vpc.tls_certificate.clone())
        .build()
        .map_err(from_build)
}

/// Creates a GitLab Self-Managed host; returns its ARN.
pub async fn create_host(
    clients: &Clients,
    cancel: &CancellationToken,
    name: &str,
    endpoint: &str,
    vpc: Option<&HostVpc>,
    tag_map: &BTreeMap<String, String>,
) -> Result<String, AwsError> {
    let mut request = clients
        .connections
        .create_host()
        .name(name)
        .provider_type(ProviderType::GitlabSelfManaged)
        .provider_endpoint(endpoint)
        .set_tags(tags(tag_map)?);
    if let Some(vpc) = vpc {
        request = request.vpc_configuration(vpc_configuration(vpc)?);
    }
    let out = cancellable(cancel, request.send())
        .await?
        .map_err(from_sdk)?;
    out.host_arn()
        .map(str::to_string)
        .ok_or_else(|| AwsError::Malformed("CreateHost returned no HostArn".into()))
}

/// Reads a host; `Ok(None)` when it does not exist.
pub async fn find_host(
    clients: &Clients,
    cancel: &CancellationToken,
    arn: &str,
) -> Result<Option<HostInfo>, AwsError> {
    let result = cancellable(cancel, clients.connections.get_host().host_arn(arn).send()).await?;
    let out = match result.map_err(from_sdk) {
        Ok(out) => out,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let vpc = out.vpc_configuration().map(|v| HostVpc {
        vpc_id: v.vpc_id().to_string(),
        subnet_ids: v.subnet_ids().to_vec(),
        security_group_ids: v.security_group_ids().to_vec(),
        tls_certificate: v.tls_certificate().map(str::to_string),
    });
    Ok(Some(HostInfo {
        name: out.name().unwrap_or_default().to_string(),
        status: out.status().unwrap_or_default().to_string(),
        endpoint: out.provider_endpoint().unwrap_or_default().to_string(),
        vpc,
    }))
}

/// Points an existing host at a new GitLab URL and/or VPC. Both are always sent: UpdateHost
/// changes only what it is given, and a request without them would change nothing.
pub async fn update_host(
    clients: &Clients,
    cancel: &CancellationToken,
    arn: &str,
    endpoint: &str,
    vpc: Option<&HostVpc>,
) -> Result<(), AwsError> {
    let mut request = clients
        .connections
        .update_host()
        .host_arn(arn)
        .provider_endpoint(endpoint);
    if let Some(vpc) = vpc {
        request = request.vpc_configuration(vpc_configuration(vpc)?);
    }
    cancellable(cancel, request.send())
        .await?
        .map_err(from_sdk)?;
    Ok(())
}

/// Makes a host's or connection's tags equal `wanted`, given the tags it had: one
/// TagResource for added or changed keys, one UntagResource for removed ones, nothing when
/// equal.
pub async fn sync_tags(
    clients: &Clients,
    cancel: &CancellationToken,
    arn: &str,
    had: &BTreeMap<String, String>,
    wanted: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    let changed: BTreeMap<String, String> = wanted
        .iter()
        .filter(|(k, v)| had.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let removed: Vec<String> = had
        .keys()
        .filter(|k| !wanted.contains_key(*k))
        .cloned()
        .collect();
    if let Some(tag_list) = tags(&changed)? {
        let request = clients
            .connections
            .tag_resource()
            .resource_arn(arn)
            .set_tags(Some(tag_list));
        cancellable(cancel, request.send())
            .await?
            .map_err(from_sdk)?;
    }
    if !removed.is_empty() {
        let request = clients
            .connections
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some(removed));
        cancellable(cancel, request.send())
            .await?
            .map_err(from_sdk)?;
    }
    Ok(())
}

/// Deletes a host; a host that is already gone counts as deleted.
pub async fn delete_host(
    clients: &Clients,
    cancel: &CancellationToken,
    arn: &str,
) -> Result<(), AwsError> {
    let result = cancellable(
        cancel,
        clients.connections.delete_host().host_arn(arn).send(),
    )
    .await?;
    match result.map_err(from_sdk) {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Creates a connection on a host; returns its ARN.
pub async fn create_connection(
    clients: &Clients,
    cancel: &CancellationToken,
    name: &str,
    host_arn: &str,
    tag_map: &BTreeMap<String, String>,
) -> Result<String, AwsError> {
    let request = clients
        .connections
        .create_connection()
        .connection_name(name)
        .host_arn(host_arn)
        .set_tags(tags(tag_map)?);
    let out = cancellable(cancel, request.send())
        .await?
        .map_err(from_sdk)?;
    Ok(out.connection_arn().to_string())
}

/// Reads a connection; `Ok(None)` when it does not exist.
pub async fn find_connection(
    clients: &Clients,
    cancel: &CancellationToken,
    arn: &str,
) -> Result<Option<ConnectionInfo>, AwsError> {
    let request = clients
        .connections
        .get_connection()
        .connection_arn(arn)
        .send();
    let out = match cancellable(cancel, request).await?.map_err(from_sdk) {
        Ok(out) => out,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(connection) = out.connection() else {
        return Err(AwsError::Malformed(
            "GetConnection returned no Connection".into(),
        ));
    };
    Ok(Some(ConnectionInfo {
        name: connection.connection_name().unwrap_or_default().to_string(),
        status: connection
            .connection_status()
            .map(ConnectionStatus::as_str)
            .unwrap_or_default()
            .to_string(),
        host_arn: connection.host_arn().map(str::to_string),
    }))
}

/// Deletes a connection; one that is already gone counts as deleted.
pub async fn delete_connection(
    clients: &Clients,
    cancel: &CancellationToken,
    arn: &str,
) -> Result<(), AwsError> {
    let request = clients
        .connections
        .delete_connection()
        .connection_arn(arn)
        .send();
    match cancellable(cancel, request).await?.map_err(from_sdk) {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e),
    }
}
