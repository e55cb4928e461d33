//! CodeBuild calls: the runner project and its webhook.

use std::collections::BTreeMap;

use aws_sdk_codebuild::types::{
    ArtifactsType, ComputeType, EnvironmentType, ProjectArtifacts, ProjectEnvironment,
    ProjectSource, SourceAuth, SourceAuthType, SourceType, Tag, WebhookBuildType, WebhookFilter,
    WebhookFilterType,
};
use tokio_util::sync::CancellationToken;

use super::error::{from_build, from_sdk, AwsError};
use super::{cancellable, Clients};

/// The event that makes CodeBuild start a runner for a queued GitLab job.
pub const RUNNER_EVENT: &str = "WORKFLOW_JOB_QUEUED";

/// Build environment of the project.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvironmentSpec {
    /// `LINUX_CONTAINER`, `ARM_CONTAINER`, ...
    pub environment_type: String,
    /// Image identifier.
    pub image: String,
    /// `BUILD_GENERAL1_SMALL`, ...
    pub compute_type: String,
}

/// What the provider wants the project to be.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectSpec {
    /// Project name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Repository URL (or AWS's default-location placeholder).
    pub source_location: String,
    /// Connection the project authenticates with.
    pub connection_arn: String,
    /// Inline buildspec.
    pub buildspec: Option<String>,
    /// Clone depth (0 = full).
    pub git_clone_depth: i32,
    /// IAM role CodeBuild assumes.
    pub service_role_arn: String,
    /// Build environment.
    pub environment: EnvironmentSpec,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

/// What the project looks like on the AWS side.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectInfo {
    /// Project ARN.
    pub arn: String,
    /// Description, if any.
    pub description: Option<String>,
    /// Source location.
    pub source_location: Option<String>,
    /// The connection in `source.auth.resource`.
    pub connection_arn: Option<String>,
    /// Service role.
    pub service_role_arn: Option<String>,
    /// Build environment.
    pub environment: Option<EnvironmentSpec>,
    /// The webhook, if one exists.
    pub webhook: Option<WebhookInfo>,
}

/// A webhook as AWS reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookInfo {
    /// URL of the hook on the GitLab side.
    pub url: Option<String>,
    /// CodeBuild's endpoint that GitLab calls.
    pub payload_url: Option<String>,
    /// Shared secret: only ever present in CreateWebhook's answer.
    pub secret: Option<String>,
}

fn source(spec: &ProjectSpec) -> Result<ProjectSource, AwsError> {
    let auth = SourceAuth::builder()
        .r#type(SourceAuthType::Codeconnections)
        .resource(&spec.connection_arn)
        .build()
        .map_err(from_build)?;
    ProjectSource::builder()
        .r#type(SourceType::GitlabSelfManaged)
        .location(&spec.source_location)
        .auth(auth)
        .git_clone_depth(spec.git_clone_depth)
        .set_buildspec(spec.buildspec.clone())
        .build()
        .map_err(from_build)
}

fn environment(spec: &EnvironmentSpec) -> Result<ProjectEnvironment, AwsError> {
    ProjectEnvironment::builder()
        .r#type(EnvironmentType::from(spec.environment_type.as_str()))
        .image(&spec.image)
        .compute_type(ComputeType::from(spec.compute_type.as_str()))
        .build()
        .map_err(from_build)
}

fn tags(map: &BTreeMap<String, String>) -> Vec<Tag> {
    map.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect()
}

/// Creates the runner project; returns its ARN.
pub async fn create_project(
    clients: &Clients,
    cancel: &CancellationToken,
    spec: &ProjectSpec,
) -> Result<String, AwsError> {
    // Runner builds produce nothing to upload; CodeBuild still requires the member.
    let artifacts =
        ProjectArtifacts::builder().r#type(ArtifactsType::NoArtifacts).build().map_err(from_build)?;
    let request = clients
        .codebuild
        .create_project()
        .name(&spec.name)
        .set_description(spec.description.clone())
        .source(source(spec)?)
        .artifacts(artifacts)
        .environment(environment(&spec.environment)?)
        .service_role(&spec.service_role_arn)
        .set_tags(Some(tags(&spec.tags)));
    let out = cancellable(cancel, request.send()).await?.map_err(from_sdk)?;
    out.project()
        .and_then(|p| p.arn())
        .map(str::to_string)
        .ok_or_else(|| AwsError::Malformed("CreateProject returned no project ARN".into()))
}

/// Brings an existing project in line with `spec` (a partial update of the fields we own).
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
        .set_tags(Some(tags(&spec.tags)));
    cancellable(cancel, request.send()).await?.map_err(from_sdk)?;
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
    let Some(project) = out.projects().iter().find(|p| p.name() == Some(name)) else {
        return Ok(None);
    };
    let source = project.source();
    Ok(Some(ProjectInfo {
        arn: project.arn().unwrap_or_default().to_string(),
        description: project.description().map(str::to_string).filter(|d| !d.is_empty()),
        source_location: source.and_then(|s| s.location()).map(str::to_string),
        connection_arn: source.and_then(|s| s.auth()).and_then(|a| a.resource()).map(str::to_string),
        service_role_arn: project.service_role().map(str::to_string),
        environment: project.environment().map(|e| EnvironmentSpec {
            environment_type: e.r#type().as_str().to_string(),
            image: e.image().to_string(),
            compute_type: e.compute_type().as_str().to_string(),
        }),
        webhook: project.webhook().map(|w| WebhookInfo {
            url: w.url().map(str::to_string),
            payload_url: w.payload_url().map(str::to_string),
            secret: None,
        }),
    }))
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

/// Creates the runner webhook: one filter group, the job-queued event.
pub async fn create_webhook(
    clients: &Clients,
    cancel: &CancellationToken,
    project: &str,
) -> Result<WebhookInfo, AwsError> {
    let filter = WebhookFilter::builder()
        .r#type(WebhookFilterType::Event)
        .pattern(RUNNER_EVENT)
        .build()
        .map_err(from_build)?;
    let request = clients
        .codebuild
        .create_webhook()
        .project_name(project)
        .filter_groups(vec![filter])
        .build_type(WebhookBuildType::Build);
    let out = cancellable(cancel, request.send()).await?.map_err(from_sdk)?;
    let webhook = out
        .webhook()
        .ok_or_else(|| AwsError::Malformed("CreateWebhook returned no webhook".into()))?;
    Ok(WebhookInfo {
        url: webhook.url().map(str::to_string),
        payload_url: webhook.payload_url().map(str::to_string),
        secret: webhook.secret().map(str::to_string).filter(|s| !s.is_empty()),
    })
}

/// Deletes the project's webhook; a missing webhook or project counts as deleted.
pub async fn delete_webhook(
    clients: &Clients,
    cancel: &CancellationToken,
    project: &str,
) -> Result<(), AwsError> {
    let request = clients.codebuild.delete_webhook().project_name(project).send();
    match cancellable(cancel, request).await?.map_err(from_sdk) {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e),
    }
}
