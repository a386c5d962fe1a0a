"""Number formatting for prose and tables (audit_helpers._common.text)."""

from __future__ import annotations

import pytest

from audit_helpers._common.text import MISSING, fmt_ci, fmt_count, fmt_num, fmt_p, fmt_pct, fmt_pp, fmt_signed

FORMATTERS = [fmt_num, fmt_pct, fmt_pp, fmt_signed, fmt_p, fmt_ci, fmt_count]


def test_missing_marker():
    assert MISSING == "n/a"


@pytest.mark.parametrize("fmt", FORMATTERS, ids=lambda f: f.__name__)
def test_none_prints_missing_or_the_custom_marker(fmt):
    assert fmt(None) == MISSING
    assert fmt(None, missing="—") == "—"
    assert fmt(None, missing="") == ""


def test_fmt_num():
    assert fmt_num(0.8123) == "0.812"
    assert fmt_num(0.8125, 2) == "0.81"
    assert fmt_num(-1.0) == "-1.000"
    assert fmt_num(0) == "0.000"
    assert fmt_num(12.3456, digits=1) == "12.3"
    assert fmt_num(0.5, missing="x") == "0.500"


def test_fmt_pct():
    assert fmt_pct(0.271) == "27.1%"
    assert fmt_pct(1.0) == "100.0%"
    assert fmt_pct(0.0) == "0.0%"
    assert fmt_pct(0.12345, 2) == "12.35%"
    assert fmt_pct(0.5, digits=0) == "50%"


def test_fmt_pp():
    assert fmt_pp(-0.012) == "-1.2 pp"
    assert fmt_pp(0.034) == "+3.4 pp"
    assert fmt_pp(0.0) == "+0.0 pp"
    assert fmt_pp(0.01234, 2) == "+1.23 pp"


def test_fmt_signed():
    assert fmt_signed(-0.021, scale=100, unit=" pp") == "-2.1 pp"
    assert fmt_signed(0.021, scale=100, unit=" pp") == "+2.1 pp"
    assert fmt_signed(1.25, digits=2) == "+1.25"
    assert fmt_signed(-3.0) == "-3.0"
    assert fmt_signed(0) == "+0.0"
    # -0.0, and negatives that round to zero, print as +0.0
    assert fmt_signed(-0.0) == "+0.0"
    assert fmt_signed(-0.0004, scale=100) == "+0.0"
    assert fmt_signed(-0.0004, scale=100, unit=" pp") == "+0.0 pp"
    assert fmt_signed(-0.004, digits=2) == "+0.00"
    assert fmt_signed(-0.006, digits=2) == "-0.01"


def test_fmt_p():
    assert fmt_p(0.0123) == "0.012"
    assert fmt_p(0.05) == "0.050"
    assert fmt_p(1.0) == "1.000"
    assert fmt_p(0.001) == "0.001"
    # below 0.001, even when three decimals would round up to 0.001
    assert fmt_p(0.0009996) == "< 0.001"
    assert fmt_p(0.0004) == "< 0.001"
    assert fmt_p(1e-300) == "< 0.001"
    assert fmt_p(0.0) == "< 0.001"


def test_fmt_ci():
    assert fmt_ci([0.7123, 0.8011]) == "0.712 to 0.801"
    assert fmt_ci((0.7123, 0.8011), 1) == "0.7 to 0.8"
    assert fmt_ci([-0.05, 0.1], sep=", ") == "-0.050, 0.100"
    assert fmt_ci([0.0, 0.0]) == "0.000 to 0.000"  # zero ends are defined values
    for undefined in ([None, 0.5], (0.1, None), [None, None], [], ()):
        assert fmt_ci(undefined) == MISSING
        assert fmt_ci(undefined, missing="—") == "—"


def test_fmt_count():
    assert fmt_count(25000) == "25,000"
    assert fmt_count(0) == "0"
    assert fmt_count(999) == "999"
    assert fmt_count(1234567) == "1,234,567"
    assert fmt_count(1234.6) == "1,235"  # weighted counts are rounded
    assert fmt_count(-1200) == "-1,200"
