#!/usr/bin/env bash
# Measures the figures of docs/scale.md: one machine's records/s with
# `goodwill eval --partial` and `goodwill audit`, the same log through the
# Spark job in local mode, and the cost of `goodwill merge` per partial
# (10, 100 and 1,000 partials of 200 records each).
#
#   cargo build --release -p goodwill-cli
#   bash integrations/spark/bench.sh            # GOODWILL=... to use another binary
#
# Environment: GOODWILL (default target/release/goodwill), COPIES (the log is
# the demo's 20,000 interactions this many times; default 10 = 200,000),
# RUNS (default 5), SPARK_RUNS (default 3), PARTITIONS (default 8).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
goodwill=$(realpath "${GOODWILL:-$root/target/release/goodwill}")
copies=${COPIES:-10}
runs=${RUNS:-5}
spark_runs=${SPARK_RUNS:-3}
partitions=${PARTITIONS:-8}
pack=$root/policies/demo
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Seconds taken by one run of "$@" (output discarded).
seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}
# The median of RUNS runs of "$@".
median() {
    local n=$1; shift
    for _ in $(seq "$n"); do seconds "$@"; done | sort -g | awk '{ a[NR] = $1 } END { printf "%.3f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

echo "machine: $(nproc) cores, $(uname -sr); goodwill: $goodwill"
"$goodwill" audit --demo --export-interactions "$work/demo.jsonl"
for _ in $(seq "$copies"); do cat "$work/demo.jsonl"; done >"$work/log.jsonl"
records=$(wc -l <"$work/log.jsonl")
echo "log: $records records, $(du -h "$work/log.jsonl" | cut -f1)"

# --- one machine --------------------------------------------------------------
t=$(median "$runs" "$goodwill" eval "$pack" "$work/log.jsonl" --partial "$work/one.partial.json" --allow-rejects)
echo "eval --partial, one machine: median ${t}s of $runs = $(echo "$records / $t" | bc) records/s"
t=$(median "$runs" "$goodwill" audit "$pack" --interactions "$work/log.jsonl" --format json --output "$work/one.json")
echo "audit --format json, one machine: median ${t}s of $runs = $(echo "$records / $t" | bc) records/s"

# --- Spark, local mode ----------------------------------------------------------
python=$(bash "$here/setup.sh")
SPARK_RECIPE_DIR=$here SPARK_LOCAL_IP=127.0.0.1 PYSPARK_PYTHON=$python PYSPARK_DRIVER_PYTHON=$python \
    "$python" - "$goodwill" "$pack" "$work/log.jsonl" "$work/spark.json" "$partitions" "$spark_runs" "$records" <<'PY'
import os, statistics, sys, time
goodwill, pack, log, out, partitions, runs, records = sys.argv[1:]
sys.path.insert(0, os.environ["SPARK_RECIPE_DIR"])
import goodwill_spark
from pyspark.sql import SparkSession
t = time.monotonic()
spark = (SparkSession.builder.master("local[2]")
         .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
         .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
         .getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
start = time.monotonic() - t
times = []
for _ in range(int(runs)):
    t = time.monotonic()
    run = goodwill_spark.audit(spark, pack=pack, input=log, output=out,
                               partitions=int(partitions), goodwill=goodwill)
    times.append(time.monotonic() - t)
spark.stop()
m = statistics.median(times)
print(f"spark local[2], {run.partitions} partitions: session start {start:.1f}s; "
      f"job median {m:.3f}s of {runs} = {int(int(records) / m)} records/s")
PY
cmp "$work/one.json" "$work/spark.json" && echo "spark audit == one-machine audit (byte for byte)"

# --- merge cost per partial -----------------------------------------------------
split -n l/100 -d -a 3 "$work/demo.jsonl" "$work/chunk-"
for chunk in "$work"/chunk-*; do
    "$goodwill" eval "$pack" "$chunk" --partial "$chunk.partial.json" --allow-rejects 2>/dev/null
done
parts=("$work"/chunk-*.partial.json)
echo "partial size: median $(stat -c %s "${parts[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }') bytes"
# 1,000 partials: the hundred ten times over (merging a partial twice is a
# valid merge: it counts its records twice).
many=()
for _ in $(seq 10); do many+=("${parts[@]}"); done
t10=$(median "$runs" "$goodwill" merge "${parts[@]:0:10}" --output "$work/m10.json")
t100=$(median "$runs" "$goodwill" merge "${parts[@]}" --output "$work/m100.json")
t1000=$(median "$runs" "$goodwill" merge "${many[@]}" --output "$work/m1000.json")
echo "merge of 10 partials: median ${t10}s of $runs; of 100: ${t100}s; of 1000: ${t1000}s"
echo "merge cost per partial: $(echo "($t1000 - $t10) / 990 * 1000" | bc -l | xargs printf '%.3f') ms (from 10 to 1000)"
