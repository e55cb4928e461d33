"""The provider as the Terraform CLI and a developer see it: the schema Terraform reads (golden
file), the protocol version it negotiates, `--version`, `--debug` reattach, and trace logs that
Terraform parses and that never carry a secret."""

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from conftest import provider_binary
from harness import PROVIDER_VERSION, runner_config

GOLDEN = Path(__file__).resolve().parent / "golden" / "providers-schema.json"
ADDRESS = "registry.terraform.io/example/gitlab-codebuild"


def test_providers_schema_json_matches_the_golden_file(workspace):
    """Regenerate after an intended schema change with
    `UPDATE_GOLDEN=1 make test-acceptance` (or the single test), then review the diff."""
    workspace.write(runner_config())
    workspace.init()
    result = workspace.run("providers", "schema", "-json")
    assert result.code == 0, result
    actual = json.loads(result.stdout)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(actual, indent=2, sort_keys=True) + "\n")
    expected = json.loads(GOLDEN.read_text())
    assert actual == expected, (
        "terraform providers schema -json differs from tests/golden/providers-schema.json; "
        "if the change is intended, rerun with UPDATE_GOLDEN=1 and commit the file")


def test_negotiated_protocol_follows_the_provider_setting(workspace):
    """Terraform offers 5 and 6; TF_GITLAB_CODEBUILD_PROTOCOL limits what we accept."""
    workspace.write(runner_config())
    workspace.init()
    for version in ("5", "6"):
        result = workspace.run("validate", "-no-color",
                               env={"TF_LOG": "trace", "TF_GITLAB_CODEBUILD_PROTOCOL": version})
        assert result.code == 0, result
        used = set(re.findall(r"using plugin: version=(\d)", result.stderr))
        assert used == {version}, used
        assert f"GRPCProvider{'.v6' if version == '6' else ''}: ValidateResource" in result.stderr


def test_version_flag_prints_the_version_and_nothing_else():
    result = subprocess.run([str(provider_binary()), "--version"], capture_output=True,
                            text=True, timeout=10, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result
    assert result.stdout == f"terraform-provider-gitlab-codebuild {PROVIDER_VERSION}\n"
    assert result.stderr == ""


def test_help_lists_the_flags_and_unknown_arguments_are_refused():
    run = [str(provider_binary())]
    helped = subprocess.run(run + ["--help"], capture_output=True, text=True, timeout=10,
                            stdin=subprocess.DEVNULL)
    assert helped.returncode == 0, helped
    assert "--version" in helped.stdout and "--debug" in helped.stdout
    refused = subprocess.run(run + ["--bogus"], capture_output=True, text=True, timeout=10,
                             stdin=subprocess.DEVNULL)
    assert refused.returncode == 2, refused
    assert 'unknown argument "--bogus"' in refused.stderr and refused.stdout == ""


def test_debug_mode_stopped_with_sigterm_removes_its_socket(workspace):
    process = subprocess.Popen([str(provider_binary()), "--debug"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=workspace.env)
    try:
        socket = None
        for line in process.stdout:
            if "TF_REATTACH_PROVIDERS=" in line:
                value = json.loads(line.split("=", 1)[1].strip().strip("'"))
                socket = next(iter(value.values()))["Addr"]["String"]
                break
        assert socket and os.path.exists(socket), socket
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert not os.path.exists(socket)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_started_by_hand_it_explains_itself_and_exits_1():
    env = {k: v for k, v in os.environ.items() if k != "TF_PLUGIN_MAGIC_COOKIE"}
    result = subprocess.run([str(provider_binary())], capture_output=True, text=True,
                            timeout=10, env=env, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Terraform provider plugin" in result.stderr


def test_debug_mode_prints_a_reattach_value_terraform_can_use(workspace, tmp_path):
    process = subprocess.Popen([str(provider_binary()), "--debug"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**workspace.env, "TF_LOG": "debug"})
    try:
        reattach = None
        deadline = time.monotonic() + 20
        while reattach is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            assert line, f"no reattach line; stderr: {process.stderr.read()!r}"
            found = re.search(r"TF_REATTACH_PROVIDERS='(.*)'", line)
            reattach = found and found.group(1)
        entry = json.loads(reattach)[ADDRESS]
        assert entry["Pid"] == process.pid
        assert entry["Test"] is True and entry["Protocol"] == "grpc"
        assert entry["Addr"]["Network"] == "unix" and Path(entry["Addr"]["String"]).exists()

        # No provider install: the mirror is absent from this CLI config.
        empty_config = tmp_path / "empty.tfrc"
        empty_config.write_text("")
        env = {"TF_REATTACH_PROVIDERS": reattach, "TF_CLI_CONFIG_FILE": str(empty_config)}
        workspace.write(runner_config(name="-bad name"))
        for _ in range(2):  # the process outlives each Terraform command
            result = workspace.run("validate", "-no-color", env=env)
            assert result.code == 1, result
            assert "Invalid CodeBuild Project Name" in result.output
            assert process.poll() is None

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert not Path(entry["Addr"]["String"]).exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_trace_logs_are_hclog_json_and_carry_no_secret(workspace, emulator):
    secret_key = "sEcReTkEy-9f8e7d6c5b4a-never-log-me"
    session_token = "SeSsIoNtOkEn-0a1b2c3d4e5f-never-log-me"
    emulator.post("config", {"authorize_after": 1})
    workspace.write(runner_config(extra='  timeouts {\n    create = "30s"\n  }'))
    workspace.init()
    env = {"TF_LOG": "trace", "AWS_SECRET_ACCESS_KEY": secret_key,
           "AWS_SESSION_TOKEN": session_token}
    applied = workspace.apply(env=env)
    assert applied.code == 0, applied
    [project] = emulator.resources()["projects"]
    webhook_secret = project["webhook"]["secret"]
    assert webhook_secret
    destroyed = workspace.destroy(env=env)
    assert destroyed.code == 0, destroyed

    secrets = [secret_key, session_token, webhook_secret]
    logs = applied.output + destroyed.output
    for secret in secrets:
        assert secret not in logs

    # Terraform parsed our lines as hclog JSON: it re-logs them with their level and fields
    # instead of the raw JSON text.
    ours = [line for line in logs.splitlines() if "provider.terraform-provider-gitlab-codebuild"
            in line]
    assert any("RPC started" in line and "tf_rpc=ApplyResourceChange" in line for line in ours)
    assert any("tf_req_id=" in line for line in ours)
    assert not any('"@message"' in line for line in ours), [l for l in ours if '"@message"' in l]
