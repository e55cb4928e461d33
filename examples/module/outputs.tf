output "runner_tag" {
  description = "The `tags:` entry for jobs of the main runner's repository."
  value       = gitlab_codebuild_runner.main.runner_tag
}

output "runner_tags" {
  description = "Project name => `tags:` entry, for every runner of the module."
  value = merge(
    { (gitlab_codebuild_runner.main.name) = gitlab_codebuild_runner.main.runner_tag },
    { for name, runner in gitlab_codebuild_runner.additional : name => runner.runner_tag },
  )
}

output "connection_arn" {
  description = "The connection every runner of the module uses."
  value       = gitlab_codebuild_runner.main.connection_arn
}

output "connection_status" {
  description = "`AVAILABLE` once the handshake is done."
  value       = gitlab_codebuild_runner.main.connection_status
}

output "authorization_url" {
  description = "Where a person completes the connection handshake."
  value       = gitlab_codebuild_runner.main.authorization_url
}

output "host_arn" {
  description = "The CodeConnections host (null when `connection_arn` was given)."
  value       = gitlab_codebuild_runner.main.host_arn
}

output "project_arns" {
  description = "Project name => CodeBuild project ARN."
  value = merge(
    { (gitlab_codebuild_runner.main.name) = gitlab_codebuild_runner.main.project_arn },
    { for name, runner in gitlab_codebuild_runner.additional : name => runner.project_arn },
  )
}
