//! The data source `gitlab_codebuild_runner_tags`: the job tags for `.gitlab-ci.yml` that send
//! a job to a CodeBuild runner project, with optional per-job overrides as CodeBuild labels
//! (`image:`, `instance-size:`, `fleet:`, `buildspec-override:`). Pure computation, no AWS
//! call.

pub mod labels;

use async_trait::async_trait;

use crate::framework::{Attribute, Block, CallContext, DataSource, Diagnostics, Schema};
use crate::runner::tag::runner_tag;
use crate::runner::validate;
use crate::value::{AttributePath, Type, Value};

/// Instance sizes CodeBuild documents for the `instance-size:` label.
const INSTANCE_SIZES: &[&str] = &[
    "small",
    "medium",
    "large",
    "xlarge",
    "2xlarge",
    "gpu_small",
    "gpu_large",
];

/// The data source type.
pub struct RunnerTags;

#[async_trait]
impl DataSource for RunnerTags {
    fn type_name(&self) -> &'static str {
        "gitlab_codebuild_runner_tags"
    }

    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "The `tags:` list for a `.gitlab-ci.yml` job that runs on a CodeBuild runner \
                 project, with optional label overrides validated against the label grammar \
                 AWS documents.",
            )
            .attribute(
                Attribute::required(
                    "project_name",
                    Type::String,
                    "Name of the runner's CodeBuild project (`gitlab_codebuild_runner.<n>.name`).",
                )
                .validate(validate::project_name),
            )
            .attribute(
                Attribute::optional(
                    "image",
                    Type::String,
                    "Image override, the value after `image:` as AWS documents it: \
                     `<environment-type>-<image-identifier>` for a curated image (`linux-5.0`, \
                     `arm-3.0`, `linux-ec2-latest`), or `custom-<environment-type>-<image-uri>` \
                     for any other image \
                     (`custom-linux-public.ecr.aws/docker/library/node:20`).",
                )
                .validate(labels::image_attribute),
            )
            .attribute(
                Attribute::optional(
                    "instance_size",
                    Type::String,
                    "Compute override: `small`, `medium`, `large`, `xlarge`, `2xlarge`, \
                     `gpu_small` or `gpu_large`.",
                )
                .validate(|v, p, d| validate::one_of(v, p, d, INSTANCE_SIZES, "instance size")),
            )
            .attribute(
                Attribute::optional(
                    "fleet",
                    Type::String,
                    "Reserved-capacity fleet name to run the job on.",
                )
                .validate(label_value),
            )
            .attribute(Attribute::optional(
                "buildspec_override",
                Type::Bool,
                "Also run the project's buildspec commands in the install, pre_build and \
                 post_build phases around the job (by default CodeBuild ignores them for runner \
                 jobs).",
            ))
            .attribute(Attribute::computed(
                "tags",
                Type::list(Type::String),
                "The job tags, first the runner tag, then one tag per override.",
            ))
            .attribute(Attribute::computed("id", Type::String, "The runner tag.")),
        }
    }

    async fn read(&self, _ctx: &CallContext, config: &Value, _diags: &mut Diagnostics) -> Value {
        let name = config.attr("project_name").as_str().unwrap_or_default();
        let tags = job_tags(name, config);
        let mut out = match config {
            Value::Object(attrs) => attrs.clone(),
            _ => Default::default(),
        };
        out.insert("id".into(), Value::string(runner_tag(name)));
        out.insert(
            "tags".into(),
            Value::List(tags.into_iter().map(Value::string).collect()),
        );
        Value::Object(out)
    }
}

/// The runner tag followed by one label per override, in CodeBuild's `key:value` form.
pub fn job_tags(project: &str, config: &Value) -> Vec<String> {
    let mut tags = vec![runner_tag(project)];
    let labels = [
        ("image", "image"),
        ("instance_size", "instance-size"),
        ("fleet", "fleet"),
    ];
    for (attr, label) in labels {
        if let Some(value) = config.attr(attr).as_str() {
            tags.push(format!("{label}:{value}"));
        }
    }
    if config.attr("buildspec_override").as_bool() == Some(true) {
        tags.push("buildspec-override:true".into());
    }
    tags
}

/// A label value: GitLab splits tags on commas, and a label ends at white space.
fn label_value(value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    let Some(text) = value.as_str() else { return };
    if text.is_empty() || text.contains(',') || text.chars().any(char::is_whitespace) {
        diags.attribute_error(
            path.clone(),
            "Invalid Runner Label Value",
            format!(
                "\"{text}\" cannot be a CodeBuild runner label value: it must be non-empty and \
                 contain no commas or white space."
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_follow_the_runner_tag() {
        let config = Value::object([
            ("instance_size", Value::string("large")),
            ("buildspec_override", Value::Bool(true)),
        ]);
        assert_eq!(
            job_tags("p", &config),
            vec![
                "codebuild-p-$CI_PROJECT_ID-$CI_PIPELINE_IID-$CI_JOB_NAME".to_string(),
                "instance-size:large".to_string(),
                "buildspec-override:true".to_string(),
            ]
        );
    }

    #[test]
    fn label_values_without_separators() {
        let mut d = Diagnostics::default();
        label_value(
            &Value::string("a,b"),
            &AttributePath::root().attr("image"),
            &mut d,
        );
        assert!(d.has_errors());
    }

    #[test]
    fn image_override_is_one_image_label() {
        let config = Value::object([("image", Value::string("custom-arm-public.ecr.aws/x:1"))]);
        assert_eq!(
            job_tags("p", &config)[1],
            "image:custom-arm-public.ecr.aws/x:1"
        );
    }
}
