#!/usr/bin/env bash
# The simulator's highest sustained publish rate beside a bare Paho publisher loop, at QoS 0 and QoS 1, in one run
# against one broker. Usage: bench/publish-rate.sh [broker-url] [seconds] [connections]
# Default broker: the project's Mosquitto that .ci/run starts (tcp://127.0.0.1:1884).
# The bare Paho loop publishes anonymously to test topics: run it against an open broker (the shipped configuration
# with the dynamic-security plugin removed and allow_anonymous true, as bench/broker-auth.sh starts one); the
# simulator logs in with CITYBRAIN_CREDENTIALS (an installation folder) when it is set.
set -euo pipefail
cd "$(dirname "$0")/.."
broker="${1:-tcp://127.0.0.1:1884}"
seconds="${2:-10}"
connections="${3:-4}"
[[ -f simulators/target/citybrain-sim.jar ]] || ./mvnw -q -B -DskipTests -pl simulators -am package
jar=simulators/target/citybrain-sim.jar
source bench/lib.sh
# The bare Paho loop is a benchmark class of the simulator's tests, not part of the simulator.
cp="$(module_classpath simulators)"
printf 'machine: %s cores, %s, %s\n' "$(nproc)" "$(free -g | awk '/Mem:/{print $2" GiB"}')" "$(java -version 2>&1 | head -1)"
printf 'broker: %s (%s)\n' "$broker" "$({ mosquitto -h 2>/dev/null || true; } | head -1)"
for qos in 0 1; do
  report="$(mktemp)"
  java -jar "$jar" --mqtt-url "$broker" ${CITYBRAIN_CREDENTIALS:+--credentials "$CITYBRAIN_CREDENTIALS"} --rate max --duration "${seconds}s" --qos "$qos" --connections "$connections" \
    --no-actuators --quiet --client-id "bench-sim-q$qos" --json "$report" > /dev/null
  sim_rate="$(python3 -c "import json,sys; r=json.load(open('$report')); print(round(r['achievedRate']))")"
  p99="$(python3 -c "import json,sys; r=json.load(open('$report')); print(r['publishLatency']['p99Ms'])")"
  base_line="$(java -cp "$cp" io.citybrain.simulators.bench.PahoBaseline --mqtt-url "$broker" --qos "$qos" \
    --connections "$connections" --seconds "$seconds" --topics 5000)"
  base_rate="$(sed -E 's/.*rate=([0-9]+).*/\1/' <<< "$base_line")"
  python3 - "$qos" "$sim_rate" "$base_rate" "$p99" "$connections" <<'PY'
import sys
qos, sim, base, p99, conns = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
print(f"QoS {qos}, {conns} connections: simulator {sim:,.0f} msg/s (publish p99 {p99} ms), "
      f"bare Paho loop {base:,.0f} msg/s, ratio {sim / base:.2f}")
PY
done
