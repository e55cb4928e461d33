"""Field cases about the protocol layer: TC-F3-3 (provider-computed attributes set in
configuration are a user error at validate time, at the right line) and TC-F3-8 (Ctrl-C
during the readiness wait ends the wait at once and keeps what exists in state)."""

import os
import signal
import subprocess
import time

import pytest

from harness import runner_config

COMPUTED_ONLY = ["connection_status", "host_arn", "runner_tag", "webhook_secret", "id"]


def line_of(path, text):
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


@pytest.mark.parametrize("attribute", COMPUTED_ONLY)
def test_tc_f3_3_computed_only_attribute_in_config_fails_validate_at_its_line(
        workspace, emulator, attribute):
    assignment = f'  {attribute} = "set-by-hand"'
    workspace.write(runner_config(extra=assignment))
    workspace.init()

    result = workspace.validate()
    assert result.code == 1, result
    line = line_of(workspace.dir / "main.tf", assignment)
    text = " ".join(result.output.split())
    assert f"on main.tf line {line}, in resource \"gitlab_codebuild_runner\" \"r\"" in text
    assert f"{line}: {assignment.strip()}" in text
    assert "Value Set For A Provider-Computed Attribute" in text
    assert "decided by the provider" in text
    assert "Provider produced invalid plan" not in result.output

    planned = workspace.plan()
    assert planned.code == 1, planned
    assert "Provider produced invalid plan" not in planned.output
    assert emulator.calls() == []


def _wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_tc_f3_8_sigint_during_the_readiness_wait_stops_promptly_and_keeps_state(
        workspace, emulator):
    workspace.write(runner_config(extra='  timeouts {\n    create = "30m"\n  }'))
    workspace.init()
    process = subprocess.Popen(
        [workspace.terraform, "apply", "-auto-approve", "-no-color", *workspace.tf_vars()],
        cwd=workspace.dir, env=workspace.env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _wait_for(lambda: len(emulator.calls("GetConnection")) >= 2 or process.poll() is not None,
                  60, "two GetConnection calls")
        assert process.poll() is None, process.communicate()
        signalled = time.time()
        # Ctrl-C reaches the whole foreground process group: Terraform's panicwrap parent,
        # Terraform itself and the provider. Signalling the parent alone does nothing.
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=5)
        elapsed = time.time() - signalled
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    assert process.returncode != 0, stdout + stderr
    assert elapsed < 5, elapsed
    output = stdout + stderr
    assert "Interrupt received" in output or "interrupted" in output.lower(), output
    late = [c for c in emulator.calls("GetConnection") if c["time"] > signalled + 1]
    assert late == [], late

    state = workspace.resource("gitlab_codebuild_runner.r")
    assert state is not None, "the runner must be in state"
    assert state["host_arn"] and state["connection_arn"]
    assert state["connection_status"] == "PENDING"
    assert state["project_arn"] is None
    resources = emulator.resources()
    assert [h["HostArn"] for h in resources["hosts"]] == [state["host_arn"]]
    assert [c["ConnectionArn"] for c in resources["connections"]] == [state["connection_arn"]]
    assert resources["projects"] == []

    emulator.post("connections/authorize", {"arn": state["connection_arn"]})
    before = len(emulator.calls())
    if state["tainted"]:
        untainted = workspace.run("untaint", "-no-color", "gitlab_codebuild_runner.r")
        assert untainted.code == 0, untainted
    applied = workspace.apply()
    assert applied.code == 0, applied
    after = [c["operation"] for c in emulator.calls()[before:]]
    assert after.count("CreateHost") == 0 and after.count("CreateConnection") == 0, after
    assert after.count("CreateProject") == 1, after
    final = workspace.resource("gitlab_codebuild_runner.r")
    assert final["connection_status"] == "AVAILABLE"
    assert final["connection_arn"] == state["connection_arn"]
