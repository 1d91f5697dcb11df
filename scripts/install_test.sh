#!/usr/bin/env bash
# Installs edgeforge from a configured build folder into a temporary prefix, then builds and
# runs examples/classify against it with find_package(edgeforge) and with pkg-config.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
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
