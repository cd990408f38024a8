"""Labeling a corpus on Apache Spark: ``mapInArrow`` over a DataFrame of policy paths (or of
texts), one :class:`privclause.Labeler` per executor Python process, Parquet out with the CLI's
schema.

    from pyspark.sql import SparkSession
    from privclause.spark import label_paths

    spark = SparkSession.builder.getOrCreate()
    label_paths(spark, ["/data/policies/a.html", ...], "/data/labeled/", model="/models/privclause-m3e-small")

Paths and the model directory must be readable from every executor (a shared file system, or
``--archives``). Each executor process holds one model (about 250 MB of memory for the shipped
model with 2 threads); give Python workers that much beyond Spark's own memory.
"""

from __future__ import annotations

from typing import Iterator, Optional, Sequence

from . import Labeler

_LABELERS: dict = {}


def record_schema():
    """The CLI's Parquet record schema as a Spark ``StructType``."""
    from pyspark.sql.types import (
        ArrayType,
        FloatType,
        LongType,
        StringType,
        StructField,
        StructType,
    )

    from . import LABELS

    fields = [
        StructField("doc", StringType(), False),
        StructField("index", LongType(), False),
        StructField("id", StringType(), True),
        StructField("start", LongType(), True),
        StructField("end", LongType(), True),
        StructField("kind", StringType(), True),
        StructField("section", ArrayType(StringType(), True), False),
        StructField("lead", StringType(), True),
        StructField("text", StringType(), False),
        StructField("labels", ArrayType(StringType(), True), False),
        StructField("windows", LongType(), False),
    ]
    fields += [StructField(f"score_{label}", FloatType(), False) for label in LABELS]
    fields.append(StructField("model", StringType(), False))
    return StructType(fields)


def _labeler(model: Optional[str], precision: Optional[str], threads: Optional[int]) -> Labeler:
    """The executor process's labeler for these settings, loaded once."""
    key = (model, precision, threads)
    if key not in _LABELERS:
        _LABELERS[key] = Labeler(model=model, precision=precision, threads=threads)
    return _LABELERS[key]


def label_dataframe(
    paths,
    path_column: str = "path",
    model: Optional[str] = None,
    precision: Optional[str] = None,
    threads: Optional[int] = None,
):
    """A DataFrame of labeled records (the CLI's columns) from a DataFrame of policy paths.

    Bad files are skipped with a warning in the executor's log, as the CLI skips them.
    """

    def label_batches(batches: Iterator) -> Iterator:
        labeler = _labeler(model, precision, threads)
        for batch in batches:
            files = [p for p in batch.column(path_column).to_pylist() if p]
            if not files:
                continue
            table = labeler.label_files(files, format="arrow")
            yield from table.to_batches()

    return paths.mapInArrow(label_batches, record_schema())


def label_text_dataframe(
    texts,
    text_column: str = "text",
    context_column: Optional[str] = None,
    id_column: Optional[str] = None,
    doc: str = "texts",
    model: Optional[str] = None,
    precision: Optional[str] = None,
    threads: Optional[int] = None,
):
    """A DataFrame of labeled records from a DataFrame of clause texts you split yourself
    (as ``privclause label --input-units``), with optional context and id columns."""

    def label_batches(batches: Iterator) -> Iterator:
        labeler = _labeler(model, precision, threads)
        for batch in batches:
            column = lambda name: None if name is None else batch.column(name).to_pylist()
            batch_texts = column(text_column)
            if not batch_texts:
                continue
            yield from labeler.label_texts(
                batch_texts,
                contexts=column(context_column),
                ids=column(id_column),
                doc=doc,
                format="arrow",
            ).to_batches()

    return texts.mapInArrow(label_batches, record_schema())


def label_paths(
    spark,
    paths: Sequence[str],
    output: str,
    model: Optional[str] = None,
    precision: Optional[str] = None,
    threads: Optional[int] = None,
    partitions: Optional[int] = None,
    mode: str = "errorifexists",
) -> None:
    """Labels policy files on the cluster and writes the records as Parquet under ``output``
    (one part file per partition; ``partitions`` defaults to Spark's default parallelism)."""
    frame = spark.createDataFrame([(str(p),) for p in paths], "path STRING")
    frame = frame.repartition(partitions or spark.sparkContext.defaultParallelism)
    labeled = label_dataframe(frame, model=model, precision=precision, threads=threads)
    labeled.write.mode(mode).parquet(output)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """``spark-submit .../privclause/spark.py MANIFEST OUTPUT [--model DIR] [--threads N]
    [--partitions N]``: label the policy paths listed in MANIFEST (one a line) into OUTPUT."""
    import argparse

    from pyspark.sql import SparkSession

    parser = argparse.ArgumentParser(prog="privclause.spark", description=main.__doc__)
    parser.add_argument("manifest", help="text file of policy paths, one a line")
    parser.add_argument("output", help="Parquet output directory")
    parser.add_argument("--model", help="model directory readable by every executor")
    parser.add_argument("--precision", choices=["int8", "f32"])
    parser.add_argument("--threads", type=int, help="threads per task (= spark.task.cpus)")
    parser.add_argument("--partitions", type=int)
    args = parser.parse_args(argv)
    spark = SparkSession.builder.appName("privclause").getOrCreate()
    paths = spark.sparkContext.textFile(args.manifest).filter(lambda p: p.strip()).collect()
    label_paths(
        spark,
        [p.strip() for p in paths],
        args.output,
        model=args.model,
        precision=args.precision,
        threads=args.threads,
        partitions=args.partitions,
    )
    spark.stop()


if __name__ == "__main__":
    main()
