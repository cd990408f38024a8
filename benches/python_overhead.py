"""Python's overhead over the CLI: units/s of `Labeler.label_texts` against
`privclause label --input-units` on the same 2,000 units (text + context from the first 2,000
records of datasets/privclause-v3.jsonl), same model, 2 threads, best of N runs each, run in
rounds so a slow spell of the machine falls on both alike.

    python benches/python_overhead.py [--repeats 5]   # after `pip install ./python`

Prints each run and the ratio (Python units/s / CLI units/s) of the best runs.
"""

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

import privclause

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--units", type=int, default=2000)
    args = parser.parse_args()

    records = []
    with open(REPO / "datasets" / "privclause-v2.jsonl", encoding="utf-8") as data:
        for line in data:
            records.append(json.loads(line))
            if len(records) == args.units:
                break
    texts = [r["text"] for r in records]
    contexts = [r["context"] for r in records]
    with tempfile.TemporaryDirectory() as tmp:
        units = Path(tmp) / "units.jsonl"
        units.write_text(
            "".join(
                json.dumps({"id": str(i), "text": t, "context": c}, ensure_ascii=False) + "\n"
                for i, (t, c) in enumerate(zip(texts, contexts))
            ),
            encoding="utf-8",
        )
        binary = REPO / "target" / "release" / "privclause"
        labeler = privclause.Labeler(threads=2)
        cli_rates, py_rates, cold_rates = [], [], []
        for round_ in range(args.repeats):
            started = time.perf_counter()
            subprocess.run(
                [str(binary), "label", "--threads", "2", "--input-units", str(units)],
                cwd=REPO,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            cli_rates.append(len(texts) / (time.perf_counter() - started))
            started = time.perf_counter()
            labeled = labeler.label_texts(texts, contexts=contexts)
            py_rates.append(len(labeled) / (time.perf_counter() - started))
            started = time.perf_counter()
            labeled = privclause.Labeler(threads=2).label_texts(texts, contexts=contexts)
            cold_rates.append(len(labeled) / (time.perf_counter() - started))
            print(
                f"round {round_ + 1}: CLI {cli_rates[-1]:.1f} units/s, Python with the model "
                f"load {cold_rates[-1]:.1f}, Python model loaded {py_rates[-1]:.1f}"
            )
    cli, cold, warm = max(cli_rates), max(cold_rates), max(py_rates)
    print(
        f"best: CLI {cli:.1f} units/s (process start and model load included); Python "
        f"{cold:.1f} with the model load (ratio {cold / cli:.3f}), {warm:.1f} with the model "
        f"loaded once (ratio {warm / cli:.3f})"
    )


if __name__ == "__main__":
    main()
