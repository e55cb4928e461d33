//! Contract test: the Rust SDKs the provider uses run the scenario that boto3 and the aws CLI
//! run in `acceptance-tests/emulator_tests/test_contract.py`, against the AWS emulator, and
//! must get the same results: the shared `contract_expected.json` holds the normalized
//! answers and the emulator's call log (operation, HTTP status, error code).
//!
//! CodeConnections goes over Smithy RPC v2 CBOR here (JSON for the Python clients), so this
//! also proves that both wire protocols give one behaviour. The emulator is started exactly
//! as users start it: `.venv/bin/python -m emulator` from `acceptance-tests/`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use aws_sdk_codebuild::error::ProvideErrorMetadata;
use aws_sdk_codebuild::types as cb;
use aws_sdk_codeconnections::types as cc;
use aws_smithy_types::retry::RetryConfig;
use serde_json::{json, Value};

const REGION: &str = "us-east-1";
const GITLAB: &str = "https://gitlab.example.com";
const ROLE: &str = "arn:aws:iam::123456789012:role/codebuild-runner";

/// The emulator subprocess; killed when the test ends, however it ends.
struct Emulator {
    child: Child,
    url: String,
}

impl Emulator {
    fn start(root: &Path) -> Emulator {
        let python = root.join(".venv/bin/python");
        assert!(
            python.exists(),
            "{} is missing: run `make tools` first (it creates the Python environment the \
             AWS emulator runs in)",
            python.display()
        );
        let mut child = Command::new(&python)
            .args(["-m", "emulator"])
            .current_dir(root.join("acceptance-tests"))
            .env("EMULATOR_PORT", "0")
            .env_remove("EMULATOR_AUTHORIZE_AFTER")
            .env_remove("EMULATOR_HOST_SETUP_DELAY")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the emulator");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("emulator stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the emulator URL");
        let url = line.trim().to_string();
        let emulator = Emulator { child, url };
        assert!(
            emulator.url.starts_with("http://127.0.0.1:"),
            "first line: {line:?}"
        );
        emulator
    }

    /// One control-API request (plain HTTP/1.1, loopback only); the decoded JSON answer.
    fn control(&self, method: &str, path: &str, body: &str) -> Value {
        let address = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).expect("connect to the emulator");
        let request = format!(
            "{method} /_emulator/{path} HTTP/1.1\r\nHost: {address}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n\
             {body}",
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .expect("send control request");
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .expect("read control answer");
        let (head, payload) = answer.split_once("\r\n\r\n").expect("HTTP answer");
        assert!(head.starts_with("HTTP/1.1 200"), "control {path}: {head}");
        serde_json::from_str(payload).expect("control answer is JSON")
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn clients(url: &str) -> (aws_sdk_codebuild::Client, aws_sdk_codeconnections::Client) {
    // Fake static credentials and an explicit endpoint: nothing is read from the machine's
    // AWS configuration and nothing leaves loopback. One attempt, so every answer is seen.
    let creds =
        aws_sdk_codebuild::config::Credentials::new("AKIDEXAMPLE", "fake", None, None, "test");
    let codebuild = aws_sdk_codebuild::Config::builder()
        .behavior_version(aws_sdk_codebuild::config::BehaviorVersion::latest())
        .region(aws_sdk_codebuild::config::Region::new(REGION))
        .credentials_provider(creds.clone())
        .endpoint_url(url)
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .build();
    let connections = aws_sdk_codeconnections::Config::builder()
        .behavior_version(aws_sdk_codeconnections::config::BehaviorVersion::latest())
        .region(aws_sdk_codeconnections::config::Region::new(REGION))
        .credentials_provider(creds)
        .endpoint_url(url)
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .build();
    (
        aws_sdk_codebuild::Client::from_conf(codebuild),
        aws_sdk_codeconnections::Client::from_conf(connections),
    )
}

/// Replaces generated ids with the tokens the expected file uses.
#[derive(Default)]
struct Ids(Vec<(String, &'static str)>);

impl Ids {
    fn norm(&self, text: &str) -> String {
        self.0
            .iter()
            .fold(text.to_string(), |acc, (id, token)| acc.replace(id, token))
    }
}

/// An ARN with its generated part replaced by the kind of id it is (as `arn_form` in Python).
fn arn_form(arn: &str) -> String {
    let (head, tail) = arn.rsplit_once('/').unwrap_or(("", arn));
    let hex = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    };
    let groups: Vec<&str> = tail.split('-').collect();
    let uuid_lengths = [8, 4, 4, 4, 12];
    if groups.len() == 5
        && groups
            .iter()
            .zip(uuid_lengths)
            .all(|(g, n)| g.len() == n && hex(g))
    {
        return format!("{head}/<uuid>");
    }
    if let Some((name, suffix)) = tail.rsplit_once('-') {
        if suffix.len() == 8 && hex(suffix) {
            return format!("{head}/{name}-<hex8>");
        }
    }
    arn.to_string()
}

fn error_record<E: ProvideErrorMetadata>(step: &str, error: &E, ids: &Ids) -> Value {
    json!({
        "step": step,
        "error": error.code().unwrap_or_default(),
        "message": ids.norm(error.message().unwrap_or_default()),
    })
}

fn project_source(connection: &str) -> cb::ProjectSource {
    cb::ProjectSource::builder()
        .r#type(cb::SourceType::GitlabSelfManaged)
        .location(format!("{GITLAB}/group/app.git"))
        .auth(
            cb::SourceAuth::builder()
                .r#type(cb::SourceAuthType::Codeconnections)
                .resource(connection)
                .build()
                .expect("source auth"),
        )
        .build()
        .expect("project source")
}

fn create_project(
    client: &aws_sdk_codebuild::Client,
    name: &str,
    connection: &str,
) -> aws_sdk_codebuild::operation::create_project::builders::CreateProjectFluentBuilder {
    client
        .create_project()
        .name(name)
        .source(project_source(connection))
        .artifacts(
            cb::ProjectArtifacts::builder()
                .r#type(cb::ArtifactsType::NoArtifacts)
                .build()
                .expect("artifacts"),
        )
        .environment(
            cb::ProjectEnvironment::builder()
                .r#type(cb::EnvironmentType::LinuxContainer)
                .image("aws/codebuild/amazonlinux-x86_64-standard:5.0")
                .compute_type(cb::ComputeType::BuildGeneral1Small)
                .build()
                .expect("environment"),
        )
        .service_role(ROLE)
}

async fn connection_record(
    client: &aws_sdk_codeconnections::Client,
    step: &str,
    arn: &str,
    ids: &Ids,
) -> Value {
    let got = client
        .get_connection()
        .connection_arn(arn)
        .send()
        .await
        .expect("GetConnection");
    let conn = got.connection().expect("Connection member");
    json!({
        "step": step,
        "ConnectionName": conn.connection_name(),
        "ConnectionStatus": conn.connection_status().map(|s| s.as_str()),
        "ProviderType": conn.provider_type().map(|p| p.as_str()),
        "HostArn": conn.host_arn().map(|h| ids.norm(h)),
        "OwnerAccountId": conn.owner_account_id(),
    })
}

fn payload_url_ok(url: &str) -> bool {
    let prefix = format!("https://codebuild.{REGION}.amazonaws.com/webhooks?t=");
    url.starts_with(&prefix) && url.ends_with("&v=1") && url.len() > prefix.len() + 4
}

/// The scenario of `run_scenario` in test_contract.py, step for step.
async fn run_scenario(emulator: &Emulator) -> Vec<Value> {
    let (build, conns) = clients(&emulator.url);
    let mut ids = Ids::default();
    let mut records = Vec::new();

    let host = conns
        .create_host()
        .name("gitlab")
        .provider_type(cc::ProviderType::GitlabSelfManaged)
        .provider_endpoint(GITLAB)
        .send()
        .await
        .expect("CreateHost")
        .host_arn()
        .expect("HostArn")
        .to_string();
    records.push(json!({"step": "create-host", "arn": arn_form(&host)}));
    ids.0.push((host.clone(), "<host>"));
    let got = conns
        .get_host()
        .host_arn(&host)
        .send()
        .await
        .expect("GetHost");
    records.push(json!({
        "step": "get-host", "Name": got.name(), "Status": got.status(),
        "ProviderType": got.provider_type().map(|p| p.as_str()),
        "ProviderEndpoint": got.provider_endpoint(),
    }));
    let duplicate = conns
        .create_host()
        .name("again")
        .provider_type(cc::ProviderType::GitlabSelfManaged)
        .provider_endpoint(GITLAB)
        .send()
        .await
        .expect_err("second host on one URL");
    records.push(error_record("duplicate-host", &duplicate, &ids));

    let conn = conns
        .create_connection()
        .connection_name("runner")
        .host_arn(&host)
        .send()
        .await
        .expect("CreateConnection")
        .connection_arn()
        .to_string();
    records.push(json!({"step": "create-connection", "arn": arn_form(&conn)}));
    ids.0.push((conn.clone(), "<connection>"));
    records.push(connection_record(&conns, "get-connection-pending", &conn, &ids).await);
    emulator.control(
        "POST",
        "connections/authorize",
        &json!({"arn": conn}).to_string(),
    );
    records.push(connection_record(&conns, "get-connection-authorized", &conn, &ids).await);
    let listed = conns
        .list_connections()
        .host_arn_filter(&host)
        .send()
        .await
        .expect("ListConnections");
    let arns: Vec<String> = listed
        .connections()
        .iter()
        .filter_map(|c| c.connection_arn().map(|a| ids.norm(a)))
        .collect();
    records.push(json!({"step": "list-connections", "arns": arns}));
    let tag = cc::Tag::builder()
        .key("team")
        .value("ci")
        .build()
        .expect("tag");
    conns
        .tag_resource()
        .resource_arn(&conn)
        .tags(tag)
        .send()
        .await
        .expect("TagResource");
    let tags = conns
        .list_tags_for_resource()
        .resource_arn(&conn)
        .send()
        .await
        .expect("ListTagsForResource");
    let tags: Vec<Value> = tags
        .tags()
        .iter()
        .map(|t| json!({"Key": t.key(), "Value": t.value()}))
        .collect();
    records.push(json!({"step": "tags", "tags": tags}));

    let invalid = create_project(&build, "bad name!", &conn)
        .send()
        .await
        .expect_err("bad name");
    records.push(error_record("invalid-project-name", &invalid, &ids));
    let created = create_project(&build, "runner", &conn)
        .send()
        .await
        .expect("CreateProject");
    let project = created.project().expect("project");
    let source = project.source().expect("source");
    records.push(json!({
        "step": "create-project", "arn": project.arn(),
        "timeoutInMinutes": project.timeout_in_minutes(),
        "queuedTimeoutInMinutes": project.queued_timeout_in_minutes(),
        "sourceType": source.r#type().as_str(),
        "authResource": source.auth().and_then(|a| a.resource()).map(|r| ids.norm(r)),
    }));
    let job_queued = cb::WebhookFilter::builder()
        .r#type(cb::WebhookFilterType::Event)
        .pattern("WORKFLOW_JOB_QUEUED")
        .build()
        .expect("filter");
    let hook = build
        .create_webhook()
        .project_name("runner")
        .filter_groups(vec![job_queued])
        .send()
        .await
        .expect("CreateWebhook");
    let hook = hook.webhook().expect("webhook");
    records.push(json!({
        "step": "create-webhook",
        "buildType": hook.build_type().map(|b| b.as_str()),
        "status": hook.status().map(|s| s.as_str()),
        "hasSecret": hook.secret().is_some(),
        "payloadUrlForm": payload_url_ok(hook.payload_url().unwrap_or_default()),
        "filterPattern": hook.filter_groups()[0][0].pattern(),
    }));
    let again = build
        .create_webhook()
        .project_name("runner")
        .send()
        .await
        .expect_err("again");
    records.push(error_record("webhook-again", &again, &ids));
    for (step, limit) in [("set-limit", 2), ("remove-limit", -1)] {
        let updated = build
            .update_project()
            .name("runner")
            .concurrent_build_limit(limit)
            .send()
            .await
            .expect("UpdateProject");
        let project = updated.project().expect("project");
        records
            .push(json!({"step": step, "concurrentBuildLimit": project.concurrent_build_limit()}));
    }
    let batch = build
        .batch_get_projects()
        .names("runner")
        .names("missing")
        .send()
        .await
        .expect("BatchGetProjects");
    let webhook = batch.projects()[0].webhook().expect("webhook read back");
    records.push(json!({
        "step": "batch-get",
        "names": batch.projects().iter().map(|p| p.name()).collect::<Vec<_>>(),
        "notFound": batch.projects_not_found(),
        "webhookHasSecret": webhook.secret().is_some(),
        "webhookStatus": webhook.status().map(|s| s.as_str()),
    }));

    let used = conns
        .delete_host()
        .host_arn(&host)
        .send()
        .await
        .expect_err("host in use");
    records.push(error_record("delete-used-host", &used, &ids));
    build
        .delete_webhook()
        .project_name("runner")
        .send()
        .await
        .expect("DeleteWebhook");
    build
        .delete_project()
        .name("runner")
        .send()
        .await
        .expect("DeleteProject");
    conns
        .delete_connection()
        .connection_arn(&conn)
        .send()
        .await
        .expect("DeleteConnection");
    conns
        .delete_host()
        .host_arn(&host)
        .send()
        .await
        .expect("DeleteHost");
    let gone = conns
        .get_host()
        .host_arn(&host)
        .send()
        .await
        .expect_err("deleted host");
    records.push(error_record("get-deleted-host", &gone, &ids));
    let remaining = build.list_projects().send().await.expect("ListProjects");
    records.push(json!({"step": "list-projects", "projects": remaining.projects()}));
    records
}

#[tokio::test]
async fn rust_sdks_get_the_contract_results() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let expected_path = root.join("acceptance-tests/emulator_tests/contract_expected.json");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(&expected_path).expect("read contract_expected.json"),
    )
    .expect("contract_expected.json is JSON");
    let emulator = Emulator::start(&root);

    let records = run_scenario(&emulator).await;
    let expected_records = expected["records"].as_array().expect("records");
    assert_eq!(
        records.len(),
        expected_records.len(),
        "records: {records:#?}"
    );
    for (got, want) in records.iter().zip(expected_records) {
        assert_eq!(got, want, "step {}", want["step"]);
    }

    let calls = emulator.control("GET", "calls", "");
    let calls = calls.as_array().expect("call list");
    let log: Vec<Value> = calls
        .iter()
        .map(|c| json!([c["operation"], c["status"], c["error"]]))
        .collect();
    assert_eq!(&Value::Array(log), &expected["calls"]);
    for call in calls {
        let wire = if call["service"] == "codeconnections" {
            "cbor"
        } else {
            "json"
        };
        assert_eq!(
            call["wire"], wire,
            "{} went over the wrong protocol",
            call["operation"]
        );
    }
    let resources = emulator.control("GET", "resources", "");
    for kind in ["hosts", "connections", "projects"] {
        assert_eq!(resources[kind], json!([]), "{kind} left behind");
    }
}
