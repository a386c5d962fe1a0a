"""The Spark engine gives the local engine's result: same counts, same tiers, same alerts.

One session-scoped ``local[2]`` SparkSession (UI off, two shuffle partitions, 64 KiB file splits
so a small Parquet file of many row groups is read as several partitions). Every batch is
monitored by both engines and the two ``monitor_result.json`` documents are compared whole,
apart from ``batch.engine``. Batches: green, red (a shifted input), an edge batch (values exactly
on the frozen right-closed edges, NaN, unseen categories and tags, missing groups), a folder of
part files, a catalog table, a batch scored by the audited model inside the partitions.
Skipped only when pyspark is not importable (``./run_all.sh test`` installs the ``spark`` extra).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from audit_helpers import cli, synth
from audit_helpers import monitoring as M

from monitoring_run import draw
from audit_helpers.config import SyntheticConfig
from audit_helpers.monitoring._counting import MISSING_SCORES
from audit_helpers.monitoring._spark import SOURCE_NOT_FOUND, SPARK_CSV

pytest.importorskip("pyspark", reason="pyspark is not installed: pip install '.[spark]' (./run_all.sh test installs it)")

MASTER = "local[2]"
AS_OF = dt.date(2027, 1, 15)
ROW_GROUP = 400


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession

    SparkSession.builder.config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
    session = M.spark_session(MASTER)
    session.conf.set("spark.sql.shuffle.partitions", "2")
    session.conf.set("spark.sql.files.maxPartitionBytes", str(64 * 1024))
    session.conf.set("spark.sql.files.openCostInBytes", str(16 * 1024))
    yield session
    session.stop()


@pytest.fixture(scope="module")
def batches(audited):
    cfg = SyntheticConfig()
    green = audited.scored(draw(cfg, 3000, 201))
    red = audited.scored(draw(cfg, 3000, 202))
    red["n_prev_employers"] = red["n_prev_employers"] + 3
    edge = audited.scored(draw(cfg, 3000, 203))
    edges = _edges(audited, "years_experience")
    rng = np.random.default_rng(203)
    on_edge = rng.random(len(edge)) < 0.5
    edge.loc[on_edge, "years_experience"] = rng.choice(edges, int(on_edge.sum()))
    edge.loc[rng.random(len(edge)) < 0.1, "years_experience"] = np.nan
    edge.loc[rng.random(len(edge)) < 0.1, "education_tier"] = "Unheard-of tier"
    edge.loc[rng.random(len(edge)) < 0.1, "role_tags"] = "brand_new_tag;sales"
    edge.loc[rng.random(len(edge)) < 0.1, "sex"] = None
    edge.loc[rng.random(len(edge)) < 0.5, "advanced"] = None  # outcomes not known yet
    return {"green": green, "red": red, "edge": edge}


def _edges(audited, feature: str) -> list[float]:
    profile = M.count_spec(audited.plan, _profile(audited))
    return list(next(b for b in profile.features if b.name == feature).edges)


def _profile(audited):
    from audit_helpers.drift._profile import ReferenceProfile

    return ReferenceProfile.load(audited.run_dir / audited.plan["baseline"]["reference_profile"]["path"])


def _write(frame, path):
    frame.to_parquet(path, index=False, row_group_size=ROW_GROUP)
    return path


def _both(audited, batch, spark_batch=None):
    local = M.monitor_batch(audited.plan_path, batch, as_of=AS_OF).result
    remote = M.monitor_batch(audited.plan_path, spark_batch or batch, as_of=AS_OF, engine="spark", spark_master=MASTER).result
    return local, remote


def _without_engine(result):
    return {**result, "batch": {k: v for k, v in result["batch"].items() if k != "engine"}}


@pytest.mark.parametrize("name, tier", [("green", "green"), ("red", "red"), ("edge", None)])
def test_spark_result_is_the_local_result(spark, audited, batches, tmp_path, name, tier):
    batch = _write(batches[name], tmp_path / f"{name}.parquet")
    local, remote = _both(audited, batch)
    assert remote["batch"]["engine"]["name"] == "spark" and local["batch"]["engine"] == {"name": "local"}
    assert remote["batch"]["engine"]["partitions_counted"] > 1  # the sum over partitions is exercised
    assert _without_engine(remote) == _without_engine(local)
    if tier is not None:
        assert remote["overall"]["status"] == tier


def test_values_on_an_edge_count_in_the_lower_bin(spark, audited, batches, tmp_path):
    """Right-closed bins (x <= edge goes left), NaN in MISSING: the brute-force count per bin."""
    frame = batches["edge"]
    edges = _edges(audited, "years_experience")
    x = frame["years_experience"].to_numpy(dtype=float)
    expected = [int(np.sum(x <= edges[0]))]
    expected += [int(np.sum((x > lo) & (x <= hi))) for lo, hi in zip(edges[:-1], edges[1:])]
    expected += [int(np.sum(x > edges[-1])), int(np.isnan(x).sum())]
    batch = _write(frame, tmp_path / "edge.parquet")
    remote = M.monitor_batch(audited.plan_path, batch, as_of=AS_OF, engine="spark", spark_master=MASTER).result
    assert remote["features"]["years_experience"]["current_counts"] == expected


def test_folder_and_table_sources(spark, audited, batches, tmp_path):
    whole = _write(batches["green"], tmp_path / "green.parquet")
    folder = tmp_path / "green_parts"
    folder.mkdir()
    for k, part in enumerate(np.array_split(np.arange(len(batches["green"])), 3)):
        _write(batches["green"].iloc[part], folder / f"part-{k:05d}.parquet")
    spark.read.parquet(str(whole)).createOrReplaceTempView("green_batch")
    local = _without_engine(M.monitor_batch(audited.plan_path, whole, as_of=AS_OF).result)
    for source, hashed in ((folder, "files"), ("green_batch", "counts")):
        remote = M.monitor_batch(audited.plan_path, source, as_of=AS_OF, engine="spark", spark_master=MASTER).result
        assert remote["batch"]["engine"]["sha256_of"] == hashed
        same = {k: v for k, v in local["batch"].items() if k not in ("path", "sha256")}
        assert {k: v for k, v in _without_engine(remote)["batch"].items() if k not in ("path", "sha256")} == same
        assert {k: v for k, v in remote.items() if k not in ("batch", "plan")} == {k: v for k, v in local.items() if k not in ("batch", "plan")}


def test_scoring_inside_the_partitions(spark, audited, batches, tmp_path):
    batch = _write(batches["green"].drop(columns=["score"]), tmp_path / "unscored.parquet")
    local, remote = _both(audited, batch)
    assert remote["batch"]["scored_with"].startswith("audited model")
    assert _without_engine(remote) == _without_engine(local)


def test_partition_errors_are_the_local_one_line_errors(spark, audited, batches, tmp_path):
    bad = batches["green"].copy()
    bad.loc[bad.index[5], "score"] = np.nan
    batch = _write(bad, tmp_path / "nan_score.parquet")
    messages = []
    for engine in ("local", "spark"):
        with pytest.raises(M.MonitorError) as err:
            M.monitor_batch(audited.plan_path, batch, as_of=AS_OF, engine=engine, spark_master=MASTER)
        messages.append(str(err.value))
    assert messages[0] == messages[1]
    assert "\n" not in messages[1] and MISSING_SCORES.format(column="score", n=1) in messages[1]


def test_missing_source_and_csv_are_refused(spark, audited, tmp_path):
    with pytest.raises(M.MonitorError, match="no table of that name") as err:
        M.monitor_batch(audited.plan_path, "no_such_table", engine="spark", spark_master=MASTER)
    assert str(err.value) == SOURCE_NOT_FOUND.format(source="no_such_table")
    csv = tmp_path / "b.csv"
    csv.write_text("a\n1\n")
    with pytest.raises(M.MonitorError) as err:
        M.monitor_batch(audited.plan_path, csv, engine="spark", spark_master=MASTER)
    assert str(err.value) == SPARK_CSV.format(source=csv)


def test_cli_spark_engine(spark, audited, batches, tmp_path, capsys):
    batch = _write(batches["red"], tmp_path / "red.parquet")
    code = cli.main(["monitor", "--plan", str(audited.plan_path), "--batch", str(batch), "--out", str(tmp_path / "out"),
                     "--engine", "spark", "--spark-master", MASTER])
    out = capsys.readouterr()
    assert code == 4, out.err
    assert (tmp_path / "out" / M.RESULT_FILE).is_file() and "red" in out.out
    assert cli.main(["monitor", "--plan", str(audited.plan_path), "--batch", "missing_table", "--engine", "spark",
                     "--spark-master", MASTER]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {SOURCE_NOT_FOUND.format(source='missing_table')}\n"
