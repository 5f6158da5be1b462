#!/usr/bin/env bash
# Regenerates src/test/resources/org/shardrerank/inference/embedding-reference.json from the real models that the
# build unpacks into target/test-models (run ./mvnw test-compile first). Needs the jars of ONNX Runtime and DJL in ~/.m2.
set -euo pipefail
cd "$(dirname "$0")/../.."
M2=${M2:-$HOME/.m2/repository}
jar() { find "$M2/$1" -name "$2" | sort | tail -n 1; }
CP=$(jar com/microsoft/onnxruntime/onnxruntime 'onnxruntime-1.29.0.jar'):$(jar ai/djl/api 'api-0.38.0.jar'):$(jar ai/djl/huggingface/tokenizers 'tokenizers-0.38.0.jar')
CP=$CP:$(jar com/google/code/gson 'gson-2.13.2.jar'):$(jar net/java/dev/jna/jna 'jna-5.17.0.jar'):$(jar org/slf4j/slf4j-api 'slf4j-api-2.0.17.jar')
JAVA=${JAVA:-$( (ls -d /usr/lib/jvm/*25*/bin/java /usr/lib/jvm/*21*/bin/java 2>/dev/null || true) | head -n 1)}
DJL_CACHE_DIR=target/djl-cache "$JAVA" -Dai.djl.offline=true -cp "$CP" tools/embedding-reference/EmbeddingReference.java \
  target/test-models src/test/resources/org/shardrerank/inference/embedding-reference.json
echo "wrote src/test/resources/org/shardrerank/inference/embedding-reference.json"
