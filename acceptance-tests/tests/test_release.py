"""Release assets: `scripts/release.sh` (what `make release` runs) packages the provider as the
Terraform Registry expects, checksums and signs it, and Terraform installs the zip from a
filesystem mirror in the packed layout and applies with it — as a user would, with no dev
overrides and no symlink to the build tree.

The test packages the debug build (`--binary`) so it stays fast; `make release` runs the same
script on a `cargo build --release`."""

import hashlib
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

import harness
from harness import Workspace, runner_config

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "scripts" / "release.sh"
PROJECT = "terraform-provider-gitlab-codebuild"


def cargo_version():
    text = (ROOT / "Cargo.toml").read_text()
    return re.search(r'^version = "([^"]+)"', text, re.M).group(1)


VERSION = cargo_version()
PREFIX = f"{PROJECT}_{VERSION}"


@pytest.fixture(scope="module")
def provider_bin():
    value = os.environ.get("PROVIDER_BIN")
    path = Path(value) if value else ROOT / "target/debug" / PROJECT
    return path.resolve()


@pytest.fixture(scope="module")
def gpg_home(tmp_path_factory):
    """A throw-away keyring with one RSA signing key (the registry accepts RSA and DSA)."""
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    env = dict(os.environ, GNUPGHOME=str(home))
    subprocess.run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key",
                    "Release Test <release-test@example.invalid>", "rsa2048", "sign", "never"],
                   env=env, check=True, capture_output=True, timeout=120)
    listing = subprocess.run(["gpg", "--batch", "--with-colons", "--list-secret-keys"], env=env,
                             check=True, capture_output=True, text=True).stdout
    fingerprint = next(line.split(":")[9] for line in listing.splitlines()
                       if line.startswith("fpr:"))
    yield home, fingerprint
    subprocess.run(["gpgconf", "--kill", "all"], env=env, capture_output=True)


@pytest.fixture(scope="module")
def release(tmp_path_factory, provider_bin, gpg_home):
    home, fingerprint = gpg_home
    out = tmp_path_factory.mktemp("dist")
    env = dict(os.environ, GNUPGHOME=str(home), GPG_FINGERPRINT=fingerprint)
    result = subprocess.run(["bash", str(RELEASE), "--binary", str(provider_bin), "--out",
                             str(out)], env=env, text=True, capture_output=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return out, env, result.stdout


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_release_writes_the_registry_assets(release):
    out, _, _ = release
    assert sorted(p.name for p in out.iterdir()) == sorted([
        f"{PREFIX}_SHA256SUMS", f"{PREFIX}_SHA256SUMS.sig", f"{PREFIX}_linux_amd64.zip",
        f"{PREFIX}_manifest.json"])

    with zipfile.ZipFile(out / f"{PREFIX}_linux_amd64.zip") as archive:
        [entry] = archive.infolist()
        assert entry.filename == f"{PROJECT}_v{VERSION}"
        assert (entry.external_attr >> 16) & 0o111, "the binary must be executable"

    manifest = json.loads((out / f"{PREFIX}_manifest.json").read_text())
    assert manifest == {"version": 1, "metadata": {"protocol_versions": ["5.0", "6.0"]}}
    assert manifest == json.loads((ROOT / "terraform-registry-manifest.json").read_text())

    sums = {}
    for line in (out / f"{PREFIX}_SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        sums[name] = digest
    assert sums == {name: sha256(out / name) for name in
                    (f"{PREFIX}_linux_amd64.zip", f"{PREFIX}_manifest.json")}


def test_signature_is_a_binary_detached_signature_of_the_checksums(release):
    out, env, stdout = release
    signature = out / f"{PREFIX}_SHA256SUMS.sig"
    assert not signature.read_bytes().startswith(b"-----BEGIN"), "must not be ASCII-armored"
    verified = subprocess.run(["gpg", "--batch", "--verify", str(signature),
                               str(out / f"{PREFIX}_SHA256SUMS")], env=env, capture_output=True,
                              text=True)
    assert verified.returncode == 0, verified.stderr
    assert env["GPG_FINGERPRINT"] in stdout

    tampered = out / "tampered_SHA256SUMS"
    tampered.write_text((out / f"{PREFIX}_SHA256SUMS").read_text().replace("a", "b", 1))
    try:
        bad = subprocess.run(["gpg", "--batch", "--verify", str(signature), str(tampered)],
                             env=env, capture_output=True)
        assert bad.returncode != 0
    finally:
        tampered.unlink()


def test_release_without_a_key_is_unsigned_and_says_so(tmp_path, provider_bin):
    env = {k: v for k, v in os.environ.items() if k != "GPG_FINGERPRINT"}
    result = subprocess.run(["bash", str(RELEASE), "--binary", str(provider_bin), "--out",
                             str(tmp_path)], env=env, text=True, capture_output=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "not signed" in result.stdout
    assert not (tmp_path / f"{PREFIX}_SHA256SUMS.sig").exists()


def test_release_refuses_a_binary_of_another_version(tmp_path):
    fake = tmp_path / "fake-provider"
    fake.write_text(f"#!/bin/sh\necho '{PROJECT} 9.9.9'\n")
    fake.chmod(0o755)
    result = subprocess.run(["bash", str(RELEASE), "--binary", str(fake), "--out",
                             str(tmp_path / "dist")], text=True, capture_output=True, timeout=60)
    assert result.returncode != 0
    assert "expected" in result.stderr and VERSION in result.stderr
    assert not list((tmp_path / "dist").glob("*.zip"))


def test_version_is_single_sourced_from_cargo_toml(provider_bin):
    reported = subprocess.run([str(provider_bin), "--version"], capture_output=True, text=True)
    assert reported.stdout.strip() == f"{PROJECT} {VERSION}"
    assert re.search(rf"^## \[{re.escape(VERSION)}\]", (ROOT / "CHANGELOG.md").read_text(),
                     re.M), "CHANGELOG.md needs an entry for the Cargo.toml version"
    assert harness.PROVIDER_VERSION == VERSION
    # Scripts and CI derive the version; none may spell it.
    for rel in ("Makefile", "scripts/demo.sh", "scripts/release.sh", "scripts/gendocs.py",
                "acceptance-tests/harness.py", ".github/workflows/release.yml"):
        assert f'"{VERSION}"' not in (ROOT / rel).read_text(), rel
        assert f"/{VERSION}/" not in (ROOT / rel).read_text(), rel


def test_terraform_installs_the_release_zip_from_a_packed_mirror_and_applies(
        release, terraform_bin, emulator, tmp_path):
    out, _, _ = release
    mirror = tmp_path / "mirror" / "registry.terraform.io" / "example" / "gitlab-codebuild"
    mirror.mkdir(parents=True)
    zip_name = f"{PREFIX}_linux_amd64.zip"
    (mirror / zip_name).write_bytes((out / zip_name).read_bytes())
    config = tmp_path / "terraformrc"
    config.write_text(
        "provider_installation {\n  filesystem_mirror {\n"
        f"    path    = \"{tmp_path / 'mirror'}\"\n"
        "    include = [\"registry.terraform.io/example/*\"]\n  }\n"
        "  direct {\n    exclude = [\"registry.terraform.io/example/*\"]\n  }\n}\n")
    work = tmp_path / "work"
    work.mkdir()
    ws = Workspace(terraform_bin, config, emulator, work)
    emulator.post("config", {"authorize_after": 1})
    ws.write(f"""
terraform {{
  required_providers {{
    gitlab-codebuild = {{
      source  = "example/gitlab-codebuild"
      version = "{VERSION}"
    }}
  }}
}}

variable "emulator_url" {{
  type = string
}}

provider "gitlab-codebuild" {{
  region = "us-east-1"
  endpoints {{
    codebuild       = var.emulator_url
    codeconnections = var.emulator_url
  }}
}}
""" + runner_config(name="released", extra='  timeouts {\n    create = "1m"\n  }'))

    init = ws.init()
    assert f"Installing example/gitlab-codebuild v{VERSION}" in init.stdout, init
    installed = (work / ".terraform" / "providers" / "registry.terraform.io" / "example"
                 / "gitlab-codebuild" / VERSION / "linux_amd64" / f"{PROJECT}_v{VERSION}")
    assert installed.is_file() and not installed.is_symlink()
    assert os.access(installed, os.X_OK)
    lock = (work / ".terraform.lock.hcl").read_text()
    assert f'version     = "{VERSION}"' in lock
    assert re.search(r'"h1:[A-Za-z0-9+/=]+"', lock), lock

    try:
        applied = ws.apply()
        assert applied.code == 0, applied
        state = ws.resource("gitlab_codebuild_runner.r")
        assert state["connection_status"] == "AVAILABLE"
        assert state["runner_tag"].startswith("codebuild-released-")
    finally:
        destroyed = ws.destroy()
    assert destroyed.code == 0, destroyed
    assert emulator.is_empty(), emulator.resources()
