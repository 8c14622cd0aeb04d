#!/usr/bin/env bash
# Compiles every app and lib to dist/ (tsc type-checks as it goes; tsc-alias rewrites the
# @cloudillo/* path aliases to relative requires so plain `node` runs the output).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/node-env.sh
bash scripts/db-generate.sh
npx --no-install tsc -p tsconfig.build.json
npx --no-install tsc-alias -p tsconfig.build.json
