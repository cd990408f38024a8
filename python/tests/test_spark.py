"""privclause on Spark in local mode: 20 CAPP-130 policies labeled through mapInArrow give the
CLI's records."""

import json
import os
import sys

import pyarrow.parquet as pq
import pytest

from conftest import CAPP, run_cli

pyspark = pytest.importorskip("pyspark")


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # Driver and executors talk over loopback only; workers run this interpreter.
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("privclause-test")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_local_mode_labels_like_the_cli(spark, tmp_path):
    from privclause.spark import label_paths

    policies = sorted(str(p) for p in CAPP.iterdir())[:20]
    assert len(policies) == 20
    out = tmp_path / "labeled"
    label_paths(spark, policies, str(out), threads=1, partitions=2)
    rows = pq.read_table(out).to_pylist()

    expected = [json.loads(line) for line in run_cli("label", *policies).stdout.splitlines()]
    assert len(rows) == len(expected)
    key = lambda r: (r["doc"], r["index"])
    by_key = {key(r): r for r in rows}
    for record in expected:
        row = by_key[key(record)]
        for field in ("start", "end", "kind", "section", "lead", "text", "labels", "model"):
            assert row[field] == record.get(field), (field, record["doc"], record["index"])
        for label, score in record["scores"].items():
            assert row[f"score_{label}"] == pytest.approx(score, abs=1e-6)
