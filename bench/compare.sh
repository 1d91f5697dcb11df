#!/usr/bin/env bash
# bench/compare.sh MODEL.tflite [THREADS]
# edgeforge against ONNX Runtime on the same network and weights: exports MODEL with
# `edgeforge export onnx` (QDQ: ORT's own quantized kernels, ORT at its fastest), then alternates
# ROUNDS rounds of `edgeforge bench --json` and bench/ort_bench.mjs (RUNS timed runs each after WARMUP untimed ones, same thread count, same
# input bytes) and prints each side's median latency and the ratio edgeforge / ORT.
# ORT is onnxruntime-node 1.30.0 (its own native CPU build), npm-installed with --ignore-scripts
# into build/ort on first use.
# Environment: EDGEFORGE (the binary; default: the newest build/*/edgeforge), ORT_DIR
# (default build/ort), ROUNDS (5), RUNS (100), WARMUP (20: a 2-thread run needs about that many to
# reach its steady state), ORT_ALLOW_SPINNING (1, ORT's default;
# 0 keeps its idle intra-op threads from spin-waiting, which helps on a busy machine).
set -euo pipefail

usage() { echo "usage: bench/compare.sh MODEL.tflite [THREADS]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
MODEL=$1
THREADS=${2:-1}
[[ "$THREADS" =~ ^[1-9][0-9]*$ ]] || usage
[ -f "$MODEL" ] || { echo "compare.sh: no such model: $MODEL" >&2; exit 1; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-5}
RUNS=${RUNS:-100}
WARMUP=${WARMUP:-20}
ORT_DIR=${ORT_DIR:-$ROOT/build/ort}
ORT_ALLOW_SPINNING=${ORT_ALLOW_SPINNING:-1}

if [ -z "${EDGEFORGE:-}" ]; then
  EDGEFORGE=$(ls -t "$ROOT"/build/*/edgeforge 2>/dev/null | head -n 1 || true)
fi
[ -n "${EDGEFORGE:-}" ] && [ -x "$EDGEFORGE" ] || {
  echo "compare.sh: no edgeforge binary; build one (cmake --build build/release) or set EDGEFORGE" >&2; exit 1; }

# ONNX Runtime: the npm package ships native CPU libraries for linux-x64; its install script
# (which would download CUDA/TensorRT parts) is not needed.
if [ ! -f "$ORT_DIR/node_modules/onnxruntime-node/package.json" ]; then
  echo "compare.sh: installing onnxruntime-node@1.30.0 into $ORT_DIR" >&2
  mkdir -p "$ORT_DIR"
  cp "$ROOT/tests/ort/package.json" "$ORT_DIR/"
  (cd "$ORT_DIR" && npm install --ignore-scripts --no-audit --no-fund --no-package-lock --loglevel=error >&2)
fi
ORT_VERSION=$(cd "$ORT_DIR" && node -e "console.log(require('onnxruntime-node').env.versions.node)") || {
  echo "compare.sh: onnxruntime-node in $ORT_DIR does not load" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$EDGEFORGE" export onnx "$MODEL" "$WORK/model.onnx" >/dev/null

median_of() { node -e "const v=process.argv.slice(1).map(Number).sort((a,b)=>a-b);const n=v.length;
  console.log((n%2?v[(n-1)/2]:(v[n/2-1]+v[n/2])/2).toFixed(3))" "$@"; }
json_median() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).median_ms))"; }

echo "model:    $MODEL"
echo "edgeforge: $EDGEFORGE"
echo "ORT:      onnxruntime-node $ORT_VERSION (CPU, graph optimization 'all', sequential, inter-op 1, spinning $ORT_ALLOW_SPINNING)"
echo "threads:  $THREADS   rounds: $ROUNDS x $RUNS runs (+$WARMUP warm-up) each, alternating"
ef_medians=()
ort_medians=()
for ((round = 1; round <= ROUNDS; round++)); do
  run_edgeforge() {
    "$EDGEFORGE" bench "$MODEL" --threads "$THREADS" --warmup "$WARMUP" --runs "$RUNS" --json | json_median; }
  run_ort() {
    node "$ROOT/bench/ort_bench.mjs" "$WORK/model.onnx" --threads "$THREADS" --warmup "$WARMUP" --runs "$RUNS" \
      --ort-dir "$ORT_DIR" --allow-spinning "$ORT_ALLOW_SPINNING" | json_median; }
  # Alternate which side goes first, so slow drifts of the machine hit both alike.
  if ((round % 2)); then ef=$(run_edgeforge); ort=$(run_ort); else ort=$(run_ort); ef=$(run_edgeforge); fi
  ef_medians+=("$ef")
  ort_medians+=("$ort")
  printf 'round %d: edgeforge %10.3f ms   ORT %10.3f ms\n' "$round" "$ef" "$ort"
done
EF=$(median_of "${ef_medians[@]}")
ORT=$(median_of "${ort_medians[@]}")
RATIO=$(node -e "console.log((Number(process.argv[1])/Number(process.argv[2])).toFixed(2))" "$EF" "$ORT")
echo "median of round medians: edgeforge $EF ms   ORT $ORT ms"
echo "latency ratio edgeforge/ORT: $RATIO"
