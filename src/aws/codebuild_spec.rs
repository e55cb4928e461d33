//! The runner project and webhook as plain data, and the conversions between that data and
//! the CodeBuild SDK's shapes in both directions. Calls live in `codebuild.rs`.

use std::collections::BTreeMap;

use aws_sdk_codebuild::types::{
    CacheMode, CacheType, CloudWatchLogsConfig, ComputeType, EnvironmentType, EnvironmentVariable,
    EnvironmentVariableType, LogsConfig, LogsConfigStatusType, Project, ProjectCache,
    ProjectEnvironment, ProjectFleet, ProjectSource, S3LogsConfig, ScopeConfiguration, SourceAuth,
    SourceAuthType, SourceType, Tag, VpcConfig, Webhook, WebhookBuildType, WebhookFilter,
    WebhookFilterType, WebhookScopeType,
};

use super::error::{from_build, AwsError};

/// The event that makes CodeBuild start a runner for a queued GitLab job.
pub const RUNNER_EVENT: &str = "WORKFLOW_JOB_QUEUED";
/// Build timeout CodeBuild applies when none is set (minutes).
pub const DEFAULT_BUILD_TIMEOUT: i32 = 60;
/// Queued timeout CodeBuild applies when none is set (minutes).
pub const DEFAULT_QUEUED_TIMEOUT: i32 = 480;
/// A variable CodeBuild adds to new projects by itself; never a user's change.
pub const SERVER_ADDED_VARIABLE: &str = "CODEBUILD_CONFIG_AUTO_DISCOVER";

/// One environment variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvVar {
    /// Name.
    pub name: String,
    /// Value (or parameter / secret name).
    pub value: String,
    /// `PLAINTEXT`, `PARAMETER_STORE` or `SECRETS_MANAGER`.
    pub var_type: String,
}

/// Build environment of the project.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvironmentSpec {
    /// `LINUX_CONTAINER`, `ARM_CONTAINER`, ...
    pub environment_type: String,
    /// Image identifier.
    pub image: String,
    /// `BUILD_GENERAL1_SMALL`, ...
    pub compute_type: String,
    /// Docker daemon inside the build.
    pub privileged_mode: bool,
    /// Reserved-capacity fleet.
    pub fleet_arn: Option<String>,
    /// Variables, in configuration order.
    pub variables: Vec<EnvVar>,
}

/// Project cache.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheSpec {
    /// `S3` or `LOCAL` (`NO_CACHE` is the absence of this block).
    pub cache_type: String,
    /// Bucket/prefix for S3.
    pub location: Option<String>,
    /// Local cache modes.
    pub modes: Vec<String>,
}

/// Where build logs go.
#[derive(Clone, Debug, PartialEq)]
pub struct LogsSpec {
    /// `ENABLED` or `DISABLED`.
    pub cloudwatch_status: String,
    /// Log group.
    pub group_name: Option<String>,
    /// Log stream prefix.
    pub stream_name: Option<String>,
    /// `ENABLED` or `DISABLED`.
    pub s3_status: String,
    /// Bucket/prefix for S3 logs.
    pub s3_location: Option<String>,
}

impl LogsSpec {
    /// What CodeBuild uses when nothing is configured.
    pub fn service_default() -> Self {
        Self {
            cloudwatch_status: "ENABLED".into(),
            group_name: None,
            stream_name: None,
            s3_status: "DISABLED".into(),
            s3_location: None,
        }
    }
}

/// Project VPC settings (where builds run; not the host's VPC).
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectVpc {
    /// VPC id.
    pub vpc_id: String,
    /// Subnets.
    pub subnets: Vec<String>,
    /// Security groups.
    pub security_group_ids: Vec<String>,
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
    /// Minutes a build may run (`None`: CodeBuild's default).
    pub build_timeout: Option<i32>,
    /// Minutes a build may wait in the queue (`None`: CodeBuild's default).
    pub queued_timeout: Option<i32>,
    /// Most builds at once (`None`: no project limit).
    pub concurrent_build_limit: Option<i32>,
    /// Cache (`None`: no cache).
    pub cache: Option<CacheSpec>,
    /// Logs (`None`: CodeBuild's default).
    pub logs: Option<LogsSpec>,
    /// Build VPC (`None`: no VPC).
    pub vpc_config: Option<ProjectVpc>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

/// One webhook filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterSpec {
    /// `EVENT`, `HEAD_REF`, ...
    pub filter_type: String,
    /// Pattern (comma-separated event names for `EVENT`).
    pub pattern: String,
    /// Negates the filter.
    pub exclude_matched_pattern: bool,
}

/// Group scope of a webhook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeSpec {
    /// `GITLAB_GROUP`.
    pub scope_type: String,
    /// Group name.
    pub name: String,
    /// GitLab domain (self-managed).
    pub domain: Option<String>,
}

/// What the provider wants the webhook to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookSpec {
    /// `BUILD` or `BUILD_BATCH`.
    pub build_type: String,
    /// Filter groups: a job starts a build when every filter of one group matches.
    pub filter_groups: Vec<Vec<FilterSpec>>,
    /// Group scope, if any.
    pub scope: Option<ScopeSpec>,
    /// The user registers the hook on GitLab by hand.
    pub manual_creation: bool,
}

impl WebhookSpec {
    /// The runner webhook: one group with the job-queued event.
    pub fn runner_default() -> Self {
        Self {
            build_type: "BUILD".into(),
            filter_groups: vec![vec![FilterSpec {
                filter_type: "EVENT".into(),
                pattern: RUNNER_EVENT.into(),
                exclude_matched_pattern: false,
            }]],
            scope: None,
            manual_creation: false,
        }
    }

    /// True when the change from `self` to `next` needs a new webhook: CodeBuild's
    /// UpdateWebhook changes only filters and build type.
    pub fn needs_recreate(&self, next: &WebhookSpec) -> bool {
        self.scope != next.scope || self.manual_creation != next.manual_creation
    }
}

/// What the project looks like on the AWS side.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectInfo {
    /// Project ARN.
    pub arn: String,
    /// Source type as AWS reports it (`GITLAB_SELF_MANAGED` for a runner).
    pub source_type: String,
    /// The project's settings as AWS reports them (`connection_arn` empty when the source
    /// has no connection).
    pub spec: ProjectSpec,
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
    /// Filters, build type, scope.
    pub spec: WebhookSpec,
}

/// The project's source: GitLab Self-Managed through the connection.
pub fn source(spec: &ProjectSpec) -> Result<ProjectSource, AwsError> {
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

/// The build environment.
pub fn environment(spec: &EnvironmentSpec) -> Result<ProjectEnvironment, AwsError> {
    let variables = spec
        .variables
        .iter()
        .map(|v| {
            EnvironmentVariable::builder()
                .name(&v.name)
                .value(&v.value)
                .r#type(EnvironmentVariableType::from(v.var_type.as_str()))
                .build()
                .map_err(from_build)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let fleet = spec
        .fleet_arn
        .as_ref()
        .map(|arn| ProjectFleet::builder().fleet_arn(arn).build());
    ProjectEnvironment::builder()
        .r#type(EnvironmentType::from(spec.environment_type.as_str()))
        .image(&spec.image)
        .compute_type(ComputeType::from(spec.compute_type.as_str()))
        .privileged_mode(spec.privileged_mode)
        .set_fleet(fleet)
        .set_environment_variables(Some(variables))
        .build()
        .map_err(from_build)
}

/// The cache; `None` is sent as `NO_CACHE` so an update removes an old cache.
pub fn cache(spec: Option<&CacheSpec>) -> Result<ProjectCache, AwsError> {
    let Some(spec) = spec else {
        return ProjectCache::builder()
            .r#type(CacheType::NoCache)
            .build()
            .map_err(from_build);
    };
    ProjectCache::builder()
        .r#type(CacheType::from(spec.cache_type.as_str()))
        .set_location(spec.location.clone())
        .set_modes(Some(
            spec.modes
                .iter()
                .map(|m| CacheMode::from(m.as_str()))
                .collect(),
        ))
        .build()
        .map_err(from_build)
}

/// Logs; `None` is sent as CodeBuild's default so an update resets them.
pub fn logs(spec: Option<&LogsSpec>) -> Result<LogsConfig, AwsError> {
    let spec = spec.cloned().unwrap_or_else(LogsSpec::service_default);
    let cloudwatch = CloudWatchLogsConfig::builder()
        .status(LogsConfigStatusType::from(spec.cloudwatch_status.as_str()))
        .set_group_name(spec.group_name)
        .set_stream_name(spec.stream_name)
        .build()
        .map_err(from_build)?;
    let s3 = S3LogsConfig::builder()
        .status(LogsConfigStatusType::from(spec.s3_status.as_str()))
        .set_location(spec.s3_location)
        .build()
        .map_err(from_build)?;
    Ok(LogsConfig::builder()
        .cloud_watch_logs(cloudwatch)
        .s3_logs(s3)
        .build())
}

/// The build VPC; `None` is sent empty so an update takes builds out of a VPC.
pub fn vpc_config(spec: Option<&ProjectVpc>) -> VpcConfig {
    match spec {
        Some(v) => VpcConfig::builder()
            .vpc_id(&v.vpc_id)
            .set_subnets(Some(v.subnets.clone()))
            .set_security_group_ids(Some(v.security_group_ids.clone()))
            .build(),
        None => VpcConfig::builder().build(),
    }
}

/// Tags in CodeBuild's shape.
pub fn tags(map: &BTreeMap<String, String>) -> Vec<Tag> {
    map.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// Filter groups in CodeBuild's shape.
pub fn filter_groups(spec: &WebhookSpec) -> Result<Vec<Vec<WebhookFilter>>, AwsError> {
    spec.filter_groups
        .iter()
        .map(|group| {
            group
                .iter()
                .map(|f| {
                    WebhookFilter::builder()
                        .r#type(WebhookFilterType::from(f.filter_type.as_str()))
                        .pattern(&f.pattern)
                        .set_exclude_matched_pattern(f.exclude_matched_pattern.then_some(true))
                        .build()
                        .map_err(from_build)
                })
                .collect()
        })
        .collect()
}

/// The group scope in CodeBuild's shape.
pub fn scope(spec: &ScopeSpec) -> Result<ScopeConfiguration, AwsError> {
    ScopeConfiguration::builder()
        .name(&spec.name)
        .set_domain(spec.domain.clone())
        .scope(WebhookScopeType::from(spec.scope_type.as_str()))
        .build()
        .map_err(from_build)
}

/// The build type in CodeBuild's shape.
pub fn build_type(spec: &WebhookSpec) -> WebhookBuildType {
    WebhookBuildType::from(spec.build_type.as_str())
}

fn text(v: Option<&str>) -> Option<String> {
    v.filter(|s| !s.is_empty()).map(str::to_string)
}

/// Reads a project as AWS reports it.
pub fn project_info(project: &Project) -> ProjectInfo {
    let source = project.source();
    let env = project.environment();
    let spec = ProjectSpec {
        name: project.name().unwrap_or_default().to_string(),
        description: text(project.description()),
        source_location: source
            .and_then(|s| s.location())
            .unwrap_or_default()
            .to_string(),
        connection_arn: source
            .and_then(|s| s.auth())
            .and_then(|a| a.resource())
            .unwrap_or_default()
            .to_string(),
        buildspec: text(source.and_then(|s| s.buildspec())),
        git_clone_depth: source.and_then(|s| s.git_clone_depth()).unwrap_or(0),
        service_role_arn: project.service_role().unwrap_or_default().to_string(),
        environment: EnvironmentSpec {
            environment_type: env
                .map(|e| e.r#type().as_str())
                .unwrap_or_default()
                .to_string(),
            image: env.map(|e| e.image()).unwrap_or_default().to_string(),
            compute_type: env
                .map(|e| e.compute_type().as_str())
                .unwrap_or_default()
                .to_string(),
            privileged_mode: env.and_then(|e| e.privileged_mode()).unwrap_or(false),
            fleet_arn: text(env.and_then(|e| e.fleet()).and_then(|f| f.fleet_arn())),
            variables: env
                .map(|e| e.environment_variables())
                .unwrap_or_default()
                .iter()
                .map(|v| EnvVar {
                    name: v.name().to_string(),
                    value: v.value().to_string(),
                    var_type: v
                        .r#type()
                        .map(|t| t.as_str())
                        .unwrap_or("PLAINTEXT")
                        .to_string(),
                })
                .collect(),
        },
        build_timeout: project.timeout_in_minutes(),
        queued_timeout: project.queued_timeout_in_minutes(),
        concurrent_build_limit: project.concurrent_build_limit(),
        cache: project
            .cache()
            .filter(|c| *c.r#type() != CacheType::NoCache)
            .map(|c| CacheSpec {
                cache_type: c.r#type().as_str().to_string(),
                location: text(c.location()),
                modes: c.modes().iter().map(|m| m.as_str().to_string()).collect(),
            }),
        logs: project.logs_config().map(|l| {
            let cw = l.cloud_watch_logs();
            let s3 = l.s3_logs();
            LogsSpec {
                cloudwatch_status: cw.map(|c| c.status().as_str()).unwrap_or("ENABLED").into(),
                group_name: text(cw.and_then(|c| c.group_name())),
                stream_name: text(cw.and_then(|c| c.stream_name())),
                s3_status: s3.map(|s| s.status().as_str()).unwrap_or("DISABLED").into(),
                s3_location: text(s3.and_then(|s| s.location())),
            }
        }),
        vpc_config: project.vpc_config().and_then(|v| {
            Some(ProjectVpc {
                vpc_id: text(v.vpc_id())?,
                subnets: v.subnets().to_vec(),
                security_group_ids: v.security_group_ids().to_vec(),
            })
        }),
        tags: project
            .tags()
            .iter()
            .filter_map(|t| {
                Some((
                    t.key()?.to_string(),
                    t.value().unwrap_or_default().to_string(),
                ))
            })
            .collect(),
    };
    ProjectInfo {
        arn: project.arn().unwrap_or_default().to_string(),
        source_type: source
            .map(|s| s.r#type().as_str())
            .unwrap_or_default()
            .to_string(),
        spec,
        webhook: project.webhook().map(|w| webhook_info(w, None)),
    }
}

/// Reads a webhook; `secret` is taken from CreateWebhook's answer only.
pub fn webhook_info(w: &Webhook, secret: Option<String>) -> WebhookInfo {
    let filter_groups = w
        .filter_groups()
        .iter()
        .map(|group| {
            group
                .iter()
                .map(|f| FilterSpec {
                    filter_type: f.r#type().as_str().to_string(),
                    pattern: f.pattern().to_string(),
                    exclude_matched_pattern: f.exclude_matched_pattern().unwrap_or(false),
                })
                .collect()
        })
        .collect();
    WebhookInfo {
        url: text(w.url()),
        payload_url: text(w.payload_url()),
        secret,
        spec: WebhookSpec {
            build_type: w
                .build_type()
                .map(|b| b.as_str())
                .unwrap_or("BUILD")
                .to_string(),
            filter_groups,
            scope: w.scope_configuration().map(|s| ScopeSpec {
                scope_type: s.scope().as_str().to_string(),
                name: s.name().to_string(),
                domain: text(s.domain()),
            }),
            manual_creation: w.manual_creation().unwrap_or(false),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_scope_or_manual_creation_changes_recreate_the_webhook() {
        let base = WebhookSpec::runner_default();
        let batch = WebhookSpec {
            build_type: "BUILD_BATCH".into(),
            ..base.clone()
        };
        assert!(!base.needs_recreate(&batch));
        let manual = WebhookSpec {
            manual_creation: true,
            ..base.clone()
        };
        assert!(base.needs_recreate(&manual));
    }

    #[test]
    fn filters_keep_group_structure() {
        let groups = filter_groups(&WebhookSpec::runner_default()).unwrap();
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0][0].pattern(), RUNNER_EVENT);
        assert_eq!(groups[0][0].exclude_matched_pattern(), None);
    }
}
