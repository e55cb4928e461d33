"""Opaque next-token pagination shared by the List* operations."""

import base64
import json

from .errors import ApiError


def page(items, max_results, next_token, default_size, bad_token_error):
    """Return (items of this page, next token or None)."""
    start = _decode(next_token, bad_token_error) if next_token else 0
    size = max_results or default_size
    chunk = items[start:start + size]
    end = start + len(chunk)
    return chunk, (_encode(end) if end < len(items) else None)


def _encode(offset):
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _decode(token, bad_token_error):
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
        if isinstance(offset, int) and offset >= 0:
            return offset
    except (ValueError, KeyError, TypeError):
        pass
    raise ApiError(bad_token_error, f"Invalid pagination token: {token}")
