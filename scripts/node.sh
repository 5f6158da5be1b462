#!/usr/bin/env bash
# Starts or stops local nodes bound to 127.0.0.1 with shard-rerank installed: OpenSearch 3.6.0 (Maven's integ-test-zip)
# with the k-NN plugin, or with ENGINE=elasticsearch Elasticsearch 9.5.3 (its integ-test-zip; dense_vector and knn
# are in its core). Used by the integration tests and by the demo.
#
#   scripts/node.sh start | stop | status         all nodes
#   scripts/node.sh start-node I | stop-node I    node I alone (1-based), e.g. to restart it
#
# Environment (defaults in brackets):
#   ENGINE          opensearch | elasticsearch [opensearch]
#   NODE_DIR        working folder [target/node]: the install, then nodes/node-I/{config,data,logs}
#   NODES           number of nodes [1]; one node runs as single-node discovery, more form one cluster
#   NODE_HTTP_PORT  HTTP port of node 1 [9200]; node I uses +I-1, transport ports are HTTP + 100
#   DOWNLOADS       folder with opensearch-3.6.0.zip and opensearch-knn-3.6.0.0.zip, or elasticsearch-$ES_VERSION.zip
#                   [$NODE_DIR/downloads]
#   ES_VERSION      Elasticsearch version [9.5.3]
#   PLUGIN_ZIP      our plugin zip [target/<engine>/shard-rerank-<engine>-*.zip]
#   MODELS_FROM     folder of model folders copied into each node's config/shard-rerank/models [none]
#   NODE_HEAP       JVM heap per node [1g]
#   NODE_EXTRA_YML  extra lines appended to each node's opensearch.yml or elasticsearch.yml [none]
# Elasticsearch only (x-pack security, basic license, file realm, HTTP without TLS):
#   NODE_SECURITY   1 turns security on [off]
#   NODE_USERS      users to create, one a line: user:password:role1,role2 (built-in roles such as superuser or
#                   those of NODE_ROLES_FILE)
#   NODE_ROLES_FILE roles file copied to each node's config/roles.yml [none]
#   NODE_ADMIN      user:password for the health probes [the first user of NODE_USERS]
#
# The node refuses to run as root, so when run as root it runs as uid/gid 65534 (nobody).
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_DIR=${NODE_DIR:-target/node}
NODES=${NODES:-1}
NODE_HTTP_PORT=${NODE_HTTP_PORT:-9200}
DOWNLOADS=${DOWNLOADS:-$NODE_DIR/downloads}
NODE_HEAP=${NODE_HEAP:-1g}
ENGINE=${ENGINE:-opensearch}
NODE_SECURITY=${NODE_SECURITY:-}
OS_VERSION=3.6.0
KNN_VERSION=3.6.0.0
ES_VERSION=${ES_VERSION:-9.5.3}
case "$ENGINE" in
  opensearch)
    HOME_DIR="$NODE_DIR/opensearch-$OS_VERSION"
    [ -z "$NODE_SECURITY" ] || { echo "node.sh: NODE_SECURITY needs ENGINE=elasticsearch (the OpenSearch integ-test-zip has no security plugin)" >&2; exit 2; } ;;
  elasticsearch) HOME_DIR="$NODE_DIR/elasticsearch-$ES_VERSION" ;;
  *) echo "node.sh: ENGINE must be opensearch or elasticsearch, got [$ENGINE]" >&2; exit 2 ;;
esac
# credentials of the health probes when security is on: NODE_ADMIN, else the first user of NODE_USERS
if [ -n "$NODE_SECURITY" ] && [ -z "${NODE_ADMIN:-}" ]; then
  NODE_ADMIN=$(printf '%s\n' "${NODE_USERS:-}" | awk -F: 'NF >= 2 { print $1 ":" $2; exit }')
fi

find_java() {
  local d v
  for d in ${OPENSEARCH_JAVA_HOME:-} ${ES_JAVA_HOME:-} ${JAVA_HOME:-} /usr/lib/jvm/* /opt/*jdk*; do
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
  if [ "$ENGINE" = elasticsearch ]; then install_es; return; fi
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

# Elasticsearch: the same layout (an install, then nodes/node-I/config), elasticsearch.yml, users and roles of the file realm
install_es() {
  local zip="$DOWNLOADS/elasticsearch-$ES_VERSION.zip"
  [ -f "$zip" ] || { echo "node.sh: missing $zip (org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip)" >&2; exit 1; }
  local plugin=${PLUGIN_ZIP:-$(ls target/elasticsearch/shard-rerank-elasticsearch-*.zip 2>/dev/null | head -n 1)}
  [ -f "$plugin" ] || { echo "node.sh: plugin zip not found (set PLUGIN_ZIP)" >&2; exit 1; }
  rm -rf "$HOME_DIR" "$NODE_DIR/nodes"
  mkdir -p "$NODE_DIR"
  unzip -q "$zip" -d "$NODE_DIR"
  ES_JAVA_HOME=$(find_java) "$HOME_DIR/bin/elasticsearch-plugin" install --batch "file://$(realpath "$plugin")" \
    >"$NODE_DIR/install-plugin.log" 2>&1 || { cat "$NODE_DIR/install-plugin.log" >&2; exit 1; }
  local i seeds="" masters=""
  for i in $(seq 1 "$NODES"); do
    seeds+="${seeds:+,}127.0.0.1:$(($(http_port "$i") + 100))"
    masters+="${masters:+,}node-$i"
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
        echo "cluster.initial_master_nodes: [$masters]"
      fi
      echo "cluster.routing.allocation.disk.threshold_enabled: false"
      if [ -n "$NODE_SECURITY" ]; then
        # explicit settings skip the security auto-configuration (TLS certificates, enrollment)
        echo "xpack.security.enabled: true"
        echo "xpack.security.http.ssl.enabled: false"
        echo "xpack.security.transport.ssl.enabled: false"
      else
        echo "xpack.security.enabled: false"
      fi
      [ -z "${NODE_EXTRA_YML:-}" ] || printf '%s\n' "$NODE_EXTRA_YML"
    } >>"$home/config/elasticsearch.yml"
    if [ -n "$NODE_SECURITY" ]; then
      [ -z "${NODE_ROLES_FILE:-}" ] || cp "$NODE_ROLES_FILE" "$home/config/roles.yml"
      local user pass roles
      while IFS=: read -r user pass roles; do
        [ -n "$user" ] || continue
        ES_JAVA_HOME=$(find_java) ES_PATH_CONF="$(realpath "$home")/config" \
          "$HOME_DIR/bin/elasticsearch-users" useradd "$user" -p "$pass" ${roles:+-r "$roles"} \
          >>"$NODE_DIR/install-users.log" 2>&1 || { cat "$NODE_DIR/install-users.log" >&2; exit 1; }
      done <<<"${NODE_USERS:-}"
    fi
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
  if [ "$ENGINE" = elasticsearch ]; then
    env ES_JAVA_HOME="$(find_java)" ES_PATH_CONF="$(realpath "$home")/config" \
        ES_TMPDIR="$(realpath "$home")/tmp" ES_JAVA_OPTS="-Xms$NODE_HEAP -Xmx$NODE_HEAP" HOME="$(realpath "$home")" \
        "${as_user[@]}" "$HOME_DIR/bin/elasticsearch" -d -p "$(realpath "$home")/node.pid" \
        >"$home/stdout.log" 2>&1 || { cat "$home/stdout.log" >&2; tail -n 40 "$home/logs/"*.log >&2 || true; exit 1; }
    return
  fi
  env OPENSEARCH_JAVA_HOME="$(find_java)" OPENSEARCH_PATH_CONF="$(realpath "$home")/config" \
      OPENSEARCH_TMPDIR="$(realpath "$home")/tmp" OPENSEARCH_JAVA_OPTS="-Xms$NODE_HEAP -Xmx$NODE_HEAP" HOME="$(realpath "$home")" \
      "${as_user[@]}" "$HOME_DIR/bin/opensearch" -d -p "$(realpath "$home")/node.pid" \
      >"$home/stdout.log" 2>&1 || { cat "$home/stdout.log" >&2; exit 1; }
}

wait_for() {
  local i=$1 status=$2 url; url="http://127.0.0.1:$(http_port "$1")"
  local t auth=()
  if [ -n "$NODE_SECURITY" ]; then
    [ -n "${NODE_ADMIN:-}" ] || { echo "node.sh: NODE_SECURITY=1 needs NODE_ADMIN or NODE_USERS for the health probes" >&2; exit 2; }
    auth=(-u "$NODE_ADMIN")
  fi
  for t in $(seq 1 400); do
    if curl -fsS -m 10 "${auth[@]}" "$url/_cluster/health?wait_for_status=$status&wait_for_nodes=$NODES&timeout=1s" >/dev/null 2>&1; then
      local extra=""
      if [ "$ENGINE" = elasticsearch ]; then
        extra=", license $(license_type "$url" "${auth[@]}")"
        extra+=", security $([ -n "$NODE_SECURITY" ] && echo on || echo off)"
      fi
      echo "node-$i up at $url (pid $(cat "$(pid_file "$i")"), logs in $(node_home "$i")/logs$extra)"
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

# the license the node runs (basic for the integ-test-zip); a new cluster answers 404 until its master installed one
license_type() {
  local url=$1 t type; shift
  for t in $(seq 1 30); do
    type=$(curl -fsS "$@" "$url/_license" 2>/dev/null | sed -n 's/.*"type" *: *"\([a-z_]*\)".*/\1/p' | head -n 1) || true
    [ -z "$type" ] || { echo "$type"; return; }
    sleep 1
  done
  echo "unknown"
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
    if [ "$ENGINE" = elasticsearch ] && [ "$NODES" -gt 1 ]; then
      # all at once: each "-d" returns only after its node waited (up to discovery.initial_state_timeout, 30 s) for a master
      pids=()
      for i in $(seq 1 "$NODES"); do launch "$i" & pids+=($!); done
      for p in "${pids[@]}"; do wait "$p" || exit 1; done
    else
      for i in $(seq 1 "$NODES"); do launch "$i"; done
    fi
    for i in $(seq 1 "$NODES"); do wait_for "$i" yellow; done ;;
  stop) for i in $(seq 1 "$NODES"); do stop_node "$i"; done ;;
  start-node) launch "$2"; wait_for "$2" yellow ;;
  stop-node) stop_node "$2" ;;
  status) if running 1; then echo "running at http://127.0.0.1:$NODE_HTTP_PORT"; else echo "stopped"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status|start-node I|stop-node I" >&2; exit 2 ;;
esac
