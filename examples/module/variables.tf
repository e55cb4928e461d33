variable "name" {
  type        = string
  description = "CodeBuild project name of the main runner; also the base of the host and connection names."
}

variable "gitlab_url" {
  type        = string
  description = "Base URL of the GitLab Self-Managed instance."
}

variable "source_location" {
  type        = string
  description = "Repository URL the main runner serves."
}

variable "service_role_arn" {
  type        = string
  description = "IAM role CodeBuild assumes (see the resource documentation for its policy)."
}

variable "additional_projects" {
  type        = map(string)
  description = "More runners on the same connection: CodeBuild project name => repository URL."
  default     = {}
}

variable "connection_arn" {
  type        = string
  description = "An existing, authorized connection to use; null creates a host and a connection."
  default     = null
}

variable "compute_type" {
  type        = string
  description = "Default compute type of every runner; jobs override it with `instance-size:`."
  default     = "BUILD_GENERAL1_SMALL"
}

variable "image" {
  type        = string
  description = "Default build image of every runner; jobs override it with `image:`."
  default     = "aws/codebuild/amazonlinux-x86_64-standard:5.0"
}

variable "vpc" {
  type = object({
    vpc_id             = string
    subnet_ids         = list(string)
    security_group_ids = list(string)
    tls_certificate    = string
  })
  description = "VPC attachment of the host for a GitLab reachable only inside a VPC (tls_certificate may be null)."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Tags for every host, connection and project the module creates."
  default     = {}
}

variable "create_timeout" {
  type        = string
  description = "How long an apply waits for the connection handshake and the rest of the creation."
  default     = "30m"
}
