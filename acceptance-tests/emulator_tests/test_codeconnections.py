"""CodeConnections through boto3 (awsJson1_0): hosts, connections, tags."""

import time

import pytest
from botocore.exceptions import ClientError

from .conftest import GITLAB_URL, error_of, make_client

VPC = {"VpcId": "vpc-0123456789abcdef0", "SubnetIds": ["subnet-0123456789abcdef0"],
       "SecurityGroupIds": ["sg-0123456789abcdef0"], "TlsCertificate": "-----BEGIN CERT"}


def create_host(cc, endpoint=GITLAB_URL, **extra):
    return cc.create_host(Name="gitlab", ProviderType="GitLabSelfManaged",
                          ProviderEndpoint=endpoint, **extra)["HostArn"]


def test_create_host_arn_and_pending_status(cc):
    out = cc.create_host(Name="my-host", ProviderType="GitLabSelfManaged",
                         ProviderEndpoint=GITLAB_URL, Tags=[{"Key": "team", "Value": "ci"}])
    assert out["HostArn"].startswith("arn:aws:codeconnections:us-east-1:123456789012:host/my-host-")
    assert len(out["HostArn"].rsplit("-", 1)[1]) == 8
    assert out["Tags"] == [{"Key": "team", "Value": "ci"}]
    host = cc.get_host(HostArn=out["HostArn"])
    assert host["Status"] == "PENDING"
    # GetHost returns exactly these members (no HostArn, no StatusMessage).
    assert set(host) - {"ResponseMetadata"} == {"Name", "Status", "ProviderType", "ProviderEndpoint"}


def test_region_comes_from_the_signature(emulator):
    cc = make_client(emulator, "codeconnections", region="ap-northeast-1")
    assert ":ap-northeast-1:" in create_host(cc)
    assert len(cc.list_hosts()["Hosts"]) == 1
    assert make_client(emulator, "codeconnections").list_hosts()["Hosts"] == []


def test_vpc_host_initializes_then_pending(cc, emulator):
    emulator.post("config", {"host_setup_delay": 0.5})
    arn = create_host(cc, VpcConfiguration=VPC)
    host = cc.get_host(HostArn=arn)
    assert host["Status"] == "VPC_CONFIG_INITIALIZING"
    assert host["VpcConfiguration"]["VpcId"] == VPC["VpcId"]
    time.sleep(0.6)
    assert cc.get_host(HostArn=arn)["Status"] == "PENDING"


def test_vpc_host_delete_goes_through_deleting(cc, emulator):
    emulator.post("config", {"host_setup_delay": 0.4})
    arn = create_host(cc, VpcConfiguration=VPC)
    with pytest.raises(ClientError) as exc:
        cc.delete_host(HostArn=arn)  # still initializing
    assert error_of(exc)[0] == "ResourceUnavailableException"
    time.sleep(0.5)
    cc.delete_host(HostArn=arn)
    assert cc.get_host(HostArn=arn)["Status"] == "VPC_CONFIG_DELETING"
    time.sleep(0.5)
    with pytest.raises(ClientError) as exc:
        cc.get_host(HostArn=arn)
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_one_host_per_provider_endpoint(cc):
    create_host(cc)
    with pytest.raises(ClientError) as exc:
        create_host(cc, endpoint=GITLAB_URL + "/")
    code, message, status = error_of(exc)
    assert (code, status) == ("ConflictException", 409)
    assert GITLAB_URL in message


def test_duplicate_host_error_is_configurable(cc, emulator):
    emulator.post("config", {"duplicate_host_error": "LimitExceededException"})
    create_host(cc)
    with pytest.raises(ClientError) as exc:
        create_host(cc)
    assert error_of(exc)[0::2] == ("LimitExceededException", 429)


def test_list_hosts_includes_arn_status_and_paginates(cc):
    arns = [create_host(cc, endpoint=f"https://gitlab{i}.example.com") for i in range(3)]
    first = cc.list_hosts(MaxResults=2)
    assert [h["HostArn"] for h in first["Hosts"]] == arns[:2]
    assert first["Hosts"][0]["Status"] == "PENDING"
    second = cc.list_hosts(MaxResults=2, NextToken=first["NextToken"])
    assert [h["HostArn"] for h in second["Hosts"]] == arns[2:]
    assert "NextToken" not in second


def test_update_host(cc, emulator):
    arn = create_host(cc)
    cc.update_host(HostArn=arn, ProviderEndpoint="https://gitlab2.example.com")
    assert cc.get_host(HostArn=arn)["ProviderEndpoint"] == "https://gitlab2.example.com"
    cc.update_host(HostArn=arn, VpcConfiguration=VPC)
    cc.get_host(HostArn=arn)  # host_setup_delay 0: initializing ends at once
    assert cc.get_host(HostArn=arn)["Status"] == "PENDING"


def test_update_host_conflicts_and_unsupported(cc, emulator):
    arn = create_host(cc)
    create_host(cc, endpoint="https://other.example.com")
    with pytest.raises(ClientError) as exc:
        cc.update_host(HostArn=arn, ProviderEndpoint="https://other.example.com")
    assert error_of(exc)[0::2] == ("ConflictException", 409)
    emulator.post("connections/authorize", {"arn": arn})
    with pytest.raises(ClientError) as exc:
        cc.update_host(HostArn=arn, ProviderEndpoint="https://x.example.com")
    assert error_of(exc)[0] == "UnsupportedOperationException"


def test_delete_host_refused_while_connections_use_it(cc):
    host = create_host(cc)
    conn = cc.create_connection(ConnectionName="c", HostArn=host)["ConnectionArn"]
    with pytest.raises(ClientError) as exc:
        cc.delete_host(HostArn=host)
    code, message, status = error_of(exc)
    assert (code, status) == ("ResourceUnavailableException", 400)
    assert conn in message
    cc.delete_connection(ConnectionArn=conn)
    cc.delete_host(HostArn=host)
    assert cc.list_hosts()["Hosts"] == []


def test_missing_host_is_404(cc):
    missing = "arn:aws:codeconnections:us-east-1:123456789012:host/nope-12345678"
    for call in (cc.get_host, cc.delete_host, cc.update_host):
        with pytest.raises(ClientError) as exc:
            call(HostArn=missing)
        assert error_of(exc)[0::2] == ("ResourceNotFoundException", 404)


def test_connection_lifecycle(cc):
    host = create_host(cc)
    out = cc.create_connection(ConnectionName="runner", HostArn=host,
                               Tags=[{"Key": "a", "Value": "b"}])
    arn = out["ConnectionArn"]
    assert arn.startswith("arn:aws:codeconnections:us-east-1:123456789012:connection/")
    assert len(arn.rsplit("/", 1)[1]) == 36
    conn = cc.get_connection(ConnectionArn=arn)["Connection"]
    assert conn == {"ConnectionName": "runner", "ConnectionArn": arn,
                    "ProviderType": "GitLabSelfManaged", "OwnerAccountId": "123456789012",
                    "ConnectionStatus": "PENDING", "HostArn": host}
    cc.delete_connection(ConnectionArn=arn)
    with pytest.raises(ClientError) as exc:
        cc.get_connection(ConnectionArn=arn)
    assert error_of(exc)[0::2] == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as exc:
        cc.delete_connection(ConnectionArn=arn)
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_connection_accepts_legacy_arn_prefix(cc):
    arn = cc.create_connection(ConnectionName="c", ProviderType="GitLab")["ConnectionArn"]
    legacy = arn.replace(":codeconnections:", ":codestar-connections:")
    assert cc.get_connection(ConnectionArn=legacy)["Connection"]["ConnectionArn"] == arn


def test_connection_errors(cc):
    host = create_host(cc)
    cc.create_connection(ConnectionName="dup", HostArn=host)
    cases = [
        ({"ConnectionName": "dup", "HostArn": host}, "InvalidInputException"),
        ({"ConnectionName": "x"}, "InvalidInputException"),
        ({"ConnectionName": "x", "ProviderType": "GitLabSelfManaged"}, "InvalidInputException"),
        ({"ConnectionName": "x", "HostArn": host, "ProviderType": "GitHub"}, "InvalidInputException"),
        ({"ConnectionName": "x", "HostArn": host + "0"}, "ResourceNotFoundException"),
    ]
    for args, code in cases:
        with pytest.raises(ClientError) as exc:
            cc.create_connection(**args)
        assert error_of(exc)[0] == code, args


def test_list_connections_filters(cc):
    host = create_host(cc)
    on_host = cc.create_connection(ConnectionName="a", HostArn=host)["ConnectionArn"]
    cloud = cc.create_connection(ConnectionName="b", ProviderType="GitLab")["ConnectionArn"]
    listed = cc.list_connections()["Connections"]
    assert [c["ConnectionArn"] for c in listed] == [on_host, cloud]
    by_host = cc.list_connections(HostArnFilter=host)["Connections"]
    assert [c["ConnectionArn"] for c in by_host] == [on_host]
    by_type = cc.list_connections(ProviderTypeFilter="GitLab")["Connections"]
    assert [c["ConnectionArn"] for c in by_type] == [cloud]


def test_tags(cc):
    host = create_host(cc, Tags=[{"Key": "a", "Value": "1"}])
    cc.tag_resource(ResourceArn=host, Tags=[{"Key": "a", "Value": "2"}, {"Key": "b", "Value": "3"}])
    assert cc.list_tags_for_resource(ResourceArn=host)["Tags"] == [
        {"Key": "a", "Value": "2"}, {"Key": "b", "Value": "3"}]
    cc.untag_resource(ResourceArn=host, TagKeys=["a"])
    assert cc.list_tags_for_resource(ResourceArn=host)["Tags"] == [{"Key": "b", "Value": "3"}]
    conn = cc.create_connection(ConnectionName="c", HostArn=host)["ConnectionArn"]
    cc.tag_resource(ResourceArn=conn, Tags=[{"Key": "k", "Value": "v"}])
    assert cc.list_tags_for_resource(ResourceArn=conn)["Tags"] == [{"Key": "k", "Value": "v"}]
    missing = "arn:aws:codeconnections:us-east-1:123456789012:connection/missing"
    with pytest.raises(ClientError) as exc:
        cc.list_tags_for_resource(ResourceArn=missing)
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_legacy_codestar_connections_client(emulator):
    legacy = make_client(emulator, "codestar-connections")
    arn = legacy.create_connection(ConnectionName="old", ProviderType="GitHub")["ConnectionArn"]
    assert legacy.get_connection(ConnectionArn=arn)["Connection"]["ConnectionStatus"] == "PENDING"
    assert emulator.get("calls")[-1]["service"] == "codeconnections"
