import datetime as dt

import pytest

from audit_helpers._common.dates import add_months


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (dt.date(2027, 1, 31), 1, dt.date(2027, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),  # leap year
        (dt.date(2026, 12, 1), 6, dt.date(2027, 6, 1)),
        (dt.date(2026, 12, 1), 12, dt.date(2027, 12, 1)),
        (dt.date(2026, 8, 31), 18, dt.date(2028, 2, 29)),
        (dt.date(2026, 5, 15), 0, dt.date(2026, 5, 15)),
    ],
)
def test_add_months_clips_the_day_to_the_month(day, months, expected):
    assert add_months(day, months) == expected
