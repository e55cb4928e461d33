"""The registry documentation under docs/ is what `make docs` renders from the provider's
schema right now, has the registry's layout and front matter, carries the hand-written
sections users need, and its Terraform snippets and in-page links are sound."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
GENDOCS = ROOT / "scripts" / "gendocs.py"
RESOURCE_PAGE = DOCS / "resources" / "gitlab_codebuild_runner.md"


def load_gendocs():
    spec = importlib.util.spec_from_file_location("gendocs", GENDOCS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gendocs():
    return load_gendocs()


@pytest.fixture(scope="module")
def tool_env(terraform_bin):
    provider = (os.environ.get("PROVIDER_BIN")
                or ROOT / "target/debug/terraform-provider-gitlab-codebuild")
    return dict(os.environ, TERRAFORM=str(terraform_bin),
                PROVIDER_BIN=str(Path(provider).resolve()))


@pytest.fixture(scope="module")
def fresh_pages(gendocs, terraform_bin, tool_env):
    schema = gendocs.read_schema(terraform_bin, Path(tool_env["PROVIDER_BIN"]))
    return schema, gendocs.render_all(schema)


def run_gendocs(env, *args):
    return subprocess.run([sys.executable, str(GENDOCS), *args], env=env, text=True,
                          capture_output=True, timeout=300)


def test_checked_in_docs_match_a_fresh_render_of_the_schema(tool_env):
    result = run_gendocs(tool_env, "--check")
    assert result.returncode == 0, (
        "docs/ is stale; run `make docs` and commit:\n" + result.stdout + result.stderr)


def test_check_fails_on_an_edited_page_a_missing_page_and_a_stray_page(tool_env, tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    edited = docs / "resources" / "gitlab_codebuild_runner.md"
    edited.write_text(edited.read_text().replace("(String)", "(Text)", 1))
    (docs / "index.md").unlink()
    (docs / "data-sources").mkdir(exist_ok=True)
    (docs / "data-sources" / "gitlab_codebuild_gone.md").write_text("old\n")

    result = run_gendocs(tool_env, "--check", "--out", str(docs))

    assert result.returncode == 1, result
    assert "stale: docs/resources/gitlab_codebuild_runner.md" in result.stdout
    assert "missing: docs/index.md" in result.stdout
    assert "no longer generated (delete it): docs/data-sources/gitlab_codebuild_gone.md" in (
        result.stdout)
    assert "make docs" in result.stderr

    written = run_gendocs(tool_env, "--out", str(docs))
    assert written.returncode == 0, written
    assert not (docs / "data-sources" / "gitlab_codebuild_gone.md").exists()
    assert run_gendocs(tool_env, "--check", "--out", str(docs)).returncode == 0


def test_every_schema_type_has_a_registry_page_with_front_matter(fresh_pages):
    schema, pages = fresh_pages
    expected = {"index.md"}
    expected |= {f"resources/{n}.md" for n in schema.get("resource_schemas", {})}
    expected |= {f"data-sources/{n}.md" for n in schema.get("data_source_schemas", {})}
    assert set(pages) == expected
    assert "resources/gitlab_codebuild_runner.md" in pages
    for rel, text in pages.items():
        match = re.match(r'---\npage_title: "([^"\n]+)"\nsubcategory: "[^"\n]*"\n'
                         r'description: \|-\n  \S[^\n]*\n---\n', text)
        assert match, f"{rel} front matter:\n{text[:300]}"


def test_every_argument_and_attribute_is_documented_with_its_description(fresh_pages):
    schema, pages = fresh_pages
    page = pages["resources/gitlab_codebuild_runner.md"]

    def walk(block, path):
        for name, attr in block.get("attributes", {}).items():
            yield path + [name], attr.get("description", "")
        for name, nested in block.get("block_types", {}).items():
            yield path + [name], nested["block"].get("description", "")
            yield from walk(nested["block"], path + [name])

    for path, description in walk(schema["resource_schemas"]["gitlab_codebuild_runner"]["block"],
                                  []):
        assert description, f"{'.'.join(path)} has no description in the schema"
        assert f"- `{path[-1]}` (" in page, path
        assert " ".join(description.split()) in page, path


def test_resource_page_has_the_hand_written_sections_users_need():
    text = RESOURCE_PAGE.read_text()
    for heading in ("## Example Usage", "## The connection handshake, step by step",
                    "## Sending jobs to the runner from `.gitlab-ci.yml`", "## IAM permissions",
                    "## Recovery after a failed create", "## Import", "## Timeouts",
                    "## Schema"):
        assert heading in text, heading
    for label in ("image:", "instance-size:", "fleet:", "buildspec-override:"):
        assert f"`{label}" in text and f"    - {label}" in text, label
    assert "codebuild-gitlab-runner-$CI_PROJECT_ID-$CI_PIPELINE_IID-$CI_JOB_NAME" in text
    assert "terraform untaint gitlab_codebuild_runner.main" in text
    assert "terraform import gitlab_codebuild_runner.main gitlab-runner" in text
    assert 'resource "aws_iam_role_policy"' in text
    assert '"codeconnections:GetConnectionToken"' in text
    assert 'source = "example/gitlab-codebuild"' in text


def snippets():
    for path in sorted(DOCS.rglob("*.md")):
        for i, match in enumerate(re.finditer(r"```(terraform|hcl)\n(.*?)```", path.read_text(),
                                              re.S)):
            yield pytest.param(match.group(2), id=f"{path.relative_to(DOCS)}#{i}")


@pytest.mark.parametrize("snippet", list(snippets()))
def test_terraform_snippets_parse_and_are_formatted(snippet, terraform_bin):
    result = subprocess.run([str(terraform_bin), "fmt", "-check", "-no-color", "-"],
                            input=snippet, text=True, capture_output=True, timeout=60)
    assert result.returncode == 0, (snippet, result.stdout, result.stderr)


def slug(heading):
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors_of(text):
    found = {slug(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}
    return found | set(re.findall(r'<a id="([^"]+)"></a>', text))


def test_links_between_and_within_pages_resolve():
    pages = {p.relative_to(DOCS).as_posix(): p.read_text() for p in DOCS.rglob("*.md")}
    for rel, text in pages.items():
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"https?://", target):
                continue
            file_part, _, fragment = target.partition("#")
            linked = rel if not file_part else os.path.normpath(Path(rel).parent / file_part)
            assert linked in pages, f"{rel}: link to missing page {target}"
            if fragment:
                assert fragment in anchors_of(pages[linked]), f"{rel}: dead anchor {target}"
