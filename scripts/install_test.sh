#!/usr/bin/env bash
# Installs edgeforge from a configured build folder into a temporary prefix, checks that the
# installed `edgeforge` finds the sibling executables it hands commands to, then builds and runs
# examples/classify against it with find_package(edgeforge) and with pkg-config.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
# `edgeforge export onnx`, `serve` and `train` run edgeforge-export-onnx, edgeforge-serve and
# edgeforge-train from the folder `edgeforge` is in (src/cli/siblings.h).
siblings="edgeforge-export-onnx edgeforge-serve"
[ -x "$build/edgeforge-train" ] && siblings="$siblings edgeforge-train"
for b in edgeforge edgeforge-lite $siblings; do
  [ -x "$prefix/bin/$b" ] || { echo "install test: $prefix/bin/$b was not installed"; exit 1; }
done
"$prefix/bin/edgeforge" export onnx ../shared/testdata/coral/mobilenet_v1_0.25_128_quant.tflite "$prefix/m.onnx" \
  | grep -q "^wrote " || { echo "install test: edgeforge export onnx failed"; exit 1; }
[ -s "$prefix/m.onnx" ] || { echo "install test: edgeforge export onnx wrote nothing"; exit 1; }
"$prefix/bin/edgeforge" serve --help | grep -q -- "--max-image-pixels" \
  || { echo "install test: edgeforge serve --help did not reach edgeforge-serve"; exit 1; }
if [ -x "$build/edgeforge-train" ]; then
  "$prefix/bin/edgeforge" train --help | grep -q -- "--arch" \
    || { echo "install test: edgeforge train --help did not reach edgeforge-train"; exit 1; }
fi
cmake -S examples/classify -B "$prefix/example-build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/example-build" -j2 >/dev/null
out=$("$prefix/example-build/classify_example" ../shared/testdata/coral/mobilenet_v2_1.0_224_quant.tflite \
      ../shared/testdata/coral/cat.bmp)
echo "$out"
echo "$out" | grep -q "^286 " || { echo "install test: expected class 286 (Egyptian cat) first"; exit 1; }
# pkg-config users: compile the same example by hand.
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --exists edgeforge
g++ -std=c++20 examples/classify/main.cc -o "$prefix/classify_pc" \
  $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs --static edgeforge)
"$prefix/classify_pc" ../shared/testdata/coral/mobilenet_v2_1.0_224_quant.tflite ../shared/testdata/coral/cat.bmp \
  | grep -q "^286 " || { echo "install test (pkg-config): expected class 286 first"; exit 1; }
echo "install test passed"
