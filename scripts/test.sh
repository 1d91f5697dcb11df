#!/usr/bin/env bash
# The whole test suite: a Debug build with AddressSanitizer + UndefinedBehaviorSanitizer and a
# Release build, each running every test (CTest), plus the install test. The TFLite oracle
# (LiteRT.js) is npm-installed into each build folder for the tests that compare with it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
JOBS=${JOBS:-$(nproc)}

install_oracle() {  # $1 = build folder
  local dir="$1/oracle"
  if [ ! -f "$dir/node_modules/@litertjs/core/package.json" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    cp ../shared/tools/tflite-oracle/package.json ../shared/tools/tflite-oracle/run_tflite.mjs "$dir/"
    (cd "$dir" && npm install --no-audit --no-fund --no-package-lock --loglevel=error)
  fi
}

run_build() {  # $1 = folder, rest = cmake flags
  local dir="$1"; shift
  cmake -S . -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j"$JOBS"
  install_oracle "$dir"
  (cd "$dir" && ctest --output-on-failure -j"$JOBS" --timeout 1200)
}

run_build build/asan -DCMAKE_BUILD_TYPE=Debug -DEF_SANITIZE=ON
run_build build/release -DCMAKE_BUILD_TYPE=Release
bash scripts/install_test.sh build/release
echo "all test suites passed"
