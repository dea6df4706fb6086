#!/usr/bin/env bash
# The kill suite's long version: TaskManagerKillIT with 50 kill -9 of a random TaskManager over 10^6 sequenced QoS 1
# readings (and the uninterrupted run of the same input it is compared with), then BrokerKillIT with 20 kill -9 of
# Mosquitto. Prints kills survived, readings, lost, duplicated, window and picture mismatches, and the recovery time
# from each kill to the first newly stored row (p50 and max); the full log stays in target/kill-soak.log.
#
# Usage: bench/kill-soak.sh [tm-kills] [readings] [broker-kills] [speed] [broker-readings]
#   defaults 50 1000000 20 3 200000: at 3x the 10^6 messages take ~15 min to publish, time for 50 kills while
#   publishing; the broker's 20 kills over 200,000 readings at 2,000 msg/s come ~5 s apart (over BrokerKillIT's CI
#   size of 30,000 they would come every ~1.4 s: a crash loop, also 0 lost, see BENCHMARKS.md)
#   (a medium soak: bench/kill-soak.sh 12 400000 0 5)
# Needs PostgreSQL (CITYBRAIN_TEST_PG_URL, default the local one with trust auth) and the mosquitto binary (the tests
# start their own brokers); the Flink cluster's JVMs are started from the build's Maven artifacts.
set -euo pipefail
cd "$(dirname "$0")/.."
tm_kills="${1:-50}"
readings="${2:-1000000}"
broker_kills="${3:-20}"
speed="${4:-3}"
broker_readings="${5:-200000}"
export CITYBRAIN_TEST_PG_URL="${CITYBRAIN_TEST_PG_URL:-jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}"
unset CITYBRAIN_TEST_MQTT_URL
mkdir -p target
log=target/kill-soak.log
printf 'machine: %s cores, %s; %s; %s\n' "$(nproc)" "$(free -g | awk '/Mem:/{print $2" GiB"}')" "$(psql -V)" \
  "$(mosquitto -h 2>/dev/null | head -1)"
printf 'soak: %s TaskManager kills over %s readings at %sx, %s broker kills over %s readings\n' \
  "$tm_kills" "$readings" "$speed" "$broker_kills" "$broker_readings"
rm -rf ./*/target/failsafe-reports
start=$(date +%s)
status=0
# A count of 0 leaves that test out (BrokerKillIT needs at least one kill to measure).
tests=()
[ "$tm_kills" -gt 0 ] && tests+=(TaskManagerKillIT)
[ "$broker_kills" -gt 0 ] && tests+=(BrokerKillIT)
[ "${#tests[@]}" -gt 0 ] || { echo "nothing to run: both kill counts are 0" >&2; exit 2; }
./mvnw -B -pl stream-jobs,app -am verify -Dtest=NoSuchTest -Dit.test="$(IFS=,; echo "${tests[*]}")" \
  -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dcitybrain.kill.tm.kills="$tm_kills" -Dcitybrain.kill.readings="$readings" -Dcitybrain.kill.speed="$speed" \
  -Dcitybrain.kill.broker.kills="$broker_kills" -Dcitybrain.kill.broker.readings="$broker_readings" \
  >"$log" 2>&1 || status=$?
echo "wall time: $(( $(date +%s) - start )) s, maven exit $status"
echo "--- runs (published, rows, lost, duplicated, windows, accounting)"
grep -E '^(uninterrupted|taskmanager-kills): published' "$log" || true
echo "--- kills"
grep -E '^kill [0-9]+:' "$log" | tail -n 5 || true
echo "--- figures"
grep -E '^kill-figures:' "$log" || echo "no kill figures: see $log"
echo "--- broker kills"
grep -iE 'broker.*kill|BrokerKillIT' "$log" | grep -v '^\[INFO\] Running' | tail -n 8 || true
echo "--- test results"
grep -hE 'Tests run:.*(TaskManagerKillIT|BrokerKillIT)' "$log" || grep -E 'Tests run:' "$log" | tail -n 3
exit "$status"
