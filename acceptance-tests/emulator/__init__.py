"""Local AWS emulator for CodeBuild and CodeConnections.

It speaks the wire protocols the AWS SDKs use (awsJson1_1, awsJson1_0 and
Smithy RPC v2 CBOR), validates requests against the botocore service models,
keeps resources in memory, and exposes a control API under /_emulator/ so
tests can authorize connections, inject faults and inspect what was called.
"""

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
