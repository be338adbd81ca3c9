#!/usr/bin/env bash
# Builds every image the compose stack runs, with no image registry: the Debian bookworm
# base (debootstrap, skipped when it exists), Redis and Postgres from Debian's packages on
# it, and Switchyard itself (infra/Dockerfile, Node 24 and pnpm from the npm registry).
#
#   scripts/infra/build-images.sh
#
#   SWITCHYARD_BASE_IMAGE   base image name           (switchyard-base:bookworm)
#   SWITCHYARD_IMAGE        the Switchyard image      (switchyard:local)
#   SWITCHYARD_BUILD_CA     PEM file(s) the Switchyard build stage trusts besides Debian's
#                           roots, for HTTPS through an inspecting proxy (default: the
#                           host's /usr/local/share/ca-certificates/*.crt; "none": nothing)
#   SWITCHYARD_BUILD_NETWORK  docker build --network (default: the bridge network)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
base="${SWITCHYARD_BASE_IMAGE:-switchyard-base:bookworm}"
image="${SWITCHYARD_IMAGE:-switchyard:local}"
network=()
[ -n "${SWITCHYARD_BUILD_NETWORK:-}" ] && network=(--network "$SWITCHYARD_BUILD_NETWORK")

say() { echo "build-images: $*" >&2; }
seconds_since() { echo $(($(date +%s) - $1)); }
size_of() { docker image inspect --format '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1/1e6}'; }

# Quiet builds; the whole log when one fails.
build() {
  local name="$1"
  shift
  local log started
  log="$(mktemp)"
  started=$(date +%s)
  if ! DOCKER_BUILDKIT=0 docker build "${network[@]}" --build-arg "BASE_IMAGE=$base" -t "$name" "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    say "building $name failed"
    exit 1
  fi
  rm -f "$log"
  say "$name: $(size_of "$name") ($(seconds_since "$started") s)"
}

started=$(date +%s)
"$root/scripts/infra/build-base-image.sh" "$base"
say "$base: $(size_of "$base")"
build switchyard-redis:local "$root/infra/images/redis"
build switchyard-postgres:local "$root/infra/images/postgres"

ca_files="${SWITCHYARD_BUILD_CA:-}"
if [ -z "$ca_files" ]; then ca_files="$(ls /usr/local/share/ca-certificates/*.crt 2>/dev/null || true)"; fi
[ "$ca_files" = none ] && ca_files=""
extra_ca=""
# shellcheck disable=SC2086 # a list of paths
if [ -n "$ca_files" ]; then
  extra_ca="$(cat $ca_files)"
  say "the Switchyard build stage also trusts: $(echo $ca_files)"
fi
build "$image" -f "$root/infra/Dockerfile" --build-arg "EXTRA_CA_CERTS=$extra_ca" "$root"
say "all images built in $(seconds_since "$started") s"
