"""Multi-hot encoding of ``;``-joined tag columns (skops-trusted through ``model_io.TRUSTED_TYPES``)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from ._config import NOT_A_STRING_COLUMN, UNFITTED_ENCODER

__all__ = ["MultiHotEncoder"]


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

    def _text(self, X) -> pd.Series:
        """The single tag column as normalised text ``<sep>tag<sep>tag<sep>`` ("" when missing)."""
        if isinstance(X, pd.DataFrame):
            if X.shape[1] != 1:
                raise ValueError(NOT_A_STRING_COLUMN.format(sep=self.separator, n=X.shape[1]))
            col = X.iloc[:, 0]
        else:
            arr = np.asarray(X, dtype=object)
            if arr.ndim == 2:
                if arr.shape[1] != 1:
                    raise ValueError(NOT_A_STRING_COLUMN.format(sep=self.separator, n=arr.shape[1]))
                arr = arr[:, 0]
            col = pd.Series(arr, dtype=object)
        sep = re.escape(self.separator)
        text = col.astype(object).where(col.notna(), "").astype(str)
        text = text.str.replace(rf"\s*{sep}\s*", self.separator, regex=True).str.strip()
        return self.separator + text + self.separator

    def fit(self, X, y=None):
        """Learn the tag vocabulary (sorted) from ``X``."""
        text = self._text(X)
        sep = self.separator
        vocabulary = {t for t in sep.join(text.tolist()).split(sep) if t}
        counts = {t: int(text.str.contains(f"{sep}{t}{sep}", regex=False).sum()) for t in vocabulary}
        self.tags_ = sorted(t for t, c in counts.items() if c >= self.min_frequency)
        self.n_features_in_ = 1
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def transform(self, X):
        """0/1 matrix of shape (n_rows, n_tags)."""
        if not hasattr(self, "tags_"):
            raise ValueError(UNFITTED_ENCODER)
        text = self._text(X)
        out = np.zeros((len(text), len(self.tags_)), dtype=float)
        for j, tag in enumerate(self.tags_):
            out[:, j] = text.str.contains(f"{self.separator}{tag}{self.separator}", regex=False).to_numpy(dtype=float)
        return out

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
# class by __module__, and the package's lazy __getattr__ serves the name from there.
MultiHotEncoder.__module__ = "audit_helpers.models"
