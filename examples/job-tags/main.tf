# The `tags:` list for jobs that override the runner's settings, computed and checked at plan
# time instead of hand-written in .gitlab-ci.yml.

terraform {
  required_providers {
    gitlab-codebuild = { source = "example/gitlab-codebuild" }
  }
}

provider "gitlab-codebuild" {
  region = "ap-northeast-1"
}

data "gitlab_codebuild_runner_tags" "large_on_fleet" {
  provider           = gitlab-codebuild
  project_name       = "gitlab-runner"
  instance_size      = "large"
  fleet              = "integration-fleet"
  buildspec_override = true
}

output "integration_job_tags" {
  description = "Paste under `tags:` of the job, or render into .gitlab-ci.yml."
  value       = data.gitlab_codebuild_runner_tags.large_on_fleet.tags
}
