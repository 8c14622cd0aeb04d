#!/usr/bin/env bash
# postgres.sh start|stop — a throwaway PostgreSQL 15 cluster on 127.0.0.1:$PG_PORT.
# initdb/pg_ctl refuse root, so the cluster runs as the `postgres` system user; its data folder
# must be reachable by that user, hence the /var/tmp fallback when the checkout is not.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pg_home() {
  local preferred="$INFRA_DIR/pg"
  mkdir -p "$INFRA_DIR"
  if runuser -u postgres -- test -x "$INFRA_DIR" 2>/dev/null; then
    echo "$preferred"
  else
    echo "/var/tmp/cloudillo-infra-$(printf '%s' "$INFRA_DIR" | sha256sum | cut -c1-12)/pg"
  fi
}

as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

PG_HOME="$(pg_home)"
PG_DATA="$PG_HOME/data"
PG_SOCK="/tmp/cloudillo-pg-$PG_PORT"

start() {
  mkdir -p "$PG_HOME" "$PG_SOCK"
  if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$PG_HOME" "$PG_SOCK"; fi
  if [[ ! -f $PG_DATA/PG_VERSION ]]; then
    log "postgres: initdb in $PG_DATA"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    log "postgres: already running on $PG_PORT"
  else
    local extra=""
    [[ ${INFRA_FAST_UNSAFE:-0} == 1 ]] && extra="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_HOME/postgres.log" -w -t 30 start \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_SOCK -c max_connections=300 $extra" >/dev/null
    log "postgres: started on 127.0.0.1:$PG_PORT"
  fi
  wait_until 30 postgres "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q
  local psql=("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
  if [[ -z $("${psql[@]}" -c "select 1 from pg_roles where rolname='$PG_USER'") ]]; then
    "${psql[@]}" -c "create role $PG_USER login createdb"
  fi
  if [[ -z $("${psql[@]}" -c "select 1 from pg_database where datname='$PG_DB'") ]]; then
    "${psql[@]}" -c "create database $PG_DB owner $PG_USER"
  fi
}

stop() {
  if [[ -f $PG_DATA/PG_VERSION ]] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null
    log "postgres: stopped"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: postgres.sh start|stop" ;;
esac
