#!/usr/bin/env bash
# Messages/s the MQTT source delivers into Flink beside a bare Paho subscriber on the same broker in the same run, at
# QoS 0 and QoS 1. Usage: bench/source.sh [broker-url] [messages]   (default: the project's Mosquitto on 1884)
# The shipped Mosquitto refuses anonymous clients: set CITYBRAIN_CREDENTIALS to the installation folder it was
# provisioned from (CI's broker: /tmp/citybrain-ci-mosquitto/credentials). bench/broker-auth.sh starts its own brokers.
set -euo pipefail
cd "$(dirname "$0")/.."
broker="${1:-tcp://127.0.0.1:1884}"
messages="${2:-300000}"
source bench/lib.sh
cp="$(ingest_classpath)"
printf 'machine: %s cores, %s, %s\n' "$(nproc)" "$(free -g | awk '/Mem:/{print $2" GiB"}')" "$({ mosquitto -h 2>/dev/null || true; } | head -1)"
java -Dlogback.configurationFile=logback-test.xml -cp "$cp" io.citybrain.ingest.bench.SourceBench "$broker" "$messages" 2>&1 \
  | grep -E '^(QoS|Exception|Caused)'
