"""Smoke test: the aws CLI (v1, from PyPI) works against the emulator."""

import json
import os
import subprocess
import sys

import pytest

from .conftest import GITLAB_URL


def aws(emulator, config_file, *args):
    command = [sys.executable, "-m", "awscli", *args, "--endpoint-url", emulator.url,
               "--region", "eu-central-1", "--output", "json"]
    env = dict(os.environ, AWS_CONFIG_FILE=str(config_file))
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


@pytest.fixture
def cli_config(tmp_path):
    # CLI v1 downloads any parameter that looks like an http(s) URL (it would
    # fetch the GitLab URL below from the network); switch that off.
    path = tmp_path / "aws-config"
    path.write_text("[default]\ncli_follow_urlparam = false\n")
    return path


def test_cli_host_connection_project(emulator, cli_config):
    host = aws(emulator, cli_config, "codeconnections", "create-host", "--name", "gitlab",
               "--provider-type", "GitLabSelfManaged", "--provider-endpoint", GITLAB_URL)["HostArn"]
    assert ":eu-central-1:" in host
    assert aws(emulator, cli_config, "codeconnections", "get-host", "--host-arn", host)["Status"] == "PENDING"
    conn = aws(emulator, cli_config, "codeconnections", "create-connection", "--connection-name", "cli",
               "--host-arn", host)["ConnectionArn"]
    listed = aws(emulator, cli_config, "codeconnections", "list-connections")["Connections"]
    assert [c["ConnectionArn"] for c in listed] == [conn]
    projects = aws(emulator, cli_config, "codebuild", "list-projects")["projects"]
    assert projects == []
