"""Fixtures: one emulator subprocess per session, reset before every test.

The emulator is started exactly as users start it (`python -m emulator` from
acceptance-tests/), on a free loopback port read from its first stdout line.
Clients get fake static credentials and never look at real AWS config.
"""

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from harness import Emulator, start_emulator  # noqa: F401  (tests import them from here)

import boto3
import pytest
from botocore.config import Config

ACCEPTANCE_DIR = Path(__file__).resolve().parent.parent

def make_client(emulator, service, region="us-east-1", **config):
    # Client-side validation off: the emulator's own validation is under test.
    # One attempt: injected retryable faults must be seen, not retried away.
    options = {"parameter_validation": False,
               "retries": {"total_max_attempts": 1, "mode": "standard"}}
    options.update(config)
    settings = Config(**options)
    return boto3.client(service, endpoint_url=emulator.url, region_name=region,
                        config=settings)


@pytest.fixture
def cc(emulator):
    return make_client(emulator, "codeconnections")


@pytest.fixture
def cb(emulator):
    return make_client(emulator, "codebuild")


GITLAB_URL = "https://gitlab.example.com"
ROLE = "arn:aws:iam::123456789012:role/codebuild"


def project_args(name, connection_arn=None, **extra):
    """A minimal GitLab self-managed runner project, as the provider sends it."""
    source = {"type": "GITLAB_SELF_MANAGED", "location": f"{GITLAB_URL}/group/app.git"}
    if connection_arn:
        source["auth"] = {"type": "CODECONNECTIONS", "resource": connection_arn}
    args = {
        "name": name,
        "source": source,
        "artifacts": {"type": "NO_ARTIFACTS"},
        "environment": {"type": "LINUX_CONTAINER",
                        "image": "aws/codebuild/amazonlinux-x86_64-standard:5.0",
                        "computeType": "BUILD_GENERAL1_SMALL"},
        "serviceRole": ROLE,
    }
    args.update(extra)
    return args


JOB_QUEUED = [[{"type": "EVENT", "pattern": "WORKFLOW_JOB_QUEUED"}]]


def error_of(excinfo):
    """(code, message, HTTP status) of a botocore ClientError."""
    response = excinfo.value.response
    return (response["Error"]["Code"], response["Error"]["Message"],
            response["ResponseMetadata"]["HTTPStatusCode"])


@pytest.fixture
def runner_setup(cc, cb, emulator):
    """Host + connection + project, connection authorized: ready for a webhook."""
    host = cc.create_host(Name="gitlab", ProviderType="GitLabSelfManaged",
                          ProviderEndpoint=GITLAB_URL)["HostArn"]
    conn = cc.create_connection(ConnectionName="runner", HostArn=host)["ConnectionArn"]
    emulator.post("connections/authorize", {"arn": conn})
    cb.create_project(**project_args("runner", conn))
    return {"host": host, "connection": conn, "project": "runner"}
