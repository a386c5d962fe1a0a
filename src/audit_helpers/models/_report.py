"""Tables and narratives of the models step, read from the ``models.<name>`` results blocks."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import pandas as pd

from .._common.text import fmt_ci, fmt_count, fmt_num, fmt_pct
from ..planted_vs_found import lowest_impact_ratios
from ._names import METRICS

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
    has_test: bool = True,
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
                    f"Reloaded from {entry['path']} (skops; sha256 starting {entry['sha256'][:12]}, in full in audit_results.json) it gives "
                    + ("identical scores." if entry["skops_roundtrip_identical"] else "**different scores: investigate before use.**")
                )
        else:
            parts.append(supplied_model_narrative(entry))
            if not has_test:
                parts.append(
                    "No test file was given and none was carved out of the supplied training sample (the model has "
                    "seen those rows): it is evaluated on next month's applicants only."
                )
            elif data_source == "files" and test_from_train:
                parts.append(
                    "No separate test file was given, so the test split was carved out of the supplied training "
                    "sample: if the model was fitted on those rows, its test performance is optimistic."
                )
    return " ".join(parts)


def _rule_sentence(first: Mapping[str, Any], hist: Optional[float]) -> str:
    """What the threshold rule of the run is, in words (the same rule for every model)."""
    details = first["threshold_details"]
    if details["rule"] == "fixed":
        return (
            f"Rule used: `fixed`. Every model uses the operating threshold {fmt_num(first['threshold'], 4)} given in the "
            "parameters (`model.threshold`; an explicit threshold always wins over `model.threshold_rule`): an applicant "
            "advances when the score is at least this value. The historical screen passed "
            f"{fmt_pct(hist)} of the training period."
        )
    return (
        "Rule used: `historical_rate` (the default). Each model's threshold was chosen so that it passes the same share "
        f"of applicants as the historical screen did in the training period ({fmt_pct(hist)} of "
        f"{details.get('n_train', 0):,} training applicants). This audits the screen at the rate it will really run at "
        "and keeps the reviewers' workload at its historical level, so differences between groups reflect who is "
        "selected rather than how many; it is fixed before any group result is seen."
    )


def threshold_narrative(entries: Mapping[str, Mapping[str, Any]], *, split: str = "test", far_ratio: float = 0.5) -> str:
    """Which operating threshold each model uses, how it was chosen, and what it selects.

    States the rule, the historical pass rate and each model's resulting selection rate on
    ``split`` (and on ``eval`` when that is another split). A model whose selection rate on
    ``split`` differs from the historical pass rate by more than ``far_ratio`` (relative) is
    pointed out.
    """
    if not entries:
        return "No model was evaluated."
    first = next(iter(entries.values()))
    fixed = first["threshold_details"]["rule"] == "fixed"
    hist = first["threshold_details"].get("historical_pass_rate")
    parts = [_rule_sentence(first, hist)]
    far = []
    for name, entry in entries.items():
        d = entry["threshold_details"]
        text = f"{name}: threshold {fmt_num(entry['threshold'], 4)}"
        if not fixed:
            text += (
                f", chosen on {d.get('reference', 'training scores')} (pass rate there {fmt_pct(d.get('reference_pass_rate'))})"
            )
        perf = entry["performance"].get(split)
        if perf is not None:
            text += f"; it selects {fmt_pct(perf['selection_rate'])} of the {split} split"
            other = entry["performance"].get("eval") if split != "eval" else None
            if other is not None:
                text += f" and {fmt_pct(other['selection_rate'])} of next month (eval)"
            rate = perf["selection_rate"]
            if hist and rate is not None and not (1 - far_ratio) * hist <= rate <= (1 + far_ratio) * hist:
                far.append(name)
        parts.append(text + f" (historical pass rate {fmt_pct(hist)}).")
    if far and fixed:
        parts.append(
            f"For {', '.join(far)} this is far from the historical pass rate: with a fixed threshold the number "
            "selected depends on how the scores are spread, not on the screen's capacity, and a fairness test at a "
            "very low selection rate has little power. Leaving `model.threshold` unset (rule `historical_rate`) "
            "keeps the historical rate instead; the fairness results below hold for the threshold actually used."
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


def screen_truth_narrative(ground_truth: Optional[Mapping[str, Any]], *, min_share: float = 0.02) -> str:
    """How the screens' population truth was measured and the lowest true impact ratios.

    Every number from ``ground_truth["screens"]`` and ``ground_truth["screens_sample"]``.
    """
    if not ground_truth or not ground_truth.get("screens"):
        return "The data were supplied: no population truth exists for these screens."
    sample = ground_truth.get("screens_sample") or {}
    n = sample.get("n")
    parts = [
        f"The screens' true selection rates were measured on {n:,} fresh applicants per split, drawn from the "
        "scenario's own generator (training period for test, next month for eval), prepared as in step 01 and "
        f"selected at each screen's operating threshold. The reference group is {sample.get('reference', 'the group with the highest selection rate')}; "
        f"groups under {min_share:.0%} of applicants are left out of the lowest ratios."
    ]
    lowest = lowest_impact_ratios(ground_truth["screens"], min_share=min_share)
    for model, splits in lowest.items():
        items = []
        for split, attrs in splits.items():
            cells = [
                f"{attribute} {v['group']} {fmt_num(v['impact_ratio'], 2)} ({fmt_pct(v['selection_rate'])} vs "
                f"{fmt_pct(v['reference_selection_rate'])} for {v['reference_group']})"
                for attribute, v in attrs.items()
            ]
            items.append(f"{split}: " + "; ".join(cells))
        parts.append(f"Lowest true impact ratio of {model}: " + " | ".join(items) + ".")
    return " ".join(parts)


def screen_truth_table(
    ground_truth: Optional[Mapping[str, Any]], *, split: str, attributes: Sequence[str] = ("sex", "race")
) -> pd.DataFrame:
    """The screens' population truth on ``split``: one row per model, attribute and group."""
    rows = []
    for model, splits in ((ground_truth or {}).get("screens") or {}).items():
        for attribute in attributes:
            block = (splits.get(split) or {}).get(attribute) or {}
            groups = {g: v for g, v in block.items() if isinstance(v, Mapping)}
            total = sum(v["n"] for v in groups.values()) or 1
            for group, v in groups.items():
                rows.append(
                    {
                        "model": model,
                        "attribute": attribute,
                        "group": group + (" (reference)" if group == block.get("reference_group") else ""),
                        "n": f"{v['n']:,}",
                        "share": fmt_pct(v["n"] / total),
                        "selection rate": fmt_pct(v["selection_rate"]),
                        "TPR": fmt_pct(v["tpr"]),
                        "FPR": fmt_pct(v["fpr"]),
                        "true impact ratio": fmt_num(v["impact_ratio"], 3),
                    }
                )
    if not rows:
        return pd.DataFrame({"note": ["no population truth: the data were supplied"]})
    return pd.DataFrame(rows)


def _auc_text(perf: Mapping[str, Any]) -> str:
    return f"{fmt_num(perf['auc'])} (95% CI {fmt_ci(perf['ci'].get('auc'), fmt=fmt_num)})"


def _largest_miscalibration(cal: Optional[Mapping[str, Any]], *, min_n: int) -> Optional[tuple[float, float, int]]:
    """(mean score, observed rate, n) of the bin farthest from the diagonal among bins with at least ``min_n`` applicants."""
    if not cal:
        return None
    bins = [
        (m, o, n) for m, o, n in zip(cal["mean_score"], cal["observed_rate"], cal["counts"]) if m is not None and o is not None and n >= min_n
    ]
    return max(bins, key=lambda b: abs(b[1] - b[0])) if bins else None


def calibration_reading(entries: Mapping[str, Mapping[str, Any]], *, split: str = "eval", min_n: int = 50) -> str:
    """What the calibration figure shows: each model's Brier score and its worst-calibrated score band."""
    parts = []
    for name, entry in entries.items():
        perf = entry.get("performance", {}).get(split)
        worst = _largest_miscalibration(entry.get("calibration", {}).get(split), min_n=min_n)
        if perf is None or worst is None:
            continue
        m, o, n = worst
        word = "over-states" if o < m else "under-states"
        parts.append(
            f"{name} (Brier score {fmt_num(perf['brier'])}) {word} the chance of advancing most in the band around "
            f"{fmt_num(m, 2)}, where {fmt_pct(o)} of {n:,} applicants advanced"
        )
    if not parts:
        return f"No model has scores on the {split} split to check calibration."
    return (
        "; ".join(parts) + f" (bands with at least {min_n} applicants). On the diagonal a score reads as a probability; "
        "step 03 checks this group by group."
    )


def importance_reading(importance: Mapping[str, Mapping[str, float]], *, top: int = 3,
                       entries: Optional[Mapping[str, Mapping[str, Any]]] = None) -> str:
    """What the importance figure shows: the inputs each model leans on most, with their AUC drop
    (and, given the models' ``entries``, the split and rows it was measured on when not ``test``)."""
    parts = []
    for name, values in importance.items():
        ranked = sorted(values.items(), key=lambda kv: kv[1], reverse=True)[:top]
        parts.append(f"{name}: " + ", ".join(f"{k} ({fmt_num(v)})" for k, v in ranked))
    if not parts:
        return "No permutation importance was computed."
    where = ""
    measured = [(e.get("permutation_importance") or {}) for e in (entries or {}).values()]
    if measured and measured[0].get("split") not in (None, "test"):  # the step's text says test; say when it is not
        rows = measured[0].get("rows")
        where = (f" Measured on the {measured[0]['split']} split" + (f" ({fmt_count(rows)} rows)" if rows else "")
                 + ", the reference period: this run has no test split.")
    return (
        "Inputs each screen relies on most, with the drop in ROC AUC when the input is shuffled — " + "; ".join(parts) + ". "
        "A high-ranking input that differs by group carries that difference into the scores (step 05 tests proxies)." + where
    )


def performance_frame(entries: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """:func:`performance_table` of every held-out split side by side (columns ``model · split``)."""
    parts = []
    for split in ("test", "eval"):
        if any(split in e.get("performance", {}) for e in entries.values()):
            t = performance_table(entries, split=split).drop(index="interval", errors="ignore")
            t.columns = [f"{c} · {split}" for c in t.columns]
            parts.append(t)
    frame = pd.concat(parts, axis=1) if parts else pd.DataFrame()
    frame.index.name = "metric"
    return frame


def models_findings(
    entries: Mapping[str, Mapping[str, Any]], importance: Mapping[str, Mapping[str, float]], ground_truth: Optional[Mapping[str, Any]] = None
) -> list[str]:
    """The models step's "what this step found" sentences (every number from the results)."""
    out = []
    for name, entry in entries.items():
        perf = entry.get("performance", {})
        held = [f"{_auc_text(perf[s])} on {'the held-out test split' if s == 'test' else 'next month'}" for s in ("test", "eval") if s in perf]
        first = perf.get("test") or perf.get("eval")
        out.append(
            f"**{name}** ({entry.get('source')}) ranks applicants with ROC AUC " + " and ".join(held)
            + f"; at its threshold {fmt_num(entry['threshold'], 3)} ({entry.get('threshold_rule')}) it passes "
            f"{fmt_pct(first['selection_rate'])} of applicants."
        )
    if importance:
        tops = {n: max(v, key=v.get) for n, v in importance.items() if v}
        if len(set(tops.values())) == 1 and tops:
            feat = next(iter(tops.values()))
            out.append(f"Every screen relies most on {feat} (largest drop in ROC AUC when it is shuffled).")
        else:
            out.append("The input each screen relies on most: " + ", ".join(f"{n}: {f}" for n, f in tops.items()) + ".")
    if ground_truth and ground_truth.get("screens"):
        lowest = lowest_impact_ratios(ground_truth["screens"])
        cells = []
        for model, splits in lowest.items():
            v = min(((a, x) for a, x in (splits.get("test") or next(iter(splits.values()), {})).items()), key=lambda ax: ax[1]["impact_ratio"], default=None)
            if v:
                cells.append(f"{model} {fmt_num(v[1]['impact_ratio'], 2)} ({v[0]}: {v[1]['group']})")
        if cells:
            out.append("Planted truth: the lowest true impact ratio each screen carries on a large fresh sample is " + "; ".join(cells) + ".")
    return out
