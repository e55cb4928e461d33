"""CodeBuild operations: projects and their webhooks.

Handlers take (store, region, params) with params validated against the
model and return the output document in the model's camelCase names.
Projects are stored as the `Project` shape with the server-side defaults AWS
fills in (shared notes §3.2), so every read returns what a client would see,
including the required enum members the Rust SDK insists on.
"""

import copy
import secrets
import time
import urllib.parse

from . import ACCOUNT_ID
from .errors import ApiError
from .paging import page
from .state import AVAILABLE, Project, arn

PAGE_SIZE = 100
DEFAULT_LOCATION = "CODEBUILD_DEFAULT_WEBHOOK_SOURCE_LOCATION"
# Source types whose webhooks CodeBuild registers through stored credentials.
CREDENTIAL_SOURCES = {"GITHUB", "GITHUB_ENTERPRISE", "GITLAB", "GITLAB_SELF_MANAGED", "BITBUCKET"}
AUTO_DISCOVER = "CODEBUILD_CONFIG_AUTO_DISCOVER"
NO_WEBHOOK_SOURCES = {"CODECOMMIT", "CODEPIPELINE", "S3"}
EVENTS = {"PUSH", "PULL_REQUEST_CREATED", "PULL_REQUEST_UPDATED", "PULL_REQUEST_CLOSED",
          "PULL_REQUEST_REOPENED", "PULL_REQUEST_MERGED", "RELEASED", "PRERELEASED",
          "WORKFLOW_JOB_QUEUED"}


# --- projects ------------------------------------------------------------------

def create_project(store, region, p):
    name = p["name"]
    if (region, name) in store.projects:
        raise ApiError("ResourceAlreadyExistsException",
                       f"Project already exists: {project_arn(region, name)}")
    now = time.time()
    data = {k: copy.deepcopy(v) for k, v in p.items() if k != "badgeEnabled"}
    data.update(arn=project_arn(region, name), created=now, lastModified=now)
    data["badge"] = _badge(region, name, bool(p.get("badgeEnabled")))
    if store.config.server_defaults:
        _add_server_defaults(data)
    _fill_defaults(data, region)
    store.projects[(region, name)] = Project(region=region, data=data)
    store.hide_new((region, name), "BatchGetProjects")
    return {"project": project_view(store.projects[(region, name)])}


def update_project(store, region, p):
    project = _find_project(store, region, p["name"])
    data = project.data
    for member, value in p.items():
        if member == "name":
            continue  # a project cannot be renamed
        if member == "badgeEnabled":
            data["badge"] = _badge(region, data["name"], bool(value))
        elif member == "concurrentBuildLimit" and value == -1:
            data.pop("concurrentBuildLimit", None)  # -1 removes the limit
        else:
            # Members replace whole (lists and tags too); omitted ones stay.
            data[member] = copy.deepcopy(value)
    data["lastModified"] = time.time()
    _fill_defaults(data, region)
    return {"project": project_view(project)}


def batch_get_projects(store, region, p):
    found, missing = [], []
    for name in p["names"]:
        project = store.project(region, name)
        key = project and (project.region, project.data["name"])
        if project is None or store.still_hidden("BatchGetProjects", key):
            missing.append(name)
        else:
            found.append(project_view(project))
    # AWS answers [] when everything was found, despite the model's min 1.
    return {"projects": found, "projectsNotFound": missing}


def list_projects(store, region, p):
    projects = [pr.data for (r, _), pr in store.projects.items() if r == region]
    key = {"NAME": "name", "CREATED_TIME": "created",
           "LAST_MODIFIED_TIME": "lastModified"}[p.get("sortBy", "NAME")]
    projects.sort(key=lambda d: d[key], reverse=p.get("sortOrder") == "DESCENDING")
    chunk, token = page([d["name"] for d in projects], None, p.get("nextToken"),
                        PAGE_SIZE, "InvalidInputException")
    return {"projects": chunk, "nextToken": token}


def delete_project(store, region, p):
    project = store.project(region, p["name"])
    # unconfirmed: deleting a missing project is answered with success here.
    if project is not None:
        del store.projects[(project.region, project.data["name"])]
    return {}


def project_view(project):
    """The Project shape as read back: the webhook without its secret."""
    data = copy.deepcopy(project.data)
    if project.webhook:
        data["webhook"] = _webhook_view(project.webhook, with_secret=False)
    return data


def project_arn(region, name):
    return arn("codebuild", region, f"project/{name}")


def _badge(region, name, enabled):
    badge = {"badgeEnabled": enabled}
    if enabled:
        badge["badgeRequestUrl"] = (f"https://codebuild.{region}.amazonaws.com/badges"
                                    f"?uuid={secrets.token_hex(16)}&branch=main")
    return badge


def _fill_defaults(data, region):
    """Server-side defaults seen in batch-get-projects answers (notes §3.2)."""
    data.setdefault("timeoutInMinutes", 60)
    data.setdefault("queuedTimeoutInMinutes", 480)
    data.setdefault("encryptionKey", f"arn:aws:kms:{region}:{ACCOUNT_ID}:alias/aws/s3")
    data.setdefault("cache", {"type": "NO_CACHE"})
    for member in ("secondarySources", "secondarySourceVersions", "secondaryArtifacts", "tags"):
        data.setdefault(member, [])
    data.setdefault("projectVisibility", "PRIVATE")
    data["source"].setdefault("insecureSsl", False)
    environment = data["environment"]
    environment.setdefault("environmentVariables", [])
    environment.setdefault("privilegedMode", False)
    environment.setdefault("imagePullCredentialsType", "CODEBUILD")
    logs = data.setdefault("logsConfig", {})
    logs.setdefault("cloudWatchLogs", {"status": "ENABLED"})
    logs.setdefault("s3Logs", {"status": "DISABLED", "encryptionDisabled": False})


def _add_server_defaults(data):
    """What CodeBuild adds to new projects by itself (field case F2-4).

    Added at creation only: whether UpdateProject re-adds the variable when a
    client replaces the environment variables is unconfirmed.
    """
    source = data["source"]
    source.setdefault("insecureSsl", False)
    source.setdefault("reportBuildStatus", False)
    variables = data["environment"].setdefault("environmentVariables", [])
    for variable in variables:
        variable.setdefault("type", "PLAINTEXT")
    if not any(v.get("name") == AUTO_DISCOVER for v in variables):
        variables.append({"name": AUTO_DISCOVER, "value": "true", "type": "PLAINTEXT"})


def _find_project(store, region, name):
    project = store.project(region, name)
    if project is None:
        raise ApiError("ResourceNotFoundException", f"Project not found: {name}")
    return project


# --- webhooks --------------------------------------------------------------------

def create_webhook(store, region, p):
    project = _find_project(store, region, p["projectName"])
    if project.webhook is not None:
        raise ApiError("ResourceAlreadyExistsException",
                       f"Webhook already exists for project {project.data['name']}")
    manual = bool(p.get("manualCreation"))
    _check_filters(p.get("filterGroups"))
    _check_scope(project.data["source"], p.get("scopeConfiguration"))
    if not manual:
        # Registering the hook on the provider needs working credentials.
        _check_source_credentials(store, project.data["source"])
    now = time.time()
    payload_url = (f"https://codebuild.{region}.amazonaws.com/webhooks"
                   f"?t={secrets.token_urlsafe(48)}&v=1")
    webhook = {
        "url": _provider_hook_url(project.data["source"], p.get("scopeConfiguration"),
                                  payload_url),
        "payloadUrl": payload_url,
        "secret": secrets.token_urlsafe(30),
        "branchFilter": p.get("branchFilter"),
        "filterGroups": p.get("filterGroups"),
        "buildType": p.get("buildType", "BUILD"),
        "manualCreation": manual,
        "lastModifiedSecret": now,
        "scopeConfiguration": p.get("scopeConfiguration"),
        "pullRequestBuildPolicy": p.get("pullRequestBuildPolicy"),
        "status": "ACTIVE",
    }
    project.webhook = {k: v for k, v in webhook.items() if v is not None}
    # The secret is handed out once, and only for hooks the user registers.
    return {"webhook": _webhook_view(project.webhook, with_secret=manual)}


def update_webhook(store, region, p):
    project = _find_project(store, region, p["projectName"])
    webhook = _find_webhook(project)
    _check_filters(p.get("filterGroups"))
    for member in ("branchFilter", "filterGroups", "buildType", "pullRequestBuildPolicy"):
        if member in p:
            webhook[member] = copy.deepcopy(p[member])
    if p.get("rotateSecret"):
        webhook["secret"] = secrets.token_urlsafe(30)
        webhook["lastModifiedSecret"] = time.time()
    return {"webhook": _webhook_view(webhook, with_secret=False)}


def delete_webhook(store, region, p):
    project = _find_project(store, region, p["projectName"])
    _find_webhook(project)
    project.webhook = None
    return {}


def _webhook_view(webhook, with_secret):
    view = copy.deepcopy(webhook)
    if not with_secret:
        view.pop("secret", None)
    return view


def _find_webhook(project):
    if project.webhook is None:
        raise ApiError("ResourceNotFoundException",
                       f"Webhook not found for project {project.data['name']}")
    return project.webhook


def _check_filters(groups):
    """Each filter group needs an EVENT filter whose events CodeBuild knows."""
    for index, group in enumerate(groups or [], start=1):
        events = [f for f in group if f["type"] == "EVENT"]
        if not events:
            raise ApiError("InvalidInputException",
                           f"Filter group {index} must contain an EVENT filter")
        for flt in events:
            unknown = [e for e in flt["pattern"].split(",") if e.strip() not in EVENTS]
            if unknown:
                raise ApiError("InvalidInputException",
                               f"Invalid EVENT filter pattern: {', '.join(unknown)}")


def _check_scope(source, scope):
    """Group webhooks (notes §4.4): placeholder location; domain for self-managed."""
    if scope is None:
        return
    if source.get("location") != DEFAULT_LOCATION:
        raise ApiError("InvalidInputException",
                       f"Scoped webhooks require source location {DEFAULT_LOCATION}")
    needs_domain = source["type"] in ("GITLAB_SELF_MANAGED", "GITHUB_ENTERPRISE")
    if needs_domain and not scope.get("domain"):
        raise ApiError("InvalidInputException",
                       f"scopeConfiguration.domain is required for source type {source['type']}")


def _check_source_credentials(store, source):
    source_type = source["type"]
    if source_type in NO_WEBHOOK_SOURCES:
        raise ApiError("InvalidInputException",
                       f"Source type {source_type} does not support webhooks")
    auth = source.get("auth")
    if auth and auth["type"] == "CODECONNECTIONS":
        _check_connection(store, auth.get("resource") or "")
    elif not auth and source_type in CREDENTIAL_SOURCES:
        # Account-level credentials (ImportSourceCredentials) are not emulated.
        raise ApiError("ResourceNotFoundException",
                       f"Could not find access token for server type {source_type.lower()}")


def _check_connection(store, connection_arn):
    conn = store.connection(connection_arn)
    if conn is None or store.config.role_lacks_connection_permission:
        # Also what a service role without codeconnections:UseConnection gets.
        raise ApiError("InvalidInputException", f"Access denied to connection {connection_arn}")
    if conn.status != AVAILABLE:
        # unconfirmed: AWS refuses a hook on a pending connection, code unknown.
        raise ApiError("InvalidInputException",
                       f"Connection {connection_arn} is not in AVAILABLE state")


def _provider_hook_url(source, scope, payload_url):
    """The hook's address on the provider (GitLab form invented: unconfirmed)."""
    if source["type"] not in ("GITLAB", "GITLAB_SELF_MANAGED"):
        return payload_url
    number = secrets.randbelow(10**6)
    if scope:
        base = (scope.get("domain") or "https://gitlab.com").rstrip("/")
        group = urllib.parse.quote(scope["name"], safe="")
        return f"{base}/api/v4/groups/{group}/hooks/{number}"
    parsed = urllib.parse.urlparse(source.get("location") or "")
    repo = parsed.path.strip("/").removesuffix(".git")
    base = f"{parsed.scheme or 'https'}://{parsed.netloc or 'gitlab.com'}"
    return f"{base}/api/v4/projects/{urllib.parse.quote(repo, safe='')}/hooks/{number}"


OPERATIONS = {
    "CreateProject": create_project,
    "UpdateProject": update_project,
    "BatchGetProjects": batch_get_projects,
    "ListProjects": list_projects,
    "DeleteProject": delete_project,
    "CreateWebhook": create_webhook,
    "UpdateWebhook": update_webhook,
    "DeleteWebhook": delete_webhook,
}
