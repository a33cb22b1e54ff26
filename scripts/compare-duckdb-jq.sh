#!/usr/bin/env bash
# The same 20 conditions (core/benches/pack: each check under its policy's
# `applies`) over the same generated interactions, three ways: goodwill eval,
# DuckDB (its CLI, the duckdb-cli package from PyPI, in a throwaway venv) and jq (apt).
# Two tasks: write each finding as a line to a pipe, and only count them.
# Each prints the median wall time and the number of findings, which must
# agree; then goodwill reading and parsing alone (a pack without policies),
# and the ratios against jq.
#
#   scripts/compare-duckdb-jq.sh [RECORDS]     (default 200000)
#   GOODWILL_COMPARE_RUNS=N                    (default 3: medians of 3)
set -euo pipefail
cd "$(dirname "$0")/.."
records="${1:-200000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

command -v jq >/dev/null || { sudo apt-get install -y jq || apt-get install -y jq; }
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet duckdb-cli

GOODWILL_BENCH_RECORDS="$records" GOODWILL_BENCH_RUNS=1 \
GOODWILL_BENCH_OUT="$work/in.jsonl" \
  cargo bench -p goodwill-core --bench throughput >/dev/null
cargo build --release -p goodwill-cli >/dev/null 2>&1
file="$work/in.jsonl"

runs="${GOODWILL_COMPARE_RUNS:-3}"
# Wall seconds of the command line "$@", median of $runs runs; its output
# (a count of findings or lines) is printed once, to check all agree.
median() {
  local label="$1"; shift
  local times=() out
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s.%N)
    out=$("$@")
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  local m
  m=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  printf '%-44s %8s findings  %6.2f s  %8.0f records/s\n' "$label" "$out" "$m" \
    "$(echo "$records / $m" | bc -l)"
  last="$m"
}
# `ratio A B`: how many times faster B's median was than A's.
ratio() { printf '%.1f' "$(echo "$1 / $2" | bc -l)"; }

gw() { target/release/goodwill eval core/benches/pack "$file" --jobs "$1" 2>/dev/null | wc -l; }
gw_count() {
  target/release/goodwill eval core/benches/pack "$file" --jobs "$1" 2>&1 >/dev/null \
    | sed -n 's/^findings: \([0-9]*\).*/\1/p'
}

# The 20 conditions, each under its policy's `applies`, for DuckDB.
cat > "$work/duck.py" <<'PY'
import sys
f, threads, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
conds = {
 "refunds": ("request.kind = 'refund'", [
   ("small-refund-valuable-customer", "request.amount < 20.0 AND customer.lifetime_value > 5000.0 AND outcome.resolution = 'denied'"),
   ("loyal-customer-refused", "customer.tenure_months > 24 AND outcome.resolution = 'denied'"),
   ("exception-not-granted", "outcome.exception_requested AND NOT outcome.exception_granted"),
   ("refusal-complaint", "complaint AND outcome.resolution = 'denied'"),
   ("stake-below-tenure-value", "(customer.tenure_months + 1)::DOUBLE * 10.0 > request.amount AND outcome.resolution = 'denied'")]),
 "fees": ("outcome.fee_charged > 0.0", [
   ("large-fee", "outcome.fee_charged > 25.0"),
   ("fee-against-value", "outcome.fee_charged > customer.lifetime_value * 0.01"),
   ("fee-then-churn", "churned AND outcome.fee_charged > 0.0"),
   ("fee-detractor", "nps <= 6 AND outcome.fee_charged > 0.0"),
   ("fee-policy-cited", "list_contains(policies_invoked, 'fees') AND outcome.resolution = 'denied'")]),
 "response": ("channel IN ('phone', 'chat', 'email')", [
   ("slow-response", "response_minutes > 60.0"), ("transferred-around", "transfers >= 3"),
   ("unresolved-after-contacts", "contacts > 2 AND outcome.resolution = 'unresolved'"),
   ("unhappy", "csat <= 2"), ("policy-quoted", "contains(transcript, 'our policy')")]),
 "promises": ("request.kind = 'delivery'", [
   ("late-delivery", "promise.delivered_at::TIMESTAMPTZ > promise.due::TIMESTAMPTZ"),
   ("price-not-kept", "promise.charged_price > promise.quoted_price"),
   ("blamed-partner", "blamed_third_party"),
   ("not-our-fault", "regexp_matches(transcript, '(?i)not our fault')"),
   ("temp-agent-long-call", "starts_with(agent, 'temp-') AND length(transcript) > 400")]),
}
# Prints the SQL script for the DuckDB CLI.
src = f"read_json('{f}', format='newline_delimited')"
print(f"SET threads = {threads};")
if mode == "count":
    cols = [f"count(*) FILTER (WHERE ({a}) AND ({c}))" for a, cs in conds.values() for _, c in cs]
    print(f"SELECT {' + '.join(cols)} FROM {src};")
else:
    # One CSV line per finding (interaction id, policy, check), in one scan.
    cases = [f"CASE WHEN ({a}) AND ({c}) THEN '{p},{k}' END"
             for p, (a, cs) in conds.items() for k, c in cs]
    sql = (f"SELECT id, unnest(list_filter([{', '.join(cases)}], lambda x: x IS NOT NULL)) AS finding "
           f"FROM {src}")
    print(f"COPY ({sql}) TO '/dev/stdout' (FORMAT csv, HEADER false);")
PY
for t in 1 2; do
  for mode in count lines; do
    "$work/venv/bin/python" "$work/duck.py" "$file" "$t" "$mode" > "$work/$mode-$t.sql"
  done
done
duck() { "$work/venv/bin/duckdb" -csv -noheader :memory: < "$work/$2-$1.sql"; }
duck_lines() { duck "$1" lines | wc -l; }

# The same for jq: `fired` lists the checks that fire on one record.
jq_fired='
  def fired:
    (if .request.kind == "refund" then
       (if .request.amount < 20 and .customer.lifetime_value > 5000 and .outcome.resolution == "denied" then "refunds\tsmall-refund-valuable-customer" else empty end),
       (if .customer.tenure_months > 24 and .outcome.resolution == "denied" then "refunds\tloyal-customer-refused" else empty end),
       (if .outcome.exception_requested and (.outcome.exception_granted | not) then "refunds\texception-not-granted" else empty end),
       (if .complaint and .outcome.resolution == "denied" then "refunds\trefusal-complaint" else empty end),
       (if (.customer.tenure_months + 1) * 10 > .request.amount and .outcome.resolution == "denied" then "refunds\tstake-below-tenure-value" else empty end)
     else empty end),
    (if .outcome.fee_charged > 0 then
       (if .outcome.fee_charged > 25 then "fees\tlarge-fee" else empty end),
       (if .outcome.fee_charged > .customer.lifetime_value * 0.01 then "fees\tfee-against-value" else empty end),
       (if .churned and .outcome.fee_charged > 0 then "fees\tfee-then-churn" else empty end),
       (if .nps <= 6 and .outcome.fee_charged > 0 then "fees\tfee-detractor" else empty end),
       (if (.policies_invoked | index("fees")) != null and .outcome.resolution == "denied" then "fees\tfee-policy-cited" else empty end)
     else empty end),
    (if (.channel | IN("phone", "chat", "email")) then
       (if .response_minutes > 60 then "response\tslow-response" else empty end),
       (if .transfers >= 3 then "response\ttransferred-around" else empty end),
       (if .contacts > 2 and .outcome.resolution == "unresolved" then "response\tunresolved-after-contacts" else empty end),
       (if .csat <= 2 then "response\tunhappy" else empty end),
       (if .transcript | contains("our policy") then "response\tpolicy-quoted" else empty end)
     else empty end),
    (if .request.kind == "delivery" then
       (if .promise.delivered_at > .promise.due then "promises\tlate-delivery" else empty end),
       (if .promise.charged_price > .promise.quoted_price then "promises\tprice-not-kept" else empty end),
       (if .blamed_third_party then "promises\tblamed-partner" else empty end),
       (if .transcript | test("not our fault"; "i") then "promises\tnot-our-fault" else empty end),
       (if (.agent | startswith("temp-")) and (.transcript | length) > 400 then "promises\ttemp-agent-long-call" else empty end)
     else empty end);'
jq_count() { jq -n "$jq_fired reduce (inputs | [fired] | length) as \$n (0; . + \$n)" "$file"; }
jq_lines() { jq -rn "$jq_fired inputs | .id as \$id | fired | \"\(\$id)\t\(.)\"" "$file" | wc -l; }

echo "== findings as lines, to a pipe (median of $runs runs)"
echo "   goodwill writes its whole JSON line (message, evidence, source);"
echo "   DuckDB and jq write interaction id, policy and check only"
median "goodwill eval --jobs 1" gw 1; gw_lines_1="$last"
median "goodwill eval --jobs 2" gw 2; gw_lines_2="$last"
median "DuckDB CLI threads=1, COPY ... TO stdout" duck_lines 1
median "DuckDB CLI threads=2, COPY ... TO stdout" duck_lines 2
median "jq -r" jq_lines; jq_lines_s="$last"
echo "== counting only (goodwill still renders its lines, to /dev/null)"
median "goodwill eval --jobs 1 > /dev/null" gw_count 1; gw_count_1="$last"
median "goodwill eval --jobs 2 > /dev/null" gw_count 2; gw_count_2="$last"
median "DuckDB CLI threads=1, count(*) FILTER" duck 1 count
median "DuckDB CLI threads=2, count(*) FILTER" duck 2 count
median "jq reduce" jq_count; jq_count_s="$last"

# What goodwill takes before evaluating anything: a pack without policies
# (read, split lines, parse and type-check every record).
mkdir -p "$work/no-policies/policies"
printf '[pack]\nname = "no-policies"\n' > "$work/no-policies/goodwill.toml"
gw_parse() {
  target/release/goodwill eval "$work/no-policies" "$file" --jobs "$1" 2>&1 >/dev/null \
    | sed -n 's/^findings: \([0-9]*\).*/\1/p'
}
echo "== reading and parsing only (a pack without policies)"
median "goodwill eval, no policies, --jobs 2" gw_parse 2; gw_parse_2="$last"

echo "== against jq"
echo "findings to a pipe: goodwill $(ratio "$jq_lines_s" "$gw_lines_1")x jq at --jobs 1, $(ratio "$jq_lines_s" "$gw_lines_2")x at --jobs 2"
echo "counting:           goodwill $(ratio "$jq_count_s" "$gw_count_1")x jq at --jobs 1, $(ratio "$jq_count_s" "$gw_count_2")x at --jobs 2"
echo "reading and parsing alone, --jobs 2: $(ratio "$jq_count_s" "$gw_parse_2")x jq's counting time"
