#!/usr/bin/env bash
# Throughput of goodwill eval: the in-process benchmark (parse only vs parse +
# 20 checks, 1 and 2 jobs), then the release binary end to end on the same
# generated file, with its peak RSS. Figures go in docs/performance.md.
#
#   scripts/bench-eval.sh [RECORDS]       (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
records="${1:-200000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

GOODWILL_BENCH_RECORDS="$records" GOODWILL_BENCH_RUNS="${GOODWILL_BENCH_RUNS:-3}" \
GOODWILL_BENCH_OUT="$work/interactions.jsonl" \
  cargo bench -p goodwill-core --bench throughput

cargo build --release -p goodwill-cli
bin=target/release/goodwill
for jobs in 1 2; do
  echo "== goodwill eval core/benches/pack interactions.jsonl --jobs $jobs > /dev/null"
  /usr/bin/time -f "wall %e s, user %U s, sys %S s, peak RSS %M KiB" \
    "$bin" eval core/benches/pack "$work/interactions.jsonl" --jobs "$jobs" > /dev/null
done
