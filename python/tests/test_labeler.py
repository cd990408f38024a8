"""The Python package gives the CLI's records: same dicts on the seeds, same Parquet schema;
bad inputs are reported; results do not depend on the thread count."""

import json
import warnings

import pyarrow.parquet as pq
import pytest

import privclause
from conftest import REPO, SEEDS, run_cli


def cli_records(*paths: str) -> list:
    out = run_cli("label", *paths)
    return [json.loads(line) for line in out.stdout.splitlines() if line]


def test_label_files_gives_the_cli_records_on_the_seeds(labeler, monkeypatch):
    expected = cli_records("datasets/seeds/")
    # Records name their document by the path given, so give the CLI's (relative) one.
    monkeypatch.chdir(REPO)
    got = labeler.label_files(["datasets/seeds/"])
    assert len(got) == len(expected) == 1015
    assert got == expected


def test_arrow_table_has_the_cli_parquet_schema(labeler, tmp_path):
    seed = str(SEEDS / "002_9278b4a68fcf515b.txt")
    out = tmp_path / "seed.parquet"
    run_cli("label", seed, "--format", "parquet", "-o", str(out))
    cli_table = pq.read_table(out)
    table = labeler.label_files([seed], format="arrow")
    assert table.schema == cli_table.schema
    assert table.equals(cli_table)


def test_label_texts_matches_input_units(labeler, tmp_path):
    texts = ["我们会收集您的手机号码。", "您可以通过设置注销账户。", "第三条"]
    contexts = ["一、收集", "", ""]
    units = tmp_path / "units.jsonl"
    units.write_text(
        "".join(
            json.dumps({"id": str(i), "text": t, "context": c}, ensure_ascii=False) + "\n"
            for i, (t, c) in enumerate(zip(texts, contexts))
        ),
        encoding="utf-8",
    )
    expected = cli_records("--input-units", str(units))
    got = labeler.label_texts(texts, contexts=contexts, doc=str(units))
    assert got == expected
    table = labeler.label_texts(texts, contexts=contexts, format="arrow")
    assert table.num_rows == 3 and table.column("id").to_pylist() == ["0", "1", "2"]
    assert "collection" in got[0]["labels"]


def test_thread_count_changes_nothing(labeler):
    seed = [str(SEEDS / "003_f94399429406dde4.txt")]
    one = privclause.Labeler(threads=1)
    assert one.threads == 1 and labeler.threads == 2
    assert one.label_files(seed) == labeler.label_files(seed)


def test_bad_files_are_reported_and_the_others_labeled(labeler, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "good.txt").write_text("我们会收集您的手机号码。\n", encoding="utf-8")
    with pytest.warns(privclause.InputWarning, match="empty.txt"):
        records = labeler.label_files([tmp_path])
    assert [r["text"] for r in records] == ["我们会收集您的手机号码。"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(privclause.PrivclauseError, match="empty.txt"):
            labeler.label_files([tmp_path], errors="raise")


def test_bad_arguments_are_python_exceptions(tmp_path):
    with pytest.raises(privclause.PrivclauseError, match="config.json"):
        privclause.Labeler(model=tmp_path)
    with pytest.raises(ValueError, match="precision"):
        privclause.Labeler(precision="int4")


def test_segment_gives_the_cli_units():
    seed = SEEDS / "001_528d4679ab6b29fd.txt"
    out = run_cli("segment", str(seed))
    expected = [json.loads(line) for line in out.stdout.splitlines()]
    got = privclause.segment(seed.read_text(encoding="utf-8"), doc=str(seed))
    assert got == expected
