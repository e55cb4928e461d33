"""In-memory state of the emulated account: resources, settings, call log, faults.

Everything is guarded by one re-entrant lock (`Store.lock`); the server holds
it for the whole of an operation, so handlers see a consistent account.

Time-driven transitions (VPC set-up, VPC tear-down, auto-authorize) are
applied lazily by `tick()`, which the server calls before every request: no
timer threads, and every read sees the status it would see on AWS by then.
"""

import copy
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

from . import ACCOUNT_ID
from .steering import Throttle, matches

PENDING = "PENDING"
AVAILABLE = "AVAILABLE"
ERROR = "ERROR"
VPC_INITIALIZING = "VPC_CONFIG_INITIALIZING"
VPC_DELETING = "VPC_CONFIG_DELETING"


@dataclass
class Host:
    arn: str
    name: str
    region: str
    provider_type: str
    provider_endpoint: str
    vpc_configuration: Optional[dict]
    tags: list
    status: str
    created: float
    status_message: Optional[str] = None
    settle_at: Optional[float] = None     # end of a VPC_CONFIG_* state
    transition_started: Optional[float] = None  # start of that state
    authorize_at: Optional[float] = None  # auto-authorize moment
    settled_status: str = PENDING         # status once VPC_CONFIG_INITIALIZING ends


@dataclass
class Connection:
    arn: str
    name: str
    region: str
    provider_type: str
    host_arn: Optional[str]
    tags: list
    created: float
    status: str = PENDING
    provider_endpoint: Optional[str] = None
    authorize_at: Optional[float] = None
    recover_at: Optional[float] = None    # ERROR -> PENDING (AWS retries failed connections)


@dataclass
class Project:
    region: str
    data: dict                      # the Project shape, camelCase, sans webhook
    webhook: Optional[dict] = None  # the Webhook shape, secret included


@dataclass
class Config:
    authorize_after: Optional[float] = None
    host_setup_delay: float = 0.0
    # CreateHost models only LimitExceededException (retried as throttling by
    # the SDKs); we answer a second host on one URL with ConflictException.
    duplicate_host_error: str = "ConflictException"
    # Eventual consistency: read operation -> how many reads of each freshly
    # created resource answer "not found" (GetHost, GetConnection, BatchGetProjects).
    not_found_after_create: dict = field(default_factory=dict)
    # CreateProject adds what AWS adds on its own (CODEBUILD_CONFIG_AUTO_DISCOVER,
    # source reportBuildStatus, environment variable types).
    server_defaults: bool = False
    # CreateWebhook answers "Access denied to connection" as when the project's
    # service role may not use the connection.
    role_lacks_connection_permission: bool = False
    # The console guide allows editing a host only while PENDING; true lets
    # UpdateHost change an AVAILABLE host too (it stays AVAILABLE). Unconfirmed.
    update_available_host: bool = False


@dataclass
class Store:
    defaults: Config = field(default_factory=Config)

    def __post_init__(self):
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        """Forget every resource, call, fault and setting changed at runtime."""
        with self.lock:
            self.config = Config(**copy.deepcopy(vars(self.defaults)))
            self.hosts = {}        # normalized ARN -> Host
            self.connections = {}  # normalized ARN -> Connection
            self.projects = {}     # (region, name) -> Project
            self.calls = []
            self.faults = []
            self.latency = {}      # operation or "*" -> seconds
            self.throttles = {}    # operation or "*" -> Throttle
            self.hidden = {}       # (read operation, resource key) -> reads left

    # --- lookups -----------------------------------------------------------

    def host(self, arn):
        return self.hosts.get(normalize_arn(arn))

    def connection(self, arn):
        return self.connections.get(normalize_arn(arn))

    def project(self, region, name_or_arn):
        """A project by name or ARN within the region, or None."""
        name = name_or_arn
        if name_or_arn.startswith("arn:"):
            parts = name_or_arn.split(":", 5)
            if len(parts) < 6 or not parts[5].startswith("project/"):
                return None
            region, name = parts[3], parts[5][len("project/"):]
        return self.projects.get((region, name))

    # --- time ----------------------------------------------------------------

    def tick(self, now=None):
        """Apply every transition whose time has come."""
        now = time.time() if now is None else now
        with self.lock:
            for key, host in list(self.hosts.items()):
                self._tick_host(key, host, now)
            for conn in self.connections.values():
                if conn.status == ERROR and _due(conn.recover_at, now):
                    conn.status, conn.recover_at = PENDING, None
                if conn.status == PENDING and _due(conn.authorize_at, now):
                    conn.status = AVAILABLE

    def _tick_host(self, key, host, now):
        if host.status == VPC_INITIALIZING and self._transition_over(host, now):
            host.status, host.settle_at = host.settled_status, None
        if host.status == VPC_DELETING and self._transition_over(host, now):
            del self.hosts[key]
            return
        if host.status == PENDING and _due(host.authorize_at, now):
            host.status = AVAILABLE

    def _transition_over(self, host, now):
        """A VPC transition ends at its scheduled moment, or earlier when the configured
        delay was lowered meanwhile (so tests can release a host that is already waiting)."""
        started = host.transition_started
        lowered = started is not None and started + self.config.host_setup_delay <= now
        return _due(host.settle_at, now) or lowered

    def authorize_at(self, created):
        after = self.config.authorize_after
        return None if after is None else created + after

    # --- faults and latency ----------------------------------------------------

    def take_fault(self, service, operation, params):
        """The next injected fault for this call (consuming one use), or None."""
        with self.lock:
            for fault in self.faults:
                if fault["operation"] != operation or fault["service"] != service:
                    continue
                if not matches(fault.get("match"), params):
                    continue
                if fault["count"] is not None:
                    fault["count"] -= 1
                    if fault["count"] <= 0:
                        self.faults.remove(fault)
                return dict(fault)
        return None

    def throttled(self, operation, now=None):
        """True when this call exceeds a configured request rate."""
        now = time.monotonic() if now is None else now
        with self.lock:
            limits = [self.throttles.get(operation), self.throttles.get("*")]
            # Every applicable bucket pays for the call, as layered AWS limits do.
            return any([t.exceeded(now) for t in limits if t is not None])

    # --- eventual consistency -------------------------------------------------------

    def hide_new(self, key, *operations):
        """Start the configured not-found window of a resource just created."""
        for operation in operations:
            reads = self.config.not_found_after_create.get(operation) or 0
            if reads > 0:
                self.hidden[(operation, key)] = reads

    def still_hidden(self, operation, key):
        """True (using up one read) while a new resource must look absent."""
        left = self.hidden.get((operation, key), 0)
        if left <= 0:
            return False
        if left == 1:
            del self.hidden[(operation, key)]
        else:
            self.hidden[(operation, key)] = left - 1
        return True

    def delay_for(self, operation):
        with self.lock:
            return self.latency.get(operation, self.latency.get("*", 0.0))


def _due(moment, now):
    return moment is not None and moment <= now


def normalize_arn(arn):
    """Both ARN prefixes name the same CodeConnections resource."""
    return arn.replace(":codestar-connections:", ":codeconnections:", 1)


def arn_region(arn):
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 else ""


def arn(service, region, resource):
    return f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{resource}"
