"""The fairness step's blocks of tables for the notebook: one per model, split and attribute,
each built from the section alone (the notebook shows them; nothing here computes a metric)."""

from __future__ import annotations

from typing import Any, Mapping

from .. import show
from ._report import TABLE_FORMATS, attribute_title, comparisons_table, findings_table, group_notes_table, group_table, metrics_table
from ._summary_tables import headline_table, ll144_models_table, ll144_notes, table_formats


def every_finding(section: Mapping[str, Any]):
    """Every flagged and watch finding with its sentence, one table per model and split (screen only)."""
    return show.screen_only(
        [show.table(findings_table(section[m][s], sentences=True), formats=TABLE_FORMATS, index=False,
                    caption=f"Every flagged and watch finding: {m}, {s} split")
         for m in section for s in section[m]],
        summary="Every finding, every model and split (with its sentence)",
        print_note="Every flagged and watch finding with its sentence: HTML version of this page, 'Every finding'.",
    )


def headline_tables(section: Mapping[str, Any]) -> list:
    """The headline metrics of each model (every audited split), one table per model."""
    out = []
    for model in section:
        frame = headline_table(section[model])
        out.append(show.table(frame, formats=table_formats(frame), classes="compact", caption=f"Headline metrics: {model}"))
    return out


def ll144_tables(by_attr: Mapping[str, Mapping[str, dict]], attributes: list[str], *, split: str) -> list:
    """The Local Law 144 view of each attribute in ``attributes`` (every model, one split)."""
    out = []
    for attr in attributes:
        frame = ll144_models_table(by_attr[attr])
        out.append(show.table(frame, formats=table_formats(frame), classes="compact", notes=ll144_notes(by_attr[attr]),
                              caption=f"Local Law 144 view: {attribute_title(attr)} ({split} split)"))
    return out


def every_ll144_table(section: Mapping[str, Any]):
    """The Local Law 144 table of every attribute (intersections included), model and split (screen only)."""
    return show.screen_only(
        [show.table(ll144_models_table({m: section[m][s][a]}), formats=TABLE_FORMATS, classes="compact",
                    notes=ll144_notes({m: section[m][s][a]}), caption=f"Local Law 144 view: {m}, {s} split, {attribute_title(a)}")
         for m in section for s in section[m] for a in section[m][s]],
        summary="Local Law 144 tables of every attribute, model and split",
        print_note="Local Law 144 tables of every attribute (intersections included), model and split: HTML version, 'Local Law 144 tables'.",
    )


def group_detail(section: Mapping[str, Any]):
    """Per-group tables, comparisons and notes for every model, split and attribute (screen only)."""
    detail = []
    for model in section:
        for split, split_blocks in section[model].items():
            for attr, block in split_blocks.items():
                parts = [
                    show.table(group_table(block), formats=TABLE_FORMATS, caption="Selection by group"),
                    show.table(group_table(block, part="errors"), formats=TABLE_FORMATS, caption="Error rates and calibration by group"),
                    show.table(comparisons_table(block), formats=TABLE_FORMATS, caption="Comparisons with the reference group"),
                    show.table(metrics_table({attr: block}), formats=TABLE_FORMATS, caption="Headline metrics with their tests"),
                    show.table(group_notes_table(block), formats={"note": "text"}, caption="Notes: every undefined value and exclusion"),
                ]
                detail.append(show.screen_only(
                    parts, summary=f"{model}, {split} split: {attribute_title(attr)} (reference group: {block['reference_group']})",
                    print_note=""))
    return show.screen_only(detail, summary="Group detail: every model, split and attribute",
                            print_note="Per-group tables, comparisons and notes for every model, split and attribute: HTML version of this page, section 'Group detail'.")
