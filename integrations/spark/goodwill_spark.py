"""Run a goodwill audit on Apache Spark: one `goodwill eval --partial` per
partition, the partials merged and rendered on the driver.

    spark-submit goodwill_spark.py --pack /abs/pack --input log.jsonl \\
        --output audit.json [--partitions N] [--goodwill /abs/goodwill]

or, from Python, `audit(spark, pack=..., input=..., output=...)`.

The report equals, byte for byte, `goodwill audit PACK --interactions INPUT`
on one machine: each partition is a run of consecutive lines of the log, and
its `goodwill eval` is told the log's name (`--stdin-name`) and where the run
starts (`--line-offset`), so rejected records carry the same source and line
as on one machine. See docs/scale.md.

Why not `rdd.pipe()`: it starts the command with an *empty* environment
unless given one (no PATH, HOME, LANG, TMPDIR), ignores a failing exit code
unless `checkCode=True` (a partition whose pack failed to load would add
nothing and the audit would silently cover fewer records), drops the
command's stderr (the reason for a failure never reaches the driver), and
runs the same command for every partition, while each partition needs its
own `--line-offset`.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Iterable, Iterator, List, Optional, Sequence, Tuple

# How much of a failed command's stderr goes into the error (the end of it:
# goodwill prints the cause last).
STDERR_TAIL_CHARS = 4000
# How many partials one `goodwill merge` takes at most; more are merged in
# rounds, so a job with thousands of partitions never exceeds ARG_MAX.
MERGE_BATCH = 256


class GoodwillError(RuntimeError):
    """A goodwill command exited with a non-zero status."""


@dataclass(frozen=True)
class Binary:
    """Where the goodwill binary is: an absolute path on every machine, or
    the name of a file shipped with `--files` / `SparkContext.addFile`."""

    path: str
    shipped: bool = False

    def resolve(self) -> str:
        if self.shipped:
            from pyspark import SparkFiles

            return SparkFiles.get(self.path)
        return self.path


@dataclass(frozen=True)
class AuditRun:
    """What `audit` did: the partitions evaluated and the lines read."""

    partitions: int
    lines: int
    output: str


def _tail(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace").strip()
    if len(text) > STDERR_TAIL_CHARS:
        text = "..." + text[-STDERR_TAIL_CHARS:]
    return text


def eval_partition(
    goodwill: Binary,
    pack: Binary,
    source_name: str,
    index: int,
    rows: Iterable[Tuple[str, int]],
) -> Iterator[Tuple[int, str]]:
    """`mapPartitionsWithIndex` body: pipes one partition's lines (with their
    0-based index in the log, from `zipWithIndex`) through
    `goodwill eval --partial -` and yields one pair: the number of lines
    read and the partial's JSON text.

    Raises GoodwillError (failing the task, hence the job) when goodwill
    exits non-zero, with the end of its stderr in the message."""
    rows = iter(rows)
    first = next(rows, None)
    # An empty partition still runs: it yields an empty partial, so an empty
    # log gives a report (of zero records) rather than nothing to merge.
    offset = first[1] if first is not None else 0
    command = [
        goodwill.resolve(),
        "eval",
        pack.resolve(),
        "-",
        "--partial",
        "-",
        "--allow-rejects",
        "--stdin-name",
        source_name,
        "--line-offset",
        str(offset),
    ]
    # stdout and stderr go to files, not pipes: then goodwill can never block
    # on a full pipe while this process is still writing its stdin.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=err,
            env=os.environ.copy(),
        )
        lines = 0
        try:
            if first is not None:
                stdin = proc.stdin
                stdin.write(first[0].encode("utf-8") + b"\n")
                lines = 1
                for line, _ in rows:
                    stdin.write(line.encode("utf-8") + b"\n")
                    lines += 1
            proc.stdin.close()
        except BrokenPipeError:
            # goodwill stopped reading (it failed early): its exit status and
            # stderr below say why.
            pass
        code = proc.wait()
        if code != 0:
            err.seek(0)
            raise GoodwillError(
                f"goodwill eval exited with status {code} on partition {index} "
                f"(its first line is line {offset + 1} of {source_name}): "
                f"{_tail(err.read())}"
            )
        out.seek(0)
        yield lines, out.read().decode("utf-8")


def _run(command: Sequence[str]) -> None:
    done = subprocess.run(list(command), capture_output=True, env=os.environ.copy())
    if done.returncode != 0:
        raise GoodwillError(
            f"`{' '.join(command[:2])}` exited with status {done.returncode}: "
            f"{_tail(done.stderr)}"
        )


def merge_partials(goodwill: str, paths: List[str], workdir: str) -> str:
    """Merges partial files with `goodwill merge`, MERGE_BATCH at a time
    (the merge is associative, so rounds give the same result); returns the
    path of the single merged partial."""
    round_number = 0
    while len(paths) > 1 or round_number == 0:
        merged = []
        for start in range(0, len(paths), MERGE_BATCH):
            target = os.path.join(workdir, f"merged-{round_number}-{start // MERGE_BATCH}.json")
            _run([goodwill, "merge", *paths[start : start + MERGE_BATCH], "--output", target])
            merged.append(target)
        paths = merged
        round_number += 1
    return paths[0]


def audit(
    spark,
    *,
    pack: str,
    input: str,
    output: str,
    partitions: Optional[int] = None,
    goodwill: Optional[str] = None,
    report_format: str = "json",
    source_name: Optional[str] = None,
    ship: bool = False,
) -> AuditRun:
    """Audits `input` (one JSON Lines file Spark can read: a local path,
    file://, hdfs://, s3a://...) against the pack folder `pack`, writing the
    report to `output` on the driver.

    goodwill: absolute path of the binary (default: `goodwill` on the
    driver's PATH). Without `ship`, it and `pack` must exist at the same
    absolute paths on every executor (local mode, or a shared volume). With
    `ship`, both are sent to the executors with `SparkContext.addFile`.

    source_name: the log's name in rejection messages; default `input` as
    given, which is what `goodwill audit --interactions INPUT` prints.
    """
    sc = spark.sparkContext
    goodwill_path = _absolute_binary(goodwill)
    pack_path = os.path.abspath(pack)
    # `goodwill eval X -` takes X for an input file when it is not a folder,
    # and the pack for `.`: a mistyped pack must not become the executors'
    # working folder.
    if not os.path.isfile(os.path.join(pack_path, "goodwill.toml")):
        raise FileNotFoundError(f"no goodwill.toml in `{pack_path}`: --pack must be a pack folder")
    if source_name is None:
        source_name = input
    if ship:
        sc.addFile(goodwill_path)
        sc.addFile(pack_path, recursive=True)
        on_executors = (
            Binary(os.path.basename(goodwill_path), shipped=True),
            Binary(os.path.basename(pack_path), shipped=True),
        )
    else:
        on_executors = (Binary(goodwill_path), Binary(pack_path))
    # Imported under its module name, this module's functions are pickled by
    # reference: the executors' Python must be able to import it too.
    if __name__ != "__main__":
        sc.addPyFile(os.path.abspath(__file__))

    # No shuffle between textFile and zipWithIndex: each partition must stay
    # a run of consecutive lines. More partitions come from minPartitions
    # (smaller input splits), never from repartition().
    lines = sc.textFile(input, minPartitions=partitions) if partitions else sc.textFile(input)
    numbered = lines.zipWithIndex()
    partials = numbered.mapPartitionsWithIndex(
        functools.partial(eval_partition, on_executors[0], on_executors[1], source_name)
    ).collect()

    with tempfile.TemporaryDirectory(prefix="goodwill-spark-") as workdir:
        paths = []
        for i, (_, text) in enumerate(partials):
            path = os.path.join(workdir, f"part-{i:05}.json")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            paths.append(path)
        merged = merge_partials(goodwill_path, paths, workdir)
        _run(
            [
                goodwill_path,
                "audit",
                pack_path,
                "--from-partials",
                merged,
                "--format",
                report_format,
                "--output",
                output,
            ]
        )
    return AuditRun(
        partitions=len(partials), lines=sum(n for n, _ in partials), output=output
    )


def _absolute_binary(goodwill: Optional[str]) -> str:
    found = shutil.which(goodwill or "goodwill")
    if found is None:
        raise FileNotFoundError(
            f"no goodwill binary `{goodwill or 'goodwill'}`: pass --goodwill /absolute/path"
        )
    return os.path.realpath(found)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Audit a goodwill pack over a JSON Lines log with Spark."
    )
    parser.add_argument("--pack", required=True, help="the pack folder (holding goodwill.toml)")
    parser.add_argument("--input", required=True, help="the JSON Lines log (any path Spark reads)")
    parser.add_argument("--output", required=True, help="where the driver writes the report")
    parser.add_argument("--partitions", type=int, help="at least this many partitions")
    parser.add_argument("--goodwill", help="absolute path of the goodwill binary (default: PATH)")
    parser.add_argument(
        "--format", default="json", choices=["json", "table", "markdown", "html"]
    )
    parser.add_argument("--source-name", help="the log's name in rejections (default: --input)")
    parser.add_argument(
        "--ship",
        action="store_true",
        help="send the binary and the pack to the executors (SparkContext.addFile)",
    )
    parser.add_argument("--master", help="Spark master (default: spark-submit's, or local[*])")
    args = parser.parse_args(argv)

    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("goodwill-audit")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    try:
        run = audit(
            spark,
            pack=args.pack,
            input=args.input,
            output=args.output,
            partitions=args.partitions,
            goodwill=args.goodwill,
            report_format=args.format,
            source_name=args.source_name,
            ship=args.ship,
        )
    finally:
        spark.stop()
    print(f"goodwill-spark: {run.lines} lines in {run.partitions} partitions; "
        f"report written to {run.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
