//! Import by project name: the connection is found from the project's source auth, and the
//! host from the connection. The webhook secret cannot be read back and stays null.

use crate::aws::{codebuild, connections, Clients};
use crate::framework::{CallContext, Diagnostics};
use crate::runner::errors::{aws_failure, Piece};
use crate::value::Value;

/// Builds the state of an existing runner from AWS; `read` completes it afterwards.
pub async fn import(
    clients: &Clients,
    ctx: &CallContext,
    name: &str,
    diags: &mut Diagnostics,
) -> Option<Value> {
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
            aws_failure(diags, Piece::Project, "Importing", &format!("Project \"{name}\"."), &e);
            return None;
        }
    };

    let mut state = vec![
        ("name", Value::string(name)),
        ("project_arn", Value::string(&project.arn)),
        ("git_clone_depth", Value::number_i64(1)),
    ];
    let optional = [
        ("description", &project.description),
        ("source_location", &project.source_location),
        ("service_role_arn", &project.service_role_arn),
    ];
    for (key, value) in optional {
        state.push((key, value.as_ref().map(Value::string).unwrap_or(Value::Null)));
    }
    if let Some(env) = &project.environment {
        state.push(("environment", Value::object([
            ("type", Value::string(&env.environment_type)),
            ("image", Value::string(&env.image)),
            ("compute_type", Value::string(&env.compute_type)),
        ])));
    }

    let Some(connection_arn) = project.connection_arn.clone() else {
        return Some(Value::object(state));
    };
    state.push(("connection_arn", Value::string(&connection_arn)));
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
        state.push(("connection_name", Value::string(&c.name)));
    }
    match connections::find_host(clients, cancel, &host_arn).await {
        Ok(Some(host)) => {
            state.push(("host_arn", Value::string(&host_arn)));
            state.push(("host_name", Value::string(&host.name)));
            state.push(("gitlab_url", Value::string(&host.endpoint)));
            if let Some(vpc) = host.vpc {
                let list = |v: Vec<String>| Value::List(v.into_iter().map(Value::string).collect());
                state.push(("vpc_configuration", Value::object([
                    ("vpc_id", Value::string(vpc.vpc_id)),
                    ("subnet_ids", list(vpc.subnet_ids)),
                    ("security_group_ids", list(vpc.security_group_ids)),
                    ("tls_certificate", vpc.tls_certificate.map(Value::string).unwrap_or(Value::Null)),
                ])));
            }
        }
        Ok(None) => {}
        Err(e) => {
            aws_failure(diags, Piece::Host, "Importing", &format!("Host {host_arn}."), &e);
            return None;
        }
    }
    Some(Value::object(state))
}
