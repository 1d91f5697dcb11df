#!/usr/bin/env bash
# Classify the Coral test photos with the
# MobileNetV2 int8 model, printing top-5 labels, scores and latency.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"$(nproc)" --target edgeforge_cli >/dev/null
data=../shared/testdata/coral
exec build/release/edgeforge classify "$data/tf2_mobilenet_v2_1.0_224_ptq.tflite" \
  "$data/parrot.jpg" "$data/cat.bmp" "$data/grace_hopper.bmp" "$data/bird.bmp" "$data/sunflower.bmp" \
  "$data/owl.jpg" "$data/hot_dog.jpg" --labels "$data/imagenet_labels.txt" "$@"
