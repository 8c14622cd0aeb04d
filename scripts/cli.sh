#!/usr/bin/env bash
# npm run cli -- …: the operator CLI, against the local platform unless NATS_URL says otherwise.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/node-env.sh
if [[ -z ${NATS_URL:-} && -f .data/infra/env ]]; then set -a; source .data/infra/env; set +a; fi
if [[ -f dist/apps/cli/src/main.js ]]; then exec node dist/apps/cli/src/main.js "$@"; fi
exec npx --no-install tsx apps/cli/src/main.ts "$@"
