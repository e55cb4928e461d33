"""Control-API switches the field-case tests lean on: matched faults, not-found
windows after create, server-side defaults, malformed 200 bodies, a service
role without the connection permission, and request-rate throttling."""

import json
import time

import cbor2
import pytest
from botocore.exceptions import ClientError

from .conftest import GITLAB_URL, JOB_QUEUED, error_of, make_client, project_args
from .test_protocols import CB_TARGET, CC_CBOR, cbor_call, json_call


def test_fault_matches_one_project_and_keeps_an_empty_message(cb, emulator):
    emulator.post("faults", {"operation": "CreateProject", "error": "InvalidInputException",
                             "message": "", "count": None, "match": {"name": "runner-a"}})
    cb.create_project(**project_args("runner-b"))
    for _ in range(2):
        with pytest.raises(ClientError) as exc:
            cb.create_project(**project_args("runner-a"))
        assert error_of(exc) == ("InvalidInputException", "", 400)
    assert [c["status"] for c in emulator.calls("CreateProject")] == [200, 400, 400]


def test_fault_match_on_a_nested_member(cb, emulator, runner_setup):
    emulator.post("faults", {"operation": "UpdateProject", "error": "AccessDeniedException",
                             "count": 1,
                             "match": {"source.auth.resource": runner_setup["connection"]}})
    cb.update_project(name="runner", description="no source sent: not matched")
    args = project_args("runner", runner_setup["connection"])
    with pytest.raises(ClientError) as exc:
        cb.update_project(name="runner", source=args["source"])
    assert error_of(exc)[0] == "AccessDeniedException"
    cb.update_project(name="runner", source=args["source"])  # count used up


def test_not_found_window_after_create(cc, cb, emulator):
    emulator.post("config", {"not_found_after_create": {"GetHost": 2, "GetConnection": 1,
                                                        "BatchGetProjects": 2}})
    host = cc.create_host(Name="h", ProviderType="GitLabSelfManaged",
                          ProviderEndpoint=GITLAB_URL)["HostArn"]
    conn = cc.create_connection(ConnectionName="c", HostArn=host)["ConnectionArn"]
    for _ in range(2):
        with pytest.raises(ClientError) as exc:
            cc.get_host(HostArn=host)
        assert error_of(exc)[0] == "ResourceNotFoundException"
    assert cc.get_host(HostArn=host)["Status"] == "PENDING"
    with pytest.raises(ClientError) as exc:
        cc.get_connection(ConnectionArn=conn)
    assert error_of(exc)[0] == "ResourceNotFoundException"
    assert cc.get_connection(ConnectionArn=conn)["Connection"]["ConnectionArn"] == conn

    cb.create_project(**project_args("p1"))
    for _ in range(2):
        answer = cb.batch_get_projects(names=["p1"])
        assert (answer["projects"], answer["projectsNotFound"]) == ([], ["p1"])
    assert [p["name"] for p in cb.batch_get_projects(names=["p1"])["projects"]] == ["p1"]


def test_not_found_window_is_per_resource_and_rejects_other_reads(cc, emulator):
    emulator.post("config", {"not_found_after_create": {"GetHost": 1}})
    first = cc.create_host(Name="a", ProviderType="GitLabSelfManaged",
                           ProviderEndpoint=GITLAB_URL)["HostArn"]
    second = cc.create_host(Name="b", ProviderType="GitLabSelfManaged",
                            ProviderEndpoint=GITLAB_URL + "/other")["HostArn"]
    with pytest.raises(ClientError):
        cc.get_host(HostArn=first)
    with pytest.raises(ClientError):
        cc.get_host(HostArn=second)
    cc.get_host(HostArn=first)
    with pytest.raises(AssertionError, match="400"):
        emulator.post("config", {"not_found_after_create": {"ListHosts": 1}})


def test_server_defaults_on_create_project(cb, emulator):
    cb.create_project(**project_args("plain"))
    plain = cb.batch_get_projects(names=["plain"])["projects"][0]
    assert plain["environment"]["environmentVariables"] == []
    assert "reportBuildStatus" not in plain["source"]

    emulator.post("config", {"server_defaults": True})
    args = project_args("auto")
    args["environment"]["environmentVariables"] = [{"name": "FOO", "value": "bar"}]
    created = cb.create_project(**args)["project"]
    read = cb.batch_get_projects(names=["auto"])["projects"][0]
    for project in (created, read):
        assert project["environment"]["environmentVariables"] == [
            {"name": "FOO", "value": "bar", "type": "PLAINTEXT"},
            {"name": "CODEBUILD_CONFIG_AUTO_DISCOVER", "value": "true", "type": "PLAINTEXT"}]
        assert project["source"]["insecureSsl"] is False
        assert project["source"]["reportBuildStatus"] is False
        assert (project["timeoutInMinutes"], project["queuedTimeoutInMinutes"]) == (60, 480)
    # An update that replaces the variables is taken as sent.
    cb.update_project(name="auto", environment=project_args("auto")["environment"])
    read = cb.batch_get_projects(names=["auto"])["projects"][0]
    assert read["environment"]["environmentVariables"] == []


def raw_create_project(emulator, name):
    response, body = json_call(emulator, CB_TARGET + "CreateProject", project_args(name),
                               version="1.1", service="codebuild", region="us-east-1")
    return response.status, body


@pytest.mark.parametrize("kind,performed", [("empty_object", True), ("wrong_type", True),
                                            ("truncated", True), ("not_json", False)])
def test_corrupt_create_project_bodies(emulator, kind, performed):
    emulator.post("faults", {"operation": "CreateProject", "corrupt": kind, "count": 1,
                             "match": {"name": "r1"}})
    status, other = raw_create_project(emulator, "r2")  # not matched: intact
    assert status == 200 and json.loads(other)["project"]["arn"].endswith(":project/r2")
    status, body = raw_create_project(emulator, "r1")
    assert status == 200
    if kind == "empty_object":
        assert json.loads(body) == {}
    elif kind == "wrong_type":
        assert json.loads(body)["project"]["arn"] == 12345
    else:
        with pytest.raises(ValueError):
            json.loads(body)
    names = sorted(p["name"] for p in emulator.resources()["projects"])
    assert names == (["r1", "r2"] if performed else ["r2"])
    assert emulator.calls("CreateProject")[-1]["corrupted"] == kind
    status, body = raw_create_project(emulator, "r1")  # count used up: normal again
    assert status == (400 if performed else 200)


def test_corrupt_cbor_and_perform_override(emulator):
    emulator.post("faults", {"operation": "CreateConnection", "corrupt": "wrong_type",
                             "count": 1, "perform": False})
    response, body = cbor_call(emulator, "CreateConnection",
                               {"ConnectionName": "c", "ProviderType": "GitLab"})
    assert response.status == 200 and response.getheader("smithy-protocol") == "rpc-v2-cbor"
    assert cbor2.loads(body) == {}  # nothing ran, so nothing to mistype
    assert emulator.resources()["connections"] == []
    emulator.post("faults", {"operation": "CreateConnection", "corrupt": "truncated",
                             "count": 1})
    response, body = cbor_call(emulator, "CreateConnection",
                               {"ConnectionName": "c", "ProviderType": "GitLab"})
    assert response.status == 200
    with pytest.raises(Exception):
        cbor2.loads(body)
    assert len(emulator.resources()["connections"]) == 1
    with pytest.raises(AssertionError, match="400"):
        emulator.post("faults", {"operation": "CreateProject", "corrupt": "garbled"})
    with pytest.raises(AssertionError, match="400"):
        emulator.post("faults", {"operation": "CreateProject", "corrupt": "not_json",
                                 "error": "InvalidInputException"})


def test_role_lacks_connection_permission(cb, emulator, runner_setup):
    emulator.post("config", {"role_lacks_connection_permission": True})
    with pytest.raises(ClientError) as exc:
        cb.create_webhook(projectName="runner", filterGroups=JOB_QUEUED)
    assert error_of(exc) == ("InvalidInputException",
                             f"Access denied to connection {runner_setup['connection']}", 400)
    emulator.post("config", {"role_lacks_connection_permission": False})
    assert cb.create_webhook(projectName="runner", filterGroups=JOB_QUEUED)["webhook"]["url"]


def test_throttle_answers_throttling_and_sdk_retries_through_it(emulator):
    emulator.post("throttle", {"operation": "ListHosts", "rate": 2, "burst": 1})
    single = make_client(emulator, "codeconnections")
    single.list_hosts()
    with pytest.raises(ClientError) as exc:
        single.list_hosts()
    assert error_of(exc) == ("ThrottlingException", "Rate exceeded", 400)

    retrying = make_client(emulator, "codeconnections",
                           retries={"total_max_attempts": 10, "mode": "standard"})
    before = len(emulator.calls("ListHosts"))
    for _ in range(3):
        retrying.list_hosts()  # the SDK waits and retries until a token is free
    statuses = [c["status"] for c in emulator.calls("ListHosts")[before:]]
    assert statuses.count(200) == 3 and statuses.count(400) >= 1
    assert emulator.get("throttle") == {"ListHosts": {"rate": 2.0, "burst": 1.0}}
    emulator.control("DELETE", "throttle")
    for _ in range(3):
        single.list_hosts()


def test_throttle_on_every_operation_and_cbor_error_shape(emulator):
    emulator.post("throttle", {"operation": "*", "rate": 0.01, "burst": 1})
    cbor_call(emulator, "ListHosts", {})
    response, body = cbor_call(emulator, "ListHosts", {})
    assert response.status == 400
    assert cbor2.loads(body)["__type"] == "com.amazonaws.codeconnections#ThrottlingException"
    emulator.post("throttle", {"operation": "*", "rate": 0})
    assert cbor_call(emulator, "ListHosts", {})[0].status == 200


def test_failed_connection_recovers_as_aws_retries_it(cc, emulator):
    conn = cc.create_connection(ConnectionName="c", ProviderType="GitLab")["ConnectionArn"]
    emulator.post("connections/fail", {"arn": conn, "recover_after": 0.2,
                                       "authorize_after": 0.4})
    status = lambda: cc.get_connection(ConnectionArn=conn)["Connection"]["ConnectionStatus"]
    assert status() == "ERROR"
    time.sleep(0.25)
    assert status() == "PENDING"
    time.sleep(0.2)
    assert status() == "AVAILABLE"
    emulator.post("connections/fail", {"arn": conn})
    time.sleep(0.25)
    assert status() == "ERROR"  # without recover_after it stays failed


def test_update_of_an_available_host_only_when_switched_on(cc, emulator):
    host = cc.create_host(Name="h", ProviderType="GitLabSelfManaged",
                          ProviderEndpoint=GITLAB_URL)["HostArn"]
    emulator.post("connections/authorize", {"arn": host})
    vpc = {"VpcId": "vpc-01234567", "SubnetIds": ["subnet-01234567"],
           "SecurityGroupIds": ["sg-01234567"]}
    with pytest.raises(ClientError) as exc:
        cc.update_host(HostArn=host, ProviderEndpoint=GITLAB_URL, VpcConfiguration=vpc)
    assert error_of(exc)[0] == "UnsupportedOperationException"
    emulator.post("config", {"update_available_host": True, "host_setup_delay": 0.2})
    cc.update_host(HostArn=host, ProviderEndpoint=GITLAB_URL, VpcConfiguration=vpc)
    assert cc.get_host(HostArn=host)["Status"] == "VPC_CONFIG_INITIALIZING"
    time.sleep(0.25)
    got = cc.get_host(HostArn=host)
    assert (got["Status"], got["VpcConfiguration"]) == ("AVAILABLE", vpc)
