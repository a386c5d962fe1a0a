"""Figures of the data step."""

from matplotlib.figure import Figure

from audit_helpers.dataprep import plot_base_rates, plot_distributions


def test_figures(prepared):
    out = prepared[0]
    fig = plot_distributions(out.train, out.eval, out.feature_spec)
    assert isinstance(fig, Figure) and len([a for a in fig.axes if a.get_visible()]) == 8
    fig = plot_base_rates(out.summary, split="test")
    assert isinstance(fig, Figure) and len(fig.axes) == 3


def test_binned_histogram_draws_what_seaborn_draws_from_the_rows():
    import numpy as np
    import pandas as pd
    import seaborn as sns

    from audit_helpers._common._plots import new_figure
    from audit_helpers.dataprep._plots import _histogram_long

    rng = np.random.default_rng(0)
    r, c = np.round(rng.normal(5, 2, 3000), 1), np.round(rng.normal(6, 2, 800), 1)
    edges = np.linspace(min(r.min(), c.min()), max(r.max(), c.max()), 31)
    fig = new_figure(4, 2)
    a, b = fig.subplots(1, 2)
    rows = pd.DataFrame({"x": np.concatenate([r, c]), "period": ["train"] * len(r) + ["next month"] * len(c)})
    kw = dict(x="x", hue="period", bins=edges, stat="density", common_norm=False, element="step", legend=False)
    sns.histplot(data=rows, ax=a, **kw)
    sns.histplot(data=_histogram_long("x", r, c, edges), weights="count", ax=b, **{**kw, "bins": edges.tolist()})
    assert len(a.collections) == len(b.collections) == 2
    for pa, pb in zip(a.collections, b.collections):
        np.testing.assert_allclose(pa.get_paths()[0].vertices, pb.get_paths()[0].vertices, rtol=1e-12)


def test_category_shares_counted_per_distinct_value():
    import numpy as np
    import pandas as pd

    from audit_helpers.dataprep._plots import _shares

    for values in (pd.Series([3, 1, 3, 2, 3], dtype="int64"), pd.Series(["b", None, "a", "b", None, "b"], dtype="str")):
        want = values.astype("object").fillna("(missing)").astype(str).value_counts(normalize=True)
        got = _shares(values)
        assert got.to_dict() == want.to_dict()
