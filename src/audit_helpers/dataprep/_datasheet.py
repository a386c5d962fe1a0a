"""Describing the dataset: the data dictionary and the datasheet (Gebru et al., 2018).

The datasheet is built section by section (Motivation, Composition, Collection process,
Planted biases and drift for the synthetic scenario, Preprocessing, Uses), every number taken
from the summary or the ground truth.
"""

from __future__ import annotations

from typing import Optional

import pandas as pd

from ..model_io import MODEL_INPUT_PREFIX
from ..config import COLUMN_DESCRIPTIONS
from ..planted_vs_found import lowest_impact_ratios
from ._features import _tag_counts

# ---------------------------------------------------------------------------
# data dictionary


def _column_roles(feature_spec: dict) -> dict:
    """Column -> role, later roles overriding earlier ones as in the feature spec's order."""
    age = feature_spec.get("age") or {}
    roles = {feature_spec["id"]: "id", feature_spec["label"]: "label"}
    if feature_spec.get("date"):
        roles[feature_spec["date"]] = "date"
    roles.update({c: "protected" for c in feature_spec["protected"]})
    if age:
        roles[age["column"]] = "protected (age)"
        roles[age["group_column"]] = "derived (age group)"
    roles.update({c: "numeric feature" for c in feature_spec["numeric"]})
    roles.update({c: "categorical feature" for c in feature_spec["categorical"]})
    roles.update({c: "multi-label feature" for c in feature_spec["multilabel"]})
    return roles


def _column_values(s: pd.Series, col: str, feature_spec: dict) -> tuple[int, str]:
    """Number of distinct values (or tags) and the range or top values of one column."""
    if col in feature_spec["multilabel"]:
        counts = _tag_counts(s, feature_spec["multilabel"][col])
        n_unique, summary = len(counts), ", ".join(f"{k} ({v})" for k, v in counts.head(4).items())
    elif pd.api.types.is_numeric_dtype(s) and s.nunique() > 2:
        n_unique, summary = int(s.nunique()), f"{s.min():.4g} to {s.max():.4g} (median {s.median():.4g})"
    else:
        text = pd.api.types.is_string_dtype(s.dtype) and not pd.api.types.is_object_dtype(s.dtype)
        vc = (s if text else s.astype("object")).value_counts()  # a text column counts as it is, in the same order
        n_unique, summary = int(len(vc)), ", ".join(f"{k} ({v})" for k, v in vc.head(4).items())
    if col == feature_spec["id"]:
        summary = f"{s.iloc[0]} ... {s.iloc[-1]}" if len(s) else ""
    return n_unique, summary


SUPPLIED_PROTECTED = (
    "Protected attribute, as recorded in the supplied files: its categories are the files' own; missing values form "
    "the '{unknown}' group."
)
"""How the data dictionary describes a protected column of supplied files (never the synthetic scenario's text)."""


def column_descriptions(feature_spec: dict, *, source: str) -> dict:
    """Column -> description for :func:`data_dictionary`.

    The synthetic scenario's descriptions; for supplied files (``source="files"``) its protected
    columns are described by :data:`SUPPLIED_PROTECTED` instead, since the scenario's categories
    (EEO-1, its sex categories) say nothing about a user's data.
    """
    if source == "synthetic":
        return dict(COLUMN_DESCRIPTIONS)
    text = SUPPLIED_PROTECTED.format(unknown=feature_spec.get("unknown_label", "Unknown"))
    return {**COLUMN_DESCRIPTIONS, **{col: text for col in feature_spec["protected"]}}


def data_dictionary(frame: pd.DataFrame, feature_spec: dict, *, descriptions: Optional[dict] = None) -> pd.DataFrame:
    """One row per column: role, type, description, missing share, distinct values, range or top values.

    Parameters
    ----------
    frame : pandas.DataFrame
        A prepared split (usually train).
    feature_spec : dict
        Content of ``feature_spec.json``.
    descriptions : dict, optional
        Column -> description; defaults to the synthetic data's descriptions.

    Returns
    -------
    pandas.DataFrame
        Indexed by column name.
    """
    desc = COLUMN_DESCRIPTIONS if descriptions is None else descriptions
    roles = _column_roles(feature_spec)
    inputs = feature_spec.get("model_inputs")
    model = set(feature_spec["model_features"] if inputs is None else inputs)
    rows = []
    for col in frame.columns:
        if str(col).startswith(MODEL_INPUT_PREFIX):  # the model's copy of an input, as the file holds it
            continue
        s = frame[col]
        n_unique, summary = _column_values(s, col, feature_spec)
        rows.append(
            {
                "column": col,
                "role": roles.get(col, "other"),
                "model input": "yes" if col in model else "no",
                "dtype": str(s.dtype),
                "missing share": float(s.isna().mean()),
                "distinct": n_unique,
                "range / top values": summary,
                "description": desc.get(col, ""),
            }
        )
    return pd.DataFrame(rows).set_index("column")


_WHY_LEFT_OUT = {
    "named like an identifier": "an identifier (by its name); not a model input",
    "unique per row": "an identifier (unique per row); not a model input",
}


def other_columns_table(summary: dict) -> pd.DataFrame:
    """The files' columns that are not inputs of the supplied model (context, left out of the audit).

    One row per column: the files holding it, its missing share and distinct values, and why it
    was left out (an identifier by name or by being unique per row, or simply not a model input).
    Empty when the run trained its own screens or the files hold nothing else.
    """
    rows = [
        {
            "column": o["column"],
            "in files": ", ".join(o["in_files"]),
            "missing share": o["missing_share"],
            "distinct": o["distinct"],
            "why left out": _WHY_LEFT_OUT.get(o["reason"], o["reason"]),
        }
        for o in summary.get("other_columns") or []
    ]
    return pd.DataFrame(rows, columns=["column", "in files", "missing share", "distinct", "why left out"]).set_index("column")


# ---------------------------------------------------------------------------
# datasheet sections


def _motivation(ground_truth: Optional[dict]) -> str:
    if ground_truth is not None:
        return "**Motivation.** " + (
            "The data were created to test this audit: every bias and every drift is planted with a known size, so the audit "
            "can be checked against ground truth (it should find what is there and nothing else). They describe no real person."
        )
    return "**Motivation.** " + (
        "The data were supplied by the model owner as the screen's training sample and a month of new applicants. "
        "Their motivation and collection process are documented by the data owner, not by this audit."
    )


def _composition(summary: dict) -> str:
    rows = summary["rows"]
    total = rows["train"] + rows.get("test", 0)
    prot = ", ".join(summary["protected_attributes"])
    split_words = f"split {rows['train']:,} train / {rows['test']:,} test" if "test" in rows else "no test split held out"
    comp = (
        f"**Composition.** {total:,} applicants in the training period ({split_words}) "
        f"and {rows['eval']:,} next month; one row per applicant. Features: {', '.join(summary['features']['numeric'])} (numeric); "
        f"{', '.join(summary['features']['categorical'])} (categorical); {', '.join(summary['features']['multilabel']) or 'none'} "
        f"(multi-label). Protected attributes ({prot}"
    )
    if summary.get("age"):
        comp += f", and age with the {summary['age']['threshold']}-and-over group"
    comp += ") are kept as data, "
    inputs = summary["features"].get("model_inputs")
    used = [c for c in summary["protected_attributes"] if inputs is not None and c in inputs]
    if inputs is not None:
        comp += (f"and the supplied model takes {', '.join(used)} as input{'s' if len(used) > 1 else ''}." if used
                 else "not as model inputs.")
    else:
        comp += "and are model inputs." if summary["features"]["include_protected"] else "not as model inputs."
    unk = "; ".join(f"{a}: {sum(v.values()):,}" for a, v in summary["unknown_counts"].items())
    comp += f" Applicants without a recognised protected value are kept in an explicit unknown group ({unk})."
    return comp


def _synthetic_collection(ground_truth: dict) -> str:
    cfg = ground_truth["config"]
    return (
        "**Collection process.** Generated by `audit_helpers.synth` from a structural model: "
        f"`{ground_truth['structural_model']['formula']}`, with merit = `{ground_truth['structural_model']['merit']}`. "
        f"Applications are spread over {cfg['train_months']} months from {ground_truth['periods']['train']['start']}; "
        f"next month runs from {ground_truth['periods']['eval']['start']}. Missing values are "
        f"{ground_truth['structural_model']['missingness']}."
    )


def _bias_lines(ground_truth: dict) -> list[str]:
    """One bullet per planted bias (direct, gap proxy) and per planted region proxy."""
    bias_lines = []
    for b in ground_truth["bias"]:
        if not b["planted"]:
            continue
        if "log_odds" in b:
            bias_lines.append(
                f"- Direct: {b['group']} ({b['attribute']}) log-odds {b['log_odds']:+.2f} at equal merit "
                f"(about {100 * b['implied_label_rate_difference_at_equal_merit']:+.1f} percentage points in label rate). "
                "Why: past recruiters' decisions carry such penalties, and a model trained on them learns them."
            )
        else:
            eff = b["implied_label_rate_reduction_from_gap_penalty"]
            bias_lines.append(
                f"- Proxy: employment gaps cost {b['log_odds_per_gap_year']:+.2f} log-odds per year; women have more and "
                f"longer gaps, which lowers their label rate by about {100 * eff['Female']:.1f} points versus "
                f"{100 * eff['not Female']:.1f} for others. Why: gap penalties are a known route for sex disparities."
            )
    for p in ground_truth["proxies"]:
        if p["feature"] == "region" and p["planted"]:
            bias_lines.append(
                f"- Proxy: region is correlated with race (Cramér's V {p['cramers_v_train']:.2f}) but carries no merit; "
                "a model can pick up the race penalty through it."
            )
    return bias_lines


def _screen_line(ground_truth: dict) -> str:
    """How much of the planted bias reaches the trained screens (their true impact ratios)."""
    screens = ground_truth.get("screens")
    if not screens:
        return (
            "- Reaching the screens: the trained screens' true impact ratios at their operating threshold are measured "
            "in step 02 on a large fresh sample of this scenario and added to `ground_truth.json` under `screens`."
        )
    n = (ground_truth.get("screens_sample") or {}).get("n")
    parts = []
    for model, splits in lowest_impact_ratios(screens).items():
        cells = [
            f"{split} {attribute} {v['group']} {v['impact_ratio']:.2f}"
            for split, attrs in splits.items()
            for attribute, v in attrs.items()
        ]
        parts.append(f"{model}: " + ", ".join(cells))
    size = f" on {n:,} fresh applicants per split" if n else ""
    return (
        f"- Reaching the screens (lowest true impact ratio per attribute at the operating threshold{size}, groups "
        "with at least 2% of applicants): " + "; ".join(parts) + "."
    )


def _planted_biases(ground_truth: dict) -> list[str]:
    bias_lines = _bias_lines(ground_truth)
    head = "**Planted biases.** " + ("None: this is the null scenario." if not bias_lines else "")
    return [head, *bias_lines, _screen_line(ground_truth)]


def _planted_drift(ground_truth: dict) -> str:
    drift = ground_truth["drift"]
    drifted = [f"{f} ({v['what']})" for f, v in drift["features"].items() if v["drifted"]]
    if drift["protected"]["race"]["drifted"]:
        drifted.append(f"race composition ({drift['protected']['race']['what']})")
    return (
        "**Planted drift next month.** " + ("; ".join(drifted) if drifted else "none") + ". "
        f"Unchanged controls: {', '.join(drift['controls'])}."
    )


def _preprocessing(summary: dict) -> str:
    pre = (
        "**Preprocessing.** Labels mapped to 1 (advanced) / 0; protected values missing or unrecognised set to the unknown "
        "group; "
    )
    if summary["split"]["strata"]:
        pre += (
            f"the training period split {1 - summary['split']['test_size']:.0%} / {summary['split']['test_size']:.0%} "
            f"within strata of {' x '.join(summary['split']['strata'])}."
        )
    elif summary["split"].get("kind") == "none":
        pre += "no test split (a supplied model is never evaluated on rows of its own training sample)."
    else:
        pre += "the test split was supplied."
    return pre


def _uses(ground_truth: Optional[dict]) -> str:
    return "**Uses.** Auditing this screen's fairness and drift before deployment. " + (
        "Not for training real hiring models or for any claim about real applicants."
        if ground_truth is not None
        else "Other uses are for the data owner to decide."
    )


def datasheet_markdown(summary: dict, ground_truth: Optional[dict] = None) -> str:
    """A datasheet for the dataset (Gebru et al., 2018) with generated numbers.

    Parameters
    ----------
    summary : dict
        The ``data`` section from :func:`prepare`.
    ground_truth : dict, optional
        The synthetic scenario's ground truth; if omitted the data are described
        as supplied.

    Returns
    -------
    str
        Markdown with the sections Motivation, Composition, Collection process,
        Preprocessing, Planted biases and Uses.
    """
    out = ["### Datasheet", "", _motivation(ground_truth), "", _composition(summary)]
    if ground_truth is not None:
        out += ["", _synthetic_collection(ground_truth)]
        out += ["", *_planted_biases(ground_truth)]
        out += ["", _planted_drift(ground_truth)]
    else:
        out += ["", "**Collection process.** As supplied; files and their sha256 are listed in the run manifest."]
    out += ["", _preprocessing(summary)]
    out += ["", _uses(ground_truth)]
    return "\n".join(out)
