#!/usr/bin/env python3
"""Load scenario (issue 7, item 2), run by `make load`.

One configuration: 10 runners with their own host and connection (distinct GitLab URLs: AWS
allows one host per URL) and 50 runners sharing the first one's connection. Against the
emulator with every call delayed 100 ms and a token bucket of a few calls per second, it is
applied, re-planned (must show no changes), updated (a tag on every runner), re-planned and
destroyed, once per `-parallelism` value. After each phase the emulator must hold exactly
what the configuration describes (nothing lost, nothing duplicated); at the end, nothing.

Reported per run and phase: wall time, AWS calls, calls refused with ThrottlingException
(each one was retried by the SDK), and the provider's peak RSS (VmHWM of every provider
process Terraform started). `--append FILE` writes the table into FILE between markers,
replacing an earlier run's table.
"""

import argparse
import json
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "acceptance-tests"))

from harness import (Workspace, cli_config, provider_block, provider_mirror, remove,  # noqa: E402
                     start_emulator, temp_dir)

OWN, SHARED = 10, 50
LATENCY = 0.1
RATE, BURST = 10, 5
MAX_RETRIES = 10
START, END = "<!-- load-test:start -->", "<!-- load-test:end -->"

PROVIDER = provider_block(max_retries=MAX_RETRIES)


def runner(address, name, gitlab, tag, extra=""):
    return f"""
resource "gitlab_codebuild_runner" "{address}" {{
  provider         = gitlab-codebuild
  name             = "{name}"
  gitlab_url       = "{gitlab}"
  source_location  = "{gitlab}/platform/{name}"
  service_role_arn = "arn:aws:iam::123456789012:role/cb-runner"
  tags             = {{ load = "{tag}" }}
  timeouts {{
    create = "10m"
    update = "10m"
    delete = "10m"
  }}
{extra}}}
"""


def configuration(tag):
    body = PROVIDER
    for i in range(OWN):
        body += runner(f"own_{i}", f"own-{i}", f"https://gitlab-{i}.example.internal", tag)
    for i in range(SHARED):
        body += runner(f"shared_{i}", f"shared-{i}", "https://gitlab-0.example.internal", tag,
                       "  connection_arn = gitlab_codebuild_runner.own_0.connection_arn\n")
    return body


class RssSampler(threading.Thread):
    """Peak resident set of every provider process, from /proc (VmHWM survives until the
    process exits, so sampling every 100 ms still sees the peak)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_kib = 0
        self.processes = set()
        self.running = True

    def run(self):
        while self.running:
            for status in Path("/proc").glob("[0-9]*/status"):
                try:
                    command = (status.parent / "cmdline").read_bytes()
                    if b"terraform-provider-gitlab-codebuild" not in command.split(b"\0")[0]:
                        continue
                    text = status.read_text()
                except OSError:
                    continue
                for line in text.splitlines():
                    if line.startswith("VmHWM:"):
                        self.processes.add(status.parent.name)
                        self.peak_kib = max(self.peak_kib, int(line.split()[1]))
            time.sleep(0.1)

    def stop(self):
        self.running = False
        self.join(timeout=5)


def check_resources(emulator, expect_present):
    resources = emulator.resources()
    if not expect_present:
        assert emulator.is_empty(), f"left behind: {resources}"
        return
    hosts = [h["ProviderEndpoint"] for h in resources["hosts"]]
    assert sorted(hosts) == sorted(f"https://gitlab-{i}.example.internal"
                                   for i in range(OWN)), hosts
    assert len(resources["connections"]) == OWN, resources["connections"]
    names = Counter(p["name"] for p in resources["projects"])
    wanted = {f"own-{i}" for i in range(OWN)} | {f"shared-{i}" for i in range(SHARED)}
    assert set(names) == wanted and max(names.values()) == 1, names
    assert all(p.get("webhook") for p in resources["projects"]), "a webhook is missing"


def phase(workspace, emulator, name, args, parallelism, expect_code, present):
    since = len(emulator.calls())
    started = time.monotonic()
    result = workspace.run(*args, f"-parallelism={parallelism}", "-no-color",
                           *workspace.tf_vars(), timeout=3600)
    seconds = time.monotonic() - started
    assert result.code == expect_code, result
    check_resources(emulator, present)
    calls = emulator.calls()[since:]
    errors = Counter(c.get("error") for c in calls if c.get("error"))
    throttled = errors.pop("ThrottlingException", 0)
    # The last probe of a deleted host answers not-found; that is how its end is seen.
    unexpected = {k: v for k, v in errors.items() if k != "ResourceNotFoundException"}
    assert not unexpected, unexpected
    return {"phase": name, "seconds": round(seconds, 1), "calls": len(calls),
            "throttled": throttled}


def run_once(terraform, cli, emulator, parallelism):
    emulator.post("reset")
    emulator.post("config", {"authorize_after": 0})
    emulator.post("latency", {"operation": "*", "seconds": LATENCY})
    emulator.post("throttle", {"operation": "*", "rate": RATE, "burst": BURST})
    directory = temp_dir("tf-load-")
    workspace = Workspace(terraform, cli, emulator, directory)
    sampler = RssSampler()
    try:
        (directory / "main.tf").write_text(configuration("1"))
        workspace.init()
        sampler.start()
        started = time.monotonic()
        rows = [
            phase(workspace, emulator, "apply", ["apply", "-auto-approve"], parallelism, 0,
                  True),
            phase(workspace, emulator, "plan (no changes)", ["plan", "-detailed-exitcode"],
                  parallelism, 0, True),
        ]
        (directory / "main.tf").write_text(configuration("2"))
        rows.append(phase(workspace, emulator, "update (tag on 60)",
                          ["apply", "-auto-approve"], parallelism, 0, True))
        rows.append(phase(workspace, emulator, "plan (no changes)",
                          ["plan", "-detailed-exitcode"], parallelism, 0, True))
        rows.append(phase(workspace, emulator, "destroy", ["destroy", "-auto-approve"],
                          parallelism, 0, False))
        total = time.monotonic() - started
    finally:
        sampler.stop()
        if emulator.resources()["projects"] or emulator.resources()["hosts"]:
            workspace.run("destroy", "-auto-approve", "-no-color", *workspace.tf_vars(),
                          timeout=3600)
        remove(directory)
    return {"parallelism": parallelism, "total_seconds": round(total, 1), "phases": rows,
            "peak_rss_mib": round(sampler.peak_kib / 1024, 1),
            "provider_processes": len(sampler.processes)}


def table(results, note):
    lines = [
        START,
        "## Load scenario (`make load`)",
        "",
        f"{OWN} runners with their own host and connection plus {SHARED} runners on the first "
        f"one's connection, one configuration; emulator latency {int(LATENCY * 1000)} ms on "
        f"every call, throttling at {RATE} calls/s (burst {BURST}) across both services, "
        f"`max_retries = {MAX_RETRIES}`; release build. Every phase checks the emulator "
        "holds exactly the 10 hosts, 10 connections and 60 projects with webhooks (after "
        "destroy: nothing). *Throttled* calls were refused with ThrottlingException and "
        "retried by the SDK; *calls* includes them. Peak RSS is the largest VmHWM of any "
        "provider process Terraform started during the run.",
        "",
        "| -parallelism | phase | wall s | AWS calls | throttled (retried) |",
        "|---:|---|---:|---:|---:|",
    ]
    for run in results:
        for row in run["phases"]:
            lines.append(f"| {run['parallelism']} | {row['phase']} | {row['seconds']} | "
                         f"{row['calls']} | {row['throttled']} |")
    lines += ["", "| -parallelism | whole scenario, s | provider peak RSS, MiB |",
              "|---:|---:|---:|"]
    for run in results:
        lines.append(f"| {run['parallelism']} | {run['total_seconds']} | "
                     f"{run['peak_rss_mib']} |")
    if note:
        lines += ["", note]
    lines.append(END)
    return "\n".join(lines) + "\n"


def write_section(path, section):
    path = Path(path)
    text = path.read_text() if path.exists() else ""
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--provider", required=True)
    parser.add_argument("--terraform", required=True)
    parser.add_argument("--parallelism", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--append", help="markdown file to write the table into")
    parser.add_argument("--json", default=str(ROOT / "bench" / "load.json"))
    parser.add_argument("--note", default="", help="a sentence added under the table")
    parser.add_argument("--previous", help="JSON of an earlier run whose -parallelism values "
                        "are not run again: merged into the table")
    args = parser.parse_args()

    root = temp_dir("tf-load-mirror-")
    emulator = start_emulator()
    results = []
    try:
        cli = cli_config(provider_mirror(Path(args.provider), root / "mirror"),
                         root / "terraformrc")
        for parallelism in args.parallelism:
            print(f"load: -parallelism={parallelism} ...", flush=True)
            result = run_once(args.terraform, cli, emulator, parallelism)
            print(json.dumps(result), flush=True)
            results.append(result)
    finally:
        emulator.stop()
        remove(root)
    if args.previous:
        done = {r["parallelism"] for r in results}
        earlier = json.loads(Path(args.previous).read_text())
        results = sorted([r for r in earlier if r["parallelism"] not in done] + results,
                         key=lambda r: r["parallelism"])
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    if args.append:
        write_section(args.append, table(results, args.note))
    print(table(results, args.note))


if __name__ == "__main__":
    main()
