#!/usr/bin/env python3
"""Training throughput of `privclause train` against PyTorch fine-tuning the same base model on
the same records, batch size, sequence budget and thread count, side by side on this machine.

Both systems train one epoch over the same N training records drawn (seeded) from the dataset,
each record encoded as `privclause train` encodes it (`[CLS] context [SEP] text [SEP]`, text cut
to the budget, context cut from the front; ASCII lower-cased), with context on every record
(`--context-dropout 0`, so that both see exactly the same sequences), batches of 16 padded to
their longest member, dropout 0.1, word embeddings frozen, AdamW (lr 2e-4, weight decay 0.01),
per-label positive weights, gradient clipping at 1.0. Throughput counts real (unpadded) tokens
and records per second over the steps after the first 50 (warm-up), model loading, encoding and
evaluation excluded for both.

Each system runs in two arithmetics: f32 throughout, and mixed precision (bf16 operands with f32
sums for the dense products, f32 weights and optimizer): `privclause train --products bf16`
(AMX tiles) and PyTorch's `torch.autocast("cpu", dtype=torch.bfloat16)` around the forward pass
(oneDNN). The ratios compare privclause's default (bf16) with PyTorch in each arithmetic.

Usage (from the repository root, after `bash models/fetch_base.sh` and `cargo build --release`;
PyTorch and transformers from benches/compare/requirements.txt):

    python benches/train_compare.py [--records 2400] [--threads 2] [--only torch-f32 ...]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benches" / "compare"))
from compare import UnitEncoder  # noqa: E402  (privclause's encoder, reproduced)

LABELS = ["collection", "sharing", "sensitive", "exemptions", "rights"]
BATCH = 16
MAX_LENGTH = 96
LR = 2e-4
WARMUP_STEPS = 50
# The systems, by the name `--only` takes, with their table labels.
SYSTEMS = {
    "torch-f32": "PyTorch + transformers, fp32",
    "torch-bf16": "PyTorch + transformers, bf16 autocast",
    "privclause-f32": "privclause train --products f32",
    "privclause-bf16": "privclause train --products bf16",
}
# privclause logs every 50 steps: "step N: loss L lr X (R records/s, T tokens/s over S s)".
LOG_LINE = re.compile(r"^step (\d+): loss \S+ lr \S+ \(([\d.]+) records/s, ([\d.]+) tokens/s over ([\d.]+) s\)")


def subset(data: Path, n: int, seed: int, out: Path) -> list[dict]:
    """Writes n seeded training records plus 16 dev records (for the epoch-end evaluation
    `privclause train` always runs) to `out`; returns the training records."""
    records = [json.loads(line) for line in data.open(encoding="utf-8") if line.strip()]
    train = [r for r in records if r["split"] == "train"]
    dev = [r for r in records if r["split"] == "dev"][:16]
    if n > len(train):
        raise SystemExit(f"asked for {n} records but the training split has {len(train)}")
    picked = random.Random(seed).sample(train, n)
    with out.open("w", encoding="utf-8") as f:
        for r in [*picked, *dev]:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return picked


def run_privclause(args, data: Path, workdir: Path, products: str) -> dict:
    cmd = [
        str(args.privclause), "train", "--data", str(data), "--base", str(args.base),
        "--out", str(workdir / f"privclause-run-{products}"), "--epochs", "1", "--batch-size", str(BATCH),
        "--lr", str(LR), "--max-length", str(MAX_LENGTH), "--threads", str(args.threads),
        "--context-dropout", "0", "--eval-every", "0", "--products", products,
    ]  # fmt: skip
    print("running", " ".join(cmd), file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=child_env(args.threads))
    if proc.returncode != 0:
        raise SystemExit(f"privclause train failed:\n{proc.stderr}")
    records = tokens = seconds = 0.0
    for line in proc.stderr.splitlines():
        m = LOG_LINE.match(line)
        if m and int(m.group(1)) > WARMUP_STEPS:
            interval = float(m.group(4))
            records += float(m.group(2)) * interval
            tokens += float(m.group(3)) * interval
            seconds += interval
    if seconds == 0:
        raise SystemExit(f"no timed steps after step {WARMUP_STEPS} in privclause's log:\n{proc.stderr}")
    return {"records": records, "tokens": tokens, "seconds": seconds}


def child_env(threads: int) -> dict:
    env = dict(os.environ)
    for name in ("RAYON_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = str(threads)
    return env


def run_torch(args, picked: list[dict], bf16: bool) -> dict:
    """PyTorch fine-tuning with privclause's recipe, under bf16 autocast if `bf16`; steps after
    the warm-up timed."""
    import numpy as np
    import torch
    from transformers import AutoModelForSequenceClassification

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    settings_dir = Path(tempfile.mkdtemp())
    (settings_dir / "privclause.json").write_text(
        json.dumps({"max_length": MAX_LENGTH, "lowercase_ascii": True, "context": "section_and_lead"})
    )
    (settings_dir / "tokenizer.json").symlink_to((args.base / "tokenizer.json").resolve())
    encoder = UnitEncoder(settings_dir)
    sequences = []
    for r in picked:
        text = encoder._pieces([r["text"]])[0]
        context = encoder._pieces([r["context"]])[0] if r["context"].strip() else []
        room = MAX_LENGTH - (4 if context else 2)
        sequences.append(encoder._assemble(context, text[:room]))
    targets = np.array([[float(label in r["labels"]) for label in LABELS] for r in picked], dtype=np.float32)
    positives = targets.sum(0)
    pos_weight = torch.tensor(np.minimum((len(picked) - positives) / np.maximum(positives, 1), 10.0))

    model = AutoModelForSequenceClassification.from_pretrained(
        str(args.base), num_labels=len(LABELS), problem_type="multi_label_classification"
    )
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=LR, weight_decay=0.01)
    steps = -(-len(picked) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: max(0.0, 1 - s / steps))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    order = list(range(len(picked)))
    random.Random(args.seed).shuffle(order)
    records = tokens = seconds = 0.0
    for step in range(steps):
        batch = order[step * BATCH : (step + 1) * BATCH]
        start = time.perf_counter()
        width = max(len(sequences[i][0]) for i in batch)
        ids = torch.zeros((len(batch), width), dtype=torch.long)
        types = torch.zeros_like(ids)
        mask = torch.zeros_like(ids)
        for row, i in enumerate(batch):
            seq, seq_types = sequences[i]
            ids[row, : len(seq)] = torch.tensor(seq)
            types[row, : len(seq)] = torch.tensor(seq_types)
            mask[row, : len(seq)] = 1
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(input_ids=ids, token_type_ids=types, attention_mask=mask).logits
        loss = loss_fn(logits.float(), torch.from_numpy(targets[batch]))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        schedule.step()
        elapsed = time.perf_counter() - start
        if step + 1 > WARMUP_STEPS:
            records += len(batch)
            tokens += sum(len(sequences[i][0]) for i in batch)
            seconds += elapsed
        if (step + 1) % 50 == 0:
            print(f"  torch step {step + 1}: loss {loss.item():.4f}", file=sys.stderr, flush=True)
    return {"records": records, "tokens": tokens, "seconds": seconds}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=REPO / "datasets" / "privclause-v3.jsonl")
    p.add_argument("--base", type=Path, default=REPO / ".base" / "m3e-small")
    p.add_argument("--privclause", type=Path, default=REPO / "target" / "release" / "privclause")
    p.add_argument("--records", type=int, default=2400, help="training records (16 per step)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--only", choices=SYSTEMS, action="append", help="run this system (repeatable)")
    args = p.parse_args()
    if args.records <= WARMUP_STEPS * BATCH:
        raise SystemExit(f"--records must exceed the {WARMUP_STEPS * BATCH} warm-up records")
    workdir = Path(tempfile.mkdtemp(prefix="privclause-train-compare-"))
    data = workdir / "subset.jsonl"
    picked = subset(args.data, args.records, args.seed, data)
    results = {}
    for system in args.only or list(SYSTEMS):
        kind, arithmetic = system.split("-")
        if kind == "torch":
            results[system] = run_torch(args, picked, bf16=arithmetic == "bf16")
        else:
            results[system] = run_privclause(args, data, workdir, arithmetic)
    timed = args.records - WARMUP_STEPS * BATCH
    print(f"\n{args.records} training records of {args.data.name} (seed {args.seed}), batches of {BATCH}, "
          f"max length {MAX_LENGTH}, {args.threads} threads; steps after the first {WARMUP_STEPS} timed "
          f"({timed} records).\n")  # fmt: skip
    print("| system | records/s | real tokens/s | timed seconds |")
    print("|---|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {SYSTEMS[name]} | {r['records'] / r['seconds']:.1f} | {r['tokens'] / r['seconds']:,.0f} | {r['seconds']:.1f} |")
    rate = {name: r["tokens"] / r["seconds"] for name, r in results.items()}
    print()
    pairs = [("privclause-bf16", "torch-f32"), ("privclause-bf16", "torch-bf16"), ("privclause-f32", "torch-f32")]
    for mine, theirs in pairs:
        if mine in rate and theirs in rate:
            print(f"Ratio of tokens/s, {SYSTEMS[mine]} over {SYSTEMS[theirs]}: {rate[mine] / rate[theirs]:.2f}x")


if __name__ == "__main__":
    main()
