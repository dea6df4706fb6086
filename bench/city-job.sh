#!/usr/bin/env bash
# The whole stream job: end-to-end messages/s, then publish -> live snapshot latency at half that rate.
# Usage: bench/city-job.sh [admin-jdbc-url] [broker-url] [messages] [latency-seconds]
# The shipped Mosquitto refuses anonymous clients: set CITYBRAIN_CREDENTIALS to the installation folder it was
# provisioned from (CI's broker: /tmp/citybrain-ci-mosquitto/credentials). bench/broker-auth.sh starts its own brokers.
set -euo pipefail
cd "$(dirname "$0")/.."
url="${1:-jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}"
broker="${2:-tcp://127.0.0.1:1884}"
messages="${3:-300000}"
seconds="${4:-60}"
./mvnw -q -B -DskipTests -pl stream-jobs -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="stream-jobs/target/test-classes:stream-jobs/target/classes:$(cat stream-jobs/target/bench.classpath)"
printf 'machine: %s cores, %s, %s, %s\n' "$(nproc)" "$(free -g | awk '/Mem:/{print $2" GiB"}')" "$(psql -V)" \
  "$(mosquitto -h 2>/dev/null | head -1)"
java -Xmx4g -cp "$cp" io.citybrain.stream.bench.CityJobBench "$url" "$broker" "$messages" "$seconds"
