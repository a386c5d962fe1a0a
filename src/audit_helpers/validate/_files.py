"""Reading supplied files: whole tables, headers only, and the content checks run before any step."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

import pandas as pd

from ._values import EMPTY_TABLE, DataValidationError

EMPTY_FILE = "{table}: the file {path} is empty."
NO_ROWS = "{table}: the file {path} has a header but no data rows."
UNSUPPORTED_FILE_TYPE = "{table}: cannot read {path}: expected a .csv or .parquet file."
UNREADABLE_FILE = "{table}: cannot read {path}: {error}"
NOT_UTF8 = (
    "{table}: {path} is not UTF-8 text: byte 0x{byte:02x} at line {line}, column {column}; "
    "save the file as UTF-8 (e.g. from a spreadsheet: CSV UTF-8)"
)


def read_table(path, *, table: str) -> pd.DataFrame:
    """Read a CSV or Parquet file.

    CSV files are read with every column as text, so that identifiers keep
    their leading zeros and unparseable numbers can be reported precisely
    (see :func:`parse_numeric`).

    Parameters
    ----------
    path : str or pathlib.Path
        ``.csv`` (optionally ``.csv.gz``) or ``.parquet`` / ``.pq`` file.
    table : str
        Name used in error messages (``"train"``, ``"eval"``...).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    DataValidationError
        If the file is empty, has no rows, has an unsupported extension or
        cannot be parsed.
    """
    df = _guarded_read(
        path, table, pd.read_parquet, lambda p: pd.read_csv(p, dtype=str, keep_default_na=True, skipinitialspace=True)
    )
    if len(df) == 0:
        raise DataValidationError([EMPTY_TABLE.format(table=table)])
    return df


def read_model_inputs(path, *, table: str, columns: Sequence[str], as_read: Optional[pd.DataFrame] = None,
                      text_columns: Sequence[str] = ()) -> pd.DataFrame:
    """A supplied model's input columns as the file holds them, row for row with ``as_read``.

    A Parquet file carries its types: the columns are returned exactly as stored (integer codes,
    text codes, nullable integers, categoricals, booleans). A CSV file carries none: each column
    is what ``pandas.read_csv`` infers by default (what a user reading the file gets: the columns
    are read again with its own parser, faster than converting the text), except the
    ``text_columns``, which the model was fitted on as text (see
    :func:`audit_helpers.model_io.input_kinds`): those keep the file's text exactly (leading
    zeros included).

    Parameters
    ----------
    path : path-like
        The CSV or Parquet file.
    table : str
        Name used in error messages.
    columns : sequence of str
        The model's inputs.
    as_read : DataFrame, optional
        The file as :func:`read_table` read it (a CSV with every column as text); without it
        only the ``columns`` are read from the file.
    text_columns : sequence of str, default=()
        Inputs the model reads as text.

    Returns
    -------
    DataFrame
        The ``columns``, indexed like ``as_read``.
    """
    columns = list(columns)
    if not Path(path).name.lower().endswith((".csv", ".csv.gz")):
        if as_read is not None:
            return as_read[columns].copy()
        return _guarded_read(path, table, lambda p: pd.read_parquet(p, columns=columns), pd.read_csv)
    text = [c for c in columns if c in set(text_columns)]
    inferred = [c for c in columns if c not in set(text)]

    def csv(cols: list, **kwargs) -> pd.DataFrame:
        return _guarded_read(path, table, pd.read_parquet,
                             lambda p: pd.read_csv(p, usecols=cols, keep_default_na=True, skipinitialspace=True, **kwargs))

    parts = []
    if inferred:
        parts.append(csv(inferred))
    if text:
        parts.append(as_read[text].reset_index(drop=True) if as_read is not None else csv(text, dtype=str))
    frame = pd.concat(parts, axis=1)[columns] if len(parts) > 1 else parts[0][columns]
    if as_read is not None:
        frame.index = as_read.index
    return frame


def _parquet_header(path: Path) -> tuple[list[str], int]:
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    return list(meta.schema.to_arrow_schema().names), meta.num_rows


def _csv_header(path: Path) -> tuple[list[str], int]:
    head = pd.read_csv(path, dtype=str, nrows=1, skipinitialspace=True)
    return [str(c) for c in head.columns], len(head)


def read_columns(path, *, table: str) -> list[str]:
    """The column names of a CSV or Parquet file, reading only its header (or schema).

    Raises
    ------
    DataValidationError
        The file is empty, has a header but no rows, has an unsupported extension or cannot
        be parsed.
    """
    columns, n_rows = _guarded_read(path, table, _parquet_header, _csv_header)
    if n_rows == 0:
        raise DataValidationError([NO_ROWS.format(table=table, path=Path(path))])
    return columns


def _guarded_read(path, table: str, parquet, csv):
    """``parquet(path)`` or ``csv(path)`` by extension; every failure becomes one DataValidationError."""
    path = Path(path)
    name = path.name.lower()
    if path.exists() and path.stat().st_size == 0:
        raise DataValidationError([EMPTY_FILE.format(table=table, path=path)])
    try:
        if name.endswith((".parquet", ".pq")):
            return parquet(path)
        if name.endswith((".csv", ".csv.gz")):
            return csv(path)
    except pd.errors.EmptyDataError:
        raise DataValidationError([EMPTY_FILE.format(table=table, path=path)]) from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataValidationError([UNREADABLE_FILE.format(table=table, path=path, error=_one_line(exc))]) from exc
    raise DataValidationError([UNSUPPORTED_FILE_TYPE.format(table=table, path=path)])


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _first_non_utf8(path: Path) -> Optional[tuple[int, int, int]]:
    """``(line, column, byte)`` of the first byte of a CSV that is not UTF-8, or None (read in chunks)."""
    import codecs
    import gzip

    decoder = codecs.getincrementaldecoder("utf-8")()
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    line, last_newline, offset = 1, -1, 0
    with opener(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                head = chunk[: err.start]
                line += head.count(b"\n")
                start = head.rfind(b"\n")
                column = err.start - start if start >= 0 else offset + err.start - last_newline
                return line, column, chunk[err.start]
            line += chunk.count(b"\n")
            if b"\n" in chunk:
                last_newline = offset + chunk.rfind(b"\n")
            offset += len(chunk)
    return None


def check_contents(
    path,
    *,
    table: str,
    label: str,
    positive_label,
    protected_attributes: Sequence[str],
    protected_values: Optional[dict] = None,
    unknown_label: str = "Unknown",
    protected_labels: Optional[dict] = None,
    id_column: Optional[str] = None,
) -> dict:
    """The whole-file problems a step would meet, found before any step runs.

    Reads only the label and protected columns (and, for a CSV, checks that every byte is
    UTF-8): a file that is not UTF-8 text, a label that is not binary, has missing values or a
    single class (every audited table needs both outcomes: a model is trained on them, error
    rates and AUC are computed from them), a positive label matching nothing, or a protected
    attribute that is entirely missing; with ``id_column``, missing or duplicated ids. The checks
    are those of :func:`validate_table`, so the data step cannot disagree.

    Returns
    -------
    dict
        Protected attribute -> sorted list of the distinct code keys present in the file
        (:func:`audit_helpers._common.groups.code_key`), to check ``data.protected_labels``.

    Raises
    ------
    DataValidationError
        Listing every problem found.
    """
    from ._table import _check_ids
    from ._values import PROTECTED_ALL_MISSING, map_label, normalise_protected

    path = Path(path)
    if path.name.lower().endswith((".csv", ".csv.gz")):
        bad = _first_non_utf8(path)
        if bad is not None:
            line, column, byte = bad
            raise DataValidationError([NOT_UTF8.format(table=table, path=path, line=line, column=column, byte=byte)])
    columns = list(dict.fromkeys([label, *protected_attributes, *([id_column] if id_column else [])]))
    frame = _guarded_read(
        path, table, lambda p: pd.read_parquet(p, columns=columns),
        lambda p: pd.read_csv(p, dtype=str, usecols=columns, keep_default_na=True, skipinitialspace=True),
    )
    problems = []
    try:
        map_label(frame[label], positive_label, table=table, column=label, require_both_classes=True)
    except DataValidationError as err:
        problems += err.problems
    codes = {}
    for column in protected_attributes:
        allowed = None if protected_values is None else protected_values.get(column)
        _, report = normalise_protected(frame[column], allowed=allowed, unknown_label=unknown_label,
                                        labels=(protected_labels or {}).get(column), attribute=column)
        codes[column] = report["codes"]
        if report["n_unknown"] == len(frame):
            problems.append(PROTECTED_ALL_MISSING.format(table=table, column=column, n=len(frame)))
    if id_column:
        problems += _check_ids(frame, pd.DataFrame(index=frame.index), table=table, id_column=id_column)
    if problems:
        raise DataValidationError(problems)
    return codes
