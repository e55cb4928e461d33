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
    "WINDOWS_CONTAINER", "LINUX_CONTAINER", "LINUX_GPU_CONTAINER", "ARM_CONTAINER",
    "WINDOWS_SERVER_2019_CONTAINER", "WINDOWS_SERVER_2022_CONTAINER", "LINUX_LAMBDA_CONTAINER",
    "ARM_LAMBDA_CONTAINER", "LINUX_EC2", "ARM_EC2", "WINDOWS_EC2", "MAC_ARM",
];

const COMPUTE_TYPES: &[&str] = &[
    "BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE",
    "BUILD_GENERAL1_XLARGE", "BUILD_GENERAL1_2XLARGE", "BUILD_LAMBDA_1GB", "BUILD_LAMBDA_2GB",
    "BUILD_LAMBDA_4GB", "BUILD_LAMBDA_8GB", "BUILD_LAMBDA_10GB", "ATTRIBUTE_BASED_COMPUTE",
    "CUSTOM_INSTANCE_TYPE",
];

/// The resource schema (version 0).
pub fn schema() -> Schema {
    Schema { version: 0, block: block() }
}

fn block() -> Block {
    Block::new(
        "A CodeBuild-hosted GitLab runner for GitLab Self-Managed: a CodeConnections host and \
         connection, a CodeBuild project and its webhook, created in order in one apply.",
    )
    .attribute(
        Attribute::computed("id", Type::String, "The CodeBuild project name."),
    )
    .attribute(
        Attribute::required("name", Type::String,
            "Name of the CodeBuild project; also the base of the host and connection names. \
             Changing it replaces the runner.")
            .force_new()
            .validate(validate::project_name),
    )
    .attribute(
        Attribute::optional("description", Type::String, "Description of the CodeBuild project.")
            .validate(validate::length_between(0, 255)),
    )
    .attribute(
        Attribute::required("gitlab_url", Type::String,
            "Base URL of the GitLab Self-Managed instance, e.g. `https://gitlab.example.com`. \
             AWS allows one host per URL.")
            .force_new()
            .validate(validate::url)
            .validate(validate::length_between(1, 512)),
    )
    .attribute(
        Attribute::optional_computed("host_name", Type::String,
            "Name of the CodeConnections host. Defaults to `name`, shortened to 64 characters.")
            .force_new()
            .validate(validate::length_between(1, 64)),
    )
    .attribute(
        Attribute::optional_computed("connection_name", Type::String,
            "Name of the CodeConnections connection. Defaults to `name`, shortened to 32 \
             characters.")
            .force_new()
            .validate(validate::length_between(1, 32)),
    )
    .attribute(
        Attribute::optional_computed("connection_arn", Type::String,
            "An existing connection to use instead of creating a host and connection (for \
             several runners on one GitLab). When not set, the ARN of the connection this \
             resource manages.")
            .force_new()
            .validate(validate::connection_arn),
    )
    .attribute(
        Attribute::optional("source_location", Type::String,
            "URL of the GitLab repository the runner serves, on the same host as `gitlab_url`.")
            .validate(validate::url),
    )
    .attribute(
        Attribute::required("service_role_arn", Type::String,
            "IAM role CodeBuild assumes. It needs `codeconnections:GetConnectionToken` and \
             `codeconnections:GetConnection` on the connection.")
            .validate(validate::role_arn),
    )
    .attribute(
        Attribute::optional("buildspec", Type::String,
            "Inline buildspec. Runner builds ignore it unless a job sets \
             `buildspec-override:true`."),
    )
    .attribute(
        Attribute::optional("git_clone_depth", Type::Number, "Git clone depth (0 = full clone).")
            .default(Value::number_i64(1)),
    )
    .attribute(
        Attribute::optional("tags", Type::map(Type::String),
            "Tags for the host, the connection and the project."),
    )
    .attribute(computed("host_arn", "ARN of the CodeConnections host (null with `connection_arn`)."))
    .attribute(computed("host_status", "Status of the host as AWS reports it."))
    .attribute(computed("connection_status",
        "Status of the connection: `PENDING` until a person completes the handshake, then \
         `AVAILABLE`."))
    .attribute(computed("authorization_url",
        "AWS console page where a person completes the connection handshake."))
    .attribute(computed("project_arn", "ARN of the CodeBuild project."))
    .attribute(computed("webhook_url", "URL of the webhook on the GitLab side."))
    .attribute(computed("webhook_payload_url", "CodeBuild endpoint GitLab delivers job events to."))
    .attribute(computed("webhook_secret",
        "Webhook secret; AWS returns it only when the webhook is created, and only for \
         manually registered webhooks.").sensitive())
    .attribute(computed("runner_tag",
        "The tag to put under `tags:` in `.gitlab-ci.yml` so a job runs on this runner."))
    .block(
        NestedBlock::single("vpc_configuration", Block::new(
            "Reach a GitLab instance inside a VPC through the host's VPC attachment.")
            .attribute(Attribute::required("vpc_id", Type::String, "VPC id.")
                .validate(|v, p, d| validate::aws_id(v, p, d, "vpc-")))
            .attribute(Attribute::required("subnet_ids", Type::list(Type::String),
                "Subnets (1 to 10)."))
            .attribute(Attribute::required("security_group_ids", Type::list(Type::String),
                "Security groups (1 to 10)."))
            .attribute(Attribute::optional("tls_certificate", Type::String,
                "PEM certificate of the GitLab instance, when it is not publicly trusted.")
                .validate(validate::length_between(1, 16384))))
        .force_new(),
    )
    .block(NestedBlock::single("environment", Block::new("The build environment of runner jobs.")
        .attribute(Attribute::optional("compute_type", Type::String,
            "Compute type; jobs may override it with the `instance-size:` label.")
            .default(Value::string(DEFAULT_COMPUTE_TYPE))
            .validate(|v, p, d| validate::one_of(v, p, d, COMPUTE_TYPES, "compute type")))
        .attribute(Attribute::optional("image", Type::String,
            "Image; jobs may override it with the `image:` label.")
            .default(Value::string(DEFAULT_IMAGE)))
        .attribute(Attribute::optional("type", Type::String, "Environment type.")
            .default(Value::string(DEFAULT_ENVIRONMENT_TYPE))
            .validate(|v, p, d| validate::one_of(v, p, d, ENVIRONMENT_TYPES,
                "environment type")))))
    .block(timeouts_block(&["create", "update", "delete"],
        "Defaults: create 30m (most of it waiting for the connection handshake), update 30m, \
         delete 10m."))
}

fn computed(name: &str, description: &str) -> Attribute {
    Attribute::computed(name, Type::String, description)
}
