"""The one deep merge of nested mappings."""

from __future__ import annotations

from audit_helpers._common.mappings import deep_merge


def test_deep_merge_merges_mappings_and_copies():
    base = {"a": {"b": 1, "c": [1]}, "d": 2}
    update = {"a": {"c": [2], "e": {"f": 3}}, "d": {"g": 4}}
    out = deep_merge(base, update)
    assert out == {"a": {"b": 1, "c": [2], "e": {"f": 3}}, "d": {"g": 4}}
    out["a"]["e"]["f"] = 99
    assert update["a"]["e"]["f"] == 3 and base == {"a": {"b": 1, "c": [1]}, "d": 2}
