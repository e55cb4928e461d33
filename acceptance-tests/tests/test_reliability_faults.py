"""The fault matrix (issue 7, item 1): every AWS call the provider makes gets a retriable
fault (a throttle, then a 500) and a terminal one (a validation error or access denied)
through the emulator, in the phase that makes the call. Retriable faults are retried by the
SDK and the apply succeeds; terminal ones end it with a diagnostic naming the piece; either
way the state names exactly what exists, and a destroy leaves nothing.

docs/reliability.md has the same matrix as a table."""

import pytest

from harness import runner_config
from reliability_support import assert_state_matches_emulator, provider_with_retries

BASE_URL = "https://gitlab.example.internal"
MOVED_URL = "https://gitlab2.example.internal"
TIMEOUTS = '  timeouts {\n    create = "20s"\n    update = "20s"\n    delete = "20s"\n  }\n'

# (phase, operation, summary of the diagnostic a terminal fault gives)
MATRIX = [
    ("create", "CreateHost", "Creating CodeConnections Host Failed"),
    ("create", "GetHost", "Waiting For CodeConnections Host Failed"),
    ("create", "CreateConnection", "Creating CodeConnections Connection Failed"),
    ("create", "GetConnection", "Waiting For CodeConnections Connection Failed"),
    ("create", "CreateProject", "Creating CodeBuild Project Failed"),
    ("create", "BatchGetProjects", "Reading CodeBuild Project Failed"),
    ("create", "CreateWebhook", "Creating CodeBuild Webhook Failed"),
    ("update", "UpdateHost", "Updating CodeConnections Host Failed"),
    ("update", "TagResource", "Tagging CodeConnections Host Failed"),
    ("update", "UntagResource", "Tagging CodeConnections Host Failed"),
    ("update", "UpdateProject", "Updating CodeBuild Project Failed"),
    ("update", "UpdateWebhook", "Updating CodeBuild Webhook Failed"),
    ("destroy", "DeleteWebhook", "Deleting CodeBuild Webhook Failed"),
    ("destroy", "DeleteProject", "Deleting CodeBuild Project Failed"),
    ("destroy", "DeleteConnection", "Deleting CodeConnections Connection Failed"),
    ("destroy", "DeleteHost", "Deleting CodeConnections Host Failed"),
]

CODECONNECTIONS = {"CreateHost", "GetHost", "CreateConnection", "GetConnection", "UpdateHost",
                   "TagResource", "UntagResource", "DeleteConnection", "DeleteHost"}
MARK = "injected by the reliability matrix"


def terminal_fault(operation):
    """Creates and updates get the service's validation error, everything else access
    denied: the two kinds of refusal a retry cannot fix."""
    if operation.startswith(("Create", "Update")):
        code = "ValidationException" if operation in CODECONNECTIONS else "InvalidInputException"
    else:
        code = "AccessDeniedException"
    return {"operation": operation, "error": code, "status": 400, "count": 1,
            "message": f"{code} {MARK}"}


def retriable_faults(operation):
    """A throttle and then a server error on the same call: two retries before success."""
    return [
        {"operation": operation, "error": "ThrottlingException", "status": 400, "count": 1,
         "message": "Rate exceeded"},
        {"operation": operation, "error": "InternalFailure", "status": 500, "count": 1,
         "message": f"server error {MARK}"},
    ]


def config(retries, updated=False):
    """The runner before (tags team=a, old=x) or after the update phase's change (moved GitLab
    URL, tags team=b, build type BUILD_BATCH): UpdateHost, Tag/UntagResource, UpdateProject
    and UpdateWebhook each run once per piece."""
    gitlab = MOVED_URL if updated else BASE_URL
    tags = '{ team = "b" }' if updated else '{ team = "a", old = "x" }'
    build_type = "BUILD_BATCH" if updated else "BUILD"
    extra = (f"  tags = {tags}\n  webhook {{\n    build_type = \"{build_type}\"\n  }}\n"
             + TIMEOUTS)
    return provider_with_retries(retries) + runner_config(extra=extra, gitlab=gitlab)


def phase_calls(emulator, since, operation):
    return [c for c in emulator.calls()[since:] if c["operation"] == operation]


@pytest.mark.parametrize("kind", ["retriable", "terminal"])
@pytest.mark.parametrize("phase,operation,summary", MATRIX,
                         ids=[f"{p}-{o}" for p, o, _ in MATRIX])
def test_fault_matrix(workspace, emulator, phase, operation, summary, kind):
    # The handshake completes by itself; UpdateHost is accepted on the authorized host.
    emulator.post("config", {"authorize_after": 0, "update_available_host": True})
    retries = 3 if kind == "retriable" else 1
    workspace.write(config(retries))
    workspace.init()
    if phase != "create":
        created = workspace.apply()
        assert created.code == 0, created
    if phase == "update":
        workspace.write(config(retries, updated=True))

    since = len(emulator.calls())
    for fault in retriable_faults(operation) if kind == "retriable" else [
            terminal_fault(operation)]:
        emulator.post("faults", fault)
    result = workspace.destroy() if phase == "destroy" else workspace.apply()
    calls = phase_calls(emulator, since, operation)
    assert calls, f"{operation} was never called during {phase}"
    assert emulator.get("faults") in ([], {"faults": []}), "every fault must have been used"

    if kind == "retriable":
        assert result.code == 0, result
        assert [c["error"] for c in calls[:3]] == ["ThrottlingException", "InternalFailure",
                                                   None], calls
        assert [c["request"] for c in calls[:3]] == [calls[0]["request"]] * 3
        if phase == "destroy":
            assert emulator.is_empty(), emulator.resources()
            return
    else:
        assert result.code == 1, result
        output = " ".join(result.output.split())
        assert summary in output, result
        assert f"{terminal_fault(operation)['error']}: {terminal_fault(operation)['error']} " \
               f"{MARK}" in output, result
        assert len([c for c in calls if c["error"]]) == 1, "terminal faults are not retried"
        if terminal_fault(operation)["error"] == "AccessDeniedException":
            assert "Grant the missing" in output, result
        assert "panic" not in result.output.lower()

    assert_state_matches_emulator(workspace, emulator)
    destroyed = workspace.destroy()
    assert destroyed.code == 0, destroyed
    assert emulator.is_empty(), emulator.resources()


def test_throttling_that_outlasts_the_retries_fails_with_the_retry_hint(workspace, emulator):
    emulator.post("config", {"authorize_after": 0})
    workspace.write(config(1))
    workspace.init()
    emulator.post("faults", {"operation": "CreateWebhook", "error": "ThrottlingException",
                             "status": 400, "message": "Rate exceeded"})
    applied = workspace.apply()
    assert applied.code == 1, applied
    output = " ".join(applied.output.split())
    assert "Creating CodeBuild Webhook Failed" in output
    assert "Raise `max_retries`" in output
    # max_retries = 1: the first attempt and one retry, nothing more.
    assert [c["error"] for c in emulator.calls("CreateWebhook")] == ["ThrottlingException"] * 2
    assert_state_matches_emulator(workspace, emulator)
    emulator.control("DELETE", "faults")
    destroyed = workspace.destroy()
    assert destroyed.code == 0, destroyed
    assert emulator.is_empty(), emulator.resources()


def test_waits_poll_through_throttling_that_outlasts_the_retries(workspace, emulator):
    # The -parallelism 50 load case: while waiting for the handshake, status reads keep being
    # throttled past the SDK's retries. The wait must poll on until its own deadline.
    emulator.post("config", {"authorize_after": 2})
    emulator.post("faults", {"operation": "GetConnection", "error": "ThrottlingException",
                             "status": 400, "message": "Rate exceeded", "count": 6})
    workspace.write(provider_with_retries(1) + runner_config(extra=TIMEOUTS))
    workspace.init()

    applied = workspace.apply()
    assert applied.code == 0, applied
    errors = [c["error"] for c in emulator.calls("GetConnection")]
    assert errors[:6] == ["ThrottlingException"] * 6 and errors[-1] is None, errors
    runner = workspace.resource("gitlab_codebuild_runner.r")
    assert runner["connection_status"] == "AVAILABLE"
    assert_state_matches_emulator(workspace, emulator)
