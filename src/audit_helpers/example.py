"""The bundled "bring your own model" example: data and a trained model the project makes itself.

:func:`make_example` plays the part of a user who hands over a trained screen: it draws a small
scenario with the project's synthetic generator, writes the training sample, a held-out test
sample from the same period and next month's applicants as CSV (or Parquet) files (label ``advanced`` spelled
``yes``/``no``, as an HR system might export it), fits a scikit-learn Pipeline of its own on the
training sample and saves it both as ``.skops`` and as ``.joblib`` with the joblib file's sha256
next to it. ``params/own_model.example.yaml`` audits it with ``prepare: example``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from . import synth
from .config import LABEL_COLUMN, SyntheticConfig
from .model_io import save_model_joblib, save_model_skops

__all__ = [
    "EXAMPLE_NUMERIC",
    "EXAMPLE_CATEGORICAL",
    "EXAMPLE_LABELS",
    "make_example",
    "FILE_FORMATS",
    "BAD_FORMAT",
]

#: Columns the example model uses (it ignores the role tags, as a simpler in-house screen might).
EXAMPLE_NUMERIC = ("years_experience", "employment_gap_months", "assessment_score", "n_prev_employers")
EXAMPLE_CATEGORICAL = ("education_tier", "region", "referral")
#: How the example files spell the label: {0: "no", 1: "yes"}.
EXAMPLE_LABELS = ("no", "yes")

BAD_SIZES = "n_train, n_test and n_eval must be positive, got {sizes}"
BAD_FORMAT = "file_format must be one of {formats}, got {got!r}"
#: Formats of the example's data files.
FILE_FORMATS = ("csv", "parquet")


def _example_model(C: float) -> Pipeline:
    pre = ColumnTransformer(
        [
            ("num", Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]), list(EXAMPLE_NUMERIC)),
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), list(EXAMPLE_CATEGORICAL)),
        ],
        remainder="drop",
    )
    return Pipeline([("preprocess", pre), ("classifier", LogisticRegression(C=C, max_iter=1000))])


def make_example(
    out_dir: str | Path,
    *,
    random_state,
    n_train: int = 6000,
    n_test: int = 2000,
    n_eval: int = 2000,
    C: float = 1.0,
    file_format: str = "csv",
) -> dict[str, Any]:
    """Write the own-model example into ``out_dir``.

    Parameters
    ----------
    out_dir : path-like
        Target folder (created), e.g. ``data/example``.
    random_state : int or numpy.random.Generator
        Seed of the scenario; the same seed gives identical CSV files and an identical model.
    n_train : int, default=6000
        Rows of the training sample the model is fitted on (``train.csv``).
    n_test : int, default=2000
        Held-out rows of the same period, not used for fitting (``test.csv``).
    n_eval : int, default=2000
        Next month's applicants (``eval.csv``), with the scenario's planted drift.
    C : float, default=1.0
        Inverse regularisation strength of the example's logistic regression.
    file_format : {"csv", "parquet"}, default="csv"
        Format of the three data files (``train.csv`` or ``train.parquet``...).

    Returns
    -------
    dict
        Paths ``train``, ``test``, ``eval``, ``model_skops``, ``model_joblib``,
        ``model_joblib_sha256_file`` and the hashes ``model_skops_sha256``,
        ``model_joblib_sha256``.
    """
    if min(n_train, n_test, n_eval) < 1:
        raise ValueError(BAD_SIZES.format(sizes=(n_train, n_test, n_eval)))
    if file_format not in FILE_FORMATS:
        raise ValueError(BAD_FORMAT.format(got=file_format, formats=", ".join(FILE_FORMATS)))
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    config = SyntheticConfig(n_train=n_train + n_test, n_eval=n_eval)
    root = random_state if isinstance(random_state, np.random.Generator) else np.random.default_rng(random_state)
    scenario_rng, rng = root.spawn(2)
    scenario = synth.generate_scenario(config, random_state=scenario_rng)

    # a held-out test sample drawn from the training period, the rest is the training sample
    is_test = np.zeros(len(scenario.train), dtype=bool)
    is_test[rng.choice(len(scenario.train), size=n_test, replace=False)] = True
    frames = {
        "train": scenario.train.loc[~is_test].reset_index(drop=True),
        "test": scenario.train.loc[is_test].reset_index(drop=True),
        "eval": scenario.eval.reset_index(drop=True),
    }
    label = LABEL_COLUMN
    paths: dict[str, Any] = {}
    for name, frame in frames.items():
        out = frame.copy()
        out[label] = np.where(out[label].to_numpy() == 1, EXAMPLE_LABELS[1], EXAMPLE_LABELS[0])
        path = folder / f"{name}.{file_format}"
        out.to_csv(path, index=False) if file_format == "csv" else out.to_parquet(path, index=False)
        paths[name] = path

    read = pd.read_csv if file_format == "csv" else pd.read_parquet
    train = read(paths["train"])  # fit on what a user would read back from the file
    features = list(EXAMPLE_NUMERIC) + list(EXAMPLE_CATEGORICAL)
    model = _example_model(C).fit(train[features], train[label].astype(str))

    paths["model_skops"] = folder / "model.skops"
    paths["model_skops_sha256"] = save_model_skops(model, paths["model_skops"])
    paths["model_joblib"] = folder / "model.joblib"
    paths["model_joblib_sha256"] = save_model_joblib(model, paths["model_joblib"])
    paths["model_joblib_sha256_file"] = folder / "model.joblib.sha256"
    paths["model_joblib_sha256_file"].write_text(f"{paths['model_joblib_sha256']}  model.joblib\n", encoding="utf-8")
    return paths
