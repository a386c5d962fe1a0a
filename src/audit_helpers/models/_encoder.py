"""Multi-hot encoding of ``;``-joined tag columns (skops-trusted through ``model_io.TRUSTED_TYPES``)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from ._names import NOT_A_STRING_COLUMN, UNFITTED_ENCODER

class MultiHotEncoder(TransformerMixin, BaseEstimator):
    """Encode one column of separator-joined tags as one 0/1 column per tag seen in fit.

    Missing values and empty strings mean "no tags"; tags unseen in fit are ignored.

    Parameters
    ----------
    separator : str, default=";"
        Tag separator.
    min_frequency : int, default=1
        Tags seen fewer times than this in fit get no column.
    """

    def __init__(self, *, separator: str = ";", min_frequency: int = 1):
        self.separator = separator
        self.min_frequency = min_frequency

    def _column(self, X) -> pd.Series:
        """The single tag column of ``X`` as a Series."""
        if isinstance(X, pd.DataFrame):
            if X.shape[1] != 1:
                raise ValueError(NOT_A_STRING_COLUMN.format(sep=self.separator, n=X.shape[1]))
            return X.iloc[:, 0]
        arr = np.asarray(X, dtype=object)
        if arr.ndim == 2:
            if arr.shape[1] != 1:
                raise ValueError(NOT_A_STRING_COLUMN.format(sep=self.separator, n=arr.shape[1]))
            arr = arr[:, 0]
        return pd.Series(arr, dtype=object)

    def _distinct(self, X) -> tuple[np.ndarray, pd.Series]:
        """Row codes into the column's distinct values, and those values as normalised text.

        The text is ``<sep>tag<sep>tag<sep>`` ("" when missing). A tag column holds few distinct
        combinations, so the text work is done once per distinct value, not once per row.
        """
        col = self._column(X)
        raw = col.astype(object).where(col.notna(), "").astype(str)
        codes, uniques = pd.factorize(raw.to_numpy(dtype=object))
        sep = re.escape(self.separator)
        text = pd.Series(uniques, dtype=object).str.replace(rf"\s*{sep}\s*", self.separator, regex=True).str.strip()
        return codes, self.separator + text + self.separator

    def fit(self, X, y=None):
        """Learn the tag vocabulary (sorted) from ``X``."""
        codes, text = self._distinct(X)
        sep = self.separator
        rows = np.bincount(codes, minlength=len(text))  # rows holding each distinct value
        vocabulary = {t for t in sep.join(text[rows > 0].tolist()).split(sep) if t}
        counts = {t: int(rows[text.str.contains(f"{sep}{t}{sep}", regex=False).to_numpy()].sum()) for t in vocabulary}
        self.tags_ = sorted(t for t, c in counts.items() if c >= self.min_frequency)
        self.n_features_in_ = 1
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def transform(self, X):
        """0/1 matrix of shape (n_rows, n_tags)."""
        if not hasattr(self, "tags_"):
            raise ValueError(UNFITTED_ENCODER)
        codes, text = self._distinct(X)
        table = np.zeros((len(text), len(self.tags_)), dtype=float)
        for j, tag in enumerate(self.tags_):
            table[:, j] = text.str.contains(f"{self.separator}{tag}{self.separator}", regex=False).to_numpy(dtype=float)
        return table[codes]

    def get_feature_names_out(self, input_features=None):
        """``<column>=<tag>`` for each tag."""
        if input_features is not None and len(input_features):
            base = str(input_features[0])
        elif hasattr(self, "feature_names_in_"):
            base = str(self.feature_names_in_[0])
        else:
            base = "tags"
        return np.asarray([f"{base}={t}" for t in self.tags_], dtype=object)



# Saved .skops files and model_io.TRUSTED_TYPES name the class "audit_helpers.models.MultiHotEncoder"
# (where it was defined before models became a package); skops and pickle record and resolve a
# class by __module__, and the package's __init__ imports the name, so it resolves there.
MultiHotEncoder.__module__ = "audit_helpers.models"
