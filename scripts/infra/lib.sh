#!/usr/bin/env bash
# Shared settings and helpers for the local backing services (sourced, never run).
# Every service binds 127.0.0.1 and keeps its data under $INFRA_DIR (gitignored).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
INFRA_DIR="${INFRA_DIR:-$REPO_ROOT/.data/infra}"
INFRA_ENV_FILE="$INFRA_DIR/env"

PG_PORT="${INFRA_PG_PORT:-54320}"
REDIS_PORT="${INFRA_REDIS_PORT:-63790}"
NATS_PORT="${INFRA_NATS_PORT:-42220}"
NATS_MONITOR_PORT="${INFRA_NATS_MONITOR_PORT:-42221}"
CEPH_MON_PORT="${INFRA_CEPH_MON_PORT:-46789}"
CEPH_PORT_MIN="${INFRA_CEPH_PORT_MIN:-46800}"
CEPH_PORT_MAX="${INFRA_CEPH_PORT_MAX:-46899}"
S3_PORT="${INFRA_S3_PORT:-47480}"

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_USER=cloudillo
PG_DB=cloudillo

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] error: %s\n' "$*" >&2; exit 1; }

# wait_until SECONDS DESCRIPTION COMMAND... — polls every 0.2 s.
wait_until() {
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then die "$what did not become ready within ${limit}s"; fi
    sleep 0.2
  done
}

# wait_gone SECONDS PID — waits for a process to exit.
wait_gone() {
  local limit=$1 pid=$2
  local deadline=$((SECONDS + limit))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then return 1; fi
    sleep 0.2
  done
}

# stop_pidfile NAME PIDFILE [SECONDS] — TERM, wait, then KILL as a last resort.
stop_pidfile() {
  local name=$1 pidfile=$2 limit=${3:-20} pid
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$limit" "$pid"; then
      log "$name did not stop in ${limit}s, killing"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone 5 "$pid" || true
    fi
  fi
  rm -f "$pidfile"
}

tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
