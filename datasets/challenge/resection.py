#!/usr/bin/env python3
"""Refresh the `section` of real challenge units from what `privclause segment` gives now.

Pass-1 real units carry the segmenter's section path from when they were drawn. After a
segmenter change (stale contents-list headings closed, commit 0fc07e8), this re-segments each
unit's origin policy with the release binary and, where a unit of the same text exists, writes
that unit's section path. Labels, leads (some were restored by hand, see README), notes, the
`long_units` family (sections chosen by line number in extract_long.py) and handwritten units
are left alone. Idempotent.
Usage (repo root, after `cargo build --release`): python3 datasets/challenge/resection.py [--check]
"""
import json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FILE = os.path.join(HERE, "challenge-v1.jsonl")
BIN = os.path.join(ROOT, "target", "release", "privclause")


def policy_path(origin):
    corpus, name = origin.split("/", 1)
    if corpus == "capp130":
        return os.path.join(ROOT, "..", "shared", "corpora", "capp130", "policies", name + ".txt")
    return os.path.join(ROOT, "datasets", "seeds", name + ".txt")


def main():
    check = "--check" in sys.argv[1:]
    records = [json.loads(line) for line in open(FILE, encoding="utf-8")]
    sections = {}
    changed = 0
    for r in records:
        if r["origin"] == "handwritten" or r["family"] == "long_units":
            continue
        if r["origin"] not in sections:
            out = subprocess.run([BIN, "segment", policy_path(r["origin"])],
                                 capture_output=True, text=True, check=True).stdout
            by_text = {}
            for line in out.splitlines():
                u = json.loads(line)
                by_text.setdefault(u["text"].strip(), u["section"])
            sections[r["origin"]] = by_text
        section = sections[r["origin"]].get(r["text"].strip())
        if section is not None and section != r["section"]:
            r["section"] = section
            changed += 1
    print(f"{changed} sections {'differ' if check else 'refreshed'}")
    if check:
        sys.exit(1 if changed else 0)
    with open(FILE + ".tmp", "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    os.replace(FILE + ".tmp", FILE)


if __name__ == "__main__":
    main()
