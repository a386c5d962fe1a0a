"""The notebook context's display helpers: the parameters appendix prints every value."""

from __future__ import annotations

from audit_helpers.context import AuditContext
from audit_helpers.params import AuditParams


def test_params_table_prints_every_value_not_the_undefined_mark(tmp_path):
    params = AuditParams(seed=20261123)
    html = AuditContext(params=params, run_dir=tmp_path / "run-1").params_table(sections=["fairness"])._repr_html_()
    assert "<td class=\"txt\">20261123</td>" in html
    assert f">{params.fairness.min_group_n}<" in html and "—" not in html


def test_note_is_escaped_small_type():
    from audit_helpers.show import note

    html = note("Not plotted: <b>x</b> (n = 3), **two** groups").markup
    assert html.startswith('<p class="figure-note">') and "&lt;b&gt;x&lt;/b&gt;" in html and "<strong>two</strong>" in html
