# A runner for a GitLab instance that is only reachable inside a VPC: the CodeConnections host
# gets a VPC attachment (AWS creates network interfaces in the subnets, which takes a few
# minutes before the host turns PENDING), and the TLS certificate when the instance uses a
# private certificate authority.

terraform {
  required_providers {
    gitlab-codebuild = { source = "example/gitlab-codebuild" }
  }
}

variable "vpc_id" {
  type    = string
  default = "vpc-0123456789abcdef0"
}

variable "subnet_ids" {
  type    = list(string)
  default = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
}

variable "security_group_ids" {
  type        = list(string)
  description = "Must allow HTTPS from the host's network interfaces to the GitLab instance."
  default     = ["sg-0123456789abcdef0"]
}

variable "gitlab_ca_certificate" {
  type        = string
  description = "PEM certificate of the GitLab instance, when it is not publicly trusted."
  default     = null
}

variable "service_role_arn" {
  type    = string
  default = "arn:aws:iam::123456789012:role/codebuild-gitlab-runner"
}

provider "gitlab-codebuild" {
  region = "ap-northeast-1"
}

resource "gitlab_codebuild_runner" "internal" {
  provider         = gitlab-codebuild
  name             = "internal-gitlab-runner"
  gitlab_url       = "https://gitlab.internal.example.com"
  source_location  = "https://gitlab.internal.example.com/platform/app"
  service_role_arn = var.service_role_arn

  vpc_configuration {
    vpc_id             = var.vpc_id
    subnet_ids         = var.subnet_ids
    security_group_ids = var.security_group_ids
    tls_certificate    = var.gitlab_ca_certificate
  }

  timeouts {
    create = "45m"
  }
}

output "gitlab_ci_tag" {
  value = gitlab_codebuild_runner.internal.runner_tag
}

output "host_status" {
  value = gitlab_codebuild_runner.internal.host_status
}
