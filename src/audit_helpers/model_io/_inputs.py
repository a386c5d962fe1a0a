"""A supplied model's inputs as its files hold them: what type each input needs, and the view
of a prepared split that the model is scored on.

The data step parses the user's columns for the audit's own tables (numbers for the drift bins,
text for categories). A supplied model must not see that parsing: it was trained on the columns
as the user read them, so the prepared splits keep a copy of every model input exactly as the
file holds it, under :data:`MODEL_INPUT_PREFIX` + the column name, and :func:`model_view` hands
the model those copies under their own names.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd

#: Prefix of the columns of a prepared split that hold a supplied model's inputs as the file held them.
MODEL_INPUT_PREFIX = "model_input::"


def model_view(frame: pd.DataFrame, features: Sequence[str]) -> pd.DataFrame:
    """The columns ``features`` of ``frame`` as the model receives them.

    Where the prepared split holds a column's file copy (``MODEL_INPUT_PREFIX + name``) that copy
    is used, renamed to ``name``; otherwise the column itself (a screen trained in this run, or a
    batch read straight from the user's file). Row order and index are kept.
    """
    cols = [f"{MODEL_INPUT_PREFIX}{f}" if f"{MODEL_INPUT_PREFIX}{f}" in frame.columns else f for f in features]
    view = frame[cols]
    if cols != list(features):
        view = view.set_axis(list(features), axis=1)
    return view


def input_kinds(model: Any, features: Sequence[str]) -> dict[str, str]:
    """What a fitted scikit-learn model expects of each input it reads through an encoder or imputer.

    A CSV holds no types: what the model expects is read off its own fitted state. An encoder
    (``OneHotEncoder``, ``OrdinalEncoder``: ``categories_``) fitted on strings expects text
    (``"text"``), fitted on numbers it treats them as codes (``"code"``); an imputer
    (``SimpleImputer``: ``statistics_``) fitted on strings expects text, on numbers numbers
    (``"number"``). The walk follows a Pipeline's steps until one places the column and a
    ColumnTransformer's column selections. Inputs it cannot place are left out (the caller reads
    them as ``pandas.read_csv`` infers and types them by their values).

    Parameters
    ----------
    model : estimator
        A fitted Pipeline, ColumnTransformer or bare estimator.
    features : sequence of str
        The model's input columns, in its order.

    Returns
    -------
    dict
        ``{column: "text" | "code" | "number"}`` for the inputs whose type the model states.
    """
    kinds: dict[str, str] = {}
    _walk(model, list(features), kinds)
    return {c: k for c, k in kinds.items() if c in set(features)}


def _walk(est: Any, columns: Optional[list], kinds: dict) -> None:
    steps = getattr(est, "steps", None)
    if isinstance(steps, list):  # a Pipeline: column-wise steps (imputer, encoder) keep the columns
        for _, step in steps:
            if step is None or (isinstance(step, str) and step == "passthrough"):
                continue
            _walk(step, columns, kinds)
            if not _columnwise(step):
                return
        return
    fitted = getattr(est, "transformers_", None)
    if isinstance(fitted, list):  # a ColumnTransformer
        names = getattr(est, "feature_names_in_", None)
        names = [str(n) for n in np.asarray(names).tolist()] if names is not None else columns
        for _, trans, cols in fitted:
            if isinstance(trans, str):  # drop / passthrough
                continue
            _walk(trans, _selected(cols, names), kinds)
        return
    if columns is None:
        return
    for attr in ("categories_", "statistics_"):
        values = getattr(est, attr, None)
        if values is None:
            continue
        per_column = list(values) if attr == "categories_" else [np.asarray(values)[i:i + 1] for i in range(len(np.asarray(values)))]
        if len(per_column) != len(columns):
            return
        for col, vals in zip(columns, per_column):
            kind = _kind(np.asarray(vals, dtype=object), encoder=attr == "categories_")
            if kind is not None and (kinds.get(str(col)) in (None, "number") or kind == "text"):
                kinds[str(col)] = kind
        return


def _columnwise(step: Any) -> bool:
    """A step that keeps one output column per input column (an imputer), so the next one reads the same columns."""
    return hasattr(step, "statistics_") and getattr(step, "indicator_", None) is None


def _kind(values: np.ndarray, *, encoder: bool) -> Optional[str]:
    """``text`` when the fitted values hold a string; else ``code`` (an encoder's categories) or ``number``."""
    present = [v for v in values.tolist() if v is not None and not (isinstance(v, float) and np.isnan(v))]
    if not present:
        return None
    if any(isinstance(v, str) for v in present):
        return "text"
    if all(isinstance(v, (int, float, np.integer, np.floating)) for v in present):
        return "code" if encoder else "number"
    return None


def _selected(cols: Any, names: Optional[list]) -> Optional[list]:
    """Column names a ColumnTransformer entry selects (names, positions, a mask or a slice)."""
    if isinstance(cols, str):
        return [cols]
    if isinstance(cols, slice):
        return None if names is None else names[cols]
    if callable(cols):
        return None
    items = list(np.asarray(cols).tolist()) if not isinstance(cols, list) else list(cols)
    if not items:
        return []
    if all(isinstance(c, str) for c in items):
        return items
    if names is None:
        return None
    if all(isinstance(c, bool) for c in items) and len(items) == len(names):
        return [n for n, keep in zip(names, items) if keep]
    if all(isinstance(c, int) and not isinstance(c, bool) for c in items):
        return [names[i] for i in items]
    return None


def supplied_inputs(config: Any) -> tuple[list[str], dict[str, str], Any]:
    """The model file a run's ``model`` parameters name: its inputs, their kinds, and the model.

    Loads ``config.path`` safely (:func:`~audit_helpers.model_io.load_model`: a pickle only when
    its sha256 matches or ``trust_unverified`` is set), takes ``config.features`` or the model's
    ``feature_names_in_`` (:func:`~audit_helpers.model_io.resolve_features`) and reads what type
    the model expects of each (:func:`input_kinds`).

    Raises
    ------
    ModelLoadError, ModelCheckError
    """
    from ._checks import resolve_features
    from ._load import load_model

    model, _ = load_model(
        config.path, sha256=config.sha256, trust_unverified=config.trust_unverified, trusted_types=config.trusted_types
    )
    features = resolve_features(model, config.features)
    return features, input_kinds(model, features), model


#: Rows of a file scored before any step besides those holding a missing input or a value first
#: seen (where a model that cannot take a gap or an unknown category fails).
PROBE_HEAD_ROWS = 1000


def probe_rows(frame: pd.DataFrame) -> np.ndarray:
    """Positions of the rows worth scoring to learn whether a model can score ``frame`` at all.

    The first :data:`PROBE_HEAD_ROWS` rows, every row with a missing input, and the first row
    holding each distinct value of each non-float input: a model that fails on a gap, on a category
    it never saw or on a value's type fails on one of them. A file of a million rows is probed with
    a few thousand.
    """
    n = len(frame)
    keep = np.zeros(n, dtype=bool)
    keep[:PROBE_HEAD_ROWS] = True
    keep |= frame.isna().any(axis=1).to_numpy()
    for col in frame.columns:
        if pd.api.types.is_float_dtype(frame[col].dtype):
            continue
        keep[~frame[col].astype("object").duplicated().to_numpy()] = True
    return np.flatnonzero(keep)

