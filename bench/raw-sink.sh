#!/usr/bin/env bash
# Raw sink rows/s beside psql \copy of the same rows, in one run on one PostgreSQL.
# Usage: bench/raw-sink.sh [admin-jdbc-url] [rows] [batch]
set -euo pipefail
cd "$(dirname "$0")/.."
url="${1:-jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}"
rows="${2:-500000}"
batch="${3:-5000}"
source bench/lib.sh
cp="$(ingest_classpath)"
printf 'machine: %s cores, %s, %s\n' "$(nproc)" "$(free -g | awk '/Mem:/{print $2" GiB"}')" "$(psql -V)"
java -cp "$cp" io.citybrain.ingest.bench.RawSinkBench "$url" "$rows" "$batch"
