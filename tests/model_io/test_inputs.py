"""What a supplied model expects of its inputs, read off its fitted state (model_io.input_kinds)."""

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from audit_helpers.model_io import input_kinds

_X = pd.DataFrame({
    "zip": ["02139", "10001", "02139", "60601"] * 5,
    "grade": [1, 2, 3, 2] * 5,
    "years": [1.5, 2.0, np.nan, 7.0] * 5,
    "tag": ["a", "b", "a", None] * 5,
})
_Y = np.array([0, 1, 1, 0] * 5)


def test_names_encoders_and_imputers():
    pre = ColumnTransformer([
        ("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), ["years"]),
        ("zip", OneHotEncoder(handle_unknown="ignore"), ["zip"]),
        ("grade", Pipeline([("impute", SimpleImputer(strategy="most_frequent")), ("ord", OrdinalEncoder())]), ["grade"]),
        ("tag", Pipeline([("impute", SimpleImputer(strategy="constant", fill_value="none")), ("oh", OneHotEncoder())]), ["tag"]),
    ])
    model = Pipeline([("pre", pre), ("clf", LogisticRegression())]).fit(_X, _Y)
    assert input_kinds(model, list(_X.columns)) == {"years": "number", "zip": "text", "grade": "code", "tag": "text"}


def test_positions_masks_and_a_passthrough_remainder():
    pre = ColumnTransformer([("zip", OneHotEncoder(), [0]), ("grade", OneHotEncoder(), [False, True, False, False])],
                            remainder="passthrough")
    model = Pipeline([("pre", pre), ("clf", HistGradientBoostingClassifier(max_iter=5))]).fit(_X[["zip", "grade", "years"]].assign(tag=0), _Y)
    assert input_kinds(model, ["zip", "grade", "years", "tag"]) == {"zip": "text", "grade": "code"}


def test_a_model_without_encoders_states_nothing():
    model = LogisticRegression().fit(_X[["grade"]], _Y)
    assert input_kinds(model, ["grade"]) == {}
    # an imputer whose indicator adds columns ends the walk: the scaler after it is not read as column-wise
    pipe = Pipeline([("impute", SimpleImputer(add_indicator=True)), ("clf", LogisticRegression())]).fit(_X[["years"]], _Y)
    assert input_kinds(pipe, ["years"]) == {"years": "number"}
