#!/usr/bin/env bash
# s3.sh start|stop — a one-node Ceph cluster (1 monitor, 1 bluestore OSD on a sparse file) with
# RADOS Gateway serving S3 on 127.0.0.1:$S3_PORT. MinIO cannot be installed on these machines;
# deployments use MinIO, and the code only ever speaks S3 to it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR="$INFRA_DIR/ceph"
CONF="$DIR/ceph.conf"
CREDS="$DIR/s3-credentials"
CEPH=(ceph -c "$CONF" --connect-timeout 10)

write_conf() {
  local fsid=$1
  cat >"$CONF" <<CONF
[global]
fsid = $fsid
mon_initial_members = a
mon_host = v2:127.0.0.1:$CEPH_MON_PORT
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
public_network = 127.0.0.0/8
cluster_network = 127.0.0.0/8
ms_bind_msgr1 = false
ms_bind_msgr2 = true
ms_bind_port_min = $CEPH_PORT_MIN
ms_bind_port_max = $CEPH_PORT_MAX
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_max_pg_per_osd = 1000
mon_data_avail_crit = 0
mon_data_avail_warn = 0
mon_warn_on_pool_no_redundancy = false
run_dir = $DIR/run
log_file = $DIR/log/\$name.log
admin_socket = $DIR/run/\$name.asok
pid_file = $DIR/run/\$name.pid
keyring = $DIR/keyring
[mon]
mon_data = $DIR/mon/\$cluster-\$id
[osd]
osd_data = $DIR/osd/\$cluster-\$id
osd_objectstore = bluestore
bluestore_block_path = $DIR/osd-block-\$id
bluestore_block_create = true
bluestore_block_size = 21474836480
osd_memory_target = 536870912
bluestore_cache_autotune = false
bluestore_cache_size = 134217728
[client.rgw.a]
ms_mon_client_mode = crc
rgw_frontends = beast endpoint=127.0.0.1:$S3_PORT
rgw_data = $DIR/rgw
rgw_dns_name = 127.0.0.1
rgw_thread_pool_size = 64
# Deleted objects' space comes back within minutes, not the default two hours: benches and
# tests write gigabytes, and a full OSD blocks every write (silently: requests just wait).
rgw_gc_obj_min_wait = 60
rgw_gc_processor_period = 60
CONF
}

s3_up() { curl -fsS -o /dev/null "http://127.0.0.1:$S3_PORT/"; }
daemon_running() { local p="$DIR/run/$1.pid"; [[ -f $p ]] && kill -0 "$(cat "$p")" 2>/dev/null; }

bootstrap() {
  log "s3: creating a one-node Ceph cluster in $DIR (first run takes ~20 s)"
  rm -rf "$DIR"
  mkdir -p "$DIR"/{run,log,mon,osd,rgw}
  local fsid osd_uuid
  fsid=$(uuidgen)
  write_conf "$fsid"
  ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$DIR/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' \
    --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$CEPH_MON_PORT]" "$DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring"
  ceph-mon -c "$CONF" -i a
  wait_until 30 "ceph monitor" "${CEPH[@]}" mon stat
  osd_uuid=$(uuidgen)
  "${CEPH[@]}" osd new "$osd_uuid" >/dev/null
  mkdir -p "$DIR/osd/ceph-0"
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" 2>>"$DIR/log/mkfs.log"
  "${CEPH[@]}" osd crush add-bucket node1 host >/dev/null 2>&1
  "${CEPH[@]}" osd crush move node1 root=default >/dev/null 2>&1
  "${CEPH[@]}" osd crush add osd.0 1.0 host=node1 >/dev/null 2>&1
  touch "$DIR/.bootstrapped"
}

start_daemons() {
  daemon_running mon.a || ceph-mon -c "$CONF" -i a
  wait_until 30 "ceph monitor" "${CEPH[@]}" mon stat
  daemon_running osd.0 || ceph-osd -c "$CONF" -i 0 2>>"$DIR/log/osd-start.log"
  wait_until 60 "ceph osd" bash -c "${CEPH[*]} osd stat -f json | grep -q '\"num_up_osds\":1'"
  daemon_running client.rgw.a || radosgw -c "$CONF" -n client.rgw.a
  wait_until 90 "radosgw" s3_up
}

ensure_user() {
  if [[ ! -f $CREDS ]]; then
    local access secret
    access=$(head -c 15 /dev/urandom | base32 | tr -d '=' | head -c 20)
    secret=$(head -c 30 /dev/urandom | base64 | tr -d '/+=' | head -c 40)
    radosgw-admin -c "$CONF" -n client.admin user create --uid=cloudillo --display-name=cloudillo \
      --access-key="$access" --secret-key="$secret" >/dev/null
    printf 'S3_ACCESS_KEY=%s\nS3_SECRET_KEY=%s\n' "$access" "$secret" >"$CREDS"
    chmod 600 "$CREDS"
  fi
}

start() {
  if [[ -f $DIR/.bootstrapped ]] && s3_up 2>/dev/null; then
    log "s3: already running on $S3_PORT"; return
  fi
  [[ -f $DIR/.bootstrapped ]] || bootstrap
  start_daemons
  ensure_user
  log "s3: Ceph RADOS Gateway serving S3 on 127.0.0.1:$S3_PORT"
}

# Order matters: radosgw, then the OSD, then the monitor — or the next start hangs on a stale lock.
stop() {
  [[ -d $DIR/run ]] || return 0
  stop_pidfile radosgw "$DIR/run/client.rgw.a.pid" 20
  stop_pidfile ceph-osd "$DIR/run/osd.0.pid" 30
  stop_pidfile ceph-mon "$DIR/run/mon.a.pid" 20
  log "s3: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: s3.sh start|stop" ;;
esac
