#!/usr/bin/env python3
"""Side-by-side throughput of privclause vs PyTorch and ONNX Runtime on the same model and units.

Every system labels the same N units (drawn with a fixed seed from CAPP-130 as `privclause segment`
cuts it) with the same thread count, tokenization included in the timing. Each run happens in its
own subprocess so its peak RSS can be read from `wait4`. The fp32 systems' sigmoid scores are
checked against privclause's, and one markdown table is printed.

Usage (from the repository root):

    python benches/compare/compare.py --out benches/compare/latest.md

See benches/compare/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

DEFAULT_MODEL = REPO / "models" / "privclause-m3e-small"
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "capp130" / "policies"
DEFAULT_PRIVCLAUSE = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "release" / "privclause"
DEFAULT_WORKDIR = Path("/tmp/privclause-compare")

DEFAULT_UNITS = 1024
DEFAULT_SEED = 20261123
DEFAULT_THREADS = 2
DEFAULT_REPEATS = 1
# privclause's default sort window; the Python systems reproduce its batch planning exactly.
SORT_WINDOW = 512
# (name, batch size, sort window): batch 1 needs no sorting, the others sort by token length.
BATCH_POLICIES = {
    "b1": (1, SORT_WINDOW),
    "b8": (8, SORT_WINDOW),
    "b32": (32, SORT_WINDOW),
}
POLICY_LABELS = {"b1": "batch 1", "b8": "batch 8, length-sorted", "b32": "batch 32, length-sorted"}

# privclause writes scores rounded to 4 decimals, which moves them by at most half a unit of
# the 4th decimal; the fp32 systems must agree within FP32_TOLERANCE beyond that.
SCORE_DECIMALS = 4
ROUNDING_SLACK = 0.5 * 10.0**-SCORE_DECIMALS
FP32_TOLERANCE = 1e-3
ONNX_OPSET = 17
LABELS = ["collection", "sharing", "sensitive", "exemptions", "rights"]

SYSTEMS = {
    # key: (table name, fp32?)
    "torch": ("PyTorch + transformers, fp32 (sdpa)", True),
    "ort-eager": ("ONNX Runtime, eager-attention export, fp32", True),
    "ort-fused": ("ONNX Runtime, BERT-fused graph, fp32", True),
    "ort-int8": ("ONNX Runtime, fused graph, dynamic int8", False),  # see export_onnx
    "privclause": ("privclause label", True),
    "privclause-int8": ("privclause label --precision int8", False),
}
PRIVCLAUSE_PRECISION = {"privclause": "f32", "privclause-int8": "int8"}


# ---------------------------------------------------------------------------------------------
# Units and tokenization (shared by the parent and the Python workers)
# ---------------------------------------------------------------------------------------------


def make_units(privclause: Path, corpus: Path, n: int, seed: int, out: Path) -> list[dict]:
    """Segments the corpus with privclause, samples n units with `seed`, writes them as JSONL."""
    proc = subprocess.run(
        [str(privclause), "segment", str(corpus)], check=True, capture_output=True, text=True
    )
    segments = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    if n > len(segments):
        raise SystemExit(f"asked for {n} units but the corpus has only {len(segments)}")
    picked = random.Random(seed).sample(range(len(segments)), n)
    units = [
        {"id": f"{Path(segments[i]['doc']).stem}#{segments[i]['index']}", "text": segments[i]["text"], "context": ""}
        for i in picked
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for u in units:
            f.write(json.dumps(u, ensure_ascii=False) + "\n")
    print(f"units: {n} of {len(segments)} CAPP-130 segments (seed {seed}) -> {out}", file=sys.stderr)
    return units


def read_units(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def model_settings(model_dir: Path) -> dict:
    return json.loads((model_dir / "privclause.json").read_text(encoding="utf-8"))


class UnitEncoder:
    """privclause's encoding of a unit without context (the sampled units carry none, so a
    context model sees the same input): ASCII-lower-cased text, `[CLS] text [SEP]`, truncated."""

    def __init__(self, model_dir: Path):
        from tokenizers import Tokenizer

        settings = model_settings(model_dir)
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.max_length = int(settings["max_length"])
        self.lowercase_ascii = bool(settings.get("lowercase_ascii", False))
        self.cls = self.tokenizer.token_to_id("[CLS]")
        self.sep = self.tokenizer.token_to_id("[SEP]")
        self.pad = self.tokenizer.token_to_id("[PAD]") or 0

    def _prepare(self, text: str) -> str:
        if not self.lowercase_ascii:
            return text
        # Only ASCII letters, as Rust's str::to_ascii_lowercase.
        return text.translate(_ASCII_LOWER)

    def encode_all(self, texts: list[str]) -> list[list[int]]:
        encodings = self.tokenizer.encode_batch([self._prepare(t) for t in texts], add_special_tokens=False)
        budget = self.max_length - 2
        return [[self.cls, *e.ids[:budget], self.sep] for e in encodings]


_ASCII_LOWER = str.maketrans({chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)})


def plan_batches(lengths: list[int], batch_size: int, sort_window: int) -> list[list[int]]:
    """privclause's `plan_batches`: stable length sort within windows of whole batches."""
    batch_size = max(batch_size, 1)
    sort = sort_window > 1
    window = -(-sort_window // batch_size) * batch_size if sort else max(len(lengths), 1)
    batches = []
    for start in range(0, len(lengths), window):
        order = list(range(start, min(start + window, len(lengths))))
        if sort:
            order.sort(key=lambda i: lengths[i])
        batches.extend(order[k : k + batch_size] for k in range(0, len(order), batch_size))
    return batches


def pad_batch(np, encoded: list[list[int]], batch: list[int], pad_id: int):
    """int64 input_ids, attention_mask, token_type_ids for one batch, padded to its longest unit."""
    width = max(len(encoded[i]) for i in batch)
    ids = np.full((len(batch), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(batch), width), dtype=np.int64)
    for row, i in enumerate(batch):
        ids[row, : len(encoded[i])] = encoded[i]
        mask[row, : len(encoded[i])] = 1
    return ids, mask, np.zeros_like(ids)


# ---------------------------------------------------------------------------------------------
# Model preparation: ONNX exports (done once, in a subprocess, before any timing)
# ---------------------------------------------------------------------------------------------


def load_torch_model(model_dir: Path, attn: str):
    import torch
    from transformers import AutoModelForSequenceClassification

    # The shipped weights are f16; the fp32 systems compute in fp32.
    model = AutoModelForSequenceClassification.from_pretrained(
        str(model_dir), dtype=torch.float32, attn_implementation=attn
    )
    return model.eval()


def export_onnx(model_dir: Path, workdir: Path, threads: int, int8_per_channel_reduce_range: bool) -> dict[str, Path]:
    """Eager-attention ONNX export, the BERT-fused graph, and its dynamic-int8 variant.

    int8: quantize_dynamic's defaults (per-tensor, 8-bit weights), or per-channel 7-bit weights
    (reduce_range), which avoids u8*s8 saturation on AVX2 CPUs without VNNI.
    """
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    torch.set_num_threads(threads)
    paths = {
        "ort-eager": workdir / "model-eager.onnx",
        "ort-fused": workdir / "model-fused.onnx",
        "ort-int8": workdir / "model-fused-int8.onnx",
    }
    config = json.loads((model_dir / "config.json").read_text())
    model = load_torch_model(model_dir, "eager")
    ids = torch.tensor([[101, 2769, 812, 102], [101, 2769, 102, 0]], dtype=torch.int64)
    mask = (ids != 0).to(torch.int64)
    types = torch.zeros_like(ids)
    dynamic = {0: "batch", 1: "seq"}
    torch.onnx.export(
        model,
        (ids, mask, types),
        str(paths["ort-eager"]),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logits"],
        dynamic_axes={"input_ids": dynamic, "attention_mask": dynamic, "token_type_ids": dynamic, "logits": {0: "batch"}},
        opset_version=ONNX_OPSET,
        dynamo=False,
    )
    fused = optimizer.optimize_model(
        str(paths["ort-eager"]),
        model_type="bert",
        num_heads=config["num_attention_heads"],
        hidden_size=config["hidden_size"],
        use_gpu=False,
    )
    stats = fused.get_fused_operator_statistics()
    print(f"fused graph operators: {json.dumps(stats)}", file=sys.stderr)
    if not stats.get("Attention"):
        print("warning: the optimizer fused no Attention node", file=sys.stderr)
    fused.save_model_to_file(str(paths["ort-fused"]))
    # Outputs of the fused contrib ops have no inferred type; they are fp32.
    quantize_dynamic(
        str(paths["ort-fused"]),
        str(paths["ort-int8"]),
        weight_type=QuantType.QInt8,
        per_channel=int8_per_channel_reduce_range,
        reduce_range=int8_per_channel_reduce_range,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    return {k: str(v) for k, v in paths.items()}


# ---------------------------------------------------------------------------------------------
# Workers: one system, one batch policy, in its own process
# ---------------------------------------------------------------------------------------------


def sigmoid(np, x):
    return 1.0 / (1.0 + np.exp(-x))


def torch_runner(model_dir: Path, threads: int, _onnx: str | None):
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    model = load_torch_model(model_dir, "sdpa")

    def run(ids, mask, types):
        with torch.inference_mode():
            logits = model(
                input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask), token_type_ids=torch.from_numpy(types)
            ).logits
        return sigmoid(np, logits.numpy())

    return run


def ort_runner(_model_dir: Path, threads: int, onnx_path: str | None):
    import numpy as np
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    session = ort.InferenceSession(onnx_path, opts, providers=["CPUExecutionProvider"])
    names = {i.name for i in session.get_inputs()}

    def run(ids, mask, types):
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        (logits,) = session.run(["logits"], {k: v for k, v in feed.items() if k in names})
        return sigmoid(np, logits)

    return run


RUNNERS = {"torch": torch_runner, "ort-eager": ort_runner, "ort-fused": ort_runner, "ort-int8": ort_runner}


def worker(args) -> None:
    """Loads one system, then times `repeats` passes over all units (tokenization included)."""
    import numpy as np

    model_dir = Path(args.model)
    texts = [u["text"] for u in read_units(Path(args.units))]
    t0 = time.perf_counter()
    encoder = UnitEncoder(model_dir)
    run = RUNNERS[args.system](model_dir, args.threads, args.onnx)
    load_seconds = time.perf_counter() - t0

    def one_pass():
        encoded = encoder.encode_all(texts)
        scores = np.empty((len(texts), len(LABELS)), dtype=np.float64)
        for batch in plan_batches([len(e) for e in encoded], args.batch_size, args.sort_window):
            scores[batch] = run(*pad_batch(np, encoded, batch, encoder.pad))
        return scores

    # Warm-up on one short batch (allocator arenas, lazy init), not timed.
    run(*pad_batch(np, encoder.encode_all(texts[:2]), [0, 1], encoder.pad))
    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        scores = one_pass()
        best = min(best, time.perf_counter() - start)
    result = {"seconds": best, "load_seconds": load_seconds, "scores": scores.tolist()}
    Path(args.result).write_text(json.dumps(result))


# ---------------------------------------------------------------------------------------------
# Parent: run every system in a subprocess, measure, check agreement, print the table
# ---------------------------------------------------------------------------------------------


@dataclass
class Run:
    system: str
    policy: str
    seconds: float  # best of the repeats
    peak_rss_mb: float  # largest over the repeats
    scores: list[list[float]] | None = None
    labels: list[list[str]] | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)


def child_env(threads: int) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "RAYON_NUM_THREADS"):
        env[var] = str(threads)
    env["TOKENIZERS_PARALLELISM"] = "true"
    env["HF_HUB_OFFLINE"] = "1"
    env["TRANSFORMERS_OFFLINE"] = "1"
    return env


def run_measured(cmd: list[str], env: dict, stdout_path: Path) -> tuple[float, float, str]:
    """Runs cmd; returns (wall seconds, peak RSS in MB of that process, stderr)."""
    with stdout_path.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env)
        stderr = proc.stderr.read().decode("utf-8", "replace")
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr}")
    return wall, usage.ru_maxrss / 1024.0, stderr  # ru_maxrss is in KiB on Linux


def run_python_system(system: str, policy: str, args, onnx: dict, units_path: Path) -> Run:
    batch_size, sort_window = BATCH_POLICIES[policy]
    result_path = args.workdir / f"{system}-{policy}.json"
    cmd = [
        sys.executable, str(Path(__file__).resolve()), "worker",
        "--system", system, "--model", str(args.model), "--units", str(units_path),
        "--threads", str(args.threads), "--batch-size", str(batch_size), "--sort-window", str(sort_window),
        "--repeats", str(args.repeats), "--result", str(result_path),
    ]  # fmt: skip
    if system in onnx:
        cmd += ["--onnx", onnx[system]]
    _, rss, _ = run_measured(cmd, child_env(args.threads), args.workdir / f"{system}-{policy}.stdout")
    result = json.loads(result_path.read_text())
    return Run(system, policy, result["seconds"], rss, scores=result["scores"], extra={"load_seconds": result["load_seconds"]})


def run_privclause(configs: list[tuple[str, str]], args, units_path: Path, one_unit_path: Path) -> list[tuple[Run, Run]]:
    """privclause end to end (process start + model load + labeling), and net of a 1-unit run,
    for each (system, policy) in `configs`.

    The repeats are interleaved: each round runs every configuration once, so a slow spell of
    the machine (single runs of one binary varied by up to 20 % here) falls on all of them
    alike instead of on whichever configuration happened to be running; each keeps its best."""

    def cmd(system: str, policy: str, path: Path) -> list[str]:
        batch_size, sort_window = BATCH_POLICIES[policy]
        return [
            str(args.privclause), "label", "--model", str(args.model), "--input-units", str(path),
            "--threads", str(args.threads), "--batch-size", str(batch_size), "--sort-window", str(sort_window),
            "--precision", PRIVCLAUSE_PRECISION[system],
        ]  # fmt: skip

    env = child_env(args.threads)
    best = {c: (float("inf"), 0.0, float("inf")) for c in configs}  # (wall, peak RSS, 1-unit wall)
    for round_ in range(args.repeats):
        for system, policy in configs:
            print(f"running {system} {policy} (round {round_ + 1}/{args.repeats}) ...", file=sys.stderr, flush=True)
            out = args.workdir / f"{system}-{policy}.jsonl"
            wall, peak, _ = run_measured(cmd(system, policy, units_path), env, out)
            wall_one, _, _ = run_measured(cmd(system, policy, one_unit_path), env, args.workdir / "privclause-one.jsonl")
            b_wall, b_rss, b_one = best[system, policy]
            best[system, policy] = (min(b_wall, wall), max(b_rss, peak), min(b_one, wall_one))
            print(f"  {args.units / wall:.1f} units/s, peak RSS {peak:.0f} MB", file=sys.stderr)
    results = []
    for system, policy in configs:
        wall, rss, one = best[system, policy]
        records = read_units(args.workdir / f"{system}-{policy}.jsonl")
        scores = [[r["scores"][label] for label in LABELS] for r in records]
        labels = [sorted(r["labels"]) for r in records]
        e2e = Run(system, policy, wall, rss, scores=scores, labels=labels, extra={"one_unit_seconds": one})
        net = Run(system + "-net", policy, max(wall - one, 1e-9), rss, note="minus a 1-unit run")
        results.append((e2e, net))
    return results


def thresholds_labels(scores: list[list[float]], thresholds: dict) -> list[list[str]]:
    return [sorted(LABELS[j] for j, s in enumerate(row) if s >= thresholds[LABELS[j]]) for row in scores]


def agreement(runs: list[Run], reference: Run, thresholds: dict) -> list[dict]:
    """Max |score diff| and label-set agreement of each Python run against privclause's scores."""
    rows = []
    for r in runs:
        if r.scores is None or r is reference:
            continue
        diff = max(abs(a - b) for ra, rb in zip(r.scores, reference.scores) for a, b in zip(ra, rb))
        labels = thresholds_labels(r.scores, thresholds)
        same = sum(a == b for a, b in zip(labels, reference.labels)) / len(labels)
        fp32 = SYSTEMS[r.system][1]
        ok = diff < FP32_TOLERANCE + ROUNDING_SLACK if fp32 else None
        rows.append({"system": r.system, "policy": r.policy, "max_diff": diff, "label_agreement": same, "ok": ok})
    return rows


def system_name(run: Run) -> str:
    if run.system.endswith("-net"):
        return SYSTEMS[run.system.removesuffix("-net")][0] + ", excluding process start + model load"
    name = SYSTEMS[run.system][0]
    return name + (", end to end" if run.system in PRIVCLAUSE_PRECISION else "")


def render(runs: list[Run], agree: list[dict], total_tokens: int, n_units: int, args) -> str:
    def best_of(systems) -> float:
        return max((n_units / r.seconds for r in runs if r.system in systems), default=float("nan"))

    def slowest_policy_ratio(system) -> float:
        rates = [n_units / r.seconds for r in runs if r.system == system]
        return min(rates) / max(rates)

    best_pc = best_of(PRIVCLAUSE_PRECISION)
    lines = [
        f"{n_units} CAPP-130 units (seed {args.seed}), {total_tokens} tokens "
        f"(mean {total_tokens / n_units:.1f}), {args.threads} threads, best of {args.repeats}; "
        "tokenization included; int8: "
        + ("per-channel, reduce_range" if args.int8_per_channel_reduce_range else "quantize_dynamic defaults")
        + ". Ratio: units/s over privclause's best end-to-end units/s.",
        "",
        "| system | batch policy | units/s | tokens/s | peak RSS (MB) | ratio to privclause's best |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in runs:
        ups = n_units / r.seconds
        lines.append(
            f"| {system_name(r)} | {POLICY_LABELS[r.policy]} | {ups:.1f} | {total_tokens / r.seconds:,.0f} "
            f"| {r.peak_rss_mb:.0f} | {ups / best_pc:.2f}× |"
        )
    lines += [
        "",
        f"Agreement with privclause's scores (privclause batch 1, rounded to {SCORE_DECIMALS} decimals; "
        f"fp32 must be within {FP32_TOLERANCE:g} + {ROUNDING_SLACK:g} rounding):",
        "",
        "| system | batch policy | max abs score diff | label sets equal | fp32 check |",
        "|---|---|---:|---:|---|",
    ]
    for a in agree:
        check = "—" if a["ok"] is None else ("pass" if a["ok"] else "FAIL")
        lines.append(
            f"| {SYSTEMS[a['system']][0]} | {POLICY_LABELS[a['policy']]} | {a['max_diff']:.2e} "
            f"| {100 * a['label_agreement']:.2f}% | {check} |"
        )
    fp32 = [a for a in agree if a["ok"] is not None and a["system"] != "privclause"]
    int8 = [a for a in agree if a["ok"] is None and a["system"] == "ort-int8"]
    lines.append("")
    if fp32:
        worst = max(a["max_diff"] for a in fp32)
        verdict = "pass" if all(a["ok"] for a in fp32) else "FAIL"
        lines.append(
            f"fp32 systems vs privclause: max abs score diff {worst:.2e} over all policies "
            f"(limit {FP32_TOLERANCE:g} + {ROUNDING_SLACK:g} rounding): {verdict}; "
            f"label sets equal on {100 * min(a['label_agreement'] for a in fp32):.2f}% of units or more."
        )
    lines += [
        "",
        f"privclause's best end to end: {best_pc:.1f} units/s = "
        f"{best_pc / best_of(['ort-fused', 'ort-eager']):.2f}× ONNX Runtime's best fp32, "
        f"{best_pc / best_of(['ort-int8']):.2f}× its int8, {best_pc / best_of(['torch']):.2f}× PyTorch's best; "
        f"slowest batch policy over the best one at the same precision: "
        + ", ".join(
            f"{precision} {slowest_policy_ratio(system):.3f}×"
            for system, precision in PRIVCLAUSE_PRECISION.items()
            if any(r.system == system for r in runs)
        )
        + ".",
        "",
    ]
    if int8:
        lines.append(
            f"dynamic int8 vs privclause: max abs score diff {max(a['max_diff'] for a in int8):.3f}; "
            f"label sets equal on {100 * min(a['label_agreement'] for a in int8):.2f}%"
            f"–{100 * max(a['label_agreement'] for a in int8):.2f}% of units."
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if argv and argv[0] == "worker":
        return worker_main(argv[1:])
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="shipped model directory")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="CAPP-130 policies directory")
    p.add_argument("--privclause", type=Path, default=DEFAULT_PRIVCLAUSE, help="release binary")
    p.add_argument("--units", type=int, default=DEFAULT_UNITS, help="number of units to sample")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="sampling seed")
    p.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    p.add_argument("--repeats", type=int, default=DEFAULT_REPEATS, help="timed passes per configuration (best kept)")
    p.add_argument("--systems", default=",".join(SYSTEMS), help=f"comma-separated subset of {','.join(SYSTEMS)}")
    p.add_argument("--policies", default=",".join(BATCH_POLICIES), help=f"comma-separated subset of {','.join(BATCH_POLICIES)}")
    p.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="units file, ONNX exports, outputs")
    p.add_argument("--out", type=Path, help="also write the markdown tables here")
    p.add_argument(
        "--int8-per-channel-reduce-range",
        action="store_true",
        help="quantize int8 per channel with 7-bit weights instead of quantize_dynamic's defaults",
    )
    args = p.parse_args(argv)
    args.model = args.model.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    systems = [s for s in args.systems.split(",") if s]
    policies = [s for s in args.policies.split(",") if s]
    for s in systems:
        if s not in SYSTEMS:
            raise SystemExit(f"unknown system {s}")
    if "privclause" not in systems:
        raise SystemExit("privclause is the reference: keep it in --systems")

    units_path = args.workdir / f"units-{args.units}-{args.seed}.jsonl"
    units = make_units(args.privclause, args.corpus, args.units, args.seed, units_path)
    one_unit_path = args.workdir / "units-one.jsonl"
    one_unit_path.write_text(json.dumps(units[0], ensure_ascii=False) + "\n", encoding="utf-8")
    total_tokens = sum(len(e) for e in UnitEncoder(args.model).encode_all([u["text"] for u in units]))

    onnx: dict = {}
    if any(s.startswith("ort-") for s in systems):
        onnx_path = args.workdir / "onnx-paths.json"
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "worker", "--export", "--model", str(args.model),
             "--threads", str(args.threads), "--result", str(onnx_path)]
            + (["--int8-per-channel-reduce-range"] if args.int8_per_channel_reduce_range else []),
            check=True, env=child_env(args.threads),
        )  # fmt: skip
        onnx = json.loads(onnx_path.read_text())

    runs: list[Run] = []
    for system in systems:
        if system in PRIVCLAUSE_PRECISION:
            continue
        for policy in policies:
            print(f"running {system} {policy} ...", file=sys.stderr, flush=True)
            runs.append(run_python_system(system, policy, args, onnx, units_path))
            r = runs[-1]
            print(f"  {args.units / r.seconds:.1f} units/s, peak RSS {r.peak_rss_mb:.0f} MB", file=sys.stderr)
    pc_configs = [(s, p) for s in systems if s in PRIVCLAUSE_PRECISION for p in policies]
    pc_results = run_privclause(pc_configs, args, units_path, one_unit_path)
    runs += [e2e for e2e, _ in pc_results]
    pc_runs = [net for _, net in pc_results]
    runs += pc_runs

    reference = next(r for r in runs if r.system == "privclause" and r.policy == policies[0])
    thresholds = model_settings(args.model)["thresholds"]
    agree = agreement(runs, reference, thresholds)
    table = render(runs, agree, total_tokens, args.units, args)
    print(table)
    if args.out:
        args.out.write_text(table, encoding="utf-8")
    return 0 if all(a["ok"] is not False for a in agree) else 1


def worker_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="compare.py worker")
    p.add_argument("--export", action="store_true", help="write the ONNX models instead of timing")
    p.add_argument("--system", choices=sorted(RUNNERS))
    p.add_argument("--model", required=True)
    p.add_argument("--units")
    p.add_argument("--onnx")
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--sort-window", type=int, default=SORT_WINDOW)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--result", required=True)
    p.add_argument("--int8-per-channel-reduce-range", action="store_true")
    args = p.parse_args(argv)
    if args.export:
        paths = export_onnx(Path(args.model), Path(args.result).parent, args.threads, args.int8_per_channel_reduce_range)
        Path(args.result).write_text(json.dumps(paths))
    else:
        worker(args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
