//! Read: refresh every piece. A piece deleted outside Terraform is left out of state (its
//! attributes become null), so the next plan shows an in-place update that recreates it. When
//! nothing is left, the runner is gone.

use crate::aws::{codebuild, connections, Clients};
use crate::framework::{CallContext, Diagnostics};
use crate::runner::errors::{aws_failure, Piece};
use crate::runner::model::{Computed, RunnerConfig};
use crate::runner::settings;
use crate::value::Value;

/// Refreshes `state`; `None` when every piece is gone.
pub async fn read(
    clients: &Clients,
    ctx: &CallContext,
    state: &Value,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let mut c = Computed::from_value(state);
    let runner = RunnerConfig::from_value(state);
    let cancel = &ctx.cancel;

    if let Some(arn) = c.host_arn.clone() {
        match connections::find_host(clients, cancel, &arn).await {
            Ok(Some(host)) => c.host_status = Some(host.status),
            Ok(None) => {
                c.host_arn = None;
                c.host_status = None;
            }
            Err(e) => {
                aws_failure(diags, Piece::Host, "Reading", &format!("Host {arn}."), &e);
                return None;
            }
        }
    }

    if let Some(arn) = c.connection_arn.clone() {
        match connections::find_connection(clients, cancel, &arn).await {
            Ok(Some(connection)) => c.connection_status = Some(connection.status),
            Ok(None) => c.clear_connection(),
            Err(e) => {
                aws_failure(
                    diags,
                    Piece::Connection,
                    "Reading",
                    &format!("Connection {arn}."),
                    &e,
                );
                return None;
            }
        }
    }

    let mut refreshed = state.clone();
    let found = codebuild::find_project(clients, cancel, &runner.name).await;
    // A project of the runner's name that the state does not record is this runner's only
    // when it uses the runner's connection (an earlier create made it); anyone else's is
    // not adopted, so nothing updates or deletes it.
    let found = found.map(|project| {
        project.filter(|p| {
            c.project_arn.is_some()
                || c.connection_arn.as_deref() == Some(p.spec.connection_arn.as_str())
        })
    });
    match found {
        Ok(Some(project)) => {
            c.project_arn = Some(project.arn.clone());
            let source = Some(project.spec.connection_arn.clone()).filter(|a| !a.is_empty());
            c.source_connection_arn = source.clone();
            refresh_settings(&mut refreshed, &runner, &project, source.as_deref());
            match project.webhook {
                Some(hook) => {
                    c.webhook_url = hook.url;
                    c.webhook_payload_url = hook.payload_url;
                    // The secret is never returned again; keep the one saved at creation.
                }
                None => c.clear_webhook(),
            }
        }
        Ok(None) => {
            c.project_arn = None;
            c.source_connection_arn = None;
            c.clear_webhook();
        }
        Err(e) => {
            let context = format!("Project \"{}\".", runner.name);
            aws_failure(diags, Piece::Project, "Reading", &context, &e);
            return None;
        }
    }

    let nothing_left = c.host_arn.is_none()
        && c.project_arn.is_none()
        && (c.connection_arn.is_none() || !runner_manages(state));
    if nothing_left {
        return None;
    }
    Some(c.into_state(&refreshed, &runner))
}

/// Writes project and webhook settings changed outside Terraform into the state, compared by
/// meaning: AWS's defaults and additions are not changes.
fn refresh_settings(
    state: &mut Value,
    runner: &RunnerConfig,
    project: &codebuild::ProjectInfo,
    source: Option<&str>,
) {
    let Value::Object(attrs) = state else { return };
    let prior = runner.project_spec(source.unwrap_or_default());
    let remote = settings::normalise_project(project.spec.clone(), &prior);
    settings::write_project(attrs, &remote, &prior);
    if remote.tags != prior.tags {
        let tags = remote
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), Value::string(v)))
            .collect();
        attrs.insert("tags_all".into(), Value::Map(tags));
    }
    if let Some(hook) = &project.webhook {
        // Whether the hook is registered by hand is fixed at creation; AWS may not echo it.
        let remote = codebuild::WebhookSpec {
            manual_creation: runner.webhook.manual_creation,
            ..hook.spec.clone()
        };
        settings::write_webhook(attrs, &remote, &runner.webhook);
    }
}

/// True when the state's connection was created by this resource (not a shared one).
fn runner_manages(state: &Value) -> bool {
    !state.attr("host_arn").is_null()
}
