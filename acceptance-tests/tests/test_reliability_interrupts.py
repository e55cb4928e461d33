"""Ctrl-C in every phase (issue 7, item 3) that TC-F3-8 does not already cover: while AWS
sets up a VPC host, while CreateProject or CreateWebhook is in flight (AWS finishes the call
after Terraform walked away), and during a destroy. Terraform must stop promptly, and the
next apply or destroy must converge with nothing orphaned and nothing made twice.

The readiness wait is TC-F3-8 (test_protocol_field_cases.py); Ctrl-C while a VPC host is
being deleted is its destroy step (test_field_f3.py)."""

import os
import signal
import subprocess
import time

from harness import interrupt_when, runner_config
from reliability_support import assert_state_matches_emulator, state_runners

ADDRESS = "gitlab_codebuild_runner.r"
TIMEOUTS = '  timeouts {\n    create = "60s"\n    update = "60s"\n    delete = "60s"\n  }\n'
VPC = """  vpc_configuration {
    vpc_id             = "vpc-0123456789abcdef0"
    subnet_ids         = ["subnet-0123456789abcdef0"]
    security_group_ids = ["sg-0123456789abcdef0"]
  }
"""
# How long the emulator holds a call before doing it: long enough to interrupt it.
HOLD = 3


def wait_for(predicate, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def called(emulator, operation):
    return lambda: len(emulator.calls(operation)) >= 1


def interrupt(workspace, args, condition):
    code, output, seconds = interrupt_when(
        workspace, [*args, "-no-color", *workspace.tf_vars()], condition)
    assert code != 0, output
    assert "Interrupt received" in output, output
    # Terraform lets the provider finish the call in flight: bounded by HOLD, not a timeout.
    assert seconds < HOLD + 5, (seconds, output)
    assert "panic" not in output.lower(), output
    return output


def converge_with_apply(workspace, emulator):
    """Untaints (the documented recovery) and applies; the runner must end up complete."""
    runner = state_runners(workspace).get(ADDRESS)
    if runner and runner["tainted"]:
        untainted = workspace.run("untaint", "-no-color", ADDRESS)
        assert untainted.code == 0, untainted
    applied = workspace.apply()
    assert applied.code == 0, applied
    runner = state_runners(workspace)[ADDRESS]
    assert runner["connection_status"] == "AVAILABLE" and runner["webhook_payload_url"]
    assert_state_matches_emulator(workspace, emulator)


def destroy_leaves_nothing(workspace, emulator):
    destroyed = workspace.destroy()
    assert destroyed.code == 0, destroyed
    assert emulator.is_empty(), emulator.resources()


def test_sigint_during_host_set_up_then_apply_converges(workspace, emulator):
    emulator.post("config", {"authorize_after": 0, "host_setup_delay": 60})
    workspace.write(runner_config(extra=TIMEOUTS + VPC))
    workspace.init()

    interrupt(workspace, ["apply", "-auto-approve"], called(emulator, "GetHost"))
    runner = state_runners(workspace)[ADDRESS]
    assert runner["host_arn"] and runner["connection_arn"] is None
    assert_state_matches_emulator(workspace, emulator)

    emulator.post("config", {"host_setup_delay": 1})
    converge_with_apply(workspace, emulator)
    assert len(emulator.calls("CreateHost")) == 1
    destroy_leaves_nothing(workspace, emulator)


def test_sigint_while_create_project_is_in_flight_then_apply_adopts_it(workspace, emulator):
    emulator.post("config", {"authorize_after": 0})
    emulator.post("latency", {"operation": "CreateProject", "seconds": HOLD})
    workspace.write(runner_config(extra=TIMEOUTS))
    workspace.init()

    interrupt(workspace, ["apply", "-auto-approve"], called(emulator, "CreateProject"))
    # AWS completes a call the client walked away from.
    wait_for(lambda: emulator.resources()["projects"], "the project to exist")
    emulator.control("DELETE", "latency")

    converge_with_apply(workspace, emulator)
    assert len(emulator.calls("CreateHost")) == 1
    assert len(emulator.calls("CreateConnection")) == 1
    assert len(emulator.resources()["projects"]) == 1
    destroy_leaves_nothing(workspace, emulator)


def test_sigint_while_create_webhook_is_in_flight_then_apply_keeps_one_webhook(
        workspace, emulator):
    emulator.post("config", {"authorize_after": 0})
    emulator.post("latency", {"operation": "CreateWebhook", "seconds": HOLD})
    workspace.write(runner_config(extra=TIMEOUTS))
    workspace.init()

    interrupt(workspace, ["apply", "-auto-approve"], called(emulator, "CreateWebhook"))
    wait_for(lambda: all(p.get("webhook") for p in emulator.resources()["projects"]),
             "the webhook to exist")
    emulator.control("DELETE", "latency")
    runner = state_runners(workspace)[ADDRESS]
    assert runner["project_arn"], runner

    converge_with_apply(workspace, emulator)
    assert len(emulator.calls("CreateProject")) == 1
    # The refresh finds the webhook AWS made; a second CreateWebhook would be refused.
    assert [c.get("error") for c in emulator.calls("CreateWebhook")] == [None]
    destroy_leaves_nothing(workspace, emulator)


def test_sigint_during_destroy_then_destroy_finishes(workspace, emulator):
    emulator.post("config", {"authorize_after": 0})
    workspace.write(runner_config(extra=TIMEOUTS))
    workspace.init()
    applied = workspace.apply()
    assert applied.code == 0, applied
    emulator.post("latency", {"operation": "DeleteProject", "seconds": HOLD})

    interrupt(workspace, ["destroy", "-auto-approve"], called(emulator, "DeleteProject"))
    wait_for(lambda: not emulator.resources()["projects"], "the project to be deleted")
    emulator.control("DELETE", "latency")
    # DeleteProject was cut off: the state keeps the project, as it cannot know AWS finished.
    assert_state_matches_emulator(workspace, emulator, in_flight_delete=True)
    assert state_runners(workspace)[ADDRESS]["host_arn"]

    destroy_leaves_nothing(workspace, emulator)
    assert len(emulator.calls("DeleteHost")) == 1


def session_processes(session_id):
    """(pid, command line) of every live process in a session, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # After the command name: state, ppid, pgrp, session.
        if int(fields[3]) == session_id and fields[0] != "Z":
            found.append((int(entry), command))
    return found


def test_killed_terraform_leaves_no_work_going_on_in_the_provider(workspace, emulator):
    """When Terraform dies without a word (kill -9, a crash), the gRPC connection drops; the
    wait it was in must stop with it, or an orphaned provider would go on to create the
    project and webhook after the handshake, recorded in no state."""
    workspace.write(runner_config(extra='  timeouts {\n    create = "30m"\n  }'))
    workspace.init()
    process = subprocess.Popen(
        [workspace.terraform, "apply", "-auto-approve", "-no-color", *workspace.tf_vars()],
        cwd=workspace.dir, env=workspace.env, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    provider = []
    try:
        wait_for(lambda: len(emulator.calls("GetConnection")) >= 2, "the readiness wait")
        members = session_processes(process.pid)
        provider = [pid for pid, command in members if "terraform-provider-gitlab" in command]
        assert len(provider) == 1, members
        for pid, _ in members:
            if pid not in provider:
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)
        killed = time.time()

        # The provider lives on (as go-plugin servers do) but must wait for nothing. A wait
        # that went on would poll again within its longest interval (10 s), see the
        # connection AVAILABLE and create the project.
        emulator.post("connections/authorize", {"all": True})
        time.sleep(12)
        late = [c for c in emulator.calls("GetConnection") if c["time"] > killed + 1]
        assert late == [], late
        assert emulator.calls("CreateProject") == []
        assert emulator.resources()["projects"] == []
    finally:
        for pid in provider:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
