#!/usr/bin/env bash
# npm run bench -- <name>: builds, starts the backing services if needed, runs bench/<name>.bench.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/node-env.sh
name=${1:?usage: npm run bench -- <name> (see bench/README.md)}
bash scripts/infra/up.sh
set -a; source .data/infra/env; set +a
# As deployed: the gateway hands the services the tenant it resolved, signed (libs/tenancy).
export TENANT_HEADER_SECRET=${TENANT_HEADER_SECRET:-$(head -c 32 /dev/urandom | base64)}
bash scripts/build.sh
node dist/bench/sweep.js
node "dist/bench/$name.bench.js"
