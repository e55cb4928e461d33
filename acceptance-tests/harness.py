"""Shared test harness: the emulator as a subprocess with a client for its control API,
and Terraform workspaces that run the real `terraform` CLI against the freshly built
provider through a filesystem mirror (never a network registry).

Everything points at loopback: fake static credentials, no metadata lookups, endpoint
overrides for both services.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ACCEPTANCE_DIR = Path(__file__).resolve().parent
PROVIDER_SOURCE = "example/gitlab-codebuild"
# The version lives in Cargo.toml only; the mirror must offer the version the binary reports.
PROVIDER_VERSION = re.search(r'^version = "([^"]+)"',
                             (ACCEPTANCE_DIR.parent / "Cargo.toml").read_text(), re.M).group(1)

# Nothing in these tests may read real credentials or reach a metadata address.
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "fake",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
}
UNSAFE_ENV = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_DEFAULT_PROFILE",
              "AWS_ENDPOINT_URL_CODEBUILD", "AWS_ENDPOINT_URL_CODECONNECTIONS")


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

    def calls(self, operation=None):
        """The AWS calls received, in order, optionally only one operation's."""
        calls = self.get("calls")
        if isinstance(calls, dict):
            calls = calls.get("calls", [])
        return [c for c in calls if operation is None or c["operation"] == operation]

    def resources(self):
        return self.get("resources")

    def is_empty(self):
        r = self.resources()
        return not (r["hosts"] or r["connections"] or r["projects"])

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=10)


def start_emulator(extra_env=None):
    """Starts `python -m emulator` the way users do, on a free loopback port."""
    env = dict(os.environ, EMULATOR_PORT="0", **(extra_env or {}))
    process = subprocess.Popen([sys.executable, "-m", "emulator"], cwd=ACCEPTANCE_DIR,
                               env=env, stdout=subprocess.PIPE, text=True)
    url = process.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), f"first stdout line was {url!r}"
    return Emulator(process, url)


def provider_mirror(provider_bin, root):
    """Lays the provider binary out as an unpacked filesystem mirror under `root`."""
    platform = "linux_amd64"
    package = (Path(root) / "registry.terraform.io" / PROVIDER_SOURCE / PROVIDER_VERSION
               / platform)
    package.mkdir(parents=True, exist_ok=True)
    target = package / f"terraform-provider-gitlab-codebuild_v{PROVIDER_VERSION}"
    if target.exists() or target.is_symlink():
        target.unlink()
    # A copy, not a link: a rebuild during the run would otherwise change the binary under
    # Terraform's lock file and fail its checksum check.
    shutil.copy2(Path(provider_bin).resolve(), target)
    return Path(root)


def cli_config(mirror, path):
    """A CLI config that installs our provider from the mirror and nothing from a network."""
    Path(path).write_text(
        "provider_installation {\n"
        f"  filesystem_mirror {{\n    path    = \"{mirror}\"\n"
        "    include = [\"registry.terraform.io/example/*\"]\n  }\n"
        "}\n"
    )
    return Path(path)


class Result:
    """One terraform command's outcome."""

    def __init__(self, args, proc, seconds):
        self.args = args
        self.code = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.seconds = seconds

    @property
    def output(self):
        return self.stdout + self.stderr

    def __repr__(self):
        return (f"terraform {' '.join(self.args)} -> {self.code}\n--- stdout\n{self.stdout}"
                f"\n--- stderr\n{self.stderr}")


class Workspace:
    """A Terraform working directory bound to one emulator."""

    def __init__(self, terraform, cli_config_path, emulator, directory, extra_env=None):
        self.terraform = str(Path(terraform).resolve())
        self.dir = Path(directory)
        self.emulator = emulator
        self.env = {k: v for k, v in os.environ.items() if k not in UNSAFE_ENV}
        self.env.update(FAKE_ENV)
        self.env.update({
            "CHECKPOINT_DISABLE": "1",
            "TF_CLI_CONFIG_FILE": str(cli_config_path),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "NO_COLOR": "1",
            "AWS_REGION": "us-east-1",
        })
        self.env.update(extra_env or {})

    def write(self, body, name="main.tf"):
        """Writes a configuration; the provider block is added unless `body` has one."""
        text = body if "provider \"gitlab-codebuild\"" in body else provider_block() + body
        (self.dir / name).write_text(text)

    def run(self, *args, timeout=600, env=None):
        started = time.monotonic()
        proc = subprocess.run([self.terraform, *args], cwd=self.dir, capture_output=True,
                              text=True, timeout=timeout, env={**self.env, **(env or {})},
                              stdin=subprocess.DEVNULL)
        return Result(list(args), proc, time.monotonic() - started)

    def tf_vars(self):
        return ["-var", f"emulator_url={self.emulator.url}"]

    def init(self):
        result = self.run("init", "-no-color")
        assert result.code == 0, result
        return result

    def apply(self, *extra, **kw):
        return self.run("apply", "-auto-approve", "-no-color", *self.tf_vars(), *extra, **kw)

    def plan(self, *extra, **kw):
        return self.run("plan", "-detailed-exitcode", "-no-color", *self.tf_vars(), *extra, **kw)

    def destroy(self, *extra, **kw):
        return self.run("destroy", "-auto-approve", "-no-color", *self.tf_vars(), *extra, **kw)

    def validate(self):
        return self.run("validate", "-no-color")

    def show(self):
        result = self.run("show", "-json")
        assert result.code == 0, result
        return json.loads(result.stdout)

    def resource(self, address):
        """The `values` of one resource in the state, plus its `tainted` flag."""
        state = self.show()
        for r in state.get("values", {}).get("root_module", {}).get("resources", []):
            if r["address"] == address:
                return dict(r["values"], tainted=r.get("tainted", False))
        return None


def provider_block(max_retries=None):
    """The test configuration's `terraform` block, `emulator_url` variable and provider block
    pointing both services at the emulator; `max_retries` sets the retry budget."""
    retries = "" if max_retries is None else f"  max_retries = {max_retries}\n"
    return f"""
terraform {{
  required_providers {{
    gitlab-codebuild = {{ source = "example/gitlab-codebuild" }}
  }}
}}

variable "emulator_url" {{
  type = string
}}

provider "gitlab-codebuild" {{
  region = "us-east-1"
{retries}  endpoints {{
    codebuild       = var.emulator_url
    codeconnections = var.emulator_url
  }}
}}
"""


def runner_config(name="runner-a", extra="", address="r", gitlab="https://gitlab.example.internal"):
    """The BASE runner of the field cases, with optional extra arguments."""
    return f"""
resource "gitlab_codebuild_runner" "{address}" {{
  provider         = gitlab-codebuild
  name             = "{name}"
  gitlab_url       = "{gitlab}"
  source_location  = "{gitlab}/platform/app"
  service_role_arn = "arn:aws:iam::123456789012:role/cb-runner"
{extra}
}}
"""


def temp_dir(prefix):
    return Path(tempfile.mkdtemp(prefix=prefix))


def remove(path):
    shutil.rmtree(path, ignore_errors=True)


def interrupt_when(workspace, args, condition, timeout=60):
    """Runs `terraform <args>`, sends Ctrl-C (SIGINT to the whole process group, as a terminal
    does) once `condition()` holds, and returns (exit code, output, seconds to exit)."""
    process = subprocess.Popen([workspace.terraform, *args], cwd=workspace.dir,
                               env=workspace.env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while not condition() and process.poll() is None:
            assert time.monotonic() < deadline, "the condition to interrupt on never held"
            time.sleep(0.2)
        assert process.poll() is None, process.communicate()
        signalled = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
        return process.returncode, stdout + stderr, time.monotonic() - signalled
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
