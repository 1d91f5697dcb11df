#!/usr/bin/env bash
# bench/one_epoch.sh [SEED ...]
# The issue's one-epoch benchmark: MobileNetV2 0.5 at 32 px on all of Fashion-MNIST (60,000
# training images, batch 128, 2 threads, the short-run defaults), one run per seed (default 1 2
# 3); prints each run's test top-1/top-5 (all 10,000 test images), the epoch's training time and
# the wall time of the whole command. EDGEFORGE_TRAIN overrides the binary (default
# build/release/edgeforge-train); OUT (default a temporary folder) keeps the runs.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TRAIN=${EDGEFORGE_TRAIN:-$ROOT/build/release/edgeforge-train}
[ -x "$TRAIN" ] || { echo "one_epoch.sh: no $TRAIN; build it (cmake --build build/release) or set EDGEFORGE_TRAIN" >&2; exit 1; }
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
SEEDS=("$@")
[ ${#SEEDS[@]} -gt 0 ] || SEEDS=(1 2 3)
echo "seed,test_top1,test_top5,epoch_seconds,wall_seconds"
for seed in "${SEEDS[@]}"; do
  [[ "$seed" =~ ^[0-9]+$ ]] || { echo "one_epoch.sh: seed '$seed' is not a number" >&2; exit 2; }
  dir="$OUT/seed$seed"
  rm -rf "$dir"
  start=$(date +%s.%N)
  "$TRAIN" --arch mobilenet-v2 --width 0.5 --data fashion-mnist --image-size 32 --epochs 1 --threads 2 \
    --seed "$seed" --no-progress --out "$dir" > "$dir.log" 2>&1 || { cat "$dir.log" >&2; exit 1; }
  end=$(date +%s.%N)
  # metrics.csv: epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_top5,learning_rate,images_per_second,seconds
  tail -n 1 "$dir/metrics.csv" | awk -F, -v s="$seed" -v a="$start" -v b="$end" \
    '{ printf "%s,%.2f%%,%.2f%%,%.1f,%.1f\n", s, 100 * $5, 100 * $6, $9, b - a }'
done
