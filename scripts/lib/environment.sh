# Sourced by scripts/switchyard and scripts/test. Finds or provisions what Switchyard
# needs on a fresh clone: a Node 24 runtime (from the npm registry when the machine's
# Node is older), pnpm, and the workspace's dependencies.
set -euo pipefail

SWITCHYARD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Where the user ran the command, before switchyard_environment moves to the root: relative paths such as SWITCHYARD_CONFIG mean this.
export SWITCHYARD_CALLER_DIR="$PWD"
SWITCHYARD_TOOLS="$SWITCHYARD_ROOT/.tools"
REQUIRED_NODE_MAJOR=24
PNPM_VERSION="10.34.9"

say() { echo "switchyard: $*" >&2; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  local local_node="$SWITCHYARD_TOOLS/node/node_modules/node/bin/node"
  if command -v node >/dev/null 2>&1 && [ "$(node_major node)" -eq "$REQUIRED_NODE_MAJOR" ]; then
    return
  fi
  if [ ! -x "$local_node" ] || [ "$(node_major "$local_node")" -ne "$REQUIRED_NODE_MAJOR" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      say "Node $REQUIRED_NODE_MAJOR is required and neither it nor npm was found. Install Node.js (any version with npm) and run this again."
      exit 1
    fi
    say "installing Node $REQUIRED_NODE_MAJOR LTS from the npm registry into .tools/node (once)"
    mkdir -p "$SWITCHYARD_TOOLS/node"
    npm install --prefix "$SWITCHYARD_TOOLS/node" --no-audit --no-fund --loglevel=error "node@$REQUIRED_NODE_MAJOR" >&2
  fi
  export PATH="$SWITCHYARD_TOOLS/node/node_modules/node/bin:$PATH"
}

ensure_pnpm() {
  local local_pnpm="$SWITCHYARD_TOOLS/pnpm/node_modules/.bin/pnpm"
  if [ ! -x "$local_pnpm" ]; then
    say "installing pnpm $PNPM_VERSION from the npm registry into .tools/pnpm (once)"
    mkdir -p "$SWITCHYARD_TOOLS/pnpm"
    npm install --prefix "$SWITCHYARD_TOOLS/pnpm" --no-audit --no-fund --loglevel=error "pnpm@$PNPM_VERSION" >&2
  fi
  export PATH="$SWITCHYARD_TOOLS/pnpm/node_modules/.bin:$PATH"
  export COREPACK_ENABLE_STRICT=0
}

# Installs the workspace's dependencies when they are missing or the lockfile changed.
# $1 = "all" (tests need devDependencies) or "production".
ensure_dependencies() {
  local mode="${1:-all}"
  local stamp="$SWITCHYARD_ROOT/node_modules/.switchyard-install"
  local want
  want="$mode $( { cat "$SWITCHYARD_ROOT/pnpm-lock.yaml" "$SWITCHYARD_ROOT"/package.json "$SWITCHYARD_ROOT"/services/*/package.json "$SWITCHYARD_ROOT"/packages/*/package.json "$SWITCHYARD_ROOT"/scripts/*/package.json "$SWITCHYARD_ROOT"/test/package.json 2>/dev/null || true; } | cksum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && { [ "$(cat "$stamp")" = "$want" ] || { [ "$mode" = production ] && grep -q "^all $(echo "$want" | cut -d' ' -f2)\$" "$stamp"; }; }; then
    return
  fi
  say "installing dependencies with pnpm ($mode)"
  local flags=(--frozen-lockfile --reporter=append-only)
  [ -f "$SWITCHYARD_ROOT/pnpm-lock.yaml" ] || flags=(--reporter=append-only)
  if [ "$mode" = production ]; then flags+=(--prod); else flags+=(--prod=false); fi
  (cd "$SWITCHYARD_ROOT" && NODE_ENV= pnpm install "${flags[@]}" >&2)
  echo "$want" >"$stamp"
}

switchyard_environment() {
  ensure_node
  ensure_pnpm
  ensure_dependencies "${1:-all}"
  cd "$SWITCHYARD_ROOT"
}
