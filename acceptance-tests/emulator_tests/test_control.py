"""The /_emulator/ control API and the command line behaviour."""

import signal
import time

import pytest
from botocore.exceptions import ClientError

from .conftest import GITLAB_URL, JOB_QUEUED, error_of, make_client, project_args, start_emulator


def make_host_and_connection(cc):
    host = cc.create_host(Name="gitlab", ProviderType="GitLabSelfManaged",
                          ProviderEndpoint=GITLAB_URL)["HostArn"]
    conn = cc.create_connection(ConnectionName="c", HostArn=host)["ConnectionArn"]
    return host, conn


def test_authorize_makes_connection_and_host_available(cc, emulator):
    host, conn = make_host_and_connection(cc)
    assert emulator.post("connections/authorize", {"arn": conn})["authorized"] == [conn]
    assert cc.get_connection(ConnectionArn=conn)["Connection"]["ConnectionStatus"] == "AVAILABLE"
    assert cc.get_host(HostArn=host)["Status"] == "AVAILABLE"


def test_authorize_all_and_fail(cc, emulator):
    host, conn = make_host_and_connection(cc)
    other = cc.create_connection(ConnectionName="d", ProviderType="GitLab")["ConnectionArn"]
    emulator.post("connections/authorize", {"all": True})
    statuses = {c["ConnectionArn"]: c["ConnectionStatus"] for c in cc.list_connections()["Connections"]}
    assert statuses == {conn: "AVAILABLE", other: "AVAILABLE"}
    emulator.post("connections/fail", {"arn": other})
    assert cc.get_connection(ConnectionArn=other)["Connection"]["ConnectionStatus"] == "ERROR"


def test_auto_authorize_after_config(cc, emulator):
    emulator.post("config", {"authorize_after": 0.3})
    host, conn = make_host_and_connection(cc)
    assert cc.get_connection(ConnectionArn=conn)["Connection"]["ConnectionStatus"] == "PENDING"
    time.sleep(0.4)
    assert cc.get_connection(ConnectionArn=conn)["Connection"]["ConnectionStatus"] == "AVAILABLE"
    assert cc.get_host(HostArn=host)["Status"] == "AVAILABLE"
    emulator.post("config", {"authorize_after": None})
    later = cc.create_connection(ConnectionName="later", ProviderType="GitLab")["ConnectionArn"]
    time.sleep(0.4)
    assert cc.get_connection(ConnectionArn=later)["Connection"]["ConnectionStatus"] == "PENDING"


def test_faults_with_count_then_cleared(cb, emulator, runner_setup):
    fault = emulator.post("faults", {"operation": "CreateWebhook", "error": "OAuthProviderException",
                                     "message": "Failed to create webhook.", "count": 1})
    assert fault["service"] == "codebuild" and fault["status"] == 400
    with pytest.raises(ClientError) as exc:
        cb.create_webhook(projectName="runner", filterGroups=JOB_QUEUED)
    assert error_of(exc) == ("OAuthProviderException", "Failed to create webhook.", 400)
    cb.create_webhook(projectName="runner", filterGroups=JOB_QUEUED)  # count used up
    emulator.post("faults", {"operation": "ListHosts", "error": "ThrottlingException",
                             "status": 400, "count": None})
    cc = make_client(emulator, "codeconnections")
    for _ in range(2):
        with pytest.raises(ClientError) as exc:
            cc.list_hosts()
        assert error_of(exc)[0] == "ThrottlingException"
    assert emulator.get("faults")[0]["count"] is None
    emulator.control("DELETE", "faults")
    cc.list_hosts()


def test_fault_status_defaults_from_model(emulator):
    fault = emulator.post("faults", {"operation": "CreateHost", "error": "LimitExceededException"})
    assert (fault["service"], fault["status"], fault["count"]) == ("codeconnections", 429, None)


def test_latency(cc, emulator):
    emulator.post("latency", {"operation": "ListHosts", "seconds": 0.3})
    started = time.monotonic()
    cc.list_hosts()
    assert time.monotonic() - started >= 0.3
    emulator.post("latency", {"operation": "ListHosts", "seconds": 0})
    started = time.monotonic()
    cc.list_hosts()
    assert time.monotonic() - started < 0.3


def test_resources_and_calls(cc, cb, emulator, runner_setup):
    cb.create_webhook(projectName="runner", filterGroups=JOB_QUEUED)
    resources = emulator.get("resources")
    assert [h["HostArn"] for h in resources["hosts"]] == [runner_setup["host"]]
    assert resources["hosts"][0]["Status"] == "AVAILABLE"
    assert [(c["ConnectionArn"], c["ConnectionStatus"]) for c in resources["connections"]] == [
        (runner_setup["connection"], "AVAILABLE")]
    project = resources["projects"][0]
    assert project["arn"].endswith(":project/runner") and project["region"] == "us-east-1"
    assert project["webhook"]["payloadUrl"] and project["webhook"]["secret"]
    calls = emulator.get("calls")
    assert [c["operation"] for c in calls] == ["CreateHost", "CreateConnection",
                                               "CreateProject", "CreateWebhook"]
    assert calls[-1]["request"] == {"projectName": "runner", "filterGroups": JOB_QUEUED}
    assert calls[-1]["service"] == "codebuild" and calls[-1]["status"] == 200


def test_reset_forgets_everything(cc, emulator):
    make_host_and_connection(cc)
    emulator.post("config", {"authorize_after": 5})
    emulator.post("reset")
    assert emulator.get("resources") == {"hosts": [], "connections": [], "projects": []}
    assert emulator.get("calls") == []
    assert emulator.get("config")["authorize_after"] is None


def test_control_errors(emulator):
    with pytest.raises(AssertionError, match="404"):
        emulator.get("nothing-here")
    with pytest.raises(AssertionError, match="404"):
        emulator.post("connections/authorize", {"arn": "arn:aws:codeconnections:us-east-1:123456789012:connection/x"})
    with pytest.raises(AssertionError, match="400"):
        emulator.post("faults", {"operation": "NoSuchOp", "error": "X"})
    with pytest.raises(AssertionError, match="400"):
        emulator.post("config", {"colour": "blue"})


def test_command_line_environment_and_signals():
    emu = start_emulator({"EMULATOR_AUTHORIZE_AFTER": "0", "EMULATOR_HOST_SETUP_DELAY": "7"})
    try:
        config = emu.get("config")
        assert config["authorize_after"] == 0 and config["host_setup_delay"] == 7
        cc = make_client(emu, "codeconnections")
        arn = cc.create_connection(ConnectionName="c", ProviderType="GitLab")["ConnectionArn"]
        assert cc.get_connection(ConnectionArn=arn)["Connection"]["ConnectionStatus"] == "AVAILABLE"
    finally:
        emu.process.send_signal(signal.SIGINT)
        assert emu.process.wait(timeout=10) == 0


def test_sigterm_with_open_keep_alive_connection():
    import http.client
    import urllib.parse
    emu = start_emulator()
    parsed = urllib.parse.urlparse(emu.url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=5)
    conn.request("GET", "/_emulator/health")
    assert conn.getresponse().read()
    assert emu.stop() == 0  # the idle keep-alive connection does not hold it up
    conn.close()


def test_project_entry_has_no_webhook_without_one(cb, emulator):
    cb.create_project(**project_args("plain"))
    assert "webhook" not in emulator.get("resources")["projects"][0]
