#!/usr/bin/env bash
# Per-interaction overhead of a plugin policy in `goodwill eval` (release
# binary, end to end): the same records through the same pack without a
# plugin, then with one plugin at a time; the median wall time of 5 runs
# each, at --jobs 1 and 2. Overhead per interaction = (with - without) /
# records. Plugins: the `well-behaved` WAT fixture (the host's own cost:
# JSON text in, fuel and deadline armed, result checked), and the example
# plugins when plugins/examples/build.sh has built them.
#
#   scripts/bench-eval-plugin.sh [RECORDS]       (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
records="${1:-100000}"
runs=5
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GOODWILL_CACHE_DIR="$work/cache"

# One cargo invocation for both: building them apart unifies features
# differently and compiles wasmtime twice.
cargo build --release -p goodwill-cli -p goodwill-core --example write_fixture
target/release/examples/write_fixture well-behaved "$work/noop.wasm"
bin=$PWD/target/release/goodwill

# Interactions shaped like the promise-keeping samples, each with its own id.
python3 - "$records" plugins/examples/promise-keeping/interactions.jsonl > "$work/in.jsonl" <<'PY'
import json, sys
n = int(sys.argv[1])
samples = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
samples = [s for s in samples if s["id"] != "bad-date"]
for i in range(n):
    r = dict(samples[i % len(samples)])
    r["id"] = f"r{i}"
    print(json.dumps(r, separators=(",", ":")))
PY

# pack DIR [PLUGIN.wasm]: one TOML policy with one check, plus the plugin.
pack() {
  mkdir -p "$1/policies"
  printf '[pack]\nname = "bench"\n' > "$1/goodwill.toml"
  if [ -n "${2:-}" ]; then
    cp "$2" "$1/plugin.wasm"
    printf '\n[[plugins]]\npath = "plugin.wasm"\n' >> "$1/goodwill.toml"
  fi
  cat > "$1/policies/promised.toml" <<'TOML'
id = "every-record"
title = "Every record"
applies = "true"

[[checks]]
id = "seen"
severity = "info"
level = "accuracy"
when = "true"
message = "seen {id}"
TOML
}

# median wall seconds of $runs runs of eval on PACK with --jobs JOBS
median() {
  local times=()
  "$bin" eval "$1" "$work/in.jsonl" --jobs "$2" > /dev/null 2>&1 || true # warm the cache
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s.%N)
    "$bin" eval "$1" "$work/in.jsonl" --jobs "$2" > /dev/null 2>&1 || true
    e=$(date +%s.%N)
    times+=("$(echo "$e - $s" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | sed -n "$(( (runs + 1) / 2 ))p"
}

pack "$work/none"
plugins=(noop "$work/noop.wasm")
for name in promise-keeping transcript-checker; do
  [ -f "plugins/examples/dist/$name.wasm" ] && plugins+=("$name" "plugins/examples/dist/$name.wasm")
done

echo "records: $records; median of $runs runs; wall time of the whole eval"
for jobs in 1 2; do
  base=$(median "$work/none" "$jobs")
  printf 'jobs %s  no plugin           %8.3f s  %6.2f us/record\n' "$jobs" "$base" "$(echo "$base * 1000000 / $records" | bc -l)"
  for ((i = 0; i < ${#plugins[@]}; i += 2)); do
    name=${plugins[i]}
    rm -rf "$work/p"
    pack "$work/p" "${plugins[i+1]}"
    t=$(median "$work/p" "$jobs")
    printf 'jobs %s  + %-18s%8.3f s  %6.2f us/record  overhead %6.2f us/record (%.2fx)\n' \
      "$jobs" "$name" "$t" "$(echo "$t * 1000000 / $records" | bc -l)" \
      "$(echo "($t - $base) * 1000000 / $records" | bc -l)" "$(echo "$t / $base" | bc -l)"
  done
done
