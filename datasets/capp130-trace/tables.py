#!/usr/bin/env python3
"""Category tables for report.md from sample.jsonl + categories.json (+ stratum sizes from dis/)."""
import json
S = {json.loads(l)["sid"]: json.loads(l) for l in open("datasets/capp130-trace/sample.jsonl", encoding="utf-8")}
C = json.load(open("datasets/capp130-trace/categories.json", encoding="utf-8"))
N = {}
for lab in ["collection", "sharing", "rights"]:
    for d in ["capp", "ours"]:
        N[f"{lab}|{d}"] = sum(1 for _ in open(f"/tmp/capp130-trace-dis/{lab}_{d}_only.jsonl", encoding="utf-8"))
title = {"capp": "CAPP yes, ours no", "ours": "ours yes, CAPP no"}
for lab in ["collection", "sharing", "rights"]:
    print(f"### {lab}\n")
    for d in ["capp", "ours"]:
        k = f"{lab}|{d}"; n = sum(len(c["sids"]) for c in C[k])
        print(f"**{title[d]}** ({N[k]} disagreements, sample {n})\n")
        print("| category | in sample | share | est. units | rule that decides it | example (policy unit: text) | sample ids |")
        print("|---|---|---|---|---|---|---|")
        for c in C[k]:
            m = len(c["sids"]); ex = S[c["ex"]]
            t = ex["text"] if len(ex["text"]) <= 60 else ex["text"][:58] + "…"
            name = f"**{c['cat']}**" if c["cat"] == "OUR ERROR" else c["cat"]
            print(f"| {name} | {m} | {m/n:.0%} | ~{round(N[k]*m/n)} | {c['rule']} | {ex['policy'].split('/')[1]} u{ex['unit']}: 「{t}」 | {','.join(map(str,c['sids']))} |")
        print()
