"""The Spark engine of the monitor: the same counting function on every partition of a DataFrame.

``hiring-audit monitor --engine spark`` reads the batch as a Spark DataFrame (a Parquet path —
a file or a folder of part files, local or on a cluster file system — or a table of the session's
catalog), selects the columns the plan needs and runs :func:`~._counting.count_stream` on the
Arrow record batches of each partition with ``DataFrame.mapInArrow``. Each partition yields one
row: its counts serialised by :func:`~._counting.counts_to_arrow`. The driver collects those
rows and sums them with :func:`~._counting.sum_counts`; every signal is then computed by the
same code as the local engine, so the result is identical (counts add, the bins are the frozen
right-closed ones; Spark's ``Bucketizer``, left-closed, is not used).

pyspark is imported here only, inside functions: the local monitor and the audit never load it.
A problem found in a partition (a column of the wrong type, a missing score) travels back as a
one-line error row rather than an executor traceback.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pyarrow as pa

from .._common.hashing import file_sha256
from ._batch import BAD_BATCH_COLUMN, EMPTY_BATCH, MonitorError
from ._counting import COUNTS_SCHEMA, BatchCounts, CountSpec, count_stream, counts_from_arrow, counts_to_arrow, sum_counts

DEFAULT_MASTER = "local[*]"
SPARK_MISSING = "the spark engine needs pyspark: pip install 'hiring-audit[spark]' (or use --engine local)"
JAVA_MISSING = ("the spark engine needs a Java runtime (17 or newer) and found none: install Debian's "
                "openjdk-17-jre-headless or set JAVA_HOME (or use --engine local)")
SPARK_START_FAILED = "cannot start Spark with master {master!r}: {err}"
SOURCE_NOT_FOUND = "batch {source}: no such Parquet file or folder, and no table of that name in the Spark catalog"
SPARK_JOB_FAILED = "batch {source}: the Spark job failed: {err}"
SPARK_CSV = "batch {source}: the spark engine reads Parquet files and tables; monitor a CSV file with --engine local"
#: pyspark 4 warns about pandas 3 at import; the engine uses Arrow only (``mapInArrow``), not pandas.
_PANDAS_WARNING = "PySpark does not yet fully support pandas"


@dataclass
class SparkCount:
    """Counts of a batch read by Spark, with its content hash and what the engine did."""

    counts: BatchCounts
    sha256: str
    engine: dict = field(default_factory=dict)


@contextmanager
def _quiet():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_PANDAS_WARNING, category=FutureWarning)
        yield


def _one_line(err: BaseException) -> str:
    lines = [l.strip() for l in str(err).strip().splitlines() if l.strip()]
    return lines[0] if lines else type(err).__name__


def spark_session(master: str = DEFAULT_MASTER):
    """The active SparkSession, or a new one on ``master`` (UI off, UTC session time zone).

    In local mode the Python workers run this interpreter (``PYSPARK_PYTHON`` defaults to it), so
    they import the same ``audit_helpers``; on a cluster the executors need the package installed.
    """
    try:
        with _quiet():
            from pyspark.sql import SparkSession
    except ImportError:
        raise MonitorError(SPARK_MISSING) from None
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and Path(java_home, "bin", "java").exists()):
        raise MonitorError(JAVA_MISSING)
    if master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # local mode binds to the loopback only
    builder = (SparkSession.builder.master(master).appName("hiring-audit monitor")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC"))
    try:
        with _quiet():
            session = builder.getOrCreate()
    except Exception as err:  # pyspark raises its own runtime errors (e.g. the Java gateway exited)
        raise MonitorError(SPARK_START_FAILED.format(master=master, err=_one_line(err))) from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def _is_remote(source: str) -> bool:
    return "://" in source


def read_source(spark, source: str):
    """The batch as a DataFrame: a Parquet file or folder (local or ``scheme://``), else a catalog table."""
    if source.lower().endswith((".csv", ".csv.gz")):
        raise MonitorError(SPARK_CSV.format(source=source))
    if _is_remote(source) or Path(source).exists():
        try:
            return spark.read.parquet(source)
        except Exception as err:  # AnalysisException: path missing on the cluster, or not Parquet
            raise MonitorError(SPARK_JOB_FAILED.format(source=source, err=_one_line(err))) from None
    try:
        exists = spark.catalog.tableExists(source)
    except Exception:  # a name the catalog cannot parse is no table either
        exists = False
    if not exists:
        raise MonitorError(SOURCE_NOT_FOUND.format(source=source))
    return spark.table(source)


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _partition_counts(batches: Iterator[pa.RecordBatch], *, spec: CountSpec,
                      scorer: Optional[Callable]) -> Iterator[pa.RecordBatch]:
    """What every partition runs: count its record batches (scored first if needed) and yield one row."""
    try:
        counts = count_stream(batches if scorer is None else scorer(batches), spec)
    except ValueError as err:
        yield pa.RecordBatch.from_pylist([{"counts_json": json.dumps({"error": _one_line(err)})}], schema=COUNTS_SCHEMA)
        return
    if counts is not None:
        yield counts_to_arrow(counts)


def _collect(df, spec: CountSpec, scorer: Optional[Callable], source: str) -> tuple[Optional[BatchCounts], int]:
    counted = df.mapInArrow(partial(_partition_counts, spec=spec, scorer=scorer), "counts_json string")
    try:
        table = counted.toArrow()
    except Exception as err:  # a failure in an executor (e.g. audit_helpers missing there)
        raise MonitorError(SPARK_JOB_FAILED.format(source=source, err=_one_line(err).split("Traceback")[0])) from None
    parts = []
    for text in table.column("counts_json").to_pylist():
        doc = json.loads(text)
        if "error" in doc:
            raise MonitorError(BAD_BATCH_COLUMN.format(path=source, msg=doc["error"]))
    for batch in table.to_batches():
        parts.extend(counts_from_arrow(batch))
    return (sum_counts(parts) if parts else None), len(parts)


def source_sha256(source: str, counts: BatchCounts) -> tuple[str, str]:
    """Content hash of the batch and what it hashes.

    A local Parquet file hashes as the local engine hashes it (its bytes); a local folder by
    the sorted (relative name, sha256) of its Parquet files; a table or a remote path, which the
    driver cannot read byte by byte, by its counts (canonical JSON of :meth:`BatchCounts.to_dict`).
    """
    path = Path(source)
    if not _is_remote(source) and path.is_file():
        return file_sha256(path), "file"
    if not _is_remote(source) and path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith((".", "_")))
        listing = "\n".join(f"{p.relative_to(path).as_posix()} {file_sha256(p)}" for p in files)
        return hashlib.sha256(listing.encode("utf-8")).hexdigest(), "files"
    text = json.dumps(counts.to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), "counts"


def count_spark(source: str, spec: CountSpec, prepare: Callable[[pa.Schema], tuple[list, Optional[Callable], Any]],
                *, master: str = DEFAULT_MASTER) -> tuple[SparkCount, Any]:
    """Count a batch with Spark.

    Parameters
    ----------
    source : str
        A Parquet file or folder (local or ``scheme://...``), or a table name.
    spec : CountSpec
    prepare : callable
        ``prepare(arrow_schema) -> (columns, scorer, extra)``: checks the batch's columns (the
        monitor's own checks, on the Arrow schema Spark hands to the partitions) and returns the
        columns to read and the scoring step (``None`` when a score was logged).
    master : str, default="local[*]"

    Returns
    -------
    SparkCount, extra
    """
    spark = spark_session(master)
    df = read_source(spark, source)
    with _quiet():
        schema = df.limit(0).toArrow().schema
        columns, scorer, extra = prepare(schema)
        counts, parts = _collect(df.select(*[_quoted(c) for c in columns]), spec, scorer, source)
    if counts is None or counts.rows == 0:
        raise MonitorError(EMPTY_BATCH.format(path=source))
    sha, hashed = source_sha256(source, counts)
    engine = {"name": "spark", "master": spark.sparkContext.master, "spark_version": spark.version, "partitions_counted": parts,
              "sha256_of": hashed}
    return SparkCount(counts=counts, sha256=sha, engine=engine), extra
