#!/usr/bin/env bash
# The Command API's city summary under wrk, against a bare Vert.x handler returning a fixed body on the same machine.
# Needs: a PostgreSQL admin URL (creates and drops database citybrain_bench), an MQTT broker, wrk, psql, jq, curl.
#   bench/api-summary.sh                       # 20 s per target, 2 threads, 32 connections
#   DURATION=60s CONNECTIONS=64 bench/api-summary.sh
#   SUMMARY_CACHE_MS=0 bench/api-summary.sh   # every request runs the summary queries
set -euo pipefail
cd "$(dirname "$0")/.."

PG_HOST=${PG_HOST:-127.0.0.1}
PG_USER=${PG_USER:-postgres}
MQTT=${CITYBRAIN_MQTT_URL:-tcp://127.0.0.1:1883}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
API_PORT=${API_PORT:-18080}
SUMMARY_CACHE_MS=${SUMMARY_CACHE_MS:-1000}
BARE_PORT=${BARE_PORT:-18090}
DB=citybrain_bench
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  psql -q -h "$PG_HOST" -U "$PG_USER" -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "building the classpath..."
./mvnw -o -q -pl command-api -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
CP="command-api/target/classes:command-api/target/test-classes:$(cat "$WORK/cp.txt")"

psql -q -h "$PG_HOST" -U "$PG_USER" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
java -Xmx512m -cp "$CP" io.citybrain.api.CommandApiMain --db-url "jdbc:postgresql://$PG_HOST:5432/$DB?user=$PG_USER" \
  --mqtt-url "$MQTT" --port "$API_PORT" --summary-cache-ms "$SUMMARY_CACHE_MS" --sync-registry --demo-users >"$WORK/api.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do grep -q "password" "$WORK/api.log" 2>/dev/null && break; sleep 0.5; done
PASSWORD=$(grep "user demo-viewer" "$WORK/api.log" | awk '{print $4}')
[ -n "$PASSWORD" ] || { echo "the API did not start:"; cat "$WORK/api.log"; exit 1; }

# A city with something to summarise: open alerts and incidents, and 2,000 grid cases.
psql -q -h "$PG_HOST" -U "$PG_USER" -d "$DB" >/dev/null <<'SQL'
INSERT INTO alert (alert_id, rule_id, district, metric, severity, state, value, threshold, raised_at)
SELECT 'a' || i, 'r' || i, d.code, 'pm25', (ARRAY['low','medium','high','critical'])[1 + i % 4], 'raised', 80, 75,
       now() - i * interval '1 minute'
FROM generate_series(1, 40) i JOIN (SELECT code, row_number() OVER () - 1 AS n FROM district) d ON d.n = i % 10;
INSERT INTO incident (incident_id, pattern_id, district, severity, started_at, detected_at, summary)
SELECT 'i' || i, 'flood', 'DP', 'high', now(), now(), 'bench' FROM generate_series(1, 12) i;
INSERT INTO grid_case (case_id, district, category, subtype, source, state, department, created_at, due_at, resolved_at)
SELECT 'c' || i, 'BA', 'public_order', 'illegal_parking', 'citizen',
       CASE WHEN i % 37 = 0 THEN 'handling' ELSE 'closed' END, 'traffic_police', now() - interval '1 day',
       now() - interval '22 hours', CASE WHEN i % 37 = 0 THEN NULL ELSE now() - interval '23 hours' END
FROM generate_series(1, 2000) i;
SQL

TOKEN=$(curl -sf -X POST -H 'content-type: application/json' \
  -d "{\"username\":\"demo-viewer\",\"password\":\"$PASSWORD\"}" "http://127.0.0.1:$API_PORT/api/v1/auth/login" | jq -r .token)
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$API_PORT/api/v1/summary" | jq -c '.city, .cases'

java -Xmx256m -cp "$CP" io.citybrain.api.bench.BareHandler "$BARE_PORT" >"$WORK/bare.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 60); do grep -q "bare handler" "$WORK/bare.log" 2>/dev/null && break; sleep 0.5; done

run() {
  local name=$1 url=$2
  wrk -t"$THREADS" -c"$CONNECTIONS" -d5s -H "Authorization: Bearer $TOKEN" "$url" >/dev/null   # warm-up (JIT)
  echo "== $name: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $url"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$url" | tee "$WORK/$name.txt"
}
run summary "http://127.0.0.1:$API_PORT/api/v1/summary"
run bare "http://127.0.0.1:$BARE_PORT/"

rps() { awk '/Requests\/sec/ {print $2}' "$WORK/$1.txt"; }
p99() { awk '$1 == "99%" {print $2}' "$WORK/$1.txt"; }
echo
echo "summary: $(rps summary) req/s, p99 $(p99 summary)"
echo "bare:    $(rps bare) req/s, p99 $(p99 bare)"
awk -v s="$(rps summary)" -v b="$(rps bare)" 'BEGIN {printf "summary / bare throughput: %.3f\n", s / b}'
