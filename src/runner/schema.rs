//! The schema of `gitlab_codebuild_runner`: every argument with its description, default and
//! plan-time validation, and the attributes the provider computes.

use crate::framework::timeouts::timeouts_block;
use crate::framework::{Attribute, Block, NestedBlock, Schema};
use crate::runner::validate;
use crate::value::{Type, Value};

/// Image used when `environment.image` is not set.
pub const DEFAULT_IMAGE: &str = "aws/codebuild/amazonlinux-x86_64-standard:5.0";
/// Environment type used when `environment.type` is not set.
pub const DEFAULT_ENVIRONMENT_TYPE: &str = "LINUX_CONTAINER";
/// Compute type used when `environment.compute_type` is not set.
pub const DEFAULT_COMPUTE_TYPE: &str = "BUILD_GENERAL1_SMALL";

const ENVIRONMENT_TYPES: &[&str] = &[
    "WINDOWS_CONTAINER",
    "LINUX_CONTAINER",
    "LINUX_GPU_CONTAINER",
    "ARM_CONTAINER",
    "WINDOWS_SERVER_2019_CONTAINER",
    "WINDOWS_SERVER_2022_CONTAINER",
    "LINUX_LAMBDA_CONTAINER",
    "ARM_LAMBDA_CONTAINER",
    "LINUX_EC2",
    "ARM_EC2",
    "WINDOWS_EC2",
    "MAC_ARM",
];

const COMPUTE_TYPES: &[&str] = &[
    "BUILD_GENERAL1_SMALL",
    "BUILD_GENERAL1_MEDIUM",
    "BUILD_GENERAL1_LARGE",
    "BUILD_GENERAL1_XLARGE",
    "BUILD_GENERAL1_2XLARGE",
    "BUILD_LAMBDA_1GB",
    "BUILD_LAMBDA_2GB",
    "BUILD_LAMBDA_4GB",
    "BUILD_LAMBDA_8GB",
    "BUILD_LAMBDA_10GB",
    "ATTRIBUTE_BASED_COMPUTE",
    "CUSTOM_INSTANCE_TYPE",
];

/// The resource schema (version 0).
pub fn schema() -> Schema {
    Schema {
        version: 0,
        block: block(),
    }
}

fn block() -> Block {
    Block::new(
        "A CodeBuild-hosted GitLab runner for GitLab Self-Managed: a CodeConnections host and \
         connection, a CodeBuild project and its webhook, created in order in one apply.",
    )
    .attribute(Attribute::computed(
        "id",
        Type::String,
        "The CodeBuild project name.",
    ))
    .attribute(
        Attribute::required(
            "name",
            Type::String,
            "Name of the CodeBuild project; also the base of the host and connection names. \
             Changing it replaces the runner.",
        )
        .force_new()
        .validate(validate::project_name),
    )
    .attribute(
        Attribute::optional(
            "description",
            Type::String,
            "Description of the CodeBuild project.",
        )
        .validate(validate::not_empty)
        .validate(validate::length_between(0, 255)),
    )
    .attribute(
        Attribute::required(
            "gitlab_url",
            Type::String,
            "Base URL of the GitLab Self-Managed instance, e.g. `https://gitlab.example.com`. \
             AWS allows one host per URL. A change updates the host in place (UpdateHost); \
             the connection and its authorization stay.",
        )
        .validate(validate::url_like("https://gitlab.example.com"))
        .validate(validate::length_between(1, 512)),
    )
    .attribute(
        Attribute::optional_computed(
            "host_name",
            Type::String,
            "Name of the CodeConnections host. Defaults to `name`, shortened to 64 characters.",
        )
        .force_new()
        .validate(validate::length_between(1, 64)),
    )
    .attribute(
        Attribute::optional_computed(
            "connection_name",
            Type::String,
            "Name of the CodeConnections connection. Defaults to `name`, shortened to 32 \
             characters.",
        )
        .force_new()
        .validate(validate::length_between(1, 32)),
    )
    .attribute(
        Attribute::optional_computed(
            "connection_arn",
            Type::String,
            "An existing connection to use instead of creating a host and connection (for \
             several runners on one GitLab; it is checked for readiness but never modified or \
             deleted). When not set, the ARN of the connection this resource manages. Switching \
             from one existing connection to another updates the project and recreates the \
             webhook in place; switching between a managed and an existing connection replaces \
             the runner.",
        )
        .validate(validate::connection_arn),
    )
    .attribute(
        Attribute::optional(
            "source_location",
            Type::String,
            "URL of the GitLab repository the runner serves, on the same host as `gitlab_url`. \
             Required unless `webhook.scope` makes the runner serve a whole group; must be unset \
             then (AWS uses its default-location placeholder).",
        )
        .validate(validate::url_like(
            "https://gitlab.example.com/group/project",
        )),
    )
    .attribute(
        Attribute::required(
            "service_role_arn",
            Type::String,
            "IAM role CodeBuild assumes. It needs `codeconnections:GetConnectionToken` and \
             `codeconnections:GetConnection` on the connection.",
        )
        .validate(validate::role_arn),
    )
    .attribute(
        Attribute::optional(
            "buildspec",
            Type::String,
            "Inline buildspec. Runner builds ignore it unless a job sets \
             `buildspec-override:true`.",
        )
        .validate(validate::not_empty),
    )
    .attribute(
        Attribute::optional(
            "git_clone_depth",
            Type::Number,
            "Git clone depth (0 = full clone).",
        )
        .default(Value::number_i64(1))
        .validate(validate::int_between(0, 1_000_000)),
    )
    .attribute(
        Attribute::optional(
            "build_timeout",
            Type::Number,
            "Minutes a build may run, 5 to 2160. Unset: CodeBuild's default (60).",
        )
        .validate(validate::int_between(5, 2160)),
    )
    .attribute(
        Attribute::optional(
            "queued_timeout",
            Type::Number,
            "Minutes a build may wait in the queue, 5 to 480. Unset: CodeBuild's default (480).",
        )
        .validate(validate::int_between(5, 480)),
    )
    .attribute(
        Attribute::optional(
            "concurrent_build_limit",
            Type::Number,
            "Most runner builds at once for this project (at least 1). Unset: no project limit.",
        )
        .validate(validate::int_between(1, 10_000)),
    )
    .attribute(
        Attribute::optional(
            "wait_for_connection",
            Type::Bool,
            "Wait during create for a person to complete the connection handshake (default \
             true). With false, create ends once the connection exists (with a warning); the \
             project and webhook are created by the first apply after the handshake, as an \
             in-place update.",
        )
        .default(Value::Bool(true)),
    )
    .attribute(
        Attribute::optional(
            "tags",
            Type::map(Type::String),
            "Tags for the host, the connection and the project, merged over the provider's \
             `default_tags`. Changes are applied in place (TagResource/UntagResource on the \
             host and connection, UpdateProject on the project).",
        )
        .validate(validate::tags),
    )
    .attribute(Attribute::computed(
        "tags_all",
        Type::map(Type::String),
        "The tags every piece carries: the provider's `default_tags` merged with `tags`.",
    ))
    .attribute(computed(
        "host_arn",
        "ARN of the CodeConnections host (null with `connection_arn`).",
    ))
    .attribute(computed(
        "host_status",
        "Status of the host as AWS reports it.",
    ))
    .attribute(computed(
        "connection_status",
        "Status of the connection: `PENDING` until a person completes the handshake, then \
         `AVAILABLE`.",
    ))
    .attribute(computed(
        "authorization_url",
        "AWS console page where a person completes the connection handshake.",
    ))
    .attribute(computed("project_arn", "ARN of the CodeBuild project."))
    .attribute(computed(
        "source_connection_arn",
        "The connection the project's source authenticates with, as AWS reports it. It differs \
         from `connection_arn` only when someone changed the project outside Terraform; the \
         next apply switches it back.",
    ))
    .attribute(computed(
        "webhook_url",
        "URL of the webhook on the GitLab side.",
    ))
    .attribute(computed(
        "webhook_payload_url",
        "CodeBuild endpoint GitLab delivers job events to.",
    ))
    .attribute(
        computed(
            "webhook_secret",
            "Webhook secret; AWS returns it only when the webhook is created, and only for \
         manually registered webhooks.",
        )
        .sensitive(),
    )
    .attribute(computed(
        "runner_tag",
        "The tag to put under `tags:` in `.gitlab-ci.yml` so a job runs on this runner.",
    ))
    .block(NestedBlock::single(
        "vpc_configuration",
        Block::new(
            "Reach a GitLab instance inside a VPC through the host's VPC attachment. Adding, \
             changing or removing it updates the host in place (UpdateHost) and waits while AWS \
             sets up the attachment; the connection and its authorization stay.",
        )
        .attribute(
            Attribute::required("vpc_id", Type::String, "VPC id.")
                .validate(|v, p, d| validate::aws_id(v, p, d, "vpc-")),
        )
        .attribute(
            Attribute::required("subnet_ids", Type::list(Type::String), "Subnets (1 to 10).")
                .validate(validate::id_list("subnet-", 10)),
        )
        .attribute(
            Attribute::required(
                "security_group_ids",
                Type::list(Type::String),
                "Security groups (1 to 10).",
            )
            .validate(validate::id_list("sg-", 10)),
        )
        .attribute(
            Attribute::optional(
                "tls_certificate",
                Type::String,
                "PEM certificate of the GitLab instance, when it is not publicly trusted.",
            )
            .validate(validate::length_between(1, 16384)),
        ),
    ))
    .block(NestedBlock::single(
        "environment",
        Block::new("The build environment of runner jobs.")
            .attribute(
                Attribute::optional(
                    "compute_type",
                    Type::String,
                    "Compute type; jobs may override it with the `instance-size:` label.",
                )
                .default(Value::string(DEFAULT_COMPUTE_TYPE))
                .validate(|v, p, d| validate::one_of(v, p, d, COMPUTE_TYPES, "compute type")),
            )
            .attribute(
                Attribute::optional(
                    "image",
                    Type::String,
                    "Image; jobs may override it with the `image:` label.",
                )
                .validate(validate::not_empty)
                .default(Value::string(DEFAULT_IMAGE)),
            )
            .attribute(
                Attribute::optional("type", Type::String, "Environment type.")
                    .default(Value::string(DEFAULT_ENVIRONMENT_TYPE))
                    .validate(|v, p, d| {
                        validate::one_of(v, p, d, ENVIRONMENT_TYPES, "environment type")
                    }),
            )
            .attribute(
                Attribute::optional(
                    "privileged_mode",
                    Type::Bool,
                    "Run the Docker daemon inside builds (needed to build images).",
                )
                .default(Value::Bool(false)),
            )
            .attribute(
                Attribute::optional(
                    "fleet_arn",
                    Type::String,
                    "Reserved-capacity fleet the builds run on.",
                )
                .validate(validate::fleet_arn),
            )
            .block(NestedBlock::list(
                "variable",
                Block::new("An environment variable of every runner build.")
                    .attribute(
                        Attribute::required("name", Type::String, "Variable name.")
                            .validate(validate::length_between(1, 1024)),
                    )
                    .attribute(Attribute::required(
                        "value",
                        Type::String,
                        "Value, or the parameter / secret name for the other types.",
                    ))
                    .attribute(
                        Attribute::optional(
                            "type",
                            Type::String,
                            "`PLAINTEXT` (default), `PARAMETER_STORE` or `SECRETS_MANAGER`.",
                        )
                        .default(Value::string("PLAINTEXT"))
                        .validate(|v, p, d| {
                            validate::one_of(v, p, d, VARIABLE_TYPES, "variable type")
                        }),
                    ),
            )),
    ))
    .block(NestedBlock::single(
        "cache",
        Block::new("Build cache. Unset: no cache.")
            .attribute(
                Attribute::required("type", Type::String, "`S3` or `LOCAL`.")
                    .validate(|v, p, d| validate::one_of(v, p, d, &["S3", "LOCAL"], "cache type")),
            )
            .attribute(Attribute::optional(
                "location",
                Type::String,
                "Bucket and prefix for an `S3` cache, e.g. `my-bucket/runner`.",
            ))
            .attribute(
                Attribute::optional(
                    "modes",
                    Type::list(Type::String),
                    "Modes of a `LOCAL` cache.",
                )
                .validate(validate::cache_modes),
            ),
    ))
    .block(NestedBlock::single(
        "logs",
        Block::new("Where build logs go. Unset: CodeBuild's default (CloudWatch Logs on, S3 off).")
            .block(NestedBlock::single(
                "cloudwatch",
                Block::new("CloudWatch Logs.")
                    .attribute(
                        Attribute::optional("status", Type::String, "`ENABLED` or `DISABLED`.")
                            .default(Value::string("ENABLED"))
                            .validate(validate::logs_status),
                    )
                    .attribute(Attribute::optional(
                        "group_name",
                        Type::String,
                        "Log group.",
                    ))
                    .attribute(Attribute::optional(
                        "stream_name",
                        Type::String,
                        "Log stream prefix.",
                    )),
            ))
            .block(NestedBlock::single(
                "s3",
                Block::new("S3 logs.")
                    .attribute(
                        Attribute::optional("status", Type::String, "`ENABLED` or `DISABLED`.")
                            .default(Value::string("DISABLED"))
                            .validate(validate::logs_status),
                    )
                    .attribute(Attribute::optional(
                        "location",
                        Type::String,
                        "Bucket and prefix, e.g. `my-bucket/logs`.",
                    )),
            )),
    ))
    .block(NestedBlock::single(
        "vpc_config",
        Block::new(
            "Run builds inside a VPC (the project's VPC, separate from the host's \
         `vpc_configuration`).",
        )
        .attribute(
            Attribute::required("vpc_id", Type::String, "VPC id.")
                .validate(|v, p, d| validate::aws_id(v, p, d, "vpc-")),
        )
        .attribute(
            Attribute::required("subnets", Type::list(Type::String), "Subnets (1 to 16).")
                .validate(validate::id_list("subnet-", 16)),
        )
        .attribute(
            Attribute::required(
                "security_group_ids",
                Type::list(Type::String),
                "Security groups (1 to 5).",
            )
            .validate(validate::id_list("sg-", 5)),
        ),
    ))
    .block(NestedBlock::single("webhook", webhook_block()))
    .block(timeouts_block(
        &["create", "update", "delete"],
        "Defaults: create 30m (most of it waiting for the connection handshake), update 30m, \
         delete 10m.",
    ))
}

const VARIABLE_TYPES: &[&str] = &["PLAINTEXT", "PARAMETER_STORE", "SECRETS_MANAGER"];

/// Filter types CodeBuild knows.
pub const FILTER_TYPES: &[&str] = &[
    "EVENT",
    "BASE_REF",
    "HEAD_REF",
    "ACTOR_ACCOUNT_ID",
    "FILE_PATH",
    "COMMIT_MESSAGE",
    "WORKFLOW_NAME",
    "TAG_NAME",
    "RELEASE_NAME",
    "REPOSITORY_NAME",
    "ORGANIZATION_NAME",
];

fn webhook_block() -> Block {
    Block::new(
        "The CodeBuild webhook that starts a runner for each queued GitLab job. Unset: one \
         filter group with the `WORKFLOW_JOB_QUEUED` event, build type `BUILD`, registered on \
         the repository by CodeBuild.",
    )
    .attribute(
        Attribute::optional(
            "build_type",
            Type::String,
            "`BUILD` (default) or `BUILD_BATCH`. Updated in place.",
        )
        .default(Value::string("BUILD"))
        .validate(|v, p, d| validate::one_of(v, p, d, &["BUILD", "BUILD_BATCH"], "build type")),
    )
    .attribute(
        Attribute::optional(
            "manual_creation",
            Type::Bool,
            "Register the hook on GitLab yourself: CodeBuild then returns `webhook_payload_url` \
         and `webhook_secret` (sensitive) to paste into GitLab. A change recreates the \
         webhook.",
        )
        .default(Value::Bool(false)),
    )
    .block(NestedBlock::list(
        "filter_group",
        Block::new(
            "A group of filters; a job starts a build when every filter of one group matches. \
         Each group needs an `EVENT` filter that includes `WORKFLOW_JOB_QUEUED`, the only \
         event CodeBuild runs GitLab runner jobs on. Updated in place.",
        )
        .block(NestedBlock::list(
            "filter",
            Block::new("One filter.")
                .attribute(
                    Attribute::required(
                        "type",
                        Type::String,
                        "`EVENT`, `HEAD_REF`, `BASE_REF`, `FILE_PATH`, `COMMIT_MESSAGE`, ...",
                    )
                    .validate(|v, p, d| validate::one_of(v, p, d, FILTER_TYPES, "filter type")),
                )
                .attribute(
                    Attribute::required(
                        "pattern",
                        Type::String,
                        "Pattern; for `EVENT` a comma-separated list of events.",
                    )
                    .validate(validate::length_between(1, 4096)),
                )
                .attribute(
                    Attribute::optional(
                        "exclude_matched_pattern",
                        Type::Bool,
                        "Start builds for what does not match.",
                    )
                    .default(Value::Bool(false)),
                ),
        )),
    ))
    .block(NestedBlock::single(
        "scope",
        Block::new(
            "Serve every project of a GitLab group instead of one repository. Leave \
         `source_location` unset with it. A change recreates the webhook.",
        )
        .attribute(
            Attribute::optional("type", Type::String, "`GITLAB_GROUP` (default).")
                .default(Value::string("GITLAB_GROUP"))
                .validate(|v, p, d| validate::one_of(v, p, d, &["GITLAB_GROUP"], "scope type")),
        )
        .attribute(
            Attribute::required("name", Type::String, "Group name (or path).")
                .validate(validate::length_between(1, 255)),
        )
        .attribute(Attribute::required(
            "domain",
            Type::String,
            "Domain of the GitLab instance, e.g. `gitlab.example.com`; must be the host of \
             `gitlab_url`.",
        )),
    ))
}

fn computed(name: &str, description: &str) -> Attribute {
    Attribute::computed(name, Type::String, description)
}
