#!/usr/bin/env bash
# down.sh — stops every backing service cleanly; data stays under $INFRA_DIR.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
here="$(dirname "${BASH_SOURCE[0]}")"

bash "$here/s3.sh" stop &
bash "$here/nats.sh" stop
bash "$here/redis.sh" stop
bash "$here/postgres.sh" stop
wait
