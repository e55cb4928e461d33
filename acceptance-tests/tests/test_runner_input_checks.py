"""Mistakes caught before anything is created (so never after a person did the handshake),
equivalent GitLab URLs that must not touch the host, import of a project that is not a
runner, and the hint for colliding default connection names."""

import re

import boto3
import pytest
from botocore.config import Config

from harness import provider_block, runner_config

SUBNETS_11 = ", ".join(f'"subnet-{i:08d}"' for i in range(11))
SGS_6 = ", ".join(f'"sg-{i:08d}"' for i in range(6))
TAGS_51 = ", ".join(f'k{i} = "v"' for i in range(51))

BAD_INPUT = {
    "eleven host subnets": (
        f'  vpc_configuration {{\n    vpc_id = "vpc-0123abcd"\n    subnet_ids = [{SUBNETS_11}]\n'
        '    security_group_ids = ["sg-0123abcd"]\n  }\n', "Wrong Number Of Ids"),
    "six project security groups": (
        f'  vpc_config {{\n    vpc_id = "vpc-0123abcd"\n    subnets = ["subnet-0123abcd"]\n'
        f'    security_group_ids = [{SGS_6}]\n  }}\n', "Wrong Number Of Ids"),
    "fifty-one tags": (f"  tags = {{ {TAGS_51} }}\n", "Too Many Tags"),
    "empty image": ('  environment {\n    image = ""\n  }\n', "Empty Value"),
    "empty description": ('  description = ""\n', "Empty Value"),
    "empty buildspec": ('  buildspec = ""\n', "Empty Value"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_fails_validate_with_no_aws_call(workspace, emulator, case):
    extra, summary = BAD_INPUT[case]
    workspace.write(runner_config(extra=extra))
    workspace.init()
    result = workspace.validate()
    assert result.code == 1, result
    assert summary in result.output, result
    assert emulator.calls() == []


def test_empty_region_fails_validate(workspace, emulator):
    workspace.write(provider_block().replace('region = "us-east-1"', 'region = ""')
                    + runner_config())
    workspace.init()
    result = workspace.validate()
    assert result.code == 1, result
    assert "Invalid AWS Region" in result.output


def test_an_equivalent_gitlab_url_does_not_update_the_host(workspace, emulator):
    emulator.post("config", {"authorize_after": 1})
    workspace.write(runner_config(extra='  timeouts {\n    create = "20s"\n  }'))
    workspace.init()
    assert workspace.apply().code == 0

    workspace.write(runner_config(extra='  timeouts {\n    create = "20s"\n  }',
                                  gitlab="https://GitLab.example.internal/").replace(
        'source_location  = "https://GitLab.example.internal//platform/app"',
        'source_location  = "https://gitlab.example.internal/platform/app"'))
    applied = workspace.apply()
    assert applied.code == 0, applied
    assert emulator.calls("UpdateHost") == []
    assert workspace.plan().code == 0


def test_import_refuses_a_project_that_is_not_a_runner(workspace, emulator):
    codebuild = boto3.client("codebuild", endpoint_url=emulator.url, region_name="us-east-1",
                             config=Config(retries={"total_max_attempts": 1}))
    codebuild.create_project(
        name="s3proj", source={"type": "NO_SOURCE", "buildspec": "version: 0.2"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={"type": "LINUX_CONTAINER", "computeType": "BUILD_GENERAL1_SMALL",
                     "image": "aws/codebuild/amazonlinux-x86_64-standard:5.0"},
        serviceRole="arn:aws:iam::123456789012:role/cb-runner")
    workspace.write(runner_config(name="s3proj", address="hand"))
    workspace.init()
    imported = workspace.run("import", "-no-color", *workspace.tf_vars(),
                             "gitlab_codebuild_runner.hand", "s3proj")
    assert imported.code == 1, imported
    assert "Project Is Not A GitLab Runner" in imported.output
    assert workspace.resource("gitlab_codebuild_runner.hand") is None


def test_credentials_in_gitlab_url_fail_plan_without_showing_them(workspace, emulator):
    workspace.write(runner_config(gitlab="https://root:s3cret@gitlab.example.internal"))
    workspace.init()
    planned = workspace.plan()
    assert planned.code == 1, planned
    assert "Credentials In A URL" in planned.output
    # One error for gitlab_url and one for source_location (same host), each at its line.
    assert planned.output.count("Credentials In A URL") == 2, planned.output
    # Terraform quotes the configuration line; our own words must not repeat the password.
    ours = [line for line in planned.output.splitlines() if not re.match(r"\s*\d+:", line)]
    assert not [line for line in ours if "s3cret" in line], planned.output
    assert emulator.calls() == []


def test_import_with_an_empty_id_says_what_the_id_is(workspace, emulator):
    workspace.write(runner_config(address="hand"))
    workspace.init()
    imported = workspace.run("import", "-no-color", *workspace.tf_vars(),
                             "gitlab_codebuild_runner.hand", "")
    assert imported.code == 1, imported
    assert "Import ID Is Empty" in imported.output
    assert emulator.calls() == []


def test_colliding_default_connection_names_get_a_hint(workspace, emulator):
    long_a = "platform-team-gitlab-runner-prod-alpha"
    long_b = "platform-team-gitlab-runner-prod-beta"
    short = '  timeouts {\n    create = "5s"\n  }'
    workspace.write(runner_config(name=long_a, address="a", extra=short)
                    + runner_config(name=long_b, address="b", extra=short,
                                    gitlab="https://gitlab-b.example.internal"))
    workspace.init()
    applied = workspace.apply("-parallelism=1")
    assert applied.code == 1, applied
    assert "Set `connection_name`" in " ".join(applied.output.split())
