// node run_ort.mjs MODEL.onnx IN.bin OUT.bin [IN.bin OUT.bin ...] [--threads N] [--optimized FILE.onnx]
//                 [--ort-dir DIR]
// Runs an ONNX model in ONNX Runtime (onnxruntime-node, CPU) on raw inputs: each IN.bin holds the
// little-endian bytes of input 0 in its dtype and shape (the format of `edgeforge run` and of the
// goldens); the raw bytes of output 0 go to OUT.bin. One session serves every pair. Session
// options are the ones bench/compare.sh times with: graph optimizations 'all', sequential.
// --optimized writes the graph as ORT optimized it (to see which QDQ groups became QLinear ops).
// onnxruntime-node is loaded from --ort-dir (an npm install of tests/ort/package.json; default:
// $EF_ORT_DIR, else this script's own folder).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

let ort;

const TYPED = { float32: Float32Array, uint8: Uint8Array, int8: Int8Array, int16: Int16Array, int32: Int32Array,
  int64: BigInt64Array, bool: Uint8Array };

function createSession(modelPath, { threads = 1, optimizedPath } = {}) {
  const options = { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
    executionMode: 'sequential', executionProviders: ['cpu'] };
  if (optimizedPath) options.optimizedModelFilePath = optimizedPath;
  return ort.InferenceSession.create(modelPath, options);
}

// The tensor for input 0 from its raw bytes, checked against the model's dtype and shape.
function inputTensor(session, bytes) {
  const meta = session.inputMetadata[0];
  if (!meta.isTensor) throw new Error(`input ${meta.name} is not a tensor`);
  const Typed = TYPED[meta.type];
  if (!Typed) throw new Error(`input ${meta.name}: dtype ${meta.type} is not supported here`);
  const dims = meta.shape.map((d) => (typeof d === 'number' ? d : 1));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.byteLength !== count * Typed.BYTES_PER_ELEMENT) {
    throw new Error(`input ${meta.name} [${dims}] ${meta.type} needs ${count * Typed.BYTES_PER_ELEMENT} bytes, got ${bytes.byteLength}`);
  }
  const copy = new Uint8Array(bytes.byteLength);  // aligned for the typed view
  copy.set(bytes);
  return new ort.Tensor(meta.type, new Typed(copy.buffer), dims);
}

async function runRaw(session, bytes) {
  const feeds = { [session.inputNames[0]]: inputTensor(session, bytes) };
  const results = await session.run(feeds);
  const out = results[session.outputNames[0]];
  const data = out.data;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

{
  const args = process.argv.slice(2);
  let threads = 1, optimizedPath, ortDir = process.env.EF_ORT_DIR || path.dirname(fileURLToPath(import.meta.url));
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--threads') threads = Number(args[++i]);
    else if (args[i] === '--optimized') optimizedPath = args[++i];
    else if (args[i] === '--ort-dir') ortDir = args[++i];
    else files.push(args[i]);
  }
  if (files.length < 3 || files.length % 2 !== 1 || !(threads >= 1)) {
    console.error('usage: node run_ort.mjs MODEL.onnx IN.bin OUT.bin [IN.bin OUT.bin ...] [--threads N] [--optimized FILE] [--ort-dir DIR]');
    process.exit(2);
  }
  try {
    ort = createRequire(path.join(path.resolve(ortDir), 'package.json'))('onnxruntime-node');
    const session = await createSession(files[0], { threads, optimizedPath });
    for (let i = 1; i < files.length; i += 2) {
      const out = await runRaw(session, new Uint8Array(fs.readFileSync(files[i])));
      fs.writeFileSync(files[i + 1], out);
      console.log(`${files[i]} -> ${files[i + 1]} (${out.byteLength} B)`);
    }
    await session.release();
  } catch (e) {
    console.error(`FAILED: ${e.message ?? e}`);
    process.exit(1);
  }
}
