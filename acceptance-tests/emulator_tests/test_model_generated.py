"""Generated from the botocore models: every emulated operation gets a minimal
valid request and one invalid request per constraint kind its input has
(required, length, pattern, enum, range, type), on both wires (awsJson as
boto3 and the aws CLI send it, RPC v2 CBOR as the Rust SDK sends it).

The cases come from the models, not from the emulator, so a constraint the
emulator forgets to check shows up as a failing case here.
"""

import json

import cbor2
import pytest

from . import modelgen
from .test_protocols import CB_CBOR, CB_TARGET, CC_CBOR, CC_TARGET, cbor_call, json_call

VALIDATION_CODE = {"codebuild": "InvalidInputException",
                   "codeconnections": "ValidationException"}
RULE_TEXT = {
    "required": "Member must not be null",
    "min_length": "Member must have length greater than or equal to",
    "max_length": "Member must have length less than or equal to",
    "pattern": "Member must satisfy regular expression pattern",
    "enum": "Member must satisfy enum value set",
    "min_value": "Member must have value greater than or equal to",
    "max_value": "Member must have value less than or equal to",
}


def call(emulator, wire, service, operation, request):
    """(status, error code or None, message, decoded body) of one raw request."""
    if wire == "cbor":
        prefix = CC_CBOR if service == "codeconnections" else CB_CBOR
        response, body = cbor_call(emulator, operation, request, prefix=prefix,
                                   service=service)
        document = cbor2.loads(body)
        code = document.get("__type", "").rpartition("#")[2] or None
    else:
        target = (CC_TARGET if service == "codeconnections" else CB_TARGET) + operation
        version = "1.0" if service == "codeconnections" else "1.1"
        response, body = json_call(emulator, target, request, version=version,
                                   service=service)
        document = json.loads(body)
        code = response.getheader("X-Amzn-ErrorType")
    if response.status == 200:
        code = None
    message = document.get("message") or document.get("Message") or ""
    return response.status, code, message, document


def all_operations():
    return [(service, op) for service, ops in modelgen.OPERATIONS.items() for op in ops]


def all_violations():
    cases = []
    for service, operation in all_operations():
        for violation in modelgen.violations(service, operation):
            cases.append(pytest.param(service, operation, violation,
                                      id=f"{operation}-{violation.kind}-{violation.wire_path}"))
    return cases


WIRES = ["json", "cbor"]


def test_every_emulated_operation_has_cases():
    covered = {op for _, op, _ in (p.values for p in all_violations())}
    assert covered == {op for _, op in all_operations()}
    kinds = {v.kind for _, _, v in (p.values for p in all_violations())}
    assert kinds == set(modelgen.KINDS)


@pytest.mark.parametrize("wire", WIRES)
@pytest.mark.parametrize("service,operation", all_operations(),
                         ids=[op for _, op in all_operations()])
def test_minimal_valid_request_passes_validation(emulator, wire, service, operation):
    request = modelgen.build(service, operation)
    status, code, message, _ = call(emulator, wire, service, operation, request)
    if status != 200:
        # The input was valid, so any refusal must be one the operation models.
        assert code in modelgen.modeled_errors(service, operation), (status, code, message)
        assert "validation error" not in message


@pytest.mark.parametrize("wire", WIRES)
@pytest.mark.parametrize("service,operation,violation", all_violations())
def test_one_broken_constraint_is_refused_naming_the_member(emulator, wire, service,
                                                           operation, violation):
    request = modelgen.build(service, operation, violation)
    status, code, message, _ = call(emulator, wire, service, operation, request)
    if violation.kind == "type":
        assert (status, code) == (400, "SerializationException"), message
        assert violation.wire_path in message
        return
    assert (status, code) == (400, VALIDATION_CODE[service]), message
    assert f"at '{violation.wire_path}' failed to satisfy constraint: " \
           f"{RULE_TEXT[violation.kind]}" in message
