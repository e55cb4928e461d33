"""CodeBuild through boto3 (awsJson1_1): projects and webhooks."""

import time
import urllib.parse

import pytest
from botocore.exceptions import ClientError

from .conftest import JOB_QUEUED, ROLE, error_of, project_args


def test_create_project_fills_server_defaults(cb):
    project = cb.create_project(**project_args("p1"))["project"]
    assert project["arn"] == "arn:aws:codebuild:us-east-1:123456789012:project/p1"
    assert project["timeoutInMinutes"] == 60
    assert project["queuedTimeoutInMinutes"] == 480
    assert project["encryptionKey"] == "arn:aws:kms:us-east-1:123456789012:alias/aws/s3"
    assert project["cache"] == {"type": "NO_CACHE"}
    assert project["badge"] == {"badgeEnabled": False}
    assert project["source"]["insecureSsl"] is False
    assert project["environment"]["environmentVariables"] == []
    assert project["logsConfig"]["cloudWatchLogs"]["status"] == "ENABLED"
    assert project["created"] == project["lastModified"]
    assert project["secondarySources"] == [] and project["tags"] == []


def test_duplicate_project(cb):
    cb.create_project(**project_args("p1"))
    with pytest.raises(ClientError) as exc:
        cb.create_project(**project_args("p1"))
    code, message, status = error_of(exc)
    assert (code, status) == ("ResourceAlreadyExistsException", 400)
    assert "project/p1" in message


def test_update_project_is_partial(cb):
    cb.create_project(**project_args("p1", description="first", concurrentBuildLimit=2,
                                     tags=[{"key": "a", "value": "1"}]))
    before = cb.batch_get_projects(names=["p1"])["projects"][0]
    time.sleep(0.01)
    updated = cb.update_project(name="p1", timeoutInMinutes=120, badgeEnabled=True,
                                tags=[{"key": "b", "value": "2"}])["project"]
    assert updated["timeoutInMinutes"] == 120
    assert updated["description"] == "first"                # omitted: kept
    assert updated["tags"] == [{"key": "b", "value": "2"}]  # sent: replaced
    assert updated["badge"]["badgeEnabled"] is True and updated["badge"]["badgeRequestUrl"]
    assert updated["concurrentBuildLimit"] == 2
    assert updated["lastModified"] > before["lastModified"]
    assert updated["created"] == before["created"]
    cleared = cb.update_project(name="p1", concurrentBuildLimit=-1)["project"]
    assert "concurrentBuildLimit" not in cleared


def test_update_missing_project(cb):
    with pytest.raises(ClientError) as exc:
        cb.update_project(name="nope", description="x")
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_batch_get_projects_by_name_and_arn(cb):
    arn = cb.create_project(**project_args("p1"))["project"]["arn"]
    out = cb.batch_get_projects(names=["p1", arn, "missing"])
    assert [p["name"] for p in out["projects"]] == ["p1", "p1"]
    assert out["projectsNotFound"] == ["missing"]
    assert cb.batch_get_projects(names=["p1"])["projectsNotFound"] == []


def test_list_projects_sorted(cb):
    for name in ("bb", "aa", "cc"):
        cb.create_project(**project_args(name))
    assert cb.list_projects()["projects"] == ["aa", "bb", "cc"]
    assert cb.list_projects(sortBy="CREATED_TIME")["projects"] == ["bb", "aa", "cc"]
    assert cb.list_projects(sortBy="NAME", sortOrder="DESCENDING")["projects"] == ["cc", "bb", "aa"]


def test_delete_project_removes_webhook(cb, emulator, runner_setup):
    cb.create_webhook(projectName="runner", filterGroups=JOB_QUEUED)
    cb.delete_project(name="runner")
    assert emulator.get("resources")["projects"] == []
    cb.delete_project(name="runner")  # missing project: success (unconfirmed)
    cb.create_project(**project_args("runner", runner_setup["connection"]))
    assert "webhook" not in cb.batch_get_projects(names=["runner"])["projects"][0]


def test_create_webhook(cb, runner_setup):
    webhook = cb.create_webhook(projectName="runner", filterGroups=JOB_QUEUED,
                                buildType="BUILD")["webhook"]
    assert "secret" not in webhook
    url = urllib.parse.urlparse(webhook["payloadUrl"])
    assert url.netloc == "codebuild.us-east-1.amazonaws.com" and url.path == "/webhooks"
    query = urllib.parse.parse_qs(url.query)
    assert query["v"] == ["1"] and query["t"][0]
    assert webhook["url"].startswith("https://gitlab.example.com/api/v4/projects/group%2Fapp/hooks/")
    assert webhook["filterGroups"] == JOB_QUEUED
    assert webhook["buildType"] == "BUILD"
    assert webhook["lastModifiedSecret"]
    # Visible at once through BatchGetProjects, still without the secret.
    read = cb.batch_get_projects(names=["runner"])["projects"][0]["webhook"]
    assert read["payloadUrl"] == webhook["payloadUrl"] and "secret" not in read


def test_manual_webhook_returns_secret_once(cb, emulator, runner_setup):
    webhook = cb.create_webhook(projectName="runner", filterGroups=JOB_QUEUED,
                                manualCreation=True)["webhook"]
    assert webhook["secret"] and webhook["manualCreation"] is True
    read = cb.batch_get_projects(names=["runner"])["projects"][0]["webhook"]
    assert "secret" not in read
    stored = emulator.get("resources")["projects"][0]["webhook"]
    assert stored["secret"] == webhook["secret"]


def test_webhook_refused_while_connection_pending(cb, cc, emulator):
    conn = cc.create_connection(ConnectionName="c", ProviderType="GitLab")["ConnectionArn"]
    cb.create_project(**project_args("pp", conn))
    with pytest.raises(ClientError) as exc:
        cb.create_webhook(projectName="pp", filterGroups=JOB_QUEUED)
    code, message, status = error_of(exc)
    assert (code, status) == ("InvalidInputException", 400)
    assert message == f"Connection {conn} is not in AVAILABLE state"
    emulator.post("connections/fail", {"arn": conn})
    with pytest.raises(ClientError):
        cb.create_webhook(projectName="pp", filterGroups=JOB_QUEUED)
    emulator.post("connections/authorize", {"arn": conn})
    cb.create_webhook(projectName="pp", filterGroups=JOB_QUEUED)


def test_webhook_errors(cb, runner_setup):
    with pytest.raises(ClientError) as exc:
        cb.create_webhook(projectName="missing", filterGroups=JOB_QUEUED)
    assert error_of(exc)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        cb.create_webhook(projectName="runner", filterGroups=[[{"type": "HEAD_REF", "pattern": "x"}]])
    assert error_of(exc)[0] == "InvalidInputException"
    cb.create_webhook(projectName="runner", filterGroups=JOB_QUEUED)
    with pytest.raises(ClientError) as exc:
        cb.create_webhook(projectName="runner", filterGroups=JOB_QUEUED)
    assert error_of(exc)[0] == "ResourceAlreadyExistsException"


def test_webhook_with_unknown_connection_or_no_credentials(cb):
    cb.create_project(**project_args("no-auth"))
    with pytest.raises(ClientError) as exc:
        cb.create_webhook(projectName="no-auth", filterGroups=JOB_QUEUED)
    assert error_of(exc)[0] == "ResourceNotFoundException"
    ghost = "arn:aws:codeconnections:us-east-1:123456789012:connection/ghost"
    cb.create_project(**project_args("ghost", ghost))
    with pytest.raises(ClientError) as exc:
        cb.create_webhook(projectName="ghost", filterGroups=JOB_QUEUED)
    assert error_of(exc)[:2] == ("InvalidInputException", f"Access denied to connection {ghost}")


def test_group_scoped_webhook(cb, runner_setup):
    conn = runner_setup["connection"]
    args = project_args("group", conn)
    args["source"]["location"] = "CODEBUILD_DEFAULT_WEBHOOK_SOURCE_LOCATION"
    cb.create_project(**args)
    scope = {"name": "platform", "scope": "GITLAB_GROUP"}
    with pytest.raises(ClientError) as exc:  # self-managed needs the domain
        cb.create_webhook(projectName="group", filterGroups=JOB_QUEUED, scopeConfiguration=scope)
    assert error_of(exc)[0] == "InvalidInputException"
    scope["domain"] = "https://gitlab.example.com"
    webhook = cb.create_webhook(projectName="group", filterGroups=JOB_QUEUED,
                                scopeConfiguration=scope)["webhook"]
    assert webhook["scopeConfiguration"] == scope
    assert webhook["url"].startswith("https://gitlab.example.com/api/v4/groups/platform/hooks/")
    with pytest.raises(ClientError):  # scoped hook on a normal repo location
        cb.create_webhook(projectName="runner", filterGroups=JOB_QUEUED, scopeConfiguration=scope)


def test_update_webhook(cb, runner_setup):
    created = cb.create_webhook(projectName="runner", filterGroups=JOB_QUEUED)["webhook"]
    groups = [[{"type": "EVENT", "pattern": "WORKFLOW_JOB_QUEUED"},
               {"type": "REPOSITORY_NAME", "pattern": "app"}]]
    time.sleep(0.01)
    updated = cb.update_webhook(projectName="runner", filterGroups=groups, rotateSecret=True)["webhook"]
    assert updated["filterGroups"] == groups
    assert updated["payloadUrl"] == created["payloadUrl"]
    assert updated["lastModifiedSecret"] > created["lastModifiedSecret"]
    assert "secret" not in updated


def test_update_and_delete_missing_webhook(cb, runner_setup):
    for call in (cb.update_webhook, cb.delete_webhook):
        with pytest.raises(ClientError) as exc:
            call(projectName="runner")
        assert error_of(exc)[0] == "ResourceNotFoundException"
    cb.create_webhook(projectName="runner", filterGroups=JOB_QUEUED)
    cb.delete_webhook(projectName="runner")
    assert "webhook" not in cb.batch_get_projects(names=["runner"])["projects"][0]
    with pytest.raises(ClientError) as exc:
        cb.delete_webhook(projectName="runner")
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_unimplemented_and_unknown_operations(cb):
    with pytest.raises(ClientError) as exc:
        cb.start_build(projectName="x")
    assert error_of(exc)[0::2] == ("NotImplemented", 501)


def test_service_role_is_kept(cb):
    assert cb.create_project(**project_args("pp"))["project"]["serviceRole"] == ROLE
