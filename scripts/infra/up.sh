#!/usr/bin/env bash
# up.sh — installs what is missing, starts every backing service on loopback (idempotent) and
# writes their connection settings to $INFRA_DIR/env for the start and test commands to source.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
here="$(dirname "${BASH_SOURCE[0]}")"

bash "$here/install.sh"
mkdir -p "$INFRA_DIR"

# The S3 store is the slowest to come up: start it alongside the others.
bash "$here/s3.sh" start &
s3_pid=$!
bash "$here/postgres.sh" start
bash "$here/redis.sh" start
bash "$here/nats.sh" start
wait "$s3_pid" || die "the S3 store failed to start (logs in $INFRA_DIR/ceph/log)"

# shellcheck disable=SC1091
source "$INFRA_DIR/ceph/s3-credentials"
cat >"$INFRA_ENV_FILE" <<ENV
DATABASE_URL=postgresql://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB
REDIS_URL=redis://127.0.0.1:$REDIS_PORT
NATS_URL=nats://127.0.0.1:$NATS_PORT
S3_ENDPOINT=http://127.0.0.1:$S3_PORT
S3_REGION=us-east-1
S3_ACCESS_KEY=$S3_ACCESS_KEY
S3_SECRET_KEY=$S3_SECRET_KEY
ENV
chmod 600 "$INFRA_ENV_FILE"
log "all backing services ready (settings in ${INFRA_ENV_FILE#"$REPO_ROOT"/})"
