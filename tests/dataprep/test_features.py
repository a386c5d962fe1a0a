"""Feature-type inference for supplied files."""

import pandas as pd

from audit_helpers.dataprep import infer_feature_types


def test_infer_feature_types():
    df = pd.DataFrame({"a": ["1", "2", "3"], "b": ["0", "1", "1"], "c": ["x;y", "y", ""], "d": ["p", "q", "p"], "id": ["1", "2", "3"]})
    assert infer_feature_types(df, exclude=["id"]) == (["a"], ["b", "d"], {"c": ";"})
