"""Call budgets (issue 7, item 6): the AWS calls a runner costs for create, a refresh that
finds nothing changed, and destroy are deterministic once the handshake is instant, so they
are asserted exactly, from the emulator's call log. A runner that manages its own host and
connection and one that uses a shared connection have separate budgets; the totals of a
configuration with several of each must be their sums."""

from collections import Counter

from harness import runner_config

TIMEOUTS = '  timeouts {\n    create = "20s"\n    delete = "20s"\n  }\n'

# Per runner. Create: the host's one readiness probe, one look at the connection (already
# AVAILABLE), and one read-back of the fresh project. Destroy starts with a refresh and
# probes the host before deleting it (VPC set-up) and after (VPC tear-down).
MANAGED = {
    "create": {"CreateHost": 1, "GetHost": 1, "CreateConnection": 1, "GetConnection": 1,
               "CreateProject": 1, "BatchGetProjects": 1, "CreateWebhook": 1},
    "refresh": {"GetHost": 1, "GetConnection": 1, "BatchGetProjects": 1},
    "destroy": {"GetHost": 3, "GetConnection": 1, "BatchGetProjects": 1, "DeleteWebhook": 1,
                "DeleteProject": 1, "DeleteConnection": 1, "DeleteHost": 1},
}
# A runner on a shared connection touches neither host nor connection except to read it.
SHARED = {
    "create": {"GetConnection": 1, "CreateProject": 1, "BatchGetProjects": 1,
               "CreateWebhook": 1},
    "refresh": {"GetConnection": 1, "BatchGetProjects": 1},
    "destroy": {"GetConnection": 1, "BatchGetProjects": 1, "DeleteWebhook": 1,
                "DeleteProject": 1},
}


def expected(phase, managed, shared):
    total = Counter()
    for _ in range(managed):
        total.update(MANAGED[phase])
    for _ in range(shared):
        total.update(SHARED[phase])
    return dict(total)


def configuration(managed, shared):
    body = ""
    for i in range(managed):
        body += runner_config(name=f"own-{i}", address=f"own_{i}", extra=TIMEOUTS,
                              gitlab=f"https://gitlab-{i}.example.internal")
    for i in range(shared):
        body += runner_config(
            name=f"shared-{i}", address=f"shared_{i}", gitlab="https://gitlab-0.example.internal",
            extra=TIMEOUTS + "  connection_arn = gitlab_codebuild_runner.own_0.connection_arn\n")
    return body


def counted(emulator, since, phase):
    calls = emulator.calls()[since:]
    # The only error is the not-found that tells the last probe of a deleted host it is gone.
    allowed = {("GetHost", "ResourceNotFoundException")} if phase == "destroy" else set()
    errors = [c for c in calls if c["error"] and (c["operation"], c["error"]) not in allowed]
    assert errors == []
    return dict(Counter(c["operation"] for c in calls))


def run_phases(workspace, emulator, managed, shared):
    emulator.post("config", {"authorize_after": 0})
    workspace.write(configuration(managed, shared))
    workspace.init()

    applied = workspace.apply()
    assert applied.code == 0, applied
    assert counted(emulator, 0, "create") == expected("create", managed, shared)

    since = len(emulator.calls())
    planned = workspace.plan()
    assert planned.code == 0, planned
    assert counted(emulator, since, "refresh") == expected("refresh", managed, shared)

    since = len(emulator.calls())
    destroyed = workspace.destroy()
    assert destroyed.code == 0, destroyed
    assert counted(emulator, since, "destroy") == expected("destroy", managed, shared)
    assert emulator.is_empty(), emulator.resources()


def test_one_runner_costs_exactly_its_budget(workspace, emulator):
    run_phases(workspace, emulator, managed=1, shared=0)


def test_budgets_add_up_across_runners_with_own_and_shared_connections(workspace, emulator):
    run_phases(workspace, emulator, managed=2, shared=3)
