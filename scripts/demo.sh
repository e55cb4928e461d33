#!/usr/bin/env bash
# The demo behind `make demo`: start the AWS emulator (it authorizes new connections after a
# few seconds, as a person in the console would), apply examples/basic with the freshly built
# provider, show the runner tag and ARNs, destroy, check that nothing is left, stop.
set -euo pipefail

: "${TERRAFORM:?}" "${PYTHON:?}" "${PROVIDER_BIN:?}"
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
emulator_pid=""

cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
export AWS_ACCESS_KEY_ID=AKIDEMO AWS_SECRET_ACCESS_KEY=demo AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL

echo "==> starting the AWS emulator (connections authorize themselves after 5 s)"
mkfifo "$work/emulator.out"
(cd "$root/acceptance-tests" && EMULATOR_PORT=0 EMULATOR_AUTHORIZE_AFTER=5 \
  exec "$root/$PYTHON" -m emulator >"$work/emulator.out" 2>"$work/emulator.log") &
emulator_pid=$!
read -r endpoint <"$work/emulator.out"
cat "$work/emulator.out" >/dev/null &
echo "    emulator at $endpoint"

version=$(sed -n 's/^version = "\([^"]*\)".*/\1/p' "$root/Cargo.toml" | head -n 1)
mirror="$work/mirror/registry.terraform.io/example/gitlab-codebuild/$version/linux_amd64"
mkdir -p "$mirror"
ln -s "$root/$PROVIDER_BIN" "$mirror/terraform-provider-gitlab-codebuild_v$version"
cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/example/*"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc"
cp "$root/examples/basic/main.tf" "$work/"
tf() { (cd "$work" && "$root/$TERRAFORM" "$@"); }
vars=(-var "aws_endpoint=$endpoint" -var "region=us-east-1")

echo "==> terraform init"
tf init -no-color >/dev/null
echo "==> terraform apply (waits for the connection handshake)"
tf apply -auto-approve -no-color "${vars[@]}"
echo
echo "==> the tag for .gitlab-ci.yml:"
echo "    tags: [\"$(tf output -raw gitlab_ci_tag)\"]"
echo
echo "==> terraform destroy"
tf destroy -auto-approve -no-color "${vars[@]}" | tail -n 2

left=$("$root/$PYTHON" -c 'import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1] + "/_emulator/resources", timeout=10).read().decode())' \
  "$endpoint")
if ! "$root/$PYTHON" -c 'import json,sys; r=json.load(sys.stdin); sys.exit(any(r[k] for k in ("hosts","connections","projects")))' <<<"$left"; then
  echo "demo FAILED: resources left behind: $left" >&2
  exit 1
fi
echo "==> nothing left in the emulator; demo complete"
