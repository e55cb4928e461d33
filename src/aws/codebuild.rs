//! CodeBuild calls: the runner project and its webhook. The data they carry is defined in
//! `codebuild_spec.rs`.

use aws_sdk_codebuild::types::{ArtifactsType, ProjectArtifacts};
use tokio_util::sync::CancellationToken;

pub use super::codebuild_spec::*;
use super::error::{from_build, from_sdk, AwsError};
use super::{cancellable, Clients};

/// Creates the runner project; returns its ARN.
pub async fn create_project(
    clients: &Clients,
    cancel: &CancellationToken,
    spec: &ProjectSpec,
) -> Result<String, AwsError> {
    // Runner builds produce nothing to upload; CodeBuild still requires the member.
    let artifacts = ProjectArtifacts::builder()
        .r#type(ArtifactsType::NoArtifacts)
        .build()
        .map_err(from_build)?;
    let request = clients
        .codebuild
        .create_project()
        .name(&spec.name)
        .set_description(spec.description.clone())
        .source(source(spec)?)
        .artifacts(artifacts)
        .environment(environment(&spec.environment)?)
        .service_role(&spec.service_role_arn)
        .set_timeout_in_minutes(spec.build_timeout)
        .set_queued_timeout_in_minutes(spec.queued_timeout)
        .set_concurrent_build_limit(spec.concurrent_build_limit)
        .set_cache(spec.cache.as_ref().map(|c| cache(Some(c))).transpose()?)
        .set_logs_config(spec.logs.as_ref().map(|l| logs(Some(l))).transpose()?)
        .set_vpc_config(spec.vpc_config.as_ref().map(|v| vpc_config(Some(v))))
        .set_tags(Some(tags(&spec.tags)));
    let out = cancellable(cancel, request.send())
        .await?
        .map_err(from_sdk)?;
    out.project()
        .and_then(|p| p.arn())
        .map(str::to_string)
        .ok_or_else(|| AwsError::Malformed("CreateProject returned no project ARN".into()))
}

/// Brings an existing project in line with `spec`. Every member the provider owns is sent,
/// with unset ones as CodeBuild's defaults, so a removed setting is removed on AWS too.
pub async fn update_project(
    clients: &Clients,
    cancel: &CancellationToken,
    spec: &ProjectSpec,
) -> Result<(), AwsError> {
    let request = clients
        .codebuild
        .update_project()
        .name(&spec.name)
        // An empty description clears it; None would leave a stale one in place.
        .description(spec.description.clone().unwrap_or_default())
        .source(source(spec)?)
        .environment(environment(&spec.environment)?)
        .service_role(&spec.service_role_arn)
        .timeout_in_minutes(spec.build_timeout.unwrap_or(DEFAULT_BUILD_TIMEOUT))
        .queued_timeout_in_minutes(spec.queued_timeout.unwrap_or(DEFAULT_QUEUED_TIMEOUT))
        // -1 removes a project's limit.
        .concurrent_build_limit(spec.concurrent_build_limit.unwrap_or(-1))
        .cache(cache(spec.cache.as_ref())?)
        .logs_config(logs(spec.logs.as_ref())?)
        .vpc_config(vpc_config(spec.vpc_config.as_ref()))
        .set_tags(Some(tags(&spec.tags)));
    cancellable(cancel, request.send())
        .await?
        .map_err(from_sdk)?;
    Ok(())
}

/// Reads a project; `Ok(None)` when it does not exist.
pub async fn find_project(
    clients: &Clients,
    cancel: &CancellationToken,
    name: &str,
) -> Result<Option<ProjectInfo>, AwsError> {
    let request = clients.codebuild.batch_get_projects().names(name).send();
    let out = cancellable(cancel, request).await?.map_err(from_sdk)?;
    Ok(out
        .projects()
        .iter()
        .find(|p| p.name() == Some(name))
        .map(project_info))
}

/// Deletes a project; one that is already gone counts as deleted.
pub async fn delete_project(
    clients: &Clients,
    cancel: &CancellationToken,
    name: &str,
) -> Result<(), AwsError> {
    let request = clients.codebuild.delete_project().name(name).send();
    match cancellable(cancel, request).await?.map_err(from_sdk) {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Creates the runner webhook.
pub async fn create_webhook(
    clients: &Clients,
    cancel: &CancellationToken,
    project: &str,
    spec: &WebhookSpec,
) -> Result<WebhookInfo, AwsError> {
    let mut request = clients
        .codebuild
        .create_webhook()
        .project_name(project)
        .set_filter_groups(Some(filter_groups(spec)?))
        .build_type(build_type(spec))
        .set_scope_configuration(spec.scope.as_ref().map(scope).transpose()?);
    if spec.manual_creation {
        request = request.manual_creation(true);
    }
    let out = cancellable(cancel, request.send())
        .await?
        .map_err(from_sdk)?;
    let webhook = out
        .webhook()
        .ok_or_else(|| AwsError::Malformed("CreateWebhook returned no webhook".into()))?;
    let secret = webhook
        .secret()
        .map(str::to_string)
        .filter(|s| !s.is_empty());
    Ok(webhook_info(webhook, secret))
}

/// Changes the filters and build type of an existing webhook.
pub async fn update_webhook(
    clients: &Clients,
    cancel: &CancellationToken,
    project: &str,
    spec: &WebhookSpec,
) -> Result<(), AwsError> {
    let request = clients
        .codebuild
        .update_webhook()
        .project_name(project)
        .set_filter_groups(Some(filter_groups(spec)?))
        .build_type(build_type(spec));
    cancellable(cancel, request.send())
        .await?
        .map_err(from_sdk)?;
    Ok(())
}

/// Deletes the project's webhook; a missing webhook or project counts as deleted.
pub async fn delete_webhook(
    clients: &Clients,
    cancel: &CancellationToken,
    project: &str,
) -> Result<(), AwsError> {
    let request = clients
        .codebuild
        .delete_webhook()
        .project_name(project)
        .send();
    match cancellable(cancel, request).await?.map_err(from_sdk) {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e),
    }
}
