"""Field cases F1-1, F1-3, F1-5, F1-6, F2-1, F2-4, F2-5, F2-7 and F2-8 (see
shared/cases/field-cases.md), each against the real terraform CLI and the emulator."""

import re
import threading
import time

import boto3
import pytest

from harness import runner_config

ADDR = "gitlab_codebuild_runner.r"
CREATE_20S = '  timeouts {\n    create = "20s"\n  }'


def aws(emulator, service):
    """A boto3 client for out-of-band changes, pointed at the emulator with fake keys."""
    return boto3.client(service, endpoint_url=emulator.url, region_name="us-east-1",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="fake")


def flat(text):
    return " ".join(text.split())


def counts(emulator, *operations):
    return {op: len(emulator.calls(op)) for op in operations}


def apply_base(workspace, emulator, extra=CREATE_20S, **kw):
    emulator.post("config", {"authorize_after": 1})
    workspace.write(runner_config(extra=extra, **kw))
    workspace.init()
    applied = workspace.apply()
    assert applied.code == 0, applied
    clean = workspace.plan()
    assert clean.code == 0, clean
    return workspace.resource(ADDR)


def test_tc_f1_1_connection_lost_outside_terraform(workspace, emulator):
    before = apply_base(workspace, emulator)
    aws(emulator, "codebuild").delete_webhook(projectName="runner-a")
    aws(emulator, "codeconnections").delete_connection(ConnectionArn=before["connection_arn"])
    seen = len(emulator.calls())

    plan = workspace.plan()
    assert plan.code == 2, plan
    assert f"~ resource \"gitlab_codebuild_runner\" \"r\"" in plan.output
    assert "must be replaced" not in plan.output
    assert "Apply Will Wait For The Connection Handshake" in plan.output
    for attr in ["connection_arn", "connection_status", "authorization_url", "webhook_url"]:
        assert re.search(rf"[~+] {attr}\s+=.*\(known after apply\)", plan.output), attr

    applied = workspace.apply()
    assert applied.code == 0, applied
    after = workspace.resource(ADDR)
    assert after["host_arn"] == before["host_arn"]
    assert after["connection_arn"] != before["connection_arn"]
    calls = emulator.calls()[seen:]
    ops = [c["operation"] for c in calls]
    assert ops.count("CreateHost") == 0 and ops.count("CreateConnection") == 1
    [update] = [c for c in calls if c["operation"] == "UpdateProject"]
    assert update["request"]["source"]["auth"]["resource"] == after["connection_arn"]
    assert ops.count("CreateWebhook") == 1
    assert workspace.plan().code == 0


def test_tc_f1_3_request_shape_and_terse_webhook_error(workspace, emulator):
    state = apply_base(workspace, emulator)
    [create] = emulator.calls("CreateProject")
    source = create["request"]["source"]
    assert source["type"] == "GITLAB_SELF_MANAGED"
    assert source["location"] == "https://gitlab.example.internal/platform/app"
    assert source["auth"] == {"type": "CODECONNECTIONS", "resource": state["connection_arn"]}
    assert create["request"]["artifacts"] == {"type": "NO_ARTIFACTS"}
    [hook] = emulator.calls("CreateWebhook")
    assert hook["request"]["filterGroups"] == [[{"type": "EVENT",
                                                 "pattern": "WORKFLOW_JOB_QUEUED"}]]
    assert workspace.destroy().code == 0

    emulator.post("faults", {"operation": "CreateWebhook", "error": "InvalidInputException",
                             "status": 400, "count": 1, "message": ""})
    applied = workspace.apply()
    assert applied.code == 1, applied
    assert applied.output.count("Error: ") == 1, applied
    text = flat(applied.output)
    assert "Creating CodeBuild Webhook Failed" in text
    for part in ["InvalidInputException", '"runner-a"', "GITLAB_SELF_MANAGED",
                 "https://gitlab.example.internal/platform/app", "in status AVAILABLE"]:
        assert part in text, part
    failed = workspace.resource(ADDR)
    assert failed["tainted"] and failed["project_arn"] and failed["webhook_url"] is None
    assert failed["host_arn"] and failed["connection_arn"]

    seen = len(emulator.calls())
    assert workspace.run("untaint", ADDR).code == 0
    again = workspace.apply()
    assert again.code == 0, again
    ops = [c["operation"] for c in emulator.calls()[seen:]]
    assert [ops.count(o) for o in ("CreateHost", "CreateConnection", "CreateProject",
                                   "CreateWebhook")] == [0, 0, 0, 1]


def test_tc_f1_5_webhook_without_job_event_and_role_propagation(workspace, emulator):
    push_only = """  webhook {
    filter_group {
      filter {
        type    = "EVENT"
        pattern = "PUSH"
      }
    }
  }"""
    workspace.write(runner_config(extra=push_only))
    workspace.init()
    invalid = workspace.validate()
    assert invalid.code == 1, invalid
    assert "Runner Webhook Without WORKFLOW_JOB_QUEUED" in invalid.output
    assert "filter_group" in invalid.output
    assert emulator.calls() == []

    role = "arn:aws:iam::123456789012:role/cb-runner"
    message = f"CodeBuild is not authorized to perform: sts:AssumeRole on {role}"
    emulator.post("config", {"authorize_after": 1})
    emulator.post("faults", {"operation": "CreateProject", "error": "InvalidInputException",
                             "status": 400, "count": 2, "message": message})
    workspace.write(runner_config(extra=CREATE_20S))
    applied = workspace.apply()
    assert applied.code == 0, applied
    assert len(emulator.calls("CreateProject")) == 3
    assert workspace.destroy().code == 0

    emulator.post("faults", {"operation": "CreateProject", "error": "InvalidInputException",
                             "status": 400, "message": message})
    workspace.write(runner_config(extra='  timeouts {\n    create = "8s"\n  }'))
    failed = workspace.apply()
    assert failed.code == 1, failed
    assert failed.seconds < 30
    text = flat(failed.output)
    assert "Creating CodeBuild Project Failed" in text
    assert role in text and "codebuild.amazonaws.com" in text
    state = workspace.resource(ADDR)
    assert state["connection_status"] == "AVAILABLE" and state["project_arn"] is None

    emulator.control("DELETE", "faults")
    seen = len(emulator.calls())
    assert workspace.run("untaint", ADDR).code == 0
    assert workspace.apply().code == 0
    ops = [c["operation"] for c in emulator.calls()[seen:]]
    assert ops.count("CreateConnection") == 0 and ops.count("CreateProject") == 1


def test_tc_f1_6_delete_order_and_hook_limit(workspace, emulator):
    emulator.post("config", {"authorize_after": 1})
    workspace.write(runner_config(extra=CREATE_20S))
    workspace.init()
    for round_ in range(3):
        assert workspace.apply().code == 0
        start = len(emulator.calls())
        assert workspace.destroy().code == 0
        deletes = [c["operation"] for c in emulator.calls()[start:]
                   if c["operation"].startswith("Delete")]
        assert deletes == ["DeleteWebhook", "DeleteProject", "DeleteConnection", "DeleteHost"]
        assert emulator.is_empty(), emulator.resources()
    assert len(emulator.calls("DeleteWebhook")) == 3

    emulator.post("faults", {"operation": "CreateWebhook", "error": "OAuthProviderException",
                             "status": 400,
                             "message": "Failed to create webhook. GitLab webhook limit reached."})
    failed = workspace.apply()
    assert failed.code == 1, failed
    assert len(emulator.calls("CreateWebhook")) == 4  # three rounds, then exactly one
    text = flat(failed.output)
    assert "https://gitlab.example.internal/platform/app" in text
    assert "stale CodeBuild hooks" in text
    state = workspace.resource(ADDR)
    assert state["host_arn"] and state["connection_arn"] and state["project_arn"]


VPC = """  vpc_configuration {
    vpc_id             = "vpc-0123abcd"
    subnet_ids         = ["subnet-0000000a", "subnet-0000000b"]
    security_group_ids = ["sg-00000001"]
  }"""


def test_tc_f2_1_vpc_and_endpoint_changes_reach_aws(workspace, emulator):
    # The emulator, like the console guide, lets a host change only while it is PENDING, so
    # the runner is created without waiting for the handshake.
    no_wait = "  wait_for_connection = false\n" + CREATE_20S
    workspace.write(runner_config(extra=no_wait))
    workspace.init()
    assert workspace.apply().code == 0
    before = workspace.resource(ADDR)

    emulator.post("config", {"host_setup_delay": 3})
    workspace.write(runner_config(extra=no_wait + "\n" + VPC))
    plan = workspace.plan()
    assert plan.code == 2, plan
    assert "must be replaced" not in plan.output
    assert "~ resource" in plan.output
    applied = workspace.apply()
    assert applied.code == 0, applied
    assert applied.seconds >= 3
    [update] = emulator.calls("UpdateHost")
    assert update["request"]["HostArn"] == before["host_arn"]
    assert update["request"]["ProviderEndpoint"] == "https://gitlab.example.internal"
    assert update["request"]["VpcConfiguration"]["VpcId"] == "vpc-0123abcd"
    assert update["request"]["VpcConfiguration"]["SubnetIds"] == ["subnet-0000000a",
                                                                  "subnet-0000000b"]
    host = aws(emulator, "codeconnections").get_host(HostArn=before["host_arn"])
    assert host["VpcConfiguration"]["SecurityGroupIds"] == ["sg-00000001"]
    after = workspace.resource(ADDR)
    assert after["connection_arn"] == before["connection_arn"]
    assert workspace.plan().code == 0

    emulator.post("config", {"host_setup_delay": 0})
    moved = runner_config(extra=no_wait + "\n" + VPC, gitlab="https://gitlab2.example.internal")
    workspace.write(moved)
    assert workspace.apply().code == 0
    updates = emulator.calls("UpdateHost")
    assert len(updates) == 2
    assert updates[1]["request"]["ProviderEndpoint"] == "https://gitlab2.example.internal"
    assert workspace.plan().code == 0
    assert emulator.calls("CreateHost") and len(emulator.calls("CreateHost")) == 1


def test_tc_f2_4_server_additions_are_not_drift(workspace, emulator):
    emulator.post("config", {"server_defaults": True})
    apply_base(workspace, emulator)
    env = """  environment {
    variable {
      name  = "FOO"
      value = "bar"
    }
  }"""
    workspace.write(runner_config(extra=CREATE_20S + "\n" + env))
    plan = workspace.plan()
    assert plan.code == 2, plan
    assert "FOO" in plan.output and "CODEBUILD_CONFIG_AUTO_DISCOVER" not in plan.output
    assert workspace.apply().code == 0
    assert len(emulator.calls("UpdateProject")) == 1
    assert workspace.plan().code == 0
    assert workspace.apply().code == 0
    assert len(emulator.calls("UpdateProject")) == 1


def test_tc_f2_5_webhook_secret(workspace, emulator):
    state = apply_base(workspace, emulator)
    assert state["webhook_secret"] is None
    assert workspace.destroy().code == 0

    manual = CREATE_20S + "\n  webhook {\n    manual_creation = true\n  }"
    workspace.write(runner_config(extra=manual))
    trace = {"TF_LOG": "trace"}
    planned = workspace.plan(env=trace)
    applied = workspace.apply(env=trace)
    assert applied.code == 0, applied
    state = workspace.resource(ADDR)
    secret = state["webhook_secret"]
    assert secret and state["webhook_payload_url"]
    shown = workspace.run("show", "-no-color")
    assert "(sensitive value)" in shown.stdout and secret not in shown.stdout
    refreshed = workspace.run("apply", "-refresh-only", "-auto-approve", "-no-color",
                              *workspace.tf_vars())
    assert refreshed.code == 0, refreshed
    assert workspace.resource(ADDR)["webhook_secret"] == secret
    again = workspace.plan(env=trace)
    assert again.code == 0, again
    for result in (planned, applied, refreshed, again):
        assert secret not in result.output


def test_tc_f2_7_project_auth_drift_and_shared_switch(workspace, emulator):
    state = apply_base(workspace, emulator)
    other = state["connection_arn"].rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    aws(emulator, "codebuild").update_project(
        name="runner-a", source={"type": "GITLAB_SELF_MANAGED",
                                 "location": "https://gitlab.example.internal/platform/app",
                                 "auth": {"type": "CODECONNECTIONS", "resource": other}})
    plan = workspace.plan()
    assert plan.code == 2, plan
    assert "source_connection_arn" in plan.output and "must be replaced" not in plan.output
    seen = len(emulator.calls())
    assert workspace.apply().code == 0
    [update] = [c for c in emulator.calls()[seen:] if c["operation"] == "UpdateProject"]
    assert update["request"]["source"]["auth"]["resource"] == state["connection_arn"]
    assert workspace.plan().code == 0
    assert workspace.destroy().code == 0

    cc = aws(emulator, "codeconnections")
    arns = []
    for i, url in enumerate(["https://gitlab.example.internal", "https://gitlab.other.internal"]):
        host = cc.create_host(Name=f"seed-{i}", ProviderType="GitLabSelfManaged",
                              ProviderEndpoint=url)["HostArn"]
        arn = cc.create_connection(ConnectionName=f"seed-{i}", HostArn=host)["ConnectionArn"]
        emulator.post("connections/authorize", {"arn": arn})
        arns.append(arn)
    shared = lambda arn: runner_config(extra=f'  connection_arn = "{arn}"\n' + CREATE_20S)
    workspace.write(shared(arns[0]))
    assert workspace.apply().code == 0
    seen = len(emulator.calls())
    workspace.write(shared(arns[1]))
    plan = workspace.plan()
    assert plan.code == 2 and "must be replaced" not in plan.output, plan
    assert workspace.apply().code == 0
    calls = emulator.calls()[seen:]
    ops = [c["operation"] for c in calls]
    [update] = [c for c in calls if c["operation"] == "UpdateProject"]
    assert update["request"]["source"]["auth"]["resource"] == arns[1]
    assert ops.count("DeleteWebhook") == 1 and ops.count("CreateWebhook") == 1
    assert not [o for o in ops if o.endswith(("Host", "Connection"))
                and not o.startswith("Get")], ops
    assert workspace.plan().code == 0
    assert workspace.destroy().code == 0
    assert len(emulator.resources()["connections"]) == 2  # shared ones are not ours


def test_tc_f2_8_handshake_timeout_and_error(workspace, emulator):
    workspace.write(runner_config(extra='  timeouts {\n    create = "5s"\n  }'))
    workspace.init()
    plan = workspace.plan()
    assert "Apply Will Wait For The Connection Handshake" in plan.output
    assert "up to 5s" in flat(plan.output)
    failed = workspace.apply()
    assert failed.code == 1, failed
    assert 5 <= failed.seconds < 20
    text = flat(failed.output)
    state = workspace.resource(ADDR)
    assert state["connection_arn"] in text and state["authorization_url"] in text
    assert "/codesuite/settings/123456789012/us-east-1/codeconnections/connections/" in \
        state["authorization_url"]
    assert "`api` scope" in text and "terraform untaint" in text
    assert state["tainted"] and state["connection_status"] == "PENDING"
    assert state["project_arn"] is None

    emulator.post("connections/authorize", {"arn": state["connection_arn"]})
    seen = len(emulator.calls())
    assert workspace.run("untaint", ADDR).code == 0
    assert workspace.apply().code == 0
    ops = [c["operation"] for c in emulator.calls()[seen:]]
    assert [ops.count(o) for o in ("CreateHost", "CreateConnection", "CreateProject",
                                   "CreateWebhook")] == [0, 0, 1, 1]
    assert workspace.destroy().code == 0

    # ERROR does not end the wait; at the timeout the diagnostic says so.
    workspace.write(runner_config(extra='  timeouts {\n    create = "6s"\n  }'))
    def fail_when_created():
        for _ in range(100):
            conns = emulator.resources()["connections"]
            if conns:
                emulator.post("connections/fail", {"arn": conns[0]["ConnectionArn"]})
                return
            time.sleep(0.1)

    thread = threading.Thread(target=fail_when_created)
    thread.start()
    failed = workspace.apply()
    thread.join()
    assert failed.code == 1, failed
    assert failed.seconds >= 6
    text = flat(failed.output)
    assert "still ERROR" in text and "AWS retries such connections by itself" in text
    assert len(emulator.calls("GetConnection")) > 2
