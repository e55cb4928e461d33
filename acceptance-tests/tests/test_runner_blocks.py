"""Optional blocks can be removed again: Terraform 1.0 proposes the prior block when the
configuration drops it, and the plan must follow the configuration instead."""

from harness import runner_config

BLOCKS = """
  timeouts {
    create = "20s"
  }
  environment {
    compute_type = "BUILD_GENERAL1_MEDIUM"
  }
  webhook {
    build_type = "BUILD_BATCH"
  }
  cache {
    type  = "LOCAL"
    modes = ["LOCAL_DOCKER_LAYER_CACHE"]
  }
"""


def test_removing_optional_blocks_plans_an_update_and_settles(workspace, emulator):
    emulator.post("config", {"authorize_after": 1})
    workspace.write(runner_config(extra=BLOCKS))
    workspace.init()
    applied = workspace.apply()
    assert applied.code == 0, applied

    workspace.write(runner_config())
    plan = workspace.plan()
    assert plan.code == 2, plan
    assert "invalid plan" not in plan.output
    assert "must be replaced" not in plan.output

    before = len(emulator.calls())
    updated = workspace.apply()
    assert updated.code == 0, updated
    calls = [c["operation"] for c in emulator.calls()[before:]]
    assert "CreateHost" not in calls and "CreateConnection" not in calls, calls
    [update] = [c for c in emulator.calls()[before:] if c["operation"] == "UpdateProject"]
    assert update["request"]["environment"]["computeType"] == "BUILD_GENERAL1_SMALL"
    state = workspace.resource("gitlab_codebuild_runner.r")
    assert state["timeouts"] is None and state["environment"] is None

    settled = workspace.plan()
    assert settled.code == 0, settled
