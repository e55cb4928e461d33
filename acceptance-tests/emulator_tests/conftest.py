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

import boto3
import pytest
from botocore.config import Config

ACCEPTANCE_DIR = Path(__file__).resolve().parent.parent

# Nothing in these tests may read real credentials or reach a metadata address.
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "fake",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
}
os.environ.update(FAKE_ENV)
for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_DEFAULT_PROFILE"):
    os.environ.pop(name, None)


class Emulator:
    """A running emulator process and a small client for its control API."""

    def __init__(self, process, url):
        self.process = process
        self.url = url

    def control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + "/_emulator/" + path, data=data,
                                         method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"control {method} {path}: {exc.code} {exc.read()!r}")

    def post(self, path, body=None):
        return self.control("POST", path, body if body is not None else {})

    def get(self, path):
        return self.control("GET", path)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=10)


def start_emulator(extra_env=None):
    env = dict(os.environ, EMULATOR_PORT="0", **(extra_env or {}))
    process = subprocess.Popen([sys.executable, "-m", "emulator"], cwd=ACCEPTANCE_DIR,
                               env=env, stdout=subprocess.PIPE, text=True)
    url = process.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), f"first stdout line was {url!r}"
    return Emulator(process, url)


@pytest.fixture(scope="session")
def emulator():
    emu = start_emulator()
    yield emu
    assert emu.stop() == 0


@pytest.fixture(autouse=True)
def fresh(emulator):
    emulator.post("reset")
    yield


def make_client(emulator, service, region="us-east-1", **config):
    # Client-side validation off: the emulator's own validation is under test.
    # One attempt: injected retryable faults must be seen, not retried away.
    settings = Config(parameter_validation=False, retries={"max_attempts": 1,
                                                           "mode": "standard"}, **config)
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
