"""Data preparation: load or generate applicants, validate, split, describe.

:func:`prepare` is the one entry point of the data step. It produces the
artifacts of ``docs/architecture.md`` in the run's ``data/`` folder
(``train.parquet``, ``test.parquet``, ``eval.parquet``, ``feature_spec.json``
and, for the synthetic scenario, ``ground_truth.json``) and a summary dict for
the ``data`` section of ``audit_results.json``.

The remaining public functions turn that summary into the tables, figures and
text of the data notebook (data dictionary, base rates by group and
intersection, missingness, unknown and unseen categories, datasheet).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional, Sequence, Union

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from pydantic import BaseModel, ConfigDict, Field, model_validator

from . import synth
from .synth import SyntheticConfig, _as_generator
from .validate import DataValidationError, _as_text, parse_numeric, read_table, validate_table

__all__ = [
    "DataConfig",
    "PreparedData",
    "base_rate_table",
    "data_dictionary",
    "data_narrative",
    "datasheet_markdown",
    "infer_feature_types",
    "missingness_table",
    "plot_base_rates",
    "plot_distributions",
    "planted_bias_narrative",
    "prepare",
    "stratified_split",
    "unknown_table",
    "unseen_table",
]

NEEDS_FILES = "data.source is 'files': data.{key} is required."
OVERLAPPING_ROLES = "data: column(s) {columns} are given more than one role (feature / label / id / protected)."
TEST_SIZE_ERROR = "test_size must be strictly between 0 and 1; got {value}."
UNKNOWN_SPLIT = "split must be one of {splits}; got {split!r}."
UNKNOWN_ATTRIBUTE = "attribute {attribute!r} has no base rates; available: {available}."
NO_FEATURES = "{table}: no feature columns left after removing id, label, date, age and protected columns."

SPLITS = ("train", "test", "eval")
INTERSECTION_SEP = "|"
#: Share of parseable values above which a text column is inferred as numeric.
NUMERIC_INFERENCE_SHARE = 0.9
#: Share of the training data under which a group is listed as small (LL144's 2% rule).
SMALL_GROUP_SHARE = 0.02


class DataConfig(BaseModel):
    """Where the applicants come from and what the columns mean."""

    model_config = ConfigDict(extra="forbid")

    source: Literal["synthetic", "files"] = Field(
        "synthetic", description="'synthetic' generates the built-in scenario; 'files' reads train/test/eval files (CSV or Parquet)."
    )
    train_path: Optional[Path] = Field(None, description="Training-period applicants with labels (files mode).")
    test_path: Optional[Path] = Field(
        None, description="Held-out applicants of the training period (files mode); if absent, split from train_path."
    )
    eval_path: Optional[Path] = Field(None, description="Next-month applicants with labels (files mode).")
    label: str = Field("advanced", description="Label column: did the applicant advance past the screen.")
    positive_label: Union[int, str] = Field(1, description="Label value that means 'advanced' (mapped to 1; all else to 0).")
    protected_attributes: list[str] = Field(
        default_factory=lambda: ["sex", "race"], min_length=1, description="Protected attribute columns to audit (not model inputs)."
    )
    protected_values: Optional[dict[str, list[str]]] = Field(
        None,
        description="Recognised values per protected attribute; others become the unknown group. Null accepts every non-missing value.",
    )
    id_column: str = Field("applicant_id", description="Applicant identifier column (unique per file).")
    date_column: Optional[str] = Field("application_date", description="Application date column, used for the date window (optional).")
    age_column: Optional[str] = Field("age", description="Age column for the 40-and-over add-on; null to skip it.")
    age_threshold: int = Field(40, ge=1, description="Age at and above which an applicant is in the older group (ADEA: 40).")
    age_group_column: str = Field("age_group", description="Name of the derived age-group column in the prepared splits.")
    numeric_features: Optional[list[str]] = Field(None, description="Numeric model features (files mode); inferred if null.")
    categorical_features: Optional[list[str]] = Field(None, description="Categorical model features (files mode); inferred if null.")
    multilabel_features: Optional[dict[str, str]] = Field(
        None, description="Multi-label features as column -> separator (files mode); inferred if null."
    )
    multilabel_separator: str = Field(";", min_length=1, description="Separator used to infer multi-label text columns (files mode).")
    test_size: float = Field(0.25, gt=0, lt=1, description="Share of the training period held out as the test split (stratified by label x groups).")
    unknown_label: str = Field("Unknown", min_length=1, description="Name of the explicit group for missing or unrecognised protected values.")
    synthetic: SyntheticConfig = Field(default_factory=SyntheticConfig, description="The synthetic scenario (used when source is 'synthetic').")

    @model_validator(mode="after")
    def _check(self) -> "DataConfig":
        if self.source == "files":
            for key in ("train_path", "eval_path"):
                if getattr(self, key) is None:
                    raise ValueError(NEEDS_FILES.format(key=key))
        roles = [self.label, self.id_column, *self.protected_attributes]
        roles += list(self.numeric_features or []) + list(self.categorical_features or []) + list(self.multilabel_features or {})
        dup = sorted({c for c in roles if roles.count(c) > 1})
        if dup:
            raise ValueError(OVERLAPPING_ROLES.format(columns=dup))
        return self


@dataclass
class PreparedData:
    """Everything the data step produced.

    Attributes
    ----------
    train, test, eval : pandas.DataFrame
        The prepared splits as written to parquet.
    feature_spec : dict
        Content of ``feature_spec.json``.
    summary : dict
        The ``data`` section for ``audit_results.json`` (strict-JSON-ready).
    ground_truth : dict or None
        Planted effects (synthetic source only).
    scenario : synth.Scenario or None
        The generated scenario incl. latent quantities (synthetic source only).
    paths : dict
        Name -> path of every file written.
    """

    train: pd.DataFrame
    test: pd.DataFrame
    eval: pd.DataFrame
    feature_spec: dict
    summary: dict
    ground_truth: Optional[dict] = None
    scenario: Optional[synth.Scenario] = field(default=None, repr=False)
    paths: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------
# splitting and feature roles


def stratified_split(frame: pd.DataFrame, *, strata: Sequence[str], test_size: float, random_state) -> tuple[np.ndarray, np.ndarray]:
    """Split rows into train and test within every stratum.

    Each stratum (unique combination of the ``strata`` columns) sends
    ``floor(test_size * n + 0.5)`` randomly chosen rows to test, so label and
    group shares are preserved; strata of one row stay in train.

    Parameters
    ----------
    frame : pandas.DataFrame
    strata : sequence of str
        Columns defining the strata (e.g. label and protected attributes).
    test_size : float
        Share of rows for test, in (0, 1).
    random_state : int, numpy.random.SeedSequence or numpy.random.Generator

    Returns
    -------
    train_idx, test_idx : numpy.ndarray of int
        Sorted positional indices.
    """
    if not 0 < test_size < 1:
        raise ValueError(TEST_SIZE_ERROR.format(value=test_size))
    rng = _as_generator(random_state)
    keys = frame.groupby(list(strata), sort=True, dropna=False).ngroup().to_numpy()
    order = np.argsort(keys, kind="stable")
    bounds = np.flatnonzero(np.diff(keys[order])) + 1
    test_parts = []
    for members in np.split(order, bounds):
        k = int(np.floor(test_size * len(members) + 0.5))
        if len(members) > 1 and k > 0:
            test_parts.append(rng.permutation(members)[:k])
    test_idx = np.sort(np.concatenate(test_parts)) if test_parts else np.array([], dtype=np.int64)
    mask = np.ones(len(frame), dtype=bool)
    mask[test_idx] = False
    return np.flatnonzero(mask), test_idx


def infer_feature_types(
    frame: pd.DataFrame, *, exclude: Sequence[str], separator: str = ";", numeric_share: float = NUMERIC_INFERENCE_SHARE
) -> tuple[list[str], list[str], dict[str, str]]:
    """Infer numeric, categorical and multi-label feature columns.

    A column is numeric if (at least ``numeric_share`` of) its non-missing
    values parse as numbers and it has more than two distinct values; binary
    numeric columns are categorical. Text columns containing ``separator``
    are multi-label; other text columns are categorical.

    Parameters
    ----------
    frame : pandas.DataFrame
    exclude : sequence of str
        Columns that are not features (id, label, date, protected, age).
    separator : str, default=";"
    numeric_share : float, default=NUMERIC_INFERENCE_SHARE

    Returns
    -------
    numeric : list of str
    categorical : list of str
    multilabel : dict of str to str
    """
    numeric, categorical, multilabel = [], [], {}
    for col in frame.columns:
        if col in exclude:
            continue
        values, bad = parse_numeric(frame[col])
        present = int(frame[col].notna().sum())
        parsed = int(values.notna().sum())
        if present and parsed >= numeric_share * present:
            (numeric if values.nunique() > 2 or bad.any() else categorical).append(col)
        elif frame[col].astype("object").map(lambda v: isinstance(v, str) and separator in v).any():
            multilabel[col] = separator
        else:
            categorical.append(col)
    return numeric, categorical, multilabel


def _normalise_categorical(s: pd.Series) -> pd.Series:
    values, bad = parse_numeric(s)
    finite = values.dropna()
    if s.notna().any() and not bad.any() and len(finite) == len(values) and np.all(np.mod(finite.to_numpy(), 1) == 0):
        return values.astype("int64")
    text = _as_text(s)
    return text.astype("str") if text.notna().all() else text


def _age_group(age: pd.Series, threshold: int, unknown: str) -> pd.Series:
    values, _ = parse_numeric(age)
    out = np.where(values >= threshold, f"{threshold} and over", f"under {threshold}").astype(object)
    out[values.isna().to_numpy()] = unknown
    return pd.Series(out, index=age.index).astype("str")


# ---------------------------------------------------------------------------
# the main entry point


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _write_json(obj, path: Path) -> None:
    path.write_text(json.dumps(obj, indent=2, sort_keys=False, allow_nan=False) + "\n", encoding="utf-8")


def _tag_counts(s: pd.Series, sep: str) -> pd.Series:
    """Number of rows carrying each tag."""
    tags = _as_text(s).str.split(sep).explode().str.strip()
    tags = tags[tags.notna() & (tags != "")]
    return tags.value_counts()


def prepare(
    config: DataConfig,
    *,
    data_dir,
    random_state,
    include_protected: bool = False,
    ground_truth_dir=None,
) -> PreparedData:
    """Generate or load the applicants, validate, split and write the artifacts.

    Parameters
    ----------
    config : DataConfig
        The ``data`` section of the run parameters.
    data_dir : str or pathlib.Path
        Folder for ``train/test/eval.parquet``, ``feature_spec.json`` and (synthetic)
        ``ground_truth.json``; created if missing.
    random_state : int, numpy.random.SeedSequence or numpy.random.Generator
        Seed for generation and the split (independent child streams).
    include_protected : bool, default=False
        Whether the protected attributes (and age) are model features
        (``model.include_protected``).
    ground_truth_dir : str or pathlib.Path, optional
        Second folder (the run folder) that also receives ``ground_truth.json``.

    Returns
    -------
    PreparedData

    Raises
    ------
    DataValidationError
        If a supplied file fails validation.
    """
    if not isinstance(config, DataConfig):
        raise TypeError(CONFIG_TYPE_ERROR.format(got=type(config).__name__))
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    gen_rng, split_rng = _as_generator(random_state).spawn(2)
    protected = list(config.protected_attributes)
    age_col = config.age_column
    scenario = None
    ground_truth = None
    test_raw = None
    validation: dict = {}

    if config.source == "synthetic":
        scenario = synth.generate_scenario(config.synthetic, random_state=gen_rng)
        ground_truth = scenario.ground_truth
        train_raw, eval_raw = scenario.train, scenario.eval
        spec_roles = synth.synthetic_feature_spec()
        numeric, categorical, multilabel = spec_roles["numeric"], spec_roles["categorical"], spec_roles["multilabel"]
        ordinal = spec_roles["ordinal"]
        known = {"sex": list(synth.SEX_CATEGORIES), "race": list(synth.RACE_CATEGORIES)}
        protected_values = {c: known[c] for c in protected if c in known}
        if config.protected_values:
            protected_values.update(config.protected_values)
        label, positive, id_col = synth.LABEL_COLUMN, 1, synth.ID_COLUMN
        date_col = synth.DATE_COLUMN
        age_col = synth.AGE_COLUMN if age_col is not None else None
        extra_numeric = []
    else:
        train_raw = read_table(config.train_path, table="train")
        eval_raw = read_table(config.eval_path, table="eval")
        if config.test_path is not None:
            test_raw = read_table(config.test_path, table="test")
        label, positive, id_col, date_col = config.label, config.positive_label, config.id_column, config.date_column
        if date_col is not None and date_col not in train_raw.columns:
            date_col = None
        if age_col is not None and age_col not in train_raw.columns:
            age_col = None
        exclude = {label, id_col, *protected, *(c for c in (date_col, age_col, config.age_group_column) if c)}
        inferred = infer_feature_types(train_raw, exclude=sorted(exclude), separator=config.multilabel_separator)
        given = config.numeric_features is not None or config.categorical_features is not None or config.multilabel_features is not None
        if given:
            numeric = list(config.numeric_features or [])
            categorical = list(config.categorical_features or [])
            multilabel = dict(config.multilabel_features or {})
        else:
            numeric, categorical, multilabel = inferred
        if not (numeric or categorical or multilabel):
            raise DataValidationError([NO_FEATURES.format(table="train")])
        ordinal = {}
        protected_values = config.protected_values
        extra_numeric = [age_col] if age_col else []

    def _clean(raw, table, require_both):
        clean, rep = validate_table(
            raw,
            table=table,
            label=label,
            positive_label=positive,
            protected_attributes=protected,
            id_column=id_col,
            numeric_features=list(numeric) + extra_numeric,
            other_features=list(categorical) + list(multilabel),
            protected_values=protected_values,
            unknown_label=config.unknown_label,
            require_both_classes=require_both,
        )
        for col in categorical:
            clean[col] = _normalise_categorical(clean[col])
        for col in multilabel:
            clean[col] = _as_text(clean[col]).fillna("").astype("str")
        if age_col is not None:
            clean[config.age_group_column] = _age_group(clean[age_col], config.age_threshold, config.unknown_label)
        validation[table] = rep
        return clean

    full_train = _clean(train_raw, "train", True)
    eval_df = _clean(eval_raw, "eval", False)
    strata = [label, *protected]
    if test_raw is not None:
        train_df = full_train
        test_df = _clean(test_raw, "test", False)
    else:
        tr_idx, te_idx = stratified_split(full_train, strata=strata, test_size=config.test_size, random_state=split_rng)
        train_df = full_train.iloc[tr_idx].reset_index(drop=True)
        test_df = full_train.iloc[te_idx].reset_index(drop=True)
    eval_df = eval_df.reset_index(drop=True)

    model_features = list(numeric) + list(categorical) + list(multilabel)
    if include_protected:
        model_features += protected + ([age_col] if age_col else [])
    feature_spec = {
        "id": id_col,
        "label": label,
        "positive_label": positive,
        "protected": protected,
        "unknown_label": config.unknown_label,
        "age": None if age_col is None else {"column": age_col, "group_column": config.age_group_column, "threshold": config.age_threshold},
        "date": date_col,
        "numeric": list(numeric),
        "categorical": list(categorical),
        "multilabel": dict(multilabel),
        "ordinal": ordinal,
        "model_features": model_features,
        "include_protected": bool(include_protected),
    }

    splits = {"train": train_df, "test": test_df, "eval": eval_df}
    paths = {}
    for name, df in splits.items():
        path = data_dir / f"{name}.parquet"
        df.to_parquet(path, index=False)
        paths[name] = path
    paths["feature_spec"] = data_dir / "feature_spec.json"
    _write_json(feature_spec, paths["feature_spec"])
    if ground_truth is not None:
        paths["ground_truth"] = data_dir / "ground_truth.json"
        _write_json(ground_truth, paths["ground_truth"])
        if ground_truth_dir is not None:
            paths["ground_truth_run"] = Path(ground_truth_dir) / "ground_truth.json"
            _write_json(ground_truth, paths["ground_truth_run"])

    summary = _summary(config, splits, feature_spec, validation, paths, data_dir, test_from_split=test_raw is None, strata=strata)
    return PreparedData(
        train=train_df,
        test=test_df,
        eval=eval_df,
        feature_spec=feature_spec,
        summary=summary,
        ground_truth=ground_truth,
        scenario=scenario,
        paths=paths,
    )


CONFIG_TYPE_ERROR = "config must be a DataConfig; got {got}."


# ---------------------------------------------------------------------------
# the summary (data section of audit_results.json)


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
    if len(prot) >= 2:
        cols[INTERSECTION_SEP.join(prot[:2])] = df[prot[0]].astype("str") + INTERSECTION_SEP + df[prot[1]].astype("str")
    if spec["age"] is not None:
        gc = spec["age"]["group_column"]
        cols[gc] = df[gc].astype("str")
    return cols


def _categories(df: pd.DataFrame, spec: dict) -> dict[str, set]:
    cats = {c: set(df[c].dropna().astype("str").unique().tolist()) for c in spec["categorical"]}
    for c, sep in spec["multilabel"].items():
        cats[c] = set(_tag_counts(df[c], sep).index)
    return cats


def _summary(config, splits, spec, validation, paths, data_dir, *, test_from_split, strata) -> dict:
    label = spec["label"]
    train = splits["train"]
    ref_cats = _categories(train, spec)
    unseen: dict = {}
    for name in ("test", "eval"):
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

    base_rates, unknown_counts, small_groups = {}, {}, {}
    for name, df in splits.items():
        per = {}
        for attr, groups in _group_columns(df, spec).items():
            per[attr] = _rate_block(df[label], groups, len(df))
        base_rates[name] = per
    for attr in spec["protected"]:
        unknown_counts[attr] = {name: int((df[attr] == spec["unknown_label"]).sum()) for name, df in splits.items()}
    for attr, block in base_rates["train"].items():
        small_groups[attr] = sorted(g for g, v in block.items() if v["share"] is not None and v["share"] < SMALL_GROUP_SHARE)

    unrecognised = {
        attr: {name: rep[attr]["unrecognised"] for name, rep in validation.items() if attr in rep and rep[attr]["unrecognised"]}
        for attr in spec["protected"]
    }

    window = None
    if spec.get("date"):
        window = {}
        for name, df in splits.items():
            d = pd.to_datetime(df[spec["date"]], errors="coerce")
            window[name] = {
                "start": None if d.isna().all() else d.min().strftime("%Y-%m-%d"),
                "end": None if d.isna().all() else d.max().strftime("%Y-%m-%d"),
            }

    base = data_dir.parent
    files = {}
    for key in ("train", "test", "eval", "feature_spec", "ground_truth"):
        if key in paths:
            p = Path(paths[key])
            rel = p.relative_to(base).as_posix() if p.is_relative_to(base) else str(p)
            files[key] = {"path": rel, "sha256": _sha256(p), "bytes": int(p.stat().st_size)}
    sources = None
    if config.source == "files":
        sources = {
            k: {"path": str(getattr(config, f"{k}_path")), "sha256": _sha256(Path(getattr(config, f"{k}_path")))}
            for k in ("train", "test", "eval")
            if getattr(config, f"{k}_path") is not None
        }

    notes = []
    if spec["age"] is None and config.age_column is not None:
        notes.append(f"age column {config.age_column!r} not present: the age add-on is skipped")
    for attr, groups in small_groups.items():
        if groups and INTERSECTION_SEP not in attr:
            notes.append(f"{attr}: groups under {SMALL_GROUP_SHARE:.0%} of the training split: {', '.join(groups)}")

    return {
        "source": config.source,
        "label": label,
        "positive_label": spec["positive_label"],
        "protected_attributes": list(spec["protected"]),
        "id_column": spec["id"],
        "unknown_label": spec["unknown_label"],
        "age": spec["age"],
        "rows": {name: int(len(df)) for name, df in splits.items()},
        "split": {
            "method": "stratified random split of the training period" if test_from_split else "supplied test file",
            "strata": list(strata) if test_from_split else None,
            "test_size": config.test_size if test_from_split else None,
        },
        "date_window": window,
        "base_rate": {name: float(df[label].mean()) for name, df in splits.items()},
        "base_rates": base_rates,
        "unknown_counts": unknown_counts,
        "unrecognised_values": unrecognised,
        "small_group_share": SMALL_GROUP_SHARE,
        "small_groups": small_groups,
        "missingness": missingness,
        "unseen_categories": unseen,
        "features": {
            "numeric": list(spec["numeric"]),
            "categorical": list(spec["categorical"]),
            "multilabel": list(spec["multilabel"]),
            "model_features": list(spec["model_features"]),
            "include_protected": spec["include_protected"],
        },
        "files": files,
        "source_files": sources,
        "notes": notes,
    }


# ---------------------------------------------------------------------------
# tables for the notebook


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
    desc = synth.COLUMN_DESCRIPTIONS if descriptions is None else descriptions
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
    model = set(feature_spec["model_features"])
    rows = []
    for col in frame.columns:
        s = frame[col]
        if col in feature_spec["multilabel"]:
            counts = _tag_counts(s, feature_spec["multilabel"][col])
            n_unique, summary = len(counts), ", ".join(f"{k} ({v})" for k, v in counts.head(4).items())
        elif pd.api.types.is_numeric_dtype(s) and s.nunique() > 2:
            n_unique, summary = int(s.nunique()), f"{s.min():.4g} to {s.max():.4g} (median {s.median():.4g})"
        else:
            vc = s.astype("object").value_counts()
            n_unique, summary = int(len(vc)), ", ".join(f"{k} ({v})" for k, v in vc.head(4).items())
        if col == feature_spec["id"]:
            summary = f"{s.iloc[0]} ... {s.iloc[-1]}" if len(s) else ""
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


def base_rate_table(summary: dict, *, split: str = "train", attribute: str = "sex") -> pd.DataFrame:
    """Base rate (share labelled positive) per group of one attribute.

    Parameters
    ----------
    summary : dict
        The ``data`` section from :func:`prepare`.
    split : {"train", "test", "eval"}, default="train"
    attribute : str, default="sex"
        A protected attribute, their intersection (``"sex|race"``) or the age group column.

    Returns
    -------
    pandas.DataFrame
        Columns ``n``, ``share``, ``n_pos``, ``base_rate``, ``ratio_to_highest``, sorted by base rate.
    """
    if split not in SPLITS:
        raise ValueError(UNKNOWN_SPLIT.format(splits=SPLITS, split=split))
    block = summary["base_rates"][split]
    if attribute not in block:
        raise ValueError(UNKNOWN_ATTRIBUTE.format(attribute=attribute, available=sorted(block)))
    df = pd.DataFrame.from_dict(block[attribute], orient="index")
    df = df.rename(columns={"rate": "base_rate"})[["n", "share", "n_pos", "base_rate"]]
    df["ratio_to_highest"] = df["base_rate"] / df["base_rate"].max()
    df.index.name = attribute
    return df.sort_values("base_rate", ascending=False)


def missingness_table(summary: dict) -> pd.DataFrame:
    """Missing share per column and split (protected: share in the unknown group)."""
    data = {name: {c: v["share"] for c, v in block.items()} for name, block in summary["missingness"].items()}
    df = pd.DataFrame(data)
    df.index.name = "column"
    return df


def unknown_table(summary: dict) -> pd.DataFrame:
    """Count of the unknown group per protected attribute and split, with unrecognised values."""
    rows = []
    for attr, per in summary["unknown_counts"].items():
        row = {"attribute": attr}
        row.update({name: n for name, n in per.items()})
        unrec = summary["unrecognised_values"].get(attr, {})
        row["unrecognised values"] = "; ".join(f"{s}: {vals}" for s, vals in unrec.items()) if unrec else "none"
        rows.append(row)
    return pd.DataFrame(rows).set_index("attribute")


def unseen_table(summary: dict) -> pd.DataFrame:
    """Categories (or tags) in test/eval that never occur in the train split, with counts."""
    rows = [
        {"split": split, "feature": feat, "category": cat, "count": n}
        for split, per in summary["unseen_categories"].items()
        for feat, cats in per.items()
        for cat, n in cats.items()
    ]
    return pd.DataFrame(rows, columns=["split", "feature", "category", "count"])


# ---------------------------------------------------------------------------
# figures


def plot_distributions(reference: pd.DataFrame, current: pd.DataFrame, feature_spec: dict, *, bins: int = 30) -> Figure:
    """Distributions of every feature, training period versus next month.

    Numeric features as density histograms on common bins; categorical and
    multi-label features as shares per category (tags counted per applicant).

    Parameters
    ----------
    reference, current : pandas.DataFrame
        E.g. the train and eval splits.
    feature_spec : dict
    bins : int, default=30
        Histogram bins for numeric features.

    Returns
    -------
    matplotlib.figure.Figure
    """
    feats = list(feature_spec["numeric"]) + list(feature_spec["categorical"]) + list(feature_spec["multilabel"])
    ncols = 3
    nrows = max(1, int(np.ceil(len(feats) / ncols)))
    fig = Figure(figsize=(4.2 * ncols, 3.0 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, col in zip(axes, feats):
        if col in feature_spec["numeric"]:
            r, c = reference[col].dropna().to_numpy(float), current[col].dropna().to_numpy(float)
            lo = float(min(r.min(initial=0.0), c.min(initial=0.0)))
            hi = float(max(r.max(initial=1.0), c.max(initial=1.0)))
            edges = np.linspace(lo, hi, bins + 1)
            ax.hist(r, bins=edges, density=True, alpha=0.55, label="train")
            ax.hist(c, bins=edges, density=True, alpha=0.55, label="next month")
            ax.set_ylabel("density")
        else:
            if col in feature_spec["multilabel"]:
                sep = feature_spec["multilabel"][col]
                rs = _tag_counts(reference[col], sep) / len(reference)
                cs = _tag_counts(current[col], sep) / len(current)
            else:
                rs = reference[col].astype("object").fillna("(missing)").astype(str).value_counts(normalize=True)
                cs = current[col].astype("object").fillna("(missing)").astype(str).value_counts(normalize=True)
            order = feature_spec.get("ordinal", {}).get(col)
            cats = list(order) if order else sorted(set(rs.index) | set(cs.index), key=lambda k: -rs.get(k, 0.0))
            cats += [k for k in sorted(set(rs.index) | set(cs.index)) if k not in cats]
            x = np.arange(len(cats))
            ax.bar(x - 0.2, [rs.get(k, 0.0) for k in cats], width=0.4, label="train")
            ax.bar(x + 0.2, [cs.get(k, 0.0) for k in cats], width=0.4, label="next month")
            ax.set_xticks(x, [str(k) for k in cats], rotation=45, ha="right", fontsize=7)
            ax.set_ylabel("share of applicants")
        ax.set_title(col, fontsize=9)
    for ax in axes[len(feats):]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7)
    return fig


def plot_base_rates(summary: dict, *, split: str = "train", attributes: Optional[Sequence[str]] = None) -> Figure:
    """Base rate per group (horizontal bars with the overall rate as a line).

    Parameters
    ----------
    summary : dict
        The ``data`` section from :func:`prepare`.
    split : {"train", "test", "eval"}, default="train"
    attributes : sequence of str, optional
        Defaults to the protected attributes and the age group.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if split not in SPLITS:
        raise ValueError(UNKNOWN_SPLIT.format(splits=SPLITS, split=split))
    block = summary["base_rates"][split]
    attrs = list(attributes) if attributes is not None else [a for a in block if INTERSECTION_SEP not in a]
    sizes = [len(block[a]) for a in attrs]
    fig = Figure(figsize=(8.0, 0.35 * sum(sizes) + 1.2 * len(attrs)), layout="constrained")
    axes = fig.subplots(len(attrs), 1, squeeze=False, height_ratios=[max(s, 1) for s in sizes]).ravel()
    overall = summary["base_rate"][split]
    for ax, attr in zip(axes, attrs):
        tab = base_rate_table(summary, split=split, attribute=attr).iloc[::-1]
        ax.barh([f"{g} (n={n})" for g, n in zip(tab.index, tab["n"])], tab["base_rate"], color="tab:blue")
        ax.axvline(overall, color="black", linestyle="--", linewidth=1, label=f"overall {overall:.1%}")
        ax.set_title(f"{attr}: share advanced ({split})", fontsize=9)
        ax.tick_params(axis="y", labelsize=7)
        ax.set_xlim(0, max(1e-9, float(tab["base_rate"].max())) * 1.15)
        ax.legend(fontsize=7, loc="lower right")
    return fig


# ---------------------------------------------------------------------------
# narrative


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def data_narrative(summary: dict) -> str:
    """Markdown paragraph describing the prepared data (all numbers from ``summary``).

    Parameters
    ----------
    summary : dict
        The ``data`` section from :func:`prepare`.

    Returns
    -------
    str
    """
    rows, br = summary["rows"], summary["base_rate"]
    src = "the built-in synthetic scenario" if summary["source"] == "synthetic" else "the supplied files"
    lines = [
        f"The data come from {src}. After validation there are **{rows['train']:,}** applicants for training, "
        f"**{rows['test']:,}** held out for testing and **{rows['eval']:,}** new applicants next month.",
        f"The share who advanced past the screen (base rate) is {_pct(br['train'])} in train, {_pct(br['test'])} in test "
        f"and {_pct(br['eval'])} next month.",
    ]
    if summary.get("date_window"):
        w = summary["date_window"]
        lines.append(
            f"Training applications run from {w['train']['start']} to {w['train']['end']}; next month covers "
            f"{w['eval']['start']} to {w['eval']['end']}."
        )
    for attr in summary["protected_attributes"]:
        tab = base_rate_table(summary, split="train", attribute=attr)
        known = tab.drop(index=summary["unknown_label"], errors="ignore")
        if len(known) >= 2:
            hi, lo = known["base_rate"].idxmax(), known["base_rate"].idxmin()
            lines.append(
                f"For **{attr}**, the base rate ranges from {_pct(known.loc[lo, 'base_rate'])} ({lo}, n={known.loc[lo, 'n']:,}) "
                f"to {_pct(known.loc[hi, 'base_rate'])} ({hi}, n={known.loc[hi, 'n']:,}); the lowest is "
                f"{known.loc[lo, 'base_rate'] / known.loc[hi, 'base_rate']:.2f} times the highest."
            )
        unk = summary["unknown_counts"][attr]
        lines.append(
            f"{unk['train']:,} training, {unk['test']:,} test and {unk['eval']:,} next-month applicants have no recognised "
            f"{attr}; they form the explicit group \"{summary['unknown_label']}\" and stay in every table."
        )
    small = {a: g for a, g in summary["small_groups"].items() if g and INTERSECTION_SEP not in a}
    for attr, groups in small.items():
        lines.append(
            f"Groups of {attr} under {summary['small_group_share']:.0%} of the training split: {', '.join(groups)}. "
            "NYC Local Law 144 allows them to be excluded from impact ratios, but their counts and rates are still reported."
        )
    unseen = summary["unseen_categories"].get("eval", {})
    if unseen:
        parts = [f"{feat}: " + ", ".join(f"'{c}' ({n:,})" for c, n in cats.items()) for feat, cats in unseen.items()]
        lines.append("Next month brings categories never seen in training: " + "; ".join(parts) + ".")
    else:
        lines.append("Next month brings no categories that are absent from training.")
    return "\n\n".join(lines)


def planted_bias_narrative(check: dict, ground_truth: dict) -> str:
    """Markdown comparing the planted effects with their estimates from the labels.

    Parameters
    ----------
    check : dict
        Output of :func:`audit_helpers.synth.planted_bias_check`.
    ground_truth : dict
        The scenario's ground truth.

    Returns
    -------
    str
    """
    direct = ground_truth["bias"][0]
    b = check["bias_group"]
    g = check["gap_per_year"]
    inside = "lies inside" if b["covered"] else "lies OUTSIDE"
    fit = (
        f"Fitted on the generated labels with the true merit signal, the group coefficient is {b['estimate']:.3f} "
        f"(95% CI {b['ci_low']:.3f} to {b['ci_high']:.3f}); the planted value {b['planted'] + 0.0:.2f} {inside} the interval."
    )
    if direct["planted"]:
        lines = [
            f"Planted direct bias: {direct['group']} applicants ({direct['attribute']}) had their log-odds of advancing lowered by "
            f"{-direct['log_odds']:.2f} at equal merit. " + fit
        ]
        if direct["implied_label_rate_difference_at_equal_merit"] is not None:
            lines.append(
                f"At equal merit this means a label rate {100 * -direct['implied_label_rate_difference_at_equal_merit']:.1f} "
                "percentage points lower for that group."
            )
    else:
        lines = [f"No direct bias was planted against {direct['group']} applicants ({direct['attribute']}). " + fit]
    penalty = ground_truth["config"]["gap_penalty_log_odds_per_year"]
    gap_text = (
        f"Planted proxy bias: {-penalty:.2f} log-odds per year of employment gap"
        if penalty
        else "No penalty on employment gaps was planted"
    )
    lines.append(f"{gap_text}; estimate {g['estimate']:.3f} (95% CI {g['ci_low']:.3f} to {g['ci_high']:.3f}).")
    if "female_beyond_gap" in check:
        f = check["female_beyond_gap"]
        lines.append(
            f"Women were not penalised beyond their gaps: the Female coefficient is {f['estimate']:.3f} "
            f"(95% CI {f['ci_low']:.3f} to {f['ci_high']:.3f}), planted 0."
        )
    return "\n\n".join(lines)


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
    rows = summary["rows"]
    total = rows["train"] + rows["test"]
    prot = ", ".join(summary["protected_attributes"])
    out = ["### Datasheet", "", "**Motivation.** "]
    if ground_truth is not None:
        out[-1] += (
            "The data were created to test this audit: every bias and every drift is planted with a known size, so the audit "
            "can be checked against ground truth (it should find what is there and nothing else). They describe no real person."
        )
    else:
        out[-1] += (
            "The data were supplied by the model owner as the screen's training sample and a month of new applicants. "
            "Their motivation and collection process are documented by the data owner, not by this audit."
        )
    comp = (
        f"**Composition.** {total:,} applicants in the training period (split {rows['train']:,} train / {rows['test']:,} test) "
        f"and {rows['eval']:,} next month; one row per applicant. Features: {', '.join(summary['features']['numeric'])} (numeric); "
        f"{', '.join(summary['features']['categorical'])} (categorical); {', '.join(summary['features']['multilabel']) or 'none'} "
        f"(multi-label). Protected attributes ({prot}"
    )
    if summary.get("age"):
        comp += f", and age with the {summary['age']['threshold']}-and-over group"
    comp += ") are kept as data, "
    comp += "and are model inputs." if summary["features"]["include_protected"] else "not as model inputs."
    unk = "; ".join(f"{a}: {v['train'] + v['test'] + v['eval']:,}" for a, v in summary["unknown_counts"].items())
    comp += f" Applicants without a recognised protected value are kept in an explicit unknown group ({unk})."
    out += ["", comp]
    if ground_truth is not None:
        cfg = ground_truth["config"]
        out += [
            "",
            "**Collection process.** Generated by `audit_helpers.synth` from a structural model: "
            f"`{ground_truth['structural_model']['formula']}`, with merit = `{ground_truth['structural_model']['merit']}`. "
            f"Applications are spread over {cfg['train_months']} months from {ground_truth['periods']['train']['start']}; "
            f"next month runs from {ground_truth['periods']['eval']['start']}. Missing values are "
            f"{ground_truth['structural_model']['missingness']}.",
        ]
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
        out += ["", "**Planted biases.** " + ("None: this is the null scenario." if not bias_lines else ""), *bias_lines]
        drift = ground_truth["drift"]
        drifted = [f"{f} ({v['what']})" for f, v in drift["features"].items() if v["drifted"]]
        if drift["protected"]["race"]["drifted"]:
            drifted.append(f"race composition ({drift['protected']['race']['what']})")
        out += [
            "",
            "**Planted drift next month.** " + ("; ".join(drifted) if drifted else "none") + ". "
            f"Unchanged controls: {', '.join(drift['controls'])}.",
        ]
    else:
        out += ["", "**Collection process.** As supplied; files and their sha256 are listed in the run manifest."]
    pre = (
        "**Preprocessing.** Labels mapped to 1 (advanced) / 0; protected values missing or unrecognised set to the unknown "
        "group; "
    )
    if summary["split"]["strata"]:
        pre += (
            f"the training period split {1 - summary['split']['test_size']:.0%} / {summary['split']['test_size']:.0%} "
            f"within strata of {' x '.join(summary['split']['strata'])}."
        )
    else:
        pre += "the test split was supplied."
    out += ["", pre]
    out += [
        "",
        "**Uses.** Auditing this screen's fairness and drift before deployment. "
        + (
            "Not for training real hiring models or for any claim about real applicants."
            if ground_truth is not None
            else "Other uses are for the data owner to decide."
        ),
    ]
    return "\n".join(out)
