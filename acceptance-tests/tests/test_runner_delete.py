"""Destroy when pieces are already gone: a host deleted outside Terraform is not waited for
(before, destroy without a refresh waited out the whole delete timeout on it)."""

import boto3
from botocore.config import Config

from harness import runner_config


def test_destroy_without_refresh_does_not_wait_for_a_host_already_gone(workspace, emulator):
    emulator.post("config", {"authorize_after": 1})
    workspace.write(runner_config(extra='  timeouts {\n    create = "20s"\n'
                                        '    delete = "10m"\n  }'))
    workspace.init()
    assert workspace.apply().code == 0
    state = workspace.resource("gitlab_codebuild_runner.r")

    connections = boto3.client("codeconnections", endpoint_url=emulator.url,
                               region_name="us-east-1",
                               config=Config(retries={"total_max_attempts": 1}))
    connections.delete_connection(ConnectionArn=state["connection_arn"])
    connections.delete_host(HostArn=state["host_arn"])

    destroyed = workspace.destroy("-refresh=false", timeout=120)
    assert destroyed.code == 0, destroyed
    assert destroyed.seconds < 30, destroyed.seconds
    assert len(emulator.calls("DeleteHost")) == 1  # the out-of-band one; the provider made none
    assert emulator.is_empty(), emulator.resources()
