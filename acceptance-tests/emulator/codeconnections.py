"""CodeConnections operations: hosts, connections and their tags.

Handlers take (store, region, params) with params already validated against
the model, and return the output document in the model's PascalCase names.
Statuses follow shared notes §4.1/§4.2: hosts start PENDING (after
VPC_CONFIG_INITIALIZING when a VPC is given), connections start PENDING, and
only the control API (or auto-authorize) makes them AVAILABLE / ERROR.
Error choices the model leaves open are marked "unconfirmed" and listed in
the README.
"""

import secrets
import time
import uuid

from . import ACCOUNT_ID
from .errors import ApiError
from .paging import page
from .state import (AVAILABLE, PENDING, VPC_DELETING, VPC_INITIALIZING,
                    Connection, Host, arn, normalize_arn)

# Provider types that need a host (self-managed installations).
HOSTED_PROVIDERS = {"GitHubEnterpriseServer", "GitLabSelfManaged"}
VPC_STATES = {VPC_INITIALIZING, VPC_DELETING}
DEFAULT_PAGE = 50


# --- hosts -----------------------------------------------------------------

def create_host(store, region, p):
    endpoint = p["ProviderEndpoint"]
    clash = _host_with_endpoint(store, region, endpoint)
    if clash:
        # unconfirmed: AWS allows one host per provider URL; which error it
        # answers with is not documented (configurable, see Config).
        raise ApiError(store.config.duplicate_host_error,
                       f"A host for provider endpoint {endpoint} already exists: {clash.arn}")
    now = time.time()
    vpc = p.get("VpcConfiguration")
    host = Host(
        arn=arn("codeconnections", region, f"host/{p['Name']}-{secrets.token_hex(4)}"),
        name=p["Name"], region=region, provider_type=p["ProviderType"],
        provider_endpoint=endpoint, vpc_configuration=vpc,
        tags=list(p.get("Tags") or []), status=PENDING, created=now,
        authorize_at=store.authorize_at(now),
    )
    if vpc:
        _start_vpc_transition(store, host, VPC_INITIALIZING, now)
    store.hosts[normalize_arn(host.arn)] = host
    store.hide_new(normalize_arn(host.arn), "GetHost")
    return {"HostArn": host.arn, "Tags": host.tags}


def get_host(store, region, p):
    host = _find_host(store, p["HostArn"])
    if store.still_hidden("GetHost", normalize_arn(host.arn)):
        _host_missing(p["HostArn"])  # not yet visible (control API window)
    return {"Name": host.name, "Status": host.status, "ProviderType": host.provider_type,
            "ProviderEndpoint": host.provider_endpoint,
            "VpcConfiguration": host.vpc_configuration}


def list_hosts(store, region, p):
    hosts = sorted((h for h in store.hosts.values() if h.region == region),
                   key=lambda h: h.created)
    chunk, token = page(hosts, p.get("MaxResults"), p.get("NextToken"),
                        DEFAULT_PAGE, "ValidationException")
    return {"Hosts": [host_view(h) for h in chunk], "NextToken": token}


def update_host(store, region, p):
    host = _find_host(store, p["HostArn"])
    if host.status in VPC_STATES:
        raise ApiError("ConflictException",
                       f"Host {host.arn} is in status {host.status}; try again later")
    editable = {PENDING, AVAILABLE} if store.config.update_available_host else {PENDING}
    if host.status not in editable:
        # unconfirmed: the console guide says a host is editable only while PENDING.
        raise ApiError("UnsupportedOperationException",
                       f"Host {host.arn} can be updated only in PENDING status, "
                       f"it is {host.status}")
    endpoint = p.get("ProviderEndpoint")
    if endpoint:
        clash = _host_with_endpoint(store, host.region, endpoint)
        if clash and clash is not host:
            raise ApiError("ConflictException",
                           f"A host for provider endpoint {endpoint} already exists: {clash.arn}")
        host.provider_endpoint = endpoint
    if p.get("VpcConfiguration"):
        host.vpc_configuration = p["VpcConfiguration"]
        host.settled_status = host.status  # an AVAILABLE host keeps its registration
        _start_vpc_transition(store, host, VPC_INITIALIZING, time.time())
    return {}


def delete_host(store, region, p):
    host = _find_host(store, p["HostArn"])
    if host.status in VPC_STATES:
        raise ApiError("ResourceUnavailableException",
                       f"Host {host.arn} is in status {host.status} and cannot be deleted now")
    users = [c.arn for c in store.connections.values()
             if c.host_arn and normalize_arn(c.host_arn) == normalize_arn(host.arn)]
    if users:
        # unconfirmed: the docs refuse this; the model offers only
        # ResourceNotFound/ResourceUnavailable for DeleteHost.
        raise ApiError("ResourceUnavailableException",
                       f"Host {host.arn} is used by connections: {', '.join(users)}")
    if host.vpc_configuration:
        _start_vpc_transition(store, host, VPC_DELETING, time.time())
    else:
        del store.hosts[normalize_arn(host.arn)]
    return {}


def host_view(host):
    """The `Host` shape (ListHosts item), including StatusMessage."""
    return {"Name": host.name, "HostArn": host.arn, "ProviderType": host.provider_type,
            "ProviderEndpoint": host.provider_endpoint,
            "VpcConfiguration": host.vpc_configuration, "Status": host.status,
            "StatusMessage": host.status_message}


def _start_vpc_transition(store, host, status, now):
    host.status = status
    host.settle_at = now + store.config.host_setup_delay
    host.transition_started = now


def _host_with_endpoint(store, region, endpoint):
    wanted = endpoint.rstrip("/").lower()
    for host in store.hosts.values():
        if (host.region == region and host.status != VPC_DELETING
                and host.provider_endpoint.rstrip("/").lower() == wanted):
            return host
    return None


def _find_host(store, host_arn):
    host = store.host(host_arn)
    if host is None:
        _host_missing(host_arn)
    return host


def _host_missing(host_arn):
    raise ApiError("ResourceNotFoundException", f"Host {host_arn} does not exist")


# --- connections -------------------------------------------------------------

def create_connection(store, region, p):
    name = p["ConnectionName"]
    if any(c.name == name for c in store.connections.values()):
        # unconfirmed: names are unique per account (model doc); error code guessed.
        raise ApiError("InvalidInputException", f"Connection name {name} already exists")
    host_arn, provider_type = _connection_target(store, p)
    now = time.time()
    conn = Connection(
        arn=arn("codeconnections", region, f"connection/{uuid.uuid4()}"),
        name=name, region=region, provider_type=provider_type, host_arn=host_arn,
        tags=list(p.get("Tags") or []), created=now,
        provider_endpoint=p.get("ProviderEndpoint"),
        authorize_at=store.authorize_at(now),
    )
    store.connections[normalize_arn(conn.arn)] = conn
    store.hide_new(normalize_arn(conn.arn), "GetConnection")
    return {"ConnectionArn": conn.arn, "Tags": conn.tags}


def _connection_target(store, p):
    """(host ARN, provider type) of a new connection; it inherits the host's type."""
    provider_type, host_arn = p.get("ProviderType"), p.get("HostArn")
    if host_arn:
        host = store.host(host_arn)
        if host is None:
            raise ApiError("ResourceNotFoundException", f"Host {host_arn} does not exist")
        if host.status in VPC_STATES:
            raise ApiError("ResourceUnavailableException",
                           f"Host {host.arn} is in status {host.status}")
        if provider_type and provider_type != host.provider_type:
            raise ApiError("InvalidInputException",
                           f"ProviderType {provider_type} does not match the host's "
                           f"{host.provider_type}")
        return host.arn, host.provider_type
    if not provider_type:
        raise ApiError("InvalidInputException", "Either ProviderType or HostArn is required")
    if provider_type in HOSTED_PROVIDERS:
        raise ApiError("InvalidInputException",
                       f"HostArn is required for provider type {provider_type}")
    return None, provider_type


def get_connection(store, region, p):
    conn = _find_connection(store, p["ConnectionArn"])
    if store.still_hidden("GetConnection", normalize_arn(conn.arn)):
        _connection_missing(p["ConnectionArn"])  # not yet visible (control API window)
    return {"Connection": connection_view(conn)}


def list_connections(store, region, p):
    conns = [c for c in store.connections.values() if c.region == region]
    if p.get("ProviderTypeFilter"):
        conns = [c for c in conns if c.provider_type == p["ProviderTypeFilter"]]
    if p.get("HostArnFilter"):
        wanted = normalize_arn(p["HostArnFilter"])
        conns = [c for c in conns if c.host_arn and normalize_arn(c.host_arn) == wanted]
    conns.sort(key=lambda c: c.created)
    chunk, token = page(conns, p.get("MaxResults"), p.get("NextToken"),
                        DEFAULT_PAGE, "ValidationException")
    return {"Connections": [connection_view(c) for c in chunk], "NextToken": token}


def delete_connection(store, region, p):
    conn = _find_connection(store, p["ConnectionArn"])
    del store.connections[normalize_arn(conn.arn)]
    return {}


def connection_view(conn):
    return {"ConnectionName": conn.name, "ConnectionArn": conn.arn,
            "ProviderType": conn.provider_type, "OwnerAccountId": ACCOUNT_ID,
            "ConnectionStatus": conn.status, "HostArn": conn.host_arn,
            "ProviderEndpoint": conn.provider_endpoint}


def _find_connection(store, connection_arn):
    conn = store.connection(connection_arn)
    if conn is None:
        _connection_missing(connection_arn)
    return conn


def _connection_missing(connection_arn):
    raise ApiError("ResourceNotFoundException", f"Connection {connection_arn} does not exist")


# --- tags ----------------------------------------------------------------------

def tag_resource(store, region, p):
    resource = _taggable(store, p["ResourceArn"])
    merged = {t["Key"]: t["Value"] for t in resource.tags}
    merged.update({t["Key"]: t["Value"] for t in p["Tags"]})
    resource.tags = [{"Key": k, "Value": v} for k, v in merged.items()]
    return {}


def untag_resource(store, region, p):
    resource = _taggable(store, p["ResourceArn"])
    drop = set(p["TagKeys"])
    resource.tags = [t for t in resource.tags if t["Key"] not in drop]
    return {}


def list_tags_for_resource(store, region, p):
    return {"Tags": list(_taggable(store, p["ResourceArn"]).tags)}


def _taggable(store, resource_arn):
    resource = store.host(resource_arn) or store.connection(resource_arn)
    if resource is None:
        raise ApiError("ResourceNotFoundException", f"Resource {resource_arn} does not exist")
    return resource


OPERATIONS = {
    "CreateHost": create_host,
    "GetHost": get_host,
    "ListHosts": list_hosts,
    "UpdateHost": update_host,
    "DeleteHost": delete_host,
    "CreateConnection": create_connection,
    "GetConnection": get_connection,
    "ListConnections": list_connections,
    "DeleteConnection": delete_connection,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
