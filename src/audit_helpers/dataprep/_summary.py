"""The summary of the prepared data: the ``data`` section of ``audit_results.json``.

Counts, base rates per group and intersection, unknown and unseen categories, missingness,
the date window and the hashes of the files written (strict-JSON-ready).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .._common.groups import group_labels, resolve_intersections, spec_intersections
from .._common.hashing import file_sha256
from .._common.groups import INTERSECTION_SEP
from ._names import NO_TEST_SPLIT_NOTE, ROW_ID_NOTE, SMALL_GROUP_SHARE
from ._features import _tag_counts

def _rate_block(y: pd.Series, groups: pd.Series, n_total: int) -> dict:
    out = {}
    counts = pd.DataFrame({"g": groups.to_numpy(), "y": y.to_numpy()}).groupby("g", sort=True)["y"].agg(["size", "sum"])
    for g, row in counts.iterrows():
        n, n_pos = int(row["size"]), int(row["sum"])
        out[str(g)] = {"n": n, "n_pos": n_pos, "rate": n_pos / n if n else None, "share": n / n_total if n_total else None}
    return out


def _group_columns(df: pd.DataFrame, spec: dict) -> dict[str, pd.Series]:
    prot = spec["protected"]
    cols = {a: df[a].astype("str") for a in prot}
    for key in resolve_intersections(prot, spec_intersections(spec)):
        cols[key] = group_labels(df, key)
    if spec["age"] is not None:
        gc = spec["age"]["group_column"]
        cols[gc] = df[gc].astype("str")
    return cols


def _categories(df: pd.DataFrame, spec: dict) -> dict[str, set]:
    cats = {c: set(df[c].dropna().astype("str").unique().tolist()) for c in spec["categorical"]}
    for c, sep in spec["multilabel"].items():
        cats[c] = set(_tag_counts(df[c], sep).index)
    return cats


# ---------------------------------------------------------------------------
# the blocks of the summary


def _unseen_categories(splits: dict, spec: dict) -> dict:
    """Per test/eval split: categories (or tags) never seen in train, with counts."""
    ref_cats = _categories(splits["train"], spec)
    unseen: dict = {}
    for name in [s for s in ("test", "eval") if s in splits]:
        df = splits[name]
        per = {}
        for c in spec["categorical"]:
            vals = df[c].dropna().astype("str")
            vc = vals[~vals.isin(ref_cats[c])].value_counts()
            if len(vc):
                per[c] = {str(k): int(v) for k, v in vc.sort_index().items()}
        for c, sep in spec["multilabel"].items():
            counts = _tag_counts(df[c], sep)
            counts = counts[~counts.index.isin(ref_cats[c])]
            if len(counts):
                per[c] = {str(k): int(v) for k, v in counts.sort_index().items()}
        unseen[name] = per
    return unseen


def _missingness(splits: dict, spec: dict) -> dict:
    """Missing count and share per feature, protected (unknown group) and age column, per split."""
    feature_cols = list(spec["numeric"]) + list(spec["categorical"]) + list(spec["multilabel"])
    missing_cols = feature_cols + spec["protected"] + ([spec["age"]["column"]] if spec["age"] else [])
    missingness = {}
    for name, df in splits.items():
        block = {}
        for c in missing_cols:
            if c in spec["protected"]:
                miss = int((df[c] == spec["unknown_label"]).sum())
            elif c in spec["multilabel"]:
                miss = int(df[c].isna().sum())
            else:
                miss = int(df[c].isna().sum())
            block[c] = {"n": miss, "share": miss / len(df) if len(df) else None}
        missingness[name] = block
    return missingness


def _base_rates(splits: dict, spec: dict) -> dict:
    """Per split and group column (protected, intersection, age group): n, positives, rate, share."""
    label = spec["label"]
    base_rates = {}
    for name, df in splits.items():
        per = {}
        for attr, groups in _group_columns(df, spec).items():
            per[attr] = _rate_block(df[label], groups, len(df))
        base_rates[name] = per
    return base_rates


def _unknown_counts(splits: dict, spec: dict) -> dict:
    return {attr: {name: int((df[attr] == spec["unknown_label"]).sum()) for name, df in splits.items()} for attr in spec["protected"]}


def _small_groups(train_rates: dict) -> dict:
    """Groups under SMALL_GROUP_SHARE of the training split, per group column."""
    return {
        attr: sorted(g for g, v in block.items() if v["share"] is not None and v["share"] < SMALL_GROUP_SHARE)
        for attr, block in train_rates.items()
    }


def _unrecognised(validation: dict, spec: dict) -> dict:
    return {
        attr: {name: rep[attr]["unrecognised"] for name, rep in validation.items() if attr in rep and rep[attr]["unrecognised"]}
        for attr in spec["protected"]
    }


def _unlabelled_codes(validation: dict, spec: dict) -> dict:
    """Numeric codes without a label, per protected attribute: code -> applicants over every supplied table."""
    out: dict = {}
    for attr in spec["protected"]:
        counts: dict = {}
        for rep in validation.values():
            for code, n in ((rep.get(attr) or {}).get("unlabelled_codes") or {}).items():
                counts[code] = counts.get(code, 0) + int(n)
        if counts:
            out[attr] = dict(sorted(counts.items(), key=lambda kv: (float(kv[0]), kv[0])))
    return out


def _shown(key: str) -> str:
    return key.replace(INTERSECTION_SEP, " × ")


def intersections_reason(block: dict, protected: list) -> str:
    """Which intersections are audited and why, in one sentence (from the feature spec's block)."""
    keys = list(block["keys"])
    named = " and ".join(_shown(k) for k in keys)
    if block["basis"] == "declared":
        return f"Intersections audited: {named}, as declared in fairness.intersections."
    if block["basis"] == "none":
        return "No intersection is audited: fairness.intersections is false."
    if block["basis"] == "default_single":
        return "No intersection is audited: only one protected attribute is declared."
    text = f"Intersection audited: {named}, the first two declared protected attributes (fairness.intersections: true, the default)"
    if len(protected) > 2:
        others = ", ".join(p for p in protected[2:])
        return text + f"; {others} enters no intersection: list the intersections wanted in fairness.intersections."
    return text + "."


def unlabelled_note(attr: str, codes: dict) -> str:
    """The note for an attribute whose numeric codes have no labels."""
    shown = ", ".join(f"{c} ({n:,})" for c, n in codes.items())
    return (
        f"{attr} holds numeric codes without labels: {shown} applicants in the supplied files; the groups are named "
        f"'{attr} = <code>'. "
        f"Give data.protected_labels.{attr} to name them."
    )


def _date_window(splits: dict, spec: dict):
    if not spec.get("date"):
        return None
    window = {}
    for name, df in splits.items():
        d = pd.to_datetime(df[spec["date"]], errors="coerce")
        window[name] = {
            "start": None if d.isna().all() else d.min().strftime("%Y-%m-%d"),
            "end": None if d.isna().all() else d.max().strftime("%Y-%m-%d"),
        }
    return window


def _file_records(paths: dict, data_dir: Path) -> dict:
    """Path (relative to the run folder when inside it), sha256 and size of every file written."""
    base = data_dir.parent
    files = {}
    for key in ("train", "test", "eval", "feature_spec", "ground_truth"):
        if key in paths:
            p = Path(paths[key])
            rel = p.relative_to(base).as_posix() if p.is_relative_to(base) else str(p)
            files[key] = {"path": rel, "sha256": file_sha256(p), "bytes": int(p.stat().st_size)}
    return files


def _source_files(config):
    if config.source != "files":
        return None
    return {
        k: {"path": str(getattr(config, f"{k}_path")), "sha256": file_sha256(Path(getattr(config, f"{k}_path")))}
        for k in ("train", "test", "eval")
        if getattr(config, f"{k}_path") is not None
    }


OTHER_ID_NOTE = (
    "identifier-like column(s) {columns} (named like an id, or unique per row) are not inputs of the model: "
    "left out of the audit"
)
OTHER_COLUMNS_NOTE = (
    "{n} column(s) of the files are not inputs of the model and are left out (context only: never counted, "
    "monitored or judged as inputs): {columns}"
)


def _notes(config, spec: dict, small_groups: dict, rows: dict, unlabelled: dict) -> list:
    notes = []
    for attr, codes in unlabelled.items():
        notes.append(unlabelled_note(attr, codes))
    if spec.get("id_source") == "row_number":
        notes.append(ROW_ID_NOTE.format(column=spec["id"]))
    if "test" not in rows:
        notes.append(NO_TEST_SPLIT_NOTE)
    if spec["age"] is None and config.age_column is not None and config.age_group_column not in spec["protected"]:
        notes.append(f"age column {config.age_column!r} not present: the age add-on is skipped")
    other = spec.get("other_columns") or []
    ids = [o["column"] for o in other if o["id_like"]]
    if ids:
        notes.append(OTHER_ID_NOTE.format(columns=", ".join(repr(c) for c in ids)))
    if len(other) > len(ids):
        rest = [o["column"] for o in other if not o["id_like"]]
        notes.append(OTHER_COLUMNS_NOTE.format(n=len(rest), columns=", ".join(repr(c) for c in rest[:12]) + (", ..." if len(rest) > 12 else "")))
    for attr, groups in small_groups.items():
        if groups and INTERSECTION_SEP not in attr:
            notes.append(f"{attr}: groups under {SMALL_GROUP_SHARE:.0%} of the training split: {', '.join(groups)}")
    return notes


# ---------------------------------------------------------------------------
# the whole section


_SPLIT_METHODS = {
    "split": "stratified random split of the training period",
    "supplied": "supplied test file",
    "none": "no test split: a supplied model is never evaluated on rows of its own training sample",
}


def _summary(config, splits, spec, validation, paths, data_dir, *, split_method, strata, notes=()) -> dict:
    label = spec["label"]
    base_rates = _base_rates(splits, spec)
    small_groups = _small_groups(base_rates["train"])
    unlabelled = _unlabelled_codes(validation, spec)
    block = spec.get("intersections") or {"keys": resolve_intersections(spec["protected"]), "basis": "default"}
    return {
        "source": config.source,
        "label": label,
        "positive_label": spec["positive_label"],
        "protected_attributes": list(spec["protected"]),
        "id_column": spec["id"],
        "id_source": spec.get("id_source", "column"),
        "unknown_label": spec["unknown_label"],
        "intersections": {**block, "reason": intersections_reason(block, list(spec["protected"]))},
        "protected_labels": dict(spec.get("protected_labels") or {}),
        "unlabelled_codes": unlabelled,
        "age": spec["age"],
        "rows": {name: int(len(df)) for name, df in splits.items()},
        "split": {
            "method": _SPLIT_METHODS[split_method],
            "kind": split_method,
            "strata": list(strata) if split_method == "split" else None,
            "test_size": config.test_size if split_method == "split" else None,
        },
        "date_window": _date_window(splits, spec),
        "base_rate": {name: float(df[label].mean()) for name, df in splits.items()},
        "base_rates": base_rates,
        "unknown_counts": _unknown_counts(splits, spec),
        "unrecognised_values": _unrecognised(validation, spec),
        "small_group_share": SMALL_GROUP_SHARE,
        "small_groups": small_groups,
        "missingness": _missingness(splits, spec),
        "unseen_categories": _unseen_categories(splits, spec),
        "features": {
            "numeric": list(spec["numeric"]),
            "categorical": list(spec["categorical"]),
            "multilabel": list(spec["multilabel"]),
            "model_features": list(spec["model_features"]),
            "include_protected": spec["include_protected"],
            "model_inputs": None if spec.get("model_inputs") is None else list(spec["model_inputs"]),
            "text_inputs": list(spec.get("text_inputs") or []),
        },
        "other_columns": list(spec.get("other_columns") or []),
        "files": _file_records(paths, data_dir),
        "source_files": _source_files(config),
        "notes": _notes(config, spec, small_groups, {name: len(df) for name, df in splits.items()}, unlabelled) + list(notes),
    }
