#!/usr/bin/env bash
# Generates every service's Prisma client (gitignored output under libs/db-*/src/generated).
# Prisma's CLI downloads a native schema engine before any command unless one is named; generate
# never runs it, so any existing file will do (migrations use the wasm engine: libs/db-migrator).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$PWD/package.json}"
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
for schema in libs/db-*/prisma/schema.prisma; do
  npx --no-install prisma generate --schema "$schema" >/dev/null
done
