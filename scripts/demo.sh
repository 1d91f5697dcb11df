#!/usr/bin/env bash
# The main job: from the embedded Fashion-MNIST dataset to a deployed int8 model in one command.
# Builds edgeforge and edgeforge-train (Release), then `edgeforge make` picks an architecture for
# the latency budget, trains it with LibTorch for the time budget, quantizes it to int8, checks
# the Edge TPU rules, evaluates float and int8, benchmarks it and writes out/fashion-mnist/
# (model_int8.tflite, model_float.tflite, labels.txt, report.html), ending with the command that
# serves the model. Extra arguments go to `edgeforge make` (e.g. --time-budget 10).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DEF_BUILD_TRAINING=ON >/dev/null
cmake --build build/release -j"$(nproc)" --target edgeforge_cli edgeforge_train_cli >/dev/null
exec build/release/edgeforge make --data fashion-mnist --out out/fashion-mnist \
  --time-budget "${EF_DEMO_MINUTES:-4}" "$@"
