# One runner that owns the CodeConnections host and connection (unless `connection_arn` is
# given), plus any number of runners for other repositories on the same connection: one
# handshake for all of them.

locals {
  environment = {
    compute_type = var.compute_type
    image        = var.image
  }
}

resource "gitlab_codebuild_runner" "main" {
  provider         = gitlab-codebuild
  name             = var.name
  gitlab_url       = var.gitlab_url
  source_location  = var.source_location
  service_role_arn = var.service_role_arn
  connection_arn   = var.connection_arn
  tags             = var.tags

  dynamic "vpc_configuration" {
    for_each = var.vpc == null ? [] : [var.vpc]
    content {
      vpc_id             = vpc_configuration.value.vpc_id
      subnet_ids         = vpc_configuration.value.subnet_ids
      security_group_ids = vpc_configuration.value.security_group_ids
      tls_certificate    = vpc_configuration.value.tls_certificate
    }
  }

  environment {
    compute_type = local.environment.compute_type
    image        = local.environment.image
  }

  timeouts {
    create = var.create_timeout
  }
}

resource "gitlab_codebuild_runner" "additional" {
  for_each = var.additional_projects

  provider         = gitlab-codebuild
  name             = each.key
  gitlab_url       = var.gitlab_url
  source_location  = each.value
  service_role_arn = var.service_role_arn
  connection_arn   = gitlab_codebuild_runner.main.connection_arn
  tags             = var.tags

  environment {
    compute_type = local.environment.compute_type
    image        = local.environment.image
  }
}
