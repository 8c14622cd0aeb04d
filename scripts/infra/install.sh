#!/usr/bin/env bash
# Installs the backing services' Debian packages (and the tools the services run, ffmpeg) when they are missing (idempotent).
# policy-rc.d keeps apt from starting system-wide daemons: we run our own on loopback.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need=()
[[ -x $PG_BIN/postgres ]] || need+=(postgresql-15)
command -v redis-server >/dev/null || need+=(redis-server)
[[ -x /usr/sbin/nats-server ]] || command -v nats-server >/dev/null || need+=(nats-server)
command -v radosgw >/dev/null || need+=(radosgw)
command -v ceph-mon >/dev/null || need+=(ceph-mon)
command -v ceph-osd >/dev/null || need+=(ceph-osd)
command -v uuidgen >/dev/null || need+=(uuid-runtime)
command -v curl >/dev/null || need+=(curl)
# Video and audio variants of the blob service (ffmpeg and ffprobe).
command -v ffprobe >/dev/null || need+=(ffmpeg)

if ((${#need[@]} == 0)); then exit 0; fi
[[ $(id -u) -eq 0 ]] || die "missing packages (${need[*]}); run as root or install them with apt"

log "installing ${need[*]}"
created_policy=0
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
if ((created_policy)); then rm -f /usr/sbin/policy-rc.d; fi
log "installed ${need[*]}"
