"""Nothing to judge (audit_helpers.mitigation._nothing): every group too small, a single group, one large group.

The mitigation step must complete with a section that says why there is nothing to mitigate,
instead of raising ERR_NO_TARGET (issue 24, item 2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from audit_helpers import mitigation as mit
from audit_helpers.config import FairnessConfig
from audit_helpers.fairness import audit_frame
from audit_helpers.config import MitigationConfig


def _frame(sex_counts: dict, race_counts: dict, seed: int = 0) -> pd.DataFrame:
    """One row per applicant: groups of the given sizes, scores, labels and decisions."""
    rng = np.random.default_rng(seed)
    n = sum(sex_counts.values())
    assert n == sum(race_counts.values())
    sex = np.repeat(list(sex_counts), list(sex_counts.values()))
    race = rng.permutation(np.repeat(list(race_counts), list(race_counts.values())))
    score = rng.beta(2.0, 3.0, n)
    return pd.DataFrame({
        "applicant_id": [f"A{i:04d}" for i in range(n)],
        "sex": sex,
        "race": race,
        "score": score,
        "y_true": (rng.random(n) < score).astype(int),
        "selected": (score >= 0.5).astype(int),
    })


def _run(frame: pd.DataFrame, *, splits=("eval",)) -> dict:
    """run_mitigation of a supplied model ``m`` audited on ``splits`` (each the same frame)."""
    fc = FairnessConfig()
    fairness = {"m": {s: audit_frame(frame, attributes=["sex", "race", "sex|race"], config=fc) for s in splits}}
    predictions = pd.concat([frame.assign(model="m", split=s) for s in splits], ignore_index=True)
    data = frame.rename(columns={"y_true": "advanced"})
    spec = {"id": "applicant_id", "label": "advanced", "positive_label": 1, "protected": ["sex", "race"],
            "model_features": ["score"], "numeric": ["score"], "categorical": [], "multilabel": {}}

    def never(name):
        raise AssertionError("nothing to judge: no model is loaded")

    return mit.run_mitigation(
        train=data, splits={s: data for s in splits}, predictions=predictions, feature_spec=spec,
        results={"data": {"positive_label": 1}, "models": {"m": {"source": "supplied", "threshold": 0.5}},
                 "fairness": fairness},
        config=MitigationConfig(), fairness_config=fc, model_config=None, load_model=never, random_state=1,
    )


def test_select_target_raises_its_own_error_with_where_it_looked():
    frame = _frame({"Female": 40, "Male": 40, "Unknown": 38},
                   {"White": 45, "Hispanic": 35, "Black": 16, "Asian": 12, "Unknown": 10})
    fairness = {"m": {"eval": audit_frame(frame, attributes=["sex", "race", "sex|race"], config=FairnessConfig())}}
    with pytest.raises(mit.NoTargetError, match="no fairness metric with a value to mitigate") as info:
        mit.select_target(fairness, split="eval", candidates=["sex", "race", "sex|race"])
    assert isinstance(info.value, ValueError)  # callers catching ValueError keep working
    assert (info.value.split, info.value.models, info.value.attributes) == ("eval", ["m"], ["sex", "race"])
    assert info.value.n_metrics == 10  # 5 gap metrics x 2 attributes (intersections are not automatic targets)


def test_every_group_under_the_minimum_gives_a_nothing_to_mitigate_section():
    # 118 applicants: every sex and race group is under fairness.min_group_n = 50
    frame = _frame({"Female": 40, "Male": 40, "Unknown": 38},
                   {"White": 45, "Hispanic": 35, "Black": 16, "Asian": 12, "Unknown": 10})
    section = _run(frame)
    assert section["target"] is None and section["strategies"] == {} and section["baselines"] == {}
    nothing = section["nothing_to_judge"]
    assert nothing["split"] == "eval" and list(nothing["attributes"]) == ["sex", "race"]
    assert nothing["attributes"]["sex"] == {
        "groups_known": 2, "groups_large_enough": 0, "min_group_n": 50, "largest_group": "Female", "largest_n": 40,
        "text": "sex: none of its 2 groups with a known value reaches 50 applicants (fairness.min_group_n); "
                "the largest, Female, has 40",
    }
    assert nothing["attributes"]["race"]["largest_group"] == "White" and nothing["attributes"]["race"]["largest_n"] == 45
    assert nothing["headline"] == mit.NOTHING_TO_JUDGE.format(n_metrics=10, models="m", split="eval")
    proposal = section["proposal"]
    assert proposal["decision"] == "none" and proposal["strategy"] is None and proposal["nothing_to_judge"] is True
    assert proposal["text"] == nothing["text"] and proposal["rule"] == mit.NOTHING_RULE
    assert proposal["counts"]["eval"]["insufficient"] == proposal["counts"]["eval"]["metrics"] == 15
    assert section["notes"] == ["no test split in this run: the target and the findings are read on the eval split"]
    # the findings box says so: the headline, one sentence per attribute, then where the call is made
    box = mit.step_findings(section)
    assert box == [nothing["headline"], nothing["attributes"]["sex"]["text"] + ".",
                   nothing["attributes"]["race"]["text"] + ".", mit.NOTHING_TAIL]
    assert mit.target_narrative(section) == mit.NO_TARGET.format(split="eval")
    assert mit.proposal_narrative(section, proposal) == nothing["text"]


def test_a_single_group_and_one_large_group_are_named_as_such():
    # sex: a single known group; race: only White reaches 50
    frame = _frame({"Female": 110, "Unknown": 8}, {"White": 80, "Black": 20, "Asian": 18})
    section = _run(frame, splits=("test", "eval"))
    per = section["nothing_to_judge"]["attributes"]
    assert section["nothing_to_judge"]["split"] == "test" and section["notes"] == []
    assert per["sex"]["text"] == ("sex: a single group with a known value (Female, 110 applicants): "
                                  "there is nothing to compare it with")
    assert per["race"]["groups_large_enough"] == 1
    assert per["race"]["text"] == ("race: only one of its 3 groups with a known value reaches 50 applicants "
                                   "(fairness.min_group_n): White, 80; a comparison needs two")
