"""Fixtures for the end-to-end tests: the real Terraform CLI, the freshly built provider
(through a filesystem mirror) and one emulator per session, reset before every test."""

import os
from pathlib import Path

import pytest

from harness import Workspace, cli_config, provider_mirror, remove, temp_dir

ROOT = Path(__file__).resolve().parents[2]


def _path_from_env(name, default):
    value = os.environ.get(name)
    path = Path(value) if value else ROOT / default
    if not path.is_absolute():
        path = (Path.cwd() / path).resolve()
    assert path.exists(), f"{path} is missing: run `make test` (it builds and installs it)"
    return path


@pytest.fixture(scope="session")
def terraform_bin():
    return _path_from_env("TERRAFORM", ".tools/terraform")


def provider_binary():
    """The provider binary under test (PROVIDER_BIN, default the debug build)."""
    return _path_from_env("PROVIDER_BIN", "target/debug/terraform-provider-gitlab-codebuild")


@pytest.fixture(scope="session")
def cli_config_file():
    provider_bin = provider_binary()
    root = temp_dir("tf-mirror-")
    mirror = provider_mirror(provider_bin, root / "mirror")
    yield cli_config(mirror, root / "terraformrc")
    remove(root)


@pytest.fixture
def workspace(terraform_bin, cli_config_file, emulator, tmp_path):
    """An initialised-on-demand Terraform directory; destroys what is left at the end so one
    test's leftovers never leak into the next."""
    ws = Workspace(terraform_bin, cli_config_file, emulator, tmp_path)
    yield ws
    if (tmp_path / "terraform.tfstate").exists():
        ws.destroy(timeout=120)
