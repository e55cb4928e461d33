"""Wire protocols: which service/operation a request is for, and the codecs.

Routing (see shared notes §1.1):
- awsJson (botocore, aws CLI, Rust CodeBuild): `POST /` with
  `X-Amz-Target: <prefix>.<Operation>`; CodeBuild uses JSON 1.1,
  CodeConnections (and its legacy CodeStar name) JSON 1.0.
- Smithy RPC v2 CBOR (Rust CodeConnections; future-proofing for CodeBuild):
  `POST /service/<ServiceShape>/operation/<Operation>`.

Responses are shaped by the operation's output shape from the model: members
the shape does not define are dropped, timestamps become epoch seconds (JSON
numbers, or CBOR tag 1 floats), and `None` values are omitted.
"""

import base64
import datetime
import json
import re
from dataclasses import dataclass

import cbor2

from .errors import ApiError

JSON_TARGET_PREFIXES = {
    "CodeBuild_20161006.": ("codebuild", "1.1"),
    "com.amazonaws.codeconnections.CodeConnections_20231201.": ("codeconnections", "1.0"),
    # botocore's `codestar-connections` client still speaks to the same service.
    "com.amazonaws.codestar.connections.CodeStar_connections_20191201.":
        ("codeconnections", "1.0"),
}

CBOR_SERVICE_SHAPES = {
    "CodeBuild_20161006": "codebuild",
    "CodeConnections_20231201": "codeconnections",
}

# CodeBuild error shapes have no members and clients read `message`;
# CodeConnections error shapes model `Message`.
MESSAGE_KEY = {"codebuild": "message", "codeconnections": "Message"}

_CBOR_PATH = re.compile(r"/service/([^/]+)/operation/([^/?]+)")


@dataclass(frozen=True)
class Route:
    service: str      # "codebuild" or "codeconnections"
    operation: str
    wire: str         # "json" or "cbor"
    json_version: str = "1.1"

    @property
    def content_type(self):
        if self.wire == "cbor":
            return "application/cbor"
        return f"application/x-amz-json-{self.json_version}"


def route(path, headers):
    """Find the Route of an AWS request; ApiError if it names no known service."""
    target = headers.get("X-Amz-Target")
    if target:
        for prefix, (service, version) in JSON_TARGET_PREFIXES.items():
            if target.startswith(prefix):
                return Route(service, target[len(prefix):], "json", version)
        raise ApiError("UnknownOperationException", f"Unknown target: {target}")
    match = _CBOR_PATH.fullmatch(path.split("?", 1)[0])
    if match and match.group(1) in CBOR_SERVICE_SHAPES:
        return Route(CBOR_SERVICE_SHAPES[match.group(1)], match.group(2), "cbor")
    raise ApiError("UnknownOperationException", f"No operation at {path}")


def decode_request(route_, body):
    """Decode a request body into plain Python values (dict at the top)."""
    if not body:
        return {}
    try:
        if route_.wire == "cbor":
            value = _plain(cbor2.loads(body))
        else:
            value = json.loads(body)
    except (ValueError, cbor2.CBORDecodeError) as exc:
        raise ApiError("SerializationException", f"Malformed request body: {exc}") from exc
    if not isinstance(value, dict):
        raise ApiError("SerializationException", "Request body must be a map")
    return value


def _plain(value):
    """CBOR decodes timestamps as datetime/tags; the handlers want epoch floats."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, cbor2.CBORTag) and value.tag == 1:
        return float(value.value)
    return value


def shape_output(route_, model, output):
    """An operation's output reduced to its model shape, in the wire's value types."""
    shape = model.output_shape(route_.operation)
    return _shape(model, shape, output or {}, route_.wire) if shape else {}


def encode(route_, document):
    """Serialize a shaped document for the wire the request came on."""
    return _encode(route_, document)


def encode_success(route_, model, output):
    """Serialize an operation's output for the wire the request came on."""
    return _encode(route_, shape_output(route_, model, output))


def encode_error(route_, model, error):
    """Serialize an ApiError; returns (status, body, extra headers)."""
    code = error.code
    status = error.status or model.error_status(code)
    message_key = MESSAGE_KEY[route_.service]
    if route_.wire == "cbor":
        # RPC v2 CBOR: the code lives only in the body, as a shape id; clients
        # strip the namespace before '#'.
        document = {"__type": f"{model.namespace}#{code}", message_key: error.message}
        return status, cbor2.dumps(document), {}
    document = {"__type": code, message_key: error.message}
    return status, json.dumps(document).encode(), {"X-Amzn-ErrorType": code}


def _encode(route_, document):
    if route_.wire == "cbor":
        # Always a map, even when empty (0xA0): Rust fails on an empty body.
        return cbor2.dumps(document)
    return json.dumps(document).encode()


def _shape(model, shape_name, value, wire):
    shape = model.shape(shape_name)
    kind = shape["type"]
    if kind == "structure":
        members = shape.get("members", {})
        return {name: _shape(model, members[name]["shape"], item, wire)
                for name, item in value.items()
                if name in members and item is not None}
    if kind == "list":
        member = shape["member"]["shape"]
        return [_shape(model, member, item, wire) for item in value]
    if kind == "map":
        value_shape = shape["value"]["shape"]
        return {k: _shape(model, value_shape, v, wire) for k, v in value.items()}
    if kind == "timestamp":
        seconds = round(float(value), 3)
        return cbor2.CBORTag(1, seconds) if wire == "cbor" else seconds
    if kind == "blob" and wire == "json":
        return base64.b64encode(value).decode()
    return value
