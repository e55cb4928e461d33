terraform {
  required_version = ">= 1.0"

  required_providers {
    gitlab-codebuild = {
      source  = "example/gitlab-codebuild"
      version = ">= 0.1.0"
    }
  }
}
