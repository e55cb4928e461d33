# The provider block. Credentials come from the standard AWS chain (environment, shared
# config and credentials files, SSO, container or instance roles).

terraform {
  required_providers {
    gitlab-codebuild = {
      source  = "example/gitlab-codebuild"
      version = ">= 0.1.0"
    }
  }
}

provider "gitlab-codebuild" {
  region      = "ap-northeast-1"
  max_retries = 4

  # Only needed for private VPC endpoints or a local emulator.
  # endpoints {
  #   codebuild       = "https://vpce-0123-abcd.codebuild.ap-northeast-1.vpce.amazonaws.com"
  #   codeconnections = "https://vpce-0456-efgh.codeconnections.ap-northeast-1.vpce.amazonaws.com"
  # }
}
