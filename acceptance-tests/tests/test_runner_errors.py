"""The errors users hit today (issue 5, item 9), each through the real terraform CLI against the
emulator: the diagnostic names the piece, carries AWS's words and says what to do, and the
documented way out works."""

import boto3

from harness import provider_block, runner_config

ADDR = "gitlab_codebuild_runner.r"
CREATE_20S = '  timeouts {\n    create = "20s"\n  }'
REPO_NOT_FOUND = ("Failed to create webhook. Repository not found or permission denied. Please "
                  "make sure the source credentials associated with your project have the "
                  "permission to create webhook.")


def aws(emulator, service):
    """A boto3 client for out-of-band changes, pointed at the emulator with fake keys."""
    return boto3.client(service, endpoint_url=emulator.url, region_name="us-east-1",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="fake")


def flat(text):
    return " ".join(text.split())


def ops_since(emulator, seen):
    return [c["operation"] for c in emulator.calls()[seen:]]


def creates(ops):
    return [ops.count(o) for o in ("CreateHost", "CreateConnection", "CreateProject",
                                   "CreateWebhook")]


def fail_then_resume(workspace, emulator, expected_in_error):
    """Applies, expects one error carrying `expected_in_error`, and returns the failed state."""
    emulator.post("config", {"authorize_after": 1})
    workspace.write(runner_config(extra=CREATE_20S))
    workspace.init()
    failed = workspace.apply()
    assert failed.code == 1, failed
    assert failed.output.count("Error: ") == 1, failed
    text = flat(failed.output)
    for part in expected_in_error:
        assert part in text, (part, failed)
    state = workspace.resource(ADDR)
    assert state["tainted"] and state["project_arn"] and state["webhook_url"] is None
    assert state["connection_status"] == "AVAILABLE"
    return state


def resume(workspace, emulator):
    """The documented recovery: untaint, apply; only the webhook is created."""
    seen = len(emulator.calls())
    assert workspace.run("untaint", ADDR).code == 0
    again = workspace.apply()
    assert again.code == 0, again
    assert creates(ops_since(emulator, seen)) == [0, 0, 0, 1]
    assert workspace.plan().code == 0


def test_service_role_without_connection_permission(workspace, emulator):
    emulator.post("config", {"role_lacks_connection_permission": True})
    state = fail_then_resume(workspace, emulator, [
        "Creating CodeBuild Webhook Failed", "Access denied to connection",
        "service role", "arn:aws:iam::123456789012:role/cb-runner",
        "codeconnections:UseConnection", "codeconnections:GetConnectionToken",
        "terraform untaint"])
    assert len(emulator.calls("CreateConnection")) == 1
    emulator.post("config", {"role_lacks_connection_permission": False})
    resume(workspace, emulator)
    assert workspace.resource(ADDR)["connection_arn"] == state["connection_arn"]


def test_no_webhook_while_the_connection_is_pending(workspace, emulator):
    no_wait = "  wait_for_connection = false\n" + CREATE_20S
    workspace.write(runner_config(extra=no_wait))
    workspace.init()
    applied = workspace.apply()
    assert applied.code == 0, applied
    assert "Connection Not Authorized Yet" in applied.output
    for _ in range(2):
        plan = workspace.plan()
        assert plan.code == 0, plan
        text = flat(plan.output)
        assert "still PENDING" in text and "terraform apply" in text, plan
        assert workspace.resource(ADDR)["authorization_url"] in text
        again = workspace.apply()
        assert again.code == 0, again
    assert emulator.calls("CreateProject") == [] and emulator.calls("CreateWebhook") == []


def test_webhook_refused_because_the_connection_is_not_available(workspace, emulator):
    # The state said AVAILABLE, but AWS saw the connection lose its authorization between
    # the refresh and CreateWebhook.
    emulator.post("faults", {"operation": "CreateWebhook", "error": "InvalidInputException",
                             "count": 1, "message": "Connection is not in AVAILABLE state"})
    state = fail_then_resume(workspace, emulator, [
        "Creating CodeBuild Webhook Failed", "not in AVAILABLE state",
        "Update pending connection", "terraform untaint"])
    resume(workspace, emulator)


def test_repository_not_found_through_the_connection(workspace, emulator):
    emulator.post("faults", {"operation": "CreateWebhook", "error": "OAuthProviderException",
                             "count": 1, "message": REPO_NOT_FOUND})
    fail_then_resume(workspace, emulator, [
        "Creating CodeBuild Webhook Failed", "OAuthProviderException",
        "Repository not found or permission denied",
        "https://gitlab.example.internal/platform/app", "source_location", "Maintainer",
        "terraform untaint"])
    resume(workspace, emulator)


def test_project_name_taken_by_a_project_that_is_not_this_runners(workspace, emulator):
    cb = aws(emulator, "codebuild")
    foreign = dict(
        name="runner-a", artifacts={"type": "NO_ARTIFACTS"},
        serviceRole="arn:aws:iam::123456789012:role/someone-else",
        source={"type": "NO_SOURCE", "buildspec": "version: 0.2\nphases: {}\n"},
        environment={"type": "LINUX_CONTAINER", "computeType": "BUILD_GENERAL1_SMALL",
                     "image": "aws/codebuild/amazonlinux-x86_64-standard:5.0"})
    cb.create_project(**foreign)
    cb.create_webhook(projectName="runner-a",
                      filterGroups=[[{"type": "EVENT", "pattern": "PUSH"}]])
    before = emulator.resources()["projects"]
    seen = len(emulator.calls())

    emulator.post("config", {"authorize_after": 1})
    workspace.write(runner_config(extra=CREATE_20S))
    workspace.init()
    failed = workspace.apply()
    assert failed.code == 1, failed
    text = flat(failed.output)
    for part in ["Creating CodeBuild Project Failed", "ResourceAlreadyExistsException",
                 "terraform import", "name"]:
        assert part in text, (part, failed)
    state = workspace.resource(ADDR)
    assert state["project_arn"] is None and state["webhook_url"] is None

    # Neither a refresh, nor another apply (which replaces the tainted runner), nor destroy
    # touches the other project.
    plan = workspace.plan()
    assert plan.code == 2, plan
    assert workspace.resource(ADDR)["project_arn"] is None
    again = workspace.apply()
    assert again.code == 1 and "ResourceAlreadyExistsException" in again.output, again
    assert workspace.destroy().code == 0
    ops = ops_since(emulator, seen)
    for op in ("UpdateProject", "DeleteProject", "DeleteWebhook", "CreateWebhook",
               "UpdateWebhook"):
        assert op not in ops, (op, ops)
    left = emulator.resources()
    assert left["hosts"] == [] and left["connections"] == []
    assert left["projects"] == before


def test_throttling_is_retried_and_apply_succeeds(workspace, emulator):
    emulator.post("config", {"authorize_after": 1})
    for op in ("CreateHost", "CreateConnection", "CreateProject", "CreateWebhook"):
        emulator.post("faults", {"operation": op, "error": "ThrottlingException", "count": 2,
                                 "message": "Rate exceeded"})
    emulator.post("throttle", {"operation": "GetConnection", "rate": 2, "burst": 1})
    workspace.write(runner_config(extra=CREATE_20S))
    workspace.init()
    applied = workspace.apply()
    assert applied.code == 0, applied
    for op in ("CreateHost", "CreateConnection", "CreateProject", "CreateWebhook"):
        errors = [c["error"] for c in emulator.calls(op)]
        assert errors == ["ThrottlingException", "ThrottlingException", None], (op, errors)
    assert workspace.plan().code == 0


def test_unending_throttling_names_the_piece_and_max_retries(workspace, emulator):
    emulator.post("config", {"authorize_after": 1})
    emulator.post("faults", {"operation": "CreateProject", "error": "ThrottlingException",
                             "message": "Rate exceeded"})
    provider = provider_block(max_retries=2)
    workspace.write(provider + runner_config(extra=CREATE_20S))
    workspace.init()
    failed = workspace.apply()
    assert failed.code == 1, failed
    text = flat(failed.output)
    for part in ["Creating CodeBuild Project Failed", "ThrottlingException", "Rate exceeded",
                 "max_retries"]:
        assert part in text, (part, failed)
    assert len(emulator.calls("CreateProject")) == 3
    state = workspace.resource(ADDR)
    assert state["connection_status"] == "AVAILABLE" and state["project_arn"] is None

    emulator.control("DELETE", "faults")
    seen = len(emulator.calls())
    assert workspace.run("untaint", ADDR).code == 0
    assert workspace.apply().code == 0
    assert creates(ops_since(emulator, seen)) == [0, 0, 1, 1]
