"""Constraint checks driven by the botocore model, reported like AWS does."""

import pytest
from botocore.exceptions import ClientError

from .conftest import GITLAB_URL, error_of, project_args


def invalid(call, **args):
    with pytest.raises(ClientError) as exc:
        call(**args)
    return error_of(exc)


def test_project_name_pattern_and_length(cb):
    code, message, status = invalid(cb.create_project, **project_args("bad name!"))
    assert (code, status) == ("InvalidInputException", 400)
    assert message == ("1 validation error detected: Value 'bad name!' at 'name' failed to "
                       "satisfy constraint: Member must satisfy regular expression pattern: "
                       "[A-Za-z0-9][A-Za-z0-9\\-_]{1,149}")
    _, message, _ = invalid(cb.create_project, **project_args("x" * 151))
    assert "Member must have length less than or equal to 150" in message


def test_missing_required_members_are_all_listed(cb):
    code, message, _ = invalid(cb.create_project, name="ok-name")
    assert code == "InvalidInputException"
    assert message.startswith("4 validation errors detected: ")
    for member in ("source", "artifacts", "environment", "serviceRole"):
        assert f"Value null at '{member}' failed to satisfy constraint: Member must not be null" in message


def test_nested_enum_range_and_list_item_paths(cb):
    args = project_args("p1", timeoutInMinutes=3,
                        tags=[{"key": "ok", "value": "v"}, {"key": "bad!", "value": "v"}])
    args["source"]["auth"] = {"type": "TOKEN", "resource": "x"}
    args["environment"]["computeType"] = "HUGE"
    _, message, _ = invalid(cb.create_project, **args)
    assert message.startswith("4 validation errors detected")
    assert "Value 'TOKEN' at 'source.auth.type' failed to satisfy constraint: Member must satisfy enum value set: [OAUTH, CODECONNECTIONS, SECRETS_MANAGER]" in message
    assert "at 'environment.computeType'" in message
    assert "Value '3' at 'timeoutInMinutes' failed to satisfy constraint: Member must have value greater than or equal to 5" in message
    assert "Value 'bad!' at 'tags.2.member.key'" in message


def test_unicode_tag_values_follow_the_java_pattern(cb):
    cb.create_project(**project_args("p1", tags=[{"key": "équipe", "value": "données 1"}]))


def test_webhook_nested_validation(cb):
    _, message, _ = invalid(cb.create_webhook, projectName="p1",
                            filterGroups=[[{"type": "EVENT"}]], buildType="FAST")
    assert "Value null at 'filterGroups.1.member.1.member.pattern'" in message
    assert "Value 'FAST' at 'buildType'" in message


def test_codeconnections_uses_validation_exception(cc):
    code, message, status = invalid(
        cc.create_host, Name="h", ProviderType="GitLabSelfManaged", ProviderEndpoint=GITLAB_URL,
        VpcConfiguration={"VpcId": "vpc-1", "SubnetIds": [], "SecurityGroupIds": ["sg-0123456789abcdef0"]})
    assert (code, status) == ("ValidationException", 400)
    assert "Value 'vpc-1' at 'VpcConfiguration.VpcId'" in message
    assert "at 'VpcConfiguration.SubnetIds' failed to satisfy constraint: Member must have length greater than or equal to 1" in message
    _, message, _ = invalid(cc.create_connection, ConnectionName="c" * 33, ProviderType="GitLab")
    assert "Member must have length less than or equal to 32" in message
    _, message, _ = invalid(cc.list_hosts, MaxResults=101)
    assert "Member must have value less than or equal to 100" in message
    _, message, _ = invalid(cc.get_connection, ConnectionArn="not-an-arn")
    assert "at 'ConnectionArn' failed to satisfy constraint: Member must satisfy regular expression pattern" in message


def test_wrong_types_fail_deserialization(cb):
    code, _, status = invalid(cb.create_project, **project_args("p1", timeoutInMinutes="60"))
    assert (code, status) == ("SerializationException", 400)
