"""Checks a decoded request against the botocore model, as the AWS front end does.

Two failure kinds, like AWS:
- a member of the wrong JSON/CBOR type fails deserialization outright
  (`SerializationException`, first problem only);
- constraint violations (required, length, pattern, enum, range) are
  collected and reported together in the Coral style:
  `2 validation errors detected: Value 'x' at 'name' failed to satisfy
  constraint: Member must ...; Value null at 'source' failed ...`.
Paths use the names on the wire; list items are `tags.1.member.key`
(1-based), as AWS prints them.
"""

import functools
import json

import regex

from .errors import ApiError

_TYPE_CHECKS = {
    "structure": lambda v: isinstance(v, dict),
    "map": lambda v: isinstance(v, dict),
    "list": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "long": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "double": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "timestamp": lambda v: isinstance(v, (int, float, str)) and not isinstance(v, bool),
    "blob": lambda v: isinstance(v, (str, bytes)),
}


def check_input(model, operation, params, error_code):
    """Raise ApiError(error_code) listing every constraint `params` violates."""
    shape = model.input_shape(operation)
    if shape is None:
        return
    if not isinstance(params, dict):
        raise ApiError("SerializationException", "Request body must be an object")
    problems = []
    _walk(model, shape, params, "", problems)
    if problems:
        raise ApiError(error_code, _format(problems))


def _walk(model, shape_name, value, path, problems):
    shape = model.shape(shape_name)
    kind = shape["type"]
    if not _TYPE_CHECKS.get(kind, lambda v: True)(value):
        raise ApiError(
            "SerializationException",
            f"Invalid type for '{path or 'input'}': expected {kind}",
        )
    checker = _CHECKERS.get(kind)
    if checker:
        checker(model, shape, value, path, problems)


def _structure(model, shape, value, path, problems):
    members = shape.get("members", {})
    for name in shape.get("required", []):
        if value.get(name) is None:
            problems.append((_join(path, name), None, False, "Member must not be null"))
    for name, item in value.items():
        ref = members.get(name)
        # Unknown members are ignored, as AWS's JSON deserializers do.
        if ref is not None and item is not None:
            _walk(model, ref["shape"], item, _join(path, name), problems)


def _list(model, shape, value, path, problems):
    _length(shape, value, path, problems, sensitive=False)
    member = shape["member"]["shape"]
    for index, item in enumerate(value, start=1):
        _walk(model, member, item, f"{path}.{index}.member", problems)


def _map(model, shape, value, path, problems):
    _length(shape, value, path, problems, sensitive=False)
    key_shape, value_shape = shape["key"]["shape"], shape["value"]["shape"]
    for key, item in value.items():
        _walk(model, key_shape, key, f"{path}.key", problems)
        _walk(model, value_shape, item, f"{path}.{key}", problems)


def _string(model, shape, value, path, problems):
    sensitive = bool(shape.get("sensitive"))
    _length(shape, value, path, problems, sensitive)
    pattern = shape.get("pattern")
    if pattern and not _compiled(pattern).fullmatch(value):
        problems.append((path, value, sensitive,
                         f"Member must satisfy regular expression pattern: {pattern}"))
    enum = shape.get("enum")
    if enum and value not in enum:
        problems.append((path, value, sensitive,
                         f"Member must satisfy enum value set: [{', '.join(enum)}]"))


def _number(model, shape, value, path, problems):
    if "min" in shape and value < shape["min"]:
        problems.append((path, value, False,
                         f"Member must have value greater than or equal to {shape['min']}"))
    if "max" in shape and value > shape["max"]:
        problems.append((path, value, False,
                         f"Member must have value less than or equal to {shape['max']}"))


def _length(shape, value, path, problems, sensitive):
    if "min" in shape and len(value) < shape["min"]:
        problems.append((path, value, sensitive,
                         f"Member must have length greater than or equal to {shape['min']}"))
    if "max" in shape and len(value) > shape["max"]:
        problems.append((path, value, sensitive,
                         f"Member must have length less than or equal to {shape['max']}"))


_CHECKERS = {
    "structure": _structure,
    "list": _list,
    "map": _map,
    "string": _string,
    "integer": _number,
    "long": _number,
}


@functools.lru_cache(maxsize=None)
def _compiled(pattern):
    # Java's \w and \d are ASCII-only; patterns using \p{..} classes want
    # Unicode, and the `regex` module handles those (the stdlib `re` cannot).
    flags = 0 if r"\p{" in pattern else regex.ASCII
    return regex.compile(pattern, flags)


def _join(path, name):
    return f"{path}.{name}" if path else name


def _render(value, sensitive):
    if value is None:
        return "Value null at"
    if sensitive:
        return "Value at"
    if isinstance(value, str):
        return f"Value '{value}' at"
    return f"Value '{json.dumps(value, default=str)}' at"


def _format(problems):
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    parts = [f"{_render(value, sensitive)} '{path}' failed to satisfy constraint: {rule}"
             for path, value, sensitive, rule in problems]
    return f"{count} validation {noun} detected: " + "; ".join(parts)
