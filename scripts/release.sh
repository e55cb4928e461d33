#!/usr/bin/env bash
# Builds the release assets the Terraform Registry expects, into dist/ (or --out DIR):
#
#   <p>_<version>_<os>_<arch>.zip    one per platform built
#   <p>_<version>_manifest.json      a copy of terraform-registry-manifest.json
#   <p>_<version>_SHA256SUMS         checksums of the zips and the manifest
#   <p>_<version>_SHA256SUMS.sig     binary detached signature, when GPG_FINGERPRINT is set
#
# where <p> is terraform-provider-gitlab-codebuild.
#
# The version comes from Cargo.toml and nowhere else. Platforms: every target in
# RELEASE_TARGETS whose Rust standard library is installed is cross-compiled; the others are
# skipped with the reason, never silently. `--binary PATH` packages an already built binary
# for the host platform instead of running cargo (the release test uses it with the debug
# build, to stay fast).
#
# Environment: RELEASE_TARGETS (Rust target triples), GPG_FINGERPRINT (key to sign with),
# GPG_PASSPHRASE (when that key has one), SOURCE_DATE_EPOCH (zip timestamps; default: the
# last commit's time, so rebuilding a tag gives the same zips).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
project=terraform-provider-gitlab-codebuild
out="$root/dist"
binary=""

while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ {print; next} NR > 1 {exit}' "$0"; exit 0 ;;
    *) echo "release: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "release: $*" >&2; exit 1; }

# The first `version = "..."` in Cargo.toml is the [package] version.
version=$(sed -n 's/^version = "\([^"]*\)".*/\1/p' "$root/Cargo.toml" | head -n 1)
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] \
  || die "Cargo.toml version '$version' is not a semantic version"
grep -q "^## \[$version\]" "$root/CHANGELOG.md" \
  || die "CHANGELOG.md has no '## [$version]' entry; write it before releasing"
if [ -n "${GITHUB_REF_NAME:-}" ] && [ "${GITHUB_REF_TYPE:-}" = tag ] \
  && [ "$GITHUB_REF_NAME" != "v$version" ]; then
  die "tag $GITHUB_REF_NAME does not match Cargo.toml version $version (expected v$version)"
fi

host=$(rustc -vV 2>/dev/null | sed -n 's/^host: //p' || true)
sysroot=$(rustc --print sysroot 2>/dev/null || true)
all_targets="x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-apple-darwin"
all_targets+=" aarch64-apple-darwin x86_64-pc-windows-gnu"
: "${RELEASE_TARGETS:=$all_targets}"
: "${SOURCE_DATE_EPOCH:=$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}"

platform_of() {
  case "$1" in
    x86_64-unknown-linux-gnu|x86_64-unknown-linux-musl) echo linux_amd64 ;;
    aarch64-unknown-linux-gnu|aarch64-unknown-linux-musl) echo linux_arm64 ;;
    x86_64-apple-darwin) echo darwin_amd64 ;;
    aarch64-apple-darwin) echo darwin_arm64 ;;
    x86_64-pc-windows-gnu|x86_64-pc-windows-msvc) echo windows_amd64 ;;
    *) return 1 ;;
  esac
}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"
rm -f "$out/${project}_${version}_"*

# Zips one binary as the registry names it; inside: terraform-provider-<name>_v<version>.
package() {
  local bin=$1 platform=$2 suffix=""
  [[ "$platform" == windows_* ]] && suffix=.exe
  local dir="$stage/$platform" inner="${project}_v${version}${suffix}"
  mkdir -p "$dir"
  install -m 0755 "$bin" "$dir/$inner"
  touch -d "@$SOURCE_DATE_EPOCH" "$dir/$inner"
  (cd "$dir" && zip -q -X "$out/${project}_${version}_${platform}.zip" "$inner")
  echo "    ${project}_${version}_${platform}.zip"
}

built=0
echo "==> $project $version"
if [ -n "$binary" ]; then
  [ -x "$binary" ] || die "--binary $binary is not an executable file"
  platform=$(platform_of "$host") || die "no registry platform name for host $host"
  reported=$("$binary" --version) || die "$binary --version failed"
  [ "$reported" = "$project $version" ] \
    || die "$binary --version says '$reported', expected '$project $version' (rebuild it)"
  package "$binary" "$platform"
  built=1
else
  for target in $RELEASE_TARGETS; do
    platform=$(platform_of "$target") || die "no registry platform name for target $target"
    if [ "$target" != "$host" ] && [ ! -d "$sysroot/lib/rustlib/$target" ]; then
      echo "    skipped $platform: the Rust standard library for $target is not installed" \
           "(rustup target add $target, plus a C cross toolchain for aws-lc-rs)"
      continue
    fi
    echo "    building $target"
    CARGO_PROFILE_RELEASE_STRIP=symbols cargo build --release --locked --target "$target" \
      --manifest-path "$root/Cargo.toml" --bin "$project" \
      || die "cargo build for $target failed"
    suffix=""
    [[ "$platform" == windows_* ]] && suffix=.exe
    bin="$root/target/$target/release/$project$suffix"
    if [ "$target" = "$host" ]; then
      reported=$("$bin" --version)
      [ "$reported" = "$project $version" ] || die "built binary says '$reported'"
    fi
    package "$bin" "$platform"
    built=$((built + 1))
  done
fi
[ "$built" -gt 0 ] || die "no platform was built"

manifest="${project}_${version}_manifest.json"
cp "$root/terraform-registry-manifest.json" "$out/$manifest"
sums="${project}_${version}_SHA256SUMS"
(cd "$out" && sha256sum "${project}_${version}_"*.zip "$manifest" | LC_ALL=C sort -k 2 >"$sums")
echo "    $manifest"
echo "    $sums"

if [ -n "${GPG_FINGERPRINT:-}" ]; then
  gpg_args=(--batch --yes --local-user "$GPG_FINGERPRINT" --detach-sign)
  if [ -n "${GPG_PASSPHRASE:-}" ]; then
    gpg_args+=(--pinentry-mode loopback --passphrase-fd 0)
  fi
  printf '%s' "${GPG_PASSPHRASE:-}" | gpg "${gpg_args[@]}" --output "$out/$sums.sig" "$out/$sums" \
    || die "gpg could not sign with key $GPG_FINGERPRINT"
  echo "    $sums.sig (key $GPG_FINGERPRINT)"
else
  echo "    not signed: set GPG_FINGERPRINT to the key registered with the registry"
fi
echo "==> $built platform(s) in $out"
