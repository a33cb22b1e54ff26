#!/usr/bin/env bash
# Times `goodwill audit` on the demo's 20,000 interactions (release build),
# against a baseline: the same file audited with a pack of no policies, which
# costs reading, parsing and binding the records only. Prints the median of
# N runs (default 7) of each and their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
cargo build --release -q -p goodwill-cli
bin=target/release/goodwill
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" audit --demo --export-interactions "$work/demo.jsonl"
mkdir -p "$work/empty/policies"
printf '[pack]\nname = "empty"\n[fields]\n"branch" = "string"\n"alerts_offered" = "bool"\n' > "$work/empty/goodwill.toml"

median_ms() {
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 ))
  done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

audit=$(median_ms "$bin" audit policies/demo --interactions "$work/demo.jsonl" --format json)
base=$(median_ms "$bin" audit "$work/empty" --interactions "$work/demo.jsonl" --format json)
demo=$(median_ms "$bin" audit --demo --format json)
echo "audit, 7 policies, 20,000 interactions from JSONL: median ${audit} ms"
echo "baseline, no policies (read + parse + bind):      median ${base} ms"
echo "audit --demo (generate + audit):                   median ${demo} ms"
awk -v a="$audit" -v b="$base" 'BEGIN { printf "ratio audit / baseline: %.2f\n", a / b }'
