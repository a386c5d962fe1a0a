"""Drift of the model score, the label, the selection rate by group, and within-group PSI."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from ._bins import FeatureBins, compare_bins, compare_counts, fit_bins
from ..config import DriftConfig
from ._profile import COUNT_SUFFIX, ReferenceProfile
from .._common.groups import INTERSECTION_SEP, group_labels
from .._common.stats import holm_adjust
from ._stats import proportion_change

MISSING_PREDICTION_COLUMNS = "predictions lack columns {cols}"
UNMATCHED_IDS = (
    "{n} prediction row(s) of model {model!r} on split {split!r} have no matching applicant in the {split} data: "
    "the predictions and the prepared split disagree on ids"
)
NO_MODEL_ROWS = "no prediction rows for model {model!r} on split {split!r}"
#: Separator of the labels of an intersection of two attributes (DESIGN.md).
PREDICTION_COLUMNS = ("model", "split", "score", "selected")
STATUS_ORDER = {"red": 0, "amber": 1, "green": 2}


def _check_predictions(predictions: pd.DataFrame, extra: Sequence[str] = ()) -> None:
    missing = [c for c in (*PREDICTION_COLUMNS, *extra) if c not in predictions.columns]
    if missing:
        raise ValueError(MISSING_PREDICTION_COLUMNS.format(cols=missing))


def _model_split(predictions: pd.DataFrame, model: str, split: str) -> pd.DataFrame:
    rows = predictions[(predictions["model"] == model) & (predictions["split"] == split)]
    if rows.empty:
        raise ValueError(NO_MODEL_ROWS.format(model=model, split=split))
    return rows


def score_drift(
    predictions: pd.DataFrame,
    *,
    config: Optional[DriftConfig] = None,
    reference_split: str = "test",
    current_split: str = "eval",
) -> tuple[dict[str, dict], dict[str, FeatureBins]]:
    """Drift of each model's score between two splits.

    The reference is the score on the held-out ``test`` split of the training period (train
    scores are in-sample and would be optimistic); the bins are its deciles, frozen.

    Parameters
    ----------
    predictions : pandas.DataFrame
        Long-format predictions (``model``, ``split``, ``score``, ``selected``).
    config : DriftConfig, optional
    reference_split, current_split : str

    Returns
    -------
    entries : dict of str to dict
        Drift entry per model (same shape as a feature entry, plus ``model`` and mean scores).
    bins : dict of str to FeatureBins
        The frozen score bins per model (for the reference profile).
    """
    config = config or DriftConfig()
    _check_predictions(predictions)
    entries, bins = {}, {}
    for model in sorted(predictions["model"].unique().tolist()):
        ref = _model_split(predictions, model, reference_split)["score"]
        cur = _model_split(predictions, model, current_split)["score"]
        b = fit_bins(ref, kind="numeric", name=f"score:{model}", source="score", n_bins=config.n_bins)
        entry = compare_bins(b, cur, config=config)
        entry.update(
            model=model,
            reference_split=reference_split,
            current_split=current_split,
            mean_reference=float(np.nanmean(ref.to_numpy(dtype=float))),
            mean_current=float(np.nanmean(cur.to_numpy(dtype=float))),
        )
        entries[model], bins[model] = entry, b
    return entries, bins


def label_drift(
    reference_labels,
    current_labels,
    *,
    config: Optional[DriftConfig] = None,
    positive_label: Any = 1,
) -> tuple[dict, FeatureBins]:
    """Drift of the label distribution and change of the base rate between two periods.

    Parameters
    ----------
    reference_labels, current_labels : array-like
        Labels (0/1) of the reference period (held-out ``test``) and of the current period;
        missing labels (outcomes not yet known) land in MISSING and are left out of the rates.
    config : DriftConfig, optional
    positive_label : default=1

    Returns
    -------
    entry : dict
        Categorical drift entry plus ``base_rate_reference``, ``base_rate_current``,
        ``base_rate_change`` (``difference`` with its Newcombe interval, ``ci_level``,
        ``ci_method``, ``p_value`` and ``test``).
    bins : FeatureBins
    """
    config = config or DriftConfig()
    ref = pd.Series(reference_labels).reset_index(drop=True)
    cur = pd.Series(current_labels).reset_index(drop=True)
    b = fit_bins(ref, kind="categorical", name="label", n_bins=config.n_bins)
    entry = compare_bins(b, cur, config=config)
    ref_known, cur_known = ref.dropna(), cur.dropna()
    change = proportion_change(
        int((ref_known == positive_label).sum()), int(ref_known.size),
        int((cur_known == positive_label).sum()), int(cur_known.size),
        ci_level=config.ci_level,
    )
    entry.update(
        base_rate_reference=change["reference_rate"],
        base_rate_current=change["current_rate"],
        base_rate_change={
            k: change[k] for k in ("difference", "ci_low", "ci_high", "ci_level", "ci_method", "p_value", "test", "notes")
        },
    )
    return entry, b


def selection_rate_drift(
    predictions: pd.DataFrame,
    reference_frame: pd.DataFrame,
    current_frame: pd.DataFrame,
    *,
    id_column: str,
    attributes: Sequence[str],
    config: Optional[DriftConfig] = None,
    reference_split: str = "test",
    current_split: str = "eval",
) -> tuple[dict, dict]:
    """Selection rate per model, overall and by group, reference period vs current period.

    Parameters
    ----------
    predictions : pandas.DataFrame
        Long-format predictions with ``id_column``.
    reference_frame, current_frame : pandas.DataFrame
        The reference (``test``) and current (``eval``) splits holding the attribute columns.
    id_column : str
    attributes : sequence of str
        Attribute columns, or intersections ``"a|b"``.
    config : DriftConfig, optional
    reference_split, current_split : str

    Returns
    -------
    overall : dict
        ``{model: change}`` of the overall selection rate.
    by_group : dict
        ``{model: {attribute: {group: change}}}`` where each change holds ``n_ref``,
        ``n_cur``, ``selected_ref``, ``selected_cur``, ``reference_rate``, ``current_rate``,
        ``difference`` (current - reference) with its Newcombe interval (``ci_low``, ``ci_high``,
        ``ci_level``, ``ci_method``), ``p_value``, ``test`` and
        ``p_value_holm`` (Holm across every group and attribute of the model).
    """
    config = config or DriftConfig()
    _check_predictions(predictions, extra=[id_column])
    overall: dict[str, dict] = {}
    by_group: dict[str, dict] = {}
    parts = {c for a in attributes for c in a.split(INTERSECTION_SEP)}
    # only the columns the groups need are joined (a missing one is reported by group_labels)
    frames = {key: frame[[id_column, *(c for c in frame.columns if c in parts and c != id_column)]]
              for key, frame in (("ref", reference_frame), ("cur", current_frame))}
    for model in sorted(predictions["model"].unique().tolist()):
        periods = {}
        for key, split in (("ref", reference_split), ("cur", current_split)):
            rows = _model_split(predictions, model, split)[[id_column, "selected"]]
            periods[key] = rows.merge(frames[key], on=id_column, how="inner", validate="one_to_one")
            if len(periods[key]) != len(rows):
                raise ValueError(UNMATCHED_IDS.format(n=len(rows) - len(periods[key]), model=model, split=split))
        ref, cur = periods["ref"], periods["cur"]
        change = proportion_change(int(ref["selected"].sum()), len(ref), int(cur["selected"].sum()), len(cur),
                                   ci_level=config.ci_level)
        overall[model] = {"n_ref": len(ref), "n_cur": len(cur), **change}
        cells = []
        block: dict[str, dict] = {}
        for attribute in attributes:
            g_ref = group_labels(ref, attribute)
            g_cur = group_labels(cur, attribute)
            groups = sorted(set(g_ref.unique().tolist()) | set(g_cur.unique().tolist()))
            block[attribute] = {}
            for group in groups:
                mr, mc = (g_ref == group).to_numpy(), (g_cur == group).to_numpy()
                sel_r, sel_c = int(ref["selected"].to_numpy()[mr].sum()), int(cur["selected"].to_numpy()[mc].sum())
                n_r, n_c = int(mr.sum()), int(mc.sum())
                change = proportion_change(sel_r, n_r, sel_c, n_c, ci_level=config.ci_level)
                block[attribute][group] = {"n_ref": n_r, "n_cur": n_c, "selected_ref": sel_r,
                                           "selected_cur": sel_c, **change}
                cells.append(block[attribute][group])
        adjusted = holm_adjust([c["p_value"] for c in cells])
        for cell, p in zip(cells, adjusted):
            cell["p_value_holm"] = p
        by_group[model] = block
    return overall, by_group


def _compact(entry: Mapping[str, Any]) -> dict:
    keys = ("psi", "kl_ref_cur", "kl_cur_ref", "critical_99", "critical_999", "bins_tested", "status",
            "n_ref", "n_cur", "reference_counts", "current_counts", "contributions")
    return {k: entry[k] for k in keys}


def within_group_psi(
    profile: ReferenceProfile,
    reference_df: pd.DataFrame,
    current_df: pd.DataFrame,
    *,
    attribute: str,
    features: Iterable[str],
    config: Optional[DriftConfig] = None,
) -> dict[str, dict]:
    """PSI of selected features within each group of a protected attribute.

    The group's reference rows are counted into the *global* frozen bins of the profile
    (so the monitor can reproduce it); the critical values use the group's own sample sizes.

    Parameters
    ----------
    profile : ReferenceProfile
    reference_df, current_df : pandas.DataFrame
        Reference (train) and current (eval) samples holding ``attribute``.
    attribute : str
        Attribute column or intersection ``"a|b"``.
    features : iterable of str
        Entry names of ``profile.features``.
    config : DriftConfig, optional
        ``min_group_n`` gates small groups (both periods).

    Returns
    -------
    dict
        ``{group: {feature: entry}}``. A reported entry holds ``psi``, both KLs, critical
        values, ``bins_tested``, ``status``, ``n_ref``, ``n_cur`` and the counts; a group below
        ``min_group_n`` in either period gets ``psi``/``status`` ``None`` and a ``reason``.
    """
    config = config or DriftConfig()
    features = list(features)
    ref_codes, ref_groups = pd.factorize(group_labels(reference_df, attribute))
    cur_codes, cur_groups = pd.factorize(group_labels(current_df, attribute))
    ref_code, cur_code = ({g: i for i, g in enumerate(groups.tolist())} for groups in (ref_groups, cur_groups))
    prepared = {}
    for name in features:
        bins = profile.features[name]
        key = (bins.source, bins.transform == "value")
        if key not in prepared:
            prepared[key] = (bins.prepare(reference_df[bins.source]), bins.prepare(current_df[bins.source]))
    out: dict[str, dict] = {}
    for group in sorted(set(ref_code) | set(cur_code)):  # masks from the codes: one string pass per period
        mr, mc = ref_codes == ref_code.get(group, -2), cur_codes == cur_code.get(group, -2)
        n_r, n_c = int(mr.sum()), int(mc.sum())
        block: dict[str, dict] = {}
        if min(n_r, n_c) < config.min_group_n:
            reason = f"fewer than min_group_n={config.min_group_n} rows in a period (reference {n_r}, current {n_c})"
            for name in features:
                block[name] = {"psi": None, "status": None, "n_ref": n_r, "n_cur": n_c, "reason": reason}
            out[group] = block
            continue
        for name in features:
            bins = profile.features[name]
            prep_ref, prep_cur = prepared[(bins.source, bins.transform == "value")]
            ref_counts, _ = bins.count_prepared(prep_ref, mr)
            cur_counts, _ = bins.count_prepared(prep_cur, mc)
            group_bins = FeatureBins(bins.name, bins.source, bins.kind, bins.transform, bins.edges, bins.categories,
                                     bins.separator, tuple(int(c) for c in ref_counts), n_r)
            block[name] = _compact(compare_counts(group_bins, cur_counts, n_c, config=config))
        out[group] = block
    return out


def group_composition(
    reference_df: pd.DataFrame,
    current_df: pd.DataFrame,
    *,
    attributes: Sequence[str],
    config: Optional[DriftConfig] = None,
) -> dict[str, dict]:
    """Drift of the group mix of each attribute (categorical entries, reference bins frozen)."""
    config = config or DriftConfig()
    out = {}
    for attribute in attributes:
        b = fit_bins(group_labels(reference_df, attribute), kind="categorical", name=attribute)
        out[attribute] = compare_bins(b, group_labels(current_df, attribute), config=config)
    return out


def _entries_of(column: str, names: Iterable[str]) -> list[str]:
    return [n for n in names if n == column or n == f"{column}{COUNT_SUFFIX}"]


def rank_key_features(
    features: Mapping[str, Mapping[str, Any]],
    *,
    importance: Optional[Mapping[str, Mapping[str, float]]] = None,
    n_key: int = 6,
) -> dict:
    """Rank monitored input columns by the models' reliance on them.

    Parameters
    ----------
    features : mapping
        Drift entries by name (``drift.features``); a multi-label column has two entries.
    importance : mapping, optional
        ``{model: {input column: permutation importance}}``. Columns are ranked by the mean
        importance over models (missing = 0). Without it, columns are ranked by their largest
        PSI and ``source`` says so.
    n_key : int, default=6
        How many columns are key features. With importance, a column whose mean importance is
        not above zero (the models do not rely on it) is never key.

    Returns
    -------
    dict
        ``{"source": "permutation_importance" | "psi", "ranking": [...], "key": [...],
        "key_entries": [...]}``; each ranking item has ``feature``, ``rank``, ``importance``,
        ``importance_by_model``, ``entries``, ``max_psi`` and ``key``.
    """
    columns: list[str] = []
    for name, entry in features.items():
        src = entry.get("source", name)
        if src not in columns:
            columns.append(src)
    max_psi = {c: max(features[n]["psi"] for n in _entries_of(c, features)) for c in columns}
    usable = bool(importance) and any(c in imp for imp in importance.values() for c in columns)
    if usable:
        models = sorted(importance)
        by_model = {c: {m: float(importance[m].get(c, 0.0)) for m in models} for c in columns}
        mean_imp = {c: float(np.mean(list(by_model[c].values()))) for c in columns}
        order = sorted(columns, key=lambda c: (-mean_imp[c], c))
        source = "permutation_importance"
    else:
        by_model = {c: {} for c in columns}
        mean_imp = {c: None for c in columns}
        order = sorted(columns, key=lambda c: (-max_psi[c], c))
        source = "psi"
    ranking = []
    for rank, c in enumerate(order, start=1):
        ranking.append({"feature": c, "rank": rank, "importance": mean_imp[c], "importance_by_model": by_model[c],
                        "entries": _entries_of(c, features), "max_psi": float(max_psi[c]),
                        "key": rank <= n_key and (mean_imp[c] is None or mean_imp[c] > 0)})
    key = [r["feature"] for r in ranking if r["key"]]
    key_entries = [e for r in ranking if r["key"] for e in r["entries"]]
    return {"source": source, "ranking": ranking, "key": key, "key_entries": key_entries}


def summarise(features: Mapping[str, Mapping[str, Any]]) -> dict:
    """Counts per status and the flagged entries, worst first (status, then PSI)."""
    counts = {s: 0 for s in ("green", "amber", "red")}
    for entry in features.values():
        counts[entry["status"]] += 1
    flagged = sorted((n for n, e in features.items() if e["status"] != "green"),
                     key=lambda n: (STATUS_ORDER[features[n]["status"]], -features[n]["psi"], n))
    return {**counts, "n_features": len(features), "flagged": flagged}
