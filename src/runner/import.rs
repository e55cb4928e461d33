//! Import by project name: the connection is found from the project's source auth, and the
//! host from the connection. The webhook secret cannot be read back and stays null.

use crate::aws::{codebuild, connections, Clients};
use crate::framework::{CallContext, Diagnostics};
use crate::runner::errors::{aws_failure, Piece};
use crate::runner::model::RunnerConfig;
use crate::runner::settings;
use crate::value::Value;

/// Builds the state of an existing runner from AWS; `read` completes it afterwards.
pub async fn import(
    clients: &Clients,
    ctx: &CallContext,
    name: &str,
    diags: &mut Diagnostics,
) -> Option<Value> {
    if name.trim().is_empty() {
        diags.error(
            "Import ID Is Empty",
            "Import takes the name of the runner's CodeBuild project as its id, for example \
             `terraform import gitlab_codebuild_runner.r my-runner`.",
        );
        return None;
    }

    let cancel = &ctx.cancel;
    let project = match codebuild::find_project(clients, cancel, name).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            diags.error(
                "Cannot Import A Runner That Does Not Exist",
                format!(
                    "No CodeBuild project named \"{name}\" exists in region {}. Import takes the \
                     project name as its id.",
                    clients.region
                ),
            );
            return None;
        }
        Err(e) => {
            aws_failure(
                diags,
                Piece::Project,
                "Importing",
                &format!("Project \"{name}\"."),
                &e,
            );
            return None;
        }
    };

    // Only a GitLab Self-Managed project that authenticates through a connection is a runner;
    // importing anything else would let the next apply replace (delete) someone's project.
    if project.source_type != "GITLAB_SELF_MANAGED" || project.spec.connection_arn.is_empty() {
        diags.error(
            "Project Is Not A GitLab Runner",
            format!(
                "The CodeBuild project \"{name}\" has source type {} {}, so it is not a \
                 CodeBuild-hosted GitLab runner and cannot be imported as \
                 gitlab_codebuild_runner. Import a project whose source is GITLAB_SELF_MANAGED \
                 with a CODECONNECTIONS connection.",
                if project.source_type.is_empty() {
                    "(none)"
                } else {
                    &project.source_type
                },
                if project.spec.connection_arn.is_empty() {
                    "and no connection"
                } else {
                    "with a connection"
                },
            ),
        );
        return None;
    }

    let mut state = vec![
        ("name", Value::string(name)),
        ("project_arn", Value::string(&project.arn)),
        ("git_clone_depth", Value::number_i64(1)),
        ("wait_for_connection", Value::Bool(true)),
    ];
    let tags = project
        .spec
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), Value::string(v)))
        .collect();
    if !project.spec.tags.is_empty() {
        state.push(("tags", Value::Map(tags)));
    }
    state.push((
        "service_role_arn",
        Value::string(&project.spec.service_role_arn),
    ));
    let state = settings_of(Value::object(state), &project);

    let Some(connection_arn) =
        Some(project.spec.connection_arn.clone()).filter(|arn| !arn.is_empty())
    else {
        return Some(state);
    };
    let Value::Object(fields) = state else {
        return None;
    };
    let mut state: Vec<(String, Value)> = fields.into_iter().collect();
    let mut push = |k: &str, v: Value| state.push((k.to_string(), v));
    push("connection_arn", Value::string(&connection_arn));
    let connection = match connections::find_connection(clients, cancel, &connection_arn).await {
        Ok(c) => c,
        Err(e) => {
            let context = format!("Connection {connection_arn} of project \"{name}\".");
            aws_failure(diags, Piece::Connection, "Importing", &context, &e);
            return None;
        }
    };
    let Some(host_arn) = connection.as_ref().and_then(|c| c.host_arn.clone()) else {
        return Some(Value::object(state));
    };
    if let Some(c) = &connection {
        push("connection_name", Value::string(&c.name));
    }
    match connections::find_host(clients, cancel, &host_arn).await {
        Ok(Some(host)) => {
            push("host_arn", Value::string(&host_arn));
            push("host_name", Value::string(&host.name));
            push("gitlab_url", Value::string(&host.endpoint));
            if let Some(vpc) = host.vpc {
                let list = |v: Vec<String>| Value::List(v.into_iter().map(Value::string).collect());
                push(
                    "vpc_configuration",
                    Value::object([
                        ("vpc_id", Value::string(vpc.vpc_id)),
                        ("subnet_ids", list(vpc.subnet_ids)),
                        ("security_group_ids", list(vpc.security_group_ids)),
                        (
                            "tls_certificate",
                            vpc.tls_certificate
                                .map(Value::string)
                                .unwrap_or(Value::Null),
                        ),
                    ]),
                );
            }
        }
        Ok(None) => {}
        Err(e) => {
            aws_failure(
                diags,
                Piece::Host,
                "Importing",
                &format!("Host {host_arn}."),
                &e,
            );
            return None;
        }
    }
    Some(Value::object(state))
}

/// The project's and webhook's settings written over a minimal state, where they differ from
/// what an empty configuration would mean.
fn settings_of(mut state: Value, project: &codebuild::ProjectInfo) -> Value {
    let base = RunnerConfig::from_value(&state);
    let prior = base.project_spec(&project.spec.connection_arn);
    let remote = settings::normalise_project(project.spec.clone(), &prior);
    if let Value::Object(attrs) = &mut state {
        let mut blank = prior.clone();
        // Written even when equal to nothing-set: these are required or always shown.
        blank.source_location = String::new();
        settings::write_project(attrs, &remote, &blank);
        if let Some(hook) = &project.webhook {
            settings::write_webhook(attrs, &hook.spec, &base.webhook);
        }
    }
    state
}
