"""A runner for a whole GitLab group (GITLAB_GROUP scope, BUILD_BATCH), and a runner created
with `wait_for_connection = false` whose project and webhook follow, as an in-place update, in
the first apply after the handshake. Both end to end with the real terraform CLI."""

from harness import runner_config

ADDR = "gitlab_codebuild_runner.r"
CREATE_20S = '  timeouts {\n    create = "20s"\n  }'

GROUP_RUNNER = """
resource "gitlab_codebuild_runner" "r" {
  provider         = gitlab-codebuild
  name             = "platform-group"
  gitlab_url       = "https://gitlab.example.internal"
  service_role_arn = "arn:aws:iam::123456789012:role/cb-runner"
  timeouts {
    create = "20s"
  }
  webhook {
    build_type = "BUILD_BATCH"
    scope {
      name   = "platform"
      domain = "gitlab.example.internal"
    }
    filter_group {
      filter {
        type    = "EVENT"
        pattern = "WORKFLOW_JOB_QUEUED"
      }
      filter {
        type    = "REPOSITORY_NAME"
        pattern = "^(app|docs)$"
      }
    }
  }
}
"""


def flat(text):
    return " ".join(text.split())


def test_group_scoped_webhook_with_batch_builds(workspace, emulator):
    emulator.post("config", {"authorize_after": 1})
    workspace.write(GROUP_RUNNER)
    workspace.init()
    applied = workspace.apply()
    assert applied.code == 0, applied

    [project] = emulator.calls("CreateProject")
    source = project["request"]["source"]
    assert source["type"] == "GITLAB_SELF_MANAGED"
    assert source["location"] == "CODEBUILD_DEFAULT_WEBHOOK_SOURCE_LOCATION"
    [hook] = emulator.calls("CreateWebhook")
    request = hook["request"]
    assert request["projectName"] == "platform-group"
    assert request["buildType"] == "BUILD_BATCH"
    assert request["scopeConfiguration"]["scope"] == "GITLAB_GROUP"
    assert request["scopeConfiguration"]["name"] == "platform"
    assert "gitlab.example.internal" in request["scopeConfiguration"]["domain"]
    assert {"type": "REPOSITORY_NAME", "pattern": "^(app|docs)$"} in [
        {k: f[k] for k in ("type", "pattern")} for f in request["filterGroups"][0]]

    [stored] = emulator.resources()["projects"]
    assert stored["webhook"]["buildType"] == "BUILD_BATCH"
    assert stored["webhook"]["scopeConfiguration"]["scope"] == "GITLAB_GROUP"
    state = workspace.resource(ADDR)
    assert "/groups/platform/hooks/" in state["webhook_url"]
    assert state["source_location"] in (None, "CODEBUILD_DEFAULT_WEBHOOK_SOURCE_LOCATION")
    assert state["runner_tag"] == \
        "codebuild-platform-group-$CI_PROJECT_ID-$CI_PIPELINE_IID-$CI_JOB_NAME"
    clean = workspace.plan()
    assert clean.code == 0, clean

    # Another group cannot be set with UpdateWebhook: the webhook is recreated in place.
    workspace.write(GROUP_RUNNER.replace('name   = "platform"', 'name   = "tools"'))
    plan = workspace.plan()
    assert plan.code == 2 and "must be replaced" not in plan.output, plan
    seen = len(emulator.calls())
    assert workspace.apply().code == 0
    ops = [c["operation"] for c in emulator.calls()[seen:]
           if not c["operation"].startswith(("Get", "Batch", "List"))]
    assert ops == ["DeleteWebhook", "CreateWebhook"], ops
    assert emulator.calls("CreateWebhook")[-1]["request"]["scopeConfiguration"]["name"] == \
        "tools"
    assert workspace.plan().code == 0

    assert workspace.destroy().code == 0
    assert emulator.is_empty()


def test_wait_for_connection_false_defers_project_and_webhook(workspace, emulator):
    no_wait = "  wait_for_connection = false\n" + CREATE_20S
    workspace.write(runner_config(extra=no_wait))
    workspace.init()
    planned = workspace.plan()
    assert planned.code == 2, planned
    assert "wait_for_connection = false, apply does not wait" in flat(planned.output)

    created = workspace.apply()
    assert created.code == 0, created
    text = flat(created.output)
    assert "Warning: Connection Not Authorized Yet" in created.output, created
    assert "Creation complete" in text
    state = workspace.resource(ADDR)
    assert not state["tainted"]
    assert state["host_arn"] and state["connection_arn"]
    assert state["connection_status"] == "PENDING"
    assert state["project_arn"] is None and state["webhook_payload_url"] is None
    assert state["authorization_url"] in text
    assert emulator.calls("CreateProject") == [] and emulator.calls("CreateWebhook") == []

    emulator.post("connections/authorize", {"arn": state["connection_arn"]})
    plan = workspace.plan()
    assert plan.code == 2, plan
    assert '~ resource "gitlab_codebuild_runner" "r"' in plan.output
    assert "must be replaced" not in plan.output and "Connection Not Authorized" not in plan.output
    assert "1 to change" in plan.output

    seen = len(emulator.calls())
    updated = workspace.apply()
    assert updated.code == 0, updated
    assert "Modifications complete" in updated.output
    ops = [c["operation"] for c in emulator.calls()[seen:]]
    assert [ops.count(o) for o in ("CreateHost", "CreateConnection", "CreateProject",
                                   "CreateWebhook")] == [0, 0, 1, 1], ops
    after = workspace.resource(ADDR)
    assert after["connection_arn"] == state["connection_arn"]
    assert after["host_arn"] == state["host_arn"]
    assert after["connection_status"] == "AVAILABLE" and after["project_arn"]
    assert after["webhook_payload_url"]
    clean = workspace.plan()
    assert clean.code == 0, clean
    assert workspace.destroy().code == 0
    assert emulator.is_empty()
