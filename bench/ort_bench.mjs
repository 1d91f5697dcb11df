// node bench/ort_bench.mjs MODEL.onnx [--threads N] [--warmup N] [--runs N] [--ort-dir DIR]
//                          [--allow-spinning 0|1]
// ONNX Runtime's side of bench/compare.sh: like `edgeforge bench --json`, times runs of one
// session on one input and prints JSON (init, first inference, min/median/p90/max in ms).
// Session options: intraOpNumThreads = N, interOpNumThreads = 1, graph optimizations 'all',
// sequential execution, CPU provider. The input is the one `edgeforge bench` feeds: bytes from
// std::mt19937 seeded with 42 (one draw per byte for integer inputs; for float inputs
// std::uniform_real_distribution<float>(-1, 1) as libstdc++ computes it), so both time the same
// data. onnxruntime-node is loaded from --ort-dir (default: $EF_ORT_DIR, else build/ort).
// --allow-spinning 0 stops ORT's intra-op threads from spin-waiting (ORT's default is 1): on a
// machine with fewer free cores than threads, spinning workers steal the time the others need.
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// std::mt19937 (32-bit Mersenne Twister), bit for bit.
export class Mt19937 {
  constructor(seed) {
    this.state = new Uint32Array(624);
    this.index = 624;
    this.state[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = this.state[i - 1] ^ (this.state[i - 1] >>> 30);
      this.state[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }
  next() {
    if (this.index >= 624) this.twist();
    let y = this.state[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
  twist() {
    const s = this.state;
    for (let i = 0; i < 624; i++) {
      const y = (s[i] & 0x80000000) | (s[(i + 1) % 624] & 0x7fffffff);
      let v = s[(i + 397) % 624] ^ (y >>> 1);
      if (y & 1) v ^= 0x9908b0df;
      s[i] = v >>> 0;
    }
    this.index = 0;
  }
}

// libstdc++'s uniform_real_distribution<float>(a, b): generate_canonical<float, 24> from one
// 32-bit draw, in float32 arithmetic.
function uniformFloat(rng, a, b) {
  let canonical = Math.fround(Math.fround(rng.next()) / 4294967296);
  if (canonical >= 1) canonical = Math.fround(1 - 2 ** -24);
  return Math.fround(Math.fround(canonical * Math.fround(b - a)) + a);
}

// The bytes `edgeforge bench` fills an input of `count` elements of `type` with.
export function benchInput(type, count, rng) {
  if (type === 'float32') {
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = uniformFloat(rng, -1, 1);
    return values;
  }
  const Typed = { uint8: Uint8Array, int8: Int8Array, int16: Int16Array, int32: Int32Array }[type];
  if (!Typed) throw new Error(`input dtype ${type} is not supported`);
  const bytes = new Uint8Array(count * Typed.BYTES_PER_ELEMENT);
  for (let i = 0; i < bytes.length; i++) bytes[i] = rng.next() & 0xff;
  return new Typed(bytes.buffer);
}

function percentile(sorted, p) {
  const i = Math.min(sorted.length - 1, Math.floor((p / 100) * (sorted.length - 1) + 0.5));
  return sorted[i];
}

async function main() {
  const args = process.argv.slice(2);
  const opt = { threads: 1, warmup: 5, runs: 50, allowSpinning: '1', ortDir: process.env.EF_ORT_DIR || path.join(here, '..', 'build', 'ort') };
  let model;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--threads') opt.threads = Number(args[++i]);
    else if (a === '--warmup') opt.warmup = Number(args[++i]);
    else if (a === '--runs') opt.runs = Number(args[++i]);
    else if (a === '--ort-dir') opt.ortDir = args[++i];
    else if (a === '--allow-spinning') opt.allowSpinning = args[++i];
    else if (!model) model = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!model || !(opt.threads >= 1) || !(opt.runs >= 1) || !(opt.warmup >= 0) || !['0', '1'].includes(opt.allowSpinning)) {
    console.error('usage: node bench/ort_bench.mjs MODEL.onnx [--threads N] [--warmup N] [--runs N] [--ort-dir DIR] [--allow-spinning 0|1]');
    process.exit(2);
  }
  const ort = createRequire(path.join(path.resolve(opt.ortDir), 'package.json'))('onnxruntime-node');

  const t0 = performance.now();
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: opt.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
    executionMode: 'sequential', executionProviders: ['cpu'],
    extra: { session: { intra_op: { allow_spinning: opt.allowSpinning } } } });
  const initMs = performance.now() - t0;

  const rng = new Mt19937(42);
  const feeds = {};
  for (const meta of session.inputMetadata) {
    const dims = meta.shape.map((d) => (typeof d === 'number' ? d : 1));
    const count = dims.reduce((x, y) => x * y, 1);
    feeds[meta.name] = new ort.Tensor(meta.type, benchInput(meta.type, count, rng), dims);
  }
  const t1 = performance.now();
  await session.run(feeds);
  const firstMs = performance.now() - t1;
  for (let i = 0; i < opt.warmup; i++) await session.run(feeds);
  const latencies = [];
  for (let i = 0; i < opt.runs; i++) {
    const start = performance.now();
    await session.run(feeds);
    latencies.push(performance.now() - start);
  }
  await session.release();
  const sorted = [...latencies].sort((x, y) => x - y);
  console.log(JSON.stringify({
    model, runtime: `onnxruntime-node ${ort.env.versions.node}`, threads: opt.threads, runs: opt.runs,
    allow_spinning: opt.allowSpinning === '1',
    init_ms: initMs, first_inference_ms: firstMs, min_ms: sorted[0], median_ms: percentile(sorted, 50),
    p90_ms: percentile(sorted, 90), max_ms: sorted[sorted.length - 1] }, null, 2));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => { console.error(`ort_bench: ${e.message ?? e}`); process.exit(1); });
}
