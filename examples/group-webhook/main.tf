# One runner for every project of a GitLab group: the webhook is registered on the group, not
# on a repository, so `source_location` stays unset (AWS then uses its default-location
# placeholder). A REPOSITORY_NAME filter limits which of the group's projects start builds.
# The connection must be authorized by a GitLab user allowed to create group hooks.

terraform {
  required_providers {
    gitlab-codebuild = { source = "example/gitlab-codebuild" }
  }
}

variable "service_role_arn" {
  type    = string
  default = "arn:aws:iam::123456789012:role/codebuild-gitlab-runner"
}

provider "gitlab-codebuild" {
  region = "ap-northeast-1"
}

resource "gitlab_codebuild_runner" "platform_group" {
  provider         = gitlab-codebuild
  name             = "platform-group-runner"
  gitlab_url       = "https://gitlab.example.com"
  service_role_arn = var.service_role_arn

  webhook {
    scope {
      name   = "platform"
      domain = "gitlab.example.com"
    }

    filter_group {
      filter {
        type    = "EVENT"
        pattern = "WORKFLOW_JOB_QUEUED"
      }
      filter {
        type    = "REPOSITORY_NAME"
        pattern = "^(app|docs|infra)$"
      }
    }
  }
}

output "gitlab_ci_tag" {
  description = "The same tag works in every project of the group."
  value       = gitlab_codebuild_runner.platform_group.runner_tag
}
