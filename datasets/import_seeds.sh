#!/usr/bin/env bash
# Copies the five seed policies from ../shared/seeds into datasets/seeds/ so that a clone of the
# project alone can label them, and records where each came from (sha256 of the source bytes).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${1:-"$here/../../shared/seeds"}
out="$here/seeds"
mkdir -p "$out"
{
  echo "# Seed policies"
  echo
  echo "Five real privacy policies of Chinese doctor-facing internet-health platforms, copied"
  echo "byte for byte from the project's shared/seeds by \`datasets/import_seeds.sh\`."
  echo "Public policy texts, quoted for research."
  echo
  echo "| file | sha256 |"
  echo "|---|---|"
  for f in "$src"/*.txt; do
    cp "$f" "$out/"
    echo "| $(basename "$f") | $(sha256sum "$f" | cut -d' ' -f1) |"
  done
} > "$here/SEEDS.md"
echo "copied $(ls "$src"/*.txt | wc -l) seeds into $out"
