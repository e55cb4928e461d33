"""Contract: boto3 and the aws CLI run one scenario against the emulator and
must get exactly the results in `contract_expected.json`.

The Rust SDKs run the same scenario in `tests/emulator_contract.rs` at the
repo root against the same file, so the three clients (two wire protocols
for CodeConnections) are held to one set of answers. Results are reduced to
what does not vary between runs (generated ids become `<host>`,
`<connection>`, `<hex8>`, `<uuid>`), and the emulator's own call log
(operation, HTTP status, error code) is compared too, since the CLI does not
print statuses.
"""

import contextlib
import io
import json
import re
from pathlib import Path

import boto3
import pytest
from awscli.clidriver import create_clidriver
from botocore.config import Config
from botocore.exceptions import ClientError

EXPECTED = json.loads((Path(__file__).parent / "contract_expected.json").read_text())
GITLAB = "https://gitlab.example.com"
ROLE = "arn:aws:iam::123456789012:role/codebuild-runner"
REGION = "us-east-1"


class Failed(Exception):
    """An AWS error answer, as any client reports it: code and message."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


class Boto3Client:
    def __init__(self, url):
        config = Config(parameter_validation=False,
                        retries={"total_max_attempts": 1, "mode": "standard"})
        self.clients = {s: boto3.client(s, endpoint_url=url, region_name=REGION, config=config)
                        for s in ("codebuild", "codeconnections")}

    def __call__(self, service, operation, params):
        client = self.clients[service]
        method = getattr(client, _snake(operation))
        try:
            return method(**params)
        except ClientError as exc:
            raise Failed(exc.response["Error"]["Code"], exc.response["Error"]["Message"])


class CliClient:
    """The aws CLI's own driver, in-process (one driver, many commands)."""

    ERROR = re.compile(r"An error occurred \((\w+)\) when calling the \w+ operation: (.*)",
                       re.S)

    def __init__(self, url, config_file, monkeypatch):
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config_file))
        self.url = url
        self.driver = create_clidriver()

    def __call__(self, service, operation, params):
        args = [service, _snake(operation).replace("_", "-"),
                "--cli-input-json", json.dumps(params), "--endpoint-url", self.url,
                "--region", REGION, "--output", "json"]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = self.driver.main(args)
        if code != 0:
            found = self.ERROR.search(err.getvalue())
            assert found, f"aws {' '.join(args[:2])} failed without an AWS error: {err.getvalue()}"
            raise Failed(found.group(1), found.group(2).strip())
        return json.loads(out.getvalue()) if out.getvalue().strip() else {}


def _snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def run_scenario(call, emulator):
    """The shared scenario; returns the normalized records."""
    records, ids = [], {}

    def norm(text):
        for value, token in ids.items():
            text = text.replace(value, token)
        return text

    def error(step, service, operation, params):
        with pytest.raises(Failed) as exc:
            call(service, operation, params)
        records.append({"step": step, "error": exc.value.code,
                        "message": norm(exc.value.message)})

    host = call("codeconnections", "CreateHost", {
        "Name": "gitlab", "ProviderType": "GitLabSelfManaged",
        "ProviderEndpoint": GITLAB})["HostArn"]
    records.append({"step": "create-host", "arn": arn_form(host)})
    ids[host] = "<host>"
    got = call("codeconnections", "GetHost", {"HostArn": host})
    records.append({"step": "get-host", **{k: got.get(k) for k in (
        "Name", "Status", "ProviderType", "ProviderEndpoint")}})
    error("duplicate-host", "codeconnections", "CreateHost", {
        "Name": "again", "ProviderType": "GitLabSelfManaged", "ProviderEndpoint": GITLAB})

    conn = call("codeconnections", "CreateConnection",
                {"ConnectionName": "runner", "HostArn": host})["ConnectionArn"]
    records.append({"step": "create-connection", "arn": arn_form(conn)})
    ids[conn] = "<connection>"
    records.append(connection_record("get-connection-pending", call, conn, norm))
    emulator.post("connections/authorize", {"arn": conn})
    records.append(connection_record("get-connection-authorized", call, conn, norm))
    listed = call("codeconnections", "ListConnections", {"HostArnFilter": host})
    records.append({"step": "list-connections",
                    "arns": [norm(c["ConnectionArn"]) for c in listed["Connections"]]})
    call("codeconnections", "TagResource",
         {"ResourceArn": conn, "Tags": [{"Key": "team", "Value": "ci"}]})
    tags = call("codeconnections", "ListTagsForResource", {"ResourceArn": conn})["Tags"]
    records.append({"step": "tags", "tags": tags})

    error("invalid-project-name", "codebuild", "CreateProject", project("bad name!", conn))
    created = call("codebuild", "CreateProject", project("runner", conn))["project"]
    records.append({"step": "create-project", "arn": created["arn"],
                    "timeoutInMinutes": created["timeoutInMinutes"],
                    "queuedTimeoutInMinutes": created["queuedTimeoutInMinutes"],
                    "sourceType": created["source"]["type"],
                    "authResource": norm(created["source"]["auth"]["resource"])})
    hook = call("codebuild", "CreateWebhook", {
        "projectName": "runner",
        "filterGroups": [[{"type": "EVENT", "pattern": "WORKFLOW_JOB_QUEUED"}]]})["webhook"]
    records.append({"step": "create-webhook", "buildType": hook["buildType"],
                    "status": hook["status"], "hasSecret": "secret" in hook,
                    "payloadUrlForm": payload_url_ok(hook["payloadUrl"]),
                    "filterPattern": hook["filterGroups"][0][0]["pattern"]})
    error("webhook-again", "codebuild", "CreateWebhook", {"projectName": "runner"})
    limited = call("codebuild", "UpdateProject", {"name": "runner", "concurrentBuildLimit": 2})
    records.append({"step": "set-limit",
                    "concurrentBuildLimit": limited["project"].get("concurrentBuildLimit")})
    unlimited = call("codebuild", "UpdateProject", {"name": "runner", "concurrentBuildLimit": -1})
    records.append({"step": "remove-limit",
                    "concurrentBuildLimit": unlimited["project"].get("concurrentBuildLimit")})
    batch = call("codebuild", "BatchGetProjects", {"names": ["runner", "missing"]})
    records.append({"step": "batch-get", "names": [p["name"] for p in batch["projects"]],
                    "notFound": batch.get("projectsNotFound", []),
                    "webhookHasSecret": "secret" in batch["projects"][0]["webhook"],
                    "webhookStatus": batch["projects"][0]["webhook"]["status"]})

    error("delete-used-host", "codeconnections", "DeleteHost", {"HostArn": host})
    call("codebuild", "DeleteWebhook", {"projectName": "runner"})
    call("codebuild", "DeleteProject", {"name": "runner"})
    call("codeconnections", "DeleteConnection", {"ConnectionArn": conn})
    call("codeconnections", "DeleteHost", {"HostArn": host})
    error("get-deleted-host", "codeconnections", "GetHost", {"HostArn": host})
    remaining = call("codebuild", "ListProjects", {})
    records.append({"step": "list-projects", "projects": remaining.get("projects", [])})
    return records


def connection_record(step, call, conn, norm):
    got = call("codeconnections", "GetConnection", {"ConnectionArn": conn})["Connection"]
    return {"step": step, "ConnectionName": got["ConnectionName"],
            "ConnectionStatus": got["ConnectionStatus"], "ProviderType": got["ProviderType"],
            "HostArn": norm(got["HostArn"]), "OwnerAccountId": got["OwnerAccountId"]}


def project(name, conn):
    return {
        "name": name,
        "source": {"type": "GITLAB_SELF_MANAGED", "location": f"{GITLAB}/group/app.git",
                   "auth": {"type": "CODECONNECTIONS", "resource": conn}},
        "artifacts": {"type": "NO_ARTIFACTS"},
        "environment": {"type": "LINUX_CONTAINER",
                        "image": "aws/codebuild/amazonlinux-x86_64-standard:5.0",
                        "computeType": "BUILD_GENERAL1_SMALL"},
        "serviceRole": ROLE,
    }


def arn_form(arn):
    """An ARN with its generated part replaced by the kind of id it is."""
    head, _, tail = arn.rpartition("/")
    if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", tail):
        return f"{head}/<uuid>"
    name, _, suffix = tail.rpartition("-")
    if re.fullmatch(r"[0-9a-f]{8}", suffix):
        return f"{head}/{name}-<hex8>"
    return arn


def payload_url_ok(url):
    prefix = f"https://codebuild.{REGION}.amazonaws.com/webhooks?t="
    return url.startswith(prefix) and url.endswith("&v=1") and len(url) > len(prefix) + 4


def call_log(emulator):
    return [[c["operation"], c["status"], c["error"]] for c in emulator.calls()]


@pytest.fixture
def cli(emulator, tmp_path, monkeypatch):
    config = tmp_path / "aws-config"
    # CLI v1 would fetch the https:// GitLab URL given as a parameter otherwise.
    config.write_text("[default]\ncli_follow_urlparam = false\n")
    return CliClient(emulator.url, config, monkeypatch)


def test_boto3_gets_the_contract_results(emulator):
    assert run_scenario(Boto3Client(emulator.url), emulator) == EXPECTED["records"]
    assert call_log(emulator) == EXPECTED["calls"]
    assert emulator.is_empty()


def test_aws_cli_gets_the_contract_results(emulator, cli):
    assert run_scenario(cli, emulator) == EXPECTED["records"]
    assert call_log(emulator) == EXPECTED["calls"]
    wires = {c["wire"] for c in emulator.calls()}
    assert wires == {"json"}
