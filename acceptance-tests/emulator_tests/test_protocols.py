"""Wire-level behaviour: RPC v2 CBOR as the Rust SDK sends it, awsJson error
shapes, SigV4 gate, request ids, keep-alive, routing of unknown operations."""

import datetime
import http.client
import json
import struct
import urllib.parse

import cbor2
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from .conftest import GITLAB_URL, project_args

CC_CBOR = "/service/CodeConnections_20231201/operation/"
CB_CBOR = "/service/CodeBuild_20161006/operation/"
CC_TARGET = "com.amazonaws.codeconnections.CodeConnections_20231201."
CB_TARGET = "CodeBuild_20161006."


def _text(value):
    """A definite-length CBOR text string."""
    return cbor2.dumps(value)


def indefinite_map(members):
    """Encode a map the way aws-smithy-cbor does: 0xBF, key/value pairs, 0xFF."""
    out = b"\xbf"
    for key, value in members.items():
        out += _text(key) + cbor2.dumps(value)
    return out + b"\xff"


def signed_headers(url, path, body, headers, region="us-west-2", service="codeconnections"):
    request = AWSRequest(method="POST", url=url + path, data=body, headers=headers)
    SigV4Auth(Credentials("AKIDEXAMPLE", "fake"), service, region).add_auth(request)
    return dict(request.headers.items())


def send(url, path, body, headers, sign=True, connection=None, **sign_args):
    if sign:
        headers = signed_headers(url, path, body, headers, **sign_args)
    parsed = urllib.parse.urlparse(url)
    conn = connection or http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    return response, response.read()


def cbor_call(emulator, operation, members, prefix=CC_CBOR, **kwargs):
    headers = {"Content-Type": "application/cbor", "Accept": "application/cbor",
               "smithy-protocol": "rpc-v2-cbor"}
    body = indefinite_map(members)
    return send(emulator.url, prefix + operation, body, headers, **kwargs)


def json_call(emulator, target, members, version="1.0", **kwargs):
    headers = {"Content-Type": f"application/x-amz-json-{version}", "X-Amz-Target": target}
    return send(emulator.url, "/", json.dumps(members).encode(), headers, **kwargs)


def test_cbor_create_and_get_host_like_the_rust_sdk(emulator):
    response, body = cbor_call(emulator, "CreateHost", {
        "Name": "gitlab", "ProviderType": "GitLabSelfManaged", "ProviderEndpoint": GITLAB_URL})
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/cbor"
    assert response.getheader("smithy-protocol") == "rpc-v2-cbor"
    assert response.getheader("x-amzn-requestid")
    out = cbor2.loads(body)
    assert out["HostArn"].startswith("arn:aws:codeconnections:us-west-2:123456789012:host/gitlab-")
    response, body = cbor_call(emulator, "GetHost", {"HostArn": out["HostArn"]})
    assert cbor2.loads(body) == {"Name": "gitlab", "Status": "PENDING",
                                 "ProviderType": "GitLabSelfManaged",
                                 "ProviderEndpoint": GITLAB_URL}
    call = emulator.get("calls")[0]
    assert (call["service"], call["operation"], call["wire"]) == ("codeconnections", "CreateHost", "cbor")
    assert call["request"]["ProviderEndpoint"] == GITLAB_URL


def test_cbor_empty_input_and_empty_output_are_maps(emulator):
    response, body = send(emulator.url, CC_CBOR + "ListHosts", b"\xbf\xff",
                          {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"})
    assert response.status == 200 and cbor2.loads(body) == {"Hosts": []}
    _, body = cbor_call(emulator, "CreateConnection",
                        {"ConnectionName": "c", "ProviderType": "GitLab"})
    arn = cbor2.loads(body)["ConnectionArn"]
    response, body = cbor_call(emulator, "DeleteConnection", {"ConnectionArn": arn})
    assert response.status == 200 and body == b"\xa0"


def test_cbor_error_is_a_map_with_type_and_message(emulator):
    missing = "arn:aws:codeconnections:us-west-2:123456789012:host/none-12345678"
    response, body = cbor_call(emulator, "GetHost", {"HostArn": missing})
    assert response.status == 404
    error = cbor2.loads(body)
    assert error["__type"].rsplit("#", 1)[-1] == "ResourceNotFoundException"
    assert missing in error["Message"]
    response, body = cbor_call(emulator, "CreateHost", {"Name": "x"})
    assert response.status == 400
    error = cbor2.loads(body)
    assert error["__type"].endswith("ValidationException")
    assert "Value null at 'ProviderType'" in error["Message"]


def test_cbor_timestamps_are_tag_1_floats(emulator):
    members = project_args("cbor-project")
    response, body = cbor_call(emulator, "CreateProject", members, prefix=CB_CBOR,
                               service="codebuild")
    assert response.status == 200
    created = cbor2.loads(body)["project"]["created"]
    assert isinstance(created, datetime.datetime)  # cbor2 decodes tag 1 itself
    # The raw bytes: tag 1 (0xC1) followed by a double (0xFB).
    assert body.count(b"\xc1\xfb") == 2  # created, lastModified


def test_json_errors_carry_type_message_and_header(emulator):
    response, body = json_call(emulator, CB_TARGET + "UpdateWebhook",
                               {"projectName": "missing"}, version="1.1", service="codebuild")
    assert response.status == 400
    assert response.getheader("X-Amzn-ErrorType") == "ResourceNotFoundException"
    assert response.getheader("Content-Type") == "application/x-amz-json-1.1"
    assert json.loads(body) == {"__type": "ResourceNotFoundException",
                                "message": "Project not found: missing"}
    response, body = json_call(emulator, CC_TARGET + "GetConnection",
                               {"ConnectionArn": "arn:aws:codeconnections:us-west-2:123456789012:connection/x"})
    assert response.status == 404
    assert set(json.loads(body)) == {"__type", "Message"}


def test_unsigned_requests_are_rejected(emulator):
    response, body = json_call(emulator, CC_TARGET + "ListHosts", {}, sign=False)
    assert response.status == 403
    assert json.loads(body)["__type"] == "MissingAuthenticationTokenException"
    assert response.getheader("x-amzn-requestid")
    headers = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor",
               "Authorization": "Bearer token"}
    response, body = send(emulator.url, CC_CBOR + "ListHosts", b"\xbf\xff", headers, sign=False)
    assert response.status == 403
    assert cbor2.loads(body)["__type"].endswith("IncompleteSignatureException")
    headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/codeconnections/aws4_request"
    response, body = send(emulator.url, CC_CBOR + "ListHosts", b"\xbf\xff", headers, sign=False)
    assert "requires 'Signature' parameter" in cbor2.loads(body)["Message"]
    assert emulator.get("resources")["hosts"] == []


def test_keep_alive_serves_many_requests_on_one_connection(emulator):
    parsed = urllib.parse.urlparse(emulator.url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    for _ in range(3):
        response, _ = cbor_call(emulator, "ListHosts", {}, connection=conn)
        assert response.status == 200
    conn.close()


def test_unknown_targets_and_operations(emulator):
    response, body = json_call(emulator, "Nope_20200101.Foo", {})
    assert response.status == 400 and json.loads(body)["__type"] == "UnknownOperationException"
    response, body = json_call(emulator, CC_TARGET + "NoSuchOperation", {})
    assert json.loads(body)["__type"] == "UnknownOperationException"
    response, body = cbor_call(emulator, "GetRepositoryLink", {"RepositoryLinkId": "x"})
    assert response.status == 501 and cbor2.loads(body)["__type"].endswith("NotImplemented")


def test_malformed_bodies(emulator):
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": CB_TARGET + "ListProjects"}
    response, body = send(emulator.url, "/", b"{not json", headers, service="codebuild")
    assert response.status == 400 and json.loads(body)["__type"] == "SerializationException"
    response, body = json_call(emulator, CB_TARGET + "DeleteProject", {"name": 5},
                               version="1.1", service="codebuild")
    assert json.loads(body)["__type"] == "SerializationException"


def test_chunked_request_body(emulator):
    body = indefinite_map({"ConnectionName": "chunky", "ProviderType": "GitLab"})
    headers = signed_headers(emulator.url, CC_CBOR + "CreateConnection", body,
                             {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"})
    parsed = urllib.parse.urlparse(emulator.url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    conn.request("POST", CC_CBOR + "CreateConnection", body=iter([body[:5], body[5:]]),
                 headers=headers, encode_chunked=True)
    response = conn.getresponse()
    assert response.status == 200 and "ConnectionArn" in cbor2.loads(response.read())


def test_cbor_float_and_definite_maps_also_accepted(emulator):
    body = cbor2.dumps({"MaxResults": 5})
    response, out = send(emulator.url, CC_CBOR + "ListHosts", body,
                         {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"})
    assert response.status == 200
    assert struct.unpack("B", out[:1])[0] >> 5 == 5  # a CBOR map
