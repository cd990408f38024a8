#!/usr/bin/env python3
"""Validate datasets/challenge/challenge-v1.jsonl and print counts per family and label.

Checks: ids unique; family in the list; labels among the five; label_source present;
no two units with the same text (whitespace ignored); every long_units text is 150-600 characters.
Prints units/other/positives per family and label, then real (capp130/seeds) vs handwritten per
family. Exit status 1 on any problem.
Usage: python3 datasets/challenge/stats.py [FILE]
"""
import collections, json, os, re, sys

FAMILIES = ["contact_only", "tos_non_pi", "inbound_data", "retention_security", "sdk_permission",
            "exception_items", "liability_deidentified", "clear_rights_sensitive", "negated",
            "headings", "table_cells", "context_dependent", "long_units", "english_mixed",
            "non_policy_residue"]
LABELS = ["collection", "sharing", "sensitive", "exemptions", "rights"]

def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "challenge-v1.jsonl")
    errors, ids, texts = [], set(), {}
    fam = collections.Counter(); lab = collections.Counter(); other = collections.Counter()
    per = collections.defaultdict(collections.Counter); origins = collections.Counter()
    src = collections.defaultdict(collections.Counter)
    n = 0
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            if not line.strip():
                continue
            r = json.loads(line); n += 1
            for k in ("id", "family", "origin", "text", "section", "lead", "labels", "label_source"):
                if k not in r:
                    errors.append(f"line {ln}: missing {k}")
            if r.get("id") in ids:
                errors.append(f"line {ln}: duplicate id {r.get('id')}")
            ids.add(r.get("id"))
            if r.get("family") not in FAMILIES:
                errors.append(f"line {ln}: unknown family {r.get('family')}")
            for l in r.get("labels", []):
                if l not in LABELS:
                    errors.append(f"line {ln}: unknown label {l}")
            if not r.get("label_source"):
                errors.append(f"line {ln}: empty label_source")
            key = re.sub(r"\s+", "", r.get("text", ""))
            if key in texts:
                errors.append(f"line {ln}: same text as {texts[key]}")
            texts[key] = r.get("id")
            f_ = r.get("family"); fam[f_] += 1
            if f_ == "long_units" and not 150 <= len(r.get("text", "")) <= 600:
                errors.append(f"line {ln}: long_units text has {len(r.get('text', ''))} chars (150-600 required)")
            src[f_]["handwritten" if r.get("origin") == "handwritten" else "real"] += 1
            origins["handwritten" if r.get("origin") == "handwritten" else r.get("origin", "").split("/")[0]] += 1
            if not r.get("labels"):
                other[f_] += 1
            for l in r.get("labels", []):
                lab[l] += 1; per[f_][l] += 1
    print(f"{n} units; origins: " + ", ".join(f"{k} {v}" for k, v in sorted(origins.items())))
    print("| family | units | other | " + " | ".join(LABELS) + " |")
    print("|---|---|---|" + "---|" * len(LABELS))
    for f_ in FAMILIES:
        print(f"| {f_} | {fam[f_]} | {other[f_]} | " + " | ".join(str(per[f_][l]) for l in LABELS) + " |")
    print(f"| **total** | {n} | {sum(other.values())} | " + " | ".join(str(lab[l]) for l in LABELS) + " |")
    print()
    print("| family | real | handwritten |")
    print("|---|---|---|")
    for f_ in FAMILIES:
        print(f"| {f_} | {src[f_]['real']} | {src[f_]['handwritten']} |")
    print(f"| **total** | {sum(v['real'] for v in src.values())} | {sum(v['handwritten'] for v in src.values())} |")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)
    print("valid")

if __name__ == "__main__":
    main()
