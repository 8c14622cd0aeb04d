#!/usr/bin/env bash
# redis.sh start|stop — Redis on 127.0.0.1:$REDIS_PORT (BullMQ queues, rate limits, fan-out).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="$INFRA_DIR/redis"
PIDFILE="$DIR/redis.pid"

start() {
  mkdir -p "$DIR"
  if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    log "redis: already running on $REDIS_PORT"; return
  fi
  # BullMQ requires noeviction: an evicted job key would silently lose work.
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --pidfile "$PIDFILE" \
    --dir "$DIR" --logfile "$DIR/redis.log" --maxmemory-policy noeviction --save "" --appendonly yes
  wait_until 10 redis redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping
  log "redis: started on 127.0.0.1:$REDIS_PORT"
}

stop() {
  stop_pidfile redis "$PIDFILE" 10 && log "redis: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: redis.sh start|stop" ;;
esac
