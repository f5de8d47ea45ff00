#!/usr/bin/env bash
# `npm test`: the full suite, as CI runs it. Static checks first (they fail fast), then vitest:
# unit tests, saga tests on the time-skipping server, the integration suite (which starts the
# real embedded stack, installing it into ~/.cache/staysaga on first use), faults, deploy, and the
# web app's journeys in Chromium (installed with apt-get when missing).
# Each phase prints how long it took.
set -euo pipefail
cd "$(dirname "$0")/.."
phase_started=$SECONDS
phase_name=''
step() {
  [ -n "$phase_name" ] && printf '== %s took %ds\n' "$phase_name" $((SECONDS - phase_started))
  phase_name=$1
  phase_started=$SECONDS
  printf '\n== %s\n' "$1"
}
step "typecheck (tsc --noEmit, and the web app's: tsc --noEmit -p web)"
npx tsc --noEmit
npx tsc --noEmit -p web
step "lint (eslint, prettier --check)"
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
step "build the web app (vite: web/ -> web/dist)"
npm run --silent build:web >/dev/null
if [ "$#" -gt 0 ]; then
  step "tests (vitest run $*)"
  npx vitest run "$@"
else
  step "tests (vitest: unit, workflow, integration, faults, deploy)"
  npx vitest run --project unit --project workflow --project integration --project faults --project deploy
  # A vitest run of its own: its global setup starts a second stack and system, and one process
  # holds one mongoose connection (and the machine has two cores).
  step "browser journeys (vitest: browser, Chromium driven by playwright-core)"
  npx vitest run --project browser
fi
step "done"
