"""Calendar arithmetic shared by the decision's conditions and the monitoring plan (standard library)."""

from __future__ import annotations

import calendar as _calendar
import datetime as _dt

def add_months(day: _dt.date, months: int) -> _dt.date:
    """``day`` plus ``months`` calendar months (the day is clipped to the month's length)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return _dt.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))
