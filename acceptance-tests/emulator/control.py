"""The control API under /_emulator/: what tests use to steer and observe AWS.

Plain JSON over HTTP, no signing. It does what no public AWS API can: finish
the connection handshake (`connections/authorize`), break a connection
(`connections/fail`), change timing, inject faults, latency and throttling, list what
exists and what was called, and reset. See README.md for the reference.
"""

import copy
import time

from . import model, steering
from .codebuild import project_view
from .codeconnections import connection_view, host_view
from .state import AVAILABLE, ERROR, VPC_DELETING


# Reads that can be told to miss a freshly created resource (eventual consistency).
NOT_FOUND_READS = ("GetHost", "GetConnection", "BatchGetProjects")


class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def handle(store, method, path, body):
    """Run one control request; returns (status, JSON-able document)."""
    handler = ROUTES.get((method, path.rstrip("/")))
    if handler is None:
        raise ControlError(404, f"no control endpoint {method} {path}")
    if not isinstance(body, dict):
        raise ControlError(400, "body must be a JSON object")
    store.tick()
    with store.lock:
        return 200, handler(store, body)


def health(store, body):
    return {"ok": True, "botocore": model.botocore_version()}


def resources(store, body):
    return {
        "hosts": [_host_entry(h) for h in store.hosts.values()],
        "connections": [_connection_entry(c) for c in store.connections.values()],
        "projects": [_project_entry(p) for p in store.projects.values()],
    }


def _host_entry(host):
    entry = host_view(host)
    entry.update(Tags=host.tags, Region=host.region, Created=host.created)
    return {k: v for k, v in entry.items() if v is not None}


def _connection_entry(conn):
    entry = connection_view(conn)
    entry.update(Tags=conn.tags, Region=conn.region, Created=conn.created)
    return {k: v for k, v in entry.items() if v is not None}


def _project_entry(project):
    entry = project_view(project)
    entry["region"] = project.region
    if project.webhook:
        # Tests may compare the secret the provider stored; never logged.
        entry["webhook"] = copy.deepcopy(project.webhook)
    return entry


def calls(store, body):
    return copy.deepcopy(store.calls)


def get_config(store, body):
    return dict(vars(store.config))


def set_config(store, body):
    unknown = set(body) - set(vars(store.config))
    if unknown:
        raise ControlError(400, f"unknown config keys: {sorted(unknown)}")
    _check_config(body)
    for key, value in body.items():
        setattr(store.config, key, value)
    return dict(vars(store.config))


def _check_config(body):
    if "authorize_after" in body and not (body["authorize_after"] is None
                                          or _seconds(body["authorize_after"])):
        raise ControlError(400, "authorize_after must be seconds >= 0 or null")
    if "host_setup_delay" in body and not _seconds(body["host_setup_delay"]):
        raise ControlError(400, "host_setup_delay must be seconds >= 0")
    if "duplicate_host_error" in body and not isinstance(body["duplicate_host_error"], str):
        raise ControlError(400, "duplicate_host_error must be an error code")
    for flag in ("server_defaults", "role_lacks_connection_permission",
                 "update_available_host"):
        if flag in body and not isinstance(body[flag], bool):
            raise ControlError(400, f"{flag} must be true or false")
    if "not_found_after_create" in body:
        _check_not_found(body["not_found_after_create"])


def _check_not_found(window):
    if not isinstance(window, dict):
        raise ControlError(400, "not_found_after_create must map a read operation to a count")
    for operation, reads in window.items():
        if operation not in NOT_FOUND_READS:
            raise ControlError(400, f"not_found_after_create supports {sorted(NOT_FOUND_READS)}")
        if not (isinstance(reads, int) and not isinstance(reads, bool) and reads >= 0):
            raise ControlError(400, f"not_found_after_create.{operation} must be a count >= 0")


def _seconds(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


def authorize(store, body):
    """Finish the handshake: connection (and its host) become AVAILABLE."""
    if body.get("all"):
        targets = list(store.connections.values()) + list(store.hosts.values())
    else:
        targets = [_resource(store, body)]
    for target in targets:
        _set_status(target, AVAILABLE)
        host_arn = getattr(target, "host_arn", None)
        host = store.host(host_arn) if host_arn else None
        if host is not None:
            _set_status(host, AVAILABLE)
    return {"authorized": [t.arn for t in targets]}


def fail(store, body):
    """Status ERROR; optionally AWS's own retry brings it back later."""
    target = _resource(store, body)
    _set_status(target, ERROR)
    now = time.time()
    recover, authorize_later = body.get("recover_after"), body.get("authorize_after")
    for name, value in (("recover_after", recover), ("authorize_after", authorize_later)):
        if value is not None and not _seconds(value):
            raise ControlError(400, f"{name} must be seconds >= 0")
    if hasattr(target, "recover_at"):
        target.recover_at = None if recover is None else now + recover
        if authorize_later is not None:
            target.authorize_at = now + max(authorize_later, recover or 0)
    return {"arn": target.arn, "status": ERROR}


def _set_status(resource, status):
    if resource.status == VPC_DELETING:
        return  # a host being deleted stays on its way out
    resource.status = status
    resource.authorize_at = None
    if hasattr(resource, "recover_at"):
        resource.recover_at = None
    if hasattr(resource, "settle_at"):
        resource.settle_at = None


def _resource(store, body):
    resource_arn = body.get("arn")
    if not resource_arn:
        raise ControlError(400, "give \"arn\" (or \"all\": true)")
    resource = store.connection(resource_arn) or store.host(resource_arn)
    if resource is None:
        raise ControlError(404, f"no connection or host {resource_arn}")
    return resource


def add_fault(store, body):
    operation, error, kind = body.get("operation"), body.get("error"), body.get("corrupt")
    if not operation or bool(error) == bool(kind):
        raise ControlError(400, "give \"operation\" and one of \"error\" or \"corrupt\"")
    service = body.get("service") or _service_of(operation)
    count = body.get("count")
    if count is not None and not (isinstance(count, int) and count > 0):
        raise ControlError(400, "count must be a positive integer or null (until cleared)")
    match = body.get("match")
    if match is not None and not isinstance(match, dict):
        raise ControlError(400, "match must be an object of member path -> value")
    fault = {"service": service, "operation": operation, "count": count, "match": match}
    if kind:
        if kind not in steering.CORRUPTIONS:
            raise ControlError(400, f"corrupt must be one of {sorted(steering.CORRUPTIONS)}")
        perform = body.get("perform")
        fault.update(corrupt=kind,
                     perform=steering.CORRUPTIONS[kind] if perform is None else bool(perform))
    else:
        message = body.get("message")
        fault.update(error=error,
                     status=body.get("status") or model.load(service).error_status(error),
                     # An empty message is kept: AWS sometimes sends exactly that.
                     message=f"Injected fault for {operation}" if message is None else message)
    store.faults.append(fault)
    return fault


def list_faults(store, body):
    return copy.deepcopy(store.faults)


def clear_faults(store, body):
    store.faults.clear()
    return {"faults": []}


def set_latency(store, body):
    operation = body.get("operation") or "*"
    seconds = float(body.get("seconds") or 0)
    if seconds > 0:
        store.latency[operation] = seconds
    else:
        store.latency.pop(operation, None)
    return dict(store.latency)


def clear_latency(store, body):
    store.latency.clear()
    return {}


def set_throttle(store, body):
    operation = body.get("operation") or "*"
    rate = body.get("rate")
    if rate is None or rate == 0:
        store.throttles.pop(operation, None)
        return _throttles(store)
    if not _seconds(rate):
        raise ControlError(400, "rate must be requests per second > 0 (0 or null removes it)")
    burst = body.get("burst", max(1, int(rate)))
    if not (isinstance(burst, int) and burst >= 1):
        raise ControlError(400, "burst must be an integer >= 1")
    store.throttles[operation] = steering.Throttle(rate, burst)
    return _throttles(store)


def _throttles(store):
    return {op: t.describe() for op, t in store.throttles.items()}


def clear_throttle(store, body):
    store.throttles.clear()
    return {}


def reset(store, body):
    store.reset()
    return {"reset": True}


def _service_of(operation):
    for service in model.SERVICES:
        if operation in model.load(service).operations:
            return service
    raise ControlError(400, f"unknown operation {operation}")


ROUTES = {
    ("GET", "/_emulator/health"): health,
    ("GET", "/_emulator/resources"): resources,
    ("GET", "/_emulator/calls"): calls,
    ("GET", "/_emulator/config"): get_config,
    ("POST", "/_emulator/config"): set_config,
    ("POST", "/_emulator/connections/authorize"): authorize,
    ("POST", "/_emulator/connections/fail"): fail,
    ("GET", "/_emulator/faults"): list_faults,
    ("POST", "/_emulator/faults"): add_fault,
    ("DELETE", "/_emulator/faults"): clear_faults,
    ("GET", "/_emulator/latency"): lambda store, body: dict(store.latency),
    ("POST", "/_emulator/latency"): set_latency,
    ("DELETE", "/_emulator/latency"): clear_latency,
    ("GET", "/_emulator/throttle"): lambda store, body: _throttles(store),
    ("POST", "/_emulator/throttle"): set_throttle,
    ("DELETE", "/_emulator/throttle"): clear_throttle,
    ("POST", "/_emulator/reset"): reset,
}
