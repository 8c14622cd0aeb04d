#!/usr/bin/env bash
# npm test: installs what is missing, starts the real backing services, migrates, then type-checks,
# lints and runs every unit and integration test. Prints "N passed, N failed" last.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
RESULTS=$ROOT/tmp/test-results

# Services this run started are stopped again; ones already running (npm start) are left alone.
infra_was_up=0
if curl -fsS -o /dev/null "http://127.0.0.1:${INFRA_S3_PORT:-47480}/" 2>/dev/null; then infra_was_up=1; fi
cleanup() { if ((infra_was_up == 0)) && [[ ${KEEP_INFRA:-0} != 1 ]]; then bash scripts/infra/down.sh || true; fi; }
trap cleanup EXIT

step() { printf '\n==> %s\n' "$*"; }

step "dependencies"; bash scripts/ensure-deps.sh
source scripts/node-env.sh; echo "node $(node -v)"
step "backing services"; INFRA_FAST_UNSAFE=1 bash scripts/infra/up.sh
set -a; source .data/infra/env; set +a
step "prisma clients"; bash scripts/db-generate.sh
step "migrations (shared schemas; each test file also migrates its own)"
npx --no-install tsx libs/db-migrator/src/cli.ts deploy
step "type-check"; npx --no-install tsc -p tsconfig.json
step "lint and format"
npx --no-install nx run-many -t lint --outputStyle=static
npx --no-install prettier --check . --log-level warn
step "tests"
rm -rf "$RESULTS"
status=0
TEST_RESULTS_DIR=$RESULTS npx --no-install nx run-many -t test --outputStyle=static --skip-nx-cache || status=$?

passed=0; failed=0; skipped=0
for f in "$RESULTS"/*.json; do
  [[ -f $f ]] || continue
  read -r p fl s < <(node -e 'const r=require(process.argv[1]);console.log(r.passed,r.failed,r.skipped)' "$f")
  passed=$((passed + p)); failed=$((failed + fl)); skipped=$((skipped + s))
done
if ((passed == 0 && status == 0)); then echo "no tests ran" >&2; status=1; fi
if ((status != 0 && failed == 0)); then failed=1; fi
echo
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
