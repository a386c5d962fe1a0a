"""A zoo of user files shaped like real ones, and the model a user would have trained on them.

Real users bring files with ids under any name, numeric codes, text codes with leading zeros,
survey weights, vendor scores, constant columns, unicode in names, tiny groups, protected
attributes partly missing, CSV or Parquet, pipelines or bare estimators. The project cannot
ship the public data sets, so :func:`make_case` builds their shapes: each case writes a train
and an eval file (CSV or Parquet), a fitted model (joblib, its sha256 in the params) and the
params mapping that audits it. :data:`CASES` lists the cases and what each exercises.

The model is fitted on the frame exactly as it is written to the file, so it expects its inputs
as the file holds them (text codes as text, integer codes as integers): that is the contract
the audit must keep.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


@dataclass(frozen=True)
class Case:
    """One shape of user files.

    Attributes mirror what real files vary in; ``what`` says what the case exercises.
    """

    name: str
    what: str
    fmt: str = "csv"  # csv | parquet
    n_train: int = 1500
    n_eval: int = 800
    protected: tuple = ("gender", "ethnicity")
    code_protected: bool = False  # protected attributes as integer codes
    protected_missing: float = 0.02  # share of missing protected values (first attribute)
    text_codes: bool = True  # the model uses a text code with leading zeros ('02139') as a category
    int_codes: bool = True  # ... and an integer-coded category (education 1-5)
    extras: bool = True  # id under another name, weight, vendor score, year, constant, date
    drop_extra_in_eval: bool = False  # eval lacks a column the model does not use
    estimator: str = "pipeline_lr"  # pipeline_lr | pipeline_rf | pipeline_gb | bare_lr
    positive: str = "1"  # "1" (int label), "yes" / "no" text labels: positive on either side of classes_
    unicode_names: bool = False  # spaces and non-ASCII letters in column names
    own_age_group: Optional[str] = None  # None | "listed" (user's age_group is protected) | "unlisted"
    unseen_regions: bool = False  # every eval applicant from a region the model never saw
    nullable: bool = False  # Parquet nullable Int64 and pandas categorical and bool columns
    question_marks: bool = False  # '?' for missing in a text input
    age_input: bool = True  # the model uses age
    gaps: bool = True  # missing values in a numeric input
    shape: str = "generic"  # generic | compas | hr: the columns of a public data set (see _compas_frame, _hr_frame)
    extra_params: dict = field(default_factory=dict)


CASES = [
    Case("csv_codes_extras", "CSV; text codes with leading zeros and integer codes as model inputs; id, weight, vendor score, year, constant, date columns the model does not use"),
    Case("parquet_typed", "Parquet with nullable Int64, pandas categorical and bool inputs", fmt="parquet", nullable=True),
    Case("eval_lacks_unused", "eval file without a column the model does not use", drop_extra_in_eval=True),
    Case("three_protected_coded", "three protected attributes as integer codes, the first 25% missing", protected=("sex", "race", "disability"), code_protected=True, protected_missing=0.25),
    Case("tiny", "about 100 rows: every group under the minimum size", n_train=120, n_eval=100),
    Case("positive_first", "text label whose positive value sorts first in classes_", positive="no"),
    Case("positive_second", "text label whose positive value sorts second in classes_", positive="yes"),
    Case("unicode_names", "spaces and non-ASCII letters in column names", unicode_names=True),
    Case("bare_estimator", "a bare LogisticRegression on numeric inputs without gaps (no pipeline)", estimator="bare_lr", text_codes=False, int_codes=False, gaps=False),
    Case("random_forest_parquet", "random-forest pipeline, Parquet", fmt="parquet", estimator="pipeline_rf"),
    Case("gradient_boosting", "gradient-boosting pipeline, '?' for missing in a text input", estimator="pipeline_gb", question_marks=True),
    Case("own_age_group_listed", "the user's own age_group column listed as a protected attribute", own_age_group="listed"),
    Case("own_age_group_unlisted", "the user's own age_group column, not listed", own_age_group="unlisted"),
    Case("unseen_regions", "every next-month applicant from a region the model never saw", unseen_regions=True),
    Case("compas_like", "criminal-justice shape (COMPAS): integer id, a name unique per row, the vendor's decile score, "
         "screening dates, its own age_cat; the model uses four columns", shape="compas", protected=("sex", "race"), extras=False),
    Case("hr_promotion_like", "HR-analytics promotion shape: employee_id, region codes 'region_22', names with '>' '%' '?', "
         "gender f/m, a rating with gaps; Parquet", shape="hr", fmt="parquet", protected=("gender",), extras=False),
]
BY_NAME = {c.name: c for c in CASES}

_REGIONS = ["02139", "02140", "10001", "60601", "94105", "00501"]
_NEW_REGIONS = ["73301", "30301", "85001"]


def _col(case: Case, name: str) -> str:
    if not case.unicode_names:
        return name
    return {"experience": "années d'expérience", "region": "région code", "education": "niveau éducation"}.get(name, name)


def _frame(case: Case, n: int, rng: np.random.Generator, *, next_month: bool) -> pd.DataFrame:
    sex = rng.choice(["Female", "Male"], size=n, p=[0.45, 0.55]).astype(object)
    eth = rng.choice(["White", "Black", "Asian", "Hispanic"], size=n, p=[0.55, 0.17, 0.12, 0.16]).astype(object)
    age = np.clip(rng.normal(37, 11, size=n).round(), 18, 75).astype(int)
    exp = np.clip(rng.gamma(2.0, 3.0, size=n), 0, 45).round(1)
    if case.gaps:
        exp[rng.random(n) < 0.05] = np.nan
    edu = rng.integers(1, 6, size=n)
    regions = _NEW_REGIONS if (next_month and case.unseen_regions) else _REGIONS
    region = rng.choice(regions, size=n).astype(object)
    logit = -1.2 + 0.12 * np.nan_to_num(exp, nan=4.0) + 0.35 * (edu - 3) - 0.5 * (eth == "Black") + 0.3 * (region == "02139")
    if case.age_input:
        logit = logit - 0.01 * (age - 37)
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    out = pd.DataFrame({"gender": sex, "ethnicity": eth, "age": age, _col(case, "experience"): exp})
    if case.int_codes:
        out[_col(case, "education")] = edu
    if case.text_codes:
        out[_col(case, "region")] = region
        if case.question_marks:
            out.loc[rng.random(n) < 0.05, _col(case, "region")] = "?"
    if case.protected_missing:
        out.loc[rng.random(n) < case.protected_missing, "gender"] = None
    if "disability" in case.protected or "sex" in case.protected:
        out = out.rename(columns={"gender": "sex", "ethnicity": "race"})
        out["disability"] = rng.choice(["no", "yes"], size=n, p=[0.9, 0.1]).astype(object)
    if case.code_protected:
        out["sex"] = out["sex"].map({"Male": 1, "Female": 2}).astype("Int64")
        out["race"] = out["race"].map({"White": 1, "Black": 2, "Asian": 3, "Hispanic": 4}).astype(np.int64)
        out["disability"] = out["disability"].map({"no": 0, "yes": 1}).astype(np.int64)
    if case.own_age_group:
        out["age_group"] = pd.cut(age, [0, 29, 49, 200], labels=["18-29", "30-49", "50+"]).astype(str)
    if case.extras:
        out.insert(0, "employee_id", [f"E{100000 + i}" for i in rng.permutation(n)])
        out["survey_weight"] = rng.uniform(0.5, 2.0, size=n).round(3)
        out["vendor_score"] = rng.uniform(0, 100, size=n).round(2)
        out["year"] = 2026 if next_month else 2025
        out["source_system"] = "ATS-7"
        out["hired_on"] = pd.Timestamp("2026-01-15" if next_month else "2025-06-01").strftime("%Y-%m-%d")
    if case.nullable:
        edu_col = _col(case, "education")
        out[edu_col] = out[edu_col].astype("Int64")
        out.loc[rng.random(n) < 0.03, edu_col] = pd.NA
        out["referred"] = rng.random(n) < 0.2
        out[_col(case, "region")] = out[_col(case, "region")].astype("category")
    if case.positive == "1":
        out["advanced"] = y.astype(int)
    elif case.positive == "yes":
        out["advanced"] = np.where(y, "yes", "no")
    else:  # the positive value "no" (e.g. "not rejected"), sorting first
        out["rejected"] = np.where(y, "no", "yes")
    return out


def _compas_frame(n: int, rng: np.random.Generator, *, next_month: bool) -> pd.DataFrame:
    """Columns and spelling of ProPublica's COMPAS two-year file; the values are drawn here."""
    race = rng.choice(["African-American", "Caucasian", "Hispanic", "Other", "Asian", "Native American"], size=n,
                      p=[0.51, 0.34, 0.08, 0.05, 0.01, 0.01])
    sex = rng.choice(["Male", "Female"], size=n, p=[0.81, 0.19])
    age = np.clip(rng.normal(34, 11, size=n).round(), 18, 80).astype(int)
    priors = rng.poisson(3.2, size=n)
    juv = rng.poisson(0.1, size=n)
    degree = rng.choice(["F", "M"], size=n, p=[0.64, 0.36])
    logit = -0.6 + 0.16 * priors - 0.035 * (age - 34) + 0.5 * juv + 0.2 * (degree == "F")
    recid = rng.random(n) < 1 / (1 + np.exp(-logit))
    decile = np.clip((priors / 2 + rng.integers(1, 6, size=n)).round(), 1, 10).astype(int)
    start = pd.Timestamp("2014-01-01" if next_month else "2013-01-01")
    return pd.DataFrame({
        "id": rng.permutation(n) + 1 + (10_000 if next_month else 0),
        "name": [f"person {i} {'x' if next_month else 'y'}" for i in range(n)],
        "sex": sex, "age": age,
        "age_cat": np.where(age < 25, "Less than 25", np.where(age > 45, "Greater than 45", "25 - 45")),
        "race": race, "juv_fel_count": juv, "priors_count": priors, "c_charge_degree": degree,
        "decile_score": decile, "score_text": np.where(decile >= 8, "High", np.where(decile >= 5, "Medium", "Low")),
        "compas_screening_date": (start + pd.to_timedelta(rng.integers(0, 300, size=n), unit="D")).strftime("%Y-%m-%d"),
        "two_year_recid": recid.astype(int),
    })


def _hr_frame(n: int, rng: np.random.Generator, *, next_month: bool) -> pd.DataFrame:
    """Columns and spelling of the public "HR analytics: employee promotion" file; values drawn here."""
    dept = rng.choice(["Sales & Marketing", "Operations", "Technology", "Analytics", "Procurement"], size=n)
    region = rng.choice([f"region_{k}" for k in (2, 7, 15, 22, 26, 31)], size=n)
    education = rng.choice(["Bachelor's", "Master's & above", "Below Secondary", None], size=n, p=[0.66, 0.27, 0.02, 0.05])
    gender = rng.choice(["m", "f"], size=n, p=[0.7, 0.3])
    rating = rng.choice([1.0, 2.0, 3.0, 4.0, 5.0, np.nan], size=n, p=[0.1, 0.08, 0.33, 0.18, 0.21, 0.1])
    kpi = (rng.random(n) < 0.35).astype(int)
    awards = (rng.random(n) < 0.03).astype(int)
    score = rng.integers(39, 100, size=n)
    logit = -4.0 + 1.6 * kpi + 1.5 * awards + 0.04 * (score - 63) + 0.2 * np.nan_to_num(rating - 3)
    promoted = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame({
        "employee_id": rng.permutation(n) + (80_000 if next_month else 1),
        "department": dept, "region": region, "education": education, "gender": gender,
        "recruitment_channel": rng.choice(["sourcing", "other", "referred"], size=n, p=[0.42, 0.55, 0.03]),
        "no_of_trainings": rng.integers(1, 5, size=n), "age": rng.integers(20, 60, size=n),
        "previous_year_rating": rating, "length_of_service": rng.integers(1, 30, size=n),
        "KPIs_met >80%": kpi, "awards_won?": awards, "avg_training_score": score,
        "is_promoted": promoted.astype(int),
    })


_SHAPES = {
    # shape: (builder, label, numeric inputs, categorical inputs)
    "compas": (_compas_frame, "two_year_recid", ["age", "juv_fel_count", "priors_count"], ["c_charge_degree"]),
    "hr": (_hr_frame, "is_promoted", ["no_of_trainings", "previous_year_rating", "length_of_service", "KPIs_met >80%",
                                      "awards_won?", "avg_training_score"], ["department", "region", "education", "recruitment_channel"]),
}


def _inputs(case: Case) -> tuple[list, list]:
    if case.shape != "generic":
        return list(_SHAPES[case.shape][2]), list(_SHAPES[case.shape][3])
    numeric = (["age"] if case.age_input else []) + [_col(case, "experience")]
    categorical = []
    if case.int_codes:  # a nullable Int64 code is used as a number (sklearn's imputers take pd.NA there only)
        (numeric if case.nullable else categorical).append(_col(case, "education"))
    if case.text_codes:
        categorical.append(_col(case, "region"))
    if case.nullable:
        categorical.append("referred")
    return numeric, categorical


def _model(case: Case, frame: pd.DataFrame, label: str, positive):
    numeric, categorical = _inputs(case)
    X = frame[numeric + categorical]
    y = frame[label].to_numpy()
    if case.estimator == "bare_lr":
        X = X.fillna(0)  # the user filled gaps before fitting (a file with gaps then cannot be scored)
        return LogisticRegression(max_iter=1000).fit(X, y), numeric + categorical
    final = {
        "pipeline_lr": LogisticRegression(max_iter=1000),
        "pipeline_rf": RandomForestClassifier(n_estimators=30, max_depth=6, random_state=0),
        "pipeline_gb": GradientBoostingClassifier(n_estimators=30, max_depth=3, random_state=0),
    }[case.estimator]
    pre = ColumnTransformer([
        ("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), numeric),
        ("cat", Pipeline([("impute", SimpleImputer(strategy="most_frequent")), ("onehot", OneHotEncoder(handle_unknown="ignore"))]), categorical),
    ])
    X = X.astype({c: object for c in categorical if str(X[c].dtype) == "category"})
    return Pipeline([("pre", pre), ("clf", final)]).fit(X, y), numeric + categorical


@dataclass
class Written:
    """What :func:`make_case` wrote: the params that audit it, the model and its inputs, and the
    frames exactly as they were written (the model was fitted on ``train`` as it is)."""

    params: dict
    features: list
    model: object
    train: pd.DataFrame
    eval: pd.DataFrame
    folder: Path


def make_case(case: Case | str, folder: Path, *, seed: int = 0) -> Written:
    """Write the case's files and model into ``folder``; return what was written."""
    case = BY_NAME[case] if isinstance(case, str) else case
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    build = _frame if case.shape == "generic" else (lambda c, n, r, next_month: _SHAPES[c.shape][0](n, r, next_month=next_month))
    train = build(case, case.n_train, rng, next_month=False)
    ev = build(case, case.n_eval, rng, next_month=True)
    if case.drop_extra_in_eval:
        ev = ev.drop(columns=["vendor_score"])
    label = "rejected" if case.positive == "no" else ("advanced" if case.shape == "generic" else _SHAPES[case.shape][1])
    positive = {"1": 1, "yes": "yes", "no": "no"}[case.positive]
    model, features = _model(case, train, label, positive)
    suffix = ".parquet" if case.fmt == "parquet" else ".csv"
    paths = {}
    for name, frame in (("train", train), ("eval", ev)):
        path = folder / f"{name}{suffix}"
        if case.fmt == "parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False)
        paths[name] = path
    model_path = folder / "model.joblib"
    joblib.dump(model, model_path)
    sha = hashlib.sha256(model_path.read_bytes()).hexdigest()
    protected = list(case.protected) if case.own_age_group != "listed" else [*case.protected, "age_group"]
    if "sex" in protected or "disability" in case.protected:
        protected = [p for p in ["sex", "race", "disability"] if p in case.protected or p in protected] + (["age_group"] if case.own_age_group == "listed" else [])
    params = {
        "run": {"name": case.name, "render_pdf": False},
        "report": {"audit_date": "2026-12-01"},
        "data": {
            "source": "files",
            "train_path": str(paths["train"]),
            "eval_path": str(paths["eval"]),
            "label": label,
            "positive_label": positive,
            "protected_attributes": protected,
        },
        "model": {"path": str(model_path), "sha256": sha, "name": case.name, "threshold": 0.5},
    }
    params["data"].update(case.extra_params.get("data", {}))
    return Written(params=params, features=features, model=model, train=train, eval=ev, folder=folder)
