#!/usr/bin/env python3
"""Seeded sample of disagreements (30 per label x direction) with CAPP's covering sentences.
Usage: python3 datasets/capp130-trace/sample.py [seed]   (run from /work/main after agree.py --dump)"""
import json, random, sys, os, glob, re
SEED = int(sys.argv[1]) if len(sys.argv) > 1 else 20261207
DIS = "/tmp/capp130-trace-dis"
CAPP = "/work/shared/corpora/capp130/annotation"
norm = lambda s: re.sub(r"\s+", "", s)
ds = [json.loads(l) for l in open("datasets/privclause-v3.jsonl", encoding="utf-8")]
bypol = {}
for r in ds:
    bypol.setdefault(r["policy"], {})[r["unit"]] = r
ann = {}
for f in glob.glob(CAPP + "/rw_*.jsonl"):
    ann[os.path.basename(f)] = [json.loads(l) for l in open(f, encoding="utf-8")]
def covering(unit_text, sents):
    u = norm(unit_text); out = []
    for s in sents:
        t = norm(s["text"])
        if t and (u in t or (len(t) >= 4 and t in u)):
            out.append(s)
    return out
polfile = {}
def file_for(policy):
    if policy in polfile: return polfile[policy]
    units = list(bypol[policy].values())[:80]
    best = max(ann, key=lambda f: sum(1 for u in units if len(norm(u["text"])) > 8 and any(norm(u["text"]) in norm(s["text"]) for s in ann[f])))
    polfile[policy] = best; return best
sample = []
for lab in ["collection", "sharing", "rights"]:
    for d in ["capp", "ours"]:
        rows = [json.loads(l) for l in open(f"{DIS}/{lab}_{d}_only.jsonl", encoding="utf-8")]
        rng = random.Random(f"{SEED}-{lab}-{d}")
        pick = rows if len(rows) <= 30 else rng.sample(rows, 30)
        pick.sort(key=lambda r: (r["policy"], r["unit"]))
        for r in pick:
            f = file_for(r["policy"])
            cov = covering(r["text"], ann[f])
            sample.append({"label": lab, "dir": d, "policy": r["policy"], "unit": r["unit"], "split": r["split"],
                           "text": r["text"], "context": r["context"], "labels": r["labels"], "weak": r["weak_labels"],
                           "src": sorted(set(r["label_source"].values())), "capp_file": f,
                           "capp": [{"id": s["id"], "label": [x for x in s["label"] if len(x) < 20], "text": s["text"]} for s in cov],
                           "prev": [(u, bypol[r["policy"]][u]["text"][:120], bypol[r["policy"]][u]["labels"], bypol[r["policy"]][u]["weak_labels"]) for u in range(r["unit"]-2, r["unit"]) if u in bypol[r["policy"]]],
                           "next": [(u, bypol[r["policy"]][u]["text"][:120], bypol[r["policy"]][u]["labels"], bypol[r["policy"]][u]["weak_labels"]) for u in range(r["unit"]+1, r["unit"]+3) if u in bypol[r["policy"]]]})
with open("datasets/capp130-trace/sample.jsonl", "w", encoding="utf-8") as f:
    for i, s in enumerate(sample):
        s["sid"] = i
        f.write(json.dumps(s, ensure_ascii=False) + "\n")
print(len(sample))
