#!/usr/bin/env bash
# A local 2-shard ClickHouse cluster on loopback for beaconhunt's ClickHouse tests and benchmarks.
#
#   scripts/clickhouse-cluster.sh start    # two clickhouse-server daemons, cluster "bh_cluster"
#   scripts/clickhouse-cluster.sh stop     # stop them (by pid) and delete their data
#   scripts/clickhouse-cluster.sh status   # answer SELECT 1 on both?
#   scripts/clickhouse-cluster.sh env      # the variables the tests read
#
# Shard 1 listens on 127.0.0.1:18123 (HTTP) / 19000 (native), shard 2 on 18124 / 19001; both
# name the same <remote_servers> cluster bh_cluster, so a Distributed table created on either
# fans out to both. Config, data and logs live in one temp dir ($BH_CLICKHOUSE_DIR, default
# ${TMPDIR:-/tmp}/beaconhunt-clickhouse-$UID). Ports can be moved with BH_CLICKHOUSE_HTTP_PORTS and
# BH_CLICKHOUSE_TCP_PORTS ("18123 18124", "19000 19001"). Server settings are small on purpose
# (max_threads 2, 64 MB caches): the cluster shares a laptop or CI box with everything else.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TEMPLATES="$ROOT/test/clickhouse"
DIR="${BH_CLICKHOUSE_DIR:-${TMPDIR:-/tmp}/beaconhunt-clickhouse-$(id -u)}"
read -r -a HTTP_PORTS <<<"${BH_CLICKHOUSE_HTTP_PORTS:-18123 18124}"
read -r -a TCP_PORTS <<<"${BH_CLICKHOUSE_TCP_PORTS:-19000 19001}"
SERVER="${CLICKHOUSE_SERVER:-$(command -v clickhouse-server || true)}"
CLUSTER=bh_cluster

say() { echo "clickhouse-cluster: $*" >&2; }

answers() { # port → true when the server answers SELECT 1
  [ "$(curl -s --max-time 1 "http://127.0.0.1:$1/?query=SELECT%201" 2>/dev/null)" = "1" ]
}

alive() { # pid file → true when that process runs
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

start() {
  if [ -z "$SERVER" ]; then
    say "clickhouse-server not found (Debian: apt-get install clickhouse-server clickhouse-client)"
    exit 1
  fi
  mkdir -p "$DIR"
  local started
  started=$(date +%s%N)
  for i in 0 1; do
    local shard="$DIR/shard$((i + 1))"
    if alive "$shard/server.pid"; then
      say "shard $((i + 1)) already running (pid $(cat "$shard/server.pid"))"
      continue
    fi
    if answers "${HTTP_PORTS[$i]}"; then
      say "port ${HTTP_PORTS[$i]} is taken by another server; set BH_CLICKHOUSE_HTTP_PORTS"
      exit 1
    fi
    mkdir -p "$shard"/{data,tmp,user_files,format_schemas,log}
    cp "$TEMPLATES/users.xml" "$shard/users.xml"
    sed -e "s#@DIR@#$shard#g" -e "s#@USERS@#$shard/users.xml#g" \
      -e "s#@HTTP_PORT@#${HTTP_PORTS[$i]}#g" -e "s#@TCP_PORT@#${TCP_PORTS[$i]}#g" \
      -e "s#@TCP_PORT_1@#${TCP_PORTS[0]}#g" -e "s#@TCP_PORT_2@#${TCP_PORTS[1]}#g" \
      "$TEMPLATES/config.xml.in" >"$shard/config.xml"
    # --daemon forks; the server writes its own pid file. Run from the shard dir so nothing
    # (e.g. a core file or preprocessed config) lands in the caller's directory.
    (cd "$shard" && "$SERVER" --config-file="$shard/config.xml" --pid-file="$shard/server.pid" --daemon \
      >"$shard/log/stdout.log" 2>&1)
  done
  for _ in $(seq 1 300); do
    if answers "${HTTP_PORTS[0]}" && answers "${HTTP_PORTS[1]}"; then
      local ms=$((($(date +%s%N) - started) / 1000000))
      say "up in ${ms} ms: http://127.0.0.1:${HTTP_PORTS[0]} and http://127.0.0.1:${HTTP_PORTS[1]}, cluster $CLUSTER ($DIR)"
      return 0
    fi
    sleep 0.05
  done
  say "servers did not answer within 15 s; logs:"
  tail -n 20 "$DIR"/shard*/log/*.log >&2 || true
  stop
  exit 1
}

stop() {
  for i in 1 2; do
    local pidfile="$DIR/shard$i/server.pid"
    if alive "$pidfile"; then
      local pid
      pid=$(cat "$pidfile")
      kill -TERM "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then
        say "shard $i (pid $pid) did not stop in 10 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
  done
  if [ -d "$DIR" ]; then rm -rf "$DIR"; fi
  say "stopped"
}

status() {
  local ok=0
  for i in 0 1; do
    if answers "${HTTP_PORTS[$i]}"; then say "shard $((i + 1)) answers on ${HTTP_PORTS[$i]}"; else say "shard $((i + 1)) down"; ok=1; fi
  done
  return $ok
}

env_lines() {
  echo "export BEACONHUNT_CLICKHOUSE_URL=clickhouse://default@127.0.0.1:${HTTP_PORTS[0]}/default"
  echo "export BEACONHUNT_CLICKHOUSE_CLUSTER=$CLUSTER"
  echo "export BEACONHUNT_CLICKHOUSE_SHARDS=clickhouse://default@127.0.0.1:${HTTP_PORTS[0]},clickhouse://default@127.0.0.1:${HTTP_PORTS[1]}"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) env_lines ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
