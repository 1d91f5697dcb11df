#!/usr/bin/env bash
# Installs ONNX Runtime for the ONNX export tests (onnxruntime-node 1.30.0 from npm, per
# tests/ort/package.json) into $1. --ignore-scripts: the package ships its native CPU build;
# its install script would only fetch GPU providers. The runner (tests/ort/run_ort.mjs) stays
# in the source tree and is given this folder with --ort-dir.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: install_ort.sh FOLDER}
if [ ! -f "$dir/node_modules/onnxruntime-node/package.json" ] || ! cmp -s tests/ort/package.json "$dir/package.json"; then
  mkdir -p "$dir"
  cp tests/ort/package.json "$dir/"
  (cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --no-package-lock --loglevel=error)
fi
(cd "$dir" && node -e "require('onnxruntime-node')") || { echo "install_ort.sh: onnxruntime-node in $dir does not load" >&2; exit 1; }
