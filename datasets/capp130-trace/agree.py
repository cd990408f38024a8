#!/usr/bin/env python3
"""CAPP-130's own labels (weak_labels, mapped: collection, sharing, rights) vs our hand labels,
CAPP-130 units of the dev and test splits only.

Usage: python3 datasets/capp130-trace/agree.py [path/to/privclause-v3.jsonl] [--splits dev,test] [--dump DIR]
--dump writes DIR/<label>_capp_only.jsonl and DIR/<label>_ours_only.jsonl (all disagreements).
"""
import json, sys, os, argparse

LABELS = ["collection", "sharing", "rights"]

def load(path, splits):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["policy"].startswith("capp130/") and r["split"] in splits:
                out.append(r)
    return out

def stats(both, capp_only, ours_only, neither):
    n = both + capp_only + ours_only + neither
    po = (both + neither) / n
    p_capp = (both + capp_only) / n
    p_ours = (both + ours_only) / n
    pe = p_capp * p_ours + (1 - p_capp) * (1 - p_ours)
    kappa = (po - pe) / (1 - pe) if pe < 1 else 1.0
    prec = both / (both + ours_only) if both + ours_only else 0.0   # ours against CAPP as reference
    rec = both / (both + capp_only) if both + capp_only else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return n, po, kappa, prec, rec, f1

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("path", nargs="?", default="datasets/privclause-v3.jsonl")
    ap.add_argument("--splits", default="dev,test")
    ap.add_argument("--dump", default=None)
    a = ap.parse_args()
    splits = set(a.splits.split(","))
    recs = load(a.path, splits)
    pols = sorted({r["policy"] for r in recs})
    print(f"CAPP-130 units in splits {sorted(splits)}: {len(recs)} units, {len(pols)} policies")
    print()
    print("| label | both | CAPP only | ours only | neither | agreement | kappa | P (ours vs CAPP) | R | F1 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for split_set in [sorted(splits)] + ([[s] for s in sorted(splits)] if len(splits) > 1 else []):
        sub = [r for r in recs if r["split"] in split_set]
        for lab in LABELS:
            c = {"both": 0, "capp": 0, "ours": 0, "neither": 0}
            dumps = {"capp": [], "ours": []}
            for r in sub:
                w = lab in r["weak_labels"]; o = lab in r["labels"]
                k = "both" if w and o else "capp" if w else "ours" if o else "neither"
                c[k] += 1
                if k in dumps: dumps[k].append(r)
            n, po, kappa, p, rc, f1 = stats(c["both"], c["capp"], c["ours"], c["neither"])
            tag = lab if split_set == sorted(splits) else f"{lab} ({split_set[0]})"
            print(f"| {tag} | {c['both']} | {c['capp']} | {c['ours']} | {c['neither']} | {po:.3f} | {kappa:.3f} | {p:.3f} | {rc:.3f} | {f1:.3f} |")
            if a.dump and split_set == sorted(splits):
                os.makedirs(a.dump, exist_ok=True)
                for k, rows in dumps.items():
                    with open(os.path.join(a.dump, f"{lab}_{k}_only.jsonl"), "w", encoding="utf-8") as f:
                        for r in rows:
                            f.write(json.dumps(r, ensure_ascii=False) + "\n")

if __name__ == "__main__":
    main()
