# Two runners on one GitLab instance that share one connection, so only one handshake is
# needed. AWS allows one CodeConnections host per GitLab URL, so a second runner that made its
# own host would fail; it names the first runner's connection in `connection_arn` instead.
#
# This example maps the local provider name `gitlab` to this provider: resources whose type
# starts with `gitlab_` then use it without a `provider` argument. Do not do this when the
# configuration also uses the GitLab provider (gitlabhq/gitlab) under the name `gitlab`.

terraform {
  required_providers {
    gitlab = { source = "example/gitlab-codebuild" }
  }
}

variable "gitlab_url" {
  type    = string
  default = "https://gitlab.example.com"
}

variable "service_role_arn" {
  type    = string
  default = "arn:aws:iam::123456789012:role/codebuild-gitlab-runner"
}

provider "gitlab" {
  region = "ap-northeast-1"
}

# Owns the host and the connection: destroying it removes them, so destroy the runners that
# share its connection first (Terraform does, because of the reference below).
resource "gitlab_codebuild_runner" "app" {
  name             = "app-runner"
  gitlab_url       = var.gitlab_url
  source_location  = "${var.gitlab_url}/platform/app"
  service_role_arn = var.service_role_arn
}

# Uses the connection above: no host, no connection, no second handshake.
resource "gitlab_codebuild_runner" "docs" {
  name             = "docs-runner"
  gitlab_url       = var.gitlab_url
  source_location  = "${var.gitlab_url}/platform/docs"
  service_role_arn = var.service_role_arn
  connection_arn   = gitlab_codebuild_runner.app.connection_arn

  environment {
    compute_type = "BUILD_GENERAL1_MEDIUM"
  }
}

output "gitlab_ci_tags" {
  value = {
    app  = gitlab_codebuild_runner.app.runner_tag
    docs = gitlab_codebuild_runner.docs.runner_tag
  }
}
