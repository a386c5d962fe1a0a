"""Plain-words narrative of the drift results, and the findings box (all numbers come from the results)."""

from __future__ import annotations

from functools import partial
from typing import Any, Mapping, Optional, Sequence

from .._common.text import fmt_num, fmt_pct, fmt_pp, fmt_signed
from ._bins import bin_labels
from ..config import DriftConfig
from ._stats import critical_value
from ._tables import _top_bin

#: Monthly batch sizes used to show how the sample-size key moves with n.
EXAMPLE_BATCH_SIZES = (200, 1000, 10000)


# undefined values read "undefined" in the drift prose
_fmt = partial(fmt_num, missing="undefined")
_pct = partial(fmt_pct, missing="undefined")
_pp = partial(fmt_pp, missing="undefined")


def drift_narrative(
    features: Mapping[str, Mapping[str, Any]],
    summary: Mapping[str, Any],
    *,
    key_entries: Sequence[str] = (),
    config: Optional[DriftConfig] = None,
) -> str:
    """Plain-words summary of which inputs moved, by how much, and which did not."""
    config = config or DriftConfig()
    n = summary["n_features"]
    lines = [
        f"Of {n} monitored input entries, **red: {summary['red']}, amber: {summary['amber']}, "
        f"green: {summary['green']}** under the two-key rule (amber: PSI ≥ {config.amber_psi:g} and above the "
        f"{100 * config.amber_quantile:g}% no-drift critical value; red: PSI ≥ {config.red_psi:g} and above the "
        f"{100 * config.red_quantile:g}% one)."
    ]
    for name in summary["flagged"]:
        e = features[name]
        label, r, c, share = _top_bin(e)
        key = " (a key feature)" if name in key_entries else ""
        lines.append(
            f"- **{name}**{key} is {e['status']}: PSI {e['psi']:.3f} nats against a 99% critical value of "
            f"{e['critical_99']:.4f}. The largest change is in bin *{label}*, which held {_pct(r)} of the "
            f"reference and {_pct(c)} of the current sample ({share / e['psi']:.0%} of the PSI)."
        )
        if e["kind"] == "categorical" and e.get("unseen_share_current", 0.0) > 0:
            lines.append(f"  {_pct(e['unseen_share_current'])} of current values were never seen in the reference (UNSEEN).")
        if e["missing_share_current"] > e["missing_share_reference"]:
            lines.append(f"  Missing values rose from {_pct(e['missing_share_reference'])} to {_pct(e['missing_share_current'])}.")
    if not summary["flagged"]:
        lines.append("- No input moved beyond both keys: what changed is within sampling noise or too small to matter.")
    green_key = [k for k in key_entries if k in features and features[k]["status"] == "green"]
    if green_key:
        lines.append(f"Key features that stayed green: {', '.join(green_key)}.")
    return "\n".join(lines)


def threshold_narrative(
    features: Mapping[str, Mapping[str, Any]],
    *,
    config: Optional[DriftConfig] = None,
    batch_sizes: Sequence[int] = EXAMPLE_BATCH_SIZES,
) -> str:
    """Why the alert threshold depends on sample size, with this run's numbers."""
    config = config or DriftConfig()
    e = max(features.values(), key=lambda v: v["bins_tested"])
    n_ref, n_cur, bins = e["n_ref"], e["n_cur"], e["bins_tested"]
    here = critical_value(n_ref, n_cur, bins, quantile=config.amber_quantile)
    examples = ", ".join(
        f"{critical_value(n_ref, m, bins, quantile=config.amber_quantile):.3f} for {m:,} rows" for m in batch_sizes)
    return (
        f"PSI is never exactly zero: two samples from the same population differ by chance. With no drift, PSI "
        f"is about (1/n_ref + 1/n_cur) × χ²(B − 1) (Yurdakul & Naranjo, 2020), so the noise level falls as the "
        f"samples grow. Here n_ref = {n_ref:,} training rows and n_cur = {n_cur:,} new applicants; with "
        f"B = {bins} bins, PSI would exceed {here:.4f} by chance only {100 * (1 - config.amber_quantile):g}% of the "
        f"time. For a monthly batch the same 99% line is {examples}. A fixed {config.amber_psi:g} threshold "
        f"alone would therefore fire on noise for small batches and miss real shifts in large ones; the audit "
        f"requires both keys. All bins come from the training sample only and are frozen; every bin of both "
        f"samples receives a pseudo-count of {config.smoothing:g} before PSI and KL are computed (in nats). "
        f"B counts the bins that hold data in at least one sample, including MISSING and UNSEEN when they do."
    )


def _ci_words(change: Mapping[str, Any]) -> str:
    """``95% CI`` with the interval's method when the change names it (``95% Newcombe CI``)."""
    method = str(change.get("ci_method") or "")
    kind = "Newcombe " if method.startswith("Newcombe") else ""
    return f"{100 * change.get('ci_level', 0.95):g}% {kind}CI"


def score_label_narrative(score: Mapping[str, Mapping[str, Any]], label: Optional[Mapping[str, Any]], *,
                          reference_split: str = "test") -> str:
    """Plain words on the drift of each model's score and of the label base rate.

    ``reference_split`` is ``drift.conventions.score_reference_split``: ``test``, or ``train`` when
    the run has no test split (a supplied model without a test file).
    """
    where = "the held-out test split" if reference_split == "test" else "the model's training sample (in-sample)"
    lines = []
    for model, e in score.items():
        lines.append(
            f"- **{model}** score: mean {e['mean_reference']:.3f} on {where} → "
            f"{e['mean_current']:.3f} next month; PSI {e['psi']:.3f} (99% critical {e['critical_99']:.4f}), "
            f"status {e['status']}."
        )
    if label is not None:
        ch = label["base_rate_change"]
        lines.append(
            f"- **Label** base rate: {_pct(label['base_rate_reference'])} → {_pct(label['base_rate_current'])} "
            f"({_pp(ch['difference'])}, {_ci_words(ch)} {_pp(ch['ci_low'])} to {_pp(ch['ci_high'])}, "
            f"p = {_fmt(ch['p_value'], 3)}, {ch['test']}); PSI {label['psi']:.4f}, status {label['status']}."
        )
    if reference_split == "test":
        lines.append(
            "The score reference is the held-out test split of the training period: scores on the training rows "
            "themselves are in-sample and would overstate how settled the model is."
        )
    else:
        lines.append(
            "The run has no test split (a supplied model was trained on its training sample and no test file was "
            "given), so the score reference is the model's in-sample scores on that sample: they may look more "
            "settled than scores on new applicants, so read score drift with care."
        )
    return "\n".join(lines)


def selection_rate_narrative(overall: Mapping[str, Any], by_group: Mapping[str, Any], *, alpha: float = 0.05,
                             reference_split: str = "test") -> str:
    """Plain words on how the selection rate moved overall and by group (Holm-adjusted)."""
    lines = []
    period = "test-period" if reference_split == "test" else "training-sample"
    for model, o in overall.items():
        lines.append(
            f"- **{model}** selects {_pct(o['reference_rate'])} of {period} applicants and "
            f"{_pct(o['current_rate'])} of next month's ({_pp(o['difference'])}, p = {_fmt(o['p_value'], 3)})."
        )
        hits = []
        for attribute, groups in by_group[model].items():
            for group, c in groups.items():
                if c["p_value_holm"] is not None and c["p_value_holm"] < alpha:
                    hits.append((abs(c["difference"]), attribute, group, c))
        if hits:
            for _, attribute, group, c in sorted(hits, key=lambda h: -h[0]):
                lines.append(
                    f"  - {attribute} = {group}: {_pct(c['reference_rate'])} → {_pct(c['current_rate'])} "
                    f"({_pp(c['difference'])}, {_ci_words(c)} {_pp(c['ci_low'])} to {_pp(c['ci_high'])}, "
                    f"Holm-adjusted p = {_fmt(c['p_value_holm'], 4)})."
                )
        else:
            lines.append(f"  No group's selection rate changed significantly (Holm-adjusted, α = {alpha:g}).")
    return "\n".join(lines)


def within_group_narrative(
    within: Mapping[str, Mapping[str, Any]],
    features: Mapping[str, Mapping[str, Any]],
    *,
    config: Optional[DriftConfig] = None,
    max_listed: int = 10,
) -> str:
    """Plain words on shifts that hit one group harder than applicants overall.

    A within-group entry is singled out when its status is worse than the status of the same
    feature for all applicants (e.g. red in one group, amber overall). The text also says how
    many group × feature comparisons were made, since about ``1 - amber_quantile`` of them pass
    the sample-size key by chance alone.
    """
    config = config or DriftConfig()
    rank = {"green": 0, "amber": 1, "red": 2}
    tested, skipped, worse = 0, [], []
    best = None
    for attribute, groups in within.items():
        for group, block in groups.items():
            for name, v in block.items():
                if v["psi"] is None:
                    skipped.append(f"{attribute} = {group}")
                    break
                tested += 1
                if rank[v["status"]] > rank[features[name]["status"]]:
                    worse.append((v["psi"], name, attribute, group, v))
                if best is None or v["psi"] > best[0]:
                    best = (v["psi"], attribute, group, name, v)
    if best is None:
        return "No group was large enough in both periods for a within-group comparison."
    psi, attribute, group, name, v = best
    chance = tested * (1 - config.amber_quantile)
    lines = [
        f"{tested} group × feature comparisons were made (groups with at least {config.min_group_n} rows in both "
        f"periods); if nothing had moved, about {chance:.1f} of them would pass the {100 * config.amber_quantile:g}% "
        f"key by chance, so an isolated amber in a small group is weak evidence on its own.",
        f"The largest within-group shift is **{name}** among {attribute} = {group}: PSI {psi:.3f} (status "
        f"{v['status']}, n = {v['n_ref']:,} → {v['n_cur']:,}) against {features[name]['psi']:.3f} for all applicants.",
    ]
    if worse:
        worse.sort(key=lambda w: (-w[0], w[1], w[2], w[3]))
        listed = "; ".join(
            f"{n} in {a} = {g} (PSI {w_psi:.3f}, {w['status']}; overall {features[n]['psi']:.3f}, {features[n]['status']})"
            for w_psi, n, a, g, w in worse[:max_listed])
        more = f" and {len(worse) - max_listed} more" if len(worse) > max_listed else ""
        lines.append(
            f"**Shifts that hit a group harder than applicants overall** (status worse than the overall one): "
            f"{listed}{more}. A shift concentrated in one group can change that group's outcomes while the overall "
            f"picture looks stable: it is a fairness matter, not only a data-quality one.")
    else:
        lines.append("No group's shift is worse than the overall shift of the same feature: the drift falls evenly "
                     "on the groups compared.")
    if skipped:
        more = f" and {len(skipped) - max_listed} more" if len(skipped) > max_listed else ""
        lines.append(f"Not compared ({len(skipped)} groups with fewer than {config.min_group_n} rows in a period): "
                     + "; ".join(skipped[:max_listed]) + more + ".")
    return "\n\n".join(lines)


_IMPORTANCE_SPLITS = {
    "test": "the held-out test split",
    "train": "the training sample (this run has no test split; never next month's applicants, where drift would hide itself)",
}


def key_features_narrative(ranking: Sequence[Mapping[str, Any]], *, source: str, split: Optional[str] = "test") -> str:
    """Plain words on how the key features were chosen (``source``: importance or PSI; ``split``:
    where the importance was measured)."""
    names = ", ".join(r["feature"] for r in ranking if r["key"]) or "none"
    if source == "permutation_importance":
        unused = [r["feature"] for r in ranking if not r["key"] and (r.get("importance") or 0.0) <= 0]
        tail = (f" Inputs the models do not rely on (importance not above zero) are never key: {', '.join(unused)}."
                if unused else "")
        where = _IMPORTANCE_SPLITS.get(split or "test", f"the {split} split")
        return (f"Key features, ranked by the models' permutation importance on {where} "
                f"(mean over models): {names}. They are shown first because drift in an input the model relies "
                f"on moves its decisions most.{tail}")
    return (f"Permutation importance was not available for this run, so features are ranked by PSI instead: "
            f"{names}.")


def overlay_entries(section: Mapping[str, Any]) -> list[str]:
    """Entries to draw as overlays: the key features first, then any other flagged entry."""
    names = list(section["key_entries"])
    names += [n for n in section["summary"]["flagged"] if n not in names]
    return names


def score_label_entries(section: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Score entries per model and the label entry, keyed for display."""
    out = {f"score: {m}": e for m, e in section["score_by_model"].items()}
    if section.get("label") is not None:
        out["label"] = section["label"]
    return out


def profile_narrative(section: Mapping[str, Any], profile) -> str:
    """What the frozen reference profile holds and how the monitor uses it."""
    n_scores = len(profile.scores)
    return (
        f"The frozen bins are saved in `{section['reference_profile']}` in the run folder: {len(profile.features)} "
        f"input entries built from {profile.n_rows:,} training rows (data sha256 beginning `{profile.data_sha256[:16]}`), "
        f"plus score bins for {n_scores} model{'s' if n_scores != 1 else ''} and the label. The monthly monitor "
        f"loads this file and counts each new month into exactly these bins, so every month is compared with the "
        f"same baseline; re-fitting the bins on new data would hide slow drift."
    )


# ---- findings first -------------------------------------------------------------------------

#: At most this many moved inputs are named one by one in the findings box.
MAX_NAMED = 4


def moved_entries(section: Mapping[str, Any]) -> list[str]:
    """The inputs that moved (red or amber), largest PSI first."""
    features = section["features"]
    return sorted(section["summary"]["flagged"], key=lambda n: (-features[n]["psi"], n))


def largest_composition_change(section: Mapping[str, Any]) -> Optional[dict]:
    """The group whose share of applicants changed most (single attributes, not intersections)."""
    best = None
    for attribute, e in (section.get("composition") or {}).items():
        if "|" in attribute:
            continue
        for label, r, c in zip(bin_labels(e), e["reference_share"], e["current_share"]):
            if best is None or abs(c - r) > abs(best["change"]):
                best = {"attribute": attribute, "group": label, "reference": r, "current": c, "change": c - r,
                        "psi": e["psi"], "status": e["status"]}
    return best


def composition_narrative(section: Mapping[str, Any]) -> str:
    """The largest change of the group mix in words, and why it matters although it is not model drift."""
    top = largest_composition_change(section)
    if top is None:
        return "The group mix was not compared (no protected attribute in the data)."
    return (
        f"The group mix changed most for {top['attribute']} = {top['group']}: {_pct(top['current'])} of next "
        f"month's applicants against {_pct(top['reference'])} of the training sample ({_pp(top['change'])}; "
        f"{top['attribute']} PSI {top['psi']:.3f}, {top['status']} under the drift keys). Group membership is not a "
        f"model input, so this is not drift in the model's sense, but it changes the mix of applicants behind "
        f"every group figure of the audit."
    )


def _condition_words(c: Mapping[str, Any], model: str) -> str:
    m = c["by_model"][model]
    if c["condition"] == "unseen":
        values = ", ".join(v for v, _ in c.get("values") or [])
        who = f"{_pct(c['share_current'])} of next month's applicants ({c['n_rows']:,}) have a {c['column']} value never " \
              f"seen in training" + (f" ({values})" if values else "")
    else:
        who = (f"{_pct(c['share_current'])} ({c['n_rows']:,}) have no {c['column']} "
               f"(training: {_pct(c.get('missing_share_reference'))})")
    return (f"{who}: their mean score is {_fmt(m['mean_score_with'])} against {_fmt(m['mean_score_rest'])} for the rest "
            f"({fmt_signed(m['mean_score_difference'], digits=3, missing='undefined')}) and "
            f"{_pct(m['selection_rate_with'])} of them are selected against {_pct(m['selection_rate_rest'])}")


def conditions_narrative(conditions: Sequence[Mapping[str, Any]], *, model: str) -> str:
    """What the new values and the extra missing values do to ``model``'s scores next month."""
    mine = [c for c in conditions if model in c["by_model"]]
    if not mine:
        return "No input holds a value never seen in training, and no input's missing share rose: nothing to compare."
    return f"Under {model}, " + "; ".join(_condition_words(c, model) for c in mine) + "."


def drift_findings(section: Mapping[str, Any], *, config: Optional[DriftConfig] = None) -> list[str]:
    """The "What this step found" sentences of the drift step (3–5, every number from ``section``)."""
    config = config or DriftConfig()
    features, summary = section["features"], section["summary"]
    moved = moved_entries(section)
    if moved:
        named = "; ".join(
            f"{n} {features[n]['psi']:.3f} against {features[n]['critical_99']:.4f} ({features[n]['status']})"
            for n in moved[:MAX_NAMED])
        more = f"; and {len(moved) - MAX_NAMED} more" if len(moved) > MAX_NAMED else ""
        first = (f"Of {summary['n_features']} monitored inputs, **{summary['red']} red and {summary['amber']} amber**; "
                 f"PSI against its 99% no-drift critical value: {named}{more}.")
    else:
        first = (f"All {summary['n_features']} monitored inputs stayed green: no PSI passed both the rule of thumb "
                 f"({config.amber_psi:g}) and the no-drift critical value.")
    out = [first]
    score, label = section.get("score"), section.get("label")
    model = score["model"] if score else None
    if score:
        text = (f"The {model} score moved from a mean of {score['mean_reference']:.3f} to {score['mean_current']:.3f} "
                f"(PSI {score['psi']:.3f}, {score['status']})")
        rate = (section.get("selection_rate") or {}).get(model)
        if rate:
            text += f" and its selection rate from {_pct(rate['reference_rate'])} to {_pct(rate['current_rate'])}"
        if label is not None:
            text += (f"; the label base rate moved from {_pct(label['base_rate_reference'])} to "
                     f"{_pct(label['base_rate_current'])} ({label['status']})")
        else:
            text += "; next month has no outcome labels, so label drift is not measured"
        out.append(text + ".")
    if model is not None:
        out.append(conditions_narrative(section.get("score_conditions") or [], model=model))
    out.append(composition_narrative(section))
    return out


# ---- figure captions (what to see, with the numbers) ---------------------------------------


def psi_caption(section: Mapping[str, Any], *, config: Optional[DriftConfig] = None) -> str:
    """Caption of the PSI ranking: which inputs passed both keys, with their PSI."""
    config = config or DriftConfig()
    features = section["features"]
    moved = moved_entries(section)
    named = ", ".join(f"{n} {features[n]['psi']:.3f} ({features[n]['status']})" for n in moved) or "none"
    return (f"PSI of every monitored input (log scale), largest first. Past both keys: {named}; the other "
            f"{len(features) - len(moved)} stay green. A bar turns amber or red only when it passes its dashed PSI key "
            f"({config.amber_psi:g} amber, {config.red_psi:g} red) and its own {100 * config.amber_quantile:g}% "
            f"no-drift critical value (black tick).")


def _top_changes(features: Mapping[str, Mapping[str, Any]], names: Sequence[str]) -> str:
    parts = []
    for n in names:
        label, r, c, _ = _top_bin(features[n])
        parts.append(f"{n} bin {label}: {_pct(r)} → {_pct(c)}")
    return "; ".join(parts)


def overlay_caption(section: Mapping[str, Any], names: Sequence[str]) -> str:
    """Caption of the moved inputs' small multiples: the bin that changed most in each."""
    return (f"Share of the training sample (dark grey) and of next month (blue) in every frozen bin of the inputs "
            f"that moved. Largest change per input: {_top_changes(section['features'], names)}.")


def selection_caption(section: Mapping[str, Any], *, alpha: float = 0.05, min_n: int = 0) -> str:
    """Caption of the selection-rate dot plots: overall change per model and the significant group changes."""
    parts = []
    for model, o in section["selection_rate"].items():
        hits = [f"{a} = {g} ({_pp(c['difference'])})" for a, groups in section["selection_rate_by_group"][model].items()
                if "|" not in a for g, c in groups.items()
                if c["p_value_holm"] is not None and c["p_value_holm"] < alpha]
        sig = ("significant after Holm: " + ", ".join(hits)) if hits else "no group's change significant after Holm"
        parts.append(f"{model} {_pct(o['reference_rate'])} → {_pct(o['current_rate'])} overall, {sig}")
    small = f" Hollow light grey: groups with fewer than {min_n:,} applicants in a period." if min_n else ""
    return (f"Share of applicants selected per group, test period (dark grey) vs next month (blue): "
            + "; ".join(parts) + f" (α = {alpha:g}).{small} Each axis is fitted to the rates shown.")
