"""Feature roles and per-column clean-up: type inference, categorical normalisation, age group, tags."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .._common.distinct import counts_in_first_order, sorted_counts
from ..validate import parse_numeric
from ..validate._values import _as_text
from ._names import NUMERIC_INFERENCE_SHARE

def infer_feature_types(
    frame: pd.DataFrame, *, exclude: Sequence[str], separator: str = ";", numeric_share: float = NUMERIC_INFERENCE_SHARE
) -> tuple[list[str], list[str], dict[str, str]]:
    """Infer numeric, categorical and multi-label feature columns.

    A column is numeric if (at least ``numeric_share`` of) its non-missing
    values parse as numbers and it has more than two distinct values; binary
    numeric columns are categorical. Text columns containing ``separator``
    are multi-label; other text columns are categorical.

    Parameters
    ----------
    frame : pandas.DataFrame
    exclude : sequence of str
        Columns that are not features (id, label, date, protected, age).
    separator : str, default=";"
    numeric_share : float, default=NUMERIC_INFERENCE_SHARE

    Returns
    -------
    numeric : list of str
    categorical : list of str
    multilabel : dict of str to str
    """
    numeric, categorical, multilabel = [], [], {}
    for col in frame.columns:
        if col in exclude:
            continue
        values, bad = parse_numeric(frame[col])
        present = int(frame[col].notna().sum())
        parsed = int(values.notna().sum())
        if present and parsed >= numeric_share * present:
            (numeric if values.nunique() > 2 or bad.any() else categorical).append(col)
        elif pd.Series(frame[col].unique()).astype("object").map(lambda v: isinstance(v, str) and separator in v).any():
            multilabel[col] = separator
        else:
            categorical.append(col)
    return numeric, categorical, multilabel


def _normalise_categorical(s: pd.Series) -> pd.Series:
    """Whole-number codes become integers (CSV text ``"1"`` is the code ``1``), unless that would
    change what is written: codes with leading zeros (``"02139"``) or written as decimals stay text."""
    values, bad = parse_numeric(s)
    finite = values.dropna()
    if s.notna().any() and not bad.any() and len(finite) == len(values) and np.all(np.mod(finite.to_numpy(), 1) == 0):
        if not (pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)) or _written_as_integers(s):
            return values.astype("int64")
    text = _as_text(s)
    return text.astype("str") if text.notna().all() else text


def _written_as_integers(s: pd.Series) -> bool:
    """Every distinct text value reads back unchanged as its integer (``"40"``, ``"-3"``; not ``"02139"`` or ``"1.0"``)."""
    distinct = pd.Series(s.dropna().unique()).astype(str).str.strip()
    return bool(distinct.str.fullmatch(r"-?(0|[1-9][0-9]*)").all())


def _age_group(age: pd.Series, threshold: int, unknown: str) -> pd.Series:
    values, _ = parse_numeric(age)
    out = np.where(values >= threshold, f"{threshold} and over", f"under {threshold}").astype(object)
    out[values.isna().to_numpy()] = unknown
    return pd.Series(out, index=age.index).astype("str")


def _tag_counts(s: pd.Series, sep: str) -> pd.Series:
    """How often each tag is listed, over all rows (a tag listed twice in one cell counts twice,
    as splitting every row and counting gives it); each distinct cell is split once."""
    text = _as_text(s)
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    rows = np.bincount(codes[codes >= 0], minlength=len(uniques))
    tags = pd.Series(uniques, dtype=text.dtype, name=s.name).str.split(sep).explode().str.strip()
    kept = (tags.notna() & (tags != "")).to_numpy()
    return sorted_counts(counts_in_first_order(tags[kept], rows[tags.index.to_numpy()][kept], name=s.name))

