#!/usr/bin/env bash
# Rescorer cost vs bare ONNX Runtime on the same batches (see bench/java/.../RescorerBenchmark.java). The rescorer's work is
# the engine-free core's, the same code in the OpenSearch and the Elasticsearch edition.
#   bench/rescorer-benchmark.sh MODEL_DIR BEIR_DIR RUN_FILE [queries] [threads] [batch] > bench/results/rescorer-X.json
# `--compile-only` compiles and stops; BENCH_PREBUILT=1 skips the compile (for scripts that run it several times in a row).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BENCH_PREBUILT:-0}" != 1 ]; then
  ./mvnw -B -ntp -q test-compile dependency:build-classpath -pl src/core -Dmdep.outputFile="$PWD/target/bench.classpath" \
    -Dmdep.includeScope=test >&2
fi
[ "${1:-}" != --compile-only ] || exit 0
java_home=$(./mvnw -v 2>/dev/null | sed -n 's/.*runtime: //p' | sed 's/\x1b\[[0-9;]*m//g')
exec "$java_home/bin/java" -Xmx2g --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true -DDJL_CACHE_DIR=target/djl-cache \
  -cp "target/core/classes:target/core/test-classes:$(cat target/bench.classpath)" org.shardrerank.inference.RescorerBenchmark "$@"
