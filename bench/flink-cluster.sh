#!/usr/bin/env bash
# A Flink session cluster of separate JVMs on this machine, built from the Maven artifacts (no Flink distribution
# needed): the one the tests use (testkit's FlinkProcessCluster), for a person who wants to watch it. It prints the REST
# and web UI URL (flink-runtime-web 2.3.0 is on its classpath) and how to submit the stream job; Ctrl+C stops it.
# Usage: bench/flink-cluster.sh [task-managers] [slots-each] [hashmap|rocksdb] [work-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests -pl testkit -am package dependency:build-classpath \
  -Dmdep.outputFile=target/flink-cluster.classpath -Dmdep.includeScope=runtime >/dev/null
cp="testkit/target/classes:$(cat testkit/target/flink-cluster.classpath)"
exec java -Xmx256m -cp "$cp" io.citybrain.testkit.FlinkClusterMain "$@"
