#!/usr/bin/env bash
# npm start: the whole platform on this machine — backing services, migrations, every service
# and the gateway, the demo tenant — then waits; Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
LOG_DIR=$ROOT/.data/logs
GATEWAY_PORT=${GATEWAY_PORT:-8080}
IDENTITY_HTTP_PORT=${IDENTITY_HTTP_PORT:-8101}
AUTH_HTTP_PORT=${AUTH_HTTP_PORT:-8102}
FED_HTTP_PORT=${FED_HTTP_PORT:-8103}
BLOB_HTTP_PORT=${BLOB_HTTP_PORT:-8104}
COLLAB_HTTP_PORT=${COLLAB_HTTP_PORT:-8105}
DEMO_ID_TAG=${DEMO_ID_TAG:-demo.localhost}
DEMO_PASSWORD=${DEMO_PASSWORD:-demo-password}
BASE_ID_TAG=${BASE_ID_TAG:-admin.localhost}
pids=()

step() { printf '\n==> %s\n' "$*"; }
elapsed() { printf '    (%ss)\n' "$((SECONDS - $1))"; }

shutdown() {
  trap - INT TERM EXIT
  step "stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  bash scripts/infra/down.sh
  echo "stopped."
  exit "${1:-0}"
}
trap 'shutdown 0' INT TERM
trap 'shutdown $?' EXIT

wait_ready() {
  local name=$1 url=$2 pid=$3 deadline=$((SECONDS + 60))
  until curl -fs -o /dev/null "$url"; do
    kill -0 "$pid" 2>/dev/null || { echo "$name exited; see $LOG_DIR/$name.log" >&2; tail -20 "$LOG_DIR/$name.log" >&2; exit 1; }
    ((SECONDS < deadline)) || { echo "$name not ready after 60 s; see $LOG_DIR/$name.log" >&2; exit 1; }
    sleep 0.3
  done
}

t=$SECONDS; step "dependencies"; bash scripts/ensure-deps.sh; elapsed $t
source scripts/node-env.sh; echo "node $(node -v)"
t=$SECONDS; step "backing services (Postgres, Redis, NATS, S3 store)"; bash scripts/infra/up.sh; elapsed $t
set -a; source .data/infra/env; set +a
t=$SECONDS; step "build"; bash scripts/build.sh; elapsed $t
t=$SECONDS; step "migrations"; node dist/libs/db-migrator/src/cli.js deploy; elapsed $t

mkdir -p "$LOG_DIR" .data/secrets
# Local key-encryption keys: made once, kept beside the data they protect (both gitignored).
kek() {
  local file=.data/secrets/$1
  [[ -s $file ]] || (umask 077 && head -c 32 /dev/urandom | base64 >"$file")
  cat "$file"
}
export IDENTITY_KEY_ENCRYPTION_KEY=${IDENTITY_KEY_ENCRYPTION_KEY:-$(kek identity-kek)}
export AUTH_KEY_ENCRYPTION_KEY=${AUTH_KEY_ENCRYPTION_KEY:-$(kek access-token-kek)}
# Signs the tenant the gateway resolved for the services behind it (libs/tenancy tenant-header).
export TENANT_HEADER_SECRET=${TENANT_HEADER_SECRET:-$(kek tenant-header-secret)}
export NO_COLOR=1
t=$SECONDS; step "services"
IDENTITY_HTTP_PORT=$IDENTITY_HTTP_PORT IDENTITY_BASE_ID_TAG=$BASE_ID_TAG IDENTITY_BASE_NAME=Admin \
  node dist/apps/identity/src/main.js >"$LOG_DIR/identity.log" 2>&1 &
pids+=($!); wait_ready identity "http://127.0.0.1:$IDENTITY_HTTP_PORT/ready" $!
AUTH_HTTP_PORT=$AUTH_HTTP_PORT node dist/apps/access-token/src/main.js >"$LOG_DIR/access-token.log" 2>&1 &
pids+=($!); wait_ready access-token "http://127.0.0.1:$AUTH_HTTP_PORT/ready" $!
FED_HTTP_PORT=$FED_HTTP_PORT node dist/apps/action-federation/src/main.js >"$LOG_DIR/action-federation.log" 2>&1 &
pids+=($!); wait_ready action-federation "http://127.0.0.1:$FED_HTTP_PORT/ready" $!
BLOB_HTTP_PORT=$BLOB_HTTP_PORT MALLOC_ARENA_MAX=2 NODE_OPTIONS=--max-semi-space-size=1 node dist/apps/blob/src/main.js >"$LOG_DIR/blob.log" 2>&1 &
pids+=($!); wait_ready blob "http://127.0.0.1:$BLOB_HTTP_PORT/ready" $!
COLLAB_HTTP_PORT=$COLLAB_HTTP_PORT node dist/apps/collaboration/src/main.js >"$LOG_DIR/collaboration.log" 2>&1 &
pids+=($!); wait_ready collaboration "http://127.0.0.1:$COLLAB_HTTP_PORT/ready" $!
upstreams="identity=http://127.0.0.1:$IDENTITY_HTTP_PORT,access-token=http://127.0.0.1:$AUTH_HTTP_PORT"
upstreams+=",action-federation=http://127.0.0.1:$FED_HTTP_PORT,blob=http://127.0.0.1:$BLOB_HTTP_PORT"
upstreams+=",collaboration=http://127.0.0.1:$COLLAB_HTTP_PORT"
GATEWAY_PORT=$GATEWAY_PORT GATEWAY_UPSTREAMS="$upstreams" \
  node dist/apps/gateway/src/main.js >"$LOG_DIR/gateway.log" 2>&1 &
pids+=($!); wait_ready gateway "http://127.0.0.1:$GATEWAY_PORT/ready" $!
elapsed $t

t=$SECONDS; step "demo tenant (through the operator CLI, as an operator would)"
cli() { node dist/apps/cli/src/main.js "$@"; }
cli tenant show "$DEMO_ID_TAG" >/dev/null 2>&1 || cli tenant create "$DEMO_ID_TAG" --name "${DEMO_NAME:-Demo}"
# A demo: its password is (re)set on every start, so the printed login line always works.
cli tenant set-password "$DEMO_ID_TAG" --password "$DEMO_PASSWORD" >/dev/null
elapsed $t

url="http://cl-o.$DEMO_ID_TAG:$GATEWAY_PORT"
cat <<MSG

ready. Cloudillo is running; demo tenant: $DEMO_ID_TAG (server admin: $BASE_ID_TAG)
  API:   $url/api/me
  try:   curl -s $url/api/me
  logs:  .data/logs/   (backing services: .data/infra/)
  login: curl -s -H 'Content-Type: application/json' -d '{"idTag":"$DEMO_ID_TAG","password":"$DEMO_PASSWORD"}' $url/api/auth/login
  admin: npm run cli -- tenant list
Press Ctrl-C to stop everything.
MSG
wait -n "${pids[@]}" || true
echo "a service exited; see $LOG_DIR" >&2
exit 1
