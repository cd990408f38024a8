#!/usr/bin/env python3
"""Side-by-side throughput of privclause vs PyTorch and ONNX Runtime on the same model and units.

Every system labels the same N units (drawn with a fixed seed from CAPP-130 as `privclause segment`
cuts it) with the same thread count, tokenization included in the timing, twice: as plain units
(no context) and as the main job feeds them, with their section and lead as context. Each system
gets every batch policy, including a global length sort. Each run happens in its own subprocess so
its peak RSS can be read from `wait4`. The fp32 systems' scores are checked against privclause's,
each int8 system's labels are compared with its own fp32's, and markdown tables are printed.

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
# A window larger than any input: one global length sort over all sequences.
GLOBAL_SORT = 1 << 30
# (name, batch size, sort window): batch 1 needs no sorting, the others sort by token length,
# within privclause's windows of 512 or over the whole input (what a user of ONNX Runtime
# labeling a corpus would do).
BATCH_POLICIES = {
    "b1": (1, SORT_WINDOW),
    "b8": (8, SORT_WINDOW),
    "b32": (32, SORT_WINDOW),
    "g8": (8, GLOBAL_SORT),
    "g32": (32, GLOBAL_SORT),
}
POLICY_LABELS = {
    "b1": "batch 1",
    "b8": "batch 8, sorted in windows of 512",
    "b32": "batch 32, sorted in windows of 512",
    "g8": "batch 8, globally sorted",
    "g32": "batch 32, globally sorted",
}
# The unit sets: plain units, and the same units with their section and lead as context.
UNIT_SETS = {"plain": "plain units (no context)", "context": "units with section + lead context"}

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
    # see export_onnx
    "ort-int8": ("ONNX Runtime, fused graph, dynamic int8 (defaults)", False),
    "ort-int8-pc": ("ONNX Runtime, fused graph, dynamic int8 (per-channel, reduce_range)", False),
    "privclause": ("privclause label --precision f32", True),
    "privclause-int8": ("privclause label (default: int8)", False),
}
PRIVCLAUSE_PRECISION = {"privclause": "f32", "privclause-int8": "int8"}
# Each int8 system's own fp32, for label agreement.
FP32_OF = {"ort-int8": "ort-fused", "ort-int8-pc": "ort-fused", "privclause-int8": "privclause"}


# ---------------------------------------------------------------------------------------------
# Units and tokenization (shared by the parent and the Python workers)
# ---------------------------------------------------------------------------------------------


def make_units(privclause: Path, corpus: Path, n: int, seed: int, workdir: Path) -> dict[str, Path]:
    """Segments the corpus with privclause, samples n units with `seed`, and writes them as
    `--input-units` JSONL twice: without context, and with the context `privclause label` gives
    them when it reads the policy files (heading path, then list lead, joined by newlines)."""
    proc = subprocess.run(
        [str(privclause), "segment", str(corpus)], check=True, capture_output=True, text=True
    )
    segments = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    if n > len(segments):
        raise SystemExit(f"asked for {n} units but the corpus has only {len(segments)}")
    picked = random.Random(seed).sample(range(len(segments)), n)
    paths = {}
    for unit_set in UNIT_SETS:
        path = workdir / f"units-{unit_set}-{n}-{seed}.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for i in picked:
                s = segments[i]
                context = "\n".join([*s["section"], *([s["lead"]] if s.get("lead") else [])])
                unit = {
                    "id": f"{Path(s['doc']).stem}#{s['index']}",
                    "text": s["text"],
                    "context": context if unit_set == "context" else "",
                }
                f.write(json.dumps(unit, ensure_ascii=False) + "\n")
        paths[unit_set] = path
    print(f"units: {n} of {len(segments)} CAPP-130 segments (seed {seed}) -> {workdir}", file=sys.stderr)
    return paths


def read_units(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def model_settings(model_dir: Path) -> dict:
    return json.loads((model_dir / "privclause.json").read_text(encoding="utf-8"))


class UnitEncoder:
    """privclause's `UnitEncoder` (src/model/encode.rs): ASCII-lower-cased text; `[CLS] text [SEP]`
    without context, `[CLS] context [SEP] text [SEP]` (type ids 1 on the text part) with it, the
    context cut from the front to fit; a text longer than its room is read in windows that overlap
    by half, each with at most max_length / 4 context tokens."""

    def __init__(self, model_dir: Path):
        from tokenizers import Tokenizer

        settings = model_settings(model_dir)
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.max_length = int(settings["max_length"])
        self.lowercase_ascii = bool(settings.get("lowercase_ascii", False))
        self.use_context = settings.get("context", "section_and_lead") == "section_and_lead"
        self.cls = self.tokenizer.token_to_id("[CLS]")
        self.sep = self.tokenizer.token_to_id("[SEP]")
        self.pad = self.tokenizer.token_to_id("[PAD]") or 0

    def _prepare(self, text: str) -> str:
        if not self.lowercase_ascii:
            return text
        # Only ASCII letters, as Rust's str::to_ascii_lowercase.
        return text.translate(_ASCII_LOWER)

    def _pieces(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch([self._prepare(t) for t in texts], add_special_tokens=False)]

    def _assemble(self, context: list[int], text: list[int]) -> tuple[list[int], list[int]]:
        if not context:
            ids = [self.cls, *text, self.sep]
            return ids, [0] * len(ids)
        room = self.max_length - 3 - len(text)
        context = context[max(len(context) - room, 0) :]
        ids = [self.cls, *context, self.sep, *text, self.sep]
        first = len(context) + 2
        return ids, [0] * first + [1] * (len(ids) - first)

    def encode_all(self, units: list[tuple[str, str]]) -> tuple[list[tuple[list[int], list[int]]], list[int]]:
        """Every window of every `(text, context)` unit as (ids, type ids), and each window's unit."""
        texts = self._pieces([t for t, _ in units])
        has_context = [self.use_context and c.strip() != "" for _, c in units]
        contexts_in = [c for (_, c), h in zip(units, has_context) if h]
        contexts_iter = iter(self._pieces(contexts_in) if contexts_in else [])
        sequences, owners = [], []
        for unit, (text, with_context) in enumerate(zip(texts, has_context)):
            context = next(contexts_iter) if with_context else []
            room = self.max_length - (4 if context else 2)
            if len(text) <= room:
                sequences.append(self._assemble(context, text))
                owners.append(unit)
                continue
            context = context[max(len(context) - self.max_length // 4, 0) :]
            window = self.max_length - (3 if context else 2) - len(context)
            stride = max(window // 2, 1)
            last = len(text) - window
            for start in [*range(0, last, stride), last]:
                sequences.append(self._assemble(context, text[start : start + window]))
                owners.append(unit)
        return sequences, owners


def calibrate(np, scores, settings: dict):
    """privclause's Platt calibration of sigmoid scores (privclause.json `calibration`)."""
    calibration = settings.get("calibration")
    if not calibration:
        return scores
    p = np.clip(scores, 1e-6, 1 - 1e-6)
    z = np.log(p / (1 - p))
    slope = np.array([calibration[label]["slope"] for label in LABELS])
    offset = np.array([calibration[label]["offset"] for label in LABELS])
    return 1.0 / (1.0 + np.exp(-(slope * z + offset)))


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


def pad_batch(np, encoded: list[tuple[list[int], list[int]]], batch: list[int], pad_id: int):
    """int64 input_ids, attention_mask, token_type_ids for one batch, padded to its longest unit."""
    width = max(len(encoded[i][0]) for i in batch)
    ids = np.full((len(batch), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(batch), width), dtype=np.int64)
    types = np.zeros((len(batch), width), dtype=np.int64)
    for row, i in enumerate(batch):
        seq, seq_types = encoded[i]
        ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1
        types[row, : len(seq)] = seq_types
    return ids, mask, types


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


def export_onnx(model_dir: Path, workdir: Path, threads: int) -> dict[str, Path]:
    """Eager-attention ONNX export, the BERT-fused graph, and its two dynamic-int8 variants:
    quantize_dynamic's defaults (per-tensor, 8-bit weights), and per-channel 7-bit weights
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
        "ort-int8-pc": workdir / "model-fused-int8-pc.onnx",
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
    for system, per_channel in (("ort-int8", False), ("ort-int8-pc", True)):
        quantize_dynamic(
            str(paths["ort-fused"]),
            str(paths[system]),
            weight_type=QuantType.QInt8,
            per_channel=per_channel,
            reduce_range=per_channel,
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


RUNNERS = {
    "torch": torch_runner,
    "ort-eager": ort_runner,
    "ort-fused": ort_runner,
    "ort-int8": ort_runner,
    "ort-int8-pc": ort_runner,
}


def worker(args) -> None:
    """Loads one system, then times `repeats` passes over all units: tokenization, windows,
    batching, padding, forward, sigmoid, the max over a unit's windows and calibration."""
    import numpy as np

    model_dir = Path(args.model)
    units = [(u["text"], u.get("context", "")) for u in read_units(Path(args.units))]
    t0 = time.perf_counter()
    encoder = UnitEncoder(model_dir)
    settings = model_settings(model_dir)
    run = RUNNERS[args.system](model_dir, args.threads, args.onnx)
    load_seconds = time.perf_counter() - t0

    def one_pass():
        encoded, owners = encoder.encode_all(units)
        window_scores = np.empty((len(encoded), len(LABELS)), dtype=np.float64)
        for batch in plan_batches([len(e[0]) for e in encoded], args.batch_size, args.sort_window):
            window_scores[batch] = run(*pad_batch(np, encoded, batch, encoder.pad))
        scores = np.full((len(units), len(LABELS)), -np.inf)
        np.maximum.at(scores, np.asarray(owners), window_scores)
        return calibrate(np, scores, settings), len(encoded), sum(len(e[0]) for e in encoded)

    # Warm-up on one short batch (allocator arenas, lazy init), not timed.
    warm, _ = encoder.encode_all(units[:2])
    run(*pad_batch(np, warm, list(range(len(warm))), encoder.pad))
    best = float("inf")
    for _ in range(args.repeats):
        start = time.perf_counter()
        scores, sequences, tokens = one_pass()
        best = min(best, time.perf_counter() - start)
    result = {
        "seconds": best,
        "load_seconds": load_seconds,
        "scores": scores.tolist(),
        "sequences": sequences,
        "tokens": tokens,
    }
    Path(args.result).write_text(json.dumps(result))


# ---------------------------------------------------------------------------------------------
# Parent: run every system in a subprocess, measure, check agreement, print the table
# ---------------------------------------------------------------------------------------------


@dataclass
class Run:
    system: str
    policy: str
    unit_set: str
    seconds: float  # best of the repeats
    peak_rss_mb: float  # largest over the repeats
    scores: list[list[float]] | None = None
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


def run_python_system(system: str, policy: str, unit_set: str, args, onnx: dict, units_path: Path) -> Run:
    batch_size, sort_window = BATCH_POLICIES[policy]
    result_path = args.workdir / f"{system}-{policy}-{unit_set}.json"
    cmd = [
        sys.executable, str(Path(__file__).resolve()), "worker",
        "--system", system, "--model", str(args.model), "--units", str(units_path),
        "--threads", str(args.threads), "--batch-size", str(batch_size), "--sort-window", str(sort_window),
        "--repeats", str(args.repeats), "--result", str(result_path),
    ]  # fmt: skip
    if system in onnx:
        cmd += ["--onnx", onnx[system]]
    stdout = args.workdir / f"{system}-{policy}-{unit_set}.stdout"
    _, rss, _ = run_measured(cmd, child_env(args.threads), stdout)
    result = json.loads(result_path.read_text())
    extra = {k: result[k] for k in ("load_seconds", "sequences", "tokens")}
    return Run(system, policy, unit_set, result["seconds"], rss, scores=result["scores"], extra=extra)


def run_privclause(configs: list[tuple[str, str, str]], args, units: dict[str, Path], one_unit: dict[str, Path]) -> list[Run]:
    """privclause end to end (process start + model load + labeling) for each (system, policy,
    unit set) in `configs`, and the same net of a 1-unit run (as a `-net` system).

    The repeats are interleaved: each round runs every configuration once, so a slow spell of
    the machine falls on all of them alike instead of on whichever configuration happened to be
    running; each keeps its best."""

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
        for system, policy, unit_set in configs:
            print(f"running {system} {policy} {unit_set} (round {round_ + 1}/{args.repeats}) ...", file=sys.stderr, flush=True)
            out = args.workdir / f"{system}-{policy}-{unit_set}.jsonl"
            wall, peak, _ = run_measured(cmd(system, policy, units[unit_set]), env, out)
            one_out = args.workdir / "privclause-one.jsonl"
            wall_one, _, _ = run_measured(cmd(system, policy, one_unit[unit_set]), env, one_out)
            b_wall, b_rss, b_one = best[system, policy, unit_set]
            best[system, policy, unit_set] = (min(b_wall, wall), max(b_rss, peak), min(b_one, wall_one))
            print(f"  {args.units / wall:.1f} units/s, peak RSS {peak:.0f} MB", file=sys.stderr)
    runs = []
    for system, policy, unit_set in configs:
        wall, rss, one = best[system, policy, unit_set]
        records = read_units(args.workdir / f"{system}-{policy}-{unit_set}.jsonl")
        scores = [[r["scores"][label] for label in LABELS] for r in records]
        windows = sum(r.get("windows", 1) for r in records)
        extra = {"one_unit_seconds": one, "sequences": windows}
        runs.append(Run(system, policy, unit_set, wall, rss, scores=scores, extra=extra))
        net = Run(system + "-net", policy, unit_set, max(wall - one, 1e-9), rss, note="minus a 1-unit run")
        runs.append(net)
    return runs


def labels_of(scores: list[list[float]], thresholds: dict) -> list[tuple[str, ...]]:
    """Label sets by the model's plain per-label thresholds (the model's own decision, no rules)."""
    return [tuple(LABELS[j] for j, s in enumerate(row) if s >= thresholds[LABELS[j]]) for row in scores]


def compare_scores(run: Run, reference: Run, thresholds: dict) -> dict:
    diff = max(abs(a - b) for ra, rb in zip(run.scores, reference.scores) for a, b in zip(ra, rb))
    mine, theirs = labels_of(run.scores, thresholds), labels_of(reference.scores, thresholds)
    same = sum(a == b for a, b in zip(mine, theirs)) / len(mine)
    return {"system": run.system, "policy": run.policy, "against": reference.system, "max_diff": diff, "label_agreement": same}


def agreement(runs: list[Run], thresholds: dict) -> list[dict]:
    """fp32 systems against privclause f32 (batch 1), each to the 4th decimal; each int8 system's
    labels against its own fp32 at the same batch policy."""
    rows = []
    by_key = {(r.system, r.policy): r for r in runs if r.scores is not None}
    reference = next((r for r in runs if r.system == "privclause" and r.policy == "b1"), None) or next(
        (r for r in runs if r.system == "privclause" and r.scores is not None), None
    )
    for r in runs:
        if r.scores is None or r is reference:
            continue
        if SYSTEMS[r.system][1] and reference is not None:
            row = compare_scores(r, reference, thresholds)
            row["ok"] = row["max_diff"] < FP32_TOLERANCE + ROUNDING_SLACK
            rows.append(row)
        elif not SYSTEMS[r.system][1]:
            own = by_key.get((FP32_OF[r.system], r.policy))
            if own is not None:
                row = compare_scores(r, own, thresholds)
                row["ok"] = None
                rows.append(row)
    return rows


def system_name(run: Run) -> str:
    if run.system.endswith("-net"):
        return SYSTEMS[run.system.removesuffix("-net")][0] + ", excluding process start + model load"
    name = SYSTEMS[run.system][0]
    return name + (", end to end" if run.system in PRIVCLAUSE_PRECISION else "")


def best_rate(runs: list[Run], systems, n_units: int) -> float:
    return max((n_units / r.seconds for r in runs if r.system in systems), default=float("nan"))


def render_set(runs: list[Run], agree: list[dict], unit_set: str, tokens: int, sequences: int, n_units: int) -> list[str]:
    best_default = best_rate(runs, ["privclause-int8"], n_units)
    lines = [
        f"### {UNIT_SETS[unit_set]}",
        "",
        f"{n_units} units, {sequences} model inputs (windows), {tokens} tokens (mean {tokens / sequences:.1f}). "
        "Ratio: units/s over privclause default's best end-to-end units/s.",
        "",
        "| system | batch policy | units/s | tokens/s | peak RSS (MB) | ratio to privclause default's best |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in runs:
        ups = n_units / r.seconds
        lines.append(
            f"| {system_name(r)} | {POLICY_LABELS[r.policy]} | {ups:.1f} | {tokens / r.seconds:,.0f} "
            f"| {r.peak_rss_mb:.0f} | {ups / best_default:.2f}× |"
        )
    lines += [
        "",
        "Agreement (labels by the model's plain thresholds, no rules): fp32 systems against privclause f32 batch 1 "
        f"(scores within {FP32_TOLERANCE:g} + {ROUNDING_SLACK:g} rounding); int8 systems against their own fp32 "
        "at the same batch policy.",
        "",
        "| system | batch policy | against | max abs score diff | label sets equal | fp32 check |",
        "|---|---|---|---:|---:|---|",
    ]
    for a in agree:
        check = "—" if a["ok"] is None else ("pass" if a["ok"] else "FAIL")
        lines.append(
            f"| {SYSTEMS[a['system']][0]} | {POLICY_LABELS[a['policy']]} | {SYSTEMS[a['against']][0]} "
            f"| {a['max_diff']:.2e} | {100 * a['label_agreement']:.2f}% | {check} |"
        )
    int8_agree = {s: [a["label_agreement"] for a in agree if a["system"] == s] for s in FP32_OF}
    lines += [
        "",
        f"privclause default's best end to end: {best_default:.1f} units/s = "
        f"**{best_default / best_rate(runs, ['ort-int8', 'ort-int8-pc'], n_units):.2f}×** ONNX Runtime's best int8, "
        f"**{best_default / best_rate(runs, ['ort-fused', 'ort-eager'], n_units):.2f}×** its best fp32, "
        f"**{best_default / best_rate(runs, ['torch'], n_units):.2f}×** PyTorch's best. "
        "Slowest batch policy over the best one: "
        + ", ".join(
            f"{SYSTEMS[s][0]} {min(rates) / max(rates):.3f}×"
            for s in PRIVCLAUSE_PRECISION
            if (rates := [n_units / r.seconds for r in runs if r.system == s])
        )
        + ". int8 labels equal to the same system's fp32 labels (worst policy): "
        + ", ".join(f"{SYSTEMS[s][0]} {100 * min(v):.2f}%" for s, v in int8_agree.items() if v)
        + ".",
        "",
    ]
    return lines


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
    p.add_argument("--sets", default=",".join(UNIT_SETS), help=f"comma-separated subset of {','.join(UNIT_SETS)}")
    p.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR, help="units files, ONNX exports, outputs")
    p.add_argument("--out", type=Path, help="also write the markdown tables here")
    args = p.parse_args(argv)
    args.model = args.model.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    systems = [s for s in args.systems.split(",") if s]
    policies = [s for s in args.policies.split(",") if s]
    unit_sets = [s for s in args.sets.split(",") if s]
    for name, chosen, known in (("system", systems, SYSTEMS), ("policy", policies, BATCH_POLICIES), ("set", unit_sets, UNIT_SETS)):
        for s in chosen:
            if s not in known:
                raise SystemExit(f"unknown {name} {s}")
    if "privclause-int8" not in systems:
        raise SystemExit("privclause-int8 (the default) is the reference: keep it in --systems")

    units = make_units(args.privclause, args.corpus, args.units, args.seed, args.workdir)
    one_unit = {}
    for unit_set, path in units.items():
        one_unit[unit_set] = args.workdir / f"units-one-{unit_set}.jsonl"
        first = path.read_text(encoding="utf-8").splitlines()[0]
        one_unit[unit_set].write_text(first + "\n", encoding="utf-8")

    onnx: dict = {}
    if any(s.startswith("ort-") for s in systems):
        onnx_path = args.workdir / "onnx-paths.json"
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "worker", "--export", "--model", str(args.model),
             "--threads", str(args.threads), "--result", str(onnx_path)],
            check=True, env=child_env(args.threads),
        )  # fmt: skip
        onnx = json.loads(onnx_path.read_text())

    runs: list[Run] = []
    for unit_set in unit_sets:
        for system in systems:
            if system in PRIVCLAUSE_PRECISION:
                continue
            for policy in policies:
                print(f"running {system} {policy} {unit_set} ...", file=sys.stderr, flush=True)
                r = run_python_system(system, policy, unit_set, args, onnx, units[unit_set])
                runs.append(r)
                print(f"  {args.units / r.seconds:.1f} units/s, peak RSS {r.peak_rss_mb:.0f} MB", file=sys.stderr)
    pc_configs = [(s, p, u) for u in unit_sets for s in systems if s in PRIVCLAUSE_PRECISION for p in policies]
    runs += run_privclause(pc_configs, args, units, one_unit)

    settings = model_settings(args.model)
    encoder = UnitEncoder(args.model)
    lines = [
        f"{args.units} CAPP-130 units (seed {args.seed}), {args.threads} threads, best of {args.repeats}; "
        "tokenization, windows and calibration included in every system's time.",
        "",
    ]
    ok = True
    for unit_set in unit_sets:
        set_runs = [r for r in runs if r.unit_set == unit_set]
        agree = agreement(set_runs, settings["thresholds"])
        ok &= all(a["ok"] is not False for a in agree)
        pairs = [(u["text"], u["context"]) for u in read_units(units[unit_set])]
        encoded, _ = encoder.encode_all(pairs)
        tokens = sum(len(ids) for ids, _ in encoded)
        lines += render_set(set_runs, agree, unit_set, tokens, len(encoded), args.units)
    table = "\n".join(lines) + "\n"
    print(table)
    if args.out:
        args.out.write_text(table, encoding="utf-8")
    return 0 if ok else 1


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
    args = p.parse_args(argv)
    if args.export:
        paths = export_onnx(Path(args.model), Path(args.result).parent, args.threads)
        Path(args.result).write_text(json.dumps(paths))
    else:
        worker(args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
