"""Oracles and small samples shared by the drift tests (tests/drift/)."""

import json
import math

import numpy as np
import pandas as pd
import pytest


def smoothed(counts, a):
    counts = np.asarray(counts, dtype=float)
    return (counts + a) / (counts.sum() + a * counts.size)


def checker_recompute(entry):
    """The recomputation of shared/tools/check_results.py, in pure Python."""
    a = entry["smoothing"]

    def sm(cs):
        tot = sum(cs) + a * len(cs)
        return [(c + a) / tot for c in cs]

    R, C = sm(entry["reference_counts"]), sm(entry["current_counts"])
    psi = sum((ci - ri) * math.log(ci / ri) for ri, ci in zip(R, C))
    klrc = sum(ri * math.log(ri / ci) for ri, ci in zip(R, C))
    klcr = sum(ci * math.log(ci / ri) for ri, ci in zip(R, C))
    return psi, klrc, klcr


def assert_entry_consistent(entry):
    psi, klrc, klcr = checker_recompute(entry)
    assert entry["psi"] == pytest.approx(psi, rel=1e-9, abs=1e-12)
    assert entry["kl_ref_cur"] == pytest.approx(klrc, rel=1e-9, abs=1e-12)
    assert entry["kl_cur_ref"] == pytest.approx(klcr, rel=1e-9, abs=1e-12)
    if entry["kind"] == "numeric":
        assert len(entry["reference_counts"]) == len(entry["edges"]) + 2
    else:
        assert len(entry["reference_counts"]) == len(entry["categories"]) + 2
    assert sum(entry["contributions"]) == pytest.approx(entry["psi"], rel=1e-12, abs=1e-15)
    assert entry["status"] in {"green", "amber", "red"}
    json.dumps(entry, allow_nan=False)


def sample_frame(rng, n, shift=0.0):
    """Numeric ``x``, integer-valued ``k``, categorical ``c`` and multi-label ``t`` (``shift`` moves ``x``)."""
    return pd.DataFrame({
        "x": rng.normal(shift, 1.0, n),
        "k": rng.integers(0, 6, n).astype(float),
        "c": rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2]),
        "t": rng.choice(["a;b", "b", "c", ""], n),
    })


def sample_predictions():
    """``test``/``eval`` frames with sex and race, and predictions of two models (``lr``, ``rf``) on both."""
    rng = np.random.default_rng(2)
    frames, preds = {}, []
    for split, n in (("test", 600), ("eval", 400)):
        ids = [f"{split}-{i}" for i in range(n)]
        df = pd.DataFrame({"applicant_id": ids, "sex": rng.choice(["F", "M"], n),
                           "race": rng.choice(["A", "B", "C"], n), "x": rng.normal(size=n),
                           "advanced": rng.integers(0, 2, n)})
        frames[split] = df
        for model in ("lr", "rf"):
            score = rng.random(n)
            preds.append(pd.DataFrame({"model": model, "split": split, "applicant_id": ids, "score": score,
                                       "selected": (score >= 0.5).astype(int), "y_true": df["advanced"]}))
    return frames, pd.concat(preds, ignore_index=True)


class StandInContext:
    """The documented ctx API the drift step reads (run folder, params.drift, splits, spec, predictions)."""

    def __init__(self, run_dir, frames, spec, predictions, config, *, families=("logistic_regression",)):
        from types import SimpleNamespace

        self.run_dir = run_dir
        self.data_dir = run_dir / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.params = SimpleNamespace(drift=config, model=SimpleNamespace(families=list(families)))
        self._frames, self._spec, self._predictions = frames, spec, predictions
        for name, frame in frames.items():
            frame.to_parquet(self.data_dir / f"{name}.parquet", index=False)

    def feature_spec(self):
        return self._spec

    def load_split(self, split):
        return pd.read_parquet(self.data_dir / f"{split}.parquet")

    def predictions(self):
        return self._predictions
