#!/usr/bin/env bash
# Installs the TFLite oracle (../shared/tools/tflite-oracle: LiteRT.js from npm) into $1.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: install_oracle.sh FOLDER}
if [ ! -f "$dir/node_modules/@litertjs/core/package.json" ] || ! cmp -s ../shared/tools/tflite-oracle/run_tflite.mjs "$dir/run_tflite.mjs"; then
  mkdir -p "$dir"
  cp ../shared/tools/tflite-oracle/package.json ../shared/tools/tflite-oracle/run_tflite.mjs "$dir/"
  (cd "$dir" && npm install --no-audit --no-fund --no-package-lock --loglevel=error)
fi
