"""Every configuration under examples/ is valid for the provider as built now, and the basic
and module examples really create and destroy runners against the emulator.

The examples tree is copied to a temporary directory first, so relative module sources keep
working and nothing (.terraform/, state) is written into the repository."""

import json
import shutil
from pathlib import Path

import pytest

from harness import Workspace

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def example_roots():
    """Directories that hold .tf files: each is a root module (or a module) of its own."""
    return sorted({p.parent.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.rglob("*.tf")
                   if ".terraform" not in p.parts})


@pytest.fixture
def examples_copy(tmp_path):
    target = tmp_path / "examples"
    ignore = shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl")
    shutil.copytree(EXAMPLES, target, ignore=ignore)
    return target


def example_workspace(terraform_bin, cli_config_file, emulator, examples_copy, name):
    return Workspace(terraform_bin, cli_config_file, emulator, examples_copy / name)


def test_every_required_example_exists():
    roots = example_roots()
    for name in ("basic", "vpc-host", "shared-connection", "group-webhook", "module",
                 "module/examples/complete"):
        assert name in roots, roots
    assert (EXAMPLES / "module" / "README.md").is_file()


@pytest.mark.parametrize("name", example_roots())
def test_example_passes_terraform_validate(name, terraform_bin, cli_config_file, emulator,
                                           examples_copy):
    ws = example_workspace(terraform_bin, cli_config_file, emulator, examples_copy, name)
    ws.init()
    result = ws.validate()
    assert result.code == 0, result
    assert "The configuration is valid" in result.stdout, result
    assert emulator.calls() == []


def test_examples_are_formatted_as_terraform_fmt_writes_them(terraform_bin, examples_copy):
    ws = Workspace(terraform_bin, "/dev/null", None, examples_copy)
    result = ws.run("fmt", "-check", "-recursive", "-no-color")
    assert result.code == 0, f"run `terraform fmt -recursive examples`: {result}"


def apply_and_destroy(ws, emulator, region="us-east-1"):
    """Applies with the emulator as both endpoints, returns the outputs, destroys, and checks
    that the emulator is empty again."""
    tf_vars = ["-var", f"aws_endpoint={emulator.url}", "-var", f"region={region}"]
    ws.init()
    try:
        applied = ws.run("apply", "-auto-approve", "-no-color", *tf_vars)
        assert applied.code == 0, applied
        outputs = ws.run("output", "-json")
        assert outputs.code == 0, outputs
        snapshot = emulator.resources()
    finally:
        destroyed = ws.run("destroy", "-auto-approve", "-no-color", *tf_vars)
    assert destroyed.code == 0, destroyed
    assert emulator.is_empty(), emulator.resources()
    return {k: v["value"] for k, v in json.loads(outputs.stdout).items()}, snapshot


def test_basic_example_applies_and_destroys(terraform_bin, cli_config_file, emulator,
                                            examples_copy):
    emulator.post("config", {"authorize_after": 1})
    ws = example_workspace(terraform_bin, cli_config_file, emulator, examples_copy, "basic")

    outputs, resources = apply_and_destroy(ws, emulator)

    assert outputs["gitlab_ci_tag"] == (
        "codebuild-gitlab-runner-$CI_PROJECT_ID-$CI_PIPELINE_IID-$CI_JOB_NAME")
    assert outputs["project_arn"] == (
        "arn:aws:codebuild:us-east-1:123456789012:project/gitlab-runner")
    [project] = resources["projects"]
    assert project["source"]["auth"]["resource"] == outputs["connection_arn"]
    assert project["webhook"] is not None
    assert len(resources["hosts"]) == 1 and len(resources["connections"]) == 1


def test_module_example_applies_two_runners_on_one_connection_and_destroys(
        terraform_bin, cli_config_file, emulator, examples_copy):
    emulator.post("config", {"authorize_after": 1})
    ws = example_workspace(terraform_bin, cli_config_file, emulator, examples_copy,
                           "module/examples/complete")

    outputs, resources = apply_and_destroy(ws, emulator)

    assert outputs["runner_tags"] == {
        "platform-app": "codebuild-platform-app-$CI_PROJECT_ID-$CI_PIPELINE_IID-$CI_JOB_NAME",
        "platform-docs": "codebuild-platform-docs-$CI_PROJECT_ID-$CI_PIPELINE_IID-$CI_JOB_NAME",
    }
    assert len(resources["hosts"]) == 1 and len(resources["connections"]) == 1
    [connection] = resources["connections"]
    projects = {p["name"]: p for p in resources["projects"]}
    assert set(projects) == {"platform-app", "platform-docs"}
    for project in projects.values():
        assert project["source"]["auth"]["resource"] == connection["ConnectionArn"]
        assert project["webhook"] is not None
        assert {"key": "team", "value": "platform"} in project["tags"]
