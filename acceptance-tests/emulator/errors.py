"""The one exception type handlers raise to answer with an AWS error.

The HTTP status comes from the botocore model when the error shape declares
one; the handful of errors AWS returns that the models do not describe
(authentication, validation, unknown operations) have fixed statuses here.
"""

# Errors that exist on the wire but not (or not with a status) in the models.
UNMODELED_STATUS = {
    "MissingAuthenticationTokenException": 403,
    "IncompleteSignatureException": 403,
    "ValidationException": 400,
    "SerializationException": 400,
    "UnknownOperationException": 400,
    "NotImplemented": 501,
    "InternalFailure": 500,
}


class ApiError(Exception):
    """An AWS error response: code (the `__type`), message, optional status."""

    def __init__(self, code, message, status=None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
