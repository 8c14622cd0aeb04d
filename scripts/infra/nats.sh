#!/usr/bin/env bash
# nats.sh start|stop — NATS with JetStream on 127.0.0.1:$NATS_PORT, monitor on $NATS_MONITOR_PORT.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="$INFRA_DIR/nats"
PIDFILE="$DIR/nats.pid"
NATS_BIN="$(command -v nats-server || echo /usr/sbin/nats-server)"

healthy() { curl -fsS "http://127.0.0.1:$NATS_MONITOR_PORT/healthz" >/dev/null; }

start() {
  mkdir -p "$DIR/js"
  if healthy 2>/dev/null; then log "nats: already running on $NATS_PORT"; return; fi
  nohup "$NATS_BIN" -a 127.0.0.1 -p "$NATS_PORT" -m "$NATS_MONITOR_PORT" -js -sd "$DIR/js" \
    -P "$PIDFILE" -l "$DIR/nats.log" >/dev/null 2>&1 &
  wait_until 10 nats healthy
  log "nats: started on 127.0.0.1:$NATS_PORT (JetStream on)"
}

stop() {
  stop_pidfile nats "$PIDFILE" 10 && log "nats: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: nats.sh start|stop" ;;
esac
