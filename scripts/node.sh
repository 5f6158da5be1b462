#!/usr/bin/env bash
# Starts or stops one local OpenSearch 3.6.0 node (Maven's integ-test-zip) with the k-NN plugin and
# shard-rerank installed, bound to 127.0.0.1. Used by the integration tests and by the demo.
#
#   scripts/node.sh start | stop | status
#
# Environment (defaults in brackets):
#   NODE_DIR        working folder of the node [target/node]
#   NODE_HTTP_PORT  HTTP port [9200]; the transport port is NODE_HTTP_PORT+100
#   DOWNLOADS       folder with opensearch-3.6.0.zip and opensearch-knn-3.6.0.0.zip [$NODE_DIR/downloads]
#   PLUGIN_ZIP      our plugin zip [target/shard-rerank-*.zip]
#   MODELS_FROM     folder of model folders copied into config/shard-rerank/models [none]
#   NODE_HEAP       JVM heap [1g]
#   NODE_EXTRA_YML  extra lines appended to opensearch.yml [none]
#
# The node refuses to run as root, so when run as root it runs as uid/gid 65534 (nobody).
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_DIR=${NODE_DIR:-target/node}
NODE_HTTP_PORT=${NODE_HTTP_PORT:-9200}
DOWNLOADS=${DOWNLOADS:-$NODE_DIR/downloads}
NODE_HEAP=${NODE_HEAP:-1g}
OS_VERSION=3.6.0
KNN_VERSION=3.6.0.0
HOME_DIR="$NODE_DIR/opensearch-$OS_VERSION"
PID_FILE="$NODE_DIR/node.pid"
URL="http://127.0.0.1:$NODE_HTTP_PORT"

find_java() {
  local d v
  for d in ${OPENSEARCH_JAVA_HOME:-} ${JAVA_HOME:-} /usr/lib/jvm/* /opt/*jdk*; do
    [ -x "$d/bin/java" ] || continue
    v=$("$d/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    [ -n "$v" ] && [ "$v" -ge 21 ] && { echo "$d"; return; }
  done
  echo "node.sh: no JDK >= 21 found" >&2; exit 1
}

running() { [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

install_node() {
  local zip="$DOWNLOADS/opensearch-$OS_VERSION.zip" knn="$DOWNLOADS/opensearch-knn-$KNN_VERSION.zip"
  [ -f "$zip" ] && [ -f "$knn" ] || { echo "node.sh: missing $zip or $knn (the build downloads them)" >&2; exit 1; }
  local plugin=${PLUGIN_ZIP:-$(ls target/shard-rerank-*.zip 2>/dev/null | head -n 1)}
  [ -f "$plugin" ] || { echo "node.sh: plugin zip not found (build it with ./mvnw package)" >&2; exit 1; }
  rm -rf "$HOME_DIR"
  mkdir -p "$NODE_DIR"
  unzip -q "$zip" -d "$NODE_DIR"
  export OPENSEARCH_JAVA_HOME
  OPENSEARCH_JAVA_HOME=$(find_java)
  "$HOME_DIR/bin/opensearch-plugin" install --batch "file://$(realpath "$knn")" >"$NODE_DIR/install-knn.log" 2>&1
  "$HOME_DIR/bin/opensearch-plugin" install --batch "file://$(realpath "$plugin")" >"$NODE_DIR/install-plugin.log" 2>&1 \
    || { cat "$NODE_DIR/install-plugin.log" >&2; exit 1; }
  mkdir -p "$HOME_DIR/config/shard-rerank/models"
  if [ -n "${MODELS_FROM:-}" ]; then
    cp -r "$MODELS_FROM"/. "$HOME_DIR/config/shard-rerank/models/"
  fi
  cat >>"$HOME_DIR/config/opensearch.yml" <<YML
cluster.name: shard-rerank-local
node.name: node-1
network.host: 127.0.0.1
http.port: $NODE_HTTP_PORT
transport.port: $((NODE_HTTP_PORT + 100))
discovery.type: single-node
path.data: $(realpath "$NODE_DIR")/data
path.logs: $(realpath "$NODE_DIR")/logs
YML
  [ -z "${NODE_EXTRA_YML:-}" ] || printf '%s\n' "$NODE_EXTRA_YML" >>"$HOME_DIR/config/opensearch.yml"
  mkdir -p "$NODE_DIR/data" "$NODE_DIR/logs" "$NODE_DIR/tmp"
}

start() {
  if running; then echo "node already running (pid $(cat "$PID_FILE")) at $URL"; return; fi
  install_node
  rm -f "$PID_FILE"
  local java_home; java_home=$(find_java)
  local as_user=()
  if [ "$(id -u)" = 0 ]; then
    chown -R 65534:65534 "$NODE_DIR"
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  fi
  # a fixed temp folder, so native libraries unpacked by ONNX Runtime and DJL are not left per start
  env OPENSEARCH_JAVA_HOME="$java_home" OPENSEARCH_TMPDIR="$(realpath "$NODE_DIR")/tmp" \
      OPENSEARCH_JAVA_OPTS="-Xms$NODE_HEAP -Xmx$NODE_HEAP" HOME="$(realpath "$NODE_DIR")" \
      "${as_user[@]}" "$HOME_DIR/bin/opensearch" -d -p "$(realpath "$NODE_DIR")/node.pid" \
      >"$NODE_DIR/stdout.log" 2>&1 || { cat "$NODE_DIR/stdout.log" >&2; exit 1; }
  local i
  for i in $(seq 1 180); do
    if curl -fsS "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; then
      echo "node up at $URL (pid $(cat "$PID_FILE"), logs in $NODE_DIR/logs)"
      return
    fi
    if [ -f "$PID_FILE" ] && ! running; then
      echo "node.sh: the node exited; last log lines:" >&2
      tail -n 40 "$NODE_DIR/logs/"*.log >&2 || true
      exit 1
    fi
    sleep 1
  done
  echo "node.sh: the node did not answer in 180 s; last log lines:" >&2
  tail -n 40 "$NODE_DIR/logs/"*.log >&2 || true
  exit 1
}

stop() {
  running || { echo "no node running"; rm -f "$PID_FILE"; return; }
  local pid; pid=$(cat "$PID_FILE")
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || { echo "node stopped"; return; }; sleep 1; done
  kill -9 "$pid" 2>/dev/null || true
  echo "node killed"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running at $URL"; else echo "stopped"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
