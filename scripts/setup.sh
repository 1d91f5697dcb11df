#!/usr/bin/env bash
# Installs every Debian package edgeforge's build, tests and benchmarks need.
# Idempotent: when everything is already installed it changes nothing and skips apt-get update.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config          # compiler and build
  flatbuffers-compiler libflatbuffers-dev   # .tflite format: flatc + runtime headers
  libjpeg62-turbo-dev libpng-dev            # image decoding
  libcli11-dev nlohmann-json3-dev           # command line, JSON output
  libonnx-dev libprotobuf-dev protobuf-compiler  # edgeforge export onnx
  libgtest-dev libgmock-dev libbenchmark-dev  # tests and benchmarks
  zlib1g-dev dataset-fashion-mnist          # gzipped IDX datasets; the embedded default data
  libtorch-dev                              # edgeforge-train (training only)
  libcpp-httplib-dev                        # edgeforge serve
  chromium                                  # renders report.html in its test
  python3-torch                             # bench/: the PyTorch side of the training benchmark
  time                                      # bench/train_compare.sh: CPU time of each run
)
# Node.js runs the TFLite oracle (LiteRT.js) in tests; keep an existing newer install.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
