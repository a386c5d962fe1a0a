"""Large synthetic files written in chunks: million-row train, eval and monthly batches.

:func:`write_applicants` draws ``rows`` applicants of one period of the scenario
(:func:`~audit_helpers.synth.draw_period`) ``chunk_rows`` at a time and appends each chunk to a
CSV or Parquet file (one row group per chunk), so memory stays that of one chunk whatever the
file size. Chunk ``k`` is drawn from the ``k``-th child of ``random_state`` (same seed and
chunk size, same file); applicant ids run on across chunks. An optional ``score`` callable adds
a logged score column chunk by chunk (e.g. the audited model's ``predict_scores``), which is what
``hiring-audit monitor`` reads from a production log. Benchmarks use it so they need no external
data (``hiring-audit synth``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .._common.seeds import as_generator
from ..config import ID_COLUMN, SyntheticConfig
from ._generate import draw_period

BULK_FORMAT_ERROR = "{path}: expected a .csv, .csv.gz or .parquet file name"
BULK_SIZE_ERROR = "rows and chunk_rows must be positive, got rows={rows}, chunk_rows={chunk}"
#: Rows drawn and written at a time (one Parquet row group).
DEFAULT_CHUNK_ROWS = 100_000


def file_format(path: Path) -> str:
    """``"parquet"`` or ``"csv"`` from the file name (``.csv.gz`` is compressed CSV)."""
    name = Path(path).name.lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    raise ValueError(BULK_FORMAT_ERROR.format(path=path))


class _Sink:
    """Appends tables to one Parquet or CSV file with the schema of the first chunk."""

    def __init__(self, path: Path):
        self.path, self.kind = path, file_format(path)
        self.writer = None
        self.schema: Optional[pa.Schema] = None
        self._stream = None

    def write(self, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False)
        if self.writer is None:
            self.schema = table.schema
            if self.kind == "parquet":
                self.writer = pq.ParquetWriter(self.path, self.schema)
            else:
                compression = "gzip" if self.path.name.lower().endswith(".gz") else None
                self._stream = pa.CompressedOutputStream(str(self.path), compression) if compression else pa.OSFile(str(self.path), "wb")
                self.writer = pacsv.CSVWriter(self._stream, self.schema)
        if self.kind == "parquet":
            self.writer.write_table(table, row_group_size=len(frame))
        else:
            self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self._stream is not None:
            self._stream.close()


def write_applicants(path: str | Path, rows: int, *, random_state, config: Optional[SyntheticConfig] = None,
                     drifted: bool = False, score: Optional[Callable[[pd.DataFrame], np.ndarray]] = None,
                     score_column: str = "score", chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Path:
    """Write ``rows`` synthetic applicants of one period to a CSV or Parquet file, in chunks.

    Parameters
    ----------
    path : path-like
        Target file; the format follows the name (``.parquet``, ``.csv`` or ``.csv.gz``). A
        failed write leaves no file behind.
    rows : int
        Applicants to write.
    random_state : int, numpy.random.SeedSequence or numpy.random.Generator
    config : SyntheticConfig, optional
        The scenario (default: the built-in one).
    drifted : bool, default=False
        ``False`` draws from the training-period generator, ``True`` from next month's.
    score : callable, optional
        ``score(frame) -> array`` adds a logged score column (e.g. the audited model's scores).
    score_column : str, default="score"
    chunk_rows : int, default=100_000
        Rows drawn and written at a time (peak memory is that of one chunk).

    Returns
    -------
    pathlib.Path
    """
    if rows < 1 or chunk_rows < 1:
        raise ValueError(BULK_SIZE_ERROR.format(rows=rows, chunk=chunk_rows))
    path = Path(path)
    sink = _Sink(path)
    n_chunks = -(-int(rows) // int(chunk_rows))
    seeds = as_generator(random_state).spawn(n_chunks)
    try:
        for k, rng in enumerate(seeds):
            start = k * chunk_rows
            n = min(chunk_rows, rows - start)
            frame, _ = draw_period(config, n, random_state=rng, drifted=drifted)
            frame[ID_COLUMN] = [f"APP-{i:09d}" for i in range(start + 1, start + n + 1)]
            if score is not None:
                frame[score_column] = np.asarray(score(frame), dtype=np.float64)
            sink.write(frame)
    except BaseException:
        sink.close()
        path.unlink(missing_ok=True)
        raise
    sink.close()
    return path
