"""Reading a batch file as a stream of record batches, checking it, scoring it when needed.

Parquet is read with ``ParquetFile.iter_batches`` (only the needed columns, one row group slice
at a time, no pre-buffering: memory stays flat however large the file); CSV with pyarrow's streaming reader
(numeric columns parsed as float64, every other column kept as text). The checks that need no
data (missing columns, column types a Parquet file declares) run before the first row is read.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

BATCH_NOT_FOUND = "batch file not found: {path}"
UNSUPPORTED_BATCH = "batch {path}: expected a .csv, .csv.gz or .parquet file"
UNREADABLE_BATCH = "batch {path}: cannot read it: {err}"
MISSING_COLUMNS = "batch {path}: missing column(s) {cols} of the audit's input schema"
EMPTY_BATCH = "batch {path} has no rows"
BAD_BATCH_COLUMN = "batch {path}: {msg}"
#: Rows per record batch when streaming a Parquet file.
BATCH_ROWS = 65_536
_CSV_BLOCK = 1 << 22


class MonitorError(ValueError):
    """A problem with the plan, the batch or the state found by the monitor (exit code 2)."""


def batch_format(path: Path) -> str:
    """``"parquet"`` or ``"csv"`` from the file name."""
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    raise MonitorError(UNSUPPORTED_BATCH.format(path=path))


def batch_columns(path: Path) -> pa.Schema:
    """The schema of a batch file, read from its header or footer only."""
    if not path.is_file():
        raise MonitorError(BATCH_NOT_FOUND.format(path=path))
    kind = batch_format(path)
    try:
        if kind == "parquet":
            return pq.ParquetFile(path).schema_arrow
        with pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=_CSV_BLOCK)) as reader:
            return reader.schema
    except pa.ArrowInvalid as err:
        if "Empty CSV file" in str(err):
            raise MonitorError(EMPTY_BATCH.format(path=path)) from None
        raise MonitorError(UNREADABLE_BATCH.format(path=path, err=str(err).splitlines()[0])) from None
    except OSError as err:
        raise MonitorError(UNREADABLE_BATCH.format(path=path, err=err)) from None


def _csv_error(path: Path, err: Exception, columns: Sequence[str]) -> MonitorError:
    text = str(err).splitlines()[0]
    match = re.search(r"In CSV column #(\d+)", text)
    if match and int(match.group(1)) < len(columns):
        text = f"column {columns[int(match.group(1))]!r}: {text.split(': ', 1)[-1]}"
    return MonitorError(BAD_BATCH_COLUMN.format(path=path, msg=text))


def iter_record_batches(path: Path, columns: Sequence[str], *, numeric: Sequence[str] = (),
                        dictionary: Sequence[str] = ()) -> Iterator[pa.RecordBatch]:
    """Stream the ``columns`` of a batch file as record batches (``numeric`` ones as float64 in CSV).

    ``dictionary`` names text columns of few distinct values (categories, groups, labels, tags):
    a Parquet file hands them over dictionary-encoded as it stores them, so the counting maps
    each distinct value once instead of every row (same codes, less work).
    """
    kind = batch_format(path)
    if kind == "parquet":
        # pre_buffer=False: pyarrow's default pre-buffering keeps the read-ahead of the whole file
        # in memory (peak memory then grows with the file); without it memory stays flat
        schema = pq.ParquetFile(path).schema_arrow
        text = [c for c in dictionary if c in schema.names
                and (pa.types.is_string(schema.field(c).type) or pa.types.is_large_string(schema.field(c).type))]
        reader = pq.ParquetFile(path, pre_buffer=False, read_dictionary=text or None)
        yield from reader.iter_batches(batch_size=BATCH_ROWS, columns=list(columns))
        return
    header = batch_columns(path).names
    types = {c: (pa.float64() if c in numeric else pa.string()) for c in columns}
    convert = pacsv.ConvertOptions(include_columns=list(columns), column_types=types, strings_can_be_null=True)
    try:
        with pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=_CSV_BLOCK), convert_options=convert) as reader:
            for batch in reader:
                yield batch
    except pa.ArrowInvalid as err:
        raise _csv_error(path, err, header) from None


def model_frame(batch: pa.RecordBatch, features: Sequence[str], *, categorical: Sequence[str] = (),
                multilabel: Sequence[str] = (), text: Sequence[str] = (), as_stored: bool = False):
    """The model inputs of a record batch as the audited model read them in the audit.

    A screen trained in the run gets them cleaned as the data step cleaned them before training:
    categorical codes that are all whole numbers become integers (CSV text ``"1"`` is the ``1``
    the screen was trained on), missing multi-label cells become the empty string. A supplied
    model gets them as the file holds them: a Parquet batch as stored (``as_stored``), a CSV
    batch with the ``text`` inputs (those its encoders learnt as text) kept as text.
    """
    from ..dataprep._features import _normalise_categorical
    from ..validate._values import _as_text

    frame = batch.select(list(features)).to_pandas()
    if as_stored:
        return frame
    for col in features:
        if col in text:
            frame[col] = _as_text(frame[col])
        elif col in multilabel:
            frame[col] = _as_text(frame[col]).fillna("").astype("str")
        elif col in categorical:
            frame[col] = _normalise_categorical(frame[col])
    return frame


def scored_batches(batches: Iterator[pa.RecordBatch], model: Any, *, features: Sequence[str], positive_label: Any,
                   score_column: str, categorical: Sequence[str] = (), multilabel: Sequence[str] = (),
                   text: Sequence[str] = (), as_stored: bool = False) -> Iterator[pa.RecordBatch]:
    """Add the audited model's score to every record batch (the batch logged none)."""
    from ..model_io import predict_scores

    for batch in batches:
        frame = model_frame(batch, features, categorical=categorical, multilabel=multilabel, text=text, as_stored=as_stored)
        scores = predict_scores(model, frame, positive_label=positive_label)
        yield batch.append_column(score_column, pa.array(scores, type=pa.float64()))


def check_columns(path: Path, schema: pa.Schema, required: Sequence[str], numeric: Sequence[str],
                  score_column: Optional[str]) -> None:
    """Missing columns and the types a Parquet file declares (one line, naming the columns)."""
    names = set(schema.names)
    missing = [c for c in dict.fromkeys(required) if c not in names]
    if missing:
        raise MonitorError(MISSING_COLUMNS.format(path=path, cols=", ".join(repr(c) for c in missing)))
    for c in [*numeric, *([score_column] if score_column else [])]:
        if c not in names:
            continue
        t = schema.field(c).type
        ok = (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t) or pa.types.is_null(t)
              or pa.types.is_boolean(t) or pa.types.is_string(t) or pa.types.is_large_string(t))
        if not ok:
            raise MonitorError(BAD_BATCH_COLUMN.format(path=path, msg=f"column {c!r} must hold numbers, but holds {t}"))
