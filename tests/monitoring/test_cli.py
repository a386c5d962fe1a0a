"""The ``monitor`` subcommand sits beside the existing ones."""

from pathlib import Path

from audit_helpers import cli


def test_monitor_arguments():
    parser = cli.build_parser()
    args = parser.parse_args(["monitor", "--plan", "p.yaml", "--batch", "b.csv", "--state", "s.json", "--out", "o",
                              "--score-column", "logged"])
    assert (args.command, args.plan, args.batch, args.state, args.out, args.score_column) == (
        "monitor", Path("p.yaml"), "b.csv", Path("s.json"), Path("o"), "logged")
    defaults = parser.parse_args(["monitor", "--plan", "p", "--batch", "b"])
    assert defaults.state is None and defaults.score_column is None and defaults.out == Path(".")
    assert (defaults.engine, defaults.spark_master) == ("local", None)
    assert {a.dest for a in parser._subparsers._group_actions[0].choices["run"]._actions} >= {"params", "overrides", "seed", "out"}


def test_missing_plan_is_exit_2(tmp_path, capsys):
    assert cli.main(["monitor", "--plan", str(tmp_path / "none.yaml"), "--batch", str(tmp_path / "b.csv")]) == 2
    assert "monitoring plan not found" in capsys.readouterr().err


def test_synth_with_a_plan_logs_the_audited_score(audited, tmp_path, capsys):
    """``hiring-audit synth --plan`` writes a monitor batch: the audited model's score logged."""
    import numpy as np
    import pandas as pd

    from audit_helpers import monitoring as M
    from audit_helpers.model_io import predict_scores

    out = tmp_path / "batch.parquet"
    assert cli.main(["synth", "--rows", "2500", "--out", str(out), "--plan", str(audited.plan_path)]) == 0
    frame = pd.read_parquet(out)
    np.testing.assert_array_equal(frame["score"], predict_scores(audited.model, frame[audited.model_entry["features"]]))
    result = M.monitor_batch(audited.plan_path, out).result
    assert result["batch"]["rows"] == 2500 and result["batch"]["scored_with"] == "logged score column 'score'"
