//! The job tag GitLab CI uses to send a job to this runner. GitLab expands the three
//! predefined variables per job, so each job gets an ephemeral runner of its own.

/// The tag for `.gitlab-ci.yml`:
/// `codebuild-<project>-$CI_PROJECT_ID-$CI_PIPELINE_IID-$CI_JOB_NAME`.
pub fn runner_tag(project_name: &str) -> String {
    format!("codebuild-{project_name}-$CI_PROJECT_ID-$CI_PIPELINE_IID-$CI_JOB_NAME")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_names_the_project_and_the_ci_variables() {
        assert_eq!(
            runner_tag("gitlab-runner"),
            "codebuild-gitlab-runner-$CI_PROJECT_ID-$CI_PIPELINE_IID-$CI_JOB_NAME"
        );
    }
}
