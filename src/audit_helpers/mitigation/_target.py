"""Which gap to mitigate: the declared rule over the fairness results of notebook 03."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, Mapping, Optional, Sequence

from ._names import ACTIONABLE_METRICS, GAP_METRICS, RATIO_METRICS
from ._findings import FINDING_STATUSES, adjusted_p_value, collect_findings, count_statuses, metric_statuses

ERR_NO_FAIRNESS = (
    "no fairness results for split {split!r}: run notebook 03 (fairness) before 05 (mitigation)."
)
ERR_UNKNOWN_MODEL = "target_model {value!r} has no fairness results; available: {available}."
ERR_UNKNOWN_ATTRIBUTE = "target_attribute {value!r} was not audited; available: {available}."
ERR_NO_TARGET = "no fairness metric with a value to mitigate among {metrics} (all undefined)."


class NoTargetError(ValueError):
    """No candidate metric has a value: nothing to mitigate (:data:`ERR_NO_TARGET`).

    Raised by :func:`select_target`; the mitigation step catches it and reports that there is
    nothing to judge. Its attributes say where the search looked.

    Attributes
    ----------
    split : str
    models : list of str
        The models searched.
    attributes : list of str
        The attributes searched (in the order of ``candidates``, else sorted).
    n_metrics : int
        The candidate metrics of every (model, attribute) searched, all undefined.
    """

    def __init__(self, message: str, *, split: str, models: Sequence[str], attributes: Sequence[str], n_metrics: int):
        super().__init__(message)
        self.split, self.models, self.attributes, self.n_metrics = split, list(models), list(attributes), n_metrics


def _disparity(metric: str, value: Optional[float]) -> Optional[float]:
    """Distance from parity on one scale: the gap, or ``1 - ratio`` for the ratio metrics."""
    if value is None:
        return None
    return 1.0 - value if metric in RATIO_METRICS else value


def select_target(
    fairness: Mapping[str, Any],
    *,
    attribute: str = "auto",
    metric: str = "auto",
    model: str = "auto",
    split: str = "test",
    include_intersections: bool = False,
    separator: str = "|",
    candidates: Optional[Sequence[str]] = None,
) -> dict:
    """Pick the gap to mitigate from the fairness results of notebook 03.

    Rule: among the candidate (model, attribute, metric) triples on ``split``, take the one
    with the largest disparity among the metrics that are ``flagged`` (by their own status or
    by a flagged per-group comparison of their quantity, see :mod:`._findings`), preferring
    the metrics the strategies act on (selection and error rates) over a calibration gap: a
    flagged calibration gap is the target only when nothing else is flagged, and the proposal
    names it for a label review either way. If none is flagged, the largest disparity overall
    (again preferring selection and error rates; the result says so). Disparity is the gap for
    TPR/FPR/calibration gaps and ``1 - ratio`` for the demographic-parity ratio and the lowest
    impact ratio, so 0 is parity on both scales. Ties go to the first in sorted (model,
    attribute, metric) order.

    Parameters
    ----------
    fairness : mapping
        ``audit_results.json["fairness"]``: ``<model>.<split>.<attribute>.metrics``.
    attribute, metric, model : str, default "auto"
        Fix one coordinate of the target instead of searching it.
    split : str, default "test"
    include_intersections : bool, default False
        With ``attribute="auto"``, also consider intersections (keys holding ``separator``).
        Off by default: the min/max over many small intersectional groups is dominated by
        sampling noise, so the search would favour them for that reason alone.
    separator : str, default "|"
    candidates : sequence of str, optional
        With ``attribute="auto"``, the attributes the search may pick (default: every audited
        one). The audit passes the declared protected attributes and their intersection, so
        the age add-on is targeted only when named.

    Returns
    -------
    dict
        ``model``, ``attribute``, ``metric``, ``split``, ``value``, ``ci_low``, ``ci_high``,
        ``p_value``, ``p_value_adjusted``, ``status`` (effective), ``metric_status`` (the
        metric's own), ``groups``, ``disparity``, ``flagged``, ``actionable`` (the strategies
        act on the metric; False for a calibration gap), ``n_flagged`` (flagged candidates),
        ``reason``.

    Raises
    ------
    NoTargetError
        When no candidate metric has a value (:data:`ERR_NO_TARGET`).
    """
    models = sorted(fairness)
    if model != "auto":
        if model not in fairness:
            raise ValueError(ERR_UNKNOWN_MODEL.format(value=model, available=models))
        models = [model]
    metrics = list(GAP_METRICS) if metric == "auto" else [metric]
    wanted = partial(
        _wanted_attribute, attribute=attribute, include_intersections=include_intersections, separator=separator,
        candidates=candidates,
    )
    found, seen_split, available_attrs = _collect(fairness, models, metrics, split, wanted)
    if not seen_split:
        raise ValueError(ERR_NO_FAIRNESS.format(split=split))
    if attribute != "auto" and attribute not in available_attrs:
        raise ValueError(ERR_UNKNOWN_ATTRIBUTE.format(value=attribute, available=sorted(available_attrs)))
    if not found:
        order = list(candidates) if candidates is not None else sorted(available_attrs)  # the declared order
        searched = [a for a in order if a in available_attrs and wanted(a)]
        raise NoTargetError(ERR_NO_TARGET.format(metrics=metrics), split=split, models=models, attributes=searched,
                            n_metrics=len(metrics) * len(searched) * len(models))
    flagged = [c for c in found if c[4] == "flagged"]
    pool = _prefer_actionable(flagged) or _prefer_actionable(found)
    best = max(pool, key=lambda c: (_disparity(c[2], c[3]["value"]), -pool.index(c)))
    reason = _reason(flagged, pool, split, restricted=attribute != "auto" or metric != "auto" or model != "auto")
    return _target_entry(best, split, flagged, reason)


def _target_entry(best: tuple, split: str, flagged: Sequence[tuple], reason: str) -> dict:
    """The result of :func:`select_target` for the chosen candidate ``best``."""
    m, attr, name, entry, status = best
    return {
        "model": m,
        "attribute": attr,
        "metric": name,
        "split": split,
        "value": entry.get("value"),
        "ci_low": entry.get("ci_low"),
        "ci_high": entry.get("ci_high"),
        "p_value": entry.get("p_value"),
        "p_value_adjusted": adjusted_p_value(entry),
        "status": status,
        "metric_status": entry.get("status"),
        "groups": list(entry.get("groups", []) or []),
        "disparity": _disparity(name, entry.get("value")),
        "flagged": bool(flagged),
        "actionable": name in ACTIONABLE_METRICS,
        "n_flagged": len(flagged),
        "reason": reason,
    }


def _prefer_actionable(pool: Sequence[tuple]) -> list[tuple]:
    """The entries of ``pool`` whose metric the strategies act on, or all of them if there are none."""
    acting = [c for c in pool if c[2] in ACTIONABLE_METRICS]
    return acting or list(pool)


def mitigation_findings(
    fairness: Mapping[str, Any],
    *,
    attribute: str = "auto",
    metric: str = "auto",
    model: str = "auto",
    split: str = "test",
    include_intersections: bool = False,
    separator: str = "|",
    candidates: Optional[Sequence[str]] = None,
) -> dict:
    """The findings the proposal must account for: every flagged, watch and review metric on ``split``.

    Same arguments as :func:`select_target`; each finding records whether that search could
    have picked it (``candidate``), so the proposal can name flagged findings it does not target
    (intersections, the age add-on, a restricted search) with the reason.

    Returns
    -------
    dict
        ``split``, ``flagged``, ``watch``, ``review`` (lists of findings, see
        :func:`collect_findings`), ``counts`` (``{split: count_statuses}`` for every audited
        split, so flags on next month's data are counted too) and ``statuses`` (the words, defined).
    """
    wanted = partial(
        _wanted_attribute, attribute=attribute, include_intersections=include_intersections, separator=separator,
        candidates=candidates,
    )

    def is_candidate(m: str, attr: str, name: str) -> bool:
        return (model in ("auto", m)) and (metric in ("auto", name)) and wanted(attr)

    found = collect_findings(fairness, split=split, is_candidate=is_candidate)
    splits = sorted({s for m in fairness.values() for s in (m or {})})
    out: dict[str, Any] = {"split": split}
    for status in FINDING_STATUSES:
        out[status] = [f for f in found if f["status"] == status]
    out["counts"] = {s: count_statuses(fairness, split=s) for s in splits}
    return out


def _wanted_attribute(
    attr: str, *, attribute: str, include_intersections: bool, separator: str, candidates: Optional[Sequence[str]]
) -> bool:
    """Whether the search of :func:`select_target` looks at attribute ``attr``."""
    if attribute != "auto" and attr != attribute:
        return False
    if attribute == "auto" and not include_intersections and separator in attr:
        return False
    if attribute == "auto" and candidates is not None and attr not in candidates:
        return False
    return True


def _collect(
    fairness: Mapping[str, Any],
    models: Sequence[str],
    metrics: Sequence[str],
    split: str,
    wanted: Callable[[str], bool],
) -> tuple[list[tuple], bool, set[str]]:
    """Every (model, attribute, metric, entry, effective status) with a value on ``split``, in sorted order.

    Returns
    -------
    (list of tuple, bool, set of str)
        The candidates, whether any model has results on ``split``, and every attribute
        audited there.
    """
    found = []
    seen_split = False
    available_attrs: set[str] = set()
    for m in models:
        blocks = fairness[m].get(split)
        if not blocks:
            continue
        seen_split = True
        available_attrs.update(blocks)
        for attr in sorted(blocks):
            if not wanted(attr):
                continue
            block_metrics = blocks[attr].get("metrics", {})
            statuses = metric_statuses(blocks[attr])
            for name in metrics:
                entry = block_metrics.get(name)
                if not entry or entry.get("value") is None:
                    continue
                found.append((m, attr, name, entry, statuses.get(name)))
    return found, seen_split, available_attrs


def _reason(flagged: Sequence[tuple], pool: Sequence[tuple], split: str, *, restricted: bool) -> str:
    """Why the target was chosen, in words."""
    if flagged:
        reason = f"largest disparity among the {len(flagged)} flagged metrics on {split}"
        if len(pool) < len(flagged):
            reason += (
                f" whose selection or error rates a strategy can act on ({len(flagged) - len(pool)} flagged "
                "calibration gap(s) are named for a label review instead)"
            )
        elif pool and all(c[2] not in ACTIONABLE_METRICS for c in pool):
            reason += " (only calibration gaps are flagged: evidence about the labels, named for a label review)"
    else:
        reason = (
            f"largest disparity among the {len(pool)} candidate metrics on {split} "
            f"(none of them is flagged)"
        )
    if restricted:
        reason += " (restricted by the mitigation parameters)"
    return reason
