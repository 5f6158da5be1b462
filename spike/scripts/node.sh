#!/usr/bin/env bash
# Spike: one ES 9.x integ-test-zip node on 127.0.0.1:9400 (transport 9500), run as uid 65534.
#   node.sh install [policy-file|none]   fresh unzip + plugin install (+ replace the installed entitlement policy)
#   node.sh start | stop | log
# SECURE=1 -> xpack.security.enabled: true (http without TLS)
set -euo pipefail
ES_VERSION=${ES_VERSION:-9.5.3}
BASE=/work/es-spike/node
HOME_DIR=$BASE/elasticsearch-$ES_VERSION
ZIP=$HOME/.m2/repository/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip
PLUGIN=${PLUGIN:-/work/es-spike/plugin/target/es-spike-0.0.1.zip}
JDK=/usr/lib/jvm/temurin-25-jdk-amd64
case "$1" in
install)
  rm -rf "$BASE"; mkdir -p "$BASE"; unzip -q "$ZIP" -d "$BASE"
  ES_JAVA_HOME=$JDK "$HOME_DIR/bin/elasticsearch-plugin" install --batch "file://$PLUGIN" > "$BASE/install.log" 2>&1 || { cat "$BASE/install.log"; exit 1; }
  pol=${2:-}
  if [ "$pol" = none ]; then rm -f "$HOME_DIR/plugins/shard-rerank/entitlement-policy.yaml";
  elif [ -n "$pol" ]; then cp "$pol" "$HOME_DIR/plugins/shard-rerank/entitlement-policy.yaml"; fi
  mkdir -p "$HOME_DIR/config/shard-rerank/models" "$BASE/data" "$BASE/logs" "$BASE/tmp"
  cp -r /work/main/target/test-models/overlap-logit "$HOME_DIR/config/shard-rerank/models/"
  cat >> "$HOME_DIR/config/elasticsearch.yml" <<YML
cluster.name: es-spike
node.name: spike-1
network.host: 127.0.0.1
http.port: 9400
transport.port: 9500
discovery.type: single-node
path.data: $BASE/data
path.logs: $BASE/logs
xpack.security.enabled: $( [ -n "${SECURE:-}" ] && echo true || echo false )
cluster.routing.allocation.disk.threshold_enabled: false
YML
  if [ -n "${SECURE:-}" ]; then
    echo "xpack.security.http.ssl.enabled: false" >> "$HOME_DIR/config/elasticsearch.yml"
    echo "xpack.security.transport.ssl.enabled: false" >> "$HOME_DIR/config/elasticsearch.yml"
  fi
  chown -R 65534:65534 "$BASE"
  ;;
start)
  env ES_JAVA_HOME=$JDK ES_TMPDIR=$BASE/tmp ES_JAVA_OPTS="-Xms1g -Xmx1g ${EXTRA_OPTS:-}" HOME=$BASE \
    setpriv --reuid=65534 --regid=65534 --clear-groups nice -n 19 "$HOME_DIR/bin/elasticsearch" -d -p "$BASE/node.pid" > "$BASE/stdout.log" 2>&1 || { cat "$BASE/stdout.log"; exit 1; }
  for i in $(seq 1 120); do
    if curl -s -o /dev/null -w '%{http_code}' ${CURL_AUTH:-} "http://127.0.0.1:9400/_cluster/health" 2>/dev/null | grep -qE '200|401'; then echo "up after ${i}s"; exit 0; fi
    if ! kill -0 "$(cat $BASE/node.pid 2>/dev/null)" 2>/dev/null && [ $i -gt 5 ]; then echo "node died"; tail -50 $BASE/logs/es-spike.log; exit 1; fi
    sleep 1
  done; echo "not up"; exit 1;;
stop)
  [ -f "$BASE/node.pid" ] && kill "$(cat $BASE/node.pid)" && while kill -0 "$(cat $BASE/node.pid)" 2>/dev/null; do sleep 1; done; echo stopped;;
esac
