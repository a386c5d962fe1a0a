"""Small array helpers of the fairness blocks: safe ratios, JSON-ready values."""

from __future__ import annotations

from typing import Optional, Union

import numpy as np


# index of the confusion cells once (y_true, selected) is flattened: 2 * y + selected
_TN, _FP, _FN, _TP = 0, 1, 2, 3


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _num(x: float, integer: bool) -> Union[int, float]:
    return int(round(x)) if integer else float(x)


def _opt(x: float) -> Optional[float]:
    return float(x) if np.isfinite(x) else None


def _pair(lo: float, hi: float) -> Optional[list]:
    """``[lo, hi]`` as floats, or ``None`` when either end is undefined."""
    return [float(lo), float(hi)] if np.isfinite(lo) and np.isfinite(hi) else None


def _fmt(x: float) -> str:
    return f"{x:.3g}"
