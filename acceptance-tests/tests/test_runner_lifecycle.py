"""The first complete path: one apply creates the runner against the emulator, a second plan
is clean, destroy leaves nothing, and a connection nobody authorizes fails cleanly."""

from harness import runner_config


def test_apply_waits_for_authorization_then_plan_is_clean_and_destroy_leaves_nothing(
        workspace, emulator):
    emulator.post("config", {"authorize_after": 2})
    workspace.write(runner_config(extra='  timeouts {\n    create = "2m"\n  }') + """
output "tag" {
  value = gitlab_codebuild_runner.r.runner_tag
}
""")
    workspace.init()

    plan = workspace.plan()
    assert plan.code == 2, plan
    assert "Apply Will Wait For The Connection Handshake" in plan.output

    applied = workspace.apply()
    assert applied.code == 0, applied
    assert "codebuild-runner-a-$CI_PROJECT_ID-$CI_PIPELINE_IID-$CI_JOB_NAME" in applied.stdout

    state = workspace.resource("gitlab_codebuild_runner.r")
    assert state["connection_status"] == "AVAILABLE"
    assert state["host_arn"].startswith("arn:aws:codeconnections:us-east-1:123456789012:host/")
    assert state["project_arn"] == "arn:aws:codebuild:us-east-1:123456789012:project/runner-a"
    assert state["webhook_payload_url"]
    assert state["webhook_secret"] is None
    assert "/codeconnections/connections/" in state["authorization_url"]

    resources = emulator.resources()
    assert len(resources["hosts"]) == 1 and len(resources["connections"]) == 1
    [project] = resources["projects"]
    assert project["webhook"] is not None

    [create_project] = emulator.calls("CreateProject")
    source = create_project["request"]["source"]
    assert source["type"] == "GITLAB_SELF_MANAGED"
    assert source["auth"] == {"type": "CODECONNECTIONS", "resource": state["connection_arn"]}
    assert create_project["request"]["artifacts"] == {"type": "NO_ARTIFACTS"}
    [create_webhook] = emulator.calls("CreateWebhook")
    assert create_webhook["request"]["filterGroups"] == [
        [{"type": "EVENT", "pattern": "WORKFLOW_JOB_QUEUED"}]]

    again = workspace.plan()
    assert again.code == 0, again

    destroyed = workspace.destroy()
    assert destroyed.code == 0, destroyed
    assert emulator.is_empty(), emulator.resources()
    order = [c["operation"] for c in emulator.calls() if c["operation"].startswith("Delete")]
    assert order == ["DeleteWebhook", "DeleteProject", "DeleteConnection", "DeleteHost"]


def test_connection_never_authorized_fails_at_the_timeout_naming_the_connection(
        workspace, emulator):
    workspace.write(runner_config(extra='  timeouts {\n    create = "4s"\n  }'))
    workspace.init()

    applied = workspace.apply()
    assert applied.code == 1, applied
    assert "Timed Out Waiting For The Connection" in applied.output
    state = workspace.resource("gitlab_codebuild_runner.r")
    assert state["tainted"]
    assert state["connection_arn"] in " ".join(applied.output.split())
    assert state["authorization_url"] in " ".join(applied.output.split())
    assert state["connection_status"] == "PENDING"
    assert state["project_arn"] is None
    assert emulator.calls("CreateProject") == []

    destroyed = workspace.destroy()
    assert destroyed.code == 0, destroyed
    assert emulator.is_empty(), emulator.resources()


def test_invalid_arguments_are_reported_at_validate_with_no_aws_call(workspace, emulator):
    workspace.write(runner_config(name="-bad name"))
    workspace.init()
    result = workspace.validate()
    assert result.code == 1, result
    assert "Invalid CodeBuild Project Name" in result.output
    assert 'name             = "-bad name"' in result.output
    assert emulator.calls() == []
