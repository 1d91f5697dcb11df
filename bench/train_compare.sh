#!/usr/bin/env bash
# Training throughput, edgeforge-train next to PyTorch (Debian python3-torch) in the same run:
# MnasNet-A1 and MobileNetV2 at 32x32, batch 128, 1 and 2 threads, synthetic data, forward +
# backward + RMSProp step. Each measurement alternates between the two so machine noise hits
# both alike.
#   bash bench/train_compare.sh [BUILD_DIR] [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
STEPS=${2:-20}
TRAIN="$BUILD/edgeforge-train"
[ -x "$TRAIN" ] || { echo "train_compare: $TRAIN not built (cmake -DEF_BUILD_TRAINING=ON)" >&2; exit 1; }
for arch in mnasnet-a1 mobilenet-v2; do
  for threads in 1 2; do
    "$TRAIN" --arch "$arch" --image-size 32 --batch 128 --threads "$threads" --benchmark-steps "$STEPS"
    /usr/bin/python3 bench/train_pytorch.py --arch "$arch" --threads "$threads" --image-size 32 --batch 128 \
      --steps "$STEPS"
  done
done
