"""Figures of the data step."""

from matplotlib.figure import Figure

from audit_helpers.dataprep import plot_base_rates, plot_distributions


def test_figures(prepared):
    out = prepared[0]
    fig = plot_distributions(out.train, out.eval, out.feature_spec)
    assert isinstance(fig, Figure) and len([a for a in fig.axes if a.get_visible()]) == 8
    fig = plot_base_rates(out.summary, split="test")
    assert isinstance(fig, Figure) and len(fig.axes) == 3
