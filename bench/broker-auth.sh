#!/usr/bin/env bash
# What authentication, per-principal ACLs and TLS cost: the simulator's publish rate and the ingest source's rate on
# a secured Mosquitto (the shipped configuration: dynamic-security plugin, no anonymous access) beside an open one
# (the same file with the plugin removed and anonymous access allowed), on plain MQTT and on TLS, same run,
# alternating rounds. Usage: bench/broker-auth.sh [messages] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
messages="${1:-100000}"
rounds="${2:-3}"
source bench/lib.sh
cp="$(ingest_classpath)"
work="$(mktemp -d /tmp/citybrain-bench-auth-XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
# The whole city's principals: the simulator connects as every district's gateways.
CITYBRAIN_ALLOW_ROOT=1 ./citybrain provision --out "$work/credentials" > /dev/null
plugin="$(ls /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so /usr/lib/mosquitto_dynamic_security.so 2>/dev/null | head -1 || true)"
start_broker() { # name port tls-port secured
  local dir="$work/$1"; mkdir -p "$dir/data"
  cp -r "$work/credentials/broker" "$dir/broker"
  sed -e "s|^listener 1883.*|listener $2 127.0.0.1|" -e "s|^listener 8883.*|listener $3 127.0.0.1|" \
      -e "s|^plugin .*|plugin $plugin|" -e "s|/mosquitto/credentials/|$dir/broker/|" \
      -e "s|^persistence_location .*|persistence_location $dir/data/|" -e "s|^log_dest stdout|log_dest file $dir/log|" \
      config/mosquitto/mosquitto.conf > "$dir/mosquitto.conf"
  if [[ "$4" == open ]]; then
    sed -i -e 's|^allow_anonymous false|allow_anonymous true|' -e '/^plugin/d' "$dir/mosquitto.conf"
  fi
  [[ "$(id -u)" == 0 ]] && echo "user root" >> "$dir/mosquitto.conf"
  # Detached, its output in its own log (a broker writing to this script's pipe stalled the clients).
  nohup mosquitto -c "$dir/mosquitto.conf" > "$dir/stdout" 2>&1 < /dev/null & pids+=($!)
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0; sleep 0.1; done
  echo "bench: mosquitto $1 did not start: $(cat "$dir/log")" >&2; return 1
}
start_broker open 18831 18881 open
start_broker secured 18832 18882 secured
printf 'machine: %s cores (%s), %s, %s, %s\n' "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
  "$(free -g | awk '/Mem:/{print $2" GiB"}')" "$(java -version 2>&1 | head -1)" "$(mosquitto -h 2>/dev/null | head -1 || true)"
printf 'messages per run: %s, rounds: %s\n' "$messages" "$rounds"
results="$work/results"
for round in $(seq "$rounds"); do
  for transport in tcp tls; do
    for broker in open secured; do
      if [[ "$transport" == tcp ]]; then
        port=$([[ $broker == open ]] && echo 18831 || echo 18832); url="tcp://127.0.0.1:$port"; ca=""
      else
        port=$([[ $broker == open ]] && echo 18881 || echo 18882); url="ssl://127.0.0.1:$port"; ca="$work/credentials/fleet/ca.crt"
      fi
      # CITYBRAIN_MQTT_CA is also the login options' environment: set only for TLS.
      env CITYBRAIN_CREDENTIALS="$work/credentials" ${ca:+CITYBRAIN_MQTT_CA="$ca"} \
        timeout 300 java -Dlogback.configurationFile=logback-test.xml -cp "$cp" io.citybrain.ingest.bench.SourceBench "$url" "$messages" \
        < /dev/null > "$work/run.out" 2>&1 || true
      grep -E '^QoS' "$work/run.out" | sed "s|^|$round $transport $broker |" | tee -a "$results"
    done
  done
done
python3 - "$results" <<'PY'
import re, sys, statistics
rows = {}
for line in open(sys.argv[1]):
    rnd, transport, broker, rest = line.split(" ", 3)
    m = re.match(r"QoS (\d): published [\d,]+ at ([\d,]+) msg/s; bare .* source [\d,]+ at ([\d,]+) msg/s", rest)
    qos, sim, src = m.group(1), float(m.group(2).replace(",", "")), float(m.group(3).replace(",", ""))
    rows.setdefault((transport, qos, rnd), {})[broker] = (sim, src)
print("\nsecured / open, per round (simulator publish rate, source rate), then the median:")
for transport in ("tcp", "tls"):
    for qos in ("0", "1"):
        sims, srcs = [], []
        for key, v in sorted(rows.items()):
            if key[0] == transport and key[1] == qos and "open" in v and "secured" in v:
                sims.append(v["secured"][0] / v["open"][0]); srcs.append(v["secured"][1] / v["open"][1])
        if sims:
            print(f"{transport.upper()} QoS {qos}: simulator " + " ".join(f"{x:.2f}" for x in sims)
                  + f" (median {statistics.median(sims):.2f}); source " + " ".join(f"{x:.2f}" for x in srcs)
                  + f" (median {statistics.median(srcs):.2f})")
PY
