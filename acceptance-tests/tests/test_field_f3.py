"""Field cases F3-4, F3-9 and F3-10 (see shared/cases/field-cases.md): partial failures never
leave unknowns or orphans, an id is saved before a long wait, and unknown values are not
mistaken for missing ones."""

import pytest

from harness import interrupt_when, runner_config

CREATE_20S = '  timeouts {\n    create = "20s"\n  }'
COMPUTED = ["host_arn", "host_status", "connection_arn", "connection_status",
            "authorization_url", "project_arn", "webhook_url", "webhook_payload_url",
            "webhook_secret", "runner_tag", "id"]

# For each failing step: the attributes that must be known, and those that must be null.
STEPS = {
    "CreateConnection": (["host_arn", "runner_tag"],
                         ["connection_arn", "connection_status", "project_arn", "webhook_url"]),
    "CreateProject": (["host_arn", "connection_arn", "connection_status", "runner_tag"],
                      ["project_arn", "webhook_url", "webhook_payload_url", "webhook_secret"]),
    "CreateWebhook": (["host_arn", "connection_arn", "project_arn", "runner_tag"],
                      ["webhook_url", "webhook_payload_url", "webhook_secret"]),
}


@pytest.mark.parametrize("step", sorted(STEPS))
def test_tc_f3_4_partial_failure_never_leaves_unknowns(workspace, emulator, step):
    emulator.post("config", {"authorize_after": 1})
    emulator.post("faults", {"operation": step, "error": "AccessDeniedException",
                             "status": 400, "count": 1,
                             "message": f"User is not authorized to perform {step}"})
    workspace.write(runner_config(extra=CREATE_20S))
    workspace.init()

    applied = workspace.apply()
    assert applied.code == 1, applied
    assert applied.output.count("Error: ") == 1, applied
    assert "invalid result object" not in applied.output
    assert "AccessDeniedException" in applied.output

    state = workspace.resource("gitlab_codebuild_runner.r")
    assert state["tainted"]
    known, null = STEPS[step]
    for name in known:
        assert state[name], f"{name} should be known after a {step} fault: {state}"
    for name in null:
        assert state[name] is None, f"{name} should be null after a {step} fault: {state}"
    assert set(COMPUTED) <= set(state)

    destroyed = workspace.destroy()
    assert destroyed.code == 0, destroyed
    assert emulator.is_empty(), emulator.resources()


VPC = """
  vpc_configuration {
    vpc_id             = "vpc-0123abcd"
    subnet_ids         = ["subnet-0123abcd"]
    security_group_ids = ["sg-0123abcd"]
  }
"""


def test_tc_f3_9_host_id_is_saved_before_the_set_up_wait(workspace, emulator):
    emulator.post("config", {"host_setup_delay": 600})
    workspace.write(runner_config(extra=VPC + '  timeouts {\n    create = "5s"\n  }'))
    workspace.init()

    applied = workspace.apply()
    assert applied.code == 1, applied
    text = " ".join(applied.output.split())
    assert "VPC_CONFIG_INITIALIZING" in text
    state = workspace.resource("gitlab_codebuild_runner.r")
    assert state["tainted"] and state["host_arn"] and state["connection_arn"] is None
    assert state["host_arn"] in text

    # Recovery: the delay clears, untaint, apply again: the same host, one connection.
    emulator.post("config", {"host_setup_delay": 0, "authorize_after": 1})
    untaint = workspace.run("untaint", "gitlab_codebuild_runner.r")
    assert untaint.code == 0, untaint
    host_arn = state["host_arn"]
    resumed = workspace.apply()
    assert resumed.code == 0, resumed
    assert len(emulator.calls("CreateHost")) == 1
    assert len(emulator.calls("CreateConnection")) == 1
    assert workspace.resource("gitlab_codebuild_runner.r")["host_arn"] == host_arn
    assert len(emulator.resources()["hosts"]) == 1


def test_tc_f3_9_destroy_while_tainted_removes_the_host(workspace, emulator):
    emulator.post("config", {"host_setup_delay": 600})
    workspace.write(runner_config(extra=VPC + '  timeouts {\n    create = "3s"\n  }'))
    workspace.init()
    assert workspace.apply().code == 1

    emulator.post("config", {"host_setup_delay": 0})
    destroyed = workspace.destroy()
    assert destroyed.code == 0, destroyed
    assert len(emulator.calls("DeleteHost")) == 1
    assert emulator.is_empty(), emulator.resources()


def test_tc_f3_10_unknown_values_are_not_missing_values(workspace, emulator):
    emulator.post("config", {"authorize_after": 1})
    shared = '  connection_arn = gitlab_codebuild_runner.r1.connection_arn\n' + CREATE_20S
    workspace.write(runner_config(address="r1", extra=CREATE_20S)
                    + runner_config(address="r2", name="runner-b", extra=shared))
    workspace.init()

    plan = workspace.plan()
    assert plan.code == 2, plan
    applied = workspace.apply()
    assert applied.code == 0, applied
    assert len(emulator.calls("CreateHost")) == 1
    assert len(emulator.calls("CreateConnection")) == 1
    r1 = workspace.resource("gitlab_codebuild_runner.r1")
    projects = {c["request"]["name"]: c["request"] for c in emulator.calls("CreateProject")}
    assert projects["runner-b"]["source"]["auth"]["resource"] == r1["connection_arn"]


def test_tc_f3_10_unknown_that_turns_out_invalid_fails_before_any_call(workspace, emulator):
    emulator.post("config", {"authorize_after": 1})
    bad = runner_config(address="r2", extra=CREATE_20S).replace(
        '"runner-a"', '"x${gitlab_codebuild_runner.r1.project_arn}"')
    workspace.write(runner_config(address="r1", extra=CREATE_20S) + bad)
    workspace.init()

    plan = workspace.plan()
    assert plan.code == 2, plan
    applied = workspace.apply()
    assert applied.code == 1, applied
    assert "Invalid CodeBuild Project Name" in applied.output
    names = [c["request"]["name"] for c in emulator.calls("CreateProject")]
    assert names == ["runner-a"]
    assert workspace.resource("gitlab_codebuild_runner.r1")["webhook_payload_url"]


def test_tc_f3_5_reads_right_after_create_tolerate_a_not_found_window(workspace, emulator):
    emulator.post("config", {"authorize_after": 1, "not_found_after_create": {
        "GetHost": 2, "GetConnection": 2, "BatchGetProjects": 2}})
    workspace.write(runner_config(extra=CREATE_20S))
    workspace.init()

    applied = workspace.apply()
    assert applied.code == 0, applied
    assert "present, but now absent" not in applied.output
    for operation in ("CreateHost", "CreateConnection", "CreateProject", "CreateWebhook"):
        assert len(emulator.calls(operation)) == 1, operation
    state = workspace.resource("gitlab_codebuild_runner.r")
    assert state["host_arn"] and state["connection_arn"] and state["project_arn"]

    plan = workspace.plan()
    assert plan.code == 0, plan


@pytest.mark.parametrize("corruption", ["empty_object", "not_json", "wrong_type", "truncated"])
def test_tc_f3_7_malformed_response_fails_one_runner_only(workspace, emulator, corruption):
    emulator.post("config", {"authorize_after": 1})
    emulator.post("faults", {"operation": "CreateProject", "corrupt": corruption, "count": 1,
                             "match": {"name": "runner-a"}})
    workspace.write(runner_config(address="r1", extra=CREATE_20S)
                    + runner_config(address="r2", name="runner-b", extra=CREATE_20S,
                                    gitlab="https://gitlab-b.example.internal"))
    workspace.init()

    applied = workspace.apply()
    assert applied.code == 1, applied
    for crash in ("Plugin did not respond", "plugin crashed", "panicked"):
        assert crash not in applied.output
    assert applied.output.count("Error: ") == 1, applied
    assert "Creating CodeBuild Project Failed" in applied.output
    r2 = workspace.resource("gitlab_codebuild_runner.r2")
    assert r2["webhook_payload_url"] and not r2["tainted"]
    r1 = workspace.resource("gitlab_codebuild_runner.r1")
    assert r1["tainted"] and r1["host_arn"] and r1["connection_arn"]

    untaint = workspace.run("untaint", "gitlab_codebuild_runner.r1")
    assert untaint.code == 0, untaint
    resumed = workspace.apply()
    assert resumed.code == 0, resumed
    assert len(emulator.calls("CreateConnection")) == 2
    assert workspace.plan().code == 0


def test_tc_f3_8_sigint_during_destroy_of_a_vpc_host_then_destroy_converges(
        workspace, emulator):
    emulator.post("config", {"authorize_after": 1, "host_setup_delay": 1})
    workspace.write(runner_config(extra=VPC + CREATE_20S))
    workspace.init()
    assert workspace.apply().code == 0

    # Tearing the VPC attachment down takes long now; interrupt while destroy waits on it.
    emulator.post("config", {"host_setup_delay": 600})
    code, output, seconds = interrupt_when(
        workspace, ["destroy", "-auto-approve", "-no-color", *workspace.tf_vars()],
        lambda: any(h["Status"] == "VPC_CONFIG_DELETING" for h in emulator.resources()["hosts"]))
    assert code != 0, output
    assert seconds < 5, seconds
    state = workspace.resource("gitlab_codebuild_runner.r")
    assert state is not None and state["host_arn"], "the host must stay in state"
    assert state["project_arn"] is None and state["connection_arn"] is None

    emulator.post("config", {"host_setup_delay": 0})
    destroyed = workspace.destroy()
    assert destroyed.code == 0, destroyed
    assert emulator.is_empty(), emulator.resources()
