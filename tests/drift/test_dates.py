"""Dates are not drift features: the declared date column, datetime dtypes and ISO-date text."""


import numpy as np
import pandas as pd

from audit_helpers import drift


def _frame(n=200, seed=0):
    rng = np.random.default_rng(seed)
    days = pd.to_datetime("2013-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    return pd.DataFrame({
        "screening_date": days.strftime("%Y-%m-%d").astype(object),
        "c_jail_in": days.strftime("%Y-%m-%d %H:%M:%S").astype(object),
        "stamp": days,
        "day": [d.date() for d in days],
        "application_date": days.strftime("%Y-%m-%d"),
        "priors": rng.integers(0, 9, n),
        "charge": rng.choice(["F", "M"], n).astype(object),
        "version": rng.choice(["2013-01", "2014-02"], n).astype(object),  # not a full date
    })


def test_date_columns_rule():
    frame = _frame()
    spec = {"date": "application_date"}
    found = drift.date_columns(spec, frame, list(frame.columns))
    assert set(found) == {"screening_date", "c_jail_in", "stamp", "day", "application_date"}
    assert found["application_date"].startswith("the declared date column")
    assert "datetime dtype" in found["stamp"] and "ISO-8601" in found["screening_date"]


def test_monitored_columns_skip_dates_even_when_listed():
    frame = _frame()
    spec = {"model_features": ["screening_date", "priors", "charge", "stamp"], "numeric": ["priors"], "categorical": ["charge"]}
    assert drift.monitored_columns(spec, frame) == (["priors"], ["charge"], {})
    assert drift.monitored_columns(spec, frame, features=["screening_date", "version"]) == ([], ["version"], {})
    assert drift.ISO_DATE.match("2013-08-14T10:00:00Z") and not drift.ISO_DATE.match("14/08/2013")
