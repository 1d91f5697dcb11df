#!/usr/bin/env bash
# The whole test suite: a Debug build with AddressSanitizer + UndefinedBehaviorSanitizer and a
# Release build, each running every test (CTest), then the install test. The sanitized build
# leaves out training (LibTorch is not built with sanitizers, and the device code is what must
# be memory-safe); the Release build includes it, so edgeforge-train and its tests run there. The TFLite oracle
# (LiteRT.js) is npm-installed into each build folder for the tests that compare with it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
JOBS=${JOBS:-$(nproc)}
passed=0

install_npm_tools() {  # $1 = build folder
  bash scripts/install_oracle.sh "$1/oracle"
  if [ -f tests/ort/package.json ]; then bash scripts/install_ort.sh "$1/ort"; fi
}

run_build() {  # $1 = folder, rest = cmake flags
  local dir="$1"; shift
  cmake -S . -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j"$JOBS"
  install_npm_tools "$dir"
  local log="$dir/ctest.log"
  (cd "$dir" && ctest --output-on-failure -j"$JOBS" --timeout 1200) 2>&1 | tee "$log"
  local n
  n=$(sed -n 's/.*tests passed, 0 tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
  passed=$((passed + ${n:-0}))
}

run_build build/asan -DCMAKE_BUILD_TYPE=Debug -DEF_SANITIZE=ON -DEF_BUILD_BENCH=OFF -DEF_BUILD_TRAINING=OFF
run_build build/release -DCMAKE_BUILD_TYPE=Release -DEF_BUILD_TRAINING=ON
bash scripts/install_test.sh build/release
passed=$((passed + 1))
echo "edgeforge: $passed passed, 0 failed"
