#!/usr/bin/env bash
# Rescorer cost vs bare ONNX Runtime on the same batches (see bench/java/.../RescorerBenchmark.java).
#   bench/rescorer-benchmark.sh MODEL_DIR BEIR_DIR RUN_FILE [queries] [threads] [batch] > bench/results/rescorer-X.json
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -q test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
java_home=$(./mvnw -v 2>/dev/null | sed -n 's/.*runtime: //p' | sed 's/\x1b\[[0-9;]*m//g')
exec "$java_home/bin/java" -Xmx2g --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true -DDJL_CACHE_DIR=target/djl-cache \
  -cp "target/classes:target/test-classes:$(cat target/bench.classpath)" org.shardrerank.inference.RescorerBenchmark "$@"
