"""Requests generated from the botocore models: a minimal valid input per
operation, and inputs that break exactly one constraint at a known member.

Nothing here knows the emulator: values are derived from the shapes alone
(required members, lengths, patterns, enums, ranges), and every generated
string is checked against its own shape before use, so a generator mistake
fails loudly instead of testing the wrong thing.
"""

import functools
from dataclasses import dataclass

import botocore.loaders
import regex

try:
    import re._parser as sre_parse
    import re._constants as sre_constants
except ImportError:  # Python < 3.11
    import sre_constants
    import sre_parse

# Operations the emulator implements, per botocore service name.
OPERATIONS = {
    "codebuild": ["CreateProject", "UpdateProject", "BatchGetProjects", "ListProjects",
                  "DeleteProject", "CreateWebhook", "UpdateWebhook", "DeleteWebhook"],
    "codeconnections": ["CreateHost", "GetHost", "ListHosts", "UpdateHost", "DeleteHost",
                        "CreateConnection", "GetConnection", "ListConnections",
                        "DeleteConnection", "TagResource", "UntagResource",
                        "ListTagsForResource"],
}
KINDS = ("required", "min_length", "max_length", "pattern", "enum", "min_value",
         "max_value", "type")
MAX_DEPTH = 6
# Java-style property classes mapped to something sre_parse understands.
_PROPERTY_CLASSES = {r"\p{L}": "a-zA-Z", r"\p{Z}": " ", r"\p{N}": "0-9"}


@functools.lru_cache(maxsize=None)
def load(service):
    return botocore.loaders.Loader().load_service_model(service, "service-2")


def shape(service, name):
    return load(service)["shapes"][name]


def input_shape(service, operation):
    return load(service)["operations"][operation]["input"]["shape"]


def modeled_errors(service, operation):
    return {e["shape"] for e in load(service)["operations"][operation].get("errors", [])}


# --- minimal valid values ----------------------------------------------------------

def minimal(service, name, depth=0):
    """The smallest value of a shape that satisfies all of its constraints."""
    sh = shape(service, name)
    kind = sh["type"]
    if kind == "structure":
        if depth > MAX_DEPTH:
            raise ValueError(f"{name}: required members nest too deep")
        return {m: minimal(service, sh["members"][m]["shape"], depth + 1)
                for m in sh.get("required", [])}
    if kind == "list":
        return [minimal(service, sh["member"]["shape"], depth + 1)
                for _ in range(sh.get("min", 0))]
    if kind == "map":
        if sh.get("min", 0):
            raise ValueError(f"{name}: maps with a minimum size are not generated")
        return {}
    if kind == "string":
        return sh["enum"][0] if sh.get("enum") else string_for(sh)
    if kind in ("integer", "long"):
        return max(sh.get("min", 0), 0) if sh.get("max", 1) >= 0 else sh["max"]
    if kind in ("double", "float"):
        return float(max(sh.get("min", 0), 0))
    if kind == "boolean":
        return False
    if kind == "timestamp":
        return 0
    if kind == "blob":
        return ""
    raise ValueError(f"{name}: cannot generate type {kind}")


def string_for(sh):
    """A string that matches the shape's pattern and fits its length limits."""
    low, high = sh.get("min", 0), sh.get("max", 1 << 20)
    pattern = sh.get("pattern")
    if not pattern:
        return "a" * max(low, 1 if high >= 1 else 0)
    for extra in range(0, high + 1):
        text = _from_pattern(pattern, extra)
        if low <= len(text) <= high and pattern_ok(pattern, text):
            return text
    raise ValueError(f"no string for pattern {pattern!r} within {low}..{high}")


def pattern_ok(pattern, text):
    flags = 0 if r"\p{" in pattern else regex.ASCII
    return regex.compile(pattern, flags).fullmatch(text) is not None


def _from_pattern(pattern, extra):
    source = pattern
    for prop, plain in _PROPERTY_CLASSES.items():
        source = source.replace(prop, plain)
    budget = [extra]  # the first open-ended repeat takes the extra length
    return "".join(_emit(sre_parse.parse(source), budget))


def _emit(parsed, budget):
    out = []
    for op, arg in parsed:
        if op == sre_constants.LITERAL:
            out.append(chr(arg))
        elif op == sre_constants.NOT_LITERAL:
            out.append("a" if chr(arg) != "a" else "b")
        elif op == sre_constants.ANY:
            out.append("a")
        elif op == sre_constants.IN:
            out.append(_class_char(arg))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            low, high, sub = arg
            count = low
            if budget[0] and (high == sre_constants.MAXREPEAT or high > low):
                grow = budget[0] if high == sre_constants.MAXREPEAT else min(budget[0],
                                                                           high - low)
                count, budget[0] = low + grow, budget[0] - grow
            for _ in range(count):
                out.extend(_emit(sub, budget))
        elif op == sre_constants.SUBPATTERN:
            out.extend(_emit(arg[-1], budget))
        elif op == sre_constants.BRANCH:
            out.extend(_emit(arg[1][0], budget))
        elif op == sre_constants.AT:
            continue
        else:
            raise ValueError(f"unsupported regex construct {op}")
    return out


_CATEGORY_CHARS = {
    sre_constants.CATEGORY_DIGIT: "0", sre_constants.CATEGORY_WORD: "a",
    sre_constants.CATEGORY_SPACE: " ", sre_constants.CATEGORY_NOT_DIGIT: "a",
    sre_constants.CATEGORY_NOT_WORD: "-", sre_constants.CATEGORY_NOT_SPACE: "a",
}


def _class_char(items):
    if items and items[0][0] == sre_constants.NEGATE:
        for candidate in "a0-_.":
            if not any(_in_item(item, candidate) for item in items[1:]):
                return candidate
        raise ValueError("negated class excludes every candidate")
    op, arg = items[0]
    if op == sre_constants.LITERAL:
        return chr(arg)
    if op == sre_constants.RANGE:
        return chr(arg[0])
    if op == sre_constants.CATEGORY:
        return _CATEGORY_CHARS[arg]
    raise ValueError(f"unsupported class item {op}")


def _in_item(item, char):
    op, arg = item
    if op == sre_constants.LITERAL:
        return chr(arg) == char
    if op == sre_constants.RANGE:
        return arg[0] <= ord(char) <= arg[1]
    return _CATEGORY_CHARS.get(arg) == char


# --- constraint sites and violations ------------------------------------------------

@dataclass(frozen=True)
class Violation:
    """One request that breaks one constraint at one member."""
    kind: str
    steps: tuple        # ("member", name) or ("item",) from the input root
    value: object       # the value put there (None: the member is left out)

    @property
    def wire_path(self):
        """The member as AWS names it in validation messages (`tags.1.member.key`)."""
        parts = []
        for step in self.steps:
            parts.append(step[1] if step[0] == "member" else "1.member")
        return ".".join(parts)


def violations(service, operation):
    """The first site (shallowest first) of each constraint kind, as Violations."""
    found = {}
    queue = [((), input_shape(service, operation))]
    while queue:
        steps, name = queue.pop(0)
        if len(steps) > MAX_DEPTH:
            continue
        sh = shape(service, name)
        for kind, value in _site_violations(service, sh, steps):
            found.setdefault(kind, Violation(kind, steps, value))
        if sh["type"] == "structure":
            for member, ref in sh.get("members", {}).items():
                queue.append((steps + (("member", member),), ref["shape"]))
            for member in sh.get("required", []):
                found.setdefault("required",
                                 Violation("required", steps + (("member", member),), None))
        elif sh["type"] == "list":
            queue.append((steps + (("item",),), sh["member"]["shape"]))
    return [found[k] for k in KINDS if k in found]


def _site_violations(service, sh, steps):
    if not steps:
        return []
    kind = sh["type"]
    out = []
    if kind in ("string", "list", "map"):
        if sh.get("min", 0) > 0 and not sh.get("enum"):
            out.append(("min_length", _sized(sh, sh["min"] - 1)))
        if "max" in sh and not sh.get("enum") and sh["max"] < 5000:
            out.append(("max_length", _sized(sh, sh["max"] + 1)))
    if kind == "string":
        if sh.get("pattern"):
            bad = _pattern_breaker(sh)
            if bad is not None:
                out.append(("pattern", bad))
        if sh.get("enum"):
            out.append(("enum", "NOT_A_MODEL_VALUE"))
        out.append(("type", 12345))
    if kind in ("integer", "long"):
        if "min" in sh:
            out.append(("min_value", sh["min"] - 1))
        if "max" in sh:
            out.append(("max_value", sh["max"] + 1))
        out.append(("type", "not-a-number"))
    return out


def _sized(sh, length):
    if sh["type"] == "string":
        return "a" * length
    if sh["type"] == "map":
        return {f"k{i}": "v" for i in range(length)}
    return [None] * length  # replaced by minimal items in build()


def _pattern_breaker(sh):
    low, high = sh.get("min", 0), sh.get("max", 1 << 20)
    for char in ("!", "\n", "\x00"):
        text = char * max(low, 1)
        if len(text) <= high and not pattern_ok(sh["pattern"], text):
            return text
    return None  # e.g. [\s\S]*: every string matches


def build(service, operation, violation=None):
    """The minimal request of an operation, with `violation` applied to it."""
    root_name = input_shape(service, operation)
    request = minimal(service, root_name)
    if violation is None:
        return request
    parent, name = request, root_name
    for step in violation.steps[:-1]:
        sh = shape(service, name)
        if step[0] == "member":
            name = sh["members"][step[1]]["shape"]
            if parent.get(step[1]) is None:
                parent[step[1]] = minimal(service, name)
            parent = parent[step[1]]
        else:
            name = sh["member"]["shape"]
            if not parent:
                parent.append(minimal(service, name))
            parent = parent[0]
    last = violation.steps[-1]
    sh = shape(service, name)
    if last[0] == "member":
        target = sh["members"][last[1]]["shape"]
        key, container = last[1], parent
    else:
        target = sh["member"]["shape"]
        if not parent:
            parent.append(None)
        key, container = 0, parent
    value = violation.value
    if isinstance(value, list):
        value = [minimal(service, shape(service, target)["member"]["shape"]) for _ in value]
    if value is None:
        if isinstance(container, dict):
            container.pop(key, None)
    else:
        container[key] = value
    return request
