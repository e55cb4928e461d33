# Calls the module in ../.. the way a consuming configuration would: the provider is
# configured here, the module only declares that it needs it.

terraform {
  required_providers {
    gitlab-codebuild = { source = "example/gitlab-codebuild" }
  }
}

variable "region" {
  type    = string
  default = "ap-northeast-1"
}

variable "aws_endpoint" {
  type        = string
  description = "Endpoint override for both services (a VPC endpoint, or the local emulator)."
  default     = null
}

provider "gitlab-codebuild" {
  region = var.region
  endpoints {
    codebuild       = var.aws_endpoint
    codeconnections = var.aws_endpoint
  }
}

module "gitlab_runners" {
  source = "../.."

  name             = "platform-app"
  gitlab_url       = "https://gitlab.example.com"
  source_location  = "https://gitlab.example.com/platform/app"
  service_role_arn = "arn:aws:iam::123456789012:role/codebuild-gitlab-runner"

  additional_projects = {
    "platform-docs" = "https://gitlab.example.com/platform/docs"
  }

  tags = {
    team = "platform"
  }
}

output "runner_tags" {
  value = module.gitlab_runners.runner_tags
}

output "authorization_url" {
  value = module.gitlab_runners.authorization_url
}
