#!/usr/bin/env bash
# Training throughput, edgeforge-train next to PyTorch (Debian python3-torch) in the same run:
# MnasNet-A1 and MobileNetV2 at 32x32, batch 128, 1 and 2 threads, synthetic data, forward +
# backward + RMSProp step. Measurements alternate between the two so machine noise hits both.
#
# Images/s come from CPU time, not wall time, so other work on a shared machine does not count:
# each side runs STEPS and 3 timed steps (after the same 3 warm-up steps), and
# (STEPS - 3) * 128 / (CPU seconds of the long run - CPU seconds of the short run) leaves out
# start-up, model building and Python's imports. On a quiet machine the wall-clock rate each
# program prints is the same measurement.
#   bash bench/train_compare.sh [BUILD_DIR] [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
STEPS=${2:-13}
TRAIN="$BUILD/edgeforge-train"
[ -x "$TRAIN" ] || { echo "train_compare: $TRAIN not built (cmake -DEF_BUILD_TRAINING=ON)" >&2; exit 1; }
[ "$STEPS" -gt 3 ] || { echo "train_compare: STEPS must be more than 3" >&2; exit 2; }

cpu_seconds() {  # runs "$@" and prints its user+sys seconds
  /usr/bin/time -f "%U %S" -o /tmp/train_compare.$$ "$@" >/dev/null 2>&1
  awk '{print $1 + $2}' /tmp/train_compare.$$
}

for arch in mnasnet-a1 mobilenet-v2; do
  for threads in 1 2; do
    ours_long=$(cpu_seconds "$TRAIN" --arch "$arch" --image-size 32 --batch 128 --threads "$threads" --benchmark-steps "$STEPS")
    theirs_long=$(cpu_seconds /usr/bin/python3 bench/train_pytorch.py --arch "$arch" --threads "$threads" --image-size 32 --batch 128 --steps "$STEPS" --warmup 3)
    ours_short=$(cpu_seconds "$TRAIN" --arch "$arch" --image-size 32 --batch 128 --threads "$threads" --benchmark-steps 3)
    theirs_short=$(cpu_seconds /usr/bin/python3 bench/train_pytorch.py --arch "$arch" --threads "$threads" --image-size 32 --batch 128 --steps 3 --warmup 3)
    awk -v a="$arch" -v t="$threads" -v n="$STEPS" -v ol="$ours_long" -v os="$ours_short" \
        -v pl="$theirs_long" -v ps="$theirs_short" 'BEGIN {
      e = (n - 3) * 128 / (ol - os); p = (n - 3) * 128 / (pl - ps);
      printf "%-13s threads=%d  edgeforge %6.0f img/cpu-s  pytorch %6.0f img/cpu-s  ratio %.2f\n", a, t, e, p, e / p }'
  done
done
rm -f /tmp/train_compare.$$
uptime
