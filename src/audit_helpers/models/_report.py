"""Tables and narratives of the models step, read from the ``models.<name>`` results blocks."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import pandas as pd

from .._common.text import fmt_ci, fmt_num, fmt_pct
from ._config import METRICS

__all__ = [
    "performance_table",
    "cv_table",
    "source_narrative",
    "threshold_narrative",
    "performance_narrative",
    "inputs_narrative",
    "supplied_model_narrative",
]


_METRIC_LABELS = {
    "auc": "ROC AUC",
    "accuracy": "accuracy",
    "precision": "precision",
    "recall": "recall (TPR)",
    "brier": "Brier score",
    "selection_rate": "selection rate",
}


def performance_table(entries: Mapping[str, Mapping[str, Any]], *, split: str) -> pd.DataFrame:
    """Metrics (rows) by model (columns) on ``split``: each value with its interval, as text.

    Models are columns so that the table stays narrow enough for print.
    """
    columns = {}
    for name, entry in entries.items():
        perf = entry.get("performance", {}).get(split)
        if perf is None:
            continue
        level = int(round(100 * perf.get("ci_level", 0.95)))
        col = {"n": f"{perf['n']:,}", "threshold": fmt_num(entry["threshold"], 4)}
        for metric in METRICS:
            fmt = fmt_num if metric in ("auc", "brier") else fmt_pct
            col[_METRIC_LABELS[metric]] = f"{fmt(perf[metric])} [{fmt_ci(perf['ci'].get(metric), fmt=fmt)}]"
        col["interval"] = f"{level}% percentile bootstrap"
        columns[name] = col
    table = pd.DataFrame(columns)
    table.index.name = f"{split} split"
    return table


def cv_table(entries: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Cross-validation candidates of each trained model (mean and std of the CV score)."""
    rows = []
    for name, entry in entries.items():
        cv = entry.get("cv")
        if not cv:
            continue
        for cand in cv["candidates"]:
            rows.append(
                {
                    "model": name,
                    "hyperparameters": ", ".join(f"{k}={v}" for k, v in cand["params"].items()),
                    f"mean {cv['scoring']}": round(cand["mean"], 4),
                    "std": round(cand["std"], 4),
                    "rank": cand["rank"],
                }
            )
    if not rows:
        return pd.DataFrame({"note": ["no hyperparameter search: the audited model was supplied, not trained here"]})
    return pd.DataFrame(rows)


def source_narrative(
    entries: Mapping[str, Mapping[str, Any]],
    *,
    data_source: str,
    test_from_train: bool = True,
) -> str:
    """Where the audited models come from: trained here (with the search) or supplied."""
    parts = []
    for name, entry in entries.items():
        if entry["source"] == "trained":
            cv = entry.get("cv") or {}
            hyper = ", ".join(f"{k}={v}" for k, v in (cv.get("best_params") or {}).items())
            parts.append(
                f"**{name}** was trained in this run on the train split: a {cv.get('folds')}-fold stratified "
                f"cross-validated grid search over {len(cv.get('candidates', []))} candidate(s) chose {hyper} "
                f"(mean {cv.get('scoring')} {fmt_num(cv.get('best_score'))} ± {fmt_num(cv.get('best_score_std'))}); "
                "the pipeline was then refitted on the whole train split."
            )
            if "skops_roundtrip_identical" in entry:
                parts.append(
                    f"Reloaded from {entry['path']} (skops, sha256 {entry['sha256'][:12]}…) it gives "
                    + ("identical scores." if entry["skops_roundtrip_identical"] else "**different scores: investigate before use.**")
                )
        else:
            parts.append(supplied_model_narrative(entry))
            if data_source == "files" and test_from_train:
                parts.append(
                    "No separate test file was given, so the test split was carved out of the supplied training "
                    "sample: if the model was fitted on those rows, its test performance is optimistic."
                )
    return " ".join(parts)


def threshold_narrative(entries: Mapping[str, Mapping[str, Any]], *, split: str = "test", far_ratio: float = 0.5) -> str:
    """Which operating threshold each model uses, how it was chosen and why.

    A model whose selection rate on ``split`` differs from the historical pass rate by more
    than ``far_ratio`` (relative) is pointed out.
    """
    if not entries:
        return "No model was evaluated."
    first = next(iter(entries.values()))
    details = first["threshold_details"]
    hist = details.get("historical_pass_rate")
    parts = []
    if details["rule"] == "fixed":
        parts.append(
            f"Every model uses the fixed operating threshold {fmt_num(first['threshold'], 2)} from the parameters: "
            "an applicant advances when the score is at least this value. For a probability score this is the "
            "point where advancing becomes more likely than not, the usual default of a screen that is not tuned "
            "to a quota."
        )
    else:
        parts.append(
            "Each model's threshold was chosen so that it passes the same share of applicants as the historical "
            f"screen did in the training period ({fmt_pct(hist)}). This keeps the reviewers' workload at its historical "
            "level, so differences between groups reflect who is selected rather than how many; it is fixed before "
            "any group result is seen."
        )
        for name, entry in entries.items():
            d = entry["threshold_details"]
            parts.append(
                f"{name}: threshold {fmt_num(entry['threshold'], 4)}, chosen on {d.get('reference', 'training scores')} "
                f"(pass rate there {fmt_pct(d.get('reference_pass_rate'))})."
            )
    far = []
    for name, entry in entries.items():
        perf = entry["performance"].get(split)
        if perf is not None:
            parts.append(
                f"At this threshold {name} selects {fmt_pct(perf['selection_rate'])} of the {split} split "
                f"(historical pass rate {fmt_pct(hist)})."
            )
            rate = perf["selection_rate"]
            if hist and rate is not None and not (1 - far_ratio) * hist <= rate <= (1 + far_ratio) * hist:
                far.append(name)
    if far and details["rule"] == "fixed":
        parts.append(
            f"For {', '.join(far)} this is far from the historical pass rate: with a fixed threshold the number "
            "selected depends on how the scores are spread, not on the screen's capacity. The setting "
            "`model.threshold_rule: historical_rate` keeps the historical rate instead; the fairness results "
            "below hold for the threshold actually used."
        )
    return " ".join(parts)


def performance_narrative(entries: Mapping[str, Mapping[str, Any]], *, split: str = "eval") -> str:
    """Plain-language summary of each model's performance on ``split``."""
    lines = []
    for name, entry in entries.items():
        perf = entry["performance"].get(split)
        if perf is None:
            continue
        level = int(round(100 * perf.get("ci_level", 0.95)))
        ci = perf["ci"]
        lines.append(
            f"- **{name}** on {split} (n = {perf['n']:,}, {fmt_pct(perf['base_rate'])} advanced): "
            f"ROC AUC {fmt_num(perf['auc'])} ({level}% CI {fmt_ci(ci.get('auc'), fmt=fmt_num)}), "
            f"accuracy {fmt_pct(perf['accuracy'])} ({fmt_ci(ci.get('accuracy'), fmt=fmt_pct)}), "
            f"precision {fmt_pct(perf['precision'])}, recall {fmt_pct(perf['recall'])} ({fmt_ci(ci.get('recall'), fmt=fmt_pct)}), "
            f"Brier score {fmt_num(perf['brier'])}, selection rate {fmt_pct(perf['selection_rate'])} "
            f"({fmt_ci(ci.get('selection_rate'), fmt=fmt_pct)})."
        )
    aucs = {n: e["performance"].get(split, {}).get("auc") for n, e in entries.items()}
    aucs = {n: a for n, a in aucs.items() if a is not None}
    if len(aucs) >= 2:
        best = max(aucs, key=aucs.get)
        cis = {n: entries[n]["performance"][split]["ci"].get("auc") for n in aucs}
        overlap = all(
            cis[best] and cis[o] and cis[o][1] >= cis[best][0] for o in aucs if o != best
        )
        lines.append(
            f"\n{best} ranks applicants best on {split} (highest AUC); "
            + (
                "its interval overlaps the others', so the models are not clearly different in ranking quality."
                if overlap
                else "its interval does not overlap the others'."
            )
        )
    return "\n".join(lines)


def inputs_narrative(entries: Mapping[str, Mapping[str, Any]], *, protected: Sequence[str]) -> str:
    """Which columns the models see, and whether protected attributes are among them."""
    parts = []
    for name, entry in entries.items():
        feats = entry.get("features", [])
        used = [p for p in protected if p in feats]
        parts.append(f"{name} uses {len(feats)} input column(s): {', '.join(feats)}.")
        if used:
            parts.append(
                f"**Protected attributes are model inputs of {name}: {', '.join(used)}.** Scores can then differ "
                "by group for equal qualifications (disparate treatment); this configuration is for comparison only."
            )
        else:
            parts.append(
                f"No protected attribute ({', '.join(protected)}) is an input of {name}; other inputs can still act "
                "as proxies for them, which the fairness and drift steps examine."
            )
    return " ".join(parts)


def supplied_model_narrative(entry: Mapping[str, Any]) -> str:
    """How a supplied model was loaded and checked (verification stated prominently)."""
    sup = entry.get("supplied") or {}
    verification = entry.get("load_verification")
    if verification == "trust_unverified":
        lead = (
            f"**Warning: the supplied model {entry['name']} was loaded WITHOUT verification** "
            f"(model.trust_unverified: true). Its sha256 is {entry['sha256']}"
            + (f", not the declared {sup.get('sha256_expected')}" if sup.get("sha256_expected") else " and no hash was declared")
            + ". Loading a pickle-based file runs code stored in it; confirm the file's origin before relying on this audit."
        )
    elif verification == "sha256_match":
        lead = (
            f"The supplied model {entry['name']} ({sup.get('format')} file) was loaded only after its sha256 "
            f"{entry['sha256']} matched the declared hash."
        )
    else:
        lead = (
            f"The supplied model {entry['name']} was loaded from a skops file with an explicit trusted-type list "
            f"(no code from the file runs); sha256 {entry['sha256']}."
        )
    kind = (
        "It is scored with predict_proba (probability of the positive class)."
        if entry.get("score_kind") == "predict_proba"
        else "It has no predict_proba, so its decision_function value d is mapped to the score 1 / (1 + exp(-d)); "
        "0.5 on that score is the model's own decision boundary, but the score is not a calibrated probability, "
        "so calibration and Brier figures describe the mapped score only."
    )
    shape = "a scikit-learn Pipeline" if sup.get("is_pipeline") else "a bare estimator"
    return (
        f"{lead} It is {shape} ({entry.get('family')}) over {len(entry.get('features', []))} input column(s). {kind} "
        "All required columns were present and it scored every row of the evaluation data."
    )
