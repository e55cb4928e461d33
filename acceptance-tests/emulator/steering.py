"""Test steering that bends the answers of the AWS operations: which calls a
fault applies to, request-rate throttling, and malformed success bodies.

These are the failures a provider meets in the field but that AWS cannot be
asked to produce on demand: a 200 whose body a client cannot read, a
throttled burst, an error for one project among many.
"""

import json

import cbor2

# Corruption kinds -> whether the operation really runs before the bad answer.
# A 200 from the service means it did the work, so the body is damaged after
# the fact (empty object, wrong member type, a body cut short). A body that
# is not JSON at all comes from something in front of the service (an HTML
# error page from a proxy), so the service never saw the call.
CORRUPTIONS = {
    "empty_object": True,
    "wrong_type": True,
    "truncated": True,
    "not_json": False,
}
NOT_JSON_BODY = b"<html><body><h1>200 OK</h1><p>Gateway page</p></body></html>"
_MISSING = object()


def matches(match, params):
    """True when every `match` entry equals the request's value at that path.

    Paths are dotted member names (`source.auth.resource`); a number selects a
    list item (0-based). An absent `match` matches every request.
    """
    for path, expected in (match or {}).items():
        if _lookup(params, path) != expected:
            return False
    return True


def _lookup(value, path):
    for part in str(path).split("."):
        if isinstance(value, dict):
            value = value.get(part, _MISSING)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
        if value is _MISSING:
            return _MISSING
    return value


class Throttle:
    """A token bucket: `rate` requests per second on average, `burst` at once."""

    def __init__(self, rate, burst):
        self.rate = float(rate)
        self.burst = float(burst)
        self.tokens = float(burst)
        self.updated = None

    def exceeded(self, now):
        """Spend one token; True when there was none left (the call is throttled)."""
        if self.updated is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return False
        return True

    def describe(self):
        return {"rate": self.rate, "burst": self.burst}


def corrupt(kind, document, wire):
    """A damaged 200 body for an output `document` already shaped for `wire`."""
    if kind == "not_json":
        return NOT_JSON_BODY
    if kind == "empty_object":
        return _dump({}, wire)
    if kind == "wrong_type":
        return _dump(_wrong_types(document), wire)
    if kind == "truncated":
        body = _dump(document, wire)
        # Keep under half: never a complete document, whatever its size.
        return body[: max(1, len(body) // 2 - 1)]
    raise ValueError(f"unknown corruption {kind}")


def _dump(document, wire):
    return cbor2.dumps(document) if wire == "cbor" else json.dumps(document).encode()


def _wrong_types(document):
    """ARN members become numbers; without one, the first member does."""
    changed = _replace_arns(document)
    if changed is document and isinstance(document, dict) and document:
        first = next(iter(document))
        changed = dict(document, **{first: 12345})
    return changed


def _replace_arns(value):
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            is_arn = key.lower().endswith("arn") and isinstance(item, str)
            out[key] = 12345 if is_arn else _replace_arns(item)
        return out if out != value else value
    if isinstance(value, list):
        out = [_replace_arns(item) for item in value]
        return out if out != value else value
    return value
