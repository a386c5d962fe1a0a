"""The shared presentation: number formats, undefined values, escaping, print stand-ins, figures."""

from __future__ import annotations

import base64
import io
from html.parser import HTMLParser

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from audit_helpers import show
from audit_helpers.context import Markdown

PAYLOAD = "<img src=x onerror=alert(1)>"


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.cells, self.imgs = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "img":
            self.imgs.append(dict(attrs))

    def handle_data(self, data):
        if data.strip():
            self.cells.append(data.strip())


def _parse(markup: str) -> _Collect:
    p = _Collect()
    p.feed(markup)
    return p


def test_table_formats_numbers_for_people():
    frame = pd.DataFrame(
        {"n": [25000, 3], "share": [0.483, 0.00016], "rate": [0.2104, np.nan], "ci": [[0.1, 0.2], None], "p": [0.0004, 0.2531]},
        index=pd.Index(["Female|Black or African American", "b"], name="group"),
    )
    out = show.table(frame, formats={"share": "pct", "p": "p"}, caption="cap").markup
    cells = _parse(out).cells
    assert cells[:7] == ["cap", "group", "n", "share", "rate", "ci", "p"]
    assert "25,000" in cells and "48.3%" in cells and "<0.1%" in cells and "0.210" in cells and "[0.100, 0.200]" in cells
    assert "< 0.001" in cells and "0.253" in cells
    assert cells.count(show.UNDEFINED) == 2 and show.UNDEFINED_NOTE in cells  # "—" with its footnote
    assert "Female|\u200bBlack or African American" in cells  # may wrap after the bar, never mid-word
    assert "nan" not in out.lower() and "e-0" not in out


def test_integers_stored_as_floats_print_as_integers():
    out = show.table(pd.DataFrame({"seed": [20261123.0], "x": [1.5]})).markup
    assert "20,261,123" in out and "20261123.0" not in out and "1.500" in out


def test_no_footnote_without_undefined_values():
    assert show.UNDEFINED_NOTE not in show.table(pd.DataFrame({"a": [1, 2]})).markup


def test_every_row_is_printed():
    out = show.table(pd.DataFrame({"a": range(500)})).markup
    assert out.count("<tr>") == 501 and "…" not in out and "rows ×" not in out


def test_labels_and_cells_are_escaped():
    frame = pd.DataFrame({PAYLOAD: [PAYLOAD]}, index=pd.Index([PAYLOAD]))
    parsed = _parse(show.table(frame, caption=PAYLOAD).markup)
    assert "img" not in parsed.tags
    assert parsed.cells.count(PAYLOAD) == 4  # caption, header, row label, cell: as text
    box = _parse(show.findings_box([f"**{PAYLOAD}** found"]).markup)
    assert "img" not in box.tags and "strong" in box.tags


def test_screen_only_keeps_detail_on_screen_and_says_where_it_is_in_print():
    out = show.screen_only(
        [show.table(pd.DataFrame({"a": [1]})), Markdown(f"**bold** {PAYLOAD}"), pd.DataFrame({"b": [2]})],
        summary="All groups", print_note="The per-group tables are in the HTML version.",
    ).markup
    parsed = _parse(out)
    assert out.startswith('<details class="screen-only"><summary>All groups</summary>')
    assert '<p class="print-only print-note">The per-group tables are in the HTML version.</p>' in out
    assert "strong" in parsed.tags and "img" not in parsed.tags and PAYLOAD in " ".join(parsed.cells)
    assert parsed.tags.count("table") == 2


def test_figure_is_saved_numbered_and_its_caption_is_the_alt_text(tmp_path):
    fig = Figure(figsize=(9.0, 2.0))
    fig.add_subplot().plot([0, 1], [0, 1])
    out = show.figure_html(fig, path=tmp_path / "figures" / "x.png", number=3, caption=f"What to see: {PAYLOAD}").markup
    parsed = _parse(out)
    (img,) = parsed.imgs
    assert img["alt"] == f"Figure 3. What to see: {PAYLOAD}"  # escaped in the attribute, the parser unescapes
    assert parsed.tags.count("img") == 1
    assert img["style"] == "width:7.20in"  # never wider than the printed page
    data = base64.b64decode(img["src"].split(",", 1)[1])
    assert data == (tmp_path / "figures" / "x.png").read_bytes() and data[:4] == b"\x89PNG"


def _png_pixels(data: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)))


def _savefig_pixels(fig, dpi: int) -> np.ndarray:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return _png_pixels(buffer.getvalue())


def _busy_figure(**kwargs) -> Figure:
    """A figure like the audit's: themed, constrained layout, wrapped labels, a legend, a colorbar."""
    from audit_helpers._common._plots import new_figure

    fig = new_figure(7.0, 3.2)
    fig.set(**kwargs)
    left, right = fig.subplots(1, 2)
    rng = np.random.default_rng(3)
    for k in range(3):
        left.scatter(rng.random(40), rng.random(40), label=f"group {k}\nsecond line")
    left.set(title="Selection rate by group", xlabel="rate", ylabel="a long label that needs room")
    left.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    mesh = right.pcolormesh(rng.random((5, 5)))
    fig.colorbar(mesh, ax=right, label="PSI")
    right.set_title("Drift")
    return fig


def test_figure_png_has_the_pixels_savefig_draws_without_its_alpha_channel_and_leaves_the_figure_as_it_was():
    theirs = _savefig_pixels(_busy_figure(), dpi=150)
    drawn = _busy_figure()
    dpi, canvas = drawn.dpi, drawn.canvas
    ours = _png_pixels(show.png_bytes(drawn, dpi=150))
    assert theirs.shape[2] == 4 and (theirs[..., 3] == 255).all()  # savefig's RGBA, opaque
    assert ours.shape == theirs.shape[:2] + (3,)  # RGB: nothing for WeasyPrint to split off
    assert np.array_equal(ours, theirs[..., :3])
    assert drawn.dpi == dpi and drawn.canvas is canvas


def test_a_figure_with_a_transparent_background_keeps_its_alpha_channel():
    ours = _png_pixels(show.png_bytes(_busy_figure(facecolor=(1, 1, 1, 0)), dpi=100))
    assert ours.shape[2] == 4 and ours[..., 3].min() == 0
    assert np.array_equal(ours, _savefig_pixels(_busy_figure(facecolor=(1, 1, 1, 0)), dpi=100))


def test_context_numbers_figures_and_prints_parameters_in_pairs(tmp_path):
    from audit_helpers.context import AuditContext
    from audit_helpers.params import AuditParams, flatten_params

    ctx = AuditContext(params=AuditParams(), run_dir=tmp_path)
    for i in (1, 2):
        fig = Figure(figsize=(3, 2))
        fig.add_subplot()
        assert f"Figure {i}. c{i}" in ctx.figure(fig, name=f"f{i}", caption=f"c{i}").markup
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["f1.png", "f2.png"]
    appendix = ctx.params_appendix(sections=["data"]).markup
    screen, printed = appendix.split('<div class="print-only">')
    cells = _parse(screen).cells
    assert "seed" in cells and str(ctx.params.seed) in cells and f"{ctx.params.seed}.0" not in appendix
    assert _parse(screen).tags.count("th") == 4  # two parameter-value pairs per row
    assert "data.synthetic.n_train" in screen and "data.synthetic.n_train" not in printed
    # on paper: the seed and what the run changed from the defaults (nothing here), then where the rest is
    n_rest = len(flatten_params(ctx.params, sections=["data"])) - 1
    assert _parse(printed.split("<p")[0]).cells == ["Seed (every other parameter at its default) (run " + ctx.run_id + ")",
                                                    "parameter", "value", "seed", str(ctx.params.seed)]
    assert f"The other {n_rest} parameters of this step are at their defaults" in printed

    changed = AuditContext(params=ctx.params.model_copy(update={"data": ctx.params.data.model_copy(update={"test_size": 0.3})}),
                           run_dir=tmp_path)
    assert changed.changed_params(["data"]) == ["data.test_size"]
    printed = changed.params_appendix(sections=["data"]).markup.split('<div class="print-only">')[1]
    assert "Parameters changed from their defaults" in printed and "data.test_size" in printed and "0.3" in printed
    # a mapping written in another key order is not a change
    shares = dict(reversed(list(ctx.params.data.synthetic.sex_shares.items())))
    synth = ctx.params.data.synthetic.model_copy(update={"sex_shares": shares})
    reordered = AuditContext(params=ctx.params.model_copy(update={"data": ctx.params.data.model_copy(update={"synthetic": synth})}),
                             run_dir=tmp_path)
    assert reordered.changed_params(["data"]) == []
