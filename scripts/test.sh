#!/usr/bin/env bash
# `npm test`: the full suite, as CI runs it. Static checks first (they fail fast), then vitest:
# unit tests, saga tests on the time-skipping server, and the integration suite, which starts
# the real embedded stack (installing it into ~/.cache/staysaga on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }
step "typecheck (tsc --noEmit)"
npx tsc --noEmit
step "lint (eslint, prettier --check)"
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
step "tests (vitest: unit, workflow, integration)"
npx vitest run "$@"
