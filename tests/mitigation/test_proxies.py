"""Proxy ranking and feature removal (audit_helpers.mitigation._proxies) against sklearn's mutual information."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import mutual_info_score

from audit_helpers import mitigation as mit
from audit_helpers.mitigation._proxies import ERR_UNKNOWN_FEATURE


def test_rank_proxies_matches_sklearn_mutual_information_and_finds_planted_proxy():
    rng = np.random.default_rng(11)
    n = 3000
    race = rng.choice(["r1", "r2", "r3"], size=n, p=[0.6, 0.3, 0.1])
    region = np.where(rng.random(n) < 0.7, np.char.add("reg_", race), rng.choice(["reg_r1", "reg_r2", "reg_r3"], n))
    frame = pd.DataFrame(
        {
            "region": region,
            "noise": rng.normal(size=n),
            "tags": np.where((race == "r2") & (rng.random(n) < 0.3), "a;b", np.where(rng.random(n) < 0.5, "a", "")),
            "edu": rng.choice(["x", "y"], n),
        }
    )
    frame.loc[:9, "noise"] = np.nan
    spec = {"model_features": ["region", "noise", "tags", "edu"], "numeric": ["noise"], "categorical": ["region", "edu"],
            "multilabel": {"tags": ";"}}
    table = mit.rank_proxies(frame, race, feature_spec=spec, n_bins=10)
    assert table["feature"].tolist()[:2] == ["region", "tags"]
    assert table["rank"].tolist() == [1, 2, 3, 4]
    row = table.set_index("feature")
    h = mutual_info_score(race, race)
    assert row.loc["region", "mutual_information"] == pytest.approx(mutual_info_score(race, region), rel=1e-9)
    assert row.loc["region", "uncertainty_coefficient"] == pytest.approx(mutual_info_score(race, region) / h, rel=1e-9)
    # tag 'b' is the revealing tag of the multilabel feature
    assert row.loc["tags", "detail"] == "tag 'b'"
    has_b = np.array(["b" in t.split(";") for t in frame["tags"]])
    assert row.loc["tags", "mutual_information"] == pytest.approx(mutual_info_score(race, has_b), rel=1e-9)
    # numeric: same MI as sklearn on the same decile codes (missing its own bin)
    x = frame["noise"].to_numpy()
    edges = np.unique(np.nanquantile(x, np.linspace(0, 1, 11)[1:-1]))
    codes = np.where(np.isnan(x), -1, np.searchsorted(edges, np.nan_to_num(x), side="left"))
    assert row.loc["noise", "mutual_information"] == pytest.approx(mutual_info_score(race, codes), rel=1e-9)


def test_drop_features():
    spec = {"model_features": ["a", "b", "t"], "numeric": ["a"], "categorical": ["b"], "multilabel": {"t": ";"}}
    out = mit.drop_features(spec, ["b", "t"])
    assert out["model_features"] == ["a"] and out["categorical"] == [] and out["multilabel"] == {}
    assert spec["model_features"] == ["a", "b", "t"]  # not modified in place
    with pytest.raises(ValueError, match=ERR_UNKNOWN_FEATURE.split("{")[0]):
        mit.drop_features(spec, ["zzz"])
