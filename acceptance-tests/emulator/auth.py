"""The SigV4 gate: AWS rejects unsigned requests before anything else.

Only the form of the Authorization header is checked (never the signature):
the SDKs always sign, so a missing or malformed header means a client bug
the tests should see. The credential scope also tells us the region.
"""

from . import DEFAULT_REGION
from .errors import ApiError

ALGORITHM = "AWS4-HMAC-SHA256"
_PARTS = ("Credential", "SignedHeaders", "Signature")


def region_of(headers):
    """Check the Authorization header's shape; return the scope's region."""
    header = headers.get("Authorization")
    if not header:
        raise ApiError("MissingAuthenticationTokenException", "Missing Authentication Token")
    params = _parameters(header)
    problems = [f"Authorization header requires '{name}' parameter."
                for name in _PARTS if not params.get(name)]
    if not (headers.get("X-Amz-Date") or headers.get("Date")):
        problems.append("Authorization header requires existence of either "
                        "a 'X-Amz-Date' or a 'Date' header.")
    if problems:
        # Like AWS, but without echoing the header back into logs and bodies.
        raise ApiError("IncompleteSignatureException", " ".join(problems))
    scope = params["Credential"].split("/")
    return scope[2] if len(scope) >= 5 and scope[2] else DEFAULT_REGION


def _parameters(header):
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        return {}
    params = {}
    for item in rest.split(","):
        key, _, value = item.strip().partition("=")
        params[key] = value
    return params
