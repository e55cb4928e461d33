"""Helpers shared by the reliability tests: configurations with a chosen retry budget, and
the check that Terraform's state names exactly what exists in the emulator."""

from harness import provider_block


def provider_with_retries(retries):
    """The test provider block with `max_retries` set (attempts per call = retries + 1)."""
    return provider_block(max_retries=retries)


def state_runners(workspace):
    """Every gitlab_codebuild_runner in `terraform show -json`, by address."""
    state = workspace.show()
    resources = state.get("values", {}).get("root_module", {}).get("resources", [])
    return {r["address"]: dict(r["values"], tainted=r.get("tainted", False))
            for r in resources if r["type"] == "gitlab_codebuild_runner"}


def assert_state_matches_emulator(workspace, emulator, in_flight_delete=False):
    """Every host, connection, project and webhook in the emulator is in the state and every
    one the state names exists: nothing orphaned, nothing imagined. Managed connections only
    (a shared connection is owned elsewhere and may stay).

    `in_flight_delete`: a delete was interrupted while AWS still worked on it, so the state
    may name pieces that are gone by now (the next refresh drops them); only the direction
    that matters for orphans is checked."""
    runners = state_runners(workspace).values()
    resources = emulator.resources()
    if in_flight_delete:
        named = {r[key] for r in runners
                 for key in ("host_arn", "connection_arn", "project_arn") if r[key]}
        existing = ([h["HostArn"] for h in resources["hosts"]]
                    + [c["ConnectionArn"] for c in resources["connections"]]
                    + [p["arn"] for p in resources["projects"]])
        assert set(existing) <= named, (runners, resources)
        return
    hosts = sorted(h["HostArn"] for h in resources["hosts"])
    assert sorted(r["host_arn"] for r in runners if r["host_arn"]) == hosts, (runners, resources)
    managed = sorted(r["connection_arn"] for r in runners
                     if r["connection_arn"] and r["host_arn"])
    emulated = sorted(c["ConnectionArn"] for c in resources["connections"]
                      if c.get("HostArn") in hosts)
    assert managed == emulated, (runners, resources)
    projects = sorted(p["arn"] for p in resources["projects"])
    assert sorted(r["project_arn"] for r in runners if r["project_arn"]) == projects, (
        runners, resources)
    hooked = sorted(p["arn"] for p in resources["projects"] if p.get("webhook"))
    assert sorted(r["project_arn"] for r in runners if r["webhook_payload_url"]) == hooked, (
        runners, resources)
