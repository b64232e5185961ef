#!/usr/bin/env bash
# Trains one recipe on several seeds, one run after another, each followed by its baselines (the
# same ViT at random init, with the run's seed, and raw pixels), then prints the README's seed
# table (tools/seed-table.ts). Runs that finished are skipped, so an interrupted sweep continues.
# Needs: nothing but this repository. Extra arguments go to `mini-dino train` (e.g. a recipe
# change to compare); the per-epoch k-NN monitor is off (it does not change training).
# Usage: tools/seed-sweep.sh [--seeds "0 1 2"] [--out runs/seeds] [train flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS="0 1 2 3 4 5 6 7 8 9"
OUT=runs/seeds
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seeds) SEEDS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) break ;;
  esac
done
for s in $SEEDS; do
  dir="$OUT/seed-$s"
  if [[ -s "$dir/result.json" ]]; then echo "seed $s: done ($dir/result.json)"; continue; fi
  mkdir -p "$dir"
  echo "seed $s: training ($(date +%H:%M:%S))"
  npx tsx src/cli/main.ts train --seed "$s" --out "$dir" --baselines --json --quiet \
    --knn-every 0 "$@" > "$dir/stdout.txt" 2> "$dir/stderr.txt"
  tail -n 1 "$dir/stdout.txt" > "$dir/result.json"
  grep -h 'warning: epoch' "$dir/stderr.txt" | cut -c1-100 || true
done
npx tsx tools/seed-table.ts "$OUT"
