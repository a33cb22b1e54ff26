#!/usr/bin/env bash
# The same 20 conditions (core/benches/pack: each check under its policy's
# `applies`) over the same generated interactions, three ways: goodwill eval,
# DuckDB (Python package, installed into a throwaway venv) and jq (apt).
# Each prints its time and the number of findings, which must agree.
#
#   scripts/compare-duckdb-jq.sh [RECORDS]     (default 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
records="${1:-200000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

command -v jq >/dev/null || { sudo apt-get install -y jq || apt-get install -y jq; }
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet duckdb

GOODWILL_BENCH_RECORDS="$records" GOODWILL_BENCH_RUNS=1 \
GOODWILL_BENCH_OUT="$work/in.jsonl" \
  cargo bench -p goodwill-core --bench throughput >/dev/null
cargo build --release -p goodwill-cli >/dev/null 2>&1
file="$work/in.jsonl"

echo "== goodwill eval --jobs 1 / --jobs 2"
for jobs in 1 2; do
  start=$(date +%s.%N)
  n=$(target/release/goodwill eval core/benches/pack "$file" --jobs "$jobs" 2>/dev/null | wc -l)
  end=$(date +%s.%N)
  echo "jobs $jobs: $n findings in $(echo "$end - $start" | bc) s"
done

echo "== DuckDB (threads 1 / 2)"
"$work/venv/bin/python" - "$file" <<'PY'
import sys, time, duckdb
f = sys.argv[1]
conds = {
 "refunds": ("request.kind = 'refund'", [
   "request.amount < 20.0 AND customer.lifetime_value > 5000.0 AND outcome.resolution = 'denied'",
   "customer.tenure_months > 24 AND outcome.resolution = 'denied'",
   "outcome.exception_requested AND NOT outcome.exception_granted",
   "complaint AND outcome.resolution = 'denied'",
   "(customer.tenure_months + 1)::DOUBLE * 10.0 > request.amount AND outcome.resolution = 'denied'"]),
 "fees": ("outcome.fee_charged > 0.0", [
   "outcome.fee_charged > 25.0",
   "outcome.fee_charged > customer.lifetime_value * 0.01",
   "churned AND outcome.fee_charged > 0.0",
   "nps <= 6 AND outcome.fee_charged > 0.0",
   "list_contains(policies_invoked, 'fees') AND outcome.resolution = 'denied'"]),
 "response": ("channel IN ('phone', 'chat', 'email')", [
   "response_minutes > 60.0", "transfers >= 3",
   "contacts > 2 AND outcome.resolution = 'unresolved'", "csat <= 2",
   "contains(transcript, 'our policy')"]),
 "promises": ("request.kind = 'delivery'", [
   "promise.delivered_at::TIMESTAMPTZ > promise.due::TIMESTAMPTZ",
   "promise.charged_price > promise.quoted_price", "blamed_third_party",
   "regexp_matches(transcript, '(?i)not our fault')",
   "starts_with(agent, 'temp-') AND length(transcript) > 400"]),
}
cols = [f"count(*) FILTER (WHERE ({a}) AND ({c}))" for a, cs in conds.values() for c in cs]
sql = f"SELECT {', '.join(cols)} FROM read_json('{f}', format='newline_delimited')"
for threads in (1, 2):
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    t = time.time()
    row = con.execute(sql).fetchone()
    print(f"threads {threads}: {sum(row)} findings in {time.time() - t:.2f} s")
PY

echo "== jq"
start=$(date +%s.%N)
n=$(jq -n '
  def b: if . then 1 else 0 end;
  def fired:
    (if .request.kind == "refund" then
       ((.request.amount < 20 and .customer.lifetime_value > 5000 and .outcome.resolution == "denied") | b)
     + ((.customer.tenure_months > 24 and .outcome.resolution == "denied") | b)
     + ((.outcome.exception_requested and (.outcome.exception_granted | not)) | b)
     + ((.complaint and .outcome.resolution == "denied") | b)
     + (((.customer.tenure_months + 1) * 10 > .request.amount and .outcome.resolution == "denied") | b)
     else 0 end)
  + (if .outcome.fee_charged > 0 then
       ((.outcome.fee_charged > 25) | b)
     + ((.outcome.fee_charged > .customer.lifetime_value * 0.01) | b)
     + ((.churned and .outcome.fee_charged > 0) | b)
     + ((.nps <= 6 and .outcome.fee_charged > 0) | b)
     + (((.policies_invoked | index("fees")) != null and .outcome.resolution == "denied") | b)
     else 0 end)
  + (if (.channel | IN("phone", "chat", "email")) then
       ((.response_minutes > 60) | b) + ((.transfers >= 3) | b)
     + ((.contacts > 2 and .outcome.resolution == "unresolved") | b)
     + ((.csat <= 2) | b) + ((.transcript | contains("our policy")) | b)
     else 0 end)
  + (if .request.kind == "delivery" then
       ((.promise.delivered_at > .promise.due) | b)
     + ((.promise.charged_price > .promise.quoted_price) | b)
     + (.blamed_third_party | b)
     + ((.transcript | test("not our fault"; "i")) | b)
     + (((.agent | startswith("temp-")) and (.transcript | length) > 400) | b)
     else 0 end);
  reduce inputs as $r (0; . + ($r | fired))' "$file")
end=$(date +%s.%N)
echo "jq: $n findings in $(echo "$end - $start" | bc) s"
