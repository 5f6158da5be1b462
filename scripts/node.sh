#!/usr/bin/env bash
# Starts or stops local OpenSearch 3.6.0 nodes (Maven's integ-test-zip) with the k-NN plugin and shard-rerank
# installed, bound to 127.0.0.1. Used by the integration tests and by the demo.
#
#   scripts/node.sh start | stop | status         all nodes
#   scripts/node.sh start-node I | stop-node I    node I alone (1-based), e.g. to restart it
#
# Environment (defaults in brackets):
#   NODE_DIR        working folder [target/node]: the install, then nodes/node-I/{config,data,logs}
#   NODES           number of nodes [1]; one node runs as single-node discovery, more form one cluster
#   NODE_HTTP_PORT  HTTP port of node 1 [9200]; node I uses +I-1, transport ports are HTTP + 100
#   DOWNLOADS       folder with opensearch-3.6.0.zip and opensearch-knn-3.6.0.0.zip [$NODE_DIR/downloads]
#   PLUGIN_ZIP      our plugin zip [target/opensearch/shard-rerank-opensearch-*.zip]
#   MODELS_FROM     folder of model folders copied into each node's config/shard-rerank/models [none]
#   NODE_HEAP       JVM heap per node [1g]
#   NODE_EXTRA_YML  extra lines appended to each node's opensearch.yml [none]
#
# The node refuses to run as root, so when run as root it runs as uid/gid 65534 (nobody).
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_DIR=${NODE_DIR:-target/node}
NODES=${NODES:-1}
NODE_HTTP_PORT=${NODE_HTTP_PORT:-9200}
DOWNLOADS=${DOWNLOADS:-$NODE_DIR/downloads}
NODE_HEAP=${NODE_HEAP:-1g}
OS_VERSION=3.6.0
KNN_VERSION=3.6.0.0
HOME_DIR="$NODE_DIR/opensearch-$OS_VERSION"

find_java() {
  local d v
  for d in ${OPENSEARCH_JAVA_HOME:-} ${JAVA_HOME:-} /usr/lib/jvm/* /opt/*jdk*; do
    [ -x "$d/bin/java" ] || continue
    v=$("$d/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    [ -n "$v" ] && [ "$v" -ge 21 ] && { echo "$d"; return; }
  done
  echo "node.sh: no JDK >= 21 found" >&2; exit 1
}

node_home() { echo "$NODE_DIR/nodes/node-$1"; }
http_port() { echo $((NODE_HTTP_PORT + $1 - 1)); }
pid_file() { echo "$(node_home "$1")/node.pid"; }
running() { [ -f "$(pid_file "$1")" ] && kill -0 "$(cat "$(pid_file "$1")")" 2>/dev/null; }

install() {
  local zip="$DOWNLOADS/opensearch-$OS_VERSION.zip" knn="$DOWNLOADS/opensearch-knn-$KNN_VERSION.zip"
  [ -f "$zip" ] && [ -f "$knn" ] || { echo "node.sh: missing $zip or $knn (the build downloads them)" >&2; exit 1; }
  local plugin=${PLUGIN_ZIP:-$(ls target/opensearch/shard-rerank-opensearch-*.zip 2>/dev/null | head -n 1)}
  [ -f "$plugin" ] || { echo "node.sh: plugin zip not found (build it with ./mvnw package)" >&2; exit 1; }
  rm -rf "$HOME_DIR" "$NODE_DIR/nodes"
  mkdir -p "$NODE_DIR"
  unzip -q "$zip" -d "$NODE_DIR"
  OPENSEARCH_JAVA_HOME=$(find_java) "$HOME_DIR/bin/opensearch-plugin" install --batch "file://$(realpath "$knn")" \
    >"$NODE_DIR/install-knn.log" 2>&1 || { cat "$NODE_DIR/install-knn.log" >&2; exit 1; }
  OPENSEARCH_JAVA_HOME=$(find_java) "$HOME_DIR/bin/opensearch-plugin" install --batch "file://$(realpath "$plugin")" \
    >"$NODE_DIR/install-plugin.log" 2>&1 || { cat "$NODE_DIR/install-plugin.log" >&2; exit 1; }
  local i seeds="" managers=""
  for i in $(seq 1 "$NODES"); do
    seeds+="${seeds:+,}127.0.0.1:$(($(http_port "$i") + 100))"
    managers+="${managers:+,}node-$i"
  done
  for i in $(seq 1 "$NODES"); do
    local home; home=$(node_home "$i")
    mkdir -p "$home/data" "$home/logs" "$home/tmp"
    cp -r "$HOME_DIR/config" "$home/config"
    mkdir -p "$home/config/shard-rerank/models"
    [ -z "${MODELS_FROM:-}" ] || cp -r "$MODELS_FROM"/. "$home/config/shard-rerank/models/"
    {
      echo "cluster.name: shard-rerank-local"
      echo "node.name: node-$i"
      echo "network.host: 127.0.0.1"
      echo "http.port: $(http_port "$i")"
      echo "transport.port: $(($(http_port "$i") + 100))"
      echo "path.data: $(realpath "$home")/data"
      echo "path.logs: $(realpath "$home")/logs"
      if [ "$NODES" = 1 ]; then
        echo "discovery.type: single-node"
      else
        echo "discovery.seed_hosts: [$seeds]"
        echo "cluster.initial_cluster_manager_nodes: [$managers]"
      fi
      [ -z "${NODE_EXTRA_YML:-}" ] || printf '%s\n' "$NODE_EXTRA_YML"
    } >>"$home/config/opensearch.yml"
  done
  [ "$(id -u)" != 0 ] || chown -R 65534:65534 "$NODE_DIR"
}

launch() {
  local i=$1 home; home=$(node_home "$i")
  if running "$i"; then return; fi
  rm -f "$(pid_file "$i")"
  local as_user=()
  [ "$(id -u)" != 0 ] || as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  # a fixed temp folder per node, so native libraries unpacked by ONNX Runtime and DJL are not left per start
  env OPENSEARCH_JAVA_HOME="$(find_java)" OPENSEARCH_PATH_CONF="$(realpath "$home")/config" \
      OPENSEARCH_TMPDIR="$(realpath "$home")/tmp" OPENSEARCH_JAVA_OPTS="-Xms$NODE_HEAP -Xmx$NODE_HEAP" HOME="$(realpath "$home")" \
      "${as_user[@]}" "$HOME_DIR/bin/opensearch" -d -p "$(realpath "$home")/node.pid" \
      >"$home/stdout.log" 2>&1 || { cat "$home/stdout.log" >&2; exit 1; }
}

wait_for() {
  local i=$1 status=$2 url; url="http://127.0.0.1:$(http_port "$1")"
  local t
  for t in $(seq 1 400); do
    if curl -fsS "$url/_cluster/health?wait_for_status=$status&wait_for_nodes=$NODES&timeout=1s" >/dev/null 2>&1; then
      echo "node-$i up at $url (pid $(cat "$(pid_file "$i")"), logs in $(node_home "$i")/logs)"
      return
    fi
    if [ -f "$(pid_file "$i")" ] && ! running "$i"; then
      echo "node.sh: node-$i exited; last log lines:" >&2
      tail -n 40 "$(node_home "$i")/logs/"*.log >&2 || true
      exit 1
    fi
    sleep 1
  done
  echo "node.sh: node-$i did not answer in 180 s; last log lines:" >&2
  tail -n 40 "$(node_home "$i")/logs/"*.log >&2 || true
  exit 1
}

stop_node() {
  local i=$1
  running "$i" || { rm -f "$(pid_file "$i")"; return; }
  local pid; pid=$(cat "$(pid_file "$i")")
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || { echo "node-$i stopped"; return; }; sleep 1; done
  kill -9 "$pid" 2>/dev/null || true
  echo "node-$i killed"
}

case "${1:-}" in
  start)
    if running 1; then echo "already running at http://127.0.0.1:$NODE_HTTP_PORT"; exit 0; fi
    install
    for i in $(seq 1 "$NODES"); do launch "$i"; done
    for i in $(seq 1 "$NODES"); do wait_for "$i" yellow; done ;;
  stop) for i in $(seq 1 "$NODES"); do stop_node "$i"; done ;;
  start-node) launch "$2"; wait_for "$2" yellow ;;
  stop-node) stop_node "$2" ;;
  status) if running 1; then echo "running at http://127.0.0.1:$NODE_HTTP_PORT"; else echo "stopped"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status|start-node I|stop-node I" >&2; exit 2 ;;
esac
