"""Tests the Spark recipe end to end on a local Spark (`local[2]`): the
audit merged from the partitions' partials equals, byte for byte, the
single-machine `goodwill audit PACK --interactions LOG --format json`.

    python integrations/spark/test_spark_recipe.py --goodwill /abs/target/release/goodwill

Plain Python (no pytest): each `test_*` function runs against one shared
Spark session (it takes seconds to start); exit status 0 when all pass.
Needs pyspark (integrations/spark/setup.sh) and Java 17+.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import goodwill_spark  # noqa: E402

# The log: the demo's first LOG_RECORDS interactions with two records that
# cannot be audited and a blank line slipped in, so the test proves rejects
# (and their line numbers) survive the split.
LOG_RECORDS = 3000
NOT_JSON = "{not json"
NO_ID = '{"channel": "phone", "outcome": {"churned": false}}'
PARTITIONS = 4


class Context:
    def __init__(self, spark, goodwill: str, pack: str, workdir: str):
        self.spark = spark
        self.goodwill = goodwill
        self.pack = pack
        self.workdir = workdir
        self.log = os.path.join(workdir, "log.jsonl")
        build_log(goodwill, self.log, workdir)

    def single_machine(self, log: str) -> bytes:
        done = subprocess.run(
            [self.goodwill, "audit", self.pack, "--interactions", log, "--format", "json"],
            capture_output=True,
        )
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout

    def output(self, name: str) -> str:
        return os.path.join(self.workdir, name)


def build_log(goodwill: str, path: str, workdir: str) -> None:
    demo = os.path.join(workdir, "demo.jsonl")
    subprocess.run(
        [goodwill, "audit", "--demo", "--export-interactions", demo], check=True
    )
    with open(demo, encoding="utf-8") as f:
        lines = [next(f) for _ in range(LOG_RECORDS)]
    lines.insert(100, NOT_JSON + "\n")
    lines.insert(1500, "\n")
    lines.insert(2500, NO_ID + "\n")
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(lines)


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def assert_same(actual: bytes, expected: bytes) -> None:
    if actual != expected:
        a, e = actual.decode().splitlines(), expected.decode().splitlines()
        first = next((i for i, (x, y) in enumerate(zip(a, e)) if x != y), min(len(a), len(e)))
        raise AssertionError(
            f"the Spark audit differs from the single-machine one at line {first + 1}:\n"
            f"  spark:  {a[first] if first < len(a) else '<end>'}\n"
            f"  single: {e[first] if first < len(e) else '<end>'}"
        )


def test_merged_audit_equals_the_single_machine_audit(ctx: Context) -> None:
    out = ctx.output("spark-audit.json")
    run = goodwill_spark.audit(
        ctx.spark,
        pack=ctx.pack,
        input=ctx.log,
        output=out,
        partitions=PARTITIONS,
        goodwill=ctx.goodwill,
    )
    assert run.partitions >= PARTITIONS, f"only {run.partitions} partitions"
    assert run.lines == LOG_RECORDS + 3, f"{run.lines} lines read"
    assert_same(read_bytes(out), ctx.single_machine(ctx.log))


def test_rejected_records_are_counted_with_their_lines(ctx: Context) -> None:
    out = ctx.output("spark-audit.json")
    report = json.loads(read_bytes(out))
    assert report["input"]["rejected"] == 2, report["input"]
    lines = sorted(r["line"] for r in report["input"]["rejections"])
    assert lines == [101, 2501], lines
    assert all(r["source"] == ctx.log for r in report["input"]["rejections"])


def test_shipping_the_binary_and_pack_gives_the_same_audit(ctx: Context) -> None:
    out = ctx.output("spark-audit-shipped.json")
    goodwill_spark.audit(
        ctx.spark,
        pack=ctx.pack,
        input=ctx.log,
        output=out,
        partitions=PARTITIONS,
        goodwill=ctx.goodwill,
        ship=True,
    )
    assert_same(read_bytes(out), read_bytes(ctx.output("spark-audit.json")))


def test_empty_partitions_add_nothing(ctx: Context) -> None:
    # Three lines in eight partitions: most partitions are empty.
    small = ctx.output("small.jsonl")
    with open(ctx.log, encoding="utf-8") as src, open(small, "w", encoding="utf-8") as dst:
        dst.writelines(next(src) for _ in range(3))
    out = ctx.output("spark-small.json")
    run = goodwill_spark.audit(
        ctx.spark, pack=ctx.pack, input=small, output=out, partitions=8, goodwill=ctx.goodwill
    )
    assert run.partitions >= 8 and run.lines == 3, run
    assert_same(read_bytes(out), ctx.single_machine(small))


def test_a_failing_partition_fails_the_job(ctx: Context) -> None:
    # The pack folder exists (the driver checks that much) but its manifest
    # does not parse: every executor's goodwill exits 2.
    broken = ctx.output("broken-pack")
    os.makedirs(broken, exist_ok=True)
    with open(os.path.join(broken, "goodwill.toml"), "w", encoding="utf-8") as f:
        f.write("[pack\nname = \n")
    out = ctx.output("spark-failed.json")
    # The failing tasks are expected: keep their stack traces off the log.
    ctx.spark.sparkContext.setLogLevel("OFF")
    try:
        goodwill_spark.audit(
            ctx.spark,
            pack=broken,
            input=ctx.log,
            output=out,
            partitions=PARTITIONS,
            goodwill=ctx.goodwill,
        )
    except Exception as e:  # Spark wraps the task's error in its own
        message = str(e)
        assert "goodwill eval exited with status 2" in message, message[-2000:]
        assert "broken-pack" in message, message[-2000:]
    else:
        raise AssertionError("the job succeeded with a pack that does not load")
    finally:
        ctx.spark.sparkContext.setLogLevel("ERROR")
    assert not os.path.exists(out), "a failed job wrote a report"


def test_a_pack_that_is_not_a_folder_is_refused_before_the_job(ctx: Context) -> None:
    try:
        goodwill_spark.audit(
            ctx.spark,
            pack=ctx.output("no-such-pack"),
            input=ctx.log,
            output=ctx.output("spark-refused.json"),
            goodwill=ctx.goodwill,
        )
    except FileNotFoundError as e:
        assert "no-such-pack" in str(e), e
    else:
        raise AssertionError("a pack that does not exist was accepted")


def local_spark():
    # Offline, on a host whose name may not resolve: everything on loopback,
    # executors run this very Python.
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("goodwill-spark-test")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goodwill", required=True, help="the goodwill binary")
    parser.add_argument("--pack", default=os.path.join(ROOT, "policies", "demo"))
    args = parser.parse_args()
    goodwill = os.path.realpath(args.goodwill)
    tests = [
        test_merged_audit_equals_the_single_machine_audit,
        test_rejected_records_are_counted_with_their_lines,
        test_shipping_the_binary_and_pack_gives_the_same_audit,
        test_empty_partitions_add_nothing,
        test_a_failing_partition_fails_the_job,
        test_a_pack_that_is_not_a_folder_is_refused_before_the_job,
    ]
    failed = 0
    started = time.monotonic()
    spark = local_spark()
    print(f"spark {spark.version} session in {time.monotonic() - started:.1f}s", flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="goodwill-spark-test-") as workdir:
            ctx = Context(spark, goodwill, os.path.abspath(args.pack), workdir)
            for test in tests:
                t = time.monotonic()
                try:
                    test(ctx)
                    print(f"test {test.__name__} ... ok ({time.monotonic() - t:.1f}s)", flush=True)
                except Exception:
                    failed += 1
                    print(f"test {test.__name__} ... FAILED", flush=True)
                    traceback.print_exc()
    finally:
        spark.stop()
    print(f"spark recipe: {len(tests) - failed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
