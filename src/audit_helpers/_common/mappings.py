"""Nested mappings: the one deep merge (parameter files with ``--set``; results with new sections)."""

from __future__ import annotations

import copy
from typing import Mapping

def deep_merge(base: Mapping, update: Mapping) -> dict:
    """Recursively merge ``update`` into a copy of ``base`` (mappings merge, the rest replaces).

    Neither argument is modified; values are deep-copied, so the result shares nothing with them.
    """
    merged = copy.deepcopy(dict(base))
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
